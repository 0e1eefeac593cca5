/* The SK (RFC 7296 3.14) and SKF (RFC 7383 2.5) payloads: framing only.
 * The body (IV || ciphertext || ICV) is opaque here; crypto/ seals and
 * opens it. */
#include <stdint.h>
#include <stdlib.h>
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

/* ---- RFC 7383: splitting and reassembly ----------------------------------- */

size_t ikev2_frag_room(size_t max_datagram, size_t iv_len, size_t icv_len, size_t block)
{
	/* header, SKF header with number and total, IV, ICV */
	size_t overhead = IKEV2_HEADER_SIZE + IKEV2_PAYLOAD_HEADER_SIZE + 4 + iv_len + icv_len;
	if (block == 0)
		block = 1;
	if (max_datagram <= overhead + block)
		return 0;
	/* the ciphertext (data, padding, pad length) in whole blocks */
	size_t avail = (max_datagram - overhead) / block * block;
	return avail - 1;
}

unsigned ikev2_frag_count(size_t inner_len, size_t *room)
{
	if (*room == 0)
		*room = 1;
	size_t n = (inner_len + *room - 1) / *room;
	if (n == 0)
		n = 1;
	if (n > IKEV2_FRAG_MAX_FRAGMENTS) {
		/* bigger datagrams rather than more fragments than a peer keeps */
		*room = (inner_len + IKEV2_FRAG_MAX_FRAGMENTS - 1) / IKEV2_FRAG_MAX_FRAGMENTS;
		n = (inner_len + *room - 1) / *room;
	}
	return (unsigned)n;
}

const char *ikev2_frag_verdict_str(enum ikev2_frag_verdict v)
{
	static const char *const names[] = {
		[IKEV2_FRAG_KEPT] = "kept",
		[IKEV2_FRAG_COMPLETE] = "complete",
		[IKEV2_FRAG_DUPLICATE] = "a duplicate",
		[IKEV2_FRAG_OTHER_TOTAL] = "of a smaller Total Fragments than those kept",
		[IKEV2_FRAG_TOO_MANY] = "one of more fragments than are kept (32)",
		[IKEV2_FRAG_TOO_BIG] = "past the reassembly limit (64 KiB)",
	};
	return (size_t)v < sizeof(names) / sizeof(names[0]) && names[v] != NULL ? names[v] : "?";
}

void ikev2_frags_reset(struct ikev2_frags *f)
{
	for (size_t i = 0; i <= IKEV2_FRAG_MAX_FRAGMENTS; i++) {
		free(f->part[i]);
		f->part[i] = NULL;
		f->part_len[i] = 0;
	}
	f->active = false;
	f->count = 0;
	f->bytes = 0;
	f->total = 0;
	f->first_inner = 0;
}

enum ikev2_frag_verdict ikev2_frags_add(struct ikev2_frags *f, uint32_t msgid, bool response,
					uint16_t number, uint16_t total, uint8_t first_inner,
					const uint8_t *data, size_t len, uint64_t now_ms)
{
	if (total > IKEV2_FRAG_MAX_FRAGMENTS || number == 0 || number > total)
		return IKEV2_FRAG_TOO_MANY;
	if (f->active && (f->msgid != msgid || f->response != response ||
			  total > f->total || now_ms - f->started_ms > IKEV2_FRAG_TIMEOUT_MS))
		ikev2_frags_reset(f);
	if (f->active && total < f->total)
		return IKEV2_FRAG_OTHER_TOTAL;
	if (!f->active) {
		f->active = true;
		f->msgid = msgid;
		f->response = response;
		f->total = total;
		f->started_ms = now_ms;
	}
	if (f->part[number] != NULL)
		return IKEV2_FRAG_DUPLICATE;
	if (len > IKEV2_FRAG_MAX_BYTES - f->bytes) {
		ikev2_frags_reset(f);
		return IKEV2_FRAG_TOO_BIG;
	}
	uint8_t *copy = malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		ikev2_frags_reset(f);
		return IKEV2_FRAG_TOO_BIG;
	}
	if (len > 0)
		memcpy(copy, data, len);
	f->part[number] = copy;
	f->part_len[number] = len;
	f->bytes += len;
	f->count++;
	if (number == 1)
		f->first_inner = first_inner;
	return f->count == f->total ? IKEV2_FRAG_COMPLETE : IKEV2_FRAG_KEPT;
}

size_t ikev2_frags_join(struct ikev2_frags *f, uint8_t *out, size_t cap, uint8_t *first_inner)
{
	size_t len = SIZE_MAX;
	if (f->active && f->count == f->total && f->bytes <= cap) {
		len = 0;
		for (unsigned i = 1; i <= f->total; i++) {
			if (f->part_len[i] > 0)
				memcpy(out + len, f->part[i], f->part_len[i]);
			len += f->part_len[i];
		}
		*first_inner = f->first_inner;
	}
	ikev2_frags_reset(f);
	return len;
}
