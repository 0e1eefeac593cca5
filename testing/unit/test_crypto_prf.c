/* Unit tests: the HMAC PRFs and prf+ (programs/pluto/crypto/prf.c).
 * Vectors: RFC 2202 (HMAC-MD5, HMAC-SHA-1) and RFC 4231 (HMAC-SHA-256,
 * -384, -512), all seven test cases each; prf+ against an expansion
 * computed here block by block from prf. NSS runs without a database. */
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

static chunk_t repeat(uint8_t byte, size_t n)
{
	chunk_t c = chunk_alloc(n);
	memset(c.ptr, byte, n);
	return c;
}

static chunk_t text(const char *s)
{
	return chunk_clone(s, strlen(s));
}

static void assert_chunk_hex(chunk_t got, const char *want)
{
	char buf[2 * 256 + 1];
	chunk_hex(got, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static const struct alg_desc *prf_alg(const char *name)
{
	const struct alg_desc *a = alg_by_name(ALG_PRF, name, strlen(name));
	assert_non_null(a);
	return a;
}

static int setup(void **state)
{
	(void)state;
	err_t e = crypto_init_nodb();
	if (e != NULL)
		fprintf(stderr, "crypto_init_nodb: %s\n", e);
	return e == NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	err_t e = crypto_shutdown();
	if (e != NULL)
		fprintf(stderr, "crypto_shutdown: %s\n", e);
	return e == NULL ? 0 : -1;
}

/* The seven keys and messages shared by RFC 2202 and RFC 4231; key
 * lengths differ per hash, so each case names its key builder. */
struct hmac_case {
	chunk_t key, data;
};

static void rfc_case(int n, size_t short_key, size_t big_key, struct hmac_case *c)
{
	switch (n) {
	case 1: c->key = repeat(0x0b, short_key); c->data = text("Hi There"); break;
	case 2: c->key = text("Jefe"); c->data = text("what do ya want for nothing?"); break;
	case 3: c->key = repeat(0xaa, short_key); c->data = repeat(0xdd, 50); break;
	case 4:
		c->key = chunk_alloc(25);
		for (int i = 0; i < 25; i++)
			c->key.ptr[i] = (uint8_t)(i + 1);
		c->data = repeat(0xcd, 50);
		break;
	case 5: c->key = repeat(0x0c, short_key); c->data = text("Test With Truncation"); break;
	case 6:
		c->key = repeat(0xaa, big_key);
		c->data = text("Test Using Larger Than Block-Size Key - Hash Key First");
		break;
	case 7:
		c->key = repeat(0xaa, big_key);
		c->data = text(big_key == 80
			       ? "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
			       : "This is a test using a larger than block-size key and a larger than "
				 "block-size data. The key needs to be hashed before being used by the "
				 "HMAC algorithm.");
		break;
	}
}

static void check_prf(const char *alg, const struct hmac_case *c, const char *want, size_t trunc)
{
	chunk_t out;
	err_t e = prf_compute(prf_alg(alg), c->key, c->data, &out);
	assert_null(e);
	assert_int_equal(out.len, prf_output_len(prf_alg(alg)));
	if (trunc != 0)
		out.len = trunc;   /* RFC 4231 case 5 checks the first 128 bits */
	assert_chunk_hex(out, want);
	chunk_free(&out);
}

/* RFC 2202 2 and 3. */
static void test_rfc2202(void **state)
{
	(void)state;
	static const char *md5[] = {
		"9294727a3638bb1c13f48ef8158bfc9d", "750c783e6ab0b503eaa86e310a5db738",
		"56be34521d144c88dbb8c733f0e8b3f6", "697eaf0aca3a3aea3a75164746ffaa79",
		"56461ef2342edc00f9bab995690efd4c", "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
		"6f630fad67cda0ee1fb1f562db3aa53e",
	};
	static const char *sha1[] = {
		"b617318655057264e28bc0b6fb378c8ef146be00", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3", "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", "aa4ae5e15272d00e95705637ce8a3b55ed402112",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	};
	for (int n = 1; n <= 7; n++) {
		struct hmac_case c;
		rfc_case(n, 16, 80, &c);
		check_prf("prfmd5", &c, md5[n - 1], 0);
		chunk_free(&c.key);
		chunk_free(&c.data);
		rfc_case(n, 20, 80, &c);
		check_prf("prfsha1", &c, sha1[n - 1], 0);
		chunk_free(&c.key);
		chunk_free(&c.data);
	}
}

/* RFC 4231 4.2-4.8. */
static void test_rfc4231(void **state)
{
	(void)state;
	static const char *want[7][3] = {
		{ "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4"
		  "be9d914eeb61f1702e696c203a126854" },
		{ "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
		  "caeab1a34d4a6b4b636e070a38bce737" },
		{ "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
		  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
		  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807"
		  "b946a337bee8942674278859e13292fb" },
		{ "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
		  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
		  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063"
		  "a5f19741120c4f2de2adebeb10a298dd" },
		{ "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
		  "415fad6271580a531d4179bc891d87a6" },
		{ "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
		  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e52"
		  "95e64f73f63f0aec8b915a985d786598" },
		{ "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
		  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
		  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15"
		  "134676fb6de0446065c97440fa8c6a58" },
	};
	static const char *algs[3] = { "prfsha2_256", "prfsha2_384", "prfsha2_512" };
	for (int n = 1; n <= 7; n++) {
		for (int a = 0; a < 3; a++) {
			struct hmac_case c;
			rfc_case(n, 20, 131, &c);
			check_prf(algs[a], &c, want[n - 1][a], n == 5 ? 16 : 0);
			chunk_free(&c.key);
			chunk_free(&c.data);
		}
	}
}

static void test_output_lengths(void **state)
{
	(void)state;
	assert_int_equal(prf_output_len(prf_alg("prfmd5")), 16);
	assert_int_equal(prf_output_len(prf_alg("prfsha1")), 20);
	assert_int_equal(prf_output_len(prf_alg("prfsha2_256")), 32);
	assert_int_equal(prf_output_len(prf_alg("prfsha2_384")), 48);
	assert_int_equal(prf_output_len(prf_alg("prfsha2_512")), 64);
	assert_int_equal(prf_output_len(NULL), 0);
	/* an INTEG row is not a PRF */
	assert_int_equal(prf_output_len(alg_by_name(ALG_INTEG, "sha1", 4)), 0);
	chunk_t out;
	assert_non_null(prf_compute(alg_by_name(ALG_INTEG, "sha1", 4), EMPTY_CHUNK, EMPTY_CHUNK, &out));
	assert_null(out.ptr);
}

/* HMAC pads short keys with zeros, so the empty key is the key 00; the
 * value is HMAC-SHA-256("", ""), a well-known constant. */
static void test_empty_key(void **state)
{
	(void)state;
	chunk_t out;
	assert_null(prf_compute(prf_alg("prfsha2_256"), EMPTY_CHUNK, EMPTY_CHUNK, &out));
	assert_chunk_hex(out, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	chunk_free(&out);
}

static void test_computev_equals_concatenation(void **state)
{
	(void)state;
	chunk_t key = text("key");
	chunk_t parts[3] = { text("alpha|"), EMPTY_CHUNK, text("beta") };
	chunk_t whole = text("alpha|beta");
	chunk_t a, b;
	assert_null(prf_computev(prf_alg("prfsha2_384"), key, parts, 3, &a));
	assert_null(prf_compute(prf_alg("prfsha2_384"), key, whole, &b));
	assert_true(chunk_eq(a, b));
	chunk_free(&a);
	chunk_free(&b);
	chunk_free(&key);
	chunk_free(&parts[0]);
	chunk_free(&parts[2]);
	chunk_free(&whole);
}

/* prf+ (RFC 7296 2.13) built by hand: T1 = prf(K, S | 01),
 * T2 = prf(K, T1 | S | 02), T3 = prf(K, T2 | S | 03). */
static void test_prf_plus_by_hand(void **state)
{
	(void)state;
	static const char *algs[] = { "prfmd5", "prfsha1", "prfsha2_256", "prfsha2_384", "prfsha2_512" };
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		const struct alg_desc *prf = prf_alg(algs[a]);
		size_t h = prf_output_len(prf);
		chunk_t key = hex("000102030405060708090a0b0c0d0e0f1011121314151617");
		chunk_t seed = text("Ni | Nr | SPIi | SPIr stands in here");
		uint8_t c1 = 1, c2 = 2, c3 = 3;
		chunk_t t1, t2, t3;
		chunk_t p1[2] = { seed, chunk_from(&c1, 1) };
		assert_null(prf_computev(prf, key, p1, 2, &t1));
		chunk_t p2[3] = { t1, seed, chunk_from(&c2, 1) };
		assert_null(prf_computev(prf, key, p2, 3, &t2));
		chunk_t p3[3] = { t2, seed, chunk_from(&c3, 1) };
		assert_null(prf_computev(prf, key, p3, 3, &t3));
		chunk_t want = chunk_cat3(t1, t2, t3);

		/* whole blocks, and a length that ends inside the third */
		size_t lens[] = { 3 * h, 2 * h + 5, h, 1 };
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			chunk_t out;
			assert_null(prf_plus(prf, key, seed, lens[i], &out));
			assert_int_equal(out.len, lens[i]);
			assert_memory_equal(out.ptr, want.ptr, lens[i]);
			chunk_free(&out);
		}
		chunk_free(&t1);
		chunk_free(&t2);
		chunk_free(&t3);
		chunk_free(&want);
		chunk_free(&key);
		chunk_free(&seed);
	}
}

static void test_prf_plus_limits(void **state)
{
	(void)state;
	const struct alg_desc *prf = prf_alg("prfsha1");
	chunk_t out;
	/* the counter is one byte: 255 blocks at most */
	assert_null(prf_plus(prf, chunk_from("k", 1), EMPTY_CHUNK, 255 * 20, &out));
	assert_int_equal(out.len, 255 * 20);
	chunk_free(&out);
	assert_non_null(prf_plus(prf, chunk_from("k", 1), EMPTY_CHUNK, 255 * 20 + 1, &out));
	assert_null(out.ptr);
	assert_non_null(prf_plus(prf, chunk_from("k", 1), EMPTY_CHUNK, 0, &out));
	/* a long key (more than a block) works as well */
	chunk_t big = repeat(0x5a, 1000);
	assert_null(prf_plus(prf_alg("prfsha2_512"), big, big, 200, &out));
	assert_int_equal(out.len, 200);
	chunk_free(&out);
	chunk_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2202),
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_output_lengths),
		cmocka_unit_test(test_empty_key),
		cmocka_unit_test(test_computev_equals_concatenation),
		cmocka_unit_test(test_prf_plus_by_hand),
		cmocka_unit_test(test_prf_plus_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
