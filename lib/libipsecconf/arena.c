/* Bump allocator: blocks of 64 KiB doubling up to 4 MiB (or larger for big
 * requests); from 1 MiB up they are bigmem mappings with huge pages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "bigmem.h"

struct arena_block {
	struct arena_block *next;
	size_t size;   /* of the whole block, for big_free */
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)
#define ARENA_BLOCK_MAX (4 * 1024 * 1024)

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	if (a->next == NULL || (size_t)(a->end - a->next) < size) {
		size_t grown = a->head == NULL ? ARENA_BLOCK
			     : a->head->size * 2 > ARENA_BLOCK_MAX ? ARENA_BLOCK_MAX : a->head->size * 2;
		size_t bsize = size > grown / 4 ? size : grown - sizeof(struct arena_block);
		struct arena_block *b = big_realloc(NULL, 0, sizeof(*b) + bsize);
		b->size = sizeof(*b) + bsize;
		b->next = a->head;
		a->head = b;
		a->next = (char *)b->data;
		a->end = a->next + bsize;
	}
	void *p = a->next;
	a->next += size;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b != NULL) {
		struct arena_block *next = b->next;
		big_free(b, b->size);
		b = next;
	}
	*a = (struct arena){0};
}
