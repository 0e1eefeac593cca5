/* IKE_SA_INIT (RFC 7296 1.2): SA, KE, nonces, NAT detection, COOKIE and
 * INVALID_KE_PAYLOAD. The DH work runs on a helper thread; the message
 * goes out when it is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "iface.h"
#include "ike/dh_busy.h"
#include "ike/initiate.h"
#include "ike/natt.h"
#include "ike/ops.h"
#include "ike/timers.h"
#include "ikev2/certs.h"
#include "ikev2/cookie.h"
#include "ikev2/exchanges.h"
#include "ikev2/ids.h"
#include "ikev2/messages.h"
#include "ikev2/proposals.h"
#include "pluto.h"

#define NONCE_LEN 32
#define INVALID_KE_RETRIES 3
#define COOKIE_RETRIES 3

/* One DH computation, done away from the event loop. */
struct dh_job {
	unsigned serial;
	const struct alg_desc *group;
	bool derive;                 /* also g^ir and the IKE SA keys */
	uint64_t reuse_ms;           /* a responder's: share the key pair (ike/dh_busy.h) */
	struct dh_secret *dh;        /* in (derive on the initiator) or out */
	chunk_t peer_ke;
	struct ike_suite suite;
	chunk_t ni, nr;              /* the responder makes nr */
	uint8_t spi_i[8], spi_r[8];
	struct ike_sa_keys keys;
	char err[160];
};

static void dh_job_free(struct dh_job *j)
{
	dh_free(&j->dh);
	chunk_free(&j->peer_ke);
	chunk_free(&j->ni);
	chunk_free(&j->nr);
	ike_sa_keys_free(&j->keys);
	free(j);
}

static void dh_work(void *arg)
{
	struct dh_job *j = arg;
	err_t e = NULL;
	if (j->dh == NULL) {
		j->dh = j->reuse_ms > 0 ? dh_generate_shared(j->group, j->reuse_ms, mono_ms(), &e)
					: dh_generate(j->group, &e);
		if (j->dh == NULL) {
			snprintf(j->err, sizeof(j->err), "cannot make a DH key: %s", e);
			return;
		}
	}
	if (!j->derive)
		return;
	if (j->nr.ptr == NULL && (e = random_nonce(NONCE_LEN, &j->nr)) != NULL) {
		snprintf(j->err, sizeof(j->err), "no nonce: %s", e);
		return;
	}
	chunk_t gir;
	e = dh_shared_secret(j->dh, j->peer_ke, &gir);
	if (e != NULL) {
		snprintf(j->err, sizeof(j->err), "bad KE payload from the peer: %s", e);
		return;
	}
	e = ike_sa_keys_derive(&j->suite, j->ni, j->nr, gir, j->spi_i, j->spi_r, &j->keys);
	chunk_free(&gir);
	if (e != NULL)
		snprintf(j->err, sizeof(j->err), "cannot derive the IKE SA keys: %s", e);
}

/* ---- payloads both ends send ------------------------------------------- */

static void build_natd(struct ike_sa *ike, struct ikev2_builder *b)
{
	uint8_t h[20];
	/* forceencaps=yes: claim a NAT by hashing a source that is not ours */
	ip_address src = ike->iface->addr;
	if (ike->c != NULL && ike->c->forceencaps)
		memset(src.bytes, 0, sizeof(src.bytes));
	natd_hash(ike->spi_i, ike->spi_r, &src, ike->iface->port, h);
	ikev2_build_notify_simple(b, IKEV2_N_NAT_DETECTION_SOURCE_IP, h, 20);
	natd_hash(ike->spi_i, ike->spi_r, &ike->remote, ike->remote_port, h);
	ikev2_build_notify_simple(b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h, 20);
}

/* RFC 7427: the SHA-2 hashes authby= allows with signatures (all three
 * for a conn without them, or none known yet) */
static void build_hash_algs(struct ikev2_builder *b, const struct connection *c)
{
	unsigned allowed = c != NULL && (c->authby & AUTH_SIG) ? c->rsa_hashes | c->ecdsa_hashes
							       : AUTHBY_SHA2;
	uint8_t algs[6];
	size_t n = 0;
	for (uint8_t h = IKEV2_HASH_SHA2_256; h <= IKEV2_HASH_SHA2_512; h++)
		if (allowed & AUTHBY_HASH(h)) {
			algs[n++] = 0;
			algs[n++] = h;
		}
	if (n > 0)
		ikev2_build_notify_simple(b, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, algs, n);
}

/* Reads what the peer sent that both ends care about: NAT-D and RFC 7427.
 * spi_r: the responder SPI of that message's header (zero in a request). */
static void read_common(struct ike_sa *ike, const struct ikev2_payloads *pl,
			const struct packet *pkt, const uint8_t spi_r[8])
{
	struct ikev2_notify n;
	/* RFC 7383: announced by the peer, and ours to use unless fragmentation=no */
	ike->v2.peer_frag = ikev2_payloads_find_notify(pl, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL &&
			    (ike->c == NULL || ike->c->fragmentation != FRAG_NO);
	if (ike_find_notify(pl, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, &n) != NULL) {
		ike->v2.peer_digsig = true;
		ike->v2.n_peer_hashes = (unsigned)ikev2_notify_hash_algorithms(
			&n, ike->v2.peer_hashes, sizeof(ike->v2.peer_hashes) / sizeof(ike->v2.peer_hashes[0]));
	}
	certs_note_certreq(ike, pl);
	/* NAT detection: does the peer see our address and port as we do? */
	uint8_t h[20];
	bool nat_us = false, nat_them = false, have = false;
	for (size_t i = 0; i < pl->n; i++) {
		struct ikev2_notify x;
		struct ikev2_diag d;
		if (pl->p[i].type != IKEV2_PT_N || ikev2_decode_notify(&pl->p[i], &x, &d) != NULL)
			continue;
		if (x.type == IKEV2_N_NAT_DETECTION_DESTINATION_IP && x.data.len == 20) {
			have = true;
			natd_hash(ike->spi_i, spi_r, &ike->iface->addr, ike->iface->port, h);
			nat_us = memcmp(h, x.data.ptr, 20) != 0;
		}
		if (x.type == IKEV2_N_NAT_DETECTION_SOURCE_IP && x.data.len == 20) {
			natd_hash(ike->spi_i, spi_r, &pkt->remote, pkt->remote_port, h);
			nat_them = nat_them || memcmp(h, x.data.ptr, 20) != 0;
		}
	}
	if (have && (nat_us || nat_them || (ike->c && ike->c->forceencaps))) {
		ike->nat_detected = true;
		ike->nat_local = nat_us;
		llog(&ike->logger, RC_INFO, "NAT detected (%s): using UDP encapsulation",
		     nat_us ? "this host is behind a NAT" : nat_them ? "the peer is behind a NAT"
							      : "forceencaps=yes");
	}
}

/* ---- initiator ---------------------------------------------------------- */

static bool fill_init_request(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	static struct ikev2_sa sa;
	if (ike->v2.cookie.ptr != NULL)   /* COOKIE goes first (2.6) */
		ikev2_build_notify_simple(b, IKEV2_N_COOKIE, ike->v2.cookie.ptr, ike->v2.cookie.len);
	ike_proposals_build(ike->c, NULL, &sa);
	ikev2_build_sa(b, &sa);
	chunk_t pub = dh_public_value(ike->dh);
	struct ikev2_ke ke = { ike->v2.ke_group, { pub.ptr, pub.len } };
	ikev2_build_ke(b, &ke);
	struct ikev2_nonce n = { { ike->ni.ptr, ike->ni.len } };
	ikev2_build_nonce(b, &n);
	build_natd(ike, b);
	if (ike->c->authby & AUTH_SIG)
		build_hash_algs(b, ike->c);
	if (ike->c->fragmentation != FRAG_NO)
		ikev2_build_notify_simple(b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	return true;
}

static void init_timeout(struct ike_sa *ike)
{
	ike_initiate_failed(ike, FAIL_TIMEOUT, "no answer to IKE_SA_INIT");
}

static void send_init_request(struct ike_sa *ike)
{
	ike->on_timeout = init_timeout;
	if (!ikev2_send_request(ike, IKEV2_EXCH_IKE_SA_INIT, fill_init_request, NULL)) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build IKE_SA_INIT");
		return;
	}
	chunk_free(&ike->v2.init_request);
	ike->v2.init_request = chunk_dup(ike->last_request);
	if (ike->state != IKE_I_INIT_SENT)
		ike_set_state(ike, IKE_I_INIT_SENT);
	char a[ADDRESS_BUF];
	llog(&ike->logger, RC_INFO, "sent IKE_SA_INIT request to %s:%u",
	     str_address(&ike->remote, a), ike->remote_port);
}

static void keygen_done(struct pluto *p, void *arg)
{
	struct dh_job *j = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->state != IKE_I_INIT) {
		dh_job_free(j);
		return;
	}
	if (j->err[0] != '\0') {
		ike_initiate_failed(ike, FAIL_LOCAL, j->err);
		dh_job_free(j);
		return;
	}
	dh_free(&ike->dh);
	ike->dh = j->dh;
	j->dh = NULL;
	dh_job_free(j);
	send_init_request(ike);
}

/* Starts (or restarts, after INVALID_KE) IKE_SA_INIT with group. */
void sa_init_start(struct ike_sa *ike, const struct alg_desc *group)
{
	struct pluto *p = ike->pluto;
	ike->v2.ke_group = (uint16_t)group->ikev2_id;
	if (ike->ni.ptr == NULL) {
		err_t e = random_nonce(NONCE_LEN, &ike->ni);
		if (e != NULL) {
			ike_initiate_failed(ike, FAIL_LOCAL, e);
			return;
		}
	}
	struct dh_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->serial = ike->serial;
	j->group = group;
	helpers_submit(p, dh_work, keygen_done, j);
}

static void keys_done_initiator(struct pluto *p, void *arg)
{
	struct dh_job *j = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->state != IKE_I_INIT_SENT) {
		dh_job_free(j);
		return;
	}
	if (j->err[0] != '\0') {
		/* mostly the peer's KE: worth another attempt */
		ike_initiate_failed(ike, FAIL_REFUSED, j->err);
		dh_job_free(j);
		return;
	}
	ike->v2.keys = j->keys;
	memset(&j->keys, 0, sizeof(j->keys));
	ike->v2.keys_ready = true;
	dh_job_free(j);   /* the exponent goes with it: not needed any more */
	/* RFC 7296 2.23: after a NAT, IKE_AUTH goes to the NAT-T port */
	if (ike->nat_detected)
		natt_float(ike);
	auth_initiate(ike);
}

void sa_init_initiator_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	const struct ikev2_payloads *pl = &m->clear;
	struct ikev2_notify n;
	if (ike_find_notify(pl, IKEV2_N_COOKIE, &n) != NULL) {
		/* the answer is not authenticated: a responder (or someone
		 * forging its answers) asking again and again must not keep us
		 * sending IKE_SA_INIT for ever */
		if (++ike->v2.cookie_tries > COOKIE_RETRIES) {
			ike_initiate_failed(ike, FAIL_REFUSED, "the responder keeps asking for a COOKIE");
			return;
		}
		llog(&ike->logger, RC_INFO, "the responder asks for a COOKIE: sending IKE_SA_INIT again");
		chunk_free(&ike->v2.cookie);
		ike->v2.cookie = chunk_clone(n.data.ptr, n.data.len);
		ike->v2.msgid_next_out = 0;
		send_init_request(ike);
		return;
	}
	if (ike_find_notify(pl, IKEV2_N_INVALID_KE_PAYLOAD, &n) != NULL) {
		uint16_t g = ikev2_notify_ke_group(&n);
		const struct alg_desc *group = alg_by_ikev2_id(ALG_DH, g);
		if (group == NULL || !ike_proposals_offer_dh(ike->c, g) ||
		    ++ike->v2.invalid_ke_tries > INVALID_KE_RETRIES) {
			ike_initiate_failed(ike, FAIL_REFUSED, "the responder wants a DH group we do not offer");
			return;
		}
		llog(&ike->logger, RC_INFO, "the responder wants DH group %s: sending IKE_SA_INIT again",
		     group->name);
		ike->v2.msgid_next_out = 0;
		dh_free(&ike->dh);
		ike_set_state(ike, IKE_I_INIT);
		sa_init_start(ike, group);
		return;
	}
	uint16_t err = ike_error_notify(pl);
	if (err != 0) {
		char why[128];
		snprintf(why, sizeof(why), "IKE_SA_INIT answered with %s", notify_name(err));
		ike_initiate_failed(ike, FAIL_REFUSED, why);
		return;
	}
	struct ikev2_diag d = { 0 };
	if (ikev2_check_payloads(IKEV2_EXCH_IKE_SA_INIT, true, pl, NULL, &d) != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, d.text);
		return;
	}
	static struct ikev2_sa offered, answer;
	struct ikev2_ke ke;
	struct ikev2_nonce nr;
	if (ikev2_decode_sa(ikev2_payloads_find(pl, IKEV2_PT_SA, 0), &answer, &d) != NULL ||
	    ikev2_decode_ke(ikev2_payloads_find(pl, IKEV2_PT_KE, 0), &ke, &d) != NULL ||
	    ikev2_decode_nonce(ikev2_payloads_find(pl, IKEV2_PT_NONCE, 0), &nr, &d) != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, d.text);
		return;
	}
	ike_proposals_build(ike->c, NULL, &offered);
	err_t e = ike_proposals_accept(&offered, &answer, &ike->suite);
	if (e == NULL && ke.group != ike->v2.ke_group)
		e = "the responder's KE is of another DH group";
	if (e == NULL && ike->suite.dh->ikev2_id != ke.group)
		e = "the responder chose a DH group other than its KE's";
	if (e != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, e);
		return;
	}
	memcpy(ike->spi_r, m->h.spi_r, 8);
	chunk_free(&ike->nr);
	ike->nr = chunk_clone(nr.data.ptr, nr.data.len);
	chunk_free(&ike->v2.init_response);
	ike->v2.init_response = chunk_clone(m->pkt->data, m->pkt->len);
	read_common(ike, pl, m->pkt, ike->spi_r);

	struct dh_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->serial = ike->serial;
	j->derive = true;
	j->dh = ike->dh;   /* the job owns it now: the SA may go meanwhile */
	ike->dh = NULL;
	j->peer_ke = chunk_clone(ke.data.ptr, ke.data.len);
	j->suite = ike->suite;
	j->ni = chunk_dup(ike->ni);
	j->nr = chunk_dup(ike->nr);
	memcpy(j->spi_i, ike->spi_i, 8);
	memcpy(j->spi_r, ike->spi_r, 8);
	helpers_submit(ike->pluto, dh_work, keys_done_initiator, j);
}

/* ---- responder ---------------------------------------------------------- */

static bool fill_init_response(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	const struct ikev2_proposal *chosen = ctx;
	static struct ikev2_sa sa;
	sa.n_proposals = 1;
	sa.proposals[0] = *chosen;
	ikev2_build_sa(b, &sa);
	chunk_t pub = dh_public_value(ike->dh);
	struct ikev2_ke ke = { ike->v2.ke_group, { pub.ptr, pub.len } };
	ikev2_build_ke(b, &ke);
	struct ikev2_nonce n = { { ike->nr.ptr, ike->nr.len } };
	ikev2_build_nonce(b, &n);
	build_natd(ike, b);
	if (ike->v2.peer_digsig)
		build_hash_algs(b, ike->c);
	if (ike->v2.childless)
		ikev2_build_notify_simple(b, IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	if (ike->v2.peer_frag)   /* RFC 7383 2.3: only in answer to the initiator's */
		ikev2_build_notify_simple(b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	certs_build_certreq(ike, b);
	return true;
}

/* dh first: dh_work() sees the job as a struct dh_job. */
struct responder_job {
	struct dh_job dh;
	struct ikev2_proposal chosen;
	uint32_t msgid;
};

static void keys_done_responder(struct pluto *p, void *arg)
{
	struct responder_job *rj = arg;
	struct dh_job *j = &rj->dh;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->state != IKE_R_INIT) {
		dh_free(&j->dh);
		chunk_free(&j->peer_ke);
		chunk_free(&j->ni);
		chunk_free(&j->nr);
		ike_sa_keys_free(&j->keys);
		free(rj);
		return;
	}
	if (j->err[0] != '\0') {
		llog(&ike->logger, RC_WARNING, "IKE_SA_INIT: %s", j->err);
		ike_sa_delete(ike, NULL);
		dh_free(&j->dh);
		chunk_free(&j->peer_ke);
		chunk_free(&j->ni);
		chunk_free(&j->nr);
		free(rj);
		return;
	}
	ike->dh = j->dh;
	ike->nr = j->nr;
	ike->v2.keys = j->keys;
	ike->v2.keys_ready = true;
	j->dh = NULL;
	j->nr = EMPTY_CHUNK;
	memset(&j->keys, 0, sizeof(j->keys));
	chunk_free(&j->peer_ke);
	chunk_free(&j->ni);
	if (ikev2_send_response(ike, IKEV2_EXCH_IKE_SA_INIT, rj->msgid, fill_init_response, &rj->chosen)) {
		ike->v2.init_response = chunk_dup(ike->last_response);
		ike_set_state(ike, IKE_R_INIT_SENT);
		ike_sa_half_open_timer_start(ike);
	} else {
		ike_sa_delete(ike, "cannot build the IKE_SA_INIT answer");
	}
	dh_free(&ike->dh);
	free(rj);
}

/* Whether a new half-open IKE SA from a would pass a cap: why not, or NULL. */
static const char *half_open_full(struct pluto *p, const ip_address *a)
{
	static char why[128];
	unsigned all = 0;
	ike_sa_count(p, &all);
	if (all >= p->opts.halfopen_max) {
		snprintf(why, sizeof(why), "%u half-open IKE SAs (--max-halfopen-ike): dropped", all);
		return why;
	}
	unsigned from = ike_sa_half_open_from(p, a);
	if (from >= p->opts.halfopen_per_address) {
		snprintf(why, sizeof(why),
			 "%u half-open IKE SAs from this address (--max-halfopen-ike-per-address): dropped",
			 from);
		return why;
	}
	return NULL;
}

/* Lines about IKE_SA_INIT requests refused before any state exists (a
 * COOKIE asked for, a cap reached) are rate-limited: a flood of requests
 * must not flood the log too. */
static void limited_log(struct pluto *p, const char *addr, uint16_t port, const char *what)
{
	static struct log_limit refused = LOG_LIMIT_INIT("IKE_SA_INIT refused");
	llog_limited(&refused, &p->logger, RC_INFO, "IKE_SA_INIT from %s:%u: %s", addr, port, what);
}

static void cookie_log(struct pluto *p, const char *addr, uint16_t port, enum cookie_verdict cv)
{
	limited_log(p, addr, port, cv == COOKIE_WRONG
		    ? "its COOKIE is not the one we made for it: answered with a COOKIE"
		    : "busy, it has no COOKIE: answered with a COOKIE");
}

void sa_init_responder(struct pluto *p, struct ike_msg_in *m)
{
	const struct packet *pkt = m->pkt;
	const struct ikev2_payloads *pl = &m->clear;
	char a[ADDRESS_BUF];
	str_address(&pkt->remote, a);
	struct ikev2_diag d = { 0 };
	if (ikev2_check_payloads(IKEV2_EXCH_IKE_SA_INIT, false, pl, NULL, &d) != NULL) {
		llog(&p->logger, RC_INFO, "IKE_SA_INIT from %s: %s", a, d.text);
		if (d.notify)
			ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 }, d.notify,
					     d.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? &d.payload : NULL,
					     d.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? 1 : 0);
		return;
	}
	struct ikev2_nonce ni;
	if (ikev2_decode_nonce(ikev2_payloads_find(pl, IKEV2_PT_NONCE, 0), &ni, &d) != NULL) {
		llog(&p->logger, RC_INFO, "IKE_SA_INIT from %s: %s", a, d.text);
		return;
	}
	/* under load, make the initiator prove its address first (2.6) */
	enum cookie_verdict cv = cookie_check(p, &m->h, pl, &pkt->remote, ni.data);
	if (cv == COOKIE_MISSING || cv == COOKIE_WRONG) {
		uint8_t cookie[COOKIE_LEN];
		cookie_make(p, m->h.spi_i, &pkt->remote, ni.data, cookie);
		ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 }, IKEV2_N_COOKIE, cookie,
				     sizeof(cookie));
		cookie_log(p, a, pkt->remote_port, cv);
		return;
	}
	if (cv == COOKIE_GOOD)
		ldbg(&p->logger, DBG_CONTROL, "IKE_SA_INIT from %s: the COOKIE is good", a);
	/* no DH for a request beyond the caps: one address echoing COOKIEs
	 * must not fill the table either */
	const char *full = half_open_full(p, &pkt->remote);
	if (full != NULL) {
		limited_log(p, a, pkt->remote_port, full);
		return;
	}
	struct connection *c = conn_for_responder(p, pkt, NULL, NULL, NULL);
	if (c == NULL) {
		char why[160];
		llog(&p->logger, RC_INFO, "IKE_SA_INIT from %s: %s", a, conn_refusal(p, pkt, why, sizeof(why)));
		ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 },
				     IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	static struct ikev2_sa sa;
	struct ikev2_ke ke;
	if (ikev2_decode_sa(ikev2_payloads_find(pl, IKEV2_PT_SA, 0), &sa, &d) != NULL ||
	    ikev2_decode_ke(ikev2_payloads_find(pl, IKEV2_PT_KE, 0), &ke, &d) != NULL) {
		llog(&p->logger, RC_INFO, "IKE_SA_INIT from %s: %s", a, d.text);
		ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 },
				     IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	struct responder_job *rj = calloc(1, sizeof(*rj));
	if (rj == NULL)
		abort();
	err_t e = ike_proposals_choose(c, &sa, &rj->chosen, &rj->dh.suite);
	if (e != NULL) {
		llog(&p->logger, RC_INFO, "\"%s\": IKE_SA_INIT from %s: %s", c->name, a, e);
		ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 },
				     IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		free(rj);
		return;
	}
	uint16_t group = (uint16_t)rj->dh.suite.dh->ikev2_id;
	if (ke.group != group) {
		uint8_t want[2] = { (uint8_t)(group >> 8), (uint8_t)group };
		llog(&p->logger, RC_INFO, "\"%s\": IKE_SA_INIT from %s: KE of group %u, asking for %s",
		     c->name, a, ke.group, rj->dh.suite.dh->name);
		ikev2_send_init_notify(p, pkt, &m->h, (const uint8_t[8]){ 0 },
				     IKEV2_N_INVALID_KE_PAYLOAD, want, 2);
		free(rj);
		return;
	}

	struct ike_sa *ike = ike_sa_new(p, &ikev2_ops, c, false);
	memcpy(ike->spi_i, m->h.spi_i, 8);
	if (random_ike_spi(ike->spi_r) != NULL) {
		ike_sa_delete(ike, NULL);
		free(rj);
		return;
	}
	ike->iface = pkt->iface;
	ike->remote = pkt->remote;
	ike->remote_port = pkt->remote_port;
	ike->suite = rj->dh.suite;
	ike->v2.ke_group = group;
	ike->ni = chunk_clone(ni.data.ptr, ni.data.len);
	ike->v2.init_request = chunk_clone(pkt->data, pkt->len);
	ike->v2.msgid_expect_in = 1;
	ike_sa_insert(ike);
	read_common(ike, pl, pkt, (const uint8_t[8]){ 0 });
	/* RFC 6023: an initiator that asks may leave the Child SA out of IKE_AUTH */
	ike->v2.childless = ikev2_payloads_find_notify(pl, IKEV2_N_CHILDLESS_IKEV2_SUPPORTED) != NULL;
	llog(&ike->logger, RC_INFO, "responding to IKE_SA_INIT from %s:%u", a, pkt->remote_port);

	struct dh_job *j = &rj->dh;
	j->serial = ike->serial;
	j->group = rj->dh.suite.dh;
	j->derive = true;
	j->peer_ke = chunk_clone(ke.data.ptr, ke.data.len);
	j->ni = chunk_dup(ike->ni);
	memcpy(j->spi_i, ike->spi_i, 8);
	memcpy(j->spi_r, ike->spi_r, 8);
	j->reuse_ms = ike_dh_reuse_ms(p);
	rj->msgid = m->h.message_id;
	helpers_submit(p, dh_work, keys_done_responder, rj);
}
