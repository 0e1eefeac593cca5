/* The IKEv2 exchanges (RFC 7296 1.2-1.5): one record per exchange, read
 * by the receive path (ikev2/messages.c), the payload checker
 * (ikev2_legal.c), the tests and the documentation; and what the
 * exchanges offer the rest of the daemon.
 *
 * Adding an exchange: its payload rules and handlers go in one row of the
 * table in exchanges.c, its code in one file exch_NAME.c; work the core
 * asks for (ike/ops.h) goes into ikev2_ops.start in ops.c. */
#ifndef PLUTO_IKEV2_EXCHANGES_H
#define PLUTO_IKEV2_EXCHANGES_H
#include <stdbool.h>
#include <stdint.h>
#include "ike/sa.h"
#include "ikev2/ikev2_msg.h"

struct pluto;
struct ike_msg_in;
struct ike_work;

/* Who may send the exchange's request. */
enum ikev2_sender {
	IKEV2_SENDER_ORIGINAL_INITIATOR,   /* IKE_SA_INIT, IKE_AUTH */
	IKEV2_SENDER_EITHER,               /* CREATE_CHILD_SA, INFORMATIONAL */
};

#define IKEV2_RULES_N (IKEV2_PT_LAST - IKEV2_PT_FIRST + 1)

struct ikev2_exchange_record {
	uint8_t type;                      /* IKEV2_EXCH_* */
	enum ikev2_sender sender;
	bool encrypted;                    /* its messages are one SK (or SKF) */
	/* payload rules (enum ikev2_rule bits) by type - IKEV2_PT_FIRST */
	uint8_t request[IKEV2_RULES_N], response[IKEV2_RULES_N];
	/* the IKE SA states (bits) in which a request is handled */
	unsigned request_states;
	/* a request that makes a new IKE SA (IKE_SA_INIT) */
	void (*new_sa)(struct pluto *p, struct ike_msg_in *m);
	/* a request on an IKE SA, and the answer to ours */
	void (*request_handler)(struct ike_sa *ike, struct ike_msg_in *m);
	void (*response_handler)(struct ike_sa *ike, struct ike_msg_in *m);
};

/* The record of an exchange type, NULL for one pluto does not know. */
const struct ikev2_exchange_record *ikev2_exchange_record(uint8_t type);
/* Every record, for tests and documentation; *n is set to their count. */
const struct ikev2_exchange_record *ikev2_exchange_records(size_t *n);

/* ---- the exchanges' entry points -------------------------------------------- */

/* IKE_SA_INIT (exch_sa_init.c): (re)start with a DH group. */
void sa_init_start(struct ike_sa *ike, const struct alg_desc *group);
/* IKE_AUTH (exch_auth.c): the initiator's request, once the IKE SA keys exist. */
void auth_initiate(struct ike_sa *ike);

/* The work of ike/ops.h, started by the queue (exch_child.c, exch_info.c). */
bool ikev2_new_child(struct ike_sa *ike, struct ike_work *w);
bool ikev2_rekey_child(struct ike_sa *ike, struct ike_work *w);
bool ikev2_rekey_ike(struct ike_sa *ike, struct ike_work *w);
bool ikev2_delete_child(struct ike_sa *ike, struct ike_work *w);
bool ikev2_delete_ike(struct ike_sa *ike, struct ike_work *w);
bool ikev2_liveness(struct ike_sa *ike, struct ike_work *w);
void ikev2_goodbye(struct ike_sa *ike);
/* The initiator refused the responder's IKE_AUTH answer (its AUTH, ID or
 * certificate): the responder, which has its SAs by now, is told
 * (AUTHENTICATION_FAILED and a Delete, RFC 7296 2.21.2). */
void ikev2_refuse_responder(struct ike_sa *ike);
bool ikev2_goodbye_children(struct ike_sa *ike, struct child_sa *const *children, size_t n);

/* The handlers of the table. */
void sa_init_responder(struct pluto *p, struct ike_msg_in *m);
void sa_init_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void auth_responder(struct ike_sa *ike, struct ike_msg_in *m);
void auth_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void child_responder(struct ike_sa *ike, struct ike_msg_in *m);
void child_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void info_responder(struct ike_sa *ike, struct ike_msg_in *m);
void info_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
#endif
