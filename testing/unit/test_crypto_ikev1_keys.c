/* Unit tests: the IKEv1 phase 1 key schedule (crypto/ikev1_keys.c): SKEYID
 * for a PSK, SKEYID_d/_a/_e, the cipher key (with the appendix B expansion
 * for 3DES under SHA-1, where SKEYID_e is 20 bytes and the key 24), the
 * phase 1 IV, the IV of a later exchange and HASH_I.
 *
 * The expected values were computed independently of this code with
 * python3's hmac and hashlib, following RFC 2409 5 and appendix B:
 *
 *   def prf(h, k, d): return hmac.new(k, d, h).digest()
 *   skeyid = prf(h, psk, ni + nr)
 *   d = prf(h, skeyid, gxy + ci + cr + b"\0")
 *   a = prf(h, skeyid, d + gxy + ci + cr + b"\1")
 *   e = prf(h, skeyid, a + gxy + ci + cr + b"\2")
 *   key = e[:klen] if len(e) >= klen else (K1 | K2 ...)[:klen],
 *         K1 = prf(h, e, b"\0"), Kn = prf(h, e, Kn-1)
 *   iv = h(gxi + gxr).digest()[:block]
 *   iv2 = h(iv + bytes([1, 2, 3, 4])).digest()[:block]      (M-ID 0x01020304)
 *   hash_i = prf(h, skeyid, gxi + gxr + ci + cr + sai_b + idii_b)
 *
 * with psk = b"ikev1-test-psk", ni = bytes(range(16)), nr =
 * bytes(range(16, 32)), gxy = b"\x55" * 32, ci = bytes(range(1, 9)), cr =
 * bytes(range(0x11, 0x19)), gxi = b"\xaa" * 16, gxr = b"\xbb" * 16, sai_b =
 * 00000001 00000001, idii_b = 02000000 "west". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "crypto/ikev1_keys.h"

static chunk_t hex(const char *s)
{
	size_t n = strlen(s) / 2;
	chunk_t c = chunk_alloc(n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		c.ptr[i] = (uint8_t)v;
	}
	return c;
}

static void assert_chunk(chunk_t got, const char *want)
{
	chunk_t w = hex(want);
	assert_int_equal(got.len, w.len);
	assert_memory_equal(got.ptr, w.ptr, w.len);
	chunk_free(&w);
}

static const struct alg_desc *alg(enum alg_type t, const char *name)
{
	const struct alg_desc *a = alg_by_name(t, name, strlen(name));
	assert_non_null(a);
	return a;
}

static int setup(void **state)
{
	(void)state;
	return crypto_init_nodb() == NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	err_t e = crypto_shutdown();
	if (e != NULL)
		fprintf(stderr, "crypto_shutdown: %s\n", e);
	return e == NULL ? 0 : -1;
}

struct vector {
	const char *prf, *encr;
	unsigned keylen;
	const char *skeyid, *d, *a, *e, *key, *iv, *iv2, *hash_i;
};

static const struct vector vectors[] = {
	{
		.prf = "prfsha1", .encr = "3des", .keylen = 0,
		.skeyid = "d70f8b7425fabee63c57232905b222175c9f8041",
		.d = "1c60c11a487e729f7185d24b819e052466016844",
		.a = "1ca12ff56ff9bb8b5846058f76847c18e304a470",
		.e = "e65a227d05abbef35b68f5837e622bf0636200c8",
		.key = "a4cad6bd4c5acbb4acdfeb6b95cfd5a7d9b52597b1bd48f0",
		.iv = "a2e1dd0e1ba521e0",
		.iv2 = "a018aa28442b5ced",
		.hash_i = "09cc5dd6a5271380aa1f75b5a339346e791dda2f",
	},
	{
		.prf = "prfsha2_256", .encr = "aes", .keylen = 128,
		.skeyid = "5aa3e32cdae29d21ec08e02e2254afe23ff8e6cdbe59be3d5d41077d59d5a523",
		.d = "5808dee156df5ab9702110a35743c61ccb567481163dafd146c8d052084c0f0d",
		.a = "e1495c99f3ea8f760709166a90cd1f44c60193a1cf71f7ebbc45769f49417297",
		.e = "ff05a4776e5ca130ad6c626b04fc325ce61e5d5b90e68e8efe8b2430ca1a2ad1",
		.key = "ff05a4776e5ca130ad6c626b04fc325c",
		.iv = "43de3f42d8de0da81a6c6c58fcd8b6e0",
		.iv2 = "216a0fb0fcaa3ecd718402572ea04a78",
		.hash_i = "6af79db6c469de4e3751b601c6bee800a6311840dfb2af1ce30968dec63999ce",
	},
};

static void check_vector(const struct vector *v)
{
	const struct alg_desc *prf = alg(ALG_PRF, v->prf), *encr = alg(ALG_ENCRYPT, v->encr);
	const char *psk = "ikev1-test-psk";
	uint8_t ni[16], nr[16], gxy[32], ci[8], cr[8], gxi[16], gxr[16];
	for (int i = 0; i < 16; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(16 + i);
	}
	for (int i = 0; i < 8; i++) {
		ci[i] = (uint8_t)(1 + i);
		cr[i] = (uint8_t)(0x11 + i);
	}
	memset(gxy, 0x55, sizeof(gxy));
	memset(gxi, 0xaa, sizeof(gxi));
	memset(gxr, 0xbb, sizeof(gxr));
	chunk_t skeyid;
	assert_null(ikev1_skeyid_psk(prf, chunk_from(psk, strlen(psk)), chunk_from(ni, 16),
				     chunk_from(nr, 16), &skeyid));
	assert_chunk(skeyid, v->skeyid);
	struct ikev1_keys k;
	assert_null(ikev1_keys_derive(prf, encr, v->keylen, skeyid, chunk_from(gxy, 32), ci, cr, &k));
	assert_chunk(k.skeyid, v->skeyid);
	assert_chunk(k.skeyid_d, v->d);
	assert_chunk(k.skeyid_a, v->a);
	assert_chunk(k.skeyid_e, v->e);
	assert_chunk(k.enc_key, v->key);
	chunk_t iv, iv2, hash;
	assert_null(ikev1_phase1_iv(prf, encr, chunk_from(gxi, 16), chunk_from(gxr, 16), &iv));
	assert_chunk(iv, v->iv);
	assert_null(ikev1_phase2_iv(prf, encr, iv, 0x01020304, &iv2));
	assert_chunk(iv2, v->iv2);
	static const uint8_t sai_b[] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	static const uint8_t idii_b[] = { 2, 0, 0, 0, 'w', 'e', 's', 't' };
	assert_null(ikev1_hash_auth(prf, skeyid, chunk_from(gxi, 16), chunk_from(gxr, 16), ci, cr,
				    chunk_from(sai_b, sizeof(sai_b)), chunk_from(idii_b, sizeof(idii_b)),
				    &hash));
	assert_chunk(hash, v->hash_i);
	chunk_free(&hash);
	chunk_free(&iv);
	chunk_free(&iv2);
	chunk_free(&skeyid);
	ikev1_keys_free(&k);
	assert_null(k.enc_key.ptr);
}

static void test_sha1_3des_expanded(void **state)
{
	(void)state;
	check_vector(&vectors[0]);
}

static void test_sha256_aes128(void **state)
{
	(void)state;
	check_vector(&vectors[1]);
}

/* Signatures: SKEYID = prf(Ni_b | Nr_b, g^xy), python: prf(h, ni + nr, gxy) */
static void test_skeyid_sig(void **state)
{
	(void)state;
	static const struct { const char *prf, *want; } v[] = {
		{ "prfsha1", "2afeeeceb9ba542e66bd55a61d16f3565eeff8b7" },
		{ "prfsha2_256", "189432301cac49daf1af4b1720646cd3e4a07fc4212d8bed5a76b47f018c5f51" },
	};
	uint8_t ni[16], nr[16], gxy[32];
	for (int i = 0; i < 16; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(16 + i);
	}
	memset(gxy, 0x55, sizeof(gxy));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		chunk_t skeyid, want = hex(v[i].want);
		assert_null(ikev1_skeyid_sig(alg(ALG_PRF, v[i].prf), chunk_from(ni, 16), chunk_from(nr, 16),
					     chunk_from(gxy, 32), &skeyid));
		assert_true(chunk_eq(skeyid, want));
		chunk_free(&skeyid);
		chunk_free(&want);
	}
}

/* A cipher the schedule cannot size is an error, not an abort. */
static void test_errors(void **state)
{
	(void)state;
	struct ikev1_keys k;
	uint8_t c[8] = { 0 };
	assert_non_null(ikev1_keys_derive(alg(ALG_PRF, "prfsha1"), alg(ALG_ENCRYPT, "aes"), 100,
					  chunk_from(c, 8), chunk_from(c, 8), c, c, &k));
	assert_null(k.skeyid.ptr);
	chunk_t h;
	assert_non_null(ikev1_hash(NULL, NULL, 0, &h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_3des_expanded),
		cmocka_unit_test(test_sha256_aes128),
		cmocka_unit_test(test_skeyid_sig),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
