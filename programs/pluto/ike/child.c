/* Child SAs in the kernel (programs/pluto/kernel) and the updown calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "iface.h"
#include "ike/child.h"
#include "kernel/route.h"
#include "ikev2/ikev2_msg.h"
#include "kernel/kernel.h"
#include "kernel/updown.h"
#include "pluto.h"

#define UPDOWN_TIMEOUT_MS 10000
#define REQID_BASE 16384u

/* Stable per conn: derived from its name, so a replaced conn keeps it. */
uint32_t conn_reqid(const struct connection *c)
{
	return connection_reqid(c->name);
}

struct connection *conn_by_reqid(struct pluto *p, uint32_t reqid)
{
	return connections_by_reqid(&p->conns, reqid);
}

/* Lower values win in XFRM: more specific selectors get lower values. */
static uint32_t priority_of(const struct kernel_selector *sel, bool shunt)
{
	uint32_t p = 1000000u - 256u * (sel->src.prefix + sel->dst.prefix);
	if (sel->proto)
		p -= 64;
	if (sel->sport || sel->dport)
		p -= 32;
	return shunt ? p + 8 : p;
}

static struct kernel_selector selector_of(const struct child_ts *ts, bool outbound)
{
	struct kernel_selector s = { .proto = ts->proto };
	s.src = outbound ? ts->local : ts->remote;
	s.dst = outbound ? ts->remote : ts->local;
	s.sport = outbound ? ts->local_port : ts->remote_port;
	s.dport = outbound ? ts->remote_port : ts->local_port;
	return s;
}

/* The conn's own selectors (for trap and shunt policies). */
static struct child_ts conn_ts(struct connection *c)
{
	struct child_ts ts = {
		.local = local_end(c)->client, .remote = peer_end(c)->client,
		.proto = local_end(c)->protoport.proto ? local_end(c)->protoport.proto
						       : peer_end(c)->protoport.proto,
		.local_port = local_end(c)->protoport.port,
		.remote_port = peer_end(c)->protoport.port,
	};
	return ts;
}

static void updown_ctx_of(struct pluto *p, struct connection *c, const struct child_ts *ts,
			  const struct ike_sa *ike, struct updown_ctx *u, char *myid,
			  char *peerid)
{
	const struct end *me = local_end(c), *peer = peer_end(c);
	memset(u, 0, sizeof(*u));
	u->connection = c->name;
	const struct iface *ifc = ike ? ike->iface : ifaces_find(p, &me->host, false);
	u->interface = ifc ? ifc->name : NULL;
	u->me = ike ? ike->iface->addr : me->host;
	u->peer = ike ? ike->remote : peer->host;
	str_id(&me->id, myid);
	str_id(ike && ike->peer_id.kind != ID_NONE ? &ike->peer_id : &peer->id, peerid);
	u->my_id = myid;
	u->peer_id = peerid;
	u->my_client = ts->local;
	u->peer_client = ts->remote;
	u->my_protocol = u->peer_protocol = ts->proto;
	u->my_port = ts->local_port;
	u->peer_port = ts->remote_port;
	u->metric = c->metric;
	u->my_sourceip = me->sourceip;
	/* Openswan's policy words: authentication, ESP, mode, PFS */
	snprintf(u->policy_buf, sizeof(u->policy_buf), "%s%s%s%s", c->authby & AUTH_PSK ? "PSK" : c->authby & AUTH_RSASIG ? "RSASIG" : "ECDSA",
		 c->child_ah ? "+AUTHENTICATE" : "+ENCRYPT", c->type == CONN_TUNNEL ? "+TUNNEL" : "",
		 c->pfs ? "+PFS" : "");
	u->policy = u->policy_buf;
	ip_address nh;
	if (me->nexthop_text != NULL) {
		if (ttoaddress_num(me->nexthop_text, strlen(me->nexthop_text), IP_UNSET, &nh) == NULL)
			u->next_hop = nh;
	} else if (route_gateway(&u->peer, &nh)) {
		/* the peer is not on a link of ours (behind a router, or we
		 * are behind a NAT): routes go via the gateway to it */
		u->next_hop = nh;
	}
}

static void run_updown(struct pluto *p, struct connection *c, const struct child_ts *ts,
		       const struct ike_sa *ike, enum updown_verb verb, const struct logger *lg)
{
	const char *cmd = local_end(c)->updown;
	char dflt[512];
	if (cmd == NULL || updown_disabled(cmd))
		return;
	if (strcmp(cmd, "ipsec _updown") == 0)
		cmd = updown_default_command(dflt, sizeof(dflt));
	struct updown_ctx u;
	char myid[ID_BUF], peerid[ID_BUF];
	updown_ctx_of(p, c, ts, ike, &u, myid, peerid);
	updown_run(cmd, verb, &u, UPDOWN_TIMEOUT_MS, lg, NULL);
}

bool child_alloc_spi(struct child_sa *child)
{
	struct ike_sa *ike = child->ike;
	struct kernel_diag d;
	struct kernel_spi_req req = {
		.src = ike->remote, .dst = ike->iface->addr,
		.proto = child->protocol == IKEV2_PROTO_AH ? KERNEL_PROTO_AH : KERNEL_PROTO_ESP,
		.mode = child->c->type == CONN_TRANSPORT ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL,
		.reqid = conn_reqid(child->c),
	};
	if (kernel_get_spi(ike->pluto->kernel, &req, &child->spi_in, &d) != NULL) {
		llog(&child->logger, RC_ERROR, "%s", d.text);
		return false;
	}
	return true;
}

static chunk_t keymat(const struct child_dir_keys *k, uint8_t *buf, size_t size)
{
	size_t n = k->encr.len + k->salt.len;
	if (n > size)
		return EMPTY_CHUNK;
	memcpy(buf, k->encr.ptr, k->encr.len);
	memcpy(buf + k->encr.len, k->salt.ptr, k->salt.len);
	return chunk_from(buf, n);
}

static void fill_sa(struct kernel_sa *sa, struct child_sa *child, bool inbound,
		    const struct child_dir_keys *k, uint8_t *kbuf, size_t ksize)
{
	struct ike_sa *ike = child->ike;
	memset(sa, 0, sizeof(*sa));
	sa->src = inbound ? ike->remote : ike->iface->addr;
	sa->dst = inbound ? ike->iface->addr : ike->remote;
	sa->proto = child->protocol == IKEV2_PROTO_AH ? KERNEL_PROTO_AH : KERNEL_PROTO_ESP;
	sa->spi = inbound ? child->spi_in : child->spi_out;
	sa->reqid = child->reqid;
	sa->mode = child->transport ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	sa->encr = child->suite.encr;
	sa->encr_key = child->suite.encr ? keymat(k, kbuf, ksize) : EMPTY_CHUNK;
	sa->integ = child->suite.integ != NULL && child->suite.integ->ikev2_id != 0 ?
		    child->suite.integ : NULL;
	sa->integ_key = k->integ;
	sa->replay_window = inbound ? 32 : 0;
	uint64_t life = child->lifetime_ms / 1000;
	sa->life.hard_seconds = life;
	sa->life.soft_seconds = life > 60 ? life - life / 10 : 0;
	if (child->lifetime_kb != 0 && child->lifetime_kb <= UINT64_MAX / 1024) {
		sa->life.hard_bytes = child->lifetime_kb * 1024;
		sa->life.soft_bytes = sa->life.hard_bytes - sa->life.hard_bytes / 10;
	}
	if (child->encap) {
		sa->encap.enabled = true;
		sa->encap.sport = inbound ? ike->remote_port : ike->iface->port;
		sa->encap.dport = inbound ? ike->iface->port : ike->remote_port;
	}
}

/* One of the Child SA's two SAs, as the kernel names it. */
static struct kernel_sa_id child_sa_id(const struct child_sa *c, bool inbound)
{
	const struct ike_sa *ike = c->ike;
	uint8_t proto = c->protocol == IKEV2_PROTO_AH ? KERNEL_PROTO_AH : KERNEL_PROTO_ESP;
	return inbound ? (struct kernel_sa_id){ ike->remote, ike->iface->addr, proto, c->spi_in }
		       : (struct kernel_sa_id){ ike->iface->addr, ike->remote, proto, c->spi_out };
}

static size_t ipsec_policies(struct child_sa *child, struct kernel_policy pol[3])
{
	struct ike_sa *ike = child->ike;
	size_t n = 0;
	struct kernel_tmpl out_t = { ike->iface->addr, ike->remote,
				     child->protocol == IKEV2_PROTO_AH ? KERNEL_PROTO_AH : KERNEL_PROTO_ESP,
				     child->transport ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL,
				     child->reqid };
	struct kernel_tmpl in_t = out_t;
	in_t.src = ike->remote;
	in_t.dst = ike->iface->addr;
	struct kernel_selector out_s = selector_of(&child->ts, true);
	struct kernel_selector in_s = selector_of(&child->ts, false);
	pol[n++] = (struct kernel_policy){ out_s, KERNEL_DIR_OUT, KERNEL_ACTION_IPSEC,
					   priority_of(&out_s, false), out_t };
	pol[n++] = (struct kernel_policy){ in_s, KERNEL_DIR_IN, KERNEL_ACTION_IPSEC,
					   priority_of(&in_s, false), in_t };
	if (!child->transport)
		pol[n++] = (struct kernel_policy){ in_s, KERNEL_DIR_FWD, KERNEL_ACTION_IPSEC,
						   priority_of(&in_s, false), in_t };
	return n;
}

/* ---- a rekey's outbound SA held back ------------------------------------
 * Of the two ends of a rekey one installs first: the IKEv1 Quick Mode
 * initiator on message 2, before its message 3 reaches the peer (which
 * installs on it); the IKEv2 CREATE_CHILD_SA responder before its answer
 * reaches the initiator. Its new outbound SA, in use at once, would send
 * packets the peer cannot take yet. So that SA waits here with its keys:
 * the old one (same reqid: the policies' template takes either) carries
 * the traffic until the first packet comes in on the new inbound SA (the
 * peer installs both of its SAs at once), or HOLD_MAX_MS passed, well
 * before our IKEv1 Delete of the old one, or the old one is deleted (the
 * IKEv2 initiator's Delete: its inbound twin is gone). */
#define HOLD_POLL_MS 50
#define HOLD_MAX_MS 1000

struct held_outbound {
	struct kernel_sa sa;
	uint8_t encr[128], integ[128];
	struct event *timer;
	unsigned waited_ms;
};

static void held_free(struct child_sa *child)
{
	struct held_outbound *h = child->held_out;
	if (h == NULL)
		return;
	if (h->timer != NULL)
		event_free(h->timer);
	memset(h, 0, sizeof(*h));
	free(h);
	child->held_out = NULL;
}

static void held_arm(struct held_outbound *h)
{
	struct timeval tv = { 0, HOLD_POLL_MS * 1000 };
	evtimer_add(h->timer, &tv);
}

/* The held SA into the kernel now; why says what let it go. */
static void held_install(struct child_sa *child, const char *why)
{
	struct kernel_diag d;
	if (kernel_add_sa(child->ike->pluto->kernel, &child->held_out->sa, &d) != NULL)
		llog(&child->logger, RC_ERROR, "the new outbound SA: %s", d.text);
	else
		llog(&child->logger, RC_INFO, "outbound SA 0x%08x in use (%s)", child->spi_out, why);
	held_free(child);
}

static void held_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct child_sa *child = arg;
	struct held_outbound *h = child->held_out;
	struct kernel_diag d;
	struct kernel_sa_id iid = child_sa_id(child, true);
	struct kernel_sa_counters in = { 0 };
	bool seen = kernel_sa_counters(child->ike->pluto->kernel, &iid, &in, &d) == NULL &&
		    in.packets > 0;
	if (!seen && h->waited_ms < HOLD_MAX_MS) {
		h->waited_ms += HOLD_POLL_MS;
		held_arm(h);
		return;
	}
	held_install(child, seen ? "the peer's first packet came on the new inbound SA"
				 : "no packet from the peer on the new inbound SA within 1 s");
}

/* The outbound SA out kept aside with copies of its keys, or NULL (no
 * event loop, or keys too long: then it goes in at once). */
static struct held_outbound *held_new(struct child_sa *child, const struct kernel_sa *out)
{
	struct pluto *p = child->ike->pluto;
	if (p->base == NULL || out->encr_key.len > sizeof(((struct held_outbound *)0)->encr) ||
	    out->integ_key.len > sizeof(((struct held_outbound *)0)->integ))
		return NULL;
	struct held_outbound *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->sa = *out;
	memcpy(h->encr, out->encr_key.ptr, out->encr_key.len);
	memcpy(h->integ, out->integ_key.ptr, out->integ_key.len);
	h->sa.encr_key = chunk_from(h->encr, out->encr_key.len);
	h->sa.integ_key = chunk_from(h->integ, out->integ_key.len);
	h->timer = evtimer_new(p->base, held_poll, child);
	if (h->timer == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

bool child_install(struct child_sa *child, const struct child_sa_keys *keys, bool we_initiated,
		   bool hold_outbound)
{
	struct ike_sa *ike = child->ike;
	struct pluto *p = ike->pluto;
	struct kernel_diag d;
	const struct child_dir_keys *in_k = we_initiated ? &keys->r2i : &keys->i2r;
	const struct child_dir_keys *out_k = we_initiated ? &keys->i2r : &keys->r2i;
	uint8_t kin[128], kout[128];
	struct kernel_sa in, out;
	child->reqid = conn_reqid(child->c);
	fill_sa(&in, child, true, in_k, kin, sizeof(kin));
	fill_sa(&out, child, false, out_k, kout, sizeof(kout));
	struct held_outbound *held = hold_outbound ? held_new(child, &out) : NULL;
	err_t e = held != NULL ? kernel_add_sa(p->kernel, &in, &d) : kernel_add_sa_pair(p->kernel, &in, &out, &d);
	memset(kin, 0, sizeof(kin));
	memset(kout, 0, sizeof(kout));
	child->held_out = held;
	if (e != NULL) {
		llog(&child->logger, RC_ERROR, "%s", d.text);
		held_free(child);
		return false;
	}
	struct kernel_policy pol[3];
	size_t n = ipsec_policies(child, pol);
	/* a routed conn has a trap out policy (same selector) to replace */
	bool replace = child->c->routed || child->rekey_of_spi != 0;
	if (kernel_add_policies(p->kernel, pol, n, replace, &d) != NULL) {
		llog(&child->logger, RC_ERROR, "%s", d.text);
		struct kernel_sa_id iid = kernel_sa_id_of(&in), oid = kernel_sa_id_of(&out);
		kernel_del_sa(p->kernel, &iid, &d);
		if (held == NULL)
			kernel_del_sa(p->kernel, &oid, &d);
		held_free(child);
		return false;
	}
	if (held != NULL)
		held_arm(held);
	child->installed = true;
	if (!child->c->routed)
		run_updown(p, child->c, &child->ts, ike, UPDOWN_PREPARE, &child->logger);
	run_updown(p, child->c, &child->ts, ike, UPDOWN_UP, &child->logger);
	return true;
}

void child_uninstall(struct child_sa *child)
{
	struct ike_sa *ike = child->ike;
	struct pluto *p = ike->pluto;
	struct kernel_diag d;
	if (!child->installed) {
		/* an SPI reserved for a negotiation that never finished */
		if (child->spi_in != 0 && ike->iface != NULL) {
			struct kernel_sa_id id = child_sa_id(child, true);
			kernel_del_sa(p->kernel, &id, &d);
		}
		return;
	}
	/* a newer Child SA of the same conn keeps the policies, unless it
	 * has other selectors (one conn, many road warriors: each peer's
	 * Mode Config address is a pair of its own) */
	struct child_sa *newer = child->c->child_serial != 0 && child->c->child_serial != child->serial
		? child_sa_by_serial(p, child->c->child_serial) : NULL;
	bool replaced = child->state == CHILD_REKEYED ||
			(child->c->child_serial != 0 && child->c->child_serial != child->serial &&
			 (newer == NULL || (address_eq(&newer->ts.remote.addr, &child->ts.remote.addr) &&
					    newer->ts.remote.prefix == child->ts.remote.prefix &&
					    address_eq(&newer->ts.local.addr, &child->ts.local.addr) &&
					    newer->ts.local.prefix == child->ts.local.prefix)));
	/* the peer deleted the old one: its replacement's outbound SA now */
	if (replaced && newer != NULL && newer->held_out != NULL)
		held_install(newer, "the SA it replaces is deleted");
	if (!replaced) {
		struct kernel_policy pol[3];
		size_t n = ipsec_policies(child, pol);
		for (size_t i = 0; i < n; i++) {
			if (child->c->routed && pol[i].dir == KERNEL_DIR_OUT) {
				pol[i].action = KERNEL_ACTION_TRAP;
				if (kernel_replace_policy(p->kernel, &pol[i], &d) != NULL)
					llog(&child->logger, RC_WARNING, "%s", d.text);
			} else if (kernel_del_policy(p->kernel, &pol[i], &d) != NULL) {
				llog(&child->logger, RC_WARNING, "%s", d.text);
			}
		}
		run_updown(p, child->c, &child->ts, ike, UPDOWN_DOWN, &child->logger);
	}
	struct kernel_sa_id in = child_sa_id(child, true), out = child_sa_id(child, false);
	if (kernel_del_sa(p->kernel, &in, &d) != NULL)
		llog(&child->logger, RC_WARNING, "%s", d.text);
	if (child->held_out != NULL)
		held_free(child);    /* never went into the kernel */
	else if (kernel_del_sa(p->kernel, &out, &d) != NULL)
		llog(&child->logger, RC_WARNING, "%s", d.text);
	child->installed = false;
}

/* ---- routing ------------------------------------------------------------ */

static enum kernel_action shunt_action(enum conn_type t)
{
	static const enum kernel_action actions[] = {
		[CONN_TUNNEL] = KERNEL_ACTION_TRAP,
		[CONN_TRANSPORT] = KERNEL_ACTION_TRAP,
		[CONN_PASSTHROUGH] = KERNEL_ACTION_PASS,
		[CONN_DROP] = KERNEL_ACTION_DROP,
		[CONN_REJECT] = KERNEL_ACTION_REJECT,
	};
	return actions[t];
}

/* Trap: one out policy with the conn's template. Shunts: out, in (and fwd)
 * with the shunt's action. */
static size_t route_policies(struct connection *c, struct kernel_policy pol[3])
{
	struct child_ts ts = conn_ts(c);
	enum kernel_action a = shunt_action(c->type);
	bool shunt = a != KERNEL_ACTION_TRAP;
	struct kernel_selector out_s = selector_of(&ts, true), in_s = selector_of(&ts, false);
	struct kernel_tmpl t = { local_end(c)->host, peer_end(c)->host, KERNEL_PROTO_ESP,
				 c->type == CONN_TRANSPORT ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL,
				 conn_reqid(c) };
	if (c->child_ah)
		t.proto = KERNEL_PROTO_AH;
	size_t n = 0;
	pol[n++] = (struct kernel_policy){ out_s, KERNEL_DIR_OUT, a, priority_of(&out_s, shunt), t };
	if (shunt) {
		pol[n++] = (struct kernel_policy){ in_s, KERNEL_DIR_IN, a, priority_of(&in_s, true), t };
		pol[n++] = (struct kernel_policy){ in_s, KERNEL_DIR_FWD, a, priority_of(&in_s, true), t };
	}
	return n;
}

bool conn_route(struct pluto *p, struct connection *c, char *why, size_t whysize)
{
	if (c->routed)
		return true;
	if (local_end(c)->host_kind != HOST_ADDRESS || (c->type <= CONN_TRANSPORT &&
							peer_end(c)->host_kind != HOST_ADDRESS)) {
		snprintf(why, whysize, "cannot route: both ends need an address (right=%s)",
			 peer_end(c)->host_text);
		return false;
	}
	struct kernel_policy pol[3];
	size_t n = route_policies(c, pol);
	struct kernel_diag d;
	if (kernel_add_policies(p->kernel, pol, n, false, &d) != NULL) {
		snprintf(why, whysize, "%s", d.text);
		return false;
	}
	c->routed = true;
	struct child_ts ts = conn_ts(c);
	struct logger lg;
	logger_init(&lg, -1, "\"%s\": ", c->name);
	if (c->type <= CONN_TRANSPORT) {
		run_updown(p, c, &ts, NULL, UPDOWN_PREPARE, &lg);
		run_updown(p, c, &ts, NULL, UPDOWN_ROUTE, &lg);
	}
	return true;
}

void conn_unroute(struct pluto *p, struct connection *c)
{
	if (!c->routed)
		return;
	struct kernel_policy pol[3];
	size_t n = route_policies(c, pol);
	struct kernel_diag d;
	struct logger lg;
	logger_init(&lg, -1, "\"%s\": ", c->name);
	for (size_t i = 0; i < n; i++)
		if (kernel_del_policy(p->kernel, &pol[i], &d) != NULL)
			llog(&lg, RC_WARNING, "%s", d.text);
	c->routed = false;
	struct child_ts ts = conn_ts(c);
	if (c->type <= CONN_TRANSPORT)
		run_updown(p, c, &ts, NULL, UPDOWN_UNROUTE, &lg);
}

void child_counters(struct pluto *p, const struct child_sa *c, struct kernel_sa_counters *in,
		    struct kernel_sa_counters *out)
{
	struct kernel_diag d;
	struct kernel_sa_id iid = child_sa_id(c, true), oid = child_sa_id(c, false);
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	kernel_sa_counters(p->kernel, &iid, in, &d);
	kernel_sa_counters(p->kernel, &oid, out, &d);
}
