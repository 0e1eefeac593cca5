/* IKEv1 (RFC 2409) on the core: Main Mode with a shared key (main_mode.c),
 * the Informational exchange (Delete, notifies; messages.c) and the
 * receive path that hands each ISAKMP message to them (messages.c), and
 * Quick Mode for ESP and AH Child SAs and their rekeys (quick_mode.c).
 * ikev1_ops (ops.c) is what the core sees, with the ISAKMP SA rekey; dead
 * peer detection (RFC 3706) is dpd.c; Aggressive Mode is
 * aggressive_mode.c, what it shares with Main Mode phase1.c; vendor IDs
 * vendor.c, NAT-T (RFC 3947) natt.c. Not yet: RSA. */
#ifndef PLUTO_IKEV1_H
#define PLUTO_IKEV1_H
#include <stdbool.h>
#include <stdint.h>
#include "ike/ops.h"
#include "ike/sa.h"
#include "ike/transmit.h"
#include "ikev1/isakmp.h"

struct pluto;
struct packet;
struct ike_work;

/* A received ISAKMP message: header and payloads (decrypted when it was). */
struct v1_msg_in {
	const struct packet *pkt;
	struct isakmp_header h;
	struct isakmp_payloads pl;
	uint8_t plain[IKE_MSG_MAX];   /* the decrypted body */
	size_t plain_len;
};

/* Fills a message's payload chain; false cancels it. */
typedef bool v1_fill_fn(struct ike_sa *ike, struct ikev2_builder *b, void *ctx);

/* Builds a message of the IKE SA (its cookies), encrypted with iv (the
 * CBC chain in, the last cipher block out) when iv is not NULL; the
 * bytes into out (IKE_MSG_MAX). False (logged) when it cannot. */
bool ikev1_build(struct ike_sa *ike, uint8_t exchange, uint32_t msgid, uint8_t *iv, v1_fill_fn *fill,
		 void *ctx, uint8_t *out, size_t *len);
/* The first IV of an exchange after phase 1 with message ID msgid (RFC
 * 2409 appendix B: the hash of the last phase 1 CBC block and the M-ID),
 * zero-padded to IKEV1_BLOCK_MAX; false when it cannot be made. */
bool ikev1_exchange_iv(struct ike_sa *ike, uint32_t msgid, uint8_t iv[IKEV1_BLOCK_MAX]);
/* The HASH that opens an exchange after phase 1 (Informational, Quick
 * Mode message 1, Transaction): HASH = prf(SKEYID_a, M-ID | every payload
 * after it, not the padding), checked on m's decrypted payloads; NULL, or
 * why not. */
const char *ikev1_check_first_hash(struct ike_sa *ike, const struct v1_msg_in *m);
/* Decrypts m's body in place into m->plain with iv (updated to the last
 * cipher block) and splits it into m->pl; why not in *why. */
bool ikev1_decrypt(struct ike_sa *ike, struct v1_msg_in *m, uint8_t *iv, const char **why);

/* An unencrypted Informational with one notify (no SA yet, or its keys
 * cannot be trusted): cookies as given. */
void ikev1_send_clear_notify(struct pluto *p, const struct packet *pkt, const uint8_t icookie[8],
			     const uint8_t rcookie[8], uint16_t type);
/* An encrypted Informational (HASH(1), N) about the ISAKMP SA. */
void ikev1_send_notify(struct ike_sa *ike, uint16_t type);
/* The same with notification data; false when it was not sent. */
bool ikev1_send_notify_data(struct ike_sa *ike, uint16_t type, const uint8_t *data, size_t len);
/* An encrypted Informational (HASH(1), N) of DPD (RFC 3706): R_U_THERE
 * or R_U_THERE_ACK with the cookies as SPI and seq as data; false (logged
 * when it is an error) when it was not sent. */
bool ikev1_send_dpd(struct ike_sa *ike, uint16_t type, uint32_t seq);
/* An encrypted Informational (HASH(1), D) deleting the ISAKMP SA. */
void ikev1_send_delete(struct ike_sa *ike);
const char *isakmp_notify_name(uint16_t type);

/* Main Mode (main_mode.c). */
void main_mode_initiate(struct ike_sa *ike);
void main_mode_responder_first(struct pluto *p, struct v1_msg_in *m);
void main_mode_receive(struct ike_sa *ike, struct v1_msg_in *m);
/* Aggressive Mode (aggressive_mode.c), for conns with aggrmode=yes. */
void aggressive_mode_initiate(struct ike_sa *ike);
void aggressive_mode_responder_first(struct pluto *p, struct v1_msg_in *m);
void aggressive_mode_receive(struct ike_sa *ike, struct v1_msg_in *m);

/* An encrypted Informational (HASH(1), D) deleting the ESP SAs of the
 * Child SAs (our inbound SPIs). */
void ikev1_send_delete_children(struct ike_sa *ike, struct child_sa *const *children, size_t n);

/* Quick Mode (quick_mode.c). Starts one for conn c over the established
 * ISAKMP SA; false (logged) when it cannot start. from_queue: it is the
 * running queued work, ended with ike_work_done; else ike->whack hears the
 * outcome. */
bool quick_mode_initiate(struct ike_sa *ike, struct connection *c, bool from_queue);
/* A Quick Mode replacing Child SA old (its lifetime ends), as queued
 * work; the old one's Delete follows the new one's install after a
 * short overlap (ikev1_retire_later). */
bool quick_mode_rekey(struct ike_sa *ike, struct child_sa *old);
void ikev1_retire_later(struct ike_sa *ike, struct child_sa *old);
void ikev1_retire_free(struct ike_sa *ike);
/* RESPONDER-LIFETIME's data (RFC 2407 4.6.3.1): an attribute list of SA
 * Life Type and SA Life Duration (seconds, kilobytes; 0 leaves one out).
 * The length written (0: does not fit), and the parse: NULL or why. */
size_t ikev1_lifetime_attrs(uint64_t secs, uint64_t kb, uint8_t *buf, size_t cap);
const char *ikev1_lifetime_parse(const uint8_t *p, size_t len, uint64_t *secs, uint64_t *kb);
void quick_mode_receive(struct ike_sa *ike, struct v1_msg_in *m);
/* An error notify while our Quick Mode waits ends it: true when taken. */
bool quick_mode_refused(struct ike_sa *ike, uint16_t type);
/* The peer's Delete of IPsec SAs. */
void quick_mode_delete(struct ike_sa *ike, const struct isakmp_delete *del);

/* Dead peer detection (RFC 3706, dpd.c); its vendor ID is in vendor.c's
 * table, noted there (ike->v1.peer_dpd). */
/* The ISAKMP SA is up (its core timers started): no checks of a peer
 * that did not announce DPD. */
void ikev1_dpd_established(struct ike_sa *ike);
/* ikev1_ops.start[WORK_LIVENESS]: an R_U_THERE. */
bool ikev1_liveness(struct ike_sa *ike, struct ike_work *w);
/* An authenticated R_U_THERE (answered) or R_U_THERE_ACK. */
void ikev1_dpd_notify(struct ike_sa *ike, const struct isakmp_notify *n);
void ikev1_dpd_free(struct ike_sa *ike);

/* ISAKMP SA rekey (ops.c). A new ISAKMP SA replacing another (v1.rekey_of)
 * is up: the old one's Child SAs and queue move to it and the old one is
 * deleted; false when the old one went (quick_mode_initiate calls it). */
bool ikev1_rekey_ike_done(struct ike_sa *ike);
/* An ISAKMP SA that goes hands its Child SAs to another established one
 * with the same peer and conn, if any: how many moved. */
unsigned ikev1_hand_over(struct ike_sa *ike);

/* INITIAL-CONTACT (notify 24578, RFC 2407 4.6.3.3). Whether the Main Mode
 * of ike should carry it (in message 5): the first ISAKMP SA with that
 * peer, not a rekey. Main Mode's builder adds it with
 * ikev1_initial_contact_payload (an N with the cookies as SPI; SIZE_MAX
 * after an error, 0 when none belongs there). */
bool ikev1_sends_initial_contact(const struct ike_sa *ike);
size_t ikev1_initial_contact_payload(struct ike_sa *ike, struct ikev2_builder *b);
/* The peer of the newly established ike said INITIAL-CONTACT: every
 * other SA with it (same IDs, same address) is stale; deleted here
 * without a word to the peer (it forgot them). */
void ikev1_initial_contact_received(struct ike_sa *ike);

/* The ISAKMP SA lifetime (ops.c). Once Main Mode is up: the core's timers
 * follow the negotiated lifetime (v1.life_s) when it is shorter than
 * ikelifetime=, and a responder whose lifetime is shorter than the one
 * the initiator proposed says so in an Informational N(RESPONDER-LIFETIME)
 * (RFC 2407 4.6.3.1; protocol ISAKMP, the cookies as SPI). */
void ikev1_lifetime_established(struct ike_sa *ike);
/* A RESPONDER-LIFETIME in an Informational: the ISAKMP SA's is honoured. */
void ikev1_responder_lifetime(struct ike_sa *ike, const struct isakmp_notify *n);

/* The receive path (ikev1_ops.receive). */
void ikev1_receive(struct pluto *p, const struct packet *pkt);
/* ikev1_ops. */
bool ikev1_delete_ike(struct ike_sa *ike, struct ike_work *w);
void ikev1_goodbye(struct ike_sa *ike);
#endif
