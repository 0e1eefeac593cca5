/* IKEv1 RSA signatures: see sig.h. */
#include <stdio.h>
#include <stdlib.h>
#include "connections.h"
#include "crypto/crypto.h"
#include "ike/sa.h"
#include "ikev1/sig.h"
#include "pluto.h"

struct sign_work {
	struct v1_sign_job job;    /* first: what done() gets */
	rsa_pubkey pub;            /* whose private half signs */
};

static void sign_work(void *arg)
{
	struct sign_work *w = arg;
	err_t e;
	struct hostkey *key = hostkey_find(&w->pub, &e);
	if (key == NULL) {
		snprintf(w->job.err, sizeof(w->job.err),
			 "no private key for leftrsasigkey= in the NSS database: %s", e);
		return;
	}
	e = auth_rsa_sign(key, &sig_alg_ikev1_rsa, w->job.hash, &w->job.sig);
	hostkey_free(&key);
	if (e != NULL)
		snprintf(w->job.err, sizeof(w->job.err), "cannot sign: %s", e);
}

bool ikev1_sign_submit(struct ike_sa *ike, chunk_t hash, helper_done_fn *done, const char **why)
{
	const rsa_pubkey *pub = local_end(ike->c)->rsakey;
	if (pub == NULL) {
		*why = "authby=rsasig needs leftrsasigkey= (ipsec showhostkey --left)";
		return false;
	}
	struct sign_work *w = calloc(1, sizeof(*w));
	if (w == NULL)
		abort();
	w->job.serial = ike->serial;
	w->job.step = ike->v1.step;
	w->job.hash = chunk_dup(hash);
	w->pub = *pub;
	helpers_submit(ike->pluto, sign_work, done, w);
	return true;
}

void ikev1_sign_job_free(struct v1_sign_job *j)
{
	chunk_free(&j->hash);
	chunk_free(&j->sig);
	free(j);   /* the struct sign_work it starts */
}

struct ike_sa *ikev1_sign_sa(struct pluto *p, struct v1_sign_job *j)
{
	struct ike_sa *ike = p != NULL ? ike_sa_by_serial(p, j->serial) : NULL;
	if (ike == NULL || ike->v1.step != j->step || ike->state == IKE_DEAD) {
		ikev1_sign_job_free(j);
		return NULL;
	}
	return ike;
}

const char *ikev1_verify_sig(struct ike_sa *ike, chunk_t hash, chunk_t sig)
{
	struct connection *c = ike->c;
	if (!(c->authby & AUTH_RSASIG))
		return "the peer signed, but authby= does not allow RSA";
	const struct end *pe = peer_end(c);
	if (pe->rsakey == NULL && pe->rsakey2 == NULL)
		return "no rightrsasigkey= for the peer";
	if (pe->rsakey != NULL && auth_rsa_verify(pe->rsakey, &sig_alg_ikev1_rsa, hash, sig) == NULL)
		return NULL;
	if (pe->rsakey2 != NULL && auth_rsa_verify(pe->rsakey2, &sig_alg_ikev1_rsa, hash, sig) == NULL)
		return NULL;
	return "the peer's RSA signature does not verify with its configured key";
}
