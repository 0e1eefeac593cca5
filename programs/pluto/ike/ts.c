/* Traffic selectors as address ranges, ports and protocol. */
#include <stdio.h>
#include <string.h>
#include "ike/ts.h"

/* A selector range, with ports and protocol. */
struct sel {
	ip_address start, end;
	uint8_t proto;
	uint16_t port_lo, port_hi;
};

static void subnet_range(const ip_subnet *s, ip_address *lo, ip_address *hi)
{
	ip_address mask = prefix_mask((enum ip_family)s->addr.family, s->prefix);
	*lo = *hi = s->addr;
	size_t n = s->addr.family == IP_V6 ? 16 : 4;
	for (size_t i = 0; i < n; i++) {
		lo->bytes[i] &= mask.bytes[i];
		hi->bytes[i] = (uint8_t)(lo->bytes[i] | ~mask.bytes[i]);
	}
}

/* An end without leftsubnet= stands for its host: the address the IKE SA
 * uses (for right=%any, the peer's actual address), else left=. */
static ip_subnet client_of(const struct end *e, const ip_address *host)
{
	if (!e->has_client && host != NULL && host->family != IP_UNSET)
		return subnet_from_address(host);
	return e->client;
}

static struct sel sel_of_end(const struct end *e, const ip_address *host)
{
	struct sel s = { 0 };
	ip_subnet client = client_of(e, host);
	subnet_range(&client, &s.start, &s.end);
	s.proto = e->protoport.proto;
	if (e->protoport.port != 0) {
		s.port_lo = s.port_hi = e->protoport.port;
	} else {
		s.port_lo = 0;
		s.port_hi = 65535;
	}
	return s;
}

void ts_of_end(const struct end *e, const ip_address *host, struct ikev2_ts_list *out)
{
	struct sel s = sel_of_end(e, host);
	out->n = 1;
	out->ts[0] = ikev2_ts_range(&s.start, &s.end, s.proto, s.port_lo, s.port_hi);
}

static const ip_address *amax(const ip_address *a, const ip_address *b)
{
	return address_cmp(a, b) >= 0 ? a : b;
}

static const ip_address *amin(const ip_address *a, const ip_address *b)
{
	return address_cmp(a, b) <= 0 ? a : b;
}

/* Intersection of a received selector and an allowed one. */
static bool intersect(const struct ikev2_ts *t, const struct sel *allow, struct sel *out)
{
	if (t->start.family != allow->start.family || t->start.family == IP_UNSET)
		return false;
	if (t->ip_protocol != 0 && allow->proto != 0 && t->ip_protocol != allow->proto)
		return false;
	out->proto = allow->proto ? allow->proto : t->ip_protocol;
	out->start = *amax(&t->start, &allow->start);
	out->end = *amin(&t->end, &allow->end);
	if (address_cmp(&out->start, &out->end) > 0)
		return false;
	out->port_lo = t->start_port > allow->port_lo ? t->start_port : allow->port_lo;
	out->port_hi = t->end_port < allow->port_hi ? t->end_port : allow->port_hi;
	return out->port_lo <= out->port_hi;
}

/* A range that is exactly one CIDR block, as a subnet. */
static bool range_subnet(const struct sel *s, ip_subnet *out)
{
	unsigned bits = address_bits((enum ip_family)s->start.family);
	for (unsigned prefix = 0; prefix <= bits; prefix++) {
		ip_subnet cand = { .addr = s->start, .prefix = (uint8_t)prefix };
		ip_address lo, hi;
		subnet_range(&cand, &lo, &hi);
		if (address_eq(&lo, &s->start) && address_eq(&hi, &s->end)) {
			*out = cand;
			return true;
		}
	}
	return false;
}

/* One port of a range, or 0 for "any" (the full range). */
static bool port_of(const struct sel *s, uint16_t *port)
{
	if (s->port_lo == 0 && s->port_hi == 65535) {
		*port = 0;
		return true;
	}
	if (s->port_lo == s->port_hi) {
		*port = s->port_lo;
		return true;
	}
	return false;
}

static bool narrow_list(const struct ikev2_ts_list *l, const struct sel *allow, ip_subnet *net,
			uint8_t *proto, uint16_t *port)
{
	for (size_t i = 0; i < l->n; i++) {
		struct sel x;
		if (l->ts[i].type != 7 && l->ts[i].type != 8)
			continue;   /* only IPv4/IPv6 address ranges */
		if (intersect(&l->ts[i], allow, &x) && range_subnet(&x, net) && port_of(&x, port)) {
			*proto = x.proto;
			return true;
		}
	}
	return false;
}

/* rightsubnet=vhost:|vnet: (a road warrior behind a NAT): the first of
 * the peer's TSi that is one CIDR block with one port (or all) and that
 * the list and virtual_private= allow; else why not (the first refusal). */
static const char *virtual_tsi(const struct end *peer, const char *vp, const ip_address *remote_host,
			       const struct ikev2_ts_list *tsi, ip_subnet *net, uint8_t *proto, uint16_t *port)
{
	static char why[512];
	const char *first = NULL;
	ip_subnet own = subnet_from_address(remote_host);
	for (size_t i = 0; i < tsi->n; i++) {
		const struct ikev2_ts *t = &tsi->ts[i];
		struct sel s = { .start = t->start, .end = t->end, .proto = t->ip_protocol,
				 .port_lo = t->start_port, .port_hi = t->end_port };
		if ((t->type != 7 && t->type != 8) || !range_subnet(&s, net) || !port_of(&s, port) ||
		    (peer->protoport.proto != 0 && s.proto != 0 && s.proto != peer->protoport.proto))
			continue;
		const char *e = virtual_subnet_allows(peer->virt, vp, net, subnet_eq(net, &own), why, sizeof(why));
		if (e == NULL) {
			*proto = peer->protoport.proto ? peer->protoport.proto : s.proto;
			return NULL;
		}
		if (first == NULL)
			first = e;
	}
	return first != NULL ? first : "no TSi is one address or network with one port or all";
}

err_t ts_narrow(const struct connection *c, const char *virtual_private, const ip_address *local_host,
		const ip_address *remote_host, const struct ikev2_ts_list *tsi,
		const struct ikev2_ts_list *tsr, struct child_ts *out)
{
	static char why[600];
	struct connection *cc = (struct connection *)c;
	struct sel remote = sel_of_end(peer_end(cc), remote_host);
	struct sel local = sel_of_end(local_end(cc), local_host);
	uint8_t rp = 0, lp = 0;
	if (peer_end(cc)->virt != NULL) {
		const char *e = virtual_tsi(peer_end(cc), virtual_private, remote_host, tsi, &out->remote, &rp,
					    &out->remote_port);
		if (e != NULL) {
			snprintf(why, sizeof(why), "the initiator's traffic selectors (TSi): %s", e);
			return why;
		}
	} else if (!narrow_list(tsi, &remote, &out->remote, &rp, &out->remote_port))
		return "the initiator's traffic selectors (TSi) do not fit this connection";
	if (!narrow_list(tsr, &local, &out->local, &lp, &out->local_port))
		return "the responder's traffic selectors (TSr) do not fit this connection";
	if (rp != lp && rp != 0 && lp != 0)
		return "the traffic selectors disagree on the protocol";
	out->proto = rp ? rp : lp;
	return NULL;
}

err_t ts_accept(const struct connection *c, const ip_address *local_host,
		const ip_address *remote_host, const struct ikev2_ts_list *tsi,
		const struct ikev2_ts_list *tsr, struct child_ts *out)
{
	/* we are the initiator: TSi is our side */
	struct connection *cc = (struct connection *)c;
	struct sel local = sel_of_end(local_end(cc), local_host);
	struct sel remote = sel_of_end(peer_end(cc), remote_host);
	uint8_t lp = 0, rp = 0;
	if (!narrow_list(tsi, &local, &out->local, &lp, &out->local_port))
		return "the responder's TSi is not within what we proposed";
	if (!narrow_list(tsr, &remote, &out->remote, &rp, &out->remote_port))
		return "the responder's TSr is not within what we proposed";
	out->proto = lp ? lp : rp;
	return NULL;
}

static bool range_overlaps(const struct ikev2_ts *t, const ip_subnet *net)
{
	struct sel allow = { .port_lo = 0, .port_hi = 65535 }, x;
	subnet_range(net, &allow.start, &allow.end);
	return intersect(t, &allow, &x);
}

bool ts_pair_overlaps(const struct child_ts *ts, const struct ikev2_ts *r, const struct ikev2_ts *l)
{
	return range_overlaps(r, &ts->remote) && range_overlaps(l, &ts->local);
}

void ts_str(const struct ikev2_ts *t, char *buf, size_t size)
{
	char a[ADDRESS_BUF], b[ADDRESS_BUF];
	struct sel s = { .start = t->start, .end = t->end };
	ip_subnet net;
	str_address(&t->start, a);
	if (range_subnet(&s, &net)) {
		snprintf(buf, size, "%s/%u", a, net.prefix);
		return;
	}
	str_address(&t->end, b);
	snprintf(buf, size, "%s-%s", a, b);
}

static struct ikev2_ts ts_from(const ip_subnet *net, uint8_t proto, uint16_t port)
{
	ip_address lo, hi;
	subnet_range(net, &lo, &hi);
	return ikev2_ts_range(&lo, &hi, proto, port, port ? port : 65535);
}

void ts_lists_of(const struct child_ts *ts, bool initiator_side_is_local,
		 struct ikev2_ts_list *tsi, struct ikev2_ts_list *tsr)
{
	struct ikev2_ts l = ts_from(&ts->local, ts->proto, ts->local_port);
	struct ikev2_ts r = ts_from(&ts->remote, ts->proto, ts->remote_port);
	tsi->n = tsr->n = 1;
	tsi->ts[0] = initiator_side_is_local ? l : r;
	tsr->ts[0] = initiator_side_is_local ? r : l;
}
