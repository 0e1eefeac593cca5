/* whack status: conns, IKE SAs and Child SAs (SPIs, algorithms, lifetimes,
 * traffic counters from the kernel), as text lines or one JSON document
 * (option json=yes). A conn name limits it to that conn. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "status_counters.h"
#include "swan/json.h"
#include "ctl.h"
#include "iface.h"
#include "ike/child.h"
#include "ike/ops.h"
#include "ikev2/cookie.h"
#include "ikev2/proposals.h"
#include "ike/sa.h"
#include "ikev2/ikev2_msg.h"
#include "kernel/kernel.h"
#include "pluto.h"

/* The JSON status's "schema": raised when a field changes meaning or goes
 * away (new fields may come without it); documented in whack --help. */
#define STATUS_JSON_SCHEMA 1

/* A growing text buffer for the JSON document. */
struct buf {
	char *s;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		b->cap = (b->n + (size_t)need + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

static void put_bytes(void *ctx, const char *text, size_t n)
{
	put(ctx, "%.*s", (int)n, text);
}

/* A JSON string, valid whatever the bytes (the tree's one escaper). */
static void put_str(struct buf *b, const char *s)
{
	json_quote(s, strlen(s), put_bytes, b);
}

static const char *const type_names[] = {
	[CONN_TUNNEL] = "tunnel", [CONN_TRANSPORT] = "transport",
	[CONN_PASSTHROUGH] = "passthrough", [CONN_DROP] = "drop", [CONN_REJECT] = "reject",
};

static const char *authby_name(const struct connection *c)
{
	static char buf[128];
	struct authby a = { .methods = c->authby, .rsa_hashes = c->rsa_hashes,
			    .ecdsa_hashes = c->ecdsa_hashes };
	return str_authby(&a, buf, sizeof(buf));
}

static void end_text(const struct end *e, char *buf, size_t size)
{
	char sub[SUBNET_BUF], id[ID_BUF];
	str_subnet(&e->client, sub);
	str_id(&e->id, id);
	snprintf(buf, size, "%s[%s]%s%s", e->host_text, e->id.kind == ID_NONE ? "" : id,
		 e->has_client ? "===" : "", e->has_client ? sub : "");
}

/* Seconds (rounded up) until a monotonic deadline; 0 when past. */
static unsigned secs_until(uint64_t at_ms)
{
	uint64_t now = mono_ms();
	return at_ms > now ? (unsigned)((at_ms - now + 999) / 1000) : 0;
}

/* Which end is this host; for a conn that is not oriented, why: its host
 * names being looked up ("resolving HOST") or not resolved ("HOST:
 * error"), else "not oriented". */
static const char *orientation(const struct connection *c, char *buf, size_t size)
{
	if (c->local >= 0)
		return c->local ? "this host is right" : "this host is left";
	size_t n = 0;
	buf[0] = '\0';
	for (int s = 0; s < 2; s++) {
		const struct end *e = &c->end[s];
		if (e->host_kind != HOST_DNS || n >= size)
			continue;
		const char *sep = n ? ", " : "";
		int k;
		if (e->dns_pending)
			k = snprintf(buf + n, size - n, "%sresolving %s", sep, e->host_text);
		else if (e->dns_error != NULL)
			k = snprintf(buf + n, size - n, "%s%s: %s (next lookup in %u s)", sep, e->host_text,
				     e->dns_error, secs_until(e->dns_retry_at_ms));
		else
			k = snprintf(buf + n, size - n, "%s%s: not looked up yet", sep, e->host_text);
		if (k > 0)
			n += (size_t)k;
	}
	return n ? buf : "not oriented";
}

/* "; keying attempt 2 of 3 in 1 s" while keyingtries= attempts go on */
static const char *keying_text(const struct connection *c, char *buf, size_t size)
{
	if (c->keying_attempt == 0)
		return "";
	char of[16], when[32] = "";
	if (c->keyingtries)
		snprintf(of, sizeof(of), "%u", c->keyingtries);
	else
		snprintf(of, sizeof(of), "%%forever");
	if (c->keying_waiting)
		snprintf(when, sizeof(when), " in %u s", secs_until(c->keying_at_ms));
	snprintf(buf, size, "; keying attempt %u of %s%s", c->keying_attempt, of, when);
	return buf;
}

static long remaining(time_t since, uint64_t life_ms)
{
	long left = (long)(life_ms / 1000) - (long)(time(NULL) - since);
	return left > 0 ? left : 0;
}

/* Seconds since an SA was established (-1: not yet). */
static long age(time_t established)
{
	return established ? (long)(time(NULL) - established) : -1L;
}

/* Seconds until an SA's rekey starts (-1: none planned, as on a responder). */
static long rekey_in(uint64_t at_ms)
{
	if (at_ms == 0)
		return -1;
	uint64_t now = mono_ms();
	return at_ms > now ? (long)((at_ms - now) / 1000) : 0L;
}

static void spis_hex(const struct ike_sa *ike, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		buf[2 * i] = hex[ike->spi_i[i] >> 4];
		buf[2 * i + 1] = hex[ike->spi_i[i] & 15];
		buf[17 + 2 * i] = hex[ike->spi_r[i] >> 4];
		buf[18 + 2 * i] = hex[ike->spi_r[i] & 15];
	}
	buf[16] = ':';
	buf[33] = '\0';
}

/* ---- text ------------------------------------------------------------------ */

static void text_status(struct pluto *p, const char *only, struct ctl_client *cl)
{
	char l[1200], r[1200], suite[128], spis[40], a[ADDRESS_BUF], b[ADDRESS_BUF];
	char orient[600], keying[80];
	ctl_reply(cl, "Connections:");
	for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
		if (only && strcmp(only, c->name) != 0)
			continue;
		end_text(&c->end[0], l, sizeof(l));
		end_text(&c->end[1], r, sizeof(r));
		ctl_reply(cl, "\"%s\": %s...%s; %s; authby=%s; %s%s%s%s", c->name, l, r,
			  type_names[c->type], authby_name(c),
			  orientation(c, orient, sizeof(orient)), c->routed ? "; routed" : "",
			  c->ike_serial ? "; up" : "", keying_text(c, keying, sizeof(keying)));
	}
	ctl_reply(cl, "IKE SAs:");
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		if (ike->c == NULL || (only && strcmp(only, ike->c->name) != 0))
			continue;
		spis_hex(ike, spis);
		ctl_reply(cl, "#%u: \"%s\" %s; %s; %s:%u <-> %s:%u; SPIs %s; %s; expires in %lds; %s%s",
			  ike->serial, ike->c->name, ike_state_name(ike->state),
			  ike->original_initiator ? "initiator" : "responder",
			  str_address(&ike->iface->addr, a), ike->iface->port,
			  str_address(&ike->remote, b), ike->remote_port, spis,
			  ike->suite.encr ? str_ike_suite(&ike->suite, suite, sizeof(suite)) : "-",
			  ike->established ? remaining(ike->established, ike->c->ike_lifetime_ms) : 0L,
			  ike->ops->name, ike->ops->major == 1 && ike->v1.aggressive ? " Aggressive Mode" : "");
	}
	ctl_reply(cl, "Child SAs:");
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
			if (only && strcmp(only, c->c->name) != 0)
				continue;
			struct kernel_sa_counters in, out;
			child_counters(p, c, &in, &out);
			char ls[SUBNET_BUF], rs[SUBNET_BUF];
			ctl_reply(cl, "#%u: \"%s\" %s; IKE SA #%u; %s; %s in 0x%08x out 0x%08x; %s; %s === %s; "
				  "in %llu bytes %llu packets; out %llu bytes %llu packets; expires in %lds",
				  c->serial, c->c->name, child_state_name(c->state), ike->serial,
				  c->transport ? "transport" : "tunnel",
				  c->protocol == IKEV2_PROTO_AH ? "AH" : "ESP", c->spi_in, c->spi_out,
				  str_child_suite(&c->suite, suite, sizeof(suite)),
				  str_subnet(&c->ts.local, ls), str_subnet(&c->ts.remote, rs),
				  (unsigned long long)in.bytes, (unsigned long long)in.packets,
				  (unsigned long long)out.bytes, (unsigned long long)out.packets,
				  remaining(c->established, c->lifetime_ms));
		}
	}
	if (only == NULL) {
		char ddos[160];
		ddos_status(p, ddos, sizeof(ddos));
		ctl_reply(cl, "IKE_SA_INIT: %s", ddos);
	}
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_end(struct buf *b, const struct end *e)
{
	char sub[SUBNET_BUF], id[ID_BUF], a[ADDRESS_BUF];
	put(b, "{\"host\": ");
	put_str(b, e->host_text);
	/* a host name: "resolving", "failed" (with why and when the next
	 * lookup is) or "resolved" (with the address) */
	if (e->host_kind == HOST_DNS && e->dns_pending) {
		put(b, ", \"dns\": \"resolving\"");
	} else if (e->host_kind == HOST_DNS && e->dns_error != NULL) {
		put(b, ", \"dns\": \"failed\", \"dns_error\": ");
		put_str(b, e->dns_error);
		put(b, ", \"next_lookup_in\": %u", secs_until(e->dns_retry_at_ms));
	} else if (e->host_kind == HOST_DNS) {
		put(b, ", \"dns\": \"not looked up\"");
	} else if (e->host_is_name) {
		put(b, ", \"dns\": \"resolved\"");
	}
	if (e->host_kind == HOST_ADDRESS)
		put(b, ", \"address\": \"%s\"", str_address(&e->host, a));
	put(b, ", \"id\": ");
	put_str(b, e->id.kind == ID_NONE ? "" : str_id(&e->id, id));
	put(b, ", \"client\": ");
	put_str(b, str_subnet(&e->client, sub));
	put(b, "}");
}

static void json_status(struct pluto *p, const char *only, struct ctl_client *cl)
{
	struct buf b = { 0 };
	char suite[128], spis[40], a[ADDRESS_BUF], orient[600];
	/* schema: raised when a field changes meaning or goes; new fields
	 * may come without it */
	put(&b, "{\"schema\": %d,\n \"connections\": [", STATUS_JSON_SCHEMA);
	bool first = true;
	for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
		if (only && strcmp(only, c->name) != 0)
			continue;
		put(&b, "%s\n  {\"name\": ", first ? "" : ",");
		first = false;
		put_str(&b, c->name);
		put(&b, ", \"left\": ");
		json_end(&b, &c->end[0]);
		put(&b, ", \"right\": ");
		json_end(&b, &c->end[1]);
		put(&b, ", \"type\": \"%s\", \"authby\": \"%s\", \"local\": \"%s\", \"routed\": %s, "
		    "\"ike_sa\": %u, \"child_sa\": %u, ", type_names[c->type], authby_name(c),
		    c->local < 0 ? "" : c->local ? "right" : "left", c->routed ? "true" : "false",
		    c->ike_serial, c->child_serial);
		put(&b, "\"orientation\": ");
		put_str(&b, orientation(c, orient, sizeof(orient)));
		/* keyingtries: 0 is %forever; keying_attempt: 0 none */
		put(&b, ", \"keyingtries\": %u, \"keying_attempt\": %u, \"keying_in\": %d}",
		    c->keyingtries, c->keying_attempt,
		    c->keying_waiting ? (int)secs_until(c->keying_at_ms) : -1);
	}
	put(&b, "],\n \"ike_sas\": [");
	first = true;
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		if (ike->c == NULL || (only && strcmp(only, ike->c->name) != 0))
			continue;
		spis_hex(ike, spis);
		put(&b, "%s\n  {\"serial\": %u, \"connection\": ", first ? "" : ",", ike->serial);
		first = false;
		put_str(&b, ike->c->name);
		put(&b, ", \"version\": \"%s\"", ike->ops->name);
		put(&b, ", \"state\": \"%s\", \"initiator\": %s, \"local\": \"%s:%u\"",
		    ike_state_name(ike->state), ike->original_initiator ? "true" : "false",
		    str_address(&ike->iface->addr, a), ike->iface->port);
		put(&b, ", \"remote\": \"%s:%u\", \"spis\": \"%s\", \"nat_t\": %s, \"behind_nat\": %s, "
		    "\"algorithms\": ",
		    str_address(&ike->remote, a), ike->remote_port, spis,
		    ike->nat_detected ? "true" : "false", ike->nat_local ? "true" : "false");
		put_str(&b, ike->suite.encr ? str_ike_suite(&ike->suite, suite, sizeof(suite)) : "");
		char id[ID_BUF];
		put(&b, ", \"peer_id\": ");
		put_str(&b, ike->peer_id.kind != ID_NONE ? str_id(&ike->peer_id, id) : "");
		put(&b, ", \"age\": %ld, \"rekey_in\": %ld, \"expires_in\": %ld}",
		    age(ike->established), rekey_in(ike->rekey_at_ms),
		    ike->established ? remaining(ike->established, ike->c->ike_lifetime_ms) : 0L);
	}
	put(&b, "],\n \"child_sas\": [");
	first = true;
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
			if (only && strcmp(only, c->c->name) != 0)
				continue;
			struct kernel_sa_counters in, out;
			child_counters(p, c, &in, &out);
			char ls[SUBNET_BUF], rs[SUBNET_BUF];
			put(&b, "%s\n  {\"serial\": %u, \"connection\": ", first ? "" : ",", c->serial);
			first = false;
			put_str(&b, c->c->name);
			put(&b, ", \"ike_sa\": %u, \"state\": \"%s\", \"mode\": \"%s\", \"protocol\": \"%s\", "
			    "\"spi_in\": \"0x%08x\", \"spi_out\": \"0x%08x\", \"algorithms\": ",
			    ike->serial, child_state_name(c->state), c->transport ? "transport" : "tunnel",
			    c->protocol == IKEV2_PROTO_AH ? "AH" : "ESP", c->spi_in, c->spi_out);
			put_str(&b, str_child_suite(&c->suite, suite, sizeof(suite)));
			put(&b, ", \"local\": \"%s\", \"remote\": \"%s\", \"in_bytes\": %llu, "
			    "\"in_packets\": %llu, \"out_bytes\": %llu, \"out_packets\": %llu, "
			    "\"encap\": %s, \"age\": %ld, \"rekey_in\": %ld, \"expires_in\": %ld}",
			    str_subnet(&c->ts.local, ls), str_subnet(&c->ts.remote, rs),
			    (unsigned long long)in.bytes, (unsigned long long)in.packets,
			    (unsigned long long)out.bytes, (unsigned long long)out.packets,
			    c->encap ? "true" : "false", age(c->established), rekey_in(c->rekey_at_ms),
			    remaining(c->established, c->lifetime_ms));
		}
	}
	unsigned half_open;
	ike_sa_count(p, &half_open);
	put(&b, "],\n \"ddos\": {\"mode\": \"%s\", \"half_open\": %u, \"threshold\": %u, "
	    "\"cookies\": %s},\n \"totals\": {", ddos_mode_name(p->opts.ddos_mode), half_open,
	    p->opts.ddos_threshold, cookie_required(p) ? "true" : "false");
	struct status_counter sc[STATUS_COUNTERS];
	status_counters(p, sc);
	for (size_t i = 0; i < STATUS_COUNTERS; i++)
		put(&b, "%s\"%s\": %llu", i ? ", " : "", sc[i].name, sc[i].value);
	put(&b, "}}\n");
	if (cl != NULL)
		ctl_reply_json(cl, b.s, b.n);
	free(b.s);
}

int cmd_status(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	const char *json = whack_kvs_get(&m->options, "json");
	if (m->name != NULL && connections_find(&p->conns, m->name) == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	if (json != NULL && json[0] == 'y')
		json_status(p, m->name, cl);
	else
		text_status(p, m->name, cl);
	return 0;
}
