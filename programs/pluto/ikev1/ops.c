/* IKEv1 behind the core's ops table (ike/ops.h). The queue can start a
 * Quick Mode for another conn, the rekey of a Child SA (a new Quick Mode
 * before its lifetime ends, rekeymargin= and rekeyfuzz= as IKEv2's; the
 * old SA's Delete after a short overlap: quick_mode.c), the rekey of the
 * ISAKMP SA (a new Main Mode on a new ISAKMP SA, which takes the Child
 * SAs and the queue over once it is up; then the old one's Delete), the
 * Delete of a Child SA, the Delete of the ISAKMP SA (its Child SAs'
 * Delete first, unless a newer ISAKMP SA with the peer takes them) and a
 * liveness check (DPD, RFC 3706: dpd.c). Only the original initiator
 * rekeys (the core's timers); the responder's SAs expire. The
 * Informational ones (Deletes, liveness) do not wait for a Quick Mode
 * under way (ikev1_ops.unqueued): IKEv1 Informationals are not
 * request/response pairs. */
#include <event2/event.h>
#include <string.h>
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "ike/timers.h"
#include "ikev1/frag.h"
#include "ikev1/ikev1.h"
#include "pluto.h"

static void ikev1_initiate(struct ike_sa *ike)
{
	if (ike->c->aggrmode)
		aggressive_mode_initiate(ike);
	else
		main_mode_initiate(ike);
}

void ikev1_part_free(struct ike_sa *ike)
{
	struct ikev1_part *v1 = &ike->v1;
	ikev1_dpd_free(ike);
	ikev1_retire_free(ike);
	if (v1->retire_ike != NULL)
		event_free(v1->retire_ike);
	v1->retire_ike = NULL;
	ikev1_xa_free(ike);   /* XAUTH, Mode Config: the address back to its pool */
	chunk_free(&v1->sa_i_b);
	chunk_free(&v1->gxi);
	chunk_free(&v1->gxr);
	chunk_free(&v1->last_in);
	chunk_free(&v1->peer_id_b);
	chunk_free(&v1->answer_sa);
	chunk_free(&v1->peer_hash);
	ikev1_frags_free(&v1->frags);
	ikev1_quick_free(&v1->qi);
	ikev1_quick_free(&v1->qr);
	ikev1_keys_free(&v1->keys);
	v1->keys_ready = false;
}

/* An IPsec Delete naming every Child SA of the ISAKMP SA. */
static void delete_all_children(struct ike_sa *ike)
{
	struct child_sa *list[16];
	size_t n = 0;
	for (struct child_sa *c = ike->children; c != NULL && n < 16; c = c->next)
		list[n++] = c;
	ikev1_send_delete_children(ike, list, n);
}

/* Another established ISAKMP SA with the same peer for the same conn
 * (the newest), or NULL. */
static struct ike_sa *successor(struct ike_sa *ike)
{
	struct ike_sa *best = NULL;
	for (struct ike_sa *s = ike_sa_first(ike->pluto); s != NULL; s = s->next_all)
		if (s != ike && s->ops == &ikev1_ops && s->state == IKE_ESTABLISHED && s->c == ike->c &&
		    ike->c != NULL && address_eq(&s->remote, &ike->remote) &&
		    (best == NULL || s->serial > best->serial))
			best = s;
	return best;
}

/* An IKEv1 Child SA does not depend on the ISAKMP SA that made it: when
 * one goes (rekeyed, expired, deleted by the peer) and another with the
 * same peer is up, that one takes its Child SAs (and their pending
 * Deletes). Returns how many moved. */
static unsigned hand_over(struct ike_sa *from, struct ike_sa *to)
{
	unsigned n = 0;
	struct child_sa **tail = &to->children;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = from->children;
	from->children = NULL;
	for (struct child_sa *c = *tail; c != NULL; c = c->next, n++)
		c->ike = to;
	for (size_t i = 0; i < from->v1.n_retire; i++) {
		struct child_sa *old = child_sa_by_serial(from->pluto, from->v1.retire[i]);
		if (old != NULL && old->ike == to && old->state == CHILD_REKEYED)
			ikev1_retire_later(to, old);
	}
	from->v1.n_retire = 0;
	if (to->c != NULL)
		to->c->ike_serial = to->serial;
	return n;
}

unsigned ikev1_hand_over(struct ike_sa *ike)
{
	struct ike_sa *to = ike->children != NULL ? successor(ike) : NULL;
	if (to == NULL)
		return 0;
	unsigned n = hand_over(ike, to);
	llog(&ike->logger, RC_INFO, "its %u Child SA%s stay%s, under ISAKMP SA #%u", n, n == 1 ? "" : "s",
	     n == 1 ? "s" : "", to->serial);
	return n;
}

/* An Informational is not answered: the Deletes go, and so does the SA.
 * Not queued (ikev1_ops.unqueued): no ike_work_done. */
bool ikev1_delete_ike(struct ike_sa *ike, struct ike_work *w)
{
	(void)w;
	ikev1_hand_over(ike);
	delete_all_children(ike);
	ikev1_send_delete(ike);
	ike_sa_delete(ike, "deleted (ISAKMP Delete sent to the peer)");
	return true;
}

/* WORK_REKEY_IKE: a new Main Mode on a new ISAKMP SA, which remembers the
 * old one (rekey_of). The old one's queue goes on meanwhile: nothing of
 * it waits for the new Main Mode. */
static bool rekey_ike(struct ike_sa *ike, struct ike_work *w)
{
	(void)w;
	struct connection *c = ike->c;
	if (c == NULL || ike->state != IKE_ESTABLISHED || !c->rekey)
		return false;
	for (struct ike_sa *s = ike_sa_first(ike->pluto); s != NULL; s = s->next_all)
		if (s->ops == &ikev1_ops && s->v1.rekey_of == ike->serial)
			return false;   /* one is under way */
	struct ike_sa *n = ike_sa_new(ike->pluto, &ikev1_ops, c, true);
	if (random_ike_spi(n->spi_i) != NULL) {
		ike_sa_delete(n, NULL);
		return false;
	}
	n->iface = ike->iface;
	n->remote = ike->remote;
	n->remote_port = ike->remote_port;
	n->v1.rekey_of = ike->serial;
	ike_sa_insert(n);
	llog(&n->logger, RC_INFO, "rekeying ISAKMP SA #%u (its lifetime ends): a new %s", ike->serial,
	     c->aggrmode ? "Aggressive Mode" : "Main Mode");
	ikev1_initiate(n);
	return false;
}

/* The replaced ISAKMP SA's Delete goes ISAKMP_REKEY_OVERLAP_MS after the
 * new one is up, as a replaced Child SA's does (quick_mode.c): a peer
 * that moves its IPsec SAs to the new ISAKMP SA only after it is up
 * (strongSwan adopts them in a job of its own) would otherwise take the
 * Delete first and delete them with the old one. */
#define ISAKMP_REKEY_OVERLAP_MS 2000

static void retire_ike_now(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *old = arg;
	if (old->state == IKE_ESTABLISHED && !ike_queued(old, WORK_DELETE_IKE, 0))
		ike_queue(old, WORK_DELETE_IKE, 0, NULL, NULL);
}

static void retire_ike_later(struct ike_sa *old)
{
	struct ikev1_part *v1 = &old->v1;
	if (v1->retire_ike == NULL && old->pluto->base != NULL)
		v1->retire_ike = event_new(old->pluto->base, -1, 0, retire_ike_now, old);
	if (v1->retire_ike == NULL) {
		retire_ike_now(-1, 0, old);
		return;
	}
	struct timeval tv = { ISAKMP_REKEY_OVERLAP_MS / 1000, (ISAKMP_REKEY_OVERLAP_MS % 1000) * 1000 };
	event_add(v1->retire_ike, &tv);
	ldbg(&old->logger, DBG_LIFECYCLE, "replaced: its ISAKMP Delete in %u ms", ISAKMP_REKEY_OVERLAP_MS);
}

bool ikev1_rekey_ike_done(struct ike_sa *ike)
{
	struct ike_sa *old = ike_sa_by_serial(ike->pluto, ike->v1.rekey_of);
	ike->v1.rekey_of = 0;
	if (old == NULL || old->ops != &ikev1_ops || old->state != IKE_ESTABLISHED)
		return false;   /* it went meanwhile, and its Child SAs: Quick Mode as for a new one */
	unsigned n = hand_over(old, ike);
	llog(&ike->logger, RC_INFO, "rekeyed ISAKMP SA #%u: its %u Child SA%s under this one now", old->serial, n,
	     n == 1 ? " is" : "s are");
	ike_queue_move(old, ike);
	/* a Quick Mode still under way on the old one ends with it: the new
	 * one does it again (the Child SA it rekeys moved over) */
	struct ike_work *r = old->running;
	if (r != NULL && (r->kind == WORK_REKEY_CHILD || r->kind == WORK_NEW_CHILD)) {
		llog(&ike->logger, RC_INFO, "%s under way on ISAKMP SA #%u: again on this one",
		     ike_work_name(r->kind), old->serial);
		struct ctl_client *whack = r->whack;
		r->whack = NULL;   /* ike_queue takes it, whatever it returns */
		ike_queue(ike, r->kind, r->child_serial, r->c, whack);
	}
	ike_whack_done(ike, 0);
	retire_ike_later(old);
	return true;
}

/* Oakley SA Life Type / Life Duration (RFC 2409 app. A). */
#define OAKLEY_LIFE_TYPE 11
#define OAKLEY_LIFE_DURATION 12
#define OAKLEY_LIFE_SECONDS 1
#define CORE_IKE_LIFE_MS 3600000u   /* ike/timers.c without ikelifetime= */
#define PROPOSED_DEFAULT_S 28800u   /* RFC 2407 4.5: when none is given */

/* The longest lifetime in seconds of the initiator's Main Mode SA payload
 * (v1.sa_i_b), 0: none said. */
static uint64_t proposed_life_s(const struct ike_sa *ike)
{
	static struct isakmp_sa sa;
	struct isakmp_diag d = { 0 };
	struct isakmp_payload p = { .type = ISAKMP_NEXT_SA, .body = ike->v1.sa_i_b.ptr, .len = ike->v1.sa_i_b.len };
	uint64_t best = 0;
	if (ike->v1.sa_i_b.ptr == NULL || isakmp_decode_sa(&p, &sa, &d) != NULL)
		return 0;
	for (size_t i = 0; i < sa.n_proposals; i++)
		for (size_t k = 0; k < sa.proposals[i].n_transforms; k++) {
			const struct isakmp_transform *t = &sa.proposals[i].transforms[k];
			uint64_t type = OAKLEY_LIFE_SECONDS;
			for (size_t a = 0; a < t->n_attrs; a++) {
				if (t->attrs[a].type == OAKLEY_LIFE_TYPE)
					type = t->attrs[a].value;
				else if (t->attrs[a].type == OAKLEY_LIFE_DURATION && type == OAKLEY_LIFE_SECONDS &&
					 t->attrs[a].value > best)
					best = t->attrs[a].value;
			}
		}
	return best;
}

static void follow_lifetime(struct ike_sa *ike, uint64_t life_s, const char *why)
{
	const struct connection *c = ike->c;
	uint64_t conn_ms = c->ike_lifetime_ms ? c->ike_lifetime_ms : CORE_IKE_LIFE_MS;
	if (life_s == 0 || life_s * 1000 >= conn_ms)
		return;
	ike_sa_lifetime_set(ike, life_s * 1000);
	llog(&ike->logger, RC_INFO, "ISAKMP SA lifetime %llu s (%s)", (unsigned long long)life_s, why);
}

void ikev1_lifetime_established(struct ike_sa *ike)
{
	if (ike->c == NULL)
		return;
	follow_lifetime(ike, ike->v1.life_s, "the shorter of ours and the peer's");
	if (ike->original_initiator)
		return;
	uint64_t proposed = proposed_life_s(ike);
	if (proposed == 0)
		proposed = PROPOSED_DEFAULT_S;
	if (ike->v1.life_s == 0 || ike->v1.life_s >= proposed)
		return;
	uint8_t attrs[16];
	size_t n = ikev1_lifetime_attrs(ike->v1.life_s, 0, attrs, sizeof(attrs));
	if (n > 0 && ikev1_send_notify_data(ike, ISAKMP_N_RESPONDER_LIFETIME, attrs, n))
		llog(&ike->logger, RC_INFO, "sent RESPONDER-LIFETIME: %llu s, shorter than the peer's %llu s",
		     (unsigned long long)ike->v1.life_s, (unsigned long long)proposed);
}

void ikev1_responder_lifetime(struct ike_sa *ike, const struct isakmp_notify *n)
{
	uint64_t secs, kb;
	const char *why = ikev1_lifetime_parse(n->data.ptr, n->data.len, &secs, &kb);
	if (why == NULL && n->protocol != ISAKMP_PROTO_ISAKMP)
		why = "not about the ISAKMP SA (an IPsec SA's comes in Quick Mode message 2)";
	if (why == NULL && (!ike->original_initiator || ike->state != IKE_ESTABLISHED))
		why = "we are not the initiator of an established ISAKMP SA";
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "ignoring RESPONDER-LIFETIME: %s", why);
		return;
	}
	if (secs == 0 || (ike->v1.life_s != 0 && secs >= ike->v1.life_s))
		return;
	ike->v1.life_s = secs;
	follow_lifetime(ike, secs, "the responder's, RESPONDER-LIFETIME");
}

static bool rekey_child(struct ike_sa *ike, struct ike_work *w)
{
	struct child_sa *old = child_sa_by_serial(ike->pluto, w->child_serial);
	if (old == NULL || old->ike != ike || old->state != CHILD_ESTABLISHED || !old->c->rekey)
		return false;
	return quick_mode_rekey(ike, old);
}

void ikev1_goodbye(struct ike_sa *ike)
{
	delete_all_children(ike);
	ikev1_send_delete(ike);
}

static bool new_child(struct ike_sa *ike, struct ike_work *w)
{
	if (w->c == NULL)
		return false;
	return quick_mode_initiate(ike, w->c, true);
}

static bool delete_child(struct ike_sa *ike, struct ike_work *w)
{
	struct child_sa *child = child_sa_by_serial(ike->pluto, w->child_serial);
	if (child == NULL || child->ike != ike ||
	    (child->state != CHILD_ESTABLISHED && child->state != CHILD_REKEYED))
		return false;
	ikev1_send_delete_children(ike, &child, 1);
	child_sa_delete(child, child->state == CHILD_REKEYED
				       ? "deleted (rekeyed; IPsec Delete sent to the peer)"
				       : "deleted (IPsec Delete sent to the peer)");
	/* not queued (ikev1_ops.unqueued): no ike_work_done */
	return false;
}

static bool goodbye_children(struct ike_sa *ike, struct child_sa *const *children, size_t n)
{
	if (ike->state != IKE_ESTABLISHED)
		return false;
	ikev1_send_delete_children(ike, children, n);
	return true;
}

const struct ike_ops ikev1_ops = {
	.name = "IKEv1",
	.major = 1,
	.receive = ikev1_receive,
	.initiate = ikev1_initiate,
	.start = {
		[WORK_NEW_CHILD] = new_child,
		[WORK_REKEY_CHILD] = rekey_child,
		[WORK_REKEY_IKE] = rekey_ike,
		[WORK_DELETE_CHILD] = delete_child,
		[WORK_DELETE_IKE] = ikev1_delete_ike,
		[WORK_LIVENESS] = ikev1_liveness,
	},
	/* Informationals: not request/response pairs, nothing to wait for */
	.unqueued = 1u << WORK_DELETE_CHILD | 1u << WORK_DELETE_IKE | 1u << WORK_LIVENESS,
	.goodbye = ikev1_goodbye,
	.goodbye_children = goodbye_children,
	.free_part = ikev1_part_free,
};
