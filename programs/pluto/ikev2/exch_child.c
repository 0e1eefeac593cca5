/* CREATE_CHILD_SA (RFC 7296 1.3): a new Child SA over an established IKE
 * SA (another instance of a leftsubnets= group), rekeying a Child SA (with
 * PFS when pfs=yes) and rekeying the IKE SA. Our requests are work of the
 * IKE SA's queue, held until the new SA is installed; DH runs on a helper
 * thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "helpers.h"
#include "iface.h"
#include "ike/child.h"
#include "ike/initiate.h"
#include "ike/queue.h"
#include "ike/timers.h"
#include "ike/ts.h"
#include "ikev2/exchanges.h"
#include "ikev2/messages.h"
#include "ikev2/proposals.h"
#include "pluto.h"

#define NONCE_LEN 32

/* What a CREATE_CHILD_SA negotiation carries from one step to the next. */
struct ccsa {
	unsigned ike_serial;
	unsigned work_id;            /* initiator: the queue's work it does */
	enum ike_work_kind kind;     /* initiator: NEW_CHILD, REKEY_CHILD or REKEY_IKE */
	bool rekey_ike;
	unsigned child_serial;       /* Child SA being made (not for IKE rekey) */
	uint32_t msgid;              /* responder: the request answered */
	const struct alg_desc *group;   /* DH group, NULL without PFS */
	struct dh_secret *dh;
	chunk_t peer_ke, ni, nr, gir;
	uint8_t new_spi_i[8], new_spi_r[8];   /* IKE rekey: the new SA's SPIs */
	struct ike_suite ike_suite;  /* IKE rekey: the new SA's suite */
	struct ike_sa_keys ike_keys;
	struct ikev2_proposal chosen;
	struct ikev2_ts_list tsi, tsr;
	char err[160];
};

static void ccsa_free(void *arg)
{
	struct ccsa *x = arg;
	dh_free(&x->dh);
	chunk_free(&x->peer_ke);
	chunk_free(&x->ni);
	chunk_free(&x->nr);
	chunk_free(&x->gir);
	ike_sa_keys_free(&x->ike_keys);
	free(x);
}

/* Helper work: our DH key, and g^ir when the peer's KE is known. */
static void ccsa_work(void *arg)
{
	struct ccsa *x = arg;
	err_t e = NULL;
	if (x->group != NULL && x->dh == NULL && (x->dh = dh_generate(x->group, &e)) == NULL) {
		snprintf(x->err, sizeof(x->err), "cannot make a DH key: %s", e);
		return;
	}
	if (x->peer_ke.ptr != NULL && (e = dh_shared_secret(x->dh, x->peer_ke, &x->gir)) != NULL)
		snprintf(x->err, sizeof(x->err), "bad KE payload from the peer: %s", e);
}

/* The Child SA being negotiated (in the IKE SA's larval list). */
static struct child_sa *larval(struct ike_sa *ike, const struct ccsa *x)
{
	for (struct child_sa *c = ike != NULL ? ike->larval : NULL; c != NULL; c = c->next)
		if (c->serial == x->child_serial)
			return c;
	return NULL;
}

static chunk_t ke_value(const struct ccsa *x)
{
	return x->dh != NULL ? dh_public_value(x->dh) : EMPTY_CHUNK;
}

static uint32_t spi_of(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_spi(uint8_t *b, uint32_t spi)
{
	b[0] = (uint8_t)(spi >> 24);
	b[1] = (uint8_t)(spi >> 16);
	b[2] = (uint8_t)(spi >> 8);
	b[3] = (uint8_t)spi;
}

/* ---- initiator: request ---------------------------------------------------- */

static bool fill_new_child(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct ccsa *x = ctx;
	struct child_sa *child = larval(ike, x);
	if (child == NULL)
		return false;
	if (child->rekey_of_spi != 0) {
		uint8_t spi[4];
		put_spi(spi, child->rekey_of_spi);
		struct ikev2_notify n = { .protocol = child->protocol, .type = IKEV2_N_REKEY_SA,
					  .spi = { spi, 4 } };
		ikev2_build_notify(b, &n);
	}
	if (child->transport)
		ikev2_build_notify_simple(b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
	static struct ikev2_sa sa;
	child_proposals_build(child->c, child->spi_in, x->group, &sa);
	ikev2_build_sa(b, &sa);
	struct ikev2_nonce ni = { { x->ni.ptr, x->ni.len } };
	ikev2_build_nonce(b, &ni);
	if (x->group != NULL) {
		chunk_t pub = ke_value(x);
		struct ikev2_ke ke = { (uint16_t)x->group->ikev2_id, { pub.ptr, pub.len } };
		ikev2_build_ke(b, &ke);
	}
	ikev2_build_ts(b, IKEV2_PT_TSi, &x->tsi);
	ikev2_build_ts(b, IKEV2_PT_TSr, &x->tsr);
	return true;
}

static bool fill_rekey_ike(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct ccsa *x = ctx;
	static struct ikev2_sa sa;
	ike_proposals_build(ike->c, x->new_spi_i, &sa);
	ikev2_build_sa(b, &sa);
	struct ikev2_nonce ni = { { x->ni.ptr, x->ni.len } };
	ikev2_build_nonce(b, &ni);
	chunk_t pub = ke_value(x);
	struct ikev2_ke ke = { (uint16_t)x->group->ikev2_id, { pub.ptr, pub.len } };
	ikev2_build_ke(b, &ke);
	return true;
}

/* The initiator's exchange ended without a new SA: what it made goes, the
 * queue goes on. */
static void initiator_gave_up(struct ike_sa *ike, struct ccsa *x, const char *why)
{
	struct ike_work *w = ike_work_running(ike, x->work_id);
	struct child_sa *child = larval(ike, x);
	if (why != NULL)
		llog(child != NULL ? &child->logger : &ike->logger, RC_WARNING, "%s failed: %s",
		     ike_work_name(x->kind), why);
	if (child != NULL)
		child_sa_delete(child, NULL);
	if (w != NULL) {
		w->status = WHACK_STATUS_REFUSED;
		ike_work_done(ike);
	}
}

static void send_ccsa_request(struct pluto *p, void *arg)
{
	struct ccsa *x = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, x->ike_serial) : NULL;
	struct ike_work *w = ike_work_running(ike, x->work_id);
	if (w == NULL || ike->state != IKE_ESTABLISHED) {
		if (ike != NULL)
			initiator_gave_up(ike, x, NULL);
		ccsa_free(x);
		return;
	}
	if (x->err[0] != '\0') {
		initiator_gave_up(ike, x, x->err);
		ccsa_free(x);
		return;
	}
	ike->on_timeout = ike_request_timed_out;
	bool ok = x->rekey_ike
		? ikev2_send_request(ike, IKEV2_EXCH_CREATE_CHILD_SA, fill_rekey_ike, x)
		: ikev2_send_request(ike, IKEV2_EXCH_CREATE_CHILD_SA, fill_new_child, x);
	if (!ok) {
		initiator_gave_up(ike, x, "cannot build the request");
		ccsa_free(x);
		return;
	}
	/* the work holds the negotiation until the answer */
	w->ctx = x;
	w->ctx_free = ccsa_free;
	w->hold = true;
	llog(&ike->logger, RC_INFO, "sent CREATE_CHILD_SA request: %s", ike_work_name(x->kind));
}

static struct ccsa *ccsa_new(struct ike_sa *ike, struct ike_work *w)
{
	struct ccsa *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->ike_serial = ike->serial;
	x->work_id = w->id;
	x->kind = w->kind;
	if (random_nonce(NONCE_LEN, &x->ni) != NULL) {
		ccsa_free(x);
		return NULL;
	}
	return x;
}

/* A larval Child SA of conn c with our inbound SPI. */
static struct child_sa *child_for(struct ike_sa *ike, struct connection *c)
{
	struct child_sa *child = child_sa_new(ike, c);
	child->protocol = c->child_ah ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP;
	child->transport = c->type == CONN_TRANSPORT;
	child->encap = ike->nat_detected;
	child->lifetime_ms = c->sa_lifetime_ms;
	child_sa_larval(child);
	if (!child_alloc_spi(child)) {
		child_sa_delete(child, NULL);
		return NULL;
	}
	return child;
}

bool ikev2_rekey_child(struct ike_sa *ike, struct ike_work *w)
{
	struct child_sa *old = child_sa_by_serial(ike->pluto, w->child_serial);
	if (old == NULL || old->ike != ike || old->state != CHILD_ESTABLISHED)
		return false;
	struct ccsa *x = ccsa_new(ike, w);
	if (x == NULL)
		return false;
	struct child_sa *child = child_sa_new(ike, old->c);
	child->protocol = old->protocol;
	child->transport = old->transport;
	child->encap = ike->nat_detected;
	child->ts = old->ts;
	child->lifetime_ms = old->lifetime_ms;
	child->rekey_of_spi = old->spi_in;
	child_sa_larval(child);
	if (!child_alloc_spi(child)) {
		child_sa_delete(child, NULL);
		ccsa_free(x);
		return false;
	}
	x->child_serial = child->serial;
	x->group = child_pfs_group(old->c, &ike->suite);
	ts_lists_of(&child->ts, true, &x->tsi, &x->tsr);
	helpers_submit(ike->pluto, ccsa_work, send_ccsa_request, x);
	return true;
}

bool ikev2_new_child(struct ike_sa *ike, struct ike_work *w)
{
	struct connection *c = w->c;
	if (c == NULL || c->local < 0)
		return false;
	struct ccsa *x = ccsa_new(ike, w);
	if (x == NULL)
		return false;
	struct child_sa *child = child_for(ike, c);
	if (child == NULL) {
		ccsa_free(x);
		w->status = WHACK_STATUS_REFUSED;
		return false;
	}
	if (w->whack != NULL)
		child->logger.whack_fd = w->whack->fd;
	x->child_serial = child->serial;
	x->group = child_pfs_group(c, &ike->suite);
	ts_of_end(local_end(c), &ike->iface->addr, &x->tsi);
	ts_of_end(peer_end(c), &ike->remote, &x->tsr);
	llog(&child->logger, RC_INFO, "negotiating a Child SA over IKE SA #%u", ike->serial);
	helpers_submit(ike->pluto, ccsa_work, send_ccsa_request, x);
	return true;
}

bool ikev2_rekey_ike(struct ike_sa *ike, struct ike_work *w)
{
	struct ccsa *x = ccsa_new(ike, w);
	if (x == NULL)
		return false;
	x->rekey_ike = true;
	x->group = ike->suite.dh;
	if (random_ike_spi(x->new_spi_i) != NULL) {
		ccsa_free(x);
		return false;
	}
	helpers_submit(ike->pluto, ccsa_work, send_ccsa_request, x);
	return true;
}

/* ---- after the keys: finishing either side -------------------------------- */

static void log_child_up(struct child_sa *child, const char *what)
{
	char suite[96], l[SUBNET_BUF], r[SUBNET_BUF];
	llog(&child->logger, RC_INFO, "%s Child SA %s %s===%s {%s=>0x%08x <0x%08x %s}", what,
	     child->transport ? "transport" : "tunnel", str_subnet(&child->ts.local, l),
	     str_subnet(&child->ts.remote, r), child->protocol == IKEV2_PROTO_AH ? "AH" : "ESP",
	     child->spi_out, child->spi_in, str_child_suite(&child->suite, suite, sizeof(suite)));
}

/* A new Child SA (or one replacing old, a rekey): install it. */
static bool finish_child(struct ike_sa *ike, struct child_sa *child, struct ccsa *x,
			 bool we_initiated)
{
	/* x->ni is the exchange initiator's nonce on both sides */
	struct child_sa_keys keys = { 0 };
	err_t e = child_sa_keys_derive(&child->suite, ike->suite.prf, ike->v2.keys.sk_d, x->gir,
				       x->ni, x->nr, &keys);
	if (e != NULL) {
		llog(&child->logger, RC_ERROR, "cannot derive the Child SA keys: %s", e);
		return false;
	}
	/* the responder of a rekey installs first: its new outbound SA waits
	 * until the initiator has the answer (ike/child.c) */
	bool ok = child_install(child, &keys, we_initiated, !we_initiated && child->rekey_of_spi != 0);
	child_sa_keys_free(&keys);
	if (!ok)
		return false;
	struct child_sa *old = child->rekey_of_spi ? child_sa_by_spi_in(ike, child->rekey_of_spi)
						   : NULL;
	if (old != NULL && old->state == CHILD_ESTABLISHED)
		child_set_state(old, CHILD_REKEYED);
	child_set_state(child, CHILD_ESTABLISHED);
	child->established = time(NULL);
	child_sa_established(child);
	child->c->child_serial = child->serial;
	log_child_up(child, old != NULL ? "rekeyed" : "established");
	child_sa_timers_start(child);
	return true;
}

/* The new IKE SA takes over the Child SAs and the queue of the old one. */
static struct ike_sa *finish_ike(struct ike_sa *old, struct ccsa *x, bool we_initiated)
{
	struct pluto *p = old->pluto;
	struct ike_sa *ike = ike_sa_new(p, old->ops, old->c, we_initiated);
	memcpy(ike->spi_i, x->new_spi_i, 8);
	memcpy(ike->spi_r, x->new_spi_r, 8);
	ike->iface = old->iface;
	ike->remote = old->remote;
	ike->remote_port = old->remote_port;
	ike->nat_detected = old->nat_detected;
	ike->nat_local = old->nat_local;
	ike->suite = x->ike_suite;
	ike->v2.keys = x->ike_keys;
	memset(&x->ike_keys, 0, sizeof(x->ike_keys));
	ike->v2.keys_ready = true;
	ike->peer_id = old->peer_id;
	ike->v2.peer_digsig = old->v2.peer_digsig;
	ike->v2.msgid_expect_in = 0;
	ike->v2.msgid_next_out = 0;
	ike->state = we_initiated ? IKE_I_AUTH_SENT : IKE_R_INIT_SENT;
	ike_sa_insert(ike);
	ike->established = time(NULL);
	ike->children = old->children;
	old->children = NULL;
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		c->ike = ike;
	if (old->c != NULL && old->c->ike_serial == old->serial)
		old->c->ike_serial = ike->serial;
	llog(&ike->logger, RC_INFO, "rekeyed IKE SA #%u", old->serial);
	ike_set_state(ike, IKE_ESTABLISHED);
	ike_sa_timers_start(ike);
	ike_queue_move(old, ike);
	return ike;
}

/* ---- initiator: response ------------------------------------------------- */

static void initiator_keys_done(struct pluto *p, void *arg)
{
	struct ccsa *x = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, x->ike_serial) : NULL;
	if (ike == NULL) {
		ccsa_free(x);
		return;
	}
	if (x->err[0] != '\0') {
		initiator_gave_up(ike, x, x->err);
	} else if (x->rekey_ike) {
		err_t e = ike_sa_keys_rekey(&x->ike_suite, ike->suite.prf, ike->v2.keys.sk_d, x->gir,
					    x->ni, x->nr, x->new_spi_i, x->new_spi_r, &x->ike_keys);
		if (e != NULL) {
			initiator_gave_up(ike, x, e);
		} else {
			finish_ike(ike, x, true);
			/* the old SA says goodbye on itself, first thing */
			ike_queue(ike, WORK_DELETE_IKE, 0, NULL, NULL);
			if (ike_work_running(ike, x->work_id) != NULL)
				ike_work_done(ike);
		}
	} else {
		struct child_sa *child = larval(ike, x);
		if (child != NULL && finish_child(ike, child, x, true)) {
			struct child_sa *old = NULL;
			for (struct child_sa *c = ike->children; c != NULL; c = c->next)
				if (c->state == CHILD_REKEYED && c->spi_in == child->rekey_of_spi)
					old = c;
			if (old != NULL)
				ike_queue(ike, WORK_DELETE_CHILD, old->serial, NULL, NULL);
			if (ike_work_running(ike, x->work_id) != NULL)
				ike_work_done(ike);
		} else {
			initiator_gave_up(ike, x, child != NULL ? "cannot install the Child SA" : NULL);
		}
	}
	ccsa_free(x);
}

void child_initiator_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	struct ike_work *w = ike->running;
	struct ccsa *x = w != NULL ? w->ctx : NULL;
	if (x == NULL) {
		ldbg(&ike->logger, DBG_CONTROL, "CREATE_CHILD_SA answer without a request");
		return;
	}
	/* the negotiation leaves the work: the helper owns it now */
	w->ctx = NULL;
	const struct ikev2_payloads *pl = m->pl;
	uint16_t err = ike_error_notify(pl);
	struct child_sa *child = x->rekey_ike ? NULL : larval(ike, x);
	struct ikev2_diag d = { 0 };
	err_t e = NULL;
	char why[96];
	if (err != 0) {
		snprintf(why, sizeof(why), "the peer answered %s", notify_name(err));
		e = why;
	} else if (!x->rekey_ike && child == NULL) {
		e = "the Child SA went meanwhile";
	} else {
		static struct ikev2_sa offered, answer;
		struct ikev2_nonce nr;
		if (ikev2_decode_sa(ikev2_payloads_find(pl, IKEV2_PT_SA, 0), &answer, &d) != NULL ||
		    ikev2_decode_nonce(ikev2_payloads_find(pl, IKEV2_PT_NONCE, 0), &nr, &d) != NULL)
			e = d.text;
		if (e == NULL && x->rekey_ike) {
			ike_proposals_build(ike->c, x->new_spi_i, &offered);
			e = ike_proposals_accept(&offered, &answer, &x->ike_suite);
			if (e == NULL && answer.proposals[0].spi_size == 8)
				memcpy(x->new_spi_r, answer.proposals[0].spi, 8);
			else if (e == NULL)
				e = "the new IKE SA has no 8-byte SPI";
		} else if (e == NULL) {
			const struct alg_desc *dh = NULL;
			child_proposals_build(child->c, child->spi_in, x->group, &offered);
			e = child_proposals_accept(&offered, &answer, &child->suite, &dh, &child->spi_out);
			if (e == NULL && x->group != NULL && dh != x->group)
				e = "the peer dropped the PFS group";
		}
		if (e == NULL && !x->rekey_ike && child->rekey_of_spi == 0) {
			/* a new Child SA: the selectors the responder chose */
			struct ikev2_ts_list tsi, tsr;
			const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
			const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
			if (tip == NULL || trp == NULL || ikev2_decode_ts(tip, &tsi, &d) != NULL ||
			    ikev2_decode_ts(trp, &tsr, &d) != NULL)
				e = d.text[0] ? d.text : "the answer has no TSi and TSr";
			else
				e = ts_accept(child->c, &ike->iface->addr, &ike->remote, &tsi, &tsr,
					      &child->ts);
		}
		if (e == NULL)
			x->nr = chunk_clone(nr.data.ptr, nr.data.len);
		struct ikev2_ke ke;
		const struct ikev2_payload *kp = ikev2_payloads_find(pl, IKEV2_PT_KE, 0);
		if (e == NULL && x->group != NULL) {
			if (kp == NULL || ikev2_decode_ke(kp, &ke, &d) != NULL || ke.group != x->group->ikev2_id)
				e = "the answer lacks a KE of our group";
			else
				x->peer_ke = chunk_clone(ke.data.ptr, ke.data.len);
		}
	}
	if (e != NULL) {
		initiator_gave_up(ike, x, e);
		ccsa_free(x);
		return;
	}
	helpers_submit(ike->pluto, ccsa_work, initiator_keys_done, x);
}

/* ---- responder ------------------------------------------------------------- */

static bool fill_ccsa_response(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct ccsa *x = ctx;
	static struct ikev2_sa sa;
	sa.n_proposals = 1;
	sa.proposals[0] = x->chosen;
	struct child_sa *child = x->rekey_ike ? NULL : child_sa_by_serial(ike->pluto, x->child_serial);
	if (child != NULL && child->transport)
		ikev2_build_notify_simple(b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
	ikev2_build_sa(b, &sa);
	struct ikev2_nonce nr = { { x->nr.ptr, x->nr.len } };
	ikev2_build_nonce(b, &nr);
	if (x->group != NULL) {
		chunk_t pub = ke_value(x);
		struct ikev2_ke ke = { (uint16_t)x->group->ikev2_id, { pub.ptr, pub.len } };
		ikev2_build_ke(b, &ke);
	}
	if (!x->rekey_ike) {
		ikev2_build_ts(b, IKEV2_PT_TSi, &x->tsi);
		ikev2_build_ts(b, IKEV2_PT_TSr, &x->tsr);
	}
	return true;
}

static void responder_keys_done(struct pluto *p, void *arg)
{
	struct ccsa *x = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, x->ike_serial) : NULL;
	if (ike == NULL) {
		ccsa_free(x);
		return;
	}
	if (x->err[0] != '\0') {
		llog(&ike->logger, RC_WARNING, "CREATE_CHILD_SA: %s", x->err);
		struct child_sa *child = larval(ike, x);
		if (child != NULL)
			child_sa_delete(child, NULL);
		ikev2_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
					   IKEV2_N_NO_PROPOSAL_CHOSEN);
		ccsa_free(x);
		return;
	}
	if (x->rekey_ike) {
		err_t e = ike_sa_keys_rekey(&x->ike_suite, ike->suite.prf, ike->v2.keys.sk_d, x->gir,
					    x->ni, x->nr, x->new_spi_i, x->new_spi_r, &x->ike_keys);
		if (e != NULL) {
			ikev2_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
						   IKEV2_N_NO_PROPOSAL_CHOSEN);
			ccsa_free(x);
			return;
		}
		ikev2_send_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid, fill_ccsa_response, x);
		finish_ike(ike, x, false);
		ccsa_free(x);
		return;
	}
	struct child_sa *child = larval(ike, x);
	if (child == NULL || !finish_child(ike, child, x, false)) {
		if (child != NULL)
			child_sa_delete(child, NULL);
		ikev2_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
					   IKEV2_N_NO_PROPOSAL_CHOSEN);
		ccsa_free(x);
		return;
	}
	/* our SPI goes in the answer */
	put_spi(x->chosen.spi, child->spi_in);
	ts_lists_of(&child->ts, false, &x->tsi, &x->tsr);
	ikev2_send_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid, fill_ccsa_response, x);
	ccsa_free(x);
}

/* A rekey of the IKE SA, or of a Child SA that ours is rekeying too, while
 * our own exchange is under way: RFC 7296 2.25 lets the peer try again. */
static bool collides(const struct ike_sa *ike, bool rekey_ike, const struct child_sa *old)
{
	const struct ike_work *w = ike->running;
	if (w == NULL)
		return false;
	if (rekey_ike || w->kind == WORK_REKEY_IKE)
		return true;
	return old != NULL && w->kind == WORK_REKEY_CHILD && w->child_serial == old->serial;
}

/* The peer's request for a Child SA: the conn (for a new one: the IKE
 * SA's, or another instance of its group whose selectors fit), the
 * proposal, the selectors. Returns the notify that refuses it, or 0. */
static uint16_t responder_child(struct ike_sa *ike, struct ccsa *x, const struct ikev2_sa *sa,
				const struct ikev2_payloads *pl, const struct ikev2_ke *ke, bool have_ke)
{
	struct ikev2_diag d = { 0 };
	struct ikev2_notify n;
	struct child_sa *old = NULL;
	if (ike_find_notify(pl, IKEV2_N_REKEY_SA, &n) != NULL && n.spi.len == 4)
		old = child_sa_by_spi_out(ike, spi_of(n.spi.ptr));
	struct ikev2_ts_list tsi, tsr;
	const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
	const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
	if (tip == NULL || trp == NULL || ikev2_decode_ts(tip, &tsi, &d) != NULL ||
	    ikev2_decode_ts(trp, &tsr, &d) != NULL)
		return IKEV2_N_INVALID_SYNTAX;
	if (collides(ike, false, old))
		return IKEV2_N_TEMPORARY_FAILURE;
	struct child_ts ts;
	struct connection *c;
	if (old != NULL) {
		c = old->c;
		err_t e = ts_narrow(c, ike->pluto->opts.virtual_private, &ike->iface->addr, &ike->remote, &tsi, &tsr, &ts);
		if (e != NULL) {
			llog(&ike->logger, RC_INFO, "CREATE_CHILD_SA (rekey): %s", e);
			return IKEV2_N_TS_UNACCEPTABLE;
		}
	} else {
		c = conn_for_new_child(ike, &tsi, &tsr, &ts);
		if (c == NULL) {
			llog(&ike->logger, RC_INFO,
			     "CREATE_CHILD_SA: no conn of this IKE SA's group accepts the traffic selectors the peer asks for");
			return IKEV2_N_TS_UNACCEPTABLE;
		}
		group_cover_requested(ike, c, &ts, &tsi, &tsr);
	}
	struct child_sa *child = child_sa_new(ike, c);
	child->protocol = sa->proposals[0].protocol;
	child->transport = c->type == CONN_TRANSPORT;
	child->encap = ike->nat_detected;
	child->lifetime_ms = c->sa_lifetime_ms;
	child->rekey_of_spi = old ? old->spi_in : 0;
	child->ts = ts;
	child_sa_larval(child);
	x->child_serial = child->serial;
	const struct alg_desc *pfs = have_ke ? alg_by_ikev2_id(ALG_DH, ke->group) : NULL;
	const struct alg_desc *dh = NULL;
	err_t e = child_proposals_choose(c, sa, pfs, &x->chosen, &child->suite, &dh);
	uint16_t refuse = 0;
	if (e != NULL) {
		llog(&child->logger, RC_INFO, "CREATE_CHILD_SA: %s", e);
		refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
	} else if (have_ke && dh == NULL) {
		refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
	} else {
		child->spi_out = spi_of(x->chosen.spi);
		if (!child_alloc_spi(child))
			refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
		x->group = dh;
		if (dh != NULL)
			x->peer_ke = chunk_clone(ke->data.ptr, ke->data.len);
	}
	if (refuse != 0)
		child_sa_delete(child, NULL);
	return refuse;
}

void child_responder(struct ike_sa *ike, struct ike_msg_in *m)
{
	const struct ikev2_payloads *pl = m->pl;
	struct ikev2_diag d = { 0 };
	static struct ikev2_sa sa;
	struct ikev2_nonce ni;
	uint32_t msgid = m->h.message_id;
	if (ikev2_decode_sa(ikev2_payloads_find(pl, IKEV2_PT_SA, 0), &sa, &d) != NULL ||
	    ikev2_decode_nonce(ikev2_payloads_find(pl, IKEV2_PT_NONCE, 0), &ni, &d) != NULL ||
	    sa.n_proposals == 0) {
		ikev2_send_notify_response(ike, m->h.exchange, msgid, IKEV2_N_INVALID_SYNTAX);
		return;
	}
	struct ccsa *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->ike_serial = ike->serial;
	x->msgid = msgid;
	x->ni = chunk_clone(ni.data.ptr, ni.data.len);
	if (random_nonce(NONCE_LEN, &x->nr) != NULL) {
		ccsa_free(x);
		return;
	}
	const struct ikev2_payload *kp = ikev2_payloads_find(pl, IKEV2_PT_KE, 0);
	struct ikev2_ke ke = { 0 };
	if (kp != NULL && ikev2_decode_ke(kp, &ke, &d) != NULL)
		kp = NULL;
	uint16_t refuse = 0;

	if (sa.proposals[0].protocol == IKEV2_PROTO_IKE) {
		x->rekey_ike = true;
		err_t e = ike_proposals_choose(ike->c, &sa, &x->chosen, &x->ike_suite);
		if (collides(ike, true, NULL))
			refuse = IKEV2_N_TEMPORARY_FAILURE;
		else if (e != NULL || x->chosen.spi_size != 8 || kp == NULL)
			refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
		else if (ke.group != x->ike_suite.dh->ikev2_id)
			refuse = IKEV2_N_INVALID_KE_PAYLOAD;
		if (refuse == 0) {
			memcpy(x->new_spi_i, x->chosen.spi, 8);
			random_ike_spi(x->new_spi_r);
			memcpy(x->chosen.spi, x->new_spi_r, 8);
			x->group = x->ike_suite.dh;
			x->peer_ke = chunk_clone(ke.data.ptr, ke.data.len);
		}
	} else {
		refuse = responder_child(ike, x, &sa, pl, &ke, kp != NULL);
	}
	if (refuse != 0) {
		ikev2_send_notify_response(ike, m->h.exchange, msgid, refuse);
		ccsa_free(x);
		return;
	}
	helpers_submit(ike->pluto, ccsa_work, responder_keys_done, x);
}
