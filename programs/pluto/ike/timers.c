/* SA timers: rekey before the lifetime ends (randomised by rekeyfuzz=),
 * delete at its end, and liveness checks (only for a conn with dpddelay=;
 * see connections.c). */
#include <event2/event.h>
#include <stdlib.h>
#include "crypto/crypto.h"
#include "ike/exchanges.h"
#include "ike/msg.h"
#include "pluto.h"

static void arm(struct event **ev, struct event_base *base, event_callback_fn fn, void *arg,
		uint64_t ms)
{
	if (*ev == NULL)
		*ev = event_new(base, -1, 0, fn, arg);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };
	event_add(*ev, &tv);
}

/* When to start rekeying: lifetime - margin * (1 + random fuzz%). */
static uint64_t rekey_after(const struct connection *c, uint64_t life_ms)
{
	uint32_t r = 0;
	random_bytes(&r, sizeof(r));
	uint64_t margin = c->rekeymargin_ms;
	margin += margin * (r % (c->rekeyfuzz + 1)) / 100;
	if (margin >= life_ms)
		return life_ms / 2;
	return life_ms - margin;
}

/* ---- IKE SA ----------------------------------------------------------- */

static void ike_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	llog(&ike->logger, RC_INFO, "IKE SA lifetime ended");
	if (!info_delete_ike(ike, NULL))
		ike_sa_delete(ike, "lifetime ended");
}

static void ike_rekey(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	if (!ike_rekey_start(ike))
		llog(&ike->logger, RC_WARNING, "cannot rekey the IKE SA now");
}

static void ike_dpd(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	const struct connection *c = ike->c;
	uint64_t idle_ms = (uint64_t)(time(NULL) - ike->last_heard) * 1000;
	if (idle_ms >= c->dpd_delay_ms && ike_outstanding(ike) == REQ_NONE)
		info_liveness(ike);
	arm(&ike->dpd_timer, ike->pluto->base, ike_dpd, ike, c->dpd_delay_ms);
}

static void ike_half_open_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	ike_sa_delete(ike, "no IKE_AUTH request in time: forgetting the half-open IKE SA");
}

void ike_sa_half_open_timer_start(struct ike_sa *ike)
{
	if (ike->expire_timer == NULL)
		ike->expire_timer = event_new(ike->pluto->base, -1, 0, ike_half_open_expired, ike);
	struct timeval tv = { IKE_HALF_OPEN_LIFETIME_S, 0 };
	event_add(ike->expire_timer, &tv);
}

void ike_sa_timers_start(struct ike_sa *ike)
{
	struct connection *c = ike->c;
	struct event_base *base = ike->pluto->base;
	if (ike->expire_timer != NULL) {   /* the half-open one: a new callback */
		event_free(ike->expire_timer);
		ike->expire_timer = NULL;
	}
	uint64_t life = c->ike_lifetime_ms ? c->ike_lifetime_ms : 3600000;
	ike->last_heard = time(NULL);
	arm(&ike->expire_timer, base, ike_expired, ike, life);
	if (c->rekey && ike->original_initiator)
		arm(&ike->rekey_timer, base, ike_rekey, ike, rekey_after(c, life));
	if (c->dpd_delay_ms > 0 && c->dpd_timeout_ms > 0) {
		arm(&ike->dpd_timer, base, ike_dpd, ike, c->dpd_delay_ms);
		ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: a check after %.1f s without a message from the peer",
		     (double)c->dpd_delay_ms / 1000);
	} else {
		ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: no checks (%s)",
		     c->dpd_delay_ms == 0 ? "no dpddelay=" : "dpdtimeout=0");
	}
}

/* ---- Child SA ------------------------------------------------------------ */

static void child_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct child_sa *child = arg;
	llog(&child->logger, RC_INFO, "Child SA lifetime ended");
	if (!info_delete_child(child))
		child_sa_delete(child, "lifetime ended");
}

static void child_rekey(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct child_sa *child = arg;
	if (!child_rekey_start(child))
		llog(&child->logger, RC_WARNING, "cannot rekey the Child SA now");
}

void child_sa_timers_start(struct child_sa *child)
{
	struct connection *c = child->c;
	struct event_base *base = child->ike->pluto->base;
	uint64_t life = child->lifetime_ms ? child->lifetime_ms : 8 * 3600000ull;
	arm(&child->expire_timer, base, child_expired, child, life);
	if (c->rekey && child->ike->original_initiator)
		arm(&child->rekey_timer, base, child_rekey, child, rekey_after(c, life));
}
