/* The Identification payloads IDi and IDr (RFC 7296 3.5). */
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define ID_HEADER 4  /* ID Type and three reserved octets */

static size_t ip_len(uint8_t type)
{
	return type == IKEV2_ID_IPV4_ADDR ? 4 : type == IKEV2_ID_IPV6_ADDR ? 16 : 0;
}

err_t ikev2_decode_id(const struct ikev2_payload *p, struct ikev2_id *out, struct ikev2_diag *d)
{
	char nb[IKEV2_NAME_BUF], tb[IKEV2_NAME_BUF];
	if (p != NULL && p->type != IKEV2_PT_IDi && p->type != IKEV2_PT_IDr)
		return ikev2_fail(d, 0, "a %s payload given where IDi or IDr was expected",
				  ikev2_pt_str(p->type, nb));
	err_t e = ikev2_expect(p, p == NULL ? IKEV2_PT_IDi : p->type, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_id){ 0 };
	const char *pn = ikev2_pt_str(p->type, nb);
	if (p->len < ID_HEADER)
		return ikev2_bad(d, "%s payload: %zu bytes, less than ID type and reserved octets (4)",
				 pn, p->len);
	out->type = p->body[0];
	out->data = ikev2_span(p->body + ID_HEADER, p->len - ID_HEADER);
	const char *tn = ikev2_str(&ikev2_id_type_names, out->type, tb);
	size_t want = ip_len(out->type);
	if (want != 0) {
		if (out->data.len != want)
			return ikev2_bad(d, "%s payload: %s of %zu bytes, not %zu", pn, tn,
					 out->data.len, want);
		out->ip.family = want == 4 ? IP_V4 : IP_V6;
		memcpy(out->ip.bytes, out->data.ptr, want);
	} else if (out->type != IKEV2_ID_NULL && out->data.len == 0) {
		return ikev2_bad(d, "%s payload: %s with no identification data", pn, tn);
	}
	return NULL;
}

size_t ikev2_build_id(struct ikev2_builder *b, uint8_t type, const struct ikev2_id *id)
{
	char nb[IKEV2_NAME_BUF];
	if (type != IKEV2_PT_IDi && type != IKEV2_PT_IDr) {
		ikev2_build_fail(b, "%s is not an ID payload type", ikev2_pt_str(type, nb));
		return SIZE_MAX;
	}
	size_t at = ikev2_payload_begin(b, type, false);
	ikev2_put8(b, id->type);
	ikev2_put(b, NULL, 3);
	size_t want = ip_len(id->type);
	if (want != 0) {
		unsigned family = want == 4 ? IP_V4 : IP_V6;
		if (id->ip.family != family)
			ikev2_build_fail(b, "%s payload: an IPv%u ID without an IPv%u address",
					 ikev2_pt_str(type, nb), family, family);
		ikev2_put(b, id->ip.bytes, want);
	} else {
		if (id->type != IKEV2_ID_NULL && id->data.len == 0)
			ikev2_build_fail(b, "%s payload: no identification data", ikev2_pt_str(type, nb));
		ikev2_put_span(b, id->data, "ID payload");
	}
	return ikev2_payload_end(b, at);
}

bool ikev2_id_eq(const struct ikev2_id *a, const struct ikev2_id *b)
{
	return a->type == b->type && ikev2_span_eq(a->data, b->data);
}
