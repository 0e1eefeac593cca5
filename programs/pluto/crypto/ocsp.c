/* OCSP through NSS (crypto.h): cert_verify asks once NSS has verified the
 * chain (CERT_CheckOCSPStatus: NSS's cache, else its own HTTP to the
 * responder), with the timeout and the failure mode set here; a default
 * responder takes every request when ocsp-uri= is given, its answers
 * signed by ocsp-trustname='s certificate. */
#include <cert.h>
#include <ocsp.h>
#include <secerr.h>
#include <stdio.h>
#include "crypto_nss.h"

static bool enabled;

err_t ocsp_check(CERTCertificate *c, bool *revoked)
{
	*revoked = false;
	if (!enabled || CERT_CheckOCSPStatus(CERT_GetDefaultCertDB(), c, PR_Now(), NULL) == SECSuccess)
		return NULL;
	*revoked = PORT_GetError() == SEC_ERROR_REVOKED_CERTIFICATE;
	return crypto_nss_error("no good OCSP answer about it, and ocsp-strict=yes");
}

err_t ocsp_setup(const struct ocsp_policy *o)
{
	CERTCertDBHandle *db = CERT_GetDefaultCertDB();
	if (!o->enable)
		return NULL;
	if (db == NULL)
		return "no NSS database";
	if (o->uri != NULL && o->trustname == NULL)
		return "ocsp-uri= needs ocsp-trustname= (the nickname of the certificate that signs the "
		       "responder's answers)";
	if (CERT_EnableOCSPChecking(db) != SECSuccess)
		return crypto_nss_error("cannot turn OCSP on");
	if (CERT_SetOCSPTimeout(o->timeout_s) != SECSuccess)
		return crypto_nss_error("cannot set the OCSP timeout");
	if (CERT_SetOCSPFailureMode(o->strict ? ocspMode_FailureIsVerificationFailure
					      : ocspMode_FailureIsNotAVerificationFailure) != SECSuccess)
		return crypto_nss_error("cannot set the OCSP failure mode");
	if (o->uri != NULL && (CERT_SetOCSPDefaultResponder(db, o->uri, o->trustname) != SECSuccess ||
			       CERT_EnableOCSPDefaultResponder(db) != SECSuccess))
		return crypto_nss_error("ocsp-uri=/ocsp-trustname=");
	enabled = true;
	return NULL;
}
