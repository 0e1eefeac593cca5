/* The lifetime attribute list of RESPONDER-LIFETIME (RFC 2407 4.6.3.1,
 * programs/pluto/ikev1/quick_mode.c): seconds and kilobytes built as TV
 * attributes (TLV past 16 bits) and parsed back; lists from a peer with
 * a duration before its type, an undefined type, other attributes, a
 * truncated attribute or no lifetime at all refused. Parsed from exactly
 * sized copies so that ASan sees any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ikev1/ikev1.h"

static const char *parse(const uint8_t *p, size_t len, uint64_t *secs, uint64_t *kb)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	const char *why = ikev1_lifetime_parse(copy, len, secs, kb);
	free(copy);
	return why;
}

static void test_seconds_tv(void **state)
{
	(void)state;
	uint8_t buf[32];
	size_t n = ikev1_lifetime_attrs(30, 0, buf, sizeof(buf));
	/* life type seconds (TV), life duration 30 (TV) */
	static const uint8_t want[] = { 0x80, 0x01, 0x00, 0x01, 0x80, 0x02, 0x00, 0x1e };
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	uint64_t s = 99, k = 99;
	assert_null(parse(buf, n, &s, &k));
	assert_int_equal(s, 30);
	assert_int_equal(k, 0);
}

static void test_long_and_kilobytes(void **state)
{
	(void)state;
	uint8_t buf[32];
	size_t n = ikev1_lifetime_attrs(86400, 4096, buf, sizeof(buf));
	/* 86400 > 0xffff: a 4-byte TLV */
	static const uint8_t want[] = { 0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80,
					0x80, 0x01, 0x00, 0x02, 0x80, 0x02, 0x10, 0x00 };
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	uint64_t s, k;
	assert_null(parse(buf, n, &s, &k));
	assert_int_equal(s, 86400);
	assert_int_equal(k, 4096);
	/* too small a buffer: nothing */
	assert_int_equal(ikev1_lifetime_attrs(86400, 4096, buf, 10), 0);
}

static void test_refused(void **state)
{
	(void)state;
	uint64_t s, k;
	static const uint8_t no_type[] = { 0x80, 0x02, 0x00, 0x1e };
	assert_string_equal(parse(no_type, sizeof(no_type), &s, &k), "an SA life duration without its type");
	static const uint8_t bad_type[] = { 0x80, 0x01, 0x00, 0x03, 0x80, 0x02, 0x00, 0x1e };
	assert_string_equal(parse(bad_type, sizeof(bad_type), &s, &k), "an SA life type that is not defined");
	static const uint8_t other[] = { 0x80, 0x04, 0x00, 0x01 };
	assert_string_equal(parse(other, sizeof(other), &s, &k), "an attribute other than SA life type and duration");
	static const uint8_t truncated[] = { 0x80, 0x01, 0x00 };
	assert_string_equal(parse(truncated, sizeof(truncated), &s, &k), "a truncated attribute");
	static const uint8_t tlv_long[] = { 0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x08, 0x00, 0x01 };
	assert_string_equal(parse(tlv_long, sizeof(tlv_long), &s, &k), "an attribute longer than the list");
	static const uint8_t tlv_huge[] = { 0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x09,
					    1, 2, 3, 4, 5, 6, 7, 8, 9 };
	assert_string_equal(parse(tlv_huge, sizeof(tlv_huge), &s, &k), "an attribute value of more than 8 bytes");
	static const uint8_t type_only[] = { 0x80, 0x01, 0x00, 0x01 };
	assert_string_equal(parse(type_only, sizeof(type_only), &s, &k), "no lifetime");
	assert_string_equal(parse(type_only, 0, &s, &k), "no lifetime");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds_tv),
		cmocka_unit_test(test_long_and_kilobytes),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
