/* Diagnostic lists: collected by libraries, printed by programs. */
#include <stdlib.h>
#include <string.h>
#include "swan/diag.h"

void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       unsigned line, unsigned col, const char *fmt, va_list ap)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL)
			abort();
		d->v = v;
		d->cap = cap;
	}
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	d->v[d->n++] = (struct diag){ level, file, line, col, text };
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, level, file, line, col, fmt, ap);
	va_end(ap);
}

void diags_print(const struct diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		const char *lvl = g->level == DIAG_ERROR ? "error" : "warning";
		if (g->file != NULL && g->line > 0 && g->col > 0)
			fprintf(out, "%s:%u:%u: %s: %s\n", g->file, g->line, g->col, lvl, g->text);
		else if (g->file != NULL && g->line > 0)
			fprintf(out, "%s:%u: %s: %s\n", g->file, g->line, lvl, g->text);
		else if (g->file != NULL)
			fprintf(out, "%s: %s: %s\n", g->file, lvl, g->text);
		else
			fprintf(out, "%s: %s\n", lvl, g->text);
	}
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	*d = (struct diags){0};
}
