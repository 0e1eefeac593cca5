/* JSON string literals for any input bytes (see swan/json.h). */
#include <stdio.h>
#include <string.h>
#include "swan/json.h"

size_t json_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;   /* bounds of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;   /* overlong */
		else if (c == 0xed)
			hi = 0x9f;   /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;   /* overlong */
		else if (c == 0xf4)
			hi = 0x8f;   /* above U+10FFFF */
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void json_quote(const char *s, size_t len,
		void (*put)(void *ctx, const char *text, size_t n), void *ctx)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const unsigned char *run = p;   /* bytes that pass as they are */
	put(ctx, "\"", 1);
	while (p < end) {
		size_t n = json_utf8_len(p, (size_t)(end - p));
		if (n == 1 && *p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f) {
			p++;
			continue;
		}
		if (n > 1) {
			p += n;
			continue;
		}
		put(ctx, (const char *)run, (size_t)(p - run));
		char esc[8];
		switch (*p) {
		case '"':  put(ctx, "\\\"", 2); break;
		case '\\': put(ctx, "\\\\", 2); break;
		case '\n': put(ctx, "\\n", 2); break;
		case '\t': put(ctx, "\\t", 2); break;
		case '\r': put(ctx, "\\r", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(ctx, esc, 6);
		}
		run = ++p;
	}
	put(ctx, (const char *)run, (size_t)(p - run));
	put(ctx, "\"", 1);
}

static void put_file(void *ctx, const char *text, size_t n)
{
	fwrite(text, 1, n, ctx);
}

void json_fputs(FILE *out, const char *s)
{
	json_quote(s, strlen(s), put_file, out);
}
