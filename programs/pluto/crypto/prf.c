/* The IKEv2 PRFs (HMAC with MD5, SHA-1, SHA-2; RFC 2104, RFC 4868) and
 * prf+ (RFC 7296 2.13). */
#include <string.h>
#include "crypto_nss.h"

size_t prf_output_len(const struct alg_desc *prf)
{
	CK_MECHANISM_TYPE mech;
	size_t len;
	if (prf == NULL || prf->type != ALG_PRF || !crypto_hmac_of(prf, &mech, &len))
		return 0;
	return len;
}

static err_t prf_mech(const struct alg_desc *prf, CK_MECHANISM_TYPE *mech, size_t *len)
{
	if (prf == NULL || prf->type != ALG_PRF || !crypto_hmac_of(prf, mech, len))
		return crypto_errorf("%s is not a supported PRF", prf != NULL ? prf->name : "(none)");
	return NULL;
}

err_t prf_computev(const struct alg_desc *prf, chunk_t key,
		   const chunk_t *parts, size_t n, chunk_t *out)
{
	*out = EMPTY_CHUNK;
	CK_MECHANISM_TYPE mech;
	size_t len;
	err_t e = prf_mech(prf, &mech, &len);
	if (e != NULL)
		return e;
	chunk_t r = chunk_alloc(len);
	e = crypto_hmac(mech, len, key, parts, n, r.ptr);
	if (e != NULL) {
		chunk_free(&r);
		return e;
	}
	*out = r;
	return NULL;
}

err_t prf_compute(const struct alg_desc *prf, chunk_t key, chunk_t data,
		  chunk_t *out)
{
	return prf_computev(prf, key, &data, 1, out);
}

err_t prf_plus(const struct alg_desc *prf, chunk_t key, chunk_t seed,
	       size_t len, chunk_t *out)
{
	*out = EMPTY_CHUNK;
	CK_MECHANISM_TYPE mech;
	size_t hlen;
	err_t e = prf_mech(prf, &mech, &hlen);
	if (e != NULL)
		return e;
	if (len == 0)
		return "prf+ asked for no output";
	if (len > 255 * hlen)
		return "prf+ output longer than 255 blocks";
	struct crypto_hmac h;
	if ((e = crypto_hmac_begin(&h, mech, hlen, key)) != NULL) {
		crypto_hmac_end(&h);
		return e;
	}
	size_t blocks = (len + hlen - 1) / hlen;
	chunk_t r = chunk_alloc(blocks * hlen);
	for (size_t i = 1; i <= blocks && e == NULL; i++) {
		/* T1 = prf(K, S | 0x01); Tn = prf(K, Tn-1 | S | n) */
		uint8_t counter = (uint8_t)i;
		chunk_t parts[3] = {
			i == 1 ? EMPTY_CHUNK : chunk_from(r.ptr + (i - 2) * hlen, hlen),
			seed,
			chunk_from(&counter, 1),
		};
		e = crypto_hmac_run(&h, parts, 3, r.ptr + (i - 1) * hlen);
	}
	crypto_hmac_end(&h);
	if (e != NULL) {
		chunk_free(&r);
		return e;
	}
	if (r.len > len) {
		/* keep the first len bytes; wipe the rest */
		chunk_t t = chunk_clone(r.ptr, len);
		chunk_free(&r);
		r = t;
	}
	*out = r;
	return NULL;
}
