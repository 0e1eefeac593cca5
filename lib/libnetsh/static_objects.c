/* netsh ipsec static: filter lists, filters and filter actions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/replay.h"
#include "netsh/util.h"

static struct sfilterlist *new_list(struct replay *r, const char *name, const struct ncmd *c)
{
	struct static_store *s = &r->st;
	struct sfilterlist *l = xcalloc(1, sizeof(*l));
	l->name = xstrdup(name);
	l->at = cmd_where(c);
	VEC_PUSH(s->lists, s->nlists, s->caplists, l);
	strmap_put(&s->list_by_name, name, l);
	return l;
}

HANDLER(st_add_filterlist)
{
	const char *name = arg(c, "name");
	r->st.used = true;
	if (!check_new_name(r, c, "filter list", name))
		return;
	if (strmap_get(&r->st.list_by_name, name)) {
		cmd_error(r, c, "filter list '%s' already exists", name);
		return;
	}
	struct sfilterlist *l = new_list(r, name, c);
	const char *d = arg(c, "description");
	l->desc = d ? xstrdup(d) : NULL;
}

HANDLER(st_add_filter)
{
	const char *name = arg(c, "filterlist");
	r->st.used = true;
	struct sfilterlist *l = strmap_get(&r->st.list_by_name, name);
	if (l == NULL && !check_new_name(r, c, "filter list", name))
		return;
	struct sfilter f = { .at = cmd_where(c) };
	if (!parse_selector(r, c, &f.sel, true))
		return;
	if (l == NULL)   /* "If a filter list does not exist, it is created." */
		l = new_list(r, name, c);
	char *key = str_selector(&f.sel);
	const struct sfilter *dup = strmap_get(&l->dups, key);
	if (dup != NULL) {
		cmd_warning(r, c, "the same filter as line %u of filter list '%s': ignored",
			    dup->at.line, name);
		nselector_free(&f.sel);
		free(key);
		return;
	}
	const char *d = arg(c, "description");
	f.desc = d ? xstrdup(d) : NULL;
	size_t old = l->n;
	struct sfilter *before = l->f;
	VEC_PUSH(l->f, l->n, l->cap, f);
	if (l->f != before) {   /* moved: the map holds pointers into the array */
		for (size_t i = 0; i < old; i++) {
			char *k = str_selector(&l->f[i].sel);
			strmap_put(&l->dups, k, &l->f[i]);
			free(k);
		}
	}
	strmap_put(&l->dups, key, &l->f[old]);
	free(key);
}

/* delete filter: every filter that matches the given fields; omitted
 * optional fields match anything. */
static bool filter_matches(const struct ncmd *c, const struct nselector *want,
			   const struct nselector *f)
{
	const struct naddr *ws = &want->src, *wd = &want->dst;
	bool srcm = arg(c, "srcmask") != NULL, dstm = arg(c, "dstmask") != NULL;
	if (ws->kind != f->src.kind || wd->kind != f->dst.kind)
		return false;
	if (srcm ? !naddr_eq(ws, &f->src) : (ws->kind == A_ADDR ? !address_eq(&ws->a, &f->src.a) : !naddr_eq(ws, &f->src)))
		return false;
	if (dstm ? !naddr_eq(wd, &f->dst) : (wd->kind == A_ADDR ? !address_eq(&wd->a, &f->dst.a) : !naddr_eq(wd, &f->dst)))
		return false;
	if (arg(c, "protocol") && want->proto != f->proto)
		return false;
	if (arg(c, "srcport") && want->srcport != f->srcport)
		return false;
	if (arg(c, "dstport") && want->dstport != f->dstport)
		return false;
	return !arg(c, "mirrored") || want->mirrored == f->mirrored;
}

static void rebuild_dups(struct sfilterlist *l)
{
	strmap_clear(&l->dups);
	for (size_t i = 0; i < l->n; i++) {
		char *k = str_selector(&l->f[i].sel);
		strmap_put(&l->dups, k, &l->f[i]);
		free(k);
	}
}

HANDLER(st_delete_filter)
{
	const char *name = arg(c, "filterlist");
	r->st.used = true;
	struct sfilterlist *l = strmap_get(&r->st.list_by_name, name);
	if (l == NULL) {
		cmd_error(r, c, "filter list '%s' does not exist", name);
		return;
	}
	struct nselector want;
	if (!parse_selector(r, c, &want, false))
		return;
	size_t kept = 0, removed = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (filter_matches(c, &want, &l->f[i].sel)) {
			cmd_removes(r, c, "removes", "a filter of list", l->name, l->f[i].at);
			nselector_free(&l->f[i].sel);
			free(l->f[i].desc);
			removed++;
		} else
			l->f[kept++] = l->f[i];
	}
	l->n = kept;
	nselector_free(&want);
	if (removed == 0)
		cmd_warning(r, c, "no filter of filter list '%s' matches", name);
	else
		rebuild_dups(l);
}

HANDLER(st_add_filteraction)
{
	const char *name = arg(c, "name");
	r->st.used = true;
	if (!check_new_name(r, c, "filter action", name) || !check_secmethods(r, c, "qmsecmethods"))
		return;
	if (strmap_get(&r->st.action_by_name, name)) {
		cmd_error(r, c, "filter action '%s' already exists", name);
		return;
	}
	struct saction *a = xcalloc(1, sizeof(*a));
	a->name = xstrdup(name);
	a->at = a->qmsec_at = cmd_where(c);
	VEC_PUSH(r->st.actions, r->st.nactions, r->st.capactions, a);
	strmap_put(&r->st.action_by_name, name, a);
	st_set_filteraction(r, c);
}

static const char *object_name(struct replay *r, const struct ncmd *c, const char *what)
{
	if (arg(c, "guid") != NULL) {
		cmd_error(r, c, "guid= cannot be resolved (the GUIDs of a Windows store are unknown "
			  "here): use name=");
		return NULL;
	}
	const char *name = arg(c, "name");
	if (name == NULL)
		cmd_error(r, c, "name= of the %s is required", what);
	return name;
}

/* newname=: a rename keeps every reference (objects are by identity). */
static bool rename_object(struct replay *r, const struct ncmd *c, struct strmap *m,
			  char **name, void *obj, const char *what)
{
	const char *nn = arg(c, "newname");
	if (nn == NULL || strcmp(nn, *name) == 0)
		return true;
	if (!check_new_name(r, c, what, nn))
		return false;
	if (strmap_get(m, nn)) {
		cmd_error(r, c, "a %s named '%s' already exists", what, nn);
		return false;
	}
	cmd_note(r, c, "renames %s '%s' to '%s'", what, *name, nn);
	strmap_del(m, *name);
	free(*name);
	*name = xstrdup(nn);
	strmap_put(m, nn, obj);
	return true;
}

static void set_text(char **field, const char *v)
{
	if (v == NULL)
		return;
	free(*field);
	*field = xstrdup(v);
}

/* Also the second half of add filteraction: the same tags. */
HANDLER(st_set_filteraction)
{
	r->st.used = true;
	const char *name = object_name(r, c, "filter action");
	if (name == NULL || !check_secmethods(r, c, "qmsecmethods"))
		return;
	struct saction *a = strmap_get(&r->st.action_by_name, name);
	if (a == NULL) {
		cmd_error(r, c, "filter action '%s' does not exist", name);
		return;
	}
	if (!rename_object(r, c, &r->st.action_by_name, &a->name, a, "filter action"))
		return;
	set_text(&a->desc, arg(c, "description"));
	a->qmpfs = arg_bool(c, "qmpfs", a->qmpfs);
	a->inpass = arg_bool(c, "inpass", a->inpass);
	a->soft = arg_bool(c, "soft", a->soft);
	const char *act = arg(c, "action");
	for (int i = 0; act && i < 3; i++)
		if (strcmp(act, naction_names[i]) == 0)
			a->action = (enum naction)i;
	if (arg(c, "qmsecmethods")) {
		set_text(&a->qmsec, arg(c, "qmsecmethods"));
		a->qmsec_at = cmd_where(c);
	}
}

HANDLER(st_set_filterlist)
{
	r->st.used = true;
	const char *name = object_name(r, c, "filter list");
	if (name == NULL)
		return;
	struct sfilterlist *l = strmap_get(&r->st.list_by_name, name);
	if (l == NULL) {
		cmd_error(r, c, "filter list '%s' does not exist", name);
		return;
	}
	if (rename_object(r, c, &r->st.list_by_name, &l->name, l, "filter list"))
		set_text(&l->desc, arg(c, "description"));
}

/* The notes for a filter list that a delete removes: the list and each of
 * its filters by their lines. */
void note_list_removed(struct replay *r, const struct ncmd *c, const struct sfilterlist *l)
{
	cmd_removes(r, c, "removes", "filter list", l->name, l->at);
	for (size_t i = 0; i < l->n; i++)
		cmd_removes(r, c, "removes", "a filter of list", l->name, l->f[i].at);
}

/* delete filterlist|filteraction NAME|all: refused while a rule uses it. */
static void delete_objects(struct replay *r, const struct ncmd *c, void **v, size_t *n,
			   struct strmap *m, const char *what, bool lists)
{
	const char *name = arg(c, "name");
	bool all = ieq(name, "all");
	if (!all && strmap_get(m, name) == NULL) {
		cmd_error(r, c, "%s '%s' does not exist", what, name);
		return;
	}
	for (size_t i = *n; i-- > 0;) {
		const char *oname = lists ? ((struct sfilterlist *)v[i])->name : ((struct saction *)v[i])->name;
		unsigned refs = lists ? ((struct sfilterlist *)v[i])->refs : ((struct saction *)v[i])->refs;
		if (!all && strcmp(oname, name) != 0)
			continue;
		if (refs > 0) {
			cmd_error(r, c, "%s '%s' is used by %u rule(s) and is not deleted", what, oname, refs);
			continue;
		}
		if (lists)
			note_list_removed(r, c, v[i]);
		else
			cmd_removes(r, c, "removes", what, oname, ((struct saction *)v[i])->at);
		strmap_del(m, oname);
		void *obj = v[i];
		ptr_remove(v, n, obj);
		if (lists)
			sfilterlist_free(obj);
		else
			saction_free(obj);
	}
}

HANDLER(st_delete_filterlist)
{
	r->st.used = true;
	delete_objects(r, c, (void **)r->st.lists, &r->st.nlists, &r->st.list_by_name,
		       "filter list", true);
}

HANDLER(st_delete_filteraction)
{
	r->st.used = true;
	delete_objects(r, c, (void **)r->st.actions, &r->st.nactions, &r->st.action_by_name,
		       "filter action", false);
}
