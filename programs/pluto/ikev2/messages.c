/* IKEv2 messages: SK sealing (RFC 7296 3.14, RFC 5282 for AEAD), message
 * IDs, and the receive path that hands a message to its exchange record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iface.h"
#include "ike/natt.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/transmit.h"
#include "ikev2/exchanges.h"
#include "ikev2/messages.h"
#include "pluto.h"

static uint8_t out_buf[IKE_MSG_MAX];
static uint8_t inner_buf[IKE_MSG_MAX];

const char *notify_name(uint16_t type)
{
	const struct ikev2_notify_desc *d = ikev2_notify_desc(type);
	static char buf[32];
	if (d != NULL)
		return d->name;
	snprintf(buf, sizeof(buf), "notify %u", type);
	return buf;
}

const struct ikev2_notify *ike_find_notify(const struct ikev2_payloads *pl, uint16_t type,
					   struct ikev2_notify *out)
{
	const struct ikev2_payload *p = ikev2_payloads_find_notify(pl, type);
	struct ikev2_diag d;
	if (p == NULL || ikev2_decode_notify(p, out, &d) != NULL)
		return NULL;
	return out;
}

uint16_t ike_error_notify(const struct ikev2_payloads *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->p[i].type != IKEV2_PT_N)
			continue;
		struct ikev2_notify n;
		struct ikev2_diag d;
		if (ikev2_decode_notify(&pl->p[i], &n, &d) == NULL && ikev2_notify_is_error(n.type))
			return n.type;
	}
	return 0;
}

/* ---- SK --------------------------------------------------------------- */

/* The keys this end sends with and receives with. */
static void sk_keys(const struct ike_sa *ike, bool sending, chunk_t *e, chunk_t *a)
{
	bool use_i = ike->original_initiator == sending;
	*e = use_i ? ike->v2.keys.sk_ei : ike->v2.keys.sk_er;
	*a = use_i ? ike->v2.keys.sk_ai : ike->v2.keys.sk_ar;
}

/* Seals the inner chain (len bytes in inner_buf) into the SK payload of b. */
static bool sk_seal(struct ike_sa *ike, struct ikev2_builder *b, uint8_t first_inner,
		    size_t inner_len)
{
	const struct alg_desc *encr = ike->suite.encr;
	const struct alg_desc *integ = ike->suite.integ;
	bool aead = encr->aead;
	size_t iv_len = encr_iv_len(encr);
	size_t block = encr_block_len(encr);
	size_t icv_len = aead ? encr_icv_len(encr) : integ_icv_len(integ);
	/* payloads | padding | pad length: a multiple of the block size */
	size_t pad = block > 1 ? (block - (inner_len + 1) % block) % block : 0;
	size_t plain_len = inner_len + pad + 1;
	if (plain_len + iv_len + icv_len + 64 > IKE_MSG_MAX)
		return false;
	memset(inner_buf + inner_len, 0, pad);
	inner_buf[inner_len + pad] = (uint8_t)pad;

	uint8_t *body = ikev2_build_sk(b, first_inner, iv_len + plain_len + icv_len);
	if (body == NULL)
		return false;
	if (random_bytes(body, iv_len) != NULL)
		return false;
	chunk_t ek, ak;
	sk_keys(ike, true, &ek, &ak);
	size_t sk_at = ikev2_build_sk_offset(b);
	chunk_t aad = aead ? chunk_from(b->buf, sk_at) : EMPTY_CHUNK;
	err_t e = encr_seal(encr, ek, chunk_from(body, iv_len), aad, inner_buf, plain_len,
			    body + iv_len, plain_len + (aead ? icv_len : 0));
	if (e != NULL) {
		llog(&ike->logger, RC_ERROR, "cannot encrypt: %s", e);
		return false;
	}
	if (!aead) {
		size_t total = sk_at + iv_len + plain_len + icv_len;
		e = integ_compute(integ, ak, b->buf, total - icv_len, b->buf + total - icv_len);
		if (e != NULL) {
			llog(&ike->logger, RC_ERROR, "cannot compute the checksum: %s", e);
			return false;
		}
	}
	return true;
}

/* Verifies and decrypts the SK payload of m into m->plain and splits it. */
static err_t sk_open(struct ike_sa *ike, struct ike_msg_in *m, struct ikev2_diag *d)
{
	const struct ikev2_payload *skp = ikev2_payloads_find(&m->clear, IKEV2_PT_SK, 0);
	if (skp == NULL)
		return ikev2_payloads_find(&m->clear, IKEV2_PT_SKF, 0) != NULL
		       ? "fragmented messages (SKF) are not supported" : "no SK payload";
	struct ikev2_sk sk;
	err_t e = ikev2_decode_sk(skp, &sk, d);
	if (e != NULL)
		return e;
	const struct alg_desc *encr = ike->suite.encr;
	bool aead = encr->aead;
	size_t iv_len = encr_iv_len(encr);
	size_t icv_len = aead ? encr_icv_len(encr) : integ_icv_len(ike->suite.integ);
	if (sk.body.len < iv_len + icv_len + 1)
		return "SK payload too short for its IV and checksum";
	const uint8_t *msg = m->pkt->data;
	size_t msg_len = m->pkt->len;
	chunk_t ek, ak;
	sk_keys(ike, false, &ek, &ak);
	if (!aead) {
		e = integ_verify(ike->suite.integ, ak, msg, msg_len - icv_len,
				 msg + msg_len - icv_len);
		if (e != NULL)
			return "integrity check failed";
	}
	size_t ct_len = sk.body.len - iv_len - (aead ? 0 : icv_len);
	chunk_t aad = aead ? chunk_from(msg, sk.body_offset) : EMPTY_CHUNK;
	e = encr_open(encr, ek, chunk_from(sk.body.ptr, iv_len), aad, sk.body.ptr + iv_len,
		      ct_len, m->plain, sizeof(m->plain));
	if (e != NULL)
		return aead ? "integrity check failed (AEAD)" : "cannot decrypt";
	size_t plain_len = ct_len - (aead ? icv_len : 0);
	size_t pad = m->plain[plain_len - 1];
	if (pad + 1 > plain_len)
		return "bad padding length";
	e = ikev2_split_chain(sk.first_inner, m->plain, plain_len - pad - 1, &m->inner, d);
	if (e != NULL)
		return e;
	m->pl = &m->inner;
	return NULL;
}

/* ---- sending ------------------------------------------------------------ */

static bool encrypted_exchange(uint8_t exchange)
{
	const struct ikev2_exchange_record *x = ikev2_exchange_record(exchange);
	return x == NULL || x->encrypted;
}

/* Builds a message into out_buf; returns its length or 0. */
static size_t build(struct ike_sa *ike, uint8_t exchange, bool response, uint32_t msgid,
		    ike_fill_fn *fill, void *ctx)
{
	struct ikev2_header h = { .exchange = exchange, .message_id = msgid };
	memcpy(h.spi_i, ike->spi_i, 8);
	memcpy(h.spi_r, ike->spi_r, 8);
	h.flags = (uint8_t)((ike->original_initiator ? IKEV2_FLAG_INITIATOR : 0) |
			    (response ? IKEV2_FLAG_RESPONSE : 0));
	struct ikev2_builder b;
	ikev2_build_init(&b, out_buf, sizeof(out_buf), &h);
	if (!encrypted_exchange(exchange)) {
		if (!fill(ike, &b, ctx))
			return 0;
	} else {
		struct ikev2_builder in;
		ikev2_build_chain_init(&in, inner_buf, sizeof(inner_buf) - 512);
		if (!fill(ike, &in, ctx))
			return 0;
		size_t inner_len;
		err_t e = ikev2_build_finish(&in, &inner_len);
		if (e != NULL) {
			llog(&ike->logger, RC_ERROR, "cannot build the message: %s", e);
			return 0;
		}
		if (!sk_seal(ike, &b, ikev2_build_first_type(&in), inner_len))
			return 0;
	}
	size_t len;
	err_t e = ikev2_build_finish(&b, &len);
	if (e != NULL) {
		llog(&ike->logger, RC_ERROR, "cannot build the message: %s", e);
		return 0;
	}
	return len;
}

bool ikev2_send_request(struct ike_sa *ike, uint8_t exchange, ike_fill_fn *fill, void *ctx)
{
	if (ike->request_outstanding) {
		llog(&ike->logger, RC_ERROR, "internal error: a request is already outstanding");
		return false;
	}
	uint32_t msgid = ike->v2.msgid_next_out;
	size_t len = build(ike, exchange, false, msgid, fill, ctx);
	if (len == 0)
		return false;
	ike->v2.msgid_next_out++;
	ike_request_sent(ike, out_buf, len, msgid, exchange);
	return true;
}

bool ikev2_send_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
			 ike_fill_fn *fill, void *ctx)
{
	size_t len = build(ike, exchange, true, msgid, fill, ctx);
	if (len == 0)
		return false;
	ike_response_sent(ike, out_buf, len, msgid, exchange);
	return true;
}

struct one_notify {
	uint16_t type;
	const void *data;
	size_t len;
};

static bool fill_one_notify(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ike;
	const struct one_notify *n = ctx;
	ikev2_build_notify_simple(b, n->type, n->data, n->len);
	return true;
}

void ikev2_send_notify_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
				uint16_t type)
{
	struct one_notify n = { type, NULL, 0 };
	ikev2_send_response(ike, exchange, msgid, fill_one_notify, &n);
}

void ikev2_send_init_notify(struct pluto *p, const struct packet *pkt,
			    const struct ikev2_header *h, const uint8_t spi_r[8],
			    uint16_t notify, const void *data, size_t len)
{
	struct ikev2_header rh = { .exchange = IKEV2_EXCH_IKE_SA_INIT,
				   .flags = IKEV2_FLAG_RESPONSE, .message_id = h->message_id };
	memcpy(rh.spi_i, h->spi_i, 8);
	memcpy(rh.spi_r, spi_r, 8);
	struct ikev2_builder b;
	ikev2_build_init(&b, out_buf, sizeof(out_buf), &rh);
	ikev2_build_notify_simple(&b, notify, data, len);
	size_t n;
	if (ikev2_build_finish(&b, &n) == NULL)
		iface_send(pkt->iface, &pkt->remote, pkt->remote_port, out_buf, n);
	(void)p;
}

/* ---- receiving ---------------------------------------------------------- */

/* After the handler of a response: the queue's exchange, if it was one,
 * has ended (unless the handler sent its next request, or the IKE SA
 * went). */
static void exchange_ended(struct pluto *p, unsigned serial)
{
	struct ike_sa *ike = ike_sa_by_serial(p, serial);
	if (ike != NULL && ike->running != NULL && !ike->running->hold && !ike->request_outstanding)
		ike_work_done(ike);
}

static void handle_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	/* the answer to our request: same message ID and exchange type */
	if (!ike->request_outstanding || m->h.message_id != ike->last_request_msgid ||
	    m->h.exchange != ike->request_exchange) {
		ldbg(&ike->logger, DBG_CONTROL, "ignoring a response to message %u (none outstanding)",
		     m->h.message_id);
		return;
	}
	const struct ikev2_exchange_record *x = ikev2_exchange_record(m->h.exchange);
	struct ikev2_diag d = { 0 };
	if (x->encrypted) {
		err_t e = sk_open(ike, m, &d);
		if (e != NULL) {
			llog(&ike->logger, RC_WARNING, "dropping response %u: %s", m->h.message_id, e);
			return;
		}
		/* childless IKE_AUTH: only when negotiated and our request had no Child SA */
		unsigned flags = ike->v2.childless && ike->pending_child == NULL ? IKEV2_CHECK_CHILDLESS : 0;
		if (ikev2_check_payloads_flags(m->h.exchange, true, &m->clear, &m->inner, flags, &d) != NULL) {
			llog(&ike->logger, RC_WARNING, "response %u: %s", m->h.message_id, d.text);
			/* an answered request: stop retransmitting and give up */
		}
		natt_follow_peer(ike, m->pkt);
		ike->last_heard_ms = mono_ms();
	}
	ike_request_answered(ike);
	struct pluto *p = ike->pluto;
	unsigned serial = ike->serial;
	x->response_handler(ike, m);
	exchange_ended(p, serial);
}

/* An authenticated request that cannot be handled: RFC 7296 2.21 asks for
 * an answer with the error. A refused IKE_AUTH leaves nothing to wait for:
 * the half-open IKE SA goes now, as when auth_responder refuses it. */
static void refuse_request(struct ike_sa *ike, struct ike_msg_in *m, uint16_t notify,
			   const void *data, size_t len)
{
	struct one_notify n = { notify, data, len };
	ike->v2.msgid_expect_in++;
	ikev2_send_response(ike, m->h.exchange, m->h.message_id, fill_one_notify, &n);
	if (m->h.exchange == IKEV2_EXCH_IKE_AUTH && ike->state == IKE_R_INIT_SENT)
		ike_sa_delete(ike, "its IKE_AUTH request was refused");
}

static void handle_request(struct ike_sa *ike, struct ike_msg_in *m)
{
	/* the peer missed our answer: send it again, do nothing else */
	if (ike_answer_again(ike, m->h.message_id, m->h.exchange))
		return;
	if (m->h.message_id != ike->v2.msgid_expect_in) {
		ldbg(&ike->logger, DBG_CONTROL, "dropping request %u (expected %u)",
		     m->h.message_id, ike->v2.msgid_expect_in);
		return;
	}
	const struct ikev2_exchange_record *x = ikev2_exchange_record(m->h.exchange);
	if (x == NULL || x->request_handler == NULL) {
		ldbg(&ike->logger, DBG_CONTROL, "request for exchange %u dropped: not one we handle",
		     m->h.exchange);
		return;
	}
	if (x->sender == IKEV2_SENDER_ORIGINAL_INITIATOR && ike->original_initiator) {
		ldbg(&ike->logger, DBG_CONTROL, "%s request from the responder dropped",
		     ikev2_name(&ikev2_exchange_names, m->h.exchange));
		return;
	}
	struct ikev2_diag d = { 0 };
	err_t e = sk_open(ike, m, &d);
	if (e != NULL) {
		llog(&ike->logger, RC_WARNING, "dropping request %u: %s", m->h.message_id, e);
		/* it decrypted, but its inner chain is malformed: say so */
		if (d.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD)
			refuse_request(ike, m, d.notify, &d.payload, 1);
		else if (d.notify != 0)
			refuse_request(ike, m, d.notify, NULL, 0);
		return;
	}
	unsigned flags = ike->v2.childless ? IKEV2_CHECK_CHILDLESS : 0;
	if (ikev2_check_payloads_flags(m->h.exchange, false, &m->clear, &m->inner, flags, &d) != NULL) {
		llog(&ike->logger, RC_WARNING, "request %u: %s", m->h.message_id, d.text);
		refuse_request(ike, m, d.notify ? d.notify : IKEV2_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	natt_follow_peer(ike, m->pkt);
	ike->last_heard_ms = mono_ms();
	if (!(x->request_states & (1u << ike->state))) {
		ldbg(&ike->logger, DBG_CONTROL, "request for %s in state %s: dropped",
		     ikev2_name(&ikev2_exchange_names, m->h.exchange), ike_state_name(ike->state));
		return;
	}
	ike->v2.msgid_expect_in++;
	x->request_handler(ike, m);
}

/* RFC 7296 2.5, 3.1: what an IKE_SA_INIT request's header must say. */
static const char *init_request_header_error(const struct ikev2_header *h)
{
	static const uint8_t zero[8];
	if (memcmp(h->spi_i, zero, 8) == 0)
		return "IKE_SA_INIT request with a zero initiator SPI";
	if (memcmp(h->spi_r, zero, 8) != 0)
		return "IKE_SA_INIT request with a responder SPI";
	if (h->message_id != 0)
		return "IKE_SA_INIT request with a message ID other than 0";
	if (!(h->flags & IKEV2_FLAG_INITIATOR))
		return "IKE_SA_INIT request without the Initiator flag";
	return NULL;
}

/* An IKE_SA_INIT request that does not decode gets the notify RFC 7296
 * asks for (UNSUPPORTED_CRITICAL_PAYLOAD naming the payload type,
 * INVALID_MAJOR_VERSION), unencrypted, when its header could be read. */
static void answer_undecodable(struct pluto *p, const struct packet *pkt,
			       const struct ikev2_header *h, const struct ikev2_diag *d)
{
	bool request = !(h->flags & IKEV2_FLAG_RESPONSE);
	if (!request || h->exchange != IKEV2_EXCH_IKE_SA_INIT || init_request_header_error(h) != NULL)
		return;
	if (d->notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD)
		ikev2_send_init_notify(p, pkt, h, (const uint8_t[8]){ 0 }, d->notify, &d->payload, 1);
	else if (d->notify == IKEV2_N_INVALID_MAJOR_VERSION)
		ikev2_send_init_notify(p, pkt, h, (const uint8_t[8]){ 0 }, d->notify, NULL, 0);
}

void ikev2_receive(struct pluto *p, const struct packet *pkt)
{
	static struct ike_msg_in m;
	memset(&m.h, 0, sizeof(m.h));
	m.pkt = pkt;
	m.inner.n = 0;
	m.pl = &m.clear;
	struct ikev2_diag d = { 0 };
	if (ikev2_decode_message(pkt->data, pkt->len, &m.h, &m.clear, &d) != NULL) {
		answer_undecodable(p, pkt, &m.h, &d);
		ike_drop_log(p, pkt, d.text);
		return;
	}
	bool response = (m.h.flags & IKEV2_FLAG_RESPONSE) != 0;
	static const uint8_t zero[8];

	if (m.h.exchange == IKEV2_EXCH_IKE_SA_INIT && !response) {
		const char *bad = init_request_header_error(&m.h);
		if (bad != NULL) {
			ike_drop_log(p, pkt, bad);
			return;
		}
		struct ike_sa *ike = ike_sa_by_init(p, m.h.spi_i, &pkt->remote, pkt->remote_port);
		if (ike != NULL) {
			/* a retransmission: the answer again, or still computing it */
			ike_answer_again(ike, 0, IKEV2_EXCH_IKE_SA_INIT);
			return;
		}
		ikev2_exchange_record(IKEV2_EXCH_IKE_SA_INIT)->new_sa(p, &m);
		return;
	}

	struct ike_sa *ike;
	if (m.h.exchange == IKEV2_EXCH_IKE_SA_INIT)
		ike = ike_sa_by_spis(p, m.h.spi_i, zero);   /* our request: SPIr not known yet */
	else
		ike = ike_sa_by_spis(p, m.h.spi_i, m.h.spi_r);
	if (ike == NULL || ike->ops != &ikev2_ops) {
		ldbg(&p->logger, DBG_CONTROL, "no IKE SA for this message: dropped");
		return;
	}
	/* the I flag says who sent it: it must be the other end's role */
	bool from_original_initiator = (m.h.flags & IKEV2_FLAG_INITIATOR) != 0;
	if (from_original_initiator == ike->original_initiator) {
		ike_drop_log(p, pkt, "the Initiator flag does not match the IKE SA");
		return;
	}
	if (response)
		handle_response(ike, &m);
	else
		handle_request(ike, &m);
}
