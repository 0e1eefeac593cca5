/* The IKEv1 phase 1 key schedule (see ikev1_keys.h). */
#include <string.h>
#include "crypto_nss.h"
#include "ikev1_keys.h"

err_t ikev1_hash(const struct alg_desc *prf, const chunk_t *parts, size_t n, chunk_t *out)
{
	static const struct { size_t len; SECOidTag oid; } hashes[] = {
		{ 16, SEC_OID_MD5 }, { 20, SEC_OID_SHA1 }, { 32, SEC_OID_SHA256 },
		{ 48, SEC_OID_SHA384 }, { 64, SEC_OID_SHA512 },
	};
	*out = EMPTY_CHUNK;
	size_t len = prf_output_len(prf);
	SECOidTag oid = SEC_OID_UNKNOWN;
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].len == len)
			oid = hashes[i].oid;
	if (oid == SEC_OID_UNKNOWN)
		return crypto_errorf("%s has no hash for IKEv1", prf ? prf->name : "(none)");
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	PK11Context *ctx = PK11_CreateDigestContext(oid);
	if (ctx == NULL)
		return crypto_nss_error("PK11_CreateDigestContext");
	chunk_t r = chunk_alloc(len);
	unsigned got = 0;
	bool ok = PK11_DigestBegin(ctx) == SECSuccess;
	for (size_t i = 0; ok && i < n; i++)
		if (parts[i].len > 0)
			ok = PK11_DigestOp(ctx, parts[i].ptr, (unsigned)parts[i].len) == SECSuccess;
	ok = ok && PK11_DigestFinal(ctx, r.ptr, &got, (unsigned)len) == SECSuccess && got == len;
	PK11_DestroyContext(ctx, PR_TRUE);
	if (!ok) {
		chunk_free(&r);
		return crypto_nss_error("hash");
	}
	*out = r;
	return NULL;
}

err_t ikev1_skeyid_psk(const struct alg_desc *prf, chunk_t psk, chunk_t ni, chunk_t nr,
		       chunk_t *skeyid)
{
	chunk_t parts[2] = { ni, nr };
	return prf_computev(prf, psk, parts, 2, skeyid);
}

err_t ikev1_skeyid_sig(const struct alg_desc *prf, chunk_t ni, chunk_t nr, chunk_t gxy,
		       chunk_t *skeyid)
{
	chunk_t key = chunk_cat(ni, nr);
	err_t e = prf_compute(prf, key, gxy, skeyid);
	chunk_free(&key);
	return e;
}

void ikev1_keys_free(struct ikev1_keys *keys)
{
	chunk_free(&keys->skeyid);
	chunk_free(&keys->skeyid_d);
	chunk_free(&keys->skeyid_a);
	chunk_free(&keys->skeyid_e);
	chunk_free(&keys->enc_key);
}

err_t ikev1_keys_derive(const struct alg_desc *prf, const struct alg_desc *encr, unsigned keylen,
			chunk_t skeyid, chunk_t gxy, const uint8_t cky_i[8], const uint8_t cky_r[8],
			struct ikev1_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	size_t klen = encr_key_len(encr, keylen);
	if (klen == 0)
		return crypto_errorf("%s with %u bits is not a cipher IKEv1 can use",
				     encr ? encr->name : "(none)", keylen);
	keys->skeyid = chunk_dup(skeyid);
	chunk_t ci = chunk_from(cky_i, 8), cr = chunk_from(cky_r, 8);
	uint8_t n0 = 0, n1 = 1, n2 = 2;
	chunk_t pd[4] = { gxy, ci, cr, chunk_from(&n0, 1) };
	err_t e = prf_computev(prf, skeyid, pd, 4, &keys->skeyid_d);
	if (e == NULL) {
		chunk_t pa[5] = { keys->skeyid_d, gxy, ci, cr, chunk_from(&n1, 1) };
		e = prf_computev(prf, skeyid, pa, 5, &keys->skeyid_a);
	}
	if (e == NULL) {
		chunk_t pe[5] = { keys->skeyid_a, gxy, ci, cr, chunk_from(&n2, 1) };
		e = prf_computev(prf, skeyid, pe, 5, &keys->skeyid_e);
	}
	if (e == NULL && keys->skeyid_e.len >= klen) {
		keys->enc_key = chunk_clone(keys->skeyid_e.ptr, klen);
	} else if (e == NULL) {
		/* appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1) */
		size_t hl = keys->skeyid_e.len;
		chunk_t k = chunk_alloc((klen + hl - 1) / hl * hl);
		uint8_t zero = 0;
		for (size_t at = 0; at < klen && e == NULL; at += hl) {
			chunk_t in = at == 0 ? chunk_from(&zero, 1) : chunk_from(k.ptr + at - hl, hl);
			chunk_t kn;
			e = prf_compute(prf, keys->skeyid_e, in, &kn);
			if (e == NULL) {
				memcpy(k.ptr + at, kn.ptr, hl);
				chunk_free(&kn);
			}
		}
		if (e == NULL)
			keys->enc_key = chunk_clone(k.ptr, klen);
		chunk_free(&k);
	}
	if (e != NULL)
		ikev1_keys_free(keys);
	return e;
}

static err_t truncated_hash(const struct alg_desc *prf, const struct alg_desc *encr,
			    const chunk_t *parts, size_t n, chunk_t *iv)
{
	*iv = EMPTY_CHUNK;
	size_t bl = encr_block_len(encr);
	chunk_t h;
	err_t e = ikev1_hash(prf, parts, n, &h);
	if (e != NULL)
		return e;
	if (bl == 0 || bl > h.len) {
		chunk_free(&h);
		return "the cipher's block is longer than the hash";
	}
	*iv = chunk_clone(h.ptr, bl);
	chunk_free(&h);
	return NULL;
}

err_t ikev1_phase1_iv(const struct alg_desc *prf, const struct alg_desc *encr, chunk_t gxi,
		      chunk_t gxr, chunk_t *iv)
{
	chunk_t parts[2] = { gxi, gxr };
	return truncated_hash(prf, encr, parts, 2, iv);
}

err_t ikev1_phase2_iv(const struct alg_desc *prf, const struct alg_desc *encr, chunk_t p1_iv,
		      uint32_t msgid, chunk_t *iv)
{
	uint8_t m[4] = { (uint8_t)(msgid >> 24), (uint8_t)(msgid >> 16), (uint8_t)(msgid >> 8),
			 (uint8_t)msgid };
	chunk_t parts[2] = { p1_iv, chunk_from(m, 4) };
	return truncated_hash(prf, encr, parts, 2, iv);
}

err_t ikev1_hash_auth(const struct alg_desc *prf, chunk_t skeyid, chunk_t gx_a, chunk_t gx_b,
		      const uint8_t cky_a[8], const uint8_t cky_b[8], chunk_t sai_b, chunk_t id_b,
		      chunk_t *hash)
{
	chunk_t parts[6] = { gx_a, gx_b, chunk_from(cky_a, 8), chunk_from(cky_b, 8), sai_b, id_b };
	return prf_computev(prf, skeyid, parts, 6, hash);
}

err_t ikev1_keymat(const struct alg_desc *prf, chunk_t skeyid_d, chunk_t gqm, uint8_t protocol,
		   uint32_t spi, chunk_t ni, chunk_t nr, size_t len, chunk_t *keymat)
{
	*keymat = EMPTY_CHUNK;
	size_t hl = prf_output_len(prf);
	if (hl == 0)
		return crypto_errorf("%s is not a PRF", prf ? prf->name : "(none)");
	uint8_t s[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8), (uint8_t)spi };
	chunk_t k = chunk_alloc((len + hl - 1) / hl * hl);
	err_t e = NULL;
	for (size_t at = 0; at < len && e == NULL; at += hl) {
		/* K1 has no previous block; Kn starts with Kn-1 */
		chunk_t parts[6] = { at == 0 ? EMPTY_CHUNK : chunk_from(k.ptr + at - hl, hl), gqm,
				     chunk_from(&protocol, 1), chunk_from(s, 4), ni, nr };
		chunk_t kn;
		e = prf_computev(prf, skeyid_d, parts, 6, &kn);
		if (e == NULL) {
			memcpy(k.ptr + at, kn.ptr, hl);
			chunk_free(&kn);
		}
	}
	if (e == NULL)
		*keymat = chunk_clone(k.ptr, len);
	chunk_free(&k);
	return e;
}

static err_t child_dir(const struct child_suite *suite, const struct alg_desc *prf, chunk_t skeyid_d,
		       chunk_t gqm, uint8_t protocol, uint32_t spi, chunk_t ni, chunk_t nr,
		       struct child_dir_keys *d)
{
	size_t key = 0, salt = 0, integ = 0;
	if (suite->encr != NULL) {
		if (suite->encr->type != ALG_ENCRYPT || !encr_keylen_ok(suite->encr, suite->encr_keylen))
			return crypto_errorf("%s with a %u-bit key is not usable", suite->encr->name,
					     suite->encr_keylen);
		key = encr_key_len(suite->encr, suite->encr_keylen);
		salt = encr_salt_len(suite->encr);
	}
	if (suite->integ != NULL && suite->integ->ikev2_id != 0 &&
	    (integ = integ_key_len(suite->integ)) == 0)
		return crypto_errorf("%s is not a supported integrity algorithm", suite->integ->name);
	if (key + salt + integ == 0)
		return NULL;
	chunk_t km;
	err_t e = ikev1_keymat(prf, skeyid_d, gqm, protocol, spi, ni, nr, key + salt + integ, &km);
	if (e != NULL)
		return e;
	d->encr = chunk_clone(km.ptr, key);
	d->salt = chunk_clone(km.ptr + key, salt);
	d->integ = chunk_clone(km.ptr + key + salt, integ);
	chunk_free(&km);
	return NULL;
}

err_t ikev1_child_keys(const struct child_suite *suite, const struct alg_desc *prf,
		       chunk_t skeyid_d, chunk_t gqm, uint8_t protocol, uint32_t spi_i,
		       uint32_t spi_r, chunk_t ni, chunk_t nr, struct child_sa_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	err_t e = child_dir(suite, prf, skeyid_d, gqm, protocol, spi_r, ni, nr, &keys->i2r);
	if (e == NULL)
		e = child_dir(suite, prf, skeyid_d, gqm, protocol, spi_i, ni, nr, &keys->r2i);
	if (e != NULL)
		child_sa_keys_free(keys);
	return e;
}
