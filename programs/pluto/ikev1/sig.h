/* IKEv1 RSA signatures (RFC 2409 5.1: authentication with signatures):
 * SIG_I / SIG_R are the RSA signature of HASH_I / HASH_R, the hash itself
 * padded as PKCS#1 v1.5 block type 1 (crypto: sig_alg_ikev1_rsa). Our key
 * is the private half of leftrsasigkey= in the NSS database, used on a
 * helper thread; the peer's is rightrsasigkey= (or its second key). */
#ifndef PLUTO_IKEV1_SIG_H
#define PLUTO_IKEV1_SIG_H
#include <stdbool.h>
#include "chunk.h"
#include "helpers.h"
#include "swan/id.h"

struct connection;
struct ike_sa;
struct ikev2_builder;
struct isakmp_payloads;
struct pluto;

#define OAKLEY_RSA_SIG 3     /* the Authentication Method attribute (RFC 2409 A) */

/* The signing job: done(p, job) runs on the main thread; the job's SA is
 * found again by ikev1_sign_sa(). */
struct v1_sign_job {
	unsigned serial;
	uint8_t step;              /* ike->v1.step when submitted */
	chunk_t hash;              /* in: HASH_I or HASH_R */
	chunk_t sig;               /* out: the SIG payload's data */
	char err[160];
};
/* Signs hash with our key; false (why in *why) when the conn has no
 * leftrsasigkey=. */
bool ikev1_sign_submit(struct ike_sa *ike, chunk_t hash, helper_done_fn *done, const char **why);
/* The job's SA when it is still there and at the same step (else NULL:
 * the job is freed). */
struct ike_sa *ikev1_sign_sa(struct pluto *p, struct v1_sign_job *j);
void ikev1_sign_job_free(struct v1_sign_job *j);

/* NULL when sig is the peer's signature of hash: by rightrsasigkey= (or
 * its second key), or by the key of its certificate (the CERT payloads of
 * pl, verified as IKEv2 does, or rightcert=), which must name peer; else
 * why not. */
const char *ikev1_verify_sig(struct ike_sa *ike, const struct isakmp_payloads *pl, const ip_id *peer,
			     chunk_t hash, chunk_t sig);
/* Can we sign (leftrsasigkey=, or an RSA leftcert=), and check the peer's
 * signature (rightrsasigkey=, rightcert= or a CA)? */
bool ikev1_has_sig_key(struct connection *c);
bool ikev1_can_verify_sig(struct connection *c);

/* Certificates (RFC 2408 3.9, 3.10): a CR (empty: any CA we trust) when
 * we want the peer's certificate, in Main Mode's messages 3 and 4 and
 * Aggressive Mode's 1 and 2 (message 1 before a method is chosen: when
 * signatures are one we offer); our CERT (and its intermediate CAs)
 * before SIG, as leftsendcert= says; a CR from the peer noted. */
void ikev1_certreq_build(struct ike_sa *ike, struct ikev2_builder *b);
void ikev1_certreq_note(struct ike_sa *ike, const struct isakmp_payloads *pl);
void ikev1_cert_build(struct ike_sa *ike, struct ikev2_builder *b);
#endif
