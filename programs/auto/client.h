/* What the control-plane tools share: ipsec auto, ipsec whack and ipsec
 * setup. The code lives in programs/auto/client.c; programs/whack and
 * programs/setup compile it through a one-line client.c of their own
 * (`#include "../auto/client.c"`), since every programs/NAME directory is
 * built on its own.
 *
 * Exit statuses, the same for every tool:
 *   0    pluto's status 0 (or nothing went wrong)
 *   N    pluto's status N, when pluto answered with one
 *   1    pluto cannot be reached (the message names the socket path)
 *   2    usage errors, configuration errors
 */
#ifndef CYGNET_CLIENT_H
#define CYGNET_CLIENT_H
#include <stdbool.h>
#include <stdio.h>
#include "ipsecconf/conf.h"
#include "whack.h"

#define CLIENT_EXIT_OK          0
#define CLIENT_EXIT_UNREACHABLE 1
#define CLIENT_EXIT_USAGE       2

/* The control socket: ctlsocket when given, else RUNDIR/pluto.ctl when
 * rundir is given, else WHACK_CTL_PATH. Always a new string (free it). */
char *client_ctl_path(const char *ctlsocket, const char *rundir);

/* ---- a list of requests, built first and sent afterwards ---- */

struct whack_msgs {
	struct whack_msg *v;
	size_t n, cap;
};

/* Appends an initialised message (name may be NULL) and returns it. */
struct whack_msg *whack_msgs_push(struct whack_msgs *l, enum whack_command cmd,
				  const char *name);
void whack_msgs_free(struct whack_msgs *l);

/* ---- building requests from the configuration ---- */

/* A cmd (ADD or REPLACE) request named r->name carrying every resolved
 * key=value of r, in the compiler's canonical order. */
void client_push_conn(struct whack_msgs *l, enum whack_command cmd,
		      const struct resolved *r);

/* Resolves conn name and appends one cmd request per conn it stands for:
 * the conn itself, its leftsubnets= instances, or the instances of a
 * policy group (the template itself is not a conn and is not sent).
 * False when there is no such conn or it does not resolve (d says why).
 * *instances (may be NULL) gets the number of requests appended. */
bool client_build_conn(struct ipsecconf *conf, const char *name,
		       enum whack_command cmd, struct whack_msgs *out,
		       size_t *instances, struct diags *d);

/* What `ipsec addconn --autoall` does with one resolved conn, as
 * requests: auto=add: ADD; auto=route: ADD, ROUTE; auto=start: ADD,
 * INITIATE (asynchronous unless wait_start). Other auto= values and
 * policy-group templates give nothing. Returns the number appended. */
size_t client_plan_auto(struct whack_msgs *l, const struct resolved *r,
			bool wait_start);

/* ---- sending ---- */

/* Where replies go. lines counts the LINE and JSON records printed. */
struct client_out {
	FILE *out;
	unsigned records;
	bool quiet;          /* count, do not print */
};

/* whack_reply_fn: LINE records one a line, JSON records as they are
 * (followed by a newline); flushed at once, so progress shows. */
int client_print_reply(void *ctx, enum whack_reply_type type,
		       const char *text, size_t len);

/* Sends one request to the socket at ctl, printing the replies to out.
 * Returns pluto's status (0..255); -1 when pluto could not be reached or
 * the reply stream broke, -2 when the request itself is invalid (a
 * one-line message "PROG: ...", naming the socket, goes to errf). */
int client_send(const char *prog, const char *ctl, const struct whack_msg *m,
		struct client_out *out, FILE *errf);

/* whack_call() with a bound: connecting, sending and each read give up
 * after timeout_ms (SO_SNDTIMEO/SO_RCVTIMEO), so a pluto that accepts
 * but never answers cannot hang the caller. Same returns as whack_call(). */
int client_call_bounded(const char *ctl, const struct whack_msg *m,
			whack_reply_fn *cb, void *ctx, unsigned timeout_ms,
			char err[WHACK_ERR_BUF]);

/* True when pluto answers a PING on ctl with status 0 within timeout_ms.
 * Prints nothing; why (may be NULL) gets the reason when it does not. */
bool client_ping(const char *ctl, unsigned timeout_ms, char why[WHACK_ERR_BUF]);

/* One row of a --help table: "    HEAD  HELP", HEAD padded to width and
 * HELP wrapped at 79 columns. */
void client_help_row(FILE *out, const char *head, int width, const char *help);

/* A request as text, for --showonly and for tests:
 *   COMMAND [NAME] [(asynchronous)]
 *   	key=value          (one per ipsec.conf keyword)
 *   	option key=value   (one per command option) */
void client_msg_print(FILE *out, const struct whack_msg *m);
#endif
