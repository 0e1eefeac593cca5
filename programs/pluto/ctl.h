/* The control socket: accepts whack requests, runs each through the
 * command table, and streams replies back. */
#ifndef PLUTO_CTL_H
#define PLUTO_CTL_H
#include <stdbool.h>
#include "whack.h"

struct pluto;

/* A connected whack client. Commands that finish later (initiate) keep it
 * and call ctl_client_done() when they know the outcome. */
struct ctl_client {
	int fd;
	struct pluto *pluto;
	unsigned pending;   /* outcomes still to come (several instances) */
	int worst;          /* the highest status reported so far */
};

/* What a command returns: an exit status (0..255) for the client now,
 * or CMD_PENDING when it replied nothing yet and keeps the client. */
#define CMD_PENDING (-1)

struct ctl_command {
	enum whack_command code;
	int (*run)(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
};

/* Binds rundir/pluto.ctl (mode 0600) and watches it; false with a message
 * when another pluto answers there or the socket cannot be made. */
bool ctl_open(struct pluto *p);
void ctl_close(struct pluto *p);

/* Reports one outcome; the last of cl->pending sends the worst status and
 * frees the client. */
void ctl_client_done(struct ctl_client *cl, int status);

/* Calls fn for conn NAME, or, when there is none of that name, for each of
 * its instances (NAME/LxR, NAME#CIDR). Returns how many it found. */
struct connection;
unsigned ctl_for_conns(struct pluto *p, const char *name,
		       void (*fn)(struct pluto *p, struct connection *c, void *ctx), void *ctx);
/* One line of text to the client (no-op for NULL). */
void ctl_reply(struct ctl_client *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The commands (one file each). */
int cmd_add(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_delete(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_replace(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_initiate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_terminate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_route(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_unroute(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_status(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_rereadsecrets(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_listen(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_shutdown(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_ping(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_ddos(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_rekey(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
#endif
