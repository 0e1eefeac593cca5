/* Writers of a translation: ipsec.conf (complete or a fragment for
 * include), ipsec.secrets, rinetd.conf, and the replayed stores as JSON. */
#ifndef NETSH_WRITERS_H
#define NETSH_WRITERS_H
#include <stdbool.h>
#include <stdio.h>
#include "netsh/conn.h"
#include "netsh/replay.h"

struct write_opts {
	bool fragment;                /* no "version 2" and no config setup */
	const char *const *inputs;    /* the scripts, for the header */
	size_t ninputs;
};

void write_ipsec_conf(FILE *f, const struct output *o, const struct write_opts *w);
void write_secrets(FILE *f, const struct output *o, const struct write_opts *w);
void write_rinetd(FILE *f, const struct output *o, const struct write_opts *w);
void write_stores_json(FILE *f, const struct replay *r);
#endif
