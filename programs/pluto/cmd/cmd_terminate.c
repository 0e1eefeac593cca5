/* whack terminate: delete the SAs of the conn (or of each instance),
 * telling the peer; the client waits for the peer's answers. The conns stay
 * loaded (and routed, if they were). An IKE SA that carries Child SAs of
 * conns not being terminated (instances of one leftsubnets= group share
 * it) stays: only the terminated conns' Child SAs are deleted. */
#include <stdlib.h>
#include "ctl.h"
#include "ike/initiate.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "pluto.h"

struct down_ctx {
	struct ctl_client *cl;
	struct connection **conns;   /* being terminated */
	size_t n, cap;
	unsigned sas, waiting, attempts;
};

static void collect(struct pluto *p, struct connection *c, void *arg)
{
	(void)p;
	struct down_ctx *d = arg;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->conns = realloc(d->conns, d->cap * sizeof(*d->conns));
		if (d->conns == NULL)
			abort();
	}
	d->conns[d->n++] = c;
	/* no further keying attempt (keyingtries=), and none waits */
	if (c->keying_waiting) {
		ctl_reply(d->cl, "\"%s\": keying attempt %u will not start", c->name,
			  c->keying_attempt);
		d->attempts++;
	}
	c->keying_waiting = false;
	c->keying_attempt = 0;
	ctl_reply(d->cl, "\"%s\": terminating", c->name);
}

static bool terminated(const struct down_ctx *d, const struct connection *c)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->conns[i] == c)
			return true;
	return false;
}

/* Every Child SA of the IKE SA belongs to a conn being terminated. */
static bool all_children_go(const struct down_ctx *d, const struct ike_sa *ike)
{
	for (const struct child_sa *c = ike->children; c != NULL; c = c->next)
		if (!terminated(d, c->c))
			return false;
	return terminated(d, ike->c);
}

/* The client waits for the answer to a queued Delete. */
static void queue_delete(struct down_ctx *d, struct ike_sa *ike, enum ike_work_kind kind,
			 unsigned child_serial)
{
	d->cl->pending++;
	d->waiting++;
	/* a Delete already waiting takes the client (or answers it at once) */
	ike_queue(ike, kind, child_serial, NULL, d->cl);
}

static void down_ike(struct down_ctx *d, struct ike_sa *ike)
{
	if (all_children_go(d, ike)) {
		d->sas++;
		if (ike->state == IKE_ESTABLISHED)
			queue_delete(d, ike, WORK_DELETE_IKE, 0);
		else if (ike->state != IKE_DELETING)
			ike_sa_delete(ike, "terminated");
		return;
	}
	for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
		if (!terminated(d, c->c) || c->state != CHILD_ESTABLISHED)
			continue;
		d->sas++;
		queue_delete(d, ike, WORK_DELETE_CHILD, c->serial);
	}
}

int cmd_terminate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct down_ctx d = { .cl = cl };
	if (ctl_for_conns(p, m->name, collect, &d) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	struct ike_sa *next;
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = next) {
		next = ike->next_all;
		down_ike(&d, ike);
	}
	free(d.conns);
	if (d.sas == 0 && d.attempts == 0)
		ctl_reply(cl, "\"%s\": no SA to terminate", m->name);
	if (d.waiting == 0)
		return WHACK_STATUS_OK;
	/* pending counts the answers plus this call's own report */
	ctl_client_done(cl, WHACK_STATUS_OK);
	return CMD_PENDING;
}
