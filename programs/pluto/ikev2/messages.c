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

/* out_buf holds a message, or its SKF fragments back to back (each with
 * its own header and overhead: room for twice the inner chain). */
static uint8_t out_buf[2 * IKE_MSG_MAX];
static uint8_t inner_buf[IKE_MSG_MAX];
static uint8_t seal_buf[IKE_MSG_MAX];

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

/* Seals inner_len bytes of inner chain (from inner) into the SK payload
 * of b, or, when total is not 0, into its SKF payload number of total. */
static bool sk_seal(struct ike_sa *ike, struct ikev2_builder *b, uint8_t first_inner,
		    const uint8_t *inner, size_t inner_len, uint16_t number, uint16_t total)
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
	memmove(seal_buf, inner, inner_len);
	memset(seal_buf + inner_len, 0, pad);
	seal_buf[inner_len + pad] = (uint8_t)pad;

	size_t body_len = iv_len + plain_len + icv_len;
	uint8_t *body = total == 0 ? ikev2_build_sk(b, first_inner, body_len)
				   : ikev2_build_skf(b, first_inner, number, total, body_len);
	if (body == NULL)
		return false;
	if (random_bytes(body, iv_len) != NULL)
		return false;
	chunk_t ek, ak;
	sk_keys(ike, true, &ek, &ak);
	size_t sk_at = ikev2_build_sk_offset(b);
	/* for SKF the AAD and ICV cover Fragment Number and Total Fragments too */
	chunk_t aad = aead ? chunk_from(b->buf, sk_at) : EMPTY_CHUNK;
	err_t e = encr_seal(encr, ek, chunk_from(body, iv_len), aad, seal_buf, plain_len,
			    body + iv_len, plain_len + (aead ? icv_len : 0));
	if (e != NULL) {
		llog(&ike->logger, RC_ERROR, "cannot encrypt: %s", e);
		return false;
	}
	if (!aead) {
		size_t end = sk_at + iv_len + plain_len + icv_len;
		e = integ_compute(integ, ak, b->buf, end - icv_len, b->buf + end - icv_len);
		if (e != NULL) {
			llog(&ike->logger, RC_ERROR, "cannot compute the checksum: %s", e);
			return false;
		}
	}
	return true;
}

/* Checks the ICV of the datagram (msg, msg_len) whose SK or SKF body
 * (IV || ciphertext || ICV) is body, at body_offset, and decrypts it into
 * plain (cap bytes); *inner_len is the inner chain's length, without the
 * padding. */
static err_t sk_decrypt(struct ike_sa *ike, const uint8_t *msg, size_t msg_len,
			struct ikev2_span body, size_t body_offset, uint8_t *plain, size_t cap,
			size_t *inner_len)
{
	const struct alg_desc *encr = ike->suite.encr;
	bool aead = encr->aead;
	size_t iv_len = encr_iv_len(encr);
	size_t icv_len = aead ? encr_icv_len(encr) : integ_icv_len(ike->suite.integ);
	if (body.len < iv_len + icv_len + 1)
		return "encrypted payload too short for its IV and checksum";
	chunk_t ek, ak;
	sk_keys(ike, false, &ek, &ak);
	if (!aead) {
		err_t e = integ_verify(ike->suite.integ, ak, msg, msg_len - icv_len,
				       msg + msg_len - icv_len);
		if (e != NULL)
			return "integrity check failed";
	}
	size_t ct_len = body.len - iv_len - (aead ? 0 : icv_len);
	chunk_t aad = aead ? chunk_from(msg, body_offset) : EMPTY_CHUNK;
	err_t e = encr_open(encr, ek, chunk_from(body.ptr, iv_len), aad, body.ptr + iv_len,
			    ct_len, plain, cap);
	if (e != NULL)
		return aead ? "integrity check failed (AEAD)" : "cannot decrypt";
	size_t plain_len = ct_len - (aead ? icv_len : 0);
	if (plain_len == 0)
		return "nothing encrypted, not even the pad length";
	size_t pad = plain[plain_len - 1];
	if (pad + 1 > plain_len)
		return "bad padding length";
	*inner_len = plain_len - pad - 1;
	return NULL;
}

/* The SKF payload of m, authenticated, decrypted and kept until its
 * message is whole; then m->plain holds the inner chain. Returns NULL
 * when m is whole, IKEV2_FRAG_PENDING when more fragments are needed, or
 * why the fragment was dropped. */
static const char IKEV2_FRAG_PENDING[] = "waiting for more fragments";

static err_t skf_open(struct ike_sa *ike, struct ike_msg_in *m, const struct ikev2_payload *p,
		      struct ikev2_diag *d, uint8_t *first_inner, size_t *inner_len)
{
	/* RFC 7383 2.5.3: only in an IKE SA that announced it both ways */
	if (!ike->v2.peer_frag || ike->c == NULL || ike->c->fragmentation == FRAG_NO)
		return "a fragment (SKF) where fragmentation was not negotiated";
	struct ikev2_skf skf;
	err_t e = ikev2_decode_skf(p, &skf, d);
	if (e != NULL) {
		d->notify = 0;   /* not authenticated: nothing to answer */
		return e;
	}
	if (skf.number != 1 && skf.first_inner != IKEV2_PT_NONE)
		return "a fragment other than the first names a first inner payload";
	static uint8_t frag_plain[IKE_MSG_MAX];
	size_t len;
	/* authenticated before it is kept */
	e = sk_decrypt(ike, m->pkt->data, m->pkt->len, skf.body, skf.body_offset, frag_plain,
		       sizeof(frag_plain), &len);
	if (e != NULL)
		return e;
	if (ike->v2.frags == NULL) {
		ike->v2.frags = calloc(1, sizeof(*ike->v2.frags));
		if (ike->v2.frags == NULL)
			return "out of memory for fragments";
	}
	bool response = (m->h.flags & IKEV2_FLAG_RESPONSE) != 0;
	enum ikev2_frag_verdict v = ikev2_frags_add(ike->v2.frags, m->h.message_id, response,
						    skf.number, skf.total, skf.first_inner,
						    frag_plain, len, mono_ms());
	ldbg(&ike->logger, DBG_CONTROL, "%s %u fragment %u of %u: %s",
	     response ? "response" : "request", m->h.message_id, skf.number, skf.total,
	     ikev2_frag_verdict_str(v));
	switch (v) {
	case IKEV2_FRAG_KEPT:
		ike->v2.frags_received++;
		return IKEV2_FRAG_PENDING;
	case IKEV2_FRAG_COMPLETE:
		ike->v2.frags_received++;
		break;
	default:
		return IKEV2_FRAG_PENDING;   /* ignored, as RFC 7383 2.6 says */
	}
	*inner_len = ikev2_frags_join(ike->v2.frags, m->plain, sizeof(m->plain), first_inner);
	if (*inner_len == SIZE_MAX)
		return "reassembled message too large";
	llog(&ike->logger, RC_INFO, "%s %u reassembled from %u fragments (%zu bytes)",
	     response ? "response" : "request", m->h.message_id, skf.total, *inner_len);
	return NULL;
}

/* Verifies and decrypts the SK payload of m (or, when m is the last of
 * its SKF fragments, all of them) into m->plain and splits it. */
static err_t sk_open(struct ike_sa *ike, struct ike_msg_in *m, struct ikev2_diag *d)
{
	uint8_t first_inner;
	size_t inner_len;
	const struct ikev2_payload *skp = ikev2_payloads_find(&m->clear, IKEV2_PT_SK, 0);
	if (skp == NULL) {
		const struct ikev2_payload *skfp = ikev2_payloads_find(&m->clear, IKEV2_PT_SKF, 0);
		if (skfp == NULL)
			return "no SK payload";
		err_t e = skf_open(ike, m, skfp, d, &first_inner, &inner_len);
		if (e != NULL)
			return e;
	} else {
		struct ikev2_sk sk;
		err_t e = ikev2_decode_sk(skp, &sk, d);
		if (e != NULL)
			return e;
		e = sk_decrypt(ike, m->pkt->data, m->pkt->len, sk.body, sk.body_offset, m->plain,
			       sizeof(m->plain), &inner_len);
		if (e != NULL)
			return e;
		first_inner = sk.first_inner;
	}
	err_t e = ikev2_split_chain(first_inner, m->plain, inner_len, &m->inner, d);
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

/* RFC 7383: the inner bytes each fragment carries when a message with an
 * inner chain of inner_len bytes goes in fragments, or 0 when it goes
 * whole (the peer did not announce it, fragmentation=no|accept, or the
 * message fits the path; force: always, in small fragments). */
static size_t frag_room(const struct ike_sa *ike, size_t inner_len)
{
	if (!ike->v2.peer_frag || ike->c == NULL)
		return 0;
	enum conn_frag mode = ike->c->fragmentation;
	if (mode != FRAG_YES && mode != FRAG_FORCE)
		return 0;
	const struct alg_desc *encr = ike->suite.encr;
	size_t iv_len = encr_iv_len(encr);
	size_t icv_len = encr->aead ? encr_icv_len(encr) : integ_icv_len(ike->suite.integ);
	size_t block = encr_block_len(encr);
	size_t limit = mode == FRAG_FORCE ? IKEV2_FRAG_DATAGRAM_FORCE
		       : ike->remote.family == IP_V6 ? IKEV2_FRAG_DATAGRAM_V6 : IKEV2_FRAG_DATAGRAM_V4;
	if (ike->iface != NULL && ike->iface->natt)
		limit -= 4;   /* the non-ESP marker */
	if (mode == FRAG_YES) {
		/* whole when it fits: SK header, IV, padding, ICV */
		size_t whole = IKEV2_HEADER_SIZE + IKEV2_PAYLOAD_HEADER_SIZE + iv_len + inner_len +
			       block + icv_len;
		if (whole <= limit)
			return 0;
	}
	return ikev2_frag_room(limit, iv_len, icv_len, block);
}

/* Seals the inner chain in inner_buf into SKF fragments, back to back in
 * out_buf; returns their total length or 0. */
static size_t build_fragments(struct ike_sa *ike, const struct ikev2_header *h, uint8_t first,
			      size_t inner_len, size_t room)
{
	unsigned n = ikev2_frag_count(inner_len, &room);
	size_t at = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t from = (size_t)i * room;
		size_t len = inner_len - from < room ? inner_len - from : room;
		struct ikev2_builder b;
		ikev2_build_init(&b, out_buf + at, sizeof(out_buf) - at, h);
		if (!sk_seal(ike, &b, i == 0 ? first : IKEV2_PT_NONE, inner_buf + from, len,
			     (uint16_t)(i + 1), (uint16_t)n))
			return 0;
		size_t flen;
		err_t e = ikev2_build_finish(&b, &flen);
		if (e != NULL) {
			llog(&ike->logger, RC_ERROR, "cannot build fragment %u of %u: %s", i + 1, n, e);
			return 0;
		}
		at += flen;
	}
	ike->v2.frags_sent += n;
	llog(&ike->logger, RC_INFO, "%s %u sent in %u fragments (%zu inner bytes)",
	     h->flags & IKEV2_FLAG_RESPONSE ? "response" : "request", h->message_id, n, inner_len);
	return at;
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
		size_t room = frag_room(ike, inner_len);
		if (room != 0)
			return build_fragments(ike, &h, ikev2_build_first_type(&in), inner_len, room);
		if (!sk_seal(ike, &b, ikev2_build_first_type(&in), inner_buf, inner_len, 0, 0))
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

bool ikev2_send_request_once(struct ike_sa *ike, uint8_t exchange, ike_fill_fn *fill, void *ctx)
{
	uint32_t msgid = ike->v2.msgid_next_out;
	size_t len = build(ike, exchange, false, msgid, fill, ctx);
	if (len == 0)
		return false;
	ike->v2.msgid_next_out++;
	ike_transmit(ike, out_buf, len);
	return true;
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
		if (e == IKEV2_FRAG_PENDING)
			return;
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
	/* the peer missed our answer: send it again, do nothing else; for a
	 * request in fragments, only on its first (RFC 7383 2.6.1) */
	const struct ikev2_payload *skfp = ikev2_payloads_find(&m->clear, IKEV2_PT_SKF, 0);
	struct ikev2_skf skf;
	struct ikev2_diag fd;
	bool first_or_whole = skfp == NULL || (ikev2_decode_skf(skfp, &skf, &fd) == NULL && skf.number == 1);
	if (ike->have_last_response && m->h.message_id == ike->last_response_msgid &&
	    m->h.exchange == ike->last_response_exchange && !first_or_whole)
		return;
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
	if (e == IKEV2_FRAG_PENDING)
		return;
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
