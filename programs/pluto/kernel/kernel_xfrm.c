/* The XFRM backend: Linux IPsec SAs and policies over netlink (libmnl).
 *
 * Two sockets: one for requests, each answered by an ACK that is checked
 * (the kernel's errno and its extended-ACK text become the message), and
 * one subscribed to the ACQUIRE and EXPIRE multicast groups, non-blocking,
 * which the event loop watches.
 *
 * Everything added is remembered (SAs, SPIs allocated and not yet filled,
 * policies) so that shutdown removes exactly what this process installed
 * and nothing else. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include "kernel/kernel_table.h"
#include "kernel/kernel_xfrm_msg.h"

#define REPLY_TIMEOUT_SECONDS 5
#define EVENT_RCVBUF (1u << 20)

/* What this process installed, to remove exactly that at shutdown. */
struct tracked_sa {
	struct kernel_table_entry link;   /* in xfrm_kernel.sas */
	struct kernel_sa_id id;
	bool larval;                      /* an SPI from ALLOCSPI, not filled yet */
};

struct tracked_policy {
	struct kernel_table_entry link;   /* in xfrm_kernel.pols */
	struct kernel_policy p;
};

struct xfrm_kernel {
	struct kernel_base base;
	struct mnl_socket *req;
	struct mnl_socket *ev;
	uint32_t req_portid;
	uint32_t seq;
	struct kernel_table sas;          /* by proto, SPI, dst */
	struct kernel_table pols;         /* by direction, selector */
	/* receive buffers (the kernel is used from the event loop only) */
	char reply[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	char events[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static struct xfrm_kernel *xk(struct kernel *k)
{
	return (struct xfrm_kernel *)k;
}

/* ---- tracking ------------------------------------------------------------- */

static struct tracked_sa *find_sa(struct xfrm_kernel *x, const struct kernel_sa_id *id)
{
	uint32_t h = kernel_sa_key_hash(id->proto, id->spi, &id->dst);
	for (struct kernel_table_entry *e = kernel_table_chain(&x->sas, h); e != NULL; e = e->next) {
		struct tracked_sa *t = kernel_table_container(e, struct tracked_sa, link);
		if (e->hash == h && t->id.proto == id->proto && t->id.spi == id->spi &&
		    address_eq(&t->id.dst, &id->dst))
			return t;
	}
	return NULL;
}

static struct tracked_policy *find_policy(struct xfrm_kernel *x, const struct kernel_policy *p)
{
	uint32_t h = kernel_policy_key_hash(p->dir, &p->sel);
	for (struct kernel_table_entry *e = kernel_table_chain(&x->pols, h); e != NULL; e = e->next) {
		struct tracked_policy *t = kernel_table_container(e, struct tracked_policy, link);
		if (e->hash == h && t->p.dir == p->dir && kernel_selector_eq(&t->p.sel, &p->sel))
			return t;
	}
	return NULL;
}

static void track_sa(struct xfrm_kernel *x, const struct kernel_sa_id *id, bool larval)
{
	struct tracked_sa *t = calloc(1, sizeof(*t));
	if (t == NULL)
		abort();
	t->id = *id;
	t->larval = larval;
	kernel_table_insert(&x->sas, &t->link, kernel_sa_key_hash(id->proto, id->spi, &id->dst));
}

static void untrack_sa(struct xfrm_kernel *x, struct tracked_sa *t)
{
	if (t == NULL)
		return;
	kernel_table_remove(&x->sas, &t->link);
	free(t);
}

static void track_policy(struct xfrm_kernel *x, const struct kernel_policy *p)
{
	struct tracked_policy *t = find_policy(x, p);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			abort();
		kernel_table_insert(&x->pols, &t->link, kernel_policy_key_hash(p->dir, &p->sel));
	}
	t->p = *p;
}

static void untrack_policy(struct xfrm_kernel *x, struct tracked_policy *t)
{
	if (t == NULL)
		return;
	kernel_table_remove(&x->pols, &t->link);
	free(t);
}

/* ---- requests ------------------------------------------------------------- */

/* Sends nlh and reads until its ACK; messages answering it (GETSA,
 * ALLOCSPI) go to reply. Returns 0 or a positive errno; extack gets the
 * kernel's own text, if any. */
static int transact(struct xfrm_kernel *x, struct nlmsghdr *nlh,
		    bool (*reply)(const struct nlmsghdr *, void *), void *arg,
		    char *extack, size_t extack_size)
{
	extack[0] = '\0';
	nlh->nlmsg_seq = ++x->seq;
	bool keys = nlh->nlmsg_type == XFRM_MSG_NEWSA || nlh->nlmsg_type == XFRM_MSG_UPDSA;
	if (dbg(DBG_RAW) && (!keys || dbg(DBG_PRIVATE)))   /* SA requests hold keys */
		ldbg_hex(&x->base.logger, DBG_RAW, "netlink request", nlh, nlh->nlmsg_len);
	if (mnl_socket_sendto(x->req, nlh, nlh->nlmsg_len) < 0)
		return errno ? errno : EIO;
	char *buf = x->reply;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(x->req, buf, sizeof(x->reply));
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			return (e == EAGAIN || e == EWOULDBLOCK) ? ETIMEDOUT : e;
		}
		int len = (int)n;
		for (const struct nlmsghdr *m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq || m->nlmsg_pid != x->req_portid)
				continue;   /* a late answer to an earlier request */
			if (m->nlmsg_type == NLMSG_ERROR) {
				int err = EIO;
				if (!xfrm_parse_error(m, &err, extack, extack_size))
					return EPROTO;
				return err;
			}
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply != NULL && !reply(m, arg))
				return EPROTO;
		}
	}
}

/* "cannot VERB WHAT: strerror[: extack][ (hint)]" */
static err_t fail(struct kernel_diag *d, int err, const char *verb, const char *what,
		  const char *extack, const char *hint)
{
	return kernel_diag_set(d, err, "cannot %s %s: %s%s%s%s%s%s", verb, what, strerror(err),
			       extack[0] ? " (kernel: " : "", extack, extack[0] ? ")" : "",
			       hint ? " " : "", hint ? hint : "");
}

static const char *sa_hint(int err, const struct kernel_sa *sa, char *buf, size_t size)
{
	switch (err) {
	case EPROTONOSUPPORT:
		snprintf(buf, size, "(this kernel has no %s: use the UML test harness or --kernel none)",
			 kernel_proto_name(sa->proto));
		return buf;
	case ENOSYS:
	case ENOENT: {
		const struct kernel_alg *e = kernel_alg_find(sa->encr), *a = kernel_alg_find(sa->integ);
		snprintf(buf, size, "(does this kernel have %s%s%s?)", e ? e->kernel_name : "",
			 e && a ? " and " : "", a ? a->kernel_name : "");
		return buf;
	}
	case EEXIST:
		return "(an SA with this SPI is already installed)";
	case ESRCH:
		return "(no such SA)";
	case EPERM:
		return "(needs CAP_NET_ADMIN)";
	case ETIMEDOUT:
		return "(no answer from the kernel)";
	default:
		return NULL;
	}
}

static const char *policy_hint(int err)
{
	switch (err) {
	case EEXIST: return "(a policy with this selector and direction exists)";
	case ENOENT: return "(no such policy)";
	case EPERM: return "(needs CAP_NET_ADMIN)";
	case ETIMEDOUT: return "(no answer from the kernel)";
	default: return NULL;
	}
}

static int del_sa_request(struct xfrm_kernel *x, const struct kernel_sa_id *id, char *extack, size_t size)
{
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct kernel_diag d;
	struct nlmsghdr *nlh = xfrm_msg_sa_id(&buf, sizeof(buf), XFRM_MSG_DELSA, id, &d);
	if (nlh == NULL)
		return d.error;
	return transact(x, nlh, NULL, NULL, extack, size);
}

static int del_policy_request(struct xfrm_kernel *x, const struct kernel_policy *p, char *extack, size_t size)
{
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct kernel_diag d;
	struct nlmsghdr *nlh = xfrm_msg_policy_id(&buf, sizeof(buf), p, &d);
	if (nlh == NULL)
		return d.error;
	return transact(x, nlh, NULL, NULL, extack, size);
}

/* ---- ops ------------------------------------------------------------------ */

static struct mnl_socket *open_socket(unsigned groups, uint32_t *portid, int *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (nl == NULL) {
		*err = errno;
		return NULL;
	}
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		*err = errno;
		mnl_socket_close(nl);
		return NULL;
	}
	if (portid != NULL)
		*portid = mnl_socket_get_portid(nl);
	return nl;
}

static struct kernel *xfrm_init(const struct logger *lg, struct kernel_diag *d)
{
	struct xfrm_kernel *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->base.ops = &kernel_xfrm_ops;
	x->base.logger = *lg;
	int err = 0;
	x->req = open_socket(0, &x->req_portid, &err);
	if (x->req == NULL) {
		kernel_diag_set(d, err, "cannot open the XFRM netlink socket: %s%s", strerror(err),
				err == EPROTONOSUPPORT ? " (this kernel has no CONFIG_XFRM_USER: use --kernel none)" : "");
		free(x);
		return NULL;
	}
	int one = 1;
	int fd = mnl_socket_get_fd(x->req);
	/* Best effort: older kernels lack these; errors still come back. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_SECONDS };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	unsigned groups = (1u << (XFRMNLGRP_ACQUIRE - 1)) | (1u << (XFRMNLGRP_EXPIRE - 1));
	x->ev = open_socket(groups, NULL, &err);
	if (x->ev == NULL) {
		kernel_diag_set(d, err, "cannot subscribe to XFRM ACQUIRE/EXPIRE events: %s%s", strerror(err),
				err == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		mnl_socket_close(x->req);
		free(x);
		return NULL;
	}
	int evfd = mnl_socket_get_fd(x->ev);
	int flags = fcntl(evfd, F_GETFL);
	if (flags < 0 || fcntl(evfd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = errno;
		kernel_diag_set(d, err, "cannot make the XFRM event socket non-blocking: %s", strerror(err));
		mnl_socket_close(x->ev);
		mnl_socket_close(x->req);
		free(x);
		return NULL;
	}
	unsigned rcvbuf = EVENT_RCVBUF;
	(void)setsockopt(evfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return (struct kernel *)x;
}

static void xfrm_shutdown(struct kernel *k)
{
	struct xfrm_kernel *x = xk(k);
	char extack[160];
	/* Policies first, so no packet is dropped for lack of an SA. */
	struct kernel_table_cursor c;
	for (struct kernel_table_entry *e = kernel_table_first(&x->pols, &c); e != NULL;
	     e = kernel_table_next(&c)) {
		struct tracked_policy *t = kernel_table_container(e, struct tracked_policy, link);
		int err = del_policy_request(x, &t->p, extack, sizeof(extack));
		char what[KERNEL_POLICY_BUF];
		if (err == 0 || err == ENOENT)
			ldbg(&x->base.logger, DBG_KERNEL, "xfrm: shutdown removed %s%s",
			     str_kernel_policy(&t->p, what), err ? " (already gone)" : "");
		else
			llog(&x->base.logger, RC_WARNING, "cannot remove %s at shutdown: %s",
			     str_kernel_policy(&t->p, what), strerror(err));
		untrack_policy(x, t);
	}
	for (struct kernel_table_entry *e = kernel_table_first(&x->sas, &c); e != NULL;
	     e = kernel_table_next(&c)) {
		struct tracked_sa *t = kernel_table_container(e, struct tracked_sa, link);
		int err = del_sa_request(x, &t->id, extack, sizeof(extack));
		char what[KERNEL_SA_BUF];
		if (err == 0 || err == ESRCH)
			ldbg(&x->base.logger, DBG_KERNEL, "xfrm: shutdown removed %s%s",
			     str_kernel_sa_id(&t->id, what), err ? " (already gone)" : "");
		else
			llog(&x->base.logger, RC_WARNING, "cannot remove %s at shutdown: %s",
			     str_kernel_sa_id(&t->id, what), strerror(err));
		untrack_sa(x, t);
	}
	kernel_table_clear(&x->pols);
	kernel_table_clear(&x->sas);
	mnl_socket_close(x->ev);
	mnl_socket_close(x->req);
	free(x);
}

struct spi_reply {
	bool got;
	uint32_t spi;
};

static bool spi_reply(const struct nlmsghdr *m, void *arg)
{
	struct spi_reply *r = arg;
	struct xfrm_usersa_info info;
	if (!xfrm_parse_sa_info(m, &info))
		return false;
	r->got = true;
	r->spi = ntohl(info.id.spi);
	return true;
}

static err_t xfrm_get_spi(struct kernel *k, const struct kernel_spi_req *req, uint32_t *spi,
			  struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct nlmsghdr *nlh = xfrm_msg_allocspi(&buf, sizeof(buf), req, 0x100, 0xffffffffu, d);
	if (nlh == NULL)
		return d->text;
	struct spi_reply r = { false, 0 };
	char extack[160];
	int err = transact(x, nlh, spi_reply, &r, extack, sizeof(extack));
	if (err == 0 && !r.got)
		err = EPROTO;
	if (err != 0) {
		char what[2 * ADDRESS_BUF + 32], a[ADDRESS_BUF], b[ADDRESS_BUF];
		snprintf(what, sizeof(what), "an %s SPI for %s->%s", kernel_proto_name(req->proto),
			 str_address(&req->src, a), str_address(&req->dst, b));
		return fail(d, err, "allocate", what, extack, err == EPERM ? "(needs CAP_NET_ADMIN)" : NULL);
	}
	*spi = r.spi;
	struct kernel_sa_id id = { .src = req->src, .dst = req->dst, .proto = req->proto, .spi = r.spi };
	track_sa(x, &id, true);
	return NULL;
}

static err_t install_sa(struct kernel *k, const struct kernel_sa *sa, bool update, struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	struct tracked_sa *t = find_sa(x, &id);
	bool larval = t != NULL && t->larval;
	uint16_t type = (update || larval) ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA;
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct nlmsghdr *nlh = xfrm_msg_sa(&buf, sizeof(buf), type, sa, d);
	if (nlh == NULL)
		return d->text;
	char what[KERNEL_SA_BUF], extack[160], hint[160];
	int err = transact(x, nlh, NULL, NULL, extack, sizeof(extack));
	memset(&buf, 0, sizeof(buf));   /* the keys */
	if (err == 0) {
		if (t != NULL)
			t->larval = false;
		else
			track_sa(x, &id, false);
		return NULL;
	}
	fail(d, err, update ? "update" : "add", str_kernel_sa_id(&id, what), extack,
	     sa_hint(err, sa, hint, sizeof(hint)));
	if (larval) {
		/* Release the SPI's placeholder too: nothing half-installed. */
		char e2[160];
		int err2 = del_sa_request(x, &id, e2, sizeof(e2));
		size_t n = strlen(d->text);
		if (err2 == 0 || err2 == ESRCH)
			snprintf(d->text + n, sizeof(d->text) - n, "; SPI 0x%08x released", sa->spi);
		else
			snprintf(d->text + n, sizeof(d->text) - n, "; releasing SPI 0x%08x failed too: %s",
				 sa->spi, strerror(err2));
		untrack_sa(x, t);
	}
	return d->text;
}

static err_t xfrm_add_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	return install_sa(k, sa, false, d);
}

static err_t xfrm_update_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	return install_sa(k, sa, true, d);
}

static err_t xfrm_del_sa(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	char extack[160], what[KERNEL_SA_BUF];
	int err = del_sa_request(x, id, extack, sizeof(extack));
	if (err == 0 || err == ESRCH)
		untrack_sa(x, find_sa(x, id));
	if (err == 0)
		return NULL;
	return fail(d, err, "delete", str_kernel_sa_id(id, what), extack,
		    err == ESRCH ? "(no such SA)" : err == EPERM ? "(needs CAP_NET_ADMIN)" : NULL);
}

struct counters_reply {
	bool got;
	struct kernel_sa_counters *c;
};

static bool counters_reply(const struct nlmsghdr *m, void *arg)
{
	struct counters_reply *r = arg;
	struct xfrm_usersa_info info;
	if (!xfrm_parse_sa_info(m, &info))
		return false;
	xfrm_sa_info_counters(&info, r->c);
	r->got = true;
	return true;
}

static err_t xfrm_sa_counters(struct kernel *k, const struct kernel_sa_id *id,
			      struct kernel_sa_counters *c, struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct nlmsghdr *nlh = xfrm_msg_sa_id(&buf, sizeof(buf), XFRM_MSG_GETSA, id, d);
	if (nlh == NULL)
		return d->text;
	struct counters_reply r = { false, c };
	char extack[160];
	int err = transact(x, nlh, counters_reply, &r, extack, sizeof(extack));
	if (err == 0 && !r.got)
		err = EPROTO;
	if (err == 0)
		return NULL;
	char what[KERNEL_SA_BUF + 16], idb[KERNEL_SA_BUF];
	snprintf(what, sizeof(what), "counters of %s", str_kernel_sa_id(id, idb));
	return fail(d, err, "read", what, extack, err == ESRCH ? "(no such SA)" : NULL);
}

static err_t install_policy(struct kernel *k, const struct kernel_policy *p, bool replace,
			    struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	union { struct nlmsghdr h; char b[XFRM_MSG_BUF]; } buf;
	struct nlmsghdr *nlh = xfrm_msg_policy(&buf, sizeof(buf),
					       replace ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY, p, d);
	if (nlh == NULL)
		return d->text;
	char extack[160], what[KERNEL_POLICY_BUF];
	int err = transact(x, nlh, NULL, NULL, extack, sizeof(extack));
	if (err != 0)
		return fail(d, err, replace ? "replace" : "add", str_kernel_policy(p, what), extack,
			    policy_hint(err));
	track_policy(x, p);
	return NULL;
}

static err_t xfrm_add_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	return install_policy(k, p, false, d);
}

static err_t xfrm_replace_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	return install_policy(k, p, true, d);
}

static err_t xfrm_del_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	struct xfrm_kernel *x = xk(k);
	char extack[160], what[KERNEL_POLICY_BUF];
	int err = del_policy_request(x, p, extack, sizeof(extack));
	if (err == 0 || err == ENOENT)
		untrack_policy(x, find_policy(x, p));
	if (err == 0)
		return NULL;
	return fail(d, err, "delete", str_kernel_policy(p, what), extack, policy_hint(err));
}

static int xfrm_event_fd(struct kernel *k)
{
	return mnl_socket_get_fd(xk(k)->ev);
}

static void xfrm_process_events(struct kernel *k, kernel_event_cb *cb, void *arg)
{
	struct xfrm_kernel *x = xk(k);
	char *buf = x->events;
	int fd = mnl_socket_get_fd(x->ev);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(x->events), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				llog(&x->base.logger, RC_WARNING,
				     "kernel event queue overflowed: some ACQUIRE/EXPIRE events were lost");
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				llog(&x->base.logger, RC_WARNING, "reading XFRM events: %s", strerror(errno));
			return;
		}
		if (n == 0)
			return;
		int len = (int)n;
		for (const struct nlmsghdr *m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			struct kernel_event ev;
			if (!xfrm_parse_event(m, &ev)) {
				ldbg(&x->base.logger, DBG_KERNEL, "xfrm: ignored netlink message type %u",
				     m->nlmsg_type);
				continue;
			}
			if (ev.type == KERNEL_EVENT_EXPIRE && ev.hard) {
				/* The kernel has deleted it: nothing to remove at shutdown. */
				struct kernel_sa_id id = { .src = ev.src, .dst = ev.dst, .proto = ev.proto, .spi = ev.spi };
				untrack_sa(x, find_sa(x, &id));
			}
			cb(&ev, arg);
		}
	}
}

const struct kernel_ops kernel_xfrm_ops = {
	.name = "xfrm",
	.description = "Linux XFRM over netlink: SAs and policies in the kernel",
	.init = xfrm_init,
	.shutdown = xfrm_shutdown,
	.get_spi = xfrm_get_spi,
	.add_sa = xfrm_add_sa,
	.update_sa = xfrm_update_sa,
	.del_sa = xfrm_del_sa,
	.sa_counters = xfrm_sa_counters,
	.add_policy = xfrm_add_policy,
	.replace_policy = xfrm_replace_policy,
	.del_policy = xfrm_del_policy,
	.event_fd = xfrm_event_fd,
	.process_events = xfrm_process_events,
};
