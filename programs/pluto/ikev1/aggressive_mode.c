/* Aggressive Mode (RFC 2409 5.4, 5.1), for conns with aggrmode=yes,
 * with a pre-shared key:
 *
 *   HDR, SA, KE, Ni, IDii       -->
 *                               <--  HDR, SA, KE, Nr, IDir, HASH_R
 *   HDR*, HASH_I                -->
 *
 * or with RSA signatures (sig.c):
 *
 *   HDR, SA, KE, Ni, IDii [, CR]  -->
 *                               <--  HDR, SA, KE, Nr, IDir, [CR,] [CERT,] SIG_R
 *   HDR*, [CERT,] SIG_I         -->
 *
 * SIG_R and SIG_I are made on a helper once the keys are there; the
 * certificates the initiator checks SIG_R with are read again from
 * message 2, kept as the last message taken.
 *
 * The KE goes with the proposal, so ike= must name one DH group (the
 * initiator refuses to start otherwise). The responder picks its conn by
 * the peer's ID (IDii comes in the first message, in the clear) and the
 * PSK by that ID. Message 3 is sent encrypted, as libreswan does; one in
 * the clear is taken too (RFC 2409 allows both). HASH_I and HASH_R are
 * Main Mode's (phase1.c); so is the rest of the ISAKMP SA (Quick Mode,
 * Informational, DPD).
 *
 * ike->v1.step counts the messages this end has sent: the initiator
 * retransmits message 1 until message 2 comes; message 3 is not answered
 * (a lost one leaves the responder half-open until its timer). The
 * responder answers a repeat of message 1 with message 2 again. */
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "iface.h"
#include "ike/timers.h"
#include "ikev2/proposals.h"
#include "ikev1/phase1.h"
#include "ikev1/natt.h"
#include "ikev1/vendor.h"
#include "ike/natt.h"
#include "pluto.h"
#include "secrets.h"

#define AM "Aggressive Mode"

/* ---- initiator ------------------------------------------------------------------- */

static void am_timeout(struct ike_sa *ike)
{
	ike_initiate_failed(ike, FAIL_TIMEOUT, "no answer to " AM " message 1");
}

/* The one DH group of ike=: NULL and it in *dh, or why there is not one. */
static const char *one_group(const struct connection *c, const struct alg_desc **dh)
{
	*dh = NULL;
	if (c->ike == NULL || c->ike->n == 0)
		return "ike= is not given";
	for (unsigned i = 0; i < c->ike->n; i++) {
		const struct alg_desc *g = c->ike->p[i].dh;
		if (g == NULL)
			return "an ike= proposal names no DH group";
		if (*dh != NULL && g != *dh)
			return "ike= names more than one DH group";
		*dh = g;
	}
	return NULL;
}

static bool fill_am1(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	static struct id_out o;
	if (!phase1_our_id(ike, &o) || !phase1_build_our_sa(ike, b))
		return false;
	isakmp_build_bytes(b, ISAKMP_NEXT_KE, (struct ikev2_span){ ike->v1.gxi.ptr, ike->v1.gxi.len });
	isakmp_build_bytes(b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ ike->ni.ptr, ike->ni.len });
	isakmp_build_id(b, &o.id);
	ikev1_certreq_build(ike, b);
	return !b->failed && ikev1_vids_build(ike, b);
}

static void keygen_done(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_keygen_done(p, arg);
	if (ike == NULL)
		return;
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_AGGRESSIVE, 0, NULL, fill_am1, NULL, out, &len)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build " AM " message 1 (can leftid= be sent as an IKE ID?)");
		return;
	}
	ike->on_timeout = am_timeout;
	ike->v1.step++;
	ike_request_sent(ike, out, len, 0, ISAKMP_XCHG_AGGRESSIVE);
	ike_set_state(ike, IKE_I_INIT_SENT);
	char a[ADDRESS_BUF];
	llog(&ike->logger, RC_INFO, "sent " AM " message 1 to %s:%u", str_address(&ike->remote, a),
	     ike->remote_port);
}

void aggressive_mode_initiate(struct ike_sa *ike)
{
	const struct alg_desc *dh;
	const char *why = one_group(ike->c, &dh);
	if (why != NULL) {
		char w[200];
		snprintf(w, sizeof(w), "aggrmode=yes needs ike= fully specified with one DH group "
			 "(e.g. ike=aes256-sha2_256;modp2048): %s", why);
		ike_initiate_failed(ike, FAIL_LOCAL, w);
		return;
	}
	if (!phase1_initiate_ok(ike))
		return;
	ike->v1.aggressive = true;
	ike->suite.dh = dh;
	phase1_initiator_keygen(ike, keygen_done);
}

/* Message 2 or 3: our ID and HASH_R or HASH_I over it, or with
 * signatures SIG_R or SIG_I (sig, made on a helper). */
struct auth_out {
	struct id_out id;
	chunk_t hash, sig;
};

/* HASH, or our certificates and SIG */
static void build_hash_or_sig(struct ike_sa *ike, struct ikev2_builder *b, const struct auth_out *a)
{
	if (a->sig.ptr == NULL) {
		isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ a->hash.ptr, a->hash.len });
		return;
	}
	ikev1_cert_build(ike, b);
	isakmp_build_bytes(b, ISAKMP_NEXT_SIG, (struct ikev2_span){ a->sig.ptr, a->sig.len });
}

static bool fill_am3(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	build_hash_or_sig(ike, b, ctx);
	return !b->failed && ikev1_natd_build(ike, b);
}

/* Builds message 2 or 3 (encrypted with iv when it is not NULL) into out;
 * sig: the signature, or empty with a PSK. */
static bool build_auth(struct ike_sa *ike, uint8_t *iv, v1_fill_fn *fill, chunk_t sig, uint8_t *out,
		       size_t *len)
{
	static struct auth_out a;
	a.hash = EMPTY_CHUNK;
	a.sig = sig;
	bool ok = phase1_our_id(ike, &a.id) &&
		  (sig.ptr != NULL ||
		   phase1_auth_hash(ike, ike->original_initiator, chunk_from(a.id.body, a.id.body_len), &a.hash) == NULL) &&
		  ikev1_build(ike, ISAKMP_XCHG_AGGRESSIVE, 0, iv, fill, &a, out, len);
	chunk_free(&a.hash);
	return ok;
}

static void send_am2(struct ike_sa *ike, chunk_t sig);
static void send_am3(struct ike_sa *ike, chunk_t sig);

/* SIG_R or SIG_I is back from the helper: message 2 or 3 goes. */
static void signed_done(struct pluto *p, void *arg)
{
	struct v1_sign_job *j = arg;
	struct ike_sa *ike = ikev1_sign_sa(p, j);
	if (ike == NULL)
		return;
	if (j->err[0] != '\0') {
		phase1_sign_failed(ike, AM, j->err);
		ikev1_sign_job_free(j);
		return;
	}
	chunk_t sig = j->sig;
	j->sig = EMPTY_CHUNK;
	ikev1_sign_job_free(j);
	if (ike->original_initiator)
		send_am3(ike, sig);
	else
		send_am2(ike, sig);
	chunk_free(&sig);
}

/* The peer's ID payload body as a payload. */
static struct isakmp_payload peer_id_payload(const struct ike_sa *ike)
{
	return (struct isakmp_payload){ .type = ISAKMP_NEXT_ID, .body = ike->v1.peer_id_b.ptr,
					.len = ike->v1.peer_id_b.len };
}

/* An authentication failure: logged, the peer told in the clear. */
static void auth_failed(struct ike_sa *ike, const struct packet *pkt, unsigned msg, const char *why)
{
	char a[ADDRESS_BUF];
	llog(&ike->logger, RC_WARNING, "authentication failed: " AM " message %u from %s: %s", msg,
	     str_address(&ike->remote, a), why);
	ikev1_send_clear_notify(ike->pluto, pkt, ike->spi_i, ike->spi_r, ISAKMP_N_AUTHENTICATION_FAILED);
}

static void keys_done_initiator(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_initiator_keys(p, arg);
	if (ike == NULL)
		return;
	struct isakmp_payload idp = peer_id_payload(ike);
	struct isakmp_payload hp = { .type = ISAKMP_NEXT_HASH, .body = ike->v1.peer_hash.ptr,
				     .len = ike->v1.peer_hash.len };
	ip_id peer = { 0 };
	bool failed = false;
	const char *why = phase1_peer_id(&idp, &peer);
	/* with signatures, the certificates of message 2 (kept as last_in) */
	static struct isakmp_payloads pl;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	pl.n = 0;
	if (why == NULL && ike->v1.auth == OAKLEY_RSA_SIG &&
	    (isakmp_decode_header(ike->v1.last_in.ptr, ike->v1.last_in.len, &h, &d) != NULL ||
	     isakmp_split_payloads(ike->v1.last_in.ptr, ike->v1.last_in.len, &h, &pl, &d) != NULL))
		why = d.text;
	if (why == NULL)
		why = phase1_check_peer(ike, ike->v1.peer_id_b, &hp, &pl, &peer, &failed);
	if (why != NULL) {
		char w[320];
		struct packet pkt = { .iface = ike->iface, .remote = ike->remote, .remote_port = ike->remote_port };
		if (failed)
			auth_failed(ike, &pkt, 2, why);
		snprintf(w, sizeof(w), "%s%s", failed ? "authentication failed: " : "", why);
		ike_initiate_failed(ike, FAIL_REFUSED, w);
		return;
	}
	ike->peer_id = peer;
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		phase1_sign_our_hash(ike, signed_done, AM);
	else
		send_am3(ike, EMPTY_CHUNK);
}

static void send_am3(struct ike_sa *ike, chunk_t sig)
{
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!build_auth(ike, ike->v1.iv, fill_am3, sig, out, &len)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build " AM " message 3");
		return;
	}
	ike->v1.step++;
	ike_transmit(ike, out, len);   /* not answered: nothing to retransmit */
	ike_set_state(ike, IKE_I_AUTH_SENT);
	llog(&ike->logger, RC_INFO, "sent " AM " message 3");
	ip_id peer = ike->peer_id;
	phase1_established(ike, &peer, AM);
}

static void initiator_am2(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct isakmp_diag d = { 0 };
	struct ikev2_span ke, nr, hash;
	struct v1_xform x;
	const char *why = phase1_take_answer(ike, m, AM " message 2", &x);
	bool sig = why == NULL && x.auth == OAKLEY_RSA_SIG;
	const struct isakmp_payload *kp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_NONCE, 0);
	const struct isakmp_payload *idp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_ID, 0);
	const struct isakmp_payload *hp = isakmp_payloads_find(&m->pl, sig ? ISAKMP_NEXT_SIG : ISAKMP_NEXT_HASH, 0);
	if (why == NULL && (kp == NULL || np == NULL || idp == NULL || hp == NULL))
		why = sig ? AM " message 2 without KE, nonce, ID and SIG" : AM " message 2 without KE, nonce, ID and HASH";
	if (why == NULL && (isakmp_decode_bytes(kp, &ke, &d) != NULL || isakmp_decode_bytes(np, &nr, &d) != NULL ||
			    isakmp_decode_bytes(hp, &hash, &d) != NULL))
		why = d.text;
	if (why == NULL && x.dh != ike->suite.dh)
		why = "the responder chose another DH group than our KE's";
	if (why != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, why);
		return;
	}
	phase1_answered(ike, m, &x);   /* the method chosen: a PSK or none */
	const struct secret *s = phase1_initiator_psk(ike);
	if (s == NULL)
		return;
	ikev1_certreq_note(ike, &m->pl);
	/* RFC 3947 4: after a NAT, message 3 goes to the NAT-T port (its NAT-D
	 * of the ports it is sent from, as libreswan checks them) */
	ikev1_natd_check(ike, &m->pl, m->pkt, NULL);
	if (ike->nat_detected)
		natt_float(ike);
	phase1_take_ke_nonce(ike, ke, nr);
	chunk_free(&ike->v1.peer_id_b);
	ike->v1.peer_id_b = chunk_clone(idp->body, idp->len);
	chunk_free(&ike->v1.peer_hash);
	ike->v1.peer_hash = chunk_clone(hash.ptr, hash.len);
	phase1_initiator_derive(ike, s, keys_done_initiator);
}

/* ---- responder ------------------------------------------------------------------- */

static void refuse(struct pluto *p, struct v1_msg_in *m, const struct connection *c, const char *why,
		   uint16_t notify)
{
	static const uint8_t zero[8];
	char a[ADDRESS_BUF];
	str_address(&m->pkt->remote, a);
	if (c != NULL)
		llog(&p->logger, RC_INFO, "\"%s\": " AM " from %s: %s: %s", c->name, a, isakmp_notify_name(notify),
		     why);
	else
		llog(&p->logger, RC_INFO, AM " from %s: %s: %s", a, isakmp_notify_name(notify), why);
	ikev1_send_clear_notify(p, m->pkt, m->h.icookie, zero, notify);
}

static bool fill_am2(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	const struct auth_out *a = ctx;
	isakmp_build_bytes(b, ISAKMP_NEXT_SA, (struct ikev2_span){ ike->v1.answer_sa.ptr, ike->v1.answer_sa.len });
	isakmp_build_bytes(b, ISAKMP_NEXT_KE, (struct ikev2_span){ ike->v1.gxr.ptr, ike->v1.gxr.len });
	isakmp_build_bytes(b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ ike->nr.ptr, ike->nr.len });
	isakmp_build_id(b, &a->id.id);
	ikev1_certreq_build(ike, b);
	build_hash_or_sig(ike, b, a);
	return !b->failed && ikev1_vids_build(ike, b) && ikev1_natd_build(ike, b);
}

static void keys_done_responder(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_responder_keys(p, arg, AM);
	if (ike == NULL)
		return;
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		phase1_sign_our_hash(ike, signed_done, AM);
	else
		send_am2(ike, EMPTY_CHUNK);
}

static void send_am2(struct ike_sa *ike, chunk_t sig)
{
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!build_auth(ike, NULL, fill_am2, sig, out, &len)) {
		llog(&ike->logger, RC_ERROR, "cannot build " AM " message 2");
		ike_sa_delete(ike, NULL);
		return;
	}
	ike->v1.step++;
	ike_response_sent(ike, out, len, 0, ISAKMP_XCHG_AGGRESSIVE);
	ike_set_state(ike, IKE_R_INIT_SENT);
}

void aggressive_mode_responder_first(struct pluto *p, struct v1_msg_in *m)
{
	static struct isakmp_sa sa;
	static struct isakmp_proposal answer;
	const struct packet *pkt = m->pkt;
	struct isakmp_diag d = { 0 };
	if (!phase1_first_ok(p, m, AM))
		return;
	const struct isakmp_payload *sap = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_SA, 0);
	const struct isakmp_payload *kp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_NONCE, 0);
	const struct isakmp_payload *idp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_ID, 0);
	struct ikev2_span ke, ni;
	if (kp == NULL || np == NULL || idp == NULL) {
		ike_drop_log(p, pkt, AM " message 1 without KE, nonce and ID");
		return;
	}
	if (isakmp_decode_bytes(kp, &ke, &d) != NULL || isakmp_decode_bytes(np, &ni, &d) != NULL) {
		refuse(p, m, NULL, d.text, d.notify ? d.notify : ISAKMP_N_PAYLOAD_MALFORMED);
		return;
	}
	ip_id peer;
	const char *why = phase1_peer_id(idp, &peer);
	if (why != NULL) {
		refuse(p, m, NULL, why, ISAKMP_N_INVALID_ID_INFORMATION);
		return;
	}
	/* the peer's ID picks the conn */
	char pid[ID_BUF], w[ID_BUF + 200];
	struct connection *c = conn_for_responder(p, pkt, &peer, NULL, NULL);
	if (c == NULL) {
		char why2[160];
		snprintf(w, sizeof(w), "%s (the peer is '%s')", conn_refusal(p, pkt, why2, sizeof(why2)),
			 str_id(&peer, pid));
		refuse(p, m, NULL, w, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (phase1_bid_down(p, m, c, AM))
		return;
	if (!c->aggrmode) {
		refuse(p, m, c, "its conn does not say aggrmode=yes", ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (isakmp_decode_sa(sap, &sa, &d) != NULL) {
		refuse(p, m, c, d.text, d.notify ? d.notify : ISAKMP_N_PAYLOAD_MALFORMED);
		return;
	}
	struct v1_xform x;
	uint64_t life = 0;
	why = phase1_choose(c, &sa, &answer, &x, &life);
	if (why != NULL) {
		refuse(p, m, c, why, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (ke.len != dh_ke_len(x.dh)) {
		refuse(p, m, c, "the KE does not fit the group of the transform chosen",
		       ISAKMP_N_INVALID_KEY_INFORMATION);
		return;
	}
	struct ike_sa *ike = phase1_responder_sa(p, m, c, &x, life);
	if (ike == NULL)
		return;
	bool psk = x.auth != OAKLEY_RSA_SIG;
	const struct secret *s = psk ? phase1_find_psk(ike, &peer) : NULL;
	if (psk && s == NULL) {
		ike_sa_delete(ike, NULL);
		snprintf(w, sizeof(w), "no PSK in ipsec.secrets for the peer '%s'", str_id(&peer, pid));
		refuse(p, m, c, w, ISAKMP_N_AUTHENTICATION_FAILED);
		return;
	}
	if (!phase1_answer_sa(&answer, &ike->v1.answer_sa)) {
		ike_sa_delete(ike, NULL);
		return;
	}
	ike->v1.aggressive = true;
	ike->v1.peer_id_b = chunk_clone(idp->body, idp->len);
	ikev1_certreq_note(ike, &m->pl);
	phase1_take_ke_nonce(ike, ke, ni);
	ike_sa_insert(ike);
	phase1_keep_last_in(ike, pkt);
	char a[ADDRESS_BUF], suite[128];
	llog(&ike->logger, RC_INFO, "responding to " AM " from %s:%u (ID '%s') {%s}", str_address(&pkt->remote, a),
	     pkt->remote_port, str_id(&peer, pid), str_ike_suite(&ike->suite, suite, sizeof(suite)));
	ike_sa_half_open_timer_start(ike);
	phase1_responder_derive(ike, s, keys_done_responder);
}

static void responder_am3(struct ike_sa *ike, struct v1_msg_in *m)
{
	if (!ike->v1.keys_ready || !ike->have_last_response) {
		ldbg(&ike->logger, DBG_CONTROL, AM " message 3 before our message 2: dropped");
		return;
	}
	uint8_t iv[IKEV1_BLOCK_MAX];
	memcpy(iv, ike->v1.iv, sizeof(iv));
	const char *why = NULL;
	bool encrypted = m->h.flags & ISAKMP_FLAG_ENCRYPTION;
	if (encrypted && !ikev1_decrypt(ike, m, iv, &why))
		why = "it does not decrypt (a different PSK?)";
	bool sig = ike->v1.auth == OAKLEY_RSA_SIG;
	const struct isakmp_payload *hp =
		why == NULL ? isakmp_payloads_find(&m->pl, sig ? ISAKMP_NEXT_SIG : ISAKMP_NEXT_HASH, 0) : NULL;
	if (why == NULL && hp == NULL)
		why = sig ? "no SIG payload in it" : "no HASH payload in it";
	ip_id peer = { 0 };
	bool failed = true;
	if (why == NULL) {
		struct isakmp_payload idp = peer_id_payload(ike);
		why = phase1_peer_id(&idp, &peer);
		if (why == NULL)
			why = phase1_check_peer(ike, ike->v1.peer_id_b, hp, &m->pl, &peer, &failed);
	}
	if (why != NULL) {
		auth_failed(ike, m->pkt, 3, why);
		ike_sa_delete(ike, NULL);
		return;
	}
	if (encrypted)
		memcpy(ike->v1.iv, iv, sizeof(iv));
	phase1_keep_last_in(ike, m->pkt);
	/* message 3 may come from 4500: its NAT-D may be of those ports (ours,
	 * as the peer floated) or of message 1's (libreswan's) */
	struct packet first = { .iface = ike->iface, .remote = ike->remote, .remote_port = ike->remote_port };
	ikev1_natd_check(ike, &m->pl, &first, m->pkt);
	natt_follow_peer(ike, m->pkt);   /* authenticated: it may have floated to 4500 */
	phase1_established(ike, &peer, AM);
}

/* ---- dispatch ------------------------------------------------------------------------ */

void aggressive_mode_receive(struct ike_sa *ike, struct v1_msg_in *m)
{
	const struct packet *pkt = m->pkt;
	if (!ike->v1.aggressive || ike->state == IKE_ESTABLISHED) {
		ldbg(&ike->logger, DBG_CONTROL, "unexpected " AM " message: dropped");
		return;
	}
	if (phase1_repeated(ike, pkt, AM))
		return;
	bool clear = !(m->h.flags & ISAKMP_FLAG_ENCRYPTION);
	if (clear) {
		struct isakmp_diag d = { 0 };
		if (isakmp_split_payloads(pkt->data, pkt->len, &m->h, &m->pl, &d) != NULL) {
			llog(&ike->logger, RC_INFO, "dropping an " AM " message: %s", d.text);
			return;
		}
	}
	if (ike->original_initiator) {
		if (ike->request_outstanding && ike->v1.step == 1 && clear &&
		    memcmp(m->h.rcookie, (uint8_t[8]){ 0 }, 8) != 0)
			initiator_am2(ike, m);
		else
			ldbg(&ike->logger, DBG_CONTROL, "unexpected " AM " message: dropped");
		return;
	}
	if (ike->v1.step == 1)
		responder_am3(ike, m);
	else
		ldbg(&ike->logger, DBG_CONTROL, "unexpected " AM " message: dropped");
}
