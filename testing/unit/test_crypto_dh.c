/* Unit tests: Diffie-Hellman (programs/pluto/crypto/dh.c). Every group of
 * the algorithm table agrees with itself; known answers from RFC 5114
 * appendix A (groups 22 and 24), RFC 5903 8.1 and 8.2 (groups 19, 20) and
 * RFC 7748 5.2 and 6.1 (Curve25519); bad peer values are refused: 0, 1,
 * p-1, p, values outside the subgroup (22-24), points off the curve,
 * Curve25519 points of small order, wrong lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
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
	err_t e = crypto_shutdown();
	if (e != NULL)
		fprintf(stderr, "crypto_shutdown: %s\n", e);
	return e == NULL ? 0 : -1;
}

/* Both sides of every DH row in alg_table compute the same g^ir. */
static void test_every_group_agrees(void **state)
{
	(void)state;
	size_t groups = 0;
	for (size_t i = 0; i < alg_table_len; i++) {
		const struct alg_desc *g = &alg_table[i];
		if (g->type != ALG_DH)
			continue;
		groups++;
		err_t e = NULL;
		struct dh_secret *a = dh_generate(g, &e);
		if (a == NULL)
			fail_msg("%s: %s", g->name, e);
		struct dh_secret *b = dh_generate(g, &e);
		assert_non_null(b);
		assert_ptr_equal(dh_secret_group(a), g);
		chunk_t ka = dh_public_value(a), kb = dh_public_value(b);
		assert_int_equal(ka.len, dh_ke_len(g));
		assert_int_equal(kb.len, dh_ke_len(g));
		assert_false(chunk_eq(ka, kb));
		chunk_t s1, s2;
		e = dh_shared_secret(a, kb, &s1);
		if (e != NULL)
			fail_msg("%s: %s", g->name, e);
		assert_null(dh_shared_secret(b, ka, &s2));
		assert_int_equal(s1.len, dh_shared_len(g));
		assert_true(chunk_eq(s1, s2));
		chunk_free(&s1);
		chunk_free(&s2);
		dh_free(&a);
		dh_free(&b);
		assert_null(a);
	}
	assert_int_equal(groups, 14);   /* 2, 5, 14-18, 19-21, 22-24, 31 */
}

static void test_lengths(void **state)
{
	(void)state;
	static const struct { const char *name; size_t ke, shared; } l[] = {
		{ "modp1024", 128, 128 }, { "modp1536", 192, 192 }, { "modp2048", 256, 256 },
		{ "modp3072", 384, 384 }, { "modp4096", 512, 512 }, { "modp6144", 768, 768 },
		{ "modp8192", 1024, 1024 }, { "ecp256", 64, 32 }, { "ecp384", 96, 48 },
		{ "ecp521", 132, 66 }, { "dh22", 128, 128 }, { "dh23", 256, 256 },
		{ "dh24", 256, 256 }, { "curve25519", 32, 32 },
	};
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		assert_int_equal(dh_ke_len(group(l[i].name)), l[i].ke);
		assert_int_equal(dh_shared_len(group(l[i].name)), l[i].shared);
	}
	assert_int_equal(dh_ke_len(NULL), 0);
	assert_int_equal(dh_ke_len(alg_by_name(ALG_PRF, "prfsha1", 7)), 0);
	err_t e = NULL;
	assert_null(dh_generate(alg_by_name(ALG_ENCRYPT, "aes", 3), &e));
	assert_non_null(e);
}

struct modp_kat {
	const char *group;
	const char *xa, *ya, *xb, *yb, *z;
};

static const struct modp_kat modp_kats[] = {
	{ "dh22", /* RFC 5114 A.1 */
		"b9a3b3ae8fefc1a2930496507086f8455d48943e",
		"2a853b3d92197501b9015b2deb3ed84f5e021dcc3e52f109d3273d2b7521281c"
		"babe0e76ff5727fa8acce26956ba9a1fca26f20228d8693feb10841d84a73600"
		"54ece5a7f5b7a61ad3dfb3c60d2e43106d8727da37df9cce95b478755d06bcea"
		"8f9d45965f75a5f3d1df3701165fc9e50c4279ceb07f989540ae96d5d88ed776",
		"9392c9f9eb6a7a6a9022f7d83e7223c6835bbdda",
		"717a6cb053371ff4a3b932941c1e5663f861a1d6ad34ae66576dfb98f6c6cbf9"
		"ddd5a56c7833f6bcfdff095582ad868e440e8d09fd769e3ceccdc3d3b1e4cfa0"
		"57776caaf9739b6a9fee8e7411f8d6dac09d6a4edb46cc2b5d5203090eae6126"
		"311e53fd2c14b574e6a3109a3da1be41bdceaa186f5ce06716a2b6a07b3c33fe",
		"5c804f454d30d9c4df85271f93528c91df6b48ab5f80b3b59caac1b28f8acba9"
		"cd3e39f3cb614525d9521d2e644c53b807b810f340062f257d7d6fbfe8d5e8f0"
		"72e9b6e9afda9413eafb2e8b0699b1fb5a0caceddeaead7e9cfbb36ae2b42083"
		"5bd83a19fb0b5e96bf8fa4d09e345525167ecd9155416f46f408ed31b63c6e6d",
	},
	{ "dh24", /* RFC 5114 A.3 */
		"0881382cdb87660c6dc13e614938d5b9c8b2f248581cc5e31b35454397fce50e",
		"2e9380c8323af97545bc4941deb0ec3742c62fe0ece824a6abdbe66c59bee024"
		"2911bfb967235ceba35ae13e4ec752be630b92dc4bde2847a9c62cb815274542"
		"1fb7eb60a63c0fe9159fcce726ce7cd8523d7450667ef840e4919121eb5f01c8"
		"c9b0d3d648a93bfb75689e8244ac134af544711ce79a02dcc34226684780dddc"
		"b498594106c37f5bc79856487af5ab022a2e5e42f09897c1a85a11ea0212af04"
		"d9b4cebc937c3c1a3e15a8a0342e337615c84e7fe3b8b9b87fb1e73a15af12a3"
		"0d746e06dfc34f290d797ce51aa13aa785bf6658aff5e4b093003cbeaf665b3c"
		"2e113a3a4e905269341dc0711426685f4ef37e868a8126ff3f2279b57ca67e29",
		"7d62a7e3ef36de617b13d1afb82c780d83a23bd4ee6705645121f371f546a53d",
		"575f0351bd2b1b817448bdf87a6c362c1e289d3903a30b9832c5741fa250363e"
		"7acbc7f77f3dacbc1f131add8e03367eff8fbbb3e1c5784424809b25afe4d226"
		"2a1a6fd2fab64105ca30a674e07f7809852088632fc049233791ad4edd083a97"
		"8b883ee618bc5e0dd047415f2d95e683cf14826b5fbe10d3ce41c6c120c78ab2"
		"0008c698bf7f0bcab9d7f407bed0f43afb2970f57f8d12043963e66ddd320d59"
		"9ad9936c8f44137c08b180ec5e985cebe186f3d549677e80607331ee17af3380"
		"a725b0782317d7dd43f59d7af9568a9bb63a84d365f92244ed120988219302f4"
		"2924c7ca90b89d24f71b0ab697823d7deb1aff5b0e8e4a45d49f7f53757e1913",
		"86c70bf8d0bb81bb01078a17219cb7d27203db2a19c877f1d1f19fd7d77ef225"
		"46a68f005ad52dc84553b78fc60330be51ea7c0672cac1515e4b35c047b9a551"
		"b88f39dc26da14a09ef74774d47c762dd177f9ed5bc2f11e52c879bd95098504"
		"cd9eecd8a8f9b3efbd1f008ac5853097d9d1837f2b18f77cd7be01af80a7c7b5"
		"ea3ca54cc02d0c116fee3f95bb87399385875d7e86747e676e728938acbff709"
		"8e05be4dcfb24052b83aeffb14783f029adbde7f53fae92084224090e007cee9"
		"4d4bf2bace9ffd4b57d2af7c724d0caa19bf0501f6f17b4aa10f425e3ea76080"
		"b4b9d6b3cefea115b2ceb8789bb8a3b0ea87febe63b6c8f846ec6db0c26c5d7c",
	},
};

/* Imports the private value of one side and the public value of the
 * other: both directions give Z. */
static void kat(const char *name, const char *xa, const char *ya, const char *xb,
		const char *yb, const char *z)
{
	chunk_t XA = hex(xa), YA = hex(ya), XB = hex(xb), YB = hex(yb), Z = hex(z);
	err_t e = NULL;
	struct dh_secret *a = dh_import(group(name), XA, YA, &e);
	if (a == NULL)
		fail_msg("%s: %s", name, e);
	struct dh_secret *b = dh_import(group(name), XB, YB, &e);
	assert_non_null(b);
	assert_true(chunk_eq(dh_public_value(a), YA));
	chunk_t s;
	e = dh_shared_secret(a, YB, &s);
	if (e != NULL)
		fail_msg("%s: %s", name, e);
	assert_true(chunk_eq(s, Z));
	chunk_free(&s);
	assert_null(dh_shared_secret(b, YA, &s));
	assert_true(chunk_eq(s, Z));
	chunk_free(&s);
	dh_free(&a);
	dh_free(&b);
	chunk_free(&XA);
	chunk_free(&YA);
	chunk_free(&XB);
	chunk_free(&YB);
	chunk_free(&Z);
}

static void test_rfc5114_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(modp_kats) / sizeof(modp_kats[0]); i++) {
		const struct modp_kat *k = &modp_kats[i];
		kat(k->group, k->xa, k->ya, k->xb, k->yb, k->z);
	}
}

/* RFC 5903 8.1 and 8.2: i, g^i = gix | giy, r, g^r = grx | gry, g^ir = girx
 * (the KE payload is x | y, the shared secret the x coordinate). */
static void test_rfc5903_vectors(void **state)
{
	(void)state;
	kat("ecp256",
	    "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	    "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	    "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	    "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	    "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	    "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	    "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
	/* RFC 5903 8.2 prints only i for the 384-bit group's initiator;
	 * the responder's private value r is not needed for one direction */
	chunk_t i = hex("099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
			"e35b538041e649ee3faef896783ab194");
	chunk_t gi = hex("667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
			 "de3ac808acb4bdb4c88732aee95f41aa"
			 "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
			 "eb9fcff3c2c947dae69b4c634573a81c");
	chunk_t gr = hex("e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
			 "0d1ac43a0336def96fda41d0774a3571"
			 "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
			 "f83fa40142209dff5eaad96db9e6386c");
	chunk_t gir = hex("11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
			  "d603135569b9e9d09cf5d4a270f59746");
	err_t e = NULL;
	struct dh_secret *s = dh_import(group("ecp384"), i, gi, &e);
	assert_non_null(s);
	chunk_t out;
	assert_null(dh_shared_secret(s, gr, &out));
	assert_true(chunk_eq(out, gir));
	chunk_free(&out);
	dh_free(&s);
	chunk_free(&i);
	chunk_free(&gi);
	chunk_free(&gr);
	chunk_free(&gir);
}

/* RFC 7748 6.1 (Alice and Bob) and 5.2 (the first X25519 vector). */
static void test_rfc7748_vectors(void **state)
{
	(void)state;
	kat("curve25519",
	    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	chunk_t k = hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	chunk_t u = hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
	chunk_t want = hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	err_t e = NULL;
	/* the public value is not used for this direction */
	struct dh_secret *s = dh_import(group("curve25519"), k, u, &e);
	assert_non_null(s);
	chunk_t out;
	assert_null(dh_shared_secret(s, u, &out));
	assert_true(chunk_eq(out, want));
	chunk_free(&out);
	dh_free(&s);
	chunk_free(&k);
	chunk_free(&u);
	chunk_free(&want);
}

static void expect_refused(struct dh_secret *s, chunk_t peer, const char *what)
{
	chunk_t out = { (uint8_t *)"x", 1 };
	err_t e = dh_shared_secret(s, peer, &out);
	if (e == NULL)
		fail_msg("%s was accepted", what);
	assert_null(out.ptr);
	assert_int_equal(out.len, 0);
}

/* RFC 2409 6.2 (group 2) prime, to build the boundary values. */
static const char modp1024_p[] =
	"ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	"020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	"4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	"ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff";

static void test_modp_bad_values(void **state)
{
	(void)state;
	err_t e = NULL;
	struct dh_secret *s = dh_generate(group("modp1024"), &e);
	assert_non_null(s);
	chunk_t v = chunk_alloc(128);
	expect_refused(s, v, "0");
	v.ptr[127] = 1;
	expect_refused(s, v, "1");
	chunk_free(&v);
	v = hex(modp1024_p);
	expect_refused(s, v, "p");
	v.ptr[127] -= 1;
	expect_refused(s, v, "p-1");
	v.ptr[127] -= 1;   /* p-2 is in range */
	chunk_t out;
	assert_null(dh_shared_secret(s, v, &out));
	assert_int_equal(out.len, 128);
	chunk_free(&out);
	memset(v.ptr, 0xff, v.len);
	expect_refused(s, v, "2^1024-1 (> p)");
	/* lengths: the KE data must be exactly the prime's length */
	chunk_t good = dh_public_value(s);
	expect_refused(s, chunk_from(good.ptr, 127), "127 bytes");
	chunk_t longer = chunk_alloc(129);
	memcpy(longer.ptr + 1, good.ptr, 128);   /* same value with a leading zero */
	expect_refused(s, longer, "129 bytes");
	expect_refused(s, EMPTY_CHUNK, "nothing");
	chunk_free(&longer);
	chunk_free(&v);
	dh_free(&s);
}

/* RFC 6989 2.2: a value outside the prime-order subgroup of groups 22-24
 * is refused; 2 is not in the subgroup of group 22. */
static void test_subgroup_check(void **state)
{
	(void)state;
	static const char *names[] = { "dh22", "dh23", "dh24" };
	for (size_t i = 0; i < 3; i++) {
		err_t e = NULL;
		struct dh_secret *s = dh_generate(group(names[i]), &e);
		assert_non_null(s);
		chunk_t v = chunk_alloc(dh_ke_len(group(names[i])));
		v.ptr[v.len - 1] = 2;
		expect_refused(s, v, "2 (outside the subgroup)");
		chunk_free(&v);
		dh_free(&s);
	}
}

static void test_ecp_bad_points(void **state)
{
	(void)state;
	static const char *names[] = { "ecp256", "ecp384", "ecp521" };
	for (size_t i = 0; i < 3; i++) {
		err_t e = NULL;
		struct dh_secret *s = dh_generate(group(names[i]), &e);
		struct dh_secret *peer = dh_generate(group(names[i]), &e);
		assert_non_null(s);
		assert_non_null(peer);
		chunk_t good = chunk_dup(dh_public_value(peer));
		chunk_t bad = chunk_dup(good);
		bad.ptr[bad.len - 1] ^= 1;   /* y changed: off the curve */
		expect_refused(s, bad, "a point off the curve");
		memset(bad.ptr, 0, bad.len);
		expect_refused(s, bad, "all zeros");
		/* the SEC1 form with its 04 prefix is not the IKE encoding */
		chunk_t sec1 = chunk_alloc(good.len + 1);
		sec1.ptr[0] = 4;
		memcpy(sec1.ptr + 1, good.ptr, good.len);
		expect_refused(s, sec1, "04 | x | y");
		expect_refused(s, chunk_from(good.ptr, good.len / 2), "x alone");
		chunk_t out;
		assert_null(dh_shared_secret(s, good, &out));
		chunk_free(&out);
		chunk_free(&sec1);
		chunk_free(&bad);
		chunk_free(&good);
		dh_free(&s);
		dh_free(&peer);
	}
}

/* RFC 8031 2: an all-zero shared secret (from a point of small order) is
 * refused; 0 and 1 are such points. */
static void test_x25519_bad_points(void **state)
{
	(void)state;
	err_t e = NULL;
	struct dh_secret *s = dh_generate(group("curve25519"), &e);
	assert_non_null(s);
	chunk_t v = chunk_alloc(32);
	expect_refused(s, v, "u = 0");
	v.ptr[0] = 1;   /* little-endian 1 */
	expect_refused(s, v, "u = 1");
	expect_refused(s, chunk_from(v.ptr, 31), "31 bytes");
	chunk_free(&v);
	dh_free(&s);
}

static void test_import_checks(void **state)
{
	(void)state;
	err_t e = NULL;
	uint8_t b[32] = { 1 };
	assert_null(dh_import(group("curve25519"), chunk_from(b, 32), chunk_from(b, 31), &e));
	assert_non_null(e);
	e = NULL;
	assert_null(dh_import(group("curve25519"), EMPTY_CHUNK, chunk_from(b, 32), &e));
	assert_non_null(e);
	struct dh_secret *none = NULL;
	dh_free(&none);   /* freeing nothing is fine */
}

/* pluto runs DH on a pool of helper threads: several threads at once,
 * each with its own secrets, all agree and none fails. */
static void *worker(void *arg)
{
	const char *name = arg;
	const struct alg_desc *g = alg_by_name(ALG_DH, name, strlen(name));
	for (int i = 0; i < 20; i++) {
		err_t e = NULL;
		struct dh_secret *a = dh_generate(g, &e), *b = dh_generate(g, &e);
		if (a == NULL || b == NULL)
			return (void *)"generate";
		chunk_t s1, s2;
		if (dh_shared_secret(a, dh_public_value(b), &s1) != NULL)
			return (void *)"shared a";
		if (dh_shared_secret(b, dh_public_value(a), &s2) != NULL)
			return (void *)"shared b";
		bool same = chunk_eq(s1, s2);
		/* an error in this thread does not disturb the others' texts */
		chunk_t bad;
		e = dh_shared_secret(a, EMPTY_CHUNK, &bad);
		if (e == NULL || strstr(e, name) == NULL)
			return (void *)"error text";
		chunk_free(&s1);
		chunk_free(&s2);
		dh_free(&a);
		dh_free(&b);
		if (!same)
			return (void *)"disagree";
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	static const char *names[] = { "curve25519", "ecp256", "modp1024", "curve25519" };
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)names[i]), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		assert_int_equal(pthread_join(t[i], &r), 0);
		if (r != NULL)
			fail_msg("thread %d (%s): %s", i, names[i], (const char *)r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_group_agrees),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_rfc5114_vectors),
		cmocka_unit_test(test_rfc5903_vectors),
		cmocka_unit_test(test_rfc7748_vectors),
		cmocka_unit_test(test_modp_bad_values),
		cmocka_unit_test(test_subgroup_check),
		cmocka_unit_test(test_ecp_bad_points),
		cmocka_unit_test(test_x25519_bad_points),
		cmocka_unit_test(test_import_checks),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
