/* IKEv2 behind the core's ops table (ike/ops.h). */
#include <stdlib.h>
#include "ike/ops.h"
#include "ike/sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/messages.h"
#include "ikev2/proposals.h"

static void ikev2_initiate(struct ike_sa *ike)
{
	sa_init_start(ike, ike_proposals_first_dh(ike->c));
}

void ikev2_part_free(struct ike_sa *ike)
{
	struct ikev2_part *v2 = &ike->v2;
	chunk_free(&v2->cookie);
	chunk_free(&v2->init_request);
	chunk_free(&v2->init_response);
	ike_sa_keys_free(&v2->keys);
	if (v2->frags != NULL)
		ikev2_frags_reset(v2->frags);
	free(v2->frags);
	v2->frags = NULL;
}

const struct ike_ops ikev2_ops = {
	.name = "IKEv2",
	.major = 2,
	.receive = ikev2_receive,
	.initiate = ikev2_initiate,
	.start = {
		[WORK_NEW_CHILD] = ikev2_new_child,
		[WORK_REKEY_CHILD] = ikev2_rekey_child,
		[WORK_REKEY_IKE] = ikev2_rekey_ike,
		[WORK_DELETE_CHILD] = ikev2_delete_child,
		[WORK_DELETE_IKE] = ikev2_delete_ike,
		[WORK_LIVENESS] = ikev2_liveness,
	},
	.goodbye = ikev2_goodbye,
	.goodbye_children = ikev2_goodbye_children,
	.free_part = ikev2_part_free,
};
