/* Filters to left/right: the side that is this host ("Me", else "Any",
 * which includes it, else the source with a warning) becomes left; ranges
 * become CIDR blocks, server types the addresses of --server, and each
 * combination one conn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"
#include "swan/range.h"

#define PIECES_MAX 4096
/* a transport negotiation with a subnet or range: one conn per host up to
 * this many hosts */
#define TRANSPORT_HOSTS_MAX 16
/* at most this many blocks in one leftsubnets=/rightsubnets= (the loader
 * takes 256; lines stay readable) */
#define COLLAPSE_MAX 64

struct endpoint {
	char host[260];          /* left=/right= */
	char subnet[SUBNET_BUF]; /* "" for the host itself */
	enum ip_family af;       /* IP_UNSET: not known (Me, Any, DNS) */
	bool any, me, dns;
	const char *subnets;     /* leftsubnets=/rightsubnets= ("{A B}"), not owned */
};

struct endpoints {
	struct endpoint *v;
	size_t n, cap;
};

static const char *me_host(const struct mapper *m)
{
	return m->me ? m->me : "%defaultroute";
}

static void push(struct endpoints *e, struct endpoint x)
{
	if (e->n < PIECES_MAX)
		VEC_PUSH(e->v, e->n, e->cap, x);
}

static void push_subnet(struct mapper *m, const ip_subnet *sn, bool local, struct endpoints *e)
{
	struct endpoint x = { .af = (enum ip_family)sn->addr.family };
	char buf[SUBNET_BUF];
	if (sn->prefix == address_bits(x.af)) {
		str_address(&sn->addr, x.host);
	} else {
		snprintf(x.host, sizeof(x.host), "%s", local ? me_host(m) : "%any");
		snprintf(x.subnet, sizeof(x.subnet), "%s", str_subnet(sn, buf));
	}
	push(e, x);
}

struct range_ctx {
	struct mapper *m;
	bool local;
	struct endpoints *e;
};

static bool range_piece(const ip_subnet *s, void *ctx)
{
	struct range_ctx *rc = ctx;
	push_subnet(rc->m, s, rc->local, rc->e);
	return rc->e->n < PIECES_MAX;
}

static bool expand_server(struct mapper *m, const struct naddr *a, bool local, struct where at,
			  struct endpoints *e)
{
	enum server_type t = a->server;
	if (m->o->nservers[t] == 0) {
		map_msg(m, DIAG_ERROR, at, "server type %s is this host's list of %s servers: give "
			"--server %s=ADDR to translate it", server_names[t], server_names[t],
			t == SRV_DNS ? "dns" : t == SRV_WINS ? "wins" : t == SRV_DHCP ? "dhcp" : "gateway");
		return false;
	}
	for (size_t i = 0; i < m->o->nservers[t]; i++) {
		ip_address ad;
		const char *s = m->o->servers[t][i];
		if (ttoaddress_num(s, strlen(s), IP_UNSET, &ad) == NULL) {
			ip_subnet sn = subnet_from_address(&ad);
			push_subnet(m, &sn, local, e);
		}
	}
	return true;
}

static bool expand(struct mapper *m, const struct naddr *a, bool local, struct where at,
		   struct endpoints *e)
{
	struct endpoint x = {0};
	ip_subnet sn;
	switch (a->kind) {
	case A_ME:
		snprintf(x.host, sizeof(x.host), "%s", me_host(m));
		x.me = true;
		push(e, x);
		return true;
	case A_ANY:
		snprintf(x.host, sizeof(x.host), "%s", local ? me_host(m) : "%any");
		x.any = true;
		push(e, x);
		return true;
	case A_ADDR:
		if (address_is_any(&a->a)) {
			map_msg(m, DIAG_WARNING, at, "address %s read as Any",
				a->a.family == IP_V6 ? "::" : "0.0.0.0");
			struct naddr any = { .kind = A_ANY };
			return expand(m, &any, local, at, e);
		}
		sn = (ip_subnet){ a->a, (uint8_t)a->prefix };
		push_subnet(m, &sn, local, e);
		return true;
	case A_RANGE: {
		ip_range r = { a->a, a->b };
		struct range_ctx rc = { m, local, e };
		range_to_subnets(&r, range_piece, &rc);
		return true;
	}
	case A_DNS:
		if (ieq(a->dns, "localhost")) {
			struct naddr lo = { .kind = A_ADDR, .prefix = 32 };
			ttoaddress_num("127.0.0.1", 9, IP_V4, &lo.a);
			map_msg(m, DIAG_WARNING, at, "localhost read as 127.0.0.1");
			return expand(m, &lo, local, at, e);
		}
		snprintf(x.host, sizeof(x.host), "%s", a->dns);
		x.dns = true;
		map_msg(m, DIAG_WARNING, at, "DNS name %s: resolved when the conn is loaded "
			"(Windows resolved it once, when the filter was created)", a->dns);
		push(e, x);
		return true;
	case A_SERVER:
		return expand_server(m, a, local, at, e);
	}
	return false;
}

static bool contains_me(const struct mapper *m, const struct naddr *a)
{
	if (m->me == NULL || a->kind != A_ADDR || a->a.family != m->me_addr.family)
		return false;
	ip_subnet sn = { a->a, (uint8_t)a->prefix };
	return subnet_contains_address(&sn, &m->me_addr);
}

static bool is_any(const struct naddr *a)
{
	return a->kind == A_ANY || (a->kind == A_ADDR && address_is_any(&a->a));
}

/* True when the destination is this host's side: left is always local. */
static bool swap_sides(struct mapper *m, const struct rule_spec *rs, const struct nselector *s,
		       struct where at, bool *ok)
{
	const struct naddr *src = &s->src, *dst = &s->dst;
	*ok = true;
	if (src->kind == A_ME && dst->kind == A_ME) {
		map_msg(m, DIAG_ERROR, at, "both sides of the filter are Me");
		*ok = false;
		return false;
	}
	if (src->kind == A_ME || dst->kind == A_ME)
		return dst->kind == A_ME;
	if (contains_me(m, src) || contains_me(m, dst))
		return !contains_me(m, src);
	if (is_any(src) || is_any(dst))
		return !is_any(src);
	map_msg(m, DIAG_WARNING, rs->rule_at, "%s: a filter without Me: its source is taken as "
		"this host (use --me ADDR to say which side is local)", rs->label);
	return false;
}

static void side_keys(struct nconn *c, const char *side, const struct endpoint *e, bool shunt,
		      enum ip_family af, struct where at)
{
	char key[32];
	conn_set(c, side, e->host, at);
	snprintf(key, sizeof(key), "%ssubnet", side);
	if (e->subnets != NULL)
		conn_set(c, strcmp(side, "left") == 0 ? "leftsubnets" : "rightsubnets", e->subnets, at);
	else if (e->subnet[0])
		conn_set(c, strcmp(side, "left") == 0 ? "leftsubnet" : "rightsubnet", e->subnet, at);
	else if (e->any && shunt)
		conn_set(c, strcmp(side, "left") == 0 ? "leftsubnet" : "rightsubnet",
			 af == IP_V6 ? "::/0" : "0.0.0.0/0", at);
}

static void protoports(struct mapper *m, const struct rule_spec *rs, struct nconn *c,
		       const struct nselector *s, bool swapped, struct where at)
{
	if (s->proto == 0) {
		if (s->srcport || s->dstport)
			map_msg(m, DIAG_WARNING, at, "ports without a protocol are ignored");
		return;
	}
	uint16_t lp = swapped ? s->dstport : s->srcport, rp = swapped ? s->srcport : s->dstport;
	if (s->proto != 6 && s->proto != 17 && (lp || rp)) {
		map_msg(m, DIAG_WARNING, rs->rule_at, "ports apply to TCP and UDP only: ignored");
		lp = rp = 0;
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "%u/%u", s->proto, lp);
	conn_set(c, "leftprotoport", buf, at);
	snprintf(buf, sizeof(buf), "%u/%u", s->proto, rp);
	conn_set(c, "rightprotoport", buf, at);
}

/* Transport conns are host to host: subnets and Any are dropped from them. */
static void transport_endpoint(struct mapper *m, const struct rule_spec *rs, struct endpoint *e,
			       bool local)
{
	if (!e->subnet[0] && !e->any)
		return;
	if (!local)
		map_msg(m, DIAG_WARNING, rs->rule_at, "%s: negotiation with %s: a transport conn is "
			"host to host, so this one answers any peer (right=%%any)",
			rs->label, e->subnet[0] ? e->subnet : "Any");
	else if (e->subnet[0])
		map_msg(m, DIAG_WARNING, rs->rule_at, "%s: local side %s: a transport conn covers "
			"this host only", rs->label, e->subnet);
	e->subnet[0] = '\0';
	e->any = false;
}

static void secret(struct mapper *m, const struct conn_template *t, struct nconn *c,
		   const struct endpoint *l, const struct endpoint *r, struct where at)
{
	bool gateway = conn_get(c, "type") && strcmp(conn_get(c, "type"), "tunnel") == 0;
	const char *lid = !gateway && (l->me || l->any || l->subnet[0])
			  ? (m->me ? m->me : "%any") : l->host;
	const char *rid = r->host;
	if (strcmp(lid, "%defaultroute") == 0)
		lid = "%any";
	char *key = xasprintf("%s %s", lid, rid);
	uintptr_t idx = (uintptr_t)strmap_get(&m->out->psks, key);
	if (idx != 0 && strcmp(m->out->secrets[idx - 1].key, t->psk) != 0) {
		map_msg(m, DIAG_ERROR, at, "conn %s: another PSK is already used between %s and %s "
			"(line %u); Openswan picks the key by address, so only one can be", c->name,
			lid, rid, m->out->secrets[idx - 1].at.line);
		conn_set(c, "auto", "ignore", at);
	} else if (idx == 0) {
		struct nsecret s = { xstrdup(lid), xstrdup(rid), xstrdup(t->psk), at };
		VEC_PUSH(m->out->secrets, m->out->nsecrets, m->out->capsecrets, s);
		strmap_put(&m->out->psks, key, (void *)(uintptr_t)m->out->nsecrets);
	}
	free(key);
}

static void emit(struct mapper *m, const struct rule_spec *rs, const struct conn_template *t,
		 struct endpoint l, struct endpoint r, const struct nselector *s, bool swapped,
		 struct where at, const char *parts[], size_t nparts, const char *comment)
{
	bool shunt = rs->action != ACT_NEGOTIATE;
	enum ip_family af = l.af ? l.af : r.af ? r.af : IP_V4;
	if (l.af && r.af && l.af != r.af) {
		map_msg(m, DIAG_ERROR, at, "the two sides of the filter are of different address families");
		return;
	}
	if (!shunt && !rs->tunnel) {
		transport_endpoint(m, rs, &l, true);
		transport_endpoint(m, rs, &r, false);
	}
	struct nconn *c = conn_new(m->out, parts, nparts);
	if (comment != NULL)
		conn_comment(c, "%s", comment);
	conn_set(c, t->kv[0].key, t->kv[0].value, t->kv[0].at);   /* type= first */
	side_keys(c, "left", &l, shunt, af, at);
	side_keys(c, "right", &r, shunt, af, at);
	protoports(m, rs, c, s, swapped, at);
	for (size_t i = 1; i < t->n; i++)
		conn_set(c, t->kv[i].key, t->kv[i].value, t->kv[i].at);
	if (!shunt && strcmp(r.host, "%any") == 0 && strcmp(conn_get(c, "auto"), "route") == 0)
		conn_set(c, "auto", "add", at);
	if (t->psk != NULL)
		secret(m, t, c, &l, &r, at);
}

/* The family of an address or range; IP_UNSET for Me, Any, names. */
static enum ip_family addr_family(const struct naddr *a)
{
	return a->kind == A_ADDR || a->kind == A_RANGE ? (enum ip_family)a->a.family : IP_UNSET;
}

/* Picks what Me is for this selector's address family: --me, or --me6
 * (a second --me) for IPv6. When the addresses given are all of the other
 * family, the rule cannot be translated. */
static bool select_me(struct mapper *m, const struct rule_spec *rs, const struct nselector *sel,
		      struct where at)
{
	const struct netsh_options *o = m->o;
	enum ip_family af = addr_family(&sel->src) ? addr_family(&sel->src) : addr_family(&sel->dst);
	m->me = NULL;
	m->me_addr = (ip_address){0};
	if (o->me == NULL && o->me6 == NULL)
		return true;
	if (af == IP_UNSET) {
		m->me = o->me ? o->me : o->me6;
		m->me_addr = o->me ? o->me_addr : o->me6_addr;
		return true;
	}
	if (af == IP_V6 ? o->me6 != NULL : o->me != NULL) {
		m->me = af == IP_V6 ? o->me6 : o->me;
		m->me_addr = af == IP_V6 ? o->me6_addr : o->me_addr;
		return true;
	}
	map_msg(m, DIAG_ERROR, at, "%s: an IPv%d filter, but Me is given only as IPv%d (%s): "
		"give %s ADDR too; filter not translated", rs->label, af == IP_V6 ? 6 : 4,
		af == IP_V6 ? 4 : 6, af == IP_V6 ? o->me : o->me6, af == IP_V6 ? "--me6" : "--me");
	return false;
}

static void next_address(ip_address *a)
{
	for (int i = a->family == IP_V6 ? 15 : 3; i >= 0; i--)
		if (++a->bytes[i] != 0)
			break;
}

/* A transport conn is host to host, and right=%any would accept any peer
 * with the key: a peer subnet or range becomes one conn per host, when it
 * is small enough; otherwise the filter is not translated. */
static bool transport_peers(struct mapper *m, const struct rule_spec *rs, struct endpoints *R,
			    struct where at)
{
	struct endpoints out = {0};
	uint64_t hosts = 0;
	char first[SUBNET_BUF] = "";
	for (size_t i = 0; i < R->n; i++) {
		struct endpoint *e = &R->v[i];
		if (!e->subnet[0]) {
			push(&out, *e);
			continue;
		}
		ip_subnet sn;
		if (first[0] == '\0')
			snprintf(first, sizeof(first), "%s", e->subnet);
		if (ttosubnet(e->subnet, strlen(e->subnet), IP_UNSET, &sn, NULL) != NULL)
			continue;
		unsigned bits = address_bits((enum ip_family)sn.addr.family) - sn.prefix;
		hosts += bits >= 32 ? UINT64_C(1) << 32 : UINT64_C(1) << bits;
		if (hosts > TRANSPORT_HOSTS_MAX)
			break;
		ip_address a = sn.addr;
		for (uint64_t k = 0; k < (UINT64_C(1) << bits); k++) {
			struct endpoint h = { .af = e->af };
			str_address(&a, h.host);
			push(&out, h);
			next_address(&a);
		}
	}
	if (hosts > TRANSPORT_HOSTS_MAX) {
		map_msg(m, DIAG_ERROR, at, "%s: negotiation with %s%s: a transport conn is host to "
			"host, and one for any peer (right=%%any) would let in any host with the key; "
			"filter not translated (name the hosts, at most %d, or use a tunnel)",
			rs->label, first, R->n > 1 ? " and more" : "", TRANSPORT_HOSTS_MAX);
		free(out.v);
		return false;
	}
	free(R->v);
	*R = out;
	return true;
}

static bool same_endpoint(const struct endpoint *a, const struct endpoint *b)
{
	return strcmp(a->host, b->host) == 0 && strcmp(a->subnet, b->subnet) == 0 &&
	       a->any == b->any;
}

/* The CIDR blocks of a range (or of a server type's addresses) on a
 * shunt conn: one conn with leftsubnets=/rightsubnets= rather than one
 * conn per block. */
static void collapse(struct mapper *m, struct endpoints *e, bool local, struct sbuf *buf)
{
	if (e->n < 2 || e->n > COLLAPSE_MAX)
		return;
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].any || e->v[i].me || e->v[i].dns || e->v[i].af != e->v[0].af)
			return;
	sb_putc(buf, '{');
	for (size_t i = 0; i < e->n; i++) {
		const struct endpoint *x = &e->v[i];
		if (x->subnet[0])
			sb_printf(buf, "%s%s", i ? " " : "", x->subnet);
		else
			sb_printf(buf, "%s%s/%u", i ? " " : "", x->host, address_bits(x->af));
	}
	sb_putc(buf, '}');
	struct endpoint one = { .af = e->v[0].af, .subnets = sb_str(buf) };
	snprintf(one.host, sizeof(one.host), "%s", local ? me_host(m) : "%any");
	e->v[0] = one;
	e->n = 1;
}

/* Pieces that became the same endpoint give one conn, not several. */
static void dedupe(struct endpoints *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = same_endpoint(&e->v[j], &e->v[i]);
		if (!dup)
			e->v[n++] = e->v[i];
	}
	e->n = n;
}

static void map_selector_1(struct mapper *m, const struct rule_spec *rs,
			   const struct conn_template *t, const struct nselector *sel,
			   struct where at, const char *filter_part, const char *comment);

void map_selector(struct mapper *m, const struct rule_spec *rs, const struct conn_template *t,
		  const struct nselector *sel, struct where at, const char *filter_part,
		  const char *comment)
{
	m->rule = rs;
	map_selector_1(m, rs, t, sel, at, filter_part, comment);
	m->rule = NULL;
}

static void map_selector_1(struct mapper *m, const struct rule_spec *rs,
			   const struct conn_template *t, const struct nselector *sel,
			   struct where at, const char *filter_part, const char *comment)
{
	if (!select_me(m, rs, sel, at))
		return;
	bool ok, swapped = swap_sides(m, rs, sel, at, &ok);
	if (!ok)
		return;
	struct endpoints L = {0}, R = {0};
	struct sbuf lbuf = {0}, rbuf = {0};
	bool transport = rs->action == ACT_NEGOTIATE && !rs->tunnel;
	if (expand(m, swapped ? &sel->dst : &sel->src, true, at, &L) &&
	    expand(m, swapped ? &sel->src : &sel->dst, false, at, &R) &&
	    (!transport || transport_peers(m, rs, &R, at))) {
		if (transport)
			for (size_t i = 0; i < L.n; i++)
				transport_endpoint(m, rs, &L.v[i], true);
		dedupe(&L);
		dedupe(&R);
		if (rs->action != ACT_NEGOTIATE) {
			collapse(m, &L, true, &lbuf);
			collapse(m, &R, false, &rbuf);
		}
		if (!sel->mirrored)
			map_msg(m, DIAG_WARNING, rs->rule_at, "%s: one-way filters (mirrored=no) become "
				"two-way conns", rs->label);
		size_t n = L.n * R.n;
		char piece[32];
		const char *parts[6] = { rs->parts[0], rs->parts[1], rs->parts[2] };
		size_t np = rs->nparts;
		if (filter_part[0])
			parts[np++] = filter_part;
		for (size_t i = 0, k = 1; i < L.n; i++)
			for (size_t j = 0; j < R.n; j++, k++) {
				snprintf(piece, sizeof(piece), "%zu", k);
				parts[np] = piece;
				emit(m, rs, t, L.v[i], R.v[j], sel, swapped, at, parts,
				     np + (n > 1), comment);
			}
	}
	sb_free(&lbuf);
	sb_free(&rbuf);
	free(L.v);
	free(R.v);
}

/* Tunnel subnets: Me is --me/32, Any 0.0.0.0/0. */
static bool tunnel_side(struct mapper *m, const struct naddr *a, struct where at,
			struct endpoints *e)
{
	if (a->kind == A_ME) {
		if (m->me == NULL) {
			map_msg(m, DIAG_ERROR, at, "a tunnel filter with Me needs --me ADDR");
			return false;
		}
		struct naddr x = { .kind = A_ADDR, .a = m->me_addr,
				   .prefix = address_bits((enum ip_family)m->me_addr.family) };
		return tunnel_side(m, &x, at, e);
	}
	if (a->kind == A_ANY) {
		struct endpoint x = { .any = true };
		push(e, x);
		return true;
	}
	if (a->kind == A_DNS) {
		map_msg(m, DIAG_ERROR, at, "a DNS name cannot be a tunnel subnet");
		return false;
	}
	size_t before = e->n;
	if (!expand(m, a, false, at, e))
		return false;
	for (size_t i = before; i < e->n; i++)   /* hosts become /32 subnets */
		if (!e->v[i].subnet[0] && !e->v[i].any) {
			ip_address ad;
			ttoaddress_num(e->v[i].host, strlen(e->v[i].host), IP_UNSET, &ad);
			ip_subnet sn = subnet_from_address(&ad);
			str_subnet(&sn, e->v[i].subnet);
		}
	return true;
}

void map_tunnel(struct mapper *m, const struct rule_spec *rs, const struct conn_template *t,
		const struct nselector *sel, struct where at, const char *filter_part,
		const char *comment)
{
	if (!select_me(m, rs, sel, at))
		return;
	m->rule = rs;
	struct endpoints L = {0}, R = {0};
	if (sel->mirrored)
		map_msg(m, DIAG_WARNING, rs->rule_at, "%s: tunnel filters should be mirrored=no "
			"(one rule per direction)", rs->label);
	if (sel->proto != 0)
		map_msg(m, DIAG_WARNING, rs->rule_at, "%s: a tunnel filter with a protocol: kept, "
			"though Windows advises against it", rs->label);
	if (tunnel_side(m, &sel->src, at, &L) && tunnel_side(m, &sel->dst, at, &R)) {
		const char *parts[6] = { rs->parts[0], rs->parts[1], rs->parts[2] };
		size_t np = rs->nparts;
		char piece[32];
		if (filter_part[0])
			parts[np++] = filter_part;
		for (size_t i = 0, k = 1; i < L.n; i++)
			for (size_t j = 0; j < R.n; j++, k++) {
				struct endpoint l = L.v[i], r = R.v[j];
				enum ip_family af = l.af ? l.af : r.af ? r.af : IP_V4;
				if (l.any)
					snprintf(l.subnet, sizeof(l.subnet), "%s", af == IP_V6 ? "::/0" : "0.0.0.0/0");
				if (r.any)
					snprintf(r.subnet, sizeof(r.subnet), "%s", af == IP_V6 ? "::/0" : "0.0.0.0/0");
				l.any = r.any = false;
				snprintf(l.host, sizeof(l.host), "%s", rs->pair_tunnel ? rs->pair_tunnel : me_host(m));
				snprintf(r.host, sizeof(r.host), "%s", rs->tunnel);
				snprintf(piece, sizeof(piece), "%zu", k);
				parts[np] = piece;
				emit(m, rs, t, l, r, sel, false, at, parts, np + (L.n * R.n > 1), comment);
			}
	}
	m->rule = NULL;
	free(L.v);
	free(R.v);
}
