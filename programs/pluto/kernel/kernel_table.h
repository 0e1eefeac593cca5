/* Hash tables for the backends' own bookkeeping: SAs keyed by (protocol,
 * SPI, destination), as the kernel identifies them, and policies keyed by
 * (direction, selector). Lookups, inserts and removals take constant time
 * however many Child SAs are up (the none backend holds two SAs and two or
 * three policies per Child SA; xfrm remembers the same to remove them at
 * shutdown).
 *
 * Intrusive: an entry embeds struct kernel_table_entry and the table links
 * entries, it never allocates or frees them. The bucket array doubles when
 * there are more entries than buckets (8 bytes a bucket: at most 16 bytes
 * an entry) and never shrinks. Not thread-safe (the kernel is used from
 * the event loop only). */
#ifndef PLUTO_KERNEL_TABLE_H
#define PLUTO_KERNEL_TABLE_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/kernel.h"

struct kernel_table_entry {
	struct kernel_table_entry *next;   /* in the bucket */
	uint32_t hash;
};

struct kernel_table {
	struct kernel_table_entry **buckets;
	size_t nbuckets;   /* 0 or a power of two */
	size_t count;
};

/* Unlinks everything (the entries themselves are the caller's). */
void kernel_table_clear(struct kernel_table *t);
void kernel_table_insert(struct kernel_table *t, struct kernel_table_entry *e, uint32_t hash);
void kernel_table_remove(struct kernel_table *t, struct kernel_table_entry *e);
/* The chain where entries with this hash live (NULL-ended; compare the
 * hash, then the key). */
struct kernel_table_entry *kernel_table_chain(const struct kernel_table *t, uint32_t hash);
/* Every entry, in no particular order: first, then next until NULL. The
 * entry last returned may be removed (and freed) before asking for the
 * next one; no other change while walking. */
struct kernel_table_cursor {
	const struct kernel_table *t;
	size_t bucket;
	struct kernel_table_entry *next;
};
struct kernel_table_entry *kernel_table_first(const struct kernel_table *t,
					      struct kernel_table_cursor *c);
struct kernel_table_entry *kernel_table_next(struct kernel_table_cursor *c);

/* The keys' hashes; equal keys (kernel_selector_eq, same proto/SPI/dst)
 * hash equally. */
uint32_t kernel_sa_key_hash(uint8_t proto, uint32_t spi, const ip_address *dst);
uint32_t kernel_policy_key_hash(enum kernel_dir dir, const struct kernel_selector *sel);

#define kernel_table_container(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif
