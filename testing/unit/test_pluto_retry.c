/* Trying again: the retransmission schedule of a request (ike/transmit.c), the
 * keying attempts of keyingtries= (ike/initiate.c) and the lookups of host
 * names that did not resolve (conn_load.c, conn_timers.c). The host tests
 * keyingtries, keyingtries-forever, psk-wrong and dns-late check the same
 * with two plutos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "conn_load.h"
#include "conn_timers.h"
#include "crypto/crypto.h"
#include "ike/initiate.h"
#include "ike/transmit.h"
#include "ike/ops.h"
#include "ike/sa.h"
#include "pluto.h"
#include "unit_pluto.h"

/* ---- retransmissions -------------------------------------------------- */

/* The whole schedule of one request: the times of the sends (ms after the
 * first) and when it fails, as transmit.c's timer would walk it. */
static unsigned schedule(uint64_t timeout_ms, uint64_t *sends, unsigned max, uint64_t *end)
{
	uint64_t now = 0;
	unsigned n = 0;
	sends[n++] = 0;
	for (;;) {
		uint64_t pause = retransmit_pause_ms(n - 1, now, timeout_ms);
		assert_true(pause > 0);
		now += pause;
		if (retransmit_pause_ms(n - 1, now, timeout_ms) == 0)
			break;
		assert_true(n < max);
		sends[n++] = now;
	}
	*end = now;
	return n;
}

static void test_retransmit_default(void **state)
{
	(void)state;
	uint64_t sends[32], end;
	unsigned n = schedule(RETRANSMIT_TIMEOUT_S * 1000ull, sends, 32, &end);
	/* libreswan's defaults: 500 ms doubling, 60 s in all */
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(sends[i], want[i]);
	assert_int_equal(end, 60000);
}

static void test_retransmit_short(void **state)
{
	(void)state;
	uint64_t sends[32], end;
	/* --retransmit-timeout 2: sends at 0, 0.5 and 1.5 s, the end at 2 s */
	unsigned n = schedule(2000, sends, 32, &end);
	assert_int_equal(n, 3);
	assert_int_equal(sends[2], 1500);
	assert_int_equal(end, 2000);
	/* a long budget: the pause stops growing at its cap */
	n = schedule(600000, sends, 32, &end);
	assert_int_equal(end, 600000);
	for (unsigned i = 1; i < n; i++)
		assert_true(sends[i] - sends[i - 1] <= RETRANSMIT_INTERVAL_MAX_MS);
	assert_int_equal(sends[n - 1] - sends[n - 2], RETRANSMIT_INTERVAL_MAX_MS);
	/* out of time: no pause */
	assert_int_equal(retransmit_pause_ms(3, 2000, 2000), 0);
	assert_int_equal(retransmit_pause_ms(0, 2500, 2000), 0);
}

static void test_pauses(void **state)
{
	(void)state;
	assert_int_equal(keying_pause_ms(1), 1000);
	assert_int_equal(keying_pause_ms(2), 2000);
	assert_int_equal(keying_pause_ms(3), 4000);
	assert_int_equal(keying_pause_ms(7), KEYING_PAUSE_MAX_MS);
	assert_int_equal(keying_pause_ms(1000000), KEYING_PAUSE_MAX_MS);
	assert_int_equal(dns_retry_pause_s(0), DNS_RETRY_FIRST_S);
	unsigned s = 0, steps = 0;
	while (s < DNS_RETRY_MAX_S && steps++ < 100)
		s = dns_retry_pause_s(s);
	assert_int_equal(s, DNS_RETRY_MAX_S);
	assert_int_equal(dns_retry_pause_s(DNS_RETRY_MAX_S), DNS_RETRY_MAX_S);
	assert_int_equal(dns_retry_pause_s(5), 10);
}

/* ---- keyingtries= ------------------------------------------------------ */

static struct connection *conn(const char *keyingtries, const char *right)
{
	struct whack_msg m;
	whack_msg_init(&m, WHACK_ADD);
	whack_msg_add_conn(&m, "left", "198.18.0.1");
	whack_msg_add_conn(&m, "right", right);
	if (keyingtries != NULL)
		whack_msg_add_conn(&m, "keyingtries", keyingtries);
	char err[256];
	struct connection *c = connection_from_keys("c", &m.conn, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "connection_from_keys: %s\n", err);
	assert_non_null(c);
	whack_msg_free(&m);
	return c;
}

static void test_keyingtries_values(void **state)
{
	(void)state;
	struct connection *c = conn(NULL, "198.18.0.2");
	assert_int_equal(c->keyingtries, 0);   /* %forever */
	connection_free(c);
	c = conn("%forever", "198.18.0.2");
	assert_int_equal(c->keyingtries, 0);
	connection_free(c);
	c = conn("0", "198.18.0.2");
	assert_int_equal(c->keyingtries, 0);
	connection_free(c);
	c = conn("7", "198.18.0.2");
	assert_int_equal(c->keyingtries, 7);
	connection_free(c);
}

static struct pluto *new_pluto(void)
{
	return unit_pluto_new(false);
}

static void free_pluto(struct pluto *p)
{
	unit_pluto_free(p);
}

/* An IKE SA of keying attempt n of c, as start_attempt() makes it. */
static struct ike_sa *attempt(struct pluto *p, struct connection *c, unsigned n)
{
	struct ike_sa *ike = ike_sa_new(p, &ikev2_ops, c, true);
	ike->spi_i[0] = (uint8_t)n;
	ike->attempt = n;
	c->keying_attempt = n;
	c->keying_waiting = false;
	ike_sa_insert(ike);
	return ike;
}

static void test_attempts(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct connection *c = conn("3", "198.18.0.2");
	connections_add(&p->conns, c);

	/* a timeout: the next attempt at once */
	uint64_t t0 = mono_ms();
	ike_initiate_failed(attempt(p, c, 1), FAIL_TIMEOUT, "no answer");
	assert_true(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 2);
	assert_true(c->keying_at_ms >= t0 && c->keying_at_ms <= mono_ms());
	assert_null(ike_sa_first(p));   /* the failed attempt's IKE SA is gone */

	/* a refusal: the next one after the pause */
	t0 = mono_ms();
	ike_initiate_failed(attempt(p, c, 2), FAIL_REFUSED, "AUTHENTICATION_FAILED");
	assert_true(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 3);
	assert_true(c->keying_at_ms >= t0 + keying_pause_ms(2));

	/* the last one: no more */
	ike_initiate_failed(attempt(p, c, 3), FAIL_TIMEOUT, "no answer");
	assert_false(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 0);

	/* this host's own failure ends the attempts */
	ike_initiate_failed(attempt(p, c, 1), FAIL_LOCAL, "no PSK");
	assert_false(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 0);

	/* an attempt that a newer initiation replaced does not go on */
	struct ike_sa *old = attempt(p, c, 1);
	c->keying_attempt = 5;   /* the conn is at another attempt now */
	ike_initiate_failed(old, FAIL_TIMEOUT, "no answer");
	assert_false(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 5);
	/* cancelling deletes the IKE SAs of attempts under way */
	attempt(p, c, 1);
	assert_int_equal(ike_initiate_cancel(p, c, "test"), 1);
	assert_null(ike_sa_first(p));
	assert_int_equal(c->keying_attempt, 0);

	/* %forever: never the last */
	c->keyingtries = 0;
	ike_initiate_failed(attempt(p, c, 1000), FAIL_TIMEOUT, "no answer");
	assert_true(c->keying_waiting);
	assert_int_equal(c->keying_attempt, 1001);
	/* cancelling counts the waiting one */
	assert_int_equal(ike_initiate_cancel(p, c, "test"), 1);
	assert_false(c->keying_waiting);
	free_pluto(p);
}

/* ---- host names that did not resolve ------------------------------------ */

static void test_dns_retry(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();   /* no resolver: every lookup fails at once */
	struct connection *c = conn(NULL, "east.example");
	c->serial = 1;
	connections_add(&p->conns, c);
	struct end *e = &c->end[1];
	assert_int_equal(e->host_kind, HOST_DNS);
	assert_true(e->host_is_name);
	uint64_t t0 = mono_ms();
	assert_int_equal(conn_resolve(p, c), 1);
	assert_false(e->dns_pending);
	assert_non_null(e->dns_error);
	assert_int_equal(e->dns_retry_s, DNS_RETRY_FIRST_S);
	assert_true(e->dns_retry_at_ms >= t0 + DNS_RETRY_FIRST_S * 1000ull);
	/* not due yet: nothing happens */
	uint64_t at = e->dns_retry_at_ms;
	conn_timers_run(p, at - 1);
	assert_int_equal(e->dns_retry_s, DNS_RETRY_FIRST_S);
	assert_int_equal(e->dns_retry_at_ms, at);
	/* due: looked up again, and the pause doubles (from the real clock) */
	t0 = mono_ms();
	conn_timers_run(p, at);
	assert_int_equal(e->dns_retry_s, 2 * DNS_RETRY_FIRST_S);
	assert_true(e->dns_retry_at_ms >= t0 + 2 * DNS_RETRY_FIRST_S * 1000ull);
	for (int i = 0; i < 20; i++)
		conn_timers_run(p, e->dns_retry_at_ms);
	assert_int_equal(e->dns_retry_s, DNS_RETRY_MAX_S);
	assert_int_equal(c->local, -1);
	free_pluto(p);
}

static int setup(void **state)
{
	(void)state;
	err_t e = crypto_init_nodb();
	if (e != NULL) {
		fprintf(stderr, "crypto_init_nodb: %s\n", e);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	crypto_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retransmit_default),
		cmocka_unit_test(test_retransmit_short),
		cmocka_unit_test(test_pauses),
		cmocka_unit_test(test_keyingtries_values),
		cmocka_unit_test(test_attempts),
		cmocka_unit_test(test_dns_retry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
