/* JSON string literals, valid JSON whatever the bytes: the one escaper for
 * every JSON writer of the tree. */
#ifndef SWAN_JSON_H
#define SWAN_JSON_H
#include <stddef.h>
#include <stdio.h>

/* Length of the UTF-8 sequence at s (at most len bytes), 0 when s does
 * not start a well-formed one (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
size_t json_utf8_len(const unsigned char *s, size_t len);

/* Writes s (len bytes, NULs included) as a JSON string with its quotes
 * through put. UTF-8 passes; '"', '\\' and control characters are escaped;
 * every byte that is not part of well-formed UTF-8 is written \u00XX, the
 * code point of the same number (Latin-1's reading of that byte). */
void json_quote(const char *s, size_t len,
		void (*put)(void *ctx, const char *text, size_t n), void *ctx);
/* The same for a C string, to a FILE. */
void json_fputs(FILE *out, const char *s);
#endif
