/* The mapping driver and its messages (each said once). */
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
	char *key = xasprintf("%s:%u:%d:%s", at.file ? at.file : "", at.line, (int)lvl, text);
	if (strmap_get(&m->seen, key) == NULL) {
		strmap_put(&m->seen, key, (void *)1);
		diag_add(d, lvl, at.file, at.line, 0, "%s", text);
	}
	free(key);
	free(text);
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
	strmap_clear(&m.seen);
}
