/* IKEv1 vendor IDs (RFC 2408 3.16) that pluto sends and recognises, in
 * one table (vendor.c): dead peer detection (RFC 3706), NAT traversal
 * (RFC 3947 and the drafts before it) and Openswan's CAN-IKEv2 (the
 * sender would rather speak IKEv2: bid-down detection). What the peer
 * sent is kept on the ISAKMP SA (ike->v1.peer_vids); others are logged
 * at debug level and ignored. */
#ifndef PLUTO_IKEV1_VENDOR_H
#define PLUTO_IKEV1_VENDOR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_sa;
struct ikev2_builder;
struct isakmp_payloads;
struct logger;

enum v1_vid {
	V1_VID_DPD,               /* RFC 3706 */
	V1_VID_NATT_RFC3947,      /* MD5("RFC 3947") */
	V1_VID_NATT_DRAFT_02,     /* MD5("draft-ietf-ipsec-nat-t-ike-02") */
	V1_VID_NATT_DRAFT_02N,    /* MD5("draft-ietf-ipsec-nat-t-ike-02\n"), as sent by some */
	V1_VID_NATT_DRAFT_03,     /* MD5("draft-ietf-ipsec-nat-t-ike-03") */
	V1_VID_CAN_IKEV2,         /* Openswan's CAN-IKEv2: the five bytes "IKEv2", unhashed */
	V1_VID_FRAGMENTATION,     /* MD5("FRAGMENTATION"), some send 4 bytes more (frag.h) */
	V1_VID_COUNT
};
#define V1_VID_BIT(v) (1u << (v))
#define V1_VIDS_NATT                                                                                \
	(V1_VID_BIT(V1_VID_NATT_RFC3947) | V1_VID_BIT(V1_VID_NATT_DRAFT_02) |                         \
	 V1_VID_BIT(V1_VID_NATT_DRAFT_02N) | V1_VID_BIT(V1_VID_NATT_DRAFT_03))

struct v1_vid_desc {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	bool prefix;                 /* a longer VID that starts with bytes matches */
};
extern const struct v1_vid_desc ikev1_vids[V1_VID_COUNT];

/* The known vendor IDs among a message's VID payloads (a V1_VID_BIT set);
 * unknown ones are logged at debug level on logger. */
unsigned ikev1_vids_of(const struct isakmp_payloads *pl, const struct logger *logger);
/* Those of the peer's phase 1 message noted on the ISAKMP SA. */
void ikev1_vids_note(struct ike_sa *ike, const struct isakmp_payloads *pl);
/* Our VID payloads of a phase 1 message (Main Mode 1 or 2, Aggressive
 * Mode 1 or 2): DPD always; NAT-T: all of them as initiator, the one we
 * use as responder (when the peer sent any); CAN-IKEv2 when the conn
 * also answers IKEv2; FRAGMENTATION unless fragmentation=no. False after
 * a builder error. */
bool ikev1_vids_build(struct ike_sa *ike, struct ikev2_builder *b);
/* The NAT-T VID that the peer's set selects (RFC 3947 before the newest
 * draft), or V1_VID_COUNT when it sent none. */
enum v1_vid ikev1_natt_vid(unsigned vids);
#endif
