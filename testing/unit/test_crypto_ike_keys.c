/* Unit tests: the IKEv2 key schedules (programs/pluto/crypto/ike_keys.c).
 * A published vector: the NIST CAVS IKEv2 KDF sample (SP 800-135, SHA-1,
 * 1056-bit DKM) with SKEYSEED, DKM, DKM(Child SA), DKM(Child SA D-H) and
 * SKEYSEED(Rekey). Other suites are checked against values derived here
 * step by step from prf and prf+ (RFC 7296 2.14, 2.17, 2.18). */
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

/* NIST CAVS IKEv2 KDF sample, [SHA-1] [Ni length = 64] [Nr length = 64]
 * [g^ir length = 256] [SPI length = 64] [DKM length = 1056]
 * [Child SA DKM length = 1056]. */
static const char cavs_ni[] = "32b50d5f4a3763f3";
static const char cavs_nr[] = "9206a04b26564cb1";
static const char cavs_gir[] = "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52";
static const char cavs_gir_new[] = "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330";
static const char cavs_spii[] = "34c9e7c188868785";
static const char cavs_spir[] = "3ff77d760d2b2199";
static const char cavs_skeyseed[] = "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7";
static const char cavs_dkm[] =
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
	"a7a56cc4";
static const char cavs_dkm_child[] =
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581"
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181"
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf"
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499"
	"4d234cb4";
static const char cavs_dkm_child_dh[] =
	"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	"28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	"52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	"05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	"d56fd74c";
static const char cavs_skeyseed_rekey[] = "63e81194946ebd05df7df5ebf5d8750056bf1f1d";

static chunk_t cat_ike_keys(const struct ike_sa_keys *k)
{
	chunk_t a = chunk_cat3(k->sk_d, k->sk_ai, k->sk_ar);
	chunk_t b = chunk_cat3(a, k->sk_ei, k->sk_er);
	chunk_t c = chunk_cat3(b, k->sk_pi, k->sk_pr);
	chunk_free(&a);
	chunk_free(&b);
	return c;
}

static chunk_t cat_child_keys(const struct child_sa_keys *k)
{
	chunk_t a = chunk_cat3(k->i2r.encr, k->i2r.salt, k->i2r.integ);
	chunk_t b = chunk_cat3(k->r2i.encr, k->r2i.salt, k->r2i.integ);
	chunk_t c = chunk_cat(a, b);
	chunk_free(&a);
	chunk_free(&b);
	return c;
}

static void assert_prefix(chunk_t got, const char *want_hex)
{
	chunk_t want = hex(want_hex);
	assert_true(got.len <= want.len);
	assert_memory_equal(got.ptr, want.ptr, got.len);
	chunk_free(&want);
}

static void test_cavs_ike_sa(void **state)
{
	(void)state;
	chunk_t ni = hex(cavs_ni), nr = hex(cavs_nr), gir = hex(cavs_gir);
	chunk_t spii = hex(cavs_spii), spir = hex(cavs_spir);
	const struct alg_desc *prf = alg(ALG_PRF, "prfsha1");

	chunk_t skeyseed, want = hex(cavs_skeyseed);
	assert_null(ike_skeyseed(prf, ni, nr, gir, &skeyseed));
	assert_true(chunk_eq(skeyseed, want));
	chunk_free(&want);
	chunk_free(&skeyseed);

	/* aes128 (16), hmac-sha1 (20), prf-sha1 (20): 3*20 + 2*20 + 2*16 =
	 * 132 bytes, exactly the vector's 1056-bit DKM */
	struct ike_suite suite = {
		.encr = alg(ALG_ENCRYPT, "aes"), .encr_keylen = 128,
		.integ = alg(ALG_INTEG, "sha1"), .prf = prf, .dh = alg(ALG_DH, "modp2048"),
	};
	struct ike_sa_keys keys;
	assert_null(ike_sa_keys_derive(&suite, ni, nr, gir, spii.ptr, spir.ptr, &keys));
	assert_int_equal(keys.sk_d.len, 20);
	assert_int_equal(keys.sk_ai.len, 20);
	assert_int_equal(keys.sk_ei.len, 16);
	assert_int_equal(keys.sk_pr.len, 20);
	chunk_t all = cat_ike_keys(&keys);
	want = hex(cavs_dkm);
	assert_true(chunk_eq(all, want));
	chunk_free(&want);
	chunk_free(&all);
	ike_sa_keys_free(&keys);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&gir);
	chunk_free(&spii);
	chunk_free(&spir);
}

/* SK_d is the first 20 bytes of the DKM; KEYMAT is prf+(SK_d, Ni | Nr),
 * or prf+(SK_d, g^ir (new) | Ni | Nr). The vector's 132 bytes cover
 * these suites' KEYMAT. */
static void test_cavs_child_sa(void **state)
{
	(void)state;
	chunk_t ni = hex(cavs_ni), nr = hex(cavs_nr), gir_new = hex(cavs_gir_new);
	chunk_t dkm = hex(cavs_dkm);
	chunk_t sk_d = chunk_from(dkm.ptr, 20);
	const struct alg_desc *prf = alg(ALG_PRF, "prfsha1");
	const struct child_suite suites[] = {
		{ alg(ALG_ENCRYPT, "aes"), 128, alg(ALG_INTEG, "sha1") },       /* 72 bytes */
		{ alg(ALG_ENCRYPT, "aes"), 256, alg(ALG_INTEG, "sha1") },       /* 104 */
		{ alg(ALG_ENCRYPT, "aes_gcm16"), 256, NULL },                    /* 72 */
		{ alg(ALG_ENCRYPT, "3des"), 0, alg(ALG_INTEG, "sha2_256") },    /* 112 */
	};
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct child_sa_keys keys;
		assert_null(child_sa_keys_derive(&suites[i], prf, sk_d, EMPTY_CHUNK, ni, nr, &keys));
		chunk_t all = cat_child_keys(&keys);
		assert_prefix(all, cavs_dkm_child);
		chunk_free(&all);
		child_sa_keys_free(&keys);

		assert_null(child_sa_keys_derive(&suites[i], prf, sk_d, gir_new, ni, nr, &keys));
		all = cat_child_keys(&keys);
		assert_prefix(all, cavs_dkm_child_dh);
		chunk_free(&all);
		child_sa_keys_free(&keys);
	}
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&gir_new);
	chunk_free(&dkm);
}

static void test_cavs_rekey(void **state)
{
	(void)state;
	chunk_t ni = hex(cavs_ni), nr = hex(cavs_nr), gir_new = hex(cavs_gir_new);
	chunk_t dkm = hex(cavs_dkm), want = hex(cavs_skeyseed_rekey);
	chunk_t skeyseed;
	assert_null(ike_skeyseed_rekey(alg(ALG_PRF, "prfsha1"), chunk_from(dkm.ptr, 20),
				       gir_new, ni, nr, &skeyseed));
	assert_true(chunk_eq(skeyseed, want));
	chunk_free(&skeyseed);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&gir_new);
	chunk_free(&dkm);
	chunk_free(&want);
}

/* Derives the seven keys here from prf and prf+ and compares. */
static void check_suite_by_hand(const struct ike_suite *suite, size_t integ_len, size_t encr_len)
{
	chunk_t ni = hex("00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef");
	chunk_t nr = hex("fedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0");
	chunk_t gir = chunk_alloc(256);
	for (size_t i = 0; i < gir.len; i++)
		gir.ptr[i] = (uint8_t)(i * 7 + 3);
	uint8_t spii[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spir[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

	size_t h = prf_output_len(suite->prf);
	chunk_t key = chunk_cat(ni, nr), skeyseed;
	assert_null(prf_compute(suite->prf, key, gir, &skeyseed));
	chunk_t spis = chunk_cat(chunk_from(spii, 8), chunk_from(spir, 8));
	chunk_t seed = chunk_cat3(ni, nr, spis);
	size_t total = 3 * h + 2 * integ_len + 2 * encr_len;
	chunk_t keymat;
	assert_null(prf_plus(suite->prf, skeyseed, seed, total, &keymat));

	struct ike_sa_keys keys;
	assert_null(ike_sa_keys_derive(suite, ni, nr, gir, spii, spir, &keys));
	size_t off = 0;
	const chunk_t *parts[7] = { &keys.sk_d, &keys.sk_ai, &keys.sk_ar, &keys.sk_ei,
				    &keys.sk_er, &keys.sk_pi, &keys.sk_pr };
	const size_t lens[7] = { h, integ_len, integ_len, encr_len, encr_len, h, h };
	for (int i = 0; i < 7; i++) {
		assert_int_equal(parts[i]->len, lens[i]);
		assert_memory_equal(parts[i]->ptr, keymat.ptr + off, lens[i]);
		off += lens[i];
	}
	assert_int_equal(off, keymat.len);

	/* the same from a SKEYSEED computed apart */
	struct ike_sa_keys again;
	assert_null(ike_sa_keys_from_skeyseed(suite, skeyseed, ni, nr, spii, spir, &again));
	assert_true(chunk_eq(again.sk_pr, keys.sk_pr));
	ike_sa_keys_free(&again);

	ike_sa_keys_free(&keys);
	chunk_free(&keymat);
	chunk_free(&seed);
	chunk_free(&spis);
	chunk_free(&skeyseed);
	chunk_free(&key);
	chunk_free(&gir);
	chunk_free(&ni);
	chunk_free(&nr);
}

static void test_suites_by_hand(void **state)
{
	(void)state;
	struct ike_suite s1 = { alg(ALG_ENCRYPT, "aes"), 256, alg(ALG_INTEG, "sha2_256"),
				alg(ALG_PRF, "prfsha2_256"), NULL };
	check_suite_by_hand(&s1, 32, 32);
	/* AEAD: no SK_a, SK_e = 32-byte key + 4-byte salt (RFC 5282 7) */
	struct ike_suite s2 = { alg(ALG_ENCRYPT, "aes_gcm16"), 256, NULL,
				alg(ALG_PRF, "prfsha2_512"), NULL };
	check_suite_by_hand(&s2, 0, 36);
	struct ike_suite s3 = { alg(ALG_ENCRYPT, "aes_gcm16"), 0, alg(ALG_INTEG, "null"),
				alg(ALG_PRF, "prfsha2_384"), NULL };
	check_suite_by_hand(&s3, 0, 20);
	struct ike_suite s4 = { alg(ALG_ENCRYPT, "3des"), 0, alg(ALG_INTEG, "md5"),
				alg(ALG_PRF, "prfmd5"), NULL };
	check_suite_by_hand(&s4, 16, 24);
	struct ike_suite s5 = { alg(ALG_ENCRYPT, "aes"), 192, alg(ALG_INTEG, "sha2_512"),
				alg(ALG_PRF, "prfsha1"), NULL };
	check_suite_by_hand(&s5, 64, 24);
}

/* 2.18: SKEYSEED with the OLD SA's PRF and SK_d, the keys with the new
 * suite's PRF and the new SPIs. */
static void test_rekey_by_hand(void **state)
{
	(void)state;
	const struct alg_desc *old_prf = alg(ALG_PRF, "prfsha1");
	struct ike_suite suite = { alg(ALG_ENCRYPT, "aes_gcm16"), 128, NULL,
				   alg(ALG_PRF, "prfsha2_256"), NULL };
	chunk_t old_sk_d = hex("0102030405060708090a0b0c0d0e0f1011121314");
	chunk_t gir = hex("aabbccddeeff");
	chunk_t ni = hex("11111111111111111111111111111111");
	chunk_t nr = hex("22222222222222222222222222222222");
	uint8_t spii[8] = { 0xa1 }, spir[8] = { 0xb2 };

	chunk_t parts[3] = { gir, ni, nr };
	chunk_t skeyseed;
	assert_null(prf_computev(old_prf, old_sk_d, parts, 3, &skeyseed));
	assert_int_equal(skeyseed.len, 20);
	chunk_t spis = chunk_cat(chunk_from(spii, 8), chunk_from(spir, 8));
	chunk_t seed = chunk_cat3(ni, nr, spis);
	chunk_t keymat;
	assert_null(prf_plus(suite.prf, skeyseed, seed, 3 * 32 + 2 * 20, &keymat));

	struct ike_sa_keys keys;
	assert_null(ike_sa_keys_rekey(&suite, old_prf, old_sk_d, gir, ni, nr, spii, spir, &keys));
	chunk_t all = cat_ike_keys(&keys);
	assert_true(chunk_eq(all, keymat));
	assert_int_equal(keys.sk_ai.len, 0);
	assert_int_equal(keys.sk_ei.len, 20);
	chunk_free(&all);
	ike_sa_keys_free(&keys);
	chunk_free(&keymat);
	chunk_free(&seed);
	chunk_free(&spis);
	chunk_free(&skeyseed);
	chunk_free(&old_sk_d);
	chunk_free(&gir);
	chunk_free(&ni);
	chunk_free(&nr);
}

/* 2.17 order: i->r encryption key (then salt), i->r integrity, r->i
 * encryption, r->i integrity. */
static void test_child_split(void **state)
{
	(void)state;
	const struct alg_desc *prf = alg(ALG_PRF, "prfsha2_256");
	chunk_t sk_d = hex("000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f");
	chunk_t ni = hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), nr = hex("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	chunk_t gir = hex("0c0c0c0c");
	struct {
		struct child_suite s;
		size_t key, salt, integ;
	} c[] = {
		{ { alg(ALG_ENCRYPT, "aes_gcm16"), 128, alg(ALG_INTEG, "null") }, 16, 4, 0 },
		{ { alg(ALG_ENCRYPT, "aes"), 256, alg(ALG_INTEG, "sha2_512") }, 32, 0, 64 },
		{ { alg(ALG_ENCRYPT, "aes_ctr"), 192, alg(ALG_INTEG, "sha1") }, 24, 4, 20 },
		{ { alg(ALG_ENCRYPT, "aes_ccm8"), 128, NULL }, 16, 3, 0 },
		{ { alg(ALG_ENCRYPT, "null"), 0, alg(ALG_INTEG, "sha2_256") }, 0, 0, 32 },
		{ { NULL, 0, alg(ALG_INTEG, "sha2_384") }, 0, 0, 48 },   /* AH */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (int pfs = 0; pfs < 2; pfs++) {
			size_t per = c[i].key + c[i].salt + c[i].integ;
			chunk_t seed = pfs ? chunk_cat3(gir, ni, nr) : chunk_cat(ni, nr);
			chunk_t keymat;
			assert_null(prf_plus(prf, sk_d, seed, 2 * per, &keymat));
			struct child_sa_keys k;
			assert_null(child_sa_keys_derive(&c[i].s, prf, sk_d, pfs ? gir : EMPTY_CHUNK,
							 ni, nr, &k));
			assert_int_equal(k.i2r.encr.len, c[i].key);
			assert_int_equal(k.i2r.salt.len, c[i].salt);
			assert_int_equal(k.i2r.integ.len, c[i].integ);
			assert_int_equal(k.r2i.encr.len, c[i].key);
			chunk_t all = cat_child_keys(&k);
			assert_true(chunk_eq(all, keymat));
			assert_memory_equal(k.r2i.encr.ptr, keymat.ptr + per, c[i].key);
			chunk_free(&all);
			child_sa_keys_free(&k);
			chunk_free(&keymat);
			chunk_free(&seed);
		}
	}
	chunk_free(&sk_d);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&gir);
}

static void test_bad_suites(void **state)
{
	(void)state;
	uint8_t spi[8] = { 1 };
	chunk_t n = chunk_from("0123456789abcdef", 16);
	struct ike_sa_keys keys;
	struct ike_suite aead_with_integ = { alg(ALG_ENCRYPT, "aes_gcm16"), 128,
					     alg(ALG_INTEG, "sha1"), alg(ALG_PRF, "prfsha1"), NULL };
	assert_non_null(ike_sa_keys_derive(&aead_with_integ, n, n, n, spi, spi, &keys));
	struct ike_suite cbc_without = { alg(ALG_ENCRYPT, "aes"), 128, NULL,
					 alg(ALG_PRF, "prfsha1"), NULL };
	assert_non_null(ike_sa_keys_derive(&cbc_without, n, n, n, spi, spi, &keys));
	struct ike_suite bad_keylen = { alg(ALG_ENCRYPT, "aes"), 64, alg(ALG_INTEG, "sha1"),
					alg(ALG_PRF, "prfsha1"), NULL };
	assert_non_null(ike_sa_keys_derive(&bad_keylen, n, n, n, spi, spi, &keys));
	struct ike_suite no_prf = { alg(ALG_ENCRYPT, "aes"), 128, alg(ALG_INTEG, "sha1"),
				    NULL, NULL };
	assert_non_null(ike_sa_keys_derive(&no_prf, n, n, n, spi, spi, &keys));
	assert_null(keys.sk_d.ptr);
	struct child_sa_keys ck;
	struct child_suite child_aead_integ = { alg(ALG_ENCRYPT, "aes_gcm16"), 128,
						alg(ALG_INTEG, "sha2_256") };
	assert_non_null(child_sa_keys_derive(&child_aead_integ, alg(ALG_PRF, "prfsha1"), n,
					     EMPTY_CHUNK, n, n, &ck));
	struct child_suite nothing = { NULL, 0, NULL };
	assert_non_null(child_sa_keys_derive(&nothing, alg(ALG_PRF, "prfsha1"), n,
					     EMPTY_CHUNK, n, n, &ck));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cavs_ike_sa),
		cmocka_unit_test(test_cavs_child_sa),
		cmocka_unit_test(test_cavs_rekey),
		cmocka_unit_test(test_suites_by_hand),
		cmocka_unit_test(test_rekey_by_hand),
		cmocka_unit_test(test_child_split),
		cmocka_unit_test(test_bad_suites),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
