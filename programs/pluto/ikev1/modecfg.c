/* Mode Config (draft-dukes-ike-mode-cfg-02) for IKEv1 road warriors: the
 * server gives INTERNAL_IP4_ADDRESS (from rightaddresspool=, or
 * rightsubnet= when it is one address), INTERNAL_IP4_NETMASK (a host's)
 * and INTERNAL_IP4_DNS (modecfgdns1/2=), in a REPLY to the client's
 * REQUEST (modecfgpull=yes) or a SET the client ACKs (push). The client
 * keeps the address for Quick Mode and updown.
 *
 * Pools are shared by the conns naming the same range; a lease belongs to
 * a peer ID (one address per ID, however many ISAKMP SAs it has) and goes
 * back to the pool with the last SA holding it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ike/child.h"
#include "ikev1/xa.h"
#include "pluto.h"

/* ---- pools ---------------------------------------------------------------------- */

#define POOL_MAX_SIZE 65536u

struct lease {
	char *id;            /* the peer ID holding it (NULL: free) */
	unsigned refs;       /* ISAKMP SAs using it */
};

struct pool {
	ip_address first, last;
	uint32_t size;
	struct lease *leases;
};

static struct pool *pools;
static size_t n_pools;

static uint32_t v4(const ip_address *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

static ip_address from_v4(uint32_t v)
{
	ip_address a = { .family = IP_V4 };
	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	return a;
}

bool modecfg_pool_parse(const char *text, ip_address *first, ip_address *last, const char **why)
{
	const char *dash = strchr(text, '-');
	if (dash == NULL) {
		*why = "expected FIRST-LAST (two IPv4 addresses)";
		return false;
	}
	if (ttoaddress_num(text, (size_t)(dash - text), IP_V4, first) != NULL ||
	    ttoaddress_num(dash + 1, strlen(dash + 1), IP_V4, last) != NULL) {
		*why = "expected FIRST-LAST (two IPv4 addresses)";
		return false;
	}
	if (v4(first) > v4(last)) {
		*why = "the first address is after the last";
		return false;
	}
	if (v4(last) - v4(first) >= POOL_MAX_SIZE) {
		*why = "more than 65536 addresses";
		return false;
	}
	return true;
}

static struct pool *pool_of(const ip_address *first, const ip_address *last, bool make)
{
	for (size_t i = 0; i < n_pools; i++)
		if (address_eq(&pools[i].first, first) && address_eq(&pools[i].last, last))
			return &pools[i];
	if (!make || first->family != IP_V4 || v4(first) > v4(last) || v4(last) - v4(first) >= POOL_MAX_SIZE)
		return NULL;
	struct pool *more = realloc(pools, (n_pools + 1) * sizeof(*pools));
	if (more == NULL)
		return NULL;
	pools = more;
	struct pool *p = &pools[n_pools];
	p->first = *first;
	p->last = *last;
	p->size = v4(last) - v4(first) + 1;
	p->leases = calloc(p->size, sizeof(*p->leases));
	if (p->leases == NULL)
		return NULL;
	n_pools++;
	return p;
}

bool modecfg_pool_lease(const ip_address *first, const ip_address *last, const char *peer_id,
			ip_address *out)
{
	struct pool *p = pool_of(first, last, true);
	if (p == NULL)
		return false;
	uint32_t free_at = p->size;
	for (uint32_t i = 0; i < p->size; i++) {
		struct lease *l = &p->leases[i];
		if (l->id != NULL && strcmp(l->id, peer_id) == 0) {
			l->refs++;
			*out = from_v4(v4(first) + i);
			return true;
		}
		if (l->id == NULL && free_at == p->size)
			free_at = i;
	}
	if (free_at == p->size)
		return false;
	struct lease *l = &p->leases[free_at];
	l->id = strdup(peer_id);
	if (l->id == NULL)
		return false;
	l->refs = 1;
	*out = from_v4(v4(first) + free_at);
	return true;
}

void modecfg_pool_release(const ip_address *first, const ip_address *last, const ip_address *a)
{
	struct pool *p = pool_of(first, last, false);
	if (p == NULL || a->family != IP_V4 || v4(a) < v4(first) || v4(a) > v4(last))
		return;
	struct lease *l = &p->leases[v4(a) - v4(first)];
	if (l->refs > 0 && --l->refs == 0) {
		free(l->id);
		l->id = NULL;
	}
}

unsigned modecfg_pool_in_use(const ip_address *first, const ip_address *last)
{
	struct pool *p = pool_of(first, last, false);
	unsigned n = 0;
	for (uint32_t i = 0; p != NULL && i < p->size; i++)
		n += p->leases[i].id != NULL;
	return n;
}

/* ---- server ------------------------------------------------------------------------ */

/* The address for the peer: leased once per ISAKMP SA. */
static bool server_address(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	if (xa->have_addr)
		return true;
	struct end *peer = peer_end(ike->c);
	char id[ID_BUF], a[ADDRESS_BUF];
	str_id(&ike->peer_id, id);
	if (peer->has_pool) {
		if (!modecfg_pool_lease(&peer->pool_first, &peer->pool_last, id, &xa->addr)) {
			llog(&ike->logger, RC_WARNING, "Mode Config: no address left in rightaddresspool= for %s", id);
			return false;
		}
		xa->leased = true;
		xa->pool_first = peer->pool_first;
		xa->pool_last = peer->pool_last;
	} else if (peer->has_client && peer->client.addr.family == IP_V4 && peer->client.prefix == 32) {
		xa->addr = peer->client.addr;
	} else {
		llog(&ike->logger, RC_WARNING,
		     "Mode Config: no address for %s: no rightaddresspool=, and rightsubnet= is not one IPv4 address", id);
		return false;
	}
	xa->have_addr = true;
	xa->mask = from_v4(0xffffffffu);
	llog(&ike->logger, RC_INFO, "Mode Config: giving %s to %s", str_address(&xa->addr, a), id);
	return true;
}

/* The server's attributes: address, netmask, DNS servers (their bytes in buf). */
static void server_attrs(struct ike_sa *ike, struct isakmp_cfg *out, uint8_t *buf)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	memcpy(buf, xa->addr.bytes, 4);
	memcpy(buf + 4, xa->mask.bytes, 4);
	out->attrs[out->n_attrs++] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_ADDRESS, .data = { buf, 4 } };
	out->attrs[out->n_attrs++] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_NETMASK, .data = { buf + 4, 4 } };
	for (int i = 0; i < 2; i++) {
		const ip_address *d = &ike->c->modecfg_dns[i];
		if (d->family != IP_V4)
			continue;
		memcpy(buf + 8 + 4 * i, d->bytes, 4);
		out->attrs[out->n_attrs++] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_DNS,
								       .data = { buf + 8 + 4 * i, 4 } };
	}
}

bool modecfg_server_push(struct ike_sa *ike)
{
	static uint8_t buf[16];
	if (!server_address(ike))
		return false;
	struct isakmp_cfg cfg = { .type = ISAKMP_CFG_SET };
	if (random_bytes(&cfg.identifier, sizeof(cfg.identifier)) != NULL)
		cfg.identifier = 1;
	server_attrs(ike, &cfg, buf);
	return xa_send_request(ike, XA_OUT_MODECFG_SET, &cfg);
}

bool modecfg_server_request(struct ike_sa *ike, const struct isakmp_cfg *req, struct isakmp_cfg *ans,
			    uint8_t *buf, size_t cap)
{
	if (cap < 16 || !server_address(ike)) {
		xa_fail(ike, "Mode Config: no address for the peer");
		return false;
	}
	*ans = (struct isakmp_cfg){ .type = ISAKMP_CFG_REPLY, .identifier = req->identifier };
	server_attrs(ike, ans, buf);
	return true;
}

/* ---- client ------------------------------------------------------------------------ */

bool modecfg_client_pull(struct ike_sa *ike)
{
	struct isakmp_cfg cfg = { .type = ISAKMP_CFG_REQUEST, .n_attrs = 3 };
	if (random_bytes(&cfg.identifier, sizeof(cfg.identifier)) != NULL)
		cfg.identifier = 1;
	cfg.attrs[0] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_ADDRESS };
	cfg.attrs[1] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_NETMASK };
	cfg.attrs[2] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_DNS };
	if (!xa_send_request(ike, XA_OUT_MODECFG_REQUEST, &cfg))
		return false;
	llog(&ike->logger, RC_INFO, "Mode Config: asking the server for an address");
	return true;
}

bool modecfg_client_take(struct ike_sa *ike, const struct isakmp_cfg *cfg)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	const struct isakmp_cfg_attr *a = isakmp_cfg_find(cfg, CFG_INTERNAL_IP4_ADDRESS, 0);
	if (a == NULL || a->basic || a->data.len != 4) {
		llog(&ike->logger, RC_WARNING, "Mode Config: the server's %s has no IPv4 address",
		     isakmp_cfg_type_name(cfg->type));
		return false;
	}
	ip_address got = { .family = IP_V4 };
	memcpy(got.bytes, a->data.ptr, 4);
	xa->addr = got;
	xa->have_addr = true;
	xa->mask = from_v4(0xffffffffu);
	const struct isakmp_cfg_attr *m = isakmp_cfg_find(cfg, CFG_INTERNAL_IP4_NETMASK, 0);
	if (m != NULL && !m->basic && m->data.len == 4)
		memcpy(xa->mask.bytes, m->data.ptr, 4);
	char txt[ADDRESS_BUF], dns[2 * ADDRESS_BUF + 16] = "";
	size_t at = 0;
	for (size_t i = 0; i < 2; i++) {
		const struct isakmp_cfg_attr *d = isakmp_cfg_find(cfg, CFG_INTERNAL_IP4_DNS, i);
		if (d == NULL || d->basic || d->data.len != 4)
			break;
		xa->dns[i] = (ip_address){ .family = IP_V4 };
		memcpy(xa->dns[i].bytes, d->data.ptr, 4);
		at += (size_t)snprintf(dns + at, sizeof(dns) - at, "%s%s", i ? " " : ", DNS ",
				       str_address(&xa->dns[i], txt));
	}
	/* updown's PLUTO_MY_SOURCEIP, unless leftsourceip= gave one */
	struct end *me = local_end(ike->c);
	if (me->sourceip.family == IP_UNSET || xa->set_sourceip) {
		me->sourceip = got;
		xa->set_sourceip = true;
	}
	char mtxt[ADDRESS_BUF];
	llog(&ike->logger, RC_INFO, "Mode Config: got address %s (netmask %s%s)", str_address(&got, txt),
	     str_address(&xa->mask, mtxt), dns);
	return true;
}

void modecfg_client_ack(const struct isakmp_cfg *set, struct isakmp_cfg *ans)
{
	*ans = (struct isakmp_cfg){ .type = ISAKMP_CFG_ACK, .identifier = set->identifier };
	for (size_t i = 0; i < set->n_attrs && ans->n_attrs < ISAKMP_CFG_MAX_ATTRS; i++)
		if (!set->attrs[i].basic)
			ans->attrs[ans->n_attrs++] = (struct isakmp_cfg_attr){ .type = set->attrs[i].type };
}

void modecfg_free(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	char a[ADDRESS_BUF];
	if (xa->leased) {
		modecfg_pool_release(&xa->pool_first, &xa->pool_last, &xa->addr);
		xa->leased = false;
		llog(&ike->logger, RC_INFO, "Mode Config: %s is back in the pool (%u in use)", str_address(&xa->addr, a),
		     modecfg_pool_in_use(&xa->pool_first, &xa->pool_last));
	}
	if (xa->set_sourceip && ike->c != NULL) {
		local_end(ike->c)->sourceip = (ip_address){ .family = IP_UNSET };
		xa->set_sourceip = false;
	}
}

/* ---- Quick Mode's selectors ------------------------------------------------------------ */

bool ikev1_modecfg_ts(struct ike_sa *ike, struct child_ts *ts)
{
	const struct ikev1_transaction *xa = ike->v1.xa;
	if (xa == NULL || !xa->have_addr)
		return false;
	if (xa->modecfg_client)
		ts->local = subnet_from_address(&xa->addr);
	else if (xa->modecfg_server)
		ts->remote = subnet_from_address(&xa->addr);
	else
		return false;
	return true;
}

bool ikev1_modecfg_peer_client(struct ike_sa *ike, ip_subnet *out)
{
	const struct ikev1_transaction *xa = ike->v1.xa;
	if (xa == NULL || !xa->have_addr || !xa->modecfg_server)
		return false;
	*out = subnet_from_address(&xa->addr);
	return true;
}
