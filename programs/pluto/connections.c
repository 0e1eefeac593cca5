/* Connections from the resolved ipsec.conf keys of an add request. One row
 * per key that pluto acts on, each with its parser; the keyword table of
 * libipsecconf gives the built-in defaults. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "connections.h"
#include "ipsecconf/keywords.h"
#include "swan/deltatime.h"
#include "swan/scalars.h"

struct parse {
	struct connection *c;
	const char *key, *value;
	char *err;
	size_t errsize;
};

static bool fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct parse *p, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsize, "%s=%s: %s", p->key, p->value, why);
	return false;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		abort();
	return p;
}

/* Which end a sided key names: "left..." is 0, "right..." is 1. */
static struct end *end_of(struct parse *p)
{
	return &p->c->end[p->key[0] == 'r'];
}

/* ---- one parser per key ------------------------------------------------- */

static bool parse_host(struct parse *p)
{
	struct end *e = end_of(p);
	const char *v = p->value;
	free(e->host_text);
	e->host_text = xstrdup(v);
	if (strcmp(v, "%any") == 0 || strcmp(v, "%any4") == 0 || strcmp(v, "%any6") == 0) {
		e->host_kind = HOST_ANY;
		e->host = address_any(strcmp(v, "%any6") == 0 ? IP_V6 : IP_V4);
	} else if (strcmp(v, "%defaultroute") == 0) {
		e->host_kind = HOST_DEFAULTROUTE;
	} else if (v[0] == '%') {
		e->host_kind = HOST_GROUP;
	} else if (ttoaddress_num(v, strlen(v), IP_UNSET, &e->host) == NULL) {
		e->host_kind = HOST_ADDRESS;
	} else if (is_dns_name(v)) {
		e->host_kind = HOST_DNS;
		e->host_is_name = true;
	} else {
		return fail(p, "not an address, a DNS name or a known magic value");
	}
	return true;
}

static bool parse_subnet(struct parse *p)
{
	struct end *e = end_of(p);
	if (strcmp(p->value, "%no") == 0)
		return true;
	if (p->value[0] == '%' || strncmp(p->value, "vhost:", 6) == 0 ||
	    strncmp(p->value, "vnet:", 5) == 0)
		return fail(p, "virtual subnets are not supported by this pluto");
	err_t er = ttosubnet(p->value, strlen(p->value), IP_UNSET, &e->client, NULL);
	if (er != NULL)
		return fail(p, "%s", er);
	e->has_client = true;
	return true;
}

static bool parse_protoport(struct parse *p)
{
	err_t er = ttoprotoport(p->value, &end_of(p)->protoport);
	return er == NULL || fail(p, "%s", er);
}

static bool parse_id(struct parse *p)
{
	struct end *e = end_of(p);
	err_t er = ttoid(p->value, &e->id);
	if (er != NULL)
		return fail(p, "%s", er);
	e->id_from_host = false;
	return true;
}

static bool parse_rsakey(struct parse *p)
{
	struct end *e = end_of(p);
	rsa_pubkey **slot = strstr(p->key, "rsasigkey2") ? &e->rsakey2 : &e->rsakey;
	if (p->value[0] == '%') {
		if (strcmp(p->value, "%none") == 0 || strcmp(p->value, "%dnsondemand") == 0)
			return true;   /* %dnsondemand is the default: no key unless given */
		return fail(p, "only 0s.../0x... keys are supported by this pluto");
	}
	rsa_pubkey *k = xcalloc(1, sizeof(*k));
	err_t er = ttorsapubkey(p->value, k);
	if (er != NULL) {
		free(k);
		return fail(p, "%s", er);
	}
	free(*slot);
	*slot = k;
	return true;
}

static bool parse_nexthop(struct parse *p)
{
	struct end *e = end_of(p);
	free(e->nexthop_text);
	e->nexthop_text = strcmp(p->value, "%direct") == 0 ? NULL : xstrdup(p->value);
	return true;
}

static bool parse_sourceip(struct parse *p)
{
	err_t er = ttoaddress_num(p->value, strlen(p->value), IP_UNSET, &end_of(p)->sourceip);
	return er == NULL || fail(p, "%s", er);
}

static bool parse_updown(struct parse *p)
{
	struct end *e = end_of(p);
	free(e->updown);
	/* "%disabled" (libreswan) and "" switch the script off */
	e->updown = strcmp(p->value, "%disabled") == 0 ? NULL : xstrdup(p->value);
	return true;
}

static bool parse_ca(struct parse *p)
{
	struct end *e = end_of(p);
	free(e->ca);
	e->ca = xstrdup(p->value);
	return true;
}

static bool parse_cert(struct parse *p)
{
	struct end *e = end_of(p);
	free(e->cert);
	e->cert = xstrdup(p->value);
	return true;
}

/* A word among a table of names, into *out. */
struct word { const char *name; int value; };
static bool parse_word(struct parse *p, const struct word *w, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(p->value, w[i].name) == 0) {
			*out = w[i].value;
			return true;
		}
	}
	return fail(p, "unknown value");
}
#define PARSE_WORD(p, table, out) parse_word(p, table, sizeof(table) / sizeof(table[0]), out)

static bool parse_type(struct parse *p)
{
	static const struct word types[] = {
		{ "tunnel", CONN_TUNNEL }, { "transport", CONN_TRANSPORT },
		{ "passthrough", CONN_PASSTHROUGH }, { "drop", CONN_DROP }, { "reject", CONN_REJECT },
	};
	int v = 0;
	if (!PARSE_WORD(p, types, &v))
		return false;
	p->c->type = (enum conn_type)v;
	return true;
}

static bool parse_failureshunt(struct parse *p)
{
	static const struct word shunts[] = {
		{ "none", CONN_TUNNEL }, { "passthrough", CONN_PASSTHROUGH },
		{ "drop", CONN_DROP }, { "reject", CONN_REJECT },
	};
	int v = 0;
	if (!PARSE_WORD(p, shunts, &v))
		return false;
	p->c->failureshunt = (enum conn_type)v;
	p->c->failureshunt_set = v != CONN_TUNNEL;
	return true;
}

static bool parse_auto(struct parse *p)
{
	static const struct word autos[] = {
		{ "ignore", AUTO_IGNORE }, { "add", AUTO_ADD }, { "route", AUTO_ROUTE },
		{ "start", AUTO_START }, { "manual", AUTO_MANUAL },
	};
	int v = 0;
	if (!PARSE_WORD(p, autos, &v))
		return false;
	p->c->autostart = (enum conn_auto)v;
	return true;
}

static bool parse_authby(struct parse *p)
{
	static const struct word authbys[] = {
		{ "secret", AUTH_PSK }, { "rsasig", AUTH_RSASIG }, { "never", AUTH_NEVER },
		{ "secret|rsasig", AUTH_PSK | AUTH_RSASIG }, { "rsasig|secret", AUTH_PSK | AUTH_RSASIG },
	};
	int v = 0;
	if (!PARSE_WORD(p, authbys, &v))
		return false;
	p->c->authby = (unsigned)v;
	return true;
}

static bool parse_ikev2(struct parse *p)
{
	static const struct word modes[] = {
		{ "permit", 1 }, { "propose", 1 }, { "yes", 1 }, { "insist", 1 },
		{ "never", 0 }, { "no", 0 },
	};
	int v = 0;
	if (!PARSE_WORD(p, modes, &v))
		return false;
	p->c->ikev2_allowed = v != 0;
	return true;
}

static bool parse_ike(struct parse *p)
{
	char err[256];
	err_t er = ttoproposals(p->value, ALG_FOR_IKE, &p->c->ike, err, sizeof(err));
	return er == NULL || fail(p, "%s", er);
}

static bool parse_phase2(struct parse *p)
{
	p->c->child_ah = strcasecmp(p->value, "ah") == 0;
	return p->c->child_ah || strcasecmp(p->value, "esp") == 0 || fail(p, "expected esp or ah");
}

/* phase2alg= is read after phase2= (see the order of key_table) */
static bool parse_phase2alg(struct parse *p)
{
	char err[256];
	err_t er = ttoproposals(p->value, p->c->child_ah ? ALG_FOR_AH : ALG_FOR_ESP,
				&p->c->child, err, sizeof(err));
	return er == NULL || fail(p, "%s", er);
}

static bool parse_bool(struct parse *p, bool *out)
{
	return ttobool(p->value, out) == NULL || fail(p, "expected yes or no");
}

static bool parse_pfs(struct parse *p) { return parse_bool(p, &p->c->pfs); }
static bool parse_rekey(struct parse *p) { return parse_bool(p, &p->c->rekey); }
static bool parse_compress(struct parse *p) { return parse_bool(p, &p->c->compress); }
static bool parse_forceencaps(struct parse *p) { return parse_bool(p, &p->c->forceencaps); }

static bool parse_time(struct parse *p, uint64_t *ms, uint64_t max_ms)
{
	deltatime_t t;
	err_t er = ttodeltatime(p->value, &t);
	if (er != NULL)
		return fail(p, "%s", er);
	*ms = max_ms && t.ms > max_ms ? max_ms : t.ms;
	return true;
}

#define DAY_MS (24ull * 3600 * 1000)
static bool parse_salifetime(struct parse *p) { return parse_time(p, &p->c->sa_lifetime_ms, DAY_MS); }
static bool parse_ikelifetime(struct parse *p) { return parse_time(p, &p->c->ike_lifetime_ms, DAY_MS); }
static bool parse_rekeymargin(struct parse *p) { return parse_time(p, &p->c->rekeymargin_ms, 0); }
static bool parse_dpddelay(struct parse *p) { return parse_time(p, &p->c->dpd_delay_ms, 0); }
static bool parse_dpdtimeout(struct parse *p) { return parse_time(p, &p->c->dpd_timeout_ms, 0); }

static bool parse_rekeyfuzz(struct parse *p)
{
	return ttopercent(p->value, &p->c->rekeyfuzz) == NULL || fail(p, "expected N%%");
}

static bool parse_keyingtries(struct parse *p)
{
	long v;
	if (strcmp(p->value, "%forever") == 0) {
		p->c->keyingtries = 0;
		return true;
	}
	if (ttoint(p->value, 0, 1000000, &v) != NULL)
		return fail(p, "expected a number or %%forever");
	p->c->keyingtries = (unsigned)v;
	return true;
}

static bool parse_metric(struct parse *p)
{
	long v;
	if (ttoint(p->value, 1, 65535, &v) != NULL)
		return fail(p, "expected a number from 1 to 65535");
	p->c->metric = (unsigned)v;
	return true;
}

static bool parse_dpdaction(struct parse *p)
{
	free(p->c->dpdaction);
	p->c->dpdaction = xstrdup(p->value);
	return true;
}

/* Keys pluto acts on, in the order they are applied (phase2 before
 * phase2alg). Sided keys are listed by their base name. Keys not listed
 * are kept for status only. */
static const struct key_row {
	const char *name;
	bool sided;
	bool (*parse)(struct parse *p);
} key_table[] = {
	{ "", true, parse_host },
	{ "subnet", true, parse_subnet },
	{ "protoport", true, parse_protoport },
	{ "id", true, parse_id },
	{ "rsasigkey", true, parse_rsakey },
	{ "rsasigkey2", true, parse_rsakey },
	{ "nexthop", true, parse_nexthop },
	{ "sourceip", true, parse_sourceip },
	{ "updown", true, parse_updown },
	{ "ca", true, parse_ca },
	{ "cert", true, parse_cert },
	{ "type", false, parse_type },
	{ "auto", false, parse_auto },
	{ "authby", false, parse_authby },
	{ "ikev2", false, parse_ikev2 },
	{ "ike", false, parse_ike },
	{ "phase2", false, parse_phase2 },
	{ "phase2alg", false, parse_phase2alg },
	{ "pfs", false, parse_pfs },
	{ "rekey", false, parse_rekey },
	{ "compress", false, parse_compress },
	{ "forceencaps", false, parse_forceencaps },
	{ "salifetime", false, parse_salifetime },
	{ "ikelifetime", false, parse_ikelifetime },
	{ "rekeymargin", false, parse_rekeymargin },
	{ "rekeyfuzz", false, parse_rekeyfuzz },
	{ "keyingtries", false, parse_keyingtries },
	{ "metric", false, parse_metric },
	{ "failureshunt", false, parse_failureshunt },
	{ "dpddelay", false, parse_dpddelay },
	{ "dpdtimeout", false, parse_dpdtimeout },
	{ "dpdaction", false, parse_dpdaction },
};

/* The value given for a key, or the keyword table's built-in default (one
 * table, so that readwriteconf shows what pluto uses). */
static const char *value_of(const struct whack_kvs *keys, const char *key)
{
	const char *v = whack_kvs_get(keys, key);
	if (v != NULL)
		return v;
	struct kw_ref ref = keyword_lookup(key, strlen(key));
	return ref.kw != NULL ? ref.kw->deflt : NULL;
}

/* Checks that every given key is one the compiler knows (it always is,
 * when addconn sent it). */
static bool keys_known(const struct whack_kvs *keys, char *err, size_t errsize)
{
	for (size_t i = 0; i < keys->n; i++) {
		const char *k = keys->v[i].key;
		if (keyword_is_extension(k, strlen(k)))
			continue;
		if (keyword_lookup(k, strlen(k)).kw == NULL) {
			snprintf(err, errsize, "unknown keyword '%s'", k);
			return false;
		}
	}
	return true;
}

static void end_defaults(struct end *e)
{
	e->id.kind = ID_NONE;
	e->id_from_host = true;
	e->updown = xstrdup("ipsec _updown");
}

struct connection *connection_from_keys(const char *name, const struct whack_kvs *keys,
					char *err, size_t errsize)
{
	if (!keys_known(keys, err, errsize))
		return NULL;
	struct connection *c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->local = -1;
	end_defaults(&c->end[0]);
	end_defaults(&c->end[1]);
	struct parse p = { .c = c, .err = err, .errsize = errsize };
	for (size_t i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++) {
		const struct key_row *row = &key_table[i];
		for (int side = 0; side < (row->sided ? 2 : 1); side++) {
			char key[64];
			snprintf(key, sizeof(key), "%s%s", row->sided ? (side ? "right" : "left") : "",
				 row->name);
			const char *v = value_of(keys, key);
			if (v == NULL)
				continue;
			p.key = key;
			p.value = v;
			if (!row->parse(&p)) {
				connection_free(c);
				return NULL;
			}
		}
	}
	/* Liveness (DPD) only for a conn that asks for it with dpddelay=, as
	 * Openswan's and libreswan's: addconn sends only the keys the
	 * configuration gives (conn %default and also= included), so a
	 * missing key is one nobody set. The keyword table's dpddelay=30s
	 * stays what readwriteconf shows; dpdtimeout= and dpdaction= alone do
	 * not switch liveness on. */
	if (whack_kvs_get(keys, "dpddelay") == NULL)
		c->dpd_delay_ms = 0;
	for (int s = 0; s < 2; s++) {
		struct end *e = &c->end[s];
		if (e->host_text == NULL) {
			snprintf(err, errsize, "%s= is required", s ? "right" : "left");
			connection_free(c);
			return NULL;
		}
	}
	/* keep every key for status output */
	for (size_t i = 0; i < keys->n; i++) {
		struct whack_kvs *k = &c->keys;
		if (k->n == k->cap) {
			k->cap = k->cap ? 2 * k->cap : 16;
			k->v = realloc(k->v, k->cap * sizeof(*k->v));
			if (k->v == NULL)
				abort();
		}
		k->v[k->n++] = (struct whack_kv){ xstrdup(keys->v[i].key), xstrdup(keys->v[i].value) };
	}
	return c;
}

unsigned dns_retry_pause_s(unsigned previous_s)
{
	if (previous_s == 0)
		return DNS_RETRY_FIRST_S;
	return previous_s >= DNS_RETRY_MAX_S / 2 ? DNS_RETRY_MAX_S : 2 * previous_s;
}

/* IDs default to the host address; clients default to the host itself. */
static void fill_from_host(struct end *e)
{
	if (e->host_kind != HOST_ADDRESS)
		return;
	if (e->id_from_host) {
		e->id.kind = e->host.family == IP_V6 ? ID_IPV6 : ID_IPV4;
		e->id.ip = e->host;
	}
	if (!e->has_client)
		e->client = subnet_from_address(&e->host);
}

bool connection_orient(struct connection *c, bool (*is_local)(const ip_address *, void *),
		       void *ctx, char *err, size_t errsize)
{
	bool mine[2];
	for (int s = 0; s < 2; s++) {
		const struct end *e = &c->end[s];
		mine[s] = e->host_kind == HOST_DEFAULTROUTE ||
			  (e->host_kind == HOST_ADDRESS && is_local(&e->host, ctx));
	}
	if (mine[0] && mine[1]) {
		snprintf(err, errsize, "both left=%s and right=%s are addresses of this host",
			 c->end[0].host_text, c->end[1].host_text);
		return false;
	}
	if (!mine[0] && !mine[1]) {
		snprintf(err, errsize, "neither left=%s nor right=%s is an address of this host",
			 c->end[0].host_text, c->end[1].host_text);
		return false;
	}
	c->local = mine[0] ? 0 : 1;
	fill_from_host(&c->end[0]);
	fill_from_host(&c->end[1]);
	return true;
}

static void end_free(struct end *e)
{
	free(e->host_text);
	free(e->rsakey);
	free(e->rsakey2);
	free(e->nexthop_text);
	free(e->updown);
	free(e->ca);
	free(e->cert);
	free(e->dns_error);
}

void connection_free(struct connection *c)
{
	if (c == NULL)
		return;
	end_free(&c->end[0]);
	end_free(&c->end[1]);
	for (size_t i = 0; i < c->keys.n; i++) {
		free(c->keys.v[i].key);
		free(c->keys.v[i].value);
	}
	free(c->keys.v);
	free(c->dpdaction);
	free(c->name);
	free(c);
}

struct connection *connections_find(struct connections *cs, const char *name)
{
	for (struct connection *c = cs->head; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void connections_add(struct connections *cs, struct connection *c)
{
	connections_remove(cs, c->name);
	/* appended: status lists conns in the order they were added */
	struct connection **pp = &cs->head;
	while (*pp != NULL)
		pp = &(*pp)->next;
	c->next = NULL;
	*pp = c;
	cs->n++;
}

bool connections_remove(struct connections *cs, const char *name)
{
	for (struct connection **pp = &cs->head; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			struct connection *c = *pp;
			*pp = c->next;
			connection_free(c);
			cs->n--;
			return true;
		}
	}
	return false;
}

void connections_free(struct connections *cs)
{
	while (cs->head != NULL) {
		struct connection *c = cs->head;
		cs->head = c->next;
		connection_free(c);
	}
	cs->n = 0;
}
