/* The output model: conns, their names, secrets and relays. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/conn.h"
#include "swan/json.h"

/* Names of ipsec.conf sections: a letter first, then letters, digits,
 * '.', '_' and '-'. Long names are cut so that whack can carry them. */
#define NAME_MAX_LEN 60

static void sanitise(struct sbuf *b, const char *part)
{
	for (const unsigned char *p = (const unsigned char *)part; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		sb_putc(b, ok ? (char)*p : '_');
	}
}

struct nconn *conn_new(struct output *out, const char *const *parts, size_t nparts)
{
	struct sbuf b = {0};
	for (size_t i = 0; i < nparts; i++) {
		if (i > 0)
			sb_putc(&b, '-');
		sanitise(&b, parts[i]);
	}
	const char *s = sb_str(&b);
	char *base = xasprintf("%s%.*s", (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')
				  ? "" : "x", NAME_MAX_LEN, s);
	char *name = xstrdup(base);
	for (unsigned n = 2; strmap_get(&out->names, name) != NULL; n++) {
		free(name);
		name = xasprintf("%s-%u", base, n);
	}
	free(base);
	sb_free(&b);
	struct nconn *c = xcalloc(1, sizeof(*c));
	c->name = name;
	strmap_put(&out->names, name, c);
	VEC_PUSH(out->conns, out->nconns, out->capconns, c);
	return c;
}

void conn_set(struct nconn *c, const char *key, const char *value, struct where at)
{
	for (size_t i = 0; i < c->nkv; i++)
		if (strcmp(c->kv[i].key, key) == 0) {
			free(c->kv[i].value);
			c->kv[i].value = xstrdup(value);
			c->kv[i].at = at;
			return;
		}
	struct ckv kv = { key, xstrdup(value), at };
	VEC_PUSH(c->kv, c->nkv, c->capkv, kv);
}

const char *conn_get(const struct nconn *c, const char *key)
{
	for (size_t i = 0; i < c->nkv; i++)
		if (strcmp(c->kv[i].key, key) == 0)
			return c->kv[i].value;
	return NULL;
}

void conn_comment(struct nconn *c, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	VEC_PUSH(c->comments, c->ncomments, c->capcomments, s);
}

static void conn_free(struct nconn *c)
{
	for (size_t i = 0; i < c->nkv; i++)
		free(c->kv[i].value);
	for (size_t i = 0; i < c->ncomments; i++)
		free(c->comments[i]);
	free(c->kv);
	free(c->comments);
	free(c->name);
	free(c);
}

void output_free(struct output *out)
{
	for (size_t i = 0; i < out->nconns; i++)
		conn_free(out->conns[i]);
	for (size_t i = 0; i < out->nsecrets; i++) {
		free(out->secrets[i].left);
		free(out->secrets[i].right);
		free(out->secrets[i].key);
	}
	for (size_t i = 0; i < out->nrelays; i++) {
		free(out->relays[i].baddr);
		free(out->relays[i].caddr);
		free(out->relays[i].comment);
	}
	for (size_t i = 0; i < out->nsetup; i++)
		free(out->setup[i].value);
	free(out->conns);
	free(out->secrets);
	free(out->relays);
	free(out->setup);
	strmap_clear(&out->names);
	strmap_clear(&out->psks);
	*out = (struct output){0};
}

char *safe_text(const char *s, bool quoted)
{
	struct sbuf b = {0};
	const unsigned char *end = (const unsigned char *)s + strlen(s);
	/* the same reading of UTF-8 as the JSON writer's, so both agree */
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = json_utf8_len(p, (size_t)(end - p));
		if (n > 1) {
			sb_putn(&b, (const char *)p, n);
			p += n;
			continue;
		}
		if (*p < 0x20 || *p >= 0x7f || (quoted && *p == '"'))
			sb_printf(&b, "\\x%02x", *p);
		else
			sb_putc(&b, (char)*p);
		p++;
	}
	return b.s ? b.s : xstrdup("");
}
