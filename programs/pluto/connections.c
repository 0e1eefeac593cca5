/* Connections from the resolved ipsec.conf keys of an add request. One row
 * per key that pluto acts on, each with its parser; the keyword table of
 * libipsecconf gives the built-in defaults. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "connections.h"
#include "ikev1/transaction.h"
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
	if (is_virtual_subnet(p->value)) {
		err_t er = check_virtual_subnet(p->value);
		if (er != NULL)
			return fail(p, "%s", er);
		free(e->virt);
		e->virt = xstrdup(p->value);
		return true;
	}
	if (p->value[0] == '%')
		return fail(p, "%s is not supported by this pluto", p->value);
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
	/* libreswan's and strongSwan's: the address comes from Mode Config */
	if (strcmp(p->value, "%config") == 0 || strcmp(p->value, "%modecfg") == 0) {
		end_of(p)->modecfg_client = true;
		return true;
	}
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

static bool parse_sendcert(struct parse *p)
{
	static const struct { const char *name; enum sendcert v; } t[] = {
		{ "always", SENDCERT_ALWAYS }, { "yes", SENDCERT_ALWAYS },
		{ "ifasked", SENDCERT_IFASKED }, { "sendifasked", SENDCERT_IFASKED },
		{ "never", SENDCERT_NEVER }, { "no", SENDCERT_NEVER },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(p->value, t[i].name) == 0) {
			end_of(p)->sendcert = t[i].v;
			return true;
		}
	return fail(p, "must be always, ifasked or never (yes, no)");
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
	struct authby a;
	err_t e = ttoauthby(p->value, &a);
	if (e != NULL)
		return fail(p, "%s", e);
	if (a.lacking[0] != '\0')
		return fail(p, "%s not built", a.lacking);
	p->c->authby = a.methods;
	p->c->rsa_hashes = a.rsa_hashes;
	p->c->ecdsa_hashes = a.ecdsa_hashes;
	return true;
}

static bool parse_ikev2(struct parse *p)
{
	static const struct word modes[] = {
		{ "permit", IKEV2_PERMIT }, { "propose", IKEV2_PROPOSE }, { "yes", IKEV2_PROPOSE },
		{ "insist", IKEV2_INSIST }, { "never", IKEV2_NEVER }, { "no", IKEV2_NEVER },
	};
	int v = 0;
	if (!PARSE_WORD(p, modes, &v))
		return false;
	p->c->ikev2 = (enum ikev2_policy)v;
	return true;
}

static bool parse_fragmentation(struct parse *p)
{
	static const struct word modes[] = {
		{ "yes", FRAG_YES }, { "no", FRAG_NO }, { "force", FRAG_FORCE },
		{ "accept", FRAG_ACCEPT },
	};
	int v = 0;
	if (!PARSE_WORD(p, modes, &v))
		return false;
	p->c->fragmentation = (enum conn_frag)v;
	return true;
}

/* ---- proposals: one copy of each distinct list, shared by its conns ---------- */

/* A config of 50,000 conns usually has a handful of distinct ike= and
 * phase2alg= values; each conn holding its own 700-byte copies was most
 * of its memory. */
struct shared_proposals {
	struct proposals ps;     /* first: a conn's pointer is to it */
	unsigned refs;
	struct shared_proposals *next;
};
static const struct proposals no_proposals;   /* n == 0: the defaults */
static struct shared_proposals *shared_list;

/* ps was zeroed before it was filled, so equal lists compare equal */
static const struct proposals *proposals_share(const struct proposals *ps)
{
	if (ps->n == 0)
		return &no_proposals;
	for (struct shared_proposals *s = shared_list; s != NULL; s = s->next) {
		if (memcmp(&s->ps, ps, sizeof(*ps)) == 0) {
			s->refs++;
			return &s->ps;
		}
	}
	struct shared_proposals *s = xcalloc(1, sizeof(*s));
	s->ps = *ps;
	s->refs = 1;
	s->next = shared_list;
	shared_list = s;
	return &s->ps;
}

static void proposals_unshare(const struct proposals *ps)
{
	if (ps == NULL || ps == &no_proposals)
		return;
	for (struct shared_proposals **sp = &shared_list; *sp != NULL; sp = &(*sp)->next) {
		struct shared_proposals *s = *sp;
		if (&s->ps != ps)
			continue;
		if (--s->refs == 0) {
			*sp = s->next;
			free(s);
		}
		return;
	}
}

static bool parse_proposals(struct parse *p, enum alg_proto proto, const struct proposals **out)
{
	char err[256];
	struct proposals ps;
	memset(&ps, 0, sizeof(ps));
	err_t er = ttoproposals(p->value, proto, &ps, err, sizeof(err));
	if (er != NULL)
		return fail(p, "%s", er);
	proposals_unshare(*out);
	*out = proposals_share(&ps);
	return true;
}

static bool parse_ike(struct parse *p)
{
	return parse_proposals(p, ALG_FOR_IKE, &p->c->ike);
}

static bool parse_phase2(struct parse *p)
{
	p->c->child_ah = strcasecmp(p->value, "ah") == 0;
	return p->c->child_ah || strcasecmp(p->value, "esp") == 0 || fail(p, "expected esp or ah");
}

/* phase2alg= is read after phase2= (see the order of key_table) */
static bool parse_phase2alg(struct parse *p)
{
	return parse_proposals(p, p->c->child_ah ? ALG_FOR_AH : ALG_FOR_ESP, &p->c->child);
}

static bool parse_bool(struct parse *p, bool *out)
{
	return ttobool(p->value, out) == NULL || fail(p, "expected yes or no");
}

static bool parse_pfs(struct parse *p) { return parse_bool(p, &p->c->pfs); }
static bool parse_rekey(struct parse *p) { return parse_bool(p, &p->c->rekey); }
static bool parse_compress(struct parse *p) { return parse_bool(p, &p->c->compress); }
static bool parse_forceencaps(struct parse *p) { return parse_bool(p, &p->c->forceencaps); }
static bool parse_aggrmode(struct parse *p) { return parse_bool(p, &p->c->aggrmode); }

/* XAUTH and Mode Config (ikev1/transaction.h) */
static bool parse_xauthserver(struct parse *p) { return parse_bool(p, &end_of(p)->xauth_server); }
static bool parse_xauthclient(struct parse *p) { return parse_bool(p, &end_of(p)->xauth_client); }
static bool parse_modecfgserver(struct parse *p) { return parse_bool(p, &end_of(p)->modecfg_server); }
static bool parse_modecfgpull(struct parse *p) { return parse_bool(p, &p->c->modecfg_pull); }

static bool parse_modecfgclient(struct parse *p)
{
	bool v;
	if (!parse_bool(p, &v))
		return false;
	end_of(p)->modecfg_client |= v;   /* leftsourceip=%config says so too */
	return true;
}

static bool parse_xauthusername(struct parse *p)
{
	struct end *e = end_of(p);
	free(e->xauth_username);
	e->xauth_username = xstrdup(p->value);
	return true;
}

static bool parse_addresspool(struct parse *p)
{
	struct end *e = end_of(p);
	const char *why;
	if (!modecfg_pool_parse(p->value, &e->pool_first, &e->pool_last, &why))
		return fail(p, "%s", why);
	e->has_pool = true;
	return true;
}

static bool parse_modecfgdns(struct parse *p)
{
	ip_address *a = &p->c->modecfg_dns[p->key[strlen(p->key) - 1] == '2'];
	err_t er = ttoaddress_num(p->value, strlen(p->value), IP_V4, a);
	if (er == NULL && a->family != IP_V4)
		er = "Mode Config hands out IPv4 DNS servers only";
	return er == NULL || fail(p, "%s", er);
}

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
	{ "sendcert", true, parse_sendcert },
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
	{ "aggrmode", false, parse_aggrmode },
	{ "fragmentation", false, parse_fragmentation },
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
	{ "xauthserver", true, parse_xauthserver },
	{ "xauthclient", true, parse_xauthclient },
	{ "xauthusername", true, parse_xauthusername },
	{ "modecfgserver", true, parse_modecfgserver },
	{ "modecfgclient", true, parse_modecfgclient },
	{ "addresspool", true, parse_addresspool },
	{ "modecfgpull", false, parse_modecfgpull },
	{ "modecfgdns1", false, parse_modecfgdns },
	{ "modecfgdns2", false, parse_modecfgdns },
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

/* Every key as given (an --add of the same keys changes nothing), in one
 * block: the array, then the strings it points to. */
static void keys_keep(struct connection *c, const struct whack_kvs *keys)
{
	size_t size = keys->n * sizeof(struct whack_kv);
	for (size_t i = 0; i < keys->n; i++)
		size += strlen(keys->v[i].key) + strlen(keys->v[i].value) + 2;
	struct whack_kv *v = xcalloc(1, size ? size : 1);
	char *s = (char *)(v + keys->n);
	for (size_t i = 0; i < keys->n; i++) {
		const char *kv[2] = { keys->v[i].key, keys->v[i].value };
		char *copy[2];
		for (int k = 0; k < 2; k++) {
			size_t len = strlen(kv[k]) + 1;
			memcpy(s, kv[k], len);
			copy[k] = s;
			s += len;
		}
		v[i] = (struct whack_kv){ copy[0], copy[1] };
	}
	c->keys = (struct whack_kvs){ .v = v, .n = keys->n, .cap = keys->n };
}

struct connection *connection_from_keys(const char *name, const struct whack_kvs *keys,
					char *err, size_t errsize)
{
	if (!keys_known(keys, err, errsize))
		return NULL;
	struct connection *c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->local = -1;
	c->ike = c->child = &no_proposals;
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
	keys_keep(c, keys);
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
	if (c->end[c->local].virt != NULL) {
		snprintf(err, errsize, "%ssubnet=%s names the inner addresses of a peer behind a NAT: "
			 "it belongs on the peer's end", c->local ? "right" : "left", c->end[c->local].virt);
		return false;
	}
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
	free(e->cert_der);
	free(e->dns_error);
	free(e->xauth_username);
	free(e->virt);
}

void connection_free(struct connection *c)
{
	if (c == NULL)
		return;
	end_free(&c->end[0]);
	end_free(&c->end[1]);
	free(c->keys.v);   /* one block (keys_keep) */
	proposals_unshare(c->ike);
	proposals_unshare(c->child);
	free(c->dpdaction);
	free(c->name);
	free(c);
}

/* ---- the table and its indexes ------------------------------------------ */

/* A hash index: chains of struct conn_link at offset off in struct
 * connection, doubled when it holds two conns a bucket on average. */
struct hash {
	struct connection **b;
	size_t nb, n;
	size_t off;
	uint32_t (*key)(const struct connection *c);
};

enum { PEER_NONE, PEER_ADDR, PEER_ANY };

struct conn_index {
	struct hash name, reqid, family, peer;
	struct connection *any_peer;   /* chain (by_peer) of conns whose peer is %any */
	unsigned long seq;
};

#define LINK(c, off) ((struct conn_link *)((char *)(c) + (off)))

static void chain_push(struct connection **head, struct connection *c, size_t off)
{
	struct conn_link *l = LINK(c, off);
	l->next = *head;
	if (*head != NULL)
		LINK(*head, off)->pprev = &l->next;
	*head = c;
	l->pprev = head;
}

static void chain_unlink(struct connection *c, size_t off)
{
	struct conn_link *l = LINK(c, off);
	if (l->pprev == NULL)
		return;
	*l->pprev = l->next;
	if (l->next != NULL)
		LINK(l->next, off)->pprev = l->pprev;
	l->next = NULL;
	l->pprev = NULL;
}

static uint32_t fnv(const void *data, size_t len)
{
	const uint8_t *d = data;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

/* A conn's family: its name up to the first '/' or '#' (its length). */
static size_t family_len(const char *name)
{
	return strcspn(name, "/#");
}

static uint32_t key_name(const struct connection *c) { return fnv(c->name, strlen(c->name)); }
static uint32_t key_reqid(const struct connection *c) { return c->reqid * 2654435761u; }
static uint32_t key_family(const struct connection *c) { return fnv(c->name, family_len(c->name)); }
static uint32_t key_address(const ip_address *a)
{
	return fnv(a->bytes, a->family == IP_V6 ? 16 : 4) ^ a->family;
}
static uint32_t key_peer(const struct connection *c)
{
	return key_address(&c->end[!c->local].host);
}

static struct connection **bucket(struct hash *h, uint32_t key)
{
	return &h->b[key & (h->nb - 1)];
}

static void hash_grow(struct hash *h)
{
	size_t nb = h->nb ? 2 * h->nb : 64;
	struct connection **old = h->b;
	size_t onb = h->nb;
	h->b = xcalloc(nb, sizeof(*h->b));
	h->nb = nb;
	for (size_t i = 0; i < onb; i++) {
		struct connection *c = old[i], *next;
		for (; c != NULL; c = next) {
			next = LINK(c, h->off)->next;
			chain_push(bucket(h, h->key(c)), c, h->off);
		}
	}
	free(old);
}

static void hash_insert(struct hash *h, struct connection *c)
{
	if (h->n >= 2 * h->nb)
		hash_grow(h);
	chain_push(bucket(h, h->key(c)), c, h->off);
	h->n++;
}

static void hash_remove(struct hash *h, struct connection *c)
{
	if (LINK(c, h->off)->pprev == NULL)
		return;
	chain_unlink(c, h->off);
	h->n--;
}

static struct conn_index *index_of(struct connections *cs)
{
	if (cs->idx == NULL) {
		struct conn_index *x = xcalloc(1, sizeof(*x));
		x->name = (struct hash){ .off = offsetof(struct connection, by_name), .key = key_name };
		x->reqid = (struct hash){ .off = offsetof(struct connection, by_reqid), .key = key_reqid };
		x->family = (struct hash){ .off = offsetof(struct connection, by_family), .key = key_family };
		x->peer = (struct hash){ .off = offsetof(struct connection, by_peer), .key = key_peer };
		hash_grow(&x->name);
		hash_grow(&x->reqid);
		hash_grow(&x->family);
		hash_grow(&x->peer);
		cs->idx = x;
	}
	return cs->idx;
}

uint32_t connection_reqid(const char *name)
{
	/* the reqids of XFRM policies pluto makes: from 16384, multiples of 4 */
	return 16384u + (fnv(name, strlen(name)) % 0x3fff0000u) / 4 * 4;
}

struct connection *connections_find(struct connections *cs, const char *name)
{
	if (cs->idx == NULL)
		return NULL;
	struct hash *h = &cs->idx->name;
	for (struct connection *c = *bucket(h, fnv(name, strlen(name))); c != NULL; c = c->by_name.next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

struct connection *connections_by_reqid(struct connections *cs, uint32_t reqid)
{
	if (cs->idx == NULL)
		return NULL;
	struct hash *h = &cs->idx->reqid;
	struct connection *best = NULL;
	for (struct connection *c = *bucket(h, reqid * 2654435761u); c != NULL; c = c->by_reqid.next)
		if (c->reqid == reqid && (best == NULL || c->seq < best->seq))
			best = c;
	return best;
}

/* Which peer chain c belongs on: only oriented conns can answer a peer. */
static int peer_kind(const struct connection *c)
{
	if (c->local < 0)
		return PEER_NONE;
	switch (c->end[!c->local].host_kind) {
	case HOST_ADDRESS: return PEER_ADDR;
	case HOST_ANY: return PEER_ANY;
	default: return PEER_NONE;
	}
}

static void peer_unlink(struct conn_index *x, struct connection *c)
{
	if (c->peer_index == PEER_ADDR)
		hash_remove(&x->peer, c);
	else if (c->peer_index == PEER_ANY)
		chain_unlink(c, offsetof(struct connection, by_peer));
	c->peer_index = PEER_NONE;
}

static void peer_link(struct conn_index *x, struct connection *c)
{
	c->peer_index = peer_kind(c);
	if (c->peer_index == PEER_ADDR)
		hash_insert(&x->peer, c);
	else if (c->peer_index == PEER_ANY)
		chain_push(&x->any_peer, c, offsetof(struct connection, by_peer));
}

void connections_reindex(struct connections *cs, struct connection *c)
{
	struct conn_index *x = index_of(cs);
	peer_unlink(x, c);
	peer_link(x, c);
}

/* The name-derived indexes (name, reqid, family). */
static void names_link(struct conn_index *x, struct connection *c)
{
	c->reqid = connection_reqid(c->name);
	hash_insert(&x->name, c);
	hash_insert(&x->reqid, c);
	if (c->name[family_len(c->name)] != '\0')
		hash_insert(&x->family, c);
}

static void names_unlink(struct conn_index *x, struct connection *c)
{
	hash_remove(&x->name, c);
	hash_remove(&x->reqid, c);
	hash_remove(&x->family, c);
}

void connections_add(struct connections *cs, struct connection *c)
{
	connections_remove(cs, c->name);
	struct conn_index *x = index_of(cs);
	/* appended: status lists conns in the order they were added */
	c->next = NULL;
	c->prev = cs->tail;
	if (cs->tail != NULL)
		cs->tail->next = c;
	else
		cs->head = c;
	cs->tail = c;
	c->seq = ++x->seq;
	names_link(x, c);
	peer_link(x, c);
	cs->n++;
}

void connections_unlink(struct connections *cs, struct connection *c)
{
	struct conn_index *x = index_of(cs);
	names_unlink(x, c);
	peer_unlink(x, c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		cs->tail = c->prev;
	c->next = c->prev = NULL;
	cs->n--;
}

bool connections_remove(struct connections *cs, const char *name)
{
	struct connection *c = connections_find(cs, name);
	if (c == NULL)
		return false;
	connections_unlink(cs, c);
	connection_free(c);
	return true;
}

bool connections_rename(struct connections *cs, struct connection *c, const char *name)
{
	struct connection *other = connections_find(cs, name);
	if (other != NULL)
		return other == c;
	struct conn_index *x = index_of(cs);
	names_unlink(x, c);
	free(c->name);
	c->name = xstrdup(name);
	names_link(x, c);
	return true;
}

/* From candidate c on: the next one that fits (phase 0, the bucket of the
 * address: the peer must be it), then the %any chain (phase 1: all fit). */
static struct connection *peer_advance(struct conn_peer_iter *it, struct connection *c)
{
	if (it->phase == 0) {
		for (; c != NULL; c = c->by_peer.next)
			if (address_eq(&c->end[!c->local].host, it->remote))
				return it->c = c;
		it->phase = 1;
		c = it->any;
	}
	return it->c = c;
}

struct connection *connections_peer_first(struct connections *cs, const ip_address *remote,
					  struct conn_peer_iter *it)
{
	*it = (struct conn_peer_iter){ .remote = remote };
	if (cs->idx == NULL)
		return NULL;
	it->any = cs->idx->any_peer;
	return peer_advance(it, *bucket(&cs->idx->peer, key_address(remote)));
}

struct connection *connections_peer_next(struct conn_peer_iter *it)
{
	return it->c == NULL ? NULL : peer_advance(it, it->c->by_peer.next);
}

static struct connection *family_from(struct connection *c, const char *family)
{
	size_t len = strlen(family);
	for (; c != NULL; c = c->by_family.next)
		if (family_len(c->name) == len && memcmp(c->name, family, len) == 0)
			return c;
	return NULL;
}

struct connection *connections_family_first(struct connections *cs, const char *family)
{
	if (cs->idx == NULL)
		return NULL;
	return family_from(*bucket(&cs->idx->family, fnv(family, strlen(family))), family);
}

struct connection *connections_family_next(struct connection *c, const char *family)
{
	return family_from(c->by_family.next, family);
}

void connections_free(struct connections *cs)
{
	while (cs->head != NULL) {
		struct connection *c = cs->head;
		cs->head = c->next;
		connection_free(c);
	}
	cs->tail = NULL;
	cs->n = 0;
	if (cs->idx != NULL) {
		free(cs->idx->name.b);
		free(cs->idx->reqid.b);
		free(cs->idx->family.b);
		free(cs->idx->peer.b);
		free(cs->idx);
		cs->idx = NULL;
	}
}
