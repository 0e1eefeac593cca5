/* Unit tests: authby= values (swan/authby.h): each spelling's methods and
 * hashes, the canonical text read back to the same value, lacking
 * methods, and what is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "swan/authby.h"

#define H(n) AUTHBY_HASH(n)

static void test_values(void **state)
{
	(void)state;
	static const struct {
		const char *in, *canon;
		unsigned methods, rsa, ecdsa;
	} t[] = {
		{ "secret", "secret", AUTHBY_PSK, 0, 0 },
		{ "PSK", "secret", AUTHBY_PSK, 0, 0 },
		{ "rsasig", "rsasig", AUTHBY_RSA, AUTHBY_SHA1 | AUTHBY_SHA2, 0 },
		{ "rsasig|secret", "secret|rsasig", AUTHBY_PSK | AUTHBY_RSA, AUTHBY_SHA1 | AUTHBY_SHA2, 0 },
		{ "never", "never", AUTHBY_NEVER, 0, 0 },
		{ "ecdsa", "ecdsa", AUTHBY_ECDSA, 0, AUTHBY_SHA2 },
		{ "rsasig,ecdsa", "rsasig,ecdsa", AUTHBY_RSA | AUTHBY_ECDSA, AUTHBY_SHA1 | AUTHBY_SHA2,
		  AUTHBY_SHA2 },
		{ "rsa-sha2", "rsa-sha2", AUTHBY_RSA, AUTHBY_SHA2, 0 },
		{ "rsa-sha1", "rsa-sha1", AUTHBY_RSA, AUTHBY_SHA1, 0 },
		{ "rsa-sha2_256", "rsa-sha2_256", AUTHBY_RSA, H(2), 0 },
		{ "ecdsa-sha2_384, ecdsa-sha2_512", "ecdsa-sha2_384,ecdsa-sha2_512", AUTHBY_ECDSA, 0,
		  H(3) | H(4) },
		{ "rsa-sha2_512,ecdsa-sha2_256,secret", "secret,rsa-sha2_512,ecdsa-sha2_256",
		  AUTHBY_PSK | AUTHBY_RSA | AUTHBY_ECDSA, H(4), H(2) },
		{ "ecdsa-sha2_256,ecdsa-sha2_384,ecdsa-sha2_512", "ecdsa", AUTHBY_ECDSA, 0, AUTHBY_SHA2 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct authby a, b;
		char buf[128];
		assert_null(ttoauthby(t[i].in, &a));
		assert_int_equal(a.methods, t[i].methods);
		assert_int_equal(a.rsa_hashes, t[i].rsa);
		assert_int_equal(a.ecdsa_hashes, t[i].ecdsa);
		assert_string_equal(a.lacking, "");
		assert_string_equal(str_authby(&a, buf, sizeof(buf)), t[i].canon);
		assert_null(ttoauthby(buf, &b));
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

static void test_lacking_and_bad(void **state)
{
	(void)state;
	struct authby a;
	assert_null(ttoauthby("rsasig,null,eaponly", &a));
	assert_int_equal(a.methods, AUTHBY_RSA);
	assert_string_equal(a.lacking, "null, eaponly");
	assert_non_null(ttoauthby("pks", &a));
	assert_non_null(ttoauthby("", &a));
	assert_non_null(ttoauthby("secret|never", &a));
	assert_non_null(ttoauthby("never,null", &a));
	assert_non_null(ttoauthby("ecdsa-sha2_1", &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lacking_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
