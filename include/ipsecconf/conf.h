/* libipsecconf: load ipsec.conf (with include), resolve also=, alsoflip=,
 * %default, leftsubnets=, policy groups and the implicit conns, and hand
 * out resolved sections. */
#ifndef IPSECCONF_CONF_H
#define IPSECCONF_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/diag.h"
#include "ipsecconf/keywords.h"

struct conf_loc {
	const char *file;      /* as named (relative to the cwd or absolute) */
	unsigned line, col;
};

enum section_type { SECT_CONFIG, SECT_CONN };

struct ipsecconf_options {
	const char *policy_dir;  /* NULL: ipsec.d/policy beside the config file */
	bool no_implicit;        /* leave out clear, private, ... */
};

struct ipsecconf;

/* Reads and checks a file (and what it includes). Never NULL: errors go to
 * d and the sections that parsed are kept. */
struct ipsecconf *ipsecconf_load_file(const char *path,
				      const struct ipsecconf_options *opts,
				      struct diags *d);
/* The same from a string; name is used in messages and to resolve includes
 * relative to its directory. */
struct ipsecconf *ipsecconf_load_string(const char *name, const char *text,
					size_t len,
					const struct ipsecconf_options *opts,
					struct diags *d);
void ipsecconf_free(struct ipsecconf *conf);

/* One resolved value. */
struct resolved_kv {
	size_t slot;           /* keyword slot; SIZE_MAX for an x- key */
	const char *key;       /* canonical name ("leftsubnet") or the x- key */
	const char *value;     /* never empty: empty values mean "default" */
	struct conf_loc loc;   /* where the value was written */
};

/* An also= or alsoflip= line of the section itself. */
struct resolved_also {
	bool flip;
	const char *name;
};

/* A resolved config setup or conn. */
struct resolved {
	enum section_type type;
	const char *name;      /* conn name; "NAME/LxR" and "NAME#CIDR" for instances */
	struct conf_loc loc;   /* the section header */
	const struct resolved_kv *kv;   /* canonical order; x- keys last */
	size_t n_kv;
	const struct resolved_also *also;   /* as written, in order */
	size_t n_also;
	bool implicit;         /* one of the six implicit conns (or an instance) */
	bool group;            /* a policy-group template (right=%group) */
	const char *template;  /* instances: the conn they came from */
};

/* The value of a canonical key ("leftsubnet", "auto") or NULL when unset. */
const char *resolved_get(const struct resolved *r, const char *key);
const char *resolved_get_slot(const struct resolved *r, size_t slot);
/* The value or, when unset, the keyword's built-in default (may be NULL). */
const char *resolved_value(const struct resolved *r, const char *key);

typedef void (*resolved_fn)(const struct resolved *r, void *ctx);

/* Calls fn for "config setup" (always, even when absent) and then for every
 * conn that resolves without error, in file order, with leftsubnets=
 * instances in place of their conn, policy-group instances after their
 * template, and the implicit conns last. Errors go to d. Returns the number
 * of conns that failed. */
unsigned ipsecconf_walk(struct ipsecconf *conf, resolved_fn fn, void *ctx,
			struct diags *d);
/* Only conn NAME (with its instances). Returns false when there is no such
 * conn (a message is added to d), or it failed to resolve. Completeness
 * checks (left=, right=) apply even when auto=ignore. */
bool ipsecconf_walk_conn(struct ipsecconf *conf, const char *name,
			 resolved_fn fn, void *ctx, struct diags *d);

/* Keywords (and values) of libreswan's or strongSwan's dialect that the
 * files used: each distinct spelling once ("logfile", "auto=ondemand"),
 * with its KF_LIBRESWAN/KF_STRONGSWAN bits, count and first place. At most
 * 64 spellings are kept. */
struct dialect_use {
	const char *name;
	unsigned flags;
	unsigned count;
	struct conf_loc first;
};
size_t ipsecconf_dialect_uses(const struct ipsecconf *conf, const struct dialect_use **uses);

/* Number of conn sections loaded (for statistics and tests). */
size_t ipsecconf_conn_count(const struct ipsecconf *conf);
#endif
