/* The Nonce payload (RFC 7296 3.9): 16 to 256 octets. */
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

err_t ikev2_decode_nonce(const struct ikev2_payload *p, struct ikev2_nonce *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_NONCE, d);
	if (e != NULL)
		return e;
	out->data = ikev2_span(p->body, p->len);
	if (p->len < IKEV2_NONCE_MIN || p->len > IKEV2_NONCE_MAX)
		return ikev2_bad(d, "Nonce payload: %zu bytes, not between %d and %d",
				 p->len, IKEV2_NONCE_MIN, IKEV2_NONCE_MAX);
	return NULL;
}

size_t ikev2_build_nonce(struct ikev2_builder *b, const struct ikev2_nonce *n)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_NONCE, false);
	if (n->data.len < IKEV2_NONCE_MIN || n->data.len > IKEV2_NONCE_MAX)
		ikev2_build_fail(b, "Nonce payload: %zu bytes, not between %d and %d",
				 n->data.len, IKEV2_NONCE_MIN, IKEV2_NONCE_MAX);
	ikev2_put_span(b, n->data, "Nonce payload");
	return ikev2_payload_end(b, at);
}

bool ikev2_nonce_eq(const struct ikev2_nonce *a, const struct ikev2_nonce *b)
{
	return ikev2_span_eq(a->data, b->data);
}
