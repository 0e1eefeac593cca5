/* libunbound, driven by the event loop through its file descriptor. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include "dns.h"
#include "log.h"
#include "pluto.h"

struct dns {
	struct ub_ctx *ctx;
	struct event *ev;
};

struct lookup {
	struct pluto *p;
	dns_fn *fn;
	void *arg;
	enum ip_family family;
};

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
		why = res->nxdomain ? "no such name" : "no address of that family";
	} else {
		size_t want = l->family == IP_V6 ? 16 : 4;
		if ((size_t)res->len[0] != want) {
			why = "malformed answer";
		} else {
			a.family = (uint8_t)l->family;
			memcpy(a.bytes, res->data[0], want);
		}
	}
	l->fn(l->p, l->arg, why ? NULL : &a, why);
	if (res != NULL)
		ub_resolve_free(res);
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
	ub_ctx_async(d->ctx, 0);    /* answers come through ub_fd, no thread */
	ub_ctx_resolvconf(d->ctx, NULL);
	ub_ctx_hosts(d->ctx, NULL);
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
		ub_ctx_delete(d->ctx);
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
	*l = (struct lookup){ p, fn, arg, family };
	int rc = ub_resolve_async(p->dns->ctx, name, family == IP_V6 ? 28 : 1, 1, l,
				  on_result, NULL);
	if (rc != 0) {
		free(l);
		fn(p, arg, NULL, ub_strerror(rc));
	}
}
