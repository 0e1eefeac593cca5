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
#include <string.h>
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "ikev1/ikev1.h"
#include "pluto.h"

static void ikev1_initiate(struct ike_sa *ike)
{
	main_mode_initiate(ike);
}

void ikev1_part_free(struct ike_sa *ike)
{
	struct ikev1_part *v1 = &ike->v1;
	ikev1_dpd_free(ike);
	ikev1_retire_free(ike);
	chunk_free(&v1->sa_i_b);
	chunk_free(&v1->gxi);
	chunk_free(&v1->gxr);
	chunk_free(&v1->last_in);
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
	llog(&n->logger, RC_INFO, "rekeying ISAKMP SA #%u (its lifetime ends): a new Main Mode", ike->serial);
	main_mode_initiate(n);
	return false;
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
	ike_whack_done(ike, 0);
	ike_queue(old, WORK_DELETE_IKE, 0, NULL, NULL);
	return true;
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
