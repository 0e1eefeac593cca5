/* IKEv1 vendor IDs: the table, what the peer sent, what we send
 * (vendor.h). The NAT-T values are the MD5 of the strings their drafts
 * and RFC 3947 name; DPD's is RFC 3706's; the one Openswan calls
 * CAN-IKEv2 is the five bytes "IKEv2", unhashed (what Openswan sends and
 * libreswan still names, "CAN-IKEv2(obsolete)", seen on the wire). */
#include <stdio.h>
#include <string.h>
#include "connections.h"
#include "ike/sa.h"
#include "ikev1/ikev1.h"
#include "ikev1/vendor.h"
#include "log.h"

static const uint8_t vid_dpd[] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				   0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
static const uint8_t vid_rfc3947[] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
				       0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
static const uint8_t vid_draft02[] = { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
				       0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 };
static const uint8_t vid_draft02n[] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
					0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f };
static const uint8_t vid_draft03[] = { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
				       0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 };
static const uint8_t vid_can_ikev2[] = { 'I', 'K', 'E', 'v', '2' };
static const uint8_t vid_fragmentation[] = { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
					     0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 };

#define VID(name, b) { name, b, sizeof(b), false }
const struct v1_vid_desc ikev1_vids[V1_VID_COUNT] = {
	[V1_VID_DPD] = VID("Dead Peer Detection (RFC 3706)", vid_dpd),
	[V1_VID_NATT_RFC3947] = VID("RFC 3947", vid_rfc3947),
	[V1_VID_NATT_DRAFT_02] = VID("draft-ietf-ipsec-nat-t-ike-02", vid_draft02),
	[V1_VID_NATT_DRAFT_02N] = VID("draft-ietf-ipsec-nat-t-ike-02\\n", vid_draft02n),
	[V1_VID_NATT_DRAFT_03] = VID("draft-ietf-ipsec-nat-t-ike-03", vid_draft03),
	[V1_VID_CAN_IKEV2] = VID("CAN-IKEv2", vid_can_ikev2),
	/* Cisco and libreswan append four bytes of flags */
	[V1_VID_FRAGMENTATION] = { "FRAGMENTATION", vid_fragmentation, sizeof(vid_fragmentation), true },
};

/* NAT-T VIDs, best first */
static const enum v1_vid natt_order[] = { V1_VID_NATT_RFC3947, V1_VID_NATT_DRAFT_03, V1_VID_NATT_DRAFT_02N,
					  V1_VID_NATT_DRAFT_02 };

unsigned ikev1_vids_of(const struct isakmp_payloads *pl, const struct logger *logger)
{
	unsigned vids = 0;
	for (size_t i = 0; i < pl->n; i++) {
		const struct isakmp_payload *p = &pl->p[i];
		if (p->type != ISAKMP_NEXT_VID)
			continue;
		unsigned v = 0;
		while (v < V1_VID_COUNT &&
		       (p->len < ikev1_vids[v].len || (p->len != ikev1_vids[v].len && !ikev1_vids[v].prefix) ||
			memcmp(p->body, ikev1_vids[v].bytes, ikev1_vids[v].len) != 0))
			v++;
		if (v < V1_VID_COUNT) {
			vids |= V1_VID_BIT(v);
			continue;
		}
		char hex[2 * 32 + 4];
		size_t n = p->len < 32 ? p->len : 32;
		for (size_t k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", p->body[k]);
		ldbg(logger, DBG_CONTROL, "ignoring an unknown vendor ID %s%s (%zu bytes)", hex,
		     n < p->len ? "..." : "", p->len);
	}
	return vids;
}

void ikev1_vids_note(struct ike_sa *ike, const struct isakmp_payloads *pl)
{
	unsigned vids = ikev1_vids_of(pl, &ike->logger);
	unsigned fresh = vids & ~ike->v1.peer_vids;
	ike->v1.peer_vids |= vids;
	for (unsigned v = 0; v < V1_VID_COUNT; v++)
		if (fresh & V1_VID_BIT(v))
			ldbg(&ike->logger, v == V1_VID_DPD ? DBG_LIFECYCLE : DBG_CONTROL,
			     "the peer sent the vendor ID [%s]", ikev1_vids[v].name);
	if ((fresh & V1_VID_BIT(V1_VID_DPD)) && !ike->v1.peer_dpd) {
		ike->v1.peer_dpd = true;
		ldbg(&ike->logger, DBG_LIFECYCLE, "the peer does DPD (RFC 3706 vendor ID)");
	}
}

enum v1_vid ikev1_natt_vid(unsigned vids)
{
	for (size_t i = 0; i < sizeof(natt_order) / sizeof(natt_order[0]); i++)
		if (vids & V1_VID_BIT(natt_order[i]))
			return natt_order[i];
	return V1_VID_COUNT;
}

static void vid(struct ikev2_builder *b, enum v1_vid v)
{
	isakmp_build_bytes(b, ISAKMP_NEXT_VID, (struct ikev2_span){ ikev1_vids[v].bytes, ikev1_vids[v].len });
}

bool ikev1_vids_build(struct ike_sa *ike, struct ikev2_builder *b)
{
	vid(b, V1_VID_DPD);
	if (ike->original_initiator) {
		for (size_t i = 0; i < sizeof(natt_order) / sizeof(natt_order[0]); i++)
			vid(b, natt_order[i]);
	} else {
		enum v1_vid n = ikev1_natt_vid(ike->v1.peer_vids);
		if (n != V1_VID_COUNT)
			vid(b, n);
	}
	if (ike->c != NULL && conn_accepts_ikev2(ike->c))
		vid(b, V1_VID_CAN_IKEV2);
	if (ike->c != NULL && ike->c->fragmentation != FRAG_NO)
		vid(b, V1_VID_FRAGMENTATION);
	return !b->failed;
}
