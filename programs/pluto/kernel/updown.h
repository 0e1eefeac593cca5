/* updown: the conn's leftupdown= command, run with execve (never through
 * a shell line) with the Openswan PLUTO_* environment.
 *
 * The environment is ONE table (updown_env.c): each row is a variable's
 * name, a one-line description and the function computing its value
 * from a struct updown_ctx. The same table prints the documentation
 * (updown_doc), which `ipsec _updown --help` shows; a unit test keeps the
 * copy in programs/_updown/_updown.sh current. */
#ifndef PLUTO_UPDOWN_H
#define PLUTO_UPDOWN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "log.h"
#include "swan/address.h"
#include "swan/subnet.h"

enum updown_verb {
	UPDOWN_PREPARE,   /* before route: remove what may be in the way */
	UPDOWN_ROUTE,     /* trap policies installed (auto=route) */
	UPDOWN_UNROUTE,   /* trap policies removed */
	UPDOWN_UP,        /* Child SA established */
	UPDOWN_DOWN,      /* Child SA deleted */
};

/* What a conn's updown call knows. Strings may be NULL (= ""); an unset
 * address (family IP_UNSET) gives "". */
struct updown_ctx {
	const char *connection;     /* conn name */
	const char *interface;      /* "eth0": where the peer is reached */
	ip_address next_hop;        /* unset: the peer itself (same link) */
	ip_address me, peer;        /* IKE endpoints */
	const char *my_id, *peer_id;/* as text: "@west", "198.18.0.1" */
	ip_subnet my_client;        /* unset: the host itself (me/32) */
	ip_subnet peer_client;      /* unset: the peer host (peer/32) */
	uint8_t my_protocol, peer_protocol;   /* 0 = any */
	uint16_t my_port, peer_port;          /* 0 = any */
	const char *peer_ca;        /* issuer DN of the peer's certificate */
	unsigned metric;            /* leftmetric=; 0 = unset */
	unsigned mtu;               /* leftmtu=/mtu=; 0 = unset */
	const char *policy;         /* "PSK+ENCRYPT+TUNNEL+PFS" */
	char policy_buf[48];        /* where a caller may build policy */
	ip_address my_sourceip;     /* leftsourceip=; unset = none */
	const char *stack;          /* NULL: "netkey" (the XFRM stack) */
};

typedef void updown_value_fn(const struct updown_ctx *c, enum updown_verb verb,
			     char *buf, size_t size);

struct updown_var {
	const char *name;           /* "PLUTO_VERB" */
	const char *description;    /* one line */
	updown_value_fn *value;
};

extern const struct updown_var updown_vars[];
extern const size_t updown_vars_len;

#define UPDOWN_VERSION "2.0"   /* PLUTO_VERSION, as Openswan 2 */
#define UPDOWN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The client subnets as the ctx says, or the host (/32, /128). */
ip_subnet updown_my_client(const struct updown_ctx *c);
ip_subnet updown_peer_client(const struct updown_ctx *c);
/* "up-client", "route-host-v6": -host when my client is this host
 * itself, -client otherwise; -v6 when the client is IPv6. */
const char *updown_verb_name(enum updown_verb verb, const struct updown_ctx *c,
			     char *buf, size_t size);
/* The value of one variable ("" for an unknown name). */
const char *updown_value(const char *name, const struct updown_ctx *c, enum updown_verb verb,
			 char *buf, size_t size);

/* NULL-terminated "NAME=value" array: every table row once, then PATH.
 * Free with updown_env_free. */
char **updown_env(const struct updown_ctx *c, enum updown_verb verb);
void updown_env_free(char **env);

/* The table as text (the documentation). */
void updown_doc(FILE *out);

/* Splits a leftupdown= value into argv words on blanks; "double quotes"
 * group words, and inside them \" and \\ stand for " and \ (nothing
 * else is special). Returns a NULL-terminated array (free with
 * updown_argv_free), or NULL with why filled (empty command, unbalanced
 * quote). */
char **updown_split_argv(const char *command, char *why, size_t why_size);
void updown_argv_free(char **argv);

/* The default script: $IPSEC_EXECDIR/_updown (set by `ipsec`), else the
 * installed one. */
const char *updown_default_command(char *buf, size_t size);
/* "%disabled", "" and NULL mean: run nothing. */
bool updown_disabled(const char *command);

struct updown_result {
	bool ran;           /* the program started */
	int exit_status;    /* when it exited: its status */
	int signal;         /* when it was killed: the signal */
	bool timed_out;     /* killed after the time limit */
	char why[256];      /* one line when !ok */
};

/* Runs command (split as above; a first word without '/' is looked up in
 * UPDOWN_PATH, and "ipsec NAME ..." runs $IPSEC_EXECDIR/NAME when that
 * exists) with exactly the table's environment plus
 * PATH, stdin from /dev/null, stdout and stderr logged line by line under
 * lg ("updown VERB: LINE"), in its own process group, killed (TERM, then
 * KILL) when it outlives timeout_ms. Waits for it with waitpid on its
 * pid only. Returns true when it exited with status 0; logs the outcome
 * and fills r (may be NULL). A disabled command is not run: true. */
bool updown_run(const char *command, enum updown_verb verb, const struct updown_ctx *c,
		unsigned timeout_ms, const struct logger *lg, struct updown_result *r);
#endif
