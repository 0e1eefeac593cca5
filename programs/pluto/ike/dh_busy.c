/* Sharing a responder's DH key pair while the crypto helpers are
 * backlogged; see dh_busy.h. The sweep runs once a second while a shared
 * key pair is kept, so none outlives its window by more than that. */
#include <event2/event.h>
#include "crypto/crypto.h"
#include "helpers.h"
#include "ike/dh_busy.h"
#include "pluto.h"

#define SWEEP_MS 1000

static void arm(struct pluto *p)
{
	struct timeval tv = { SWEEP_MS / 1000, (SWEEP_MS % 1000) * 1000 };
	evtimer_add(p->dh_sweep, &tv);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pluto *p = arg;
	if (dh_reuse_expire(p->opts.dh_reuse_ms, mono_ms()) > 0) {
		arm(p);
		return;
	}
	p->dh_sharing = false;
	llog(&p->logger, RC_INFO, "no longer busy: every responder makes its own DH key pair again "
	     "(%llu exchanges shared one so far)", (unsigned long long)dh_reuse_count());
}

uint64_t ike_dh_reuse_ms(struct pluto *p)
{
	if (p->opts.dh_reuse_ms == 0 || p->shutting_down || !helpers_backlogged(p))
		return 0;
	if (p->dh_sweep == NULL && (p->dh_sweep = evtimer_new(p->base, on_sweep, p)) == NULL)
		return 0;
	if (!p->dh_sharing) {
		p->dh_sharing = true;
		llog(&p->logger, RC_INFO, "busy (more crypto work queued than helper threads): responders "
		     "share a DH key pair for up to %u s (--dh-reuse, RFC 7296 2.12)", p->opts.dh_reuse_ms / 1000);
	}
	if (!evtimer_pending(p->dh_sweep, NULL))
		arm(p);
	return p->opts.dh_reuse_ms;
}

void ike_dh_busy_stop(struct pluto *p)
{
	if (p->dh_sweep != NULL) {
		event_free(p->dh_sweep);
		p->dh_sweep = NULL;
	}
	dh_reuse_expire(0, mono_ms());
	p->dh_sharing = false;
}
