/* Sending IKE messages and retransmitting our requests, for both
 * versions: the bytes come from the version's builder; the core keeps the
 * last request (sent again with back-off until answered or out of time)
 * and the last answer (sent again when the peer repeats its request). */
#ifndef PLUTO_IKE_TRANSMIT_H
#define PLUTO_IKE_TRANSMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_sa;

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

/* Sends a message to the IKE SA's peer on its socket (logged when it
 * fails), or the fragments of one kept back to back: one datagram each. */
void ike_transmit(struct ike_sa *ike, const uint8_t *data, size_t len);

/* A request went out (a message, or IKEv2 fragments back to back: each
 * goes as its own datagram): keep it and retransmit it until ike_request_answered()
 * or the time budget ends; then ike->on_timeout (or, when NULL, the IKE SA
 * is deleted). */
void ike_request_sent(struct ike_sa *ike, const uint8_t *data, size_t len, uint32_t msgid,
		      uint8_t exchange);
void ike_request_answered(struct ike_sa *ike);

/* An answer went out: kept for a retransmitted request with this message
 * ID and exchange type. */
void ike_response_sent(struct ike_sa *ike, const uint8_t *data, size_t len, uint32_t msgid,
		       uint8_t exchange);
/* Whether a request is a retransmission of the one last answered (same
 * message ID and exchange type); if so the answer is sent again. */
bool ike_answer_again(struct ike_sa *ike, uint32_t msgid, uint8_t exchange);
#endif
