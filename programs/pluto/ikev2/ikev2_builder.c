/* IKEv2 encoding: the bounded builder, the header, payload chaining and
 * lengths, raw payloads. Errors are sticky and reported by finish. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

void ikev2_build_fail(struct ikev2_builder *b, const char *fmt, ...)
{
	if (b->failed)
		return;  /* the first error is the one worth reporting */
	b->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
}

void ikev2_put(struct ikev2_builder *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (n > b->cap - b->len) {
		ikev2_build_fail(b, "message does not fit: %zu more bytes needed at byte %zu of a %zu-byte buffer",
				 n, b->len, b->cap);
		return;
	}
	if (n == 0)
		return;
	if (p != NULL)
		memcpy(b->buf + b->len, p, n);
	else
		memset(b->buf + b->len, 0, n);
	b->len += n;
}

void ikev2_put8(struct ikev2_builder *b, uint8_t v)
{
	ikev2_put(b, &v, 1);
}

void ikev2_put16(struct ikev2_builder *b, uint16_t v)
{
	uint8_t w[2];
	ikev2_wr16(w, v);
	ikev2_put(b, w, 2);
}

void ikev2_put32(struct ikev2_builder *b, uint32_t v)
{
	uint8_t w[4];
	ikev2_wr32(w, v);
	ikev2_put(b, w, 4);
}

void ikev2_put_span(struct ikev2_builder *b, struct ikev2_span s, const char *what)
{
	if (s.ptr == NULL && s.len != 0) {
		ikev2_build_fail(b, "%s: %zu bytes announced but no data given", what, s.len);
		return;
	}
	ikev2_put(b, s.ptr, s.len);
}

void ikev2_patch_len16(struct ikev2_builder *b, size_t at, size_t v, const char *what)
{
	if (b->failed)
		return;
	if (v > UINT16_MAX) {
		ikev2_build_fail(b, "%s is %zu bytes, more than a 16-bit length can say", what, v);
		return;
	}
	ikev2_wr16(b->buf + at, (uint16_t)v);
}

static void builder_reset(struct ikev2_builder *b, uint8_t *buf, size_t cap)
{
	*b = (struct ikev2_builder){
		.buf = buf,
		.cap = buf == NULL ? 0 : cap,
		.np_at = SIZE_MAX,
		.sk_body = SIZE_MAX,
		.sk_end = SIZE_MAX,
	};
}

void ikev2_build_init(struct ikev2_builder *b, uint8_t *buf, size_t cap,
		      const struct ikev2_header *h)
{
	builder_reset(b, buf, cap);
	b->message = true;
	uint8_t raw[IKEV2_HEADER_SIZE] = { 0 };
	memcpy(raw, h->spi_i, 8);
	memcpy(raw + 8, h->spi_r, 8);
	raw[16] = IKEV2_PT_NONE;
	raw[17] = IKEV2_MAJOR << 4 | IKEV2_MINOR;
	raw[18] = h->exchange;
	raw[19] = h->flags;
	ikev2_wr32(raw + 20, h->message_id);
	ikev2_wr32(raw + 24, IKEV2_HEADER_SIZE);
	ikev2_put(b, raw, sizeof(raw));
	if (!b->failed)
		b->np_at = 16;
}

void ikev2_build_chain_init(struct ikev2_builder *b, uint8_t *buf, size_t cap)
{
	builder_reset(b, buf, cap);
}

uint8_t ikev2_build_first_type(const struct ikev2_builder *b)
{
	return b->first;
}

size_t ikev2_payload_begin(struct ikev2_builder *b, uint8_t type, bool critical)
{
	char nb[IKEV2_NAME_BUF];
	if (b->failed)
		return SIZE_MAX;
	if (b->sealed) {
		ikev2_build_fail(b, "%s payload after the encrypted payload, which must be last",
				 ikev2_pt_str(type, nb));
		return SIZE_MAX;
	}
	if (b->message && b->np_at == SIZE_MAX) {
		ikev2_build_fail(b, "%s payload: the message header was not written", ikev2_pt_str(type, nb));
		return SIZE_MAX;
	}
	if (type == IKEV2_PT_NONE) {
		ikev2_build_fail(b, "payload type 0 cannot be sent");
		return SIZE_MAX;
	}
	size_t at = b->len;
	uint8_t gh[IKEV2_PAYLOAD_HEADER_SIZE] = { IKEV2_PT_NONE, critical ? IKEV2_CRITICAL : 0, 0, 0 };
	ikev2_put(b, gh, sizeof(gh));
	if (b->failed)
		return SIZE_MAX;
	if (b->np_at == SIZE_MAX)
		b->first = type;
	else
		b->buf[b->np_at] = type;
	b->np_at = at;
	return at;
}

size_t ikev2_payload_end(struct ikev2_builder *b, size_t at)
{
	if (b->failed || at == SIZE_MAX)
		return SIZE_MAX;
	char what[IKEV2_NAME_BUF + 32];
	snprintf(what, sizeof(what), "the payload at byte %zu", at);
	ikev2_patch_len16(b, at + 2, b->len - at, what);
	return b->failed ? SIZE_MAX : at;
}

size_t ikev2_build_payload(struct ikev2_builder *b, uint8_t type, bool critical,
			   const void *body, size_t len)
{
	size_t at = ikev2_payload_begin(b, type, critical);
	ikev2_put_span(b, (struct ikev2_span){ body, len }, "payload body");
	return ikev2_payload_end(b, at);
}

struct ikev2_span ikev2_build_body(const struct ikev2_builder *b, size_t at)
{
	if (b->failed || at == SIZE_MAX || at > b->len || b->len - at < IKEV2_PAYLOAD_HEADER_SIZE)
		return (struct ikev2_span){ NULL, 0 };
	size_t plen = ikev2_rd16(b->buf + at + 2);
	if (plen < IKEV2_PAYLOAD_HEADER_SIZE || plen > b->len - at)
		return (struct ikev2_span){ NULL, 0 };
	return (struct ikev2_span){ b->buf + at + IKEV2_PAYLOAD_HEADER_SIZE,
				    plen - IKEV2_PAYLOAD_HEADER_SIZE };
}

err_t ikev2_build_finish(struct ikev2_builder *b, size_t *len)
{
	if (!b->failed && b->sk_end != SIZE_MAX && b->sk_fill != b->sk_end)
		ikev2_build_fail(b, "encrypted payload: %zu of its %zu body bytes were appended",
				 b->sk_fill - b->sk_body, b->sk_end - b->sk_body);
	if (!b->failed && b->message) {
		if (b->len > UINT32_MAX)
			ikev2_build_fail(b, "message is %zu bytes, too long for the header", b->len);
		else
			ikev2_wr32(b->buf + 24, (uint32_t)b->len);
	}
	if (b->failed) {
		if (len != NULL)
			*len = 0;
		return b->error;
	}
	if (len != NULL)
		*len = b->len;
	return NULL;
}
