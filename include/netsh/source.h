/* A script as logical lines: the text decoded (UTF-16 with a BOM becomes
 * UTF-8; other bytes are kept as they are), split into lines, and lines
 * ending in a cmd caret (^) or a PowerShell backtick (`) joined with the
 * next one. Each logical line keeps the number of its first line. */
#ifndef NETSH_SOURCE_H
#define NETSH_SOURCE_H
#include <stdbool.h>
#include <stddef.h>
#include "swan/diag.h"

struct nline {
	unsigned lineno;   /* first physical line, 1-based */
	char *text;        /* joined, without the continuation marks and
			    * without an interactive prompt ("C:\>") */
	bool nul;          /* had a NUL byte: not a command */
};

struct nsource {
	const char *name;  /* as given; used in messages (interned by caller) */
	struct nline *v;
	size_t n, cap;
	bool shell;        /* a shell script: only lines calling netsh count */
	bool markdown;     /* a .md file: fences, inline code, prose */
};

/* Splits buf (len bytes) into logical lines. Returns false (and adds an
 * error naming the file) when the input is not a text script at all, e.g.
 * a binary .ipsec policy export. */
bool source_load(struct nsource *src, const char *name, const char *buf,
		 size_t len, struct diags *d);
void source_free(struct nsource *src);

/* A markdown code fence line: only ``` (or ~~~), optionally a language. */
bool is_code_fence(const char *s, size_t len);

/* True when word (len bytes) names netsh: netsh, netsh.exe, any case,
 * optionally after a path (C:\Windows\System32\netsh.exe). */
bool is_netsh_word(const char *word, size_t len);
#endif
