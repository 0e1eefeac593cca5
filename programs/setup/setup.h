/* ipsec setup: start, stop, restart and query pluto as a service. The
 * logic lives in setup_ops.c (the unit tests include it); setup.c is only
 * main(). */
#ifndef CYGNET_SETUP_H
#define CYGNET_SETUP_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "../auto/client.h"
#include "ipsecconf/pluto_opts.h"

/* LSB init-script statuses, beside the tools' 0/1/2. */
#define SETUP_EXIT_NOT_RUNNING 3   /* status: pluto is not running */

#define SETUP_TIMEOUT_MS 10000     /* start: until pluto answers; stop: until it exits */
#define SETUP_GRACE_MS    5000     /* stop: between SIGTERM and SIGKILL */

enum setup_verb { SETUP_START, SETUP_STOP, SETUP_RESTART, SETUP_STATUS };

struct setup_args {
	enum setup_verb verb;
	const char *config;        /* ipsec.conf */
	char *rundir;              /* absolute (owned) */
	char *ctl, *pidfile;       /* RUNDIR/pluto.ctl, RUNDIR/pluto.pid (owned) */
	char *pluto;               /* the pluto binary (owned) */
	char **passthru;           /* pluto options given after "--" (not owned) */
	int n_passthru;
	unsigned timeout_ms, grace_ms;
};

/* Returns 0 to go on, -1 after --help (printed to out), or 2 after a
 * one-line message to err. */
int setup_parse(int argc, char **argv, struct setup_args *a, FILE *out, FILE *err);
void setup_args_free(struct setup_args *a);
void setup_usage(FILE *out);

/* Where pluto is: $IPSEC_EXECDIR/pluto (build/ipsec exports it), else
 * LIBEXECDIR/pluto. New string. */
char *setup_pluto_path(void);

/* "config setup", as far as starting pluto is concerned (owned copies;
 * NULL when unset). */

struct setup_config {
	char *stderrlog;
	char *opt_value[IPSECCONF_PLUTO_OPTS];   /* by ipsecconf_pluto_opts[] */
	char *prepluto, *postpluto, *dumpdir, *plutoopts;
	bool start_pluto;          /* pluto=yes */
	bool plutowait;            /* auto=start: wait for each negotiation */
};

/* The configuration read for start: config setup and the auto= requests,
 * in the order `ipsec addconn --autoall` sends them. */
struct setup_plan {
	struct setup_config cs;
	struct whack_msgs msgs;
	struct diags d;            /* names files owned by conf */
	struct ipsecconf *conf;
};

/* Reads a->config into plan (zeroed here). Returns 0, or 2 when the file
 * cannot be read at all (plan->d says why). Errors in single conns are
 * in plan->d; the other conns are planned. */
int setup_load(const struct setup_args *a, struct setup_plan *plan);
void setup_plan_free(struct setup_plan *plan);

/* pluto's argv (NULL-terminated; free with setup_argv_free): pluto
 * --nofork --rundir RUNDIR, then what config setup asks for, then the
 * plutoopts words, then the pass-through options (last, so they win). */
char **setup_pluto_argv(const struct setup_args *a, const struct setup_config *cs);
void setup_argv_free(char **argv);

/* The pid in a pid file: > 0, 0 when there is no readable file, -1 when
 * its contents are not a pid. */
pid_t setup_read_pidfile(const char *path);
/* Alive: exists and is not a zombie. */
bool setup_pid_alive(pid_t pid);
/* True when /proc/PID/exe is the program at path (also once the file was
 * replaced: "PATH (deleted)"). */
bool setup_pid_is(pid_t pid, const char *path);

int setup_start(const struct setup_args *a, FILE *out, FILE *err);
int setup_stop(const struct setup_args *a, FILE *out, FILE *err);
int setup_status(const struct setup_args *a, FILE *out, FILE *err);
int setup_run(const struct setup_args *a, FILE *out, FILE *err);

int setup_main(int argc, char **argv);
#endif
