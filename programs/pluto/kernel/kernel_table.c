/* Hash tables of SAs and policies for the kernel backends. */
#include <stdlib.h>
#include <string.h>
#include "kernel/kernel_table.h"

#define MIN_BUCKETS 16

static void rehash(struct kernel_table *t, size_t nbuckets)
{
	struct kernel_table_entry **b = calloc(nbuckets, sizeof(*b));
	if (b == NULL)
		abort();
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct kernel_table_entry *e = t->buckets[i];
		while (e != NULL) {
			struct kernel_table_entry *next = e->next;
			struct kernel_table_entry **head = &b[e->hash & (nbuckets - 1)];
			e->next = *head;
			*head = e;
			e = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nbuckets;
}

void kernel_table_clear(struct kernel_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
}

void kernel_table_insert(struct kernel_table *t, struct kernel_table_entry *e, uint32_t hash)
{
	if (t->count >= t->nbuckets)
		rehash(t, t->nbuckets ? 2 * t->nbuckets : MIN_BUCKETS);
	e->hash = hash;
	struct kernel_table_entry **head = &t->buckets[hash & (t->nbuckets - 1)];
	e->next = *head;
	*head = e;
	t->count++;
}

void kernel_table_remove(struct kernel_table *t, struct kernel_table_entry *e)
{
	struct kernel_table_entry **p = &t->buckets[e->hash & (t->nbuckets - 1)];
	while (*p != e) {
		if (*p == NULL)
			abort();   /* not in this table: a bookkeeping bug */
		p = &(*p)->next;
	}
	*p = e->next;
	e->next = NULL;
	t->count--;
}

struct kernel_table_entry *kernel_table_chain(const struct kernel_table *t, uint32_t hash)
{
	return t->nbuckets ? t->buckets[hash & (t->nbuckets - 1)] : NULL;
}

static struct kernel_table_entry *scan(struct kernel_table_cursor *c)
{
	while (c->bucket < c->t->nbuckets) {
		struct kernel_table_entry *e = c->t->buckets[c->bucket++];
		if (e != NULL)
			return e;
	}
	return NULL;
}

struct kernel_table_entry *kernel_table_first(const struct kernel_table *t,
					      struct kernel_table_cursor *c)
{
	c->t = t;
	c->bucket = 0;
	c->next = NULL;
	return kernel_table_next(c);
}

struct kernel_table_entry *kernel_table_next(struct kernel_table_cursor *c)
{
	struct kernel_table_entry *e = c->next != NULL ? c->next : scan(c);
	/* the successor now: the caller may unlink e */
	c->next = e != NULL ? e->next : NULL;
	return e;
}

/* ---- hashes ------------------------------------------------------------------
 * FNV-1a over the bytes that make up the key, then a final mix so that the
 * low bits (the bucket) depend on all of them. */

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint32_t fnv_u32(uint32_t h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	return fnv(h, b, sizeof(b));
}

static uint32_t finish(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The bytes address_eq compares: the family and, for a set family, its
 * 4 or 16 address bytes. */
static uint32_t fnv_address(uint32_t h, const ip_address *a)
{
	h = fnv(h, &a->family, 1);
	if (a->family == IP_UNSET)
		return h;
	return fnv(h, a->bytes, a->family == IP_V4 ? 4 : 16);
}

/* What kernel_selector_eq compares of a subnet: the family only when it
 * is unset, else the prefix and the address. */
static uint32_t fnv_subnet(uint32_t h, const ip_subnet *s)
{
	if (s->addr.family == IP_UNSET)
		return fnv(h, &s->addr.family, 1);
	h = fnv(h, &s->prefix, 1);
	return fnv_address(h, &s->addr);
}

uint32_t kernel_sa_key_hash(uint8_t proto, uint32_t spi, const ip_address *dst)
{
	uint32_t h = fnv_u32(FNV_OFFSET, spi);
	h = fnv(h, &proto, 1);
	return finish(fnv_address(h, dst));
}

uint32_t kernel_policy_key_hash(enum kernel_dir dir, const struct kernel_selector *sel)
{
	uint32_t h = fnv_u32(FNV_OFFSET, (uint32_t)dir);
	h = fnv_subnet(h, &sel->src);
	h = fnv_subnet(h, &sel->dst);
	h = fnv(h, &sel->proto, 1);
	h = fnv_u32(h, (uint32_t)sel->sport << 16 | sel->dport);
	return finish(h);
}
