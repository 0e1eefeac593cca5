/* Conn checks that need more than one key, run after merging. One function
 * per rule, listed in one table. An error stops the conn from loading; a
 * warning does not. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "merged.h"
#include "swan/address.h"
#include "swan/alg.h"
#include "swan/deltatime.h"
#include "swan/scalars.h"
#include "swan/subnet.h"

struct env {
	const struct merged *m;
	const struct conf_section *conn;
	bool explicit_load;
};

static const char *val(const struct env *e, const char *key)
{
	return merged_value(e->m, slot_of(key));
}

static const struct conf_loc *loc_of(const struct env *e, const char *key)
{
	const struct conf_kv *kv = key ? merged_kv(e->m, slot_of(key)) : NULL;
	const struct ipsecconf *conf = e->m->conf;
	uint32_t k = kv != NULL ? (uint32_t)(kv - conf->kvs.v) : UINT32_MAX;
	/* strongSwan's %any ends were written by nobody: the conn is the place */
	if (kv == NULL || k == conf->any_kv[0] || k == conf->any_kv[1])
		return &e->conn->loc;
	return &kv->loc;
}

/* ---- warnings shared by conns -------------------------------------------- */

struct shared_warning {
	const char *file;
	unsigned line, col;
	char *text;           /* NULL: empty entry */
	size_t diag;          /* index of its message in the diags */
	unsigned count;       /* conns it was given for */
};

struct shared_warnings {
	struct shared_warning *v;
	size_t mask, n;
};

static size_t warn_hash(const char *file, unsigned line, unsigned col, const char *text)
{
	size_t h = (size_t)(uintptr_t)file * 0x9e3779b97f4a7c15u ^ line * 31u ^ col;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

static struct shared_warning *warn_slot(struct shared_warnings *w, const char *file,
					unsigned line, unsigned col, const char *text)
{
	size_t i = warn_hash(file, line, col, text) & w->mask;
	for (; w->v[i].text != NULL; i = (i + 1) & w->mask) {
		const struct shared_warning *o = &w->v[i];
		if (o->file == file && o->line == line && o->col == col && strcmp(o->text, text) == 0)
			break;
	}
	return &w->v[i];
}

static void warn_grow(struct shared_warnings *w)
{
	size_t cap = w->v ? 2 * (w->mask + 1) : 64;
	struct shared_warning *old = w->v;
	size_t old_cap = w->v ? w->mask + 1 : 0;
	w->v = calloc(cap, sizeof(*w->v));
	if (w->v == NULL)
		abort();
	w->mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].text != NULL)
			*warn_slot(w, old[i].file, old[i].line, old[i].col, old[i].text) = old[i];
	free(old);
}

/* True when this warning was given before, for another conn. */
static bool warn_seen(struct merged *m, const struct conf_loc *l, const char *text)
{
	if (m->warns == NULL) {
		m->warns = calloc(1, sizeof(*m->warns));
		if (m->warns == NULL)
			abort();
	}
	struct shared_warnings *w = m->warns;
	if (w->v == NULL || 2 * (w->n + 1) > w->mask + 1)
		warn_grow(w);
	struct shared_warning *s = warn_slot(w, l->file, l->line, l->col, text);
	if (s->text != NULL) {
		s->count++;
		return true;
	}
	char *copy = strdup(text);
	if (copy == NULL)
		abort();
	*s = (struct shared_warning){ l->file, l->line, l->col, copy, m->d->n, 1 };
	w->n++;
	return false;
}

void shared_warnings_flush(struct merged *m)
{
	struct shared_warnings *w = m->warns;
	if (w == NULL)
		return;
	for (size_t i = 0; w->v != NULL && i <= w->mask; i++) {
		struct shared_warning *s = &w->v[i];
		if (s->text == NULL)
			continue;
		if (s->count > 1 && s->diag < m->d->n) {
			struct diag *g = &m->d->v[s->diag];
			char *t = NULL;
			if (asprintf(&t, "%s (applies to %u conns)", s->text, s->count) < 0)
				abort();
			free(g->text);
			g->text = t;
		}
		free(s->text);
	}
	free(w->v);
	free(w);
	m->warns = NULL;
}

static void say(const struct env *e, enum diag_level lvl, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(const struct env *e, enum diag_level lvl, const char *key,
		const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	const struct conf_loc *l = loc_of(e, key);
	if (lvl == DIAG_WARNING && warn_seen((struct merged *)e->m, l, text))
		return;
	diag_add(e->m->d, lvl, l->file, l->line, l->col, "conn %s: %s", e->conn->name, text);
}

static bool is(const char *v, const char *s)
{
	return v != NULL && strcmp(v, s) == 0;
}

/* Family of a literal address, or IP_UNSET for names and magic values. */
static enum ip_family literal_family(const char *v)
{
	ip_address a;
	if (v == NULL || ttoaddress_num(v, strlen(v), IP_UNSET, &a) != NULL)
		return IP_UNSET;
	return (enum ip_family)a.family;
}

enum ip_family subnet_family(const char *v)
{
	ip_subnet s;
	if (v == NULL || is_virtual_subnet(v) || v[0] == '%' ||
	    ttosubnet(v, strlen(v), IP_UNSET, &s, NULL) != NULL)
		return IP_UNSET;
	return (enum ip_family)s.addr.family;
}

static bool loads(const struct env *e)
{
	const char *a = val(e, "auto");
	return e->explicit_load || (a != NULL && !is(a, "ignore"));
}

/* ---- the rules -------------------------------------------------------- */

static bool need_left_right(const struct env *e)
{
	bool ok = true;
	const struct ipsecconf *conf = e->m->conf;
	bool any[2];
	for (int i = 0; i < 2; i++) {
		const struct conf_kv *kv = merged_kv(e->m, slot_of(i ? "right" : "left"));
		any[i] = kv != NULL && (uint32_t)(kv - conf->kvs.v) == conf->any_kv[i];
	}
	if (any[0] || any[1]) {
		/* at the conn's header: one line saying what was done and why */
		const struct conf_loc *why = &conf->kvs.v[conf->any_kv[0]].loc;
		say(e, DIAG_WARNING, NULL,
		    "%s not set: %s, as strongSwan does (a strongSwan file: %s at %s:%u)",
		    any[0] && any[1] ? "left= and right= are" : any[0] ? "left= is" : "right= is",
		    any[0] && any[1] ? "left=%any and right=%any are used" :
		    any[0] ? "left=%any is used" : "right=%any is used",
		    conf->any_why, why->file, why->line);
	}
	if (!loads(e))
		return true;   /* an incomplete auto=ignore conn is a fragment */
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "right" : "left";
		if (val(e, k) == NULL) {
			say(e, DIAG_ERROR, NULL, "%s= is required (every conn needs left= and right=)", k);
			ok = false;
		}
	}
	return ok;
}

static bool one_defaultroute(const struct env *e)
{
	if (is(val(e, "left"), "%defaultroute") && is(val(e, "right"), "%defaultroute")) {
		say(e, DIAG_ERROR, "right", "left= and right= cannot both be %%defaultroute");
		return false;
	}
	return true;
}

static bool subnet_or_subnets(const struct env *e)
{
	bool ok = true;
	for (int i = 0; i < 2; i++) {
		const char *one = i ? "rightsubnet" : "leftsubnet";
		const char *many = i ? "rightsubnets" : "leftsubnets";
		if (val(e, one) != NULL && val(e, many) != NULL) {
			say(e, DIAG_ERROR, many, "%s= and %s= cannot be used together", one, many);
			ok = false;
		}
	}
	return ok;
}

static bool families_agree(const struct env *e)
{
	enum ip_family lf = literal_family(val(e, "left"));
	enum ip_family rf = literal_family(val(e, "right"));
	if (lf && rf && lf != rf) {
		say(e, DIAG_ERROR, "right", "left= is IPv%d but right= is IPv%d", lf, rf);
		return false;
	}
	enum ip_family ls = subnet_family(val(e, "leftsubnet"));
	enum ip_family rs = subnet_family(val(e, "rightsubnet"));
	if (ls && rs && ls != rs) {
		say(e, DIAG_ERROR, "rightsubnet", "leftsubnet= is IPv%d but rightsubnet= is IPv%d",
		    ls, rs);
		return false;
	}
	/* connaddrfamily= is the family of what the conn carries: the subnets
	 * when there are any (IPv6 subnets between IPv4 gateways is Openswan's
	 * 6in4), else the hosts themselves */
	const char *fam = val(e, "connaddrfamily");
	enum ip_family want = is(fam, "ipv6") ? IP_V6 : fam ? IP_V4 : IP_UNSET;
	enum ip_family sub = ls ? ls : rs;
	enum ip_family have = sub ? sub : lf ? lf : rf;
	if (want && have && want != have) {
		say(e, DIAG_ERROR, "connaddrfamily", "connaddrfamily=%s but the %s are IPv%d",
		    fam, sub ? "subnets" : "endpoints", have);
		return false;
	}
	return true;
}

/* Transport mode protects the hosts themselves: a subnet must be the host. */
static bool transport_has_no_subnet(const struct env *e)
{
	if (!is(val(e, "type"), "transport"))
		return true;
	bool ok = true;
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "rightsubnet" : "leftsubnet";
		const char *host = val(e, i ? "right" : "left");
		const char *sub = val(e, k);
		/* vhost:/vnet: name the peer's own address behind a NAT (L2TP) */
		if (sub == NULL || is_virtual_subnet(sub) || is(sub, "%no"))
			continue;
		ip_subnet s;
		ip_address h;
		bool same = host != NULL &&
			    ttoaddress_num(host, strlen(host), IP_UNSET, &h) == NULL &&
			    ttosubnet(sub, strlen(sub), IP_UNSET, &s, NULL) == NULL &&
			    s.prefix == address_bits(h.family) && address_eq(&s.addr, &h);
		if (!same) {
			say(e, DIAG_ERROR, k, "type=transport carries only the hosts' own traffic; remove %s= or use type=tunnel", k);
			ok = false;
		}
	}
	return ok;
}

static bool phase2alg_fits_phase2(const struct env *e)
{
	const char *alg = val(e, "phase2alg");
	if (alg == NULL)
		return true;
	bool ah = is(val(e, "phase2"), "ah");
	struct proposals *p = malloc(sizeof(*p));
	if (p == NULL)
		abort();
	char err[256];
	err_t bad = ttoproposals(alg, ah ? ALG_FOR_AH : ALG_FOR_ESP, p, err, sizeof(err));
	free(p);
	if (bad != NULL) {
		say(e, DIAG_ERROR, "phase2alg", "phase2alg=%s does not fit phase2=%s: %s", alg,
		    ah ? "ah" : "esp", bad);
		return false;
	}
	return true;
}

/* Proposals that all use one DH group (need_dh: and name it). */
static bool one_group(const char *text, enum alg_proto proto, bool need_dh)
{
	struct proposals *p = malloc(sizeof(*p));
	if (p == NULL)
		abort();
	char err[256];
	bool ok = ttoproposals(text, proto, p, err, sizeof(err)) == NULL && p->n > 0;
	for (unsigned i = 0; ok && i < p->n; i++) {
		const struct proposal *q = &p->p[i];
		bool full = proto == ALG_FOR_AH ? q->integ != NULL
			  : q->encr != NULL && (q->integ != NULL || q->encr->aead || proto == ALG_FOR_ESP);
		ok = full && (!need_dh || q->dh != NULL) && q->dh == p->p[0].dh;
	}
	free(p);
	return ok;
}

/* Aggressive mode sends its KE first: one fully given DH group. */
static bool aggrmode_has_one_group(const struct env *e)
{
	bool b;
	const char *am = val(e, "aggrmode");
	if (am == NULL || ttobool(am, &b) != NULL || !b)
		return true;
	const char *ike = val(e, "ike");
	if (ike == NULL || val(e, "phase2alg") == NULL) {
		say(e, DIAG_ERROR, "aggrmode", "aggrmode=yes needs both ike= and phase2alg= with one DH group");
		return false;
	}
	bool ok = one_group(ike, ALG_FOR_IKE, true);
	if (!ok)
		say(e, DIAG_ERROR, "ike", "aggrmode=yes needs every ike= proposal fully written with the same DH group");
	bool ah = is(val(e, "phase2"), "ah");
	if (!one_group(val(e, "phase2alg"), ah ? ALG_FOR_AH : ALG_FOR_ESP, false)) {
		say(e, DIAG_ERROR, "phase2alg", "aggrmode=yes needs every phase2alg= proposal fully written with the same DH group");
		ok = false;
	}
	return ok;
}

static bool dpd_settings(const struct env *e)
{
	/* strongSwan's dpdaction=none: no liveness checks (resolve.c drops
	 * the three keys from the conn) */
	if (is(val(e, "dpdaction"), "none")) {
		if (val(e, "dpddelay") != NULL || val(e, "dpdtimeout") != NULL)
			say(e, DIAG_WARNING, val(e, "dpddelay") ? "dpddelay" : "dpdtimeout",
			    "%s= is ignored: dpdaction=none turns dead peer detection off",
			    val(e, "dpddelay") ? "dpddelay" : "dpdtimeout");
		return true;
	}
	/* a strongSwan file's dpdaction= brings its defaults (resolve.c) */
	if (e->m->conf->any_why != NULL && val(e, "dpdaction") != NULL)
		return true;
	if (val(e, "dpddelay") != NULL && val(e, "dpdtimeout") == NULL)
		say(e, DIAG_WARNING, "dpddelay", "dpddelay= is set but dpdtimeout= is not");
	if (val(e, "dpdtimeout") != NULL && val(e, "dpdaction") == NULL)
		say(e, DIAG_WARNING, "dpdtimeout", "dpdtimeout= is set but dpdaction= is not");
	return true;
}

static bool nexthop_with_defaultroute(const struct env *e)
{
	for (int i = 0; i < 2; i++) {
		const char *host = i ? "right" : "left";
		const char *nh = i ? "rightnexthop" : "leftnexthop";
		if (is(val(e, host), "%defaultroute") && val(e, nh) != NULL)
			say(e, DIAG_WARNING, nh, "%s= is ignored: %s=%%defaultroute finds the next hop itself",
			    nh, host);
	}
	return true;
}

static uint64_t time_ms(const char *v, const char *deflt)
{
	deltatime_t t = { 0 };
	if (ttodeltatime(v ? v : deflt, &t) != NULL)
		return 0;
	return t.ms;
}

static bool rekeymargin_fits(const struct env *e)
{
	uint64_t life = time_ms(val(e, "salifetime"), "8h");
	uint64_t margin = time_ms(val(e, "rekeymargin"), "9m");
	unsigned fuzz = 100;
	const char *f = val(e, "rekeyfuzz");
	if (f != NULL && ttopercent(f, &fuzz) != NULL)
		fuzz = 100;
	if (life > 0 && margin + margin * fuzz / 100 > life)
		say(e, DIAG_WARNING, "rekeymargin",
		    "rekeymargin= plus rekeyfuzz= (%u%%) exceeds salifetime=: rekeying starts at once", fuzz);
	return true;
}

static bool auto_manual(const struct env *e)
{
	if (is(val(e, "auto"), "manual"))
		say(e, DIAG_WARNING, "auto", "auto=manual: manual keying is not supported; the conn is not started");
	return true;
}

static bool (*const conn_checks[])(const struct env *) = {
	need_left_right,
	one_defaultroute,
	subnet_or_subnets,
	families_agree,
	transport_has_no_subnet,
	phase2alg_fits_phase2,
	aggrmode_has_one_group,
	dpd_settings,
	nexthop_with_defaultroute,
	rekeymargin_fits,
	auto_manual,
};

bool check_conn(const struct merged *m, bool explicit_load)
{
	struct env e = { m, &m->conf->sects.v[m->sect], explicit_load };
	bool ok = true;
	for (size_t i = 0; i < sizeof(conn_checks) / sizeof(conn_checks[0]); i++)
		ok &= conn_checks[i](&e);
	return ok;
}
