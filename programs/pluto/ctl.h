/* The control socket: accepts whack requests, runs each through the
 * command table, and streams replies back. */
#ifndef PLUTO_CTL_H
#define PLUTO_CTL_H
#include <stdbool.h>
#include "whack.h"

struct pluto;

/* The control socket's limits (ctl.c; README "Control socket"). */
#define CTL_MAX_CLIENTS 32           /* connections open at once */
#define CTL_REQUEST_DEADLINE_S 5     /* to send a whole request */
#define CTL_WRITE_STALL_S 10         /* a reply nobody reads is dropped */
#define CTL_OUT_MAX (256u << 20)     /* replies queued for one client */

struct event;

/* A connected whack client. Commands that finish later (initiate) keep it
 * and call ctl_client_done() when they know the outcome. Replies are
 * queued and written as the socket takes them: nothing here blocks. */
struct ctl_client {
	int fd;
	struct pluto *pluto;
	unsigned pending;   /* outcomes still to come (several instances) */
	int worst;          /* the highest status reported so far */
	/* ctl.c's own */
	struct ctl_client *next;       /* every open client */
	struct event *rd, *wr, *deadline;
	uint8_t *in;                   /* the request as read so far */
	size_t in_len, in_want;
	struct whack_buf out;          /* reply records not yet written */
	size_t out_off;                /* of out: written already */
	bool finished;                 /* STATUS queued: close once written */
	bool broken;                   /* gone, or not reading: output dropped */
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
/* A JSON text of any size (no-op for NULL): records of at most
 * WHACK_REPLY_MAX bytes, each but the last ending with a newline of the
 * text, so a tool prints them one after the other. */
void ctl_reply_json(struct ctl_client *cl, const char *json, size_t len);

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
int cmd_rereadcrls(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_listen(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_shutdown(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_ping(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_ddos(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_rekey(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_trafficstatus(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_globalstatus(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_metrics(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_debug(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_reopenlogs(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_listall(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
int cmd_prune(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl);
#endif
