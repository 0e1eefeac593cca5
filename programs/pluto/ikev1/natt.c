/* NAT traversal for IKEv1 (natt.h). */
#include <pk11pub.h>
#include <stdio.h>
#include <string.h>
#include "connections.h"
#include "iface.h"
#include "ike/sa.h"
#include "ikev1/ikev1.h"
#include "ikev1/natt.h"
#include "ikev1/vendor.h"
#include "pluto.h"

/* the negotiated hash (the INTEG row IKEv1's Hash Algorithm names) */
static const struct { const char *name; SECOidTag oid; size_t len; } hashes[] = {
	{ "md5", SEC_OID_MD5, 16 },
	{ "sha1", SEC_OID_SHA1, 20 },
	{ "sha2_256", SEC_OID_SHA256, 32 },
	{ "sha2_384", SEC_OID_SHA384, 48 },
	{ "sha2_512", SEC_OID_SHA512, 64 },
};

bool ikev1_natt_agreed(const struct ike_sa *ike)
{
	return ikev1_natt_vid(ike->v1.peer_vids) != V1_VID_COUNT;
}

static bool rfc3947(const struct ike_sa *ike)
{
	return ikev1_natt_vid(ike->v1.peer_vids) == V1_VID_NATT_RFC3947;
}

size_t ikev1_natd_hash(const struct ike_sa *ike, const ip_address *a, uint16_t port, uint8_t out[64])
{
	const struct alg_desc *h = ike->suite.integ;
	for (size_t i = 0; h != NULL && i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		if (strcmp(h->name, hashes[i].name) != 0)
			continue;
		uint8_t buf[8 + 8 + 16 + 2];
		size_t alen = a->family == IP_V6 ? 16 : 4;
		memcpy(buf, ike->spi_i, 8);
		memcpy(buf + 8, ike->spi_r, 8);
		memcpy(buf + 16, a->bytes, alen);
		buf[16 + alen] = (uint8_t)(port >> 8);
		buf[17 + alen] = (uint8_t)port;
		if (PK11_HashBuf(hashes[i].oid, out, buf, (PRInt32)(18 + alen)) != SECSuccess)
			return 0;
		return hashes[i].len;
	}
	return 0;
}

bool ikev1_natd_build(struct ike_sa *ike, struct ikev2_builder *b)
{
	if (!ikev1_natt_agreed(ike))
		return true;
	uint8_t type = rfc3947(ike) ? ISAKMP_NEXT_NATD : ISAKMP_NEXT_NATD_DRAFT;
	uint8_t h[64];
	size_t n = ikev1_natd_hash(ike, &ike->remote, ike->remote_port, h);
	if (n == 0)
		return false;
	isakmp_build_bytes(b, type, (struct ikev2_span){ h, n });
	/* forceencaps=yes: claim a NAT by hashing a source that is not ours */
	ip_address src = ike->iface->addr;
	if (ike->c != NULL && ike->c->forceencaps)
		memset(src.bytes, 0, sizeof(src.bytes));
	ikev1_natd_hash(ike, &src, ike->iface->port, h);
	isakmp_build_bytes(b, type, (struct ikev2_span){ h, n });
	return !b->failed;
}

void ikev1_natd_check(struct ike_sa *ike, const struct isakmp_payloads *pl, const struct packet *pkt,
		      const struct packet *also)
{
	if (!ikev1_natt_agreed(ike))
		return;
	uint8_t type = rfc3947(ike) ? ISAKMP_NEXT_NATD : ISAKMP_NEXT_NATD_DRAFT;
	uint8_t us[2][64], them[2][64];
	if (also == NULL)
		also = pkt;
	size_t n = ikev1_natd_hash(ike, &ike->iface->addr, ike->iface->port, us[0]);
	ikev1_natd_hash(ike, &also->iface->addr, also->iface->port, us[1]);
	ikev1_natd_hash(ike, &pkt->remote, pkt->remote_port, them[0]);
	ikev1_natd_hash(ike, &also->remote, also->remote_port, them[1]);
	bool first = true, nat_us = false, them_seen = false, have = false;
	for (size_t i = 0; n != 0 && i < pl->n; i++) {
		const struct isakmp_payload *p = &pl->p[i];
		if (p->type != type)
			continue;
		uint8_t(*want)[64] = first ? us : them;
		bool same = p->len == n && (memcmp(p->body, want[0], n) == 0 || memcmp(p->body, want[1], n) == 0);
		if (first)
			nat_us = !same;   /* the peer does not see us where we are */
		else
			them_seen = them_seen || same;
		have = have || !first;
		first = false;
	}
	if (!have) {
		llog(&ike->logger, RC_INFO, "NAT-T: the peer announced it but sent no NAT-D payloads");
		return;
	}
	bool nat_them = !them_seen;
	bool force = ike->c != NULL && ike->c->forceencaps;
	if (!nat_us && !nat_them && !force) {
		ldbg(&ike->logger, DBG_CONTROL, "NAT-T (%s): no NAT detected",
		     ikev1_vids[ikev1_natt_vid(ike->v1.peer_vids)].name);
		return;
	}
	ike->nat_detected = true;
	ike->nat_local = nat_us;
	llog(&ike->logger, RC_INFO, "NAT detected (%s; NAT-T of %s): using UDP encapsulation",
	     nat_us ? "this host is behind a NAT" : nat_them ? "the peer is behind a NAT" : "forceencaps=yes",
	     ikev1_vids[ikev1_natt_vid(ike->v1.peer_vids)].name);
}

uint16_t ikev1_natt_encap(const struct ike_sa *ike, bool transport)
{
	if (!ike->nat_detected)
		return transport ? V1_ENCAP_TRANSPORT : V1_ENCAP_TUNNEL;
	if (rfc3947(ike))
		return transport ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL;
	return transport ? V1_ENCAP_UDP_TRANSPORT_DRAFT : V1_ENCAP_UDP_TUNNEL_DRAFT;
}

uint64_t ikev1_natt_encap_plain(uint64_t mode)
{
	switch (mode) {
	case V1_ENCAP_TUNNEL:
	case V1_ENCAP_UDP_TUNNEL:
	case V1_ENCAP_UDP_TUNNEL_DRAFT:
		return V1_ENCAP_TUNNEL;
	case V1_ENCAP_TRANSPORT:
	case V1_ENCAP_UDP_TRANSPORT:
	case V1_ENCAP_UDP_TRANSPORT_DRAFT:
		return V1_ENCAP_TRANSPORT;
	default:
		return 0;
	}
}
