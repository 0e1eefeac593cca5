/* A conn (or config setup) while it is being resolved: every slot it sets,
 * from its own keys, its also= targets and %default. Reused from one conn to
 * the next (epoch counters instead of clearing). */
#ifndef IPSECCONF_MERGED_H
#define IPSECCONF_MERGED_H
#include "internal.h"

struct merged_slot {
	uint32_t epoch;      /* == merged.epoch: set for this conn */
	uint32_t kv;         /* index in conf->kvs */
};

struct merged {
	struct ipsecconf *conf;
	uint32_t sect;               /* the section being resolved */
	uint32_t epoch;
	struct merged_slot *slots;   /* keyword_slots() entries */
	uint32_t *set;               /* slots set this epoch, in setting order */
	size_t n_set;
	uint32_t *ext;               /* x- key kvs */
	size_t n_ext, cap_ext;
	uint32_t *visit;             /* per section, 2 per flip: epoch visited */
	uint32_t *onstack;           /* per section: epoch while on the DFS stack */
	uint32_t *stack;             /* DFS stack of sections, for cycle messages */
	size_t depth;
	size_t n_sects;
	bool failed;
	struct diags *d;
	struct shared_warnings *warns;   /* checks.c: one line per source line */
};

/* The kv of a slot, or NULL when this conn does not set it. */
static inline const struct conf_kv *merged_kv(const struct merged *m, size_t slot)
{
	if (m->slots[slot].epoch != m->epoch)
		return NULL;
	return &m->conf->kvs.v[m->slots[slot].kv];
}

/* The value of a slot: NULL when unset or set empty (the built-in default). */
static inline const char *merged_value(const struct merged *m, size_t slot)
{
	const struct conf_kv *kv = merged_kv(m, slot);
	return kv != NULL && kv->value[0] != '\0' ? kv->value : NULL;
}

/* Warnings of the conn checks are given once per source place and text:
 * a %default or also= line shared by many conns gives one, rewritten at
 * the end to say how many conns it applies to. */
void shared_warnings_flush(struct merged *m);

/* Slot of a canonical key name known to exist (aborts otherwise). */
size_t slot_of(const char *name);
#endif
