/* Dead peer detection for IKEv1 (RFC 3706), the version's half of the
 * core's liveness (ike/timers.c decides when to check and when the peer
 * is dead; dpdaction= is applied there too).
 *
 * Every phase 1 of ours carries the DPD vendor ID (vendor.c), whatever the conn's
 * dpddelay=, as libreswan does: it says that we answer R_U_THERE, which
 * we always do. Checks are sent only to a peer that sent the vendor ID.
 *
 * A check is an encrypted Informational (HASH(1), N(R_U_THERE)) with the
 * two cookies as SPI and a 32-bit sequence number (random at first, then
 * one more each time) as data; the answer is a separate Informational
 * with N(R_U_THERE_ACK) echoing it. Informationals are not retransmitted:
 * a check nobody answers ends after dpddelay (so that the queue goes on)
 * and the core queues the next one; dpdtimeout= of silence makes the
 * peer dead whatever checks are out. A check does not wait for a Quick
 * Mode under way (ikev1_ops.unqueued): R_U_THERE is an Informational,
 * not a request that holds the ISAKMP SA's queue. */
#include <event2/event.h>
#include <string.h>
#include "ike/queue.h"
#include "ikev1/ikev1.h"
#include "pluto.h"

void ikev1_dpd_established(struct ike_sa *ike)
{
	/* Main Mode's one hook after the core's timers started: the
	 * negotiated lifetime goes into them too */
	ikev1_lifetime_established(ike);
	const struct connection *c = ike->c;
	if (ike->v1.peer_dpd || c == NULL || c->dpd_delay_ms == 0 || c->dpd_timeout_ms == 0)
		return;
	/* without checks a quiet peer would be found dead */
	if (ike->dpd_timer != NULL)
		event_del(ike->dpd_timer);
	ldbg(&ike->logger, DBG_LIFECYCLE,
	     "liveness: no checks (the peer did not send the DPD vendor ID of RFC 3706)");
}

static void check_unanswered(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	if (!ike->v1.dpd_waiting)
		return;
	ike->v1.dpd_waiting = false;
	ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: no R_U_THERE_ACK to sequence %u", ike->v1.dpd_seq);
	if (ike_work_running(ike, ike->v1.dpd_work) != NULL)
		ike_work_done(ike);
}

bool ikev1_liveness(struct ike_sa *ike, struct ike_work *w)
{
	struct ikev1_part *v1 = &ike->v1;
	if (ike->state != IKE_ESTABLISHED || !v1->keys_ready || ike->c == NULL)
		return false;
	if (!v1->peer_dpd)
		return false;   /* ikev1_dpd_established said so */
	if (v1->dpd_waiting)
		return false;   /* not queued (ikev1_ops.unqueued): one check at a time */
	if (v1->dpd_seq == 0 && random_bytes(&v1->dpd_seq, sizeof(v1->dpd_seq)) != NULL)
		return false;
	/* RFC 3706 5.5: random at first, then one more; 0 marks "none yet" */
	v1->dpd_seq = (v1->dpd_seq & 0x7fffffff) + 1;
	if (!ikev1_send_dpd(ike, ISAKMP_N_R_U_THERE, v1->dpd_seq))
		return false;
	ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: sent a check (R_U_THERE, sequence %u)", v1->dpd_seq);
	v1->dpd_waiting = true;
	v1->dpd_work = w->id;
	if (v1->dpd_wait == NULL && ike->pluto->base != NULL)
		v1->dpd_wait = event_new(ike->pluto->base, -1, 0, check_unanswered, ike);
	if (v1->dpd_wait != NULL) {
		uint64_t ms = ike->c->dpd_delay_ms;
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };
		event_add(v1->dpd_wait, &tv);
	}
	return true;
}

static uint32_t seq_of(const struct isakmp_notify *n)
{
	const uint8_t *d = n->data.ptr;
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

void ikev1_dpd_notify(struct ike_sa *ike, const struct isakmp_notify *n)
{
	struct ikev1_part *v1 = &ike->v1;
	const char *name = isakmp_notify_name(n->type);
	/* the SPI names this ISAKMP SA: both cookies */
	if (n->spi.len != 16 || memcmp(n->spi.ptr, ike->spi_i, 8) != 0 ||
	    memcmp(n->spi.ptr + 8, ike->spi_r, 8) != 0 || n->data.len != 4) {
		llog(&ike->logger, RC_INFO, "ignoring %s: %s", name,
		     n->data.len != 4 ? "its data is not a 32-bit sequence number"
				      : "its SPI is not the cookies of this ISAKMP SA");
		return;
	}
	uint32_t seq = seq_of(n);
	if (n->type == ISAKMP_N_R_U_THERE) {
		/* an older one is a replay; the same again is a repeat: answered */
		if (v1->dpd_peer_seen && (int32_t)(seq - v1->dpd_peer_seq) < 0) {
			llog(&ike->logger, RC_INFO, "ignoring R_U_THERE with the old sequence %u (last %u)", seq,
			     v1->dpd_peer_seq);
			return;
		}
		v1->dpd_peer_seen = true;
		v1->dpd_peer_seq = seq;
		if (ikev1_send_dpd(ike, ISAKMP_N_R_U_THERE_ACK, seq))
			ldbg(&ike->logger, DBG_LIFECYCLE,
			     "liveness: answering the peer's check (R_U_THERE_ACK, sequence %u)", seq);
		return;
	}
	if (!v1->dpd_waiting || seq != v1->dpd_seq) {
		if (seq == v1->dpd_seq)
			ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: a late R_U_THERE_ACK (sequence %u)", seq);
		else
			llog(&ike->logger, RC_INFO, "ignoring R_U_THERE_ACK with sequence %u: our check has %u",
			     seq, v1->dpd_seq);
		return;
	}
	v1->dpd_waiting = false;
	if (v1->dpd_wait != NULL)
		event_del(v1->dpd_wait);
	ldbg(&ike->logger, DBG_LIFECYCLE, "liveness: the peer is alive (R_U_THERE_ACK, sequence %u)", seq);
	if (ike_work_running(ike, v1->dpd_work) != NULL)
		ike_work_done(ike);
}

void ikev1_dpd_free(struct ike_sa *ike)
{
	if (ike->v1.dpd_wait != NULL)
		event_free(ike->v1.dpd_wait);
	ike->v1.dpd_wait = NULL;
	ike->v1.dpd_waiting = false;
}
