/* Expansions of one resolved conn into several: leftsubnets=/rightsubnets=
 * (one conn per pair, "NAME/LxR") and policy groups (right=%group: one
 * instance per CIDR of policy/NAME, "NAME#CIDR"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "walk.h"
#include "swan/subnet.h"

#define SUBNETS_MAX 256

struct item { const char *s; size_t len; };

/* "{ A B }" or "A,B" -> items; returns the count (at most max). */
static size_t split_subnets(const char *value, struct item *items, size_t max)
{
	const char *p = value, *end = value + strlen(value);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '{')
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '}'))
		end--;
	size_t n = 0;
	while (p < end && n < max) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		const char *q = p;
		while (q < end && *q != ' ' && *q != '\t' && *q != ',')
			q++;
		if (q > p)
			items[n++] = (struct item){ p, (size_t)(q - p) };
		p = q;
	}
	return n;
}

/* Copies the conn's values without `drop1`/`drop2` and with room for more. */
static size_t copy_without(struct walker *w, size_t drop1, size_t drop2, size_t extra)
{
	const struct resolved *r = &w->res;
	if (r->n_kv + extra > w->cap_inst) {
		w->cap_inst = r->n_kv + extra + 16;
		free(w->inst);
		w->inst = malloc(w->cap_inst * sizeof(*w->inst));
		if (w->inst == NULL)
			abort();
	}
	size_t n = 0;
	for (size_t i = 0; i < r->n_kv; i++)
		if (r->kv[i].slot != drop1 && r->kv[i].slot != drop2)
			w->inst[n++] = r->kv[i];
	return n;
}

/* The one conn check an instance can fail on its own: the families of
 * the two subnets it was given. */
static bool instance_ok(struct walker *w, size_t n, const char *name)
{
	size_t lsn = slot_of("leftsubnet"), rsn = slot_of("rightsubnet");
	const struct resolved_kv *l = NULL, *r = NULL;
	for (size_t i = 0; i < n; i++) {
		if (w->inst[i].slot == lsn)
			l = &w->inst[i];
		if (w->inst[i].slot == rsn)
			r = &w->inst[i];
	}
	enum ip_family lf = l ? subnet_family(l->value) : IP_UNSET;
	enum ip_family rf = r ? subnet_family(r->value) : IP_UNSET;
	if (lf == IP_UNSET || rf == IP_UNSET || lf == rf)
		return true;
	diag_add(w->d, DIAG_ERROR, r->loc.file, r->loc.line, r->loc.col,
		 "conn %s: leftsubnet= is IPv%d but rightsubnet= is IPv%d", name, lf, rf);
	diag_add(w->d, DIAG_ERROR, w->res.loc.file, w->res.loc.line, w->res.loc.col,
		 "conn %s is not loaded because of the errors above", name);
	return false;
}

/* Puts the x- keys back at the end after appending keyword values. */
static bool emit_instance(struct walker *w, size_t n, const char *name)
{
	if (!instance_ok(w, n, name))
		return false;
	/* keyword values first (sorted), x- keys after in their order */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (w->inst[i].slot != SIZE_MAX) {
			struct resolved_kv t = w->inst[i];
			memmove(&w->inst[k + 1], &w->inst[k], (i - k) * sizeof(t));
			w->inst[k++] = t;
		}
	walk_sort(w->inst, n);
	struct resolved inst = w->res;
	inst.kv = w->inst;
	inst.n_kv = n;
	inst.name = name;
	inst.template = w->res.name;
	inst.group = false;
	w->fn(&inst, w->ctx);
	return true;
}

static bool expand_subnets(struct walker *w, const char *lv, const char *rv)
{
	static struct item none[1] = { { NULL, 0 } };
	struct item *litems = none, *ritems = none;
	struct item lbuf[SUBNETS_MAX], rbuf[SUBNETS_MAX];
	size_t nl = 1, nr = 1;
	if (lv != NULL) {
		litems = lbuf;
		nl = split_subnets(lv, lbuf, SUBNETS_MAX);
	}
	if (rv != NULL) {
		ritems = rbuf;
		nr = split_subnets(rv, rbuf, SUBNETS_MAX);
	}
	size_t lss = slot_of("leftsubnets"), rss = slot_of("rightsubnets");
	size_t lsn = slot_of("leftsubnet"), rsn = slot_of("rightsubnet");
	const struct resolved_kv *lkv = NULL, *rkv = NULL;
	for (size_t i = 0; i < w->res.n_kv; i++) {
		if (w->res.kv[i].slot == lss)
			lkv = &w->res.kv[i];
		if (w->res.kv[i].slot == rss)
			rkv = &w->res.kv[i];
	}
	bool ok = true;
	for (size_t i = 0; i < nl; i++) {
		for (size_t j = 0; j < nr; j++) {
			size_t n = copy_without(w, lss, rss, 2);
			if (lv != NULL)
				w->inst[n++] = (struct resolved_kv){
					lsn, keyword_slot_name(lsn),
					arena_strndup(&w->scratch, litems[i].s, litems[i].len), lkv->loc };
			if (rv != NULL)
				w->inst[n++] = (struct resolved_kv){
					rsn, keyword_slot_name(rsn),
					arena_strndup(&w->scratch, ritems[j].s, ritems[j].len), rkv->loc };
			const char *name = arena_printf(&w->scratch, "%s/%zux%zu", w->res.name,
							lv ? i + 1 : 0, rv ? j + 1 : 0);
			ok &= emit_instance(w, n, name);
		}
	}
	return ok;
}

/* ---- policy groups ------------------------------------------------------ */

static void trim_comment(char *line)
{
	char *p = line;
	for (; *p; p++) {
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
			 line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
}

static bool expand_group(struct walker *w, enum side side, bool opportunistic)
{
	struct ipsecconf *conf = w->m.conf;
	const char *host_key = side == SIDE_LEFT ? "left" : "right";
	const char *subnet_key = side == SIDE_LEFT ? "leftsubnet" : "rightsubnet";
	size_t hs = slot_of(host_key), ss = slot_of(subnet_key);

	struct resolved tmpl = w->res;
	tmpl.group = true;
	w->fn(&tmpl, w->ctx);

	/* in the config's arena: messages naming the file outlive the walk */
	const char *path = arena_printf(&conf->arena, "%s/%s", conf->policy_dir, w->res.name);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (!w->res.implicit)
			diag_add(w->d, DIAG_WARNING, w->res.loc.file, w->res.loc.line, w->res.loc.col,
				 "policy group conn %s: cannot read '%s' (%s); it has no instances",
				 w->res.name, path, strerror(errno));
		return true;
	}
	char line[512];
	unsigned lineno = 0;
	bool ok = true;
	/* names already used, for duplicates: small files, a linear list */
	const char **seen = NULL;
	size_t n_seen = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		trim_comment(line);
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			continue;
		ip_subnet sn;
		bool host_bits;
		err_t e = ttosubnet(p, strlen(p), IP_UNSET, &sn, &host_bits);
		const char *file = path;
		if (e != NULL) {
			diag_add(w->d, DIAG_ERROR, file, lineno, 1,
				 "bad CIDR block '%s' for policy group %s: %s", p, w->res.name, e);
			ok = false;
			continue;
		}
		char cidr[SUBNET_BUF];
		str_subnet(&sn, cidr);
		if (host_bits)
			diag_add(w->d, DIAG_WARNING, file, lineno, 1,
				 "host bits set in CIDR block '%s' for policy group %s; %s is used",
				 p, w->res.name, cidr);
		const char *name = arena_printf(&w->scratch, "%s#%s", w->res.name, cidr);
		bool dup = false;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = strcmp(seen[i], name) == 0;
		if (dup) {
			diag_add(w->d, DIAG_WARNING, file, lineno, 1,
				 "CIDR block %s is listed twice for policy group %s", cidr, w->res.name);
			continue;
		}
		const char **grown = realloc(seen, (n_seen + 1) * sizeof(*seen));
		if (grown == NULL)
			abort();
		seen = grown;
		seen[n_seen++] = name;

		bool one_host = sn.prefix == address_bits(sn.addr.family);
		char host[ADDRESS_BUF];
		const char *hostv = opportunistic ? "%opportunistic"
				  : one_host ? str_address(&sn.addr, host) : "%any";
		struct conf_loc loc = { file, lineno, 1 };
		size_t n = copy_without(w, hs, ss, 2);
		w->inst[n++] = (struct resolved_kv){ hs, host_key, arena_strdup(&w->scratch, hostv), loc };
		w->inst[n++] = (struct resolved_kv){ ss, subnet_key, arena_strdup(&w->scratch, cidr), loc };
		ok &= emit_instance(w, n, name);
	}
	free(seen);
	fclose(f);
	return ok;
}

bool walk_expand(struct walker *w)
{
	arena_free(&w->scratch);
	const struct resolved *r = &w->res;
	const char *lv = resolved_get_slot(r, slot_of("leftsubnets"));
	const char *rv = resolved_get_slot(r, slot_of("rightsubnets"));
	if (lv != NULL || rv != NULL)
		return expand_subnets(w, lv, rv);
	static const char *const sides[] = { "right", "left" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = resolved_get_slot(r, slot_of(sides[i]));
		if (v == NULL)
			continue;
		enum side side = i == 0 ? SIDE_RIGHT : SIDE_LEFT;
		if (strcmp(v, "%group") == 0)
			return expand_group(w, side, false);
		if (strcmp(v, "%opportunisticgroup") == 0)
			return expand_group(w, side, true);
	}
	w->fn(r, w->ctx);
	return true;
}
