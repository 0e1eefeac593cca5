/* IKE_AUTH (RFC 7296 1.2, 2.15): identities, authentication (PSK, RSA
 * or ECDSA: fixed methods or RFC 7427 digital signatures) and the first
 * Child SA. Signing runs on a helper thread. */
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
#include "ikev2/certs.h"
#include "ikev2/exchanges.h"
#include "ikev2/ids.h"
#include "ikev2/messages.h"
#include "ikev2/proposals.h"
#include "pluto.h"

/* ---- identities ------------------------------------------------------- */

/* Our ID for this IKE SA: leftid=, or our address. */
static ip_id local_id(struct ike_sa *ike)
{
	struct end *me = local_end(ike->c);
	if (me->id.kind != ID_NONE && !me->id_from_host)
		return me->id;
	ip_id id = { .kind = ike->iface->addr.family == IP_V6 ? ID_IPV6 : ID_IPV4,
		     .ip = ike->iface->addr };
	return id;
}

/* The peer's expected ID: rightid=, or its address when not given. */
static ip_id expected_peer_id(struct ike_sa *ike)
{
	struct end *peer = peer_end(ike->c);
	if (!peer->id_from_host)
		return peer->id;
	if (peer->host_kind == HOST_ANY) {
		ip_id any = { .kind = ID_ANY };
		return any;
	}
	ip_id id = { .kind = ike->remote.family == IP_V6 ? ID_IPV6 : ID_IPV4, .ip = ike->remote };
	return id;
}

/* The ID payload body (type, 3 reserved octets, data): what AUTH signs. */
static size_t id_body(const struct ikev2_id *id, uint8_t *buf, size_t size)
{
	if (id->data.len + 4 > size)
		return 0;
	buf[0] = id->type;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, id->data.ptr, id->data.len);
	return id->data.len + 4;
}

/* ---- AUTH -------------------------------------------------------------- */

/* Our signing key: a certificate (leftcert=, or ": RSA NICKNAME" in
 * ipsec.secrets) whose private key is in NSS, or the private half of
 * leftrsasigkey=. */
struct our_key {
	chunk_t cert;          /* owned; empty for the raw RSA key */
	rsa_pubkey pub;        /* the raw RSA key */
	bool ecdsa;
	unsigned bits;         /* ECDSA: the curve */
};

static bool peer_announced(const struct ike_sa *ike, unsigned hash)
{
	for (unsigned j = 0; ike->v2.peer_digsig && j < ike->v2.n_peer_hashes; j++)
		if (ike->v2.peer_hashes[j] == hash)
			return true;
	return false;
}

/* The signature our key makes: RFC 7427 (method 14) with a hash the peer
 * announced in SIGNATURE_HASH_ALGORITHMS and authby= allows (for ECDSA the
 * curve's own hash first, then the strongest; RSASSA-PSS for RSA); else
 * the fixed methods: RSA with SHA-1 (1), ECDSA by curve (RFC 4754: 9, 10,
 * 11). NULL when authby= allows none of them. */
static const struct sig_alg *our_sig_alg(const struct ike_sa *ike, const struct our_key *k,
					 uint8_t *method)
{
	static const enum sig_hash strongest_first[] = { SIG_HASH_SHA2_512, SIG_HASH_SHA2_384,
							 SIG_HASH_SHA2_256 };
	unsigned allowed = k->ecdsa ? ike->c->ecdsa_hashes : ike->c->rsa_hashes;
	const struct sig_alg *fixed = k->ecdsa ? sig_alg_rfc4754(k->bits) : NULL;
	*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
	if (fixed != NULL && peer_announced(ike, fixed->hash) && (allowed & AUTHBY_HASH(fixed->hash)))
		return sig_alg_find(SIG_ECDSA, fixed->hash);
	for (size_t i = 0; i < sizeof(strongest_first) / sizeof(strongest_first[0]); i++) {
		enum sig_hash h = strongest_first[i];
		if (peer_announced(ike, h) && (allowed & AUTHBY_HASH(h)))
			return sig_alg_find(k->ecdsa ? SIG_ECDSA : SIG_RSA_PSS, h);
	}
	if (fixed != NULL && (allowed & AUTHBY_HASH(fixed->hash))) {
		*method = k->bits == 256 ? IKEV2_AUTH_ECDSA_SHA256_P256
			: k->bits == 384 ? IKEV2_AUTH_ECDSA_SHA384_P384 : IKEV2_AUTH_ECDSA_SHA512_P521;
		return fixed;
	}
	if (!k->ecdsa && (allowed & AUTHBY_SHA1)) {
		*method = IKEV2_AUTH_RSA_SIG;
		return sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1);
	}
	return NULL;
}

/* The algorithm of the peer's signature: by its auth method, or for
 * method 14 by its AlgorithmIdentifier; *sig borrowed from auth. */
static err_t peer_sig_alg(const struct ikev2_auth *auth, const struct sig_alg **alg, chunk_t *sig)
{
	static const struct { uint8_t method; unsigned curve; } fixed[] = {
		{ IKEV2_AUTH_RSA_SIG, 0 },
		{ IKEV2_AUTH_ECDSA_SHA256_P256, 256 },
		{ IKEV2_AUTH_ECDSA_SHA384_P384, 384 },
		{ IKEV2_AUTH_ECDSA_SHA512_P521, 521 },
	};
	chunk_t data = chunk_from(auth->data.ptr, auth->data.len);
	if (auth->method == IKEV2_AUTH_DIGITAL_SIGNATURE)
		return auth_digsig_decode(data, alg, sig) != NULL
			? "unknown signature algorithm in the peer's AUTH" : NULL;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (fixed[i].method != auth->method)
			continue;
		*alg = fixed[i].curve ? sig_alg_rfc4754(fixed[i].curve)
				      : sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1);
		*sig = data;
		return NULL;
	}
	return "unsupported authentication method";
}

static const struct secret *find_psk(struct ike_sa *ike, const ip_id *me, const ip_id *peer)
{
	return secrets_find(&ike->pluto->secrets, SECRET_PSK, me, peer);
}

/* Checks the peer's AUTH over its signed octets. */
static err_t verify_auth(struct ike_sa *ike, const struct ikev2_payloads *pl,
			 const struct ikev2_auth *auth, chunk_t octets, const ip_id *me,
			 const ip_id *peer)
{
	static char why[320];
	struct connection *c = ike->c;
	if (auth->method == IKEV2_AUTH_PSK) {
		if (!(c->authby & AUTH_PSK))
			return "the peer authenticated with a shared key, but authby= does not allow it";
		const struct secret *s = find_psk(ike, me, peer);
		if (s == NULL)
			return "no PSK in ipsec.secrets for this pair of IDs";
		if (auth_psk_verify(ike->suite.prf, s->value, octets,
				    chunk_from(auth->data.ptr, auth->data.len)) != NULL)
			return "the peer's PSK authentication does not match (different secrets?)";
		return NULL;
	}
	const struct sig_alg *alg = NULL;
	chunk_t sig;
	err_t e = peer_sig_alg(auth, &alg, &sig);
	if (e != NULL)
		return e;
	bool ecdsa = sig_alg_fits(alg, KEY_ECDSA);
	const char *kind = ecdsa ? "ECDSA" : "RSA";
	if (!(c->authby & (ecdsa ? AUTH_ECDSA : AUTH_RSASIG))) {
		snprintf(why, sizeof(why), "the peer authenticated with %s, but authby= does not allow it",
			 kind);
		return why;
	}
	if (!((ecdsa ? c->ecdsa_hashes : c->rsa_hashes) & AUTHBY_HASH(alg->hash))) {
		snprintf(why, sizeof(why), "the peer signed with %s, a hash authby= does not allow",
			 alg->name);
		return why;
	}
	const struct end *pe = peer_end(c);
	if (pe->rsakey == NULL && pe->rsakey2 == NULL) {
		/* a certificate: sent by the peer and verified, or rightcert= */
		chunk_t cert;
		if ((e = certs_peer_cert(ike, pl, peer, &cert)) != NULL)
			return e;
		if ((e = cert_verify_sig(cert, alg, octets, sig)) == NULL) {
			llog(&ike->logger, RC_INFO, "the peer's AUTH verifies: %s (auth method %u)",
			     alg->name, auth->method);
			return NULL;
		}
		snprintf(why, sizeof(why), "the peer's %s signature (%s) does not verify with the key "
			 "of its certificate: %s", kind, alg->name, e);
		return why;
	}
	if (pe->rsakey != NULL && auth_rsa_verify(pe->rsakey, alg, octets, sig) == NULL)
		return NULL;
	if (pe->rsakey2 != NULL && auth_rsa_verify(pe->rsakey2, alg, octets, sig) == NULL)
		return NULL;
	return "the peer's signature does not verify with its configured RSA key";
}

/* Our AUTH for the signed octets: a PSK now, or a signature (which the
 * caller runs on a helper). */
struct sign_job {
	unsigned serial;
	bool initiator;
	struct our_key key;
	const struct sig_alg *alg;
	uint8_t method;
	chunk_t octets;
	chunk_t auth;        /* result: the AUTH payload data */
	char err[200];
	uint32_t msgid;      /* responder: the request answered */
};

static void sign_work(void *arg)
{
	struct sign_job *j = arg;
	err_t e;
	chunk_t sig;
	if (j->key.cert.len > 0) {
		e = cert_sign(j->key.cert, j->alg, j->octets, &sig);
	} else {
		struct hostkey *key = hostkey_find(&j->key.pub, &e);
		if (key == NULL) {
			snprintf(j->err, sizeof(j->err), "no private key for leftrsasigkey= in the NSS database: %s", e);
			return;
		}
		e = auth_rsa_sign(key, j->alg, j->octets, &sig);
		hostkey_free(&key);
	}
	if (e != NULL) {
		snprintf(j->err, sizeof(j->err), "cannot sign (%s): %s", j->alg->name, e);
		return;
	}
	if (j->method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
		e = auth_digsig_encode(j->alg, sig, &j->auth);
		chunk_free(&sig);
		if (e != NULL)
			snprintf(j->err, sizeof(j->err), "%s", e);
	} else {
		j->auth = sig;
	}
}

static void sign_job_free(struct sign_job *j)
{
	chunk_free(&j->octets);
	chunk_free(&j->auth);
	chunk_free(&j->key.cert);
	free(j);
}

/* The whole AUTH step of one side: octets, then PSK or a signing job. */
static bool our_auth(struct ike_sa *ike, chunk_t octets, struct sign_job **job,
		     uint8_t *method, chunk_t *auth, const ip_id *me, const ip_id *peer,
		     char *why, size_t whysize)
{
	struct connection *c = ike->c;
	*job = NULL;
	const struct end *le = local_end(c);
	struct our_key k = { .cert = EMPTY_CHUNK };
	bool have = false;
	if (le->cert_der != NULL) {
		k.cert = chunk_dup(chunk_from(le->cert_der, le->cert_len));
		k.ecdsa = le->cert_ecdsa;
		k.bits = le->cert_bits;
		have = true;
	} else if (le->rsakey != NULL) {
		k.pub = *le->rsakey;
		have = true;
	} else if (c->authby & AUTH_SIG) {
		have = certs_secret_cert(ike, me, peer, &k.cert, &k.ecdsa, &k.bits);
	}
	bool use_sig = (c->authby & AUTH_SIG) && have &&
		       !((c->authby & AUTH_PSK) && find_psk(ike, me, peer) != NULL);
	if (!use_sig) {
		chunk_free(&k.cert);
		const struct secret *s = find_psk(ike, me, peer);
		if (!(c->authby & AUTH_PSK) || s == NULL) {
			snprintf(why, whysize, "%s", (c->authby & AUTH_PSK)
				 ? "no PSK in ipsec.secrets for this pair of IDs"
				 : "signatures (authby=) need leftcert= or leftrsasigkey= (ipsec showhostkey --left)");
			return false;
		}
		*method = IKEV2_AUTH_PSK;
		err_t e = auth_psk(ike->suite.prf, s->value, octets, auth);
		if (e != NULL) {
			snprintf(why, whysize, "%s", e);
			return false;
		}
		return true;
	}
	uint8_t m;
	const struct sig_alg *alg = our_sig_alg(ike, &k, &m);
	if (alg == NULL) {
		chunk_free(&k.cert);
		snprintf(why, whysize, "authby= allows no signature our %s key can make%s",
			 k.ecdsa ? "ECDSA" : "RSA",
			 ike->v2.peer_digsig ? " with the hashes the peer announced"
					     : " (the peer did not announce RFC 7427 signatures)");
		return false;
	}
	ldbg(&ike->logger, DBG_CONTROL, "signing with %s (auth method %u)", alg->name, m);
	struct sign_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->serial = ike->serial;
	j->key = k;
	j->alg = alg;
	j->method = m;
	j->octets = chunk_dup(octets);
	*method = j->method;
	*job = j;
	return true;
}

/* ---- the Child SA of IKE_AUTH ---------------------------------------------- */

static void child_prepare(struct ike_sa *ike)
{
	struct child_sa *child = child_sa_new(ike, ike->c);
	child->protocol = ike->c->child_ah ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP;
	child->transport = ike->c->type == CONN_TRANSPORT;
	child->encap = ike->nat_detected;
	child->lifetime_ms = ike->c->sa_lifetime_ms;
	child->logger.whack_fd = ike->logger.whack_fd;
	ike->pending_child = child;
}

/* Keys for the first Child SA: KEYMAT from SK_d and the IKE_SA_INIT nonces. */
static bool child_keys(struct ike_sa *ike, struct child_sa *child, struct child_sa_keys *keys)
{
	err_t e = child_sa_keys_derive(&child->suite, ike->suite.prf, ike->v2.keys.sk_d, EMPTY_CHUNK,
				       ike->ni, ike->nr, keys);
	if (e != NULL) {
		llog(&child->logger, RC_ERROR, "cannot derive the Child SA keys: %s", e);
		return false;
	}
	return true;
}

/* The Child SA is installed: it belongs to the IKE SA now. */
static void child_established(struct ike_sa *ike, struct child_sa *child)
{
	char suite[96], in[16], out[16];
	child_set_state(child, CHILD_ESTABLISHED);
	child->established = time(NULL);
	child_sa_established(child);
	child->c->child_serial = child->serial;
	snprintf(in, sizeof(in), "%08x", child->spi_in);
	snprintf(out, sizeof(out), "%08x", child->spi_out);
	char l[SUBNET_BUF], r[SUBNET_BUF];
	llog(&child->logger, RC_INFO, "established Child SA %s %s===%s {%s=>0x%s <0x%s %s}",
	     child->transport ? "transport" : "tunnel", str_subnet(&child->ts.local, l),
	     str_subnet(&child->ts.remote, r), child->protocol == IKEV2_PROTO_AH ? "AH" : "ESP",
	     out, in, str_child_suite(&child->suite, suite, sizeof(suite)));
	child_sa_timers_start(child);
}

/* ---- initiator ----------------------------------------------------------- */

struct auth_request {
	struct ikev2_id idi, idr;
	bool send_idr;
	uint8_t method;
	chunk_t auth;
	uint8_t idbuf[600], idrbuf[600];
};

static void send_auth_request(struct ike_sa *ike, struct auth_request *r);

static void auth_timeout(struct ike_sa *ike)
{
	ike_initiate_failed(ike, FAIL_TIMEOUT, "no answer to IKE_AUTH");
}

static void sign_done_initiator(struct pluto *p, void *arg)
{
	struct sign_job *j = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->state != IKE_I_INIT_SENT) {
		sign_job_free(j);
		return;
	}
	if (j->err[0] != '\0') {
		ike_initiate_failed(ike, FAIL_LOCAL, j->err);
		sign_job_free(j);
		return;
	}
	struct auth_request *r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	ip_id me = local_id(ike), peer = expected_peer_id(ike);
	certs_id_payload(ike, &me, &r->idi, r->idbuf, sizeof(r->idbuf));
	r->send_idr = !peer_end(ike->c)->id_from_host && peer.kind != ID_ANY &&
		      id_to_payload(&peer, &r->idr, r->idrbuf, sizeof(r->idrbuf));
	r->method = j->method;
	r->auth = j->auth;
	j->auth = EMPTY_CHUNK;
	sign_job_free(j);
	send_auth_request(ike, r);
}

void auth_initiate(struct ike_sa *ike)
{
	char why[200];
	ip_id me = local_id(ike), peer = expected_peer_id(ike);
	struct auth_request *r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	if (!certs_id_payload(ike, &me, &r->idi, r->idbuf, sizeof(r->idbuf))) {
		free(r);
		ike_initiate_failed(ike, FAIL_LOCAL, "leftid= cannot be sent as an IKE ID");
		return;
	}
	r->send_idr = !peer_end(ike->c)->id_from_host && peer.kind != ID_ANY &&
		      id_to_payload(&peer, &r->idr, r->idrbuf, sizeof(r->idrbuf));
	uint8_t body[700];
	size_t blen = id_body(&r->idi, body, sizeof(body));
	chunk_t octets;
	err_t e = auth_signed_octets(ike->suite.prf, ike->v2.init_request, ike->nr, ike->v2.keys.sk_pi,
				     chunk_from(body, blen), &octets);
	if (e != NULL) {
		free(r);
		ike_initiate_failed(ike, FAIL_LOCAL, e);
		return;
	}
	struct sign_job *job;
	bool ok = our_auth(ike, octets, &job, &r->method, &r->auth, &me, &peer, why, sizeof(why));
	chunk_free(&octets);
	if (!ok) {
		free(r);
		ike_initiate_failed(ike, FAIL_LOCAL, why);
		return;
	}
	child_prepare(ike);
	if (!child_alloc_spi(ike->pending_child)) {
		free(r);
		if (job != NULL)
			sign_job_free(job);
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot reserve an SPI");
		return;
	}
	if (job != NULL) {
		free(r);
		helpers_submit(ike->pluto, sign_work, sign_done_initiator, job);
		return;
	}
	send_auth_request(ike, r);
}

static bool fill_auth_req(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct auth_request *r = ctx;
	struct child_sa *child = ike->pending_child;
	ikev2_build_id(b, IKEV2_PT_IDi, &r->idi);
	certs_build_cert(ike, b);
	certs_build_certreq(ike, b);
	if (r->send_idr)
		ikev2_build_id(b, IKEV2_PT_IDr, &r->idr);
	struct ikev2_auth a = { .method = r->method, .data = { r->auth.ptr, r->auth.len } };
	if (r->method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
		/* the builder writes method-14 data from its two parts */
		const struct sig_alg *alg;
		chunk_t sig;
		if (auth_digsig_decode(r->auth, &alg, &sig) != NULL)
			return false;
		a.sig_alg = (struct ikev2_span){ alg->der, alg->der_len };
		a.signature = (struct ikev2_span){ sig.ptr, sig.len };
	}
	ikev2_build_auth(b, &a);
	ikev2_build_notify_simple(b, IKEV2_N_INITIAL_CONTACT, NULL, 0);
	if (child->transport)
		ikev2_build_notify_simple(b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
	static struct ikev2_sa sa;
	child_proposals_build(ike->c, child->spi_in, NULL, &sa);
	ikev2_build_sa(b, &sa);
	struct ikev2_ts_list tsi, tsr;
	ts_of_end(local_end(ike->c), &ike->iface->addr, &tsi);
	ts_of_end(peer_end(ike->c), &ike->remote, &tsr);
	ikev2_build_ts(b, IKEV2_PT_TSi, &tsi);
	ikev2_build_ts(b, IKEV2_PT_TSr, &tsr);
	return true;
}

static void send_auth_request(struct ike_sa *ike, struct auth_request *r)
{
	ike->on_timeout = auth_timeout;
	bool ok = ikev2_send_request(ike, IKEV2_EXCH_IKE_AUTH, fill_auth_req, r);
	chunk_free(&r->auth);
	free(r);
	if (!ok) {
		ike_initiate_failed(ike, FAIL_LOCAL, "cannot build IKE_AUTH");
		return;
	}
	ike_set_state(ike, IKE_I_AUTH_SENT);
	char suite[128];
	llog(&ike->logger, RC_INFO, "sent IKE_AUTH request {%s}",
	     str_ike_suite(&ike->suite, suite, sizeof(suite)));
}

/* The notifies that reject the Child SA while the IKE SA stands. */
static bool child_error(uint16_t n)
{
	return n == IKEV2_N_NO_PROPOSAL_CHOSEN || n == IKEV2_N_TS_UNACCEPTABLE ||
	       n == IKEV2_N_SINGLE_PAIR_REQUIRED || n == IKEV2_N_INTERNAL_ADDRESS_FAILURE ||
	       n == IKEV2_N_FAILED_CP_REQUIRED || n == IKEV2_N_INVALID_SELECTORS;
}

static void ike_established(struct ike_sa *ike, const ip_id *peer)
{
	char id[ID_BUF], suite[128];
	ike->peer_id = *peer;
	ike_sa_replace_older(ike, peer);
	ike_set_state(ike, IKE_ESTABLISHED);
	ike->established = time(NULL);
	ike->c->ike_serial = ike->serial;
	/* up, whoever initiated: no further keying attempt is due */
	ike->c->keying_attempt = 0;
	ike->c->keying_waiting = false;
	chunk_free(&ike->v2.init_request);
	chunk_free(&ike->v2.init_response);
	llog(&ike->logger, RC_INFO, "established IKE SA with %s {%s}", str_id(peer, id),
	     str_ike_suite(&ike->suite, suite, sizeof(suite)));
	ike_sa_timers_start(ike);
}

static void whack_done(struct ike_sa *ike, int status)
{
	ike_whack_done(ike, status);
}

void auth_initiator_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	const struct ikev2_payloads *pl = m->pl;
	uint16_t err = ike_error_notify(pl);
	const struct ikev2_payload *idp = ikev2_payloads_find(pl, IKEV2_PT_IDr, 0);
	const struct ikev2_payload *ap = ikev2_payloads_find(pl, IKEV2_PT_AUTH, 0);
	if (err != 0 && (!child_error(err) || idp == NULL || ap == NULL)) {
		char why[128];
		snprintf(why, sizeof(why), "IKE_AUTH answered with %s", notify_name(err));
		ike_initiate_failed(ike, FAIL_REFUSED, why);
		return;
	}
	struct ikev2_diag d = { 0 };
	struct ikev2_id idr;
	struct ikev2_auth auth;
	if (idp == NULL || ap == NULL || ikev2_decode_id(idp, &idr, &d) != NULL ||
	    ikev2_decode_auth(ap, &auth, &d) != NULL) {
		ike_initiate_failed(ike, FAIL_REFUSED, d.text[0] ? d.text : "IKE_AUTH answer without IDr and AUTH");
		return;
	}
	ip_id peer, me = local_id(ike), want = expected_peer_id(ike);
	err_t e = id_from_payload(&idr, &peer);
	if (e == NULL && !id_matches(&want, &peer)) {
		char got[ID_BUF], exp[ID_BUF];
		static char msg[2 * ID_BUF + 64];
		snprintf(msg, sizeof(msg), "the peer is '%s', not '%s' as rightid= says",
			 str_id(&peer, got), str_id(&want, exp));
		e = msg;
	}
	chunk_t octets = EMPTY_CHUNK;
	if (e == NULL)
		e = auth_signed_octets(ike->suite.prf, ike->v2.init_response, ike->ni, ike->v2.keys.sk_pr,
				       chunk_from(idp->body, idp->len), &octets);
	if (e == NULL)
		e = verify_auth(ike, pl, &auth, octets, &me, &peer);
	chunk_free(&octets);
	if (e != NULL) {
		/* the responder has its IKE SA (and Child SA) by now: it must
		 * hear that we refused it (RFC 7296 2.21.2) */
		ikev2_refuse_responder(ike);
		ike_initiate_failed(ike, FAIL_REFUSED, e);
		return;
	}
	ike_established(ike, &peer);

	struct child_sa *child = ike->pending_child;
	if (child == NULL) {
		whack_done(ike, 0);
		return;
	}
	if (err != 0) {
		/* the IKE SA's logger tells the waiting client too */
		llog(&ike->logger, RC_WARNING, "the peer refused the Child SA: %s", notify_name(err));
		child_sa_delete(child, NULL);
		whack_done(ike, WHACK_STATUS_REFUSED);
		return;
	}
	static struct ikev2_sa offered, answer;
	struct ikev2_ts_list tsi, tsr;
	const struct ikev2_payload *sap = ikev2_payloads_find(pl, IKEV2_PT_SA, 0);
	const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
	const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
	e = NULL;
	if (sap == NULL || tip == NULL || trp == NULL || ikev2_decode_sa(sap, &answer, &d) != NULL ||
	    ikev2_decode_ts(tip, &tsi, &d) != NULL || ikev2_decode_ts(trp, &tsr, &d) != NULL)
		e = d.text[0] ? d.text : "IKE_AUTH answer without SA, TSi and TSr";
	if (e == NULL) {
		child_proposals_build(ike->c, child->spi_in, NULL, &offered);
		e = child_proposals_accept(&offered, &answer, &child->suite, NULL, &child->spi_out);
	}
	if (e == NULL)
		e = ts_accept(ike->c, &ike->iface->addr, &ike->remote, &tsi, &tsr, &child->ts);
	struct ikev2_notify tn;
	bool transport = ike_find_notify(pl, IKEV2_N_USE_TRANSPORT_MODE, &tn) != NULL;
	if (e == NULL && transport != child->transport)
		e = child->transport ? "the peer refused transport mode" : "the peer answered with transport mode";
	struct child_sa_keys keys = { 0 };
	if (e == NULL && !child_keys(ike, child, &keys))
		e = "cannot derive the Child SA keys";
	if (e == NULL && !child_install(child, &keys, true, false))
		e = "cannot install the Child SA in the kernel";
	child_sa_keys_free(&keys);
	if (e != NULL) {
		/* the Child SA's logger tells the waiting client too */
		llog(&child->logger, RC_WARNING, "Child SA failed: %s", e);
		child_sa_delete(child, NULL);
		whack_done(ike, WHACK_STATUS_REFUSED);
		return;
	}
	child_established(ike, child);
	whack_done(ike, 0);
}

/* ---- responder ------------------------------------------------------------ */

struct auth_response {
	struct ikev2_id idr;
	uint8_t idbuf[600];
	uint8_t method;
	chunk_t auth;
	uint16_t child_notify;       /* non-zero: the Child SA was refused */
	bool child_ok;               /* a Child SA is in the answer (false: childless) */
	struct ikev2_proposal chosen;
	struct ikev2_ts_list tsi, tsr;
	uint32_t msgid;
};

static bool fill_auth_response(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct auth_response *r = ctx;
	ikev2_build_id(b, IKEV2_PT_IDr, &r->idr);
	certs_build_cert(ike, b);
	struct ikev2_auth a = { .method = r->method, .data = { r->auth.ptr, r->auth.len } };
	if (r->method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
		const struct sig_alg *alg;
		chunk_t sig;
		if (auth_digsig_decode(r->auth, &alg, &sig) != NULL)
			return false;
		a.sig_alg = (struct ikev2_span){ alg->der, alg->der_len };
		a.signature = (struct ikev2_span){ sig.ptr, sig.len };
	}
	ikev2_build_auth(b, &a);
	if (r->child_notify != 0) {
		ikev2_build_notify_simple(b, r->child_notify, NULL, 0);
		return true;
	}
	if (!r->child_ok)
		return true;   /* childless (RFC 6023): IDr and AUTH only */
	if (ike->children != NULL && ike->children->transport)
		ikev2_build_notify_simple(b, IKEV2_N_USE_TRANSPORT_MODE, NULL, 0);
	static struct ikev2_sa sa;
	sa.n_proposals = 1;
	sa.proposals[0] = r->chosen;
	ikev2_build_sa(b, &sa);
	ikev2_build_ts(b, IKEV2_PT_TSi, &r->tsi);
	ikev2_build_ts(b, IKEV2_PT_TSr, &r->tsr);
	return true;
}

static void send_auth_response(struct ike_sa *ike, struct auth_response *r)
{
	if (!ikev2_send_response(ike, IKEV2_EXCH_IKE_AUTH, r->msgid, fill_auth_response, r))
		llog(&ike->logger, RC_ERROR, "cannot build the IKE_AUTH answer");
	chunk_free(&r->auth);
	free(r);
}

struct sign_wait {
	struct sign_job job;         /* first: sign_work() sees a struct sign_job */
	struct auth_response *r;
};

static void sign_done_responder(struct pluto *p, void *arg)
{
	struct sign_wait *w = arg;
	struct ike_sa *ike = p ? ike_sa_by_serial(p, w->job.serial) : NULL;
	if (ike == NULL || w->job.err[0] != '\0') {
		if (ike != NULL) {
			llog(&ike->logger, RC_ERROR, "%s", w->job.err);
			ikev2_send_notify_response(ike, IKEV2_EXCH_IKE_AUTH, w->r->msgid,
						 IKEV2_N_AUTHENTICATION_FAILED);
			ike_sa_delete(ike, NULL);
		}
		chunk_free(&w->job.octets);
		chunk_free(&w->job.auth);
		chunk_free(&w->job.key.cert);
		chunk_free(&w->r->auth);
		free(w->r);
		free(w);
		return;
	}
	w->r->auth = w->job.auth;
	w->job.auth = EMPTY_CHUNK;
	chunk_free(&w->job.octets);
	chunk_free(&w->job.key.cert);
	send_auth_response(ike, w->r);
	free(w);
}

/* Chooses, narrows and installs the Child SA of the request; returns the
 * notify that refuses it, or 0. */
static uint16_t responder_child(struct ike_sa *ike, const struct ikev2_payloads *pl,
				struct auth_response *r)
{
	struct ikev2_diag d = { 0 };
	static struct ikev2_sa sa;
	struct ikev2_ts_list tsi, tsr;
	const struct ikev2_payload *sap = ikev2_payloads_find(pl, IKEV2_PT_SA, 0);
	const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
	const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
	if (sap == NULL && tip == NULL && trp == NULL) {
		/* the payload table lets this through only when negotiated */
		llog(&ike->logger, RC_INFO, "childless IKE_AUTH (RFC 6023): no Child SA asked for");
		return 0;
	}
	if (sap == NULL || tip == NULL || trp == NULL)
		return IKEV2_N_INVALID_SYNTAX;
	if (ikev2_decode_sa(sap, &sa, &d) != NULL || ikev2_decode_ts(tip, &tsi, &d) != NULL ||
	    ikev2_decode_ts(trp, &tsr, &d) != NULL)
		return IKEV2_N_INVALID_SYNTAX;
	child_prepare(ike);
	struct child_sa *child = ike->pending_child;
	err_t e = child_proposals_choose(ike->c, &sa, NULL, &r->chosen, &child->suite, NULL);
	if (e != NULL) {
		llog(&ike->logger, RC_INFO, "Child SA: %s", e);
		child_sa_delete(child, NULL);
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	}
	e = ts_narrow(ike->c, ike->pluto->opts.virtual_private, &ike->iface->addr, &ike->remote, &tsi, &tsr, &child->ts);
	if (e != NULL) {
		llog(&ike->logger, RC_INFO, "Child SA: %s", e);
		child_sa_delete(child, NULL);
		return IKEV2_N_TS_UNACCEPTABLE;
	}
	struct ikev2_notify n;
	bool transport = ike_find_notify(pl, IKEV2_N_USE_TRANSPORT_MODE, &n) != NULL;
	if (transport != child->transport) {
		llog(&ike->logger, RC_INFO, "Child SA: the peer wants %s mode, type=%s",
		     transport ? "transport" : "tunnel", child->transport ? "transport" : "tunnel");
		child_sa_delete(child, NULL);
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	}
	child->spi_out = (uint32_t)r->chosen.spi[0] << 24 | (uint32_t)r->chosen.spi[1] << 16 |
			 (uint32_t)r->chosen.spi[2] << 8 | r->chosen.spi[3];
	if (!child_alloc_spi(child)) {
		child_sa_delete(child, NULL);
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	}
	struct child_sa_keys keys = { 0 };
	bool ok = child_keys(ike, child, &keys) && child_install(child, &keys, false, false);
	child_sa_keys_free(&keys);
	if (!ok) {
		child_sa_delete(child, NULL);
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	}
	/* the answer carries our SPI in the chosen proposal */
	r->chosen.spi[0] = (uint8_t)(child->spi_in >> 24);
	r->chosen.spi[1] = (uint8_t)(child->spi_in >> 16);
	r->chosen.spi[2] = (uint8_t)(child->spi_in >> 8);
	r->chosen.spi[3] = (uint8_t)child->spi_in;
	ts_lists_of(&child->ts, false, &r->tsi, &r->tsr);
	child_established(ike, child);
	r->child_ok = true;
	group_cover_requested(ike, child->c, &child->ts, &tsi, &tsr);
	return 0;
}

void auth_responder(struct ike_sa *ike, struct ike_msg_in *m)
{
	const struct ikev2_payloads *pl = m->pl;
	struct ikev2_diag d = { 0 };
	struct ikev2_id idi, idr;
	struct ikev2_auth auth;
	const struct ikev2_payload *idp = ikev2_payloads_find(pl, IKEV2_PT_IDi, 0);
	const struct ikev2_payload *idrp = ikev2_payloads_find(pl, IKEV2_PT_IDr, 0);
	if (ikev2_decode_id(idp, &idi, &d) != NULL ||
	    ikev2_decode_auth(ikev2_payloads_find(pl, IKEV2_PT_AUTH, 0), &auth, &d) != NULL ||
	    (idrp != NULL && ikev2_decode_id(idrp, &idr, &d) != NULL)) {
		llog(&ike->logger, RC_WARNING, "IKE_AUTH: %s", d.text);
		ikev2_send_notify_response(ike, IKEV2_EXCH_IKE_AUTH, m->h.message_id, IKEV2_N_INVALID_SYNTAX);
		ike_sa_delete(ike, NULL);
		return;
	}
	certs_note_certreq(ike, pl);
	ip_id peer;
	err_t e = id_from_payload(&idi, &peer);
	/* the conn that fits the peer's ID and the traffic it asks for */
	static struct ikev2_ts_list tsi, tsr;
	const struct ikev2_payload *tip = ikev2_payloads_find(pl, IKEV2_PT_TSi, 0);
	const struct ikev2_payload *trp = ikev2_payloads_find(pl, IKEV2_PT_TSr, 0);
	bool have_ts = tip != NULL && trp != NULL && ikev2_decode_ts(tip, &tsi, &d) == NULL &&
		       ikev2_decode_ts(trp, &tsr, &d) == NULL;
	struct connection *c = NULL;
	if (e == NULL && have_ts)
		c = conn_for_responder(ike->pluto, m->pkt, &peer, &tsi, &tsr);
	if (e == NULL && c == NULL)   /* the IKE SA may still come up: the Child SA is refused */
		c = conn_for_responder(ike->pluto, m->pkt, &peer, NULL, NULL);
	if (e == NULL && c == NULL)
		e = "no conn accepts the peer's ID";
	if (e == NULL && c != ike->c) {
		ldbg(&ike->logger, DBG_CONTROL, "switching to conn \"%s\"", c->name);
		ike->c = c;
		logger_init(&ike->logger, ike->logger.whack_fd, "\"%s\" #%u: ", c->name, ike->serial);
	}
	ip_id me = e == NULL ? local_id(ike) : (ip_id){ 0 };
	if (e == NULL && idrp != NULL) {
		ip_id asked;
		if (id_from_payload(&idr, &asked) != NULL || !id_matches(&me, &asked))
			e = "the peer asks for an IDr that is not ours";
	}
	chunk_t octets = EMPTY_CHUNK;
	if (e == NULL)
		e = auth_signed_octets(ike->suite.prf, ike->v2.init_request, ike->nr, ike->v2.keys.sk_pi,
				       chunk_from(idp->body, idp->len), &octets);
	if (e == NULL)
		e = verify_auth(ike, pl, &auth, octets, &me, &peer);
	chunk_free(&octets);
	if (e != NULL) {
		char id[ID_BUF];
		llog(&ike->logger, RC_WARNING, "IKE_AUTH from '%s' refused: %s", str_id(&peer, id), e);
		ikev2_send_notify_response(ike, IKEV2_EXCH_IKE_AUTH, m->h.message_id,
					 IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, NULL);
		return;
	}

	struct auth_response *r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	r->msgid = m->h.message_id;
	if (!certs_id_payload(ike, &me, &r->idr, r->idbuf, sizeof(r->idbuf))) {
		free(r);
		ikev2_send_notify_response(ike, IKEV2_EXCH_IKE_AUTH, m->h.message_id,
					 IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, "leftid= cannot be sent as an IKE ID");
		return;
	}
	uint8_t body[700];
	size_t blen = id_body(&r->idr, body, sizeof(body));
	char why[200];
	struct sign_job *job = NULL;
	e = auth_signed_octets(ike->suite.prf, ike->v2.init_response, ike->ni, ike->v2.keys.sk_pr,
			       chunk_from(body, blen), &octets);
	bool ok = e == NULL && our_auth(ike, octets, &job, &r->method, &r->auth, &me, &peer, why,
					sizeof(why));
	chunk_free(&octets);
	if (!ok) {
		llog(&ike->logger, RC_WARNING, "cannot authenticate ourselves: %s", e ? e : why);
		ikev2_send_notify_response(ike, IKEV2_EXCH_IKE_AUTH, m->h.message_id,
					 IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_delete(ike, NULL);
		free(r);
		return;
	}
	ike_established(ike, &peer);
	r->child_notify = responder_child(ike, pl, r);
	if (job == NULL) {
		send_auth_response(ike, r);
		return;
	}
	struct sign_wait *w = calloc(1, sizeof(*w));
	if (w == NULL)
		abort();
	w->job = *job;
	free(job);
	w->r = r;
	helpers_submit(ike->pluto, sign_work, sign_done_responder, w);
}
