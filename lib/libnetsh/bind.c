/* Binding the words of a command to its tags, as netsh does: tags match
 * case-insensitively by exact name or unique prefix, enumerated values by
 * prefix, untagged values take the tag at their position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/cmdtab.h"
#include "netsh/util.h"

/* The tag a typed name means: exact match first, then a unique prefix.
 * Returns the index, -1 unknown, -2 ambiguous (names listed in amb). */
static int match_tag(const struct cmddef *def, const char *name, struct sbuf *amb)
{
	int found = -1, count = 0;
	for (unsigned i = 0; i < def->ntags; i++)
		if (ieq(name, def->tags[i].name))
			return (int)i;
	for (unsigned i = 0; i < def->ntags; i++) {
		if (!iprefix(name, def->tags[i].name))
			continue;
		if (count++ == 0)
			found = (int)i;
		sb_printf(amb, "%s%s=", amb->len ? ", " : "", def->tags[i].name);
	}
	return count > 1 ? -2 : found;
}

/* One of "a|b|c" that v is a case-insensitive prefix of (exact first). */
static const char *match_enum(const char *values, const char *v)
{
	char buf[128];
	const char *hit = NULL;
	int hits = 0;
	for (const char *p = values; *p;) {
		size_t n = strcspn(p, "|");
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (ieq(v, buf))
			return p;
		if (iprefix(v, buf) && hits++ == 0)
			hit = p;
		p += n + (p[n] == '|');
	}
	return hits == 1 ? hit : NULL;
}

/* Checks v against the tag's type; returns the value to keep (canonical
 * spelling for booleans and enumerations), or NULL when invalid. */
static char *check_value(const struct tagdef *t, const char *v)
{
	const char *vals = t->type == V_BOOL ? "yes|no" : t->values;
	if (t->type == V_INT) {
		if (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9)
			return NULL;
		return xstrdup(v);
	}
	if (t->type == V_STR)
		return xstrdup(v);
	const char *m = match_enum(vals, v);
	return m ? xstrndup(m, strcspn(m, "|")) : NULL;
}

static bool set_value(const struct cmddef *def, unsigned i, const char *v,
		      unsigned pos, struct ncmd *c, char **err)
{
	const struct tagdef *t = &def->tags[i];
	if (c->nvals[i] > 0 && !(t->flags & T_MULTI)) {
		*err = xasprintf("tag %s= given twice", t->name);
		return false;
	}
	char *val = check_value(t, v);
	if (val == NULL) {
		const char *want = t->type == V_BOOL ? "yes|no" : t->type == V_INT ? "a whole number" : t->values;
		char *q = quote_line(v);
		*err = xasprintf("invalid value '%s' for %s= (%s)", q, t->name, want);
		free(q);
		return false;
	}
	c->vals[i] = xrealloc(c->vals[i], (c->nvals[i] + 1) * sizeof(struct nval));
	c->vals[i][c->nvals[i]++] = (struct nval){ val, pos };
	return true;
}

/* Splits words[*k] (and maybe the next ones, for "tag = value" and
 * "tag= value") into a tag name and value. Returns false for an untagged
 * word. */
static bool split_tagged(const struct nwords *w, size_t *k, char **tag,
			 const char **val, char **note)
{
	const struct nword *x = &w->v[*k];
	const struct nword *next = *k + 1 < w->n ? &w->v[*k + 1] : NULL;
	if (x->eq != NO_EQ && x->eq > 0 && !x->quoted) {
		*tag = xstrndup(x->text, x->eq);
		*val = x->text + x->eq + 1;
		if (**val == '\0' && next != NULL && (next->eq == NO_EQ || next->quoted)) {
			*note = xasprintf("space after '=' in '%s= %s'", *tag, next->text);
			*val = next->text;
			++*k;
		}
		return true;
	}
	if (x->eq == NO_EQ && !x->quoted && next != NULL && next->eq == 0 && !next->quoted) {
		*tag = xstrdup(x->text);
		*val = next->text + 1;
		++*k;
		if (**val == '\0' && *k + 1 < w->n) {
			*val = w->v[*k + 1].text;
			++*k;
		}
		*note = xasprintf("spaces around '=' in '%s = %s'", *tag, *val);
		return true;
	}
	return false;
}

static bool bind_one(const struct cmddef *def, const struct nwords *w, size_t *k,
		     unsigned pos, struct ncmd *c, char **err, char **note)
{
	char *tag = NULL;
	const char *val = NULL;
	if (!split_tagged(w, k, &tag, &val, note)) {
		char *q = quote_line(w->v[*k].text);
		if (pos >= def->ntags)
			*err = xasprintf("too many arguments: '%s' has no tag to fill", q);
		else if (c->nvals[pos] > 0)
			*err = xasprintf("untagged value '%s' falls on %s=, which is already given",
					 q, def->tags[pos].name);
		free(q);
		if (*err != NULL)
			return false;
		return set_value(def, pos, w->v[*k].text, pos, c, err);
	}
	struct sbuf amb = {0};
	int i = match_tag(def, tag, &amb);
	if (i == -1) {
		char *q = quote_line(tag);
		*err = xasprintf("unknown tag '%s='", q);
		free(q);
	}
	else if (i == -2)
		*err = xasprintf("ambiguous tag '%s=' (could be %s)", tag, sb_str(&amb));
	sb_free(&amb);
	free(tag);
	return i >= 0 && set_value(def, (unsigned)i, val, pos, c, err);
}

static bool untagged(const struct nword *x)
{
	return (x->eq == NO_EQ || x->quoted) && !(x->eq == 0 && !x->quoted);
}

/* Hardening batches end a command with an untagged comment ("dstport=3306
 * 数据库"): when every required tag is given, the description is free and
 * all the words left are untagged, they are the description, not values
 * for the next positional slots. Returns true when it took them. */
static bool trailing_description(const struct cmddef *def, const struct nwords *w,
				 size_t first, size_t k, struct ncmd *c)
{
	int d = -1;
	for (unsigned i = 0; i < def->ntags; i++) {
		if ((def->tags[i].flags & T_REQ) && c->nvals[i] == 0)
			return false;
		if (strcmp(def->tags[i].name, "description") == 0)
			d = (int)i;
	}
	if (d < 0 || c->nvals[d] > 0)
		return false;
	bool tagged = false;   /* after a tag=value: never in a positional command */
	for (size_t i = first; i < k; i++)
		tagged |= !untagged(&w->v[i]);
	struct sbuf b = {0};
	for (size_t i = k; i < w->n; i++) {
		if (!untagged(&w->v[i]) || (i + 1 < w->n && w->v[i + 1].eq == 0 && !w->v[i + 1].quoted)) {
			sb_free(&b);
			return false;
		}
		sb_printf(&b, "%s%s", i > k ? " " : "", w->v[i].text);
	}
	if (!tagged) {
		sb_free(&b);
		return false;
	}
	c->vals[d] = xcalloc(1, sizeof(struct nval));
	c->vals[d][0] = (struct nval){ xstrdup(sb_str(&b)), (unsigned)d };
	c->nvals[d] = 1;
	c->trailing = b.s ? b.s : xstrdup("");
	return true;
}

/* "all" where a name= | id= | all parameter is (delete rule all policy=P):
 * one argument that fills both slots. */
static bool all_keyword(const struct cmddef *def, const struct nword *x, unsigned pos)
{
	return pos == 0 && def->ntags >= 2 && strcmp(def->tags[0].name, "name") == 0 &&
	       strcmp(def->tags[1].name, "id") == 0 && untagged(x) && ieq(x->text, "all");
}

bool bind_args(const struct cmddef *def, const struct nwords *w, size_t first,
	       struct ncmd *c, char **err, char **note)
{
	c->def = def;
	*err = NULL;
	unsigned pos = 0;
	for (size_t k = first; k < w->n; k++, pos++) {
		char *n = NULL;
		if (all_keyword(def, &w->v[k], pos)) {
			if (!set_value(def, 0, "all", 0, c, err))
				return false;
			pos++;
			continue;
		}
		if (untagged(&w->v[k]) && trailing_description(def, w, first, k, c))
			break;
		bool ok = bind_one(def, w, &k, pos, c, err, &n);
		if (n != NULL && *note == NULL)
			*note = n;
		else
			free(n);
		if (!ok)
			return false;
	}
	for (unsigned i = 0; i < def->ntags; i++)
		if ((def->tags[i].flags & T_REQ) && c->nvals[i] == 0) {
			*err = xasprintf("missing required tag %s=", def->tags[i].name);
			return false;
		}
	return true;
}

void ncmd_free(struct ncmd *c)
{
	for (unsigned i = 0; i < MAXTAGS; i++) {
		for (size_t j = 0; j < c->nvals[i]; j++)
			free(c->vals[i][j].s);
		free(c->vals[i]);
	}
	free(c->trailing);
	*c = (struct ncmd){0};
}

static int tag_index(const struct ncmd *c, const char *tag)
{
	for (unsigned i = 0; i < c->def->ntags; i++)
		if (strcmp(c->def->tags[i].name, tag) == 0)
			return (int)i;
	return -1;
}

const char *arg(const struct ncmd *c, const char *tag)
{
	int i = tag_index(c, tag);
	return i >= 0 && c->nvals[i] > 0 ? c->vals[i][0].s : NULL;
}

const struct nval *arg_all(const struct ncmd *c, const char *tag, size_t *n)
{
	int i = tag_index(c, tag);
	*n = i >= 0 ? c->nvals[i] : 0;
	return i >= 0 ? c->vals[i] : NULL;
}

bool arg_bool(const struct ncmd *c, const char *tag, bool deflt)
{
	const char *v = arg(c, tag);
	return v ? strcmp(v, "yes") == 0 : deflt;
}
