/* X.509 certificates from the NSS database: our own (leftcert=, with its
 * private key), pinned peers (rightcert=), the peer's chain verified by
 * NSS to a CA trusted in the database, and the trusted CAs' key hashes
 * for CERTREQ. Certificates are passed around as DER (chunk_t); NSS
 * objects never leave this file. */
#include <cert.h>
#include <certdb.h>
#include <prerror.h>
#include <secerr.h>
#include <stdio.h>
#include <string.h>
#include "crypto_nss.h"

static err_t db_ready(void)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	if (crypto_nssdir()[0] == '\0')
		return "certificates need an NSS database (NSS was started without one)";
	return NULL;
}

static CERTCertificate *by_nickname(const char *nick, err_t *e)
{
	if ((*e = db_ready()) != NULL)
		return NULL;
	CERTCertificate *c = PK11_FindCertFromNickname(nick, NULL);
	if (c == NULL)
		c = CERT_FindCertByNickname(CERT_GetDefaultCertDB(), nick);
	if (c == NULL)
		*e = crypto_errorf("no certificate with nickname '%s' in the NSS database %s", nick,
				   crypto_nssdir());
	return c;
}

/* A temporary certificate from DER (not written to the database). */
static CERTCertificate *from_der(chunk_t der, err_t *e)
{
	if ((*e = crypto_check_ready()) != NULL)
		return NULL;
	SECItem item = { siBuffer, der.ptr, (unsigned)der.len };
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, NULL,
						     PR_FALSE, PR_TRUE);
	if (c == NULL)
		*e = crypto_nss_error("undecodable certificate");
	return c;
}

err_t cert_by_nickname(const char *nick, chunk_t *der)
{
	*der = EMPTY_CHUNK;
	err_t e;
	CERTCertificate *c = by_nickname(nick, &e);
	if (c == NULL)
		return e;
	*der = chunk_dup(chunk_from(c->derCert.data, c->derCert.len));
	CERT_DestroyCertificate(c);
	return NULL;
}

/* The private key of c (which it destroys), logging into the database
 * first when it needs that; NULL with *e set when there is none. */
static SECKEYPrivateKey *private_key_of(CERTCertificate *c, err_t *e)
{
	PK11SlotInfo *slot = crypto_key_slot();
	if (PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, NULL) &&
	    PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess) {
		CERT_DestroyCertificate(c);
		*e = crypto_nss_error("logging into the NSS database");
		return NULL;
	}
	SECKEYPrivateKey *k = PK11_FindKeyByAnyCert(c, NULL);
	CERT_DestroyCertificate(c);
	*e = NULL;
	return k;
}

err_t cert_has_private_key(const char *nick)
{
	err_t e;
	CERTCertificate *c = by_nickname(nick, &e);
	if (c == NULL)
		return e;
	SECKEYPrivateKey *k = private_key_of(c, &e);
	if (k == NULL)
		return e != NULL ? e
				 : crypto_errorf("the NSS database %s has the certificate '%s' but not its "
						 "private key (import it with ipsec import FILE.p12)",
						 crypto_nssdir(), nick);
	SECKEY_DestroyPrivateKey(k);
	return NULL;
}

/* The public key of the certificate der; NULL with *e set. */
static SECKEYPublicKey *public_key_of(chunk_t der, err_t *e)
{
	CERTCertificate *c = from_der(der, e);
	if (c == NULL)
		return NULL;
	SECKEYPublicKey *k = CERT_ExtractPublicKey(c);
	CERT_DestroyCertificate(c);
	if (k == NULL)
		*e = crypto_nss_error("reading the certificate's public key");
	return k;
}

err_t cert_rsa_pubkey(chunk_t der, rsa_pubkey *pub)
{
	err_t e;
	SECKEYPublicKey *k = public_key_of(der, &e);
	if (k == NULL)
		return e;
	e = k->keyType == rsaKey ? crypto_pub_from_nss(k, pub)
				 : "the certificate's key is not RSA";
	SECKEY_DestroyPublicKey(k);
	return e;
}

err_t cert_key_kind(chunk_t der, enum key_kind *kind, unsigned *bits)
{
	err_t e;
	SECKEYPublicKey *k = public_key_of(der, &e);
	if (k == NULL)
		return e;
	*bits = SECKEY_PublicKeyStrengthInBits(k);
	KeyType t = k->keyType;
	SECKEY_DestroyPublicKey(k);
	if (t == rsaKey) {
		*kind = KEY_RSA;
		return NULL;
	}
	if (t != ecKey)
		return "the certificate's key is neither RSA nor ECDSA";
	*kind = KEY_ECDSA;
	if (sig_alg_rfc4754(*bits) == NULL)
		return crypto_errorf("the certificate's key is on a %u-bit curve (ECDSA is built "
				     "for P-256, P-384 and P-521)", *bits);
	return NULL;
}

err_t cert_sign(chunk_t der, const struct sig_alg *alg, chunk_t octets, chunk_t *sig)
{
	*sig = EMPTY_CHUNK;
	err_t e;
	CERTCertificate *c = from_der(der, &e);
	if (c == NULL)
		return e;
	SECKEYPrivateKey *k = private_key_of(c, &e);
	if (k == NULL)
		return e != NULL ? e
				 : crypto_errorf("the NSS database %s has no private key for the certificate",
						 crypto_nssdir());
	e = crypto_sign(k, alg, octets, sig);
	SECKEY_DestroyPrivateKey(k);
	return e;
}

err_t cert_verify_sig(chunk_t der, const struct sig_alg *alg, chunk_t octets, chunk_t sig)
{
	err_t e;
	SECKEYPublicKey *k = public_key_of(der, &e);
	if (k == NULL)
		return e;
	e = crypto_verify(k, alg, octets, sig);
	SECKEY_DestroyPublicKey(k);
	return e;
}

/* NSS prints special values in quotes (O="Foo, Inc"); ttoid wants
 * backslash escapes. */
err_t crypto_name_to_id(CERTName *name, ip_id *id)
{
	char *text = CERT_NameToAscii(name);
	if (text == NULL)
		return "undecodable DN";
	char plain[ID_BUF];
	size_t n = 0;
	bool quoted = false;
	err_t e = NULL;
	for (const char *s = text; *s != '\0' && e == NULL; s++) {
		char c = *s;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\' && s[1] != '\0')
			c = *++s;
		if (n + 3 >= sizeof(plain))
			e = "DN too long";
		else if (quoted && (c == ',' || c == '\\'))
			plain[n++] = '\\';
		plain[n++] = c;
	}
	PORT_Free(text);
	if (e != NULL)
		return e;
	plain[n] = '\0';
	return ttoid(plain, id);
}

err_t cert_subject(chunk_t der, ip_id *subject, ip_id *issuer)
{
	err_t e;
	CERTCertificate *c = from_der(der, &e);
	if (c == NULL)
		return e;
	if (subject != NULL)
		e = crypto_name_to_id(&c->subject, subject);
	if (e == NULL && issuer != NULL)
		e = crypto_name_to_id(&c->issuer, issuer);
	CERT_DestroyCertificate(c);
	return e;
}

err_t cert_subject_der(chunk_t der, chunk_t *subject)
{
	err_t e;
	*subject = EMPTY_CHUNK;
	CERTCertificate *c = from_der(der, &e);
	if (c == NULL)
		return e;
	*subject = chunk_dup(chunk_from(c->derSubject.data, c->derSubject.len));
	CERT_DestroyCertificate(c);
	return NULL;
}

/* Does one subjectAltName entry name id? */
static bool san_names(const CERTGeneralName *g, const ip_id *id)
{
	const SECItem *v = &g->name.other;
	switch (g->type) {
	case certDNSName:
		return id->kind == ID_FQDN && v->len == id->len &&
		       strncasecmp((const char *)v->data, id->name, id->len) == 0;
	case certRFC822Name:
		return id->kind == ID_USER_FQDN && v->len == id->len &&
		       strncasecmp((const char *)v->data, id->name, id->len) == 0;
	case certIPAddress:
		return (id->kind == ID_IPV4 && v->len == 4 && memcmp(v->data, id->ip.bytes, 4) == 0) ||
		       (id->kind == ID_IPV6 && v->len == 16 && memcmp(v->data, id->ip.bytes, 16) == 0);
	default:
		return false;
	}
}

bool cert_names_id(chunk_t der, const ip_id *id)
{
	err_t e;
	CERTCertificate *c = from_der(der, &e);
	if (c == NULL)
		return false;
	bool found = false;
	if (id->kind == ID_DER_ASN1_DN) {
		ip_id subject;
		found = crypto_name_to_id(&c->subject, &subject) == NULL && id_eq(id, &subject);
	} else {
		SECItem ext = { siBuffer, NULL, 0 };
		PLArenaPool *arena = PORT_NewArena(2048);
		if (arena != NULL &&
		    CERT_FindCertExtension(c, SEC_OID_X509_SUBJECT_ALT_NAME, &ext) == SECSuccess) {
			CERTGeneralName *first = CERT_DecodeAltNameExtension(arena, &ext);
			CERTGeneralName *g = first;
			while (g != NULL && !found) {
				found = san_names(g, id);
				g = CERT_GetNextGeneralName(g);
				if (g == first)
					break;
			}
		}
		SECITEM_FreeItem(&ext, PR_FALSE);
		if (arena != NULL)
			PORT_FreeArena(arena, PR_FALSE);
	}
	CERT_DestroyCertificate(c);
	return found;
}

/* Is c a CA trusted in the database to issue (NSS's C trust flag)? */
static bool trusted_ca(CERTCertificate *c)
{
	CERTCertTrust trust;
	if (CERT_GetCertTrust(c, &trust) != SECSuccess)
		return false;
	unsigned flags = trust.sslFlags | trust.emailFlags | trust.objectSigningFlags;
	return (flags & CERTDB_TRUSTED_CA) != 0;
}

err_t cert_verify(chunk_t ee, const chunk_t *chain, size_t n, const ip_id *ca,
		  ip_id *issuer)
{
	err_t e = db_ready();
	if (e != NULL)
		return e;
	CERTCertificate *inter[CERT_CHAIN_MAX] = { 0 };
	if (n > CERT_CHAIN_MAX)
		n = CERT_CHAIN_MAX;
	/* the intermediates first, so that NSS finds them building the chain */
	for (size_t i = 0; i < n; i++)
		if ((inter[i] = from_der(chain[i], &e)) == NULL)
			break;
	CERTCertificate *c = e == NULL ? from_der(ee, &e) : NULL;
	PRErrorCode why = 0;
	if (c != NULL) {
		SECCertificateUsage usages = 0;
		if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), c, PR_TRUE,
					      certificateUsageSSLClient | certificateUsageSSLServer |
					      certificateUsageIPsec, NULL, &usages) != SECSuccess &&
		    usages == 0) {
			why = PORT_GetError();
			const char *name = PR_ErrorToName(why);
			e = name != NULL && strncmp(name, "SEC_ERROR_OCSP_", 15) == 0
				    ? crypto_nss_error("no good answer from the OCSP responder, and ocsp-strict=yes")
				    : crypto_nss_error("the certificate does not verify");
		} else if (usages == 0) {
			e = "the certificate's key usage allows neither IPsec nor TLS authentication";
		}
	}
	/* revocation (crl.c): after NSS's verdict, and in place of its bare
	 * SEC_ERROR_REVOKED_CERTIFICATE, which names neither cert nor CRL */
	bool revoked = false;   /* and no CRL says so: OCSP did */
	if (c != NULL && (e == NULL || why == SEC_ERROR_REVOKED_CERTIFICATE)) {
		err_t r = crl_check_chain(c);
		if (r != NULL)
			e = r;
		revoked = r == NULL && why == SEC_ERROR_REVOKED_CERTIFICATE;
	}
	/* then OCSP (ocsp.c), when it is on and NSS's verdict did not ask */
	if (c != NULL && e == NULL)
		e = ocsp_check(c, &revoked);
	ip_id ee_id;
	char ee_b[ID_BUF];
	if (revoked && crypto_name_to_id(&c->subject, &ee_id) == NULL)
		e = crypto_errorf("certificate '%s' is revoked: its OCSP responder says so", str_id(&ee_id, ee_b));
	if (c != NULL && e == NULL && issuer != NULL)
		e = crypto_name_to_id(&c->issuer, issuer);
	if (c != NULL && e == NULL && ca != NULL) {
		/* rightca=: one of the issuers in the verified chain */
		CERTCertList *list = CERT_GetCertChainFromCert(c, PR_Now(), certUsageSSLClient);
		bool found = false;
		for (CERTCertListNode *node = list ? CERT_LIST_HEAD(list) : NULL;
		     node != NULL && !CERT_LIST_END(node, list) && !found; node = CERT_LIST_NEXT(node)) {
			ip_id subject;
			found = node->cert != c && !SECITEM_ItemsAreEqual(&node->cert->derCert, &c->derCert) &&
				crypto_name_to_id(&node->cert->subject, &subject) == NULL && id_eq(ca, &subject);
		}
		if (list != NULL)
			CERT_DestroyCertList(list);
		if (!found) {
			char b[ID_BUF];
			e = crypto_errorf("the certificate is not issued under rightca=%s",
					  str_id(ca, b));
		}
	}
	if (c != NULL)
		CERT_DestroyCertificate(c);
	for (size_t i = 0; i < n; i++)
		if (inter[i] != NULL)
			CERT_DestroyCertificate(inter[i]);
	return e;
}

err_t cert_check_validity(chunk_t der)
{
	err_t e;
	CERTCertificate *c = from_der(der, &e);
	if (c == NULL)
		return e;
	SECCertTimeValidity v = CERT_CheckCertValidTimes(c, PR_Now(), PR_FALSE);
	CERT_DestroyCertificate(c);
	if (v == secCertTimeExpired)
		return "the certificate has expired";
	if (v == secCertTimeNotValidYet)
		return "the certificate is not valid yet";
	return v == secCertTimeValid ? NULL : "the certificate has no valid time";
}

err_t cert_chain(chunk_t ee, chunk_t *out, size_t max, size_t *n)
{
	*n = 0;
	err_t e;
	CERTCertificate *c = from_der(ee, &e);
	if (c == NULL)
		return e;
	CERTCertList *list = CERT_GetCertChainFromCert(c, PR_Now(), certUsageSSLClient);
	for (CERTCertListNode *node = list ? CERT_LIST_HEAD(list) : NULL;
	     node != NULL && !CERT_LIST_END(node, list) && *n < max; node = CERT_LIST_NEXT(node)) {
		CERTCertificate *x = node->cert;
		/* not the end certificate, not a self-signed root: the peer has
		 * its roots */
		if (SECITEM_ItemsAreEqual(&x->derCert, &c->derCert) || x->isRoot ||
		    SECITEM_ItemsAreEqual(&x->derSubject, &x->derIssuer))
			continue;
		out[(*n)++] = chunk_dup(chunk_from(x->derCert.data, x->derCert.len));
	}
	if (list != NULL)
		CERT_DestroyCertList(list);
	CERT_DestroyCertificate(c);
	return NULL;
}

err_t cert_ca_hashes(const ip_id *ca, chunk_t *out)
{
	*out = EMPTY_CHUNK;
	err_t e = db_ready();
	if (e != NULL)
		return e;
	CERTCertList *list = PK11_ListCerts(PK11CertListCA, NULL);
	if (list == NULL)
		return NULL;
	uint8_t buf[20 * 32];
	size_t len = 0;
	for (CERTCertListNode *node = CERT_LIST_HEAD(list);
	     !CERT_LIST_END(node, list) && len + 20 <= sizeof(buf); node = CERT_LIST_NEXT(node)) {
		CERTCertificate *c = node->cert;
		if (!trusted_ca(c))
			continue;
		ip_id subject;
		if (ca != NULL && (crypto_name_to_id(&c->subject, &subject) != NULL || !id_eq(ca, &subject)))
			continue;
		/* RFC 7296 3.7: SHA-1 of the Subject Public Key Info element */
		SECItem *spki = SEC_ASN1EncodeItem(NULL, NULL, &c->subjectPublicKeyInfo,
						   SEC_ASN1_GET(CERT_SubjectPublicKeyInfoTemplate));
		if (spki == NULL)
			continue;
		if (PK11_HashBuf(SEC_OID_SHA1, buf + len, spki->data, (PRInt32)spki->len) == SECSuccess)
			len += 20;
		SECITEM_FreeItem(spki, PR_TRUE);
	}
	CERT_DestroyCertList(list);
	*out = chunk_dup(chunk_from(buf, len));
	return NULL;
}

err_t cert_list(cert_list_cb *cb, void *arg)
{
	err_t e = db_ready();
	if (e != NULL)
		return e;
	CERTCertList *list = PK11_ListCerts(PK11CertListAll, NULL);
	if (list == NULL)
		return NULL;
	for (CERTCertListNode *node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list);
	     node = CERT_LIST_NEXT(node)) {
		CERTCertificate *c = node->cert;
		struct cert_info info = { 0 };
		snprintf(info.nickname, sizeof(info.nickname), "%s",
			 c->nickname != NULL ? c->nickname : "(none)");
		if (crypto_name_to_id(&c->subject, &info.subject) != NULL ||
		    crypto_name_to_id(&c->issuer, &info.issuer) != NULL)
			continue;
		info.ca = trusted_ca(c);
		SECKEYPrivateKey *k = PK11_FindKeyByAnyCert(c, NULL);
		info.has_key = k != NULL;
		if (k != NULL)
			SECKEY_DestroyPrivateKey(k);
		PRTime before, after;
		if (CERT_GetCertTimes(c, &before, &after) == SECSuccess) {
			PRExplodedTime t;
			PR_ExplodeTime(after, PR_GMTParameters, &t);
			PR_FormatTime(info.not_after, sizeof(info.not_after), "%Y-%m-%d %H:%M:%S UTC", &t);
		}
		info.expired = CERT_CheckCertValidTimes(c, PR_Now(), PR_FALSE) != secCertTimeValid;
		cb(arg, &info);
	}
	CERT_DestroyCertList(list);
	return NULL;
}
