/* IKEv1 behind the core's ops table (ike/ops.h). Only the Delete of the
 * ISAKMP SA is work the queue can start so far: with no Quick Mode there
 * are no Child SAs to make, rekey or delete; rekeying the ISAKMP SA and
 * DPD (RFC 3706) are not done (the SA expires at its lifetime). */
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "ikev1/ikev1.h"

static void ikev1_initiate(struct ike_sa *ike)
{
	main_mode_initiate(ike);
}

void ikev1_part_free(struct ike_sa *ike)
{
	struct ikev1_part *v1 = &ike->v1;
	chunk_free(&v1->sa_i_b);
	chunk_free(&v1->gxi);
	chunk_free(&v1->gxr);
	chunk_free(&v1->last_in);
	ikev1_keys_free(&v1->keys);
	v1->keys_ready = false;
}

/* An Informational is not answered: the Delete goes, and so does the SA. */
bool ikev1_delete_ike(struct ike_sa *ike, struct ike_work *w)
{
	(void)w;
	ikev1_send_delete(ike);
	ike_work_done(ike);
	ike_sa_delete(ike, "deleted (ISAKMP Delete sent to the peer)");
	return true;
}

void ikev1_goodbye(struct ike_sa *ike)
{
	ikev1_send_delete(ike);
}

const struct ike_ops ikev1_ops = {
	.name = "IKEv1",
	.major = 1,
	.receive = ikev1_receive,
	.initiate = ikev1_initiate,
	.start = {
		[WORK_DELETE_IKE] = ikev1_delete_ike,
	},
	.goodbye = ikev1_goodbye,
	.free_part = ikev1_part_free,
};
