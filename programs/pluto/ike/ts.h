/* Traffic selectors: ours from a connection's ends, and the narrowing a
 * responder does (RFC 7296 2.9). Only CIDR-shaped results are used, as
 * the kernel's selectors are subnets. */
#ifndef PLUTO_IKE_TS_H
#define PLUTO_IKE_TS_H
#include "connections.h"
#include "ike/sa.h"
#include "ikev2/ikev2_msg.h"

/* An end without a subnet (no leftsubnet=) stands for its host: host, the
 * address of that end the IKE SA uses (ike->iface->addr for ours,
 * ike->remote for the peer's), /32 or /128; so right=%any without
 * rightsubnet= is the peer's actual address, as right=ADDRESS is. host
 * NULL: the end's configured client (its host address, set when the conn
 * was oriented). */

/* One selector for an end's client subnet and protoport. */
void ts_of_end(const struct end *e, const ip_address *host, struct ikev2_ts_list *out);
/* Responder: narrows the initiator's TSi (its side: our remote) and TSr
 * (our local) to what the connection allows. NULL or why not. A peer
 * end with a vhost:/vnet: subnet takes the first TSi its list and
 * virtual_private (pluto's --virtual-private, may be NULL) allow. */
err_t ts_narrow(const struct connection *c, const char *virtual_private, const ip_address *local_host,
		const ip_address *remote_host, const struct ikev2_ts_list *tsi,
		const struct ikev2_ts_list *tsr, struct child_ts *out);
/* Initiator: the responder's answer, which must lie within what we sent. */
err_t ts_accept(const struct connection *c, const ip_address *local_host,
		const ip_address *remote_host, const struct ikev2_ts_list *tsi,
		const struct ikev2_ts_list *tsr, struct child_ts *out);
/* Whether the pair the peer asked for (its selector r, ours l) shares an
 * address pair with the agreed ts (addresses only). */
bool ts_pair_overlaps(const struct child_ts *ts, const struct ikev2_ts *r, const struct ikev2_ts *l);
/* A selector's addresses as text: A/LEN when a CIDR block, else A-B. */
void ts_str(const struct ikev2_ts *t, char *buf, size_t size);
/* The selector lists of an agreed child_ts, for a response. */
void ts_lists_of(const struct child_ts *ts, bool initiator_side_is_local,
		 struct ikev2_ts_list *tsi, struct ikev2_ts_list *tsr);
#endif
