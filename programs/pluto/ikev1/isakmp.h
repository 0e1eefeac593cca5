/* The ISAKMP message codec for IKEv1 (RFC 2408, the IPsec DOI of RFC 2407,
 * RFC 2409, NAT-T payloads of RFC 3947, the DPD notifies of RFC 3706).
 *
 * As the IKEv2 codec: decoding is framing first (isakmp_decode_header,
 * isakmp_split_payloads: every generic header length checked, headers
 * copied with memcpy, never cast onto the packet), then one decoder per
 * payload into a plain struct whose spans point into the buffer that was
 * split (valid as long as it is). Errors are values: a sentence in the
 * caller's struct isakmp_diag, with the notify RFC 2408 names for it
 * (PAYLOAD-MALFORMED, INVALID-PAYLOAD-TYPE, ...).
 *
 * Differences from IKEv2 that shape the API:
 *  - an encrypted message (flag E) is encrypted after its header as one
 *    block: decrypt, then split the plain text with isakmp_split_chain;
 *    the padding after the last payload is allowed (trailing counts it);
 *  - proposals and transforms are not in the message chain but nested in
 *    the SA payload, each with its own generic header;
 *  - attributes are TV (the AF bit: a 16-bit value) or TLV.
 *
 * Encoding reuses the IKEv2 codec's bounded chain builder (the generic
 * payload header is the same; IKEv1 has no critical bit) for the payload
 * chain, and isakmp_build_message() puts the header in front. */
#ifndef PLUTO_IKEV1_ISAKMP_H
#define PLUTO_IKEV1_ISAKMP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ikev2/ikev2_msg.h"
#include "swan/err.h"

#define ISAKMP_HEADER_SIZE 28
#define ISAKMP_MAJOR 1
#define ISAKMP_MINOR 0

enum isakmp_flag {
	ISAKMP_FLAG_ENCRYPTION = 0x01,
	ISAKMP_FLAG_COMMIT = 0x02,
	ISAKMP_FLAG_AUTH_ONLY = 0x04,
};

enum isakmp_exchange {
	ISAKMP_XCHG_BASE = 1,
	ISAKMP_XCHG_IDPROT = 2,        /* Main Mode */
	ISAKMP_XCHG_AUTH_ONLY = 3,
	ISAKMP_XCHG_AGGRESSIVE = 4,
	ISAKMP_XCHG_INFO = 5,
	ISAKMP_XCHG_MODE_CFG = 6,      /* transaction (draft-ietf-ipsec-isakmp-mode-cfg) */
	ISAKMP_XCHG_QUICK = 32,
	ISAKMP_XCHG_NEW_GROUP = 33,
};

enum isakmp_payload_type {
	ISAKMP_NEXT_NONE = 0,
	ISAKMP_NEXT_SA = 1,
	ISAKMP_NEXT_P = 2,             /* proposal: inside SA only */
	ISAKMP_NEXT_T = 3,             /* transform: inside a proposal only */
	ISAKMP_NEXT_KE = 4,
	ISAKMP_NEXT_ID = 5,
	ISAKMP_NEXT_CERT = 6,
	ISAKMP_NEXT_CR = 7,
	ISAKMP_NEXT_HASH = 8,
	ISAKMP_NEXT_SIG = 9,
	ISAKMP_NEXT_NONCE = 10,
	ISAKMP_NEXT_N = 11,
	ISAKMP_NEXT_D = 12,
	ISAKMP_NEXT_VID = 13,
	ISAKMP_NEXT_ATTR = 14,         /* Mode Config attributes */
	ISAKMP_NEXT_NATD = 20,         /* RFC 3947 */
	ISAKMP_NEXT_NATOA = 21,
	ISAKMP_NEXT_NATD_DRAFT = 130,  /* draft-ietf-ipsec-nat-t-ike-02/03 */
	ISAKMP_NEXT_NATOA_DRAFT = 131,
	ISAKMP_NEXT_FRAG = 132,        /* IKEv1 fragments (Cisco's, libreswan's, Windows') */
};

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706). */
enum isakmp_notify_type {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_DOI_NOT_SUPPORTED = 2,
	ISAKMP_N_SITUATION_NOT_SUPPORTED = 3,
	ISAKMP_N_INVALID_COOKIE = 4,
	ISAKMP_N_INVALID_MAJOR_VERSION = 5,
	ISAKMP_N_INVALID_MINOR_VERSION = 6,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_INVALID_PROTOCOL_ID = 10,
	ISAKMP_N_INVALID_SPI = 11,
	ISAKMP_N_INVALID_TRANSFORM_ID = 12,
	ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERT_ENCODING = 19,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_CERT_TYPE_UNSUPPORTED = 21,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_INVALID_SIGNATURE = 25,
	ISAKMP_N_ADDRESS_NOTIFICATION = 26,
	ISAKMP_N_NOTIFY_SA_LIFETIME = 27,
	ISAKMP_N_CERTIFICATE_UNAVAILABLE = 28,
	ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	ISAKMP_N_RESPONDER_LIFETIME = 24576,     /* IPsec DOI */
	ISAKMP_N_REPLAY_STATUS = 24577,
	ISAKMP_N_INITIAL_CONTACT = 24578,
	ISAKMP_N_R_U_THERE = 36136,              /* RFC 3706 */
	ISAKMP_N_R_U_THERE_ACK = 36137,
};

#define ISAKMP_DOI_IPSEC 1
#define ISAKMP_SIT_IDENTITY_ONLY 1

/* Protocol IDs of the IPsec DOI (proposals, notify, delete). */
enum isakmp_protocol {
	ISAKMP_PROTO_ISAKMP = 1,
	ISAKMP_PROTO_AH = 2,
	ISAKMP_PROTO_ESP = 3,
	ISAKMP_PROTO_IPCOMP = 4,
};

/* ---- diagnostics and framing ---------------------------------------------- */

#define ISAKMP_DIAG_TEXT 160
struct isakmp_diag {
	uint16_t notify;     /* what RFC 2408 would answer with, or 0 */
	char text[ISAKMP_DIAG_TEXT];
};

struct isakmp_header {
	uint8_t icookie[8];
	uint8_t rcookie[8];
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
};

/* Checks and copies out the header: len >= 28, major version 1 (a greater
 * one is IKEv2's business: INVALID-MAJOR-VERSION), Length equal to len. */
err_t isakmp_decode_header(const uint8_t *msg, size_t len, struct isakmp_header *h,
			   struct isakmp_diag *d);

#define ISAKMP_MAX_PAYLOADS 48
struct isakmp_payload {
	uint8_t type;
	size_t offset;          /* of the generic header, in the buffer split */
	const uint8_t *body;    /* after the generic header */
	size_t len;             /* body length */
};
struct isakmp_payloads {
	size_t n;
	struct isakmp_payload p[ISAKMP_MAX_PAYLOADS];
	size_t trailing;        /* bytes after the last payload (padding) */
};

/* Splits the chain of a clear message after its header (trailing bytes
 * are an error there). */
err_t isakmp_split_payloads(const uint8_t *msg, size_t len, const struct isakmp_header *h,
			    struct isakmp_payloads *out, struct isakmp_diag *d);
/* Splits a decrypted body starting with payload type first; what follows
 * the last payload is padding (out->trailing). */
err_t isakmp_split_chain(uint8_t first, const uint8_t *buf, size_t len,
			 struct isakmp_payloads *out, struct isakmp_diag *d);
const struct isakmp_payload *isakmp_payloads_find(const struct isakmp_payloads *pl, uint8_t type,
						  size_t i);

/* ---- payloads ---------------------------------------------------------- */

/* A data attribute: TV (basic: the AF bit, 16-bit value) or TLV. A TLV
 * value of up to 8 bytes is also given as a number (value). */
struct isakmp_attr {
	uint16_t type;          /* without the AF bit */
	bool basic;
	uint64_t value;         /* TV, or a TLV of 1..8 bytes */
	struct ikev2_span data; /* TLV: the value's bytes */
};

#define ISAKMP_MAX_ATTRS 16
#define ISAKMP_MAX_TRANSFORMS 16
#define ISAKMP_MAX_PROPOSALS 8
#define ISAKMP_MAX_SPI 16

struct isakmp_transform {
	uint8_t number;
	uint8_t id;             /* KEY_IKE (1), or the protocol's transform ID */
	size_t n_attrs;
	struct isakmp_attr attrs[ISAKMP_MAX_ATTRS];
};

struct isakmp_proposal {
	uint8_t number;         /* equal numbers: one proposal of several protocols (AND) */
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[ISAKMP_MAX_SPI];
	size_t n_transforms;
	struct isakmp_transform transforms[ISAKMP_MAX_TRANSFORMS];
};

struct isakmp_sa {
	uint32_t doi;
	uint32_t situation;
	size_t n_proposals;
	struct isakmp_proposal proposals[ISAKMP_MAX_PROPOSALS];
};
/* DOI must be IPsec (DOI-NOT-SUPPORTED), situation SIT_IDENTITY_ONLY
 * (SITUATION-NOT-SUPPORTED); proposal numbers must not decrease and
 * transforms must agree with their count (BAD-PROPOSAL-SYNTAX). */
err_t isakmp_decode_sa(const struct isakmp_payload *p, struct isakmp_sa *out, struct isakmp_diag *d);

/* ID (RFC 2407 4.6.2): type, protocol and port; data as sent. */
struct isakmp_id {
	uint8_t type;           /* ID_IPV4_ADDR 1, ID_FQDN 2, ID_USER_FQDN 3, ... */
	uint8_t protocol;
	uint16_t port;
	struct ikev2_span data;
};
err_t isakmp_decode_id(const struct isakmp_payload *p, struct isakmp_id *out, struct isakmp_diag *d);

/* CERT and CR: an encoding and its data (a CR's may be empty: any CA). */
/* Certificate Encoding (RFC 2408 3.9): the one used here */
#define ISAKMP_CERT_X509_SIG 4
struct isakmp_cert {
	uint8_t encoding;
	struct ikev2_span data;
};
err_t isakmp_decode_cert(const struct isakmp_payload *p, struct isakmp_cert *out, struct isakmp_diag *d);
err_t isakmp_decode_cr(const struct isakmp_payload *p, struct isakmp_cert *out, struct isakmp_diag *d);

/* KE, HASH, SIG, NONCE (8..256 bytes, RFC 2409 5), VID and NAT-D: bytes. */
err_t isakmp_decode_bytes(const struct isakmp_payload *p, struct ikev2_span *out, struct isakmp_diag *d);

struct isakmp_notify {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;
	struct ikev2_span spi;
	struct ikev2_span data;
};
err_t isakmp_decode_notify(const struct isakmp_payload *p, struct isakmp_notify *out,
			   struct isakmp_diag *d);

#define ISAKMP_MAX_DELETE_SPIS 32
struct isakmp_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;       /* 16 for ISAKMP (both cookies), 4 for AH/ESP */
	size_t n_spis;
	const uint8_t *spis[ISAKMP_MAX_DELETE_SPIS];  /* each spi_size bytes */
};
err_t isakmp_decode_delete(const struct isakmp_payload *p, struct isakmp_delete *out,
			   struct isakmp_diag *d);

/* NAT-OA (RFC 3947 5.2): an IPv4 or IPv6 address. */
struct isakmp_natoa {
	uint8_t id_type;        /* 1 IPv4, 5 IPv6 */
	struct ikev2_span address;
};
err_t isakmp_decode_natoa(const struct isakmp_payload *p, struct isakmp_natoa *out,
			  struct isakmp_diag *d);

/* ---- encoding ------------------------------------------------------------- */

/* Payload bodies into a chain built with ikev2_build_chain_init() (the
 * chain links Next Payload fields and lengths; the critical bit stays
 * clear, as IKEv1's reserved octet must be). Each returns the offset of
 * the payload, or SIZE_MAX after an error (sticky in the builder). */
/* A basic (TV) attribute appended to a transform (dropped beyond
 * ISAKMP_MAX_ATTRS). */
void isakmp_attr_tv(struct isakmp_transform *t, uint16_t type, uint64_t value);
/* A life duration in seconds: TV when it fits 16 bits, else a 4-byte TLV
 * whose bytes go to buf (which must live as long as t). */
void isakmp_attr_life(struct isakmp_transform *t, uint16_t type, uint32_t life_s, uint8_t buf[4]);
size_t isakmp_build_sa(struct ikev2_builder *b, const struct isakmp_sa *sa);
size_t isakmp_build_id(struct ikev2_builder *b, const struct isakmp_id *id);
size_t isakmp_build_cert(struct ikev2_builder *b, uint8_t type /* CERT or CR */,
			 const struct isakmp_cert *c);
size_t isakmp_build_bytes(struct ikev2_builder *b, uint8_t type, struct ikev2_span data);
size_t isakmp_build_notify(struct ikev2_builder *b, const struct isakmp_notify *n);
size_t isakmp_build_delete(struct ikev2_builder *b, const struct isakmp_delete *del);
size_t isakmp_build_natoa(struct ikev2_builder *b, const struct isakmp_natoa *oa);

/* Header (version 1.0, Next Payload = first, Length = 28 + body_len) and
 * body (a clear chain, or the cipher text of one) into buf. NULL and the
 * length in *len, or why not. */
err_t isakmp_build_message(const struct isakmp_header *h, uint8_t first, const uint8_t *body,
			   size_t body_len, uint8_t *buf, size_t cap, size_t *len);
#endif
