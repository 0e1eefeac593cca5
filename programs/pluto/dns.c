/* libunbound, driven by the event loop through its file descriptor.
 *
 * libunbound works in a thread of its own (ub_ctx_async(ctx, 1)), started
 * at the first lookup, after the capabilities are dropped; its answers
 * come back through ub_fd() and are handed out on the main thread by
 * ub_process(). (Its other mode forks a copy of pluto, with pluto's
 * sockets and keys in it; used only when libunbound has no threads.)
 * Lookups still pending at shutdown get their callback with an error. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include "dns.h"
#include "log.h"
#include "pluto.h"

struct lookup {
	struct pluto *p;
	dns_fn *fn;
	void *arg;
	enum ip_family family;
	struct lookup *next, *prev;   /* pending */
};

struct dns {
	struct ub_ctx *ctx;
	struct event *ev;
	struct lookup *pending;
};

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

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pluto *p = arg;
	ub_process(p->dns->ctx);
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
	unlink_lookup(l->p->dns, l);
	l->fn(l->p, l->arg, why ? NULL : &a, why);
	free(l);
}

bool dns_start(struct pluto *p)
{
	struct dns *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	p->dns = d;
	d->ctx = ub_ctx_create();
	if (d->ctx == NULL) {
		llog(&p->logger, RC_WARNING, "cannot start the DNS resolver");
		return false;
	}
	int rc = ub_ctx_async(d->ctx, 1);
	if (rc != 0) {
		ldbg(&p->logger, DBG_DNS, "libunbound without threads (%s): it forks", ub_strerror(rc));
		ub_ctx_async(d->ctx, 0);
	}
	if ((rc = ub_ctx_resolvconf(d->ctx, NULL)) != 0)
		llog(&p->logger, RC_WARNING, "DNS: cannot use /etc/resolv.conf: %s", ub_strerror(rc));
	if ((rc = ub_ctx_hosts(d->ctx, NULL)) != 0)
		llog(&p->logger, RC_WARNING, "DNS: cannot use /etc/hosts: %s", ub_strerror(rc));
	d->ev = event_new(p->base, ub_fd(d->ctx), EV_READ | EV_PERSIST, on_readable, p);
	event_add(d->ev, NULL);
	return true;
}

void dns_stop(struct pluto *p)
{
	struct dns *d = p->dns;
	if (d == NULL)
		return;
	if (d->ev != NULL)
		event_free(d->ev);
	if (d->ctx != NULL)
		ub_ctx_delete(d->ctx);   /* no callback after this */
	while (d->pending != NULL) {
		struct lookup *l = d->pending;
		unlink_lookup(d, l);
		l->fn(p, l->arg, NULL, "pluto is shutting down");
		free(l);
	}
	free(d);
	p->dns = NULL;
}

void dns_lookup(struct pluto *p, const char *name, enum ip_family family, dns_fn *fn, void *arg)
{
	if (p->dns == NULL || p->dns->ctx == NULL) {
		fn(p, arg, NULL, "the DNS resolver is not running");
		return;
	}
	struct lookup *l = calloc(1, sizeof(*l));
	if (l == NULL)
		abort();
	*l = (struct lookup){ p, fn, arg, family, p->dns->pending, NULL };
	if (l->next != NULL)
		l->next->prev = l;
	p->dns->pending = l;
	ldbg(&p->logger, DBG_DNS, "looking up %s (%s)", name, family == IP_V6 ? "AAAA" : "A");
	int rc = ub_resolve_async(p->dns->ctx, name, family == IP_V6 ? 28 : 1, 1, l, on_result, NULL);
	if (rc != 0) {
		unlink_lookup(p->dns, l);
		free(l);
		fn(p, arg, NULL, ub_strerror(rc));
	}
}
