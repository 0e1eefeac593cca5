/* chunk helpers: allocation aborts on failure, as everywhere in Cygnet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chunk.h"

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

chunk_t chunk_alloc(size_t len)
{
	return (chunk_t){ xmalloc(len), len };
}

chunk_t chunk_clone(const void *p, size_t len)
{
	chunk_t c = chunk_alloc(len);
	if (len)
		memcpy(c.ptr, p, len);
	return c;
}

chunk_t chunk_dup(chunk_t c)
{
	return chunk_clone(c.ptr, c.len);
}

chunk_t chunk_cat(chunk_t a, chunk_t b)
{
	chunk_t c = chunk_alloc(a.len + b.len);
	if (a.len)
		memcpy(c.ptr, a.ptr, a.len);
	if (b.len)
		memcpy(c.ptr + a.len, b.ptr, b.len);
	return c;
}

chunk_t chunk_cat3(chunk_t a, chunk_t b, chunk_t c)
{
	chunk_t ab = chunk_cat(a, b);
	chunk_t abc = chunk_cat(ab, c);
	chunk_free(&ab);
	return abc;
}

void chunk_free(chunk_t *c)
{
	if (c->ptr != NULL) {
		/* volatile: the wipe must not be optimised away */
		volatile uint8_t *p = c->ptr;
		for (size_t i = 0; i < c->len; i++)
			p[i] = 0;
		free(c->ptr);
	}
	*c = EMPTY_CHUNK;
}

bool chunk_eq(chunk_t a, chunk_t b)
{
	if (a.len != b.len)
		return false;
	uint8_t diff = 0;
	for (size_t i = 0; i < a.len; i++)
		diff |= a.ptr[i] ^ b.ptr[i];
	return diff == 0;
}

char *chunk_hex(chunk_t c, char *buf, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < c.len && n + 3 <= size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%02x", c.ptr[i]);
	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return buf;
}
