/* Dynamic rules to conns: each rule is its own filter. Windows applies
 * them at once and forgets them when the IPsec service restarts; here they
 * load like an assigned static policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"

static bool rule_action(struct mapper *m, const struct drule *d, enum naction *out)
{
	if (d->in == d->out) {
		*out = d->in;
		return true;
	}
	map_msg(m, DIAG_ERROR, d->at, "actioninbound=%s with actionoutbound=%s: a conn has one "
		"action for both directions", naction_names[d->in], naction_names[d->out]);
	return false;
}

static const struct drule *partner_of(const struct dynamic_store *dy, const struct drule *d)
{
	for (size_t i = 0; i < dy->nrules; i++) {
		const struct drule *o = dy->rules[i];
		if (o != d && o->tunnel && naddr_eq(&o->sel.src, &d->sel.dst) &&
		    naddr_eq(&o->sel.dst, &d->sel.src))
			return o;
	}
	return NULL;
}

static void map_rule(struct mapper *m, const struct dynamic_store *dy, size_t i, bool *skip)
{
	const struct drule *d = dy->rules[i];
	enum naction act;
	if (!rule_action(m, d, &act))
		return;
	char num[32], label[64];
	snprintf(num, sizeof(num), "%zu", i + 1);
	snprintf(label, sizeof(label), "dynamic rule %zu", i + 1);
	const struct dmmpolicy *mm = d->mm;
	const struct dqmpolicy *qm = d->qm;
	struct rule_spec rs = {
		.parts = { "dyn", num }, .nparts = 2, .label = label, .action = act,
		.auth = &d->auth, .mmsec = mm ? mm->mmsec : NULL, .mmsec_at = mm ? mm->at : d->at,
		.mmlifetime = mm ? mm->mmlifetime : 480, .mmlifetime_at = mm ? mm->at : d->at,
		.qmsec = qm ? qm->qmsec : NULL, .qmsec_at = qm ? qm->at : d->at, .action_at = d->at,
		.pfsgroup = qm ? qm->pfs : PFS_NONE, .soft = qm && qm->soft, .active = true,
		.auto_at = d->at, .rule_at = d->at, .tunnel = d->tunnel, .dynamic = true,
	};
	if (d->tunnel) {
		const struct drule *p = partner_of(dy, d);
		if (p != NULL) {
			rs.pair_tunnel = p->tunnel;
			for (size_t k = 0; k < dy->nrules; k++)
				skip[k] |= dy->rules[k] == p;
		} else
			map_msg(m, DIAG_WARNING, d->at, "%s: a tunnel rule without the rule for the other "
				"direction; left= is this host", label);
	}
	if (mm && mm->qmpermm != 0)
		map_msg(m, DIAG_WARNING, mm->at, "qmpermm=%ld has no Openswan equivalent", mm->qmpermm);
	if (d->conntype != CONN_ALL)
		map_msg(m, DIAG_WARNING, d->at, "conntype=%s: Openswan does not bind conns to an "
			"interface type", nconntype_names[d->conntype]);
	struct conn_template t;
	char a[128], b[128];
	char *raw = xasprintf("dynamic rule %zu: %s -> %s (Windows forgets dynamic rules when the "
			      "IPsec service restarts)", i + 1, str_naddr(&d->sel.src, a, sizeof(a)),
			      str_naddr(&d->sel.dst, b, sizeof(b)));
	char *comment = safe_text(raw, false);
	if (build_template(m, &rs, &t)) {
		if (d->tunnel)
			map_tunnel(m, &rs, &t, &d->sel, d->at, "", comment);
		else
			map_selector(m, &rs, &t, &d->sel, d->at, "", comment);
	}
	template_free(&t);
	free(raw);
	free(comment);
}

static void map_config(struct mapper *m, const struct dynamic_store *dy)
{
	for (size_t i = 0; i < dy->nconfig; i++) {
		const struct dconfig *c = &dy->config[i];
		if (strcmp(c->property, "strongcrlcheck") == 0 && strcmp(c->value, "2") == 0) {
			map_msg(m, DIAG_WARNING, c->at, "set config strongcrlcheck=2: put strictcrlpolicy=yes "
				"(libreswan: crl-strict=yes) in config setup; not written, as the two "
				"disagree on its name");
		} else if (strcmp(c->property, "ipsecexempt") == 0 || strncmp(c->property, "boot", 4) == 0)
			map_msg(m, DIAG_WARNING, c->at, "set config %s=%s has no Openswan equivalent",
				c->property, c->value);
		else
			map_note(m, c->at, "set config %s: logging only, not translated", c->property);
	}
}

void map_dynamic(struct mapper *m, const struct dynamic_store *dy)
{
	bool *skip = xcalloc(dy->nrules + 1, sizeof(bool));
	map_config(m, dy);
	for (size_t i = 0; i < dy->nrules; i++)
		if (!skip[i])
			map_rule(m, dy, i, skip);
	free(skip);
}
