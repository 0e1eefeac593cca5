/* The Authentication payload (RFC 7296 3.8), with the RFC 7427 Digital
 * Signature layout (method 14): length octet, AlgorithmIdentifier, signature. */
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define AUTH_HEADER 4  /* Auth Method and three reserved octets */

err_t ikev2_decode_auth(const struct ikev2_payload *p, struct ikev2_auth *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_AUTH, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_auth){ 0 };
	if (p->len < AUTH_HEADER)
		return ikev2_bad(d, "AUTH payload: %zu bytes, less than method and reserved octets (4)",
				 p->len);
	out->method = p->body[0];
	out->data = ikev2_span(p->body + AUTH_HEADER, p->len - AUTH_HEADER);
	if (out->data.len == 0)
		return ikev2_bad(d, "AUTH payload: no authentication data");
	if (out->method != IKEV2_AUTH_DIGITAL_SIGNATURE)
		return NULL;
	size_t alg_len = out->data.ptr[0];
	if (alg_len == 0)
		return ikev2_bad(d, "AUTH payload: digital signature with an empty AlgorithmIdentifier");
	if (alg_len > out->data.len - 1)
		return ikev2_bad(d, "AUTH payload: AlgorithmIdentifier declares %zu bytes but %zu remain",
				 alg_len, out->data.len - 1);
	out->sig_alg = ikev2_span(out->data.ptr + 1, alg_len);
	out->signature = ikev2_span(out->data.ptr + 1 + alg_len, out->data.len - 1 - alg_len);
	if (out->signature.len == 0)
		return ikev2_bad(d, "AUTH payload: digital signature with no signature after the AlgorithmIdentifier");
	return NULL;
}

size_t ikev2_build_auth(struct ikev2_builder *b, const struct ikev2_auth *a)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_AUTH, false);
	ikev2_put8(b, a->method);
	ikev2_put(b, NULL, 3);
	if (a->method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
		if (a->sig_alg.len == 0 || a->sig_alg.len > UINT8_MAX)
			ikev2_build_fail(b, "AUTH payload: AlgorithmIdentifier of %zu bytes (1..255)",
					 a->sig_alg.len);
		else if (a->signature.len == 0)
			ikev2_build_fail(b, "AUTH payload: no signature");
		ikev2_put8(b, (uint8_t)a->sig_alg.len);
		ikev2_put_span(b, a->sig_alg, "AUTH AlgorithmIdentifier");
		ikev2_put_span(b, a->signature, "AUTH signature");
	} else {
		if (a->data.len == 0)
			ikev2_build_fail(b, "AUTH payload: no authentication data");
		ikev2_put_span(b, a->data, "AUTH payload");
	}
	return ikev2_payload_end(b, at);
}

bool ikev2_auth_eq(const struct ikev2_auth *a, const struct ikev2_auth *b)
{
	return a->method == b->method && ikev2_span_eq(a->data, b->data);
}
