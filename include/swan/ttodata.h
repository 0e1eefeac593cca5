/* ttodata: binary data written as text ("0x" hex, "0s" base64, "0t" text),
 * as in RFC 2537 keys in ipsec.conf. */
#ifndef SWAN_TTODATA_H
#define SWAN_TTODATA_H
#include <stddef.h>
#include <stdint.h>
#include "swan/err.h"

/* base 0: the prefix decides (0x/0X hex, 0s/0S base64, 0t/0T raw text);
 * base 16 or 64: no prefix expected. Hex may contain '_' separators; base64
 * must be correctly padded. Writes at most outsize bytes; *outlen receives
 * the decoded length (which may exceed outsize: then an error is returned). */
err_t ttodata(const char *s, size_t len, int base,
	      uint8_t *out, size_t outsize, size_t *outlen);
/* Formats as "0x..." (base 16) or "0s..." (base 64); returns the length the
 * full text needs (excluding NUL); writes at most size bytes, NUL-terminated. */
size_t datatot(const uint8_t *data, size_t len, int base, char *buf, size_t size);
#endif
