/* Unit tests: durations ("90s", "1.5h", "2d", bare seconds) kept exactly
 * in milliseconds, and their shortest exact text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "swan/deltatime.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

#define S  UINT64_C(1000)
#define M  (60 * S)
#define H  (60 * M)
#define D  (24 * H)

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint64_t ms;
		const char *out;
	} good[] = {
		{ "90s", 90 * S, "90s" },
		{ "1.5h", 5400000, "90m" },
		{ "2d", 2 * D, "2d" },
		{ "30m", 30 * M, "30m" },
		{ "3600", H, "1h" },
		{ "3600s", H, "1h" },
		{ "5400s", 90 * M, "90m" },
		{ "86400", D, "1d" },
		{ "0", 0, "0s" },
		{ "0s", 0, "0s" },
		{ "0.0d", 0, "0s" },
		{ "1.5s", 1500, "1.5s" },
		{ "1.5", 1500, "1.5s" },
		{ "1.25", 1250, "1.25s" },
		{ "0.001s", 1, "0.001s" },
		{ "0.010", 10, "0.01s" },
		{ "1.0000s", S, "1s" },
		{ "1.000000000000000000000s", S, "1s" },
		{ "0.5m", 30 * S, "30s" },
		{ "0.25h", 15 * M, "15m" },
		{ "0.00001d", 864, "0.864s" },
		{ "0.0000125d", 1080, "1.08s" },
		{ "1.5d", 36 * H, "36h" },
		{ "48h", 2 * D, "2d" },
		{ "61m", 61 * M, "61m" },
		{ "007s", 7 * S, "7s" },
		{ "36525d", 36525 * D, "36525d" },
		{ "876600h", 36525 * D, "36525d" },
		{ "3155760000", 36525 * D, "36525d" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		deltatime_t d, again;
		char buf[DELTATIME_BUF];
		err_t e = ttodeltatime(good[i].in, &d);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		CHECK(d.ms == good[i].ms, "'%s' -> %llu ms, want %llu", good[i].in,
		      (unsigned long long)d.ms, (unsigned long long)good[i].ms);
		str_deltatime(d, buf);
		CHECK(strcmp(buf, good[i].out) == 0, "'%s' -> '%s', want '%s'", good[i].in, buf, good[i].out);
		e = ttodeltatime(buf, &again);
		CHECK(e == NULL && again.ms == d.ms, "'%s' does not round trip", buf);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "-1", "-1s", "+1", "1x", "1ss", "1sm", "1.", "1.s", ".5", "1.5.3", "0.0001s",
		"0.0001", "0.0000001d", "1.2345s", "1e3", "36526d", "36525.001d", "876601h",
		"99999999999999999999", "99999999999999999999999999999999s", " 1", "1 ",
		"1.5 h", "1 s", "1H", "1S", "1w", "1y", "s", "h", "0x10", "1,5h", "1_000",
		"0.00000000001d", "0.12345678901234567890d", "1s1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		deltatime_t d = { 77 };
		err_t e = ttodeltatime(bad[i], &d);
		CHECK(e != NULL, "'%s' accepted as %llu ms", bad[i], (unsigned long long)d.ms);
		CHECK(d.ms == 77, "'%s' changed the output on error", bad[i]);
	}
	deltatime_t d;
	assert_non_null(ttodeltatime(NULL, &d));
}

static void test_format(void **state)
{
	(void)state;
	static const struct {
		uint64_t ms;
		const char *out;
	} cases[] = {
		{ 0, "0s" }, { 1, "0.001s" }, { 10, "0.01s" }, { 100, "0.1s" }, { 999, "0.999s" },
		{ 1000, "1s" }, { 1010, "1.01s" }, { 59999, "59.999s" }, { 60000, "1m" },
		{ 90000, "90s" }, { 3600000, "1h" }, { 5400000, "90m" }, { 86400000, "1d" },
		{ 86401000, "86401s" }, { 86400001, "86400.001s" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[DELTATIME_BUF];
		deltatime_t d = { cases[i].ms }, again;
		str_deltatime(d, buf);
		CHECK(strcmp(buf, cases[i].out) == 0, "%llu ms -> '%s', want '%s'",
		      (unsigned long long)cases[i].ms, buf, cases[i].out);
		assert_null(ttodeltatime(buf, &again));
		assert_int_equal(again.ms, d.ms);
	}
}

/* Every millisecond count in a few ranges formats and parses back. */
static void test_round_trip_sweep(void **state)
{
	(void)state;
	static const uint64_t starts[] = { 0, 59000, 3599000, 86399000, 36525 * D - 5000 };
	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		for (uint64_t ms = starts[s]; ms < starts[s] + 5000 && ms <= 36525 * D; ms++) {
			char buf[DELTATIME_BUF];
			deltatime_t d = { ms }, again;
			str_deltatime(d, buf);
			err_t e = ttodeltatime(buf, &again);
			CHECK(e == NULL && again.ms == ms, "%llu ms -> '%s' does not round trip",
			      (unsigned long long)ms, buf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
