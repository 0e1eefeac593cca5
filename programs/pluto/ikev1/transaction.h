/* The ISAKMP Transaction exchange (exchange type 6) and what rides on it:
 * XAUTH (draft-beaulieu-ike-xauth-02) and Mode Config
 * (draft-dukes-ike-mode-cfg-02), for road warriors after Main Mode.
 *
 * The Attribute payload (ISAKMP payload 14, isakmp_attr.c):
 *
 *   Next Payload | RESERVED | Payload Length
 *   Type (REQUEST/REPLY/SET/ACK) | RESERVED | Identifier
 *   attributes: AF bit + type (16), then a 16-bit value (AF set: TV) or a
 *               16-bit length and that many bytes (TLV)
 *
 * The exchange (transaction.c): two messages, a REQUEST answered by a
 * REPLY or a SET answered by an ACK, encrypted with their own message ID
 * and IV (the phase 2 IV of RFC 2409 appendix B), HASH(1)/HASH(2) =
 * prf(SKEYID_a, M-ID | attribute payload) as the Informational's. Our
 * requests are retransmitted (ike/transmit.c); a repeated request of the
 * peer gets our last answer again.
 *
 * XAUTH (xauth.c): after Main Mode the server (leftxauthserver=yes) sends
 * REQUEST (XAUTH-TYPE generic, USER-NAME, USER-PASSWORD); the client
 * (leftxauthclient=yes) REPLYs with leftxauthusername= and its XAUTH
 * password of ipsec.secrets; the server checks it against its
 * `USER : XAUTH "password"` entries and SETs XAUTH-STATUS, the client
 * ACKs. A failure deletes the ISAKMP SA.
 *
 * Mode Config (modecfg.c): the server (leftmodecfgserver=yes) gives the
 * client (leftmodecfgclient=yes, or leftsourceip=%config) an address of
 * rightaddresspool= (or rightsubnet= when it is one address), its netmask
 * and modecfgdns1/2=, pulled (modecfgpull=yes: the client REQUESTs) or
 * pushed (the server SETs). The client's address is its end of Quick Mode
 * (IDci) and PLUTO_MY_SOURCEIP; the server's Quick Mode responder takes it
 * as the peer's subnet.
 *
 * Quick Mode waits until both are done (ikev1_xa_pending). */
#ifndef PLUTO_IKEV1_TRANSACTION_H
#define PLUTO_IKEV1_TRANSACTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ikev1/isakmp.h"
#include "swan/address.h"
#include "swan/subnet.h"

/* ---- the Attribute payload (isakmp_attr.c) ------------------------------- */

enum isakmp_cfg_type {
	ISAKMP_CFG_REQUEST = 1,
	ISAKMP_CFG_REPLY = 2,
	ISAKMP_CFG_SET = 3,
	ISAKMP_CFG_ACK = 4,
};

enum isakmp_cfg_attr_type {
	CFG_INTERNAL_IP4_ADDRESS = 1,
	CFG_INTERNAL_IP4_NETMASK = 2,
	CFG_INTERNAL_IP4_DNS = 3,
	CFG_INTERNAL_IP4_NBNS = 4,
	CFG_INTERNAL_ADDRESS_EXPIRY = 5,
	CFG_INTERNAL_IP4_DHCP = 6,
	CFG_APPLICATION_VERSION = 7,
	CFG_INTERNAL_IP6_ADDRESS = 8,
	CFG_INTERNAL_IP6_NETMASK = 9,
	CFG_INTERNAL_IP6_DNS = 10,
	CFG_INTERNAL_IP6_NBNS = 11,
	CFG_INTERNAL_IP6_DHCP = 12,
	CFG_INTERNAL_IP4_SUBNET = 13,
	CFG_SUPPORTED_ATTRIBUTES = 14,
	CFG_INTERNAL_IP6_SUBNET = 15,
	/* XAUTH (draft-beaulieu-ike-xauth-02 6.1) */
	XAUTH_TYPE = 16520,          /* basic */
	XAUTH_USER_NAME = 16521,
	XAUTH_USER_PASSWORD = 16522,
	XAUTH_PASSCODE = 16523,
	XAUTH_MESSAGE = 16524,
	XAUTH_CHALLENGE = 16525,
	XAUTH_DOMAIN = 16526,
	XAUTH_STATUS = 16527,        /* basic */
	XAUTH_NEXT_PIN = 16528,
	XAUTH_ANSWER = 16529,
};
#define XAUTH_TYPE_GENERIC 0
#define XAUTH_STATUS_FAIL 0
#define XAUTH_STATUS_OK 1

/* A configuration attribute: TV (basic, a 16-bit value) or TLV (its
 * bytes, possibly none: a REQUEST asks with empty values). */
struct isakmp_cfg_attr {
	uint16_t type;           /* without the AF bit */
	bool basic;
	uint16_t value;          /* basic */
	struct ikev2_span data;  /* TLV */
};

#define ISAKMP_CFG_MAX_ATTRS 64
struct isakmp_cfg {
	uint8_t type;            /* enum isakmp_cfg_type */
	uint16_t identifier;
	size_t n_attrs;
	struct isakmp_cfg_attr attrs[ISAKMP_CFG_MAX_ATTRS];
};

/* Framing first (each attribute inside the payload), then the values:
 * a type 1..4 (else PAYLOAD-MALFORMED), at most ISAKMP_CFG_MAX_ATTRS
 * attributes. Spans point into the payload. */
err_t isakmp_decode_cfg(const struct isakmp_payload *p, struct isakmp_cfg *out, struct isakmp_diag *d);
/* The payload into a chain (ikev2_build_chain_init); its offset, or
 * SIZE_MAX after an error (sticky in the builder). */
size_t isakmp_build_cfg(struct ikev2_builder *b, const struct isakmp_cfg *cfg);
/* The i-th attribute of that type, or NULL. */
const struct isakmp_cfg_attr *isakmp_cfg_find(const struct isakmp_cfg *cfg, uint16_t type, size_t i);
/* Names for logs: "XAUTH-USER-NAME", "INTERNAL_IP4_ADDRESS", "REQUEST". */
const char *isakmp_cfg_attr_name(uint16_t type);
const char *isakmp_cfg_type_name(uint8_t type);

/* ---- the exchange and its users (transaction.c, xauth.c, modecfg.c) ------- */

struct ike_sa;
struct v1_msg_in;
struct child_ts;
struct ikev1_transaction;

/* main_mode.c: the ISAKMP SA is established. True when XAUTH or Mode
 * Config takes over (it starts or waits for them, then goes on as Main
 * Mode would: Quick Mode for the initiator, the whack client's answer). */
bool ikev1_xa_established(struct ike_sa *ike);
/* messages.c: an ISAKMP message of exchange type 6. */
void ikev1_transaction_receive(struct ike_sa *ike, struct v1_msg_in *m);
/* Quick Mode must wait: XAUTH or Mode Config is not done. */
bool ikev1_xa_pending(const struct ike_sa *ike);
/* ops.c: the ISAKMP SA goes (its Mode Config address back to the pool). */
void ikev1_xa_free(struct ike_sa *ike);

/* Quick Mode's selectors over an ISAKMP SA with Mode Config: the client's
 * own end is the address it got, the server's peer end the address it
 * gave (as a /32). True when ts was changed (IDci/IDcr must be sent). */
bool ikev1_modecfg_ts(struct ike_sa *ike, struct child_ts *ts);
/* The server side alone: the address given to the peer as a subnet. */
bool ikev1_modecfg_peer_client(struct ike_sa *ike, ip_subnet *out);

/* Main Mode's authentication method: XAUTHInitPreShared (65001) and
 * XAUTHRespPreShared (65002) are a PSK for a conn that does XAUTH (as
 * OAKLEY_PRESHARED_KEY, 1; other values as they are); our proposals say
 * 65001 (we are the XAUTH client) or 65002 (the server) instead of 1. */
struct connection;
uint64_t ikev1_xauth_psk_method(const struct connection *c, uint64_t auth);
void ikev1_xauth_propose(const struct connection *c, struct isakmp_sa *sa);

/* Address pools: "A-B" (IPv4), shared by every conn naming the same
 * range. A lease is per peer ID: the same ID gets the same address while
 * it holds one; given back when its last holder lets go. */
bool modecfg_pool_parse(const char *text, ip_address *first, ip_address *last, const char **why);
bool modecfg_pool_lease(const ip_address *first, const ip_address *last, const char *peer_id,
			ip_address *out);
void modecfg_pool_release(const ip_address *first, const ip_address *last, const ip_address *a);
/* How many leases are held in that pool (tests, status). */
unsigned modecfg_pool_in_use(const ip_address *first, const ip_address *last);
#endif
