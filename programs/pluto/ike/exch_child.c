/* CREATE_CHILD_SA (RFC 7296 1.3): rekeying a Child SA (with PFS when
 * pfs=yes) and rekeying the IKE SA. DH runs on a helper thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "iface.h"
#include "ike/child.h"
#include "ike/exchanges.h"
#include "ike/msg.h"
#include "ike/proposals.h"
#include "ike/ts.h"
#include "pluto.h"

#define NONCE_LEN 32

/* What a CREATE_CHILD_SA negotiation carries from one step to the next. */
struct ccsa {
	unsigned ike_serial;
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

static void ccsa_free(struct ccsa *x)
{
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

/* The Child SA being negotiated (not yet in the IKE SA's list). */
static struct child_sa *pending(struct ike_sa *ike, const struct ccsa *x)
{
	struct child_sa *c = ike != NULL ? ike->pending_child : NULL;
	return c != NULL && c->serial == x->child_serial ? c : NULL;
}

static chunk_t ke_value(const struct ccsa *x)
{
	return x->dh != NULL ? dh_public_value(x->dh) : EMPTY_CHUNK;
}

/* ---- initiator: request ---------------------------------------------------- */

static bool fill_rekey_child(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct ccsa *x = ctx;
	struct child_sa *child = pending(ike, x);
	if (child == NULL)
		return false;
	uint8_t spi[4] = { (uint8_t)(child->rekey_of_spi >> 24), (uint8_t)(child->rekey_of_spi >> 16),
			   (uint8_t)(child->rekey_of_spi >> 8), (uint8_t)child->rekey_of_spi };
	struct ikev2_notify n = { .protocol = child->protocol, .type = IKEV2_N_REKEY_SA,
				  .spi = { spi, 4 } };
	ikev2_build_notify(b, &n);
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
	struct ikev2_ts_list tsi, tsr;
	ts_lists_of(&child->ts, true, &tsi, &tsr);
	ikev2_build_ts(b, IKEV2_PT_TSi, &tsi);
	ikev2_build_ts(b, IKEV2_PT_TSr, &tsr);
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

static struct ccsa *outstanding_ccsa;   /* the one request in flight */

static void rekey_timeout(struct ike_sa *ike)
{
	if (outstanding_ccsa != NULL && outstanding_ccsa->ike_serial == ike->serial) {
		ccsa_free(outstanding_ccsa);
		outstanding_ccsa = NULL;
	}
	ike_sa_delete(ike, "no answer to CREATE_CHILD_SA");
}

static void send_ccsa_request(struct pluto *p, void *arg)
{
	struct ccsa *x = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, x->ike_serial) : NULL;
	if (ike == NULL || ike->state != IKE_ESTABLISHED || x->err[0] != '\0' ||
	    ike_outstanding(ike) != REQ_NONE || outstanding_ccsa != NULL) {
		if (ike != NULL && x->err[0] != '\0')
			llog(&ike->logger, RC_WARNING, "rekey: %s", x->err);
		struct child_sa *child = pending(ike, x);
		if (child != NULL)
			child_sa_delete(child, NULL);
		ccsa_free(x);
		return;
	}
	ike->on_timeout = rekey_timeout;
	bool ok = x->rekey_ike
		? ike_send_request(ike, IKEV2_EXCH_CREATE_CHILD_SA, REQ_REKEY_IKE, fill_rekey_ike, x)
		: ike_send_request(ike, IKEV2_EXCH_CREATE_CHILD_SA, REQ_REKEY_CHILD, fill_rekey_child, x);
	if (!ok) {
		struct child_sa *child = pending(ike, x);
		if (child != NULL)
			child_sa_delete(child, NULL);
		ccsa_free(x);
		return;
	}
	outstanding_ccsa = x;
	llog(&ike->logger, RC_INFO, "sent CREATE_CHILD_SA request to rekey the %s",
	     x->rekey_ike ? "IKE SA" : "Child SA");
}

bool child_rekey_start(struct child_sa *old)
{
	struct ike_sa *ike = old->ike;
	if (ike->state != IKE_ESTABLISHED || ike_outstanding(ike) != REQ_NONE ||
	    old->state != CHILD_ESTABLISHED)
		return false;
	struct child_sa *child = child_sa_new(ike, old->c);
	child->protocol = old->protocol;
	child->transport = old->transport;
	child->encap = old->encap;
	child->ts = old->ts;
	child->lifetime_ms = old->lifetime_ms;
	child->rekey_of_spi = old->spi_in;
	if (!child_alloc_spi(child)) {
		child_sa_delete(child, NULL);
		return false;
	}
	/* it is not in the IKE SA's list until established */
	child->next = NULL;
	struct ccsa *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->ike_serial = ike->serial;
	x->child_serial = child->serial;
	x->group = child_pfs_group(old->c, &ike->suite);
	if (random_nonce(NONCE_LEN, &x->ni) != NULL) {
		child_sa_delete(child, NULL);
		ccsa_free(x);
		return false;
	}
	ike->pending_child = child;
	helpers_submit(ike->pluto, ccsa_work, send_ccsa_request, x);
	return true;
}

bool ike_rekey_start(struct ike_sa *ike)
{
	if (ike->state != IKE_ESTABLISHED || ike_outstanding(ike) != REQ_NONE)
		return false;
	struct ccsa *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->ike_serial = ike->serial;
	x->rekey_ike = true;
	x->group = ike->suite.dh;
	if (random_ike_spi(x->new_spi_i) != NULL || random_nonce(NONCE_LEN, &x->ni) != NULL) {
		ccsa_free(x);
		return false;
	}
	helpers_submit(ike->pluto, ccsa_work, send_ccsa_request, x);
	return true;
}

/* ---- after the keys: finishing either side -------------------------------- */

/* A new Child SA replaces old (rekey): install, then retire the old one. */
static bool finish_child(struct ike_sa *ike, struct child_sa *child, struct ccsa *x,
			 bool we_initiated)
{
	/* x->ni is the exchange initiator's nonce on both sides */
	struct child_sa_keys keys = { 0 };
	err_t e = child_sa_keys_derive(&child->suite, ike->suite.prf, ike->keys.sk_d, x->gir,
				       x->ni, x->nr, &keys);
	if (e != NULL) {
		llog(&child->logger, RC_ERROR, "cannot derive the Child SA keys: %s", e);
		return false;
	}
	bool ok = child_install(child, &keys, we_initiated);
	child_sa_keys_free(&keys);
	if (!ok)
		return false;
	struct child_sa *old = child->rekey_of_spi ? child_sa_by_spi_in(ike, child->rekey_of_spi)
						   : NULL;
	if (old != NULL && old->state == CHILD_ESTABLISHED)
		child_set_state(old, CHILD_REKEYED);
	child_set_state(child, CHILD_ESTABLISHED);
	child->established = time(NULL);
	child->next = ike->children;
	ike->children = child;
	if (ike->pending_child == child)
		ike->pending_child = NULL;
	child->c->child_serial = child->serial;
	llog(&child->logger, RC_INFO, "rekeyed Child SA {ESP=>0x%08x <0x%08x}", child->spi_out,
	     child->spi_in);
	child_sa_timers_start(child);
	return true;
}

/* The new IKE SA takes over the Child SAs of the old one. */
static struct ike_sa *finish_ike(struct ike_sa *old, struct ccsa *x, bool we_initiated)
{
	struct pluto *p = old->pluto;
	struct ike_sa *ike = ike_sa_new(p, old->c, we_initiated);
	memcpy(ike->spi_i, x->new_spi_i, 8);
	memcpy(ike->spi_r, x->new_spi_r, 8);
	ike->iface = old->iface;
	ike->remote = old->remote;
	ike->remote_port = old->remote_port;
	ike->nat_detected = old->nat_detected;
	ike->suite = x->ike_suite;
	ike->keys = x->ike_keys;
	memset(&x->ike_keys, 0, sizeof(x->ike_keys));
	ike->keys_ready = true;
	ike->peer_id = old->peer_id;
	ike->peer_digsig = old->peer_digsig;
	ike->msgid_expect_in = 0;
	ike->msgid_next_out = 0;
	ike->state = we_initiated ? IKE_I_AUTH_SENT : IKE_R_INIT_SENT;
	ike_sa_insert(ike);
	ike_set_state(ike, IKE_ESTABLISHED);
	ike->established = time(NULL);
	ike->children = old->children;
	old->children = NULL;
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		c->ike = ike;
	old->c->ike_serial = ike->serial;
	llog(&ike->logger, RC_INFO, "rekeyed IKE SA #%u", old->serial);
	ike_sa_timers_start(ike);
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
		llog(&ike->logger, RC_WARNING, "rekey: %s", x->err);
	} else if (x->rekey_ike) {
		err_t e = ike_sa_keys_rekey(&x->ike_suite, ike->suite.prf, ike->keys.sk_d, x->gir,
					    x->ni, x->nr, x->new_spi_i, x->new_spi_r, &x->ike_keys);
		if (e != NULL) {
			llog(&ike->logger, RC_WARNING, "rekey: %s", e);
		} else {
			finish_ike(ike, x, true);
			/* the old SA is deleted on itself */
			if (!info_delete_ike(ike, NULL))
				ike_sa_delete(ike, "replaced");
		}
	} else {
		struct child_sa *child = pending(ike, x);
		if (child != NULL) {
			if (finish_child(ike, child, x, true)) {
				struct child_sa *old = NULL;
				for (struct child_sa *c = ike->children; c != NULL; c = c->next)
					if (c->state == CHILD_REKEYED)
						old = c;
				if (old != NULL && !info_delete_child(old))
					child_sa_delete(old, "replaced");
			} else {
				child_sa_delete(child, NULL);
			}
		}
	}
	ccsa_free(x);
}

void child_initiator_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	struct ccsa *x = outstanding_ccsa;
	outstanding_ccsa = NULL;
	if (x == NULL || x->ike_serial != ike->serial) {
		ldbg(&ike->logger, DBG_CONTROL, "CREATE_CHILD_SA answer without a request");
		return;
	}
	const struct ikev2_payloads *pl = m->pl;
	uint16_t err = ike_error_notify(pl);
	struct child_sa *child = x->rekey_ike ? NULL : ike->pending_child;
	struct ikev2_diag d = { 0 };
	err_t e = NULL;
	if (err != 0) {
		e = notify_name(err);
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
		} else if (e == NULL && child != NULL) {
			const struct alg_desc *dh = NULL;
			child_proposals_build(ike->c, child->spi_in, x->group, &offered);
			e = child_proposals_accept(&offered, &answer, &child->suite, &dh, &child->spi_out);
			if (e == NULL && x->group != NULL && dh != x->group)
				e = "the peer dropped the PFS group";
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
		llog(&ike->logger, RC_WARNING, "rekey refused: %s", e);
		if (child != NULL)
			child_sa_delete(child, NULL);
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
	struct child_sa *child = x->rekey_ike ? NULL : pending(ike, x);
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
		ike_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
					 IKEV2_N_NO_PROPOSAL_CHOSEN);
		ccsa_free(x);
		return;
	}
	if (x->rekey_ike) {
		err_t e = ike_sa_keys_rekey(&x->ike_suite, ike->suite.prf, ike->keys.sk_d, x->gir,
					    x->ni, x->nr, x->new_spi_i, x->new_spi_r, &x->ike_keys);
		if (e != NULL) {
			ike_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
						 IKEV2_N_NO_PROPOSAL_CHOSEN);
			ccsa_free(x);
			return;
		}
		ike_send_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid, fill_ccsa_response, x);
		finish_ike(ike, x, false);
		ccsa_free(x);
		return;
	}
	struct child_sa *child = pending(ike, x);
	if (child == NULL || !finish_child(ike, child, x, false)) {
		if (child != NULL)
			child_sa_delete(child, NULL);
		ike_send_notify_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid,
					 IKEV2_N_NO_PROPOSAL_CHOSEN);
		ccsa_free(x);
		return;
	}
	/* our SPI goes in the answer */
	x->chosen.spi[0] = (uint8_t)(child->spi_in >> 24);
	x->chosen.spi[1] = (uint8_t)(child->spi_in >> 16);
	x->chosen.spi[2] = (uint8_t)(child->spi_in >> 8);
	x->chosen.spi[3] = (uint8_t)child->spi_in;
	ts_lists_of(&child->ts, false, &x->tsi, &x->tsr);
	ike_send_response(ike, IKEV2_EXCH_CREATE_CHILD_SA, x->msgid, fill_ccsa_response, x);
	ccsa_free(x);
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
		ike_send_notify_response(ike, m->h.exchange, msgid, IKEV2_N_INVALID_SYNTAX);
		return;
	}
	if (ike->pending_child != NULL || ike_outstanding(ike) == REQ_REKEY_CHILD ||
	    ike_outstanding(ike) == REQ_REKEY_IKE) {
		/* simultaneous rekey: let the peer's win later, refuse now */
		ike_send_notify_response(ike, m->h.exchange, msgid, IKEV2_N_TEMPORARY_FAILURE);
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
		if (e != NULL || x->chosen.spi_size != 8 || kp == NULL)
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
		struct ikev2_notify n;
		struct child_sa *old = NULL;
		if (ike_find_notify(pl, IKEV2_N_REKEY_SA, &n) != NULL && n.spi.len == 4) {
			uint32_t spi = (uint32_t)n.spi.ptr[0] << 24 | (uint32_t)n.spi.ptr[1] << 16 |
				       (uint32_t)n.spi.ptr[2] << 8 | n.spi.ptr[3];
			old = child_sa_by_spi_out(ike, spi);
		}
		struct ikev2_ts_list tsi, tsr;
		const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
		const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
		if (tip == NULL || trp == NULL || ikev2_decode_ts(tip, &tsi, &d) != NULL ||
		    ikev2_decode_ts(trp, &tsr, &d) != NULL) {
			refuse = IKEV2_N_INVALID_SYNTAX;
		} else {
			struct connection *c = old ? old->c : ike->c;
			struct child_sa *child = child_sa_new(ike, c);
			child->protocol = sa.proposals[0].protocol;
			child->transport = c->type == CONN_TRANSPORT;
			child->encap = ike->nat_detected;
			child->lifetime_ms = c->sa_lifetime_ms;
			child->rekey_of_spi = old ? old->spi_in : 0;
			ike->pending_child = child;
			x->child_serial = child->serial;
			const struct alg_desc *pfs = kp ? alg_by_ikev2_id(ALG_DH, ke.group) : NULL;
			const struct alg_desc *dh = NULL;
			err_t e = child_proposals_choose(c, &sa, pfs, &x->chosen, &child->suite, &dh);
			if (e == NULL)
				e = ts_narrow(c, &ike->iface->addr, &ike->remote, &tsi, &tsr, &child->ts);
			if (e != NULL) {
				llog(&ike->logger, RC_INFO, "CREATE_CHILD_SA: %s", e);
				refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
			} else if (kp != NULL && dh == NULL) {
				refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
			} else {
				child->spi_out = (uint32_t)x->chosen.spi[0] << 24 |
						 (uint32_t)x->chosen.spi[1] << 16 |
						 (uint32_t)x->chosen.spi[2] << 8 | x->chosen.spi[3];
				if (!child_alloc_spi(child))
					refuse = IKEV2_N_NO_PROPOSAL_CHOSEN;
				x->group = dh;
				if (dh != NULL)
					x->peer_ke = chunk_clone(ke.data.ptr, ke.data.len);
			}
			if (refuse != 0) {
				child_sa_delete(child, NULL);
			}
		}
	}
	if (refuse != 0) {
		ike_send_notify_response(ike, m->h.exchange, msgid, refuse);
		ccsa_free(x);
		return;
	}
	helpers_submit(ike->pluto, ccsa_work, responder_keys_done, x);
}
