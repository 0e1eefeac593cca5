/* Certificate revocation lists (RFC 5280 5) from the NSS database: the
 * peer's chain, once NSS has verified it, checked link by link against
 * the CRL of each issuer the database holds; strictcrlpolicy= says whether
 * a missing or out-of-date CRL refuses. CRLs get into the database with
 * `ipsec import FILE.crl` (or crlutil -I), which checks their signature
 * against the issuer; nothing is fetched over the network. NSS caches
 * CRLs per issuer: crl_list(reread) makes it look at the database again
 * (ipsec crls, crlcheckinterval=). */
#include <cert.h>
#include <certdb.h>
#include <secder.h>
#include <prerror.h>
#include <secerr.h>
#include <stdio.h>
#include <string.h>
#include "crypto_nss.h"

/* Set once at start-up, before any helper thread verifies. */
static bool strict_policy;

void crl_set_strict(bool strict)
{
	strict_policy = strict;
}

bool crl_strict(void)
{
	return strict_policy;
}

static void format_time(PRTime t, char *buf, size_t size)
{
	PRExplodedTime x;
	PR_ExplodeTime(t, PR_GMTParameters, &x);
	PR_FormatTime(buf, (int)size, "%Y-%m-%d %H:%M:%S UTC", &x);
}

/* A DER time (UTCTime or GeneralizedTime); false when absent or bad. */
static bool der_time(const SECItem *item, PRTime *t)
{
	return item->data != NULL && item->len > 0 && DER_DecodeTimeChoice(t, item) == SECSuccess;
}

/* The issuer's CRL in the database (through NSS's cache), or NULL. */
static CERTSignedCrl *crl_of(CERTCertificate *issuer)
{
	return SEC_FindCrlByName(CERT_GetDefaultCertDB(), &issuer->derSubject, SEC_CRL_TYPE);
}

static void serial_hex(const SECItem *serial, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < serial->len && n + 4 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%02x", i > 0 ? ":" : "", serial->data[i]);
}

/* The CRL's entry for that serial number, or NULL. */
static CERTCrlEntry *entry_of(CERTSignedCrl *crl, const SECItem *serial)
{
	if (CERT_CompleteCRLDecodeEntries(crl) != SECSuccess || crl->crl.entries == NULL)
		return NULL;
	for (CERTCrlEntry **e = crl->crl.entries; *e != NULL; e++)
		if (SECITEM_ItemsAreEqual(&(*e)->serialNumber, serial))
			return *e;
	return NULL;
}

static void dn_text(CERTName *name, char buf[ID_BUF])
{
	ip_id id;
	if (crypto_name_to_id(name, &id) != NULL)
		snprintf(buf, ID_BUF, "(undecodable DN)");
	else
		str_id(&id, buf);
}

/* Checks cert against its issuer's CRL: one signed by that issuer, not
 * listing cert. What is missing or out of date refuses only when strict. */
static err_t check_link(CERTCertificate *cert, CERTCertificate *issuer, PRTime now)
{
	char subj[ID_BUF], iss[ID_BUF], when[40];
	dn_text(&cert->subject, subj);
	dn_text(&issuer->subject, iss);
	CERTSignedCrl *crl = crl_of(issuer);
	if (crl == NULL)
		return strict_policy ? crypto_errorf("no CRL of '%s' (the issuer of '%s') in the NSS "
						     "database, and strictcrlpolicy=yes",
						     iss, subj)
				     : NULL;
	err_t e = NULL;
	PRTime t;
	CERTCrlEntry *entry;
	/* the database's import checked the signature; a CRL put there
	 * unchecked (crlutil -B) counts only when it verifies */
	if (CERT_VerifySignedData(&crl->signatureWrap, issuer, now, NULL) != SECSuccess) {
		if (strict_policy)
			e = crypto_errorf("the CRL of '%s' in the NSS database is not signed by it (%s), "
					  "and strictcrlpolicy=yes",
					  iss, PR_ErrorToName(PORT_GetError()));
	} else if ((entry = entry_of(crl, &cert->serialNumber)) != NULL) {
		char serial[3 * 20 + 1];
		serial_hex(&cert->serialNumber, serial, sizeof(serial));
		when[0] = '\0';
		if (der_time(&entry->revocationDate, &t))
			format_time(t, when, sizeof(when));
		e = crypto_errorf("certificate '%s' (serial %s) is revoked by the CRL of '%s'%s%s%s",
				  subj, serial, iss, when[0] ? " (since " : "", when, when[0] ? ")" : "");
	} else if (strict_policy && der_time(&crl->crl.nextUpdate, &t) && t < now) {
		format_time(t, when, sizeof(when));
		e = crypto_errorf("the CRL of '%s' is out of date (its next update was due %s), and "
				  "strictcrlpolicy=yes",
				  iss, when);
	}
	SEC_DestroyCrl(crl);
	return e;
}

err_t crl_check_chain(CERTCertificate *ee)
{
	PRTime now = PR_Now();
	CERTCertList *list = CERT_GetCertChainFromCert(ee, now, certUsageSSLClient);
	if (list == NULL)
		return crypto_nss_error("building the chain for the CRL check");
	err_t e = NULL;
	for (CERTCertListNode *node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list) && e == NULL;
	     node = CERT_LIST_NEXT(node)) {
		CERTCertListNode *up = CERT_LIST_NEXT(node);
		CERTCertificate *c = node->cert;
		/* a root revokes nothing above it */
		if (CERT_LIST_END(up, list) || SECITEM_ItemsAreEqual(&c->derSubject, &c->derIssuer))
			break;
		e = check_link(c, up->cert, now);
	}
	CERT_DestroyCertList(list);
	return e;
}

err_t crl_list(bool reread, crl_list_cb *cb, void *arg)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	if (crypto_nssdir()[0] == '\0')
		return NULL;   /* no database, no CRLs */
	CERTCertList *cas = PK11_ListCerts(PK11CertListCA, NULL);
	if (cas == NULL)
		return NULL;
	PRTime now = PR_Now();
	for (CERTCertListNode *node = CERT_LIST_HEAD(cas); !CERT_LIST_END(node, cas);
	     node = CERT_LIST_NEXT(node)) {
		CERTCertificate *ca = node->cert;
		if (reread)
			CERT_CRLCacheRefreshIssuer(CERT_GetDefaultCertDB(), &ca->derSubject);
		CERTSignedCrl *crl = crl_of(ca);
		if (crl == NULL)
			continue;
		struct crl_info info = { 0 };
		PRTime t;
		if (crypto_name_to_id(&crl->crl.name, &info.issuer) == NULL) {
			if (der_time(&crl->crl.lastUpdate, &t))
				format_time(t, info.this_update, sizeof(info.this_update));
			if (der_time(&crl->crl.nextUpdate, &t)) {
				format_time(t, info.next_update, sizeof(info.next_update));
				info.out_of_date = t < now;
			}
			if (CERT_CompleteCRLDecodeEntries(crl) == SECSuccess && crl->crl.entries != NULL)
				for (CERTCrlEntry **x = crl->crl.entries; *x != NULL; x++)
					info.revoked++;
			cb(arg, &info);
		}
		SEC_DestroyCrl(crl);
	}
	CERT_DestroyCertList(cas);
	return NULL;
}
