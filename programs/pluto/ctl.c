/* Control socket: AF_UNIX stream at RUNDIR/pluto.ctl, mode 0600. One
 * request per connection; replies are LINE/JSON records and a final STATUS
 * (lib/libwhack). */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "ctl.h"
#include "pluto.h"

static const struct ctl_command commands[] = {
	{ WHACK_ADD, cmd_add },
	{ WHACK_DELETE, cmd_delete },
	{ WHACK_REPLACE, cmd_replace },
	{ WHACK_INITIATE, cmd_initiate },
	{ WHACK_TERMINATE, cmd_terminate },
	{ WHACK_ROUTE, cmd_route },
	{ WHACK_UNROUTE, cmd_unroute },
	{ WHACK_STATUS, cmd_status },
	{ WHACK_REREADSECRETS, cmd_rereadsecrets },
	{ WHACK_LISTEN, cmd_listen },
	{ WHACK_SHUTDOWN, cmd_shutdown },
	{ WHACK_PING, cmd_ping },
	{ WHACK_DDOS_BUSY, cmd_ddos },
	{ WHACK_DDOS_UNLIMITED, cmd_ddos },
	{ WHACK_DDOS_AUTO, cmd_ddos },
	{ WHACK_REKEY_IKE, cmd_rekey },
	{ WHACK_REKEY_CHILD, cmd_rekey },
};

void ctl_reply(struct ctl_client *cl, const char *fmt, ...)
{
	if (cl == NULL)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	whack_reply_line(cl->fd, line);
}

void ctl_client_done(struct ctl_client *cl, int status)
{
	if (cl == NULL)
		return;
	if (status > cl->worst)
		cl->worst = status;
	if (cl->pending > 1) {
		cl->pending--;
		return;
	}
	whack_reply_status(cl->fd, cl->worst);
	close(cl->fd);
	free(cl);
}

unsigned ctl_for_conns(struct pluto *p, const char *name,
		       void (*fn)(struct pluto *p, struct connection *c, void *ctx), void *ctx)
{
	struct connection *c = connections_find(&p->conns, name);
	if (c != NULL) {
		fn(p, c, ctx);
		return 1;
	}
	size_t len = strlen(name);
	unsigned n = 0;
	struct connection *next;
	for (c = p->conns.head; c != NULL; c = next) {
		next = c->next;   /* fn may remove c */
		if (strncmp(c->name, name, len) == 0 && (c->name[len] == '/' || c->name[len] == '#')) {
			fn(p, c, ctx);
			n++;
		}
	}
	return n;
}

static void on_request(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct pluto *p = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	/* the client sends its one request at once: do not let a silent one
	 * hold the daemon */
	struct timeval tv = { 2, 0 };
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	struct whack_msg m;
	char err[WHACK_ERR_BUF];
	if (whack_read_request(cfd, WHACK_MSG_MAX, &m, err) != 0) {
		llog(&p->logger, RC_WARNING, "control socket: bad request: %s", err);
		whack_reply_line(cfd, err);
		whack_reply_status(cfd, WHACK_STATUS_BAD);
		close(cfd);
		return;
	}
	struct ctl_client *cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		abort();
	cl->fd = cfd;
	cl->pluto = p;
	cl->pending = 1;
	int status = WHACK_STATUS_BAD;
	bool found = false;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].code == m.command) {
			found = true;
			status = commands[i].run(p, &m, cl);
			break;
		}
	}
	if (!found)
		ctl_reply(cl, "command %u is not known to this pluto", m.command);
	whack_msg_free(&m);
	if (status != CMD_PENDING)
		ctl_client_done(cl, status);
}

/* Another pluto already listening there? */
static bool someone_answers(const char *path)
{
	char err[WHACK_ERR_BUF];
	int fd = whack_connect(path, err);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool ctl_open(struct pluto *p)
{
	const struct pluto_options *o = &p->opts;
	if (mkdir(o->rundir, 0755) != 0 && errno != EEXIST) {
		llog(&p->logger, RC_ERROR, "cannot create run directory %s: %s", o->rundir,
		     strerror(errno));
		return false;
	}
	snprintf(p->ctl_path, sizeof(p->ctl_path), "%s/pluto.ctl", o->rundir);
	if (someone_answers(p->ctl_path)) {
		llog(&p->logger, RC_ERROR, "another pluto is running with control socket %s",
		     p->ctl_path);
		p->ctl_path[0] = '\0';   /* not ours to remove */
		return false;
	}
	unlink(p->ctl_path);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(p->ctl_path) >= sizeof(sun.sun_path)) {
		llog(&p->logger, RC_ERROR, "control socket path too long: %s", p->ctl_path);
		return false;
	}
	strcpy(sun.sun_path, p->ctl_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	mode_t old = umask(0177);   /* the socket is created 0600 */
	int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || chmod(p->ctl_path, 0600) != 0 || listen(fd, 16) != 0) {
		llog(&p->logger, RC_ERROR, "cannot listen on %s: %s", p->ctl_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	p->ctl_fd = fd;
	p->ctl_event = event_new(p->base, fd, EV_READ | EV_PERSIST, on_request, p);
	event_add(p->ctl_event, NULL);
	return true;
}

void ctl_close(struct pluto *p)
{
	if (p->ctl_event != NULL) {
		event_free(p->ctl_event);
		p->ctl_event = NULL;
	}
	if (p->ctl_fd > 0) {
		close(p->ctl_fd);
		p->ctl_fd = -1;
	}
	if (p->ctl_path[0] != '\0')
		unlink(p->ctl_path);
}
