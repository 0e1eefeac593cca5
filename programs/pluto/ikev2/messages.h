/* IKEv2 messages in and out: the SK payload sealed and opened, message IDs
 * (a window of one each way), and the receive path that hands each
 * message to its exchange's record (ikev2/exchanges.c). Sending the bytes
 * and retransmitting them is the core's (ike/transmit.h). */
#ifndef PLUTO_IKEV2_MESSAGES_H
#define PLUTO_IKEV2_MESSAGES_H
#include <stdbool.h>
#include <stdint.h>
#include "ike/sa.h"
#include "ike/transmit.h"
#include "ikev2/ikev2_msg.h"

struct pluto;
struct packet;

/* A received message, decoded (and decrypted). */
struct ike_msg_in {
	const struct packet *pkt;
	struct ikev2_header h;
	struct ikev2_payloads clear;    /* the payloads outside SK */
	struct ikev2_payloads inner;    /* inside SK (empty for IKE_SA_INIT) */
	uint8_t plain[IKE_MSG_MAX];     /* decrypted inner payloads */
	const struct ikev2_payloads *pl;   /* where the exchange's payloads are */
};

/* Fills the payloads of a message (inner payloads for encrypted exchanges).
 * Returns false to cancel sending. */
typedef bool ike_fill_fn(struct ike_sa *ike, struct ikev2_builder *b, void *ctx);

/* Sends a request of the exchange (with the next message ID) and keeps it
 * for retransmission; ike->on_timeout runs when every retransmit went
 * unanswered. */
bool ikev2_send_request(struct ike_sa *ike, uint8_t exchange, ike_fill_fn *fill, void *ctx);
/* Answers the request (exchange, msgid), keeping the answer for a
 * retransmitted request. */
bool ikev2_send_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
			 ike_fill_fn *fill, void *ctx);
/* Answers with one notify about the IKE SA (an error, usually); data may
 * be NULL. */
void ikev2_send_notify_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
				uint16_t type);
/* A request sent once and not kept for retransmission, when the IKE SA
 * goes next (exch_info.c: ikev2_refuse_responder). */
bool ikev2_send_request_once(struct ike_sa *ike, uint8_t exchange, ike_fill_fn *fill, void *ctx);
/* An unencrypted IKE_SA_INIT response carrying one notify, without an SA
 * (INVALID_KE_PAYLOAD, COOKIE, NO_PROPOSAL_CHOSEN...). */
void ikev2_send_init_notify(struct pluto *p, const struct packet *pkt,
			    const struct ikev2_header *h, const uint8_t spi_r[8],
			    uint16_t notify, const void *data, size_t len);

/* The IKEv2 receive path (ikev2_ops.receive). */
void ikev2_receive(struct pluto *p, const struct packet *pkt);

/* Helpers shared by the exchanges. */
const struct ikev2_notify *ike_find_notify(const struct ikev2_payloads *pl, uint16_t type,
					   struct ikev2_notify *out);
/* The first error notify of a response, 0 when none. */
uint16_t ike_error_notify(const struct ikev2_payloads *pl);
const char *notify_name(uint16_t type);
#endif
