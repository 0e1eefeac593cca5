/* Unit tests: ip_address parsing (strict IPv4, RFC 4291 IPv6) and
 * formatting (RFC 5952), plus is_dns_name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "swan/address.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

struct good {
	const char *in;
	enum ip_family af;
	const char *out;
};

static const struct good good_v4[] = {
	{ "0.0.0.0", IP_V4, "0.0.0.0" },
	{ "1.2.3.4", IP_V4, "1.2.3.4" },
	{ "192.0.2.255", IP_V4, "192.0.2.255" },
	{ "255.255.255.255", IP_V4, "255.255.255.255" },
	{ "10.0.0.1", IP_V4, "10.0.0.1" },
	{ "100.64.0.0", IP_V4, "100.64.0.0" },
};

/* Inputs on the left, RFC 5952 canonical text on the right. */
static const struct good good_v6[] = {
	{ "::", IP_V6, "::" },
	{ "0:0:0:0:0:0:0:0", IP_V6, "::" },
	{ "::1", IP_V6, "::1" },
	{ "1::", IP_V6, "1::" },
	{ "2001:DB8:0:0:0:0:0:1", IP_V6, "2001:db8::1" },
	{ "2001:0db8::0001", IP_V6, "2001:db8::1" },
	{ "2001:db8:0:0:1:0:0:1", IP_V6, "2001:db8::1:0:0:1" },   /* first of equal runs */
	{ "2001:0:0:1:0:0:0:1", IP_V6, "2001:0:0:1::1" },         /* longest run */
	{ "2001:db8:0:1:1:1:1:1", IP_V6, "2001:db8:0:1:1:1:1:1" }, /* one zero: no :: */
	{ "2001:db8::", IP_V6, "2001:db8::" },
	{ "fe80::1:2", IP_V6, "fe80::1:2" },
	{ "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", IP_V6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "1:2:3:4:5:6:7:8", IP_V6, "1:2:3:4:5:6:7:8" },
	{ "1:2:3:4:5:6:7::", IP_V6, "1:2:3:4:5:6:7:0" },
	{ "::2:3:4:5:6:7:8", IP_V6, "0:2:3:4:5:6:7:8" },
	{ "::ffff:1.2.3.4", IP_V6, "::ffff:1.2.3.4" },
	{ "::FFFF:0102:0304", IP_V6, "::ffff:1.2.3.4" },
	{ "::1.2.3.4", IP_V6, "::102:304" },
	{ "1:2:3:4:5:6:1.2.3.4", IP_V6, "1:2:3:4:5:6:102:304" },
	{ "64:ff9b::192.0.2.33", IP_V6, "64:ff9b::c000:221" },
	{ "0:0:1:0:0:0:0:0", IP_V6, "0:0:1::" },
	{ "1:0:0:0:1:0:0:0", IP_V6, "1::1:0:0:0" },
};

static void check_good(const struct good *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ip_address a, b;
		char buf[ADDRESS_BUF];
		err_t e = ttoaddress_num(g[i].in, strlen(g[i].in), IP_UNSET, &a);
		CHECK(e == NULL, "'%s' rejected: %s", g[i].in, e);
		CHECK(a.family == g[i].af, "'%s' family %u", g[i].in, a.family);
		str_address(&a, buf);
		CHECK(strcmp(buf, g[i].out) == 0, "'%s' formatted as '%s', want '%s'", g[i].in, buf, g[i].out);
		/* Round trip: the canonical text parses back to the same value. */
		e = ttoaddress_num(buf, strlen(buf), IP_UNSET, &b);
		CHECK(e == NULL && address_eq(&a, &b), "'%s' does not round trip", buf);
		/* The family hint accepts the right family. */
		e = ttoaddress_num(g[i].in, strlen(g[i].in), g[i].af, &b);
		CHECK(e == NULL, "'%s' rejected with its own family hint", g[i].in);
	}
}

static void test_good_v4(void **state)
{
	(void)state;
	check_good(good_v4, sizeof(good_v4) / sizeof(good_v4[0]));
}

static void test_good_v6(void **state)
{
	(void)state;
	check_good(good_v6, sizeof(good_v6) / sizeof(good_v6[0]));
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.3.1000",
		"01.2.3.4", "1.2.3.04", "00.0.0.0", "0x1.2.3.4", "0x01020304", "16909060",
		"1.2.3.4 ", " 1.2.3.4", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.-4",
		"1.2.3.+4", "a.b.c.d", "1.2.3.4/24", "1,2,3,4",
		"1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
		"1:::2", ":::", "12345::", "::g", "g::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "::1.2.3.4.5",
		"::256.1.2.3", "::01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]",
		"::ffff:1.2.3.4 ", "1:2", ":", "::-1", "2001:db8::1::",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip_address a;
		err_t e = ttoaddress_num(bad[i], strlen(bad[i]), IP_UNSET, &a);
		CHECK(e != NULL, "'%s' accepted", bad[i]);
		/* Errors describe the problem without quoting the value. */
		CHECK(strlen(bad[i]) < 3 || strstr(e, bad[i]) == NULL, "'%s' quoted in error", bad[i]);
	}
	ip_address a;
	assert_non_null(ttoaddress_num(NULL, 0, IP_UNSET, &a));
	assert_non_null(ttoaddress_num("1.2.3.4\0", 8, IP_UNSET, &a));
}

static void test_family_hint(void **state)
{
	(void)state;
	ip_address a;
	assert_non_null(ttoaddress_num("1.2.3.4", 7, IP_V6, &a));
	assert_non_null(ttoaddress_num("::1", 3, IP_V4, &a));
	assert_non_null(ttoaddress_num("::ffff:1.2.3.4", 14, IP_V4, &a));
	assert_null(ttoaddress_num("1.2.3.4", 7, IP_V4, &a));
	assert_int_equal(a.family, IP_V4);
	assert_null(ttoaddress_num("::1", 3, IP_V6, &a));
	assert_int_equal(a.family, IP_V6);
}

static void test_length_not_nul(void **state)
{
	(void)state;
	ip_address a;
	char buf[ADDRESS_BUF];
	/* Only len characters count: the rest of the buffer is ignored. */
	assert_null(ttoaddress_num("10.1.2.3/24", 8, IP_UNSET, &a));
	assert_string_equal(str_address(&a, buf), "10.1.2.3");
	assert_null(ttoaddress_num("2001:db8::1-2001:db8::2", 11, IP_UNSET, &a));
	assert_string_equal(str_address(&a, buf), "2001:db8::1");
	assert_non_null(ttoaddress_num("10.1.2.3", 6, IP_UNSET, &a)); /* "10.1.2" */
}

static void test_bytes(void **state)
{
	(void)state;
	ip_address a;
	assert_null(ttoaddress_num("192.0.2.1", 9, IP_UNSET, &a));
	assert_int_equal(a.bytes[0], 192);
	assert_int_equal(a.bytes[1], 0);
	assert_int_equal(a.bytes[2], 2);
	assert_int_equal(a.bytes[3], 1);
	assert_null(ttoaddress_num("2001:db8::ff00:42:8329", 22, IP_UNSET, &a));
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					  0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29 };
	assert_memory_equal(a.bytes, want, 16);
}

/* Every IPv6 address of a few bit patterns formats in RFC 5952 form that
 * parses back: exercise the zero-run logic exhaustively over 8 groups. */
static void test_v6_zero_patterns(void **state)
{
	(void)state;
	for (unsigned mask = 0; mask < 256; mask++) {
		ip_address a = address_any(IP_V6), b;
		for (int g = 0; g < 8; g++)
			if (mask & (1u << g))
				a.bytes[2 * g + 1] = (uint8_t)(g + 1);
		char buf[ADDRESS_BUF];
		str_address(&a, buf);
		err_t e = ttoaddress_num(buf, strlen(buf), IP_V6, &b);
		CHECK(e == NULL && address_eq(&a, &b), "mask %u: '%s' does not round trip", mask, buf);
		/* At most one "::" and never ":::". */
		const char *dc = strstr(buf, "::");
		CHECK(dc == NULL || strstr(dc + 1, "::") == NULL, "'%s' has two ::", buf);
		CHECK(strstr(buf, ":::") == NULL, "'%s' has :::", buf);
		/* No leading zeros and lower case. */
		for (const char *p = buf; *p; p++)
			CHECK(!(*p >= 'A' && *p <= 'F'), "'%s' has upper case", buf);
	}
}

static void test_helpers(void **state)
{
	(void)state;
	ip_address z4 = address_any(IP_V4), z6 = address_any(IP_V6), a, b;
	char buf[ADDRESS_BUF];
	assert_int_equal(z4.family, IP_V4);
	assert_int_equal(z6.family, IP_V6);
	assert_string_equal(str_address(&z4, buf), "0.0.0.0");
	assert_string_equal(str_address(&z6, buf), "::");
	assert_true(address_is_any(&z4));
	assert_true(address_is_any(&z6));
	assert_false(address_eq(&z4, &z6));
	assert_true(address_cmp(&z4, &z6) < 0);

	assert_null(ttoaddress_num("10.0.0.1", 8, IP_UNSET, &a));
	assert_null(ttoaddress_num("10.0.0.2", 8, IP_UNSET, &b));
	assert_false(address_is_any(&a));
	assert_true(address_cmp(&a, &b) < 0);
	assert_true(address_cmp(&b, &a) > 0);
	assert_int_equal(address_cmp(&a, &a), 0);
	assert_true(address_eq(&a, &a));
	assert_false(address_eq(&a, &b));

	assert_int_equal(address_bits(IP_V4), 32);
	assert_int_equal(address_bits(IP_V6), 128);
	assert_int_equal(address_bits(IP_UNSET), 0);
}

static void test_dns_name(void **state)
{
	(void)state;
	static const char *const good[] = {
		"a", "host", "host.example", "gw-1.example.com", "EXAMPLE.COM", "1host.example",
		"123.example", "host.example.", "xn--bcher-kva.example",
		"a23456789012345678901234567890123456789012345678901234567890123.example",
	};
	static const char *const bad[] = {
		"", ".", "..", "a..b", ".a", "-a", "a-", "a.-b", "a_b.example", "host name",
		"1.2.3.4", "1.2.3.256", "12345", "host.123", "host.example..",
		"a234567890123456789012345678901234567890123456789012345678901234.example",
		"@host", "host/x", "ho%st",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(is_dns_name(good[i]), "'%s' is a DNS name", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!is_dns_name(bad[i]), "'%s' is not a DNS name", bad[i]);
	assert_true(is_dns_name("a.b."));
	assert_false(is_dns_name(NULL));

	/* Total length: 253 characters is the limit. */
	char name[300];
	memset(name, 'a', sizeof(name));
	for (size_t i = 50; i < sizeof(name); i += 51)
		name[i] = '.';
	name[253] = '\0';
	name[252] = 'a';
	assert_true(is_dns_name(name));
	name[253] = 'a';
	name[254] = '\0';
	assert_false(is_dns_name(name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_v4),
		cmocka_unit_test(test_good_v6),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_family_hint),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_v6_zero_patterns),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_dns_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
