/* A bump allocator for the strings and records of one loaded config: many
 * small allocations, freed all at once. */
#ifndef IPSECCONF_ARENA_H
#define IPSECCONF_ARENA_H
#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	char *next, *end;
};

void *arena_alloc(struct arena *a, size_t size);     /* 8-byte aligned */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);
#endif
