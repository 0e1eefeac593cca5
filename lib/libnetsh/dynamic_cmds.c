/* netsh ipsec dynamic: main mode and quick mode policies, rules keyed by
 * their filter fields, and set config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/replay.h"
#include "netsh/util.h"

static void set_long(const struct ncmd *c, const char *tag, long *field)
{
	const char *v = arg(c, tag);
	if (v != NULL)
		*field = atol(v);
}

static void set_text(char **field, const char *v)
{
	if (v == NULL)
		return;
	free(*field);
	*field = xstrdup(v);
}

HANDLER(dy_add_mmpolicy)
{
	const char *name = arg(c, "name");
	r->dy.used = true;
	if (!check_new_name(r, c, "main mode policy", name) || !check_secmethods(r, c, "mmsecmethods"))
		return;
	if (strmap_get(&r->dy.mm_by_name, name)) {
		cmd_error(r, c, "main mode policy '%s' already exists", name);
		return;
	}
	struct dmmpolicy *m = xcalloc(1, sizeof(*m));
	*m = (struct dmmpolicy){ .name = xstrdup(name), .mmlifetime = 480,
				 .softsaexpirationtime = 480, .at = cmd_where(c) };
	VEC_PUSH(r->dy.mm, r->dy.nmm, r->dy.capmm, m);
	strmap_put(&r->dy.mm_by_name, name, m);
	dy_set_mmpolicy(r, c);
}

HANDLER(dy_set_mmpolicy)
{
	r->dy.used = true;
	struct dmmpolicy *m = strmap_get(&r->dy.mm_by_name, arg(c, "name"));
	if (m == NULL) {
		cmd_error(r, c, "main mode policy '%s' does not exist", arg(c, "name"));
		return;
	}
	if (!check_secmethods(r, c, "mmsecmethods"))
		return;
	set_long(c, "qmpermm", &m->qmpermm);
	set_long(c, "mmlifetime", &m->mmlifetime);
	set_long(c, "softsaexpirationtime", &m->softsaexpirationtime);
	set_text(&m->mmsec, arg(c, "mmsecmethods"));
}

HANDLER(dy_add_qmpolicy)
{
	const char *name = arg(c, "name");
	r->dy.used = true;
	if (!check_new_name(r, c, "quick mode policy", name) || !check_secmethods(r, c, "qmsecmethods"))
		return;
	if (strmap_get(&r->dy.qm_by_name, name)) {
		cmd_error(r, c, "quick mode policy '%s' already exists", name);
		return;
	}
	struct dqmpolicy *q = xcalloc(1, sizeof(*q));
	*q = (struct dqmpolicy){ .name = xstrdup(name), .at = cmd_where(c) };
	VEC_PUSH(r->dy.qm, r->dy.nqm, r->dy.capqm, q);
	strmap_put(&r->dy.qm_by_name, name, q);
	dy_set_qmpolicy(r, c);
}

HANDLER(dy_set_qmpolicy)
{
	r->dy.used = true;
	struct dqmpolicy *q = strmap_get(&r->dy.qm_by_name, arg(c, "name"));
	if (q == NULL) {
		cmd_error(r, c, "quick mode policy '%s' does not exist", arg(c, "name"));
		return;
	}
	if (!check_secmethods(r, c, "qmsecmethods"))
		return;
	q->soft = arg_bool(c, "soft", q->soft);
	const char *g = arg(c, "pfsgroup");
	for (int i = 0; g && i <= PFS_GRPMM; i++)
		if (strcmp(g, pfsgroup_names[i]) == 0)
			q->pfs = (enum pfsgroup)i;
	set_text(&q->qmsec, arg(c, "qmsecmethods"));
}

/* delete mmpolicy|qmpolicy NAME|all: refused while a rule uses it. */
static void delete_policies(struct replay *r, const struct ncmd *c, bool mm)
{
	const char *name = arg(c, "name");
	bool all = ieq(name, "all");
	struct strmap *m = mm ? &r->dy.mm_by_name : &r->dy.qm_by_name;
	void **v = mm ? (void **)r->dy.mm : (void **)r->dy.qm;
	size_t *n = mm ? &r->dy.nmm : &r->dy.nqm;
	const char *what = mm ? "main mode policy" : "quick mode policy";
	if (!all && strmap_get(m, name) == NULL) {
		cmd_error(r, c, "%s '%s' does not exist", what, name);
		return;
	}
	for (size_t i = *n; i-- > 0;) {
		char *oname = mm ? ((struct dmmpolicy *)v[i])->name : ((struct dqmpolicy *)v[i])->name;
		unsigned refs = mm ? ((struct dmmpolicy *)v[i])->refs : ((struct dqmpolicy *)v[i])->refs;
		if (!all && strcmp(oname, name) != 0)
			continue;
		if (refs > 0) {
			cmd_error(r, c, "%s '%s' is used by %u rule(s): delete them first", what, oname, refs);
			continue;
		}
		cmd_removes(r, c, "removes", what, oname, mm ? ((struct dmmpolicy *)v[i])->at
							      : ((struct dqmpolicy *)v[i])->at);
		strmap_del(m, oname);
		void *obj = v[i];
		ptr_remove(v, n, obj);
		free(oname);
		free(mm ? ((struct dmmpolicy *)obj)->mmsec : ((struct dqmpolicy *)obj)->qmsec);
		free(obj);
	}
}

HANDLER(dy_delete_mmpolicy)
{
	r->dy.used = true;
	delete_policies(r, c, true);
}

HANDLER(dy_delete_qmpolicy)
{
	r->dy.used = true;
	delete_policies(r, c, false);
}

HANDLER(dy_delete_all)
{
	struct dynamic_store *dy = &r->dy;
	r->dy.used = true;
	if (dy->nrules + dy->nmm + dy->nqm == 0)
		cmd_note(r, c, "the dynamic store has no rules or policies: nothing to delete");
	for (size_t i = 0; i < dy->nrules; i++)
		cmd_removes(r, c, "removes", "dynamic rule", NULL, dy->rules[i]->at);
	for (size_t i = 0; i < dy->nmm; i++)
		cmd_removes(r, c, "removes", "main mode policy", dy->mm[i]->name, dy->mm[i]->at);
	for (size_t i = 0; i < dy->nqm; i++)
		cmd_removes(r, c, "removes", "quick mode policy", dy->qm[i]->name, dy->qm[i]->at);
	dynamic_store_free(&r->dy);
}

static enum naction action_of(const struct ncmd *c, const char *tag, enum naction deflt)
{
	const char *v = arg(c, tag);
	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, naction_names[i]) == 0)
			return (enum naction)i;
	return deflt;
}

static bool set_policies(struct replay *r, const struct ncmd *c, struct drule *d)
{
	const char *mn = arg(c, "mmpolicy"), *qn = arg(c, "qmpolicy");
	struct dmmpolicy *mm = mn ? strmap_get(&r->dy.mm_by_name, mn) : d->mm;
	struct dqmpolicy *qm = qn ? strmap_get(&r->dy.qm_by_name, qn) : d->qm;
	if (mn && mm == NULL) {
		cmd_error(r, c, "main mode policy '%s' does not exist", mn);
		return false;
	}
	if (qn && qm == NULL) {
		cmd_error(r, c, "quick mode policy '%s' does not exist", qn);
		return false;
	}
	enum naction in = action_of(c, "actioninbound", d->in), out = action_of(c, "actionoutbound", d->out);
	if ((in == ACT_NEGOTIATE || out == ACT_NEGOTIATE) && qm == NULL) {
		cmd_error(r, c, "qmpolicy= is required when an action is negotiate");
		return false;
	}
	if (d->mm) d->mm->refs--;
	if (d->qm) d->qm->refs--;
	d->mm = mm, d->qm = qm, d->in = in, d->out = out;
	if (mm) mm->refs++;
	if (qm) qm->refs++;
	if (arg(c, "kerberos") || arg(c, "psk") || arg(c, "rootca")) {
		struct nauths a;
		if (!parse_auths(r, c, &a))
			return false;
		nauths_free(&d->auth);
		d->auth = a;
	}
	return true;
}

/* The identifying fields of a rule as given; omitted ones match any. */
static bool rule_matches(const struct ncmd *c, const struct drule *want, const struct drule *d)
{
	if (!naddr_eq(&want->sel.src, &d->sel.src) || !naddr_eq(&want->sel.dst, &d->sel.dst))
		return false;
	if (arg(c, "protocol") && want->sel.proto != d->sel.proto)
		return false;
	if (arg(c, "srcport") && want->sel.srcport != d->sel.srcport)
		return false;
	if (arg(c, "dstport") && want->sel.dstport != d->sel.dstport)
		return false;
	if (arg(c, "mirrored") && want->sel.mirrored != d->sel.mirrored)
		return false;
	if (arg(c, "conntype") && want->conntype != d->conntype)
		return false;
	const char *t = arg(c, "tunneldstaddress");
	return t == NULL || (d->tunnel && ieq(t, d->tunnel));
}

static bool identity(struct replay *r, const struct ncmd *c, struct drule *d)
{
	*d = (struct drule){ .at = cmd_where(c) };
	if (!parse_selector(r, c, &d->sel, true))
		return false;
	const char *ct = arg(c, "conntype");
	for (int i = 0; ct && i < 3; i++)
		if (strcmp(ct, nconntype_names[i]) == 0)
			d->conntype = (enum nconntype)i;
	const char *t = arg(c, "tunneldstaddress");
	ip_address a;
	if (t != NULL && ttoaddress_num(t, strlen(t), IP_UNSET, &a) != NULL && !is_dns_name(t)) {
		cmd_error(r, c, "tunneldstaddress=%s is not an IP address or DNS name", t);
		nselector_free(&d->sel);
		return false;
	}
	d->tunnel = t ? xstrdup(t) : NULL;
	return true;
}

HANDLER(dy_add_rule)
{
	r->dy.used = true;
	struct drule *d = xcalloc(1, sizeof(*d));
	if (!identity(r, c, d)) {
		free(d);
		return;
	}
	d->auth.at = cmd_where(c);
	char *key = str_selector(&d->sel);
	for (size_t i = 0; i < r->dy.nrules; i++) {
		const struct drule *o = r->dy.rules[i];
		char *okey = str_selector(&o->sel);
		bool same = strcmp(key, okey) == 0 && o->conntype == d->conntype &&
			    ((o->tunnel == NULL && d->tunnel == NULL) ||
			     (o->tunnel && d->tunnel && ieq(o->tunnel, d->tunnel)));
		free(okey);
		if (same) {
			cmd_error(r, c, "a rule with the same filter (%s) already exists (line %u)",
				  key, o->at.line);
			free(key);
			drule_free(d);
			return;
		}
	}
	free(key);
	if (!set_policies(r, c, d)) {
		if (d->mm) d->mm->refs--;
		if (d->qm) d->qm->refs--;
		drule_free(d);
		return;
	}
	VEC_PUSH(r->dy.rules, r->dy.nrules, r->dy.caprules, d);
}

HANDLER(dy_set_rule)
{
	r->dy.used = true;
	struct drule want;
	if (!identity(r, c, &want))
		return;
	struct drule *hit = NULL;
	size_t hits = 0;
	for (size_t i = 0; i < r->dy.nrules; i++)
		if (rule_matches(c, &want, r->dy.rules[i]))
			hit = r->dy.rules[i], hits++;
	nselector_free(&want.sel);
	free(want.tunnel);
	if (hits != 1) {
		if (hits)
			cmd_error(r, c, "%zu rules match these fields: give more of them", hits);
		else
			cmd_error(r, c, "no rule matches these fields");
		return;
	}
	set_policies(r, c, hit);
}

HANDLER(dy_delete_rule)
{
	r->dy.used = true;
	struct drule want;
	if (!identity(r, c, &want))
		return;
	size_t removed = 0;
	for (size_t i = r->dy.nrules; i-- > 0;) {
		struct drule *d = r->dy.rules[i];
		if (!rule_matches(c, &want, d))
			continue;
		cmd_removes(r, c, "removes", "dynamic rule", NULL, d->at);
		if (d->mm) d->mm->refs--;
		if (d->qm) d->qm->refs--;
		ptr_remove((void **)r->dy.rules, &r->dy.nrules, d);
		drule_free(d);
		removed++;
	}
	nselector_free(&want.sel);
	free(want.tunnel);
	if (removed == 0)
		cmd_warning(r, c, "no rule matches these fields");
}

HANDLER(dy_set_config)
{
	r->dy.used = true;
	const char *prop = arg(c, "property");
	struct dconfig *cf = NULL;
	for (size_t i = 0; i < r->dy.nconfig; i++)
		if (strcmp(r->dy.config[i].property, prop) == 0)
			cf = &r->dy.config[i];
	if (cf == NULL) {
		struct dconfig n = { .property = c->def->tags[0].values };
		VEC_PUSH(r->dy.config, r->dy.nconfig, r->dy.capconfig, n);
		cf = &r->dy.config[r->dy.nconfig - 1];
		cf->property = NULL;
	}
	static const char *const props[] = { "ipsecdiagnostics", "ipsecexempt", "ipsecloginterval",
		"ikelogging", "strongcrlcheck", "bootmode", "bootexemptions" };
	for (size_t i = 0; i < 7; i++)
		if (strcmp(prop, props[i]) == 0)
			cf->property = props[i];
	free(cf->value);
	cf->value = xstrdup(arg(c, "value"));
	cf->at = cmd_where(c);
}
