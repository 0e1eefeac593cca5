/* What Main Mode and Aggressive Mode share (phase1.h): transforms, IDs
 * and the PSK, the DH and SKEYID work, HASH_I / HASH_R, the SA coming up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "iface.h"
#include "ike/dh_busy.h"
#include "ike/timers.h"
#include "ikev1/phase1.h"
#include "ikev1/sig.h"
#include "ikev2/certs.h"
#include "ikev1/vendor.h"
#include "ikev2/ids.h"
#include "ikev2/proposals.h"
#include "pluto.h"
#include "secrets.h"

#define KEY_IKE 1
#define OAKLEY_LIFE_SECONDS 1

/* Phase 1 attributes (RFC 2409 appendix A). */
enum oakley_attr {
	OAKLEY_ENCRYPTION = 1,
	OAKLEY_HASH = 2,
	OAKLEY_AUTH = 3,
	OAKLEY_GROUP = 4,
	OAKLEY_LIFE_TYPE = 11,
	OAKLEY_LIFE_DURATION = 12,
	OAKLEY_PRF = 13,
	OAKLEY_KEY_LENGTH = 14,
};


/* ---- our transforms ------------------------------------------------------------ */

/* Defaults when ike= is not given (IKEv1 has no AEAD in phase 1). */
static const struct { const char *name; unsigned keylen; } default_encr[] = { { "aes", 256 },
									    { "aes", 128 } };
static const char *const default_hash[] = { "sha2_256", "sha2_512", "sha1" };
static const char *const default_dh[] = { "modp2048", "modp3072" };
#define N(a) (sizeof(a) / sizeof(a[0]))

static const struct alg_desc *alg(enum alg_type t, const char *name)
{
	return alg_by_name(t, name, strlen(name));
}

static size_t add_xform(struct v1_xform *out, size_t n, const struct alg_desc *encr, unsigned keylen,
			const struct alg_desc *hash, const struct alg_desc *dh)
{
	if (n >= V1_MAX_XFORMS || encr == NULL || hash == NULL || dh == NULL || encr->aead)
		return n;
	uint16_t hid = alg_ikev1_id(hash, ALG_V1_PHASE1);
	const struct alg_desc *prf = alg_by_ikev1_id(ALG_PRF, ALG_V1_PHASE1, hid);
	if (alg_ikev1_id(encr, ALG_V1_PHASE1) == 0 || prf == NULL || dh_ke_len(dh) == 0 ||
	    !encr_ike_supported(encr))
		return n;
	if (keylen == 0 && encr->keylens[0] != 0)
		keylen = encr->default_keylen;
	out[n] = (struct v1_xform){ encr, keylen, hash, prf, dh, OAKLEY_PRESHARED_KEY };
	return n + 1;
}

/* The product of one configured proposal, missing parts from the defaults. */
static size_t add_proposal(const struct proposal *q, struct v1_xform *out, size_t n)
{
	const struct alg_desc *encrs[N(default_encr)];
	unsigned keylens[N(default_encr)];
	size_t ne = 0;
	if (q != NULL && q->encr != NULL) {
		encrs[0] = q->encr;
		keylens[0] = q->keylen;
		ne = 1;
		if (q->keylen == 0 && q->encr->keylens[0] != 0) {   /* "aes": 256 and 128 */
			keylens[0] = 256;
			encrs[1] = q->encr;
			keylens[1] = 128;
			ne = 2;
		}
	} else {
		for (; ne < N(default_encr); ne++) {
			encrs[ne] = alg(ALG_ENCRYPT, default_encr[ne].name);
			keylens[ne] = default_encr[ne].keylen;
		}
	}
	const struct alg_desc *hashes[N(default_hash)];
	size_t nh = 0;
	if (q != NULL && q->integ != NULL)
		hashes[nh++] = q->integ;
	else if (q != NULL && q->prf != NULL && strncmp(q->prf->name, "prf", 3) == 0)
		hashes[nh++] = alg(ALG_INTEG, q->prf->name + 3);
	else
		for (; nh < N(default_hash); nh++)
			hashes[nh] = alg(ALG_INTEG, default_hash[nh]);
	const struct alg_desc *dhs[N(default_dh)];
	size_t nd = 0;
	if (q != NULL && q->dh != NULL)
		dhs[nd++] = q->dh;
	else
		for (; nd < N(default_dh); nd++)
			dhs[nd] = alg(ALG_DH, default_dh[nd]);
	for (size_t e = 0; e < ne; e++)
		for (size_t h = 0; h < nh; h++)
			for (size_t d = 0; d < nd; d++)
				n = add_xform(out, n, encrs[e], keylens[e], hashes[h], dhs[d]);
	return n;
}

size_t phase1_our_xforms(const struct connection *c, struct v1_xform *out)
{
	size_t n = 0;
	if (c->ike == NULL || c->ike->n == 0)
		n = add_proposal(NULL, out, 0);
	for (unsigned i = 0; c->ike != NULL && i < c->ike->n; i++)
		n = add_proposal(&c->ike->p[i], out, n);
	struct connection *cc = (struct connection *)c;
	bool psk = (c->authby & AUTH_PSK) != 0;
	bool rsa = c->local >= 0 && ikev1_has_sig_key(cc);
	size_t base = n;
	for (size_t i = 0; i < base; i++)
		out[i].auth = psk ? OAKLEY_PRESHARED_KEY : OAKLEY_RSA_SIG;
	if (!psk && !rsa)
		return 0;
	for (size_t i = 0; psk && rsa && i < base && n < V1_MAX_XFORMS; i++) {
		out[n] = out[i];
		out[n++].auth = OAKLEY_RSA_SIG;
	}
	return n;
}

bool phase1_xform_eq(const struct v1_xform *a, const struct v1_xform *b)
{
	return a->encr == b->encr && a->keylen == b->keylen && a->hash == b->hash && a->dh == b->dh &&
	       a->auth == b->auth;
}

/* ---- transforms on the wire ------------------------------------------------------- */

static void xform_to_wire(const struct v1_xform *x, uint8_t number, uint32_t life_s,
			  uint8_t lifebuf[4], struct isakmp_transform *t)
{
	memset(t, 0, sizeof(*t));
	t->number = number;
	t->id = KEY_IKE;
	isakmp_attr_tv(t, OAKLEY_ENCRYPTION, alg_ikev1_id(x->encr, ALG_V1_PHASE1));
	isakmp_attr_tv(t, OAKLEY_HASH, alg_ikev1_id(x->hash, ALG_V1_PHASE1));
	isakmp_attr_tv(t, OAKLEY_AUTH, x->auth);
	isakmp_attr_tv(t, OAKLEY_GROUP, alg_ikev1_id(x->dh, ALG_V1_PHASE1));
	isakmp_attr_tv(t, OAKLEY_LIFE_TYPE, OAKLEY_LIFE_SECONDS);
	isakmp_attr_life(t, OAKLEY_LIFE_DURATION, life_s, lifebuf);
	if (x->keylen != 0)
		isakmp_attr_tv(t, OAKLEY_KEY_LENGTH, x->keylen);
}

/* A peer's transform: NULL, or why we cannot take it. */
const char *phase1_xform_from_wire(const struct isakmp_transform *t, struct v1_xform *x,
				   uint64_t *auth, uint64_t *life_s)
{
	static char why[96];
	memset(x, 0, sizeof(*x));
	*auth = 0;
	*life_s = 0;
	if (t->id != KEY_IKE)
		return "transform ID is not KEY_IKE";
	uint64_t life_type = 0;
	for (size_t i = 0; i < t->n_attrs; i++) {
		const struct isakmp_attr *a = &t->attrs[i];
		uint64_t v = a->value;
		switch (a->type) {
		case OAKLEY_ENCRYPTION:
			x->encr = alg_by_ikev1_id(ALG_ENCRYPT, ALG_V1_PHASE1, (uint16_t)v);
			if (x->encr == NULL || v > 0xffff) {
				snprintf(why, sizeof(why), "encryption algorithm %llu is not supported",
					 (unsigned long long)v);
				return why;
			}
			break;
		case OAKLEY_HASH:
			x->hash = alg_by_ikev1_id(ALG_INTEG, ALG_V1_PHASE1, (uint16_t)v);
			x->prf = alg_by_ikev1_id(ALG_PRF, ALG_V1_PHASE1, (uint16_t)v);
			if (x->hash == NULL || x->prf == NULL || v > 0xffff) {
				snprintf(why, sizeof(why), "hash algorithm %llu is not supported",
					 (unsigned long long)v);
				return why;
			}
			break;
		case OAKLEY_AUTH:
			*auth = v;
			break;
		case OAKLEY_GROUP:
			x->dh = alg_by_ikev1_id(ALG_DH, ALG_V1_PHASE1, (uint16_t)v);
			if (x->dh == NULL || v > 0xffff) {
				snprintf(why, sizeof(why), "group %llu is not supported", (unsigned long long)v);
				return why;
			}
			break;
		case OAKLEY_LIFE_TYPE:
			life_type = v;
			break;
		case OAKLEY_LIFE_DURATION:
			if (life_type == OAKLEY_LIFE_SECONDS)
				*life_s = v;
			break;   /* kilobytes: not enforced */
		case OAKLEY_KEY_LENGTH:
			x->keylen = (unsigned)v;
			break;
		default:
			snprintf(why, sizeof(why), "attribute %u is not supported", a->type);
			return why;
		}
	}
	if (x->encr == NULL || x->hash == NULL || x->dh == NULL)
		return "encryption, hash or group missing";
	if (x->keylen == 0 && x->encr->keylens[0] != 0)
		x->keylen = x->encr->default_keylen;
	if (!encr_keylen_ok(x->encr, x->keylen))
		return "key length not allowed";
	return NULL;
}

void phase1_suite_of(const struct v1_xform *x, struct ike_suite *s)
{
	*s = (struct ike_suite){ .encr = x->encr, .encr_keylen = x->keylen, .integ = x->hash,
				 .prf = x->prf, .dh = x->dh };
}

/* ---- identities and the PSK ------------------------------------------------------- */

ip_id phase1_local_id(struct ike_sa *ike)
{
	struct end *me = local_end(ike->c);
	if (me->id.kind != ID_NONE && !me->id_from_host)
		return me->id;
	return (ip_id){ .kind = ike->iface->addr.family == IP_V6 ? ID_IPV6 : ID_IPV4, .ip = ike->iface->addr };
}

ip_id phase1_expected_peer_id(struct ike_sa *ike)
{
	struct end *peer = peer_end(ike->c);
	if (!peer->id_from_host)
		return peer->id;
	if (peer->host_kind == HOST_ANY)
		return (ip_id){ .kind = ID_ANY };
	return (ip_id){ .kind = ike->remote.family == IP_V6 ? ID_IPV6 : ID_IPV4, .ip = ike->remote };
}

const struct secret *phase1_find_psk(struct ike_sa *ike, const ip_id *peer)
{
	ip_id me = phase1_local_id(ike), want = phase1_expected_peer_id(ike);
	return secrets_find(&ike->pluto->secrets, SECRET_PSK, &me, peer != NULL ? peer : &want);
}

/* ---- the DH and key work, on a helper ----------------------------------------------- */

void phase1_job_free(struct v1_job *j)
{
	dh_free(&j->dh);
	chunk_free(&j->peer_ke);
	chunk_free(&j->psk);
	chunk_free(&j->ni);
	chunk_free(&j->nr);
	ikev1_keys_free(&j->keys);
	chunk_free(&j->iv);
	free(j);
}

void phase1_job_work(void *arg)
{
	struct v1_job *j = arg;
	err_t e = NULL;
	if (j->dh == NULL && (j->dh = j->reuse_ms > 0 ? dh_generate_shared(j->group, j->reuse_ms, mono_ms(), &e)
						      : dh_generate(j->group, &e)) == NULL) {
		snprintf(j->err, sizeof(j->err), "cannot make a DH key: %s", e);
		return;
	}
	if (!j->derive)
		return;
	chunk_t gxy = EMPTY_CHUNK, skeyid = EMPTY_CHUNK;
	e = dh_shared_secret(j->dh, j->peer_ke, &gxy);
	if (e != NULL) {
		snprintf(j->err, sizeof(j->err), "bad KE payload from the peer: %s", e);
		return;
	}
	e = j->auth == OAKLEY_RSA_SIG ? ikev1_skeyid_sig(j->prf, j->ni, j->nr, gxy, &skeyid)
				      : ikev1_skeyid_psk(j->prf, j->psk, j->ni, j->nr, &skeyid);
	if (e == NULL)
		e = ikev1_keys_derive(j->prf, j->encr, j->keylen, skeyid, gxy, j->cky_i, j->cky_r, &j->keys);
	chunk_t mine = dh_public_value(j->dh);
	if (e == NULL)
		e = ikev1_phase1_iv(j->prf, j->encr, j->initiator ? mine : j->peer_ke,
				    j->initiator ? j->peer_ke : mine, &j->iv);
	chunk_free(&gxy);
	chunk_free(&skeyid);
	if (e != NULL)
		snprintf(j->err, sizeof(j->err), "cannot derive the ISAKMP SA keys: %s", e);
}

struct v1_job *phase1_job_new(struct ike_sa *ike, bool derive)
{
	struct v1_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->serial = ike->serial;
	j->step = ike->v1.step;
	j->initiator = ike->original_initiator;
	j->derive = derive;
	j->auth = ike->v1.auth;
	j->group = ike->suite.dh;
	/* a responder's key pair, shared while busy (not an initiator's: it
	 * is made once per attempt, and its own choice) */
	j->reuse_ms = j->initiator ? 0 : ike_dh_reuse_ms(ike->pluto);
	j->prf = ike->suite.prf;
	j->encr = ike->suite.encr;
	j->keylen = ike->suite.encr_keylen;
	memcpy(j->cky_i, ike->spi_i, 8);
	memcpy(j->cky_r, ike->spi_r, 8);
	return j;
}

/* The job's keys go to the SA. */
void phase1_take_keys(struct ike_sa *ike, struct v1_job *j)
{
	ikev1_keys_free(&ike->v1.keys);
	ike->v1.keys = j->keys;
	memset(&j->keys, 0, sizeof(j->keys));
	ike->v1.iv_len = j->iv.len < IKEV1_BLOCK_MAX ? j->iv.len : IKEV1_BLOCK_MAX;
	memcpy(ike->v1.iv, j->iv.ptr, ike->v1.iv_len);
	ike->v1.keys_ready = true;
}

/* The SA the job was for, if it is still where the job left it. */
struct ike_sa *phase1_job_sa(struct pluto *p, struct v1_job *j)
{
	struct ike_sa *ike = p != NULL ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->v1.step != j->step || ike->state == IKE_DEAD)
		return NULL;
	return ike;
}

/* An initiator's helper job back on the main thread: its IKE SA, or NULL
 * when the SA went meanwhile or the job failed (then the attempt has
 * failed as kind says); in both NULL cases j is freed. */
struct ike_sa *phase1_initiator_job(struct pluto *p, struct v1_job *j, enum initiate_failure kind)
{
	struct ike_sa *ike = phase1_job_sa(p, j);
	if (ike != NULL && j->err[0] != '\0') {
		ike_initiate_failed(ike, kind, j->err);
		ike = NULL;
	}
	if (ike == NULL)
		phase1_job_free(j);
	return ike;
}

/* ---- payloads ----------------------------------------------------------- */

/* o from the ID payload v2 (its data in o->buf) */
static bool id_out_of(const struct ikev2_id *id, struct id_out *o)
{
	struct ikev2_id v2 = *id;
	if (v2.data.len + 4 > sizeof(o->body))
		return false;
	o->id = (struct isakmp_id){ .type = v2.type, .data = v2.data };
	o->body[0] = v2.type;
	o->body[1] = o->body[2] = o->body[3] = 0;
	memcpy(o->body + 4, v2.data.ptr, v2.data.len);
	o->body_len = v2.data.len + 4;
	return true;
}

bool phase1_id_out(const ip_id *me, struct id_out *o)
{
	struct ikev2_id v2;
	return id_to_payload(me, &v2, o->buf, sizeof(o->buf)) && id_out_of(&v2, o);
}

/* The body of the payload the builder wrote at offset at. */
static chunk_t built_body(const struct ikev2_builder *b, size_t at)
{
	if (at == SIZE_MAX || at + 4 > b->len)
		return EMPTY_CHUNK;
	size_t len = (size_t)b->buf[at + 2] << 8 | b->buf[at + 3];
	if (len < 4 || at + len > b->len)
		return EMPTY_CHUNK;
	return chunk_from(b->buf + at + 4, len - 4);
}

static bool hash_eq(chunk_t a, const uint8_t *b, size_t blen)
{
	if (a.len != blen)
		return false;
	uint8_t d = 0;
	for (size_t i = 0; i < blen; i++)
		d |= (uint8_t)(a.ptr[i] ^ b[i]);
	return d == 0;
}

/* HASH_I (initiator = true) or HASH_R over an ID payload body. */
err_t phase1_auth_hash(struct ike_sa *ike, bool initiator, chunk_t id_b, chunk_t *out)
{
	struct ikev1_part *v1 = &ike->v1;
	if (initiator)
		return ikev1_hash_auth(ike->suite.prf, v1->keys.skeyid, v1->gxi, v1->gxr, ike->spi_i,
				       ike->spi_r, v1->sa_i_b, id_b, out);
	return ikev1_hash_auth(ike->suite.prf, v1->keys.skeyid, v1->gxr, v1->gxi, ike->spi_r, ike->spi_i,
			       v1->sa_i_b, id_b, out);
}

bool phase1_sign_our_hash(struct ike_sa *ike, helper_done_fn *done, const char *mode)
{
	static struct id_out o;   /* used at once */
	chunk_t hash = EMPTY_CHUNK;
	const char *why;
	bool ok = false;
	if (!phase1_our_id(ike, &o))
		why = "leftid= cannot be sent as an IKE ID";
	else if (phase1_auth_hash(ike, ike->original_initiator, chunk_from(o.body, o.body_len), &hash) != NULL)
		why = "cannot compute the HASH";
	else
		ok = ikev1_sign_submit(ike, hash, done, &why);
	chunk_free(&hash);
	if (!ok)
		phase1_sign_failed(ike, mode, why);
	return ok;
}

void phase1_sign_failed(struct ike_sa *ike, const char *mode, const char *why)
{
	if (ike->original_initiator) {
		ike_initiate_failed(ike, FAIL_LOCAL, why);
		return;
	}
	llog(&ike->logger, RC_ERROR, "%s: cannot sign: %s", mode, why);
	ike_sa_delete(ike, NULL);
}

const char *phase1_peer_id(const struct isakmp_payload *idp, ip_id *peer)
{
	static char why[ISAKMP_DIAG_TEXT + 8];
	struct isakmp_diag d = { 0 };
	struct isakmp_id id;
	if (isakmp_decode_id(idp, &id, &d) != NULL) {
		snprintf(why, sizeof(why), "ID: %s", d.text);
		return why;
	}
	struct ikev2_id v2 = { .type = id.type, .data = id.data };
	if (id_from_payload(&v2, peer) != NULL)
		return "its ID cannot be read";
	return NULL;
}

const char *phase1_check_peer(struct ike_sa *ike, chunk_t id_b, const struct isakmp_payload *hp,
			      const struct isakmp_payloads *pl, ip_id *peer, bool *auth_failed)
{
	static char why[ISAKMP_DIAG_TEXT + 200];
	*auth_failed = false;
	chunk_t hash;
	if (phase1_auth_hash(ike, !ike->original_initiator, id_b, &hash) != NULL)
		return "cannot compute the HASH";
	const char *bad = NULL;
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		bad = ikev1_verify_sig(ike, pl, peer, hash, chunk_from(hp->body, hp->len));
	else if (!hash_eq(hash, hp->body, hp->len))
		bad = ike->original_initiator ? "HASH_R does not match (a different PSK?)"
					      : "HASH_I does not match (a different PSK?)";
	chunk_free(&hash);
	if (bad != NULL) {
		*auth_failed = true;
		snprintf(why, sizeof(why), "%s%s", ike->v1.auth == OAKLEY_RSA_SIG ?
			 (ike->original_initiator ? "SIG_R: " : "SIG_I: ") : "", bad);
		return why;
	}
	ip_id want = phase1_expected_peer_id(ike);
	if (!id_matches(&want, peer)) {
		char got[ID_BUF], exp[ID_BUF];
		snprintf(why, sizeof(why), "the peer is '%s', not '%s' as rightid= says", str_id(peer, got),
			 str_id(&want, exp));
		return why;
	}
	return NULL;
}

void phase1_established(struct ike_sa *ike, const ip_id *peer, const char *mode)
{
	char id[ID_BUF], suite[128];
	ike->peer_id = *peer;
	ike_sa_replace_older(ike, peer);
	ike_set_state(ike, IKE_ESTABLISHED);
	ike->established = time(NULL);
	ike->last_heard_ms = mono_ms();
	ike->c->ike_serial = ike->serial;
	ike->c->keying_attempt = 0;
	ike->c->keying_waiting = false;
	llog(&ike->logger, RC_INFO, "established ISAKMP SA (IKEv1 %s) with %s {%s, %llus}",
	     mode, str_id(peer, id), str_ike_suite(&ike->suite, suite, sizeof(suite)),
	     (unsigned long long)ike->v1.life_s);
	ike_sa_timers_start(ike);
	ikev1_dpd_established(ike);
	if (ikev1_xa_established(ike))   /* XAUTH / Mode Config first (transaction.c) */
		return;
	/* the initiator goes on with the conn's Quick Mode, as IKEv2's
	 * IKE_AUTH carries its Child SA: the waiting client hears its end */
	if (!ike->original_initiator)
		ike_whack_done(ike, 0);
	else if (!quick_mode_initiate(ike, ike->c, false))
		ike_whack_done(ike, WHACK_STATUS_REFUSED);
}

void phase1_keep_last_in(struct ike_sa *ike, const struct packet *pkt)
{
	chunk_free(&ike->v1.last_in);
	ike->v1.last_in = chunk_clone(pkt->data, pkt->len);
	/* a repeat of it gets our answer to it, once there is one */
	ike->have_last_response = false;
}

const char *phase1_choose(const struct connection *c, const struct isakmp_sa *sa,
			  struct isakmp_proposal *answer, struct v1_xform *chosen, uint64_t *life_s)
{
	static struct v1_xform ours[V1_MAX_XFORMS];
	static char why[200];
	size_t n = phase1_our_xforms(c, ours), seen = 0;
	const char *first = NULL;
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *pr = &sa->proposals[i];
		if (pr->protocol != ISAKMP_PROTO_ISAKMP)
			continue;
		for (size_t k = 0; k < pr->n_transforms; k++) {
			uint64_t auth;
			struct v1_xform x;
			seen++;
			const char *e = phase1_xform_from_wire(&pr->transforms[k], &x, &auth, life_s);
			auth = ikev1_xauth_psk_method(c, auth);   /* XAUTH PSK is PSK */
			if (e == NULL && auth != OAKLEY_PRESHARED_KEY && auth != OAKLEY_RSA_SIG)
				e = "authentication method is neither PSK nor RSA signatures";
			x.auth = (uint16_t)auth;
			if (e != NULL) {
				if (first == NULL)
					first = e;
				continue;
			}
			for (size_t o = 0; o < n; o++) {
				if (!phase1_xform_eq(&ours[o], &x))
					continue;
				*answer = *pr;
				answer->n_transforms = 1;
				answer->transforms[0] = pr->transforms[k];
				*chosen = x;
				return NULL;
			}
		}
	}
	snprintf(why, sizeof(why), "none of the peer's %zu transforms matches ike=%s%s%s", seen,
		 c->ike == NULL || c->ike->n == 0 ? " (the defaults)" : "", first ? "; first refused: " : "",
		 first ? first : "");
	return why;
}

bool phase1_repeated(struct ike_sa *ike, const struct packet *pkt, const char *mode)
{
	if (ike->v1.last_in.ptr == NULL || ike->v1.last_in.len != pkt->len ||
	    memcmp(ike->v1.last_in.ptr, pkt->data, pkt->len) != 0)
		return false;
	if (!ike->original_initiator && ike->have_last_response) {
		ldbg(&ike->logger, DBG_CONTROL, "repeated %s message: answering again", mode);
		ike_transmit(ike, ike->last_response.ptr, ike->last_response.len);
	}
	return true;
}

bool phase1_build_our_sa(struct ike_sa *ike, struct ikev2_builder *b)
{
	static struct v1_xform xf[V1_MAX_XFORMS];
	static struct isakmp_sa sa;
	static uint8_t lifebufs[V1_MAX_XFORMS][4];
	size_t n = phase1_our_xforms(ike->c, xf);
	if (n == 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.doi = ISAKMP_DOI_IPSEC;
	sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	struct isakmp_proposal *pr = &sa.proposals[0];
	pr->number = 1;
	pr->protocol = ISAKMP_PROTO_ISAKMP;
	pr->n_transforms = n;
	uint64_t life = ike->c->ike_lifetime_ms / 1000;
	if (life == 0 || life > UINT32_MAX)
		life = V1_DEFAULT_LIFE_S;
	for (size_t i = 0; i < n; i++)
		xform_to_wire(&xf[i], (uint8_t)(i + 1), (uint32_t)life, lifebufs[i], &pr->transforms[i]);
	ikev1_xauth_propose(ike->c, &sa);   /* XAUTH: XAUTHInitPreShared/RespPreShared (transaction.h) */
	size_t at = isakmp_build_sa(b, &sa);
	chunk_t body = built_body(b, at);
	if (body.ptr == NULL)
		return false;
	chunk_free(&ike->v1.sa_i_b);
	ike->v1.sa_i_b = chunk_dup(body);
	return true;
}

const char *phase1_take_answer(struct ike_sa *ike, const struct v1_msg_in *m, const char *msg,
			       struct v1_xform *x)
{
	static struct isakmp_sa sa;
	static struct v1_xform ours[V1_MAX_XFORMS];
	static char why[ISAKMP_DIAG_TEXT + 40];
	struct isakmp_diag d = { 0 };
	const struct isakmp_payload *sap = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_SA, 0);
	uint64_t auth = 0, life = 0;
	const char *e = NULL;
	if (sap == NULL) {
		snprintf(why, sizeof(why), "%s without SA", msg);
		return why;
	}
	if (isakmp_decode_sa(sap, &sa, &d) != NULL) {
		snprintf(why, sizeof(why), "%s", d.text);
		return why;
	}
	if (sa.n_proposals != 1 || sa.proposals[0].n_transforms != 1 ||
	    sa.proposals[0].protocol != ISAKMP_PROTO_ISAKMP)
		return "the responder did not choose one ISAKMP transform";
	if ((e = phase1_xform_from_wire(&sa.proposals[0].transforms[0], x, &auth, &life)) != NULL)
		return e;
	auth = ikev1_xauth_psk_method(ike->c, auth);   /* XAUTH PSK is PSK */
	if (auth != OAKLEY_PRESHARED_KEY && auth != OAKLEY_RSA_SIG)
		return "the responder chose an authentication method other than PSK or RSA";
	x->auth = (uint16_t)auth;
	size_t n = phase1_our_xforms(ike->c, ours);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = phase1_xform_eq(&ours[i], x);
	if (!found)
		return "the responder chose a transform we did not offer";
	uint64_t ours_s = ike->c->ike_lifetime_ms / 1000;
	ike->v1.life_s = life != 0 ? life : ours_s ? ours_s : V1_DEFAULT_LIFE_S;
	return NULL;
}

uint64_t phase1_responder_life(const struct connection *c, uint64_t life)
{
	uint64_t ours_s = c->ike_lifetime_ms / 1000;
	if (life == 0)
		life = V1_DEFAULT_LIFE_S;
	return ours_s != 0 && ours_s < life ? ours_s : life;
}

size_t phase1_build_answer_sa(struct ikev2_builder *b, const struct isakmp_proposal *answer)
{
	static struct isakmp_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.doi = ISAKMP_DOI_IPSEC;
	sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	sa.proposals[0] = *answer;
	return isakmp_build_sa(b, &sa);
}

bool phase1_answer_sa(const struct isakmp_proposal *answer, chunk_t *out)
{
	uint8_t buf[2048];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	chunk_t body = built_body(&b, phase1_build_answer_sa(&b, answer));
	if (body.ptr == NULL)
		return false;
	chunk_free(out);
	*out = chunk_dup(body);
	return true;
}

/* ---- steps both exchanges take -------------------------------------------------- */

bool phase1_first_ok(struct pluto *p, struct v1_msg_in *m, const char *mode)
{
	const struct packet *pkt = m->pkt;
	struct isakmp_diag d = { 0 };
	char why[80];
	if (m->h.flags & ISAKMP_FLAG_ENCRYPTION) {
		ike_drop_log(p, pkt, "encrypted ISAKMP message without a responder cookie");
		return false;
	}
	if (isakmp_split_payloads(pkt->data, pkt->len, &m->h, &m->pl, &d) != NULL) {
		ike_drop_log(p, pkt, d.text);
		return false;
	}
	if (isakmp_payloads_find(&m->pl, ISAKMP_NEXT_SA, 0) == NULL) {
		snprintf(why, sizeof(why), "%s message 1 without SA payload", mode);
		ike_drop_log(p, pkt, why);
		return false;
	}
	unsigned all = 0;
	ike_sa_count(p, &all);
	if (all >= p->opts.halfopen_max ||
	    ike_sa_half_open_from(p, &pkt->remote) >= p->opts.halfopen_per_address) {
		snprintf(why, sizeof(why), "too many half-open IKE SAs: %s message 1 dropped", mode);
		ike_drop_log(p, pkt, why);
		return false;
	}
	return true;
}

struct ike_sa *phase1_responder_sa(struct pluto *p, const struct v1_msg_in *m, struct connection *c,
				   const struct v1_xform *x, uint64_t life)
{
	const struct packet *pkt = m->pkt;
	const struct isakmp_payload *sap = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_SA, 0);
	struct ike_sa *ike = ike_sa_new(p, &ikev1_ops, c, false);
	memcpy(ike->spi_i, m->h.icookie, 8);
	if (sap == NULL || random_ike_spi(ike->spi_r) != NULL) {
		ike_sa_delete(ike, NULL);
		return NULL;
	}
	ike->iface = pkt->iface;
	ike->remote = pkt->remote;
	ike->remote_port = pkt->remote_port;
	phase1_suite_of(x, &ike->suite);
	ike->v1.auth = x->auth;
	ike->v1.life_s = phase1_responder_life(c, life);
	ike->v1.sa_i_b = chunk_clone(sap->body, sap->len);
	ikev1_vids_note(ike, &m->pl);
	return ike;
}

struct ike_sa *phase1_keygen_done(struct pluto *p, struct v1_job *j)
{
	struct ike_sa *ike = phase1_initiator_job(p, j, FAIL_LOCAL);
	if (ike == NULL)
		return NULL;
	dh_free(&ike->dh);
	ike->dh = j->dh;
	j->dh = NULL;
	phase1_job_free(j);
	chunk_free(&ike->v1.gxi);
	ike->v1.gxi = chunk_dup(dh_public_value(ike->dh));
	return ike;
}

void phase1_initiator_derive(struct ike_sa *ike, const struct secret *s, helper_done_fn *done)
{
	struct v1_job *j = phase1_job_new(ike, true);
	j->dh = ike->dh;   /* the job owns it now: the SA may go meanwhile */
	ike->dh = NULL;
	j->peer_ke = chunk_dup(ike->v1.gxr);
	j->psk = s != NULL ? chunk_dup(s->value) : EMPTY_CHUNK;   /* none with signatures */
	j->ni = chunk_dup(ike->ni);
	j->nr = chunk_dup(ike->nr);
	helpers_submit(ike->pluto, phase1_job_work, done, j);
}

bool phase1_responder_derive(struct ike_sa *ike, const struct secret *s, helper_done_fn *done)
{
	struct v1_job *j = phase1_job_new(ike, true);
	j->peer_ke = chunk_dup(ike->v1.gxi);
	j->psk = s != NULL ? chunk_dup(s->value) : EMPTY_CHUNK;   /* none with signatures */
	j->ni = chunk_dup(ike->ni);
	err_t e = random_nonce(V1_NONCE_LEN, &j->nr);
	if (e != NULL) {
		llog(&ike->logger, RC_ERROR, "no nonce: %s", e);
		phase1_job_free(j);
		ike_sa_delete(ike, NULL);
		return false;
	}
	helpers_submit(ike->pluto, phase1_job_work, done, j);
	return true;
}

struct ike_sa *phase1_responder_keys(struct pluto *p, struct v1_job *j, const char *mode)
{
	struct ike_sa *ike = phase1_job_sa(p, j);
	if (ike == NULL) {
		phase1_job_free(j);
		return NULL;
	}
	if (j->err[0] != '\0') {
		llog(&ike->logger, RC_WARNING, "%s: %s", mode, j->err);
		phase1_job_free(j);
		ike_sa_delete(ike, NULL);
		return NULL;
	}
	phase1_take_keys(ike, j);
	chunk_free(&ike->v1.gxr);
	ike->v1.gxr = chunk_dup(dh_public_value(j->dh));
	chunk_free(&ike->nr);
	ike->nr = j->nr;
	j->nr = EMPTY_CHUNK;
	phase1_job_free(j);
	return ike;
}

bool phase1_initiate_ok(struct ike_sa *ike)
{
	static struct v1_xform xf[V1_MAX_XFORMS];
	struct connection *c = ike->c;
	bool psk = (c->authby & AUTH_PSK) && phase1_find_psk(ike, NULL) != NULL;
	bool rsa = ikev1_has_sig_key(c) && ikev1_can_verify_sig(c);
	if (!psk && !rsa) {
		ike_initiate_failed(ike, FAIL_LOCAL, (c->authby & AUTH_RSASIG) && !(c->authby & AUTH_PSK)
				    ? "authby=rsasig needs leftrsasigkey= or an RSA leftcert=, and "
				      "rightrsasigkey=, rightcert= or a CA for the peer's certificate"
				    : "no PSK in ipsec.secrets for this pair of IDs");
		return false;
	}
	if (phase1_our_xforms(ike->c, xf) == 0) {
		ike_initiate_failed(ike, FAIL_LOCAL, "ike= has no proposal IKEv1 phase 1 can use "
				    "(AES-CBC or 3DES, MD5/SHA1/SHA2, a MODP or ECP group)");
		return false;
	}
	return true;
}

struct ike_sa *phase1_initiator_keys(struct pluto *p, struct v1_job *j)
{
	struct ike_sa *ike = phase1_initiator_job(p, j, FAIL_REFUSED);
	if (ike == NULL)
		return NULL;
	phase1_take_keys(ike, j);
	phase1_job_free(j);
	return ike;
}

bool phase1_our_id(struct ike_sa *ike, struct id_out *o)
{
	ip_id me = phase1_local_id(ike);
	/* a DN that is our certificate's subject goes as the certificate's own DER */
	struct ikev2_id v2;
	return certs_id_payload(ike, &me, &v2, o->buf, sizeof(o->buf)) && id_out_of(&v2, o);
}

const struct secret *phase1_initiator_psk(struct ike_sa *ike)
{
	static const struct secret none;   /* signatures: no PSK needed */
	if (ike->v1.auth == OAKLEY_RSA_SIG)
		return &none;
	const struct secret *s = phase1_find_psk(ike, NULL);
	if (s == NULL)
		ike_initiate_failed(ike, FAIL_LOCAL, "no PSK in ipsec.secrets for this pair of IDs");
	return s;
}

void phase1_take_ke_nonce(struct ike_sa *ike, struct ikev2_span ke, struct ikev2_span nonce)
{
	chunk_t *k = ike->original_initiator ? &ike->v1.gxr : &ike->v1.gxi;
	chunk_t *n = ike->original_initiator ? &ike->nr : &ike->ni;
	chunk_free(k);
	*k = chunk_clone(ke.ptr, ke.len);
	chunk_free(n);
	*n = chunk_clone(nonce.ptr, nonce.len);
}

void phase1_initiator_keygen(struct ike_sa *ike, helper_done_fn *done)
{
	chunk_free(&ike->ni);
	err_t e = random_nonce(V1_NONCE_LEN, &ike->ni);
	if (e != NULL) {
		ike_initiate_failed(ike, FAIL_LOCAL, e);
		return;
	}
	helpers_submit(ike->pluto, phase1_job_work, done, phase1_job_new(ike, false));
}

bool phase1_bid_down(struct pluto *p, const struct v1_msg_in *m, struct connection *c, const char *mode)
{
	static const uint8_t zero[8];
	if (!(ikev1_vids_of(&m->pl, &p->logger) & V1_VID_BIT(V1_VID_CAN_IKEV2)))
		return false;
	char a[ADDRESS_BUF];
	str_address(&m->pkt->remote, a);
	if (c->ikev2 != IKEV2_PROPOSE) {
		llog(&p->logger, RC_INFO, "\"%s\": %s from %s: the peer can also IKEv2 (CAN-IKEv2 vendor ID)",
		     c->name, mode, a);
		return false;
	}
	llog(&p->logger, RC_WARNING, "\"%s\": %s from %s: bid-down: the peer can IKEv2 (CAN-IKEv2 vendor ID); "
	     "refusing IKEv1 and initiating IKEv2", c->name, mode, a);
	ikev1_send_clear_notify(p, m->pkt, m->h.icookie, zero, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	/* once: the peer's retransmissions find our attempt under way */
	if (c->keying_attempt != 0 || c->ike_serial != 0)
		return true;
	char why[256];
	if (!ike_initiate(p, c, NULL, why, sizeof(why)))
		llog(&p->logger, RC_INFO, "\"%s\": cannot initiate IKEv2 to %s instead: %s", c->name, a, why);
	return true;
}

void phase1_answered(struct ike_sa *ike, const struct v1_msg_in *m, const struct v1_xform *x)
{
	ike_request_answered(ike);
	memcpy(ike->spi_r, m->h.rcookie, 8);
	ikev1_vids_note(ike, &m->pl);
	phase1_suite_of(x, &ike->suite);
	ike->v1.auth = x->auth;
	phase1_keep_last_in(ike, m->pkt);
}
