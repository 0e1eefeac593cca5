/* Finding what a list of words means in a context: a context to enter, a
 * command of the tables, a netsh global (pushd, popd, exit, ...), or a
 * command of a helper that is not translated. Context and command words
 * match by exact name or prefix, like netsh ("netsh i p a v4tov4"). */
#ifndef NETSH_RESOLVE_H
#define NETSH_RESOLVE_H
#include "netsh/replay.h"

enum global_cmd {
	G_NONE, G_PUSHD, G_POPD, G_EXIT, G_UP, G_HELP, G_DUMP, G_EXEC, G_IGNORED,
};

struct resolution {
	enum { R_ENTER, R_CMD, R_GLOBAL, R_FOREIGN, R_UNKNOWN, R_INCOMPLETE } kind;
	struct ctx ctx;                /* R_ENTER, R_FOREIGN: the context reached */
	const struct cmddef *def;      /* R_CMD */
	enum global_cmd global;        /* R_GLOBAL */
	size_t next;                   /* first word after the command words */
	char *warning;                 /* an ambiguous abbreviation (owned) */
};

struct resolution resolve_words(const struct ctx *from, const struct nwords *w, size_t i);

/* A shell line "netsh [options] words": a fresh netsh at the top context. */
void run_invocation(struct replay *r, struct nwords *w, struct where at, bool shell);
/* A line of a "netsh -f" script, in the script's current context. */
void run_script_line(struct replay *r, struct nwords *w, struct where at);
#endif
