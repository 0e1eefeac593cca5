/* Allocation, strings and a hash map for libnetsh. Allocation failure is a
 * broken invariant (no recovery is possible), so it aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	return s;
}

void grow(void **v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	*v = xrealloc(*v, c * sz);
	*cap = c;
}

void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	grow((void **)&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	sb_putn(b, s, (size_t)r);
	free(s);
}

const char *sb_str(struct sbuf *b)
{
	return b->s ? b->s : "";
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	*b = (struct sbuf){0};
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool ieq(const char *a, const char *b)
{
	while (*a && lower(*a) == lower(*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

bool iprefix(const char *prefix, const char *word)
{
	if (*prefix == '\0')
		return false;
	while (*prefix && lower(*prefix) == lower(*word))
		prefix++, word++;
	return *prefix == '\0';
}

/* ---- hash map: open addressing, linear probing, tombstones ---- */
struct strmap_slot {
	char *key;       /* NULL: empty */
	void *value;
	bool dead;       /* deleted (tombstone) */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct strmap_slot *find_slot(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t i = hash(key) & (m->cap - 1);
	for (;;) {
		struct strmap_slot *s = &m->slots[i];
		if (s->key == NULL && !s->dead)
			return s;
		if (s->key != NULL && strcmp(s->key, key) == 0)
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static void rehash(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->cap = oldcap ? oldcap * 2 : 16;
	while (m->n * 2 >= m->cap)
		m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->used = m->n;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		struct strmap_slot *s = find_slot(m, old[i].key);
		*s = old[i];
	}
	free(old);
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find_slot(m, key);
	return s && s->key ? s->value : NULL;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->used + 1) * 2 >= m->cap)
		rehash(m);
	struct strmap_slot *s = find_slot(m, key);
	if (s->key == NULL) {
		s->key = xstrdup(key);
		s->dead = false;
		m->n++;
		m->used++;
	}
	s->value = value;
}

void strmap_del(struct strmap *m, const char *key)
{
	struct strmap_slot *s = find_slot(m, key);
	if (s == NULL || s->key == NULL)
		return;
	free(s->key);
	s->key = NULL;
	s->dead = true;
	m->n--;
}

void strmap_clear(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	*m = (struct strmap){0};
}

char *quote_line(const char *s)
{
	size_t n = strlen(s);
	if (n <= QUOTE_MAX)
		return xstrdup(s);
	size_t k = QUOTE_MAX;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;   /* not inside a UTF-8 sequence */
	return xasprintf("%.*s... (%zu bytes)", (int)k, s, n);
}
