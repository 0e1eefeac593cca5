/* Control socket: AF_UNIX stream at RUNDIR/pluto.ctl, mode 0600. One
 * request per connection; replies are LINE/JSON records and a final STATUS
 * (lib/libwhack).
 *
 * Every client socket is non-blocking and driven by libevent: the request
 * is read as it arrives and must be whole within CTL_REQUEST_DEADLINE_S;
 * replies are queued and written as the client takes them, and a client
 * that takes nothing for CTL_WRITE_STALL_S loses its output. At most
 * CTL_MAX_CLIENTS are open at once; one more is told so and closed. So a
 * slow or stuck tool never stops the daemon. */
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
#include "log.h"
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
	{ WHACK_TRAFFICSTATUS, cmd_trafficstatus },
	{ WHACK_GLOBALSTATUS, cmd_globalstatus },
	{ WHACK_METRICS, cmd_metrics },
	{ WHACK_DEBUG, cmd_debug },
	{ WHACK_REOPENLOGS, cmd_reopenlogs },
	{ WHACK_LISTALL, cmd_listall },
	{ WHACK_PRUNE, cmd_prune },
	{ WHACK_REREADCRLS, cmd_rereadcrls },
};

#define STR(x) #x
#define XSTR(x) STR(x)

static struct ctl_client *clients;   /* one pluto per process */
static unsigned n_clients;

static void client_free(struct ctl_client *cl)
{
	for (struct ctl_client **pp = &clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			n_clients--;
			break;
		}
	}
	if (cl->rd != NULL)
		event_free(cl->rd);
	if (cl->wr != NULL)
		event_free(cl->wr);
	if (cl->deadline != NULL)
		event_free(cl->deadline);
	close(cl->fd);
	free(cl->in);
	whack_buf_free(&cl->out);
	free(cl);
}

/* Output is dropped from now on; the client itself stays until its
 * command is done with it (loggers and SAs may still point at it). */
static void client_break(struct ctl_client *cl, const char *why)
{
	if (!cl->broken && why != NULL)
		llog(&cl->pluto->logger, RC_WARNING, "control socket: %s", why);
	cl->broken = true;
	cl->out.len = 0;
	cl->out_off = 0;
	if (cl->wr != NULL)
		event_del(cl->wr);
}

/* Writes what the socket takes now. Returns false when the client was
 * freed (finished and nothing left, or broken). */
static bool client_flush(struct ctl_client *cl)
{
	bool progress = false;
	while (!cl->broken && cl->out_off < cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.data + cl->out_off, cl->out.len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			cl->out_off += (size_t)n;
			progress = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* the stall timeout starts again only when the client
			 * took some: more lines queued for one that reads
			 * nothing do not keep it */
			if (progress || !event_pending(cl->wr, EV_WRITE, NULL)) {
				struct timeval tv = { CTL_WRITE_STALL_S, 0 };
				event_add(cl->wr, &tv);
			}
			return true;
		}
		/* EPIPE, ECONNRESET: the tool has gone; not worth a warning */
		client_break(cl, NULL);
	}
	cl->out.len = 0;
	cl->out_off = 0;
	if (cl->wr != NULL)
		event_del(cl->wr);
	if (cl->finished) {
		client_free(cl);
		return false;
	}
	return true;
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	struct ctl_client *cl = arg;
	if (what & EV_TIMEOUT) {
		client_break(cl, "a client did not read its reply for "
			     XSTR(CTL_WRITE_STALL_S) " s; its output is dropped");
		if (cl->finished)
			client_free(cl);
		return;
	}
	client_flush(cl);
}

/* Queue one record; false when it is not a valid record. */
static bool client_put(struct ctl_client *cl, enum whack_reply_type type,
		       const char *text, size_t len, int status)
{
	if (cl->broken || cl->finished)
		return true;
	/* the written part goes first so the queue does not creep */
	if (cl->out_off > 0 && (cl->out_off == cl->out.len || cl->out_off >= cl->out.len / 2)) {
		memmove(cl->out.data, cl->out.data + cl->out_off, cl->out.len - cl->out_off);
		cl->out.len -= cl->out_off;
		cl->out_off = 0;
	}
	size_t before = cl->out.len;
	err_t e = type == WHACK_REPLY_STATUS ? whack_reply_put_status(&cl->out, status)
					     : whack_reply_put(&cl->out, type, text, len);
	if (e != NULL) {
		if (cl->out.len == before && cl->out.len + WHACK_REPLY_HDR_LEN + len > cl->out.max) {
			char why[128];
			snprintf(why, sizeof(why), "a client left more than %u MiB of replies "
				 "unread; its output is dropped", CTL_OUT_MAX >> 20);
			client_break(cl, why);
			return true;
		}
		llog(&cl->pluto->logger, RC_WARNING, "control socket: reply not sent: %s", e);
		return false;
	}
	return true;
}

void ctl_reply(struct ctl_client *cl, const char *fmt, ...)
{
	if (cl == NULL || cl->finished)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* a newline would make the record invalid: it ends the line */
	line[strcspn(line, "\n")] = '\0';
	if (client_put(cl, WHACK_REPLY_LINE, line, strlen(line), 0))
		client_flush(cl);   /* never frees: not finished */
}

void ctl_reply_json(struct ctl_client *cl, const char *json, size_t len)
{
	if (cl == NULL || cl->finished)
		return;
	while (len > 0) {
		size_t n = len;
		if (n > WHACK_REPLY_MAX) {
			/* cut after the last newline that fits; a longer line is
			 * cut where it must (the tool's output then has a newline
			 * inside it) */
			n = WHACK_REPLY_MAX;
			const char *nl = memrchr(json, '\n', n);
			if (nl != NULL)
				n = (size_t)(nl - json) + 1;
		}
		if (!client_put(cl, WHACK_REPLY_JSON, json, n, 0))
			break;
		json += n;
		len -= n;
	}
	client_flush(cl);
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
	client_put(cl, WHACK_REPLY_STATUS, NULL, 0, cl->worst);
	cl->finished = true;
	client_flush(cl);   /* frees it once all is written */
}

/* The log lines of a logger whose whack_fd is a client's: queued on that
 * client; an fd that is no client's any more is not written to (it may
 * be another socket by now). */
static void whack_line_sink(int whack_fd, const char *line)
{
	for (struct ctl_client *cl = clients; cl != NULL; cl = cl->next) {
		if (cl->fd == whack_fd) {
			if (!cl->finished)
				ctl_reply(cl, "%s", line);
			return;
		}
	}
}

static int by_seq(const void *a, const void *b)
{
	const struct connection *x = *(struct connection *const *)a, *y = *(struct connection *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

unsigned ctl_for_conns(struct pluto *p, const char *name,
		       void (*fn)(struct pluto *p, struct connection *c, void *ctx), void *ctx)
{
	struct connection *c = connections_find(&p->conns, name);
	if (c != NULL) {
		fn(p, c, ctx);
		return 1;
	}
	/* the instances NAME/... and NAME#..., in the order they were added
	 * (fn may remove c: they are collected first) */
	size_t n = 0, cap = 0;
	struct connection **all = NULL;
	for (c = connections_family_first(&p->conns, name); c != NULL;
	     c = connections_family_next(c, name)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			all = realloc(all, cap * sizeof(*all));
			if (all == NULL)
				abort();
		}
		all[n++] = c;
	}
	qsort(all, n, sizeof(*all), by_seq);
	for (size_t i = 0; i < n; i++)
		fn(p, all[i], ctx);
	free(all);
	return (unsigned)n;
}


static void run_request(struct ctl_client *cl, const uint8_t *buf, size_t len)
{
	struct pluto *p = cl->pluto;
	struct whack_msg m;
	err_t e = whack_decode(buf, len, &m);
	if (e != NULL) {
		llog(&p->logger, RC_WARNING, "control socket: bad request: %s", e);
		ctl_reply(cl, "bad whack request: %s", e);
		ctl_client_done(cl, WHACK_STATUS_BAD);
		return;
	}
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

/* A request that cannot be read: log, tell the client, close. */
static void refuse_request(struct ctl_client *cl, const char *why)
{
	llog(&cl->pluto->logger, RC_WARNING, "control socket: bad request: %s", why);
	ctl_reply(cl, "bad whack request: %s", why);
	ctl_client_done(cl, WHACK_STATUS_BAD);
}

/* Reads what has arrived of the request: the header, which says how long
 * the rest is, then the rest; then runs it. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct ctl_client *cl = arg;
	ssize_t n = read(fd, cl->in + cl->in_len, cl->in_want - cl->in_len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		event_del(cl->rd);
		event_del(cl->deadline);
		client_break(cl, NULL);
		ctl_client_done(cl, WHACK_STATUS_BAD);
		return;
	}
	if (n == 0) {
		event_del(cl->rd);
		event_del(cl->deadline);
		refuse_request(cl, cl->in_len < WHACK_HDR_LEN ?
			       "connection closed before a whole header" :
			       "connection closed mid-request");
		return;
	}
	cl->in_len += (size_t)n;
	if (cl->in_len < cl->in_want)
		return;
	if (cl->in_want == WHACK_HDR_LEN) {
		size_t total;
		err_t e = whack_request_length(cl->in, WHACK_HDR_LEN, &total);
		if (e != NULL) {
			event_del(cl->rd);
			event_del(cl->deadline);
			refuse_request(cl, e);
			return;
		}
		if (total > WHACK_HDR_LEN) {
			uint8_t *grown = realloc(cl->in, total);
			if (grown == NULL)
				abort();
			cl->in = grown;
			cl->in_want = total;
			return;
		}
	}
	/* whole: anything more the client sends is not read, and the
	 * request's bytes need not wait for the (maybe late) outcome */
	event_del(cl->rd);
	event_del(cl->deadline);
	uint8_t *req = cl->in;
	size_t len = cl->in_len;
	cl->in = NULL;
	run_request(cl, req, len);   /* may free cl */
	free(req);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ctl_client *cl = arg;
	event_del(cl->rd);
	llog(&cl->pluto->logger, RC_WARNING,
	     "control socket: no whole request within " XSTR(CTL_REQUEST_DEADLINE_S)
	     " s (%zu of %zu bytes); closing the connection", cl->in_len, cl->in_want);
	ctl_reply(cl, "request not complete within " XSTR(CTL_REQUEST_DEADLINE_S) " s");
	ctl_client_done(cl, WHACK_STATUS_BAD);
}

/* One more than CTL_MAX_CLIENTS: the tool is told why, best effort, and
 * the connection closed. What it sent is read first so that the close
 * does not reset the connection before it reads the answer. */
static void refuse_busy(struct pluto *p, int fd)
{
	static struct log_limit busy_log = LOG_LIMIT_INIT("control socket busy");
	llog_limited(&busy_log, &p->logger, RC_WARNING,
		     "control socket: %u connections open already; refusing one more", n_clients);
	char sink[4096];
	for (int i = 0; i < 16 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;
	struct whack_buf b;
	whack_buf_init(&b, 4096);
	const char *line = "pluto is busy: too many control connections open; try again";
	if (whack_reply_put(&b, WHACK_REPLY_LINE, line, strlen(line)) == NULL &&
	    whack_reply_put_status(&b, WHACK_STATUS_REFUSED) == NULL) {
		ssize_t n = send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)n;
	}
	whack_buf_free(&b);
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct pluto *p = arg;
	/* a few per wakeup: the loop has other work too */
	for (int i = 0; i < 8; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				llog(&p->logger, RC_WARNING, "control socket: accept: %s",
				     strerror(errno));
			return;
		}
		if (n_clients >= CTL_MAX_CLIENTS) {
			refuse_busy(p, cfd);
			continue;
		}
		struct ctl_client *cl = calloc(1, sizeof(*cl));
		if (cl == NULL)
			abort();
		cl->fd = cfd;
		cl->pluto = p;
		cl->in_want = WHACK_HDR_LEN;
		cl->in = malloc(WHACK_HDR_LEN);
		if (cl->in == NULL)
			abort();
		whack_buf_init(&cl->out, CTL_OUT_MAX);
		cl->rd = event_new(p->base, cfd, EV_READ | EV_PERSIST, on_readable, cl);
		cl->wr = event_new(p->base, cfd, EV_WRITE, on_writable, cl);
		cl->deadline = evtimer_new(p->base, on_deadline, cl);
		if (cl->rd == NULL || cl->wr == NULL || cl->deadline == NULL)
			abort();
		cl->next = clients;
		clients = cl;
		n_clients++;
		struct timeval tv = { CTL_REQUEST_DEADLINE_S, 0 };
		event_add(cl->deadline, &tv);
		event_add(cl->rd, NULL);
	}
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
	log_set_whack_sink(whack_line_sink);
	p->ctl_event = event_new(p->base, fd, EV_READ | EV_PERSIST, on_accept, p);
	event_add(p->ctl_event, NULL);
	return true;
}

void ctl_close(struct pluto *p)
{
	/* the loop has ended: what is queued gets one more second (say,
	 * shutdown's own answer), then every client goes */
	while (clients != NULL) {
		struct ctl_client *cl = clients;
		if (!cl->broken && cl->out_off < cl->out.len) {
			struct timeval tv = { 1, 0 };
			int flags = fcntl(cl->fd, F_GETFL);
			if (flags >= 0)
				fcntl(cl->fd, F_SETFL, flags & ~O_NONBLOCK);
			setsockopt(cl->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			const uint8_t *at = cl->out.data + cl->out_off;
			size_t left = cl->out.len - cl->out_off;
			while (left > 0) {
				ssize_t n = send(cl->fd, at, left, MSG_NOSIGNAL);
				if (n <= 0)
					break;
				at += n;
				left -= (size_t)n;
			}
		}
		client_free(cl);
	}
	log_set_whack_sink(NULL);
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
