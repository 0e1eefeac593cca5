/* The IKEv2 key schedules: SKEYSEED and the seven IKE SA keys (RFC 7296
 * 2.14), rekeying an IKE SA (2.18), Child SA KEYMAT (2.17). */
#include <string.h>
#include "crypto_nss.h"

err_t ike_skeyseed(const struct alg_desc *prf, chunk_t ni, chunk_t nr,
		   chunk_t gir, chunk_t *skeyseed)
{
	/* SKEYSEED = prf(Ni | Nr, g^ir); HMAC PRFs take the whole nonces
	 * (the 64-bit truncation of 2.14 is for fixed-key PRFs only) */
	chunk_t key = chunk_cat(ni, nr);
	err_t e = prf_compute(prf, key, gir, skeyseed);
	chunk_free(&key);
	return e;
}

err_t ike_skeyseed_rekey(const struct alg_desc *old_prf, chunk_t old_sk_d,
			 chunk_t gir_new, chunk_t ni, chunk_t nr,
			 chunk_t *skeyseed)
{
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	const chunk_t parts[3] = { gir_new, ni, nr };
	return prf_computev(old_prf, old_sk_d, parts, 3, skeyseed);
}

static bool no_integ(const struct alg_desc *integ)
{
	return integ == NULL || integ->ikev2_id == 0;
}

/* Key lengths of a suite, checked: the one place that says what each of
 * the seven keys is made of. */
static err_t ike_key_lens(const struct ike_suite *s, size_t *prf_len,
			  size_t *integ_len, size_t *encr_len)
{
	if (s->encr == NULL || s->encr->type != ALG_ENCRYPT)
		return "IKE suite without an encryption algorithm";
	if ((*prf_len = prf_output_len(s->prf)) == 0)
		return crypto_errorf("%s is not a supported PRF",
				     s->prf != NULL ? s->prf->name : "(none)");
	if (!encr_keylen_ok(s->encr, s->encr_keylen) ||
	    (*encr_len = encr_keymat_len(s->encr, s->encr_keylen)) == 0)
		return crypto_errorf("%s with a %u-bit key is not usable", s->encr->name,
				     s->encr_keylen);
	if (s->encr->aead) {
		if (!no_integ(s->integ))
			return crypto_errorf("%s is AEAD: no integrity algorithm allowed",
					     s->encr->name);
		*integ_len = 0;
	} else {
		if (no_integ(s->integ))
			return crypto_errorf("%s needs an integrity algorithm", s->encr->name);
		if ((*integ_len = integ_key_len(s->integ)) == 0)
			return crypto_errorf("%s is not a supported integrity algorithm",
					     s->integ->name);
	}
	return NULL;
}

/* The next n bytes of keymat (owned copy). */
static chunk_t take(chunk_t keymat, size_t *off, size_t n)
{
	chunk_t c = chunk_clone(keymat.ptr + *off, n);
	*off += n;
	return c;
}

err_t ike_sa_keys_from_skeyseed(const struct ike_suite *suite,
				chunk_t skeyseed, chunk_t ni, chunk_t nr,
				const uint8_t spi_i[8], const uint8_t spi_r[8],
				struct ike_sa_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	size_t prf_len = 0, integ_len = 0, encr_len = 0;
	err_t e = ike_key_lens(suite, &prf_len, &integ_len, &encr_len);
	if (e != NULL)
		return e;
	/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
	 *	= prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr) */
	size_t total = 3 * prf_len + 2 * integ_len + 2 * encr_len;
	chunk_t seed = chunk_alloc(ni.len + nr.len + 16);
	memcpy(seed.ptr, ni.ptr, ni.len);
	memcpy(seed.ptr + ni.len, nr.ptr, nr.len);
	memcpy(seed.ptr + ni.len + nr.len, spi_i, 8);
	memcpy(seed.ptr + ni.len + nr.len + 8, spi_r, 8);
	chunk_t keymat;
	e = prf_plus(suite->prf, skeyseed, seed, total, &keymat);
	chunk_free(&seed);
	if (e != NULL)
		return e;
	size_t off = 0;
	keys->sk_d = take(keymat, &off, prf_len);
	keys->sk_ai = take(keymat, &off, integ_len);
	keys->sk_ar = take(keymat, &off, integ_len);
	keys->sk_ei = take(keymat, &off, encr_len);
	keys->sk_er = take(keymat, &off, encr_len);
	keys->sk_pi = take(keymat, &off, prf_len);
	keys->sk_pr = take(keymat, &off, prf_len);
	chunk_free(&keymat);
	return NULL;
}

err_t ike_sa_keys_derive(const struct ike_suite *suite, chunk_t ni, chunk_t nr,
			 chunk_t gir, const uint8_t spi_i[8],
			 const uint8_t spi_r[8], struct ike_sa_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	chunk_t skeyseed;
	err_t e = ike_skeyseed(suite->prf, ni, nr, gir, &skeyseed);
	if (e != NULL)
		return e;
	e = ike_sa_keys_from_skeyseed(suite, skeyseed, ni, nr, spi_i, spi_r, keys);
	chunk_free(&skeyseed);
	return e;
}

err_t ike_sa_keys_rekey(const struct ike_suite *suite,
			const struct alg_desc *old_prf, chunk_t old_sk_d,
			chunk_t gir_new, chunk_t ni, chunk_t nr,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			struct ike_sa_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	chunk_t skeyseed;
	err_t e = ike_skeyseed_rekey(old_prf, old_sk_d, gir_new, ni, nr, &skeyseed);
	if (e != NULL)
		return e;
	e = ike_sa_keys_from_skeyseed(suite, skeyseed, ni, nr, spi_i, spi_r, keys);
	chunk_free(&skeyseed);
	return e;
}

void ike_sa_keys_free(struct ike_sa_keys *keys)
{
	chunk_free(&keys->sk_d);
	chunk_free(&keys->sk_ai);
	chunk_free(&keys->sk_ar);
	chunk_free(&keys->sk_ei);
	chunk_free(&keys->sk_er);
	chunk_free(&keys->sk_pi);
	chunk_free(&keys->sk_pr);
}

static void take_dir(chunk_t keymat, size_t *off, size_t key, size_t salt,
		     size_t integ, struct child_dir_keys *d)
{
	d->encr = take(keymat, off, key);
	d->salt = take(keymat, off, salt);
	d->integ = take(keymat, off, integ);
}

err_t child_sa_keys_derive(const struct child_suite *suite,
			   const struct alg_desc *prf, chunk_t sk_d,
			   chunk_t gir_new, chunk_t ni, chunk_t nr,
			   struct child_sa_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	size_t key = 0, salt = 0, integ = 0;
	if (suite->encr != NULL) {
		if (suite->encr->type != ALG_ENCRYPT || !encr_keylen_ok(suite->encr, suite->encr_keylen))
			return crypto_errorf("%s with a %u-bit key is not usable",
					     suite->encr->name, suite->encr_keylen);
		key = encr_key_len(suite->encr, suite->encr_keylen);
		salt = encr_salt_len(suite->encr);
	}
	bool aead = suite->encr != NULL && suite->encr->aead;
	if (aead && !no_integ(suite->integ))
		return crypto_errorf("%s is AEAD: no integrity algorithm allowed", suite->encr->name);
	if (!no_integ(suite->integ) && (integ = integ_key_len(suite->integ)) == 0)
		return crypto_errorf("%s is not a supported integrity algorithm", suite->integ->name);
	if (!aead && no_integ(suite->integ) && suite->encr == NULL)
		return "Child SA suite without encryption or integrity";
	size_t per_dir = key + salt + integ;
	if (per_dir == 0) {
		/* ESP null-null: nothing to derive, which is legal but odd */
		return NULL;
	}
	/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) */
	chunk_t seed = chunk_cat3(gir_new, ni, nr);
	chunk_t keymat;
	err_t e = prf_plus(prf, sk_d, seed, 2 * per_dir, &keymat);
	chunk_free(&seed);
	if (e != NULL)
		return e;
	size_t off = 0;
	take_dir(keymat, &off, key, salt, integ, &keys->i2r);
	take_dir(keymat, &off, key, salt, integ, &keys->r2i);
	chunk_free(&keymat);
	return NULL;
}

void child_sa_keys_free(struct child_sa_keys *keys)
{
	struct child_dir_keys *d[2] = { &keys->i2r, &keys->r2i };
	for (int i = 0; i < 2; i++) {
		chunk_free(&d[i]->encr);
		chunk_free(&d[i]->salt);
		chunk_free(&d[i]->integ);
	}
}
