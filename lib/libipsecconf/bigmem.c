/* See bigmem.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bigmem.h"

#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

static size_t round_huge(size_t n)
{
	return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* A mapping of len bytes (a multiple of HUGE_PAGE) starting on a huge-page
 * boundary, so that every 2 MiB of it can be one huge page. */
static void *map_aligned(size_t len)
{
	char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	size_t head = (HUGE_PAGE - ((uintptr_t)p & (HUGE_PAGE - 1))) & (HUGE_PAGE - 1);
	if (head != 0)
		munmap(p, head);
	munmap(p + head + len, HUGE_PAGE - head);
	return p + head;
}

static void want_huge(void *p, size_t len)
{
	(void)madvise(p, len, MADV_HUGEPAGE);   /* only advice: fine if refused */
}

void *big_realloc(void *p, size_t old_size, size_t new_size)
{
	if (p == NULL)
		old_size = 0;
	if (new_size < BIGMEM_MIN && old_size < BIGMEM_MIN) {
		void *q = realloc(p, new_size ? new_size : 1);
		if (q == NULL)
			abort();
		return q;
	}
	if (new_size < BIGMEM_MIN) {   /* from a mapping back to malloc */
		void *q = malloc(new_size ? new_size : 1);
		if (q == NULL)
			abort();
		memcpy(q, p, new_size);
		munmap(p, round_huge(old_size));
		return q;
	}
	size_t new_len = round_huge(new_size);
	if (old_size < BIGMEM_MIN) {   /* from malloc to a mapping */
		void *q = map_aligned(new_len);
		want_huge(q, new_len);
		if (old_size > 0)
			memcpy(q, p, old_size < new_size ? old_size : new_size);
		free(p);
		return q;
	}
	size_t old_len = round_huge(old_size);
	if (new_len == old_len)
		return p;
	void *q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		abort();
	want_huge(q, new_len);
	return q;
}

void big_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (size < BIGMEM_MIN)
		free(p);
	else
		munmap(p, round_huge(size));
}
