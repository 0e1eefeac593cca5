/* NAT traversal for IKEv1 (RFC 3947; the nat-t-ike-02/03 drafts before
 * it): whether both ends announced it (vendor.c), the NAT-D payloads of
 * Main Mode messages 3 and 4 and Aggressive Mode messages 2 and 3 (type
 * 20, or 130 when the peer only sent a draft's vendor ID), NAT detection
 * from the peer's, and Quick Mode's UDP encapsulation modes. The float to
 * port 4500, keepalives and the Child SAs' ESP in UDP are the core's
 * (ike/natt.c, ike/child.c), shared with IKEv2. */
#ifndef PLUTO_IKEV1_NATT_H
#define PLUTO_IKEV1_NATT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/address.h"

struct ike_sa;
struct ikev2_builder;
struct isakmp_payloads;
struct packet;

/* IPsec DOI encapsulation modes (RFC 2407 4.5, RFC 3947 3, the drafts). */
#define V1_ENCAP_TUNNEL 1
#define V1_ENCAP_TRANSPORT 2
#define V1_ENCAP_UDP_TUNNEL 3
#define V1_ENCAP_UDP_TRANSPORT 4
#define V1_ENCAP_UDP_TUNNEL_DRAFT 61443
#define V1_ENCAP_UDP_TRANSPORT_DRAFT 61444

/* Both ends do NAT-T (the peer sent a NAT-T vendor ID, and so did we). */
bool ikev1_natt_agreed(const struct ike_sa *ike);
/* NAT-D = HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash; its
 * length, 0 when the hash is not known. */
size_t ikev1_natd_hash(const struct ike_sa *ike, const ip_address *a, uint16_t port,
		       uint8_t out[64]);
/* Our two NAT-D payloads (the peer's address and port as we send to
 * them, then ours; forceencaps=yes: ours faked so that the peer sees a
 * NAT), when NAT-T is agreed. False after a builder error. */
bool ikev1_natd_build(struct ike_sa *ike, struct ikev2_builder *b);
/* The peer's NAT-D payloads in pl (pkt: how its message arrived, with
 * ike->iface; also, when not NULL: another way that counts as well):
 * sets ike->nat_detected / nat_local and logs what was found. */
void ikev1_natd_check(struct ike_sa *ike, const struct isakmp_payloads *pl, const struct packet *pkt,
		      const struct packet *also);
/* Quick Mode's encapsulation mode attribute for the ISAKMP SA: tunnel or
 * transport, in UDP after a NAT (RFC 3947's numbers or the drafts'). */
uint16_t ikev1_natt_encap(const struct ike_sa *ike, bool transport);
/* A peer's encapsulation mode as tunnel or transport (UDP or not), 0 when
 * unknown. */
uint64_t ikev1_natt_encap_plain(uint64_t mode);
#endif
