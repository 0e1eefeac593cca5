/* ike-load --ikev1: the initiator's side of IKEv1 Main Mode with a
 * pre-shared key (RFC 2409 5, 5.4), as pure functions over one exchange's
 * state, so that ike-load.c (sockets, window, statistics) and the unit
 * test testing/unit/test_bench_ikev1_load.c (which plays the responder
 * with the same codec) share them:
 *
 *   HDR, SA                 -->            v1_build_mm1
 *                           <--  HDR, SA               v1_take_mm2
 *   HDR, KE, Ni             -->            v1_build_mm3
 *                           <--  HDR, KE, Nr           v1_take_mm4
 *   HDR*, IDii, HASH_I      -->            v1_build_mm5
 *                           <--  HDR*, IDir, HASH_R    v1_take_mm6
 *
 * The messages are this project's ISAKMP codec (ikev1/isakmp*.c) and the
 * keys its IKEv1 schedule (crypto/ikev1_keys.c), from libpluto.a. What
 * every exchange shares is made once (struct v1_shared): the SA payload
 * with one proposal of one transform, the DH key pair (a load tester may:
 * the responder still makes its own and g^xy for each SA), the ID payload.
 * No vendor IDs are sent (so no NAT-T, no DPD, no fragments), no Quick
 * Mode: the ISAKMP SA is the unit counted.
 *
 * Header only (static functions): the Makefile builds each .c file of
 * testing/bench as a program of its own. */
#ifndef TESTING_BENCH_IKEV1_LOAD_H
#define TESTING_BENCH_IKEV1_LOAD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "chunk.h"
#include "crypto/crypto.h"
#include "crypto/ikev1_keys.h"
#include "ikev1/isakmp.h"
#include "ikev2/ids.h"
#include "swan/alg.h"
#include "swan/id.h"

#define V1_NONCE_LEN 32
#define V1_KE_MAX 1024           /* MODP8192 */
#define V1_NONCE_MAX 256         /* RFC 2409 5: 8..256 bytes */
#define V1_BLOCK_MAX 16
#define V1_MSG_MAX 4096
#define V1_SA_MAX 256
#define V1_ID_MAX 600

/* Phase 1 attributes (RFC 2409 appendix A) */
enum {
	V1_KEY_IKE = 1,
	V1_A_ENCRYPTION = 1, V1_A_HASH = 2, V1_A_AUTH = 3, V1_A_GROUP = 4,
	V1_A_LIFE_TYPE = 11, V1_A_LIFE_DURATION = 12, V1_A_KEY_LENGTH = 14,
	V1_AUTH_PSK = 1, V1_LIFE_SECONDS = 1,
};

struct v1_shared {
	const struct alg_desc *encr, *hash, *prf, *dh;
	unsigned keylen;              /* bits; 0 for fixed-size ciphers */
	struct dh_secret *dh_secret;  /* one key pair for every exchange */
	chunk_t gxi;                  /* its public value (not owned) */
	chunk_t psk;                  /* not owned */
	uint8_t sa_chain[V1_SA_MAX];  /* MM1's payload chain: the SA payload */
	size_t sa_chain_len;
	chunk_t sa_i_b;               /* its body (in sa_chain): HASH_I/R cover it */
	struct isakmp_transform xform;/* the one transform offered */
	uint8_t lifebuf[4];
	uint8_t id_buf[V1_ID_MAX];    /* IDii payload data */
	struct isakmp_id idi;
	uint8_t idi_b[V1_ID_MAX + 4]; /* IDii_b: type, protocol, port, data */
	size_t idi_b_len;
	ip_id want_idr;               /* ID_ANY / ID_NONE: not checked */
};

/* One Main Mode exchange. */
struct v1_xchg {
	uint8_t cky_i[8], cky_r[8];
	uint8_t ni[V1_NONCE_LEN];
	uint8_t gxr[V1_KE_MAX];
	size_t gxr_len;
	uint8_t nr[V1_NONCE_MAX];
	size_t nr_len;
	struct ikev1_keys keys;
	uint8_t iv[V1_BLOCK_MAX];     /* the phase 1 CBC chain: the last cipher block */
	uint16_t notify;              /* v1_take_*: the responder's notify, when that was it */
};

/* The names of the notifies a responder may end Main Mode with. */
static inline const char *v1_notify_name(uint16_t type, char buf[32])
{
	static const struct { uint16_t type; const char *name; } t[] = {
		{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
		{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
		{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
		{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
		{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
		{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
		{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
		{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
		{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
		{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
		{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
		{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
		{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].type == type)
			return t[i].name;
	snprintf(buf, 32, "notify %u", type);
	return buf;
}

static inline void v1_xchg_free(struct v1_xchg *x)
{
	ikev1_keys_free(&x->keys);
}

static inline void v1_tv(struct isakmp_transform *t, uint16_t type, uint64_t value)
{
	t->attrs[t->n_attrs++] = (struct isakmp_attr){ .type = type, .basic = true, .value = value };
}

/* Everything the exchanges share: encr (CBC), hash (an INTEG row, the PRF
 * is HMAC with it) and group; life_s the lifetime proposed. NULL or why
 * not. The caller has initialised the crypto; v1_shared_free undoes. */
static inline err_t v1_shared_init(struct v1_shared *sh, const struct alg_desc *encr, unsigned keylen,
				   const struct alg_desc *hash, const struct alg_desc *dh, uint32_t life_s,
				   chunk_t psk, const ip_id *idi, const ip_id *want_idr)
{
	memset(sh, 0, sizeof(*sh));
	uint16_t eid = alg_ikev1_id(encr, ALG_V1_PHASE1), hid = alg_ikev1_id(hash, ALG_V1_PHASE1);
	uint16_t gid = alg_ikev1_id(dh, ALG_V1_PHASE1);
	if (encr->aead || eid == 0 || encr_block_len(encr) == 0 || encr_block_len(encr) > V1_BLOCK_MAX)
		return "the cipher has no IKEv1 phase 1 number (AES-CBC, 3DES)";
	if (hid == 0 || (sh->prf = alg_by_ikev1_id(ALG_PRF, ALG_V1_PHASE1, hid)) == NULL)
		return "the hash has no IKEv1 phase 1 number (MD5, SHA1, SHA2)";
	if (gid == 0 || dh_ke_len(dh) == 0 || dh_ke_len(dh) > V1_KE_MAX)
		return "the DH group has no IKEv1 number";
	sh->encr = encr;
	sh->keylen = keylen == 0 && encr->keylens[0] != 0 ? encr->default_keylen : keylen;
	sh->hash = hash;
	sh->dh = dh;
	sh->psk = psk;
	sh->want_idr = *want_idr;
	err_t e;
	if ((sh->dh_secret = dh_generate(dh, &e)) == NULL)
		return e;
	sh->gxi = dh_public_value(sh->dh_secret);

	struct isakmp_transform *t = &sh->xform;
	t->number = 1;
	t->id = V1_KEY_IKE;
	v1_tv(t, V1_A_ENCRYPTION, eid);
	v1_tv(t, V1_A_HASH, hid);
	v1_tv(t, V1_A_AUTH, V1_AUTH_PSK);
	v1_tv(t, V1_A_GROUP, gid);
	v1_tv(t, V1_A_LIFE_TYPE, V1_LIFE_SECONDS);
	if (life_s <= 0xffff) {
		v1_tv(t, V1_A_LIFE_DURATION, life_s);
	} else {   /* a TLV of four bytes */
		uint8_t *lb = sh->lifebuf;
		lb[0] = (uint8_t)(life_s >> 24), lb[1] = (uint8_t)(life_s >> 16);
		lb[2] = (uint8_t)(life_s >> 8), lb[3] = (uint8_t)life_s;
		t->attrs[t->n_attrs++] = (struct isakmp_attr){ .type = V1_A_LIFE_DURATION, .value = life_s,
							       .data = { lb, 4 } };
	}
	if (sh->keylen != 0)
		v1_tv(t, V1_A_KEY_LENGTH, sh->keylen);
	static struct isakmp_sa sa;   /* large: not on the stack */
	memset(&sa, 0, sizeof(sa));
	sa.doi = ISAKMP_DOI_IPSEC;
	sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	sa.proposals[0] = (struct isakmp_proposal){ .number = 1, .protocol = ISAKMP_PROTO_ISAKMP,
						    .n_transforms = 1 };
	sa.proposals[0].transforms[0] = *t;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, sh->sa_chain, sizeof(sh->sa_chain));
	size_t at = isakmp_build_sa(&b, &sa);
	if ((e = ikev2_build_finish(&b, &sh->sa_chain_len)) != NULL)
		return e;
	sh->sa_i_b = chunk_from(sh->sa_chain + at + 4, sh->sa_chain_len - at - 4);

	struct ikev2_id v2;
	if (!id_to_payload(idi, &v2, sh->id_buf, sizeof(sh->id_buf)))
		return "our ID cannot be sent as an IKE ID";
	sh->idi = (struct isakmp_id){ .type = v2.type, .data = v2.data };   /* protocol 0, port 0 */
	sh->idi_b[0] = v2.type;
	sh->idi_b[1] = sh->idi_b[2] = sh->idi_b[3] = 0;
	memcpy(sh->idi_b + 4, v2.data.ptr, v2.data.len);
	sh->idi_b_len = v2.data.len + 4;
	return NULL;
}

static inline void v1_shared_free(struct v1_shared *sh)
{
	dh_free(&sh->dh_secret);
}

/* A new exchange: a fresh nonce; the initiator cookie is the caller's
 * (ike-load puts its slot number in it). */
static inline err_t v1_xchg_start(struct v1_xchg *x, const uint8_t cky_i[8])
{
	v1_xchg_free(x);
	memset(x, 0, sizeof(*x));
	memcpy(x->cky_i, cky_i, 8);
	return random_bytes(x->ni, sizeof(x->ni));
}

/* The header and a (clear or already encrypted) chain. */
static inline err_t v1_message(const struct v1_xchg *x, uint8_t first, bool encrypted, const uint8_t *chain,
			       size_t chain_len, uint8_t *out, size_t cap, size_t *len)
{
	struct isakmp_header h = { .exchange = ISAKMP_XCHG_IDPROT,
				   .flags = encrypted ? ISAKMP_FLAG_ENCRYPTION : 0 };
	memcpy(h.icookie, x->cky_i, 8);
	memcpy(h.rcookie, x->cky_r, 8);
	return isakmp_build_message(&h, first, chain, chain_len, out, cap, len);
}

static inline err_t v1_build_mm1(const struct v1_shared *sh, const struct v1_xchg *x, uint8_t *out,
				 size_t cap, size_t *len)
{
	return v1_message(x, ISAKMP_NEXT_SA, false, sh->sa_chain, sh->sa_chain_len, out, cap, len);
}

/* A message of the responder's for this exchange: the header checked, the
 * clear payloads split. An Informational's notify is given in x->notify
 * (and as the error). */
static inline err_t v1_open_clear(struct v1_xchg *x, const uint8_t *msg, size_t len, struct isakmp_header *h,
				 struct isakmp_payloads *pl)
{
	static char why[ISAKMP_DIAG_TEXT + 40];
	struct isakmp_diag d = { 0 };
	if (isakmp_decode_header(msg, len, h, &d) != NULL ||
	    isakmp_split_payloads(msg, len, h, pl, &d) != NULL) {
		snprintf(why, sizeof(why), "malformed answer: %s", d.text);
		return why;
	}
	if (h->exchange == ISAKMP_XCHG_INFO) {
		const struct isakmp_payload *np = isakmp_payloads_find(pl, ISAKMP_NEXT_N, 0);
		struct isakmp_notify n;
		if (np == NULL || isakmp_decode_notify(np, &n, &d) != NULL)
			return "an Informational without a notify";
		x->notify = n.type;
		snprintf(why, sizeof(why), "notify %u", n.type);
		return why;
	}
	if (h->exchange != ISAKMP_XCHG_IDPROT)
		return "an answer of another exchange type";
	return NULL;
}

static inline bool v1_xform_eq(const struct isakmp_transform *a, const struct isakmp_transform *b)
{
	if (a->id != b->id || a->n_attrs != b->n_attrs)
		return false;
	for (size_t i = 0; i < a->n_attrs; i++) {
		bool found = false;
		for (size_t j = 0; j < b->n_attrs && !found; j++)
			found = a->attrs[i].type == b->attrs[j].type && a->attrs[i].value == b->attrs[j].value;
		if (!found)
			return false;
	}
	return true;
}

/* MM2: the responder's cookie and our transform chosen. */
static inline err_t v1_take_mm2(const struct v1_shared *sh, struct v1_xchg *x, const uint8_t *msg, size_t len)
{
	static const uint8_t zero[8];
	static struct isakmp_payloads pl;
	static struct isakmp_sa sa;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	err_t e = v1_open_clear(x, msg, len, &h, &pl);
	if (e != NULL)
		return e;
	if (h.flags & ISAKMP_FLAG_ENCRYPTION)
		return "MM2 is encrypted";
	if (memcmp(h.rcookie, zero, 8) == 0)
		return "MM2 without a responder cookie";
	const struct isakmp_payload *sap = isakmp_payloads_find(&pl, ISAKMP_NEXT_SA, 0);
	if (sap == NULL)
		return "MM2 without SA";
	if (isakmp_decode_sa(sap, &sa, &d) != NULL)
		return "MM2: malformed SA";
	if (sa.n_proposals != 1 || sa.proposals[0].protocol != ISAKMP_PROTO_ISAKMP ||
	    sa.proposals[0].n_transforms != 1)
		return "MM2: not one ISAKMP transform chosen";
	if (!v1_xform_eq(&sa.proposals[0].transforms[0], &sh->xform))
		return "MM2: the chosen transform differs from the offer";
	memcpy(x->cky_r, h.rcookie, 8);
	return NULL;
}

static inline err_t v1_build_mm3(const struct v1_shared *sh, const struct v1_xchg *x, uint8_t *out,
				 size_t cap, size_t *len)
{
	uint8_t chain[V1_KE_MAX + V1_NONCE_LEN + 16];
	struct ikev2_builder b;
	size_t clen;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	isakmp_build_bytes(&b, ISAKMP_NEXT_KE, (struct ikev2_span){ sh->gxi.ptr, sh->gxi.len });
	isakmp_build_bytes(&b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ x->ni, sizeof(x->ni) });
	err_t e = ikev2_build_finish(&b, &clen);
	return e != NULL ? e : v1_message(x, ISAKMP_NEXT_KE, false, chain, clen, out, cap, len);
}

/* MM4: KE and Nr; then g^xy, SKEYID = prf(PSK, Ni_b | Nr_b), SKEYID_d/a/e,
 * the cipher key and the phase 1 IV. */
static inline err_t v1_take_mm4(const struct v1_shared *sh, struct v1_xchg *x, const uint8_t *msg, size_t len)
{
	static struct isakmp_payloads pl;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	struct ikev2_span ke, nr;
	err_t e = v1_open_clear(x, msg, len, &h, &pl);
	if (e != NULL)
		return e;
	if (h.flags & ISAKMP_FLAG_ENCRYPTION)
		return "MM4 is encrypted";
	const struct isakmp_payload *kp = isakmp_payloads_find(&pl, ISAKMP_NEXT_KE, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(&pl, ISAKMP_NEXT_NONCE, 0);
	if (kp == NULL || np == NULL || isakmp_decode_bytes(kp, &ke, &d) != NULL ||
	    isakmp_decode_bytes(np, &nr, &d) != NULL)
		return "MM4 without a valid KE and nonce";
	if (ke.len > sizeof(x->gxr) || nr.len > sizeof(x->nr))
		return "MM4: KE or nonce too long";
	memcpy(x->gxr, ke.ptr, ke.len);
	x->gxr_len = ke.len;
	memcpy(x->nr, nr.ptr, nr.len);
	x->nr_len = nr.len;
	chunk_t gxr = chunk_from(x->gxr, x->gxr_len), gxy = EMPTY_CHUNK, skeyid = EMPTY_CHUNK,
		iv = EMPTY_CHUNK;
	if ((e = dh_shared_secret(sh->dh_secret, gxr, &gxy)) != NULL)
		return "MM4: bad KE";
	e = ikev1_skeyid_psk(sh->prf, sh->psk, chunk_from(x->ni, sizeof(x->ni)), chunk_from(x->nr, x->nr_len),
			     &skeyid);
	if (e == NULL)
		e = ikev1_keys_derive(sh->prf, sh->encr, sh->keylen, skeyid, gxy, x->cky_i, x->cky_r, &x->keys);
	if (e == NULL)
		e = ikev1_phase1_iv(sh->prf, sh->encr, sh->gxi, gxr, &iv);
	if (e == NULL && iv.len != encr_block_len(sh->encr))
		e = "phase 1 IV of the wrong length";
	if (e == NULL)
		memcpy(x->iv, iv.ptr, iv.len);
	chunk_free(&gxy);
	chunk_free(&skeyid);
	chunk_free(&iv);
	return e;
}

/* Encrypts chain (clen bytes, room for a block more) in place with the
 * CBC chain x->iv, zero padded; x->iv becomes its last block. */
static inline err_t v1_seal(const struct v1_shared *sh, struct v1_xchg *x, uint8_t *chain, size_t *clen,
			    size_t cap)
{
	size_t bl = encr_block_len(sh->encr);
	size_t padded = (*clen + bl - 1) / bl * bl;
	if (padded > cap)
		return "message too long";
	memset(chain + *clen, 0, padded - *clen);
	err_t e = encr_seal(sh->encr, x->keys.enc_key, chunk_from(x->iv, bl), EMPTY_CHUNK, chain, padded,
			    chain, cap);
	if (e != NULL)
		return e;
	memcpy(x->iv, chain + padded - bl, bl);
	*clen = padded;
	return NULL;
}

/* MM5: HDR*, IDii, HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b). */
static inline err_t v1_build_mm5(const struct v1_shared *sh, struct v1_xchg *x, uint8_t *out, size_t cap,
				 size_t *len)
{
	uint8_t chain[V1_ID_MAX + 128];
	chunk_t hash = EMPTY_CHUNK;
	err_t e = ikev1_hash_auth(sh->prf, x->keys.skeyid, sh->gxi, chunk_from(x->gxr, x->gxr_len), x->cky_i,
				  x->cky_r, sh->sa_i_b, chunk_from(sh->idi_b, sh->idi_b_len), &hash);
	if (e != NULL)
		return e;
	struct ikev2_builder b;
	size_t clen;
	ikev2_build_chain_init(&b, chain, sizeof(chain) - V1_BLOCK_MAX);
	isakmp_build_id(&b, &sh->idi);
	isakmp_build_bytes(&b, ISAKMP_NEXT_HASH, (struct ikev2_span){ hash.ptr, hash.len });
	chunk_free(&hash);
	if ((e = ikev2_build_finish(&b, &clen)) != NULL)
		return e;
	if ((e = v1_seal(sh, x, chain, &clen, sizeof(chain))) != NULL)
		return e;
	return v1_message(x, ISAKMP_NEXT_ID, true, chain, clen, out, cap, len);
}

/* MM6: decrypted with the chain after MM5; IDir (the expected one, unless
 * ID_ANY/ID_NONE) and HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I |
 * SAi_b | IDir_b). NULL: the ISAKMP SA is up. */
static inline err_t v1_take_mm6(const struct v1_shared *sh, struct v1_xchg *x, const uint8_t *msg, size_t len)
{
	static uint8_t plain[V1_MSG_MAX];
	static struct isakmp_payloads pl;
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	if (isakmp_decode_header(msg, len, &h, &d) != NULL)
		return "malformed answer";
	if (!(h.flags & ISAKMP_FLAG_ENCRYPTION)) {
		/* a clear notify: AUTHENTICATION-FAILED, INVALID-ID-INFORMATION */
		err_t e = v1_open_clear(x, msg, len, &h, &pl);
		return e != NULL ? e : "MM6 is not encrypted";
	}
	if (h.exchange != ISAKMP_XCHG_IDPROT)
		return "an encrypted message of another exchange (an Informational?)";
	size_t bl = encr_block_len(sh->encr), clen = len - ISAKMP_HEADER_SIZE;
	if (clen == 0 || clen % bl != 0 || clen > sizeof(plain))
		return "MM6: the encrypted body is not a whole number of blocks";
	memcpy(plain, msg + ISAKMP_HEADER_SIZE, clen);
	if (encr_open(sh->encr, x->keys.enc_key, chunk_from(x->iv, bl), EMPTY_CHUNK, plain, clen, plain,
		      sizeof(plain)) != NULL)
		return "MM6: cannot decrypt";
	if (isakmp_split_chain(h.next_payload, plain, clen, &pl, &d) != NULL)
		return "MM6: its payloads do not parse (a different PSK?)";
	memcpy(x->iv, msg + len - bl, bl);
	const struct isakmp_payload *idp = isakmp_payloads_find(&pl, ISAKMP_NEXT_ID, 0);
	const struct isakmp_payload *hp = isakmp_payloads_find(&pl, ISAKMP_NEXT_HASH, 0);
	struct isakmp_id id;
	if (idp == NULL || hp == NULL || isakmp_decode_id(idp, &id, &d) != NULL)
		return "MM6 without a valid IDir and HASH_R";
	chunk_t want = EMPTY_CHUNK;
	err_t e = ikev1_hash_auth(sh->prf, x->keys.skeyid, chunk_from(x->gxr, x->gxr_len), sh->gxi, x->cky_r,
				  x->cky_i, sh->sa_i_b, chunk_from(idp->body, idp->len), &want);
	if (e != NULL)
		return e;
	bool ok = chunk_eq(want, chunk_from(hp->body, hp->len));
	chunk_free(&want);
	if (!ok)
		return "MM6: HASH_R does not verify";
	if (sh->want_idr.kind != ID_ANY && sh->want_idr.kind != ID_NONE) {
		struct ikev2_id v2 = { .type = id.type, .data = id.data };
		ip_id got;
		if (id_from_payload(&v2, &got) != NULL || !id_eq(&got, &sh->want_idr))
			return "MM6: the responder's ID is not --idr";
	}
	return NULL;
}
#endif
