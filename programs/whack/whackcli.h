/* ipsec whack: the low-level verbs, one request each, spelled as in
 * Openswan/libreswan where they exist. The verb table, parsing and
 * sending live in whack_verbs.c (the unit tests include it); whack.c is
 * only main(). (Not named whack.h: that is the protocol's header.) */
#ifndef CYGNET_WHACKCLI_H
#define CYGNET_WHACKCLI_H
#include <stdbool.h>
#include <stdio.h>
#include "../auto/client.h"

/* One verb: --OPTION sends cmd. Whether it takes --name, and its help
 * line, come from libwhack's whack_commands[] for that cmd. */
struct whack_verb {
	const char *option;
	enum whack_command cmd;
	const char *arg;    /* NULL: no argument; else its name in --help (sent
			     * as the option OPTION=VALUE) */
};

extern const struct whack_verb whack_verbs[];
extern const size_t whack_verbs_len;
const struct whack_verb *whack_verb_by_option(const char *option);

struct whackcli_args {
	const struct whack_verb *verb;
	const char *name;             /* --name, or NULL */
	const char *ctlsocket, *rundir;
	bool async, json;
	const char *verb_arg;         /* the verb's argument, when it takes one */
	char *ctl;                    /* the socket path used (owned) */
};

/* Returns 0 to go on, -1 after --help (printed to out), or 2 after a
 * one-line message to err. May be called repeatedly. */
int whackcli_parse(int argc, char **argv, struct whackcli_args *a, FILE *out, FILE *err);
void whackcli_args_free(struct whackcli_args *a);

/* The request for parsed arguments (m is initialised here). */
void whackcli_build(const struct whackcli_args *a, struct whack_msg *m);

/* Sends it and prints the replies; returns the exit status. */
int whackcli_run(const struct whackcli_args *a, FILE *out, FILE *err);

void whackcli_usage(FILE *out);
int whackcli_main(int argc, char **argv);
#endif
