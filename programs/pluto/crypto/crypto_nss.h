/* Private to programs/pluto/crypto/: the NSS plumbing the .c files share.
 * Nothing outside crypto/ includes this; the API is crypto.h. */
#ifndef PLUTO_CRYPTO_NSS_H
#define PLUTO_CRYPTO_NSS_H
#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>
#include "crypto.h"

/* An error text: "what: SEC_ERROR_NAME" from PR_GetError(), in the
 * calling thread's buffer (see crypto.h on lifetimes). */
err_t crypto_nss_error(const char *what);
/* printf into the same per-thread buffer. */
err_t crypto_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ocsp.c: with OCSP on, asks (or NSS's cache) whether c is revoked:
 * NULL when it is good (or there is no answer and ocsp-strict=no), else
 * why not (*revoked: the responder says revoked). */
err_t ocsp_check(CERTCertificate *c, bool *revoked);

/* "not initialised" unless crypto_init_* succeeded. */
err_t crypto_check_ready(void);

/* The slot for session objects (keys, contexts), and the database's key
 * slot for host keys (the same as the first without a database). Both
 * references are held by crypto_init.c; callers do not free them. */
PK11SlotInfo *crypto_slot(void);
PK11SlotInfo *crypto_key_slot(void);

/* A session key of mechanism mech allowing operation op (CKA_SIGN,
 * CKA_ENCRYPT, CKA_DECRYPT) from raw bytes; NULL with *e set. */
PK11SymKey *crypto_import_symkey(CK_MECHANISM_TYPE mech, CK_ATTRIBUTE_TYPE op,
				 const uint8_t *key, size_t len, err_t *e);

/* An HMAC over a list of parts: the shared engine of prf.c and cipher.c.
 * mech is an NSS HMAC mechanism, out must hold hash_len bytes. Keys of
 * any length, the empty one included. */
err_t crypto_hmac(CK_MECHANISM_TYPE mech, size_t hash_len, chunk_t key,
		  const chunk_t *parts, size_t n, uint8_t *out);

/* The same with one key for several HMACs (prf+): begin, run as often as
 * needed, end (also after a failed begin). */
struct crypto_hmac {
	PK11SymKey *key;
	PK11Context *ctx;
	size_t len;
};
err_t crypto_hmac_begin(struct crypto_hmac *h, CK_MECHANISM_TYPE mech,
			size_t hash_len, chunk_t key);
err_t crypto_hmac_run(struct crypto_hmac *h, const chunk_t *parts, size_t n,
		      uint8_t *out);
void crypto_hmac_end(struct crypto_hmac *h);

/* The HMAC mechanism and hash length behind a PRF or INTEG row
 * (md5, sha1, sha2_256/384/512); false if the row has none. */
bool crypto_hmac_of(const struct alg_desc *alg, CK_MECHANISM_TYPE *mech,
		    size_t *hash_len);

/* A DN as an ID (NSS's quoting turned into ttoid's escapes). */
err_t crypto_name_to_id(CERTName *name, ip_id *id);

/* crl.c: the chain of a certificate NSS has verified, checked against
 * the CRLs of the database (strictcrlpolicy= as crl_set_strict says). */
err_t crl_check_chain(CERTCertificate *ee);

/* Constant-time equality of n bytes. */
bool crypto_memeq(const void *a, const void *b, size_t n);

/* A host key: a reference to an RSA private key of the key slot, with its
 * public half in swan form. */
struct hostkey {
	SECKEYPrivateKey *priv;
	rsa_pubkey pub;
	uint8_t ckaid[CKAID_LEN];
	char nickname[128];
};

/* An NSS public key (in its own arena) from swan form; NULL with *e. */
SECKEYPublicKey *crypto_rsa_pubkey_to_nss(const rsa_pubkey *pub, err_t *e);
/* Signing and verifying with NSS keys, RSA or ECDSA as alg says (auth.c):
 * what auth_rsa_* and cert_sign/cert_verify_sig run. */
err_t crypto_sign(SECKEYPrivateKey *key, const struct sig_alg *alg, chunk_t octets, chunk_t *sig);
err_t crypto_verify(SECKEYPublicKey *key, const struct sig_alg *alg, chunk_t octets, chunk_t sig);
/* The swan form of an NSS RSA public key (checked as ttorsapubkey). */
err_t crypto_pub_from_nss(const SECKEYPublicKey *k, rsa_pubkey *pub);
#endif
