/* libFuzzer target: RFC 7383 reassembly on arbitrary fragment streams.
 *
 * The input is a list of fragments, each 6 bytes of header (message ID
 * low byte with the response bit, Fragment Number, Total Fragments, a
 * length byte times 64 plus a low byte) and its data taken from a pattern
 * that depends on (message, number) only. Whatever the order, duplicates
 * and totals, the buffer keeps its limits, and a message that completes
 * joins to exactly the pattern of its fragments in order. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ikev2_frag: %s\n", what);
		abort();
	}
}

/* The data of fragment number of message (msgid, response): len bytes. */
static void pattern(uint8_t *out, size_t len, uint32_t msgid, bool response, uint16_t number)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(msgid * 31 + (response ? 17 : 0) + number * 7 + i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ikev2_frags f;
	static uint8_t piece[16384 + 255], out[IKEV2_FRAG_MAX_BYTES], want[IKEV2_FRAG_MAX_BYTES];
	/* the length of each kept fragment, to rebuild what a join must give */
	static size_t kept_len[IKEV2_FRAG_MAX_FRAGMENTS + 1];
	uint64_t now = 0;
	ikev2_frags_reset(&f);
	memset(kept_len, 0, sizeof(kept_len));
	for (size_t at = 0; at + 6 <= size; at += 6) {
		const uint8_t *h = data + at;
		uint32_t msgid = h[0] & 0x7f;
		bool response = (h[0] & 0x80) != 0;
		uint16_t number = h[1] % 40, total = h[2] % 40;
		size_t len = (size_t)(h[3] & 0x3f) * 256 + h[4];
		now += h[5] * 500u;
		pattern(piece, len, msgid, response, number);
		bool valid = total <= IKEV2_FRAG_MAX_FRAGMENTS && number != 0 && number <= total;
		bool restart = valid && f.active && (f.msgid != msgid || f.response != response ||
					    total > f.total || now - f.started_ms > IKEV2_FRAG_TIMEOUT_MS);
		if (restart)
			memset(kept_len, 0, sizeof(kept_len));
		enum ikev2_frag_verdict v = ikev2_frags_add(&f, msgid, response, number, total,
							    number == 1 ? 35 : 0, piece, len, now);
		check(f.bytes <= IKEV2_FRAG_MAX_BYTES, "more bytes kept than the limit");
		check(f.count <= IKEV2_FRAG_MAX_FRAGMENTS, "more fragments kept than the limit");
		check(!f.active || f.count <= f.total, "more fragments kept than the total");
		if (v == IKEV2_FRAG_KEPT || v == IKEV2_FRAG_COMPLETE)
			kept_len[number] = len;
		if (!f.active)
			memset(kept_len, 0, sizeof(kept_len));
		if (v != IKEV2_FRAG_COMPLETE)
			continue;
		size_t n = 0;
		for (uint16_t i = 1; i <= f.total; i++) {
			pattern(want + n, kept_len[i], msgid, response, i);
			n += kept_len[i];
		}
		uint8_t first = 0;
		size_t got = ikev2_frags_join(&f, out, sizeof(out), &first);
		check(got == n, "joined length differs from the fragments kept");
		check(first == 35, "first inner payload not from fragment 1");
		check(memcmp(out, want, n) == 0, "joined bytes differ from the fragments in order");
		check(!f.active && f.count == 0, "fragments kept after the join");
		memset(kept_len, 0, sizeof(kept_len));
	}
	ikev2_frags_reset(&f);
	return 0;
}
