/* Unit tests: the IKEv1 Quick Mode keying material (crypto/ikev1_keys.c,
 * RFC 2409 5.5): KEYMAT with and without PFS, its expansion K1 | K2 | K3
 * when more bytes are needed than the PRF gives (HMAC-SHA1: 20 bytes, 48
 * wanted for AES-128 + HMAC-SHA2-256), and the split of both directions'
 * keys by ikev1_child_keys (i2r from the responder's SPI, r2i from the
 * initiator's; cipher key, salt, then integrity key).
 *
 * The expected values were computed independently of this code with
 * python3's hmac and hashlib:
 *
 *   def prf(k, d): return hmac.new(k, d, hashlib.sha1).digest()
 *   def keymat(skd, gqm, proto, spi, ni, nr, n):
 *       seed = gqm + bytes([proto]) + spi.to_bytes(4, "big") + ni + nr
 *       out, k = b"", b""
 *       while len(out) < n:
 *           k = prf(skd, k + seed); out += k
 *       return out[:n]
 *
 * with skd = bytes(range(0x40, 0x54)), ni = bytes(range(16)), nr =
 * bytes(range(16, 32)), gqm = b"\x77" * 32, protocol 3 (ESP), SPIs
 * 0x11223344 and 0xaabbccdd, n = 48 (20 for the GCM case). */
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

#define KM_I "a8f0ac7c8eb70745f46a59f739183490bdaa082f9c2f51bfed23a5879b54d8ee0ac58b48ca744b422e269c32f55cfdb0"
#define KM_I_PFS "b7e488763f90b08a65e661cabaa696ba367cac489d01ac17af0ff1b6a99288c633f42f8d75c7682b6f2d3fa21624f7e9"
#define KM_R "001563332754a15337c251254d268979d9191cb15bb7b311f988978e32af63d50e4fa402df807c5c37bda552f00b4b9a"

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

/* got equals the hex bytes of want from byte off, len bytes */
static void assert_part(chunk_t got, const char *want, size_t off, size_t len)
{
	chunk_t w = hex(want);
	assert_true(off + len <= w.len);
	assert_int_equal(got.len, len);
	assert_memory_equal(got.ptr, w.ptr + off, len);
	chunk_free(&w);
}

static const struct alg_desc *alg(enum alg_type t, const char *name)
{
	const struct alg_desc *a = alg_by_name(t, name, strlen(name));
	assert_non_null(a);
	return a;
}

static uint8_t skd_b[20], ni_b[16], nr_b[16], gqm_b[32];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < 20; i++)
		skd_b[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < 16; i++) {
		ni_b[i] = (uint8_t)i;
		nr_b[i] = (uint8_t)(16 + i);
	}
	memset(gqm_b, 0x77, sizeof(gqm_b));
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

#define SKD chunk_from(skd_b, 20)
#define NI chunk_from(ni_b, 16)
#define NR chunk_from(nr_b, 16)

static void test_keymat(void **state)
{
	(void)state;
	const struct alg_desc *prf = alg(ALG_PRF, "prfsha1");
	chunk_t km;
	assert_null(ikev1_keymat(prf, SKD, EMPTY_CHUNK, 3, 0x11223344, NI, NR, 48, &km));
	assert_part(km, KM_I, 0, 48);
	chunk_free(&km);
	assert_null(ikev1_keymat(prf, SKD, chunk_from(gqm_b, 32), 3, 0x11223344, NI, NR, 48, &km));
	assert_part(km, KM_I_PFS, 0, 48);
	chunk_free(&km);
	/* one block only: K1 */
	assert_null(ikev1_keymat(prf, SKD, EMPTY_CHUNK, 3, 0x11223344, NI, NR, 20, &km));
	assert_part(km, KM_I, 0, 20);
	chunk_free(&km);
}

static void test_child_keys(void **state)
{
	(void)state;
	const struct alg_desc *prf = alg(ALG_PRF, "prfsha1");
	struct child_suite suite = { .encr = alg(ALG_ENCRYPT, "aes"), .encr_keylen = 128,
				     .integ = alg(ALG_INTEG, "sha2_256") };
	struct child_sa_keys k;
	/* initiator's SPI 0x11223344, responder's 0xaabbccdd */
	assert_null(ikev1_child_keys(&suite, prf, SKD, EMPTY_CHUNK, 3, 0x11223344, 0xaabbccdd, NI, NR, &k));
	assert_part(k.r2i.encr, KM_I, 0, 16);
	assert_part(k.r2i.integ, KM_I, 16, 32);
	assert_int_equal(k.r2i.salt.len, 0);
	assert_part(k.i2r.encr, KM_R, 0, 16);
	assert_part(k.i2r.integ, KM_R, 16, 32);
	child_sa_keys_free(&k);
	/* AES-GCM-16 128: key then the 4-byte salt, no integrity key */
	struct child_suite gcm = { .encr = alg(ALG_ENCRYPT, "aes_gcm16"), .encr_keylen = 128 };
	assert_null(ikev1_child_keys(&gcm, prf, SKD, EMPTY_CHUNK, 3, 0x11223344, 0xaabbccdd, NI, NR, &k));
	assert_part(k.r2i.encr, KM_I, 0, 16);
	assert_part(k.r2i.salt, KM_I, 16, 4);
	assert_int_equal(k.r2i.integ.len, 0);
	child_sa_keys_free(&k);
}

static void test_errors(void **state)
{
	(void)state;
	chunk_t km;
	assert_non_null(ikev1_keymat(NULL, SKD, EMPTY_CHUNK, 3, 1, NI, NR, 16, &km));
	struct child_suite bad = { .encr = alg(ALG_ENCRYPT, "aes"), .encr_keylen = 100,
				   .integ = alg(ALG_INTEG, "sha1") };
	struct child_sa_keys k;
	assert_non_null(ikev1_child_keys(&bad, alg(ALG_PRF, "prfsha1"), SKD, EMPTY_CHUNK, 3, 1, 2, NI, NR, &k));
	assert_int_equal(k.i2r.encr.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keymat),
		cmocka_unit_test(test_child_keys),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
