/* Starting a negotiation, and finding the conn a responder uses. */
#include <stdio.h>
#include <string.h>
#include "conn_load.h"
#include "ctl.h"
#include "iface.h"
#include "ike/exchanges.h"
#include "ike/proposals.h"
#include "ike/ts.h"
#include "pluto.h"

bool ike_initiate(struct pluto *p, struct connection *c, struct ctl_client *whack,
		  char *why, size_t whysize)
{
	if (c->local < 0) {
		for (int s = 0; s < 2; s++) {
			struct end *e = &c->end[s];
			if (e->host_kind != HOST_DNS)
				continue;
			const char *side = s ? "right" : "left";
			if (e->dns_pending) {
				snprintf(why, whysize, "conn %s: %s=%s is being looked up; try again",
					 c->name, side, e->host_text);
			} else {
				snprintf(why, whysize, "conn %s: cannot resolve %s=%s: %s (looking it up again)",
					 c->name, side, e->host_text,
					 e->dns_error ? e->dns_error : "not looked up");
				conn_resolve(p, c);
			}
			return false;
		}
		snprintf(why, whysize, "conn %s is not oriented: neither end is this host", c->name);
		return false;
	}
	if (c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT) {
		snprintf(why, whysize, "conn %s is a type=%s shunt: there is nothing to negotiate",
			 c->name, c->type == CONN_PASSTHROUGH ? "passthrough" : "drop/reject");
		return false;
	}
	struct end *me = local_end(c), *peer = peer_end(c);
	if (peer->host_kind != HOST_ADDRESS) {
		snprintf(why, whysize, "cannot initiate conn %s: %s=%s is not a known address",
			 c->name, c->local ? "left" : "right", peer->host_text);
		return false;
	}
	ip_address local = me->host;
	const struct iface *ifc = me->host_kind == HOST_ADDRESS ? ifaces_find(p, &local, false) : NULL;
	if (ifc == NULL) {
		/* %defaultroute: the first socket of the peer's family */
		for (const struct iface *i = p->ifaces->head; i != NULL && ifc == NULL; i = i->next)
			if (!i->natt && i->addr.family == peer->host.family &&
			    !(i->addr.family == IP_V4 && i->addr.bytes[0] == 127))
				ifc = i;
	}
	if (ifc == NULL) {
		snprintf(why, whysize, "conn %s: no IKE socket for left=%s", c->name, me->host_text);
		return false;
	}
	struct ike_sa *existing = ike_sa_of_conn(p, c);
	if (existing != NULL && c->child_serial != 0) {
		snprintf(why, whysize, "conn %s is already up (IKE SA #%u)", c->name, existing->serial);
		return false;
	}
	struct ike_sa *ike = ike_sa_new(p, c, true);
	if (random_ike_spi(ike->spi_i) != NULL) {
		ike_sa_delete(ike, NULL);
		snprintf(why, whysize, "no random numbers for an SPI");
		return false;
	}
	ike->iface = ifc;
	ike->remote = peer->host;
	ike->remote_port = (uint16_t)p->opts.ike_port;
	ike_sa_insert(ike);
	if (whack != NULL) {
		ike->whack = whack;
		ike->logger.whack_fd = whack->fd;
	}
	char a[ADDRESS_BUF];
	llog(&ike->logger, RC_INFO, "initiating IKEv2 connection to %s",
	     str_address(&ike->remote, a));
	sa_init_start(ike, ike_proposals_first_dh(c));
	return true;
}

/* How well a conn fits a responder's packet (0: not at all). */
static int fit(const struct connection *c, const struct packet *pkt, const ip_id *peer_id)
{
	if (c->local < 0 || (c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT))
		return 0;
	struct connection *cc = (struct connection *)c;
	const struct end *me = local_end(cc), *peer = peer_end(cc);
	if (me->host_kind == HOST_ADDRESS && !address_eq(&me->host, &pkt->iface->addr))
		return 0;
	int score;
	if (peer->host_kind == HOST_ADDRESS && address_eq(&peer->host, &pkt->remote))
		score = 4;
	else if (peer->host_kind == HOST_ANY)
		score = 2;
	else
		return 0;
	if (peer_id != NULL) {
		if (!peer->id_from_host) {
			if (peer->id.kind == ID_ANY)
				score += 1;
			else if (id_eq(&peer->id, peer_id))
				score += 4;
			else
				return 0;
		} else if (peer->host_kind == HOST_ADDRESS) {
			/* no rightid=: the peer's ID must be its address */
			ip_id want = { .kind = peer->host.family == IP_V6 ? ID_IPV6 : ID_IPV4,
				       .ip = peer->host };
			if (!id_eq(&want, peer_id))
				return 0;
		}
	}
	return score;
}

struct connection *conn_for_responder(struct pluto *p, const struct packet *pkt,
				      const ip_id *peer_id, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr)
{
	struct connection *best = NULL;
	int best_score = 0;
	for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
		int s = fit(c, pkt, peer_id);
		struct child_ts ts;
		if (s > 0 && tsi != NULL && tsr != NULL && ts_narrow(c, tsi, tsr, &ts) != NULL)
			continue;   /* the peer asks for traffic this conn does not carry */
		if (s > best_score) {
			best = c;
			best_score = s;
		}
	}
	return best;
}
