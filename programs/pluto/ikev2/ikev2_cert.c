/* The Certificate and Certificate Request payloads (RFC 7296 3.6, 3.7):
 * an encoding octet and data (a certificate; for CERTREQ the concatenated
 * SHA-1 hashes of the trusted CAs' public keys, possibly none). */
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

static err_t decode(const struct ikev2_payload *p, uint8_t type, struct ikev2_cert *out,
		    struct ikev2_diag *d)
{
	char nb[IKEV2_NAME_BUF];
	err_t e = ikev2_expect(p, type, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_cert){ 0 };
	if (p->len < 1)
		return ikev2_bad(d, "%s payload: empty, no encoding octet", ikev2_pt_str(type, nb));
	out->encoding = p->body[0];
	out->data = ikev2_span(p->body + 1, p->len - 1);
	if (type == IKEV2_PT_CERT && out->data.len == 0)
		return ikev2_bad(d, "CERT payload: no certificate data");
	return NULL;
}

err_t ikev2_decode_cert(const struct ikev2_payload *p, struct ikev2_cert *out, struct ikev2_diag *d)
{
	return decode(p, IKEV2_PT_CERT, out, d);
}

err_t ikev2_decode_certreq(const struct ikev2_payload *p, struct ikev2_cert *out, struct ikev2_diag *d)
{
	return decode(p, IKEV2_PT_CERTREQ, out, d);
}

static size_t build(struct ikev2_builder *b, uint8_t type, const struct ikev2_cert *c)
{
	size_t at = ikev2_payload_begin(b, type, false);
	if (type == IKEV2_PT_CERT && c->data.len == 0)
		ikev2_build_fail(b, "CERT payload: no certificate data");
	ikev2_put8(b, c->encoding);
	ikev2_put_span(b, c->data, type == IKEV2_PT_CERT ? "CERT payload" : "CERTREQ payload");
	return ikev2_payload_end(b, at);
}

size_t ikev2_build_cert(struct ikev2_builder *b, const struct ikev2_cert *c)
{
	return build(b, IKEV2_PT_CERT, c);
}

size_t ikev2_build_certreq(struct ikev2_builder *b, const struct ikev2_cert *c)
{
	return build(b, IKEV2_PT_CERTREQ, c);
}

bool ikev2_cert_eq(const struct ikev2_cert *a, const struct ikev2_cert *b)
{
	return a->encoding == b->encoding && ikev2_span_eq(a->data, b->data);
}
