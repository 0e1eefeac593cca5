/* chunk: a byte string with its length, owned or borrowed as each API says.
 * Key material is wiped when freed. */
#ifndef PLUTO_CHUNK_H
#define PLUTO_CHUNK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint8_t *ptr;
	size_t len;
} chunk_t;

#define EMPTY_CHUNK ((chunk_t){ NULL, 0 })

static inline chunk_t chunk_from(const void *p, size_t len)
{
	return (chunk_t){ (uint8_t *)p, len };
}

chunk_t chunk_alloc(size_t len);                 /* zero-filled, owned */
chunk_t chunk_clone(const void *p, size_t len);   /* owned copy */
chunk_t chunk_dup(chunk_t c);                     /* owned copy */
chunk_t chunk_cat(chunk_t a, chunk_t b);          /* owned a||b */
chunk_t chunk_cat3(chunk_t a, chunk_t b, chunk_t c);
void chunk_free(chunk_t *c);                      /* wipes, frees, empties */
bool chunk_eq(chunk_t a, chunk_t b);              /* constant time in len */
/* Lower-case hex into buf (2*len+1 bytes); returns buf. */
char *chunk_hex(chunk_t c, char *buf, size_t size);
#endif
