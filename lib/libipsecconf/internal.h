/* libipsecconf internals shared by the reader, the resolver and the
 * expansions. Not installed. */
#ifndef IPSECCONF_INTERNAL_H
#define IPSECCONF_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ipsecconf/conf.h"
#include "arena.h"

/* Special slot numbers of a conf_kv. */
#define SLOT_EXTENSION  (-1)   /* x- key: kept verbatim */
#define SLOT_UNKNOWN    (-2)   /* unknown or misplaced key: already reported */
#define SLOT_ALSO       (-3)
#define SLOT_ALSOFLIP   (-4)

/* One "key=value" line as written. */
struct conf_kv {
	const char *key;       /* as written */
	const char *value;     /* unquoted; "" when empty */
	struct conf_loc loc;   /* of the key */
	int32_t slot;          /* keyword slot or SLOT_* */
	uint32_t section;      /* index of its section */
	bool bad;              /* failed a check: conns using it fail */
	bool obsolete;         /* warned about; ignored */
};

struct conf_section {
	enum section_type type;
	const char *name;
	struct conf_loc loc;
	uint32_t first_kv, n_kv;   /* contiguous in conf->kvs */
	bool is_default;           /* %default (or %oedefault) */
	bool oedefault;            /* conn %oedefault: applies to the implicit conns */
	bool implicit;             /* from the built-in implicit text */
	bool dropped;              /* replaced by a user conn, or misplaced */
	bool bad;                  /* a structural error: users of it fail */
	int32_t next_same_hash;    /* name hash chain */
};

struct value_cache {
	struct value_cache_entry { const struct keyword *kw; const char *value; } *v;
	size_t mask, n;
};
struct vec_kv { struct conf_kv *v; size_t n, cap; };
struct vec_sect { struct conf_section *v; size_t n, cap; };

struct ipsecconf {
	struct arena arena;
	struct vec_kv kvs;
	struct vec_sect sects;
	struct ipsecconf_options opts;
	const char *policy_dir;
	const char *top_file;
	/* name -> section index, per type; open hash with chains */
	int32_t *hash;
	size_t hash_mask;
	/* %default values per slot for conns: kv index + 1, 0 = none */
	uint32_t *conn_default;
	uint32_t *setup_default;
	size_t n_conns;
	/* slots that some %default sets, per section type (index: type) */
	uint32_t *default_slots[2];
	size_t n_default_slots[2];
	/* x- keys of the %default conns (kv indexes), few */
	uint32_t *default_ext;
	size_t n_default_ext;
	bool seen_conn, seen_config;   /* a non-default section of the type */
	bool seen_significant;         /* past the place of "version 2" */
	int32_t current;               /* open section, -1 before the first */
	bool skip_keys;                /* after a bad header: its keys are ignored silently */
	bool in_ca;                    /* in a strongSwan ca section: its keys are checked, not kept */
	uint32_t ca_seen;              /* bit per ca key set in that section */
	struct conf_loc ca_loc;        /* and its header */
	struct value_cache checked;    /* values that passed cleanly */
	/* per-slot: section index + 1 that last set it (duplicate check) */
	uint32_t *seen_in;
	uint32_t *seen_kv;
	/* keywords of other dialects met (readwriteconf's report, --strict) */
	unsigned dialects;             /* KF_LIBRESWAN | KF_STRONGSWAN */
#define DIALECT_USES_MAX 64
	struct dialect_use dialect_uses[DIALECT_USES_MAX];
	size_t n_dialect_uses;
	/* strongSwan files: kvs "left=%any", "right=%any" for conns without
	 * them (UINT32_MAX: none), and %oedefault's section (-1: none) */
	uint32_t any_kv[2];
	const char *any_why;           /* the strongSwan keyword that made it a strongSwan file */
	int32_t oedefault;
};

/* A token's text and position, as the lexer hands it to the parser. */
struct conf_tok {
	const char *s;             /* into the scanned buffer: NOT NUL-terminated */
	size_t len;
	unsigned line, col;
	bool quoted;
};
#define CONF_TOKLIST_MAX 6
struct conf_toklist {
	struct conf_tok t[CONF_TOKLIST_MAX];
	unsigned n;                /* may exceed CONF_TOKLIST_MAX: extra dropped */
	bool has_eq;
};

/* The reader's state while one file is scanned (the flex extra). */
struct conf_reader {
	struct ipsecconf *conf;
	struct diags *diags;
	const char *file;          /* interned */
	const char *dir;           /* directory for relative includes */
	unsigned line, col;        /* scanner position */
	unsigned depth;            /* include depth */
	struct include_frame *stack;
	unsigned reported_line;    /* a lexer error was reported on this line */
	bool header_line;          /* the line being scanned is not indented */
	bool implicit;             /* reading the built-in implicit conns */
	struct conf_toklist list;  /* the words of the line being parsed */
};

/* Parser actions (confread.c). */
void reader_header(struct conf_reader *r, const struct conf_toklist *items);
void reader_keyline(struct conf_reader *r, const struct conf_tok *key,
		    const struct conf_toklist *values, bool has_eq);
/* A line that did not parse: when it was a section header, the keys
 * after it belong to no section (not to the one before it). */
void reader_bad_line(struct conf_reader *r);
void reader_error(struct conf_reader *r, unsigned line, unsigned col,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));


/* Value checks (values.c): false and a message in d when bad. *canon
 * starts as value and may be replaced by its canonical spelling (enum
 * values in lower case, a subnet without host bits, a lifetime clamped to
 * its maximum), allocated in arena. Values that once passed without any
 * message are remembered in cache and not checked again. */
bool check_value(const struct keyword *kw, const char *key, const char *value,
		 const struct conf_loc *loc, struct diags *d, struct arena *arena,
		 struct value_cache *cache, const char **canon);
void value_cache_free(struct value_cache *cache);

/* Section lookups (confread.c). */
int32_t conf_find_section(const struct ipsecconf *conf, enum section_type type,
			  const char *name);

/* The implicit conns' text (implicit.c). */
extern const char implicit_conns_text[];
bool is_implicit_name(const char *name);

/* Conn-level checks after merging (checks.c): false when the conn must not
 * load. `explicit_load` asks for completeness even with auto=ignore. */
struct merged;
bool check_conn(const struct merged *m, bool explicit_load);

/* Family of a plain NET/PREFIX value, IP_UNSET for anything else (checks.c). */
#include "swan/address.h"
enum ip_family subnet_family(const char *v);

static inline const char *sect_type_name(enum section_type t)
{
	return t == SECT_CONN ? "conn" : "config";
}
#endif
