/* The Vendor ID payload (RFC 7296 3.12): opaque bytes. */
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

err_t ikev2_decode_vendor(const struct ikev2_payload *p, struct ikev2_vendor *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_V, d);
	if (e != NULL)
		return e;
	out->data = ikev2_span(p->body, p->len);
	return NULL;
}

size_t ikev2_build_vendor(struct ikev2_builder *b, const struct ikev2_vendor *v)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_V, false);
	ikev2_put_span(b, v->data, "Vendor ID payload");
	return ikev2_payload_end(b, at);
}

bool ikev2_vendor_eq(const struct ikev2_vendor *a, const struct ikev2_vendor *b)
{
	return ikev2_span_eq(a->data, b->data);
}
