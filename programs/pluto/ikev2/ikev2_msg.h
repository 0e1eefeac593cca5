/* The IKEv2 message codec (RFC 7296, RFC 7383 fragments, RFC 7427 auth).
 *
 * Decoding is two steps, in the OpenIKED manner:
 *
 *   1. framing only: ikev2_decode_header() checks the 28-byte header,
 *      ikev2_split_payloads() walks the payload chain and produces an array
 *      of {type, critical bit, offset, body, length}, checking every length
 *      (remaining >= 4, declared >= 4, declared <= remaining) and copying
 *      each generic header with memcpy, never casting it onto the packet.
 *      Unknown payloads are skipped when not critical and rejected with
 *      UNSUPPORTED_CRITICAL_PAYLOAD when critical; SK and SKF must be last.
 *      ikev2_check_payloads() then applies the one legality table: which
 *      payloads an exchange allows, requires, repeats and encrypts.
 *   2. interpretation: ikev2_decode_X() turns one payload into a plain
 *      struct.
 *
 * Buffer ownership: decoded structs never own memory. Every struct
 * ikev2_span they hold (key exchange data, nonce, ID data, SPIs, ...)
 * points into the buffer that was split (the datagram, or the caller's
 * decrypted inner chain), so they are valid exactly as long as that buffer
 * is; copy what must outlive it (chunk_clone()). Small fixed fields (the
 * SPIs of a proposal, addresses) are copied into the struct.
 *
 * Errors are values: every decoder returns NULL on success or a sentence
 * saying exactly what is wrong ("SA payload: proposal 2 declares 40 bytes
 * but 12 remain"). The text lives in the caller's struct ikev2_diag, which
 * also says which notify, if any, RFC 7296 wants sent back. Whether to send
 * it is the caller's decision (RFC 7296 2.21: only for an IKE_SA_INIT
 * request or inside an established IKE SA).
 *
 * Encoding: a builder writes into a caller-provided buffer of fixed size
 * (no allocation). Each payload call chains the previous Next Payload field,
 * computes the payload length and leaves the critical bit clear, as RFC
 * 7296 3.2 says for every payload it defines. Running out of room or a
 * value that cannot be encoded sets a sticky error that ikev2_build_finish()
 * reports; the other calls then do nothing.
 *
 * The SK payload (and SKF) is framing only here: the caller encrypts. Build
 * the inner payloads with a chain builder (ikev2_build_chain_init) into a
 * separate buffer, pad and encrypt them, then reserve the SK body in the
 * message (ikev2_build_sk) and write IV || ciphertext || ICV into it.
 */
#ifndef PLUTO_IKEV2_MSG_H
#define PLUTO_IKEV2_MSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/address.h"
#include "swan/err.h"

/* ---- wire numbers (IANA "IKEv2 Parameters") ---------------------------- */

#define IKEV2_HEADER_SIZE 28
#define IKEV2_PAYLOAD_HEADER_SIZE 4
#define IKEV2_MAJOR 2
#define IKEV2_MINOR 0

/* Header flags (RFC 7296 3.1). Other bits are ignored on receipt. */
enum ikev2_flag {
	IKEV2_FLAG_INITIATOR = 0x08,
	IKEV2_FLAG_VERSION = 0x10,
	IKEV2_FLAG_RESPONSE = 0x20,
};

/* Generic payload header: the critical bit of its second octet. */
#define IKEV2_CRITICAL 0x80

enum ikev2_exchange {
	IKEV2_EXCH_IKE_SA_INIT = 34,
	IKEV2_EXCH_IKE_AUTH = 35,
	IKEV2_EXCH_CREATE_CHILD_SA = 36,
	IKEV2_EXCH_INFORMATIONAL = 37,
	IKEV2_EXCH_IKE_SESSION_RESUME = 38, /* RFC 5723 */
	IKEV2_EXCH_IKE_INTERMEDIATE = 43,   /* RFC 9242 */
	IKEV2_EXCH_IKE_FOLLOWUP_KE = 44,    /* RFC 9370 */
};

enum ikev2_payload_type {
	IKEV2_PT_NONE = 0,
	IKEV2_PT_SA = 33,
	IKEV2_PT_KE = 34,
	IKEV2_PT_IDi = 35,
	IKEV2_PT_IDr = 36,
	IKEV2_PT_CERT = 37,
	IKEV2_PT_CERTREQ = 38,
	IKEV2_PT_AUTH = 39,
	IKEV2_PT_NONCE = 40,
	IKEV2_PT_N = 41,       /* Notify */
	IKEV2_PT_D = 42,       /* Delete */
	IKEV2_PT_V = 43,       /* Vendor ID */
	IKEV2_PT_TSi = 44,
	IKEV2_PT_TSr = 45,
	IKEV2_PT_SK = 46,      /* Encrypted and Authenticated */
	IKEV2_PT_CP = 47,      /* Configuration */
	IKEV2_PT_EAP = 48,
	IKEV2_PT_GSPM = 49,    /* RFC 6467; named, not interpreted */
	IKEV2_PT_IDg = 50,     /* group key management; named, not interpreted */
	IKEV2_PT_GSA = 51,
	IKEV2_PT_KD = 52,
	IKEV2_PT_SKF = 53,     /* RFC 7383 Encrypted Fragment */
	IKEV2_PT_PS = 54,      /* RFC 8019 Puzzle Solution; named, not interpreted */
};
/* The payload types this codec interprets: 33..48 and 53. */
#define IKEV2_PT_FIRST IKEV2_PT_SA
#define IKEV2_PT_LAST IKEV2_PT_SKF

/* Security protocol IDs (proposals, notify, delete). */
enum ikev2_protocol {
	IKEV2_PROTO_NONE = 0,
	IKEV2_PROTO_IKE = 1,
	IKEV2_PROTO_AH = 2,
	IKEV2_PROTO_ESP = 3,
};

enum ikev2_transform_type {
	IKEV2_TRANS_ENCR = 1,
	IKEV2_TRANS_PRF = 2,
	IKEV2_TRANS_INTEG = 3,
	IKEV2_TRANS_DH = 4,     /* "Key Exchange Method" since RFC 9370 */
	IKEV2_TRANS_ESN = 5,
	IKEV2_TRANS_ADDKE1 = 6, /* RFC 9370: 6..12 are ADDKE1..ADDKE7 */
	IKEV2_TRANS_ADDKE7 = 12,
};

/* Transform attribute: the only one IKEv2 defines (TV format). */
#define IKEV2_ATTR_AF 0x8000
#define IKEV2_ATTR_KEY_LENGTH 14

enum ikev2_encr {
	IKEV2_ENCR_DES_IV64 = 1, IKEV2_ENCR_DES = 2, IKEV2_ENCR_3DES = 3,
	IKEV2_ENCR_RC5 = 4, IKEV2_ENCR_IDEA = 5, IKEV2_ENCR_CAST = 6,
	IKEV2_ENCR_BLOWFISH = 7, IKEV2_ENCR_3IDEA = 8, IKEV2_ENCR_DES_IV32 = 9,
	IKEV2_ENCR_NULL = 11, IKEV2_ENCR_AES_CBC = 12, IKEV2_ENCR_AES_CTR = 13,
	IKEV2_ENCR_AES_CCM_8 = 14, IKEV2_ENCR_AES_CCM_12 = 15,
	IKEV2_ENCR_AES_CCM_16 = 16, IKEV2_ENCR_AES_GCM_8 = 18,
	IKEV2_ENCR_AES_GCM_12 = 19, IKEV2_ENCR_AES_GCM_16 = 20,
	IKEV2_ENCR_NULL_AUTH_AES_GMAC = 21, IKEV2_ENCR_CAMELLIA_CBC = 23,
	IKEV2_ENCR_CAMELLIA_CTR = 24, IKEV2_ENCR_CAMELLIA_CCM_8 = 25,
	IKEV2_ENCR_CAMELLIA_CCM_12 = 26, IKEV2_ENCR_CAMELLIA_CCM_16 = 27,
	IKEV2_ENCR_CHACHA20_POLY1305 = 28,
};

enum ikev2_prf {
	IKEV2_PRF_HMAC_MD5 = 1, IKEV2_PRF_HMAC_SHA1 = 2, IKEV2_PRF_HMAC_TIGER = 3,
	IKEV2_PRF_AES128_XCBC = 4, IKEV2_PRF_HMAC_SHA2_256 = 5,
	IKEV2_PRF_HMAC_SHA2_384 = 6, IKEV2_PRF_HMAC_SHA2_512 = 7,
	IKEV2_PRF_AES128_CMAC = 8,
};

enum ikev2_integ {
	IKEV2_INTEG_NONE = 0, IKEV2_INTEG_HMAC_MD5_96 = 1,
	IKEV2_INTEG_HMAC_SHA1_96 = 2, IKEV2_INTEG_DES_MAC = 3,
	IKEV2_INTEG_KPDK_MD5 = 4, IKEV2_INTEG_AES_XCBC_96 = 5,
	IKEV2_INTEG_HMAC_MD5_128 = 6, IKEV2_INTEG_HMAC_SHA1_160 = 7,
	IKEV2_INTEG_AES_CMAC_96 = 8, IKEV2_INTEG_AES_128_GMAC = 9,
	IKEV2_INTEG_AES_192_GMAC = 10, IKEV2_INTEG_AES_256_GMAC = 11,
	IKEV2_INTEG_HMAC_SHA2_256_128 = 12, IKEV2_INTEG_HMAC_SHA2_384_192 = 13,
	IKEV2_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ikev2_dh {
	IKEV2_DH_NONE = 0, IKEV2_DH_MODP768 = 1, IKEV2_DH_MODP1024 = 2,
	IKEV2_DH_MODP1536 = 5, IKEV2_DH_MODP2048 = 14, IKEV2_DH_MODP3072 = 15,
	IKEV2_DH_MODP4096 = 16, IKEV2_DH_MODP6144 = 17, IKEV2_DH_MODP8192 = 18,
	IKEV2_DH_ECP256 = 19, IKEV2_DH_ECP384 = 20, IKEV2_DH_ECP521 = 21,
	IKEV2_DH_MODP1024_160 = 22, IKEV2_DH_MODP2048_224 = 23,
	IKEV2_DH_MODP2048_256 = 24, IKEV2_DH_ECP192 = 25, IKEV2_DH_ECP224 = 26,
	IKEV2_DH_BRAINPOOL_P224R1 = 27, IKEV2_DH_BRAINPOOL_P256R1 = 28,
	IKEV2_DH_BRAINPOOL_P384R1 = 29, IKEV2_DH_BRAINPOOL_P512R1 = 30,
	IKEV2_DH_CURVE25519 = 31, IKEV2_DH_CURVE448 = 32,
};

enum ikev2_esn { IKEV2_ESN_NO = 0, IKEV2_ESN_YES = 1 };

enum ikev2_id_type {
	IKEV2_ID_IPV4_ADDR = 1,
	IKEV2_ID_FQDN = 2,
	IKEV2_ID_RFC822_ADDR = 3,
	IKEV2_ID_IPV6_ADDR = 5,
	IKEV2_ID_DER_ASN1_DN = 9,
	IKEV2_ID_DER_ASN1_GN = 10,
	IKEV2_ID_KEY_ID = 11,
	IKEV2_ID_FC_NAME = 12, /* RFC 4595 */
	IKEV2_ID_NULL = 13,    /* RFC 7619 */
};

enum ikev2_cert_encoding {
	IKEV2_CERT_PKCS7_X509 = 1,
	IKEV2_CERT_PGP = 2,
	IKEV2_CERT_DNS_SIGNED_KEY = 3,
	IKEV2_CERT_X509_SIG = 4,
	IKEV2_CERT_KERBEROS = 6,
	IKEV2_CERT_CRL = 7,
	IKEV2_CERT_ARL = 8,
	IKEV2_CERT_SPKI = 9,
	IKEV2_CERT_X509_ATTR = 10,
	IKEV2_CERT_RAW_RSA = 11,
	IKEV2_CERT_HASH_URL_X509 = 12,
	IKEV2_CERT_HASH_URL_BUNDLE = 13,
	IKEV2_CERT_OCSP = 14,          /* RFC 4806 */
	IKEV2_CERT_RAW_PUBLIC_KEY = 15, /* RFC 7670 */
};

enum ikev2_auth_method {
	IKEV2_AUTH_RSA_SIG = 1,
	IKEV2_AUTH_PSK = 2,            /* Shared Key Message Integrity Code */
	IKEV2_AUTH_DSS_SIG = 3,
	IKEV2_AUTH_ECDSA_SHA256_P256 = 9,
	IKEV2_AUTH_ECDSA_SHA384_P384 = 10,
	IKEV2_AUTH_ECDSA_SHA512_P521 = 11,
	IKEV2_AUTH_GSPM = 12,
	IKEV2_AUTH_NULL = 13,          /* RFC 7619 */
	IKEV2_AUTH_DIGITAL_SIGNATURE = 14, /* RFC 7427 */
};

/* RFC 7427 hash algorithm identifiers (SIGNATURE_HASH_ALGORITHMS). */
enum ikev2_hash {
	IKEV2_HASH_SHA1 = 1,
	IKEV2_HASH_SHA2_256 = 2,
	IKEV2_HASH_SHA2_384 = 3,
	IKEV2_HASH_SHA2_512 = 4,
	IKEV2_HASH_IDENTITY = 5, /* RFC 8420 */
};

enum ikev2_ts_type {
	IKEV2_TS_IPV4_ADDR_RANGE = 7,
	IKEV2_TS_IPV6_ADDR_RANGE = 8,
	IKEV2_TS_FC_ADDR_RANGE = 9, /* RFC 4595; kept raw */
};

enum ikev2_cfg_type {
	IKEV2_CFG_REQUEST = 1,
	IKEV2_CFG_REPLY = 2,
	IKEV2_CFG_SET = 3,
	IKEV2_CFG_ACK = 4,
};

enum ikev2_cp_attr_type {
	IKEV2_CP_INTERNAL_IP4_ADDRESS = 1,
	IKEV2_CP_INTERNAL_IP4_NETMASK = 2,
	IKEV2_CP_INTERNAL_IP4_DNS = 3,
	IKEV2_CP_INTERNAL_IP4_NBNS = 4,
	IKEV2_CP_INTERNAL_IP4_DHCP = 6,
	IKEV2_CP_APPLICATION_VERSION = 7,
	IKEV2_CP_INTERNAL_IP6_ADDRESS = 8,
	IKEV2_CP_INTERNAL_IP6_DNS = 10,
	IKEV2_CP_INTERNAL_IP6_DHCP = 12,
	IKEV2_CP_INTERNAL_IP4_SUBNET = 13,
	IKEV2_CP_SUPPORTED_ATTRIBUTES = 14,
	IKEV2_CP_INTERNAL_IP6_SUBNET = 15,
};

/* Notify message types: 1..16383 errors, 16384.. status (RFC 7296 3.10.1). */
enum ikev2_notify_type {
	/* errors, RFC 7296 */
	IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKEV2_N_INVALID_IKE_SPI = 4,
	IKEV2_N_INVALID_MAJOR_VERSION = 5,
	IKEV2_N_INVALID_SYNTAX = 7,
	IKEV2_N_INVALID_MESSAGE_ID = 9,
	IKEV2_N_INVALID_SPI = 11,
	IKEV2_N_NO_PROPOSAL_CHOSEN = 14,
	IKEV2_N_INVALID_KE_PAYLOAD = 17,
	IKEV2_N_AUTHENTICATION_FAILED = 24,
	IKEV2_N_SINGLE_PAIR_REQUIRED = 34,
	IKEV2_N_NO_ADDITIONAL_SAS = 35,
	IKEV2_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKEV2_N_FAILED_CP_REQUIRED = 37,
	IKEV2_N_TS_UNACCEPTABLE = 38,
	IKEV2_N_INVALID_SELECTORS = 39,
	IKEV2_N_UNACCEPTABLE_ADDRESSES = 40, /* RFC 4555 */
	IKEV2_N_UNEXPECTED_NAT_DETECTED = 41, /* RFC 4555 */
	IKEV2_N_TEMPORARY_FAILURE = 43,
	IKEV2_N_CHILD_SA_NOT_FOUND = 44,
	/* status, RFC 7296 */
	IKEV2_N_INITIAL_CONTACT = 16384,
	IKEV2_N_SET_WINDOW_SIZE = 16385,
	IKEV2_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKEV2_N_IPCOMP_SUPPORTED = 16387,
	IKEV2_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKEV2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKEV2_N_COOKIE = 16390,
	IKEV2_N_USE_TRANSPORT_MODE = 16391,
	IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKEV2_N_REKEY_SA = 16393,
	IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKEV2_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	/* status, extensions */
	IKEV2_N_MOBIKE_SUPPORTED = 16396,          /* RFC 4555 */
	IKEV2_N_ADDITIONAL_IP4_ADDRESS = 16397,    /* RFC 4555 */
	IKEV2_N_ADDITIONAL_IP6_ADDRESS = 16398,    /* RFC 4555 */
	IKEV2_N_NO_ADDITIONAL_ADDRESSES = 16399,   /* RFC 4555 */
	IKEV2_N_UPDATE_SA_ADDRESSES = 16400,       /* RFC 4555 */
	IKEV2_N_COOKIE2 = 16401,                   /* RFC 4555 */
	IKEV2_N_NO_NATS_ALLOWED = 16402,           /* RFC 4555 */
	IKEV2_N_AUTH_LIFETIME = 16403,             /* RFC 4478 */
	IKEV2_N_MULTIPLE_AUTH_SUPPORTED = 16404,   /* RFC 4739 */
	IKEV2_N_ANOTHER_AUTH_FOLLOWS = 16405,      /* RFC 4739 */
	IKEV2_N_REDIRECT_SUPPORTED = 16406,        /* RFC 5685 */
	IKEV2_N_REDIRECT = 16407,                  /* RFC 5685 */
	IKEV2_N_REDIRECTED_FROM = 16408,           /* RFC 5685 */
	IKEV2_N_CHILDLESS_IKEV2_SUPPORTED = 16418, /* RFC 6023 */
	IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 */
	IKEV2_N_SIGNATURE_HASH_ALGORITHMS = 16431, /* RFC 7427 */
	IKEV2_N_USE_PPK = 16435,                   /* RFC 8784 */
	IKEV2_N_PPK_IDENTITY = 16436,              /* RFC 8784 */
	IKEV2_N_NO_PPK_AUTH = 16437,               /* RFC 8784 */
	IKEV2_N_INTERMEDIATE_EXCHANGE_SUPPORTED = 16438, /* RFC 9242 */
};
#define IKEV2_N_FIRST_STATUS 16384

/* ---- names (tables; NULL or "TYPE n" for numbers not in them) ----------- */

struct ikev2_name {
	unsigned value;
	const char *name;
};
struct ikev2_names {
	const char *what;              /* "payload", "exchange", ... */
	const struct ikev2_name *names;
	size_t len;
	const char *(*lookup)(unsigned value); /* instead of names (notify) */
};
extern const struct ikev2_names ikev2_payload_names;   /* "SA", "KE", "IDi" */
extern const struct ikev2_names ikev2_exchange_names;  /* "IKE_SA_INIT" */
extern const struct ikev2_names ikev2_protocol_names;  /* "IKE", "ESP" */
extern const struct ikev2_names ikev2_transform_type_names; /* "ENCR" */
extern const struct ikev2_names ikev2_id_type_names;   /* "ID_FQDN" */
extern const struct ikev2_names ikev2_cert_encoding_names;
extern const struct ikev2_names ikev2_auth_method_names;
extern const struct ikev2_names ikev2_ts_type_names;
extern const struct ikev2_names ikev2_cfg_type_names;
extern const struct ikev2_names ikev2_cp_attr_names;
extern const struct ikev2_names ikev2_notify_names;    /* built from the notify table */

#define IKEV2_NAME_BUF 48
/* The name of value in table, or NULL. */
const char *ikev2_name(const struct ikev2_names *t, unsigned value);
/* The name, or "<what> <value>" written into buf. Returns the text. */
const char *ikev2_str(const struct ikev2_names *t, unsigned value, char buf[IKEV2_NAME_BUF]);
/* True for the payload types ikev2_split_payloads() accepts (33..48, 53). */
bool ikev2_payload_supported(uint8_t type);

/* ---- diagnostics --------------------------------------------------------- */

#define IKEV2_DIAG_TEXT 200
struct ikev2_diag {
	/* The notify RFC 7296 asks the receiver to answer with, or 0 when the
	 * message is to be dropped (or the caller decides):
	 * IKEV2_N_INVALID_SYNTAX, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD (its
	 * one-octet data is payload below), IKEV2_N_INVALID_MAJOR_VERSION. */
	uint16_t notify;
	uint8_t payload;     /* UNSUPPORTED_CRITICAL_PAYLOAD: the payload type */
	char text[IKEV2_DIAG_TEXT]; /* what the decoders return */
};

/* ---- step 1: header and payload framing --------------------------------- */

struct ikev2_span {
	const uint8_t *ptr;   /* borrowed: points into the caller's buffer */
	size_t len;
};

struct ikev2_header {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags;        /* enum ikev2_flag bits, others as received */
	uint32_t message_id;
	uint32_t length;
};

/* Checks and copies out the 28-byte header: len >= 28, major version 2
 * (greater: notify INVALID_MAJOR_VERSION; smaller, e.g. IKEv1: no notify),
 * minor ignored, Length equal to len. */
err_t ikev2_decode_header(const uint8_t *msg, size_t len, struct ikev2_header *h,
			  struct ikev2_diag *d);

#define IKEV2_MAX_PAYLOADS 64
struct ikev2_payload {
	uint8_t type;
	bool critical;
	uint8_t next;         /* Next Payload as sent; for SK/SKF the first inner payload */
	size_t offset;        /* of the generic header, from the start of the buffer split */
	const uint8_t *body;  /* after the generic header; points into that buffer */
	size_t len;           /* body length (Payload Length - 4) */
};
struct ikev2_payloads {
	size_t n;
	struct ikev2_payload p[IKEV2_MAX_PAYLOADS];
	size_t skipped;       /* unknown non-critical payloads skipped */
	uint8_t skipped_type; /* the first of them, for a log line */
};

/* Splits the chain after the header of msg (h from ikev2_decode_header). */
err_t ikev2_split_payloads(const uint8_t *msg, size_t len, const struct ikev2_header *h,
			   struct ikev2_payloads *out, struct ikev2_diag *d);
/* Splits an inner chain (the decrypted content of SK, or of reassembled SKF
 * fragments) starting with payload type first. SK and SKF are not allowed. */
err_t ikev2_split_chain(uint8_t first, const uint8_t *buf, size_t len,
			struct ikev2_payloads *out, struct ikev2_diag *d);
/* Header, then split. */
err_t ikev2_decode_message(const uint8_t *msg, size_t len, struct ikev2_header *h,
			   struct ikev2_payloads *out, struct ikev2_diag *d);

/* The i-th (0-based) payload of type, or NULL. */
const struct ikev2_payload *ikev2_payloads_find(const struct ikev2_payloads *pl,
						uint8_t type, size_t i);
size_t ikev2_payloads_count(const struct ikev2_payloads *pl, uint8_t type);
/* The first Notify payload of that notify type, or NULL. */
const struct ikev2_payload *ikev2_payloads_find_notify(const struct ikev2_payloads *pl,
						       uint16_t notify_type);

/* ---- the legality table -------------------------------------------------- */

enum ikev2_rule {
	IKEV2_ALLOW_CLEAR = 1,  /* may appear outside SK */
	IKEV2_ALLOW_INNER = 2,  /* may appear inside SK */
	IKEV2_REQUIRED = 4,     /* must appear (where allowed) */
	IKEV2_REPEAT = 8,       /* may appear more than once */
	/* IKE_AUTH: one of SA, TSi, TSr, which ask for (or answer with) the
	 * first Child SA. Required, except that all three may be left out
	 * together when childless IKE_AUTH (RFC 6023) was negotiated
	 * (IKEV2_CHECK_CHILDLESS). */
	IKEV2_CHILD = 16,
};
/* What the exchange's IKE SA negotiated, for ikev2_check_payloads_flags(). */
enum ikev2_check_flag {
	/* both ends sent CHILDLESS_IKEV2_SUPPORTED in IKE_SA_INIT (for a
	 * response: and our request asked for no Child SA) */
	IKEV2_CHECK_CHILDLESS = 1,
};
/* The rule bits for payload in that exchange and direction; 0 when not
 * allowed or for an exchange the table does not describe. */
unsigned ikev2_payload_rule(uint8_t exchange, bool response, uint8_t payload);
/* True when the table describes this exchange (the four of RFC 7296). */
bool ikev2_exchange_has_rules(uint8_t exchange);
/* Checks the clear chain (from ikev2_split_payloads) and, when inner is not
 * NULL, the decrypted inner chain, against the table: every payload
 * allowed in its place, no repeats unless allowed, required ones present,
 * TSi and TSr together, and for the encrypted exchanges a clear chain of
 * exactly one SK or SKF. The required set is waived in a response that
 * carries an error notify (or COOKIE, in IKE_SA_INIT) and in a message
 * that carries EAP (the EAP rounds of IKE_AUTH are not described).
 * Failures answer INVALID_SYNTAX. */
err_t ikev2_check_payloads(uint8_t exchange, bool response,
			   const struct ikev2_payloads *clear,
			   const struct ikev2_payloads *inner, struct ikev2_diag *d);
/* The same with enum ikev2_check_flag bits: IKEV2_CHECK_CHILDLESS lets an
 * IKE_AUTH message carry none of SA, TSi and TSr (all or none). */
err_t ikev2_check_payloads_flags(uint8_t exchange, bool response,
				 const struct ikev2_payloads *clear,
				 const struct ikev2_payloads *inner, unsigned flags,
				 struct ikev2_diag *d);

/* ---- step 2: payload structs, decoders and their equality ----------------
 * Each ikev2_decode_X() takes one entry of struct ikev2_payloads (its type
 * is checked) and fills the struct; spans point into the split buffer.
 * ikev2_X_eq() compares every field the builder writes. */

bool ikev2_span_eq(struct ikev2_span a, struct ikev2_span b);

#define IKEV2_MAX_PROPOSALS 32
#define IKEV2_MAX_TRANSFORMS 64
struct ikev2_transform {
	uint8_t type;             /* enum ikev2_transform_type */
	uint16_t id;
	uint16_t key_length;      /* bits, Key Length attribute; 0 = absent */
	/* An attribute other than Key Length: RFC 7296 3.3.6 says such a
	 * transform must not be chosen. The builder cannot write these. */
	bool unknown_attr;
	uint16_t unknown_attr_type;
};
struct ikev2_proposal {
	uint8_t number;           /* Proposal Num */
	uint8_t protocol;         /* enum ikev2_protocol (others kept) */
	uint8_t spi_size;         /* 0, 4 or 8 */
	uint8_t spi[8];
	size_t n_transforms;
	struct ikev2_transform transforms[IKEV2_MAX_TRANSFORMS];
};
struct ikev2_sa {
	size_t n_proposals;
	struct ikev2_proposal proposals[IKEV2_MAX_PROPOSALS];
};
/* Checks Last Substruc (2/0 and 3/0), every length, the transform count,
 * proposal numbering (consecutive; the first is 1 when there are several),
 * SPI size 0/4/8, Key Length in TV format and not 0, at most one Key
 * Length. At least one proposal. */
err_t ikev2_decode_sa(const struct ikev2_payload *p, struct ikev2_sa *out, struct ikev2_diag *d);
bool ikev2_sa_eq(const struct ikev2_sa *a, const struct ikev2_sa *b);

struct ikev2_ke {
	uint16_t group;           /* enum ikev2_dh */
	struct ikev2_span data;   /* key exchange data (length per group: crypto checks) */
};
err_t ikev2_decode_ke(const struct ikev2_payload *p, struct ikev2_ke *out, struct ikev2_diag *d);
bool ikev2_ke_eq(const struct ikev2_ke *a, const struct ikev2_ke *b);

struct ikev2_id {
	uint8_t type;             /* enum ikev2_id_type */
	struct ikev2_span data;   /* Identification Data */
	ip_address ip;            /* IPV4_ADDR / IPV6_ADDR (the builder writes this) */
};
/* IDi or IDr. IPv4 data must be 4 bytes, IPv6 16; others non-empty except
 * ID_NULL. AUTH signs the body (the ID payload after its generic header):
 * that is p->body / p->len. */
err_t ikev2_decode_id(const struct ikev2_payload *p, struct ikev2_id *out, struct ikev2_diag *d);
bool ikev2_id_eq(const struct ikev2_id *a, const struct ikev2_id *b);

struct ikev2_cert {
	uint8_t encoding;         /* enum ikev2_cert_encoding */
	struct ikev2_span data;   /* CERT: the certificate; CERTREQ: the CA hashes */
};
err_t ikev2_decode_cert(const struct ikev2_payload *p, struct ikev2_cert *out, struct ikev2_diag *d);
err_t ikev2_decode_certreq(const struct ikev2_payload *p, struct ikev2_cert *out, struct ikev2_diag *d);
bool ikev2_cert_eq(const struct ikev2_cert *a, const struct ikev2_cert *b);

struct ikev2_auth {
	uint8_t method;           /* enum ikev2_auth_method */
	struct ikev2_span data;   /* the whole Authentication Data */
	/* IKEV2_AUTH_DIGITAL_SIGNATURE (RFC 7427) only: data is one octet of
	 * length, the AlgorithmIdentifier (DER), then the signature. The
	 * builder writes these two for that method, data for the others. */
	struct ikev2_span sig_alg;
	struct ikev2_span signature;
};
err_t ikev2_decode_auth(const struct ikev2_payload *p, struct ikev2_auth *out, struct ikev2_diag *d);
bool ikev2_auth_eq(const struct ikev2_auth *a, const struct ikev2_auth *b);

#define IKEV2_NONCE_MIN 16
#define IKEV2_NONCE_MAX 256
struct ikev2_nonce {
	struct ikev2_span data;   /* 16..256 octets */
};
err_t ikev2_decode_nonce(const struct ikev2_payload *p, struct ikev2_nonce *out, struct ikev2_diag *d);
bool ikev2_nonce_eq(const struct ikev2_nonce *a, const struct ikev2_nonce *b);

struct ikev2_notify {
	uint8_t protocol;         /* ignored on receipt when the SPI is empty */
	uint16_t type;            /* enum ikev2_notify_type */
	struct ikev2_span spi;
	struct ikev2_span data;
};
/* The data length of a notify type in the table is checked (e.g.
 * INVALID_KE_PAYLOAD 2, COOKIE 1..64, NAT_DETECTION_* 20,
 * SIGNATURE_HASH_ALGORITHMS a multiple of 2); unknown types pass. */
err_t ikev2_decode_notify(const struct ikev2_payload *p, struct ikev2_notify *out, struct ikev2_diag *d);
bool ikev2_notify_eq(const struct ikev2_notify *a, const struct ikev2_notify *b);

/* One row of the notify table. */
struct ikev2_notify_desc {
	uint16_t type;
	const char *name;
	const char *rfc;          /* "RFC 7296" */
	uint16_t min_data, max_data; /* allowed Notification Data length */
	uint8_t unit;             /* data length a multiple of this (0/1: any) */
};
extern const struct ikev2_notify_desc ikev2_notify_table[];
extern const size_t ikev2_notify_table_len;
const struct ikev2_notify_desc *ikev2_notify_desc(uint16_t type);  /* or NULL */
static inline bool ikev2_notify_is_error(uint16_t type)
{
	return type != 0 && type < IKEV2_N_FIRST_STATUS;
}
/* INVALID_KE_PAYLOAD: the group the responder wants (data checked to be 2). */
uint16_t ikev2_notify_ke_group(const struct ikev2_notify *n);
/* SIGNATURE_HASH_ALGORITHMS: up to max identifiers into out; returns how
 * many the notify holds (which may exceed max). */
size_t ikev2_notify_hash_algorithms(const struct ikev2_notify *n, uint16_t *out, size_t max);

struct ikev2_delete {
	uint8_t protocol;         /* IKE (no SPIs) or AH/ESP (4-byte SPIs) */
	uint8_t spi_size;
	uint16_t n_spis;
	struct ikev2_span spis;   /* n_spis * spi_size bytes */
};
err_t ikev2_decode_delete(const struct ikev2_payload *p, struct ikev2_delete *out, struct ikev2_diag *d);
bool ikev2_delete_eq(const struct ikev2_delete *a, const struct ikev2_delete *b);
/* The i-th 4-byte SPI (host order) of an AH/ESP delete; i < n_spis. */
uint32_t ikev2_delete_spi(const struct ikev2_delete *del, size_t i);

struct ikev2_vendor {
	struct ikev2_span data;
};
err_t ikev2_decode_vendor(const struct ikev2_payload *p, struct ikev2_vendor *out, struct ikev2_diag *d);
bool ikev2_vendor_eq(const struct ikev2_vendor *a, const struct ikev2_vendor *b);

#define IKEV2_MAX_TS 32
struct ikev2_ts {
	uint8_t type;             /* enum ikev2_ts_type */
	uint8_t ip_protocol;      /* 0: any */
	uint16_t start_port, end_port; /* ICMP: type and code, as RFC 7296 3.13.1 says */
	ip_address start, end;    /* IPv4/IPv6 ranges */
	/* Other TS types: the selector after its type/protocol/length octets,
	 * kept raw (the builder writes it back). */
	struct ikev2_span raw;
};
struct ikev2_ts_list {
	size_t n;
	struct ikev2_ts ts[IKEV2_MAX_TS];
};
/* TSi or TSr: at least one selector; the count must match the selectors,
 * which must fill the payload exactly; IPv4 selectors 16 bytes, IPv6 40.
 * No ordering checks (start > end and OPAQUE ports are left to narrowing). */
err_t ikev2_decode_ts(const struct ikev2_payload *p, struct ikev2_ts_list *out, struct ikev2_diag *d);
bool ikev2_ts_list_eq(const struct ikev2_ts_list *a, const struct ikev2_ts_list *b);
/* A selector for an address range (both of one family) and protocol/ports. */
struct ikev2_ts ikev2_ts_range(const ip_address *start, const ip_address *end,
			       uint8_t ip_protocol, uint16_t start_port, uint16_t end_port);

#define IKEV2_MAX_CP_ATTRS 32
struct ikev2_cp_attr {
	uint16_t type;            /* enum ikev2_cp_attr_type (the reserved bit dropped) */
	struct ikev2_span value;
};
struct ikev2_cp {
	uint8_t cfg_type;         /* enum ikev2_cfg_type */
	size_t n;
	struct ikev2_cp_attr attrs[IKEV2_MAX_CP_ATTRS];
};
/* Attribute lengths of the RFC 7296 types are checked (0 or the fixed size). */
err_t ikev2_decode_cp(const struct ikev2_payload *p, struct ikev2_cp *out, struct ikev2_diag *d);
bool ikev2_cp_eq(const struct ikev2_cp *a, const struct ikev2_cp *b);

struct ikev2_eap {
	struct ikev2_span data;   /* the EAP message, opaque (at least its 4-octet header) */
	uint8_t code;             /* its first octet, for log lines */
};
err_t ikev2_decode_eap(const struct ikev2_payload *p, struct ikev2_eap *out, struct ikev2_diag *d);
bool ikev2_eap_eq(const struct ikev2_eap *a, const struct ikev2_eap *b);

/* SK: IV || encrypted inner payloads || ICV, opaque here. Everything of the
 * message before body_offset (header, SK header) is the AEAD associated
 * data; the integrity checksum covers the message up to the ICV. */
struct ikev2_sk {
	uint8_t first_inner;      /* type of the first inner payload */
	size_t body_offset;       /* of the IV, from the start of the message */
	struct ikev2_span body;
};
err_t ikev2_decode_sk(const struct ikev2_payload *p, struct ikev2_sk *out, struct ikev2_diag *d);

/* SKF (RFC 7383): like SK, after a Fragment Number and Total Fragments;
 * first_inner is meaningful in fragment 1 only (others send 0). */
struct ikev2_skf {
	uint8_t first_inner;
	uint16_t number, total;   /* 1 <= number <= total */
	size_t body_offset;       /* of the IV; the AAD includes number and total */
	struct ikev2_span body;
};
err_t ikev2_decode_skf(const struct ikev2_payload *p, struct ikev2_skf *out, struct ikev2_diag *d);

/* ---- RFC 7383 fragments: splitting and reassembly (no crypto) -------------- */

/* Reassembly limits per message: beyond them the fragments are dropped.
 * 32 fragments as libreswan; 64 KiB of inner payloads. A partial message
 * older than IKEV2_FRAG_TIMEOUT_MS is forgotten when the next fragment
 * comes (and with its IKE SA). */
#define IKEV2_FRAG_MAX_FRAGMENTS 32
#define IKEV2_FRAG_MAX_BYTES 65536
#define IKEV2_FRAG_TIMEOUT_MS 30000
/* Datagram sizes (IKE header to the end, without IP and UDP headers) that
 * a fragment may take: the minimum MTUs (576 for IPv4, 1280 for IPv6) less
 * IP and UDP headers, as libreswan; small when fragmentation=force. */
#define IKEV2_FRAG_DATAGRAM_V4 (576 - 20 - 8)
#define IKEV2_FRAG_DATAGRAM_V6 (1280 - 40 - 8)
#define IKEV2_FRAG_DATAGRAM_FORCE 160

/* Inner payload bytes one fragment can carry in a datagram of at most
 * max_datagram bytes, with an IV, an ICV and a cipher block of these
 * sizes (block 1: a stream cipher); 0 if none fit. */
size_t ikev2_frag_room(size_t max_datagram, size_t iv_len, size_t icv_len, size_t block);
/* The number of fragments for an inner chain of inner_len bytes at room
 * bytes each; the room grows (*room) when more than
 * IKEV2_FRAG_MAX_FRAGMENTS would be needed. */
unsigned ikev2_frag_count(size_t inner_len, size_t *room);

/* One message being reassembled: the decrypted inner bytes of each
 * fragment (index 1..total), owned (malloc). */
struct ikev2_frags {
	bool active;
	bool response;
	uint32_t msgid;
	uint16_t total;
	unsigned count;           /* fragments kept */
	size_t bytes;             /* their inner bytes */
	uint8_t first_inner;      /* from fragment 1 */
	uint64_t started_ms;
	uint8_t *part[IKEV2_FRAG_MAX_FRAGMENTS + 1];
	size_t part_len[IKEV2_FRAG_MAX_FRAGMENTS + 1];
};
enum ikev2_frag_verdict {
	IKEV2_FRAG_KEPT,          /* kept; more to come */
	IKEV2_FRAG_COMPLETE,      /* kept, and the message is whole: ikev2_frags_join() */
	IKEV2_FRAG_DUPLICATE,     /* that number is already kept: ignored */
	IKEV2_FRAG_OTHER_TOTAL,   /* a smaller Total Fragments than the kept ones: ignored */
	IKEV2_FRAG_TOO_MANY,      /* Total Fragments above the limit: ignored */
	IKEV2_FRAG_TOO_BIG,       /* the message would pass the byte limit: all dropped */
};
const char *ikev2_frag_verdict_str(enum ikev2_frag_verdict v);
/* Keeps the (authenticated, decrypted) inner bytes of fragment number of
 * total of message (msgid, response). A fragment of another message, or
 * of the same with a larger Total Fragments (RFC 7383 2.6: the sender
 * fragmented it again, smaller), or one after IKEV2_FRAG_TIMEOUT_MS,
 * starts again. */
enum ikev2_frag_verdict ikev2_frags_add(struct ikev2_frags *f, uint32_t msgid, bool response,
					uint16_t number, uint16_t total, uint8_t first_inner,
					const uint8_t *data, size_t len, uint64_t now_ms);
/* Copies the whole inner chain into out (at most cap bytes): its length,
 * or SIZE_MAX when it is not complete or does not fit; *first_inner is
 * the first payload's type. The fragments are freed either way. */
size_t ikev2_frags_join(struct ikev2_frags *f, uint8_t *out, size_t cap, uint8_t *first_inner);
/* Forgets the message under way. */
void ikev2_frags_reset(struct ikev2_frags *f);

/* ---- encoding -------------------------------------------------------------- */

struct ikev2_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool message;             /* has an IKE header (else an inner chain) */
	size_t np_at;             /* where the next payload's type goes (SIZE_MAX: chain head) */
	uint8_t first;            /* type of the first payload */
	bool sealed;              /* SK/SKF written: nothing may follow */
	size_t sk_fill, sk_end;   /* ikev2_build_sk_append() cursor and limit */
	size_t sk_body;           /* offset of the SK/SKF body (SIZE_MAX: none) */
	bool failed;
	char error[IKEV2_DIAG_TEXT];
};

/* A message: writes the header from h (SPIs, exchange, flags, message ID;
 * version 2.0, next payload and length are filled in by the builder). */
void ikev2_build_init(struct ikev2_builder *b, uint8_t *buf, size_t cap,
		      const struct ikev2_header *h);
/* An inner chain, to be encrypted into an SK payload: no header. */
void ikev2_build_chain_init(struct ikev2_builder *b, uint8_t *buf, size_t cap);
/* The type of the chain's first payload (SK's Next Payload), or 0. */
uint8_t ikev2_build_first_type(const struct ikev2_builder *b);
/* Patches the message length; returns NULL and the total length in *len,
 * or the first error (overflow, a value too large for its field, a payload
 * after SK, an SK body not filled). */
err_t ikev2_build_finish(struct ikev2_builder *b, size_t *len);

/* Every payload builder returns the offset in buf of the payload's generic
 * header, or SIZE_MAX after an error. */
size_t ikev2_build_payload(struct ikev2_builder *b, uint8_t type, bool critical,
			   const void *body, size_t len);  /* any payload, raw body */
/* The body of the payload at offset at (as returned above), once written. */
struct ikev2_span ikev2_build_body(const struct ikev2_builder *b, size_t at);

size_t ikev2_build_sa(struct ikev2_builder *b, const struct ikev2_sa *sa);
size_t ikev2_build_ke(struct ikev2_builder *b, const struct ikev2_ke *ke);
size_t ikev2_build_id(struct ikev2_builder *b, uint8_t type /* IDi/IDr */, const struct ikev2_id *id);
size_t ikev2_build_cert(struct ikev2_builder *b, const struct ikev2_cert *c);
size_t ikev2_build_certreq(struct ikev2_builder *b, const struct ikev2_cert *c);
size_t ikev2_build_auth(struct ikev2_builder *b, const struct ikev2_auth *a);
size_t ikev2_build_nonce(struct ikev2_builder *b, const struct ikev2_nonce *n);
size_t ikev2_build_notify(struct ikev2_builder *b, const struct ikev2_notify *n);
/* A notify about the IKE SA (protocol 0, no SPI) with data (may be NULL/0). */
size_t ikev2_build_notify_simple(struct ikev2_builder *b, uint16_t type,
				 const void *data, size_t len);
size_t ikev2_build_delete(struct ikev2_builder *b, const struct ikev2_delete *del);
size_t ikev2_build_vendor(struct ikev2_builder *b, const struct ikev2_vendor *v);
size_t ikev2_build_ts(struct ikev2_builder *b, uint8_t type /* TSi/TSr */, const struct ikev2_ts_list *ts);
size_t ikev2_build_cp(struct ikev2_builder *b, const struct ikev2_cp *cp);
size_t ikev2_build_eap(struct ikev2_builder *b, const struct ikev2_eap *eap);

/* The SK payload, last in the message: writes its header (Next Payload =
 * first_inner) and reserves body_len bytes (IV || ciphertext || ICV,
 * zeroed). The payload and message lengths are final when this returns:
 * bytes [0, ikev2_build_sk_offset()) are the AEAD associated data and the
 * start of what the ICV covers. Returns the body to fill, or NULL. */
uint8_t *ikev2_build_sk(struct ikev2_builder *b, uint8_t first_inner, size_t body_len);
/* SKF (RFC 7383): the same with Fragment Number and Total Fragments;
 * first_inner must be 0 unless number is 1. */
uint8_t *ikev2_build_skf(struct ikev2_builder *b, uint8_t first_inner, uint16_t number,
			 uint16_t total, size_t body_len);
/* Offset of the SK/SKF body (the IV) in the message; SIZE_MAX if none. */
size_t ikev2_build_sk_offset(const struct ikev2_builder *b);
/* The same, filled in pieces: begin reserves body_len bytes, append copies
 * into them in order, end checks that exactly body_len were appended. */
void ikev2_build_sk_begin(struct ikev2_builder *b, uint8_t first_inner, size_t body_len);
void ikev2_build_sk_append(struct ikev2_builder *b, const void *p, size_t len);
void ikev2_build_sk_end(struct ikev2_builder *b);

#endif
