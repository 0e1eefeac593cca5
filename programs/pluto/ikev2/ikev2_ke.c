/* The Key Exchange payload (RFC 7296 3.4). The length of the data for a
 * group is crypto/'s concern; the codec only needs some. */
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

err_t ikev2_decode_ke(const struct ikev2_payload *p, struct ikev2_ke *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_KE, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_ke){ 0 };
	if (p->len < 4)
		return ikev2_bad(d, "KE payload: %zu bytes, less than group and reserved octets (4)",
				 p->len);
	uint8_t kh[4];
	memcpy(kh, p->body, sizeof(kh));
	out->group = ikev2_rd16(kh);
	out->data = ikev2_span(p->body + 4, p->len - 4);
	if (out->data.len == 0)
		return ikev2_bad(d, "KE payload: group %u with no key exchange data", out->group);
	return NULL;
}

size_t ikev2_build_ke(struct ikev2_builder *b, const struct ikev2_ke *ke)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_KE, false);
	if (ke->data.len == 0)
		ikev2_build_fail(b, "KE payload: no key exchange data");
	ikev2_put16(b, ke->group);
	ikev2_put16(b, 0);
	ikev2_put_span(b, ke->data, "KE payload");
	return ikev2_payload_end(b, at);
}

bool ikev2_ke_eq(const struct ikev2_ke *a, const struct ikev2_ke *b)
{
	return a->group == b->group && ikev2_span_eq(a->data, b->data);
}
