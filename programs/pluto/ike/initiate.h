/* Starting negotiations (keying attempts, keyingtries=) and finding the
 * conn a responder uses: the core's, whatever the IKE version. */
#ifndef PLUTO_IKE_INITIATE_H
#define PLUTO_IKE_INITIATE_H
#include <stdbool.h>
#include <stdint.h>
#include "ike/sa.h"

struct pluto;
struct packet;
struct ctl_client;

/* Starts negotiating conn c (whack --up, auto=start, an ACQUIRE): its
 * first keying attempt, replacing attempts under way or waiting. The whack
 * client (may be NULL) gets the outcome of that first attempt. False with
 * why when it cannot even start.
 *
 * A conn that is an instance of a group (NAME/LxR of leftsubnets=) whose
 * sibling already has an IKE SA to the same peer (established or on its
 * way) gets its Child SA over that IKE SA (CREATE_CHILD_SA), not an IKE
 * SA of its own.
 *
 * keyingtries=N (0: %forever) is how many attempts are made: after an
 * attempt that failed by a timeout or by the peer's answer (a refusal such
 * as AUTHENTICATION_FAILED or NO_PROPOSAL_CHOSEN, or an answer that does
 * not fit), the next one starts with new SPIs: at once after a timeout,
 * after keying_pause_ms() after a refusal (the log says that the peer
 * refused and that pluto tries again). A failure of this host's own
 * (no PSK, no private key, no SPI) ends the attempts. The waiting whack
 * client is released when the first attempt fails, with that failure and,
 * when more attempts remain, a line saying that pluto goes on in the
 * background; whack --terminate (auto --down) ends them. */
bool ike_initiate(struct pluto *p, struct connection *c, struct ctl_client *whack,
		  char *why, size_t whysize);
/* Whether c has its Child SA or a keying attempt under way or waiting
 * (why says which): auto=start has nothing to do then. */
bool ike_conn_up_or_coming(struct pluto *p, const struct connection *c, char *why, size_t whysize);
/* Starts the conn's waiting keying attempt (conn_timers.c, when due). */
void ike_initiate_due(struct pluto *p, struct connection *c);
/* Ends the conn's keying attempts: the one waiting, and the IKE SAs of
 * attempts under way (deleted, why logged). Returns how many there were. */
unsigned ike_initiate_cancel(struct pluto *p, struct connection *c, const char *why);

/* How an initiator's negotiation failed. */
enum initiate_failure {
	FAIL_LOCAL,      /* this host cannot go on: no other attempt */
	FAIL_TIMEOUT,    /* no answer: the next attempt at once */
	FAIL_REFUSED,    /* the peer refused, or answered what we cannot take:
			  * the next attempt after a pause */
};
/* The pause before the attempt after one that the peer refused: 1 s after
 * the first, doubling up to KEYING_PAUSE_MAX_MS. */
#define KEYING_PAUSE_MAX_S 60
#define KEYING_PAUSE_MAX_MS (KEYING_PAUSE_MAX_S * 1000u)
uint64_t keying_pause_ms(unsigned failed_attempt);
/* Initiator: the negotiation failed; logs why (the waiting whack client
 * sees it once), schedules the next keying attempt or gives up, releases
 * whack and deletes the IKE SA. */
void ike_initiate_failed(struct ike_sa *ike, enum initiate_failure kind, const char *why);
/* A keying attempt of conn c starts again later, as after a timeout
 * (dpdaction=restart, a peer that went away): attempt 1, at once. */
void ike_initiate_again(struct pluto *p, struct connection *c, const char *why);

/* The conn a responder uses for a peer at that address, narrowed by the
 * peer's ID once known (NULL before IKE_AUTH) and by the traffic selectors
 * the peer asks for (NULL when none: the best by address and ID); only
 * conns whose ikev2= answers the packet's IKE version. */
struct ikev2_ts_list;
struct connection *conn_for_responder(struct pluto *p, const struct packet *pkt,
				      const ip_id *peer_id, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr);
/* Why conn_for_responder() found nothing, for the log: "no conn for it",
 * or the conn that would fit but whose ikev2= refuses this version. */
const char *conn_refusal(struct pluto *p, const struct packet *pkt, char *buf, size_t size);
/* The conn of a Child SA the peer asks for over an established IKE SA
 * (CREATE_CHILD_SA without REKEY_SA): the IKE SA's own conn or another
 * instance of its group (NAME/LxR, same peer), the first whose selectors
 * fit, narrowed into *ts; NULL when none fits. */
struct connection *conn_for_new_child(struct ike_sa *ike, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr, struct child_ts *ts);
/* Responder: the peer asked for the pairs tsi x tsr (its selectors, ours)
 * and child (of conn child_c, agreed ts) carries some of them. A pair it
 * does not carry that another instance of child_c's group does gets that
 * instance's own Child SA, negotiated on this IKE SA (queued); a pair no
 * conn carries is logged: no pair is left without an SA silently. */
void group_cover_requested(struct ike_sa *ike, const struct connection *child_c,
			   const struct child_ts *ts, const struct ikev2_ts_list *tsi,
			   const struct ikev2_ts_list *tsr);
/* Whether a and b are instances of one leftsubnets= group (NAME/LxR). */
bool conn_same_group(const struct connection *a, const struct connection *b);
#endif
