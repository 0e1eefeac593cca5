/* Reading ipsec.conf: files, includes, section headers and key lines into
 * the flat lists of struct ipsecconf. Meaning (also=, %default) comes later,
 * in resolve.c; here every line is checked on its own. */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "bigmem.h"
#include "internal.h"
#include "swan/include_glob.h"
#include "swan/scalars.h"
#include "swan/subnet.h"
#include "conf_parser.h"
#define YYSTYPE CONF_YYSTYPE
#define YYLTYPE CONF_YYLTYPE
#include "conf_lexer.h"

#define INCLUDE_DEPTH_MAX 10

struct include_frame {
	dev_t dev;
	ino_t ino;
	const char *file;
	struct include_frame *up;
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

void reader_error(struct conf_reader *r, unsigned line, unsigned col,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->diags, DIAG_ERROR, r->file, line, col, fmt, ap);
	va_end(ap);
	r->reported_line = line;
	/* a line the section cannot be read from: the section must not load
	 * (a bad header line starts another section: not this one's fault) */
	if (r->conf->current >= 0 && !r->header_line)
		r->conf->sects.v[r->conf->current].bad = true;
}

static void reader_warning(struct conf_reader *r, unsigned line, unsigned col,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reader_warning(struct conf_reader *r, unsigned line, unsigned col,
			   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->diags, DIAG_WARNING, r->file, line, col, fmt, ap);
	va_end(ap);
}

/* ---- section names ---------------------------------------------------- */

static size_t hash_str(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static void hash_grow(struct ipsecconf *conf)
{
	size_t cap = conf->hash ? (conf->hash_mask + 1) * 2 : 256;
	free(conf->hash);
	conf->hash = xrealloc(NULL, cap * sizeof(*conf->hash));
	for (size_t i = 0; i < cap; i++)
		conf->hash[i] = -1;
	conf->hash_mask = cap - 1;
	for (size_t i = 0; i < conf->sects.n; i++) {
		struct conf_section *s = &conf->sects.v[i];
		if (s->dropped)
			continue;
		size_t h = hash_str(s->name) & conf->hash_mask;
		s->next_same_hash = conf->hash[h];
		conf->hash[h] = (int32_t)i;
	}
}

int32_t conf_find_section(const struct ipsecconf *conf, enum section_type type,
			  const char *name)
{
	if (conf->hash == NULL)
		return -1;
	for (int32_t i = conf->hash[hash_str(name) & conf->hash_mask]; i >= 0;
	     i = conf->sects.v[i].next_same_hash) {
		const struct conf_section *s = &conf->sects.v[i];
		if (s->type == type && !s->dropped && strcmp(s->name, name) == 0)
			return i;
	}
	return -1;
}

static void hash_add(struct ipsecconf *conf, uint32_t idx)
{
	if (conf->hash == NULL || conf->sects.n > (conf->hash_mask + 1) / 2) {
		hash_grow(conf);   /* rebuilds from every section, idx included */
		return;
	}
	struct conf_section *s = &conf->sects.v[idx];
	size_t h = hash_str(s->name) & conf->hash_mask;
	s->next_same_hash = conf->hash[h];
	conf->hash[h] = (int32_t)idx;
}

/* Letter first, then letters, digits, '.', '_', '-'. */
static bool valid_section_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Keyword names: letters, digits, '.', '_', '-'. */
static bool valid_key_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* ---- headers ----------------------------------------------------------- */

static void read_path(struct conf_reader *parent, struct ipsecconf *conf,
		      struct diags *d, const char *path, unsigned line, unsigned col);

static void do_include(struct conf_reader *r, const struct conf_tok *name)
{
	const char *pattern = name->s;
	if (pattern[0] != '/' && r->dir != NULL)
		pattern = arena_printf(&r->conf->arena, "%s/%s", r->dir, name->s);

	if (strpbrk(name->s, "*?[") == NULL) {
		read_path(r, r->conf, r->diags, pattern, name->line, name->col);
		return;
	}
	glob_t g;
	int rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		/* an empty drop-in directory is fine; a missing one is not */
		if (include_glob_dir_missing(pattern))
			reader_warning(r, name->line, name->col,
				       "include pattern '%s' matches no file: its directory does not exist",
				       name->s);
	} else if (rc != 0) {
		reader_error(r, name->line, name->col,
			     "include pattern '%s' cannot be expanded: %s", name->s,
			     strerror(errno));
	} else {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct stat st;
			if (stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode))
				continue;
			read_path(r, r->conf, r->diags,
				  arena_strdup(&r->conf->arena, g.gl_pathv[i]),
				  name->line, name->col);
		}
	}
	if (rc == 0)
		globfree(&g);
}

static void do_version(struct conf_reader *r, const struct conf_toklist *it)
{
	if (it->n != 2) {
		reader_error(r, it->t[0].line, it->t[0].col,
			     "the version line is 'version 2'");
		return;
	}
	const char *v = it->t[1].s;
	if (strcmp(v, "2") != 0 && strcmp(v, "2.0") != 0)
		reader_error(r, it->t[1].line, it->t[1].col,
			     "unsupported ipsec.conf version '%s' (this is version 2)", v);
	else if (r->conf->seen_significant && r->depth == 0)
		reader_warning(r, it->t[0].line, it->t[0].col,
			       "'version 2' should be the first line of the file");
}

void reader_bad_line(struct conf_reader *r)
{
	if (!r->header_line)
		return;
	r->conf->in_ca = false;
	r->conf->current = -1;
	r->conf->skip_keys = true;   /* its error was reported */
}

static void do_section(struct conf_reader *r, const struct conf_toklist *it)
{
	struct ipsecconf *conf = r->conf;
	const struct conf_tok *type = &it->t[0];
	enum section_type t = strcmp(type->s, "conn") == 0 ? SECT_CONN : SECT_CONFIG;
	conf->current = -1;   /* keys after a bad header belong nowhere */
	conf->skip_keys = true;

	if (it->n == 1) {
		reader_error(r, type->line, type->col, "'%s' needs a section name", type->s);
		return;
	}
	const struct conf_tok *name = &it->t[1];
	if (it->n > 2) {
		reader_error(r, it->t[2].line, it->t[2].col,
			     "unexpected '%s' after the section name (a section line is '%s NAME')",
			     it->t[2].s, type->s);
		return;
	}
	bool is_default = strcmp(name->s, "%default") == 0;
	/* Openswan's defaults of the implicit (opportunistic) conns */
	bool is_oedefault = t == SECT_CONN && strcmp(name->s, "%oedefault") == 0;
	if (is_oedefault && conf->oedefault >= 0) {
		const struct conf_section *o = &conf->sects.v[conf->oedefault];
		reader_error(r, name->line, name->col,
			     "duplicate section 'conn %%oedefault' (first at %s:%u); this one is ignored",
			     o->loc.file, o->loc.line);
		return;
	}
	is_default |= is_oedefault;
	if (!is_default && !valid_section_name(name->s)) {
		reader_error(r, name->line, name->col,
			     "bad section name '%s': a name starts with a letter and has only letters, digits, '.', '_' and '-'",
			     name->s);
		return;
	}
	if (t == SECT_CONFIG && !is_default && strcmp(name->s, "setup") != 0) {
		reader_error(r, name->line, name->col,
			     "unknown config section '%s' (the only one is 'config setup')", name->s);
		return;
	}

	if (conf->sects.n == conf->sects.cap) {
		size_t old = conf->sects.cap * sizeof(*conf->sects.v);
		conf->sects.cap = conf->sects.cap ? conf->sects.cap * 2 : 64;
		conf->sects.v = big_realloc(conf->sects.v, old, conf->sects.cap * sizeof(*conf->sects.v));
	}
	uint32_t idx = (uint32_t)conf->sects.n++;
	struct conf_section *s = &conf->sects.v[idx];
	*s = (struct conf_section){
		.type = t, .name = name->s,
		.loc = { r->file, type->line, type->col },
		.first_kv = (uint32_t)conf->kvs.n,
		.is_default = is_default, .implicit = r->implicit,
		.next_same_hash = -1,
	};
	conf->current = (int32_t)idx;
	conf->skip_keys = false;

	bool *seen = t == SECT_CONN ? &conf->seen_conn : &conf->seen_config;
	if (is_oedefault) {
		s->oedefault = true;
		conf->oedefault = (int32_t)idx;
		return;
	}
	if (is_default) {
		if (*seen && !r->implicit) {
			reader_error(r, type->line, type->col,
				     "'%s %%default' must come before every other %s section; it is ignored",
				     type->s, type->s);
			s->dropped = true;
		}
		return;
	}
	if (!r->implicit)
		*seen = true;

	int32_t other = conf_find_section(conf, t, name->s);
	if (other >= 0) {
		if (r->implicit) {   /* the user's conn replaces the implicit one */
			s->dropped = true;
			return;
		}
		const struct conf_section *o = &conf->sects.v[other];
		reader_error(r, name->line, name->col,
			     "duplicate section '%s %s' (first at %s:%u); this one is ignored",
			     type->s, name->s, o->loc.file, o->loc.line);
		s->dropped = true;
		return;
	}
	if (t == SECT_CONN)
		conf->n_conns++;
	hash_add(conf, idx);
}

static void note_dialect(struct ipsecconf *conf, const char *name, unsigned flags,
			 const struct conf_loc *loc);

/* NUL-terminated arena copies of a line's words (headers are few). */
static struct conf_toklist materialize(struct conf_reader *r, const struct conf_toklist *in)
{
	struct conf_toklist out = *in;
	unsigned n = in->n < CONF_TOKLIST_MAX ? in->n : CONF_TOKLIST_MAX;
	for (unsigned i = 0; i < n; i++)
		out.t[i].s = arena_strndup(&r->conf->arena, in->t[i].s, in->t[i].len);
	return out;
}

/* The key as stored: the keyword table's own spelling when the key is
 * written that way (no copy for the common case), else an arena copy. */
static const char *intern_key(struct conf_reader *r, const struct conf_tok *key)
{
	struct kw_ref ref = keyword_lookup(key->s, key->len);
	if (ref.kw != NULL && !ref.via_alias) {
		const char *name = keyword_slot_name(keyword_slot(ref.kw, ref.side));
		if (strlen(name) == key->len && memcmp(name, key->s, key->len) == 0)
			return name;
	}
	if (key->len == 4 && memcmp(key->s, "also", 4) == 0)
		return "also";
	return arena_strndup(&r->conf->arena, key->s, key->len);
}

void reader_header(struct conf_reader *r, const struct conf_toklist *words)
{
	struct ipsecconf *conf = r->conf;
	struct conf_toklist copy = materialize(r, words);
	const struct conf_toklist *it = &copy;
	conf->in_ca = false;
	/* a key line that lost its indentation: the section above cannot load */
	bool key_line = it->n == 0 || it->has_eq;
	if (key_line && conf->current >= 0)
		conf->sects.v[conf->current].bad = true;
	if (it->n == 0) {
		reader_error(r, r->line - 1, 1, "a line cannot start with '='");
		return;
	}
	const struct conf_tok *first = &it->t[0];
	if (it->has_eq) {
		reader_error(r, first->line, first->col,
			     "keyword line '%s=...' must be indented: key lines belong to the section above them",
			     first->s);
		return;
	}
	if (it->n > CONF_TOKLIST_MAX) {
		reader_error(r, first->line, first->col, "too many words on this line");
		reader_bad_line(r);
		return;
	}
	if (strcmp(first->s, "version") == 0 && !first->quoted) {
		do_version(r, it);
		conf->seen_significant = true;
		return;
	}
	if (!conf->seen_significant && r->depth == 0 && !r->implicit)
		reader_warning(r, first->line, first->col,
			       "missing 'version 2' line at the top of the file");
	conf->seen_significant = true;

	if (strcmp(first->s, "include") == 0 && !first->quoted) {
		if (it->n != 2)
			reader_error(r, first->line, first->col,
				     "include takes exactly one file name (without white space)");
		else
			do_include(r, &it->t[1]);
		return;
	}
	if ((strcmp(first->s, "conn") == 0 || strcmp(first->s, "config") == 0) && !first->quoted) {
		do_section(r, it);
		return;
	}
	conf->current = -1;
	conf->skip_keys = true;
	if (strcmp(first->s, "ca") == 0 && !first->quoted && it->n == 2) {
		/* strongSwan's CA sections: their keys are skipped */
		note_dialect(conf, "ca NAME", KF_STRONGSWAN, &(struct conf_loc){ r->file, first->line, first->col });
		reader_warning(r, first->line, first->col,
			       "strongSwan's 'ca %s' section is accepted but has no effect in Cygnet yet: its keys are checked, not used; CA certificates go into the NSS database (certutil -A -t CT,,), CRLs are not built",
			       it->t[1].s);
		conf->in_ca = true;
		conf->ca_seen = 0;
		conf->ca_loc = (struct conf_loc){ r->file, first->line, first->col };
		return;
	}
	struct kw_ref ref = keyword_lookup(first->s, strlen(first->s));
	if (ref.kw != NULL)
		reader_error(r, first->line, first->col,
			     "keyword line '%s' must be indented and written '%s=VALUE'",
			     first->s, first->s);
	else
		reader_error(r, first->line, first->col,
			     "unknown section type '%s' (expected 'conn NAME' or 'config setup')",
			     first->s);
}

/* ---- key lines ------------------------------------------------------------ */

/* The keys of strongSwan's ca sections (ipsec.conf(5) of its starter):
 * checked, so that a typo is found, and then dropped. */
static const struct { const char *name; const char *values; } ca_keys[] = {
	{ "also", NULL }, { "auto", "add|ignore" }, { "cacert", NULL },
	{ "crluri", NULL }, { "crluri1", NULL }, { "crluri2", NULL },
	{ "ocspuri", NULL }, { "ocspuri1", NULL }, { "ocspuri2", NULL },
	{ "certuribase", NULL },
	{ "ldaphost", NULL }, { "ldapbase", NULL },   /* strongSwan 4 */
};

static void ca_keyline(struct conf_reader *r, const struct conf_tok *key, const char *value)
{
	struct ipsecconf *conf = r->conf;
	size_t n = sizeof(ca_keys) / sizeof(ca_keys[0]);
	size_t i = 0;
	while (i < n && strcmp(ca_keys[i].name, key->s) != 0)
		i++;
	if (i == n) {
		const char *best = NULL;
		unsigned best_d = strlen(key->s) <= 4 ? 2 : 3;
		for (size_t j = 0; j < n; j++) {
			unsigned d = keyword_distance(key->s, ca_keys[j].name);
			if (d < best_d) {
				best_d = d;
				best = ca_keys[j].name;
			}
		}
		char hint[64] = "";
		if (best != NULL)
			snprintf(hint, sizeof(hint), " (did you mean '%s'?)", best);
		else if (keyword_lookup(key->s, strlen(key->s)).kw != NULL)
			snprintf(hint, sizeof(hint), " (it belongs in a conn or config setup section)");
		reader_error(r, key->line, key->col,
			     "unknown keyword '%s' in a strongSwan ca section%s; a ca section takes "
			     "cacert, crluri, crluri2, ocspuri, ocspuri2, certuribase, auto and also",
			     key->s, hint);
		return;
	}
	if (i != 0 && (conf->ca_seen & (1u << i))) {
		reader_error(r, key->line, key->col, "duplicate key '%s' in the ca section at %s:%u",
			     key->s, conf->ca_loc.file, conf->ca_loc.line);
		return;
	}
	conf->ca_seen |= 1u << i;
	if (value[0] == '\0')
		return;
	const char *vals = ca_keys[i].values;
	if (vals != NULL) {
		size_t len = strlen(value);
		for (const char *p = vals; *p;) {
			size_t m = strcspn(p, "|");
			if (m == len && strncasecmp(p, value, len) == 0)
				return;
			p += m + (p[m] == '|');
		}
		reader_error(r, key->line, key->col,
			     "bad value '%s' for %s= in a ca section: expected add or ignore", value, key->s);
	}
}

static struct conf_kv *add_kv(struct ipsecconf *conf)
{
	if (conf->kvs.n == conf->kvs.cap) {
		size_t old = conf->kvs.cap * sizeof(*conf->kvs.v);
		conf->kvs.cap = conf->kvs.cap ? conf->kvs.cap * 2 : 256;
		conf->kvs.v = big_realloc(conf->kvs.v, old, conf->kvs.cap * sizeof(*conf->kvs.v));
	}
	return &conf->kvs.v[conf->kvs.n++];
}

/* Duplicate keys within one section; x- keys are compared by name. */
static const struct conf_kv *find_duplicate(struct ipsecconf *conf,
					     const struct conf_section *s,
					     uint32_t sidx, const struct conf_kv *kv)
{
	if (kv->slot >= 0) {
		size_t slot = (size_t)kv->slot;
		if (conf->seen_in[slot] == sidx + 1)
			return &conf->kvs.v[conf->seen_kv[slot]];
		conf->seen_in[slot] = sidx + 1;
		conf->seen_kv[slot] = (uint32_t)(kv - conf->kvs.v);
		return NULL;
	}
	if (kv->slot == SLOT_EXTENSION) {
		for (size_t i = s->first_kv; i < (size_t)(kv - conf->kvs.v); i++) {
			const struct conf_kv *o = &conf->kvs.v[i];
			if (o->section == sidx && o->slot == SLOT_EXTENSION &&
			    strcmp(o->key, kv->key) == 0)
				return o;
		}
	}
	return NULL;
}

/* Records a keyword (or value) of another dialect for the report. */
static void note_dialect(struct ipsecconf *conf, const char *name, unsigned flags,
			 const struct conf_loc *loc)
{
	conf->dialects |= flags;
	for (size_t i = 0; i < conf->n_dialect_uses; i++) {
		if (strcmp(conf->dialect_uses[i].name, name) == 0) {
			conf->dialect_uses[i].count++;
			return;
		}
	}
	if (conf->n_dialect_uses == DIALECT_USES_MAX)
		return;
	conf->dialect_uses[conf->n_dialect_uses++] = (struct dialect_use){
		arena_strdup(&conf->arena, name), flags, 1, *loc,
	};
}

/* plutodebug= with libreswan's names: those of the same meaning become
 * ours, those without one are named in a warning and dropped (none left:
 * none). Commas separate names as well as blanks. A value with a name
 * nobody knows is left as written, for the value check to refuse. */
static const char *map_debug_names(struct conf_reader *r, const struct keyword *kw,
				   const char *key, const struct conf_kv *kv)
{
	const char *v = kv->value, *ours;
	bool changed = false;
	for (const char *p = v + strspn(v, " \t,"); *p; p += strspn(p, " \t,")) {
		size_t len = strcspn(p, " \t,");
		if (keyword_libreswan_debug(p, len, &ours) || p[len] == ',')
			changed = true;
		else if (!keyword_debug_name(kw, p, len))
			return v;
		p += len;
	}
	if (!changed)
		return v;
	size_t cap = 12 * strlen(v) + 64;   /* "base" grows to 41 bytes */
	char *out = arena_alloc(&r->conf->arena, cap), *dropped = arena_alloc(&r->conf->arena, cap);
	size_t n = 0, nd = 0;
	out[0] = dropped[0] = '\0';
	for (const char *p = v + strspn(v, " \t,"); *p; p += strspn(p, " \t,")) {
		size_t len = strcspn(p, " \t,");
		if (!keyword_libreswan_debug(p, len, &ours)) {
			n += (size_t)snprintf(out + n, cap - n, "%s%.*s", n ? " " : "", (int)len, p);
		} else {
			note_dialect(r->conf, arena_printf(&r->conf->arena, "%s=%.*s", key, (int)len, p),
				     KF_LIBRESWAN, &kv->loc);
			if (ours == NULL)
				nd += (size_t)snprintf(dropped + nd, cap - nd, "%s%.*s", nd ? ", " : "",
						       (int)len, p);
			else
				n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", ours);
		}
		p += len;
	}
	if (nd > 0) {
		bool many = strchr(dropped, ',') != NULL;
		reader_warning(r, kv->loc.line, kv->loc.col,
			       "%s=%s: libreswan's debug name%s %s %s no counterpart in Cygnet's pluto; dropped",
			       key, v, many ? "s" : "", dropped, many ? "have" : "has");
	}
	return n > 0 ? out : "none";
}

/* "from=to|from=to": the value's mapping, or NULL. */
static const char *map_value(struct arena *a, const char *map, const char *value)
{
	size_t vlen = strlen(value);
	for (const char *p = map; *p;) {
		const char *eq = strchr(p, '=');
		const char *bar = strchr(p, '|');
		if (eq == NULL)
			break;
		const char *end = bar ? bar : p + strlen(p);
		if ((size_t)(eq - p) == vlen && strncasecmp(p, value, vlen) == 0)
			return arena_strndup(a, eq + 1, (size_t)(end - eq - 1));
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return NULL;
}

/* A value that asks for what Cygnet does anyway (narrowing=yes). */
static bool is_default_value(const struct keyword *kw, const char *value)
{
	if (kw->deflt == NULL)
		return false;
	if (kw->type == KT_BOOL) {
		bool a, b;
		return ttobool(value, &a) == NULL && ttobool(kw->deflt, &b) == NULL && a == b;
	}
	return strcasecmp(value, kw->deflt) == 0;
}

/* Keyword, section type and value: false if the kv must not be used. */
static bool classify_key(struct conf_reader *r, struct conf_kv *kv,
			 const struct conf_section *s)
{
	const char *key = kv->key;
	size_t len = strlen(key);
	unsigned where = s->type == SECT_CONN ? KS_CONN : KS_SETUP;
	const char *sname = s->type == SECT_CONN ? "a conn section" : "config setup";

	if (strcmp(key, "also") == 0 || strcmp(key, "alsoflip") == 0) {
		bool flip = key[4] == 'f';
		kv->slot = flip ? SLOT_ALSOFLIP : SLOT_ALSO;
		if (s->is_default) {
			reader_error(r, kv->loc.line, kv->loc.col,
				     "%s= is not allowed in a %%default section", key);
			return false;
		}
		if (flip && s->type != SECT_CONN) {
			reader_error(r, kv->loc.line, kv->loc.col,
				     "alsoflip= is only valid in a conn section");
			return false;
		}
		if (kv->value[0] == '\0') {
			reader_error(r, kv->loc.line, kv->loc.col, "%s= needs a section name", key);
			return false;
		}
		return true;
	}
	if (keyword_is_extension(key, len)) {
		kv->slot = SLOT_EXTENSION;
		if (!valid_key_name(key)) {
			reader_error(r, kv->loc.line, kv->loc.col,
				     "bad keyword name '%s': a name has only letters, digits, '.', '_' and '-'",
				     key);
			return false;
		}
		return true;
	}
	kv->slot = SLOT_UNKNOWN;
	struct kw_ref ref = keyword_lookup(key, len);
	if (ref.kw == NULL) {
		const char *hint = keyword_suggest(key, where);
		if (hint == NULL)
			hint = keyword_suggest(key, KS_CONN | KS_SETUP);
		if (hint != NULL)
			reader_error(r, kv->loc.line, kv->loc.col,
				     "unknown keyword '%s' (did you mean '%s'?)", key, hint);
		else
			reader_error(r, kv->loc.line, kv->loc.col, "unknown keyword '%s'", key);
		return false;
	}
	if ((ref.kw->sections & where) == 0) {
		reader_error(r, kv->loc.line, kv->loc.col,
			     "keyword '%s' is not valid in %s; it belongs in %s", key, sname,
			     ref.kw->sections & KS_SETUP ? "config setup" : "a conn section");
		return false;
	}
	kv->slot = (int32_t)keyword_slot(ref.kw, ref.side);
	if (ref.kw->flags & KF_OBSOLETE) {
		reader_warning(r, kv->loc.line, kv->loc.col,
			       "obsolete keyword '%s' is ignored (%s)", key, ref.kw->note);
		kv->obsolete = true;
		return true;
	}
	unsigned dialect = ref.written->flags & KF_DIALECT;
	if (ref.via_alias && ref.written->note != NULL)
		reader_warning(r, kv->loc.line, kv->loc.col, "%s (the value is used as %s=)",
			       ref.written->note, keyword_slot_name((size_t)kv->slot));
	if (dialect != 0)
		note_dialect(r->conf, key, dialect, &kv->loc);
	if (kv->value[0] == '\0')
		return true;   /* empty: back to the built-in default */

	/* another dialect's spelling of the value (keyexchange=ikev2 is
	 * ikev2=insist, auto=ondemand is auto=route) */
	if (ref.via_alias && ref.written->values != NULL) {
		const char *to = map_value(&r->conf->arena, ref.written->values, kv->value);
		if (to != NULL)
			kv->value = to;
	}
	unsigned vflags = 0;
	const char *vnote;
	const char *mapped = keyword_map_value(ref.kw, kv->value, &vflags, &vnote);
	if (mapped != NULL) {
		note_dialect(r->conf, arena_printf(&r->conf->arena, "%s=%s", key, kv->value),
			     vflags, &kv->loc);
		if (vnote != NULL)
			reader_warning(r, kv->loc.line, kv->loc.col, "%s=%s: %s", key, kv->value, vnote);
		kv->value = mapped;
	}
	if (ref.kw->type == KT_DEBUG && strcmp(ref.kw->name, "plutodebug") == 0)
		kv->value = map_debug_names(r, ref.kw, key, kv);
	/* libreswan's and strongSwan's comma lists in leftsubnet= are
	 * Openswan's leftsubnets= */
	if (ref.kw->type == KT_SUBNET && strchr(kv->value, ',') != NULL &&
	    !is_virtual_subnet(kv->value)) {
		struct kw_ref many = keyword_lookup("leftsubnets", 11);
		note_dialect(r->conf, arena_printf(&r->conf->arena, "%s=A,B", key),
			     KF_LIBRESWAN | KF_STRONGSWAN, &kv->loc);
		ref.kw = many.kw;
		kv->slot = (int32_t)keyword_slot(many.kw, ref.side);
		kv->key = keyword_slot_name((size_t)kv->slot);
	}
	const char *canon;
	bool ok = check_value(ref.kw, key, kv->value, &kv->loc, r->diags, &r->conf->arena,
			      &r->conf->checked, &canon);
	if (canon == NULL) {   /* accepted, warned about, and left out */
		if (ref.kw->type == KT_SOURCEIP)
			note_dialect(r->conf, arena_printf(&r->conf->arena, "%s=%s", key,
							   kv->value[0] == '%' ? "%config" : "POOL"),
				     KF_STRONGSWAN, &kv->loc);
		kv->obsolete = true;
		return ok;
	}
	kv->value = canon;
	if (ok && (ref.kw->flags & KF_NOEFFECT)) {
		if (!is_default_value(ref.kw, kv->value))
			reader_warning(r, kv->loc.line, kv->loc.col,
				       "%s=%s is accepted but has no effect in Cygnet: %s", key,
				       kv->value, ref.kw->note);
		/* no Openswan form to write it in */
		if (dialect != 0)
			kv->obsolete = true;
	}
	return ok;
}

void reader_keyline(struct conf_reader *r, const struct conf_tok *rawkey,
		    const struct conf_toklist *rawvalues, bool has_eq)
{
	struct ipsecconf *conf = r->conf;
	struct conf_tok keytok = *rawkey;
	keytok.s = intern_key(r, rawkey);
	const struct conf_tok *key = &keytok;
	/* one value is the rule: copy it; the error paths copy every word */
	struct conf_toklist vcopy;
	if (rawvalues->n == 1) {
		vcopy = *rawvalues;
		vcopy.t[0].s = arena_strndup(&conf->arena, rawvalues->t[0].s, rawvalues->t[0].len);
	} else {
		vcopy = materialize(r, rawvalues);
	}
	const struct conf_toklist *values = &vcopy;
	if (conf->current < 0 && !conf->in_ca) {
		if (!conf->skip_keys)   /* not after a bad header: that was reported */
			reader_error(r, key->line, key->col,
				     "'%s' is outside any section (a section starts with 'conn NAME' or 'config setup')",
				     key->s);
		return;
	}
	if (!has_eq) {
		reader_error(r, key->line, key->col,
			     "expected 'keyword=value' but found '%s%s%s'", key->s,
			     values->n ? " " : "", values->n ? values->t[0].s : "");
		return;
	}
	if (values->n > 1) {
		char whole[512];
		size_t n = 0;
		unsigned shown = values->n < CONF_TOKLIST_MAX ? values->n : CONF_TOKLIST_MAX;
		for (unsigned i = 0; i < shown && n < sizeof(whole); i++)
			n += (size_t)snprintf(whole + n, sizeof(whole) - n, "%s%s", i ? " " : "",
					      values->t[i].s);
		if (values->n > shown && n < sizeof(whole))
			snprintf(whole + n, sizeof(whole) - n, " ...");
		reader_error(r, values->t[1].line, values->t[1].col,
			     "value of '%s' contains white space: quote it, as %s=\"%s\"",
			     key->s, key->s, whole);
		return;
	}
	if (conf->in_ca) {
		ca_keyline(r, key, values->n ? values->t[0].s : "");
		return;
	}
	uint32_t sidx = (uint32_t)conf->current;
	struct conf_section *s = &conf->sects.v[sidx];
	struct conf_kv *kv = add_kv(conf);
	*kv = (struct conf_kv){
		.key = key->s,
		.value = values->n ? values->t[0].s : "",
		.loc = { r->file, key->line, key->col },
		.section = sidx,
	};
	s = &conf->sects.v[sidx];
	s->n_kv = (uint32_t)(conf->kvs.n - s->first_kv);
	kv->bad = !classify_key(r, kv, s);

	const struct conf_kv *dup = find_duplicate(conf, s, sidx, kv);
	if (dup != NULL && !kv->obsolete &&
	    !(kv->slot == SLOT_ALSO || kv->slot == SLOT_ALSOFLIP)) {
		reader_error(r, key->line, key->col,
			     "duplicate key '%s' in %s %s (first at %s:%u)", key->s,
			     sect_type_name(s->type), s->name, dup->loc.file, dup->loc.line);
		kv->bad = true;
	}
}

/* ---- files -------------------------------------------------------------- */

/* Scans text in place: it must hold len bytes plus two NULs, which flex
 * needs at the end of a buffer it does not copy. */
static void scan(struct conf_reader *r, char *text, size_t len)
{
	yyscan_t scanner;
	if (conf_yylex_init_extra(r, &scanner) != 0)
		abort();
	YY_BUFFER_STATE buf = conf_yy_scan_buffer(text, len + 2, scanner);
	conf_yyparse(scanner, r);
	conf_yy_delete_buffer(buf, scanner);
	conf_yylex_destroy(scanner);
}

static const char *dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return NULL;
	if (slash == path)
		return "/";
	return arena_strndup(a, path, (size_t)(slash - path));
}

/* The whole file plus the two NULs scan() needs; sized from fstat. The
 * buffer is *cap bytes (for big_free). */
static char *slurp(FILE *f, size_t size_hint, size_t *len, size_t *cap)
{
	size_t n = 0;
	*cap = size_hint + 3;
	char *buf = big_realloc(NULL, 0, *cap);
	for (;;) {
		size_t got = fread(buf + n, 1, *cap - 2 - n, f);
		n += got;
		if (n < *cap - 2)
			break;
		buf = big_realloc(buf, *cap, *cap * 2);   /* the file grew while we read it */
		*cap *= 2;
	}
	buf[n] = buf[n + 1] = '\0';
	*len = n;
	return buf;
}

static void read_text(struct conf_reader *parent, struct ipsecconf *conf,
		      struct diags *d, const char *name, char *text, size_t len,
		      struct include_frame *frame, bool implicit)
{
	struct conf_reader r = {
		.conf = conf, .diags = d, .file = name,
		.dir = dir_of(&conf->arena, name),
		.line = 1, .col = 1,
		.depth = parent ? parent->depth + 1 : 0,
		.stack = frame,
		.implicit = implicit,
	};
	scan(&r, text, len);
}

static void read_path(struct conf_reader *parent, struct ipsecconf *conf,
		      struct diags *d, const char *path, unsigned line, unsigned col)
{
	const char *pfile = parent ? parent->file : NULL;
	FILE *f = fopen(path, "r");
	struct stat st;
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		diag_add(d, DIAG_ERROR, pfile, line, col, "cannot open %s'%s': %s",
			 parent ? "included file " : "", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(d, DIAG_ERROR, pfile, line, col, "'%s' is not a regular file", path);
		fclose(f);
		return;
	}
	for (struct include_frame *fr = parent ? parent->stack : NULL; fr; fr = fr->up) {
		if (fr->dev == st.st_dev && fr->ino == st.st_ino) {
			char chain[1024] = "";
			size_t used = 0;
			/* innermost first on the stack: print outermost first */
			const char *names[INCLUDE_DEPTH_MAX + 2];
			unsigned n = 0;
			for (struct include_frame *g = parent->stack; g && n < INCLUDE_DEPTH_MAX + 1; g = g->up)
				names[n++] = g->file;
			for (unsigned i = n; i-- > 0;)
				used += (size_t)snprintf(chain + used, used < sizeof(chain) ? sizeof(chain) - used : 0,
							 "%s -> ", names[i]);
			diag_add(d, DIAG_ERROR, pfile, line, col, "include loop: %s%s", chain, path);
			fclose(f);
			return;
		}
	}
	if (parent != NULL && parent->depth + 1 > INCLUDE_DEPTH_MAX) {
		diag_add(d, DIAG_ERROR, pfile, line, col,
			 "includes nested more than %d deep at '%s'", INCLUDE_DEPTH_MAX, path);
		fclose(f);
		return;
	}
	size_t len, cap;
	char *text = slurp(f, (size_t)st.st_size, &len, &cap);
	fclose(f);
	struct include_frame frame = { st.st_dev, st.st_ino, path, parent ? parent->stack : NULL };
	read_text(parent, conf, d, path, text, len, &frame, false);
	big_free(text, cap);
}

/* ---- loading ------------------------------------------------------------ */

static struct ipsecconf *conf_new(const struct ipsecconf_options *opts)
{
	struct ipsecconf *conf = xrealloc(NULL, sizeof(*conf));
	*conf = (struct ipsecconf){ .current = -1, .any_kv = { UINT32_MAX, UINT32_MAX },
				    .oedefault = -1 };
	if (opts != NULL)
		conf->opts = *opts;
	size_t n = keyword_slots();
	conf->seen_in = xrealloc(NULL, n * sizeof(*conf->seen_in));
	conf->seen_kv = xrealloc(NULL, n * sizeof(*conf->seen_kv));
	memset(conf->seen_in, 0, n * sizeof(*conf->seen_in));
	conf->conn_default = xrealloc(NULL, n * sizeof(uint32_t));
	conf->setup_default = xrealloc(NULL, n * sizeof(uint32_t));
	memset(conf->conn_default, 0, n * sizeof(uint32_t));
	memset(conf->setup_default, 0, n * sizeof(uint32_t));
	return conf;
}

/* One value per key across the %default sections of a type. */
static void collect_defaults(struct ipsecconf *conf, struct diags *d)
{
	for (size_t i = 0; i < conf->sects.n; i++) {
		const struct conf_section *s = &conf->sects.v[i];
		if (!s->is_default || s->dropped || s->oedefault)
			continue;
		uint32_t *table = s->type == SECT_CONN ? conf->conn_default : conf->setup_default;
		for (uint32_t k = s->first_kv; k < s->first_kv + s->n_kv; k++) {
			struct conf_kv *kv = &conf->kvs.v[k];
			if (kv->obsolete)
				continue;
			if (kv->slot == SLOT_EXTENSION && s->type == SECT_CONN) {
				conf->default_ext = xrealloc(conf->default_ext,
							     (conf->n_default_ext + 1) * sizeof(uint32_t));
				conf->default_ext[conf->n_default_ext++] = k;
				continue;
			}
			if (kv->slot < 0)
				continue;
			uint32_t prev = table[kv->slot];
			if (prev != 0 && conf->kvs.v[prev - 1].section != i) {
				const struct conf_kv *p = &conf->kvs.v[prev - 1];
				diag_add(d, DIAG_ERROR, kv->loc.file, kv->loc.line, kv->loc.col,
					 "a second default for '%s' (first in %s %%default at %s:%u); this one is ignored",
					 kv->key, sect_type_name(s->type), p->loc.file, p->loc.line);
				kv->bad = true;
				continue;
			}
			if (prev == 0) {
				table[kv->slot] = k + 1;
				size_t *n = &conf->n_default_slots[s->type];
				conf->default_slots[s->type] = xrealloc(conf->default_slots[s->type],
									(*n + 1) * sizeof(uint32_t));
				conf->default_slots[s->type][(*n)++] = (uint32_t)kv->slot;
			}
		}
	}
}

/* strongSwan's left= and right= default to %any: a file that uses its
 * keywords gets them (placed at its first strongSwan keyword, where the
 * warning points). */
static void add_strongswan_ends(struct ipsecconf *conf)
{
	const struct dialect_use *first = NULL;
	for (size_t i = 0; i < conf->n_dialect_uses && first == NULL; i++)
		if (conf->dialect_uses[i].flags == KF_STRONGSWAN)
			first = &conf->dialect_uses[i];
	if (first == NULL)
		return;
	conf->any_why = first->name;
	for (int i = 0; i < 2; i++) {
		struct conf_kv *kv = add_kv(conf);
		*kv = (struct conf_kv){
			.key = i ? "right" : "left", .value = "%any", .loc = first->first,
			.section = 0,
			.slot = (int32_t)keyword_slot(keyword_lookup("left", 4).kw, i ? SIDE_RIGHT : SIDE_LEFT),
		};
		conf->any_kv[i] = (uint32_t)(kv - conf->kvs.v);
	}
}

static struct ipsecconf *finish_load(struct ipsecconf *conf, struct diags *d)
{
	/* always read: user conns may name them in also= even when they are
	 * left out of the output (--noimplicit) */
	conf->current = -1;
	conf->in_ca = false;
	conf->skip_keys = false;
	size_t ilen = strlen(implicit_conns_text);
	char *itext = xrealloc(NULL, ilen + 2);
	memcpy(itext, implicit_conns_text, ilen);
	itext[ilen] = itext[ilen + 1] = '\0';
	read_text(NULL, conf, d, "<implicit>", itext, ilen, NULL, true);
	free(itext);
	collect_defaults(conf, d);
	add_strongswan_ends(conf);
	free(conf->seen_in);
	free(conf->seen_kv);
	conf->seen_in = NULL;
	conf->seen_kv = NULL;
	if (conf->opts.policy_dir != NULL) {
		conf->policy_dir = conf->opts.policy_dir;
	} else {
		const char *dir = conf->top_file ? dir_of(&conf->arena, conf->top_file) : NULL;
		conf->policy_dir = dir ? arena_printf(&conf->arena, "%s/ipsec.d/policy", dir)
				       : "ipsec.d/policy";
	}
	return conf;
}

struct ipsecconf *ipsecconf_load_file(const char *path,
				      const struct ipsecconf_options *opts,
				      struct diags *d)
{
	struct ipsecconf *conf = conf_new(opts);
	conf->top_file = arena_strdup(&conf->arena, path);
	read_path(NULL, conf, d, conf->top_file, 0, 0);
	return finish_load(conf, d);
}

struct ipsecconf *ipsecconf_load_string(const char *name, const char *text,
					size_t len,
					const struct ipsecconf_options *opts,
					struct diags *d)
{
	struct ipsecconf *conf = conf_new(opts);
	conf->top_file = arena_strdup(&conf->arena, name);
	char *copy = xrealloc(NULL, len + 2);
	memcpy(copy, text, len);
	copy[len] = copy[len + 1] = '\0';
	read_text(NULL, conf, d, conf->top_file, copy, len, NULL, false);
	free(copy);
	return finish_load(conf, d);
}

void ipsecconf_free(struct ipsecconf *conf)
{
	if (conf == NULL)
		return;
	big_free(conf->kvs.v, conf->kvs.cap * sizeof(*conf->kvs.v));
	big_free(conf->sects.v, conf->sects.cap * sizeof(*conf->sects.v));
	free(conf->hash);
	free(conf->conn_default);
	free(conf->setup_default);
	free(conf->default_ext);
	free(conf->default_slots[0]);
	free(conf->default_slots[1]);
	free(conf->seen_in);
	free(conf->seen_kv);
	value_cache_free(&conf->checked);
	arena_free(&conf->arena);
	free(conf);
}

size_t ipsecconf_dialect_uses(const struct ipsecconf *conf, const struct dialect_use **uses)
{
	*uses = conf->dialect_uses;
	return conf->n_dialect_uses;
}

size_t ipsecconf_conn_count(const struct ipsecconf *conf)
{
	return conf->n_conns;
}
