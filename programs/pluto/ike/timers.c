/* SA timers: rekey before the lifetime ends (randomised by rekeyfuzz=),
 * delete at its end, and liveness (dpddelay=, dpdtimeout=, dpdaction=;
 * only for a conn with dpddelay=, see connections.c). Each asks the IKE
 * SA's queue for the exchange; the version does the talking. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "ike/child.h"
#include "ike/initiate.h"
#include "ike/natt.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/timers.h"
#include "pluto.h"

static void arm(struct event **ev, struct event_base *base, event_callback_fn fn, void *arg,
		uint64_t ms)
{
	if (base == NULL)
		return;
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
	/* a Delete that goes unanswered ends it anyway (on_timeout) */
	if (ike->state != IKE_ESTABLISHED)
		ike_sa_delete(ike, "lifetime ended");
	else if (!ike_queued(ike, WORK_DELETE_IKE, 0))
		ike_queue(ike, WORK_DELETE_IKE, 0, NULL, NULL);
}

static void ike_rekey(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	ike_queue(ike, WORK_REKEY_IKE, 0, NULL, NULL);
}

void ike_sa_lifetime_set(struct ike_sa *ike, uint64_t life_ms)
{
	struct connection *c = ike->c;
	struct event_base *base = ike->pluto->base;
	if (c == NULL || life_ms == 0 || ike->state != IKE_ESTABLISHED)
		return;
	uint64_t age = ike->established ? (uint64_t)(time(NULL) - ike->established) * 1000 : 0;
	arm(&ike->expire_timer, base, ike_expired, ike, life_ms > age ? life_ms - age : 1);
	if (c->rekey && ike->original_initiator) {
		uint64_t after = rekey_after(c, life_ms);
		after = after > age ? after - age : 1;
		ike->rekey_at_ms = mono_ms() + after;
		arm(&ike->rekey_timer, base, ike_rekey, ike, after);
	}
}

/* dpdaction= as Openswan's ipsec.conf(5) has it (the keyword table's
 * default is hold). */
enum dpd_action { DPD_CLEAR, DPD_HOLD, DPD_RESTART };

static enum dpd_action dpd_action_of(const struct connection *c)
{
	static const struct { const char *name; enum dpd_action a; } actions[] = {
		{ "clear", DPD_CLEAR }, { "hold", DPD_HOLD }, { "restart", DPD_RESTART },
		/* libreswan's name for restart */
		{ "restart_by_peer", DPD_RESTART },
	};
	for (size_t i = 0; c->dpdaction != NULL && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(c->dpdaction, actions[i].name) == 0)
			return actions[i].a;
	return DPD_HOLD;
}

void ike_peer_dead(struct ike_sa *ike, const char *why)
{
	struct pluto *p = ike->pluto;
	struct connection *c = ike->c;
	bool liveness = c != NULL && c->dpd_delay_ms > 0 && c->dpd_timeout_ms > 0;
	enum dpd_action a = liveness ? dpd_action_of(c) : DPD_CLEAR;
	static const char *const what[] = {
		[DPD_CLEAR] = "dpdaction=clear: its SAs are removed",
		[DPD_HOLD] = "dpdaction=hold: its traffic is held until it comes back",
		[DPD_RESTART] = "dpdaction=restart: initiating again",
	};
	/* the conns of the IKE SA and of its Child SAs (instances of a group
	 * share one IKE SA): each is held or restarted */
	struct connection *conns[16];
	size_t n = 0;
	if (c != NULL)
		conns[n++] = c;
	for (struct child_sa *ch = ike->children; ch != NULL; ch = ch->next) {
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen = seen || conns[i] == ch->c;
		if (!seen && n < sizeof(conns) / sizeof(conns[0]))
			conns[n++] = ch->c;
	}
	char line[256];
	snprintf(line, sizeof(line), "the peer is dead (%s); %s", why,
		 liveness ? what[a] : "deleting its SAs");
	ike_sa_delete(ike, line);
	if (!liveness)
		return;
	for (size_t i = 0; i < n; i++) {
		char err[256];
		if (a == DPD_HOLD && !conns[i]->routed && !conn_route(p, conns[i], err, sizeof(err)))
			llog(&p->logger, RC_WARNING, "\"%s\": dpdaction=hold: %s", conns[i]->name, err);
		else if (a == DPD_RESTART)
			ike_initiate_again(p, conns[i], "dpdaction=restart");
	}
}

void ike_request_timed_out(struct ike_sa *ike)
{
	if (ike->state == IKE_ESTABLISHED || ike->state == IKE_DELETING)
		ike_peer_dead(ike, "no answer to our requests");
	else
		ike_sa_delete(ike, "the peer does not answer");
}

/* Liveness: when nothing came from the peer for dpddelay=, a check is
 * queued; when nothing came for dpdtimeout=, the peer is dead. */
static void ike_dpd(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	const struct connection *c = ike->c;
	uint64_t idle = mono_ms() - ike->last_heard_ms;
	if (idle >= c->dpd_timeout_ms) {
		char why[96];
		snprintf(why, sizeof(why), "nothing heard for %.0f s, dpdtimeout=%.0f s",
			 (double)idle / 1000, (double)c->dpd_timeout_ms / 1000);
		ike_peer_dead(ike, why);
		return;
	}
	uint64_t next = c->dpd_delay_ms;
	if (idle >= c->dpd_delay_ms) {
		if (!ike_queued(ike, WORK_LIVENESS, 0))
			ike_queue(ike, WORK_LIVENESS, 0, NULL, NULL);
	} else {
		next = c->dpd_delay_ms - idle;
	}
	/* wake up in time to declare it dead */
	uint64_t to_death = c->dpd_timeout_ms - idle;
	if (to_death < next)
		next = to_death;
	arm(&ike->dpd_timer, ike->pluto->base, ike_dpd, ike, next ? next : 1);
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
	arm(&ike->expire_timer, ike->pluto->base, ike_half_open_expired, ike,
	    IKE_HALF_OPEN_LIFETIME_S * 1000);
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
	ike->last_heard_ms = mono_ms();
	arm(&ike->expire_timer, base, ike_expired, ike, life);
	if (c->rekey && ike->original_initiator) {
		uint64_t after = rekey_after(c, life);
		ike->rekey_at_ms = mono_ms() + after;
		arm(&ike->rekey_timer, base, ike_rekey, ike, after);
	}
	/* a version without liveness checks would find every quiet peer
	 * dead (both have them: IKEv2's INFORMATIONAL, IKEv1's R_U_THERE;
	 * IKEv1 stops the timer again when the peer does not do DPD) */
	bool checks = ike->ops != NULL && ike->ops->start[WORK_LIVENESS] != NULL;
	if (c->dpd_delay_ms > 0 && c->dpd_timeout_ms > 0 && checks) {
		arm(&ike->dpd_timer, base, ike_dpd, ike, c->dpd_delay_ms);
		ldbg(&ike->logger, DBG_LIFECYCLE,
		     "liveness: a check after %.1f s without a message from the peer, dead after %.1f s",
		     (double)c->dpd_delay_ms / 1000, (double)c->dpd_timeout_ms / 1000);
	} else {
		ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: no checks (%s)",
		     !checks ? "not done in this IKE version" :
		     c->dpd_delay_ms == 0 ? "no dpddelay=" : "dpdtimeout=0");
	}
	natt_keepalive_start(ike);
}

/* ---- Child SA ------------------------------------------------------------ */

static void child_expired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct child_sa *child = arg;
	struct ike_sa *ike = child->ike;
	llog(&child->logger, RC_INFO, "Child SA lifetime ended");
	if (child->state != CHILD_ESTABLISHED || ike->state != IKE_ESTABLISHED)
		child_sa_delete(child, "lifetime ended");
	else if (!ike_queued(ike, WORK_DELETE_CHILD, child->serial))
		ike_queue(ike, WORK_DELETE_CHILD, child->serial, NULL, NULL);
}

static void child_rekey(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct child_sa *child = arg;
	ike_queue(child->ike, WORK_REKEY_CHILD, child->serial, NULL, NULL);
}

void child_sa_timers_start(struct child_sa *child)
{
	struct connection *c = child->c;
	struct event_base *base = child->ike->pluto->base;
	uint64_t life = child->lifetime_ms ? child->lifetime_ms : 8 * 3600000ull;
	arm(&child->expire_timer, base, child_expired, child, life);
	if (c->rekey && child->ike->original_initiator) {
		uint64_t after = rekey_after(c, life);
		child->rekey_at_ms = mono_ms() + after;
		arm(&child->rekey_timer, base, child_rekey, child, after);
	}
}
