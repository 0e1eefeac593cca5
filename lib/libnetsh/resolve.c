/* Resolving command words against the context tree (see netsh/resolve.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/resolve.h"
#include "netsh/util.h"

static const struct { const char *name; enum global_cmd g; } globals[] = {
	{ "pushd", G_PUSHD }, { "popd", G_POPD }, { "exit", G_EXIT },
	{ "quit", G_EXIT }, { "bye", G_EXIT }, { "..", G_UP }, { "help", G_HELP },
	{ "?", G_HELP }, { "/?", G_HELP }, { "dump", G_DUMP }, { "exec", G_EXEC },
	{ "offline", G_IGNORED }, { "online", G_IGNORED }, { "commit", G_IGNORED },
	{ "abort", G_IGNORED }, { "alias", G_IGNORED }, { "unalias", G_IGNORED },
	{ "cls", G_IGNORED },
};

static enum global_cmd find_global(const char *w)
{
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		if (ieq(w, globals[i].name))
			return globals[i].g;
	return G_NONE;
}

/* Candidate names in a context, in table order: children, then verbs. */
struct cand {
	const char *name;
	const struct ctxdef *child;   /* NULL: a verb */
};

static size_t candidates(enum ctx_id id, struct cand *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; ctx_table[i].id != CTX_FOREIGN && n < max; i++)
		if (ctx_table[i].parent == id && ctx_table[i].id != CTX_ROOT)
			out[n++] = (struct cand){ ctx_table[i].name, &ctx_table[i] };
	const struct cmddef *cmds = ctx_def(id)->cmds;
	for (size_t i = 0; cmds[i].verb && n < max; i++) {
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= out[k].child == NULL && strcmp(out[k].name, cmds[i].verb) == 0;
		if (!dup)
			out[n++] = (struct cand){ cmds[i].verb, NULL };
	}
	return n;
}

/* Exact match, else the first prefix match; *amb counts prefix matches. */
static int pick(const char *w, const char *const *names, size_t n, int *amb)
{
	*amb = 0;
	for (size_t i = 0; i < n; i++)
		if (ieq(w, names[i]))
			return (int)i;
	int hit = -1;
	for (size_t i = 0; i < n; i++)
		if (iprefix(w, names[i]) && (*amb)++ == 0)
			hit = (int)i;
	return hit;
}

static char *ambiguity(const char *w, const char *chosen, int amb)
{
	return amb > 1 ? xasprintf("ambiguous abbreviation '%s' taken as '%s'", w, chosen) : NULL;
}

static void ctx_append(struct ctx *c, const char *name)
{
	size_t l = strlen(c->path);
	snprintf(c->path + l, sizeof(c->path) - l, "%s%s", l ? " " : "", name);
}

/* The command (verb [object]) starting at w[i] of a context. */
static struct resolution resolve_cmd(const struct ctx *c, const char *verb,
				     const struct nwords *w, size_t i)
{
	struct resolution res = { .kind = R_UNKNOWN, .ctx = *c };
	const struct cmddef *cmds = ctx_def(c->id)->cmds;
	const char *objs[64];
	const struct cmddef *defs[64];
	size_t n = 0;
	for (size_t k = 0; cmds[k].verb && n < 64; k++)
		if (strcmp(cmds[k].verb, verb) == 0) {
			if (cmds[k].object == NULL) {   /* one-word command */
				res.kind = R_CMD, res.def = &cmds[k], res.next = i + 1;
				return res;
			}
			objs[n] = cmds[k].object, defs[n++] = &cmds[k];
		}
	if (i + 1 >= w->n) {
		res.kind = R_INCOMPLETE;
		return res;
	}
	int amb, k = pick(w->v[i + 1].text, objs, n, &amb);
	if (k < 0)
		return res;
	res.kind = R_CMD, res.def = defs[k], res.next = i + 2;
	res.warning = ambiguity(w->v[i + 1].text, objs[k], amb);
	return res;
}

struct resolution resolve_words(const struct ctx *from, const struct nwords *w, size_t i)
{
	struct ctx c = *from;
	char *warning = NULL;
	for (;; i++) {
		struct resolution res = { .ctx = c, .next = i, .warning = warning };
		if (i >= w->n)
			return res.kind = R_ENTER, res;
		const char *word = w->v[i].text;
		enum global_cmd g0 = find_global(word);
		if (c.id == CTX_FOREIGN && (g0 == G_PUSHD || g0 == G_POPD || g0 == G_EXIT || g0 == G_UP)) {
			res.kind = R_GLOBAL, res.global = g0, res.next = i + 1;
			return res;
		}
		if (c.id == CTX_FOREIGN)
			return res.kind = R_FOREIGN, res;
		const char *full;
		struct cand cs[32];
		const char *names[32];
		size_t n = candidates(c.id, cs, 32);
		for (size_t k = 0; k < n; k++)
			names[k] = cs[k].name;
		int amb, k = pick(word, names, n, &amb);
		enum global_cmd g = find_global(word);
		if (g != G_NONE && (k < 0 || !ieq(word, names[k]))) {
			res.kind = R_GLOBAL, res.global = g, res.next = i + 1;
			return res;
		}
		if (k < 0 && is_foreign_child(c.id, word, &full)) {
			ctx_append(&c, full);
			c.id = CTX_FOREIGN;
			continue;
		}
		if (k < 0) {
			res.kind = ctx_def(c.id)->lenient ? R_FOREIGN : R_UNKNOWN;
			return res;
		}
		if (warning == NULL)
			warning = ambiguity(word, names[k], amb);
		if (cs[k].child != NULL) {
			c.id = cs[k].child->id;
			ctx_append(&c, cs[k].child->name);
			continue;
		}
		res = resolve_cmd(&c, cs[k].name, w, i);
		if (res.warning == NULL)
			res.warning = warning;
		else
			free(warning);
		return res;
	}
}
