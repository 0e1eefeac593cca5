/* The walker: resolves conns one after the other into a reused record and
 * hands each (or each of its instances) to the caller's function. */
#ifndef IPSECCONF_WALK_H
#define IPSECCONF_WALK_H
#include "merged.h"

struct walker {
	struct merged m;
	resolved_fn fn;
	void *ctx;
	struct diags *d;
	struct resolved res;          /* the conn as resolved */
	struct resolved_kv *out;      /* res.kv storage */
	size_t cap_out;
	struct resolved_also *also;
	size_t cap_also;
	struct resolved_kv *inst;     /* instance kv storage (expand.c) */
	size_t cap_inst;
	struct arena scratch;         /* instance names and values, reset per conn */
};

void walk_reserve(struct walker *w, size_t n);
void walk_sort(struct resolved_kv *kv, size_t n);
/* Hands out w->res, or the instances of leftsubnets=/rightsubnets= and of
 * policy groups (expand.c). False when an instance failed. */
bool walk_expand(struct walker *w);
#endif
