/* IKE messages in and out: the SK payload sealed and opened, message IDs
 * (a window of one each way), retransmission with back-off, answering
 * retransmitted requests, and the table that hands each received message
 * to the exchange that handles it. */
#ifndef PLUTO_IKE_MSG_H
#define PLUTO_IKE_MSG_H
#include <stdbool.h>
#include <stdint.h>
#include "ike/sa.h"
#include "ikev2/ikev2_msg.h"

struct pluto;
struct packet;

#define IKE_MSG_MAX 65535

/* Retransmission of our requests, as libreswan's defaults
 * (retransmit-interval=500ms, retransmit-timeout=60s): the first
 * retransmission RETRANSMIT_INTERVAL_MS after the request, each pause
 * twice the one before (at most RETRANSMIT_INTERVAL_MAX_MS), until
 * RETRANSMIT_TIMEOUT_S after the first send (pluto --retransmit-timeout);
 * then the request has failed. With 60 s: 7 sends, at 0, 0.5, 1.5, 3.5,
 * 7.5, 15.5 and 31.5 s, and the end at 60 s. */
#define RETRANSMIT_INTERVAL_MS 500
#define RETRANSMIT_INTERVAL_MAX_MS 32000
#define RETRANSMIT_TIMEOUT_S 60
/* The pause before the next retransmission after `done` of them, elapsed_ms
 * after the first send; 0 when the request has run out of its timeout_ms. */
uint64_t retransmit_pause_ms(unsigned done, uint64_t elapsed_ms, uint64_t timeout_ms);

/* A received message, decoded (and decrypted). */
struct ike_msg_in {
	const struct packet *pkt;
	struct ikev2_header h;
	struct ikev2_payloads clear;    /* the payloads outside SK */
	struct ikev2_payloads inner;    /* inside SK (empty for IKE_SA_INIT) */
	uint8_t plain[IKE_MSG_MAX];     /* decrypted inner payloads */
	const struct ikev2_payloads *pl;   /* where the exchange's payloads are */
};

/* What our outstanding request was: the response goes to its handler. */
enum ike_request {
	REQ_NONE,
	REQ_SA_INIT,
	REQ_AUTH,
	REQ_NEW_CHILD,
	REQ_REKEY_CHILD,
	REQ_REKEY_IKE,
	REQ_DELETE_CHILD,
	REQ_DELETE_IKE,
	REQ_LIVENESS,
};

/* Fills the payloads of a message (inner payloads for encrypted exchanges).
 * Returns false to cancel sending. */
typedef bool ike_fill_fn(struct ike_sa *ike, struct ikev2_builder *b, void *ctx);

/* Sends a request of the exchange (with the next message ID) and keeps it
 * for retransmission; on_timeout runs when every retransmit went
 * unanswered. */
bool ike_send_request(struct ike_sa *ike, uint8_t exchange, enum ike_request kind,
		      ike_fill_fn *fill, void *ctx);
/* Answers the request (exchange, msgid), keeping the answer for a
 * retransmitted request. */
bool ike_send_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
		       ike_fill_fn *fill, void *ctx);
/* Answers with one notify about the IKE SA (an error, usually). */
void ike_send_notify_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
			      uint16_t type);
/* An unencrypted IKE_SA_INIT response carrying one notify, without an SA
 * (INVALID_KE_PAYLOAD, COOKIE, NO_PROPOSAL_CHOSEN...). */
void ike_send_init_notify(struct pluto *p, const struct packet *pkt,
			  const struct ikev2_header *h, const uint8_t spi_r[8],
			  uint16_t notify, const void *data, size_t len);

/* The kind of the request now waiting for its answer. */
enum ike_request ike_outstanding(const struct ike_sa *ike);

/* Entry point for every received IKE datagram (iface.c calls it). */
void ike_receive(struct pluto *p, const struct packet *pkt);

/* Exchange handlers (exch_*.c), called by the receive table. */
void sa_init_responder(struct pluto *p, struct ike_msg_in *m);
void sa_init_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void auth_responder(struct ike_sa *ike, struct ike_msg_in *m);
void auth_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void child_responder(struct ike_sa *ike, struct ike_msg_in *m);
void child_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);
void info_responder(struct ike_sa *ike, struct ike_msg_in *m);
void info_initiator_response(struct ike_sa *ike, struct ike_msg_in *m);

/* Helpers shared by the exchanges. */
const struct ikev2_notify *ike_find_notify(const struct ikev2_payloads *pl, uint16_t type,
					   struct ikev2_notify *out);
/* The first error notify of a response, 0 when none. */
uint16_t ike_error_notify(const struct ikev2_payloads *pl);
const char *notify_name(uint16_t type);
#endif
