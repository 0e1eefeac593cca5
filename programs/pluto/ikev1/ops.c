/* IKEv1 behind the core's ops table (ike/ops.h). The queue can start a
 * Quick Mode for another conn, the Delete of a Child SA, the Delete of
 * the ISAKMP SA (its Child SAs' Delete first) and a liveness check (DPD,
 * RFC 3706: dpd.c); rekeying (Child SAs and the ISAKMP SA) is not done:
 * SAs expire at their lifetimes. */
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
	ikev1_dpd_free(ike);
	ikev1_xa_free(ike);   /* XAUTH, Mode Config: the address back to its pool */
	chunk_free(&v1->sa_i_b);
	chunk_free(&v1->gxi);
	chunk_free(&v1->gxr);
	chunk_free(&v1->last_in);
	ikev1_quick_free(&v1->qi);
	ikev1_quick_free(&v1->qr);
	ikev1_keys_free(&v1->keys);
	v1->keys_ready = false;
}

/* An IPsec Delete naming every Child SA of the ISAKMP SA. */
static void delete_all_children(struct ike_sa *ike)
{
	struct child_sa *list[16];
	size_t n = 0;
	for (struct child_sa *c = ike->children; c != NULL && n < 16; c = c->next)
		list[n++] = c;
	ikev1_send_delete_children(ike, list, n);
}

/* An Informational is not answered: the Deletes go, and so does the SA. */
bool ikev1_delete_ike(struct ike_sa *ike, struct ike_work *w)
{
	(void)w;
	delete_all_children(ike);
	ikev1_send_delete(ike);
	ike_work_done(ike);
	ike_sa_delete(ike, "deleted (ISAKMP Delete sent to the peer)");
	return true;
}

void ikev1_goodbye(struct ike_sa *ike)
{
	delete_all_children(ike);
	ikev1_send_delete(ike);
}

static bool new_child(struct ike_sa *ike, struct ike_work *w)
{
	if (w->c == NULL)
		return false;
	return quick_mode_initiate(ike, w->c, true);
}

static bool delete_child(struct ike_sa *ike, struct ike_work *w)
{
	struct child_sa *child = child_sa_by_serial(ike->pluto, w->child_serial);
	if (child == NULL || child->ike != ike || child->state != CHILD_ESTABLISHED)
		return false;
	ikev1_send_delete_children(ike, &child, 1);
	child_sa_delete(child, "deleted (IPsec Delete sent to the peer)");
	ike_work_done(ike);
	return true;
}

static bool goodbye_children(struct ike_sa *ike, struct child_sa *const *children, size_t n)
{
	if (ike->state != IKE_ESTABLISHED)
		return false;
	ikev1_send_delete_children(ike, children, n);
	return true;
}

const struct ike_ops ikev1_ops = {
	.name = "IKEv1",
	.major = 1,
	.receive = ikev1_receive,
	.initiate = ikev1_initiate,
	.start = {
		[WORK_NEW_CHILD] = new_child,
		[WORK_DELETE_CHILD] = delete_child,
		[WORK_DELETE_IKE] = ikev1_delete_ike,
		[WORK_LIVENESS] = ikev1_liveness,
	},
	.goodbye = ikev1_goodbye,
	.goodbye_children = goodbye_children,
	.free_part = ikev1_part_free,
};
