/* Unit tests: ike-load --ikev1's Main Mode initiator (testing/bench/
 * ikev1-load.h), which the benchmark builds only by hand (make bench):
 * this test keeps it from rotting silently. It plays the responder with
 * the project's ISAKMP codec and IKEv1 key schedule, written here from
 * RFC 2409 5.4 step by step: every message of the client is decoded and
 * checked (the one transform offered, KE and nonce, IDii and HASH_I under
 * the phase 1 CBC chain), and the client takes the responder's MM2, MM4
 * and MM6. Then what must fail: a responder with another PSK, another ID,
 * another transform chosen, and a NO-PROPOSAL-CHOSEN answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../bench/ikev1-load.h"

#define ok(e) do { err_t e_ = (e); if (e_ != NULL) fail_msg("unexpected error: %s", e_); } while (0)

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
	return crypto_shutdown() == NULL ? 0 : -1;
}

/* The responder's side of one exchange. */
struct resp {
	const char *psk;            /* its PSK */
	const char *id;             /* its ID */
	int change_group;           /* MM2 answers with this group instead */
	uint8_t cky_r[8];
	chunk_t sa_i_b;             /* the body of the client's SA payload */
	struct dh_secret *dh;
	chunk_t gxi, ni, nr;
	struct ikev1_keys keys;
	uint8_t iv[V1_BLOCK_MAX];
};

static void resp_free(struct resp *r)
{
	chunk_free(&r->sa_i_b);
	chunk_free(&r->gxi);
	chunk_free(&r->ni);
	chunk_free(&r->nr);
	dh_free(&r->dh);
	ikev1_keys_free(&r->keys);
}

static uint64_t attr(const struct isakmp_transform *t, uint16_t type)
{
	for (size_t i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].type == type)
			return t->attrs[i].value;
	fail_msg("attribute %u missing", type);
	return 0;
}

static size_t message(const uint8_t *cky_i, const uint8_t *cky_r, uint8_t exchange, bool encrypted,
		      uint8_t first, const uint8_t *chain, size_t clen, uint8_t *out, size_t cap)
{
	struct isakmp_header h = { .exchange = exchange, .flags = encrypted ? ISAKMP_FLAG_ENCRYPTION : 0 };
	memcpy(h.icookie, cky_i, 8);
	memcpy(h.rcookie, cky_r, 8);
	size_t len;
	ok(isakmp_build_message(&h, first, chain, clen, out, cap, &len));
	return len;
}

/* MM1 in, MM2 out. */
static size_t resp_mm2(struct resp *r, const struct v1_shared *sh, const uint8_t *mm1, size_t len, uint8_t *out,
		       size_t cap)
{
	static struct isakmp_payloads pl;
	static struct isakmp_sa sa;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	ok(isakmp_decode_header(mm1, len, &h, &d));
	assert_int_equal(h.exchange, ISAKMP_XCHG_IDPROT);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.message_id, 0);
	assert_memory_equal(h.rcookie, (uint8_t[8]){ 0 }, 8);
	ok(isakmp_split_payloads(mm1, len, &h, &pl, &d));
	assert_int_equal(pl.n, 1);   /* SA only: no vendor IDs */
	const struct isakmp_payload *sap = isakmp_payloads_find(&pl, ISAKMP_NEXT_SA, 0);
	assert_non_null(sap);
	ok(isakmp_decode_sa(sap, &sa, &d));
	assert_int_equal(sa.n_proposals, 1);
	assert_int_equal(sa.proposals[0].protocol, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(sa.proposals[0].n_transforms, 1);
	struct isakmp_transform *t = &sa.proposals[0].transforms[0];
	assert_int_equal(t->id, V1_KEY_IKE);
	assert_int_equal(attr(t, V1_A_ENCRYPTION), alg_ikev1_id(sh->encr, ALG_V1_PHASE1));
	assert_int_equal(attr(t, V1_A_HASH), alg_ikev1_id(sh->hash, ALG_V1_PHASE1));
	assert_int_equal(attr(t, V1_A_AUTH), V1_AUTH_PSK);
	assert_int_equal(attr(t, V1_A_GROUP), alg_ikev1_id(sh->dh, ALG_V1_PHASE1));
	assert_int_equal(attr(t, V1_A_LIFE_TYPE), V1_LIFE_SECONDS);
	assert_int_equal(attr(t, V1_A_LIFE_DURATION), 86400);
	if (sh->keylen != 0)
		assert_int_equal(attr(t, V1_A_KEY_LENGTH), sh->keylen);
	r->sa_i_b = chunk_clone(sap->body, sap->len);
	ok(random_bytes(r->cky_r, 8));
	if (r->change_group)
		for (size_t i = 0; i < t->n_attrs; i++)
			if (t->attrs[i].type == V1_A_GROUP)
				t->attrs[i].value = (uint64_t)r->change_group;
	uint8_t chain[512];
	struct ikev2_builder b;
	size_t clen;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	isakmp_build_sa(&b, &sa);
	ok(ikev2_build_finish(&b, &clen));
	return message(h.icookie, r->cky_r, ISAKMP_XCHG_IDPROT, false, ISAKMP_NEXT_SA, chain, clen, out, cap);
}

/* MM3 in, MM4 out; the keys derived. */
static size_t resp_mm4(struct resp *r, const struct v1_shared *sh, const uint8_t *mm3, size_t len, uint8_t *out,
		       size_t cap)
{
	static struct isakmp_payloads pl;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	struct ikev2_span ke, ni;
	ok(isakmp_decode_header(mm3, len, &h, &d));
	assert_int_equal(h.flags, 0);
	assert_memory_equal(h.rcookie, r->cky_r, 8);
	ok(isakmp_split_payloads(mm3, len, &h, &pl, &d));
	const struct isakmp_payload *kp = isakmp_payloads_find(&pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&pl, ISAKMP_NEXT_NONCE, 0);
	assert_non_null(kp);
	assert_non_null(np);
	ok(isakmp_decode_bytes(kp, &ke, &d));
	ok(isakmp_decode_bytes(np, &ni, &d));
	assert_int_equal(ke.len, dh_ke_len(sh->dh));
	assert_int_equal(ni.len, V1_NONCE_LEN);
	r->gxi = chunk_clone(ke.ptr, ke.len);
	r->ni = chunk_clone(ni.ptr, ni.len);
	err_t e;
	r->dh = dh_generate(sh->dh, &e);
	assert_non_null(r->dh);
	ok(random_nonce(24, &r->nr));
	chunk_t gxy, skeyid, iv;
	ok(dh_shared_secret(r->dh, r->gxi, &gxy));
	ok(ikev1_skeyid_psk(sh->prf, chunk_from(r->psk, strlen(r->psk)), r->ni, r->nr, &skeyid));
	ok(ikev1_keys_derive(sh->prf, sh->encr, sh->keylen, skeyid, gxy, h.icookie, r->cky_r, &r->keys));
	ok(ikev1_phase1_iv(sh->prf, sh->encr, r->gxi, dh_public_value(r->dh), &iv));
	memcpy(r->iv, iv.ptr, iv.len);
	chunk_free(&gxy);
	chunk_free(&skeyid);
	chunk_free(&iv);
	uint8_t chain[V1_KE_MAX + 64];
	struct ikev2_builder b;
	size_t clen;
	chunk_t gxr = dh_public_value(r->dh);
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	isakmp_build_bytes(&b, ISAKMP_NEXT_KE, (struct ikev2_span){ gxr.ptr, gxr.len });
	isakmp_build_bytes(&b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ r->nr.ptr, r->nr.len });
	ok(ikev2_build_finish(&b, &clen));
	return message(h.icookie, r->cky_r, ISAKMP_XCHG_IDPROT, false, ISAKMP_NEXT_KE, chain, clen, out, cap);
}

/* MM5 in (HASH_I checked when the PSKs agree), MM6 out. */
static size_t resp_mm6(struct resp *r, const struct v1_shared *sh, const uint8_t *mm5, size_t len, uint8_t *out,
		       size_t cap, bool same_psk)
{
	static struct isakmp_payloads pl;
	static uint8_t plain[V1_MSG_MAX];
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	ok(isakmp_decode_header(mm5, len, &h, &d));
	assert_int_equal(h.flags, ISAKMP_FLAG_ENCRYPTION);
	assert_int_equal(h.next_payload, ISAKMP_NEXT_ID);
	size_t bl = encr_block_len(sh->encr), clen = len - ISAKMP_HEADER_SIZE;
	assert_int_equal(clen % bl, 0);
	memcpy(plain, mm5 + ISAKMP_HEADER_SIZE, clen);
	ok(encr_open(sh->encr, r->keys.enc_key, chunk_from(r->iv, bl), EMPTY_CHUNK, plain, clen, plain,
		     sizeof(plain)));
	memcpy(r->iv, mm5 + len - bl, bl);
	chunk_t gxr = dh_public_value(r->dh);
	if (same_psk) {
		ok(isakmp_split_chain(h.next_payload, plain, clen, &pl, &d));
		const struct isakmp_payload *idp = isakmp_payloads_find(&pl, ISAKMP_NEXT_ID, 0);
		const struct isakmp_payload *hp = isakmp_payloads_find(&pl, ISAKMP_NEXT_HASH, 0);
		struct isakmp_id id;
		assert_non_null(idp);
		assert_non_null(hp);
		ok(isakmp_decode_id(idp, &id, &d));
		assert_int_equal(id.type, 2);   /* ID_FQDN */
		assert_int_equal(id.protocol, 0);
		assert_int_equal(id.port, 0);
		assert_int_equal(id.data.len, strlen("bench-initiator"));
		assert_memory_equal(id.data.ptr, "bench-initiator", id.data.len);
		chunk_t want;
		ok(ikev1_hash_auth(sh->prf, r->keys.skeyid, r->gxi, gxr, h.icookie, r->cky_r, r->sa_i_b,
				   chunk_from(idp->body, idp->len), &want));
		assert_int_equal(hp->len, want.len);
		assert_memory_equal(hp->body, want.ptr, want.len);
		chunk_free(&want);
	}
	ip_id me;
	ok(ttoid(r->id, &me));
	uint8_t idbuf[256], idb[260];
	struct ikev2_id v2;
	assert_true(id_to_payload(&me, &v2, idbuf, sizeof(idbuf)));
	struct isakmp_id idr = { .type = v2.type, .data = v2.data };
	idb[0] = v2.type;
	idb[1] = idb[2] = idb[3] = 0;
	memcpy(idb + 4, v2.data.ptr, v2.data.len);
	chunk_t hash;
	ok(ikev1_hash_auth(sh->prf, r->keys.skeyid, gxr, r->gxi, r->cky_r, h.icookie, r->sa_i_b,
			   chunk_from(idb, v2.data.len + 4), &hash));
	uint8_t chain[512];
	struct ikev2_builder b;
	size_t n;
	ikev2_build_chain_init(&b, chain, sizeof(chain) - 16);
	isakmp_build_id(&b, &idr);
	isakmp_build_bytes(&b, ISAKMP_NEXT_HASH, (struct ikev2_span){ hash.ptr, hash.len });
	chunk_free(&hash);
	ok(ikev2_build_finish(&b, &n));
	size_t padded = (n + bl - 1) / bl * bl;
	memset(chain + n, 0, padded - n);
	ok(encr_seal(sh->encr, r->keys.enc_key, chunk_from(r->iv, bl), EMPTY_CHUNK, chain, padded, chain,
		     sizeof(chain)));
	return message(h.icookie, r->cky_r, ISAKMP_XCHG_IDPROT, true, ISAKMP_NEXT_ID, chain, padded, out, cap);
}

/* One whole exchange: NULL when the client took MM6, else its error. */
static err_t exchange(const char *encr, unsigned keylen, const char *hash, const char *group, struct resp *r)
{
	static struct v1_shared sh;
	static struct v1_xchg x;
	static uint8_t out[V1_MSG_MAX], in[V1_MSG_MAX];
	ip_id idi, idr;
	ok(ttoid("@bench-initiator", &idi));
	ok(ttoid("@bench-responder", &idr));
	ok(v1_shared_init(&sh, alg(ALG_ENCRYPT, encr), keylen, alg(ALG_INTEG, hash), alg(ALG_DH, group), 86400,
			  chunk_from("bench-psk", 9), &idi, &idr));
	uint8_t cky_i[8] = { 0, 7, 0, 1, 0xa, 0xb, 0xc, 0xd };
	ok(v1_xchg_start(&x, cky_i));
	size_t len, n;
	ok(v1_build_mm1(&sh, &x, out, sizeof(out), &len));
	n = resp_mm2(r, &sh, out, len, in, sizeof(in));
	err_t e = v1_take_mm2(&sh, &x, in, n);
	if (e == NULL) {
		assert_memory_equal(x.cky_r, r->cky_r, 8);
		ok(v1_build_mm3(&sh, &x, out, sizeof(out), &len));
		n = resp_mm4(r, &sh, out, len, in, sizeof(in));
		ok(v1_take_mm4(&sh, &x, in, n));
		bool same = strcmp(r->psk, "bench-psk") == 0;
		if (same) {   /* the same keys on both sides */
			assert_int_equal(x.keys.enc_key.len, r->keys.enc_key.len);
			assert_memory_equal(x.keys.enc_key.ptr, r->keys.enc_key.ptr, r->keys.enc_key.len);
		}
		ok(v1_build_mm5(&sh, &x, out, sizeof(out), &len));
		n = resp_mm6(r, &sh, out, len, in, sizeof(in), same);
		e = v1_take_mm6(&sh, &x, in, n);
	}
	v1_xchg_free(&x);
	v1_shared_free(&sh);
	resp_free(r);
	return e;
}

static void test_main_mode(void **state)
{
	(void)state;
	struct resp r = { .psk = "bench-psk", .id = "@bench-responder" };
	ok(exchange("aes", 256, "sha2_256", "modp2048", &r));
	struct resp r2 = { .psk = "bench-psk", .id = "@bench-responder" };
	ok(exchange("aes", 128, "sha1", "curve25519", &r2));
	struct resp r3 = { .psk = "bench-psk", .id = "@bench-responder" };
	ok(exchange("3des", 0, "sha2_512", "modp2048", &r3));
}

static void test_refused(void **state)
{
	(void)state;
	struct resp psk = { .psk = "other-psk", .id = "@bench-responder" };
	assert_non_null(exchange("aes", 256, "sha2_256", "curve25519", &psk));
	struct resp id = { .psk = "bench-psk", .id = "@someone-else" };
	err_t e = exchange("aes", 256, "sha2_256", "curve25519", &id);
	assert_non_null(e);
	assert_non_null(strstr(e, "--idr"));
	struct resp group = { .psk = "bench-psk", .id = "@bench-responder", .change_group = 14 };
	e = exchange("aes", 256, "sha2_256", "curve25519", &group);
	assert_non_null(e);
	assert_non_null(strstr(e, "differs from the offer"));
}

/* A clear NO-PROPOSAL-CHOSEN answer to MM1 is named. */
static void test_notify(void **state)
{
	(void)state;
	static struct v1_xchg x;
	uint8_t chain[64], out[128];
	struct ikev2_builder b;
	size_t clen;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP,
				   .type = ISAKMP_N_NO_PROPOSAL_CHOSEN };
	isakmp_build_notify(&b, &n);
	ok(ikev2_build_finish(&b, &clen));
	uint8_t cky_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, zero[8] = { 0 };
	ok(v1_xchg_start(&x, cky_i));
	size_t len = message(cky_i, zero, ISAKMP_XCHG_INFO, false, ISAKMP_NEXT_N, chain, clen, out, sizeof(out));
	static struct v1_shared sh;   /* v1_take_mm2 does not reach it for a notify */
	assert_non_null(v1_take_mm2(&sh, &x, out, len));
	assert_int_equal(x.notify, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	char nb[32];
	assert_string_equal(v1_notify_name(x.notify, nb), "NO-PROPOSAL-CHOSEN");
	v1_xchg_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_notify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
