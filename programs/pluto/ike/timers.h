/* The timers of established SAs, for both IKE versions: rekey before the
 * lifetime ends (rekeymargin=, rekeyfuzz=), delete at its end, and
 * liveness (dpddelay=, dpdtimeout=, dpdaction=): the core decides when;
 * the version's exchanges (through the queue) do the talking. */
#ifndef PLUTO_IKE_TIMERS_H
#define PLUTO_IKE_TIMERS_H
#include "ike/sa.h"

/* The IKE SA is up: lifetime, rekey, liveness and NAT keepalive timers. */
void ike_sa_timers_start(struct ike_sa *ike);
/* A responder's IKE SA that answered its first exchange: deleted unless
 * it is established within IKE_HALF_OPEN_LIFETIME_S. */
void ike_sa_half_open_timer_start(struct ike_sa *ike);
void child_sa_timers_start(struct child_sa *child);
/* The lifetime negotiated for an established IKE SA is life_ms, not the
 * conn's (IKEv1: the responder's shorter one): its end and its rekey
 * move (counted from its establishment). */
void ike_sa_lifetime_set(struct ike_sa *ike, uint64_t life_ms);

/* The peer of an established IKE SA is gone: nothing heard for
 * dpdtimeout=, or a request of ours went unanswered through every
 * retransmission. Deletes the IKE SA and its Child SAs and does what the
 * conn's dpdaction= says: clear (nothing more), hold (the conn's traffic
 * is held by trap policies until a packet brings the tunnel up again),
 * restart (a new keying attempt at once, through keyingtries=). */
void ike_peer_dead(struct ike_sa *ike, const char *why);
/* on_timeout of the queue's exchanges: the peer does not answer. */
void ike_request_timed_out(struct ike_sa *ike);
#endif
