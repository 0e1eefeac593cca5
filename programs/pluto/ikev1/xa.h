/* What transaction.c, xauth.c and modecfg.c share (private to them): the
 * state of an ISAKMP SA's XAUTH and Mode Config (ike->v1.xa). */
#ifndef PLUTO_IKEV1_XA_H
#define PLUTO_IKEV1_XA_H
#include <stdbool.h>
#include <stdint.h>
#include "chunk.h"
#include "ikev1/ikev1.h"
#include "ikev1/transaction.h"

#define XA_USER_MAX 128

/* One request of ours waiting for its answer. */
enum xa_out {
	XA_OUT_NONE,
	XA_OUT_XAUTH_REQUEST,    /* server: REQUEST, the REPLY comes */
	XA_OUT_XAUTH_SET,        /* server: SET (status), the ACK comes */
	XA_OUT_MODECFG_REQUEST,  /* client: REQUEST, the REPLY comes */
	XA_OUT_MODECFG_SET,      /* server: SET, the ACK comes */
};

struct ikev1_transaction {
	/* this end's roles over this ISAKMP SA (its conn's local end) */
	bool xauth_server, xauth_client, modecfg_server, modecfg_client, pull;
	bool xauth_done, modecfg_done, finished;
	bool xauth_failed;               /* server: the SET says FAIL */
	char user[XA_USER_MAX];          /* the XAUTH user (server: as the peer gave it) */
	/* our request in flight */
	enum xa_out out;
	uint32_t out_msgid;
	uint16_t out_ident;
	uint8_t out_iv[IKEV1_BLOCK_MAX]; /* the exchange's CBC chain after our request */
	uint32_t superseded_msgid;       /* a request of ours the peer's own made moot: its late answer is ignored */
	/* the peer's last request and our answer to it (a repeat gets it again) */
	chunk_t last_in, last_out;
	/* Mode Config: the address given (server, from a pool or the peer's
	 * one-address subnet) or got (client), its netmask and DNS servers */
	bool have_addr, leased;
	ip_address addr, mask, dns[2];
	ip_address pool_first, pool_last;  /* leased: the pool it came from */
	bool set_sourceip;               /* client: it is the conn's leftsourceip for updown */
	struct event *deadline;          /* all of it must end within a request's budget */
};

/* transaction.c: sends a request of ours (REQUEST or SET) in a new
 * exchange, retransmitted until answered; false (logged) when it cannot. */
bool xa_send_request(struct ike_sa *ike, enum xa_out what, const struct isakmp_cfg *cfg);
/* Goes on after a step ended: the next step of this end, or Quick Mode
 * (initiator) once everything is done. */
void xa_next(struct ike_sa *ike);
/* Ends the ISAKMP SA after a failure (why is logged). */
void xa_fail(struct ike_sa *ike, const char *why);

/* xauth.c */
bool xauth_server_start(struct ike_sa *ike);
/* The peer's REPLY to our REQUEST: checked, then our SET. */
void xauth_server_reply(struct ike_sa *ike, const struct isakmp_cfg *cfg);
/* The peer's ACK of our SET: done (OK) or the end of the SA (FAIL). */
void xauth_server_ack(struct ike_sa *ike);
/* Client: the answer (REPLY to a REQUEST, ACK to a SET) into *ans; false
 * when the request cannot be answered (the SA is ended when it must). */
bool xauth_client_request(struct ike_sa *ike, const struct isakmp_cfg *req, struct isakmp_cfg *ans,
			  uint8_t *buf, size_t cap);
/* Client: after our ACK of a SET went out: done, or the end of the SA. */
void xauth_client_status(struct ike_sa *ike, const struct isakmp_cfg *set);

/* modecfg.c */
bool modecfg_server_push(struct ike_sa *ike);
bool modecfg_client_pull(struct ike_sa *ike);
/* Server: the peer's REQUEST answered (REPLY into *ans). */
bool modecfg_server_request(struct ike_sa *ike, const struct isakmp_cfg *req, struct isakmp_cfg *ans,
			    uint8_t *buf, size_t cap);
/* Client: the server's REPLY or SET taken (false: not usable; logged). */
bool modecfg_client_take(struct ike_sa *ike, const struct isakmp_cfg *cfg);
/* Client: the ACK of a SET. */
void modecfg_client_ack(const struct isakmp_cfg *set, struct isakmp_cfg *ans);
void modecfg_free(struct ike_sa *ike);
/* Whether an Attribute payload is XAUTH's (any XAUTH-* attribute). */
bool cfg_is_xauth(const struct isakmp_cfg *cfg);
#endif
