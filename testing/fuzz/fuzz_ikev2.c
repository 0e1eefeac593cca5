/* libFuzzer target: the IKEv2 codec on arbitrary bytes.
 *
 * The input is tried three ways: as a datagram (header, split, legality,
 * every payload interpreted); as the same with the header Length patched to
 * the input size, so that mutations reach the payload walker; and, with its
 * first byte as the first payload type, as a decrypted inner chain. Every
 * payload that decodes is encoded again, the result split and decoded, and
 * the two decodings must be equal: what the decoder accepts, the encoder
 * can write, and reading it back gives the same values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MSG 70000

/* Every decoded form, one at a time. */
union decoded {
	struct ikev2_sa sa;
	struct ikev2_ke ke;
	struct ikev2_id id;
	struct ikev2_cert cert;
	struct ikev2_auth auth;
	struct ikev2_nonce nonce;
	struct ikev2_notify n;
	struct ikev2_delete del;
	struct ikev2_vendor v;
	struct ikev2_ts_list ts;
	struct ikev2_cp cp;
	struct ikev2_eap eap;
	struct ikev2_sk sk;
	struct ikev2_skf skf;
};

static void check(bool ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ikev2: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
		abort();
	}
}

/* ---- one row per payload type: decode, build, compare ---- */

typedef err_t decode_fn(const struct ikev2_payload *, union decoded *, struct ikev2_diag *);
typedef void build_fn(struct ikev2_builder *, uint8_t type, const union decoded *);
typedef bool eq_fn(const union decoded *, const union decoded *);

static err_t d_sa(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_sa(p, &u->sa, d); }
static err_t d_ke(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_ke(p, &u->ke, d); }
static err_t d_id(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_id(p, &u->id, d); }
static err_t d_cert(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_cert(p, &u->cert, d); }
static err_t d_certreq(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_certreq(p, &u->cert, d); }
static err_t d_auth(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_auth(p, &u->auth, d); }
static err_t d_nonce(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_nonce(p, &u->nonce, d); }
static err_t d_n(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_notify(p, &u->n, d); }
static err_t d_del(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_delete(p, &u->del, d); }
static err_t d_v(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_vendor(p, &u->v, d); }
static err_t d_ts(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_ts(p, &u->ts, d); }
static err_t d_cp(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_cp(p, &u->cp, d); }
static err_t d_eap(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_eap(p, &u->eap, d); }
static err_t d_sk(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_sk(p, &u->sk, d); }
static err_t d_skf(const struct ikev2_payload *p, union decoded *u, struct ikev2_diag *d) { return ikev2_decode_skf(p, &u->skf, d); }

static void b_sa(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_sa(b, &u->sa); }
static void b_ke(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_ke(b, &u->ke); }
static void b_id(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_id(b, t, &u->id); }
static void b_cert(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_cert(b, &u->cert); }
static void b_certreq(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_certreq(b, &u->cert); }
static void b_auth(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_auth(b, &u->auth); }
static void b_nonce(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_nonce(b, &u->nonce); }
static void b_n(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_notify(b, &u->n); }
static void b_del(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_delete(b, &u->del); }
static void b_v(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_vendor(b, &u->v); }
static void b_ts(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_ts(b, t, &u->ts); }
static void b_cp(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_cp(b, &u->cp); }
static void b_eap(struct ikev2_builder *b, uint8_t t, const union decoded *u) { ikev2_build_eap(b, &u->eap); }

static void b_sk(struct ikev2_builder *b, uint8_t t, const union decoded *u)
{
	uint8_t *body = ikev2_build_sk(b, u->sk.first_inner, u->sk.body.len);
	if (body != NULL)
		memcpy(body, u->sk.body.ptr, u->sk.body.len);
}

static void b_skf(struct ikev2_builder *b, uint8_t t, const union decoded *u)
{
	/* a non-first fragment must send 0; the decoder ignores what it gets */
	uint8_t first = u->skf.number == 1 ? u->skf.first_inner : 0;
	uint8_t *body = ikev2_build_skf(b, first, u->skf.number, u->skf.total, u->skf.body.len);
	if (body != NULL)
		memcpy(body, u->skf.body.ptr, u->skf.body.len);
}

static bool e_sa(const union decoded *a, const union decoded *b) { return ikev2_sa_eq(&a->sa, &b->sa); }
static bool e_ke(const union decoded *a, const union decoded *b) { return ikev2_ke_eq(&a->ke, &b->ke); }
static bool e_id(const union decoded *a, const union decoded *b)
{
	return ikev2_id_eq(&a->id, &b->id) && a->id.ip.family == b->id.ip.family &&
	       memcmp(a->id.ip.bytes, b->id.ip.bytes, sizeof(a->id.ip.bytes)) == 0;
}
static bool e_cert(const union decoded *a, const union decoded *b) { return ikev2_cert_eq(&a->cert, &b->cert); }
static bool e_auth(const union decoded *a, const union decoded *b)
{
	return ikev2_auth_eq(&a->auth, &b->auth) && ikev2_span_eq(a->auth.sig_alg, b->auth.sig_alg) &&
	       ikev2_span_eq(a->auth.signature, b->auth.signature);
}
static bool e_nonce(const union decoded *a, const union decoded *b) { return ikev2_nonce_eq(&a->nonce, &b->nonce); }
static bool e_n(const union decoded *a, const union decoded *b) { return ikev2_notify_eq(&a->n, &b->n); }
static bool e_del(const union decoded *a, const union decoded *b) { return ikev2_delete_eq(&a->del, &b->del); }
static bool e_v(const union decoded *a, const union decoded *b) { return ikev2_vendor_eq(&a->v, &b->v); }
static bool e_ts(const union decoded *a, const union decoded *b) { return ikev2_ts_list_eq(&a->ts, &b->ts); }
static bool e_cp(const union decoded *a, const union decoded *b) { return ikev2_cp_eq(&a->cp, &b->cp); }
static bool e_eap(const union decoded *a, const union decoded *b) { return ikev2_eap_eq(&a->eap, &b->eap); }
static bool e_sk(const union decoded *a, const union decoded *b)
{
	return a->sk.first_inner == b->sk.first_inner && ikev2_span_eq(a->sk.body, b->sk.body);
}
static bool e_skf(const union decoded *a, const union decoded *b)
{
	return a->skf.number == b->skf.number && a->skf.total == b->skf.total &&
	       (a->skf.number != 1 || a->skf.first_inner == b->skf.first_inner) &&
	       ikev2_span_eq(a->skf.body, b->skf.body);
}

static const struct codec {
	uint8_t type;
	decode_fn *decode;
	build_fn *build;
	eq_fn *eq;
} codecs[] = {
	{ IKEV2_PT_SA, d_sa, b_sa, e_sa },
	{ IKEV2_PT_KE, d_ke, b_ke, e_ke },
	{ IKEV2_PT_IDi, d_id, b_id, e_id },
	{ IKEV2_PT_IDr, d_id, b_id, e_id },
	{ IKEV2_PT_CERT, d_cert, b_cert, e_cert },
	{ IKEV2_PT_CERTREQ, d_certreq, b_certreq, e_cert },
	{ IKEV2_PT_AUTH, d_auth, b_auth, e_auth },
	{ IKEV2_PT_NONCE, d_nonce, b_nonce, e_nonce },
	{ IKEV2_PT_N, d_n, b_n, e_n },
	{ IKEV2_PT_D, d_del, b_del, e_del },
	{ IKEV2_PT_V, d_v, b_v, e_v },
	{ IKEV2_PT_TSi, d_ts, b_ts, e_ts },
	{ IKEV2_PT_TSr, d_ts, b_ts, e_ts },
	{ IKEV2_PT_SK, d_sk, b_sk, e_sk },
	{ IKEV2_PT_CP, d_cp, b_cp, e_cp },
	{ IKEV2_PT_EAP, d_eap, b_eap, e_eap },
	{ IKEV2_PT_SKF, d_skf, b_skf, e_skf },
};

static const struct codec *codec_for(uint8_t type)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		if (codecs[i].type == type)
			return &codecs[i];
	}
	return NULL;
}

static union decoded u1, u2;
static struct ikev2_payloads again;
static uint8_t rebuilt[MAX_MSG];

/* Decodes every payload of pl, re-encodes those that decoded into b,
 * then compares with the split of what was built. */
static void roundtrip(const struct ikev2_payloads *pl, struct ikev2_builder *b,
		      const struct ikev2_header *h)
{
	struct ikev2_diag d;
	bool decoded[IKEV2_MAX_PAYLOADS] = { false };
	size_t n_decoded = 0;
	for (size_t i = 0; i < pl->n; i++) {
		const struct codec *c = codec_for(pl->p[i].type);
		check(c != NULL, "split returned a payload without a codec", NULL);
		err_t e = c->decode(&pl->p[i], &u1, &d);
		if (e != NULL) {
			check(d.text[0] != '\0', "an error without text", NULL);
			continue;
		}
		decoded[i] = true;
		n_decoded++;
		c->build(b, pl->p[i].type, &u1);
	}
	size_t len;
	err_t e = ikev2_build_finish(b, &len);
	check(e == NULL, "what decoded did not encode", e);

	struct ikev2_header h2;
	if (h != NULL) {
		e = ikev2_decode_message(rebuilt, len, &h2, &again, &d);
		check(e == NULL, "the rebuilt message did not decode", e);
		check(memcmp(h->spi_i, h2.spi_i, 8) == 0 && memcmp(h->spi_r, h2.spi_r, 8) == 0 &&
		      h->exchange == h2.exchange && h->flags == h2.flags &&
		      h->message_id == h2.message_id, "header changed", NULL);
	} else {
		e = ikev2_split_chain(ikev2_build_first_type(b), rebuilt, len, &again, &d);
		check(e == NULL, "the rebuilt chain did not split", e);
	}
	check(again.n == n_decoded, "payload count changed", NULL);
	size_t j = 0;
	for (size_t i = 0; i < pl->n; i++) {
		if (!decoded[i])
			continue;
		const struct codec *c = codec_for(pl->p[i].type);
		check(again.p[j].type == pl->p[i].type, "payload type changed", NULL);
		check(c->decode(&pl->p[i], &u1, &d) == NULL, "decoding is not repeatable", NULL);
		e = c->decode(&again.p[j], &u2, &d);
		check(e == NULL, "a rebuilt payload did not decode", e);
		check(c->eq(&u1, &u2), "a payload changed in the round trip",
		      ikev2_name(&ikev2_payload_names, pl->p[i].type));
		j++;
	}
}

static struct ikev2_payloads pl;
static uint8_t patched[MAX_MSG];

static void as_message(const uint8_t *data, size_t size)
{
	struct ikev2_header h;
	struct ikev2_diag d;
	if (ikev2_decode_message(data, size, &h, &pl, &d) != NULL) {
		check(d.text[0] != '\0', "an error without text", NULL);
		return;
	}
	/* the legality table, clear chain only, both directions */
	ikev2_check_payloads(h.exchange, (h.flags & IKEV2_FLAG_RESPONSE) != 0, &pl, NULL, &d);
	ikev2_check_payloads(h.exchange, (h.flags & IKEV2_FLAG_RESPONSE) == 0, &pl, NULL, &d);
	struct ikev2_builder b;
	ikev2_build_init(&b, rebuilt, sizeof(rebuilt), &h);
	roundtrip(&pl, &b, &h);
}

static void as_chain(const uint8_t *data, size_t size)
{
	struct ikev2_diag d;
	if (ikev2_split_chain(data[0], data + 1, size - 1, &pl, &d) != NULL)
		return;
	static const uint8_t exchanges[] = { IKEV2_EXCH_IKE_AUTH, IKEV2_EXCH_CREATE_CHILD_SA,
					     IKEV2_EXCH_INFORMATIONAL };
	struct ikev2_payloads sk = { .n = 1 };
	sk.p[0] = (struct ikev2_payload){ .type = IKEV2_PT_SK };
	for (size_t i = 0; i < sizeof(exchanges); i++) {
		ikev2_check_payloads(exchanges[i], false, &sk, &pl, &d);
		ikev2_check_payloads(exchanges[i], true, &sk, &pl, &d);
	}
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, rebuilt, sizeof(rebuilt));
	roundtrip(&pl, &b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > MAX_MSG - 64)
		return 0;
	/* an exactly sized copy, so that ASan sees any read past the end */
	uint8_t *copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	as_message(copy, size);
	if (size >= IKEV2_HEADER_SIZE) {
		memcpy(patched, copy, size);
		patched[24] = (uint8_t)(size >> 24);
		patched[25] = (uint8_t)(size >> 16);
		patched[26] = (uint8_t)(size >> 8);
		patched[27] = (uint8_t)size;
		memcpy(copy, patched, size);
		as_message(copy, size);
		memcpy(copy, data, size);
	}
	as_chain(copy, size);
	free(copy);
	return 0;
}
