/* whack_buf: where encoders write. Growable up to a bound, or caller
 * storage of fixed size; either way an append that does not fit fails
 * instead of writing past the end. */
#include <stdlib.h>
#include <string.h>
#include "whack_internal.h"

void whack_buf_init(struct whack_buf *b, size_t max)
{
	*b = (struct whack_buf){ .max = max };
}

void whack_buf_init_fixed(struct whack_buf *b, void *storage, size_t size)
{
	*b = (struct whack_buf){ .data = storage, .cap = size, .max = size,
				 .fixed = true };
}

void whack_buf_free(struct whack_buf *b)
{
	if (!b->fixed)
		free(b->data);
	*b = (struct whack_buf){ .max = b->max };
}

uint8_t *whack_buf_extend(struct whack_buf *b, size_t n)
{
	if (b->len > b->max || n > b->max - b->len)
		return NULL;
	size_t need = b->len + n;
	if (need > b->cap) {
		if (b->fixed)
			return NULL;
		/* Double to keep appends amortised O(1), but never past max. */
		size_t cap = b->cap < 256 ? 256 : b->cap;
		while (cap < need)
			cap = cap > b->max / 2 ? b->max : cap * 2;
		if (cap > b->max)
			cap = b->max;
		uint8_t *data = realloc(b->data, cap);
		if (data == NULL)
			abort();
		b->data = data;
		b->cap = cap;
	}
	uint8_t *at = b->data + b->len;
	b->len = need;
	return at;
}

err_t whack_buf_append(struct whack_buf *b, const void *bytes, size_t n)
{
	if (n == 0)
		return NULL;   /* extend() could hand back data == NULL */
	uint8_t *at = whack_buf_extend(b, n);
	if (at == NULL)
		return "does not fit in the buffer";
	memcpy(at, bytes, n);
	return NULL;
}
