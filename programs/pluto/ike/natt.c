/* NAT traversal shared by both IKE versions (see natt.h). */
#include <event2/event.h>
#include "iface.h"
#include "ike/natt.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "pluto.h"

bool natt_float(struct ike_sa *ike)
{
	struct pluto *p = ike->pluto;
	if (ike->iface->natt)
		return true;
	const struct iface *n = ifaces_find(p, &ike->iface->addr, true);
	if (n == NULL) {
		char a[ADDRESS_BUF];
		llog(&ike->logger, RC_WARNING, "NAT detected, but there is no NAT-T socket on %s: staying on port %u",
		     str_address(&ike->iface->addr, a), ike->iface->port);
		return false;
	}
	ike->iface = n;
	ike->remote_port = (uint16_t)p->opts.natt_port;
	ldbg(&ike->logger, DBG_CONTROL, "NAT: IKE moves to port %u", n->port);
	return true;
}

/* The peer's NAT mapping changed: the Child SAs are rekeyed, so that the
 * new ones carry the new address and ports (the kernel's SAs name them). */
static void rekey_children(struct ike_sa *ike)
{
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		if (c->state == CHILD_ESTABLISHED && c->encap)
			ike_queue(ike, WORK_REKEY_CHILD, c->serial, NULL, NULL);
}

void natt_follow_peer(struct ike_sa *ike, const struct packet *pkt)
{
	if (pkt->iface == ike->iface && pkt->remote_port == ike->remote_port &&
	    address_eq(&pkt->remote, &ike->remote))
		return;
	char was[ADDRESS_BUF], now[ADDRESS_BUF];
	str_address(&ike->remote, was);
	str_address(&pkt->remote, now);
	bool established = ike->state == IKE_ESTABLISHED;
	uint16_t old_port = ike->remote_port;
	ike->iface = pkt->iface;
	ike->remote = pkt->remote;
	ike->remote_port = pkt->remote_port;
	if (!established) {
		/* the float to the NAT-T port during IKE_AUTH, or a NAT */
		ldbg(&ike->logger, DBG_CONTROL, "peer now at %s:%u", now, pkt->remote_port);
		return;
	}
	llog(&ike->logger, RC_INFO, "the peer moved from %s:%u to %s:%u (its NAT mapping changed)%s",
	     was, old_port, now, pkt->remote_port,
	     ike->children != NULL ? ": rekeying its Child SAs" : "");
	rekey_children(ike);
}

/* ---- keepalives ------------------------------------------------------------ */

static uint64_t keepalive_ms(const struct ike_sa *ike)
{
	unsigned s = ike->pluto->opts.keepalive_s;
	return (uint64_t)(s ? s : NATT_KEEPALIVE_DEFAULT_S) * 1000;
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	err_t e = iface_send_keepalive(ike->iface, &ike->remote, ike->remote_port);
	if (e != NULL)
		ldbg(&ike->logger, DBG_CONTROL, "NAT keepalive: %s", e);
	else
		ldbg(&ike->logger, DBG_CONTROL, "sent a NAT keepalive");
	uint64_t ms = keepalive_ms(ike);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(ike->keepalive_timer, &tv);
}

void natt_keepalive_start(struct ike_sa *ike)
{
	if (!ike->nat_local || !ike->iface->natt || ike->pluto->base == NULL)
		return;
	if (ike->keepalive_timer == NULL)
		ike->keepalive_timer = event_new(ike->pluto->base, -1, 0, on_keepalive, ike);
	uint64_t ms = keepalive_ms(ike);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(ike->keepalive_timer, &tv);
	ldbg(&ike->logger, DBG_CONTROL, "this host is behind a NAT: a keepalive every %.0f s",
	     (double)ms / 1000);
}
