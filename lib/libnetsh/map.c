/* The mapping driver and its messages (each said once). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"

__attribute__((format(printf, 5, 0)))
static void vmsg(struct mapper *m, struct diags *d, enum diag_level lvl, struct where at,
		 const char *fmt, va_list ap)
{
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	/* while a rule's filters are mapped, the same problem of several
	 * filters is one message, at the first one, counted */
	struct where key_at = m->rule != NULL ? m->rule->rule_at : at;
	char *key = xasprintf("%s:%u:%d:%d:%s", key_at.file ? key_at.file : "", key_at.line,
			      (int)lvl, d == m->notes, text);
	uintptr_t idx = (uintptr_t)strmap_get(&m->seen, key);
	if (idx == 0) {
		diag_add(d, lvl, at.file, at.line, 0, "%s", text);
		struct msgcount c = { d, d->n - 1, 1, m->rule != NULL };
		VEC_PUSH(m->counts, m->ncounts, m->capcounts, c);
		strmap_put(&m->seen, key, (void *)(uintptr_t)m->ncounts);
	} else if (m->rule != NULL) {
		m->counts[idx - 1].n++;
	}
	free(key);
	free(text);
}

/* "(N filters)" after a problem that several filters of a rule have. */
static void add_counts(struct mapper *m)
{
	for (size_t i = 0; i < m->ncounts; i++) {
		struct msgcount *c = &m->counts[i];
		if (c->n < 2 || !c->per_filter)
			continue;
		struct diag *g = &c->d->v[c->idx];
		char *t = xasprintf("%s (%u filters)", g->text, c->n);
		free(g->text);
		g->text = t;
	}
	free(m->counts);
}

void map_msg(struct mapper *m, enum diag_level lvl, struct where at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(m, m->d, lvl, at, fmt, ap);
	va_end(ap);
}

void map_note(struct mapper *m, struct where at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(m, m->notes, DIAG_WARNING, at, fmt, ap);
	va_end(ap);
}

void map_all(const struct replay *r, const struct netsh_options *o, struct output *out,
	     struct diags *d, struct diags *notes)
{
	struct mapper m = { .o = o, .out = out, .d = d, .notes = notes };
	map_static(&m, &r->st);
	map_dynamic(&m, &r->dy);
	map_portproxy(&m, &r->pp);
	add_counts(&m);
	strmap_clear(&m.seen);
	strmap_clear(&m.cert_told);
}
