/* Running resolved command words: contexts, globals, table commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/resolve.h"
#include "netsh/util.h"

/* The words for a message, cut at about QUOTE_MAX bytes. */
static char *join_words(const struct nwords *w, size_t from)
{
	struct sbuf b = {0};
	for (size_t i = from; i < w->n && b.len <= QUOTE_MAX; i++)
		sb_printf(&b, "%s%s", i > from ? " " : "", w->v[i].text);
	char *q = quote_line(sb_str(&b));
	sb_free(&b);
	return q;
}

/* An unexpanded variable anywhere in the command makes it untranslatable. */
static bool has_variable(struct replay *r, const struct nwords *w, size_t from,
			 struct where at, bool shell)
{
	char buf[64];
	for (size_t i = from; i < w->n; i++) {
		const char *v = find_variable(w->v[i].text, shell, buf, sizeof(buf));
		if (v != NULL) {
			char *q = quote_line(w->v[i].text);
			diag_add(r->d, DIAG_ERROR, at.file, at.line, 0,
				 "unexpanded variable '%s' in '%s': command not translated", v, q);
			free(q);
			return true;
		}
	}
	return false;
}

/* Untagged trailing text taken as the description: once per filter list
 * (filters) or per rule, not once per command. */
static void trailing_warning(struct replay *r, const struct ncmd *c)
{
	const char *list = arg(c, "filterlist"), *pol = arg(c, "policy");
	char *key = xasprintf("%s %s\n%s\n%s\n%s", c->def->verb, c->def->object ? c->def->object : "",
			      strcmp(c->def->object ? c->def->object : "", "filter") == 0 && list ? list : "",
			      pol ? pol : "", arg(c, "name") ? arg(c, "name") : "");
	if (strmap_get(&r->warned, key) == NULL) {
		strmap_put(&r->warned, key, r);
		char *q = quote_line(c->trailing);
		cmd_warning(r, c, "untagged text '%s' after the tags taken as the description, "
			    "not as a value%s", q, list && c->def->object && strcmp(c->def->object,
			    "filter") == 0 ? " (the same for the other filters of this list)" : "");
		free(q);
	}
	free(key);
}

static void run_table_cmd(struct replay *r, const struct resolution *res,
			  const struct nwords *w, struct where at)
{
	struct ncmd c = { .file = at.file, .line = at.line };
	c.def = res->def;
	r->commands++;
	if (res->def->fn == NULL) {
		cmd_note(r, &c, "display command, nothing to translate");
		return;
	}
	char *err = NULL, *note = NULL;
	bool ok = bind_args(res->def, w, res->next, &c, &err, &note);
	if (note != NULL)
		cmd_note(r, &c, "%s", note);
	if (ok && c.trailing != NULL)
		trailing_warning(r, &c);
	if (ok)
		res->def->fn(r, &c);
	else
		cmd_error(r, &c, "%s; command not translated", err);
	free(err);
	free(note);
	ncmd_free(&c);
}

static void enter_path(struct replay *r, const struct nwords *w, size_t i, struct where at)
{
	struct resolution res = resolve_words(&r->cur, w, i);
	if (res.kind != R_ENTER && res.kind != R_FOREIGN) {
		free(res.warning);
		res = resolve_words(&(struct ctx){ CTX_ROOT, "" }, w, i);
	}
	free(res.warning);
	if (res.kind == R_ENTER || res.kind == R_FOREIGN)
		r->cur = res.ctx;
	else
		diag_add(r->d, DIAG_ERROR, at.file, at.line, 0, "pushd: '%s' is not a netsh context",
			 w->v[i].text);
}

static void run_global(struct replay *r, const struct resolution *res,
		       const struct nwords *w, struct where at, bool script)
{
	switch (res->global) {
	case G_PUSHD:
		if (!script)
			break;
		if (r->depth == sizeof(r->stack) / sizeof(r->stack[0])) {
			diag_add(r->d, DIAG_ERROR, at.file, at.line, 0, "pushd: nested too deep");
			break;
		}
		r->stack[r->depth++] = r->cur;
		if (res->next < w->n)
			enter_path(r, w, res->next, at);
		break;
	case G_POPD:
		if (script && r->depth > 0)
			r->cur = r->stack[--r->depth];
		else if (script)
			diag_add(r->d, DIAG_WARNING, at.file, at.line, 0, "popd without pushd");
		break;
	case G_EXIT:
		r->exited = script;
		break;
	case G_UP:
		if (script)
			r->cur = (struct ctx){ ctx_def(r->cur.id)->parent, "" };
		break;
	case G_EXEC:
		diag_add(r->d, DIAG_WARNING, at.file, at.line, 0,
			 "runs the netsh script '%s': translate that file too (give it to netsh-import)",
			 res->next < w->n ? w->v[res->next].text : "");
		break;
	default:
		diag_add(r->notes, DIAG_WARNING, at.file, at.line, 0, "'%s': nothing to translate",
			 w->v[res->next - 1].text);
		break;
	}
}

static void run_resolution(struct replay *r, const struct resolution *res,
			   const struct nwords *w, size_t first, struct where at, bool script)
{
	if (res->warning != NULL)
		diag_add(r->d, DIAG_WARNING, at.file, at.line, 0, "%s", res->warning);
	char *text;
	switch (res->kind) {
	case R_ENTER:
		if (script)
			r->cur = res->ctx;
		else
			diag_add(r->notes, DIAG_WARNING, at.file, at.line, 0,
				 "starts an interactive netsh: nothing to translate");
		break;
	case R_CMD:
		run_table_cmd(r, res, w, at);
		break;
	case R_GLOBAL:
		run_global(r, res, w, at, script);
		break;
	case R_FOREIGN:
		text = join_words(w, first);
		diag_add(r->notes, DIAG_WARNING, at.file, at.line, 0,
			 "netsh %s: not an IPsec or portproxy command, skipped ('%s')",
			 res->ctx.path[0] ? res->ctx.path : "command", text);
		free(text);
		break;
	case R_INCOMPLETE:
	case R_UNKNOWN:
		text = join_words(w, first);
		diag_add(r->d, DIAG_ERROR, at.file, at.line, 0, "%s command '%s'%s%s",
			 res->kind == R_UNKNOWN ? "unknown" : "incomplete", text,
			 res->ctx.path[0] ? " in context " : "", res->ctx.path);
		free(text);
		break;
	}
}

/* Resolves in the current context, then (netsh falls back to the top) from
 * the root, so "ipsec static add ..." works inside a pushd block. */
static struct resolution resolve_here_or_root(const struct ctx *cur,
					      const struct nwords *w, size_t i)
{
	struct resolution res = resolve_words(cur, w, i);
	if ((res.kind == R_UNKNOWN || res.kind == R_INCOMPLETE) && cur->id != CTX_ROOT) {
		struct resolution top = resolve_words(&(struct ctx){ CTX_ROOT, "" }, w, i);
		if (top.kind != R_UNKNOWN && top.kind != R_INCOMPLETE && top.kind != R_ENTER) {
			free(res.warning);
			return top;
		}
		free(top.warning);
	}
	return res;
}

void run_script_line(struct replay *r, struct nwords *w, struct where at)
{
	if (w->n == 0)
		return;
	struct resolution res = resolve_here_or_root(&r->cur, w, 0);
	/* a variable matters only in a command that is translated */
	if (res.kind == R_FOREIGN || !has_variable(r, w, 0, at, false))
		run_resolution(r, &res, w, 0, at, true);
	free(res.warning);
}

/* netsh's own options before the command: -c CTX, -r HOST, -u, -p, -a, -f. */
static size_t skip_options(struct replay *r, const struct nwords *w, struct ctx *start,
			   struct where at, bool *stop)
{
	size_t i = 0;
	*stop = false;
	while (i < w->n && w->v[i].text[0] == '-' && w->v[i].text[1] != '\0') {
		const char *o = w->v[i].text;
		const char *val = i + 1 < w->n ? w->v[i + 1].text : "";
		if (ieq(o, "-c")) {
			struct nwords cw;
			if (tokenize(val, false, &cw) == NULL) {
				struct resolution res = resolve_words(start, &cw, 0);
				if (res.kind == R_ENTER || res.kind == R_FOREIGN)
					*start = res.ctx;
				free(res.warning);
			}
			words_free(&cw);
		} else if (ieq(o, "-r")) {
			diag_add(r->d, DIAG_WARNING, at.file, at.line, 0,
				 "netsh -r %s configures another computer; translated as if local", val);
		} else if (ieq(o, "-f")) {
			diag_add(r->d, DIAG_WARNING, at.file, at.line, 0,
				 "runs the netsh script '%s': translate that file too (give it to netsh-import)",
				 val);
			*stop = true;
		} else if (!ieq(o, "-u") && !ieq(o, "-p") && !ieq(o, "-a")) {
			diag_add(r->d, DIAG_ERROR, at.file, at.line, 0, "unknown netsh option '%s'", o);
			*stop = true;
		}
		i += 2;
	}
	return i;
}

void run_invocation(struct replay *r, struct nwords *w, struct where at, bool shell)
{
	struct ctx start = { CTX_ROOT, "" };
	bool stop;
	size_t i = skip_options(r, w, &start, at, &stop);
	if (stop)
		return;
	if (i >= w->n) {
		diag_add(r->notes, DIAG_WARNING, at.file, at.line, 0,
			 "starts an interactive netsh: nothing to translate");
		return;
	}
	struct resolution res = resolve_words(&start, w, i);
	if (res.kind == R_FOREIGN || !has_variable(r, w, i, at, shell))
		run_resolution(r, &res, w, i, at, false);
	free(res.warning);
}
