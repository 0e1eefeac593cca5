/* Unit tests: ttodata (0x hex, 0s base64, 0t text) and datatot. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "swan/ttodata.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int base;
		const char *bytes;
		size_t len;
	} good[] = {
		{ "0x0102ab", 0, "\x01\x02\xab", 3 },
		{ "0X0102AB", 0, "\x01\x02\xab", 3 },
		{ "0x01_02", 0, "\x01\x02", 2 },
		{ "0x0102_abcd_ef01", 0, "\x01\x02\xab\xcd\xef\x01", 6 },
		{ "0x0_1", 0, "\x01", 1 },
		{ "abcd", 16, "\xab\xcd", 2 },
		{ "0sAQID", 0, "\x01\x02\x03", 3 },
		{ "0SAQID", 0, "\x01\x02\x03", 3 },
		{ "0sAQI=", 0, "\x01\x02", 2 },
		{ "0sAQ==", 0, "\x01", 1 },
		{ "0s+/+/", 0, "\xfb\xff\xbf", 3 },
		{ "AQIDBA==", 64, "\x01\x02\x03\x04", 4 },
		{ "0sTWFu", 0, "Man", 3 },
		{ "0tabc", 0, "abc", 3 },
		{ "0Tx y", 0, "x y", 3 },
		{ "0t0x12", 0, "0x12", 4 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint8_t out[64];
		size_t len = 99;
		err_t e = ttodata(good[i].in, strlen(good[i].in), good[i].base, out, sizeof(out), &len);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		CHECK(len == good[i].len && memcmp(out, good[i].bytes, len) == 0, "'%s' decoded wrongly", good[i].in);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int base;
	} bad[] = {
		{ "", 0 }, { "0", 0 }, { "0x", 0 }, { "0s", 0 }, { "0t", 0 }, { "0y12", 0 },
		{ "12", 0 }, { "x12", 0 }, { "1x12", 0 },
		{ "0x123", 0 }, { "0x12g4", 0 }, { "0x_12", 0 }, { "0x12_", 0 }, { "0x12__34", 0 },
		{ "0x12 34", 0 }, { "0x-12", 0 }, { "0x0x12", 0 }, { "0x_", 0 },
		{ "0sAQI", 0 }, { "0sA===", 0 }, { "0s====", 0 }, { "0sAQ=A", 0 }, { "0sA=Q=", 0 },
		{ "0sAR==", 0 }, { "0sAQJ=", 0 }, { "0sAQID=", 0 }, { "0sAQ==AQID", 0 },
		{ "0s!@#$", 0 }, { "0sAQ-_", 0 }, { "0sAQ ID", 0 }, { "0sAQID\n", 0 },
		{ "0x12", 16 }, { "0sAQID", 64 }, { "ab", 10 }, { "ab", 8 }, { "ab", 32 },
		{ "g0", 16 }, { "AQI", 64 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[64];
		size_t len;
		err_t e = ttodata(bad[i].in, strlen(bad[i].in), bad[i].base, out, sizeof(out), &len);
		CHECK(e != NULL, "'%s' (base %d) accepted", bad[i].in, bad[i].base);
	}
	uint8_t out[4];
	size_t len;
	assert_non_null(ttodata(NULL, 0, 0, out, sizeof(out), &len));
}

static void test_len_and_overflow(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t len = 0;
	/* Only len characters count. */
	assert_null(ttodata("0x0102zz", 6, 0, out, sizeof(out), &len));
	assert_int_equal(len, 2);
	/* Too long for the buffer: an error, the full length, and nothing
	 * written past outsize. */
	memset(out, 0xee, sizeof(out));
	assert_non_null(ttodata("0x010203040506", 14, 0, out, 4, &len));
	assert_int_equal(len, 6);
	assert_int_equal(out[4], 0xee);
	assert_non_null(ttodata("0sAQIDBAUG", 10, 0, out, 5, &len));
	assert_int_equal(len, 6);
	assert_int_equal(out[5], 0xee);
	assert_non_null(ttodata("0tabcdef", 8, 0, out, 2, &len));
	assert_int_equal(len, 6);
	/* Exactly fitting is fine. */
	assert_null(ttodata("0x01020304", 10, 0, out, 4, &len));
	assert_int_equal(len, 4);
	/* outlen may be NULL. */
	assert_null(ttodata("0x01", 4, 0, out, 4, NULL));
}

static void test_datatot(void **state)
{
	(void)state;
	char buf[64];
	static const uint8_t data[] = { 0x01, 0x02, 0xab, 0xff };
	assert_int_equal(datatot(data, 4, 16, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "0x0102abff");
	assert_int_equal(datatot(data, 4, 64, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "0sAQKr/w==");
	assert_int_equal(datatot(data, 3, 64, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0sAQKr");
	assert_int_equal(datatot(data, 2, 64, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0sAQI=");
	assert_int_equal(datatot((const uint8_t *)"Man", 3, 64, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0sTWFu");
	/* Truncation: NUL terminated within size, full length returned. */
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(datatot(data, 4, 16, buf, 5), 10);
	assert_string_equal(buf, "0x01");
	assert_int_equal(buf[5], 'z');
	assert_int_equal(datatot(data, 4, 64, buf, 1), 10);
	assert_string_equal(buf, "");
	assert_int_equal(datatot(data, 4, 64, NULL, 0), 10);
	/* Unknown base: nothing. */
	assert_int_equal(datatot(data, 4, 10, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* Random data of every length round trips through both bases. */
static void test_round_trip(void **state)
{
	(void)state;
	srandom(42);
	for (size_t len = 1; len <= 100; len++) {
		uint8_t data[100], back[100];
		char text[256];
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)random();
		for (int b = 0; b < 2; b++) {
			int base = b ? 64 : 16;
			size_t need = datatot(data, len, base, text, sizeof(text));
			assert_int_equal(need, strlen(text));
			assert_int_equal(need, base == 16 ? 2 + 2 * len : 2 + 4 * ((len + 2) / 3));
			size_t n;
			err_t e = ttodata(text, need, 0, back, sizeof(back), &n);
			CHECK(e == NULL, "'%s' rejected: %s", text, e);
			CHECK(n == len && memcmp(data, back, len) == 0, "'%s' round trip", text);
			/* And without the prefix, with the base given. */
			e = ttodata(text + 2, need - 2, base, back, sizeof(back), &n);
			CHECK(e == NULL && n == len && memcmp(data, back, len) == 0, "'%s' bare", text);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_len_and_overflow),
		cmocka_unit_test(test_datatot),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
