/* What IKEv1's two phase 1 exchanges share, with a pre-shared key or
 * RSA signatures (phase1.c): Main Mode (main_mode.c) and Aggressive Mode
 * (aggressive_mode.c). Our transforms from ike= and the peer's from the
 * wire, the proposal the responder picks, the IDs and the PSK, the DH and
 * SKEYID work on a helper thread, HASH_I / HASH_R (RFC 2409 5) and the
 * ISAKMP SA coming up. */
#ifndef PLUTO_IKEV1_PHASE1_H
#define PLUTO_IKEV1_PHASE1_H
#include <stdbool.h>
#include <stdint.h>
#include "helpers.h"
#include "ike/initiate.h"
#include "ikev1/ikev1.h"
#include "ikev1/sig.h"

#define V1_NONCE_LEN 32
#define OAKLEY_PRESHARED_KEY 1
#define V1_DEFAULT_LIFE_S 28800u   /* RFC 2407 4.5: eight hours when none is given */
#define V1_MAX_XFORMS ISAKMP_MAX_TRANSFORMS

struct secret;

/* One phase 1 transform: cipher, hash (the INTEG row; the PRF is HMAC with
 * it) and group. */
struct v1_xform {
	const struct alg_desc *encr;
	unsigned keylen;
	const struct alg_desc *hash, *prf, *dh;
	uint16_t auth;   /* OAKLEY_PRESHARED_KEY or OAKLEY_RSA_SIG (sig.h) */
};

/* Our transforms: ike= (missing parts from the defaults) or the defaults,
 * once per authentication method authby= allows and we can do (PSK
 * first; RSA signatures with leftrsasigkey=). */
size_t phase1_our_xforms(const struct connection *c, struct v1_xform *out);
bool phase1_xform_eq(const struct v1_xform *a, const struct v1_xform *b);
/* A peer's transform: NULL, or why we cannot take it. */
const char *phase1_xform_from_wire(const struct isakmp_transform *t, struct v1_xform *x, uint64_t *auth,
				   uint64_t *life_s);
void phase1_suite_of(const struct v1_xform *x, struct ike_suite *s);

/* Our SA payload (one proposal, every transform of ours) into b; its body
 * is kept in ike->v1.sa_i_b. False when it cannot be built. */
bool phase1_build_our_sa(struct ike_sa *ike, struct ikev2_builder *b);
/* The responder: the first of the peer's transforms that is one of ours
 * (and PSK), as the one-transform proposal to answer with; NULL or why
 * none fits. */
const char *phase1_choose(const struct connection *c, const struct isakmp_sa *sa,
			  struct isakmp_proposal *answer, struct v1_xform *chosen, uint64_t *life_s);
/* The responder's SA payload with the proposal chosen, into b (its
 * offset, SIZE_MAX after an error), or its body into *out (false: none). */
size_t phase1_build_answer_sa(struct ikev2_builder *b, const struct isakmp_proposal *answer);
bool phase1_answer_sa(const struct isakmp_proposal *answer, chunk_t *out);
/* The initiator: the responder's SA payload chose one of our transforms
 * (PSK): NULL and it in *x, ike->v1.life_s set, or why not. */
const char *phase1_take_answer(struct ike_sa *ike, const struct v1_msg_in *m, const char *msg,
			       struct v1_xform *x);
/* The lifetime the responder agrees to: ours when shorter than the peer's. */
uint64_t phase1_responder_life(const struct connection *c, uint64_t peer_life_s);

/* IDs and the PSK. */
ip_id phase1_local_id(struct ike_sa *ike);
ip_id phase1_expected_peer_id(struct ike_sa *ike);
/* By the conn's IDs (Main Mode picks the PSK before it sees the peer's
 * ID, as libreswan does), or by peer when it is given. */
const struct secret *phase1_find_psk(struct ike_sa *ike, const ip_id *peer);

struct id_out {
	struct isakmp_id id;
	uint8_t buf[600];
	uint8_t body[604];   /* IDii_b / IDir_b: type, protocol, port, data */
	size_t body_len;
};
bool phase1_id_out(const ip_id *me, struct id_out *o);
/* Ours (leftid=, or our address); false when it cannot be sent. */
bool phase1_our_id(struct ike_sa *ike, struct id_out *o);
/* The peer's ID payload as an ID: NULL or why not. */
const char *phase1_peer_id(const struct isakmp_payload *idp, ip_id *peer);

/* HASH_I (initiator = true) or HASH_R over an ID payload body. */
err_t phase1_auth_hash(struct ike_sa *ike, bool initiator, chunk_t id_b, chunk_t *out);
/* With signatures: HASH_I (we initiated) or HASH_R over our ID, signed
 * on a helper (done gets the struct v1_sign_job). False when it cannot
 * be: logged, and the attempt failed or the SA deleted. */
bool phase1_sign_our_hash(struct ike_sa *ike, helper_done_fn *done, const char *mode);
/* Our signature could not be made: the attempt failed (we initiated) or
 * the SA is deleted (we answered), logged with why. */
void phase1_sign_failed(struct ike_sa *ike, const char *mode, const char *why);
/* The peer's HASH (or SIG: hp) over its ID body id_b, and its ID (*peer)
 * being the one the conn wants: NULL, or why not (*auth_failed: the HASH
 * or SIG was wrong). pl: the message's payloads, for its certificates
 * (may be NULL without signatures). */
const char *phase1_check_peer(struct ike_sa *ike, chunk_t id_b, const struct isakmp_payload *hp,
			      const struct isakmp_payloads *pl,
			      ip_id *peer, bool *auth_failed);

/* The DH and key work, on a helper thread. */
struct v1_job {
	unsigned serial;
	uint8_t step;                /* ike->v1.step when submitted */
	bool initiator, derive;
	const struct alg_desc *group, *prf, *encr;
	unsigned keylen;
	struct dh_secret *dh;        /* in (the initiator's) or out */
	uint64_t reuse_ms;           /* a responder's: share the key pair (ike/dh_busy.h) */
	uint16_t auth;               /* the SA's method: which SKEYID */
	chunk_t peer_ke, psk, ni, nr;
	uint8_t cky_i[8], cky_r[8];
	struct ikev1_keys keys;
	chunk_t iv;
	char err[160];
};
struct v1_job *phase1_job_new(struct ike_sa *ike, bool derive);
void phase1_job_free(struct v1_job *j);
void phase1_job_work(void *arg);
/* The job's keys (and the phase 1 IV) go to the SA. */
void phase1_take_keys(struct ike_sa *ike, struct v1_job *j);
/* The SA the job was for, if it is still where the job left it. */
struct ike_sa *phase1_job_sa(struct pluto *p, struct v1_job *j);
/* An initiator's job back: its IKE SA, or NULL when the SA went meanwhile
 * or the job failed (then the attempt failed as kind says; j is freed). */
struct ike_sa *phase1_initiator_job(struct pluto *p, struct v1_job *j, enum initiate_failure kind);

/* The initiator took the responder's message 2 (transform x): no more
 * retransmissions, its cookie, vendor IDs and message kept, the suite set. */
void phase1_answered(struct ike_sa *ike, const struct v1_msg_in *m, const struct v1_xform *x);
/* The initiator's PSK, or NULL (the attempt failed). */
const struct secret *phase1_initiator_psk(struct ike_sa *ike);
/* The peer's KE and nonce kept (g^xr and Nr, or g^xi and Ni). */
void phase1_take_ke_nonce(struct ike_sa *ike, struct ikev2_span ke, struct ikev2_span nonce);
/* The initiator can start: a PSK conn with a PSK and transforms (else
 * the attempt failed, logged). */
bool phase1_initiate_ok(struct ike_sa *ike);
/* Steps both exchanges take. The responder's message 1: not encrypted,
 * split, with an SA payload, within the half-open caps (else dropped,
 * logged). */
bool phase1_first_ok(struct pluto *p, struct v1_msg_in *m, const char *mode);
/* The responder's new ISAKMP SA (not inserted yet) for conn c, transform
 * x chosen from message 1 m; NULL without random cookies. */
struct ike_sa *phase1_responder_sa(struct pluto *p, const struct v1_msg_in *m, struct connection *c,
				   const struct v1_xform *x, uint64_t life);
/* The initiator's nonce, and its DH key made on a helper (done gets the
 * job; the attempt failed when there is no nonce). */
void phase1_initiator_keygen(struct ike_sa *ike, helper_done_fn *done);
/* The initiator's DH key is made: its SA with the key (and g^xi), or NULL. */
struct ike_sa *phase1_keygen_done(struct pluto *p, struct v1_job *j);
/* SKEYID and the keys from our DH key, the PSK and both nonces (done gets
 * the job): the initiator's with ike->v1.gxr; the responder's makes its
 * DH key and nonce too (false: no nonce, the SA deleted). */
void phase1_initiator_derive(struct ike_sa *ike, const struct secret *s, helper_done_fn *done);
bool phase1_responder_derive(struct ike_sa *ike, const struct secret *s, helper_done_fn *done);
/* The initiator's job back: its SA with the keys, or NULL (gone, or the
 * attempt failed). */
struct ike_sa *phase1_initiator_keys(struct pluto *p, struct v1_job *j);
/* The responder's job back: its SA with the keys, g^xr and Nr, or NULL
 * (gone, or failed: logged, deleted). */
struct ike_sa *phase1_responder_keys(struct pluto *p, struct v1_job *j, const char *mode);

/* Bid-down detection (ipsec.conf(5) ikev2=): the peer's message 1
 * carries CAN-IKEv2. For a conn with ikev2=propose it is refused
 * (NO-PROPOSAL-CHOSEN, logged) and the conn initiated with IKEv2 when
 * this end can: true. Otherwise logged (the peer can also IKEv2): false. */
bool phase1_bid_down(struct pluto *p, const struct v1_msg_in *m, struct connection *c, const char *mode);

/* The peer's message we took last: a repeat gets our answer again. */
void phase1_keep_last_in(struct ike_sa *ike, const struct packet *pkt);
/* pkt repeats the last one taken: true (and answered again when we are
 * the responder and have answered it). */
bool phase1_repeated(struct ike_sa *ike, const struct packet *pkt, const char *mode);

/* The ISAKMP SA is up (mode: "Main Mode" or "Aggressive Mode"); the
 * initiator goes on with its conn's Quick Mode. */
void phase1_established(struct ike_sa *ike, const ip_id *peer, const char *mode);
#endif
