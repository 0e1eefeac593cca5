/* libunbound, driven by the event loop through its file descriptor.
 *
 * libunbound works in a thread of its own (ub_ctx_async(ctx, 1)), started
 * at the first lookup, after the capabilities are dropped; its answers
 * come back through ub_fd() and are handed out on the main thread by
 * ub_process(). (Its other mode forks a copy of pluto, with pluto's
 * sockets and keys in it; used only when libunbound has no threads.)
 * Lookups still pending at shutdown get their callback with an error.
 *
 * A libunbound context reads /etc/hosts and /etc/resolv.conf once, before
 * its first lookup, and cannot read them again. So a lookup made after
 * either file changed goes to a new context that reads them; the old one
 * answers its pending lookups and then goes (at most DNS_RETIRED_MAX wait
 * so; beyond that the newest context goes on serving). */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unbound.h>
#include "dns.h"
#include "log.h"
#include "pluto.h"

#define HOSTS_FILE "/etc/hosts"
#define RESOLV_FILE "/etc/resolv.conf"
#define DNS_RETIRED_MAX 4

/* What a file looked like: a change of any of these is a change. */
struct stamp {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct resolver {
	struct pluto *p;
	struct ub_ctx *ctx;
	struct event *ev;
	unsigned pending;            /* its lookups not answered yet */
	bool processing;             /* in ub_process(): not to be freed */
	struct stamp hosts, resolv;  /* the files as it read them */
	struct resolver *next;       /* retired ones */
};

struct lookup {
	struct resolver *r;
	dns_fn *fn;
	void *arg;
	enum ip_family family;
	struct lookup *next, *prev;   /* pending */
};

struct dns {
	struct resolver *cur;        /* where new lookups go; NULL: none */
	struct resolver *retired;    /* replaced, answering what they have */
	unsigned n_retired;
	struct lookup *pending;
};

static void take_stamp(const char *path, struct stamp *s)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	if (stat(path, &st) != 0)
		return;
	s->exists = true;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
}

static bool same_stamp(const struct stamp *a, const struct stamp *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void unlink_lookup(struct dns *d, struct lookup *l)
{
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		d->pending = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

static void resolver_free(struct resolver *r)
{
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);   /* no callback after this */
	free(r);
}

/* A retired resolver with nothing pending goes. */
static void reap(struct dns *d, struct resolver *r)
{
	if (r == d->cur || r->pending > 0 || r->processing)
		return;
	for (struct resolver **pp = &d->retired; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			d->n_retired--;
			resolver_free(r);
			return;
		}
	}
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct resolver *r = arg;
	struct pluto *p = r->p;
	r->processing = true;   /* a callback may retire r (a new lookup) */
	ub_process(r->ctx);
	r->processing = false;
	if (p->dns != NULL)
		reap(p->dns, r);
}

static void on_result(void *arg, int err, struct ub_result *res)
{
	struct lookup *l = arg;
	ip_address a = { 0 };
	const char *why = NULL;
	if (err != 0) {
		why = ub_strerror(err);
	} else if (!res->havedata) {
		why = res->nxdomain ? "no such name" :
		      res->rcode == 2 ? "the DNS server failed to answer (SERVFAIL)" :
		      l->family == IP_V6 ? "no IPv6 address (AAAA) for that name" :
					   "no IPv4 address (A) for that name";
	} else {
		size_t want = l->family == IP_V6 ? 16 : 4;
		if ((size_t)res->len[0] != want) {
			why = "malformed answer";
		} else {
			a.family = (uint8_t)l->family;
			memcpy(a.bytes, res->data[0], want);
		}
	}
	if (res != NULL)
		ub_resolve_free(res);
	struct pluto *p = l->r->p;
	l->r->pending--;
	unlink_lookup(p->dns, l);
	l->fn(p, l->arg, why ? NULL : &a, why);
	free(l);
}

/* A context that has read the files as they are now; NULL (logged) when
 * libunbound cannot make one. */
static struct resolver *resolver_new(struct pluto *p)
{
	struct resolver *r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	r->p = p;
	take_stamp(HOSTS_FILE, &r->hosts);
	take_stamp(RESOLV_FILE, &r->resolv);
	r->ctx = ub_ctx_create();
	if (r->ctx == NULL) {
		llog(&p->logger, RC_WARNING, "cannot start the DNS resolver");
		free(r);
		return NULL;
	}
	int rc = ub_ctx_async(r->ctx, 1);
	if (rc != 0) {
		ldbg(&p->logger, DBG_DNS, "libunbound without threads (%s): it forks", ub_strerror(rc));
		ub_ctx_async(r->ctx, 0);
	}
	if ((rc = ub_ctx_resolvconf(r->ctx, NULL)) != 0)
		llog(&p->logger, RC_WARNING, "DNS: cannot use " RESOLV_FILE ": %s", ub_strerror(rc));
	if ((rc = ub_ctx_hosts(r->ctx, NULL)) != 0)
		llog(&p->logger, RC_WARNING, "DNS: cannot use " HOSTS_FILE ": %s", ub_strerror(rc));
	r->ev = event_new(p->base, ub_fd(r->ctx), EV_READ | EV_PERSIST, on_readable, r);
	event_add(r->ev, NULL);
	return r;
}

bool dns_start(struct pluto *p)
{
	struct dns *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	p->dns = d;
	d->cur = resolver_new(p);
	return d->cur != NULL;
}

void dns_stop(struct pluto *p)
{
	struct dns *d = p->dns;
	if (d == NULL)
		return;
	if (d->cur != NULL)
		resolver_free(d->cur);
	while (d->retired != NULL) {
		struct resolver *r = d->retired;
		d->retired = r->next;
		resolver_free(r);
	}
	while (d->pending != NULL) {
		struct lookup *l = d->pending;
		unlink_lookup(d, l);
		l->fn(p, l->arg, NULL, "pluto is shutting down");
		free(l);
	}
	free(d);
	p->dns = NULL;
}

/* The resolver for a new lookup: a new one when the files changed since
 * the current one read them. */
static struct resolver *current(struct pluto *p)
{
	struct dns *d = p->dns;
	struct resolver *cur = d->cur;
	if (cur == NULL || d->n_retired + 1 > DNS_RETIRED_MAX)
		return cur;
	struct stamp hosts, resolv;
	take_stamp(HOSTS_FILE, &hosts);
	take_stamp(RESOLV_FILE, &resolv);
	if (same_stamp(&hosts, &cur->hosts) && same_stamp(&resolv, &cur->resolv))
		return cur;
	struct resolver *r = resolver_new(p);
	if (r == NULL)
		return cur;
	llog(&p->logger, RC_INFO, "DNS: %s changed: reading it again",
	     !same_stamp(&hosts, &cur->hosts) ? HOSTS_FILE : RESOLV_FILE);
	d->cur = r;
	cur->next = d->retired;
	d->retired = cur;
	d->n_retired++;
	reap(d, cur);
	return r;
}

void dns_lookup(struct pluto *p, const char *name, enum ip_family family, dns_fn *fn, void *arg)
{
	struct resolver *r = p->dns != NULL ? current(p) : NULL;
	if (r == NULL) {
		fn(p, arg, NULL, "the DNS resolver is not running");
		return;
	}
	struct lookup *l = calloc(1, sizeof(*l));
	if (l == NULL)
		abort();
	*l = (struct lookup){ r, fn, arg, family, p->dns->pending, NULL };
	if (l->next != NULL)
		l->next->prev = l;
	p->dns->pending = l;
	r->pending++;
	ldbg(&p->logger, DBG_DNS, "looking up %s (%s)", name, family == IP_V6 ? "AAAA" : "A");
	int rc = ub_resolve_async(r->ctx, name, family == IP_V6 ? 28 : 1, 1, l, on_result, NULL);
	if (rc != 0) {
		r->pending--;
		unlink_lookup(p->dns, l);
		free(l);
		fn(p, arg, NULL, ub_strerror(rc));
	}
}
