/* The control-plane tools' shared part (see client.h): the socket path,
 * requests built from the configuration, and sending with replies shown
 * as they arrive. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "client.h"

char *client_ctl_path(const char *ctlsocket, const char *rundir)
{
	char *path = NULL;
	if (ctlsocket != NULL)
		path = strdup(ctlsocket);
	else if (rundir == NULL)
		path = strdup(WHACK_CTL_PATH);
	else if (asprintf(&path, "%s/pluto.ctl", rundir) < 0)
		path = NULL;
	if (path == NULL)
		abort();
	return path;
}

/* ---- the list ---- */

struct whack_msg *whack_msgs_push(struct whack_msgs *l, enum whack_command cmd,
				  const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct whack_msg *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			abort();
		l->v = v;
		l->cap = cap;
	}
	struct whack_msg *m = &l->v[l->n++];
	whack_msg_init(m, cmd);
	if (name != NULL)
		whack_msg_set_name(m, name);
	return m;
}

void whack_msgs_free(struct whack_msgs *l)
{
	for (size_t i = 0; i < l->n; i++)
		whack_msg_free(&l->v[i]);
	free(l->v);
	*l = (struct whack_msgs){ 0 };
}

/* ---- building ---- */

void client_push_conn(struct whack_msgs *l, enum whack_command cmd,
		      const struct resolved *r)
{
	struct whack_msg *m = whack_msgs_push(l, cmd, r->name);
	for (size_t i = 0; i < r->n_kv; i++)
		whack_msg_add_conn(m, r->kv[i].key, r->kv[i].value);
}

struct build_ctx {
	struct whack_msgs *out;
	enum whack_command cmd;
	size_t pushed;
};

/* The walker reuses its record: everything is copied here. */
static void build_one(const struct resolved *r, void *arg)
{
	struct build_ctx *c = arg;
	if (r->type != SECT_CONN || r->group)
		return;
	client_push_conn(c->out, c->cmd, r);
	c->pushed++;
}

bool client_build_conn(struct ipsecconf *conf, const char *name,
		       enum whack_command cmd, struct whack_msgs *out,
		       size_t *instances, struct diags *d)
{
	struct build_ctx c = { .out = out, .cmd = cmd };
	size_t before = out->n;
	bool ok = ipsecconf_walk_conn(conf, name, build_one, &c, d);
	if (!ok) {
		/* all or nothing: no half-built conn goes to pluto */
		for (size_t i = before; i < out->n; i++)
			whack_msg_free(&out->v[i]);
		out->n = before;
		c.pushed = 0;
	}
	if (instances != NULL)
		*instances = c.pushed;
	return ok;
}

size_t client_plan_auto(struct whack_msgs *l, const struct resolved *r,
			bool wait_start)
{
	/* the implicit conns are Openswan's opportunistic-encryption policy;
	 * this pluto does not do OE, so only a user's own conn of that name
	 * (which is not implicit) is applied */
	if (r->type != SECT_CONN || r->group || r->implicit)
		return 0;
	const char *a = resolved_value(r, "auto");
	if (a == NULL)
		return 0;
	bool route = strcmp(a, "route") == 0;
	bool start = strcmp(a, "start") == 0;
	if (!route && !start && strcmp(a, "add") != 0)
		return 0;
	client_push_conn(l, WHACK_ADD, r);
	if (route)
		whack_msgs_push(l, WHACK_ROUTE, r->name);
	if (start) {
		struct whack_msg *m = whack_msgs_push(l, WHACK_INITIATE, r->name);
		if (!wait_start)
			m->flags |= WHACK_FLAG_ASYNC;
	}
	return route || start ? 2 : 1;
}

/* ---- sending ---- */

int client_print_reply(void *ctx, enum whack_reply_type type,
		       const char *text, size_t len)
{
	struct client_out *o = ctx;
	o->records++;
	if (o->quiet || o->out == NULL)
		return 0;
	fwrite(text, 1, len, o->out);
	if (type != WHACK_REPLY_JSON || len == 0 || text[len - 1] != '\n')
		fputc('\n', o->out);
	fflush(o->out);
	return 0;
}

int client_send(const char *prog, const char *ctl, const struct whack_msg *m,
		struct client_out *out, FILE *errf)
{
	char err[WHACK_ERR_BUF];
	int rc = whack_call(ctl, m, client_print_reply, out, err);
	if (rc >= 0)
		return rc;
	fprintf(errf, "%s: %s\n", prog, err);
	return rc == -EINVAL ? -2 : -1;
}

int client_call_bounded(const char *ctl, const struct whack_msg *m,
			whack_reply_fn *cb, void *ctx, unsigned timeout_ms,
			char err[WHACK_ERR_BUF])
{
	err_t e = whack_msg_check(m);
	if (e != NULL) {
		snprintf(err, WHACK_ERR_BUF, "invalid whack request: %s", e);
		return -EINVAL;
	}
	int fd = whack_connect(ctl, err);
	if (fd < 0)
		return fd;
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	char why[WHACK_ERR_BUF];
	int rc = whack_send_request(fd, m, why);
	if (rc == 0) {
		shutdown(fd, SHUT_WR);
		rc = whack_read_replies(fd, cb, ctx, why);
	}
	if (rc < 0) {
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			snprintf(why, sizeof(why), "no answer within %u ms", timeout_ms);
		snprintf(err, WHACK_ERR_BUF, "pluto at %s: %.*s", ctl,
			 (int)(WHACK_ERR_BUF / 2), why);
	}
	close(fd);
	return rc;
}

bool client_ping(const char *ctl, unsigned timeout_ms, char why[WHACK_ERR_BUF])
{
	struct whack_msg m;
	whack_msg_init(&m, WHACK_PING);
	struct client_out quiet = { .quiet = true };
	char err[WHACK_ERR_BUF];
	int rc = client_call_bounded(ctl, &m, client_print_reply, &quiet, timeout_ms, err);
	whack_msg_free(&m);
	if (rc == 0)
		return true;
	if (why != NULL) {
		if (rc > 0)
			snprintf(why, WHACK_ERR_BUF, "pluto at %s answered status %d", ctl, rc);
		else
			snprintf(why, WHACK_ERR_BUF, "%s", err);
	}
	return false;
}

static void print_pairs(FILE *out, const struct whack_kvs *kvs, const char *prefix)
{
	for (size_t i = 0; i < kvs->n; i++)
		fprintf(out, "\t%s%s=%s\n", prefix, kvs->v[i].key, kvs->v[i].value);
}

void client_msg_print(FILE *out, const struct whack_msg *m)
{
	const struct whack_command_desc *c = whack_command_by_code(m->command);
	fputs(c != NULL ? c->name : "?", out);
	if (m->name != NULL)
		fprintf(out, " %s", m->name);
	if (m->flags & WHACK_FLAG_ASYNC)
		fputs(" (asynchronous)", out);
	fputc('\n', out);
	print_pairs(out, &m->conn, "");
	print_pairs(out, &m->options, "option ");
}

void client_help_row(FILE *out, const char *head, int width, const char *help)
{
	int indent = 4 + width + 1;
	int room = 79 - indent;
	if (room < 20)
		room = 20;
	fprintf(out, "    %-*s ", width, head);
	if ((int)strlen(head) > width)
		fprintf(out, "\n%*s", indent, "");
	while (*help != '\0') {
		int n = (int)strlen(help);
		if (n > room) {
			n = room;
			while (n > 0 && help[n] != ' ')
				n--;
			if (n == 0)
				n = (int)strcspn(help, " ");
		}
		fprintf(out, "%.*s\n", n, help);
		help += n;
		while (*help == ' ')
			help++;
		if (*help != '\0')
			fprintf(out, "%*s", indent, "");
	}
}
