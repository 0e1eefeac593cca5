/* netsh ipsec static: policies, rules, the default response rule, the
 * store and the commands that are refused or only noted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/replay.h"
#include "netsh/util.h"

static struct spolicy *find_policy(struct replay *r, const struct ncmd *c, const char *name)
{
	struct spolicy *p = name ? strmap_get(&r->st.policy_by_name, name) : NULL;
	if (p == NULL)
		cmd_error(r, c, "policy '%s' does not exist", name ? name : "");
	return p;
}

/* Only one policy can be assigned: assigning one unassigns the other. */
static void assign(struct replay *r, const struct ncmd *c, struct spolicy *p, bool yes)
{
	if (r->st.location == STORE_DOMAIN) {
		cmd_warning(r, c, "assign= has no effect in the domain store (Group Policy assigns "
			    "domain policies)");
		return;
	}
	struct spolicy *was = r->st.assigned;
	if (yes) {
		if (was != NULL)   /* the earlier assign= is undone: say which */
			cmd_removes(r, c, was == p ? "repeats the assignment of" : "unassigns",
				    "policy", was->name, was->assign_at);
		r->st.assigned = p;
		p->assign_at = cmd_where(c);
	} else if (was == p) {
		cmd_removes(r, c, "unassigns", "policy", p->name, p->assign_at);
		r->st.assigned = NULL;
	}
}

static void set_long(const struct ncmd *c, const char *tag, long *field)
{
	const char *v = arg(c, tag);
	if (v != NULL)
		*field = atol(v);
}

/* The policy settings shared by add policy and set policy. */
static void policy_settings(struct replay *r, const struct ncmd *c, struct spolicy *p)
{
	const char *d = arg(c, "description");
	if (d != NULL) {
		free(p->desc);
		p->desc = xstrdup(d);
	}
	p->mmpfs = arg_bool(c, "mmpfs", p->mmpfs);
	p->activatedefaultrule = arg_bool(c, "activatedefaultrule", p->activatedefaultrule);
	set_long(c, "qmpermm", &p->qmpermm);
	set_long(c, "pollinginterval", &p->pollinginterval);
	if (arg(c, "mmlifetime")) {
		set_long(c, "mmlifetime", &p->mmlifetime);
		p->mmlifetime_at = cmd_where(c);
	}
	if (arg(c, "mmsecmethods")) {
		free(p->mmsec);
		p->mmsec = xstrdup(arg(c, "mmsecmethods"));
		p->mmsec_at = cmd_where(c);
	}
	if (arg(c, "gponame"))
		cmd_warning(r, c, "gponame= (Group Policy object) has no equivalent");
	if (arg(c, "assign"))
		assign(r, c, p, arg_bool(c, "assign", false));
}

HANDLER(st_add_policy)
{
	const char *name = arg(c, "name");
	r->st.used = true;
	if (!check_new_name(r, c, "policy", name) || !check_secmethods(r, c, "mmsecmethods"))
		return;
	if (strmap_get(&r->st.policy_by_name, name)) {
		cmd_error(r, c, "policy '%s' already exists", name);
		return;
	}
	struct spolicy *p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	p->at = p->mmsec_at = p->mmlifetime_at = cmd_where(c);
	p->activatedefaultrule = true;
	p->domain = r->st.location == STORE_DOMAIN;
	p->mmlifetime = 480;
	p->pollinginterval = 180;
	p->dr = (struct sdefaultrule){ .activate = true, .at = cmd_where(c) };
	VEC_PUSH(r->st.policies, r->st.npolicies, r->st.cappolicies, p);
	strmap_put(&r->st.policy_by_name, name, p);
	policy_settings(r, c, p);
}

HANDLER(st_set_policy)
{
	r->st.used = true;
	if (arg(c, "guid")) {
		cmd_error(r, c, "guid= cannot be resolved: use name=");
		return;
	}
	if (!check_secmethods(r, c, "mmsecmethods"))
		return;
	struct spolicy *p = find_policy(r, c, arg(c, "name"));
	if (p == NULL)
		return;
	const char *nn = arg(c, "newname");
	if (nn != NULL && strcmp(nn, p->name) != 0) {
		if (!check_new_name(r, c, "policy", nn))
			return;
		if (strmap_get(&r->st.policy_by_name, nn)) {
			cmd_error(r, c, "a policy named '%s' already exists", nn);
			return;
		}
		cmd_note(r, c, "renames policy '%s' to '%s'", p->name, nn);
		strmap_del(&r->st.policy_by_name, p->name);
		free(p->name);
		p->name = xstrdup(nn);
		strmap_put(&r->st.policy_by_name, nn, p);
	}
	policy_settings(r, c, p);
}

static void unlink_rule(struct srule *rule)
{
	if (rule->list)
		rule->list->refs--;
	if (rule->action)
		rule->action->refs--;
}

static void delete_policy(struct replay *r, const struct ncmd *c, struct spolicy *p)
{
	cmd_removes(r, c, "removes", "policy", p->name, p->at);
	for (size_t i = 0; i < p->nrules; i++) {
		cmd_removes(r, c, "removes", "rule", p->rules[i]->name, p->rules[i]->at);
		unlink_rule(p->rules[i]);
	}
	if (r->st.assigned == p)
		r->st.assigned = NULL;
	strmap_del(&r->st.policy_by_name, p->name);
	ptr_remove((void **)r->st.policies, &r->st.npolicies, p);
	spolicy_free(p);
}

HANDLER(st_delete_policy)
{
	const char *name = arg(c, "name");
	r->st.used = true;
	if (ieq(name, "all")) {
		while (r->st.npolicies > 0)
			delete_policy(r, c, r->st.policies[0]);
		return;
	}
	struct spolicy *p = find_policy(r, c, name);
	if (p != NULL)   /* "Deletes the specified IPSec policy and all associated rules" */
		delete_policy(r, c, p);
}

HANDLER(st_delete_all)
{
	r->st.used = true;
	enum store_loc loc = r->st.location;
	struct where at = r->st.location_at;
	struct static_store *st = &r->st;
	if (st->npolicies + st->nlists + st->nactions == 0)
		cmd_note(r, c, "the static store is empty: nothing to delete");
	while (st->npolicies > 0)
		delete_policy(r, c, st->policies[0]);
	for (size_t i = 0; i < st->nlists; i++)
		note_list_removed(r, c, st->lists[i]);
	for (size_t i = 0; i < st->nactions; i++)
		cmd_removes(r, c, "removes", "filter action", st->actions[i]->name, st->actions[i]->at);
	static_store_free(&r->st);
	r->st.location = loc;
	r->st.location_at = at;
}

static struct srule *find_rule(const struct spolicy *p, const char *name)
{
	for (size_t i = 0; name && i < p->nrules; i++)
		if (strcmp(p->rules[i]->name, name) == 0)
			return p->rules[i];
	return NULL;
}

/* tunnel=: an IP address or DNS name; "no" (seed 001) means none. */
static bool set_tunnel(struct replay *r, const struct ncmd *c, char **tunnel)
{
	const char *t = arg(c, "tunnel");
	if (t == NULL)
		return true;
	free(*tunnel);
	*tunnel = NULL;
	if (ieq(t, "no") || *t == '\0') {
		cmd_warning(r, c, "tunnel=%s read as transport mode (no tunnel)", t);
		return true;
	}
	ip_address a;
	if (ttoaddress_num(t, strlen(t), IP_UNSET, &a) != NULL && !is_dns_name(t)) {
		cmd_error(r, c, "tunnel=%s is not an IP address or DNS name", t);
		return false;
	}
	*tunnel = xstrdup(t);
	return true;
}

static bool set_refs(struct replay *r, const struct ncmd *c, struct srule *rule)
{
	const char *ln = arg(c, "filterlist"), *an = arg(c, "filteraction");
	struct sfilterlist *l = ln ? strmap_get(&r->st.list_by_name, ln) : rule->list;
	struct saction *a = an ? strmap_get(&r->st.action_by_name, an) : rule->action;
	if (l == NULL) {
		cmd_error(r, c, "filter list '%s' does not exist (names are case-sensitive)", ln);
		return false;
	}
	if (a == NULL) {
		cmd_error(r, c, "filter action '%s' does not exist (names are case-sensitive)", an);
		return false;
	}
	unlink_rule(rule);
	rule->list = l;
	rule->action = a;
	l->refs++;
	a->refs++;
	return true;
}

static bool auth_tag_given(const struct ncmd *c)
{
	return arg(c, "kerberos") || arg(c, "psk") || arg(c, "rootca");
}

/* Settings shared by add rule and set rule. Auth methods given replace
 * the whole list (seed 000: "Modifying authentication methods will
 * overwrite all previous authentication methods"). */
static bool rule_settings(struct replay *r, const struct ncmd *c, struct srule *rule)
{
	if (!set_refs(r, c, rule) || !set_tunnel(r, c, &rule->tunnel))
		return false;
	const char *ct = arg(c, "conntype");
	for (int i = 0; ct && i < 3; i++)
		if (strcmp(ct, nconntype_names[i]) == 0)
			rule->conntype = (enum nconntype)i;
	rule->activate = arg_bool(c, "activate", rule->activate);
	if (arg(c, "description")) {
		free(rule->desc);
		rule->desc = xstrdup(arg(c, "description"));
	}
	if (auth_tag_given(c)) {
		struct nauths a;
		if (!parse_auths(r, c, &a))
			return false;
		nauths_free(&rule->auth);
		rule->auth = a;
	}
	return true;
}

HANDLER(st_add_rule)
{
	const char *name = arg(c, "name");
	r->st.used = true;
	if (!check_new_name(r, c, "rule", name))
		return;
	struct spolicy *p = find_policy(r, c, arg(c, "policy"));
	if (p == NULL)
		return;
	if (find_rule(p, name)) {
		cmd_error(r, c, "rule '%s' already exists in policy '%s'", name, p->name);
		return;
	}
	struct srule *rule = xcalloc(1, sizeof(*rule));
	*rule = (struct srule){ .name = xstrdup(name), .policy = p, .activate = true,
				.at = cmd_where(c) };
	rule->auth.at = cmd_where(c);
	if (!rule_settings(r, c, rule)) {
		unlink_rule(rule);
		srule_free(rule);
		return;
	}
	VEC_PUSH(p->rules, p->nrules, p->cap, rule);
}

/* name= or id= (the 1-based position in the policy's rule list). */
static struct srule *rule_by_name_or_id(struct replay *r, const struct ncmd *c,
					struct spolicy *p)
{
	const char *name = arg(c, "name"), *id = arg(c, "id");
	if (name == NULL && id == NULL) {
		cmd_error(r, c, "name= or id= is required");
		return NULL;
	}
	struct srule *rule = NULL;
	if (name != NULL)
		rule = find_rule(p, name);
	else {
		long n = atol(id);
		cmd_warning(r, c, "id=%s: rule IDs are read as positions in the policy's rule list", id);
		rule = n >= 1 && (size_t)n <= p->nrules ? p->rules[n - 1] : NULL;
	}
	if (rule == NULL)
		cmd_error(r, c, "rule '%s' does not exist in policy '%s'", name ? name : id, p->name);
	return rule;
}

HANDLER(st_set_rule)
{
	r->st.used = true;
	struct spolicy *p = find_policy(r, c, arg(c, "policy"));
	struct srule *rule = p ? rule_by_name_or_id(r, c, p) : NULL;
	if (rule == NULL)
		return;
	const char *nn = arg(c, "newname");
	if (nn != NULL && strcmp(nn, rule->name) != 0) {
		if (!check_new_name(r, c, "rule", nn))
			return;
		if (find_rule(p, nn)) {
			cmd_error(r, c, "rule '%s' already exists in policy '%s'", nn, p->name);
			return;
		}
		cmd_note(r, c, "renames rule '%s' to '%s'", rule->name, nn);
		free(rule->name);
		rule->name = xstrdup(nn);
	}
	rule_settings(r, c, rule);
}

HANDLER(st_delete_rule)
{
	r->st.used = true;
	struct spolicy *p = find_policy(r, c, arg(c, "policy"));
	if (p == NULL)
		return;
	if (ieq(arg(c, "name") ? arg(c, "name") : "", "all")) {
		if (p->nrules == 0)
			cmd_note(r, c, "policy '%s' has no rules: nothing to delete", p->name);
		for (size_t i = 0; i < p->nrules; i++) {
			cmd_removes(r, c, "removes", "rule", p->rules[i]->name, p->rules[i]->at);
			unlink_rule(p->rules[i]);
			srule_free(p->rules[i]);
		}
		p->nrules = 0;
		return;
	}
	struct srule *rule = rule_by_name_or_id(r, c, p);
	if (rule == NULL)
		return;
	cmd_removes(r, c, "removes", "rule", rule->name, rule->at);
	unlink_rule(rule);
	ptr_remove((void **)p->rules, &p->nrules, rule);
	srule_free(rule);
}

HANDLER(st_set_defaultrule)
{
	r->st.used = true;
	struct spolicy *p = find_policy(r, c, arg(c, "policy"));
	if (p == NULL || !check_secmethods(r, c, "qmsecmethods"))
		return;
	struct sdefaultrule *dr = &p->dr;
	dr->qmpfs = arg_bool(c, "qmpfs", dr->qmpfs);
	dr->activate = arg_bool(c, "activate", dr->activate);
	dr->at = cmd_where(c);
	if (arg(c, "qmsecmethods")) {
		free(dr->qmsec);
		dr->qmsec = xstrdup(arg(c, "qmsecmethods"));
	}
	if (auth_tag_given(c)) {
		struct nauths a;
		if (!parse_auths(r, c, &a))
			return;
		nauths_free(&dr->auth);
		dr->auth = a;
	}
	dr->set = true;
}

HANDLER(st_set_store)
{
	const char *loc = arg(c, "location");
	r->st.used = true;
	r->st.location = strcmp(loc, "domain") == 0 ? STORE_DOMAIN
		       : strcmp(loc, "persistent") == 0 ? STORE_PERSISTENT : STORE_LOCAL;
	r->st.location_at = cmd_where(c);
	if (r->st.location == STORE_DOMAIN)
		cmd_warning(r, c, "the domain store holds Group Policy objects: assignments there "
			    "are not modelled and its policies are written with auto=ignore");
	else
		cmd_note(r, c, "store location=%s", loc);
}

HANDLER(st_set_batch)
{
	cmd_note(r, c, "batch mode only groups the changes; nothing to translate");
}

HANDLER(st_exportpolicy)
{
	cmd_note(r, c, "exportpolicy writes a binary export of the store; nothing to translate");
}

HANDLER(st_importpolicy)
{
	r->st.used = true;
	cmd_error(r, c, "importpolicy file=%s: the policies in a binary .ipsec export (a registry "
		  "hive) cannot be read, so they are missing from this translation", arg(c, "file"));
}

HANDLER(st_restorepolicyexamples)
{
	cmd_warning(r, c, "restores the built-in Windows example policies, which are not "
		    "modelled: rules that use them will be reported as undefined");
}
