/* Unit tests: ip_range parsing/formatting and the minimal CIDR cover. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swan/range.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static err_t parse(const char *s, enum ip_family af, ip_range *r)
{
	return ttorange(s, strlen(s), af, r);
}

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "10.0.0.1-10.0.0.10", "10.0.0.1-10.0.0.10" },
		{ "10.0.0.1-10.0.0.1", "10.0.0.1-10.0.0.1" },
		{ "10.0.0.5", "10.0.0.5-10.0.0.5" },
		{ "10.0.0.0/24", "10.0.0.0-10.0.0.255" },
		{ "10.0.0.9/24", "10.0.0.0-10.0.0.255" },
		{ "0.0.0.0/0", "0.0.0.0-255.255.255.255" },
		{ "0.0.0.0-255.255.255.255", "0.0.0.0-255.255.255.255" },
		{ "2001:db8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff" },
		{ "2001:DB8::/120", "2001:db8::-2001:db8::ff" },
		{ "::1", "::1-::1" },
		{ "::/0", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ip_range r, again;
		char buf[RANGE_BUF];
		err_t e = parse(good[i].in, IP_UNSET, &r);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		str_range(&r, buf);
		CHECK(strcmp(buf, good[i].out) == 0, "'%s' -> '%s', want '%s'", good[i].in, buf, good[i].out);
		e = parse(buf, IP_UNSET, &again);
		CHECK(e == NULL && address_eq(&r.start, &again.start) && address_eq(&r.end, &again.end),
		      "'%s' does not round trip", buf);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum ip_family hint;
	} bad[] = {
		{ "", IP_UNSET }, { "-", IP_UNSET }, { "10.0.0.1-", IP_UNSET }, { "-10.0.0.1", IP_UNSET },
		{ "10.0.0.10-10.0.0.1", IP_UNSET }, { "10.0.0.1-2001:db8::1", IP_UNSET },
		{ "2001:db8::1-10.0.0.1", IP_UNSET }, { "10.0.0.1-10.0.0.2-10.0.0.3", IP_UNSET },
		{ "10.0.0.1 - 10.0.0.2", IP_UNSET }, { "10.0.0.1--10.0.0.2", IP_UNSET },
		{ "10.0.0.256", IP_UNSET }, { "10.0.0.0/33", IP_UNSET }, { "10.0.0.1-10.0.0.2x", IP_UNSET },
		{ "2001:db8::2-2001:db8::1", IP_UNSET }, { "10.0.0.1-10.0.0.2", IP_V6 },
		{ "::1-::2", IP_V4 }, { "host-name", IP_UNSET }, { "10.0.0.0/8-10.0.0.1", IP_UNSET },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip_range r;
		CHECK(parse(bad[i].in, bad[i].hint, &r) != NULL, "'%s' accepted", bad[i].in);
	}
	ip_range r;
	assert_non_null(ttorange(NULL, 0, IP_UNSET, &r));
}

static void test_from_subnet(void **state)
{
	(void)state;
	ip_subnet s;
	char buf[RANGE_BUF];
	assert_null(ttosubnet("192.0.2.64/26", 13, IP_UNSET, &s, NULL));
	ip_range r = range_from_subnet(&s);
	assert_string_equal(str_range(&r, buf), "192.0.2.64-192.0.2.127");
	assert_null(ttosubnet("2001:db8::/64", 13, IP_UNSET, &s, NULL));
	r = range_from_subnet(&s);
	assert_string_equal(str_range(&r, buf), "2001:db8::-2001:db8::ffff:ffff:ffff:ffff");
}

/* Collects the cover as text. */
struct collect {
	char text[4096];
	unsigned n, stop_after;
	ip_subnet blocks[300];
};

static bool collect(const ip_subnet *s, void *ctx)
{
	struct collect *c = ctx;
	char buf[SUBNET_BUF];
	if (c->n < 300)
		c->blocks[c->n] = *s;
	c->n++;
	size_t used = strlen(c->text);
	snprintf(c->text + used, sizeof(c->text) - used, "%s%s", used ? " " : "", str_subnet(s, buf));
	return c->stop_after == 0 || c->n < c->stop_after;
}

static void test_cover_examples(void **state)
{
	(void)state;
	static const struct {
		const char *range, *cover;
	} cases[] = {
		{ "10.0.0.1-10.0.0.10", "10.0.0.1/32 10.0.0.2/31 10.0.0.4/30 10.0.0.8/31 10.0.0.10/32" },
		{ "10.0.0.0-10.0.0.255", "10.0.0.0/24" },
		{ "10.0.0.5", "10.0.0.5/32" },
		{ "0.0.0.0-255.255.255.255", "0.0.0.0/0" },
		{ "0.0.0.0-127.255.255.255", "0.0.0.0/1" },
		{ "128.0.0.0-255.255.255.255", "128.0.0.0/1" },
		{ "255.255.255.255", "255.255.255.255/32" },
		{ "255.255.255.254-255.255.255.255", "255.255.255.254/31" },
		{ "10.0.0.255-10.0.1.0", "10.0.0.255/32 10.0.1.0/32" },
		{ "192.168.1.0-192.168.2.127", "192.168.1.0/24 192.168.2.0/25" },
		{ "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0" },
		{ "2001:db8::1-2001:db8::3", "2001:db8::1/128 2001:db8::2/127" },
		{ "::ffff:ffff:ffff:ffff-::1:0:0:0:0", "::ffff:ffff:ffff:ffff/128 0:0:0:1::/128" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip_range r;
		struct collect c = { 0 };
		assert_null(parse(cases[i].range, IP_UNSET, &r));
		assert_true(range_to_subnets(&r, collect, &c));
		CHECK(strcmp(c.text, cases[i].cover) == 0, "'%s' -> '%s', want '%s'",
		      cases[i].range, c.text, cases[i].cover);
	}
	/* 0.0.0.1-255.255.255.254 needs the most blocks: 2 per bit below 32. */
	ip_range r;
	struct collect c = { 0 };
	assert_null(parse("0.0.0.1-255.255.255.254", IP_UNSET, &r));
	assert_true(range_to_subnets(&r, collect, &c));
	assert_int_equal(c.n, 62);
	memset(&c, 0, sizeof(c));
	assert_null(parse("::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", IP_UNSET, &r));
	assert_true(range_to_subnets(&r, collect, &c));
	assert_int_equal(c.n, 254);
}

static void test_cover_stops_early(void **state)
{
	(void)state;
	ip_range r;
	struct collect c = { .stop_after = 2 };
	assert_null(parse("10.0.0.1-10.0.0.10", IP_UNSET, &r));
	assert_false(range_to_subnets(&r, collect, &c));
	assert_int_equal(c.n, 2);
}

/* Adds one to an address's low bytes, stepping into higher bytes. */
static ip_address add(ip_address a, uint64_t v)
{
	size_t n = a.family == IP_V4 ? 4 : 16;
	unsigned carry = 0;
	for (size_t i = n; i-- > 0;) {
		unsigned sum = a.bytes[i] + (unsigned)(v & 0xff) + carry;
		a.bytes[i] = (uint8_t)sum;
		carry = sum >> 8;
		v >>= 8;
	}
	return a;
}

/* Random ranges: the cover is exact, in order, aligned, and minimal (no
 * two neighbours are halves of one larger aligned block). */
static void check_cover(const ip_range *r)
{
	struct collect c = { 0 };
	char rb[RANGE_BUF];
	assert_true(range_to_subnets(r, collect, &c));
	CHECK(c.n > 0 && c.n <= 300, "%s: %u blocks", str_range(r, rb), c.n);
	ip_address expect = r->start;
	for (unsigned i = 0; i < c.n; i++) {
		const ip_subnet *s = &c.blocks[i];
		ip_range br = range_from_subnet(s);
		CHECK(address_eq(&br.start, &s->addr), "%s: block %u not aligned", str_range(r, rb), i);
		CHECK(address_eq(&br.start, &expect), "%s: gap before block %u", str_range(r, rb), i);
		if (i + 1 == c.n) {
			CHECK(address_eq(&br.end, &r->end), "%s: wrong end", str_range(r, rb));
		} else {
			expect = add(br.end, 1);
			const ip_subnet *t = &c.blocks[i + 1];
			if (t->prefix == s->prefix && s->prefix > 0) {
				/* Mergeable if s is the lower half of an aligned parent. */
				ip_subnet parent;
				char sb[SUBNET_BUF];
				str_subnet(s, sb);
				char *slash = strchr(sb, '/');
				snprintf(slash, sizeof(sb) - (size_t)(slash - sb), "/%u", s->prefix - 1u);
				bool host;
				assert_null(ttosubnet(sb, strlen(sb), IP_UNSET, &parent, &host));
				CHECK(host, "%s: blocks %u and %u could merge", str_range(r, rb), i, i + 1);
			}
		}
	}
}

static void test_cover_random(void **state)
{
	(void)state;
	srandom(12345);
	for (int iter = 0; iter < 3000; iter++) {
		ip_range r;
		bool v6 = iter % 2;
		r.start = address_any(v6 ? IP_V6 : IP_V4);
		size_t n = v6 ? 16 : 4;
		for (size_t i = 0; i < n; i++)
			r.start.bytes[i] = (uint8_t)random();
		/* Spans of very different sizes, clipped at the top. */
		uint64_t span = (uint64_t)random() >> (random() % 31);
		r.end = add(r.start, span);
		if (address_cmp(&r.end, &r.start) < 0) {
			r.end = r.start;
			memset(r.end.bytes, 0xff, n);
		}
		check_cover(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_from_subnet),
		cmocka_unit_test(test_cover_examples),
		cmocka_unit_test(test_cover_stops_early),
		cmocka_unit_test(test_cover_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
