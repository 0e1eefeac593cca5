/* Unit tests: sharing a responder's DH key pair while busy
 * (programs/pluto/crypto/dh_reuse.c). Within the window every caller gets
 * the same public value, each holder frees its own share, and each
 * exchange still gets its own g^ir from the peer's value; once the window
 * is over a fresh pair is made and the kept one forgotten (expire); groups
 * are kept apart; several threads share at once. ASan (unit-asan) sees
 * a share freed twice or never. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include "crypto/crypto.h"

static const struct alg_desc *group(const char *name)
{
	const struct alg_desc *a = alg_by_name(ALG_DH, name, strlen(name));
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
	dh_reuse_expire(0, UINT64_MAX);
	return crypto_shutdown() == NULL ? 0 : -1;
}

static struct dh_secret *shared(const char *g, uint64_t window, uint64_t now)
{
	err_t e = NULL;
	struct dh_secret *s = dh_generate_shared(group(g), window, now, &e);
	if (s == NULL)
		fail_msg("%s: %s", g, e);
	return s;
}

/* one pair within the window, each exchange its own g^ir */
static void test_window(void **state)
{
	(void)state;
	uint64_t before = dh_reuse_count();
	struct dh_secret *a = shared("modp2048", 1000, 5000);
	struct dh_secret *b = shared("modp2048", 1000, 5999);
	assert_true(chunk_eq(dh_public_value(a), dh_public_value(b)));
	assert_int_equal(dh_reuse_count(), before + 1);
	/* two peers: two different shared secrets, each agreeing with its peer */
	err_t e = NULL;
	struct dh_secret *p1 = dh_generate(group("modp2048"), &e), *p2 = dh_generate(group("modp2048"), &e);
	assert_non_null(p1);
	assert_non_null(p2);
	chunk_t a1, b2, r1, r2;
	assert_null(dh_shared_secret(a, dh_public_value(p1), &a1));
	assert_null(dh_shared_secret(b, dh_public_value(p2), &b2));
	assert_null(dh_shared_secret(p1, dh_public_value(a), &r1));
	assert_null(dh_shared_secret(p2, dh_public_value(b), &r2));
	assert_true(chunk_eq(a1, r1));
	assert_true(chunk_eq(b2, r2));
	assert_false(chunk_eq(a1, b2));
	chunk_free(&a1);
	chunk_free(&b2);
	chunk_free(&r1);
	chunk_free(&r2);
	dh_free(&p1);
	dh_free(&p2);
	/* one holder gone: the other still computes with it */
	dh_free(&a);
	assert_null(a);
	chunk_t again;
	struct dh_secret *p3 = dh_generate(group("modp2048"), &e);
	assert_null(dh_shared_secret(b, dh_public_value(p3), &again));
	chunk_free(&again);
	dh_free(&p3);
	dh_free(&b);
	/* at the window's end: a fresh pair */
	struct dh_secret *c = shared("modp2048", 1000, 5000);
	struct dh_secret *d = shared("modp2048", 1000, 6000);
	assert_false(chunk_eq(dh_public_value(c), dh_public_value(d)));
	dh_free(&c);
	dh_free(&d);
	assert_int_equal(dh_reuse_expire(0, 6000), 0);
}

/* expire forgets only what is old; a holder outlives the forgetting */
static void test_expire(void **state)
{
	(void)state;
	struct dh_secret *x = shared("curve25519", 1000, 10000);
	struct dh_secret *m = shared("ecp256", 1000, 10500);
	assert_int_equal(dh_reuse_expire(1000, 11000), 1);   /* curve25519 forgotten */
	struct dh_secret *x2 = shared("curve25519", 1000, 11000);
	assert_false(chunk_eq(dh_public_value(x), dh_public_value(x2)));
	struct dh_secret *m2 = shared("ecp256", 1000, 11000);
	assert_true(chunk_eq(dh_public_value(m), dh_public_value(m2)));
	assert_false(chunk_eq(dh_public_value(m), dh_public_value(x2)));
	err_t e = NULL;
	struct dh_secret *peer = dh_generate(group("curve25519"), &e);
	chunk_t g1, g2;
	assert_null(dh_shared_secret(x, dh_public_value(peer), &g1));   /* forgotten, still held */
	assert_null(dh_shared_secret(peer, dh_public_value(x), &g2));
	assert_true(chunk_eq(g1, g2));
	chunk_free(&g1);
	chunk_free(&g2);
	dh_free(&peer);
	dh_free(&x);
	dh_free(&x2);
	dh_free(&m);
	dh_free(&m2);
	assert_int_equal(dh_reuse_expire(0, 11000), 0);
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		err_t e = NULL;
		struct dh_secret *s = dh_generate_shared(group("ecp256"), 60000, 20000, &e);
		struct dh_secret *peer = dh_generate(group("ecp256"), &e);
		if (s == NULL || peer == NULL)
			return (void *)"no key pair";
		chunk_t g1, g2;
		bool ok = dh_shared_secret(s, dh_public_value(peer), &g1) == NULL &&
			  dh_shared_secret(peer, dh_public_value(s), &g2) == NULL && chunk_eq(g1, g2);
		chunk_free(&g1);
		chunk_free(&g2);
		dh_free(&s);
		dh_free(&peer);
		if (!ok)
			return (void *)"disagree";
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		assert_int_equal(pthread_join(t[i], &r), 0);
		if (r != NULL)
			fail_msg("thread %d: %s", i, (const char *)r);
	}
	assert_int_equal(dh_reuse_expire(0, 20000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
