/* Unit tests: booleans, percentages and bounded integers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "swan/scalars.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static void test_bool(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool value;
	} good[] = {
		{ "yes", true }, { "no", false }, { "true", true }, { "false", false },
		{ "on", true }, { "off", false }, { "1", true }, { "0", false },
		{ "YES", true }, { "No", false }, { "TRUE", true }, { "False", false },
		{ "On", true }, { "OFF", false },
	};
	static const char *const bad[] = {
		"", "y", "n", "yes ", " yes", "2", "-1", "01", "maybe", "enable", "yess", "t", "nope",
		"%yes", "yes,no",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bool b = !good[i].value;
		err_t e = ttobool(good[i].in, &b);
		CHECK(e == NULL && b == good[i].value, "'%s'", good[i].in);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool b;
		CHECK(ttobool(bad[i], &b) != NULL, "'%s' accepted", bad[i]);
	}
	bool b;
	assert_non_null(ttobool(NULL, &b));
}

static void test_percent(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		unsigned value;
	} good[] = {
		{ "0%", 0 }, { "1%", 1 }, { "100%", 100 }, { "150%", 150 }, { "100000%", 100000 },
		{ "007%", 7 },
	};
	static const char *const bad[] = {
		"", "%", "5", "5 %", " 5%", "5% ", "-5%", "+5%", "100001%", "5%%", "5.5%", "5%x",
		"99999999999999999999%", "x%", "0x10%",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		unsigned v = 12345;
		err_t e = ttopercent(good[i].in, &v);
		CHECK(e == NULL && v == good[i].value, "'%s' -> %u", good[i].in, v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned v;
		CHECK(ttopercent(bad[i], &v) != NULL, "'%s' accepted", bad[i]);
	}
	unsigned v;
	assert_non_null(ttopercent(NULL, &v));
}

static void test_int(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		long min, max, value;
	} good[] = {
		{ "0", 0, 10, 0 }, { "10", 0, 10, 10 }, { "5", 0, 10, 5 }, { "007", 0, 10, 7 },
		{ "-5", -10, 10, -5 }, { "-0", -1, 1, 0 }, { "-10", -10, 10, -10 },
		{ "65535", 0, 65535, 65535 }, { "9223372036854775807", 0, LONG_MAX, LONG_MAX },
		{ "-9223372036854775808", LONG_MIN, 0, LONG_MIN },
		{ "-9223372036854775807", LONG_MIN, 0, -LONG_MAX },
	};
	static const struct {
		const char *in;
		long min, max;
	} bad[] = {
		{ "", 0, 10 }, { "-", -10, 10 }, { "-5", 0, 10 }, { "-0", 0, 10 }, { "11", 0, 10 },
		{ "-11", -10, 10 }, { "12a", 0, 100 }, { " 1", 0, 10 }, { "1 ", 0, 10 },
		{ "+1", 0, 10 }, { "0x10", 0, 100 }, { "1.0", 0, 10 }, { "--1", -10, 10 },
		{ "9223372036854775808", 0, LONG_MAX }, { "99999999999999999999", 0, LONG_MAX },
		{ "-9223372036854775809", LONG_MIN, 0 }, { "-99999999999999999999", LONG_MIN, 0 },
		{ "0", 1, 10 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		long v = 12345;
		err_t e = ttoint(good[i].in, good[i].min, good[i].max, &v);
		CHECK(e == NULL && v == good[i].value, "'%s' -> %ld (%s)", good[i].in, v, e ? e : "ok");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long v = 12345;
		CHECK(ttoint(bad[i].in, bad[i].min, bad[i].max, &v) != NULL, "'%s' accepted", bad[i].in);
		CHECK(v == 12345, "'%s' changed the output on error", bad[i].in);
	}
	long v;
	assert_non_null(ttoint(NULL, 0, 1, &v));

	/* Every value of a small range, formatted and parsed back. */
	for (long n = -300; n <= 300; n++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%ld", n);
		assert_null(ttoint(buf, -300, 300, &v));
		assert_int_equal(v, n);
		assert_non_null(ttoint(buf, n + 1, 301, &v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
