/* The per-IKE-SA exchange queue (ike/queue.c): one exchange at a time,
 * started only when the IKE SA is established, the next one after
 * ike_work_done(); no work queued twice; a Delete of the IKE SA first;
 * work that cannot start is dropped and the next one runs; a rekeyed IKE
 * SA takes the queue over. The versions are replaced by a recording ops
 * table, the event loop by a libevent base run without blocking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <event2/event.h>
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "pluto.h"
#include "unit_pluto.h"

/* What the fake version saw: the kinds started, in order. */
static enum ike_work_kind started[32];
static unsigned n_started;
static bool refuse_next;   /* the next start returns false */

static bool fake_start(struct ike_sa *ike, struct ike_work *w)
{
	(void)ike;
	if (refuse_next) {
		refuse_next = false;
		return false;
	}
	assert_true(n_started < 32);
	started[n_started++] = w->kind;
	return true;
}

static const struct ike_ops fake_ops = {
	.name = "fake",
	.major = 99,
	.start = {
		[WORK_NEW_CHILD] = fake_start, [WORK_REKEY_CHILD] = fake_start,
		[WORK_REKEY_IKE] = fake_start, [WORK_DELETE_CHILD] = fake_start,
		[WORK_DELETE_IKE] = fake_start, [WORK_LIVENESS] = fake_start,
	},
};

static struct pluto *new_pluto(void)
{
	struct pluto *p = unit_pluto_new(true);
	n_started = 0;
	refuse_next = false;
	return p;
}

static void free_pluto(struct pluto *p)
{
	unit_pluto_free(p);
}

static struct ike_sa *new_ike(struct pluto *p, uint8_t spi0)
{
	struct ike_sa *ike = ike_sa_new(p, &fake_ops, NULL, true);
	ike->spi_i[0] = spi0;
	ike_sa_insert(ike);
	return ike;
}

static void establish(struct ike_sa *ike)
{
	ike_set_state(ike, IKE_I_INIT_SENT);
	ike_set_state(ike, IKE_I_AUTH_SENT);
	ike_set_state(ike, IKE_ESTABLISHED);
}

/* What the event loop would do now. */
static void run(struct pluto *p)
{
	event_base_loop(p->base, EVLOOP_NONBLOCK);
}

static void test_waits_for_established(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	assert_true(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	run(p);
	assert_int_equal(n_started, 0);   /* not established yet */
	establish(ike);
	run(p);
	assert_int_equal(n_started, 1);
	assert_int_equal(started[0], WORK_LIVENESS);
	free_pluto(p);
}

static void test_one_at_a_time(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	establish(ike);
	/* two Child SAs whose lifetimes end together, and a liveness check */
	assert_true(ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL));
	assert_true(ike_queue(ike, WORK_REKEY_CHILD, 6, NULL, NULL));
	assert_true(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	run(p);
	assert_int_equal(n_started, 1);
	assert_int_equal(ike_queue_length(ike), 2);
	ike_work_done(ike);
	run(p);
	assert_int_equal(n_started, 2);
	assert_int_equal(started[1], WORK_REKEY_CHILD);
	assert_int_equal(ike->running->child_serial, 6);
	ike_work_done(ike);
	run(p);
	assert_int_equal(n_started, 3);
	assert_int_equal(started[2], WORK_LIVENESS);
	ike_work_done(ike);
	run(p);
	assert_int_equal(n_started, 3);
	assert_null(ike->running);
	free_pluto(p);
}

static void test_no_duplicates(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	assert_true(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	assert_false(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	assert_true(ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL));
	assert_false(ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL));
	assert_true(ike_queue(ike, WORK_REKEY_CHILD, 7, NULL, NULL));
	assert_int_equal(ike_queue_length(ike), 3);
	assert_true(ike_queued(ike, WORK_REKEY_CHILD, 7));
	assert_false(ike_queued(ike, WORK_REKEY_CHILD, 8));
	establish(ike);
	run(p);
	/* the running one counts too */
	assert_false(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	free_pluto(p);
}

static void test_delete_first(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);
	ike_queue(ike, WORK_REKEY_IKE, 0, NULL, NULL);
	ike_queue(ike, WORK_DELETE_IKE, 0, NULL, NULL);
	establish(ike);
	run(p);
	assert_int_equal(n_started, 1);
	assert_int_equal(started[0], WORK_DELETE_IKE);
	free_pluto(p);
}

static void test_refused_start_goes_on(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	establish(ike);
	refuse_next = true;   /* e.g. the Child SA to rekey went meanwhile */
	ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL);
	ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);
	run(p);
	assert_int_equal(n_started, 1);
	assert_int_equal(started[0], WORK_LIVENESS);
	assert_int_equal(ike_queue_length(ike), 0);
	free_pluto(p);
}

static void test_move_to_rekeyed(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *old = new_ike(p, 1);
	establish(old);
	ike_queue(old, WORK_REKEY_IKE, 0, NULL, NULL);
	run(p);
	ike_queue(old, WORK_REKEY_CHILD, 5, NULL, NULL);
	ike_queue(old, WORK_LIVENESS, 0, NULL, NULL);
	struct ike_sa *new = new_ike(p, 2);
	establish(new);
	ike_queue_move(old, new);
	assert_int_equal(ike_queue_length(old), 0);
	assert_int_equal(ike_queue_length(new), 2);
	run(p);
	assert_int_equal(n_started, 2);   /* the old one's REKEY_IKE, then the new one's first */
	assert_int_equal(started[1], WORK_REKEY_CHILD);
	assert_ptr_not_equal(new->running, NULL);
	free_pluto(p);
}

static void test_forget_conn(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct ike_sa *ike = new_ike(p, 1);
	char na[] = "g/1x1", nb[] = "g/1x2";
	struct connection a = { .name = na }, b = { .name = nb };
	ike_queue(ike, WORK_NEW_CHILD, 0, &a, NULL);
	ike_queue(ike, WORK_NEW_CHILD, 0, &b, NULL);
	assert_false(ike_queue(ike, WORK_NEW_CHILD, 0, &b, NULL));
	ike_queue_forget_conn(ike, &a);
	assert_int_equal(ike_queue_length(ike), 1);
	ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);   /* the tail is right */
	assert_int_equal(ike_queue_length(ike), 2);
	establish(ike);
	run(p);
	assert_ptr_equal(ike->running->c, &b);
	free_pluto(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_for_established),
		cmocka_unit_test(test_one_at_a_time),
		cmocka_unit_test(test_no_duplicates),
		cmocka_unit_test(test_delete_first),
		cmocka_unit_test(test_refused_start_goes_on),
		cmocka_unit_test(test_move_to_rekeyed),
		cmocka_unit_test(test_forget_conn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
