/* IKEv1 RSA signatures: see sig.h. */
#include <stdio.h>
#include <stdlib.h>
#include "connections.h"
#include "crypto/crypto.h"
#include "ike/sa.h"
#include "ikev1/isakmp.h"
#include "ikev1/sig.h"
#include "ikev2/certs.h"
#include "pluto.h"

struct sign_work {
	struct v1_sign_job job;    /* first: what done() gets */
	chunk_t cert;              /* leftcert= (owned), whose private key signs ... */
	rsa_pubkey pub;            /* ... or leftrsasigkey=, whose private half does */
};

static void sign_work(void *arg)
{
	struct sign_work *w = arg;
	err_t e;
	if (w->cert.len > 0) {
		e = cert_sign(w->cert, &sig_alg_ikev1_rsa, w->job.hash, &w->job.sig);
		if (e != NULL)
			snprintf(w->job.err, sizeof(w->job.err), "cannot sign with leftcert=: %s", e);
		return;
	}
	struct hostkey *key = hostkey_find(&w->pub, &e);
	if (key == NULL) {
		snprintf(w->job.err, sizeof(w->job.err),
			 "no private key for leftrsasigkey= in the NSS database: %s", e);
		return;
	}
	e = auth_rsa_sign(key, &sig_alg_ikev1_rsa, w->job.hash, &w->job.sig);
	hostkey_free(&key);
	if (e != NULL)
		snprintf(w->job.err, sizeof(w->job.err), "cannot sign: %s", e);
}

bool ikev1_sign_submit(struct ike_sa *ike, chunk_t hash, helper_done_fn *done, const char **why)
{
	const struct end *me = local_end(ike->c);
	if (me->cert_der != NULL && me->cert_ecdsa) {
		*why = "IKEv1 signs with RSA only, and leftcert= has an ECDSA key";
		return false;
	}
	if (me->cert_der == NULL && me->rsakey == NULL) {
		*why = "authby=rsasig needs leftcert= or leftrsasigkey= (ipsec showhostkey --left)";
		return false;
	}
	struct sign_work *w = calloc(1, sizeof(*w));
	if (w == NULL)
		abort();
	w->job.serial = ike->serial;
	w->job.step = ike->v1.step;
	w->job.hash = chunk_dup(hash);
	if (me->cert_der != NULL)
		w->cert = chunk_dup(chunk_from(me->cert_der, me->cert_len));
	else
		w->pub = *me->rsakey;
	helpers_submit(ike->pluto, sign_work, done, w);
	return true;
}

void ikev1_sign_job_free(struct v1_sign_job *j)
{
	chunk_free(&j->hash);
	chunk_free(&j->sig);
	chunk_free(&((struct sign_work *)j)->cert);
	free(j);   /* the struct sign_work it starts */
}

struct ike_sa *ikev1_sign_sa(struct pluto *p, struct v1_sign_job *j)
{
	struct ike_sa *ike = p != NULL ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->v1.step != j->step || ike->state == IKE_DEAD) {
		ikev1_sign_job_free(j);
		return NULL;
	}
	return ike;
}

bool ikev1_has_sig_key(struct connection *c)
{
	const struct end *me = local_end(c);
	return (c->authby & AUTH_RSASIG) && (me->rsakey != NULL || (me->cert_der != NULL && !me->cert_ecdsa));
}

bool ikev1_can_verify_sig(struct connection *c)
{
	const struct end *pe = peer_end(c);
	return pe->rsakey != NULL || pe->rsakey2 != NULL || certs_want_peer(c);
}

/* The peer's X.509 certificates from its CERT payloads: its own first. */
static size_t peer_certs(const struct isakmp_payloads *pl, chunk_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; n < max; i++) {
		const struct isakmp_payload *p = isakmp_payloads_find(pl, ISAKMP_NEXT_CERT, i);
		if (p == NULL)
			break;
		struct isakmp_cert c;
		struct isakmp_diag d = { 0 };
		if (isakmp_decode_cert(p, &c, &d) == NULL && c.encoding == ISAKMP_CERT_X509_SIG)
			out[n++] = chunk_from(c.data.ptr, c.data.len);
	}
	return n;
}

const char *ikev1_verify_sig(struct ike_sa *ike, const struct isakmp_payloads *pl, const ip_id *peer,
			     chunk_t hash, chunk_t sig)
{
	static char why[400];
	struct connection *c = ike->c;
	if (!(c->authby & AUTH_RSASIG))
		return "the peer signed, but authby= does not allow RSA";
	const struct end *pe = peer_end(c);
	if (pe->rsakey == NULL && pe->rsakey2 == NULL) {
		/* a certificate: sent by the peer and verified, or rightcert= */
		chunk_t certs[1 + CERT_CHAIN_MAX], cert;
		size_t n = pl != NULL ? peer_certs(pl, certs, 1 + CERT_CHAIN_MAX) : 0;
		const char *e = certs_check_peer(ike, n > 0 ? certs[0] : EMPTY_CHUNK, certs + 1,
						 n > 0 ? n - 1 : 0, peer, &cert);
		if (e != NULL)
			return e;
		if ((e = cert_verify_sig(cert, &sig_alg_ikev1_rsa, hash, sig)) == NULL)
			return NULL;
		snprintf(why, sizeof(why), "the peer's RSA signature does not verify with the key of "
			 "its certificate: %s", e);
		return why;
	}
	if (pe->rsakey != NULL && auth_rsa_verify(pe->rsakey, &sig_alg_ikev1_rsa, hash, sig) == NULL)
		return NULL;
	if (pe->rsakey2 != NULL && auth_rsa_verify(pe->rsakey2, &sig_alg_ikev1_rsa, hash, sig) == NULL)
		return NULL;
	return "the peer's RSA signature does not verify with its configured key";
}

void ikev1_certreq_build(struct ike_sa *ike, struct ikev2_builder *b)
{
	struct connection *c = ike->c;
	/* Aggressive Mode's message 1 goes before a method is chosen: a CR
	 * when signatures are one we offer */
	bool rsa = ike->v1.auth == OAKLEY_RSA_SIG ||
		   (ike->v1.auth == 0 && ikev1_has_sig_key(c) && ikev1_can_verify_sig(c));
	if (!rsa || !certs_want_peer(c) || peer_end(c)->cert_der != NULL)
		return;
	/* an empty authority: any CA we trust (RFC 2408 3.10) */
	struct isakmp_cert cr = { .encoding = ISAKMP_CERT_X509_SIG };
	isakmp_build_cert(b, ISAKMP_NEXT_CR, &cr);
}

void ikev1_certreq_note(struct ike_sa *ike, const struct isakmp_payloads *pl)
{
	if (isakmp_payloads_find(pl, ISAKMP_NEXT_CR, 0) != NULL)
		ike->v1.peer_certreq = true;
}

void ikev1_cert_build(struct ike_sa *ike, struct ikev2_builder *b)
{
	const struct end *me = local_end(ike->c);
	if (ike->v1.auth != OAKLEY_RSA_SIG || me->cert_der == NULL || me->sendcert == SENDCERT_NEVER ||
	    (me->sendcert == SENDCERT_IFASKED && !ike->v1.peer_certreq))
		return;
	struct isakmp_cert cert = { .encoding = ISAKMP_CERT_X509_SIG,
				    .data = { me->cert_der, me->cert_len } };
	isakmp_build_cert(b, ISAKMP_NEXT_CERT, &cert);
	/* then the intermediate CAs, for a peer that trusts only the root */
	chunk_t chain[CERT_CHAIN_MAX];
	size_t n = 0;
	if (cert_chain(chunk_from(me->cert_der, me->cert_len), chain, CERT_CHAIN_MAX, &n) != NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		struct isakmp_cert ca = { .encoding = ISAKMP_CERT_X509_SIG,
					  .data = { chain[i].ptr, chain[i].len } };
		isakmp_build_cert(b, ISAKMP_NEXT_CERT, &ca);
		chunk_free(&chain[i]);
	}
}
