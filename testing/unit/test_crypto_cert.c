/* Unit tests: crypto/cert.c on a database certutil fills here (a CA, a
 * host certificate with subjectAltNames and its key, a certificate of
 * another CA without key): lookups, IDs in the certificate, verification
 * with rightca=, CERTREQ hashes, the listing, and no NSS object left
 * behind (crypto_shutdown fails on a leak). Skipped without certutil. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/crypto.h"

static char dir[64];
static bool have_certutil;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	have_certutil = system("command -v certutil >/dev/null 2>&1") == 0;
	snprintf(dir, sizeof(dir), "/tmp/cygnet-cert-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (!have_certutil)
		return 0;
	const char *q = ">/dev/null 2>&1";
	if (run("head -c 64 /dev/urandom >%s/noise", dir) != 0 ||
	    run("certutil -N -d sql:%s --empty-password </dev/null %s", dir, q) != 0 ||
	    run("printf 'y\\n\\ny\\n' | certutil -S -d sql:%s -n ca -s 'CN=Unit CA, O=Unit, C=US' -x "
		"-t CT,, -k rsa -g 2048 -z %s/noise -m 1 -v 12 -2 --keyUsage certSigning,crlSigning %s",
		dir, dir, q) != 0 ||
	    run("printf 'y\\n\\ny\\n' | certutil -S -d sql:%s -n other -s 'CN=Other CA, C=US' -x "
		"-t ,, -k rsa -g 2048 -z %s/noise -m 2 -v 12 -2 --keyUsage certSigning,crlSigning %s",
		dir, dir, q) != 0 ||
	    run("certutil -S -d sql:%s -n host -s 'CN=host, O=Unit, C=US' -c ca -t ,, -k rsa -g 2048 "
		"-z %s/noise -m 3 -v 12 --extSAN dns:host.example,ip:198.18.0.7,email:me@host.example "
		"--keyUsage digitalSignature </dev/null %s", dir, dir, q) != 0 ||
	    run("certutil -S -d sql:%s -n ec -s 'CN=ec, O=Unit, C=US' -c ca -t ,, -k ec -q secp256r1 "
		"-z %s/noise -m 4 -v 12 --keyUsage digitalSignature </dev/null %s", dir, dir, q) != 0)
		return -1;
	return crypto_init_nssdb(dir, false, NULL) == NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (crypto_initialized())
		crypto_shutdown();
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* last: a leaked certificate or key keeps NSS busy */
static void test_shutdown(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	err_t e = crypto_shutdown();
	if (e != NULL)
		fail_msg("crypto_shutdown: %s", e);
}

static ip_id id_of(const char *text)
{
	ip_id id;
	assert_null(ttoid(text, &id));
	return id;
}

static void test_lookup_and_ids(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	chunk_t der;
	assert_non_null(cert_by_nickname("nosuch", &der));
	assert_null(cert_by_nickname("host", &der));
	assert_null(cert_has_private_key("host"));
	rsa_pubkey pub;
	assert_null(cert_rsa_pubkey(der, &pub));
	assert_int_equal(pub.bits, 2048);
	ip_id subject, issuer;
	assert_null(cert_subject(der, &subject, &issuer));
	ip_id want = id_of("C=US, O=Unit, CN=host");
	assert_true(id_eq(&want, &subject));
	want = id_of("CN=Unit CA, O=Unit, C=US");
	assert_true(id_eq(&want, &issuer));
	static const struct { const char *id; bool in; } ids[] = {
		{ "C=US, O=Unit, CN=host", true },
		{ "CN=host, O=Unit, C=US", true },
		{ "C=US, O=Unit, CN=*", true },
		{ "C=US, O=Unit, CN=other", false },
		{ "@host.example", true },
		{ "host.example", true },
		{ "@other.example", false },
		{ "198.18.0.7", true },
		{ "198.18.0.8", false },
		{ "me@host.example", true },
		{ "you@host.example", false },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ip_id id = id_of(ids[i].id);
		if (cert_names_id(der, &id) != ids[i].in)
			fail_msg("%s: expected %s", ids[i].id, ids[i].in ? "in the cert" : "not in it");
	}
	/* the subject DER is the certificate's: C first */
	chunk_t sdn;
	assert_null(cert_subject_der(der, &sdn));
	assert_true(sdn.len > 12);
	assert_memory_equal(sdn.ptr + 6, "\x06\x03\x55\x04\x06", 5);
	chunk_free(&sdn);
	chunk_free(&der);
}

static void test_verify(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	chunk_t host, other;
	assert_null(cert_by_nickname("host", &host));
	assert_null(cert_by_nickname("other", &other));
	ip_id issuer;
	assert_null(cert_verify(host, NULL, 0, NULL, &issuer));
	ip_id ca = id_of("C=US, O=Unit, CN=Unit CA");
	assert_null(cert_verify(host, NULL, 0, &ca, NULL));
	ca = id_of("CN=Other CA, C=US");
	err_t e = cert_verify(host, NULL, 0, &ca, NULL);
	assert_non_null(e);
	assert_non_null(strstr(e, "rightca="));
	/* "other" is not trusted (no C trust): not a CA for peers */
	e = cert_verify(other, NULL, 0, NULL, NULL);
	assert_non_null(e);
	assert_non_null(strstr(e, "SEC_ERROR_"));
	assert_null(cert_check_validity(host));
	assert_non_null(cert_has_private_key("nosuch"));
	chunk_free(&host);
	chunk_free(&other);
}

static void test_certreq_and_list(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	chunk_t h;
	assert_null(cert_ca_hashes(NULL, &h));
	assert_int_equal(h.len, 20);   /* the one CA trusted: not "other" */
	chunk_free(&h);
	ip_id ca = id_of("CN=Other CA, C=US");
	assert_null(cert_ca_hashes(&ca, &h));
	assert_int_equal(h.len, 0);
	chunk_free(&h);
}

/* ECDSA by a certificate's key: method 14 (DER) and RFC 4754 (r | s) */
static void test_ecdsa(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	chunk_t ec, host, data = chunk_from("what the AUTH payload signs", 27);
	assert_null(cert_by_nickname("ec", &ec));
	assert_null(cert_by_nickname("host", &host));
	enum key_kind kind;
	unsigned bits;
	assert_null(cert_key_kind(ec, &kind, &bits));
	assert_int_equal(kind, KEY_ECDSA);
	assert_int_equal(bits, 256);
	assert_null(cert_key_kind(host, &kind, &bits));
	assert_int_equal(kind, KEY_RSA);
	const struct sig_alg *algs[] = { sig_alg_find(SIG_ECDSA, SIG_HASH_SHA2_256),
					 sig_alg_find(SIG_ECDSA, SIG_HASH_SHA2_512), sig_alg_rfc4754(256) };
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		chunk_t sig;
		err_t e = cert_sign(ec, algs[i], data, &sig);
		if (e != NULL)
			fail_msg("%s: %s", algs[i]->name, e);
		if (algs[i]->scheme == SIG_ECDSA_RAW)
			assert_int_equal(sig.len, 64);
		else
			assert_int_equal(sig.ptr[0], 0x30);   /* SEQUENCE { r, s } */
		e = cert_verify_sig(ec, algs[i], data, sig);
		if (e != NULL)
			fail_msg("%s: %s", algs[i]->name, e);
		assert_non_null(cert_verify_sig(ec, algs[i], chunk_from(data.ptr, 26), sig));
		assert_non_null(cert_verify_sig(ec, algs[(i + 1) % 3], data, sig));
		assert_non_null(cert_verify_sig(host, algs[i], data, sig));   /* an RSA key */
		sig.ptr[sig.len - 3] ^= 1;
		assert_non_null(cert_verify_sig(ec, algs[i], data, sig));
		chunk_free(&sig);
	}
	/* the RSA certificate signs RSA only */
	chunk_t sig;
	assert_non_null(cert_sign(host, algs[0], data, &sig));
	assert_null(cert_sign(host, sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_256), data, &sig));
	assert_null(cert_verify_sig(host, sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_256), data, sig));
	chunk_free(&sig);
	chunk_free(&ec);
	chunk_free(&host);
}

static unsigned listed, listed_ca, listed_key;
static void count(void *arg, const struct cert_info *info)
{
	(void)arg;
	listed++;
	listed_ca += info->ca;
	listed_key += info->has_key;
}

static void test_list(void **state)
{
	(void)state;
	if (!have_certutil)
		skip();
	assert_null(cert_list(count, NULL));
	assert_int_equal(listed, 4);
	assert_int_equal(listed_ca, 1);
	assert_int_equal(listed_key, 4);   /* certutil -S keeps each key */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_ids),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_certreq_and_list),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_shutdown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
