/* Conn timers: keying attempts and host name lookups that wait, for every
 * conn, behind one timer. The conn table is small and changes rarely, so
 * the earliest deadline is found by walking it. */
#include <event2/event.h>
#include "conn_load.h"
#include "conn_timers.h"
#include "ike/initiate.h"
#include "pluto.h"

/* The next lookup of end e is due at *at (false: none waits). */
static bool dns_due(const struct end *e, uint64_t *at)
{
	if (e->host_kind != HOST_DNS || e->dns_pending || e->dns_retry_at_ms == 0)
		return false;
	*at = e->dns_retry_at_ms;
	return true;
}

/* The earliest deadline of every conn; false when none waits. */
static bool earliest(struct pluto *p, uint64_t *out)
{
	bool any = false;
	uint64_t first = 0, at;
	for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
		if (c->keying_waiting && (!any || c->keying_at_ms < first)) {
			first = c->keying_at_ms;
			any = true;
		}
		for (int s = 0; s < 2; s++) {
			if (dns_due(&c->end[s], &at) && (!any || at < first)) {
				first = at;
				any = true;
			}
		}
	}
	*out = first;
	return any;
}

void conn_timers_run(struct pluto *p, uint64_t now)
{
	struct connection *next;
	for (struct connection *c = p->conns.head; c != NULL; c = next) {
		next = c->next;
		if (c->keying_waiting && c->keying_at_ms <= now)
			ike_initiate_due(p, c);
		bool lookup = false;
		uint64_t at;
		for (int s = 0; s < 2; s++) {
			struct end *e = &c->end[s];
			if (dns_due(e, &at) && at <= now) {
				e->dns_retry_at_ms = 0;
				lookup = true;
			}
		}
		if (lookup)
			conn_resolve(p, c);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pluto *p = arg;
	conn_timers_run(p, mono_ms());
	conn_timers_arm(p);
}

void conn_timers_arm(struct pluto *p)
{
	if (p->base == NULL || p->shutting_down)
		return;
	if (p->conn_timer == NULL)
		p->conn_timer = event_new(p->base, -1, 0, on_timer, p);
	uint64_t at;
	if (!earliest(p, &at)) {
		event_del(p->conn_timer);
		return;
	}
	uint64_t now = mono_ms();
	uint64_t ms = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(p->conn_timer, &tv);
}

void conn_timers_stop(struct pluto *p)
{
	if (p->conn_timer != NULL) {
		event_free(p->conn_timer);
		p->conn_timer = NULL;
	}
}
