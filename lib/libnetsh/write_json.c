/* The replayed stores as JSON (--json): what Windows would hold after the
 * scripts ran, before any mapping. */
#include <stdlib.h>
#include <string.h>
#include "netsh/writers.h"
#include "swan/json.h"

static void kv_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "%s\"%s\": ", comma ? ", " : "", k);
	if (v)
		json_fputs(f, v);
	else
		fprintf(f, "null");
}

static void kv_where(FILE *f, struct where at)
{
	char *s = xasprintf("%s:%u", at.file ? at.file : "", at.line);
	fprintf(f, ", \"at\": ");
	json_fputs(f, s);
	free(s);
}

static void selector(FILE *f, const struct nselector *s)
{
	char a[128];
	kv_str(f, "srcaddr", str_naddr(&s->src, a, sizeof(a)), true);
	kv_str(f, "dstaddr", str_naddr(&s->dst, a, sizeof(a)), true);
	fprintf(f, ", \"protocol\": %u, \"srcport\": %u, \"dstport\": %u, \"mirrored\": %s",
		s->proto, s->srcport, s->dstport, s->mirrored ? "true" : "false");
}

static void auths(FILE *f, const struct nauths *a)
{
	static const char *const kinds[] = { "kerberos", "psk", "rootca" };
	fprintf(f, ", \"auth\": [");
	for (size_t i = 0; i < a->n; i++) {
		fprintf(f, "%s{\"method\": \"%s\"", i ? ", " : "", kinds[a->v[i].kind]);
		if (a->v[i].kind == AUTH_ROOTCA)
			kv_str(f, "ca", a->v[i].text, true);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void lists(FILE *f, const struct static_store *st)
{
	fprintf(f, "\"filterlists\": [");
	for (size_t i = 0; i < st->nlists; i++) {
		const struct sfilterlist *l = st->lists[i];
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "name", l->name, false);
		kv_str(f, "description", l->desc, true);
		kv_where(f, l->at);
		fprintf(f, ", \"filters\": [");
		for (size_t k = 0; k < l->n; k++) {
			fprintf(f, "%s\n    {", k ? "," : "");
			kv_str(f, "description", l->f[k].desc, false);
			selector(f, &l->f[k].sel);
			kv_where(f, l->f[k].at);
			fprintf(f, "}");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
}

static void actions(FILE *f, const struct static_store *st)
{
	fprintf(f, ", \"filteractions\": [");
	for (size_t i = 0; i < st->nactions; i++) {
		const struct saction *a = st->actions[i];
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "name", a->name, false);
		kv_str(f, "action", naction_names[a->action], true);
		kv_str(f, "qmsecmethods", a->qmsec, true);
		fprintf(f, ", \"qmpfs\": %s, \"inpass\": %s, \"soft\": %s", a->qmpfs ? "true" : "false",
			a->inpass ? "true" : "false", a->soft ? "true" : "false");
		kv_where(f, a->at);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void rules(FILE *f, const struct spolicy *p)
{
	fprintf(f, ", \"rules\": [");
	for (size_t k = 0; k < p->nrules; k++) {
		const struct srule *r = p->rules[k];
		fprintf(f, "%s\n    {", k ? "," : "");
		kv_str(f, "name", r->name, false);
		kv_str(f, "filterlist", r->list->name, true);
		kv_str(f, "filteraction", r->action->name, true);
		kv_str(f, "tunnel", r->tunnel, true);
		kv_str(f, "conntype", nconntype_names[r->conntype], true);
		fprintf(f, ", \"activate\": %s", r->activate ? "true" : "false");
		auths(f, &r->auth);
		kv_where(f, r->at);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void policies(FILE *f, const struct static_store *st)
{
	fprintf(f, ", \"policies\": [");
	for (size_t i = 0; i < st->npolicies; i++) {
		const struct spolicy *p = st->policies[i];
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "name", p->name, false);
		kv_str(f, "description", p->desc, true);
		fprintf(f, ", \"assigned\": %s, \"mmpfs\": %s, \"qmpermm\": %ld, \"mmlifetime\": %ld, "
			"\"activatedefaultrule\": %s", st->assigned == p ? "true" : "false",
			p->mmpfs ? "true" : "false", p->qmpermm, p->mmlifetime,
			p->activatedefaultrule ? "true" : "false");
		kv_str(f, "mmsecmethods", p->mmsec, true);
		kv_where(f, p->at);
		rules(f, p);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void dynamic(FILE *f, const struct dynamic_store *dy)
{
	fprintf(f, "\"mmpolicies\": [");
	for (size_t i = 0; i < dy->nmm; i++) {
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "name", dy->mm[i]->name, false);
		kv_str(f, "mmsecmethods", dy->mm[i]->mmsec, true);
		fprintf(f, ", \"mmlifetime\": %ld, \"qmpermm\": %ld", dy->mm[i]->mmlifetime, dy->mm[i]->qmpermm);
		kv_where(f, dy->mm[i]->at);
		fprintf(f, "}");
	}
	fprintf(f, "], \"qmpolicies\": [");
	for (size_t i = 0; i < dy->nqm; i++) {
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "name", dy->qm[i]->name, false);
		kv_str(f, "qmsecmethods", dy->qm[i]->qmsec, true);
		kv_str(f, "pfsgroup", pfsgroup_names[dy->qm[i]->pfs], true);
		fprintf(f, ", \"soft\": %s", dy->qm[i]->soft ? "true" : "false");
		kv_where(f, dy->qm[i]->at);
		fprintf(f, "}");
	}
	fprintf(f, "], \"rules\": [");
	for (size_t i = 0; i < dy->nrules; i++) {
		const struct drule *r = dy->rules[i];
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "mmpolicy", r->mm ? r->mm->name : NULL, false);
		kv_str(f, "qmpolicy", r->qm ? r->qm->name : NULL, true);
		selector(f, &r->sel);
		kv_str(f, "actioninbound", naction_names[r->in], true);
		kv_str(f, "actionoutbound", naction_names[r->out], true);
		kv_str(f, "tunneldstaddress", r->tunnel, true);
		auths(f, &r->auth);
		kv_where(f, r->at);
		fprintf(f, "}");
	}
	fprintf(f, "], \"config\": {");
	for (size_t i = 0; i < dy->nconfig; i++)
		kv_str(f, dy->config[i].property, dy->config[i].value, i > 0);
	fprintf(f, "}");
}

static void portproxy(FILE *f, const struct portproxy_store *pp)
{
	fprintf(f, "\"portproxy\": [");
	for (size_t i = 0; i < pp->n; i++) {
		const struct ppentry *e = pp->v[i];
		fprintf(f, "%s\n   {", i ? "," : "");
		kv_str(f, "type", pp_kind_names[e->kind], false);
		kv_str(f, "listenaddress", e->laddr ? e->laddr : "*", true);
		fprintf(f, ", \"listenport\": %u", e->lport);
		kv_str(f, "connectaddress", e->caddr, true);
		fprintf(f, ", \"connectport\": %u", e->cport);
		kv_where(f, e->at);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

void write_stores_json(FILE *f, const struct replay *r)
{
	const char *loc[] = { "local", "persistent", "domain" };
	fprintf(f, "{\"static\": {\"store\": \"%s\", ", loc[r->st.location]);
	lists(f, &r->st);
	actions(f, &r->st);
	policies(f, &r->st);
	fprintf(f, "},\n \"dynamic\": {");
	dynamic(f, &r->dy);
	fprintf(f, "},\n ");
	portproxy(f, &r->pp);
	fprintf(f, "}\n");
}
