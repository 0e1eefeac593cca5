/* The Configuration payload (RFC 7296 3.15): a CFG type and attributes. */
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define CP_HEADER 4    /* CFG Type and three reserved octets */
#define ATTR_HEADER 4  /* R bit and type, length */
#define ATTR_R 0x8000
#define VARIABLE UINT16_MAX

/* Allowed value lengths (RFC 7296 3.15.1): empty (a request) or the fixed
 * size; unit for lists. */
static const struct cp_attr_rule {
	uint16_t type;
	uint16_t size;   /* VARIABLE: any length (a multiple of unit) */
	uint8_t unit;
} cp_attr_rules[] = {
	{ IKEV2_CP_INTERNAL_IP4_ADDRESS, 4, 0 },
	{ IKEV2_CP_INTERNAL_IP4_NETMASK, 4, 0 },
	{ IKEV2_CP_INTERNAL_IP4_DNS, 4, 0 },
	{ IKEV2_CP_INTERNAL_IP4_NBNS, 4, 0 },
	{ IKEV2_CP_INTERNAL_IP4_DHCP, 4, 0 },
	{ IKEV2_CP_APPLICATION_VERSION, VARIABLE, 0 },
	{ IKEV2_CP_INTERNAL_IP6_ADDRESS, 17, 0 },  /* address and prefix length */
	{ IKEV2_CP_INTERNAL_IP6_DNS, 16, 0 },
	{ IKEV2_CP_INTERNAL_IP6_DHCP, 16, 0 },
	{ IKEV2_CP_INTERNAL_IP4_SUBNET, 8, 0 },    /* address and netmask */
	{ IKEV2_CP_SUPPORTED_ATTRIBUTES, VARIABLE, 2 },
	{ IKEV2_CP_INTERNAL_IP6_SUBNET, 17, 0 },
};

static const char *check_attr(uint16_t type, size_t len, char *buf, size_t size)
{
	char nb[IKEV2_NAME_BUF];
	for (size_t i = 0; i < sizeof(cp_attr_rules) / sizeof(cp_attr_rules[0]); i++) {
		const struct cp_attr_rule *r = &cp_attr_rules[i];
		if (r->type != type)
			continue;
		const char *n = ikev2_str(&ikev2_cp_attr_names, type, nb);
		if (r->size != VARIABLE && len != 0 && len != r->size) {
			snprintf(buf, size, "%s is %zu bytes, not 0 or %u", n, len, r->size);
			return buf;
		}
		if (r->unit > 1 && len % r->unit != 0) {
			snprintf(buf, size, "%s is %zu bytes, not a multiple of %u", n, len, r->unit);
			return buf;
		}
		return NULL;
	}
	return NULL;  /* unknown attributes: any length */
}

err_t ikev2_decode_cp(const struct ikev2_payload *p, struct ikev2_cp *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_CP, d);
	if (e != NULL)
		return e;
	out->cfg_type = 0;
	out->n = 0;
	if (p->len < CP_HEADER)
		return ikev2_bad(d, "CP payload: %zu bytes, less than its 4-byte header", p->len);
	out->cfg_type = p->body[0];
	size_t off = CP_HEADER;
	for (size_t i = 1; off < p->len; i++) {
		size_t remaining = p->len - off;
		if (remaining < ATTR_HEADER)
			return ikev2_bad(d, "CP payload: attribute %zu: %zu bytes remain, less than an attribute header (4)",
					 i, remaining);
		uint8_t ah[ATTR_HEADER];
		memcpy(ah, p->body + off, sizeof(ah));
		uint16_t type = ikev2_rd16(ah) & (uint16_t)~ATTR_R;
		size_t vlen = ikev2_rd16(ah + 2);
		if (vlen > remaining - ATTR_HEADER)
			return ikev2_bad(d, "CP payload: attribute %zu declares %zu value bytes but %zu remain",
					 i, vlen, remaining - ATTR_HEADER);
		char why[IKEV2_DIAG_TEXT - 40];
		if (check_attr(type, vlen, why, sizeof(why)) != NULL)
			return ikev2_bad(d, "CP payload: attribute %zu: %s", i, why);
		if (out->n == IKEV2_MAX_CP_ATTRS)
			return ikev2_fail(d, 0, "CP payload: more than %d attributes", IKEV2_MAX_CP_ATTRS);
		out->attrs[out->n++] = (struct ikev2_cp_attr){
			.type = type,
			.value = ikev2_span(p->body + off + ATTR_HEADER, vlen),
		};
		off += ATTR_HEADER + vlen;
	}
	return NULL;
}

size_t ikev2_build_cp(struct ikev2_builder *b, const struct ikev2_cp *cp)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_CP, false);
	if (cp->n > IKEV2_MAX_CP_ATTRS)
		ikev2_build_fail(b, "CP payload: %zu attributes (at most %d)", cp->n, IKEV2_MAX_CP_ATTRS);
	ikev2_put8(b, cp->cfg_type);
	ikev2_put(b, NULL, 3);
	for (size_t i = 0; !b->failed && i < cp->n; i++) {
		const struct ikev2_cp_attr *a = &cp->attrs[i];
		char why[IKEV2_DIAG_TEXT - 40];
		if (a->type & ATTR_R)
			ikev2_build_fail(b, "CP payload: attribute type %u does not fit in 15 bits", a->type);
		else if (a->value.len > UINT16_MAX)
			ikev2_build_fail(b, "CP payload: attribute %zu is %zu bytes", i + 1, a->value.len);
		else if (check_attr(a->type, a->value.len, why, sizeof(why)) != NULL)
			ikev2_build_fail(b, "CP payload: attribute %zu: %s", i + 1, why);
		ikev2_put16(b, a->type);
		ikev2_put16(b, (uint16_t)a->value.len);
		ikev2_put_span(b, a->value, "CP attribute");
	}
	return ikev2_payload_end(b, at);
}

bool ikev2_cp_eq(const struct ikev2_cp *a, const struct ikev2_cp *b)
{
	if (a->cfg_type != b->cfg_type || a->n != b->n || a->n > IKEV2_MAX_CP_ATTRS)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->attrs[i].type != b->attrs[i].type ||
		    !ikev2_span_eq(a->attrs[i].value, b->attrs[i].value))
			return false;
	}
	return true;
}
