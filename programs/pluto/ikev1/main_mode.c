/* Main Mode with a pre-shared key (RFC 2409 5, 5.4):
 *
 *   HDR, SA                     -->
 *                               <--  HDR, SA           (one transform)
 *   HDR, KE, Ni                 -->
 *                               <--  HDR, KE, Nr
 *   HDR*, IDii, HASH_I          -->
 *                               <--  HDR*, IDir, HASH_R
 *
 * SKEYID = prf(PSK, Ni_b | Nr_b); the rest of the schedule is in
 * crypto/ikev1_keys.c. The DH work runs on a helper thread. Each end sends
 * three messages; ike->v1.step counts them. The initiator retransmits
 * (ike/transmit.c) until the answer comes; the responder answers a repeat
 * of the peer's last message with its last answer again.
 *
 * The initiator starts Quick Mode (quick_mode.c) for its conn as soon as
 * the ISAKMP SA is up.
 *
 * Messages 1 and 2 carry our vendor IDs (vendor.c: DPD, NAT-T, CAN-IKEv2);
 * the peer's are noted from its message 1 or 2. When both do NAT-T,
 * messages 3 and 4 carry NAT-D (natt.c) and after a NAT the initiator
 * sends message 5 from port 4500 (RFC 3947 4); the responder follows it
 * once message 5 authenticates. A message 1 with CAN-IKEv2 for a conn with
 * ikev2=propose is a bid-down (phase1.c).
 *
 * With RSA signatures (sig.c) messages 5 and 6 carry SIG_I / SIG_R
 * instead of the HASH, and with certificates a CR in messages 3 and 4
 * and CERT before the SIG.
 *
 * Not here: RESPONDER-LIFETIME. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "iface.h"
#include "ike/initiate.h"
#include "ike/timers.h"
#include "ikev1/phase1.h"
#include "ikev1/natt.h"
#include "ikev1/vendor.h"
#include "ike/natt.h"
#include "ikev2/ids.h"
#include "ikev2/proposals.h"
#include "pluto.h"
#include "secrets.h"

/* The peer's ID and HASH (or SIG, with signatures) of message 5 or 6:
 * NULL, or why not; the ID in *peer. */
static const char *check_id_hash(struct ike_sa *ike, struct v1_msg_in *m, ip_id *peer, bool *auth_failed)
{
	bool sig = ike->v1.auth == OAKLEY_RSA_SIG;
	const struct isakmp_payload *idp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_ID, 0);
	const struct isakmp_payload *hp = isakmp_payloads_find(&m->pl, sig ? ISAKMP_NEXT_SIG : ISAKMP_NEXT_HASH, 0);
	*auth_failed = false;
	if (idp == NULL || hp == NULL) {
		*auth_failed = true;
		return sig ? "no ID and SIG payloads in it" : "no ID and HASH payloads in it (a different PSK?)";
	}
	const char *why = phase1_peer_id(idp, peer);
	if (why != NULL)
		return why;
	ikev1_certreq_note(ike, &m->pl);
	return phase1_check_peer(ike, chunk_from(idp->body, idp->len), hp, &m->pl, peer, auth_failed);
}

/* ---- initiator ------------------------------------------------------------------- */

static void mm_timeout(struct ike_sa *ike)
{
	char why[64];
	snprintf(why, sizeof(why), "no answer to Main Mode message %u", 2 * ike->v1.step - 1);
	ike_initiate_failed(ike, FAIL_TIMEOUT, why);
}

static bool send_request(struct ike_sa *ike, v1_fill_fn *fill, void *ctx, bool encrypt)
{
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_IDPROT, 0, encrypt ? ike->v1.iv : NULL, fill, ctx, out, &len))
		return false;
	ike->on_timeout = mm_timeout;
	ike->v1.step++;
	ike_request_sent(ike, out, len, 0, ISAKMP_XCHG_IDPROT);
	return true;
}

static bool fill_mm1(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	return phase1_build_our_sa(ike, b) &&
	       ikev1_vids_build(ike, b);
}

void main_mode_initiate(struct ike_sa *ike)
{
	if (!phase1_initiate_ok(ike))
		return;
	if (!send_request(ike, fill_mm1, NULL, false)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build Main Mode message 1");
		return;
	}
	ike_set_state(ike, IKE_I_INIT_SENT);
	char a[ADDRESS_BUF];
	llog(&ike->logger, RC_INFO, "sent Main Mode message 1 to %s:%u", str_address(&ike->remote, a),
	     ike->remote_port);
}

static bool fill_ke_nonce(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	chunk_t ke = ike->original_initiator ? ike->v1.gxi : ike->v1.gxr;
	chunk_t n = ike->original_initiator ? ike->ni : ike->nr;
	isakmp_build_bytes(b, ISAKMP_NEXT_KE, (struct ikev2_span){ ke.ptr, ke.len });
	isakmp_build_bytes(b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ n.ptr, n.len });
	ikev1_certreq_build(ike, b);
	return !b->failed && ikev1_natd_build(ike, b);
}

static void keygen_done(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_keygen_done(p, arg);
	if (ike == NULL)
		return;
	if (!send_request(ike, fill_ke_nonce, NULL, false)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build Main Mode message 3");
		return;
	}
	llog(&ike->logger, RC_INFO, "sent Main Mode message 3");
}

/* Message 5 or 6: our ID, then HASH_I/R, or with signatures SIG_I/R (made
 * on a helper: sig). */
struct id_auth {
	struct id_out o;
	chunk_t sig;
};

static bool fill_id_hash(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct id_auth *a = ctx;
	struct id_out *o = &a->o;
	isakmp_build_id(b, &o->id);
	if (ike->v1.auth == OAKLEY_RSA_SIG) {
		ikev1_cert_build(ike, b);
		isakmp_build_bytes(b, ISAKMP_NEXT_SIG, (struct ikev2_span){ a->sig.ptr, a->sig.len });
	} else {
		chunk_t hash;
		if (phase1_auth_hash(ike, ike->original_initiator, chunk_from(o->body, o->body_len), &hash) != NULL)
			return false;
		isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ hash.ptr, hash.len });
		chunk_free(&hash);
	}
	/* message 5: INITIAL-CONTACT when this is our first ISAKMP SA with the peer */
	if (ike->original_initiator && ikev1_initial_contact_payload(ike, b) == SIZE_MAX)
		return false;
	return !b->failed;
}

static void send_mm5(struct ike_sa *ike, struct id_auth *a);

/* Used at once, never across a helper job: other SAs use it meanwhile
 * (after a signature the ID is made again: it is the same for the SA). */
static struct id_auth mm5_out;

static void mm5_signed(struct pluto *p, void *arg)
{
	struct v1_sign_job *j = arg;
	struct ike_sa *ike = ikev1_sign_sa(p, j);
	if (ike == NULL)
		return;
	if (j->err[0] != '\0' || !phase1_our_id(ike, &mm5_out.o)) {
		ike_initiate_failed(ike, FAIL_LOCAL, j->err[0] ? j->err : "leftid= cannot be sent as an IKE ID");
		ikev1_sign_job_free(j);
		return;
	}
	chunk_free(&mm5_out.sig);
	mm5_out.sig = j->sig;
	j->sig = EMPTY_CHUNK;
	ikev1_sign_job_free(j);
	send_mm5(ike, &mm5_out);
}

static void keys_done_initiator(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_initiator_keys(p, arg);
	if (ike == NULL)
		return;
	if (!phase1_our_id(ike, &mm5_out.o)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "leftid= cannot be sent as an IKE ID");
		return;
	}
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		phase1_sign_our_hash(ike, mm5_signed, "Main Mode");
	else
		send_mm5(ike, &mm5_out);
}

static void send_mm5(struct ike_sa *ike, struct id_auth *a)
{
	if (!send_request(ike, fill_id_hash, a, true)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build Main Mode message 5");
		return;
	}
	ike_set_state(ike, IKE_I_AUTH_SENT);
	char suite[128];
	llog(&ike->logger, RC_INFO, "sent Main Mode message 5 {%s}",
	     str_ike_suite(&ike->suite, suite, sizeof(suite)));
}

static void initiator_mm2(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct v1_xform x;
	const char *why = phase1_take_answer(ike, m, "Main Mode message 2", &x);
	if (why != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, why);
		return;
	}
	phase1_answered(ike, m, &x);
	phase1_initiator_keygen(ike, keygen_done);
}

static void initiator_mm4(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct isakmp_diag d = { 0 };
	struct ikev2_span ke, nr;
	const struct isakmp_payload *kp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_NONCE, 0);
	if (kp == NULL || np == NULL || isakmp_decode_bytes(kp, &ke, &d) != NULL ||
	    isakmp_decode_bytes(np, &nr, &d) != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, d.text[0] ? d.text : "Main Mode message 4 without KE and nonce");
		return;
	}
	const struct secret *s = phase1_initiator_psk(ike);
	if (s == NULL)
		return;
	ike_request_answered(ike);
	phase1_keep_last_in(ike, m->pkt);
	phase1_take_ke_nonce(ike, ke, nr);
	ikev1_certreq_note(ike, &m->pl);
	/* RFC 3947 4: after a NAT, message 5 goes to the NAT-T port */
	ikev1_natd_check(ike, &m->pl, m->pkt, NULL);
	if (ike->nat_detected)
		natt_float(ike);
	phase1_initiator_derive(ike, s, keys_done_initiator);
}

static void initiator_mm6(struct ike_sa *ike, struct v1_msg_in *m)
{
	const char *why = NULL;
	char a[ADDRESS_BUF];
	uint8_t iv[IKEV1_BLOCK_MAX];
	memcpy(iv, ike->v1.iv, sizeof(iv));
	if (!(m->h.flags & ISAKMP_FLAG_ENCRYPTION)) {
		ldbg(&ike->logger, DBG_CONTROL, "Main Mode message 6 not encrypted: dropped");
		return;
	}
	bool auth_failed = true;
	ip_id peer = { 0 };
	if (ikev1_decrypt(ike, m, iv, &why))
		why = check_id_hash(ike, m, &peer, &auth_failed);
	if (why != NULL) {
		char w[320];
		if (auth_failed)
			llog(&ike->logger, RC_WARNING, "authentication failed: Main Mode message 6 from %s: %s",
			     str_address(&ike->remote, a), why);
		snprintf(w, sizeof(w), "%s%s", auth_failed ? "authentication failed: " : "", why);
		ike_initiate_failed(ike, FAIL_REFUSED, w);
		return;
	}
	memcpy(ike->v1.iv, iv, sizeof(iv));
	ike_request_answered(ike);
	phase1_keep_last_in(ike, m->pkt);
	phase1_established(ike, &peer, "Main Mode");
}

/* ---- responder ------------------------------------------------------------------- */

static void send_response(struct ike_sa *ike, v1_fill_fn *fill, void *ctx, bool encrypt)
{
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_IDPROT, 0, encrypt ? ike->v1.iv : NULL, fill, ctx, out, &len))
		return;
	ike->v1.step++;
	ike_response_sent(ike, out, len, 0, ISAKMP_XCHG_IDPROT);
}

static bool fill_mm2(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ike;
	return phase1_build_answer_sa(b, ctx) != SIZE_MAX &&
	       ikev1_vids_build(ike, b);
}

/* The first of the peer's transforms that is one of ours (and PSK). */

void main_mode_responder_first(struct pluto *p, struct v1_msg_in *m)
{
	static struct isakmp_sa sa;
	static struct isakmp_proposal answer;
	const struct packet *pkt = m->pkt;
	static const uint8_t zero[8];
	char a[ADDRESS_BUF];
	str_address(&pkt->remote, a);
	struct isakmp_diag d = { 0 };
	if (!phase1_first_ok(p, m, "Main Mode"))
		return;
	const struct isakmp_payload *sap = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_SA, 0);
	struct connection *c = conn_for_responder(p, pkt, NULL, NULL, NULL);
	if (c == NULL) {
		char why[160];
		llog(&p->logger, RC_INFO, "Main Mode from %s: NO-PROPOSAL-CHOSEN: %s", a,
		     conn_refusal(p, pkt, why, sizeof(why)));
		ikev1_send_clear_notify(p, pkt, m->h.icookie, zero, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (phase1_bid_down(p, m, c, "Main Mode"))
		return;
	if (isakmp_decode_sa(sap, &sa, &d) != NULL) {
		llog(&p->logger, RC_INFO, "\"%s\": Main Mode from %s: %s", c->name, a, d.text);
		ikev1_send_clear_notify(p, pkt, m->h.icookie, zero,
					d.notify ? d.notify : ISAKMP_N_PAYLOAD_MALFORMED);
		return;
	}
	struct v1_xform x;
	uint64_t life = 0;
	const char *why = phase1_choose(c, &sa, &answer, &x, &life);
	if (why != NULL) {
		llog(&p->logger, RC_INFO, "\"%s\": Main Mode from %s: NO-PROPOSAL-CHOSEN: %s", c->name, a, why);
		ikev1_send_clear_notify(p, pkt, m->h.icookie, zero, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	struct ike_sa *ike = phase1_responder_sa(p, m, c, &x, life);
	if (ike == NULL)
		return;
	ike_sa_insert(ike);
	phase1_keep_last_in(ike, pkt);
	char suite[128];
	llog(&ike->logger, RC_INFO, "responding to Main Mode from %s:%u {%s}", a, pkt->remote_port,
	     str_ike_suite(&ike->suite, suite, sizeof(suite)));
	send_response(ike, fill_mm2, &answer, false);
	ike_set_state(ike, IKE_R_INIT_SENT);
	ike_sa_half_open_timer_start(ike);
}

static void keys_done_responder(struct pluto *p, void *arg)
{
	struct ike_sa *ike = phase1_responder_keys(p, arg, "Main Mode");
	if (ike != NULL)
		send_response(ike, fill_ke_nonce, NULL, false);
}

static void responder_mm3(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct isakmp_diag d = { 0 };
	struct ikev2_span ke, ni;
	const struct isakmp_payload *kp = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_NONCE, 0);
	if (kp == NULL || np == NULL || isakmp_decode_bytes(kp, &ke, &d) != NULL ||
	    isakmp_decode_bytes(np, &ni, &d) != NULL) {
		llog(&ike->logger, RC_INFO, "Main Mode message 3: %s",
		     d.text[0] ? d.text : "no KE and nonce");
		return;
	}
	const struct secret *s = ike->v1.auth == OAKLEY_RSA_SIG ? NULL : phase1_find_psk(ike, NULL);
	if (s == NULL && ike->v1.auth != OAKLEY_RSA_SIG) {
		llog(&ike->logger, RC_WARNING, "Main Mode: no PSK in ipsec.secrets for this pair of IDs");
		ikev1_send_clear_notify(ike->pluto, m->pkt, ike->spi_i, ike->spi_r,
					ISAKMP_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, NULL);
		return;
	}
	phase1_keep_last_in(ike, m->pkt);
	phase1_take_ke_nonce(ike, ke, ni);
	ikev1_certreq_note(ike, &m->pl);
	ikev1_natd_check(ike, &m->pl, m->pkt, NULL);
	phase1_responder_derive(ike, s, keys_done_responder);
}

/* As mm5_out: used at once, the ID made again after a signature. */
static struct id_auth mm6_out;

static void send_mm6(struct ike_sa *ike, struct id_auth *a)
{
	send_response(ike, fill_id_hash, a, true);
	ip_id peer = ike->peer_id;
	phase1_established(ike, &peer, "Main Mode");
}

static void mm6_signed(struct pluto *p, void *arg)
{
	struct v1_sign_job *j = arg;
	struct ike_sa *ike = ikev1_sign_sa(p, j);
	if (ike == NULL)
		return;
	if (j->err[0] != '\0' || !phase1_our_id(ike, &mm6_out.o)) {
		llog(&ike->logger, RC_ERROR, "Main Mode: %s", j->err[0] ? j->err : "leftid= cannot be sent as an IKE ID");
		ikev1_sign_job_free(j);
		ikev1_send_notify(ike, ISAKMP_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, NULL);
		return;
	}
	chunk_free(&mm6_out.sig);
	mm6_out.sig = j->sig;
	j->sig = EMPTY_CHUNK;
	ikev1_sign_job_free(j);
	send_mm6(ike, &mm6_out);
}

static void responder_mm5(struct ike_sa *ike, struct v1_msg_in *m)
{
	char a[ADDRESS_BUF];
	str_address(&ike->remote, a);
	if (!ike->v1.keys_ready) {
		ldbg(&ike->logger, DBG_CONTROL, "Main Mode message 5 before our keys: dropped");
		return;
	}
	if (!(m->h.flags & ISAKMP_FLAG_ENCRYPTION)) {
		llog(&ike->logger, RC_INFO, "Main Mode message 5 from %s is not encrypted: dropped", a);
		return;
	}
	uint8_t iv[IKEV1_BLOCK_MAX];
	memcpy(iv, ike->v1.iv, sizeof(iv));
	const char *why = NULL;
	bool auth_failed = true;
	ip_id peer = { 0 };
	if (ikev1_decrypt(ike, m, iv, &why))
		why = check_id_hash(ike, m, &peer, &auth_failed);
	else
		why = "it does not decrypt (a different PSK?)";
	if (why != NULL && auth_failed) {
		llog(&ike->logger, RC_WARNING, "authentication failed: Main Mode message 5 from %s: %s", a, why);
		ikev1_send_clear_notify(ike->pluto, m->pkt, ike->spi_i, ike->spi_r,
					ISAKMP_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, NULL);
		return;
	}
	memcpy(ike->v1.iv, iv, sizeof(iv));   /* the keys are good: the chain goes on */
	if (why != NULL) {
		llog(&ike->logger, RC_WARNING, "Main Mode message 5 from %s: INVALID-ID-INFORMATION: %s", a, why);
		ikev1_send_notify(ike, ISAKMP_N_INVALID_ID_INFORMATION);
		ike_sa_delete(ike, NULL);
		return;
	}
	phase1_keep_last_in(ike, m->pkt);
	natt_follow_peer(ike, m->pkt);   /* authenticated: it may have floated to 4500 */
	if (!phase1_our_id(ike, &mm6_out.o)) {
		llog(&ike->logger, RC_ERROR, "leftid= cannot be sent as an IKE ID");
		ike_sa_delete(ike, NULL);
		return;
	}
	ike->peer_id = peer;
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		phase1_sign_our_hash(ike, mm6_signed, "Main Mode");
	else
		send_mm6(ike, &mm6_out);
}

/* ---- dispatch ------------------------------------------------------------------------ */

void main_mode_receive(struct ike_sa *ike, struct v1_msg_in *m)
{
	const struct packet *pkt = m->pkt;
	if (ike->v1.aggressive) {
		ldbg(&ike->logger, DBG_CONTROL, "Main Mode message for an Aggressive Mode SA: dropped");
		return;
	}
	/* a repeat of what we took last: the responder answers it again */
	if (phase1_repeated(ike, pkt, "Main Mode"))
		return;
	bool clear = !(m->h.flags & ISAKMP_FLAG_ENCRYPTION);
	if (clear) {
		struct isakmp_diag d = { 0 };
		if (isakmp_split_payloads(pkt->data, pkt->len, &m->h, &m->pl, &d) != NULL) {
			llog(&ike->logger, RC_INFO, "dropping a Main Mode message: %s", d.text);
			return;
		}
	}
	if (ike->original_initiator) {
		if (!ike->request_outstanding || ike->state == IKE_ESTABLISHED) {
			ldbg(&ike->logger, DBG_CONTROL, "unexpected Main Mode message: dropped");
			return;
		}
		switch (ike->v1.step) {
		case 1:
			if (clear && memcmp(m->h.rcookie, (uint8_t[8]){ 0 }, 8) != 0)
				initiator_mm2(ike, m);
			return;
		case 2:
			if (clear)
				initiator_mm4(ike, m);
			return;
		case 3:
			initiator_mm6(ike, m);
			return;
		}
		return;
	}
	switch (ike->v1.step) {
	case 1:
		if (clear)
			responder_mm3(ike, m);
		return;
	case 2:
		responder_mm5(ike, m);
		return;
	default:
		ldbg(&ike->logger, DBG_CONTROL, "unexpected Main Mode message: dropped");
	}
}
