/* INFORMATIONAL (RFC 7296 1.4): Delete for IKE and Child SAs, and the
 * empty liveness check. */
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "ike/queue.h"
#include "ike/timers.h"
#include "ikev2/exchanges.h"
#include "ikev2/messages.h"
#include "pluto.h"

#define DELETE_SPIS_MAX 64

struct delete_req {
	uint8_t protocol;         /* IKE, or ESP/AH with SPIs */
	uint32_t spis[DELETE_SPIS_MAX];
	size_t n;
};

static bool fill_delete(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ike;
	const struct delete_req *r = ctx;
	if (r == NULL)
		return true;   /* empty: liveness, or an answer with nothing to say */
	if (r->protocol == IKEV2_PROTO_IKE) {
		struct ikev2_delete d = { .protocol = IKEV2_PROTO_IKE };
		ikev2_build_delete(b, &d);
		return true;
	}
	if (r->n == 0)
		return true;
	uint8_t spis[4 * DELETE_SPIS_MAX];
	for (size_t i = 0; i < r->n; i++) {
		spis[4 * i] = (uint8_t)(r->spis[i] >> 24);
		spis[4 * i + 1] = (uint8_t)(r->spis[i] >> 16);
		spis[4 * i + 2] = (uint8_t)(r->spis[i] >> 8);
		spis[4 * i + 3] = (uint8_t)r->spis[i];
	}
	struct ikev2_delete d = { .protocol = r->protocol, .spi_size = 4, .n_spis = (uint16_t)r->n,
				  .spis = { spis, 4 * r->n } };
	ikev2_build_delete(b, &d);
	return true;
}

/* N(AUTHENTICATION_FAILED) and a Delete of the IKE SA: the notify RFC
 * 7296 2.21.2 names, the Delete for a responder that acts on Deletes only
 * (libreswan 4 ignores the notify). */
static bool fill_auth_failed(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	ikev2_build_notify_simple(b, IKEV2_N_AUTHENTICATION_FAILED, NULL, 0);
	return fill_delete(ike, b, &(struct delete_req){ .protocol = IKEV2_PROTO_IKE });
}

void ikev2_refuse_responder(struct ike_sa *ike)
{
	if (ikev2_send_request_once(ike, IKEV2_EXCH_INFORMATIONAL, fill_auth_failed, NULL))
		llog(&ike->logger, RC_INFO, "told the peer AUTHENTICATION_FAILED and deleted its IKE SA "
		     "(INFORMATIONAL, not retransmitted)");
}

/* A Delete of the IKE SA that goes unanswered ends it all the same. */
static void delete_timeout(struct ike_sa *ike)
{
	ike_sa_delete(ike, "no answer to our Delete");
}

bool ikev2_delete_ike(struct ike_sa *ike, struct ike_work *w)
{
	struct delete_req r = { .protocol = IKEV2_PROTO_IKE };
	ike->on_timeout = delete_timeout;
	if (!ikev2_send_request(ike, IKEV2_EXCH_INFORMATIONAL, fill_delete, &r))
		return false;
	if (w->whack != NULL && ike->whack == NULL) {
		ike->whack = w->whack;
		ike->logger.whack_fd = w->whack->fd;
		w->whack = NULL;   /* the IKE SA answers it when it goes */
	}
	/* the Child SAs go now: traffic must not use SAs being deleted */
	while (ike->children != NULL)
		child_sa_delete(ike->children, "deleting the IKE SA");
	while (ike->larval != NULL)
		child_sa_delete(ike->larval, NULL);
	ike_set_state(ike, IKE_DELETING);
	llog(&ike->logger, RC_INFO, "sent Delete for the IKE SA");
	return true;
}

void ikev2_goodbye(struct ike_sa *ike)
{
	if (ike->state != IKE_ESTABLISHED || ike->request_outstanding)
		return;   /* the window of one is taken: the peer finds out later */
	struct delete_req r = { .protocol = IKEV2_PROTO_IKE };
	if (ikev2_send_request(ike, IKEV2_EXCH_INFORMATIONAL, fill_delete, &r))
		llog(&ike->logger, RC_INFO, "sent Delete for the IKE SA");
}

bool ikev2_goodbye_children(struct ike_sa *ike, struct child_sa *const *children, size_t n)
{
	/* the window of one: not while a request (or a held exchange) is ours */
	if (ike->state != IKE_ESTABLISHED || ike->request_outstanding || ike->running != NULL || n == 0)
		return false;
	struct delete_req r = { .protocol = children[0]->protocol };
	for (size_t i = 0; i < n && r.n < DELETE_SPIS_MAX; i++)
		if (children[i]->protocol == r.protocol)
			r.spis[r.n++] = children[i]->spi_in;
	ike->on_timeout = ike_request_timed_out;
	if (!ikev2_send_request(ike, IKEV2_EXCH_INFORMATIONAL, fill_delete, &r))
		return false;
	for (size_t i = 0; i < r.n; i++)
		llog(&ike->logger, RC_INFO, "sent Delete for Child SA {0x%08x}", r.spis[i]);
	return true;
}

bool ikev2_delete_child(struct ike_sa *ike, struct ike_work *w)
{
	struct child_sa *child = child_sa_by_serial(ike->pluto, w->child_serial);
	if (child == NULL || child->ike != ike || child->state == CHILD_DELETING ||
	    child->state == CHILD_LARVAL)
		return false;
	struct delete_req r = { .protocol = child->protocol, .n = 1 };
	r.spis[0] = child->spi_in;
	ike->on_timeout = ike_request_timed_out;
	if (!ikev2_send_request(ike, IKEV2_EXCH_INFORMATIONAL, fill_delete, &r))
		return false;
	child_set_state(child, CHILD_DELETING);
	ldbg(&child->logger, DBG_LIFECYCLE, "sent Delete for Child SA {0x%08x}", child->spi_in);
	return true;
}

bool ikev2_liveness(struct ike_sa *ike, struct ike_work *w)
{
	(void)w;
	ike->on_timeout = ike_request_timed_out;
	if (!ikev2_send_request(ike, IKEV2_EXCH_INFORMATIONAL, fill_delete, NULL))
		return false;
	ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: sent a check (INFORMATIONAL request %u)",
	     ike->last_request_msgid);
	return true;
}

void info_initiator_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	(void)m;
	enum ike_work_kind kind = ike->running != NULL ? ike->running->kind : WORK_LIVENESS;
	if (ike->state == IKE_DELETING)
		kind = WORK_DELETE_IKE;   /* the goodbye of a shutdown or unload */
	switch (kind) {
	case WORK_DELETE_IKE:
		ike_whack_done(ike, WHACK_STATUS_OK);
		ike_sa_delete(ike, "deleted");
		return;
	case WORK_DELETE_CHILD: {
		/* our Child SAs in DELETING go, whatever the peer listed */
		struct child_sa *next;
		for (struct child_sa *c = ike->children; c != NULL; c = next) {
			next = c->next;
			if (c->state == CHILD_DELETING)
				child_sa_delete(c, "deleted");
		}
		return;
	}
	default:
		ldbg(&ike->logger, DBG_LIFECYCLE, "the peer is alive");
		/* the answer to a goodbye of Child SAs (no work of the queue):
		 * what waited behind it may start now */
		if (ike->running == NULL)
			ike_queue_kick(ike);
		return;
	}
}

void info_responder(struct ike_sa *ike, struct ike_msg_in *m)
{
	const struct ikev2_payloads *pl = m->pl;
	struct delete_req answer = { .protocol = IKEV2_PROTO_ESP };
	if (pl->n == 0)
		ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: answering the peer's check (INFORMATIONAL request %u)",
		     m->h.message_id);
	bool delete_ike = false;
	struct ikev2_notify af;
	if (ike_find_notify(pl, IKEV2_N_AUTHENTICATION_FAILED, &af) != NULL) {
		/* the initiator refused our IKE_AUTH answer (RFC 7296 2.21.2):
		 * the IKE SA and its Child SAs go */
		char a[ADDRESS_BUF];
		llog(&ike->logger, RC_WARNING, "the peer %s refused our authentication (AUTHENTICATION_FAILED): "
		     "deleting the IKE SA", str_address(&ike->remote, a));
		ikev2_send_response(ike, m->h.exchange, m->h.message_id, fill_delete, NULL);
		ike_sa_delete(ike, "the peer refused our authentication");
		return;
	}
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->p[i].type != IKEV2_PT_D)
			continue;
		struct ikev2_delete d;
		struct ikev2_diag diag;
		if (ikev2_decode_delete(&pl->p[i], &d, &diag) != NULL)
			continue;
		if (d.protocol == IKEV2_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		answer.protocol = d.protocol;
		for (size_t k = 0; k < d.n_spis; k++) {
			/* the peer names the SPI it receives on: our outbound one */
			struct child_sa *c = child_sa_by_spi_out(ike, ikev2_delete_spi(&d, k));
			if (c == NULL)
				continue;
			if (answer.n < DELETE_SPIS_MAX)
				answer.spis[answer.n++] = c->spi_in;
			child_sa_delete(c, "the peer deleted it");
		}
	}
	if (delete_ike) {
		ikev2_send_response(ike, m->h.exchange, m->h.message_id, fill_delete, NULL);
		ike_sa_delete(ike, "the peer deleted it");
		return;
	}
	ikev2_send_response(ike, m->h.exchange, m->h.message_id, fill_delete,
			  answer.n ? &answer : NULL);
}
