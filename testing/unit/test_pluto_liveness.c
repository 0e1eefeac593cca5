/* Liveness (DPD) is off unless the conn sets dpddelay= (as Openswan and
 * libreswan): the keyword table's dpddelay=30s/dpdtimeout=120s defaults
 * are what is used once it is on, not a switch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "connections.h"
#include "ipsecconf/keywords.h"
#include "whack.h"
#include "unit_conn.h"

/* left/right and "key", "value" pairs, as addconn sends them */
static struct connection *conn(const char *const *kv)
{
	return unit_conn(unit_conn_ends, kv);
}

static void test_off_without_dpddelay(void **state)
{
	(void)state;
	const char *const none[] = { NULL };
	struct connection *c = conn(none);
	assert_int_equal(c->dpd_delay_ms, 0);
	/* the table's values are still there for when it is on */
	assert_int_equal(c->dpd_timeout_ms, 120000);
	assert_string_equal(c->dpdaction, "hold");
	connection_free(c);
	/* dpdtimeout= and dpdaction= do not switch it on by themselves */
	const char *const timeout[] = { "dpdtimeout", "60s", "dpdaction", "clear", NULL };
	c = conn(timeout);
	assert_int_equal(c->dpd_delay_ms, 0);
	assert_int_equal(c->dpd_timeout_ms, 60000);
	assert_string_equal(c->dpdaction, "clear");
	connection_free(c);
	/* dpddelay=0 is off */
	const char *const zero[] = { "dpddelay", "0", NULL };
	c = conn(zero);
	assert_int_equal(c->dpd_delay_ms, 0);
	connection_free(c);
}

static void test_on_with_dpddelay(void **state)
{
	(void)state;
	const char *const delay[] = { "dpddelay", "1s", NULL };
	struct connection *c = conn(delay);
	assert_int_equal(c->dpd_delay_ms, 1000);
	assert_int_equal(c->dpd_timeout_ms, 120000);   /* the table's default */
	connection_free(c);
	const char *const both[] = { "dpddelay", "10", "dpdtimeout", "0.5m", "dpdaction", "restart", NULL };
	c = conn(both);
	assert_int_equal(c->dpd_delay_ms, 10000);
	assert_int_equal(c->dpd_timeout_ms, 30000);
	assert_string_equal(c->dpdaction, "restart");
	connection_free(c);
}

static void test_keyword_table_defaults_kept(void **state)
{
	(void)state;
	/* readwriteconf shows these; they document the values used once on */
	struct kw_ref d = keyword_lookup("dpddelay", 8);
	struct kw_ref t = keyword_lookup("dpdtimeout", 10);
	assert_non_null(d.kw);
	assert_non_null(t.kw);
	assert_string_equal(d.kw->deflt, "30s");
	assert_string_equal(t.kw->deflt, "120s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_without_dpddelay),
		cmocka_unit_test(test_on_with_dpddelay),
		cmocka_unit_test(test_keyword_table_defaults_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
