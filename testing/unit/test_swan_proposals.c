/* Unit tests: the algorithm table and ike=/esp=/ah= proposal strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "swan/alg.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static const char *proto_text(enum alg_proto p)
{
	return p == ALG_FOR_IKE ? "IKE" : p == ALG_FOR_ESP ? "ESP" : "AH";
}

static const struct alg_desc *by(enum alg_type t, const char *name)
{
	const struct alg_desc *a = alg_by_name(t, name, strlen(name));
	CHECK(a != NULL, "no algorithm '%s'", name);
	return a;
}

/* ---- the table ---------------------------------------------------------- */

static void test_table_ids(void **state)
{
	(void)state;
	static const struct {
		enum alg_type type;
		const char *name;
		unsigned id;
		unsigned usable;
	} ids[] = {
		{ ALG_ENCRYPT, "3des", 3, ALG_IKE | ALG_ESP },
		{ ALG_ENCRYPT, "null", 11, ALG_ESP },
		{ ALG_ENCRYPT, "aes", 12, ALG_IKE | ALG_ESP },
		{ ALG_ENCRYPT, "aes_ctr", 13, ALG_ESP },
		{ ALG_ENCRYPT, "aes_ccm8", 14, ALG_ESP },
		{ ALG_ENCRYPT, "aes_ccm12", 15, ALG_ESP },
		{ ALG_ENCRYPT, "aes_ccm16", 16, ALG_ESP },
		{ ALG_ENCRYPT, "aes_gcm8", 18, ALG_ESP },
		{ ALG_ENCRYPT, "aes_gcm12", 19, ALG_ESP },
		{ ALG_ENCRYPT, "aes_gcm16", 20, ALG_IKE | ALG_ESP },
		{ ALG_PRF, "prfmd5", 1, ALG_IKE },
		{ ALG_PRF, "prfsha1", 2, ALG_IKE },
		{ ALG_PRF, "prfsha2_256", 5, ALG_IKE },
		{ ALG_PRF, "prfsha2_384", 6, ALG_IKE },
		{ ALG_PRF, "prfsha2_512", 7, ALG_IKE },
		{ ALG_INTEG, "null", 0, ALG_ESP },
		{ ALG_INTEG, "md5", 1, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_INTEG, "sha1", 2, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_INTEG, "sha2_256", 12, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_INTEG, "sha2_384", 13, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_INTEG, "sha2_512", 14, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp1024", 2, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp1536", 5, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp2048", 14, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp3072", 15, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp4096", 16, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp6144", 17, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "modp8192", 18, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "ecp256", 19, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "ecp384", 20, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "ecp521", 21, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "dh22", 22, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "dh23", 23, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "dh24", 24, ALG_IKE | ALG_ESP | ALG_AH },
		{ ALG_DH, "curve25519", 31, ALG_IKE | ALG_ESP | ALG_AH },
	};
	assert_int_equal(alg_table_len, sizeof(ids) / sizeof(ids[0]));
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct alg_desc *a = by(ids[i].type, ids[i].name);
		assert_string_equal(a->name, ids[i].name);
		CHECK(a->ikev2_id == ids[i].id, "%s: id %u want %u", ids[i].name, a->ikev2_id, ids[i].id);
		CHECK(a->usable == ids[i].usable, "%s: usable %u", ids[i].name, a->usable);
		assert_ptr_equal(alg_by_ikev2_id(ids[i].type, (uint16_t)ids[i].id), a);
		if (a->type == ALG_DH)
			assert_int_equal(a->dh_group, a->ikev2_id);
	}
}

/* IKEv1's numbers (RFC 2409 app. A, RFC 2407, RFC 4868) map to the same
 * descriptions, both ways. */
static void test_table_ikev1_ids(void **state)
{
	(void)state;
	static const struct {
		enum alg_type type;
		const char *name;
		unsigned phase1, ipsec, ah;
	} ids[] = {
		{ ALG_ENCRYPT, "3des", 5, 3, 0 },
		{ ALG_ENCRYPT, "aes", 7, 12, 0 },
		{ ALG_ENCRYPT, "aes_gcm16", 0, 20, 0 },
		{ ALG_ENCRYPT, "null", 0, 11, 0 },
		{ ALG_INTEG, "md5", 1, 1, 2 },
		{ ALG_INTEG, "sha1", 2, 2, 3 },
		{ ALG_INTEG, "sha2_256", 4, 5, 5 },
		{ ALG_INTEG, "sha2_512", 6, 7, 7 },
		{ ALG_PRF, "prfsha2_384", 5, 0, 0 },
		{ ALG_DH, "modp1024", 2, 2, 0 },
		{ ALG_DH, "modp2048", 14, 14, 0 },
		{ ALG_DH, "ecp384", 20, 20, 0 },
		{ ALG_DH, "curve25519", 31, 31, 0 },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct alg_desc *a = alg_by_name(ids[i].type, ids[i].name, strlen(ids[i].name));
		assert_non_null(a);
		CHECK(alg_ikev1_id(a, ALG_V1_PHASE1) == ids[i].phase1, "%s: phase 1 id %u", ids[i].name,
		      alg_ikev1_id(a, ALG_V1_PHASE1));
		CHECK(alg_ikev1_id(a, ALG_V1_IPSEC) == ids[i].ipsec, "%s: IPsec id %u", ids[i].name,
		      alg_ikev1_id(a, ALG_V1_IPSEC));
		CHECK(alg_ikev1_id(a, ALG_V1_AH) == ids[i].ah, "%s: AH id %u", ids[i].name,
		      alg_ikev1_id(a, ALG_V1_AH));
		if (ids[i].phase1)
			assert_ptr_equal(alg_by_ikev1_id(ids[i].type, ALG_V1_PHASE1, (uint16_t)ids[i].phase1), a);
		if (ids[i].ipsec)
			assert_ptr_equal(alg_by_ikev1_id(ids[i].type, ALG_V1_IPSEC, (uint16_t)ids[i].ipsec), a);
		if (ids[i].ah)
			assert_ptr_equal(alg_by_ikev1_id(ids[i].type, ALG_V1_AH, (uint16_t)ids[i].ah), a);
	}
	/* every algorithm has a number in some IKEv1 space, but the "null"
	 * integrity of AEAD (IKEv1 has no transform for it); none twice */
	for (size_t i = 0; i < alg_table_len; i++) {
		const struct alg_desc *a = &alg_table[i];
		unsigned any = 0;
		for (int s = ALG_V1_PHASE1; s <= ALG_V1_AH; s++) {
			uint16_t id = alg_ikev1_id(a, (enum alg_ikev1_space)s);
			any |= id;
			if (id != 0)
				CHECK(alg_by_ikev1_id(a->type, (enum alg_ikev1_space)s, id) == a,
				      "%s: IKEv1 id %u (space %d) is taken by another", a->name, id, s);
		}
		CHECK(any != 0 || (a->type == ALG_INTEG && a->ikev2_id == 0), "%s has no IKEv1 number", a->name);
	}
	assert_null(alg_by_ikev1_id(ALG_ENCRYPT, ALG_V1_PHASE1, 1));   /* DES: not supported */
	assert_null(alg_by_ikev1_id(ALG_INTEG, ALG_V1_AH, 0));
}

static void test_table_aliases(void **state)
{
	(void)state;
	static const struct {
		enum alg_type type;
		const char *alias, *name;
	} aliases[] = {
		{ ALG_ENCRYPT, "3des_cbc", "3des" }, { ALG_ENCRYPT, "3DES", "3des" },
		{ ALG_ENCRYPT, "aes_cbc", "aes" }, { ALG_ENCRYPT, "AES", "aes" },
		{ ALG_ENCRYPT, "aes_gcm", "aes_gcm16" }, { ALG_ENCRYPT, "aes_gcm_c", "aes_gcm16" },
		{ ALG_ENCRYPT, "aes_gcm_b", "aes_gcm12" }, { ALG_ENCRYPT, "aes_gcm_a", "aes_gcm8" },
		{ ALG_ENCRYPT, "aes_ccm_c", "aes_ccm16" }, { ALG_ENCRYPT, "aes_ccm_b", "aes_ccm12" },
		{ ALG_ENCRYPT, "aes_ccm_a", "aes_ccm8" },
		{ ALG_INTEG, "hmac_md5", "md5" }, { ALG_INTEG, "hmac-md5", "md5" },
		{ ALG_INTEG, "sha", "sha1" }, { ALG_INTEG, "hmac_sha1", "sha1" },
		{ ALG_INTEG, "sha256", "sha2_256" }, { ALG_INTEG, "sha2", "sha2_256" },
		{ ALG_INTEG, "sha384", "sha2_384" }, { ALG_INTEG, "sha512", "sha2_512" },
		{ ALG_DH, "dh2", "modp1024" }, { ALG_DH, "dh5", "modp1536" }, { ALG_DH, "dh19", "ecp256" },
		{ ALG_DH, "modp1024s160", "dh22" }, { ALG_DH, "modp2048s224", "dh23" },
		{ ALG_DH, "modp2048s256", "dh24" }, { ALG_DH, "dh31", "curve25519" },
		{ ALG_DH, "x25519", "curve25519" }, { ALG_DH, "DH14", "modp2048" },
	};
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		CHECK(by(aliases[i].type, aliases[i].alias) == by(aliases[i].type, aliases[i].name),
		      "'%s' is not '%s'", aliases[i].alias, aliases[i].name);
	/* Every group answers to "dhN". */
	for (size_t i = 0; i < alg_table_len; i++) {
		if (alg_table[i].type != ALG_DH)
			continue;
		char name[16];
		snprintf(name, sizeof(name), "dh%u", alg_table[i].dh_group);
		CHECK(by(ALG_DH, name) == &alg_table[i], "'%s'", name);
	}
	/* Length, not NUL, bounds the name; types are separate. */
	assert_ptr_equal(alg_by_name(ALG_ENCRYPT, "aes128", 3), by(ALG_ENCRYPT, "aes"));
	assert_null(alg_by_name(ALG_ENCRYPT, "aes", 2));
	assert_null(alg_by_name(ALG_ENCRYPT, "sha1", 4));
	assert_null(alg_by_name(ALG_DH, "des", 3));
	assert_null(alg_by_name(ALG_ENCRYPT, "des", 3));
	assert_null(alg_by_name(ALG_DH, "modp768", 7));
	assert_null(alg_by_name(ALG_INTEG, "", 0));
	assert_null(alg_by_ikev2_id(ALG_ENCRYPT, 2));
}

static void test_table_sanity(void **state)
{
	(void)state;
	for (size_t i = 0; i < alg_table_len; i++) {
		const struct alg_desc *a = &alg_table[i];
		/* Names are unique within a type, aliases included. */
		CHECK(alg_by_name(a->type, a->name, strlen(a->name)) == a, "%s shadowed", a->name);
		if (a->keylens[0] != 0) {
			bool has_default = false;
			for (size_t k = 0; k < 4 && a->keylens[k]; k++)
				has_default |= a->keylens[k] == a->default_keylen;
			CHECK(has_default, "%s default key length", a->name);
		}
		if (a->aead)
			CHECK(a->icv_octets == 8 || a->icv_octets == 12 || a->icv_octets == 16, "%s", a->name);
	}
	assert_int_equal(by(ALG_ENCRYPT, "aes_gcm16")->icv_octets, 16);
	assert_int_equal(by(ALG_ENCRYPT, "aes_ccm8")->icv_octets, 8);
	assert_true(by(ALG_ENCRYPT, "aes_ccm12")->aead);
	assert_false(by(ALG_ENCRYPT, "aes")->aead);
	assert_int_equal(by(ALG_ENCRYPT, "aes")->default_keylen, 128);
	assert_int_equal(by(ALG_ENCRYPT, "3des")->keylens[0], 0);
	assert_int_equal(by(ALG_INTEG, "sha2_256")->icv_octets, 16);
	assert_string_equal(by(ALG_ENCRYPT, "3des")->weak, "3DES has a 64-bit block");
	assert_string_equal(by(ALG_ENCRYPT, "null")->weak, "no encryption");
	assert_string_equal(by(ALG_INTEG, "md5")->weak, "MD5 is broken");
	assert_string_equal(by(ALG_DH, "modp1024")->weak, "MODP1024 is too small");
	assert_non_null(by(ALG_DH, "dh22")->weak);
	assert_null(by(ALG_DH, "dh23")->weak);
	assert_null(by(ALG_ENCRYPT, "aes")->weak);
}

/* ---- parsing ------------------------------------------------------------ */

static bool proposals_equal(const struct proposals *a, const struct proposals *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		const struct proposal *x = &a->p[i], *y = &b->p[i];
		if (x->encr != y->encr || x->keylen != y->keylen || x->integ != y->integ ||
		    x->prf != y->prf || x->dh != y->dh)
			return false;
	}
	return true;
}

struct good {
	enum alg_proto proto;
	const char *in, *out;
};

static const struct good good[] = {
	/* strongSwan's AEAD spellings: key size first, ICV in octets or bits */
	{ ALG_FOR_IKE, "aes256gcm16-prfsha384-ecp384", "aes_gcm16_256-sha2_384;ecp384" },
	{ ALG_FOR_ESP, "aes128gcm-ecp256", "aes_gcm16_128;ecp256" },
	{ ALG_FOR_ESP, "aes256gcm64", "aes_gcm8_256" },
	{ ALG_FOR_ESP, "aes128ccm96", "aes_ccm12_128" },
	{ ALG_FOR_IKE, "3des-sha1", "3des-sha1" },
	{ ALG_FOR_IKE, "aes", "aes" },
	{ ALG_FOR_IKE, "aes128-md5;modp2048", "aes128-md5;modp2048" },
	{ ALG_FOR_IKE, "aes128-sha1;dh22", "aes128-sha1;dh22" },
	{ ALG_FOR_IKE, "3des-md5;modp1024,aes-sha1;modp1536", "3des-md5;modp1024,aes-sha1;modp1536" },
	{ ALG_FOR_IKE, "modp1536", "modp1536" },
	{ ALG_FOR_IKE, "aes128-sha2_256-modp2048", "aes128-sha2_256;modp2048" },
	{ ALG_FOR_IKE, "aes_gcm16_256-sha2_256;curve25519", "aes_gcm16_256-sha2_256;curve25519" },
	{ ALG_FOR_IKE, "AES_128-SHA2;DH19", "aes128-sha2_256;ecp256" },
	{ ALG_FOR_IKE, "aes-128-sha1", "aes128-sha1" },
	{ ALG_FOR_IKE, "aes_256-sha2_512", "aes256-sha2_512" },
	{ ALG_FOR_IKE, "aes256-sha1-prfsha2_256;modp2048", "aes256-sha1-prfsha2_256;modp2048" },
	{ ALG_FOR_IKE, "aes-prfsha1", "aes-prfsha1" },
	{ ALG_FOR_IKE, "aes_gcm_c_256-sha2_512", "aes_gcm16_256-sha2_512" },
	{ ALG_FOR_IKE, "aes_gcm16_256-prfsha2_384", "aes_gcm16_256-sha2_384" },
	{ ALG_FOR_IKE, "aes_gcm-sha1", "aes_gcm16-sha1" },
	{ ALG_FOR_IKE, "aes_gcm16_288-sha1", "aes_gcm16_256-sha1" },
	{ ALG_FOR_IKE, "aes_gcm16-256-sha1", "aes_gcm16_256-sha1" },
	{ ALG_FOR_IKE, "aes_gcm16", "aes_gcm16" },
	{ ALG_FOR_IKE, " aes-sha1 , 3des-md5 ", "aes-sha1,3des-md5" },
	{ ALG_FOR_IKE, "aes-sha1,\taes-md5", "aes-sha1,aes-md5" },
	{ ALG_FOR_IKE, "aes-x25519", "aes;curve25519" },
	{ ALG_FOR_IKE, "aes192-sha384;modp8192", "aes192-sha2_384;modp8192" },
	{ ALG_FOR_IKE, "3des_cbc-hmac_sha1;dh2", "3des-sha1;modp1024" },
	{ ALG_FOR_IKE, "aes-sha1;dh24", "aes-sha1;dh24" },
	{ ALG_FOR_IKE, "aes-sha1;ecp521", "aes-sha1;ecp521" },
	{ ALG_FOR_IKE, "dh31", "curve25519" },
	{ ALG_FOR_ESP, "3des-md5", "3des-md5" },
	{ ALG_FOR_ESP, "aes256-sha1;modp2048", "aes256-sha1;modp2048" },
	{ ALG_FOR_ESP, "aes-sha1,aes-md5", "aes-sha1,aes-md5" },
	{ ALG_FOR_ESP, "aes256-sha1;dh23", "aes256-sha1;dh23" },
	{ ALG_FOR_ESP, "aes_ccm_a-152-null", "aes_ccm8_128-null" },
	{ ALG_FOR_ESP, "aes_ccm_c_280-null", "aes_ccm16_256-null" },
	{ ALG_FOR_ESP, "aes_ccm_b-216-null", "aes_ccm12_192-null" },
	{ ALG_FOR_ESP, "aes_ccm8_192-null", "aes_ccm8_192-null" },
	{ ALG_FOR_ESP, "aes_gcm16_128-null", "aes_gcm16_128-null" },
	{ ALG_FOR_ESP, "aes_gcm-null", "aes_gcm16-null" },
	{ ALG_FOR_ESP, "aes_gcm_a-160-null", "aes_gcm8_128-null" },
	{ ALG_FOR_ESP, "aes_gcm12_256-null;modp2048", "aes_gcm12_256-null;modp2048" },
	{ ALG_FOR_ESP, "aes_gcm128-null", "aes_gcm16_128-null" },
	{ ALG_FOR_ESP, "aes_gcm16256-null", "aes_gcm16_256-null" },
	{ ALG_FOR_ESP, "aes_gcm16", "aes_gcm16" },
	{ ALG_FOR_ESP, "aes_ctr256-sha2_512", "aes_ctr256-sha2_512" },
	{ ALG_FOR_ESP, "aes_ctr_128-sha1", "aes_ctr128-sha1" },
	{ ALG_FOR_ESP, "null-sha1", "null-sha1" },
	{ ALG_FOR_ESP, "aes", "aes" },
	{ ALG_FOR_ESP, "aes-hmac-sha1", "aes-sha1" },
	{ ALG_FOR_ESP, "aes-sha1-modp2048", "aes-sha1;modp2048" },
	{ ALG_FOR_ESP, "3des", "3des" },
	{ ALG_FOR_AH, "md5", "md5" },
	{ ALG_FOR_AH, "sha1;modp1536", "sha1;modp1536" },
	{ ALG_FOR_AH, "hmac-md5", "md5" },
	{ ALG_FOR_AH, "hmac_sha1", "sha1" },
	{ ALG_FOR_AH, "sha2_256", "sha2_256" },
	{ ALG_FOR_AH, "sha512;ecp384", "sha2_512;ecp384" },
	{ ALG_FOR_AH, "sha1,md5", "sha1,md5" },
	{ ALG_FOR_AH, "sha1-modp2048", "sha1;modp2048" },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct proposals p, again;
		char err[200], buf[512], buf2[512];
		err_t e = ttoproposals(good[i].in, good[i].proto, &p, err, sizeof(err));
		CHECK(e == NULL, "%s '%s' rejected: %s", proto_text(good[i].proto), good[i].in, e);
		str_proposals(&p, good[i].proto, buf, sizeof(buf));
		CHECK(strcmp(buf, good[i].out) == 0, "%s '%s' -> '%s', want '%s'",
		      proto_text(good[i].proto), good[i].in, buf, good[i].out);
		/* Round trip: the canonical text parses to the same proposals. */
		e = ttoproposals(buf, good[i].proto, &again, err, sizeof(err));
		CHECK(e == NULL, "'%s' does not reparse: %s", buf, e);
		CHECK(proposals_equal(&p, &again), "'%s' reparses differently", buf);
		str_proposals(&again, good[i].proto, buf2, sizeof(buf2));
		CHECK(strcmp(buf, buf2) == 0, "'%s' not stable: '%s'", buf, buf2);
	}
}

static void test_structure(void **state)
{
	(void)state;
	struct proposals p;
	char err[200];

	/* ENC-HASH in IKE: the hash gives integrity and PRF. */
	assert_null(ttoproposals("aes128-sha2_256;modp2048", ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_int_equal(p.n, 1);
	assert_ptr_equal(p.p[0].encr, by(ALG_ENCRYPT, "aes"));
	assert_int_equal(p.p[0].keylen, 128);
	assert_ptr_equal(p.p[0].integ, by(ALG_INTEG, "sha2_256"));
	assert_ptr_equal(p.p[0].prf, by(ALG_PRF, "prfsha2_256"));
	assert_ptr_equal(p.p[0].dh, by(ALG_DH, "modp2048"));
	assert_null(p.weak);

	/* AEAD in IKE: the hash is the PRF only. */
	assert_null(ttoproposals("aes_gcm16_256-sha2_256;curve25519", ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_ptr_equal(p.p[0].encr, by(ALG_ENCRYPT, "aes_gcm16"));
	assert_int_equal(p.p[0].keylen, 256);
	assert_null(p.p[0].integ);
	assert_ptr_equal(p.p[0].prf, by(ALG_PRF, "prfsha2_256"));
	assert_ptr_equal(p.p[0].dh, by(ALG_DH, "curve25519"));

	/* Bare cipher: everything else left to defaults. */
	assert_null(ttoproposals("aes", ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_int_equal(p.p[0].keylen, 0);
	assert_null(p.p[0].integ);
	assert_null(p.p[0].prf);
	assert_null(p.p[0].dh);

	/* DH only. */
	assert_null(ttoproposals("modp1536", ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_null(p.p[0].encr);
	assert_ptr_equal(p.p[0].dh, by(ALG_DH, "modp1536"));

	/* ESP AEAD with "-null": integrity NONE. */
	assert_null(ttoproposals("aes_ccm_a-152-null", ALG_FOR_ESP, &p, err, sizeof(err)));
	assert_ptr_equal(p.p[0].encr, by(ALG_ENCRYPT, "aes_ccm8"));
	assert_int_equal(p.p[0].keylen, 128);
	assert_ptr_equal(p.p[0].integ, by(ALG_INTEG, "null"));
	assert_null(p.p[0].prf);

	/* ESP never gets a PRF. */
	assert_null(ttoproposals("aes-sha1", ALG_FOR_ESP, &p, err, sizeof(err)));
	assert_null(p.p[0].prf);

	/* AH: integrity only. */
	assert_null(ttoproposals("hmac-md5;modp2048", ALG_FOR_AH, &p, err, sizeof(err)));
	assert_null(p.p[0].encr);
	assert_ptr_equal(p.p[0].integ, by(ALG_INTEG, "md5"));
	assert_ptr_equal(p.p[0].dh, by(ALG_DH, "modp2048"));

	/* The output is untouched on error. */
	struct proposals before = p;
	assert_non_null(ttoproposals("aes-bogus", ALG_FOR_ESP, &p, err, sizeof(err)));
	assert_true(proposals_equal(&before, &p));
}

static void test_weak(void **state)
{
	(void)state;
	static const struct {
		enum alg_proto proto;
		const char *in, *weak;
	} cases[] = {
		{ ALG_FOR_IKE, "3des-md5;modp1024", "3DES has a 64-bit block" },
		{ ALG_FOR_IKE, "aes-md5", "MD5 is broken" },
		{ ALG_FOR_IKE, "aes-sha1;modp1024", "MODP1024 is too small" },
		{ ALG_FOR_IKE, "aes-sha1;modp2048,aes-md5;modp1024", "MD5 is broken" },
		{ ALG_FOR_IKE, "aes-sha1", NULL },
		{ ALG_FOR_IKE, "aes-sha1;dh22", "dh22" },
		{ ALG_FOR_IKE, "aes-sha1;dh23", NULL },
		{ ALG_FOR_ESP, "null-sha1", "no encryption" },
		{ ALG_FOR_ESP, "aes-sha2_256;modp2048", NULL },
		{ ALG_FOR_AH, "md5", "MD5 is broken" },
		{ ALG_FOR_AH, "sha1;dh2", "MODP1024 is too small" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proposals p;
		char err[200];
		assert_null(ttoproposals(cases[i].in, cases[i].proto, &p, err, sizeof(err)));
		if (cases[i].weak == NULL)
			CHECK(p.weak == NULL, "'%s' weak: %s", cases[i].in, p.weak);
		else if (strcmp(cases[i].weak, "dh22") == 0)
			CHECK(p.weak == by(ALG_DH, "dh22")->weak, "'%s' weak: %s", cases[i].in, p.weak);
		else
			CHECK(p.weak != NULL && strcmp(p.weak, cases[i].weak) == 0, "'%s' weak: %s",
			      cases[i].in, p.weak ? p.weak : "(none)");
	}
}

struct bad {
	enum alg_proto proto;
	const char *in;
	const char *msg;   /* expected error text, or a substring it must hold */
};

static const struct bad bad[] = {
	{ ALG_FOR_IKE, "", "empty" },
	{ ALG_FOR_IKE, "  ", "empty" },
	{ ALG_FOR_IKE, "aes,", "empty proposal" },
	{ ALG_FOR_IKE, ",aes", "empty proposal" },
	{ ALG_FOR_IKE, "aes,,3des", "empty proposal" },
	{ ALG_FOR_IKE, "aes, ,3des", "empty proposal" },
	{ ALG_FOR_IKE, "aes999", "unknown encryption algorithm 'aes999'" },
	{ ALG_FOR_IKE, "aes512-sha1", "unknown encryption algorithm 'aes512'" },
	{ ALG_FOR_IKE, "foo-sha1", "unknown encryption algorithm 'foo'" },
	{ ALG_FOR_IKE, "modp768", "DH group 'modp768' is not supported (insecure)" },
	{ ALG_FOR_IKE, "aes-sha1;modp768", "DH group 'modp768' is not supported (insecure)" },
	{ ALG_FOR_IKE, "aes-sha1-modp768", "DH group 'modp768' is not supported (insecure)" },
	{ ALG_FOR_IKE, "des-sha1", "encryption algorithm 'des' is not supported (insecure)" },
	{ ALG_FOR_IKE, "1des-md5", "encryption algorithm '1des' is not supported (insecure)" },
	{ ALG_FOR_ESP, "des-md5", "encryption algorithm 'des' is not supported (insecure)" },
	{ ALG_FOR_IKE, "aes-sha1;dh1", "not supported (insecure)" },
	{ ALG_FOR_IKE, "aes_ctr-sha1", "'aes_ctr' cannot be used in IKE" },
	{ ALG_FOR_IKE, "aes_gcm12_128-sha1", "cannot be used in IKE" },
	{ ALG_FOR_IKE, "aes_ccm16-sha1", "cannot be used in IKE" },
	{ ALG_FOR_IKE, "null-sha1", "'null' cannot be used in IKE" },
	{ ALG_FOR_IKE, "aes-null", "'null'" },
	{ ALG_FOR_IKE, "aes_gcm16-null", "'null'" },
	{ ALG_FOR_IKE, "aes-foo", "unknown integrity algorithm 'foo'" },
	{ ALG_FOR_IKE, "aes-sha1;", "no DH group" },
	{ ALG_FOR_IKE, "aes-sha1;foo", "unknown DH group 'foo'" },
	{ ALG_FOR_IKE, "aes-sha1;modp9999", "unknown DH group 'modp9999'" },
	{ ALG_FOR_IKE, "aes-sha1-modp9999", "unknown DH group 'modp9999'" },
	{ ALG_FOR_IKE, "aes-sha1;modp2048;modp1024", "more than one ';'" },
	{ ALG_FOR_IKE, "aes-sha1-modp2048;modp1024", "more than one DH group" },
	{ ALG_FOR_IKE, "aes_512-sha1", "key length 512 is not allowed" },
	{ ALG_FOR_IKE, "aes-512-sha1", "key length 512 is not allowed" },
	{ ALG_FOR_IKE, "aes-0-sha1", "key length 0 is not allowed" },
	{ ALG_FOR_IKE, "aes_gcm16_192-sha1", "key length 192 is not allowed" },
	{ ALG_FOR_IKE, "3des_168-sha1", "'3des' does not take a key length" },
	{ ALG_FOR_IKE, "3des-168-sha1", "'3des' does not take a key length" },
	{ ALG_FOR_IKE, "aes128-256-sha1", "unexpected key length '256'" },
	{ ALG_FOR_IKE, "aes-sha1-128", "unexpected key length '128'" },
	{ ALG_FOR_IKE, "aes--sha1", "empty algorithm name" },
	{ ALG_FOR_IKE, "aes-", "empty algorithm name" },
	{ ALG_FOR_IKE, "-aes", "empty algorithm name" },
	{ ALG_FOR_IKE, ";modp2048", "empty algorithm name" },
	{ ALG_FOR_IKE, "aes-sha1-md5", "more than one integrity algorithm" },
	{ ALG_FOR_IKE, "aes-sha1-prfsha1-prfmd5", "more than one PRF" },
	{ ALG_FOR_IKE, "aes_gcm16-sha1-sha2_256", "more than one PRF" },
	{ ALG_FOR_IKE, "sha1", "must start with an encryption algorithm" },
	{ ALG_FOR_IKE, "prfsha1", "must start with an encryption algorithm" },
	{ ALG_FOR_IKE, "modp2048-aes", "DH group must come last" },
	{ ALG_FOR_IKE, "modp2048;modp1024", "DH group must come last" },
	{ ALG_FOR_IKE, "aes-sha1-3des", "unexpected encryption algorithm '3des'" },
	{ ALG_FOR_IKE, "aes - sha1", "unknown" },
	{ ALG_FOR_IKE, "aes-hmac", "unknown integrity algorithm 'hmac'" },
	{ ALG_FOR_ESP, "aes_gcm16-sha1", "integrity algorithm 'sha1' cannot be used with AEAD" },
	{ ALG_FOR_ESP, "aes_ccm_a-152-sha2_256", "cannot be used with AEAD" },
	{ ALG_FOR_ESP, "aes-null", "only allowed with AEAD" },
	{ ALG_FOR_ESP, "null-null", "only allowed with AEAD" },
	{ ALG_FOR_ESP, "aes-prfsha1", "PRF 'prfsha1' cannot be used in ESP" },
	{ ALG_FOR_ESP, "modp2048", "must start with an encryption algorithm" },
	{ ALG_FOR_ESP, "sha1", "must start with an encryption algorithm" },
	{ ALG_FOR_ESP, "aes_gcm16_192-null", "key length 192 is not allowed" },
	{ ALG_FOR_ESP, "aes_ccm_a-153-null", "key length 153 is not allowed" },
	{ ALG_FOR_ESP, "aes_gcm_a-152-null", "key length 152 is not allowed" },
	{ ALG_FOR_ESP, "aes-sha1-aes", "unexpected encryption algorithm 'aes'" },
	{ ALG_FOR_ESP, "aes-sha1;modp768", "not supported (insecure)" },
	{ ALG_FOR_ESP, "aes999-sha1", "unknown encryption algorithm 'aes999'" },
	{ ALG_FOR_AH, "aes", "encryption algorithm 'aes' cannot be used in AH" },
	{ ALG_FOR_AH, "aes128", "encryption algorithm 'aes128' cannot be used in AH" },
	{ ALG_FOR_AH, "null", "'null' cannot be used in AH" },
	{ ALG_FOR_AH, "3des-md5", "cannot be used in AH" },
	{ ALG_FOR_AH, "", "empty" },
	{ ALG_FOR_AH, "md5-sha1", "more than one integrity algorithm" },
	{ ALG_FOR_AH, "hmac", "unknown integrity algorithm 'hmac'" },
	{ ALG_FOR_AH, "foo", "unknown integrity algorithm 'foo'" },
	{ ALG_FOR_AH, "md5;", "no DH group" },
	{ ALG_FOR_AH, "md5-prfmd5", "PRF 'prfmd5' cannot be used in AH" },
	{ ALG_FOR_AH, "md5-128", "unexpected key length" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proposals p;
		char err[200];
		err_t e = ttoproposals(bad[i].in, bad[i].proto, &p, err, sizeof(err));
		CHECK(e != NULL, "%s '%s' accepted", proto_text(bad[i].proto), bad[i].in);
		CHECK(e == err, "%s '%s': error not in errbuf", proto_text(bad[i].proto), bad[i].in);
		CHECK(strstr(e, bad[i].msg) != NULL, "%s '%s': error '%s' lacks '%s'",
		      proto_text(bad[i].proto), bad[i].in, e, bad[i].msg);
	}
	/* The exact wording for the two examples the callers show. */
	struct proposals p;
	char err[200];
	assert_string_equal(ttoproposals("aes999", ALG_FOR_IKE, &p, err, sizeof(err)),
			    "unknown encryption algorithm 'aes999'");
	assert_string_equal(ttoproposals("aes-sha1;modp768", ALG_FOR_IKE, &p, err, sizeof(err)),
			    "DH group 'modp768' is not supported (insecure)");
}

static void test_limits(void **state)
{
	(void)state;
	struct proposals p;
	char err[200], text[1024] = "";
	for (int i = 0; i < PROPOSALS_MAX; i++)
		strcat(text, i ? ",aes-sha1" : "aes-sha1");
	assert_null(ttoproposals(text, ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_int_equal(p.n, PROPOSALS_MAX);
	strcat(text, ",aes-sha1");
	assert_non_null(ttoproposals(text, ALG_FOR_IKE, &p, err, sizeof(err)));
	assert_non_null(strstr(err, "16"));

	/* Errors are truncated to the buffer; no buffer: a generic text. */
	char tiny[8];
	err_t e = ttoproposals("aes999", ALG_FOR_IKE, &p, tiny, sizeof(tiny));
	assert_ptr_equal(e, tiny);
	assert_int_equal(strlen(tiny), 7);
	e = ttoproposals("aes999", ALG_FOR_IKE, &p, NULL, 0);
	assert_non_null(e);
	assert_non_null(ttoproposals(NULL, ALG_FOR_IKE, &p, err, sizeof(err)));

	/* Many '-' tokens. */
	assert_non_null(ttoproposals("aes-sha1-sha1-sha1-sha1-sha1-sha1-sha1-sha1-sha1-sha1-sha1-sha1-"
				     "sha1-sha1-sha1-sha1-sha1-sha1", ALG_FOR_IKE, &p, err, sizeof(err)));

	/* Formatting into a short buffer truncates safely. */
	assert_null(ttoproposals("aes128-sha2_256;modp2048,3des-sha1", ALG_FOR_IKE, &p, err, sizeof(err)));
	char out[64];
	assert_string_equal(str_proposals(&p, ALG_FOR_IKE, out, sizeof(out)),
			    "aes128-sha2_256;modp2048,3des-sha1");
	memset(out, 'z', sizeof(out));
	str_proposals(&p, ALG_FOR_IKE, out, 10);
	assert_string_equal(out, "aes128-sh");
	assert_int_equal(out[10], 'z');
	str_proposals(&p, ALG_FOR_IKE, out, 1);
	assert_string_equal(out, "");
}

/* Every encryption x integrity x DH combination the table allows in ESP
 * and IKE parses, and its canonical text round trips. */
static void test_combinations(void **state)
{
	(void)state;
	static const enum alg_proto protos[] = { ALG_FOR_IKE, ALG_FOR_ESP };
	unsigned tried = 0;
	for (size_t pi = 0; pi < 2; pi++) {
		enum alg_proto proto = protos[pi];
		unsigned bit = proto == ALG_FOR_IKE ? ALG_IKE : ALG_ESP;
		for (size_t ei = 0; ei < alg_table_len; ei++) {
			const struct alg_desc *enc = &alg_table[ei];
			if (enc->type != ALG_ENCRYPT || !(enc->usable & bit))
				continue;
			for (size_t ki = 0; ki < 4; ki++) {
				unsigned kl = enc->keylens[ki];
				if (ki > 0 && kl == 0)
					break;
				for (size_t ii = 0; ii < alg_table_len; ii++) {
					const struct alg_desc *in = &alg_table[ii];
					if (in->type != ALG_INTEG)
						continue;
					bool ok = enc->aead ? (proto == ALG_FOR_ESP ? in->ikev2_id == 0
										   : in->ikev2_id != 0)
							    : (in->usable & bit) != 0 && in->ikev2_id != 0;
					char text[128], err[200], buf[256], buf2[256];
					char klbuf[16] = "";
					if (kl)
						snprintf(klbuf, sizeof(klbuf), "_%u", kl);
					snprintf(text, sizeof(text), "%s%s-%s;modp2048", enc->name, klbuf, in->name);
					struct proposals p, again;
					err_t e = ttoproposals(text, proto, &p, err, sizeof(err));
					CHECK((e == NULL) == ok, "%s '%s': %s", proto_text(proto), text,
					      e ? e : "accepted");
					if (e != NULL)
						continue;
					tried++;
					assert_int_equal(p.p[0].keylen, kl);
					str_proposals(&p, proto, buf, sizeof(buf));
					e = ttoproposals(buf, proto, &again, err, sizeof(err));
					CHECK(e == NULL && proposals_equal(&p, &again), "'%s' -> '%s'", text, buf);
					str_proposals(&again, proto, buf2, sizeof(buf2));
					assert_string_equal(buf, buf2);
				}
			}
		}
	}
	assert_true(tried > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_ids),
		cmocka_unit_test(test_table_ikev1_ids),
		cmocka_unit_test(test_table_aliases),
		cmocka_unit_test(test_table_sanity),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_combinations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
