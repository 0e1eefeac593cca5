/* ipsec.secrets reader. An entry starts in column 0 and continues on the
 * indented lines below it:  ID ID ... : KIND VALUE
 * KIND is PSK ("text", 0x hex or 0s base64), XAUTH ("password") or RSA
 * ({ Modulus: 0x... PublicExponent: ... } block). "include FILE" (globs,
 * relative to the including file) reads more entries. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "secrets.h"
#include "swan/include_glob.h"
#include "swan/ttodata.h"

#define INCLUDE_DEPTH_MAX 10

struct reader {
	struct secrets *s;
	struct diags *d;
	const char *file;   /* interned in s->files */
	unsigned line;      /* of the entry being parsed */
	unsigned depth;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (d == NULL)
		abort();
	return d;
}

static const char *intern_file(struct secrets *s, const char *path)
{
	s->files = xrealloc(s->files, (s->n_files + 1) * sizeof(*s->files));
	s->files[s->n_files] = strdup(path);
	if (s->files[s->n_files] == NULL)
		abort();
	return s->files[s->n_files++];
}

static void error(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void error(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->d, DIAG_ERROR, r->file, r->line, 0, fmt, ap);
	va_end(ap);
}

/* ---- tokens ------------------------------------------------------------ */

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end) {
		if (*c->p == '#') {   /* comment to the end of the line */
			while (c->p < c->end && *c->p != '\n')
				c->p++;
		} else if (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r') {
			c->p++;
		} else {
			break;
		}
	}
}

/* A word: up to white space; a quoted string keeps its quotes out. */
static bool next_word(struct cursor *c, const char **w, size_t *len, bool *quoted)
{
	skip_space(c);
	if (c->p >= c->end)
		return false;
	*quoted = *c->p == '"';
	if (*quoted) {
		const char *q = memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1));
		if (q == NULL)
			return false;
		*w = c->p + 1;
		*len = (size_t)(q - c->p - 1);
		c->p = q + 1;
		return true;
	}
	const char *s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\n' &&
	       *c->p != '\r')
		c->p++;
	*w = s;
	*len = (size_t)(c->p - s);
	return true;
}

/* ---- values ----------------------------------------------------------- */

static bool parse_secret_value(struct reader *r, struct cursor *c, chunk_t *out,
			       const char *kind)
{
	const char *w;
	size_t len;
	bool quoted;
	skip_space(c);
	if (c->p < c->end && *c->p == '"' && memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1)) == NULL) {
		error(r, "%s: unterminated quoted secret", kind);
		return false;
	}
	if (!next_word(c, &w, &len, &quoted)) {
		error(r, "%s: missing secret after '%s'", kind, kind);
		return false;
	}
	if (quoted) {
		*out = chunk_clone(w, len);
	} else {
		size_t need = 0;
		uint8_t buf[1024];
		err_t e = ttodata(w, len, 0, buf, sizeof(buf), &need);
		if (e != NULL) {
			error(r, "%s: bad secret (write \"text\", 0x... hex or 0s... base64): %s", kind, e);
			return false;
		}
		*out = chunk_clone(buf, need);
		memset(buf, 0, sizeof(buf));
	}
	skip_space(c);
	if (c->p < c->end) {
		error(r, "%s: unexpected text after the secret", kind);
		chunk_free(out);
		return false;
	}
	return true;
}

static chunk_t *rsa_field(struct rsa_private_fields *f, const char *name, size_t len)
{
	static const struct { const char *name; size_t off; } fields[] = {
		{ "Modulus", offsetof(struct rsa_private_fields, modulus) },
		{ "PublicExponent", offsetof(struct rsa_private_fields, public_exponent) },
		{ "PrivateExponent", offsetof(struct rsa_private_fields, private_exponent) },
		{ "Prime1", offsetof(struct rsa_private_fields, prime1) },
		{ "Prime2", offsetof(struct rsa_private_fields, prime2) },
		{ "Exponent1", offsetof(struct rsa_private_fields, exponent1) },
		{ "Exponent2", offsetof(struct rsa_private_fields, exponent2) },
		{ "Coefficient", offsetof(struct rsa_private_fields, coefficient) },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len && strncasecmp(fields[i].name, name, len) == 0)
			return (chunk_t *)((char *)f + fields[i].off);
	return NULL;
}

static void rsa_fields_free(struct rsa_private_fields *f)
{
	chunk_t *all[] = { &f->modulus, &f->public_exponent, &f->private_exponent,
			   &f->prime1, &f->prime2, &f->exponent1, &f->exponent2,
			   &f->coefficient };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		chunk_free(all[i]);
}

/* "{ Name: 0x... ... }": every field required exactly once; or
 * "NICKNAME" / NICKNAME ["passphrase"] (libreswan's and Openswan's form):
 * the key of that certificate in the NSS database. */
static bool parse_rsa_block(struct reader *r, struct cursor *c, struct rsa_private_fields *f,
			    char **nickname)
{
	const char *w;
	size_t len;
	bool quoted;
	if (!next_word(c, &w, &len, &quoted)) {
		error(r, "RSA: expected a certificate nickname, or '{' and the key fields (keys made by ipsec newhostkey live in the NSS database and need no entry here)");
		return false;
	}
	if (quoted || len != 1 || w[0] != '{') {
		if (len == 0) {
			error(r, "RSA: empty certificate nickname");
			return false;
		}
		*nickname = xstrndup(w, len);
		/* Openswan's passphrase for a key file: NSS keeps the key */
		const char *pw;
		size_t pwlen;
		bool pwq;
		if (next_word(c, &pw, &pwlen, &pwq) && next_word(c, &pw, &pwlen, &pwq)) {
			error(r, "RSA: unexpected text after the nickname '%.*s'", (int)len, w);
			free(*nickname);
			*nickname = NULL;
			return false;
		}
		return true;
	}
	for (;;) {
		if (!next_word(c, &w, &len, &quoted)) {
			error(r, "RSA: missing '}' at the end of the key");
			return false;
		}
		if (len == 1 && w[0] == '}')
			break;
		if (len < 2 || w[len - 1] != ':') {
			error(r, "RSA: expected 'Name:' but found '%.*s'", (int)len, w);
			return false;
		}
		chunk_t *slot = rsa_field(f, w, len - 1);
		if (slot == NULL) {
			error(r, "RSA: unknown key field '%.*s'", (int)len, w);
			return false;
		}
		if (slot->ptr != NULL) {
			error(r, "RSA: key field '%.*s' given twice", (int)len, w);
			return false;
		}
		const char *v;
		size_t vlen;
		if (!next_word(c, &v, &vlen, &quoted)) {
			error(r, "RSA: missing value for '%.*s'", (int)len, w);
			return false;
		}
		uint8_t buf[1100];
		size_t need = 0;
		err_t e = ttodata(v, vlen, 0, buf, sizeof(buf), &need);
		if (e != NULL) {
			error(r, "RSA: bad value for '%.*s': %s", (int)len, w, e);
			return false;
		}
		*slot = chunk_clone(buf, need);
		memset(buf, 0, sizeof(buf));
	}
	if (f->modulus.ptr == NULL || f->public_exponent.ptr == NULL ||
	    f->private_exponent.ptr == NULL || f->prime1.ptr == NULL ||
	    f->prime2.ptr == NULL || f->exponent1.ptr == NULL ||
	    f->exponent2.ptr == NULL || f->coefficient.ptr == NULL) {
		error(r, "RSA: the key needs Modulus, PublicExponent, PrivateExponent, Prime1, Prime2, Exponent1, Exponent2 and Coefficient");
		return false;
	}
	return true;
}

/* ---- entries ---------------------------------------------------------- */

static void read_path(struct reader *parent, struct secrets *s, struct diags *d,
		      const char *path, unsigned depth);

static void do_include(struct reader *r, struct cursor *c)
{
	const char *w;
	size_t len;
	bool quoted;
	if (!next_word(c, &w, &len, &quoted)) {
		error(r, "include needs a file name");
		return;
	}
	char name[4096];
	const char *slash = strrchr(r->file, '/');
	if (w[0] != '/' && slash != NULL)
		snprintf(name, sizeof(name), "%.*s/%.*s", (int)(slash - r->file), r->file, (int)len, w);
	else
		snprintf(name, sizeof(name), "%.*s", (int)len, w);
	if (strpbrk(name, "*?[") == NULL) {
		read_path(r, r->s, r->d, name, r->depth + 1);
		return;
	}
	glob_t g;
	int rc = glob(name, 0, NULL, &g);
	if (rc == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			read_path(r, r->s, r->d, g.gl_pathv[i], r->depth + 1);
		globfree(&g);
	} else if (include_glob_dir_missing(name)) {
		/* an empty drop-in directory is fine; a missing one is not */
		diag_add(r->d, DIAG_WARNING, r->file, r->line, 0,
			 "include pattern '%s' matches no file: its directory does not exist", name);
	}
}

static enum secret_kind kind_of(const char *w, size_t len, bool *ok)
{
	static const struct { const char *name; enum secret_kind kind; } kinds[] = {
		{ "PSK", SECRET_PSK }, { "XAUTH", SECRET_XAUTH }, { "RSA", SECRET_RSA },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) == len && strncasecmp(kinds[i].name, w, len) == 0) {
			*ok = true;
			return kinds[i].kind;
		}
	}
	*ok = false;
	return SECRET_PSK;
}

static void parse_entry(struct reader *r, const char *text, size_t len)
{
	struct cursor c = { text, text + len };
	const char *w;
	size_t wlen;
	bool quoted;
	if (!next_word(&c, &w, &wlen, &quoted))
		return;
	if (!quoted && wlen == 7 && strncmp(w, "include", 7) == 0) {
		do_include(r, &c);
		return;
	}

	struct secret sec = { .file = r->file, .line = r->line };
	/* IDs up to a lone ':' */
	for (;;) {
		if (!quoted && wlen == 1 && w[0] == ':')
			break;
		bool looks_kind;
		kind_of(w, wlen, &looks_kind);
		if (!quoted && looks_kind) {
			error(r, "missing ' : ' before '%.*s' (write ID ID : %.*s SECRET)",
			      (int)wlen, w, (int)wlen, w);
			free(sec.ids);
			return;
		}
		char idtext[ID_NAME_MAX];
		snprintf(idtext, sizeof(idtext), "%.*s", (int)wlen, w);
		sec.ids = xrealloc(sec.ids, (sec.n_ids + 1) * sizeof(*sec.ids));
		err_t e = ttoid(idtext, &sec.ids[sec.n_ids]);
		if (e != NULL) {
			error(r, "bad ID '%s': %s", idtext, e);
			free(sec.ids);
			return;
		}
		sec.n_ids++;
		if (!next_word(&c, &w, &wlen, &quoted)) {
			error(r, "missing ': KIND SECRET' after the IDs (is the ':' surrounded by spaces?)");
			free(sec.ids);
			return;
		}
	}
	bool ok;
	if (!next_word(&c, &w, &wlen, &quoted)) {
		error(r, "missing the kind of secret after ':' (PSK, XAUTH or RSA)");
		free(sec.ids);
		return;
	}
	sec.kind = kind_of(w, wlen, &ok);
	if (!ok) {
		error(r, "unknown kind of secret '%.*s' (PSK, XAUTH or RSA)", (int)wlen, w);
		free(sec.ids);
		return;
	}
	bool good = sec.kind == SECRET_RSA ? parse_rsa_block(r, &c, &sec.rsa, &sec.nickname)
					   : parse_secret_value(r, &c, &sec.value, sec.kind == SECRET_PSK ? "PSK" : "XAUTH");
	if (good && sec.kind == SECRET_PSK && sec.value.len == 0) {
		/* "" would authenticate anyone who also guesses nothing */
		error(r, "empty PSK (a pre-shared key needs at least one byte)");
		chunk_free(&sec.value);
		good = false;
	}
	if (!good) {
		rsa_fields_free(&sec.rsa);
		free(sec.ids);
		return;
	}
	if (r->s->n == r->s->cap) {
		r->s->cap = r->s->cap ? 2 * r->s->cap : 16;
		r->s->v = xrealloc(r->s->v, r->s->cap * sizeof(*r->s->v));
	}
	r->s->v[r->s->n++] = sec;
}

/* Splits text into entries: a line starting in column 0 opens one,
 * indented lines continue it; blank and comment lines are skipped. */
static void parse_text(struct reader *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	const char *entry = NULL;
	unsigned entry_line = 0, line = 1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		const char *q = p;
		while (q < next && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		bool blank = q == next || *q == '\n' || *q == '#';
		if (!blank && q == p) {          /* column 0: a new entry */
			if (entry != NULL) {
				r->line = entry_line;
				parse_entry(r, entry, (size_t)(p - entry));
			}
			entry = p;
			entry_line = line;
		} else if (!blank && entry == NULL) {
			r->line = line;
			error(r, "indented line outside any entry (an entry starts in column 0)");
		}
		p = next;
		line++;
	}
	if (entry != NULL) {
		r->line = entry_line;
		parse_entry(r, entry, (size_t)(end - entry));
	}
}

static void read_path(struct reader *parent, struct secrets *s, struct diags *d,
		      const char *path, unsigned depth)
{
	const char *pfile = parent ? parent->file : NULL;
	unsigned pline = parent ? parent->line : 0;
	if (depth > INCLUDE_DEPTH_MAX) {
		diag_add(d, DIAG_ERROR, pfile, pline, 0,
			 "includes nested more than %d deep at '%s'", INCLUDE_DEPTH_MAX, path);
		return;
	}
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		diag_add(d, DIAG_ERROR, pfile, pline, 0, "cannot open %s'%s': %s",
			 parent ? "included file " : "", path, strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(d, DIAG_ERROR, pfile, pline, 0, "'%s' is not a regular file", path);
		fclose(f);
		return;
	}
	/* messages keep the file name: it must outlive the caller's buffer */
	const char *file = intern_file(s, path);
	if (st.st_mode & 077)
		diag_add(d, DIAG_WARNING, file, 0, 0,
			 "secrets file is readable by others (mode %03o); use chmod 600",
			 (unsigned)(st.st_mode & 0777));
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *text = xrealloc(NULL, cap);
	size_t got;
	while ((got = fread(text + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			text = xrealloc(text, cap);
		}
	}
	fclose(f);
	struct reader r = { s, d, file, 0, depth };
	parse_text(&r, text, len);
	memset(text, 0, len);
	free(text);
}

bool secrets_load(struct secrets *s, const char *path, struct diags *d)
{
	unsigned before = d->errors;
	read_path(NULL, s, d, path, 0);
	return s->n_files > 0 || d->errors == before;
}

void secrets_free(struct secrets *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		chunk_free(&s->v[i].value);
		rsa_fields_free(&s->v[i].rsa);
		free(s->v[i].nickname);
		free(s->v[i].ids);
	}
	for (unsigned i = 0; i < s->n_files; i++)
		free(s->files[i]);
	free(s->files);
	free(s->v);
	*s = (struct secrets){0};
}

/* How well one listed ID covers an end: 2 named, 1 by %any, 0 not. */
static unsigned covers(const ip_id *listed, const ip_id *end)
{
	if (listed->kind == ID_ANY)
		return 1;
	return end != NULL && id_eq(listed, end) ? 2 : 0;
}

/* Score of a line for (local, peer): two different listed IDs must cover
 * the two ends; a lone ID covers one end and leaves the other to anyone. */
static unsigned line_score(const struct secret *sec, const ip_id *local, const ip_id *peer)
{
	if (sec->n_ids == 0)
		return 1;                       /* ": PSK" is %any %any */
	unsigned best = 0;
	if (sec->n_ids == 1) {
		unsigned l = covers(&sec->ids[0], local), p = covers(&sec->ids[0], peer);
		unsigned one = l > p ? l : p;
		return one ? 1 + one : 0;
	}
	for (unsigned i = 0; i < sec->n_ids; i++) {
		unsigned l = covers(&sec->ids[i], local);
		if (l == 0)
			continue;
		for (unsigned j = 0; j < sec->n_ids; j++) {
			unsigned p = j == i ? 0 : covers(&sec->ids[j], peer);
			if (p != 0 && l + p > best)
				best = l + p;
		}
	}
	return best;
}

const struct secret *secrets_find(const struct secrets *s, enum secret_kind kind,
				  const ip_id *local, const ip_id *peer)
{
	const struct secret *best = NULL;
	unsigned best_score = 0;
	for (unsigned i = 0; i < s->n; i++) {
		const struct secret *sec = &s->v[i];
		if (sec->kind != kind)
			continue;
		unsigned score = line_score(sec, local, peer);
		if (score == 0)
			continue;
		if (score > best_score) {
			best = sec;
			best_score = score;
		}
	}
	return best;
}
