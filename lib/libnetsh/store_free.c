/* Freeing the store models, and the names of their enumerations. */
#include <stdlib.h>
#include <string.h>
#include "netsh/store.h"

const char *const naction_names[] = { "negotiate", "permit", "block" };
const char *const nconntype_names[] = { "all", "lan", "dialup" };
const char *const pfsgroup_names[] = { "nopfs", "grp1", "grp2", "grp3", "grpmm" };
const char *const pp_kind_names[] = { "v4tov4", "v4tov6", "v6tov4", "v6tov6" };

void nauths_free(struct nauths *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].text);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void nselector_free(struct nselector *s)
{
	naddr_free(&s->src);
	naddr_free(&s->dst);
}

void sfilterlist_free(struct sfilterlist *l);
void saction_free(struct saction *a);
void srule_free(struct srule *r);
void spolicy_free(struct spolicy *p);

void sfilterlist_free(struct sfilterlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		nselector_free(&l->f[i].sel);
		free(l->f[i].desc);
	}
	free(l->f);
	strmap_clear(&l->dups);
	free(l->name);
	free(l->desc);
	free(l);
}

void saction_free(struct saction *a)
{
	free(a->name);
	free(a->desc);
	free(a->qmsec);
	free(a);
}

void srule_free(struct srule *r)
{
	free(r->name);
	free(r->desc);
	free(r->tunnel);
	nauths_free(&r->auth);
	free(r);
}

void spolicy_free(struct spolicy *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		srule_free(p->rules[i]);
	free(p->rules);
	free(p->dr.qmsec);
	nauths_free(&p->dr.auth);
	free(p->name);
	free(p->desc);
	free(p->mmsec);
	free(p);
}

void static_store_free(struct static_store *s)
{
	for (size_t i = 0; i < s->npolicies; i++)
		spolicy_free(s->policies[i]);
	for (size_t i = 0; i < s->nlists; i++)
		sfilterlist_free(s->lists[i]);
	for (size_t i = 0; i < s->nactions; i++)
		saction_free(s->actions[i]);
	free(s->policies);
	free(s->lists);
	free(s->actions);
	strmap_clear(&s->policy_by_name);
	strmap_clear(&s->list_by_name);
	strmap_clear(&s->action_by_name);
	bool used = s->used;
	*s = (struct static_store){ .used = used };
}

void drule_free(struct drule *r);
void drule_free(struct drule *r)
{
	nselector_free(&r->sel);
	free(r->tunnel);
	nauths_free(&r->auth);
	free(r);
}

void dynamic_store_free(struct dynamic_store *s)
{
	for (size_t i = 0; i < s->nmm; i++) {
		free(s->mm[i]->name);
		free(s->mm[i]->mmsec);
		free(s->mm[i]);
	}
	for (size_t i = 0; i < s->nqm; i++) {
		free(s->qm[i]->name);
		free(s->qm[i]->qmsec);
		free(s->qm[i]);
	}
	for (size_t i = 0; i < s->nrules; i++)
		drule_free(s->rules[i]);
	for (size_t i = 0; i < s->nconfig; i++)
		free(s->config[i].value);
	free(s->mm);
	free(s->qm);
	free(s->rules);
	free(s->config);
	strmap_clear(&s->mm_by_name);
	strmap_clear(&s->qm_by_name);
	bool used = s->used;
	*s = (struct dynamic_store){ .used = used };
}

void ppentry_free(struct ppentry *e);
void ppentry_free(struct ppentry *e)
{
	free(e->laddr);
	free(e->caddr);
	free(e);
}

void portproxy_store_free(struct portproxy_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		ppentry_free(s->v[i]);
	free(s->v);
	strmap_clear(&s->by_key);
	bool used = s->used;
	struct where at = s->reset_at;
	*s = (struct portproxy_store){ .used = used, .reset_at = at };
}

void ptr_remove(void **v, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == p) {
			memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
			--*n;
			return;
		}
}

char *str_selector(const struct nselector *s)
{
	char a[128], b[128];
	return xasprintf("%s %s %u %u %u %s", str_naddr(&s->src, a, sizeof(a)),
			 str_naddr(&s->dst, b, sizeof(b)), s->proto, s->srcport, s->dstport,
			 s->mirrored ? "mirrored" : "one-way");
}
