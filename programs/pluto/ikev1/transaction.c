/* The ISAKMP Transaction exchange (exchange type 6) that carries XAUTH
 * and Mode Config after Main Mode (transaction.h): each exchange has its
 * own message ID and IV (RFC 2409 appendix B from the phase 1 IV, then
 * chained), HASH(1)/HASH(2) = prf(SKEYID_a, M-ID | attribute payload).
 * Our requests (REQUEST, SET) are retransmitted until answered; a repeat
 * of the peer's request gets our answer again. The order of the steps:
 * XAUTH, then Mode Config, then Quick Mode (the initiator's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "iface.h"
#include "ike/initiate.h"
#include "ikev1/xa.h"
#include "pluto.h"

static void put_mid(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static err_t xa_hash(struct ike_sa *ike, uint32_t msgid, const uint8_t *p, size_t len, chunk_t *out)
{
	uint8_t mid[4];
	put_mid(mid, msgid);
	chunk_t parts[2] = { chunk_from(mid, 4), chunk_from(p, len) };
	return prf_computev(ike->suite.prf, ike->v1.keys.skeyid_a, parts, 2, out);
}

struct xa_fill {
	const struct isakmp_cfg *cfg;
	uint32_t msgid;
};

/* HASH (zeros for now), the Attribute payload, then the HASH over it. */
static bool fill_xa(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	const struct xa_fill *f = ctx;
	uint8_t zeros[64] = { 0 };
	size_t hl = prf_output_len(ike->suite.prf);
	if (hl == 0 || hl > sizeof(zeros))
		return false;
	size_t hat = isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ zeros, hl });
	size_t at = isakmp_build_cfg(b, f->cfg);
	if (hat == SIZE_MAX || at == SIZE_MAX || b->failed)
		return false;
	chunk_t hash;
	if (xa_hash(ike, f->msgid, b->buf + at, b->len - at, &hash) != NULL)
		return false;
	memcpy(b->buf + hat + 4, hash.ptr, hl);
	chunk_free(&hash);
	return true;
}

static const char *const out_names[] = {
	[XA_OUT_NONE] = "nothing",
	[XA_OUT_XAUTH_REQUEST] = "XAUTH REQUEST",
	[XA_OUT_XAUTH_SET] = "XAUTH SET",
	[XA_OUT_MODECFG_REQUEST] = "Mode Config REQUEST",
	[XA_OUT_MODECFG_SET] = "Mode Config SET",
};

static void xa_timeout(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	char why[64];
	snprintf(why, sizeof(why), "no answer to our %s", xa != NULL ? out_names[xa->out] : "request");
	xa_fail(ike, why);
}

bool xa_send_request(struct ike_sa *ike, enum xa_out what, const struct isakmp_cfg *cfg)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	uint32_t msgid = 0;
	for (int i = 0; i < 8 && (msgid == 0 || msgid == ike->v1.qi.msgid || msgid == ike->v1.qr.msgid); i++)
		if (random_bytes(&msgid, sizeof(msgid)) != NULL)
			msgid = 0;
	if (msgid == 0 || !ikev1_exchange_iv(ike, msgid, xa->out_iv)) {
		llog(&ike->logger, RC_ERROR, "cannot send the %s: no message ID or IV", out_names[what]);
		return false;
	}
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	struct xa_fill f = { cfg, msgid };
	if (!ikev1_build(ike, ISAKMP_XCHG_MODE_CFG, msgid, xa->out_iv, fill_xa, &f, out, &len))
		return false;
	xa->out = what;
	xa->out_msgid = msgid;
	xa->out_ident = cfg->identifier;
	ike->on_timeout = xa_timeout;
	ike_request_sent(ike, out, len, msgid, ISAKMP_XCHG_MODE_CFG);
	ldbg(&ike->logger, DBG_CONTROL, "sent %s (message ID 0x%08x)", out_names[what], msgid);
	return true;
}

void xa_fail(struct ike_sa *ike, const char *why)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	if (xa != NULL)
		xa->finished = true;
	if (ike->request_outstanding && ike->request_exchange == ISAKMP_XCHG_MODE_CFG)
		ike_request_answered(ike);
	ikev1_send_delete(ike);
	if (ike->original_initiator) {
		ike_initiate_failed(ike, FAIL_LOCAL, why);
		return;
	}
	char w[256];
	snprintf(w, sizeof(w), "%s (ISAKMP Delete sent to the peer)", why);
	ike_sa_delete(ike, w);
}

void xa_next(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	if (xa == NULL || xa->finished || xa->out != XA_OUT_NONE)
		return;
	if (!xa->xauth_done) {
		/* the server asks; the client waits for it */
		if (xa->xauth_server && !xauth_server_start(ike))
			xa_fail(ike, "cannot send the XAUTH request");
		return;
	}
	if (!xa->modecfg_done) {
		if (xa->modecfg_server && !xa->pull && !modecfg_server_push(ike))
			xa_fail(ike, "cannot send the Mode Config SET");
		else if (xa->modecfg_client && xa->pull && !modecfg_client_pull(ike))
			xa_fail(ike, "cannot send the Mode Config REQUEST");
		return;
	}
	xa->finished = true;
	if (xa->deadline != NULL)
		event_del(xa->deadline);
	ldbg(&ike->logger, DBG_CONTROL, "XAUTH and Mode Config are done");
	/* what Main Mode would have done at once: the initiator's Quick Mode */
	if (ike->original_initiator && !quick_mode_initiate(ike, ike->c, false))
		ike_whack_done(ike, WHACK_STATUS_REFUSED);
}

/* A peer that never sends what this end waits for (the server's XAUTH
 * REQUEST or Mode Config SET, the client's REQUEST): the end of it all
 * after --retransmit-timeout (our own requests end by theirs). */
static unsigned budget_ms(const struct ike_sa *ike)
{
	unsigned t = ike->pluto->opts.retransmit_timeout_ms;
	return t ? t : RETRANSMIT_TIMEOUT_S * 1000u;
}

static void deadline_passed(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	struct ikev1_transaction *xa = ike->v1.xa;
	if (xa == NULL || xa->finished)
		return;
	char why[128];
	snprintf(why, sizeof(why), "%s not done within %u s", !xa->xauth_done ? "XAUTH" : "Mode Config",
		 budget_ms(ike) / 1000);
	xa_fail(ike, why);
}

static void deadline_start(struct ike_sa *ike, struct ikev1_transaction *xa)
{
	unsigned ms = budget_ms(ike);
	if (ike->pluto->base == NULL)
		return;
	xa->deadline = event_new(ike->pluto->base, -1, 0, deadline_passed, ike);
	if (xa->deadline == NULL)
		return;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	event_add(xa->deadline, &tv);
}

bool ikev1_xa_established(struct ike_sa *ike)
{
	struct connection *c = ike->c;
	if (c == NULL || c->local < 0)
		return false;
	const struct end *me = local_end(c);
	if (!me->xauth_server && !me->xauth_client && !me->modecfg_server && !me->modecfg_client)
		return false;
	struct ikev1_transaction *xa = calloc(1, sizeof(*xa));
	if (xa == NULL)
		return false;
	ike->v1.xa = xa;
	xa->xauth_server = me->xauth_server;
	xa->xauth_client = me->xauth_client && !me->xauth_server;
	xa->modecfg_server = me->modecfg_server;
	xa->modecfg_client = me->modecfg_client && !me->modecfg_server;
	xa->pull = c->modecfg_pull;
	xa->xauth_done = !xa->xauth_server && !xa->xauth_client;
	xa->modecfg_done = !xa->modecfg_server && !xa->modecfg_client;
	llog(&ike->logger, RC_INFO, "ISAKMP SA established: %s%s%s before Quick Mode",
	     xa->xauth_server ? "XAUTH server" : xa->xauth_client ? "XAUTH client" : "",
	     !xa->xauth_done && !xa->modecfg_done ? ", then " : "",
	     xa->modecfg_server ? (xa->pull ? "Mode Config server (pull)" : "Mode Config server (push)")
	     : xa->modecfg_client ? (xa->pull ? "Mode Config client (pull)" : "Mode Config client (push)")
	     : "");
	/* a responder's waiting client (none, usually) hears now, as from Main Mode */
	if (!ike->original_initiator)
		ike_whack_done(ike, 0);
	deadline_start(ike, xa);
	xa_next(ike);
	return true;
}

bool ikev1_xa_pending(const struct ike_sa *ike)
{
	return ike->v1.xa != NULL && !ike->v1.xa->finished;
}

void ikev1_xa_free(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	if (xa == NULL)
		return;
	modecfg_free(ike);
	if (xa->deadline != NULL)
		event_free(xa->deadline);
	chunk_free(&xa->last_in);
	chunk_free(&xa->last_out);
	free(xa);
	ike->v1.xa = NULL;
}

bool cfg_is_xauth(const struct isakmp_cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_attrs; i++)
		if (cfg->attrs[i].type >= XAUTH_TYPE && cfg->attrs[i].type <= XAUTH_ANSWER)
			return true;
	return false;
}

/* ---- receiving ---------------------------------------------------------------- */

/* An answer of ours to the peer's request: encrypted on the chain after
 * it, kept for a repeat. */
static void send_answer(struct ike_sa *ike, struct v1_msg_in *m, uint8_t *iv, const struct isakmp_cfg *ans)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	struct xa_fill f = { ans, m->h.message_id };
	if (!ikev1_build(ike, ISAKMP_XCHG_MODE_CFG, m->h.message_id, iv, fill_xa, &f, out, &len))
		return;
	ike_transmit(ike, out, len);
	chunk_free(&xa->last_in);
	chunk_free(&xa->last_out);
	xa->last_in = chunk_clone(m->pkt->data, m->pkt->len);
	xa->last_out = chunk_clone(out, len);
}

/* The peer's answer to our request. */
static void take_answer(struct ike_sa *ike, const struct isakmp_cfg *cfg)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	enum xa_out what = xa->out;
	uint8_t want = what == XA_OUT_XAUTH_REQUEST || what == XA_OUT_MODECFG_REQUEST ? ISAKMP_CFG_REPLY
										    : ISAKMP_CFG_ACK;
	ike_request_answered(ike);
	xa->out = XA_OUT_NONE;
	if (cfg->type != want) {
		char why[128];
		snprintf(why, sizeof(why), "the peer answered our %s with %s", out_names[what],
			 isakmp_cfg_type_name(cfg->type));
		xa_fail(ike, why);
		return;
	}
	switch (what) {
	case XA_OUT_XAUTH_REQUEST:
		xauth_server_reply(ike, cfg);
		return;
	case XA_OUT_XAUTH_SET:
		xauth_server_ack(ike);
		return;
	case XA_OUT_MODECFG_REQUEST:
		if (!modecfg_client_take(ike, cfg)) {
			xa_fail(ike, "the Mode Config REPLY gives no address");
			return;
		}
		xa->modecfg_done = true;
		xa_next(ike);
		return;
	case XA_OUT_MODECFG_SET:
		llog(&ike->logger, RC_INFO, "Mode Config: the peer took its address (ACK)");
		xa->modecfg_done = true;
		xa_next(ike);
		return;
	case XA_OUT_NONE:
		return;
	}
}

/* The peer pulled while we pushed, or pushed while we pulled: its
 * message does for both exchanges; ours ends without its answer. */
static void supersede(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	ike_request_answered(ike);
	xa->superseded_msgid = xa->out_msgid;
	xa->out = XA_OUT_NONE;
}

/* The peer's request (REQUEST or SET): answered when this end expects it. */
static void take_request(struct ike_sa *ike, struct v1_msg_in *m, uint8_t *iv, const struct isakmp_cfg *cfg)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	static struct isakmp_cfg ans;
	static uint8_t buf[1024];
	bool xauth = cfg_is_xauth(cfg);
	memset(&ans, 0, sizeof(ans));
	if (xauth && xa->xauth_client && !xa->xauth_done &&
	    (cfg->type == ISAKMP_CFG_REQUEST || cfg->type == ISAKMP_CFG_SET)) {
		if (!xauth_client_request(ike, cfg, &ans, buf, sizeof(buf)))
			return;
		send_answer(ike, m, iv, &ans);
		if (cfg->type == ISAKMP_CFG_SET)
			xauth_client_status(ike, cfg);   /* may end the SA */
		return;
	}
	if (!xauth && xa->modecfg_server && xa->xauth_done && !xa->modecfg_done &&
	    cfg->type == ISAKMP_CFG_REQUEST) {
		if (!modecfg_server_request(ike, cfg, &ans, buf, sizeof(buf)))
			return;
		send_answer(ike, m, iv, &ans);
		/* a pulling client while our push waited: the REPLY does for both */
		if (xa->out == XA_OUT_MODECFG_SET)
			supersede(ike);
		xa->modecfg_done = true;
		xa_next(ike);
		return;
	}
	if (!xauth && xa->modecfg_client && xa->xauth_done && !xa->modecfg_done &&
	    cfg->type == ISAKMP_CFG_SET) {
		if (!modecfg_client_take(ike, cfg))
			return;
		modecfg_client_ack(cfg, &ans);
		send_answer(ike, m, iv, &ans);
		/* pushed while our REQUEST waited: the SET answers it as well */
		if (xa->out == XA_OUT_MODECFG_REQUEST)
			supersede(ike);
		xa->modecfg_done = true;
		xa_next(ike);
		return;
	}
	llog(&ike->logger, RC_INFO, "ignoring a Transaction %s of %s: not expected now",
	     isakmp_cfg_type_name(cfg->type), xauth ? "XAUTH" : "Mode Config");
}

void ikev1_transaction_receive(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	const struct packet *pkt = m->pkt;
	const char *why = NULL;
	if (ike->state != IKE_ESTABLISHED || !ike->v1.keys_ready)
		why = "the ISAKMP SA is not established";
	else if (xa == NULL)
		why = "this conn does neither XAUTH nor Mode Config";
	else if (!(m->h.flags & ISAKMP_FLAG_ENCRYPTION) || m->h.message_id == 0)
		why = "not encrypted, or message ID 0";
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "dropping a Transaction (XAUTH/Mode Config) message: %s", why);
		return;
	}
	/* a repeat of the request we answered last: our answer again */
	if (xa->last_in.ptr != NULL && xa->last_in.len == pkt->len &&
	    memcmp(xa->last_in.ptr, pkt->data, pkt->len) == 0) {
		ldbg(&ike->logger, DBG_CONTROL, "repeated Transaction message: answering again");
		if (xa->last_out.ptr != NULL)
			ike_transmit(ike, xa->last_out.ptr, xa->last_out.len);
		return;
	}
	if (xa->superseded_msgid != 0 && m->h.message_id == xa->superseded_msgid) {
		ldbg(&ike->logger, DBG_CONTROL, "the late answer to a request the peer's own made moot: ignored");
		return;
	}
	bool answer = xa->out != XA_OUT_NONE && m->h.message_id == xa->out_msgid;
	uint8_t iv[IKEV1_BLOCK_MAX];
	if (answer)
		memcpy(iv, xa->out_iv, sizeof(iv));
	else if (!ikev1_exchange_iv(ike, m->h.message_id, iv))
		why = "no IV";
	if (why == NULL)
		ikev1_decrypt(ike, m, iv, &why);
	const struct isakmp_payloads *pl = &m->pl;
	if (why == NULL)
		why = ikev1_check_first_hash(ike, m);
	static struct isakmp_cfg cfg;
	struct isakmp_diag d = { 0 };
	const struct isakmp_payload *ap = why == NULL ? isakmp_payloads_find(pl, ISAKMP_NEXT_ATTR, 0) : NULL;
	if (why == NULL && ap == NULL)
		why = "no Attribute payload";
	if (why == NULL && isakmp_decode_cfg(ap, &cfg, &d) != NULL)
		why = d.text;
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "dropping a Transaction (XAUTH/Mode Config) message: %s", why);
		return;
	}
	ike->last_heard_ms = mono_ms();
	ldbg(&ike->logger, DBG_CONTROL, "received Transaction %s (%zu attributes, message ID 0x%08x)",
	     isakmp_cfg_type_name(cfg.type), cfg.n_attrs, m->h.message_id);
	if (answer)
		take_answer(ike, &cfg);
	else
		take_request(ike, m, iv, &cfg);
}
