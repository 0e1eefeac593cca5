/* Unit tests: ip_subnet parsing/formatting, masks, containment and the
 * vhost:/vnet:/virtual_private= list checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "swan/subnet.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static err_t parse(const char *s, enum ip_family af, ip_subnet *sn, bool *host)
{
	return ttosubnet(s, strlen(s), af, sn, host);
}

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum ip_family hint;
		const char *out;
		bool host_bits;
	} good[] = {
		{ "10.0.0.0/8", IP_UNSET, "10.0.0.0/8", false },
		{ "10.1.2.3/8", IP_UNSET, "10.0.0.0/8", true },
		{ "192.0.2.0/24", IP_V4, "192.0.2.0/24", false },
		{ "192.0.2.128/25", IP_UNSET, "192.0.2.128/25", false },
		{ "192.0.2.129/25", IP_UNSET, "192.0.2.128/25", true },
		{ "10.0.0.0/255.255.255.0", IP_UNSET, "10.0.0.0/24", false },
		{ "10.0.0.0/255.255.255.252", IP_UNSET, "10.0.0.0/30", false },
		{ "10.0.0.7/255.255.255.248", IP_UNSET, "10.0.0.0/29", true },
		{ "10.0.0.0/255.255.255.255", IP_UNSET, "10.0.0.0/32", false },
		{ "0.0.0.0/0.0.0.0", IP_UNSET, "0.0.0.0/0", false },
		{ "0.0.0.0/0", IP_UNSET, "0.0.0.0/0", false },
		{ "1.2.3.4/0", IP_UNSET, "0.0.0.0/0", true },
		{ "1.2.3.4", IP_UNSET, "1.2.3.4/32", false },
		{ "1.2.3.4/32", IP_UNSET, "1.2.3.4/32", false },
		{ "2001:db8::/32", IP_UNSET, "2001:db8::/32", false },
		{ "2001:DB8:0:0::/64", IP_V6, "2001:db8::/64", false },
		{ "2001:db8::1/64", IP_UNSET, "2001:db8::/64", true },
		{ "2001:db8::1", IP_UNSET, "2001:db8::1/128", false },
		{ "::/0", IP_UNSET, "::/0", false },
		{ "::1/128", IP_UNSET, "::1/128", false },
		{ "fe80::/10", IP_UNSET, "fe80::/10", false },
		{ "fe80::/9", IP_UNSET, "fe80::/9", false },
		{ "fe80::/8", IP_UNSET, "fe00::/8", true },
		{ "%any", IP_UNSET, "0.0.0.0/0", false },
		{ "%any", IP_V4, "0.0.0.0/0", false },
		{ "%any", IP_V6, "::/0", false },
		{ "%any6", IP_UNSET, "::/0", false },
		{ "%all", IP_UNSET, "0.0.0.0/0", false },
		{ "%all", IP_V6, "::/0", false },
		{ "10.0.0.0/08", IP_UNSET, "10.0.0.0/8", false },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ip_subnet sn, again;
		bool host = !good[i].host_bits;
		char buf[SUBNET_BUF];
		err_t e = parse(good[i].in, good[i].hint, &sn, &host);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		str_subnet(&sn, buf);
		CHECK(strcmp(buf, good[i].out) == 0, "'%s' -> '%s', want '%s'", good[i].in, buf, good[i].out);
		CHECK(host == good[i].host_bits, "'%s' host bits %d", good[i].in, host);
		/* Canonical text round trips without host bits. */
		e = parse(buf, IP_UNSET, &again, &host);
		CHECK(e == NULL && !host, "'%s' does not reparse", buf);
		CHECK(address_eq(&sn.addr, &again.addr) && sn.prefix == again.prefix, "'%s' differs", buf);
	}
	/* host_bits_set may be NULL. */
	ip_subnet sn;
	assert_null(parse("10.1.2.3/8", IP_UNSET, &sn, NULL));
}

static void test_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum ip_family hint;
	} bad[] = {
		{ "", IP_UNSET }, { "/", IP_UNSET }, { "/24", IP_UNSET }, { "10.0.0.0/", IP_UNSET },
		{ "10.0.0.0/33", IP_UNSET }, { "10.0.0.0/999999999999", IP_UNSET },
		{ "::/129", IP_UNSET }, { "::/1280", IP_UNSET },
		{ "10.0.0.0/255.0.255.0", IP_UNSET }, { "10.0.0.0/255.255.255.1", IP_UNSET },
		{ "10.0.0.0/0.255.255.255", IP_UNSET }, { "10.0.0.0/255.255.254.255", IP_UNSET },
		{ "10.0.0.0/255.255.255", IP_UNSET }, { "10.0.0.0/255.255.255.0.0", IP_UNSET },
		{ "10.0.0.0/255.255.255.256", IP_UNSET },
		{ "2001:db8::/255.255.0.0", IP_UNSET }, { "2001:db8::/ffff:ffff::", IP_UNSET },
		{ "10.0.0.0/8x", IP_UNSET }, { "10.0.0.0/-1", IP_UNSET }, { "10.0.0.0/+8", IP_UNSET },
		{ "10.0.0.0/8/8", IP_UNSET }, { "10.0.0.0/ 8", IP_UNSET }, { "10.0.0.0 /8", IP_UNSET },
		{ "10.0.0/8", IP_UNSET }, { "010.0.0.0/8", IP_UNSET }, { "host/8", IP_UNSET },
		{ "%any6", IP_V4 }, { "10.0.0.0/8", IP_V6 }, { "2001:db8::/32", IP_V4 },
		{ "%anyx", IP_UNSET }, { "%none", IP_UNSET }, { "%any/0", IP_UNSET },
		{ "0.0.0.0/0.0.0.0.", IP_UNSET },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip_subnet sn;
		err_t e = parse(bad[i].in, bad[i].hint, &sn, NULL);
		CHECK(e != NULL, "'%s' accepted", bad[i].in);
	}
	ip_subnet sn;
	assert_non_null(ttosubnet(NULL, 0, IP_UNSET, &sn, NULL));
	/* Only len characters count. */
	assert_null(ttosubnet("10.0.0.0/8,rest", 10, IP_UNSET, &sn, NULL));
	assert_int_equal(sn.prefix, 8);
}

static void test_every_prefix(void **state)
{
	(void)state;
	/* Each prefix as a number and (for IPv4) as a mask gives the same. */
	for (unsigned p = 0; p <= 32; p++) {
		ip_address m = prefix_mask(IP_V4, p);
		char mb[ADDRESS_BUF], text[64];
		snprintf(text, sizeof(text), "255.255.255.255/%s", str_address(&m, mb));
		ip_subnet a, b;
		bool host;
		assert_null(parse(text, IP_UNSET, &a, &host));
		assert_int_equal(a.prefix, p);
		assert_int_equal(host, p < 32);
		snprintf(text, sizeof(text), "255.255.255.255/%u", p);
		assert_null(parse(text, IP_UNSET, &b, NULL));
		assert_true(address_eq(&a.addr, &b.addr));
		assert_int_equal(a.prefix, b.prefix);
	}
	for (unsigned p = 0; p <= 128; p++) {
		char text[64], buf[SUBNET_BUF];
		snprintf(text, sizeof(text), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/%u", p);
		ip_subnet s, again;
		assert_null(parse(text, IP_UNSET, &s, NULL));
		assert_int_equal(s.prefix, p);
		ip_address m = prefix_mask(IP_V6, p);
		assert_true(address_eq(&s.addr, &m));
		assert_null(parse(str_subnet(&s, buf), IP_V6, &again, NULL));
		assert_true(address_eq(&s.addr, &again.addr));
	}
}

static void test_prefix_mask(void **state)
{
	(void)state;
	char buf[ADDRESS_BUF];
	ip_address m = prefix_mask(IP_V4, 24);
	assert_string_equal(str_address(&m, buf), "255.255.255.0");
	m = prefix_mask(IP_V4, 0);
	assert_string_equal(str_address(&m, buf), "0.0.0.0");
	m = prefix_mask(IP_V4, 19);
	assert_string_equal(str_address(&m, buf), "255.255.224.0");
	m = prefix_mask(IP_V4, 99);   /* clamped */
	assert_string_equal(str_address(&m, buf), "255.255.255.255");
	m = prefix_mask(IP_V6, 64);
	assert_string_equal(str_address(&m, buf), "ffff:ffff:ffff:ffff::");
	m = prefix_mask(IP_V6, 1);
	assert_string_equal(str_address(&m, buf), "8000::");
}

static void test_contains(void **state)
{
	(void)state;
	ip_subnet net8, net24, host, any4, net6;
	ip_address a;
	assert_null(parse("10.0.0.0/8", IP_UNSET, &net8, NULL));
	assert_null(parse("10.1.2.0/24", IP_UNSET, &net24, NULL));
	assert_null(parse("10.1.2.3", IP_UNSET, &host, NULL));
	assert_null(parse("%any", IP_UNSET, &any4, NULL));
	assert_null(parse("2001:db8::/32", IP_UNSET, &net6, NULL));

	assert_null(ttoaddress_num("10.255.0.1", 10, IP_UNSET, &a));
	assert_true(subnet_contains_address(&net8, &a));
	assert_false(subnet_contains_address(&net24, &a));
	assert_true(subnet_contains_address(&any4, &a));
	assert_false(subnet_contains_address(&net6, &a));
	assert_null(ttoaddress_num("11.0.0.0", 8, IP_UNSET, &a));
	assert_false(subnet_contains_address(&net8, &a));
	assert_null(ttoaddress_num("2001:db8:ffff::1", 16, IP_UNSET, &a));
	assert_true(subnet_contains_address(&net6, &a));
	assert_false(subnet_contains_address(&net8, &a));

	assert_true(subnet_contains_subnet(&net8, &net24));
	assert_false(subnet_contains_subnet(&net24, &net8));
	assert_true(subnet_contains_subnet(&net24, &host));
	assert_true(subnet_contains_subnet(&net8, &net8));
	assert_true(subnet_contains_subnet(&any4, &net8));
	assert_false(subnet_contains_subnet(&net6, &net8));
	assert_false(subnet_contains_subnet(&net8, &net6));

	ip_subnet h = subnet_from_address(&a);
	assert_int_equal(h.prefix, 128);
	assert_true(subnet_contains_subnet(&net6, &h));
	assert_null(ttoaddress_num("1.2.3.4", 7, IP_UNSET, &a));
	h = subnet_from_address(&a);
	assert_int_equal(h.prefix, 32);
	assert_true(subnet_contains_address(&h, &a));
}

static void test_virtual_subnet(void **state)
{
	(void)state;
	static const char *const good[] = {
		"vhost:%priv", "vhost:%no", "vhost:%all", "vhost:%priv,%no", "vnet:%priv",
		"vnet:%v4:10.0.0.0/8", "vnet:%v6:fd00::/8", "vnet:10.0.0.0/8",
		"vnet:2001:db8::/32", "vnet:%v4:10.0.0.0/8,%v6:fd00::/8,!%v4:10.1.0.0/16",
		"vhost:%priv,!%v4:192.168.1.0/24", "vnet:%v4:!10.1.0.0/16",
		"vhost:%v4:10.0.0.0/8, %v4:172.16.0.0/12", "vnet:!%priv",
	};
	static const char *const bad[] = {
		"", "vhost:", "vnet:", "vhost:%priv,", "vhost:,%priv", "vhost:%priv,,%no",
		"vnet:%v4:10.0.0.0", "vnet:10.0.0.0", "vnet:%foo", "vnet:%v4:fd00::/8",
		"vnet:%v6:10.0.0.0/8", "vnet:%v4:10.0.0.0/33", "xyz:%priv", "%priv",
		"vhost", "VHOST:%priv", "vnet:%v4:", "vnet:!", "vnet:!%v4:!10.0.0.0/8",
		"vnet:%v4:10.0.0.0/255.0.0.0x", "vnet:%any",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err_t e = check_virtual_subnet(good[i]);
		CHECK(e == NULL, "'%s' rejected: %s", good[i], e);
		CHECK(is_virtual_subnet(good[i]), "'%s' not virtual", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(check_virtual_subnet(bad[i]) != NULL, "'%s' accepted", bad[i]);
	assert_false(is_virtual_subnet("10.0.0.0/8"));
	assert_false(is_virtual_subnet("vhos:%priv"));
	assert_true(is_virtual_subnet("vnet:"));
}

static void test_virtual_private(void **state)
{
	(void)state;
	static const char *const good[] = {
		"%v4:10.0.0.0/8",
		"%v4:10.0.0.0/8,%v4:192.168.0.0/16,%v4:172.16.0.0/12",
		"%v4:10.0.0.0/8,%v4:192.168.0.0/16,%v4:172.16.0.0/12,%v4:!192.168.3.0/24",
		"%v4:10.0.0.0/8, !%v4:10.1.0.0/16 , %v6:fd00::/8,%v6:!fd00:1::/32",
		"%v6:fe80::/10",
	};
	static const char *const bad[] = {
		"", " ", "10.0.0.0/8", "%v4:10.0.0.0/8,,%v4:1.0.0.0/8", "%v4:10.0.0.0/8,",
		"%v4:", "%priv", "%v6:10.0.0.0/8", "%v4:fd00::/8", "%v4:!!10.0.0.0/8",
		"%v4:10.0.0.0", "%v5:10.0.0.0/8", "%V4:10.0.0.0/8", "vnet:%v4:10.0.0.0/8",
		"%v4:10.0.0.0/8 %v4:11.0.0.0/8", "!%v4:!10.0.0.0/8",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err_t e = check_virtual_private(good[i]);
		CHECK(e == NULL, "'%s' rejected: %s", good[i], e);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(check_virtual_private(bad[i]) != NULL, "'%s' accepted", bad[i]);
}

/* A road warrior's inner address against vhost:/vnet: and virtual_private= */
static void test_virtual_allows(void **state)
{
	(void)state;
	static const char vp[] = "%v4:10.0.0.0/8,%v4:192.168.0.0/16,%v4:!192.168.1.0/24";
	static const struct {
		const char *spec, *vp, *sub;
		bool own;
		const char *want;   /* NULL: allowed; else a part of why not */
	} cases[] = {
		{ "vhost:%priv,%no", vp, "10.1.2.3/32", false, NULL },
		{ "vhost:%priv,%no", vp, "192.168.7.9/32", false, NULL },
		{ "vhost:%priv,%no", vp, "192.168.1.9/32", false, "is not in vhost:%priv,%no (virtual_private=" },
		{ "vhost:%priv,%no", vp, "172.16.0.1/32", false, "is not in" },
		{ "vhost:%priv,%no", vp, "10.1.2.0/24", false, "allows single addresses only" },
		{ "vnet:%priv", vp, "10.1.2.0/24", false, NULL },
		{ "vnet:%priv", vp, "192.168.0.0/16", false, "is not in" },   /* overlaps the exclusion */
		{ "vhost:%priv,%no", vp, "198.18.0.1/32", true, NULL },
		{ "vhost:%priv", vp, "198.18.0.1/32", true, "has no %no" },
		{ "vhost:%priv", NULL, "10.1.2.3/32", false, "virtual_private= is not set" },
		{ "vhost:%all", NULL, "172.16.0.1/32", false, NULL },
		{ "vhost:%all,!%v4:172.16.0.0/12", NULL, "172.16.0.1/32", false, "is excluded by" },
		{ "vhost:!%v4:172.16.0.0/12,%all", NULL, "172.16.0.1/32", false, "is excluded by" },
		{ "vnet:172.16.0.0/12", NULL, "172.16.4.0/24", false, NULL },
		{ "vnet:172.16.0.0/12", NULL, "172.0.0.0/8", false, "is not in" },
		{ "vnet:%v6:fd00::/8", NULL, "fd00:1::/64", false, NULL },
		{ "vnet:%v6:fd00::/8", NULL, "10.0.0.0/8", false, "is not in" },
		{ "vnet:!%priv,%all", vp, "10.9.0.0/16", false, "is excluded by" },
		{ "vnet:!%priv,%all", vp, "172.16.0.0/16", false, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip_subnet sub;
		assert_null(ttosubnet(cases[i].sub, strlen(cases[i].sub), IP_UNSET, &sub, NULL));
		char why[256];
		const char *got = virtual_subnet_allows(cases[i].spec, cases[i].vp, &sub, cases[i].own, why,
							sizeof(why));
		if (cases[i].want == NULL)
			CHECK(got == NULL, "%s in %s: refused: %s", cases[i].sub, cases[i].spec, got);
		else
			CHECK(got != NULL && strstr(got, cases[i].want) != NULL, "%s in %s: '%s', want '%s'",
			      cases[i].sub, cases[i].spec, got ? got : "allowed", cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_virtual_allows),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_prefix_mask),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_virtual_subnet),
		cmocka_unit_test(test_virtual_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
