/* The replay driver: logical lines to netsh commands, in order. A shell
 * script (.bat, .cmd, .ps1, ...) contributes only its lines that run
 * netsh, each one a fresh netsh process starting at the top context; a
 * "netsh -f" / "netsh exec" script is all netsh commands, with a context
 * that pushd, popd and bare context names change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "netsh/replay.h"
#include "netsh/resolve.h"
#include "netsh/util.h"

void replay_init(struct replay *r, struct diags *d, struct diags *notes)
{
	*r = (struct replay){ .d = d, .notes = notes };
}

void replay_free(struct replay *r)
{
	static_store_free(&r->st);
	dynamic_store_free(&r->dy);
	portproxy_store_free(&r->pp);
	strmap_clear(&r->warned);
}

/* Comment lines of the shells and of netsh scripts. */
static bool is_comment(const char *s)
{
	size_t n = strcspn(s, " \t");
	if (s[0] == '#' || strncmp(s, "::", 2) == 0 || strncmp(s, "--", 2) == 0 ||
	    strncmp(s, "//", 2) == 0)
		return true;
	if (n == 3 && strncasecmp(s, "rem", 3) == 0)
		return true;
	return n >= 4 && strncasecmp(s, "rem", 3) == 0 && (s[3] == '.' || s[3] == ':');
}

/* echo lines ("echo x", "@echo off", "echo.") print text; never commands. */
static bool is_echo(const char *s)
{
	return strncasecmp(s, "echo", 4) == 0 && (s[4] == '\0' || s[4] == ' ' || s[4] == '\t' ||
						  s[4] == '.' || s[4] == ':' || s[4] == '(');
}

/* The text after the netsh word of a shell line, or NULL: "netsh ...",
 * "@netsh ...", "if ... ( netsh ...", "for ... do netsh ...". */
static const char *netsh_invocation(const char *s)
{
	size_t n = strcspn(s, " \t");
	if (is_netsh_word(s, n))
		return s + n;
	if (!(n == 2 && strncasecmp(s, "if", 2) == 0) && !(n == 3 && strncasecmp(s, "for", 3) == 0))
		return NULL;
	for (const char *p = s + n; *p; p++) {
		if (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '(')
			continue;
		size_t k = strcspn(p, " \t)");
		if (!is_netsh_word(p, k))
			continue;
		const char *q = p - 1;
		while (q > s && (*q == ' ' || *q == '\t'))
			q--;
		if (*q == '(' || (q - s >= 2 && strncasecmp(q - 1, "do", 2) == 0))
			return p + k;
	}
	return NULL;
}

static void drop_closing_paren(struct nwords *w)
{
	if (w->n > 0 && strcmp(w->v[w->n - 1].text, ")") == 0) {
		free(w->v[w->n - 1].text);
		w->n--;
	}
}

static void skipped(struct replay *r, struct where at, const char *why, const char *s)
{
	char *q = quote_line(s);
	diag_add(r->notes, DIAG_WARNING, at.file, at.line, 0, "%s, skipped: '%s'", why, q);
	free(q);
	r->skipped++;
}

/* "exit" ends a netsh -f script: every line after it that is not blank
 * or a comment gets a note naming it, so nothing after it goes unsaid. */
static void not_read_after_exit(struct replay *r, const struct nsource *src)
{
	for (size_t i = r->exit_index + 1; i < src->n; i++) {
		const char *s = src->v[i].text;
		while (*s == ' ' || *s == '\t' || *s == '@')
			s++;
		if (*s == '\0' || is_comment(s) || is_code_fence(s, strlen(s)))
			continue;
		struct where at = { src->name, src->v[i].lineno };
		char why[48];
		snprintf(why, sizeof(why), "after exit (line %u), not read", r->exit_line);
		skipped(r, at, why, s);
	}
}

void replay_source(struct replay *r, const struct nsource *src)
{
	r->cur = (struct ctx){ CTX_ROOT, "" };
	r->depth = 0;
	r->exited = false;
	r->commands = r->skipped = 0;
	size_t errors = r->d->errors;
	for (size_t i = 0; i < src->n && !r->exited; i++) {
		const struct nline *l = &src->v[i];
		const char *s = l->text;
		struct where at = { src->name, l->lineno };
		if (l->nul) {
			diag_add(r->d, DIAG_ERROR, at.file, at.line, 0,
				 "NUL byte in the line; command not translated");
			continue;
		}
		while (*s == ' ' || *s == '\t' || *s == '@')
			s++;
		if (*s == '>' || *s == '<' || (*s >= '0' && *s <= '9' && s[1] == '>'))
			s = skip_leading_redirections(s);   /* ">nul 2>&1 netsh ..." */
		if (*s == '\0' || is_comment(s) || is_code_fence(s, strlen(s)))
			continue;
		if (is_echo(s)) {
			skipped(r, at, "echo prints text", s);
			continue;
		}
		const char *inv = netsh_invocation(s);
		if (src->shell && inv == NULL) {
			skipped(r, at, src->markdown ? "not a netsh command (prose)" :
				"not a netsh command", s);
			continue;
		}
		struct nwords w;
		const char *err = tokenize(inv ? inv : s, src->shell, &w);
		if (err != NULL)
			diag_add(r->d, DIAG_ERROR, at.file, at.line, 0, "%s; command not translated", err);
		else {
			drop_closing_paren(&w);
			if (inv != NULL)
				run_invocation(r, &w, at, src->shell);
			else
				run_script_line(r, &w, at);
		}
		words_free(&w);
		if (r->exited) {
			r->exit_index = i;
			r->exit_line = l->lineno;
		}
	}
	if (r->exited)
		not_read_after_exit(r, src);
	if (r->depth > 0)
		diag_add(r->notes, DIAG_WARNING, src->name, src->n ? src->v[src->n - 1].lineno : 0, 0,
			 "%zu pushd without popd at the end of the script", r->depth);
	/* a file that gives nothing says why */
	if (r->commands == 0 && r->d->errors == errors)
		diag_add(r->d, DIAG_ERROR, src->name, 0, 0,
			 "no netsh ipsec or portproxy command found (%zu line(s) skipped as "
			 "text or other commands; --verbose lists them)", r->skipped);
}

/* ---- messages ---- */

__attribute__((format(printf, 4, 0)))
static void cmd_vmsg(struct diags *d, enum diag_level lvl, const struct ncmd *c,
		     const char *fmt, va_list ap)
{
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	const struct cmddef *def = c->def;
	if (def != NULL)
		diag_add(d, lvl, c->file, c->line, 0, "%s%s%s: %s", def->verb,
			 def->object ? " " : "", def->object ? def->object : "", text);
	else
		diag_add(d, lvl, c->file, c->line, 0, "%s", text);
	free(text);
}

void cmd_error(struct replay *r, const struct ncmd *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cmd_vmsg(r->d, DIAG_ERROR, c, fmt, ap);
	va_end(ap);
}

void cmd_warning(struct replay *r, const struct ncmd *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cmd_vmsg(r->d, DIAG_WARNING, c, fmt, ap);
	va_end(ap);
}

void cmd_note(struct replay *r, const struct ncmd *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cmd_vmsg(r->notes, DIAG_WARNING, c, fmt, ap);
	va_end(ap);
}

struct where cmd_where(const struct ncmd *c)
{
	return (struct where){ c->file, c->line };
}

void cmd_removes(struct replay *r, const struct ncmd *c, const char *verb, const char *what,
		 const char *name, struct where at)
{
	char *q = name ? quote_line(name) : NULL;
	bool here = at.file != NULL && c->file != NULL && strcmp(at.file, c->file) == 0;
	cmd_note(r, c, "%s %s%s%s%s of %s%s%u", verb, what, q ? " '" : "", q ? q : "", q ? "'" : "",
		 here ? "line " : at.file ? at.file : "", here ? "" : ":", at.line);
	free(q);
}
