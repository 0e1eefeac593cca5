/* The EAP payload (RFC 7296 3.16): an EAP message, opaque here beyond the
 * presence of its 4-octet header (code, identifier, length). */
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define EAP_HEADER 4

err_t ikev2_decode_eap(const struct ikev2_payload *p, struct ikev2_eap *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_EAP, d);
	if (e != NULL)
		return e;
	out->data = ikev2_span(p->body, p->len);
	out->code = p->len > 0 ? p->body[0] : 0;
	if (p->len < EAP_HEADER)
		return ikev2_bad(d, "EAP payload: %zu bytes, less than an EAP header (4)", p->len);
	return NULL;
}

size_t ikev2_build_eap(struct ikev2_builder *b, const struct ikev2_eap *eap)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_EAP, false);
	if (eap->data.len < EAP_HEADER)
		ikev2_build_fail(b, "EAP payload: %zu bytes, less than an EAP header (4)", eap->data.len);
	ikev2_put_span(b, eap->data, "EAP payload");
	return ikev2_payload_end(b, at);
}

bool ikev2_eap_eq(const struct ikev2_eap *a, const struct ikev2_eap *b)
{
	return ikev2_span_eq(a->data, b->data);
}
