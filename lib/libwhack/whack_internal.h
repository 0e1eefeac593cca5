/* Shared inside libwhack only: byte-order helpers that never cast a
 * struct onto a buffer, buffer appends, and whole-buffer fd I/O. */
#ifndef WHACK_INTERNAL_H
#define WHACK_INTERNAL_H
#include <stdint.h>
#include <sys/types.h>
#include "whack.h"

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Make room for n more bytes and return where they go, or NULL when that
 * would pass the buffer's bound. n must be > 0. */
uint8_t *whack_buf_extend(struct whack_buf *b, size_t n);
err_t whack_buf_append(struct whack_buf *b, const void *bytes, size_t n);

/* A NUL-terminated copy of n bytes; aborts when out of memory. */
char *whack_copy_n(const char *s, size_t n);
/* Add a pair from counted bytes (decoder); the caller has checked them. */
void whack_kvs_add_n(struct whack_kvs *kvs, const char *key, size_t klen,
		     const char *value, size_t vlen);

/* Reply record rules shared by the buffer parser and the stream reader. */
err_t whack_reply_check_header(uint16_t type, uint32_t len);
err_t whack_reply_check_body(uint16_t type, const uint8_t *bytes, size_t len,
			     int *status);
bool whack_reply_type_known(uint16_t type);

/* Loop over short writes and EINTR; sockets never raise SIGPIPE.
 * Return 0 or -errno. */
int whack_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes. Return len, fewer at end of file, or -errno. */
ssize_t whack_read_full(int fd, void *buf, size_t len);

#endif
