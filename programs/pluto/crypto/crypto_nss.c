/* Shared NSS plumbing for crypto/: error texts, symmetric key import, the
 * HMAC engine behind the PRFs and integrity algorithms, constant-time
 * comparison, RSA public keys in NSS form. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <prerror.h>
#include <secerr.h>
#include "crypto_nss.h"

static _Thread_local char errbuf[512];

err_t crypto_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return errbuf;
}

err_t crypto_nss_error(const char *what)
{
	PRErrorCode code = PR_GetError();
	const char *name = PR_ErrorToName(code);
	if (name != NULL)
		return crypto_errorf("%s: %s", what, name);
	return crypto_errorf("%s: NSS error %d", what, (int)code);
}

bool crypto_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

PK11SymKey *crypto_import_symkey(CK_MECHANISM_TYPE mech, CK_ATTRIBUTE_TYPE op,
				 const uint8_t *key, size_t len, err_t *e)
{
	err_t ready = crypto_check_ready();
	if (ready != NULL) {
		*e = ready;
		return NULL;
	}
	if (len == 0 || len > 65536) {
		*e = "key length out of range";
		return NULL;
	}
	SECItem item = { siBuffer, (unsigned char *)key, (unsigned)len };
	PK11SymKey *k = PK11_ImportSymKey(crypto_slot(), mech, PK11_OriginUnwrap,
					  op, &item, NULL);
	if (k == NULL)
		*e = crypto_nss_error("importing a key");
	return k;
}

/* PRF rows: 1 md5, 2 sha1, 5 sha2_256, 6 sha2_384, 7 sha2_512.
 * INTEG rows: 1 md5, 2 sha1, 12 sha2_256, 13 sha2_384, 14 sha2_512. */
static const struct {
	uint16_t prf_id, integ_id;
	CK_MECHANISM_TYPE mech;
	size_t len;
} hmacs[] = {
	{ 1, 1, CKM_MD5_HMAC, 16 },
	{ 2, 2, CKM_SHA_1_HMAC, 20 },
	{ 5, 12, CKM_SHA256_HMAC, 32 },
	{ 6, 13, CKM_SHA384_HMAC, 48 },
	{ 7, 14, CKM_SHA512_HMAC, 64 },
};

bool crypto_hmac_of(const struct alg_desc *alg, CK_MECHANISM_TYPE *mech,
		    size_t *hash_len)
{
	if (alg == NULL || (alg->type != ALG_PRF && alg->type != ALG_INTEG))
		return false;
	for (size_t i = 0; i < sizeof(hmacs) / sizeof(hmacs[0]); i++) {
		uint16_t id = alg->type == ALG_PRF ? hmacs[i].prf_id : hmacs[i].integ_id;
		if (id == alg->ikev2_id) {
			*mech = hmacs[i].mech;
			*hash_len = hmacs[i].len;
			return true;
		}
	}
	return false;
}

err_t crypto_hmac_begin(struct crypto_hmac *h, CK_MECHANISM_TYPE mech,
			size_t hash_len, chunk_t key)
{
	/* HMAC pads a short key with zeros to the block size (RFC 2104 2),
	 * so the empty key and the one-byte key 0x00 are the same key; NSS
	 * will not import an empty one. */
	static const uint8_t zero = 0;
	const uint8_t *kp = key.len > 0 ? key.ptr : &zero;
	size_t klen = key.len > 0 ? key.len : 1;
	err_t e = NULL;
	memset(h, 0, sizeof(*h));
	h->len = hash_len;
	h->key = crypto_import_symkey(mech, CKA_SIGN, kp, klen, &e);
	if (h->key == NULL)
		return e;
	SECItem noparam = { siBuffer, NULL, 0 };
	h->ctx = PK11_CreateContextBySymKey(mech, CKA_SIGN, h->key, &noparam);
	if (h->ctx == NULL) {
		e = crypto_nss_error("creating an HMAC context");
		crypto_hmac_end(h);
		return e;
	}
	return NULL;
}

err_t crypto_hmac_run(struct crypto_hmac *h, const chunk_t *parts, size_t n,
		      uint8_t *out)
{
	if (PK11_DigestBegin(h->ctx) != SECSuccess)
		return crypto_nss_error("HMAC");
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len == 0)
			continue;
		if (parts[i].len > UINT_MAX)
			return "HMAC input too long";
		if (PK11_DigestOp(h->ctx, parts[i].ptr, (unsigned)parts[i].len) != SECSuccess)
			return crypto_nss_error("HMAC");
	}
	unsigned got = 0;
	if (PK11_DigestFinal(h->ctx, out, &got, (unsigned)h->len) != SECSuccess)
		return crypto_nss_error("HMAC");
	if (got != h->len)
		return "HMAC returned an unexpected length";
	return NULL;
}

void crypto_hmac_end(struct crypto_hmac *h)
{
	if (h->ctx != NULL)
		PK11_DestroyContext(h->ctx, PR_TRUE);
	if (h->key != NULL)
		PK11_FreeSymKey(h->key);
	h->ctx = NULL;
	h->key = NULL;
}

err_t crypto_hmac(CK_MECHANISM_TYPE mech, size_t hash_len, chunk_t key,
		  const chunk_t *parts, size_t n, uint8_t *out)
{
	struct crypto_hmac h;
	err_t e = crypto_hmac_begin(&h, mech, hash_len, key);
	if (e != NULL)
		return e;
	e = crypto_hmac_run(&h, parts, n, out);
	crypto_hmac_end(&h);
	return e;
}

SECKEYPublicKey *crypto_rsa_pubkey_to_nss(const rsa_pubkey *pub, err_t *e)
{
	if (pub->n_len == 0 || pub->n_len > sizeof(pub->n) ||
	    pub->e_len == 0 || pub->e_len > sizeof(pub->e)) {
		*e = "malformed RSA public key";
		return NULL;
	}
	PLArenaPool *arena = PORT_NewArena(DER_DEFAULT_CHUNKSIZE);
	if (arena == NULL) {
		*e = crypto_nss_error("allocating an arena");
		return NULL;
	}
	SECKEYPublicKey *k = PORT_ArenaZNew(arena, SECKEYPublicKey);
	uint8_t *n = PORT_ArenaAlloc(arena, pub->n_len);
	uint8_t *x = PORT_ArenaAlloc(arena, pub->e_len);
	if (k == NULL || n == NULL || x == NULL) {
		PORT_FreeArena(arena, PR_FALSE);
		*e = crypto_nss_error("allocating a public key");
		return NULL;
	}
	memcpy(n, pub->n, pub->n_len);
	memcpy(x, pub->e, pub->e_len);
	k->arena = arena;
	k->keyType = rsaKey;
	k->pkcs11Slot = NULL;
	k->pkcs11ID = CK_INVALID_HANDLE;
	k->u.rsa.arena = arena;
	k->u.rsa.modulus = (SECItem){ siUnsignedInteger, n, (unsigned)pub->n_len };
	k->u.rsa.publicExponent = (SECItem){ siUnsignedInteger, x, (unsigned)pub->e_len };
	return k;
}
