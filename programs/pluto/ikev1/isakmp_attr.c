/* The ISAKMP Attribute payload (payload 14) of the Transaction exchange:
 * Mode Config (draft-dukes-ike-mode-cfg-02 3.2) and XAUTH
 * (draft-beaulieu-ike-xauth-02). Framing first: every attribute header
 * and TLV length checked against what is left of the payload, nothing
 * cast onto the packet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ikev1/transaction.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static err_t malformed(struct isakmp_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static err_t malformed(struct isakmp_diag *d, const char *fmt, ...)
{
	static char fallback[ISAKMP_DIAG_TEXT];
	char *text = d != NULL ? d->text : fallback;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, ISAKMP_DIAG_TEXT, fmt, ap);
	va_end(ap);
	if (d != NULL)
		d->notify = ISAKMP_N_PAYLOAD_MALFORMED;
	return text;
}

err_t isakmp_decode_cfg(const struct isakmp_payload *p, struct isakmp_cfg *out, struct isakmp_diag *d)
{
	if (p->type != ISAKMP_NEXT_ATTR)
		return malformed(d, "payload %u is not an Attribute payload", p->type);
	if (p->len < 4)
		return malformed(d, "Attribute payload: %zu bytes, too short", p->len);
	out->type = p->body[0];
	out->identifier = rd16(p->body + 2);
	out->n_attrs = 0;
	if (out->type < ISAKMP_CFG_REQUEST || out->type > ISAKMP_CFG_ACK)
		return malformed(d, "Attribute payload: unknown type %u", out->type);
	size_t at = 4;
	while (at < p->len) {
		if (p->len - at < 4) {
			/* zeros that align the payload to 4 bytes (libreswan pads
			 * after an odd-sized TLV): padding, not an attribute */
			bool zeros = true;
			for (size_t i = at; i < p->len; i++)
				zeros = zeros && p->body[i] == 0;
			if (zeros)
				break;
			return malformed(d, "Attribute payload: %zu bytes left, too few for an attribute", p->len - at);
		}
		if (out->n_attrs == ISAKMP_CFG_MAX_ATTRS)
			return malformed(d, "Attribute payload: more than %d attributes", ISAKMP_CFG_MAX_ATTRS);
		struct isakmp_cfg_attr *a = &out->attrs[out->n_attrs];
		uint16_t t = rd16(p->body + at);
		uint16_t v = rd16(p->body + at + 2);
		a->type = t & 0x7fffu;
		a->basic = (t & 0x8000u) != 0;
		a->value = a->basic ? v : 0;
		a->data = (struct ikev2_span){ NULL, 0 };
		at += 4;
		if (!a->basic) {
			if (v > p->len - at)
				return malformed(d, "Attribute payload: attribute %u says %u bytes, %zu left", a->type,
						 v, p->len - at);
			a->data = (struct ikev2_span){ p->body + at, v };
			at += v;
		}
		out->n_attrs++;
	}
	return NULL;
}

size_t isakmp_build_cfg(struct ikev2_builder *b, const struct isakmp_cfg *cfg)
{
	uint8_t body[4096];
	size_t len = 4;
	const char *why = NULL;
	body[0] = cfg->type;
	body[1] = 0;
	body[2] = (uint8_t)(cfg->identifier >> 8);
	body[3] = (uint8_t)cfg->identifier;
	for (size_t i = 0; i < cfg->n_attrs && why == NULL; i++) {
		const struct isakmp_cfg_attr *a = &cfg->attrs[i];
		size_t vlen = a->basic ? 0 : a->data.len;
		if (a->type > 0x7fffu)
			why = "an attribute type above 32767";
		else if (vlen > UINT16_MAX || 4 + vlen > sizeof(body) - len)
			why = "the attributes do not fit";
		else {
			uint16_t t = (uint16_t)(a->type | (a->basic ? 0x8000u : 0));
			uint16_t v = a->basic ? a->value : (uint16_t)vlen;
			body[len++] = (uint8_t)(t >> 8);
			body[len++] = (uint8_t)t;
			body[len++] = (uint8_t)(v >> 8);
			body[len++] = (uint8_t)v;
			if (vlen > 0)
				memcpy(body + len, a->data.ptr, vlen);
			len += vlen;
		}
	}
	if (why != NULL) {
		if (!b->failed) {
			b->failed = true;
			snprintf(b->error, sizeof(b->error), "Attribute payload: %s", why);
		}
		return SIZE_MAX;
	}
	return ikev2_build_payload(b, ISAKMP_NEXT_ATTR, false, body, len);
}

const struct isakmp_cfg_attr *isakmp_cfg_find(const struct isakmp_cfg *cfg, uint16_t type, size_t i)
{
	for (size_t k = 0; k < cfg->n_attrs; k++)
		if (cfg->attrs[k].type == type && i-- == 0)
			return &cfg->attrs[k];
	return NULL;
}

static const struct { uint16_t type; const char *name; } attr_names[] = {
	{ CFG_INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS" },
	{ CFG_INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK" },
	{ CFG_INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS" },
	{ CFG_INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS" },
	{ CFG_INTERNAL_ADDRESS_EXPIRY, "INTERNAL_ADDRESS_EXPIRY" },
	{ CFG_INTERNAL_IP4_DHCP, "INTERNAL_IP4_DHCP" },
	{ CFG_APPLICATION_VERSION, "APPLICATION_VERSION" },
	{ CFG_INTERNAL_IP6_ADDRESS, "INTERNAL_IP6_ADDRESS" },
	{ CFG_INTERNAL_IP6_NETMASK, "INTERNAL_IP6_NETMASK" },
	{ CFG_INTERNAL_IP6_DNS, "INTERNAL_IP6_DNS" },
	{ CFG_INTERNAL_IP6_NBNS, "INTERNAL_IP6_NBNS" },
	{ CFG_INTERNAL_IP6_DHCP, "INTERNAL_IP6_DHCP" },
	{ CFG_INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET" },
	{ CFG_SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES" },
	{ CFG_INTERNAL_IP6_SUBNET, "INTERNAL_IP6_SUBNET" },
	{ XAUTH_TYPE, "XAUTH-TYPE" },
	{ XAUTH_USER_NAME, "XAUTH-USER-NAME" },
	{ XAUTH_USER_PASSWORD, "XAUTH-USER-PASSWORD" },
	{ XAUTH_PASSCODE, "XAUTH-PASSCODE" },
	{ XAUTH_MESSAGE, "XAUTH-MESSAGE" },
	{ XAUTH_CHALLENGE, "XAUTH-CHALLENGE" },
	{ XAUTH_DOMAIN, "XAUTH-DOMAIN" },
	{ XAUTH_STATUS, "XAUTH-STATUS" },
	{ XAUTH_NEXT_PIN, "XAUTH-NEXT-PIN" },
	{ XAUTH_ANSWER, "XAUTH-ANSWER" },
};

const char *isakmp_cfg_attr_name(uint16_t type)
{
	static char buf[24];
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (attr_names[i].type == type)
			return attr_names[i].name;
	snprintf(buf, sizeof(buf), "attribute %u", type);
	return buf;
}

const char *isakmp_cfg_type_name(uint8_t type)
{
	static const char *const names[] = { NULL, "REQUEST", "REPLY", "SET", "ACK" };
	static char buf[16];
	if (type >= 1 && type <= 4)
		return names[type];
	snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}
