/* Certificates in IKEv2 exchanges (see certs.h). */
#include <stdio.h>
#include <string.h>
#include "crypto/crypto.h"
#include "ikev2/certs.h"
#include "ikev2/ids.h"
#include "pluto.h"

bool certs_want_peer(struct connection *c)
{
	if (c == NULL || c->local < 0 || !(c->authby & AUTH_SIG))
		return false;
	const struct end *pe = peer_end(c);
	return pe->rsakey == NULL && pe->rsakey2 == NULL;
}

void certs_note_certreq(struct ike_sa *ike, const struct ikev2_payloads *pl)
{
	/* a peer that sends its own certificate wants ours too: libreswan
	 * initiates without CERTREQ unless it has rightca= */
	if (ikev2_payloads_find(pl, IKEV2_PT_CERTREQ, 0) != NULL ||
	    ikev2_payloads_find(pl, IKEV2_PT_CERT, 0) != NULL)
		ike->v2.peer_certreq = true;
}

void certs_build_certreq(struct ike_sa *ike, struct ikev2_builder *b)
{
	if (!certs_want_peer(ike->c))
		return;
	const struct end *pe = peer_end(ike->c);
	if (pe->cert_der != NULL)
		return;   /* rightcert= pinned: nothing to ask for */
	chunk_t hashes;
	err_t e = cert_ca_hashes(pe->ca_id.kind == ID_DER_ASN1_DN ? &pe->ca_id : NULL, &hashes);
	if (e != NULL) {
		llog(&ike->logger, RC_WARNING, "no CERTREQ: %s", e);
		return;
	}
	struct ikev2_cert req = { .encoding = IKEV2_CERT_X509_SIG,
				  .data = { hashes.ptr, hashes.len } };
	ikev2_build_certreq(b, &req);
	chunk_free(&hashes);
}

void certs_build_cert(struct ike_sa *ike, struct ikev2_builder *b)
{
	const struct end *me = local_end(ike->c);
	if (me->cert_der == NULL || me->sendcert == SENDCERT_NEVER ||
	    (me->sendcert == SENDCERT_IFASKED && !ike->v2.peer_certreq))
		return;
	struct ikev2_cert c = { .encoding = IKEV2_CERT_X509_SIG,
				.data = { me->cert_der, me->cert_len } };
	ikev2_build_cert(b, &c);
	/* then the intermediate CAs, for a peer that trusts only the root */
	chunk_t chain[CERT_CHAIN_MAX];
	size_t n = 0;
	if (cert_chain(chunk_from(me->cert_der, me->cert_len), chain, CERT_CHAIN_MAX, &n) != NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		struct ikev2_cert ca = { .encoding = IKEV2_CERT_X509_SIG,
					 .data = { chain[i].ptr, chain[i].len } };
		ikev2_build_cert(b, &ca);
		chunk_free(&chain[i]);
	}
}

bool certs_id_payload(struct ike_sa *ike, const ip_id *me, struct ikev2_id *out, uint8_t *buf,
		      size_t size)
{
	const struct end *e = local_end(ike->c);
	if (e->cert_der == NULL || me->kind != ID_DER_ASN1_DN)
		return id_to_payload(me, out, buf, size);
	chunk_t cert = chunk_from(e->cert_der, e->cert_len);
	ip_id subject;
	chunk_t der;
	if (cert_subject(cert, &subject, NULL) != NULL || !id_eq(me, &subject) ||
	    cert_subject_der(cert, &der) != NULL)
		return id_to_payload(me, out, buf, size);
	bool ok = der.len <= size;
	if (ok) {
		memset(out, 0, sizeof(*out));
		out->type = IKEV2_ID_DER_ASN1_DN;
		memcpy(buf, der.ptr, der.len);
		out->data = (struct ikev2_span){ buf, der.len };
	}
	chunk_free(&der);
	return ok;
}

err_t certs_peer_cert(struct ike_sa *ike, const struct ikev2_payloads *pl, const ip_id *peer,
		      chunk_t *cert)
{
	chunk_t ee = EMPTY_CHUNK, chain[CERT_CHAIN_MAX];
	size_t n = 0;
	for (size_t i = 0;; i++) {
		const struct ikev2_payload *p = ikev2_payloads_find(pl, IKEV2_PT_CERT, i);
		if (p == NULL)
			break;
		struct ikev2_cert c;
		struct ikev2_diag d = { 0 };
		if (ikev2_decode_cert(p, &c, &d) != NULL)
			return "undecodable CERT payload";
		if (c.encoding != IKEV2_CERT_X509_SIG)
			continue;   /* only X.509 signature certificates are used */
		if (ee.ptr == NULL)
			ee = chunk_from(c.data.ptr, c.data.len);
		else if (n < CERT_CHAIN_MAX)
			chain[n++] = chunk_from(c.data.ptr, c.data.len);
	}
	return certs_check_peer(ike, ee, chain, n, peer, cert);
}

err_t certs_check_peer(struct ike_sa *ike, chunk_t ee, const chunk_t *chain, size_t n,
		       const ip_id *peer, chunk_t *cert)
{
	static char why[300];
	const struct end *pe = peer_end(ike->c);
	err_t e;
	if (pe->cert_der != NULL) {
		chunk_t pinned = chunk_from(pe->cert_der, pe->cert_len);
		if (ee.ptr != NULL && (ee.len != pinned.len || memcmp(ee.ptr, pinned.ptr, ee.len) != 0))
			return "the peer's certificate is not the one rightcert= names";
		if ((e = cert_check_validity(pinned)) != NULL) {
			snprintf(why, sizeof(why), "rightcert=%s: %s", pe->cert, e);
			return why;
		}
		ee = pinned;
	} else {
		if (ee.ptr == NULL)
			return "the peer sent no certificate (and there is no rightcert= or rightrsasigkey=)";
		ip_id issuer;
		e = cert_verify(ee, chain, n, pe->ca_id.kind == ID_DER_ASN1_DN ? &pe->ca_id : NULL,
				&issuer);
		if (e != NULL) {
			snprintf(why, sizeof(why), "the peer's certificate is refused: %s", e);
			return why;
		}
		char b[ID_BUF];
		llog(&ike->logger, RC_INFO, "the peer's certificate verifies (issuer '%s')",
		     str_id(&issuer, b));
	}
	if (!cert_names_id(ee, peer)) {
		char b[ID_BUF];
		snprintf(why, sizeof(why), "the peer's ID '%s' is not in its certificate",
			 str_id(peer, b));
		return why;
	}
	*cert = ee;
	return NULL;
}

bool certs_secret_cert(struct ike_sa *ike, const ip_id *me, const ip_id *peer, chunk_t *cert,
		       bool *ecdsa, unsigned *bits)
{
	const struct secret *s = secrets_find(&ike->pluto->secrets, SECRET_RSA, me, peer);
	if (s == NULL || s->nickname == NULL)
		return false;
	enum key_kind kind;
	err_t e = cert_by_nickname(s->nickname, cert);
	if (e == NULL && (e = cert_key_kind(*cert, &kind, bits)) != NULL)
		chunk_free(cert);
	if (e == NULL)
		*ecdsa = kind == KEY_ECDSA;
	if (e != NULL) {
		llog(&ike->logger, RC_WARNING, "%s:%u: RSA %s: %s", s->file, s->line, s->nickname, e);
		return false;
	}
	return true;
}
