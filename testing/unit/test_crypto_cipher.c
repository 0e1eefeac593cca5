/* Unit tests: SK payload ciphers, HMAC integrity and algorithm sizes
 * (programs/pluto/crypto/cipher.c). Vectors: RFC 3602 4 cases 1-4
 * (AES-128-CBC), NIST SP 800-38A F.2.3 and F.2.5 (AES-192/256-CBC), NIST
 * SP 800-67 Rev. 1 (TDEA, one block at a time), the GCM specification's
 * test cases 4 and 16 (McGrew and Viega; AES-128/256-GCM with AAD, split
 * into RFC 4106 salt and explicit IV), RFC 4231/RFC 2202 keys and data
 * for the truncated HMACs (key 0x0b repeated to the hash length, "Hi
 * There", as RFC 4868 2.7.2 builds its AUTH vectors). */
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

static void assert_hex(const uint8_t *p, size_t len, const char *want)
{
	char buf[2 * 512 + 1];
	chunk_hex(chunk_from(p, len), buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static const struct alg_desc *encr(const char *name)
{
	const struct alg_desc *a = alg_by_name(ALG_ENCRYPT, name, strlen(name));
	assert_non_null(a);
	return a;
}

static const struct alg_desc *integ(const char *name)
{
	const struct alg_desc *a = alg_by_name(ALG_INTEG, name, strlen(name));
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

/* Encrypts, compares, decrypts back (also in place). */
static void cbc_case(const char *alg, const char *key_hex, const char *iv_hex,
		     chunk_t plain, const char *want)
{
	chunk_t key = hex(key_hex), iv = hex(iv_hex);
	uint8_t out[512], back[512];
	assert_true(plain.len <= sizeof(out));
	assert_null(encr_seal(encr(alg), key, iv, EMPTY_CHUNK, plain.ptr, plain.len, out, sizeof(out)));
	assert_hex(out, plain.len, want);
	assert_null(encr_open(encr(alg), key, iv, EMPTY_CHUNK, out, plain.len, back, sizeof(back)));
	assert_memory_equal(back, plain.ptr, plain.len);
	/* in place, as ikev2_sk.c may do it */
	memcpy(back, plain.ptr, plain.len);
	assert_null(encr_seal(encr(alg), key, iv, EMPTY_CHUNK, back, plain.len, back, sizeof(back)));
	assert_memory_equal(back, out, plain.len);
	assert_null(encr_open(encr(alg), key, iv, EMPTY_CHUNK, back, plain.len, back, sizeof(back)));
	assert_memory_equal(back, plain.ptr, plain.len);
	chunk_free(&key);
	chunk_free(&iv);
}

/* RFC 3602 4: cases 1-4. */
static void test_aes_cbc_rfc3602(void **state)
{
	(void)state;
	chunk_t p1 = chunk_from("Single block msg", 16);
	cbc_case("aes", "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
		 p1, "e353779c1079aeb82708942dbe77181a");
	chunk_t p2 = chunk_alloc(32);
	for (int i = 0; i < 32; i++)
		p2.ptr[i] = (uint8_t)i;
	cbc_case("aes", "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
		 p2, "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
	chunk_t p3 = chunk_from("This is a 48-byte message (exactly 3 AES blocks)", 48);
	cbc_case("aes", "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
		 p3, "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
		     "021c19216bad525c8579695d83ba2684");
	chunk_t p4 = chunk_alloc(64);
	for (int i = 0; i < 64; i++)
		p4.ptr[i] = (uint8_t)(0xa0 + i);
	cbc_case("aes", "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
		 p4, "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
		     "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55");
	chunk_free(&p2);
	chunk_free(&p4);
}

/* NIST SP 800-38A F.2.3 (CBC-AES192.Encrypt) and F.2.5 (CBC-AES256.Encrypt). */
static void test_aes_cbc_sp800_38a(void **state)
{
	(void)state;
	chunk_t p = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
			"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
	cbc_case("aes", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		 "000102030405060708090a0b0c0d0e0f", p,
		 "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
		 "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd");
	cbc_case("aes", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		 "000102030405060708090a0b0c0d0e0f", p,
		 "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
		 "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
	chunk_free(&p);
}

/* NIST SP 800-67 Rev. 1's TDEA example (keys 0123456789ABCDEF,
 * 23456789ABCDEF01, 456789ABCDEF0123; "The qufck brown fox jump" in ECB
 * mode): CBC with a zero IV on one block is ECB, so each block is a
 * one-block CBC case. */
static void test_3des_sp800_67(void **state)
{
	(void)state;
	static const char *want[3] = { "a826fd8ce53b855f", "cce21c8112256fe6", "68d5c05dd9b6b900" };
	const char *plain = "The qufck brown fox jump";
	for (int i = 0; i < 3; i++)
		cbc_case("3des", "0123456789abcdef23456789abcdef01456789abcdef0123",
			 "0000000000000000", chunk_from(plain + 8 * i, 8), want[i]);
	/* and three chained blocks round trip */
	chunk_t key = hex("0123456789abcdef23456789abcdef01456789abcdef0123");
	chunk_t iv = hex("0102030405060708");
	uint8_t out[24], back[24];
	assert_null(encr_seal(encr("3des"), key, iv, EMPTY_CHUNK, (const uint8_t *)plain, 24, out, 24));
	assert_null(encr_open(encr("3des"), key, iv, EMPTY_CHUNK, out, 24, back, 24));
	assert_memory_equal(back, plain, 24);
	chunk_free(&key);
	chunk_free(&iv);
}

static const char gcm_plain[] =
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char gcm_aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

/* The GCM specification's test cases 4 (AES-128) and 16 (AES-256): IV
 * cafebabefacedbaddecaf888, which RFC 4106 splits into the salt cafebabe
 * (the last 4 bytes of SK_e) and the explicit IV facedbaddecaf888. */
static void gcm_case(const char *key_hex, const char *want)
{
	chunk_t key = hex(key_hex), iv = hex("facedbaddecaf888");
	chunk_t p = hex(gcm_plain), aad = hex(gcm_aad);
	const struct alg_desc *a = encr("aes_gcm16");
	uint8_t out[128], back[128];
	assert_null(encr_seal(a, key, iv, aad, p.ptr, p.len, out, sizeof(out)));
	assert_hex(out, p.len + 16, want);
	assert_null(encr_open(a, key, iv, aad, out, p.len + 16, back, sizeof(back)));
	assert_memory_equal(back, p.ptr, p.len);

	/* any change is caught, and nothing is returned */
	for (size_t where = 0; where < p.len + 16; where += 13) {
		uint8_t bad[128];
		memcpy(bad, out, p.len + 16);
		bad[where] ^= 0x01;
		memset(back, 0x55, sizeof(back));
		assert_non_null(encr_open(a, key, iv, aad, bad, p.len + 16, back, sizeof(back)));
		for (size_t i = 0; i < p.len; i++)
			assert_int_equal(back[i], 0);
	}
	aad.ptr[0] ^= 0x80;
	assert_non_null(encr_open(a, key, iv, aad, out, p.len + 16, back, sizeof(back)));
	aad.ptr[0] ^= 0x80;
	iv.ptr[7] ^= 1;
	assert_non_null(encr_open(a, key, iv, aad, out, p.len + 16, back, sizeof(back)));
	iv.ptr[7] ^= 1;
	key.ptr[key.len - 1] ^= 1;   /* the salt */
	assert_non_null(encr_open(a, key, iv, aad, out, p.len + 16, back, sizeof(back)));
	key.ptr[key.len - 1] ^= 1;

	/* in place */
	memcpy(back, p.ptr, p.len);
	assert_null(encr_seal(a, key, iv, aad, back, p.len, back, sizeof(back)));
	assert_memory_equal(back, out, p.len + 16);
	assert_null(encr_open(a, key, iv, aad, back, p.len + 16, back, sizeof(back)));
	assert_memory_equal(back, p.ptr, p.len);

	chunk_free(&key);
	chunk_free(&iv);
	chunk_free(&p);
	chunk_free(&aad);
}

static void test_aes_gcm(void **state)
{
	(void)state;
	gcm_case("feffe9928665731c6d6a8f9467308308" "cafebabe",
		 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
		 "5bc94fbc3221a5db94fae95ae7121a47");
	gcm_case("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308" "cafebabe",
		 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
		 "76fc6ece0f4e1768cddf8853bb2d551b");
}

static void test_bad_arguments(void **state)
{
	(void)state;
	uint8_t buf[64] = { 0 }, out[64];
	chunk_t k16 = chunk_from(buf, 16), k15 = chunk_from(buf, 15);
	chunk_t iv16 = chunk_from(buf, 16), iv8 = chunk_from(buf, 8);
	const struct alg_desc *aes = encr("aes"), *gcm = encr("aes_gcm16");
	assert_null(encr_seal(aes, k16, iv16, EMPTY_CHUNK, buf, 32, out, 32));
	assert_non_null(encr_seal(aes, k15, iv16, EMPTY_CHUNK, buf, 32, out, 32));   /* key */
	assert_non_null(encr_seal(aes, k16, iv8, EMPTY_CHUNK, buf, 32, out, 32));    /* IV */
	assert_non_null(encr_seal(aes, k16, iv16, EMPTY_CHUNK, buf, 31, out, 32));   /* block */
	assert_non_null(encr_seal(aes, k16, iv16, EMPTY_CHUNK, buf, 32, out, 31));   /* outsize */
	assert_non_null(encr_seal(aes, k16, iv16, chunk_from(buf, 4), buf, 32, out, 32)); /* AAD */
	/* GCM: SK_e is key + 4 bytes of salt; ICV room is needed */
	assert_null(encr_seal(gcm, chunk_from(buf, 20), iv8, EMPTY_CHUNK, buf, 13, out, 29));
	assert_non_null(encr_seal(gcm, chunk_from(buf, 20), iv8, EMPTY_CHUNK, buf, 13, out, 28));
	assert_non_null(encr_seal(gcm, chunk_from(buf, 16), iv8, EMPTY_CHUNK, buf, 13, out, 29));
	assert_non_null(encr_seal(gcm, chunk_from(buf, 28), iv8, EMPTY_CHUNK, buf, 13, out, 29)); /* 192 */
	assert_non_null(encr_open(gcm, chunk_from(buf, 20), iv8, EMPTY_CHUNK, buf, 15, out, 64));
	/* ESP-only rows cannot protect IKE */
	assert_non_null(encr_seal(encr("aes_ctr"), k16, iv8, EMPTY_CHUNK, buf, 16, out, 64));
	assert_non_null(encr_seal(encr("aes_gcm8"), chunk_from(buf, 20), iv8, EMPTY_CHUNK, buf, 16, out, 64));
	assert_non_null(encr_seal(NULL, k16, iv16, EMPTY_CHUNK, buf, 16, out, 64));
}

struct sizes {
	const char *name;
	unsigned keylen;
	size_t key, salt, iv, block, icv;
	bool ike;
};

static void test_sizes(void **state)
{
	(void)state;
	static const struct sizes s[] = {
		{ "aes", 0, 16, 0, 16, 16, 0, true },
		{ "aes", 192, 24, 0, 16, 16, 0, true },
		{ "aes", 256, 32, 0, 16, 16, 0, true },
		{ "3des", 0, 24, 0, 8, 8, 0, true },
		{ "3des", 192, 24, 0, 8, 8, 0, true },
		{ "aes_gcm16", 0, 16, 4, 8, 1, 16, true },
		{ "aes_gcm16", 256, 32, 4, 8, 1, 16, true },
		{ "aes_gcm8", 128, 16, 4, 8, 1, 8, false },
		{ "aes_gcm12", 256, 32, 4, 8, 1, 12, false },
		{ "aes_ccm16", 192, 24, 3, 8, 1, 16, false },
		{ "aes_ctr", 256, 32, 4, 8, 1, 0, false },
		{ "null", 0, 0, 0, 0, 1, 0, false },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		const struct alg_desc *a = encr(s[i].name);
		assert_true(encr_keylen_ok(a, s[i].keylen));
		assert_int_equal(encr_key_len(a, s[i].keylen), s[i].key);
		assert_int_equal(encr_salt_len(a), s[i].salt);
		assert_int_equal(encr_keymat_len(a, s[i].keylen), s[i].key ? s[i].key + s[i].salt : 0);
		assert_int_equal(encr_iv_len(a), s[i].iv);
		assert_int_equal(encr_block_len(a), s[i].block);
		assert_int_equal(encr_icv_len(a), s[i].icv);
		assert_int_equal(encr_ike_supported(a), s[i].ike);
	}
	assert_false(encr_keylen_ok(encr("aes"), 100));
	assert_false(encr_keylen_ok(encr("aes_gcm16"), 192));
	assert_false(encr_keylen_ok(encr("3des"), 128));
	assert_int_equal(encr_key_len(encr("aes"), 100), 0);
	assert_false(encr_keylen_ok(NULL, 0));
	assert_false(encr_keylen_ok(integ("sha1"), 0));

	static const struct { const char *name; size_t key, icv; } in[] = {
		{ "md5", 16, 12 }, { "sha1", 20, 12 }, { "sha2_256", 32, 16 },
		{ "sha2_384", 48, 24 }, { "sha2_512", 64, 32 }, { "null", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(integ_key_len(integ(in[i].name)), in[i].key);
		assert_int_equal(integ_icv_len(integ(in[i].name)), in[i].icv);
	}
}

/* hmac-md5-96, hmac-sha1-96 (RFC 2202 case 1 truncated), hmac-sha2-*
 * (key 0x0b repeated to the hash length, "Hi There"; RFC 4868 2.7.2). */
static void test_integ(void **state)
{
	(void)state;
	static const struct { const char *name; const char *icv; } v[] = {
		{ "md5", "9294727a3638bb1c13f48ef8" },
		{ "sha1", "b617318655057264e28bc0b6" },
		{ "sha2_256", "198a607eb44bfbc69903a0f1cf2bbdc5" },
		{ "sha2_384", "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
		{ "sha2_512", "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
	};
	const uint8_t *data = (const uint8_t *)"Hi There";
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const struct alg_desc *a = integ(v[i].name);
		uint8_t key[64], icv[64];
		memset(key, 0x0b, sizeof(key));
		chunk_t k = chunk_from(key, integ_key_len(a));
		assert_null(integ_compute(a, k, data, 8, icv));
		assert_hex(icv, integ_icv_len(a), v[i].icv);
		assert_null(integ_verify(a, k, data, 8, icv));
		icv[integ_icv_len(a) - 1] ^= 1;
		assert_non_null(integ_verify(a, k, data, 8, icv));
		icv[integ_icv_len(a) - 1] ^= 1;
		assert_non_null(integ_verify(a, k, (const uint8_t *)"Hi there", 8, icv));
		/* the key must be exactly the hash length */
		assert_non_null(integ_compute(a, chunk_from(key, k.len - 1), data, 8, icv));
	}
	uint8_t icv[64];
	assert_non_null(integ_compute(integ("null"), EMPTY_CHUNK, data, 8, icv));
	assert_non_null(integ_compute(NULL, EMPTY_CHUNK, data, 8, icv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aes_cbc_rfc3602),
		cmocka_unit_test(test_aes_cbc_sp800_38a),
		cmocka_unit_test(test_3des_sp800_67),
		cmocka_unit_test(test_aes_gcm),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_integ),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
