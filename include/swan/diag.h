/* Diagnostics as values: a list of "FILE:LINE:COL: error|warning: TEXT"
 * messages that a library fills and the caller prints (or compares). */
#ifndef SWAN_DIAG_H
#define SWAN_DIAG_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_level { DIAG_WARNING, DIAG_ERROR };

struct diag {
	enum diag_level level;
	const char *file;      /* not owned: outlives the list (interned) */
	unsigned line, col;    /* 0 when unknown */
	char *text;            /* owned */
};

struct diags {
	struct diag *v;
	size_t n, cap;
	unsigned errors, warnings;
};

__attribute__((format(printf, 6, 7)))
void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...);
__attribute__((format(printf, 6, 0)))
void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       unsigned line, unsigned col, const char *fmt, va_list ap);
/* One line per message, in the order added. */
void diags_print(const struct diags *d, FILE *out);
void diags_free(struct diags *d);
#endif
