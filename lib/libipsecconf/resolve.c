/* Resolution: also=, alsoflip= and %default merged into one set of values
 * per conn (README, "ipsec.conf semantics"), then the conn checks, the
 * expansions and the caller's function. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "merged.h"
#include "walk.h"

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

/* Callers pass string literals, so the pointer identifies the name: a
 * small cache keyed by address saves hashing the text on every call. */
#define SLOT_CACHE 64
static struct { const char *name; size_t slot; } slot_cache[SLOT_CACHE];

size_t slot_of(const char *name)
{
	size_t h = ((uintptr_t)name >> 3) & (SLOT_CACHE - 1);
	for (size_t i = 0; i < SLOT_CACHE; i++) {
		size_t j = (h + i) & (SLOT_CACHE - 1);
		if (slot_cache[j].name == name)
			return slot_cache[j].slot;
		if (slot_cache[j].name == NULL) {
			struct kw_ref ref = keyword_lookup(name, strlen(name));
			if (ref.kw == NULL)
				abort();   /* a name in our own code that the table lacks */
			slot_cache[j].slot = keyword_slot(ref.kw, ref.side);
			slot_cache[j].name = name;
			return slot_cache[j].slot;
		}
	}
	struct kw_ref ref = keyword_lookup(name, strlen(name));
	if (ref.kw == NULL)
		abort();
	return keyword_slot(ref.kw, ref.side);
}

/* ---- merging ------------------------------------------------------------ */

static void set_slot(struct merged *m, size_t slot, uint32_t kvi)
{
	m->slots[slot].epoch = m->epoch;
	m->slots[slot].kv = kvi;
	m->set[m->n_set++] = (uint32_t)slot;
}

static const char *via(const struct merged *m, const struct conf_kv *kv)
{
	return m->conf->sects.v[kv->section].name;
}

static void conflict(struct merged *m, const struct conf_kv *kv,
		     const struct conf_kv *first, const char *name)
{
	const struct conf_section *conn = &m->conf->sects.v[m->sect];
	diag_add(m->d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
		 "conn %s: conflicting values for %s=: '%s' from %s here and '%s' from %s at %s:%u",
		 conn->name, name, kv->value, via(m, kv), first->value, via(m, first),
		 first->loc.file, first->loc.line);
	m->failed = true;
}

static void add_ext(struct merged *m, uint32_t kvi)
{
	const struct conf_kv *kv = &m->conf->kvs.v[kvi];
	for (size_t i = 0; i < m->n_ext; i++) {
		const struct conf_kv *o = &m->conf->kvs.v[m->ext[i]];
		if (strcmp(o->key, kv->key) == 0) {
			if (strcmp(o->value, kv->value) != 0)
				conflict(m, kv, o, kv->key);
			return;
		}
	}
	if (m->n_ext == m->cap_ext) {
		m->cap_ext = m->cap_ext ? m->cap_ext * 2 : 8;
		m->ext = xrealloc(m->ext, m->cap_ext * sizeof(*m->ext));
	}
	m->ext[m->n_ext++] = kvi;
}

/* Applies one key of a section (flipped when reached through alsoflip=). */
static void merge_kv(struct merged *m, uint32_t kvi, bool flip)
{
	const struct conf_kv *kv = &m->conf->kvs.v[kvi];
	if (kv->obsolete)
		return;
	if (kv->slot == SLOT_EXTENSION) {
		add_ext(m, kvi);
		return;
	}
	size_t slot = (size_t)kv->slot;
	if (flip)
		slot = keyword_flip_slot(slot);
	const struct conf_kv *first = merged_kv(m, slot);
	if (first == NULL)
		set_slot(m, slot, kvi);
	else if (strcmp(first->value, kv->value) != 0)
		conflict(m, kv, first, keyword_slot_name(slot));
}

static void cycle_error(struct merged *m, struct conf_kv *kv, uint32_t target)
{
	char chain[2048];
	size_t used = 0;
	size_t start = 0;
	while (start < m->depth && m->stack[start] != target)
		start++;
	for (size_t i = start; i < m->depth && used < sizeof(chain); i++)
		used += (size_t)snprintf(chain + used, sizeof(chain) - used, "%s -> ",
					 m->conf->sects.v[m->stack[i]].name);
	if (used < sizeof(chain))
		snprintf(chain + used, sizeof(chain) - used, "%s",
			 m->conf->sects.v[target].name);
	diag_add(m->d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
		 "%s= cycle: %s", kv->key, chain);
	kv->bad = true;   /* reported once; every conn through it fails */
}

/* The section of that type whose name is closest to name, for "did you
 * mean"; NULL when none is close. Each search reads every section name,
 * so a file with very many bad also= lines gets hints for the first few. */
#define ALSO_HINTS_MAX 64
static const char *similar_section(struct merged *m, enum section_type type, const char *name)
{
	static _Thread_local unsigned searches;
	static _Thread_local const struct ipsecconf *searched;
	if (searched != m->conf) {
		searched = m->conf;
		searches = 0;
	}
	if (searches++ >= ALSO_HINTS_MAX)
		return NULL;
	size_t len = strlen(name);
	unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	const char *best = NULL;
	unsigned best_d = limit + 1;
	for (size_t i = 0; i < m->conf->sects.n; i++) {
		const struct conf_section *o = &m->conf->sects.v[i];
		if (o->type != type || o->dropped || o->is_default)
			continue;
		size_t olen = strlen(o->name);
		if (olen + limit < len || len + limit < olen)
			continue;   /* too far apart to be within the limit */
		unsigned d = keyword_distance(name, o->name);
		if (d < best_d) {
			best_d = d;
			best = o->name;
		}
	}
	return best;
}

/* Checks an also= line and finds its target; -1 (reported) when bad. */
static int32_t also_target(struct merged *m, struct conf_kv *kv)
{
	struct ipsecconf *conf = m->conf;
	const struct conf_section *s = &conf->sects.v[kv->section];
	/* naming one section twice in the same section */
	for (uint32_t k = s->first_kv; k < (uint32_t)(kv - conf->kvs.v); k++) {
		const struct conf_kv *o = &conf->kvs.v[k];
		if ((o->slot == SLOT_ALSO || o->slot == SLOT_ALSOFLIP) &&
		    strcmp(o->value, kv->value) == 0) {
			diag_add(m->d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
				 "%s %s names '%s' twice (first at line %u)",
				 sect_type_name(s->type), s->name, kv->value, o->loc.line);
			kv->bad = true;
			return -1;
		}
	}
	if (strcmp(kv->value, "%default") == 0) {
		diag_add(m->d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
			 "%s=%%default: %%default applies by itself and cannot be named", kv->key);
		kv->bad = true;
		return -1;
	}
	int32_t t = conf_find_section(conf, s->type, kv->value);
	if (t < 0) {
		bool other = conf_find_section(conf, s->type == SECT_CONN ? SECT_CONFIG : SECT_CONN,
					       kv->value) >= 0;
		const char *hint = other ? NULL : similar_section(m, s->type, kv->value);
		char hintbuf[320] = "";
		if (hint != NULL)
			snprintf(hintbuf, sizeof(hintbuf), " (did you mean '%s'?)", hint);
		diag_add(m->d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
			 "%s=%s: there is no %s section named '%s'%s%s", kv->key, kv->value,
			 sect_type_name(s->type), kv->value,
			 other ? " (a section of another type has that name)" : "", hintbuf);
		kv->bad = true;
		return -1;
	}
	return t;
}

static void merge_section(struct merged *m, uint32_t sidx, bool flip)
{
	struct ipsecconf *conf = m->conf;
	const struct conf_section *s = &conf->sects.v[sidx];
	m->visit[2 * sidx + flip] = m->epoch;
	m->onstack[sidx] = m->epoch;
	m->stack[m->depth++] = sidx;

	uint32_t end = s->first_kv + s->n_kv;
	for (uint32_t k = s->first_kv; k < end; k++) {
		const struct conf_kv *kv = &conf->kvs.v[k];
		if (kv->bad) {
			m->failed = true;
			continue;
		}
		if (kv->slot == SLOT_ALSO || kv->slot == SLOT_ALSOFLIP)
			continue;
		merge_kv(m, k, flip);
	}
	/* then the also= targets, depth first, in the order written */
	for (uint32_t k = s->first_kv; k < end; k++) {
		struct conf_kv *kv = &conf->kvs.v[k];
		if (kv->bad || (kv->slot != SLOT_ALSO && kv->slot != SLOT_ALSOFLIP))
			continue;
		int32_t t = also_target(m, kv);
		if (t < 0) {
			m->failed = true;
			continue;
		}
		bool tflip = flip ^ (kv->slot == SLOT_ALSOFLIP);
		if (m->onstack[t] == m->epoch) {
			cycle_error(m, kv, (uint32_t)t);
			m->failed = true;
			continue;
		}
		if (m->visit[2 * (size_t)t + tflip] == m->epoch)
			continue;   /* reached before through another path */
		if (conf->sects.v[t].bad)
			m->failed = true;
		merge_section(m, (uint32_t)t, tflip);
	}
	m->depth--;
	m->onstack[sidx] = 0;
}

static void merge_defaults(struct merged *m, const struct conf_section *s)
{
	struct ipsecconf *conf = m->conf;
	const uint32_t *table = s->type == SECT_CONN ? conf->conn_default : conf->setup_default;
	for (size_t i = 0; i < conf->n_default_slots[s->type]; i++) {
		size_t slot = conf->default_slots[s->type][i];
		if (merged_kv(m, slot) != NULL)
			continue;
		const struct conf_kv *kv = &conf->kvs.v[table[slot] - 1];
		if (kv->bad) {
			m->failed = true;
			continue;
		}
		set_slot(m, slot, table[slot] - 1);
	}
	/* strongSwan's ends default to %any */
	for (int i = 0; s->type == SECT_CONN && i < 2; i++) {
		size_t slot = slot_of(i ? "right" : "left");
		if (conf->any_kv[i] != UINT32_MAX && merged_kv(m, slot) == NULL)
			set_slot(m, slot, conf->any_kv[i]);
	}
	if (s->type == SECT_CONN) {
		for (size_t i = 0; i < conf->n_default_ext; i++) {
			const struct conf_kv *kv = &conf->kvs.v[conf->default_ext[i]];
			bool have = false;
			for (size_t j = 0; j < m->n_ext && !have; j++)
				have = strcmp(conf->kvs.v[m->ext[j]].key, kv->key) == 0;
			if (!have)
				add_ext(m, conf->default_ext[i]);
		}
	}
}

/* Openswan's conn %oedefault: defaults of the implicit (opportunistic)
 * conns, below their own keys. */
static void merge_oedefault(struct merged *m)
{
	const struct conf_section *oe = &m->conf->sects.v[m->conf->oedefault];
	for (uint32_t k = oe->first_kv; k < oe->first_kv + oe->n_kv; k++) {
		const struct conf_kv *kv = &m->conf->kvs.v[k];
		if (kv->obsolete || kv->slot < 0)
			continue;
		if (kv->bad) {
			m->failed = true;
			continue;
		}
		if (merged_kv(m, (size_t)kv->slot) == NULL)
			set_slot(m, (size_t)kv->slot, k);
	}
}

static void merged_init(struct merged *m, struct ipsecconf *conf, struct diags *d)
{
	size_t n = keyword_slots();
	*m = (struct merged){ .conf = conf, .d = d, .n_sects = conf->sects.n };
	m->slots = xrealloc(NULL, n * sizeof(*m->slots));
	memset(m->slots, 0, n * sizeof(*m->slots));
	/* a slot can be set once per conn: n entries are enough */
	m->set = xrealloc(NULL, n * sizeof(*m->set));
	m->visit = xrealloc(NULL, 2 * m->n_sects * sizeof(*m->visit));
	m->onstack = xrealloc(NULL, m->n_sects * sizeof(*m->onstack));
	m->stack = xrealloc(NULL, m->n_sects * sizeof(*m->stack));
	memset(m->visit, 0, 2 * m->n_sects * sizeof(*m->visit));
	memset(m->onstack, 0, m->n_sects * sizeof(*m->onstack));
}

static void merged_free(struct merged *m)
{
	shared_warnings_flush(m);
	free(m->slots);
	free(m->set);
	free(m->visit);
	free(m->onstack);
	free(m->stack);
	free(m->ext);
}

/* Merges section sidx; m->failed says whether it may be used. */
static void merge_conn(struct merged *m, uint32_t sidx)
{
	const struct conf_section *s = &m->conf->sects.v[sidx];
	m->epoch++;
	m->sect = sidx;
	m->n_set = 0;
	m->n_ext = 0;
	m->depth = 0;
	m->failed = s->bad;
	merge_section(m, sidx, false);
	if (!s->implicit)
		merge_defaults(m, s);
	else if (m->conf->oedefault >= 0)
		merge_oedefault(m);
}

/* ---- resolved records ------------------------------------------------- */

/* By slot; a conn has a few dozen values, so insertion sort. */
static void sort_by_slot(struct resolved_kv *kv, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct resolved_kv t = kv[i];
		size_t j = i;
		while (j > 0 && kv[j - 1].slot > t.slot) {
			kv[j] = kv[j - 1];
			j--;
		}
		kv[j] = t;
	}
}

void walk_sort(struct resolved_kv *kv, size_t n)
{
	/* x- keys (SIZE_MAX) keep their order: only the keyword part is sorted */
	size_t k = 0;
	while (k < n && kv[k].slot != SIZE_MAX)
		k++;
	sort_by_slot(kv, k);
}

void walk_reserve(struct walker *w, size_t n)
{
	if (n > w->cap_out) {
		w->cap_out = n + 16;
		w->out = xrealloc(w->out, w->cap_out * sizeof(*w->out));
	}
}

/* The merged values as a resolved record in canonical order. */
/* strongSwan's dpdaction=none means no dead peer detection: the conn goes
 * out without dpdaction=, dpddelay= and dpdtimeout= (pluto checks
 * liveness only when dpddelay= is given). */
static bool dropped_for_dpd_none(const struct merged *m, size_t slot)
{
	size_t action_slot = slot_of("dpdaction");
	if (slot != action_slot && slot != slot_of("dpddelay") && slot != slot_of("dpdtimeout"))
		return false;
	const char *action = merged_value(m, action_slot);
	return action != NULL && strcmp(action, "none") == 0;
}

/* In a strongSwan file, dpdaction=clear|hold|restart alone switches dead
 * peer detection on with strongSwan's defaults, dpddelay=30s and
 * dpdtimeout=150s: the conn goes out with them (placed at dpdaction=). */
static size_t strongswan_dpd_defaults(const struct merged *m, struct resolved_kv *out, size_t n)
{
	if (m->conf->any_why == NULL)
		return n;
	const struct conf_kv *action = merged_kv(m, slot_of("dpdaction"));
	if (action == NULL || action->value[0] == '\0' || strcmp(action->value, "none") == 0)
		return n;
	static const struct { const char *key, *value; } dflt[] = {
		{ "dpddelay", "30s" }, { "dpdtimeout", "150s" },
	};
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
		size_t slot = slot_of(dflt[i].key);
		if (merged_kv(m, slot) == NULL)
			out[n++] = (struct resolved_kv){ slot, keyword_slot_name(slot), dflt[i].value,
							 action->loc };
	}
	return n;
}

static void build_resolved(struct walker *w, const struct conf_section *s)
{
	struct merged *m = &w->m;
	walk_reserve(w, m->n_set + m->n_ext + 2);
	size_t n = 0;
	for (size_t i = 0; i < m->n_set; i++) {
		const struct conf_kv *kv = &m->conf->kvs.v[m->slots[m->set[i]].kv];
		if (kv->value[0] == '\0' || dropped_for_dpd_none(m, m->set[i]))
			continue;
		w->out[n++] = (struct resolved_kv){ m->set[i], keyword_slot_name(m->set[i]),
						    kv->value, kv->loc };
	}
	if (s->type == SECT_CONN)
		n = strongswan_dpd_defaults(m, w->out, n);
	sort_by_slot(w->out, n);
	for (size_t i = 0; i < m->n_ext; i++) {
		const struct conf_kv *kv = &m->conf->kvs.v[m->ext[i]];
		if (kv->value[0] != '\0')
			w->out[n++] = (struct resolved_kv){ SIZE_MAX, kv->key, kv->value, kv->loc };
	}

	size_t n_also = 0;
	for (uint32_t k = s->first_kv; k < s->first_kv + s->n_kv; k++) {
		const struct conf_kv *kv = &m->conf->kvs.v[k];
		if (kv->slot == SLOT_ALSO || kv->slot == SLOT_ALSOFLIP) {
			if (n_also == w->cap_also) {
				w->cap_also = w->cap_also ? 2 * w->cap_also : 8;
				w->also = xrealloc(w->also, w->cap_also * sizeof(*w->also));
			}
			w->also[n_also++] = (struct resolved_also){ kv->slot == SLOT_ALSOFLIP, kv->value };
		}
	}
	w->res = (struct resolved){
		.type = s->type, .name = s->name, .loc = s->loc,
		.kv = w->out, .n_kv = n, .also = w->also, .n_also = n_also,
		.implicit = s->implicit,
	};
}

const char *resolved_get_slot(const struct resolved *r, size_t slot)
{
	/* kv is sorted by slot: binary search the keyword part */
	size_t lo = 0, hi = r->n_kv;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->kv[mid].slot < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_kv && r->kv[lo].slot == slot ? r->kv[lo].value : NULL;
}

const char *resolved_get(const struct resolved *r, const char *key)
{
	size_t len = strlen(key);
	if (keyword_is_extension(key, len)) {
		for (size_t i = 0; i < r->n_kv; i++)
			if (r->kv[i].slot == SIZE_MAX && strcmp(r->kv[i].key, key) == 0)
				return r->kv[i].value;
		return NULL;
	}
	struct kw_ref ref = keyword_lookup(key, len);
	if (ref.kw == NULL)
		return NULL;
	return resolved_get_slot(r, keyword_slot(ref.kw, ref.side));
}

const char *resolved_value(const struct resolved *r, const char *key)
{
	const char *v = resolved_get(r, key);
	if (v != NULL)
		return v;
	struct kw_ref ref = keyword_lookup(key, strlen(key));
	return ref.kw != NULL ? ref.kw->deflt : NULL;
}

/* ---- walking -------------------------------------------------------------- */

static void walker_init(struct walker *w, struct ipsecconf *conf, resolved_fn fn,
			void *ctx, struct diags *d)
{
	*w = (struct walker){ .fn = fn, .ctx = ctx, .d = d };
	merged_init(&w->m, conf, d);
}

static void walker_free(struct walker *w)
{
	merged_free(&w->m);
	free(w->out);
	free(w->also);
	free(w->inst);
	arena_free(&w->scratch);
}

static void walk_setup(struct walker *w)
{
	struct ipsecconf *conf = w->m.conf;
	int32_t sidx = conf_find_section(conf, SECT_CONFIG, "setup");
	if (sidx < 0) {
		w->res = (struct resolved){ .type = SECT_CONFIG, .name = "setup" };
		/* %default values still apply to an absent setup */
		struct merged *m = &w->m;
		m->epoch++;
		m->n_set = 0;
		m->n_ext = 0;
		struct conf_section none = { .type = SECT_CONFIG, .name = "setup" };
		merge_defaults(m, &none);
		build_resolved(w, &none);
	} else {
		merge_conn(&w->m, (uint32_t)sidx);
		build_resolved(w, &conf->sects.v[sidx]);
	}
	/* config setup is always handed out: bad keys were reported and skipped */
	w->fn(&w->res, w->ctx);
}

/* Resolves one conn section and hands it (or its instances) out. */
static bool walk_one(struct walker *w, uint32_t sidx, bool explicit_load)
{
	struct merged *m = &w->m;
	const struct conf_section *s = &m->conf->sects.v[sidx];
	merge_conn(m, sidx);
	/* conn checks only on values that are all good: a bad value would
	 * otherwise look missing and earn a second, misleading message */
	if (m->failed || !check_conn(m, explicit_load)) {
		diag_add(w->d, DIAG_ERROR, s->loc.file, s->loc.line, s->loc.col,
			 "conn %s is not loaded because of the errors above", s->name);
		return false;
	}
	/* a user conn named like an implicit one, with auto=ignore, suppresses it */
	const char *autov = merged_value(m, slot_of("auto"));
	if (!explicit_load && is_implicit_name(s->name) && autov != NULL &&
	    strcmp(autov, "ignore") == 0)
		return true;
	build_resolved(w, s);
	return walk_expand(w);
}

unsigned ipsecconf_walk(struct ipsecconf *conf, resolved_fn fn, void *ctx,
			struct diags *d)
{
	struct walker w;
	walker_init(&w, conf, fn, ctx, d);
	walk_setup(&w);
	unsigned failed = 0;
	for (size_t i = 0; i < conf->sects.n; i++) {
		const struct conf_section *s = &conf->sects.v[i];
		if (s->type != SECT_CONN || s->is_default || s->dropped)
			continue;
		if (s->implicit && conf->opts.no_implicit)
			continue;
		if (!walk_one(&w, (uint32_t)i, false))
			failed++;
	}
	walker_free(&w);
	return failed;
}

bool ipsecconf_walk_conn(struct ipsecconf *conf, const char *name,
			 resolved_fn fn, void *ctx, struct diags *d)
{
	int32_t sidx = conf_find_section(conf, SECT_CONN, name);
	if (sidx < 0 || conf->sects.v[sidx].is_default) {
		diag_add(d, DIAG_ERROR, conf->top_file, 0, 0, "no conn named '%s'", name);
		return false;
	}
	struct walker w;
	walker_init(&w, conf, fn, ctx, d);
	bool ok = walk_one(&w, (uint32_t)sidx, true);
	walker_free(&w);
	return ok;
}
