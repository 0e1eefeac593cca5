/* Replaying scripts: every command, in order, against the store models.
 * Messages go to two lists: d (warnings: lossy; errors: not translated)
 * and notes (ignored by design; shown with --verbose). */
#ifndef NETSH_REPLAY_H
#define NETSH_REPLAY_H
#include <stdbool.h>
#include "swan/diag.h"
#include "netsh/cmdtab.h"
#include "netsh/source.h"
#include "netsh/store.h"

struct replay {
	struct static_store st;
	struct dynamic_store dy;
	struct portproxy_store pp;
	struct diags *d, *notes;
	/* the context stack of a "netsh -f" script */
	struct ctx cur;
	struct ctx stack[16];
	size_t depth;
	bool exited;           /* "exit" ended the script */
	size_t exit_index;     /* at this line of its source (index, number) */
	unsigned exit_line;
	size_t commands;       /* ipsec/portproxy commands of the current script */
	size_t skipped;        /* its lines skipped as text or other commands */
	struct strmap warned;  /* warnings given once (per filter list, rule) */
};

void replay_init(struct replay *r, struct diags *d, struct diags *notes);
void replay_free(struct replay *r);
/* Replays one script. */
void replay_source(struct replay *r, const struct nsource *src);

/* Messages about a command (FILE:LINE of the command). */
__attribute__((format(printf, 3, 4)))
void cmd_error(struct replay *r, const struct ncmd *c, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void cmd_warning(struct replay *r, const struct ncmd *c, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void cmd_note(struct replay *r, const struct ncmd *c, const char *fmt, ...);
struct where cmd_where(const struct ncmd *c);
/* A note that command c removes (or replaces) WHAT 'NAME' made at AT: the
 * line that made it is then named in a message (nothing is silently
 * undone). NAME may be NULL. */
void cmd_removes(struct replay *r, const struct ncmd *c, const char *verb, const char *what,
		 const char *name, struct where at);

/* Handlers shared by the contexts' command tables. */
#define HANDLER(name) void name(struct replay *r, const struct ncmd *c)
HANDLER(st_add_filter); HANDLER(st_add_filteraction); HANDLER(st_add_filterlist);
HANDLER(st_add_policy); HANDLER(st_add_rule); HANDLER(st_delete_all);
HANDLER(st_delete_filter); HANDLER(st_delete_filteraction);
HANDLER(st_delete_filterlist); HANDLER(st_delete_policy); HANDLER(st_delete_rule);
HANDLER(st_exportpolicy); HANDLER(st_importpolicy); HANDLER(st_restorepolicyexamples);
HANDLER(st_set_defaultrule); HANDLER(st_set_filteraction); HANDLER(st_set_filterlist);
HANDLER(st_set_policy); HANDLER(st_set_rule); HANDLER(st_set_store); HANDLER(st_set_batch);
HANDLER(dy_add_mmpolicy); HANDLER(dy_add_qmpolicy); HANDLER(dy_add_rule);
HANDLER(dy_delete_all); HANDLER(dy_delete_mmpolicy); HANDLER(dy_delete_qmpolicy);
HANDLER(dy_delete_rule); HANDLER(dy_set_config); HANDLER(dy_set_mmpolicy);
HANDLER(dy_set_qmpolicy); HANDLER(dy_set_rule);
HANDLER(pp_add); HANDLER(pp_set); HANDLER(pp_delete); HANDLER(pp_reset);

/* Helpers for handlers: shared parsing of selectors and auth methods. */
void note_list_removed(struct replay *r, const struct ncmd *c, const struct sfilterlist *l);
bool parse_selector(struct replay *r, const struct ncmd *c, struct nselector *sel,
		    bool defaults);
bool parse_auths(struct replay *r, const struct ncmd *c, struct nauths *out);
/* The name is usable for a new object (not empty, not the reserved "all"). */
bool check_new_name(struct replay *r, const struct ncmd *c, const char *what,
		    const char *name);
bool check_secmethods(struct replay *r, const struct ncmd *c, const char *tag);
#endif
