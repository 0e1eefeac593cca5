/* Ciphers and integrity for the SK payload: AES-CBC (RFC 3602), 3DES-CBC
 * (RFC 2451), AES-GCM with a 16-byte ICV (RFC 4106, RFC 5282), HMAC
 * integrity (RFC 2104, 2404, 4868); and the key/IV/block sizes of every
 * ENCRYPT and INTEG row, which the key schedules use. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "crypto_nss.h"

/* Facts per ENCRYPT transform ID (IANA IKEv2 type 1). */
static const struct encr_info {
	uint16_t id;
	unsigned fixed_bits;   /* fixed key size, 0 when variable */
	size_t salt, iv, block;
	CK_MECHANISM_TYPE mech; /* for SK payloads; 0: ESP only */
} encrs[] = {
	{ 3, 192, 0, 8, 8, CKM_DES3_CBC },      /* 3des: RFC 2451 */
	{ 11, 0, 0, 0, 1, 0 },                   /* null: RFC 2410 */
	{ 12, 0, 0, 16, 16, CKM_AES_CBC },       /* aes-cbc: RFC 3602 */
	{ 13, 0, 4, 8, 1, 0 },                   /* aes-ctr: RFC 3686, 4-byte nonce */
	{ 14, 0, 3, 8, 1, 0 },                   /* aes-ccm-8: RFC 4309, 3-byte salt */
	{ 15, 0, 3, 8, 1, 0 },
	{ 16, 0, 3, 8, 1, 0 },
	{ 18, 0, 4, 8, 1, 0 },                   /* aes-gcm-8: RFC 4106, 4-byte salt */
	{ 19, 0, 4, 8, 1, 0 },
	{ 20, 0, 4, 8, 1, CKM_AES_GCM },         /* aes-gcm-16: RFC 4106, RFC 5282 */
};

static const struct encr_info *encr_info(const struct alg_desc *encr)
{
	if (encr == NULL || encr->type != ALG_ENCRYPT)
		return NULL;
	for (size_t i = 0; i < sizeof(encrs) / sizeof(encrs[0]); i++)
		if (encrs[i].id == encr->ikev2_id)
			return &encrs[i];
	return NULL;
}

static unsigned effective_bits(const struct alg_desc *encr, const struct encr_info *info,
			       unsigned keylen)
{
	if (encr->ikev2_id == 11)
		return 0;
	if (info->fixed_bits != 0)
		return info->fixed_bits;
	return keylen != 0 ? keylen : encr->default_keylen;
}

bool encr_keylen_ok(const struct alg_desc *encr, unsigned keylen)
{
	const struct encr_info *info = encr_info(encr);
	if (info == NULL)
		return false;
	if (encr->ikev2_id == 11 || info->fixed_bits != 0)
		return keylen == 0 || keylen == info->fixed_bits;
	if (keylen == 0)
		return encr->default_keylen != 0;
	for (size_t i = 0; i < 4 && encr->keylens[i] != 0; i++)
		if (encr->keylens[i] == keylen)
			return true;
	return false;
}

size_t encr_key_len(const struct alg_desc *encr, unsigned keylen)
{
	const struct encr_info *info = encr_info(encr);
	if (info == NULL || !encr_keylen_ok(encr, keylen))
		return 0;
	return effective_bits(encr, info, keylen) / 8;
}

size_t encr_salt_len(const struct alg_desc *encr)
{
	const struct encr_info *info = encr_info(encr);
	return info != NULL ? info->salt : 0;
}

size_t encr_keymat_len(const struct alg_desc *encr, unsigned keylen)
{
	size_t k = encr_key_len(encr, keylen);
	return k != 0 ? k + encr_salt_len(encr) : 0;
}

size_t encr_iv_len(const struct alg_desc *encr)
{
	const struct encr_info *info = encr_info(encr);
	return info != NULL ? info->iv : 0;
}

size_t encr_block_len(const struct alg_desc *encr)
{
	const struct encr_info *info = encr_info(encr);
	return info != NULL ? info->block : 0;
}

size_t encr_icv_len(const struct alg_desc *encr)
{
	return encr != NULL && encr->type == ALG_ENCRYPT && encr->aead ? encr->icv_octets : 0;
}

bool encr_ike_supported(const struct alg_desc *encr)
{
	const struct encr_info *info = encr_info(encr);
	return info != NULL && info->mech != 0;
}

/* Splits SK_e into cipher key and salt and checks every length. */
static err_t check_args(const struct alg_desc *encr, const struct encr_info **infop,
			chunk_t key, chunk_t iv, chunk_t aad, size_t *keylen)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	const struct encr_info *info = encr_info(encr);
	if (info == NULL || info->mech == 0)
		return crypto_errorf("%s cannot protect IKE messages here",
				     encr != NULL ? encr->name : "(none)");
	if (key.len < info->salt)
		return "encryption key too short";
	*keylen = key.len - info->salt;
	if (!encr_keylen_ok(encr, (unsigned)(*keylen * 8)) || *keylen == 0)
		return crypto_errorf("%s: %zu-byte key is not a valid size", encr->name, key.len);
	if (iv.len != info->iv)
		return crypto_errorf("%s: IV must be %zu bytes", encr->name, info->iv);
	if (!encr->aead && aad.len != 0)
		return "additional authenticated data given to a non-AEAD cipher";
	*infop = info;
	return NULL;
}

/* The NSS parameter for one operation; gcm/nonce are caller storage. */
static SECItem cipher_param(const struct alg_desc *encr, const struct encr_info *info,
			    chunk_t key, size_t keylen, chunk_t iv, chunk_t aad,
			    CK_GCM_PARAMS_V3 *gcm, uint8_t nonce[12])
{
	if (info->mech != CKM_AES_GCM)
		return (SECItem){ siBuffer, iv.ptr, (unsigned)iv.len };
	/* RFC 4106 4 / RFC 5282 4: nonce = salt (4) || explicit IV (8) */
	memcpy(nonce, key.ptr + keylen, 4);
	memcpy(nonce + 4, iv.ptr, 8);
	memset(gcm, 0, sizeof(*gcm));
	gcm->pIv = nonce;
	gcm->ulIvLen = 12;
	gcm->ulIvBits = 96;
	gcm->pAAD = aad.ptr;
	gcm->ulAADLen = aad.len;
	gcm->ulTagBits = encr->icv_octets * 8;
	return (SECItem){ siBuffer, (unsigned char *)gcm, sizeof(*gcm) };
}

static err_t run_cipher(bool seal, const struct alg_desc *encr, chunk_t key, chunk_t iv,
			chunk_t aad, const uint8_t *in, size_t len,
			uint8_t *out, size_t outsize)
{
	const struct encr_info *info = NULL;
	size_t keylen = 0;
	err_t e = check_args(encr, &info, key, iv, aad, &keylen);
	if (e != NULL)
		return e;
	size_t icv = encr_icv_len(encr);
	if (!seal && len < icv)
		return "ciphertext shorter than its ICV";
	size_t plain = seal ? len : len - icv;
	if (plain % info->block != 0)
		return crypto_errorf("%s: %zu bytes is not a multiple of the %zu-byte block",
				     encr->name, plain, info->block);
	size_t want = seal ? len + icv : plain;
	if (outsize < want)
		return "output buffer too small";
	if (len > 0xffffff)
		return "message too long";

	PK11SymKey *k = crypto_import_symkey(info->mech, seal ? CKA_ENCRYPT : CKA_DECRYPT,
					     key.ptr, keylen, &e);
	if (k == NULL)
		return e;
	CK_GCM_PARAMS_V3 gcm;
	uint8_t nonce[12];
	SECItem param = cipher_param(encr, info, key, keylen, iv, aad, &gcm, nonce);

	/* NSS wants distinct buffers; work on a copy when they overlap */
	uint8_t *dst = out;
	uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
	bool overlap = o < i + len && i < o + want;
	if (overlap && (dst = malloc(want ? want : 1)) == NULL) {
		PK11_FreeSymKey(k);
		return "out of memory";
	}
	unsigned got = 0;
	SECStatus rv = seal
		? PK11_Encrypt(k, info->mech, &param, dst, &got, (unsigned)want, in, (unsigned)len)
		: PK11_Decrypt(k, info->mech, &param, dst, &got, (unsigned)want, in, (unsigned)len);
	if (rv != SECSuccess)
		e = seal ? crypto_nss_error("encrypting")
			 : encr->aead ? "integrity check failed (AEAD tag mismatch)"
				      : crypto_nss_error("decrypting");
	else if (got != want)
		e = "cipher returned an unexpected length";
	if (e == NULL && overlap)
		memcpy(out, dst, want);
	if (overlap) {
		memset(dst, 0, want);
		free(dst);
	}
	if (e != NULL)
		memset(out, 0, want);
	PK11_FreeSymKey(k);
	memset(nonce, 0, sizeof(nonce));
	return e;
}

err_t encr_seal(const struct alg_desc *encr, chunk_t key, chunk_t iv,
		chunk_t aad, const uint8_t *in, size_t len,
		uint8_t *out, size_t outsize)
{
	return run_cipher(true, encr, key, iv, aad, in, len, out, outsize);
}

err_t encr_open(const struct alg_desc *encr, chunk_t key, chunk_t iv,
		chunk_t aad, const uint8_t *in, size_t len,
		uint8_t *out, size_t outsize)
{
	return run_cipher(false, encr, key, iv, aad, in, len, out, outsize);
}

/* ---- integrity --------------------------------------------------------- */

static bool integ_hmac(const struct alg_desc *integ, CK_MECHANISM_TYPE *mech, size_t *len)
{
	return integ != NULL && integ->type == ALG_INTEG && integ->ikev2_id != 0 &&
	       crypto_hmac_of(integ, mech, len);
}

size_t integ_key_len(const struct alg_desc *integ)
{
	CK_MECHANISM_TYPE mech;
	size_t len;
	return integ_hmac(integ, &mech, &len) ? len : 0;
}

size_t integ_icv_len(const struct alg_desc *integ)
{
	CK_MECHANISM_TYPE mech;
	size_t len;
	return integ_hmac(integ, &mech, &len) ? integ->icv_octets : 0;
}

static err_t integ_full(const struct alg_desc *integ, chunk_t key,
			const uint8_t *data, size_t len, uint8_t full[64], size_t *icv)
{
	CK_MECHANISM_TYPE mech;
	size_t hlen;
	if (!integ_hmac(integ, &mech, &hlen))
		return crypto_errorf("%s is not a supported integrity algorithm",
				     integ != NULL ? integ->name : "(none)");
	if (key.len != hlen)
		return crypto_errorf("%s: key must be %zu bytes", integ->name, hlen);
	*icv = integ->icv_octets;
	chunk_t part = chunk_from(data, len);
	return crypto_hmac(mech, hlen, key, &part, 1, full);
}

err_t integ_compute(const struct alg_desc *integ, chunk_t key,
		    const uint8_t *data, size_t len, uint8_t *icv)
{
	uint8_t full[64];
	size_t n;
	err_t e = integ_full(integ, key, data, len, full, &n);
	if (e == NULL)
		memcpy(icv, full, n);
	memset(full, 0, sizeof(full));
	return e;
}

err_t integ_verify(const struct alg_desc *integ, chunk_t key,
		   const uint8_t *data, size_t len, const uint8_t *icv)
{
	uint8_t full[64];
	size_t n;
	err_t e = integ_full(integ, key, data, len, full, &n);
	if (e == NULL && !crypto_memeq(full, icv, n))
		e = "integrity check failed (ICV mismatch)";
	memset(full, 0, sizeof(full));
	return e;
}
