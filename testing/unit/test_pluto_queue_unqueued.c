/* Work a version does not queue (struct ike_ops' unqueued, ike/queue.c):
 * IKEv1's Informationals (a liveness check, Deletes) start while another
 * exchange (a Quick Mode) waits for its answer, are never the running
 * work, and are not held behind it; the queued kinds still go one at a
 * time, and unqueued work still waits for the IKE SA to be established.
 * The version is a recording ops table, the event loop a libevent base
 * run without blocking. */
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

static enum ike_work_kind started[32];
static unsigned n_started;
static struct ike_work *running_at_start[32];

static bool fake_start(struct ike_sa *ike, struct ike_work *w)
{
	assert_true(n_started < 32);
	running_at_start[n_started] = ike->running;
	started[n_started++] = w->kind;
	return true;
}

static const struct ike_ops fake_ops = {
	.name = "fake",
	.major = 98,
	.start = {
		[WORK_NEW_CHILD] = fake_start, [WORK_REKEY_CHILD] = fake_start,
		[WORK_REKEY_IKE] = fake_start, [WORK_DELETE_CHILD] = fake_start,
		[WORK_DELETE_IKE] = fake_start, [WORK_LIVENESS] = fake_start,
	},
	.unqueued = 1u << WORK_LIVENESS | 1u << WORK_DELETE_CHILD,
};

static struct ike_sa *new_ike(struct pluto *p)
{
	struct ike_sa *ike = ike_sa_new(p, &fake_ops, NULL, true);
	ike->spi_i[0] = 7;
	ike_sa_insert(ike);
	return ike;
}

static void establish(struct ike_sa *ike)
{
	ike_set_state(ike, IKE_I_INIT_SENT);
	ike_set_state(ike, IKE_I_AUTH_SENT);
	ike_set_state(ike, IKE_ESTABLISHED);
}

static void run(struct pluto *p)
{
	event_base_loop(p->base, EVLOOP_NONBLOCK);
}

/* a liveness check while a rekey waits for its answer: started at once */
static void test_liveness_during_exchange(void **state)
{
	(void)state;
	n_started = 0;
	struct pluto *p = unit_pluto_new(true);
	struct ike_sa *ike = new_ike(p);
	establish(ike);
	assert_true(ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL));
	run(p);
	assert_int_equal(n_started, 1);
	struct ike_work *qm = ike->running;
	assert_non_null(qm);
	ike->request_outstanding = true;   /* its message 1 waits for an answer */
	assert_true(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	assert_true(ike_queue(ike, WORK_DELETE_CHILD, 9, NULL, NULL));
	run(p);
	assert_int_equal(n_started, 3);
	assert_int_equal(started[1], WORK_LIVENESS);
	assert_int_equal(started[2], WORK_DELETE_CHILD);
	/* neither became the running work, and the queue is empty */
	assert_ptr_equal(running_at_start[1], qm);
	assert_ptr_equal(ike->running, qm);
	assert_int_equal(ike_queue_length(ike), 0);
	/* not remembered: the next check is queued (and started) again */
	assert_false(ike_queued(ike, WORK_LIVENESS, 0));
	assert_true(ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL));
	run(p);
	assert_int_equal(n_started, 4);
	ike->request_outstanding = false;
	unit_pluto_free(p);
}

/* queued kinds behind the running one still wait, unqueued ones between
 * them do not */
static void test_queued_still_wait(void **state)
{
	(void)state;
	n_started = 0;
	struct pluto *p = unit_pluto_new(true);
	struct ike_sa *ike = new_ike(p);
	establish(ike);
	ike_queue(ike, WORK_REKEY_CHILD, 5, NULL, NULL);
	ike_queue(ike, WORK_REKEY_CHILD, 6, NULL, NULL);
	ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);
	ike_queue(ike, WORK_NEW_CHILD, 0, NULL, NULL);
	run(p);
	/* the liveness check and the first rekey; the second rekey and the new Child SA wait */
	assert_int_equal(n_started, 2);
	assert_int_equal(started[0], WORK_LIVENESS);
	assert_int_equal(started[1], WORK_REKEY_CHILD);
	assert_int_equal(ike_queue_length(ike), 2);
	ike_work_done(ike);
	run(p);
	assert_int_equal(n_started, 3);
	assert_int_equal(ike->running->child_serial, 6);
	ike_work_done(ike);
	run(p);
	assert_int_equal(n_started, 4);
	assert_int_equal(started[3], WORK_NEW_CHILD);
	unit_pluto_free(p);
}

/* unqueued work still waits for the IKE SA to be established */
static void test_unqueued_waits_for_established(void **state)
{
	(void)state;
	n_started = 0;
	struct pluto *p = unit_pluto_new(true);
	struct ike_sa *ike = new_ike(p);
	ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);
	run(p);
	assert_int_equal(n_started, 0);
	establish(ike);
	run(p);
	assert_int_equal(n_started, 1);
	assert_null(ike->running);
	unit_pluto_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_liveness_during_exchange),
		cmocka_unit_test(test_queued_still_wait),
		cmocka_unit_test(test_unqueued_waits_for_established),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
