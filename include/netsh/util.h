/* Small helpers shared by libnetsh: allocation that aborts on failure,
 * a growable string, a string-keyed hash map, and growable arrays. */
#ifndef NETSH_UTIL_H
#define NETSH_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/* Grows *v (of *cap elements of size sz) so that it holds at least need. */
void grow(void **v, size_t *cap, size_t need, size_t sz);
#define VEC_PUSH(v, n, cap, x) \
	do { grow((void **)&(v), &(cap), (n) + 1, sizeof(*(v))); (v)[(n)++] = (x); } while (0)

/* A growable NUL-terminated string. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_putc(struct sbuf *b, char c);
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void sb_printf(struct sbuf *b, const char *fmt, ...);
const char *sb_str(struct sbuf *b);   /* "" when empty */
void sb_reset(struct sbuf *b);
void sb_free(struct sbuf *b);

/* Input text echoed in a message: cut at about QUOTE_MAX bytes, on a
 * UTF-8 boundary, with the full length said (allocated). */
#define QUOTE_MAX 200
char *quote_line(const char *s);

/* Case-insensitive (ASCII) comparisons. */
bool ieq(const char *a, const char *b);
bool iprefix(const char *prefix, const char *word); /* prefix of word */

/* String-keyed map (keys copied, case-sensitive). Values are pointers. */
struct strmap {
	struct strmap_slot *slots;
	size_t cap, n, used;
};
void *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, void *value);
void strmap_del(struct strmap *m, const char *key);
void strmap_clear(struct strmap *m);
#endif
