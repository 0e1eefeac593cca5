/* NAT traversal (RFC 7296 2.23, RFC 3948), the parts both IKE versions
 * share once NAT detection has spoken: IKE moves to the NAT-T port (4500,
 * --natikeport) with the non-ESP marker; the Child SAs are ESP in UDP on
 * the ports IKE actually uses; the host behind the NAT sends keepalives
 * (a one-octet 0xff datagram, RFC 3948 2.3) every keep_alive seconds so
 * that its NAT mapping stays; and an authenticated message from a new
 * address or port (the peer's NAT mapping changed) moves the IKE SA there
 * and rekeys its Child SAs onto the new ports. */
#ifndef PLUTO_IKE_NATT_H
#define PLUTO_IKE_NATT_H
#include <stdbool.h>

struct ike_sa;
struct packet;

/* config setup keep_alive= default (seconds) */
#define NATT_KEEPALIVE_DEFAULT_S 20

/* Moves the IKE SA to our NAT-T socket on the same address and the peer's
 * NAT-T port (the initiator, after NAT detection). False (logged) when
 * there is no such socket. */
bool natt_float(struct ike_sa *ike);
/* An authenticated message came from pkt's address and port. */
void natt_follow_peer(struct ike_sa *ike, const struct packet *pkt);
/* Starts the keepalives of an established IKE SA when this host is behind
 * the NAT (ike->nat_local), or does nothing. */
void natt_keepalive_start(struct ike_sa *ike);
#endif
