/* Sending and receiving IKE messages: SK sealing (RFC 7296 3.14, RFC 5282
 * for AEAD), message IDs, retransmission, and the receive table. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iface.h"
#include "ike/msg.h"
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
	*e = use_i ? ike->keys.sk_ei : ike->keys.sk_er;
	*a = use_i ? ike->keys.sk_ai : ike->keys.sk_ar;
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
	return exchange != IKEV2_EXCH_IKE_SA_INIT;
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

static void transmit(struct ike_sa *ike, const uint8_t *data, size_t len)
{
	err_t e = iface_send(ike->iface, &ike->remote, ike->remote_port, data, len);
	if (e != NULL) {
		char a[ADDRESS_BUF];
		llog(&ike->logger, RC_WARNING, "cannot send to %s:%u: %s",
		     str_address(&ike->remote, a), ike->remote_port, e);
	}
	ldbg_hex(&ike->logger, DBG_RAW, "sent", data, len);
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
	transmit(ike, ike->last_request.ptr, ike->last_request.len);
	arm_retransmit(ike, retransmit_pause_ms(ike->retransmits, elapsed, timeout_ms(ike)));
}

bool ike_send_request(struct ike_sa *ike, uint8_t exchange, enum ike_request kind,
		      ike_fill_fn *fill, void *ctx)
{
	if (ike->request_outstanding) {
		llog(&ike->logger, RC_ERROR, "internal error: a request is already outstanding");
		return false;
	}
	uint32_t msgid = ike->msgid_next_out;
	size_t len = build(ike, exchange, false, msgid, fill, ctx);
	if (len == 0)
		return false;
	ike->msgid_next_out++;
	chunk_free(&ike->last_request);
	ike->last_request = chunk_clone(out_buf, len);
	ike->last_request_msgid = msgid;
	ike->request_outstanding = true;
	ike->request_kind = kind;
	ike->request_exchange = exchange;
	ike->retransmits = 0;
	ike->request_sent_ms = mono_ms();
	if (ike->retransmit_timer == NULL)
		ike->retransmit_timer = event_new(ike->pluto->base, -1, 0, on_retransmit, ike);
	arm_retransmit(ike, retransmit_pause_ms(0, 0, timeout_ms(ike)));
	transmit(ike, out_buf, len);
	return true;
}

bool ike_send_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
		       ike_fill_fn *fill, void *ctx)
{
	size_t len = build(ike, exchange, true, msgid, fill, ctx);
	if (len == 0)
		return false;
	chunk_free(&ike->last_response);
	ike->last_response = chunk_clone(out_buf, len);
	ike->last_response_msgid = msgid;
	ike->have_last_response = true;
	transmit(ike, out_buf, len);
	return true;
}

static bool fill_one_notify(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ike;
	const uint16_t *type = ctx;
	ikev2_build_notify_simple(b, *type, NULL, 0);
	return true;
}

void ike_send_notify_response(struct ike_sa *ike, uint8_t exchange, uint32_t msgid,
			      uint16_t type)
{
	ike_send_response(ike, exchange, msgid, fill_one_notify, &type);
}

enum ike_request ike_outstanding(const struct ike_sa *ike)
{
	return ike->request_outstanding ? (enum ike_request)ike->request_kind : REQ_NONE;
}

void ike_send_init_notify(struct pluto *p, const struct packet *pkt,
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

/* Responses go to the handler of the request they answer. */
static const struct {
	enum ike_request kind;
	void (*handle)(struct ike_sa *ike, struct ike_msg_in *m);
} response_handlers[] = {
	{ REQ_SA_INIT, sa_init_initiator_response },
	{ REQ_AUTH, auth_initiator_response },
	{ REQ_NEW_CHILD, child_initiator_response },
	{ REQ_REKEY_CHILD, child_initiator_response },
	{ REQ_REKEY_IKE, child_initiator_response },
	{ REQ_DELETE_CHILD, info_initiator_response },
	{ REQ_DELETE_IKE, info_initiator_response },
	{ REQ_LIVENESS, info_initiator_response },
};

/* Requests go to the handler of their exchange, in the states it allows. */
#define ST(s) (1u << (s))
static const struct {
	uint8_t exchange;
	unsigned states;
	void (*handle)(struct ike_sa *ike, struct ike_msg_in *m);
} request_handlers[] = {
	{ IKEV2_EXCH_IKE_AUTH, ST(IKE_R_INIT_SENT), auth_responder },
	{ IKEV2_EXCH_CREATE_CHILD_SA, ST(IKE_ESTABLISHED), child_responder },
	{ IKEV2_EXCH_INFORMATIONAL, ST(IKE_ESTABLISHED) | ST(IKE_DELETING), info_responder },
};

static void log_drop(struct pluto *p, const struct packet *pkt, const char *why)
{
	char a[ADDRESS_BUF];
	llog(&p->logger, RC_INFO, "dropping IKE message from %s:%u: %s",
	     str_address(&pkt->remote, a), pkt->remote_port, why);
}

/* An authenticated message from a new address or port (NAT, or the float
 * to 4500) moves the IKE SA there. */
static void follow_peer(struct ike_sa *ike, const struct packet *pkt)
{
	if (pkt->iface == ike->iface && pkt->remote_port == ike->remote_port &&
	    address_eq(&pkt->remote, &ike->remote))
		return;
	char a[ADDRESS_BUF];
	ldbg(&ike->logger, DBG_CONTROL, "peer now at %s:%u", str_address(&pkt->remote, a),
	     pkt->remote_port);
	ike->iface = pkt->iface;
	ike->remote = pkt->remote;
	ike->remote_port = pkt->remote_port;
}

static void handle_response(struct ike_sa *ike, struct ike_msg_in *m)
{
	if (!ike->request_outstanding || m->h.message_id != ike->last_request_msgid) {
		ldbg(&ike->logger, DBG_CONTROL, "ignoring a response to message %u (none outstanding)",
		     m->h.message_id);
		return;
	}
	struct ikev2_diag d = { 0 };
	if (encrypted_exchange(m->h.exchange)) {
		err_t e = sk_open(ike, m, &d);
		if (e != NULL) {
			llog(&ike->logger, RC_WARNING, "dropping response %u: %s", m->h.message_id, e);
			return;
		}
		/* childless IKE_AUTH: only when negotiated and our request had no Child SA */
		unsigned flags = ike->childless && ike->pending_child == NULL ? IKEV2_CHECK_CHILDLESS : 0;
		if (ikev2_check_payloads_flags(m->h.exchange, true, &m->clear, &m->inner, flags, &d) != NULL) {
			llog(&ike->logger, RC_WARNING, "response %u: %s", m->h.message_id, d.text);
			/* an answered request: stop retransmitting and give up */
		}
	}
	if (encrypted_exchange(m->h.exchange))
		follow_peer(ike, m->pkt);
	ike->request_outstanding = false;
	event_del(ike->retransmit_timer);
	enum ike_request kind = (enum ike_request)ike->request_kind;
	ike->last_heard = time(NULL);
	for (size_t i = 0; i < sizeof(response_handlers) / sizeof(response_handlers[0]); i++) {
		if (response_handlers[i].kind == kind) {
			response_handlers[i].handle(ike, m);
			return;
		}
	}
}

static void handle_request(struct ike_sa *ike, struct ike_msg_in *m)
{
	if (m->h.message_id + 1 == ike->msgid_expect_in && ike->have_last_response &&
	    m->h.message_id == ike->last_response_msgid) {
		/* the peer missed our answer: send it again, do nothing else */
		ldbg(&ike->logger, DBG_CONTROL, "retransmitted request %u: answering again",
		     m->h.message_id);
		transmit(ike, ike->last_response.ptr, ike->last_response.len);
		return;
	}
	if (m->h.message_id != ike->msgid_expect_in) {
		ldbg(&ike->logger, DBG_CONTROL, "dropping request %u (expected %u)",
		     m->h.message_id, ike->msgid_expect_in);
		return;
	}
	struct ikev2_diag d = { 0 };
	err_t e = sk_open(ike, m, &d);
	if (e != NULL) {
		llog(&ike->logger, RC_WARNING, "dropping request %u: %s", m->h.message_id, e);
		return;
	}
	unsigned flags = ike->childless ? IKEV2_CHECK_CHILDLESS : 0;
	if (ikev2_check_payloads_flags(m->h.exchange, false, &m->clear, &m->inner, flags, &d) != NULL) {
		llog(&ike->logger, RC_WARNING, "request %u: %s", m->h.message_id, d.text);
		/* RFC 7296 2.21: an authenticated bad request gets INVALID_SYNTAX */
		uint16_t n = d.notify ? d.notify : IKEV2_N_INVALID_SYNTAX;
		ike->msgid_expect_in++;
		ike_send_notify_response(ike, m->h.exchange, m->h.message_id, n);
		/* a refused IKE_AUTH leaves nothing to wait for: the half-open
		 * IKE SA goes now, as when auth_responder refuses it */
		if (m->h.exchange == IKEV2_EXCH_IKE_AUTH && ike->state == IKE_R_INIT_SENT)
			ike_sa_delete(ike, "its IKE_AUTH request was refused");
		return;
	}
	follow_peer(ike, m->pkt);
	ike->last_heard = time(NULL);
	for (size_t i = 0; i < sizeof(request_handlers) / sizeof(request_handlers[0]); i++) {
		if (request_handlers[i].exchange != m->h.exchange)
			continue;
		if (!(request_handlers[i].states & ST(ike->state))) {
			ldbg(&ike->logger, DBG_CONTROL, "request for %s in state %s: dropped",
			     ikev2_name(&ikev2_exchange_names, m->h.exchange),
			     ike_state_name(ike->state));
			return;
		}
		ike->msgid_expect_in++;
		request_handlers[i].handle(ike, m);
		return;
	}
	ldbg(&ike->logger, DBG_CONTROL, "request for unknown exchange %u dropped", m->h.exchange);
}

void ike_receive(struct pluto *p, const struct packet *pkt)
{
	static struct ike_msg_in m;
	memset(&m.h, 0, sizeof(m.h));
	m.pkt = pkt;
	m.inner.n = 0;
	m.pl = &m.clear;
	struct ikev2_diag d = { 0 };
	if (ikev2_decode_message(pkt->data, pkt->len, &m.h, &m.clear, &d) != NULL) {
		log_drop(p, pkt, d.text);
		return;
	}
	bool response = (m.h.flags & IKEV2_FLAG_RESPONSE) != 0;
	static const uint8_t zero[8];

	if (m.h.exchange == IKEV2_EXCH_IKE_SA_INIT && !response) {
		struct ike_sa *ike = ike_sa_by_init(p, m.h.spi_i, &pkt->remote, pkt->remote_port);
		if (ike != NULL) {
			if (ike->have_last_response && m.h.message_id == 0) {
				ldbg(&ike->logger, DBG_CONTROL, "retransmitted IKE_SA_INIT: answering again");
				transmit(ike, ike->last_response.ptr, ike->last_response.len);
			}
			return;   /* still computing the answer, or done */
		}
		if (memcmp(m.h.spi_r, zero, 8) != 0) {
			log_drop(p, pkt, "IKE_SA_INIT request with a responder SPI");
			return;
		}
		sa_init_responder(p, &m);
		return;
	}

	struct ike_sa *ike;
	if (m.h.exchange == IKEV2_EXCH_IKE_SA_INIT)
		ike = ike_sa_by_spis(p, m.h.spi_i, zero);   /* our request: SPIr not known yet */
	else
		ike = ike_sa_by_spis(p, m.h.spi_i, m.h.spi_r);
	if (ike == NULL) {
		ldbg(&p->logger, DBG_CONTROL, "no IKE SA for this message: dropped");
		return;
	}
	/* the I flag says who sent it: it must be the other end's role */
	bool from_original_initiator = (m.h.flags & IKEV2_FLAG_INITIATOR) != 0;
	if (from_original_initiator == ike->original_initiator) {
		log_drop(p, pkt, "the Initiator flag does not match the IKE SA");
		return;
	}
	if (response)
		handle_response(ike, &m);
	else
		handle_request(ike, &m);
}
