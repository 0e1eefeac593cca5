/* ISAKMP messages in and out: the receive path (which ISAKMP SA a message
 * is for, and which exchange takes it), the CBC encryption of RFC 2409
 * (IVs chained from the last cipher block, zero padding to the block) and
 * the Informational exchange: notifies and Deletes, encrypted with HASH(1)
 * = prf(SKEYID_a, M-ID | N/D) (RFC 2409 5.7), or in the clear before an
 * SA has keys. Informationals are not acknowledged: nothing of ours waits
 * for an answer to them, and they do not wait for our Quick Mode under way
 * (ikev1_ops.unqueued). An error notify of the peer (NO-PROPOSAL-CHOSEN,
 * INVALID-ID-INFORMATION, ...) is logged with the conn, the peer and its
 * reason, and ends our exchange under way at once. INITIAL-CONTACT
 * (RFC 2407 4.6.3.3) makes the peer's older SAs go. */
#include <stdio.h>
#include <string.h>
#include "iface.h"
#include "ike/initiate.h"
#include "ike/ops.h"
#include "ikev1/frag.h"
#include "ikev1/ikev1.h"
#include "pluto.h"

static const struct { uint16_t type; const char *name; } notify_names[] = {
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

const char *isakmp_notify_name(uint16_t type)
{
	static char buf[24];
	for (size_t i = 0; i < sizeof(notify_names) / sizeof(notify_names[0]); i++)
		if (notify_names[i].type == type)
			return notify_names[i].name;
	snprintf(buf, sizeof(buf), "notify %u", type);
	return buf;
}

/* ---- building, encrypting, decrypting --------------------------------------- */

bool ikev1_build(struct ike_sa *ike, uint8_t exchange, uint32_t msgid, uint8_t *iv, v1_fill_fn *fill,
		 void *ctx, uint8_t *out, size_t *len)
{
	static uint8_t chain[IKE_MSG_MAX];
	struct ikev2_builder b;
	/* room for the header and the padding of the largest block */
	ikev2_build_chain_init(&b, chain, sizeof(chain) - ISAKMP_HEADER_SIZE - IKEV1_BLOCK_MAX);
	if (!fill(ike, &b, ctx))
		return false;
	size_t clen;
	err_t e = ikev2_build_finish(&b, &clen);
	struct isakmp_header h = { .exchange = exchange, .message_id = msgid };
	memcpy(h.icookie, ike->spi_i, 8);
	memcpy(h.rcookie, ike->spi_r, 8);
	if (e == NULL && iv != NULL) {
		const struct alg_desc *encr = ike->suite.encr;
		size_t bl = encr_block_len(encr);
		if (bl == 0 || bl > IKEV1_BLOCK_MAX || !ike->v1.keys_ready) {
			e = "no cipher for this ISAKMP SA";
		} else {
			size_t padded = (clen + bl - 1) / bl * bl;
			memset(chain + clen, 0, padded - clen);
			e = encr_seal(encr, ike->v1.keys.enc_key, chunk_from(iv, bl), EMPTY_CHUNK, chain,
				      padded, chain, sizeof(chain));
			if (e == NULL) {
				memcpy(iv, chain + padded - bl, bl);
				clen = padded;
				h.flags = ISAKMP_FLAG_ENCRYPTION;
			}
		}
	}
	if (e == NULL)
		e = isakmp_build_message(&h, ikev2_build_first_type(&b), chain, clen, out, IKE_MSG_MAX, len);
	if (e != NULL) {
		llog(&ike->logger, RC_ERROR, "cannot build an ISAKMP message: %s", e);
		return false;
	}
	ikev1_frag_if_wanted(ike, exchange, out, len, IKE_MSG_MAX);
	return true;
}

const char *ikev1_check_first_hash(struct ike_sa *ike, const struct v1_msg_in *m)
{
	const struct isakmp_payloads *pl = &m->pl;
	if (pl->n < 2 || pl->p[0].type != ISAKMP_NEXT_HASH)
		return "it does not start with HASH(1)";
	const struct isakmp_payload *last = &pl->p[pl->n - 1];
	size_t from = pl->p[1].offset, to = last->offset + 4 + last->len;
	uint32_t id = m->h.message_id;
	uint8_t mid[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	chunk_t parts[2] = { chunk_from(mid, 4), chunk_from(m->plain + from, to - from) };
	chunk_t hash;
	if (prf_computev(ike->suite.prf, ike->v1.keys.skeyid_a, parts, 2, &hash) != NULL)
		return "cannot compute HASH(1)";
	bool ok = hash.len == pl->p[0].len && memcmp(hash.ptr, pl->p[0].body, hash.len) == 0;
	chunk_free(&hash);
	return ok ? NULL : "its HASH(1) does not match";
}

/* The IV of exchange msgid from the phase 1 IV base (RFC 2409 app. B). */
static bool iv_of(struct ike_sa *ike, chunk_t base, uint32_t msgid, uint8_t iv[IKEV1_BLOCK_MAX])
{
	chunk_t ivc;
	if (ikev1_phase2_iv(ike->suite.prf, ike->suite.encr, base, msgid, &ivc) != NULL)
		return false;
	memset(iv, 0, IKEV1_BLOCK_MAX);
	memcpy(iv, ivc.ptr, ivc.len < IKEV1_BLOCK_MAX ? ivc.len : IKEV1_BLOCK_MAX);
	chunk_free(&ivc);
	return true;
}

bool ikev1_exchange_iv(struct ike_sa *ike, uint32_t msgid, uint8_t iv[IKEV1_BLOCK_MAX])
{
	return iv_of(ike, chunk_from(ike->v1.iv, ike->v1.iv_len), msgid, iv);
}

bool ikev1_decrypt(struct ike_sa *ike, struct v1_msg_in *m, uint8_t *iv, const char **why)
{
	static char text[ISAKMP_DIAG_TEXT + 64];
	const struct alg_desc *encr = ike->suite.encr;
	size_t bl = encr_block_len(encr);
	size_t len = m->pkt->len - ISAKMP_HEADER_SIZE;
	if (!ike->v1.keys_ready || bl == 0 || bl > IKEV1_BLOCK_MAX) {
		*why = "no keys yet";
		return false;
	}
	if (len == 0 || len % bl != 0 || len > sizeof(m->plain)) {
		*why = "the encrypted body is not a whole number of cipher blocks";
		return false;
	}
	memcpy(m->plain, m->pkt->data + ISAKMP_HEADER_SIZE, len);
	uint8_t next[IKEV1_BLOCK_MAX];
	memcpy(next, m->plain + len - bl, bl);
	err_t e = encr_open(encr, ike->v1.keys.enc_key, chunk_from(iv, bl), EMPTY_CHUNK, m->plain,
			    len, m->plain, sizeof(m->plain));
	if (e != NULL) {
		snprintf(text, sizeof(text), "cannot decrypt: %s", e);
		*why = text;
		return false;
	}
	struct isakmp_diag d = { 0 };
	if (isakmp_split_chain(m->h.next_payload, m->plain, len, &m->pl, &d) != NULL) {
		snprintf(text, sizeof(text), "its decrypted payloads do not parse: %s", d.text);
		*why = text;
		return false;
	}
	m->plain_len = len;
	memcpy(iv, next, bl);
	return true;
}

/* ---- Informational ------------------------------------------------------------ */

void ikev1_send_clear_notify(struct pluto *p, const struct packet *pkt, const uint8_t icookie[8],
			     const uint8_t rcookie[8], uint16_t type)
{
	uint8_t chain[64], out[128];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP,
				   .type = type };
	isakmp_build_notify(&b, &n);
	size_t clen, len;
	struct isakmp_header h = { .exchange = ISAKMP_XCHG_INFO };
	memcpy(h.icookie, icookie, 8);
	memcpy(h.rcookie, rcookie, 8);
	err_t e = ikev2_build_finish(&b, &clen);
	if (e == NULL)
		e = isakmp_build_message(&h, ISAKMP_NEXT_N, chain, clen, out, sizeof(out), &len);
	if (e == NULL)
		e = iface_send(pkt->iface, &pkt->remote, pkt->remote_port, out, len);
	char a[ADDRESS_BUF];
	if (e != NULL)
		llog(&p->logger, RC_WARNING, "cannot send %s to %s: %s", isakmp_notify_name(type),
		     str_address(&pkt->remote, a), e);
	else
		llog(&p->logger, RC_INFO, "sent unencrypted notify %s to %s:%u", isakmp_notify_name(type),
		     str_address(&pkt->remote, a), pkt->remote_port);
}

#define MAX_DELETE_CHILDREN 16
struct info_out {
	bool delete;
	uint8_t del_proto;           /* of the SPIs in esp: ESP or AH */
	uint16_t type;
	bool with_seq;               /* the notify carries seq (RFC 3706 DPD) */
	const uint8_t *data;         /* or these bytes (RESPONDER-LIFETIME) */
	size_t data_len;
	uint32_t seq;
	uint32_t msgid;
	size_t n_esp;                /* a Delete of these ESP SPIs (ours, inbound) */
	uint8_t esp[MAX_DELETE_CHILDREN][4];
};

static bool fill_info(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	const struct info_out *io = ctx;
	uint8_t zeros[64] = { 0 };
	size_t hl = prf_output_len(ike->suite.prf);
	if (hl == 0 || hl > sizeof(zeros))
		return false;
	uint8_t cookies[16];
	memcpy(cookies, ike->spi_i, 8);
	memcpy(cookies + 8, ike->spi_r, 8);
	size_t hat = isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ zeros, hl });
	size_t at;
	if (io->n_esp > 0) {
		struct isakmp_delete del = { .doi = ISAKMP_DOI_IPSEC, .protocol = io->del_proto,
					     .spi_size = 4, .n_spis = io->n_esp };
		for (size_t i = 0; i < io->n_esp; i++)
			del.spis[i] = io->esp[i];
		at = isakmp_build_delete(b, &del);
	} else if (io->delete) {
		struct isakmp_delete del = { .doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP,
					     .spi_size = 16, .n_spis = 1 };
		del.spis[0] = cookies;
		at = isakmp_build_delete(b, &del);
	} else {
		uint8_t seq[4] = { (uint8_t)(io->seq >> 24), (uint8_t)(io->seq >> 16),
				   (uint8_t)(io->seq >> 8), (uint8_t)io->seq };
		struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP,
					   .type = io->type, .spi = { cookies, 16 } };
		if (io->with_seq)
			n.data = (struct ikev2_span){ seq, 4 };
		else if (io->data_len > 0)
			n.data = (struct ikev2_span){ io->data, io->data_len };
		at = isakmp_build_notify(b, &n);
	}
	if (hat == SIZE_MAX || at == SIZE_MAX || b->failed)
		return false;
	/* HASH(1) = prf(SKEYID_a, M-ID | N/D), the N/D payload with its header */
	uint8_t mid[4] = { (uint8_t)(io->msgid >> 24), (uint8_t)(io->msgid >> 16),
			   (uint8_t)(io->msgid >> 8), (uint8_t)io->msgid };
	chunk_t parts[2] = { chunk_from(mid, 4), chunk_from(b->buf + at, b->len - at) };
	chunk_t hash;
	if (prf_computev(ike->suite.prf, ike->v1.keys.skeyid_a, parts, 2, &hash) != NULL)
		return false;
	memcpy(b->buf + hat + 4, hash.ptr, hl);
	chunk_free(&hash);
	return true;
}

static bool send_info_out(struct ike_sa *ike, struct info_out io);

static void send_info(struct ike_sa *ike, bool delete, uint16_t type)
{
	struct info_out io = { .delete = delete, .type = type };
	send_info_out(ike, io);
}

static void send_delete_proto(struct ike_sa *ike, struct child_sa *const *children, size_t n, uint8_t proto)
{
	struct info_out io = { .delete = true, .del_proto = proto };
	char spis[MAX_DELETE_CHILDREN * 12 + 1] = "";
	size_t at = 0;
	for (size_t i = 0; i < n && io.n_esp < MAX_DELETE_CHILDREN; i++) {
		uint32_t s = children[i]->spi_in;
		if (children[i]->protocol != proto || s == 0)
			continue;
		io.esp[io.n_esp][0] = (uint8_t)(s >> 24);
		io.esp[io.n_esp][1] = (uint8_t)(s >> 16);
		io.esp[io.n_esp][2] = (uint8_t)(s >> 8);
		io.esp[io.n_esp][3] = (uint8_t)s;
		io.n_esp++;
		at += (size_t)snprintf(spis + at, sizeof(spis) - at, " 0x%08x", s);
	}
	if (io.n_esp == 0)
		return;
	send_info_out(ike, io);
	llog(&ike->logger, RC_INFO, "sent IPsec Delete of %s SPI%s%s", proto == ISAKMP_PROTO_AH ? "AH" : "ESP",
	     io.n_esp == 1 ? "" : "s", spis);
}

/* One Delete payload names SPIs of one protocol: ESP's, then AH's. */
void ikev1_send_delete_children(struct ike_sa *ike, struct child_sa *const *children, size_t n)
{
	send_delete_proto(ike, children, n, ISAKMP_PROTO_ESP);
	send_delete_proto(ike, children, n, ISAKMP_PROTO_AH);
}

/* ---- INITIAL-CONTACT (RFC 2407 4.6.3.3) ------------------------------------------------ */

static bool same_peer(const struct ike_sa *a, const struct ike_sa *b)
{
	return address_eq(&a->remote, &b->remote) && id_eq(&a->peer_id, &b->peer_id) && a->c != NULL &&
	       b->c != NULL && id_eq(&local_end(a->c)->id, &local_end(b->c)->id);
}

bool ikev1_sends_initial_contact(const struct ike_sa *ike)
{
	if (ike->v1.rekey_of != 0)
		return false;
	for (struct ike_sa *s = ike_sa_first(ike->pluto); s != NULL; s = s->next_all)
		if (s != ike && s->ops == &ikev1_ops && s->state == IKE_ESTABLISHED &&
		    address_eq(&s->remote, &ike->remote))
			return false;
	return true;
}

size_t ikev1_initial_contact_payload(struct ike_sa *ike, struct ikev2_builder *b)
{
	if (!ikev1_sends_initial_contact(ike))
		return 0;
	uint8_t cookies[16];
	memcpy(cookies, ike->spi_i, 8);
	memcpy(cookies + 8, ike->spi_r, 8);
	struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP, .spi_size = 16,
				   .type = ISAKMP_N_INITIAL_CONTACT, .spi = { cookies, 16 } };
	size_t at = isakmp_build_notify(b, &n);
	if (at != SIZE_MAX)
		llog(&ike->logger, RC_INFO, "sending INITIAL-CONTACT (the first ISAKMP SA with this peer)");
	return at;
}

void ikev1_initial_contact_received(struct ike_sa *ike)
{
	struct pluto *p = ike->pluto;
	unsigned n = 0;
	for (struct ike_sa *s = ike_sa_first(p), *next; s != NULL; s = next) {
		next = s->next_all;
		if (s == ike || s->ops != &ikev1_ops ||
		    (s->state != IKE_ESTABLISHED && s->state != IKE_DELETING) || !same_peer(s, ike))
			continue;
		char line[96];
		snprintf(line, sizeof(line), "the peer sent INITIAL-CONTACT on ISAKMP SA #%u: it forgot this one",
			 ike->serial);
		ike_sa_delete(s, line);
		n++;
	}
	if (n == 0)
		llog(&ike->logger, RC_INFO, "the peer sent INITIAL-CONTACT: no older SA with it here");
	else
		llog(&ike->logger, RC_INFO, "the peer sent INITIAL-CONTACT: %u older ISAKMP SA%s with it deleted", n,
		     n == 1 ? "" : "s");
}

static bool send_info_out(struct ike_sa *ike, struct info_out io)
{
	if (!ike->v1.keys_ready)
		return false;
	bool delete = io.delete;
	uint16_t type = io.type;
	while (io.msgid == 0)
		if (random_bytes(&io.msgid, sizeof(io.msgid)) != NULL)
			return false;
	uint8_t iv[IKEV1_BLOCK_MAX];
	if (!ikev1_exchange_iv(ike, io.msgid, iv)) {
		llog(&ike->logger, RC_ERROR, "cannot make the IV of an Informational");
		return false;
	}
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_INFO, io.msgid, iv, fill_info, &io, out, &len))
		return false;
	ike_transmit(ike, out, len);
	if (io.n_esp > 0 || io.with_seq || io.data_len > 0)
		return true;   /* the caller logs */
	if (delete)
		llog(&ike->logger, RC_INFO, "sent ISAKMP Delete of the ISAKMP SA");
	else
		llog(&ike->logger, RC_INFO, "sent encrypted notify %s", isakmp_notify_name(type));
	return true;
}

bool ikev1_send_dpd(struct ike_sa *ike, uint16_t type, uint32_t seq)
{
	struct info_out io = { .type = type, .with_seq = true, .seq = seq };
	return send_info_out(ike, io);
}

bool ikev1_send_notify_data(struct ike_sa *ike, uint16_t type, const uint8_t *data, size_t len)
{
	struct info_out io = { .type = type, .data = data, .data_len = len };
	return send_info_out(ike, io);
}

void ikev1_send_notify(struct ike_sa *ike, uint16_t type)
{
	send_info(ike, false, type);
}

void ikev1_send_delete(struct ike_sa *ike)
{
	send_info(ike, true, 0);
}

/* An unencrypted notify: believed only while Main Mode is under way (it
 * refuses our proposal or our authentication); never on an established
 * SA, where anyone could forge it. */
static void clear_info(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct isakmp_diag d = { 0 };
	const struct isakmp_payload *np;
	struct isakmp_notify n;
	if (ike->state == IKE_ESTABLISHED ||
	    isakmp_split_payloads(m->pkt->data, m->pkt->len, &m->h, &m->pl, &d) != NULL ||
	    (np = isakmp_payloads_find(&m->pl, ISAKMP_NEXT_N, 0)) == NULL ||
	    isakmp_decode_notify(np, &n, &d) != NULL) {
		llog(&ike->logger, RC_INFO, "ignoring an unencrypted Informational%s%s",
		     d.text[0] ? ": " : "", d.text);
		return;
	}
	char why[96];
	snprintf(why, sizeof(why), "the peer answered with %s (unencrypted notify)",
		 isakmp_notify_name(n.type));
	if (ike->original_initiator)
		ike_initiate_failed(ike, FAIL_REFUSED, why);
	else
		ike_sa_delete(ike, why);
}

static void info_receive(struct ike_sa *ike, struct v1_msg_in *m)
{
	if (!(m->h.flags & ISAKMP_FLAG_ENCRYPTION)) {
		clear_info(ike, m);
		return;
	}
	const char *why = NULL;
	uint8_t iv[IKEV1_BLOCK_MAX];
	if (!ike->v1.keys_ready)
		why = "the ISAKMP SA has no keys yet";
	else if (m->h.message_id == 0)
		why = "message ID 0";
	else if (!ikev1_exchange_iv(ike, m->h.message_id, iv))
		why = "no IV";
	if (why == NULL)
		ikev1_decrypt(ike, m, iv, &why);
	const struct isakmp_payloads *pl = &m->pl;
	if (why == NULL)
		why = ikev1_check_first_hash(ike, m);
	/* an error notify sent before phase 1 ended: libreswan has no phase 1
	 * IV then and makes the exchange's IV from the message ID alone */
	if (why != NULL && ike->v1.keys_ready && ike->state != IKE_ESTABLISHED && m->h.message_id != 0 &&
	    iv_of(ike, EMPTY_CHUNK, m->h.message_id, iv)) {
		const char *why0 = NULL;
		if (ikev1_decrypt(ike, m, iv, &why0) && ikev1_check_first_hash(ike, m) == NULL)
			why = NULL;
	}
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "ignoring an encrypted Informational: %s", why);
		return;
	}
	ike->last_heard_ms = mono_ms();
	for (size_t i = 1; i < pl->n; i++) {
		struct isakmp_diag d = { 0 };
		if (pl->p[i].type == ISAKMP_NEXT_N) {
			struct isakmp_notify n;
			if (isakmp_decode_notify(&pl->p[i], &n, &d) != NULL)
				continue;
			if (n.type == ISAKMP_N_R_U_THERE || n.type == ISAKMP_N_R_U_THERE_ACK) {
				ikev1_dpd_notify(ike, &n);   /* every dpddelay: dpd.c logs at debug */
				continue;
			}
			if (n.type == ISAKMP_N_RESPONDER_LIFETIME) {
				ikev1_responder_lifetime(ike, &n);
				continue;
			}
			if (n.type == ISAKMP_N_INITIAL_CONTACT) {
				if (ike->state == IKE_ESTABLISHED)
					ikev1_initial_contact_received(ike);
				continue;
			}
			if (n.type < 16384) {
				/* an error: the conn (prefix), the peer, the reason, what it ends */
				char a[ADDRESS_BUF], id[ID_BUF];
				bool qm = ike->state == IKE_ESTABLISHED && ike->v1.qi.child_serial != 0;
				llog(&ike->logger, RC_WARNING, "the peer %s (%s) sent error notify %s%s%s",
				     str_address(&ike->remote, a), ike->peer_id.kind != ID_NONE ? str_id(&ike->peer_id, id) : "ID not known yet",
				     isakmp_notify_name(n.type),
				     qm ? ": our Quick Mode under way fails now" : "",
				     ike->state == IKE_ESTABLISHED && !qm ? ": no exchange of ours under way" : "");
			} else {
				llog(&ike->logger, RC_INFO, "the peer sends notify %s", isakmp_notify_name(n.type));
			}
			if (ike->state == IKE_ESTABLISHED && quick_mode_refused(ike, n.type))
				return;
			if (n.type < 16384 && ike->original_initiator && ike->state != IKE_ESTABLISHED) {
				char w[96];
				snprintf(w, sizeof(w), "the peer answered with %s", isakmp_notify_name(n.type));
				ike_initiate_failed(ike, FAIL_REFUSED, w);
				return;
			}
			continue;
		}
		if (pl->p[i].type != ISAKMP_NEXT_D)
			continue;
		struct isakmp_delete del;
		if (isakmp_decode_delete(&pl->p[i], &del, &d) != NULL) {
			llog(&ike->logger, RC_INFO, "ignoring a Delete: %s", d.text);
			continue;
		}
		if (del.protocol != ISAKMP_PROTO_ISAKMP) {
			quick_mode_delete(ike, &del);
			continue;
		}
		for (size_t k = 0; k < del.n_spis; k++) {
			if (del.spi_size == 16 && memcmp(del.spis[k], ike->spi_i, 8) == 0 &&
			    memcmp(del.spis[k] + 8, ike->spi_r, 8) == 0) {
				/* its Child SAs stay under a newer one (a rekey) */
				ikev1_hand_over(ike);
				ike_sa_delete(ike, "the peer deleted it (ISAKMP Delete)");
				return;
			}
		}
		llog(&ike->logger, RC_INFO, "ignoring a Delete of another ISAKMP SA");
	}
}

/* ---- receiving ------------------------------------------------------------------ */

void ikev1_receive(struct pluto *p, const struct packet *pkt)
{
	static struct v1_msg_in m;
	static const uint8_t zero[8];
	memset(&m.h, 0, sizeof(m.h));
	m.pl.n = 0;
	m.plain_len = 0;
	m.pkt = pkt;
	struct isakmp_diag d = { 0 };
	if (isakmp_decode_header(pkt->data, pkt->len, &m.h, &d) != NULL) {
		ike_drop_log(p, pkt, d.text);
		return;
	}
	bool rzero = memcmp(m.h.rcookie, zero, 8) == 0;
	struct ike_sa *ike = NULL;
	if (rzero && (m.h.exchange == ISAKMP_XCHG_IDPROT || m.h.exchange == ISAKMP_XCHG_AGGRESSIVE)) {
		/* Main Mode message 1: new, or a repeat of one we answered (or
		 * our own reflected: main_mode_receive drops that) */
		ike = ike_sa_by_init(p, m.h.icookie, &pkt->remote, pkt->remote_port);
		if (ike == NULL)
			ike = ike_sa_by_spis(p, m.h.icookie, zero);
		if (ike == NULL) {
			if (m.h.exchange == ISAKMP_XCHG_AGGRESSIVE)
				aggressive_mode_responder_first(p, &m);
			else
				main_mode_responder_first(p, &m);
			return;
		}
	} else {
		ike = ike_sa_by_spis(p, m.h.icookie, m.h.rcookie);
		if (ike == NULL && !rzero) {
			/* the first answer to our message 1: our SA has no responder cookie yet */
			struct ike_sa *s = ike_sa_by_spis(p, m.h.icookie, zero);
			if (s != NULL && s->original_initiator)
				ike = s;
		}
	}
	if (ike == NULL || ike->ops != &ikev1_ops) {
		ike_drop_log(p, pkt, "no ISAKMP SA for its cookies");
		return;
	}
	ldbg_hex(&ike->logger, DBG_RAW, "received", pkt->data, pkt->len);
	if (m.h.next_payload == ISAKMP_NEXT_FRAG) {
		ikev1_frag_receive(p, ike, pkt);
		return;
	}
	switch (m.h.exchange) {
	case ISAKMP_XCHG_IDPROT: {
		/* a responder's Main Mode that ends with message 5: its
		 * INITIAL-CONTACT, if any (the payloads are decrypted in m) */
		unsigned serial = ike->serial;
		bool was = ike->state == IKE_ESTABLISHED;
		main_mode_receive(ike, &m);
		if (!was && ike_sa_by_serial(p, serial) == ike && ike->state == IKE_ESTABLISHED &&
		    !ike->original_initiator) {
			for (size_t i = 0; i < m.pl.n; i++) {
				struct isakmp_notify n;
				struct isakmp_diag nd = { 0 };
				if (m.pl.p[i].type == ISAKMP_NEXT_N && isakmp_decode_notify(&m.pl.p[i], &n, &nd) == NULL &&
				    n.type == ISAKMP_N_INITIAL_CONTACT) {
					ikev1_initial_contact_received(ike);
					break;
				}
			}
		}
		return;
	}
	case ISAKMP_XCHG_AGGRESSIVE:
		aggressive_mode_receive(ike, &m);
		return;
	case ISAKMP_XCHG_INFO:
		info_receive(ike, &m);
		return;
	case ISAKMP_XCHG_QUICK:
		quick_mode_receive(ike, &m);
		return;
	case ISAKMP_XCHG_MODE_CFG: ikev1_transaction_receive(ike, &m); return;   /* XAUTH, Mode Config */
	default:
		llog(&ike->logger, RC_INFO, "ignoring an ISAKMP exchange of type %u: not supported yet",
		     m.h.exchange);
	}
}
