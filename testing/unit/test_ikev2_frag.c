/* RFC 7383 fragments without crypto: how many fragments a message takes at
 * a datagram size, and reassembly (any order, duplicates, another Total
 * Fragments, the limits, another message, the timeout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ikev2/ikev2_msg.h"

static uint8_t msg[40000], out[70000];

static void fill(size_t len)
{
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)(i * 7 + i / 251);
}

static void test_room(void **state)
{
	(void)state;
	/* 548: less 28 header, 8 SKF, 16 IV, 16 ICV is 480, in 16-byte blocks,
	 * less the pad length byte */
	assert_int_equal(ikev2_frag_room(548, 16, 16, 16), 479);
	assert_int_equal(ikev2_frag_room(IKEV2_FRAG_DATAGRAM_V6, 16, 16, 16), 1151);
	/* a stream cipher (block 1): every byte but the pad length */
	assert_int_equal(ikev2_frag_room(100, 8, 16, 1), 100 - 36 - 8 - 16 - 1);
	/* too small for anything */
	assert_int_equal(ikev2_frag_room(60, 16, 16, 16), 0);
	/* every fragment fits the datagram, whatever the data length */
	for (size_t max = 80; max < 1600; max += 13) {
		size_t room = ikev2_frag_room(max, 16, 12, 16);
		if (room == 0)
			continue;
		size_t pad = (16 - (room + 1) % 16) % 16;
		assert_true(28 + 8 + 16 + room + pad + 1 + 12 <= max);
	}
}

static void test_count(void **state)
{
	(void)state;
	size_t room = 100;
	assert_int_equal(ikev2_frag_count(1, &room), 1);
	assert_int_equal(ikev2_frag_count(100, &room), 1);
	assert_int_equal(ikev2_frag_count(101, &room), 2);
	assert_int_equal(room, 100);
	/* no more fragments than a peer keeps: the room grows */
	assert_int_equal(ikev2_frag_count(100 * IKEV2_FRAG_MAX_FRAGMENTS + 1, &room),
			 IKEV2_FRAG_MAX_FRAGMENTS);
	assert_true(room > 100);
}

/* Splits len bytes at room each and feeds the pieces in order (a
 * permutation of 1..n); returns the verdict of the last. */
static enum ikev2_frag_verdict feed(struct ikev2_frags *f, size_t len, size_t room,
				    const unsigned *order, unsigned n_order, uint64_t now)
{
	unsigned n = ikev2_frag_count(len, &room);
	enum ikev2_frag_verdict v = IKEV2_FRAG_KEPT;
	for (unsigned k = 0; k < n_order; k++) {
		unsigned i = order[k];
		size_t from = (size_t)(i - 1) * room;
		size_t l = len - from < room ? len - from : room;
		v = ikev2_frags_add(f, 7, false, (uint16_t)i, (uint16_t)n,
				    i == 1 ? IKEV2_PT_IDi : 0, msg + from, l, now);
	}
	return v;
}

static void test_reassemble_any_order(void **state)
{
	(void)state;
	static struct ikev2_frags f;
	fill(1000);
	unsigned order[] = { 3, 1, 4, 2 };
	assert_int_equal(feed(&f, 1000, 300, order, 3, 0), IKEV2_FRAG_KEPT);
	assert_int_equal(feed(&f, 1000, 300, order + 3, 1, 0), IKEV2_FRAG_COMPLETE);
	uint8_t first = 0;
	assert_int_equal(ikev2_frags_join(&f, out, sizeof(out), &first), 1000);
	assert_int_equal(first, IKEV2_PT_IDi);
	assert_memory_equal(out, msg, 1000);
	/* joined: nothing kept */
	assert_false(f.active);
	assert_int_equal(ikev2_frags_join(&f, out, sizeof(out), &first), SIZE_MAX);
}

static void test_duplicates_and_totals(void **state)
{
	(void)state;
	static struct ikev2_frags f;
	fill(1000);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 1, 3, IKEV2_PT_IDi, msg, 400, 0), IKEV2_FRAG_KEPT);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 1, 3, IKEV2_PT_IDi, msg, 400, 0),
			 IKEV2_FRAG_DUPLICATE);
	assert_int_equal(f.count, 1);
	/* a smaller Total Fragments than kept: ignored */
	assert_int_equal(ikev2_frags_add(&f, 1, false, 2, 2, 0, msg + 400, 600, 0),
			 IKEV2_FRAG_OTHER_TOTAL);
	assert_int_equal(f.count, 1);
	/* a larger one: the sender fragmented again, smaller; start over */
	assert_int_equal(ikev2_frags_add(&f, 1, false, 2, 4, 0, msg + 250, 250, 0), IKEV2_FRAG_KEPT);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.total, 4);
	ikev2_frags_add(&f, 1, false, 1, 4, IKEV2_PT_IDi, msg, 250, 0);
	ikev2_frags_add(&f, 1, false, 4, 4, 0, msg + 750, 250, 0);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 3, 4, 0, msg + 500, 250, 0), IKEV2_FRAG_COMPLETE);
	uint8_t first;
	assert_int_equal(ikev2_frags_join(&f, out, sizeof(out), &first), 1000);
	assert_memory_equal(out, msg, 1000);
}

static void test_limits(void **state)
{
	(void)state;
	static struct ikev2_frags f;
	fill(sizeof(msg));
	/* too many fragments announced */
	assert_int_equal(ikev2_frags_add(&f, 1, false, 1, IKEV2_FRAG_MAX_FRAGMENTS + 1, 1, msg, 10, 0),
			 IKEV2_FRAG_TOO_MANY);
	assert_false(f.active);
	/* past 64 KiB: everything dropped */
	size_t big = 30000;
	assert_int_equal(ikev2_frags_add(&f, 1, false, 1, 3, 1, msg, big, 0), IKEV2_FRAG_KEPT);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 2, 3, 0, msg, big, 0), IKEV2_FRAG_KEPT);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 3, 3, 0, msg, big, 0), IKEV2_FRAG_TOO_BIG);
	assert_false(f.active);
	assert_int_equal(f.count, 0);
	/* a join that does not fit the caller's buffer */
	ikev2_frags_add(&f, 1, false, 1, 1, 1, msg, 100, 0);
	uint8_t first;
	assert_int_equal(ikev2_frags_join(&f, out, 50, &first), SIZE_MAX);
	assert_false(f.active);
}

static void test_other_message_and_timeout(void **state)
{
	(void)state;
	static struct ikev2_frags f;
	fill(100);
	assert_int_equal(ikev2_frags_add(&f, 1, false, 1, 2, 1, msg, 50, 0), IKEV2_FRAG_KEPT);
	/* another message ID: the old one is forgotten */
	assert_int_equal(ikev2_frags_add(&f, 2, false, 2, 2, 0, msg + 50, 50, 10), IKEV2_FRAG_KEPT);
	assert_int_equal(f.msgid, 2);
	assert_int_equal(f.count, 1);
	/* the same ID in the other direction is another message too */
	assert_int_equal(ikev2_frags_add(&f, 2, true, 1, 2, 1, msg, 50, 20), IKEV2_FRAG_KEPT);
	assert_int_equal(f.count, 1);
	/* after the timeout: started again, so fragment 2 alone is not whole */
	assert_int_equal(ikev2_frags_add(&f, 2, true, 2, 2, 0, msg + 50, 50,
					 20 + IKEV2_FRAG_TIMEOUT_MS + 1), IKEV2_FRAG_KEPT);
	assert_int_equal(f.count, 1);
	assert_int_equal(ikev2_frags_add(&f, 2, true, 1, 2, 1, msg, 50, 20 + IKEV2_FRAG_TIMEOUT_MS + 2),
			 IKEV2_FRAG_COMPLETE);
	ikev2_frags_reset(&f);
}

/* The SKF framing: built, split and decoded again. */
static void test_skf_payload(void **state)
{
	(void)state;
	static uint8_t buf[512];
	struct ikev2_header h = { .exchange = IKEV2_EXCH_IKE_AUTH, .message_id = 1,
				  .flags = IKEV2_FLAG_INITIATOR };
	struct ikev2_builder b;
	ikev2_build_init(&b, buf, sizeof(buf), &h);
	uint8_t *body = ikev2_build_skf(&b, 0, 2, 3, 40);
	assert_non_null(body);
	memset(body, 0xab, 40);
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	assert_int_equal(len, 28 + 4 + 4 + 40);
	struct ikev2_header h2;
	static struct ikev2_payloads pl;
	struct ikev2_diag d;
	assert_null(ikev2_decode_message(buf, len, &h2, &pl, &d));
	struct ikev2_skf skf;
	assert_null(ikev2_decode_skf(ikev2_payloads_find(&pl, IKEV2_PT_SKF, 0), &skf, &d));
	assert_int_equal(skf.number, 2);
	assert_int_equal(skf.total, 3);
	assert_int_equal(skf.body_offset, 28 + 8);
	assert_int_equal(skf.body.len, 40);
	/* only fragment 1 names the first inner payload */
	ikev2_build_init(&b, buf, sizeof(buf), &h);
	assert_null(ikev2_build_skf(&b, IKEV2_PT_IDi, 2, 3, 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_reassemble_any_order),
		cmocka_unit_test(test_duplicates_and_totals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_other_message_and_timeout),
		cmocka_unit_test(test_skf_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
