/* What the exchanges offer each other and the rest of the daemon. */
#ifndef PLUTO_IKE_EXCHANGES_H
#define PLUTO_IKE_EXCHANGES_H
#include <stdbool.h>
#include "ike/sa.h"

struct pluto;
struct packet;
struct ctl_client;

/* Starts negotiating conn c (whack --up, auto=start, an ACQUIRE). The
 * whack client (may be NULL) gets the outcome. False with why when it
 * cannot even start. */
bool ike_initiate(struct pluto *p, struct connection *c, struct ctl_client *whack,
		  char *why, size_t whysize);
/* Initiator: negotiation failed; tells whack and deletes the IKE SA. */
void ike_initiate_failed(struct ike_sa *ike, const char *why);

/* IKE_SA_INIT: (re)start with a DH group (exch_sa_init.c). */
void sa_init_start(struct ike_sa *ike, const struct alg_desc *group);
/* IKE_AUTH: the initiator's request, once the IKE SA keys exist. */
void auth_initiate(struct ike_sa *ike);

/* The conn a responder uses for a peer at that address, narrowed by the
 * peer's ID once known (NULL before IKE_AUTH) and by the traffic selectors
 * the peer asks for (NULL when none: the best by address and ID). */
struct ikev2_ts_list;
struct connection *conn_for_responder(struct pluto *p, const struct packet *pkt,
				      const ip_id *peer_id, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr);

/* The IKE SA is up: lifetime, rekey and liveness timers (timers.c). */
void ike_sa_timers_start(struct ike_sa *ike);
/* A responder's IKE SA that answered IKE_SA_INIT: deleted unless IKE_AUTH
 * establishes it within IKE_HALF_OPEN_LIFETIME_S (ike_sa_timers_start
 * replaces the timer). */
void ike_sa_half_open_timer_start(struct ike_sa *ike);
void child_sa_timers_start(struct child_sa *child);

/* CREATE_CHILD_SA and INFORMATIONAL requests we start. */
bool child_rekey_start(struct child_sa *child);
bool ike_rekey_start(struct ike_sa *ike);
bool info_delete_ike(struct ike_sa *ike, struct ctl_client *whack);
bool info_delete_child(struct child_sa *child);
bool info_liveness(struct ike_sa *ike);
#endif
