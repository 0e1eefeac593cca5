/* The netsh command tables: contexts (ipsec static, ipsec dynamic,
 * interface portproxy, and the ones only recognised to be skipped), their
 * commands, and each command's tags in the documented order (which is also
 * the order untagged values fill). */
#ifndef NETSH_CMDTAB_H
#define NETSH_CMDTAB_H
#include <stdbool.h>
#include <stddef.h>
#include "netsh/tokens.h"

struct replay;
struct ncmd;

enum vtype {
	V_STR,    /* any text */
	V_BOOL,   /* yes|no, by case-insensitive prefix ("y", "NO") */
	V_INT,    /* a whole number */
	V_ENUM,   /* one of values, by case-insensitive prefix */
};

#define T_REQ   1u   /* required */
#define T_MULTI 2u   /* may be given more than once (rootca) */

struct tagdef {
	const char *name;
	enum vtype type;
	const char *values;   /* V_ENUM: "permit|block|negotiate" */
	unsigned flags;
};

#define MAXTAGS 20

typedef void (*cmd_fn)(struct replay *r, const struct ncmd *c);

struct cmddef {
	const char *verb;         /* "add" */
	const char *object;       /* "filter", or NULL for one-word commands */
	const struct tagdef *tags;
	unsigned ntags;
	cmd_fn fn;                /* NULL: accepted and ignored (show, dump) */
};

enum ctx_id {
	CTX_ROOT, CTX_IPSEC, CTX_STATIC, CTX_DYNAMIC, CTX_INTERFACE,
	CTX_PORTPROXY, CTX_FOREIGN,
};

struct ctxdef {
	enum ctx_id id;
	const char *name;               /* "static" */
	enum ctx_id parent;
	const struct cmddef *cmds;      /* NULL-verb terminated */
	bool lenient;                   /* unknown commands are notes, not errors */
};

/* A context a script can be in: a known one, or a foreign one (netsh
 * interface ip, advfirewall, ...) named by its path for messages. */
struct ctx {
	enum ctx_id id;
	char path[64];                  /* "interface ipv6" */
};

extern const struct ctxdef ctx_table[];
extern const struct cmddef static_cmds[], dynamic_cmds[], portproxy_cmds[];
const struct ctxdef *ctx_def(enum ctx_id id);

/* The foreign (recognised, not translated) child contexts of a context. */
bool is_foreign_child(enum ctx_id parent, const char *word, const char **full);

/* One value given for a tag. */
struct nval {
	char *s;
	unsigned pos;    /* argument index: the order of auth methods */
};

/* A command with its arguments bound to tags. */
struct ncmd {
	const struct cmddef *def;
	const char *file;
	unsigned line;
	struct nval *vals[MAXTAGS];   /* NULL when not given */
	size_t nvals[MAXTAGS];
	char *trailing;               /* untagged trailing text taken as description= */
};

/* Binds words[first..] to the tags of def: tag=value by exact name or unique
 * case-insensitive prefix, untagged values by position ("all" fills a
 * name=|id= pair; untagged words after all required tags are the
 * description when that is free, see c->trailing). Errors name the
 * tag; on error returns false and the message is in err (owned). */
bool bind_args(const struct cmddef *def, const struct nwords *w, size_t first,
	       struct ncmd *c, char **err, char **note);
void ncmd_free(struct ncmd *c);

/* Value of a tag by name (first value), or NULL when not given. */
const char *arg(const struct ncmd *c, const char *tag);
const struct nval *arg_all(const struct ncmd *c, const char *tag, size_t *n);
bool arg_bool(const struct ncmd *c, const char *tag, bool deflt);
#endif
