/* The SK (RFC 7296 3.14) and SKF (RFC 7383 2.5) payloads: framing only.
 * The body (IV || ciphertext || ICV) is opaque here; crypto/ seals and
 * opens it. */
#include <stdint.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

err_t ikev2_decode_sk(const struct ikev2_payload *p, struct ikev2_sk *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_SK, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_sk){
		.first_inner = p->next,
		.body_offset = p->offset + IKEV2_PAYLOAD_HEADER_SIZE,
		.body = ikev2_span(p->body, p->len),
	};
	if (p->len == 0)
		return ikev2_bad(d, "SK payload: empty (no IV, ciphertext or ICV)");
	return NULL;
}

err_t ikev2_decode_skf(const struct ikev2_payload *p, struct ikev2_skf *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_SKF, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_skf){ .first_inner = p->next };
	if (p->len < 4)
		return ikev2_bad(d, "SKF payload: %zu bytes, less than Fragment Number and Total Fragments (4)",
				 p->len);
	uint8_t fh[4];
	memcpy(fh, p->body, sizeof(fh));
	out->number = ikev2_rd16(fh);
	out->total = ikev2_rd16(fh + 2);
	out->body_offset = p->offset + IKEV2_PAYLOAD_HEADER_SIZE + 4;
	out->body = ikev2_span(p->body + 4, p->len - 4);
	/* RFC 7383 2.5: neither may be zero, number <= total. */
	if (out->number == 0)
		return ikev2_bad(d, "SKF payload: Fragment Number is 0");
	if (out->total == 0)
		return ikev2_bad(d, "SKF payload: Total Fragments is 0");
	if (out->number > out->total)
		return ikev2_bad(d, "SKF payload: fragment %u of %u", out->number, out->total);
	if (out->body.len == 0)
		return ikev2_bad(d, "SKF payload: fragment %u has no IV, ciphertext or ICV", out->number);
	return NULL;
}

/* Writes the header of SK or SKF and reserves the body; the lengths are
 * final at once so that the caller can compute AAD and ICV over them. */
static uint8_t *reserve(struct ikev2_builder *b, uint8_t type, uint8_t first_inner,
			const uint8_t *extra, size_t extra_len, size_t body_len)
{
	if (b->failed)
		return NULL;
	if (!b->message) {
		ikev2_build_fail(b, "an encrypted payload inside an inner chain");
		return NULL;
	}
	size_t at = ikev2_payload_begin(b, type, false);
	if (at == SIZE_MAX)
		return NULL;
	/* The Next Payload of SK/SKF names the first inner payload. */
	b->buf[at] = first_inner;
	b->sealed = true;
	ikev2_put(b, extra, extra_len);
	size_t body = b->len;
	ikev2_put(b, NULL, body_len);
	if (b->failed)
		return NULL;
	ikev2_patch_len16(b, at + 2, b->len - at,
			  type == IKEV2_PT_SK ? "SK payload" : "SKF payload");
	if (b->len > UINT32_MAX)
		ikev2_build_fail(b, "message is %zu bytes, too long for the header", b->len);
	if (b->failed)
		return NULL;
	ikev2_wr32(b->buf + 24, (uint32_t)b->len);
	b->sk_body = body;
	return b->buf + body;
}

uint8_t *ikev2_build_sk(struct ikev2_builder *b, uint8_t first_inner, size_t body_len)
{
	return reserve(b, IKEV2_PT_SK, first_inner, NULL, 0, body_len);
}

uint8_t *ikev2_build_skf(struct ikev2_builder *b, uint8_t first_inner, uint16_t number,
			 uint16_t total, size_t body_len)
{
	if (b->failed)
		return NULL;
	if (number == 0 || total == 0 || number > total) {
		ikev2_build_fail(b, "SKF payload: fragment %u of %u", number, total);
		return NULL;
	}
	if (number != 1 && first_inner != IKEV2_PT_NONE) {
		ikev2_build_fail(b, "SKF payload: fragment %u names a first inner payload (only fragment 1 does)",
				 number);
		return NULL;
	}
	uint8_t fh[4];
	ikev2_wr16(fh, number);
	ikev2_wr16(fh + 2, total);
	return reserve(b, IKEV2_PT_SKF, first_inner, fh, sizeof(fh), body_len);
}

size_t ikev2_build_sk_offset(const struct ikev2_builder *b)
{
	return b->sk_body;
}

void ikev2_build_sk_begin(struct ikev2_builder *b, uint8_t first_inner, size_t body_len)
{
	if (ikev2_build_sk(b, first_inner, body_len) == NULL)
		return;
	b->sk_fill = b->sk_body;
	b->sk_end = b->sk_body + body_len;
}

void ikev2_build_sk_append(struct ikev2_builder *b, const void *p, size_t len)
{
	if (b->failed)
		return;
	if (b->sk_end == SIZE_MAX) {
		ikev2_build_fail(b, "encrypted payload: append without begin");
		return;
	}
	if (len > b->sk_end - b->sk_fill) {
		ikev2_build_fail(b, "encrypted payload: %zu bytes appended where %zu remain of the body",
				 len, b->sk_end - b->sk_fill);
		return;
	}
	if (len == 0)
		return;
	if (p == NULL) {
		ikev2_build_fail(b, "encrypted payload: %zu bytes announced but no data given", len);
		return;
	}
	memcpy(b->buf + b->sk_fill, p, len);
	b->sk_fill += len;
}

void ikev2_build_sk_end(struct ikev2_builder *b)
{
	if (b->failed)
		return;
	if (b->sk_end == SIZE_MAX) {
		ikev2_build_fail(b, "encrypted payload: end without begin");
		return;
	}
	if (b->sk_fill != b->sk_end)
		ikev2_build_fail(b, "encrypted payload: %zu of its %zu body bytes were appended",
				 b->sk_fill - b->sk_body, b->sk_end - b->sk_body);
}
