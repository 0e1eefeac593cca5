/* Traffic selectors of an end without a subnet: the address its IKE SA
 * uses, /32. right=%any (a road-warrior responder) without rightsubnet=
 * narrows the initiator's TSi to the peer's actual address, as right=ADDRESS
 * does; a %defaultroute end proposes the address of its IKE socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "connections.h"
#include "ike/ts.h"
#include "whack.h"
#include "unit_conn.h"

static ip_address addr(const char *s)
{
	ip_address a;
	assert_null(ttoaddress_num(s, strlen(s), IP_UNSET, &a));
	return a;
}

static bool is_local(const ip_address *a, void *ctx)
{
	ip_address me = addr(ctx);
	return address_eq(a, &me);
}

/* A conn from "key", "value" pairs, oriented with `me` as this host. */
static struct connection *conn(const char *me, const char *const *kv)
{
	struct connection *c = unit_conn(NULL, kv);
	char err[256];
	if (!connection_orient(c, is_local, (void *)me, err, sizeof(err)))
		fail_msg("%s", err);
	return c;
}

/* One selector list of a single range lo..hi, any protocol and port. */
static struct ikev2_ts_list range(const char *lo, const char *hi)
{
	struct ikev2_ts_list l = { .n = 1 };
	ip_address a = addr(lo), b = addr(hi);
	l.ts[0] = ikev2_ts_range(&a, &b, 0, 0, 65535);
	return l;
}

static const char *net(const ip_subnet *s)
{
	static char buf[4][SUBNET_BUF];
	static int i;
	i = (i + 1) % 4;
	return str_subnet(s, buf[i]);
}

/* east, right=%any without rightsubnet=: what west (198.18.0.1) asks for */
static void test_any_peer_without_subnet(void **state)
{
	(void)state;
	const char *const kv[] = { "left", "198.18.0.2", "leftsubnet", "203.0.113.0/24",
				   "right", "%any", NULL };
	struct connection *c = conn("198.18.0.2", kv);
	assert_false(peer_end(c)->has_client);
	ip_address me = addr("198.18.0.2"), west = addr("198.18.0.1");
	struct ikev2_ts_list tsi = range("198.18.0.1", "198.18.0.1");
	struct ikev2_ts_list tsr = range("203.0.113.0", "203.0.113.255");
	struct child_ts ts;
	/* the bug: without the IKE SA's addresses the end has no selector */
	assert_non_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	assert_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.18.0.1/32");
	assert_string_equal(net(&ts.local), "203.0.113.0/24");
	/* the answer's selectors: TSi west/32, TSr the subnet */
	struct ikev2_ts_list ai, ar;
	ts_lists_of(&ts, false, &ai, &ar);
	assert_int_equal(ai.n, 1);
	assert_true(address_eq(&ai.ts[0].start, &west) && address_eq(&ai.ts[0].end, &west));
	/* a wider TSi (0.0.0.0/0, as clients ask) narrows to the peer */
	tsi = range("0.0.0.0", "255.255.255.255");
	assert_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.18.0.1/32");
	/* another host's address is not the peer's */
	tsi = range("198.18.0.9", "198.18.0.9");
	assert_non_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	/* a second peer of the same conn gets its own address */
	ip_address other = addr("198.18.0.9");
	assert_null(ts_narrow(c, NULL, &me, &other, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.18.0.9/32");
	connection_free(c);
}

/* rightsubnet= given: it is used, not the address */
static void test_any_peer_with_subnet(void **state)
{
	(void)state;
	const char *const kv[] = { "left", "198.18.0.2", "leftsubnet", "203.0.113.0/24",
				   "right", "%any", "rightsubnet", "198.51.100.0/24", NULL };
	struct connection *c = conn("198.18.0.2", kv);
	ip_address me = addr("198.18.0.2"), west = addr("198.18.0.1");
	struct ikev2_ts_list tsi = range("198.51.100.0", "198.51.100.255");
	struct ikev2_ts_list tsr = range("203.0.113.0", "203.0.113.255");
	struct child_ts ts;
	assert_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.51.100.0/24");
	tsi = range("198.18.0.1", "198.18.0.1");
	assert_non_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	connection_free(c);
}

/* Fixed addresses without subnets: as before, with or without the SA's */
static void test_fixed_hosts(void **state)
{
	(void)state;
	const char *const kv[] = { "left", "198.18.0.2", "right", "198.18.0.1", NULL };
	struct connection *c = conn("198.18.0.2", kv);
	ip_address me = addr("198.18.0.2"), west = addr("198.18.0.1");
	struct ikev2_ts_list tsi = range("198.18.0.1", "198.18.0.1");
	struct ikev2_ts_list tsr = range("198.18.0.2", "198.18.0.2");
	struct child_ts ts;
	assert_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.18.0.1/32");
	assert_null(ts_narrow(c, NULL, &me, &west, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.remote), "198.18.0.1/32");
	assert_string_equal(net(&ts.local), "198.18.0.2/32");
	connection_free(c);
}

/* The initiator's side: left=%defaultroute proposes its socket's address,
 * and the answer is checked against the same */
static void test_defaultroute_initiator(void **state)
{
	(void)state;
	const char *const kv[] = { "left", "%defaultroute", "right", "198.18.0.2",
				   "rightsubnet", "203.0.113.0/24", NULL };
	struct connection *c = conn("198.18.0.1", kv);
	ip_address me = addr("198.18.0.1"), east = addr("198.18.0.2");
	struct ikev2_ts_list tsi, tsr;
	ts_of_end(local_end(c), &me, &tsi);
	ts_of_end(peer_end(c), &east, &tsr);
	assert_true(address_eq(&tsi.ts[0].start, &me) && address_eq(&tsi.ts[0].end, &me));
	struct child_ts ts;
	assert_null(ts_accept(c, &me, &east, &tsi, &tsr, &ts));
	assert_string_equal(net(&ts.local), "198.18.0.1/32");
	assert_string_equal(net(&ts.remote), "203.0.113.0/24");
	connection_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_peer_without_subnet),
		cmocka_unit_test(test_any_peer_with_subnet),
		cmocka_unit_test(test_fixed_hosts),
		cmocka_unit_test(test_defaultroute_initiator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
