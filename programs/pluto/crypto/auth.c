/* IKEv2 authentication (RFC 7296 2.15): the signed octets, PSK AUTH data,
 * RSA signatures for auth method 1, RFC 7427 digital signatures (method
 * 14) with RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA, and RFC 4754's ECDSA
 * methods. */
#include <cryptohi.h>
#include <string.h>
#include "crypto_nss.h"

/* ---- RFC 7427 AlgorithmIdentifiers ------------------------------------
 * DER of AlgorithmIdentifier ::= SEQUENCE { OID, parameters }. */

/* sha{1,256,384,512}WithRSAEncryption: 1.2.840.113549.1.1.{5,11,12,13}
 * with NULL parameters (RFC 7427 A.1). */
#define PKCS1_BLOB(n) \
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n, 0x05, 0x00
/* the same without the NULL, as some implementations send it */
#define PKCS1_BLOB_NONULL(n) \
	0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n

/* RSASSA-PSS 1.2.840.113549.1.1.10 with RSASSA-PSS-params (RFC 4055 3.1):
 * hashAlgorithm [0] sha2 (2.16.840.1.101.3.4.2.{1,2,3}, NULL),
 * maskGenAlgorithm [1] mgf1 (1.2.840.113549.1.1.8) with the same hash,
 * saltLength [2] = the hash length, trailerField omitted (its default,
 * 1). RFC 7427 A.4.3 gives the SHA-256 one. */
#define SHA2_OID(h) 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, h
#define PSS_OID 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a
#define MGF1_OID 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08
#define PSS_BLOB(h, salt) \
	0x30, 0x41, PSS_OID, 0x30, 0x34, \
	0xa0, 0x0f, 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa1, 0x1c, 0x30, 0x1a, MGF1_OID, 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa2, 0x03, 0x02, 0x01, salt
/* accepted too: the default trailerField written out ([3] INTEGER 1) */
#define PSS_BLOB_TRAILER(h, salt) \
	0x30, 0x46, PSS_OID, 0x30, 0x39, \
	0xa0, 0x0f, 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa1, 0x1c, 0x30, 0x1a, MGF1_OID, 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa2, 0x03, 0x02, 0x01, salt, 0xa3, 0x03, 0x02, 0x01, 0x01
/* accepted too: hash AlgorithmIdentifiers without the NULL (RFC 4055 2.1) */
#define PSS_BLOB_NONULL(h, salt) \
	0x30, 0x3d, PSS_OID, 0x30, 0x30, \
	0xa0, 0x0d, 0x30, 0x0b, SHA2_OID(h), \
	0xa1, 0x1a, 0x30, 0x18, MGF1_OID, 0x30, 0x0b, SHA2_OID(h), \
	0xa2, 0x03, 0x02, 0x01, salt

/* ecdsa-with-SHA{256,384,512}: 1.2.840.10045.4.3.{2,3,4}, parameters
 * absent (RFC 7427 A.3, RFC 5758 3.2) */
#define ECDSA_BLOB(n) 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n
/* the same with a NULL, as some implementations send it */
#define ECDSA_BLOB_NULL(n) \
	0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n, 0x05, 0x00

static const uint8_t pkcs1_sha1[] = { PKCS1_BLOB(0x05) };
static const uint8_t pkcs1_sha256[] = { PKCS1_BLOB(0x0b) };
static const uint8_t pkcs1_sha384[] = { PKCS1_BLOB(0x0c) };
static const uint8_t pkcs1_sha512[] = { PKCS1_BLOB(0x0d) };
static const uint8_t pss_sha256[] = { PSS_BLOB(0x01, 0x20) };
static const uint8_t pss_sha384[] = { PSS_BLOB(0x02, 0x30) };
static const uint8_t pss_sha512[] = { PSS_BLOB(0x03, 0x40) };
static const uint8_t ecdsa_sha256[] = { ECDSA_BLOB(0x02) };
static const uint8_t ecdsa_sha384[] = { ECDSA_BLOB(0x03) };
static const uint8_t ecdsa_sha512[] = { ECDSA_BLOB(0x04) };

#define BLOB(b) b, sizeof(b)
const struct sig_alg sig_algs[] = {
	{ "rsa-pkcs1-sha1", SIG_RSA_PKCS1, SIG_HASH_SHA1, BLOB(pkcs1_sha1) },
	{ "rsa-pkcs1-sha2_256", SIG_RSA_PKCS1, SIG_HASH_SHA2_256, BLOB(pkcs1_sha256) },
	{ "rsa-pkcs1-sha2_384", SIG_RSA_PKCS1, SIG_HASH_SHA2_384, BLOB(pkcs1_sha384) },
	{ "rsa-pkcs1-sha2_512", SIG_RSA_PKCS1, SIG_HASH_SHA2_512, BLOB(pkcs1_sha512) },
	{ "rsa-pss-sha2_256", SIG_RSA_PSS, SIG_HASH_SHA2_256, BLOB(pss_sha256) },
	{ "rsa-pss-sha2_384", SIG_RSA_PSS, SIG_HASH_SHA2_384, BLOB(pss_sha384) },
	{ "rsa-pss-sha2_512", SIG_RSA_PSS, SIG_HASH_SHA2_512, BLOB(pss_sha512) },
	{ "ecdsa-sha2_256", SIG_ECDSA, SIG_HASH_SHA2_256, BLOB(ecdsa_sha256) },
	{ "ecdsa-sha2_384", SIG_ECDSA, SIG_HASH_SHA2_384, BLOB(ecdsa_sha384) },
	{ "ecdsa-sha2_512", SIG_ECDSA, SIG_HASH_SHA2_512, BLOB(ecdsa_sha512) },
};
const size_t sig_algs_len = sizeof(sig_algs) / sizeof(sig_algs[0]);

/* Other spellings we accept on receipt: index into sig_algs. */
static const uint8_t pkcs1_sha1_nn[] = { PKCS1_BLOB_NONULL(0x05) };
static const uint8_t pkcs1_sha256_nn[] = { PKCS1_BLOB_NONULL(0x0b) };
static const uint8_t pkcs1_sha384_nn[] = { PKCS1_BLOB_NONULL(0x0c) };
static const uint8_t pkcs1_sha512_nn[] = { PKCS1_BLOB_NONULL(0x0d) };
static const uint8_t pss_sha256_tr[] = { PSS_BLOB_TRAILER(0x01, 0x20) };
static const uint8_t pss_sha384_tr[] = { PSS_BLOB_TRAILER(0x02, 0x30) };
static const uint8_t pss_sha512_tr[] = { PSS_BLOB_TRAILER(0x03, 0x40) };
static const uint8_t pss_sha256_nn[] = { PSS_BLOB_NONULL(0x01, 0x20) };
static const uint8_t pss_sha384_nn[] = { PSS_BLOB_NONULL(0x02, 0x30) };
static const uint8_t pss_sha512_nn[] = { PSS_BLOB_NONULL(0x03, 0x40) };
static const uint8_t ecdsa_sha256_null[] = { ECDSA_BLOB_NULL(0x02) };
static const uint8_t ecdsa_sha384_null[] = { ECDSA_BLOB_NULL(0x03) };
static const uint8_t ecdsa_sha512_null[] = { ECDSA_BLOB_NULL(0x04) };

static const struct {
	const uint8_t *der;
	size_t len;
	size_t alg;
} sig_alias[] = {
	{ BLOB(pkcs1_sha1_nn), 0 },
	{ BLOB(pkcs1_sha256_nn), 1 },
	{ BLOB(pkcs1_sha384_nn), 2 },
	{ BLOB(pkcs1_sha512_nn), 3 },
	{ BLOB(pss_sha256_tr), 4 },
	{ BLOB(pss_sha384_tr), 5 },
	{ BLOB(pss_sha512_tr), 6 },
	{ BLOB(pss_sha256_nn), 4 },
	{ BLOB(pss_sha384_nn), 5 },
	{ BLOB(pss_sha512_nn), 6 },
	{ BLOB(ecdsa_sha256_null), 7 },
	{ BLOB(ecdsa_sha384_null), 8 },
	{ BLOB(ecdsa_sha512_null), 9 },
};

const struct sig_alg *sig_alg_find(enum sig_scheme scheme, enum sig_hash hash)
{
	for (size_t i = 0; i < sig_algs_len; i++)
		if (sig_algs[i].scheme == scheme && sig_algs[i].hash == hash)
			return &sig_algs[i];
	return NULL;
}

const struct sig_alg sig_alg_ikev1_rsa = { "rsa-pkcs1-ikev1", SIG_RSA_IKEV1, SIG_HASH_SHA1, NULL, 0 };

const struct sig_alg *sig_alg_rfc4754(unsigned curve_bits)
{
	static const struct sig_alg m[] = {
		{ "ecdsa-p256-sha2_256", SIG_ECDSA_RAW, SIG_HASH_SHA2_256, NULL, 0 },
		{ "ecdsa-p384-sha2_384", SIG_ECDSA_RAW, SIG_HASH_SHA2_384, NULL, 0 },
		{ "ecdsa-p521-sha2_512", SIG_ECDSA_RAW, SIG_HASH_SHA2_512, NULL, 0 },
	};
	return curve_bits == 256 ? &m[0] : curve_bits == 384 ? &m[1] : curve_bits == 521 ? &m[2] : NULL;
}

bool sig_alg_fits(const struct sig_alg *alg, enum key_kind kind)
{
	bool ecdsa = alg->scheme == SIG_ECDSA || alg->scheme == SIG_ECDSA_RAW;
	return ecdsa == (kind == KEY_ECDSA);
}

const struct sig_alg *sig_alg_by_der(chunk_t der)
{
	for (size_t i = 0; i < sig_algs_len; i++)
		if (der.len == sig_algs[i].der_len && memcmp(der.ptr, sig_algs[i].der, der.len) == 0)
			return &sig_algs[i];
	for (size_t i = 0; i < sizeof(sig_alias) / sizeof(sig_alias[0]); i++)
		if (der.len == sig_alias[i].len && memcmp(der.ptr, sig_alias[i].der, der.len) == 0)
			return &sig_algs[sig_alias[i].alg];
	return NULL;
}

/* ---- PSK ----------------------------------------------------------------- */

err_t auth_signed_octets(const struct alg_desc *prf, chunk_t message,
			 chunk_t nonce, chunk_t sk_p, chunk_t id,
			 chunk_t *octets)
{
	*octets = EMPTY_CHUNK;
	/* MACedIDForX = prf(SK_px, IDx') */
	chunk_t maced;
	err_t e = prf_compute(prf, sk_p, id, &maced);
	if (e != NULL)
		return e;
	*octets = chunk_cat3(message, nonce, maced);
	chunk_free(&maced);
	return NULL;
}

/* The key pad of RFC 7296 2.15: 17 ASCII bytes, no NUL. */
static const char key_pad[] = "Key Pad for IKEv2";

err_t auth_psk(const struct alg_desc *prf, chunk_t psk,
	       chunk_t signed_octets, chunk_t *auth)
{
	*auth = EMPTY_CHUNK;
	if (psk.len == 0)
		return "empty pre-shared key";
	chunk_t padded;
	err_t e = prf_compute(prf, psk, chunk_from(key_pad, sizeof(key_pad) - 1), &padded);
	if (e != NULL)
		return e;
	e = prf_compute(prf, padded, signed_octets, auth);
	chunk_free(&padded);
	return e;
}

err_t auth_psk_verify(const struct alg_desc *prf, chunk_t psk,
		      chunk_t signed_octets, chunk_t auth)
{
	chunk_t want;
	err_t e = auth_psk(prf, psk, signed_octets, &want);
	if (e != NULL)
		return e;
	bool ok = want.len == auth.len && crypto_memeq(want.ptr, auth.ptr, want.len);
	chunk_free(&want);
	return ok ? NULL : "PSK authentication failed (AUTH mismatch)";
}

/* ---- RSA ----------------------------------------------------------------- */

/* The NSS mechanism (hash and padding in one) and, for PSS, its
 * parameters: MGF1 with the same hash, salt as long as the hash. */
static err_t rsa_mechanism(const struct sig_alg *alg, CK_MECHANISM_TYPE *mech,
			   CK_RSA_PKCS_PSS_PARAMS *pss, SECItem *param)
{
	static const struct {
		enum sig_hash hash;
		CK_MECHANISM_TYPE pkcs1, pss, hash_mech;
		CK_RSA_PKCS_MGF_TYPE mgf;
		size_t len;
	} m[] = {
		{ SIG_HASH_SHA1, CKM_SHA1_RSA_PKCS, 0, CKM_SHA_1, CKG_MGF1_SHA1, 20 },
		{ SIG_HASH_SHA2_256, CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256,
		  CKG_MGF1_SHA256, 32 },
		{ SIG_HASH_SHA2_384, CKM_SHA384_RSA_PKCS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA384,
		  CKG_MGF1_SHA384, 48 },
		{ SIG_HASH_SHA2_512, CKM_SHA512_RSA_PKCS, CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512,
		  CKG_MGF1_SHA512, 64 },
	};
	if (alg == NULL)
		return "no signature algorithm";
	if (alg->scheme == SIG_RSA_IKEV1) {
		*mech = CKM_RSA_PKCS;   /* padding only: the octets are the hash */
		*param = (SECItem){ siBuffer, NULL, 0 };
		return NULL;
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (m[i].hash != alg->hash)
			continue;
		if (alg->scheme == SIG_RSA_PKCS1) {
			*mech = m[i].pkcs1;
			*param = (SECItem){ siBuffer, NULL, 0 };
			return NULL;
		}
		if (alg->scheme == SIG_RSA_PSS && m[i].pss != 0) {
			*mech = m[i].pss;
			pss->hashAlg = m[i].hash_mech;
			pss->mgf = m[i].mgf;
			pss->sLen = m[i].len;
			*param = (SECItem){ siBuffer, (unsigned char *)pss, sizeof(*pss) };
			return NULL;
		}
	}
	return crypto_errorf("signature algorithm %s is not supported", alg->name);
}

/* ---- ECDSA ---------------------------------------------------------------- */

static err_t digest(const struct sig_alg *alg, chunk_t octets, uint8_t *out, unsigned *len)
{
	static const struct {
		enum sig_hash hash;
		SECOidTag oid;
		unsigned len;
	} h[] = {
		{ SIG_HASH_SHA1, SEC_OID_SHA1, 20 },
		{ SIG_HASH_SHA2_256, SEC_OID_SHA256, 32 },
		{ SIG_HASH_SHA2_384, SEC_OID_SHA384, 48 },
		{ SIG_HASH_SHA2_512, SEC_OID_SHA512, 64 },
	};
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		if (h[i].hash != alg->hash)
			continue;
		if (PK11_HashBuf(h[i].oid, out, octets.ptr, (PRInt32)octets.len) != SECSuccess)
			return crypto_nss_error("hashing the signed octets");
		*len = h[i].len;
		return NULL;
	}
	return crypto_errorf("signature algorithm %s: unknown hash", alg->name);
}

/* NSS signs the hash (CKM_ECDSA) into r | s; method 14 wants them DER. */
static err_t ecdsa_sign(SECKEYPrivateKey *key, const struct sig_alg *alg, chunk_t octets,
			chunk_t *sig)
{
	uint8_t h[64];
	SECItem hash = { siBuffer, h, 0 };
	err_t e = digest(alg, octets, h, &hash.len);
	if (e != NULL)
		return e;
	int len = PK11_SignatureLen(key);
	if (len <= 0 || len > 2 * 66)
		return crypto_nss_error("ECDSA key size");
	uint8_t raw[2 * 66];
	SECItem r = { siBuffer, raw, (unsigned)len };
	if (PK11_Sign(key, &r, &hash) != SECSuccess)
		return crypto_nss_error("ECDSA signing");
	if (alg->scheme == SIG_ECDSA_RAW) {
		*sig = chunk_dup(chunk_from(raw, r.len));
		return NULL;
	}
	SECItem der = { siBuffer, NULL, 0 };
	if (DSAU_EncodeDerSigWithLen(&der, &r, r.len) != SECSuccess)
		return crypto_nss_error("encoding the ECDSA signature");
	*sig = chunk_dup(chunk_from(der.data, der.len));
	SECITEM_FreeItem(&der, PR_FALSE);
	return NULL;
}

static err_t ecdsa_verify(SECKEYPublicKey *key, const struct sig_alg *alg, chunk_t octets,
			  chunk_t sig)
{
	if (key->keyType != ecKey)
		return "the key is not an ECDSA key";
	uint8_t h[64];
	SECItem hash = { siBuffer, h, 0 };
	err_t e = digest(alg, octets, h, &hash.len);
	if (e != NULL)
		return e;
	unsigned len = SECKEY_SignatureLen(key);   /* r | s */
	SECItem in = { siBuffer, sig.ptr, (unsigned)sig.len };
	SECItem *raw = NULL;
	if (alg->scheme == SIG_ECDSA) {
		raw = DSAU_DecodeDerSigToLen(&in, len);
		if (raw == NULL)
			return crypto_nss_error("undecodable ECDSA signature (Ecdsa-Sig-Value)");
	} else if (sig.len != len) {
		return crypto_errorf("ECDSA signature has %zu bytes, the curve's r | s %u", sig.len, len);
	}
	SECStatus rv = PK11_Verify(key, raw != NULL ? raw : &in, &hash, NULL);
	if (raw != NULL)
		SECITEM_FreeItem(raw, PR_TRUE);
	return rv == SECSuccess ? NULL : crypto_nss_error("ECDSA signature does not verify");
}

/* ---- either --------------------------------------------------------------- */

static bool is_ecdsa(const struct sig_alg *alg)
{
	return alg->scheme == SIG_ECDSA || alg->scheme == SIG_ECDSA_RAW;
}

err_t crypto_sign(SECKEYPrivateKey *key, const struct sig_alg *alg, chunk_t octets, chunk_t *sig)
{
	*sig = EMPTY_CHUNK;
	if (alg == NULL)
		return "no signature algorithm";
	KeyType kt = SECKEY_GetPrivateKeyType(key);
	if (kt != (is_ecdsa(alg) ? ecKey : rsaKey))
		return crypto_errorf("signature algorithm %s does not fit the %s key", alg->name,
				     kt == ecKey ? "ECDSA" : kt == rsaKey ? "RSA" : "other");
	if (is_ecdsa(alg))
		return ecdsa_sign(key, alg, octets, sig);
	CK_MECHANISM_TYPE mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
	SECItem param;
	err_t e = rsa_mechanism(alg, &mech, &pss, &param);
	if (e != NULL)
		return e;
	int len = PK11_SignatureLen(key);
	if (len <= 0)
		return crypto_nss_error("RSA key size");
	chunk_t s = chunk_alloc((size_t)len);
	SECItem out = { siBuffer, s.ptr, (unsigned)s.len };
	SECItem data = { siBuffer, octets.ptr, (unsigned)octets.len };
	if (PK11_SignWithMechanism(key, mech, param.len ? &param : NULL, &out, &data) != SECSuccess) {
		e = crypto_nss_error("RSA signing");
		chunk_free(&s);
		return e;
	}
	s.len = out.len;
	*sig = s;
	return NULL;
}

err_t crypto_verify(SECKEYPublicKey *key, const struct sig_alg *alg, chunk_t octets, chunk_t sig)
{
	if (alg == NULL)
		return "no signature algorithm";
	if (is_ecdsa(alg))
		return ecdsa_verify(key, alg, octets, sig);
	if (key->keyType != rsaKey)
		return crypto_errorf("an RSA signature (%s), but the key is not RSA", alg->name);
	CK_MECHANISM_TYPE mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
	SECItem param;
	err_t e = rsa_mechanism(alg, &mech, &pss, &param);
	if (e != NULL)
		return e;
	unsigned n = SECKEY_SignatureLen(key);
	if (sig.len != n)
		return crypto_errorf("RSA signature has %zu bytes, the key's modulus %u", sig.len, n);
	SECItem s = { siBuffer, sig.ptr, (unsigned)sig.len };
	SECItem data = { siBuffer, octets.ptr, (unsigned)octets.len };
	if (PK11_VerifyWithMechanism(key, mech, param.len ? &param : NULL, &s, &data, NULL) != SECSuccess)
		return crypto_nss_error("RSA signature does not verify");
	return NULL;
}

err_t auth_rsa_sign(const struct hostkey *key, const struct sig_alg *alg,
		    chunk_t signed_octets, chunk_t *sig)
{
	*sig = EMPTY_CHUNK;
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	if (key == NULL || key->priv == NULL)
		return "no private key";
	return crypto_sign(key->priv, alg, signed_octets, sig);
}

err_t auth_rsa_verify(const rsa_pubkey *pub, const struct sig_alg *alg,
		      chunk_t signed_octets, chunk_t sig)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	if (alg != NULL && is_ecdsa(alg))
		return "an ECDSA signature, but the key is RSA";
	SECKEYPublicKey *k = crypto_rsa_pubkey_to_nss(pub, &e);
	if (k == NULL)
		return e;
	e = crypto_verify(k, alg, signed_octets, sig);
	SECKEY_DestroyPublicKey(k);
	return e;
}

err_t auth_digsig_encode(const struct sig_alg *alg, chunk_t sig, chunk_t *auth)
{
	*auth = EMPTY_CHUNK;
	if (alg == NULL || alg->der_len > 255)
		return "no signature algorithm";
	uint8_t len = (uint8_t)alg->der_len;
	*auth = chunk_cat3(chunk_from(&len, 1), chunk_from(alg->der, alg->der_len), sig);
	return NULL;
}

err_t auth_digsig_decode(chunk_t auth, const struct sig_alg **alg, chunk_t *sig)
{
	*alg = NULL;
	*sig = EMPTY_CHUNK;
	if (auth.len < 1)
		return "empty digital signature AUTH data";
	size_t len = auth.ptr[0];
	if (len == 0 || auth.len < 1 + len)
		return "digital signature AUTH data truncated in its AlgorithmIdentifier";
	if (auth.len == 1 + len)
		return "digital signature AUTH data has no signature";
	const struct sig_alg *a = sig_alg_by_der(chunk_from(auth.ptr + 1, len));
	if (a == NULL) {
		char hex[2 * 80 + 1];
		chunk_hex(chunk_from(auth.ptr + 1, len < 80 ? len : 80), hex, sizeof(hex));
		return crypto_errorf("unknown signature AlgorithmIdentifier %s%s", hex,
				     len > 80 ? "..." : "");
	}
	*alg = a;
	*sig = chunk_from(auth.ptr + 1 + len, auth.len - 1 - len);
	return NULL;
}
