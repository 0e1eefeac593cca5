/* Static policies to conns: one conn per filter of every active rule of
 * every policy (assigned policies load, the others are kept with
 * auto=ignore), tunnel rules paired by direction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"

static void policy_notes(struct mapper *m, const struct spolicy *p)
{
	if (p->mmpfs)
		map_msg(m, DIAG_WARNING, p->at, "policy '%s': mmpfs=yes (a new main mode for every "
			"quick mode) has no Openswan equivalent", p->name);
	else if (p->qmpermm != 0)
		map_msg(m, DIAG_WARNING, p->at, "policy '%s': qmpermm=%ld has no Openswan equivalent",
			p->name, p->qmpermm);
	if (p->dr.set && p->dr.activate)
		map_msg(m, DIAG_WARNING, p->dr.at, "policy '%s': the default response rule is not "
			"translated (Windows Vista and later ignore it too)", p->name);
	else if (p->activatedefaultrule && !p->dr.set)
		map_note(m, p->at, "policy '%s': default response rule not translated", p->name);
	else if (p->dr.set)
		map_note(m, p->dr.at, "policy '%s': the default response rule is off: nothing to "
			 "translate", p->name);
	if (p->domain)
		map_msg(m, DIAG_WARNING, p->at, "policy '%s' is in the domain store: written with "
			"auto=ignore", p->name);
}

static void spec_of(const struct static_store *st, const struct spolicy *p,
		    const struct srule *rule, struct rule_spec *rs, char *label, size_t size)
{
	const struct saction *a = rule->action;
	snprintf(label, size, "rule '%s' of policy '%s'", rule->name, p->name);
	bool assigned = st->assigned == p && !p->domain;
	*rs = (struct rule_spec){
		.parts = { p->name, rule->name }, .nparts = 2, .label = label,
		.action = a->action, .auth = &rule->auth,
		.mmsec = p->mmsec, .mmsec_at = p->mmsec_at,
		.mmlifetime = p->mmlifetime, .mmlifetime_at = p->mmlifetime_at,
		.qmsec = a->qmsec, .qmsec_at = a->qmsec_at, .action_at = a->at,
		.qmpfs = a->qmpfs, .soft = a->soft, .inpass = a->inpass,
		.active = assigned && rule->activate,
		.auto_at = !rule->activate ? rule->at : assigned ? p->assign_at : p->at,
		.rule_at = rule->at, .tunnel = rule->tunnel,
	};
}

static char *filter_comment(const struct spolicy *p, const struct srule *rule, size_t i)
{
	const struct sfilter *f = &rule->list->f[i];
	char a[128], b[128];
	char *raw = xasprintf("policy \"%s\" rule \"%s\" filter %zu of \"%s\": %s -> %s%s%s",
			      p->name, rule->name, i + 1, rule->list->name,
			      str_naddr(&f->sel.src, a, sizeof(a)), str_naddr(&f->sel.dst, b, sizeof(b)),
			      f->desc ? " - " : "", f->desc ? f->desc : "");
	char *safe = safe_text(raw, false);
	free(raw);
	return safe;
}

static void map_filters(struct mapper *m, const struct spolicy *p, const struct srule *rule,
			const struct rule_spec *rs, const struct conn_template *t)
{
	if (rule->list->n == 0)
		map_msg(m, DIAG_WARNING, rule->at, "%s: filter list '%s' is empty: the rule matches "
			"nothing", rs->label, rule->list->name);
	if (rule->conntype != CONN_ALL)
		map_msg(m, DIAG_WARNING, rule->at, "%s: conntype=%s: Openswan does not bind conns to "
			"an interface type", rs->label, nconntype_names[rule->conntype]);
	for (size_t i = 0; i < rule->list->n; i++) {
		char num[32];
		snprintf(num, sizeof(num), "%zu", i + 1);
		char *comment = filter_comment(p, rule, i);
		const struct sfilter *f = &rule->list->f[i];
		if (rs->tunnel)
			map_tunnel(m, rs, t, &f->sel, f->at, num, comment);
		else
			map_selector(m, rs, t, &f->sel, f->at, num, comment);
		free(comment);
	}
}

/* The rule of the same policy that carries the return traffic of a
 * tunnel rule: its filters are the reverse of ours. */
static const struct srule *tunnel_partner(const struct spolicy *p, const struct srule *rule)
{
	if (rule->list->n == 0)
		return NULL;
	const struct nselector *s = &rule->list->f[0].sel;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct srule *o = p->rules[i];
		if (o == rule || o->tunnel == NULL || o->list->n == 0)
			continue;
		const struct nselector *x = &o->list->f[0].sel;
		if (naddr_eq(&x->src, &s->dst) && naddr_eq(&x->dst, &s->src))
			return o;
	}
	return NULL;
}

static void map_rule(struct mapper *m, const struct static_store *st, const struct spolicy *p,
		     const struct srule *rule, bool *skip)
{
	struct rule_spec rs;
	char label[600];
	spec_of(st, p, rule, &rs, label, sizeof(label));
	if (rule->tunnel != NULL) {
		const struct srule *partner = tunnel_partner(p, rule);
		if (partner != NULL) {
			rs.pair_tunnel = partner->tunnel;
			for (size_t i = 0; i < p->nrules; i++)
				if (p->rules[i] == partner)
					skip[i] = true;
		} else
			map_msg(m, DIAG_WARNING, rule->at, "%s: a tunnel rule without the rule for the "
				"other direction (Windows would not pass the return traffic); left= "
				"is this host", label);
	}
	struct conn_template t;
	if (build_template(m, &rs, &t))
		map_filters(m, p, rule, &rs, &t);
	template_free(&t);
}

void map_static(struct mapper *m, const struct static_store *st)
{
	for (size_t i = 0; i < st->npolicies; i++) {
		const struct spolicy *p = st->policies[i];
		bool *skip = xcalloc(p->nrules + 1, sizeof(bool));
		policy_notes(m, p);
		if (st->assigned != p && !p->domain)
			map_note(m, p->at, "policy '%s' is not assigned: its conns get auto=ignore", p->name);
		else if (st->assigned == p && p->nrules == 0)
			map_note(m, p->assign_at, "policy '%s' is assigned but has no rules: no conn",
				 p->name);
		for (size_t k = 0; k < p->nrules; k++)
			if (!skip[k])
				map_rule(m, st, p, p->rules[k], skip);
		free(skip);
	}
}
