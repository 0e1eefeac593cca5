/* ipsec auto: the administrator's control-plane command. The operation
 * table, argument parsing, request building and sending live in
 * auto_ops.c (the unit tests include it); auto.c is only main(). */
#ifndef CYGNET_AUTO_H
#define CYGNET_AUTO_H
#include <stdbool.h>
#include <stdio.h>
#include "client.h"

/* One operation of `ipsec auto`: --NAME. */
struct auto_op {
	const char *name;             /* as typed, without the dashes */
	enum whack_command cmd;       /* the request sent */
	enum whack_name_use name_use; /* does it take a conn name */
	bool needs_config;            /* reads the conn from ipsec.conf */
	const char *help;             /* one line for --help */
};

extern const struct auto_op auto_ops[];
extern const size_t auto_ops_len;
const struct auto_op *auto_op_by_name(const char *name);

struct auto_args {
	const struct auto_op *op;
	const char *name;             /* the conn name, or NULL */
	const char *config;           /* ipsec.conf */
	const char *policydir;        /* NULL: ipsec.d/policy beside config */
	const char *ctlsocket, *rundir;
	bool async, json, showonly;
	char *ctl;                    /* the socket path used (owned) */
};

/* Parses argv (argv[0] is the program). Returns 0 to go on, -1 when
 * --help was printed to out (exit 0), or 2 after a one-line message to
 * err. May be called repeatedly (resets getopt). */
int auto_parse(int argc, char **argv, struct auto_args *a, FILE *out, FILE *err);
void auto_args_free(struct auto_args *a);

/* What an operation will send. The diagnostics name files owned by
 * conf, so both live until auto_plan_free(). */
struct auto_plan {
	struct whack_msgs msgs;       /* the requests, in order */
	struct diags d;               /* the configuration's messages */
	struct ipsecconf *conf;       /* NULL unless the operation read it */
};

/* Fills plan (zeroed here). Returns 0, or 2 when the conn cannot be
 * resolved or a request would be invalid (the reason is in plan->d or
 * printed to err). info gets notes such as an empty policy group. */
int auto_build(const struct auto_args *a, struct auto_plan *plan,
	       FILE *info, FILE *err);
void auto_plan_free(struct auto_plan *plan);

/* The whole command after parsing: build, print the configuration's
 * messages, send (or print with --showonly). Returns the exit status. */
int auto_run(const struct auto_args *a, FILE *out, FILE *err);

/* The man-style help text, generated from auto_ops[]. */
void auto_usage(FILE *out);

int auto_main(int argc, char **argv);
#endif
