/* Sending, retransmitting and answering again (see transmit.h). */
#include <event2/event.h>
#include "iface.h"
#include "ike/sa.h"
#include "ike/transmit.h"
#include "pluto.h"

static void send_datagram(struct ike_sa *ike, const uint8_t *data, size_t len)
{
	err_t e = iface_send(ike->iface, &ike->remote, ike->remote_port, data, len);
	if (e != NULL) {
		char a[ADDRESS_BUF];
		llog(&ike->logger, RC_WARNING, "cannot send to %s:%u: %s",
		     str_address(&ike->remote, a), ike->remote_port, e);
	}
	ldbg_hex(&ike->logger, DBG_RAW, "sent", data, len);
}

/* Sends a message, or its fragments (IKEv2's RFC 7383, IKEv1's
 * ikev1/frag.c) kept back to back in one buffer: each datagram's length
 * is in its header (bytes 24..27, in IKEv1 and IKEv2 alike); anything that
 * does not add up goes as one. */
void ike_transmit(struct ike_sa *ike, const uint8_t *data, size_t len)
{
	size_t at = 0, n = 0;
	while (at < len) {
		if (len - at < 28)
			break;
		const uint8_t *h = data + at + 24;
		size_t one = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		if (one < 28 || one > len - at)
			break;
		at += one;
		n++;
	}
	if (at != len || n <= 1) {
		send_datagram(ike, data, len);
		return;
	}
	for (at = 0; at < len;) {
		const uint8_t *h = data + at + 24;
		size_t one = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		send_datagram(ike, data + at, one);
		at += one;
	}
}

uint64_t retransmit_pause_ms(unsigned done, uint64_t elapsed_ms, uint64_t timeout_ms)
{
	if (elapsed_ms >= timeout_ms)
		return 0;
	uint64_t pause = RETRANSMIT_INTERVAL_MS;
	for (unsigned i = 0; i < done && pause < RETRANSMIT_INTERVAL_MAX_MS; i++)
		pause *= 2;
	if (pause > RETRANSMIT_INTERVAL_MAX_MS)
		pause = RETRANSMIT_INTERVAL_MAX_MS;
	return pause < timeout_ms - elapsed_ms ? pause : timeout_ms - elapsed_ms;
}

static uint64_t timeout_ms(const struct ike_sa *ike)
{
	unsigned t = ike->pluto->opts.retransmit_timeout_ms;
	return t ? t : RETRANSMIT_TIMEOUT_S * 1000u;
}

static void arm_retransmit(struct ike_sa *ike, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(ike->retransmit_timer, &tv);
}

static void on_retransmit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	if (!ike->request_outstanding)
		return;
	uint64_t elapsed = mono_ms() - ike->request_sent_ms;
	/* a timer may fire a little early: what is left under 5 ms is none */
	if (retransmit_pause_ms(ike->retransmits, elapsed + 5, timeout_ms(ike)) == 0) {
		llog(&ike->logger, RC_INFO, "no answer to message %u after %u retransmissions in %.1f s",
		     ike->last_request_msgid, ike->retransmits, (double)elapsed / 1000);
		ike->request_outstanding = false;
		if (ike->on_timeout != NULL)
			ike->on_timeout(ike);
		else
			ike_sa_delete(ike, "the peer does not answer");
		return;
	}
	ike->retransmits++;
	ldbg(&ike->logger, DBG_LIFECYCLE, "retransmission %u of message %u", ike->retransmits,
	     ike->last_request_msgid);
	ike_transmit(ike, ike->last_request.ptr, ike->last_request.len);
	arm_retransmit(ike, retransmit_pause_ms(ike->retransmits, elapsed, timeout_ms(ike)));
}

void ike_request_sent(struct ike_sa *ike, const uint8_t *data, size_t len, uint32_t msgid,
		      uint8_t exchange)
{
	chunk_free(&ike->last_request);
	ike->last_request = chunk_clone(data, len);
	ike->last_request_msgid = msgid;
	ike->request_exchange = exchange;
	ike->request_outstanding = true;
	ike->retransmits = 0;
	ike->request_sent_ms = mono_ms();
	if (ike->retransmit_timer == NULL && ike->pluto->base != NULL)
		ike->retransmit_timer = event_new(ike->pluto->base, -1, 0, on_retransmit, ike);
	if (ike->retransmit_timer != NULL)
		arm_retransmit(ike, retransmit_pause_ms(0, 0, timeout_ms(ike)));
	ike_transmit(ike, data, len);
}

void ike_request_answered(struct ike_sa *ike)
{
	ike->request_outstanding = false;
	if (ike->retransmit_timer != NULL)
		event_del(ike->retransmit_timer);
}

void ike_response_sent(struct ike_sa *ike, const uint8_t *data, size_t len, uint32_t msgid,
		       uint8_t exchange)
{
	chunk_free(&ike->last_response);
	ike->last_response = chunk_clone(data, len);
	ike->last_response_msgid = msgid;
	ike->last_response_exchange = exchange;
	ike->have_last_response = true;
	ike_transmit(ike, data, len);
}

bool ike_answer_again(struct ike_sa *ike, uint32_t msgid, uint8_t exchange)
{
	if (!ike->have_last_response || msgid != ike->last_response_msgid ||
	    exchange != ike->last_response_exchange)
		return false;
	ldbg(&ike->logger, DBG_CONTROL, "retransmitted request %u: answering again", msgid);
	ike_transmit(ike, ike->last_response.ptr, ike->last_response.len);
	return true;
}
