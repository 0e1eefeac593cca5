/* Unit tests: RFC 3110 RSA public keys. The keys are built by hand (an
 * exponent, a fake odd modulus with its top bit set) and written with
 * datatot, as a key generator would. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "swan/rsakey.h"
#include "swan/ttodata.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

#define BLOB_MAX (3 + 16 + RSA_MAX_BYTES + 16)
#define TEXT_MAX (2 + 4 * (BLOB_MAX + 2) / 3 + 1)

/* Blob: [elen][e...][n...] with a modulus of nbytes whose top byte is
 * top and last byte odd (unless told otherwise). */
static size_t make_blob(uint8_t *blob, const uint8_t *e, size_t elen, size_t nbytes,
			uint8_t top, bool odd)
{
	size_t i = 0;
	blob[i++] = (uint8_t)elen;
	memcpy(blob + i, e, elen);
	i += elen;
	for (size_t k = 0; k < nbytes; k++)
		blob[i + k] = (uint8_t)(k * 37 + 11);
	blob[i] = top;
	if (nbytes > 0) {
		if (odd)
			blob[i + nbytes - 1] |= 1;
		else
			blob[i + nbytes - 1] &= 0xfe;
	}
	return i + nbytes;
}

static const uint8_t e65537[] = { 0x01, 0x00, 0x01 };

static void test_round_trip_2048(void **state)
{
	(void)state;
	uint8_t blob[BLOB_MAX], again[BLOB_MAX];
	char text[TEXT_MAX], text2[TEXT_MAX];
	size_t len = make_blob(blob, e65537, 3, 256, 0xc5, true);
	datatot(blob, len, 64, text, sizeof(text));

	rsa_pubkey k;
	err_t e = ttorsapubkey(text, &k);
	CHECK(e == NULL, "2048-bit key rejected: %s", e);
	assert_int_equal(k.e_len, 3);
	assert_memory_equal(k.e, e65537, 3);
	assert_int_equal(k.n_len, 256);
	assert_int_equal(k.bits, 2048);
	assert_memory_equal(k.n, blob + 4, 256);

	/* Back to bytes and to text: identical. */
	assert_int_equal(rsapubkey_to_rfc3110(&k, again, sizeof(again)), len);
	assert_memory_equal(again, blob, len);
	assert_non_null(str_rsapubkey(&k, text2, sizeof(text2)));
	assert_string_equal(text2, text);
	assert_int_equal(strncmp(text, "0sAwEAAc", 8), 0);

	/* Key id: the first nine base64 characters of the blob. */
	char id[10];
	rsapubkey_keyid(&k, id);
	assert_int_equal(strlen(id), 9);
	assert_memory_equal(id, text + 2, 9);

	/* The same key in hex parses to the same thing. */
	datatot(blob, len, 16, text2, sizeof(text2));
	rsa_pubkey h;
	assert_null(ttorsapubkey(text2, &h));
	assert_int_equal(h.bits, 2048);
	assert_int_equal(h.n_len, k.n_len);
	assert_memory_equal(h.n, k.n, k.n_len);
}

static void test_sizes(void **state)
{
	(void)state;
	static const struct {
		size_t nbytes;
		uint8_t top;
		unsigned bits;
		bool ok;
	} cases[] = {
		{ 128, 0x80, 1024, true },
		{ 128, 0x7f, 1023, false },
		{ 127, 0xff, 1016, false },
		{ 129, 0x01, 1025, true },
		{ 384, 0xd0, 3072, true },
		{ 512, 0x80, 4096, true },
		{ 1024, 0x80, 8192, true },
		{ 1024, 0xff, 8192, true },
		{ 1025, 0x01, 8193, false },
		{ 1030, 0x80, 8240, false },
		{ 16, 0x80, 128, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t blob[BLOB_MAX];
		char text[TEXT_MAX];
		size_t len = make_blob(blob, e65537, 3, cases[i].nbytes, cases[i].top, true);
		datatot(blob, len, 64, text, sizeof(text));
		rsa_pubkey k;
		err_t e = ttorsapubkey(text, &k);
		if (cases[i].ok) {
			CHECK(e == NULL, "%u-bit key rejected: %s", cases[i].bits, e);
			CHECK(k.bits == cases[i].bits, "bits %u want %u", k.bits, cases[i].bits);
		} else {
			CHECK(e != NULL, "%u-bit key accepted", cases[i].bits);
		}
	}
}

static void test_exponents(void **state)
{
	(void)state;
	static const struct {
		uint8_t e[9];
		size_t elen;
		bool ok;
	} cases[] = {
		{ { 3 }, 1, true },
		{ { 0x01, 0x00, 0x01 }, 3, true },
		{ { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09 }, 8, true },
		{ { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 }, 9, false },  /* > 8 bytes */
		{ { 1 }, 1, false },                    /* < 3 */
		{ { 2 }, 1, false },                    /* even */
		{ { 0x01, 0x00, 0x00 }, 3, false },     /* even */
		{ { 0x00, 0x01, 0x01 }, 3, false },     /* leading zero */
		{ { 0 }, 1, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t blob[BLOB_MAX];
		char text[TEXT_MAX];
		size_t len = make_blob(blob, cases[i].e, cases[i].elen, 256, 0xc5, true);
		datatot(blob, len, 64, text, sizeof(text));
		rsa_pubkey k;
		err_t e = ttorsapubkey(text, &k);
		CHECK((e == NULL) == cases[i].ok, "exponent case %zu: %s", i, e ? e : "accepted");
		if (e == NULL) {
			assert_int_equal(k.e_len, cases[i].elen);
			assert_memory_equal(k.e, cases[i].e, cases[i].elen);
		}
	}

	/* e=3 keys have the classic Openswan key id "AQO..." or "AQP...". */
	uint8_t blob[BLOB_MAX];
	char text[TEXT_MAX], id[10];
	static const uint8_t e3[] = { 3 };
	size_t len = make_blob(blob, e3, 1, 256, 0xb0, true);
	datatot(blob, len, 64, text, sizeof(text));
	rsa_pubkey k;
	assert_null(ttorsapubkey(text, &k));
	rsapubkey_keyid(&k, id);
	assert_memory_equal(id, "AQO", 3);
}

static void test_long_exponent_length(void **state)
{
	(void)state;
	/* RFC 3110: a zero first byte, then a two-byte exponent length. */
	uint8_t shortform[BLOB_MAX], blob[BLOB_MAX];
	char text[TEXT_MAX], canon[TEXT_MAX];
	size_t slen = make_blob(shortform, e65537, 3, 256, 0xc5, true);
	blob[0] = 0;
	blob[1] = 0;
	blob[2] = 3;
	memcpy(blob + 3, shortform + 1, slen - 1);
	size_t len = slen + 2;
	datatot(blob, len, 64, text, sizeof(text));
	rsa_pubkey k;
	err_t e = ttorsapubkey(text, &k);
	CHECK(e == NULL, "long exponent length rejected: %s", e);
	assert_int_equal(k.e_len, 3);
	assert_int_equal(k.bits, 2048);
	/* Canonical output uses the one-byte form; it parses back equal. */
	assert_non_null(str_rsapubkey(&k, canon, sizeof(canon)));
	assert_string_not_equal(canon, text);
	rsa_pubkey k2;
	assert_null(ttorsapubkey(canon, &k2));
	assert_int_equal(k2.e_len, k.e_len);
	assert_int_equal(k2.n_len, k.n_len);
	assert_memory_equal(k2.n, k.n, k.n_len);

	/* Long form claiming 9 bytes of exponent: refused. */
	blob[2] = 9;
	datatot(blob, len, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
	/* Long form truncated. */
	datatot(blob, 2, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t blob[BLOB_MAX];
	char text[TEXT_MAX];
	rsa_pubkey k;

	/* Even modulus. */
	size_t len = make_blob(blob, e65537, 3, 256, 0xc5, false);
	datatot(blob, len, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
	/* Leading zero byte in the modulus (a 2040-bit value in 256 bytes). */
	len = make_blob(blob, e65537, 3, 257, 0x00, true);
	datatot(blob, len, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
	/* No modulus at all. */
	len = make_blob(blob, e65537, 3, 0, 0, true);
	datatot(blob, len, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
	/* Exponent longer than the data. */
	blob[0] = 8;
	datatot(blob, 4, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));
	/* Decoded data beyond any possible key. */
	len = make_blob(blob, e65537, 3, RSA_MAX_BYTES + 12, 0x80, true);
	datatot(blob, len, 64, text, sizeof(text));
	assert_non_null(ttorsapubkey(text, &k));

	static const char *const bad_text[] = {
		"", "0", "0s", "0x", "0tAwEAAQ", "AwEAAcU=", "0sAwEAAc", "0s!!!!", "0x0301000",
		"0x030100zz", "0sAwEAAcU", "0y00",
	};
	for (size_t i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++)
		CHECK(ttorsapubkey(bad_text[i], &k) != NULL, "'%s' accepted", bad_text[i]);
	assert_non_null(ttorsapubkey(NULL, &k));
}

static void test_small_buffers(void **state)
{
	(void)state;
	uint8_t blob[BLOB_MAX], out[BLOB_MAX];
	char text[TEXT_MAX];
	size_t len = make_blob(blob, e65537, 3, 256, 0xc5, true);
	datatot(blob, len, 64, text, sizeof(text));
	rsa_pubkey k;
	assert_null(ttorsapubkey(text, &k));
	assert_int_equal(rsapubkey_to_rfc3110(&k, out, len - 1), 0);
	assert_int_equal(rsapubkey_to_rfc3110(&k, out, len), len);
	size_t need = strlen(text);
	assert_null(str_rsapubkey(&k, text, need));
	assert_non_null(str_rsapubkey(&k, text, need + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_2048),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_exponents),
		cmocka_unit_test(test_long_exponent_length),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
