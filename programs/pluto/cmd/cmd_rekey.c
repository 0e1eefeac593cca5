/* whack rekey-ike | rekey-child: rekey a conn's IKE SA, or its Child SAs,
 * now (as when their lifetimes' rekey margins are reached). The rekeys
 * take their turn in each IKE SA's queue; the client waits for them. */
#include <stdio.h>
#include <stdlib.h>
#include "ctl.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "pluto.h"

struct rekey_ctx {
	struct ctl_client *cl;
	bool ike;                    /* rekey-ike, else rekey-child */
	struct connection **conns;
	size_t n, cap;
	unsigned queued;
};

static void collect(struct pluto *p, struct connection *c, void *arg)
{
	(void)p;
	struct rekey_ctx *r = arg;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->conns = realloc(r->conns, r->cap * sizeof(*r->conns));
		if (r->conns == NULL)
			abort();
	}
	r->conns[r->n++] = c;
}

static bool named(const struct rekey_ctx *r, const struct connection *c)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->conns[i] == c)
			return true;
	return false;
}

static void queue_rekey(struct rekey_ctx *r, struct ike_sa *ike, enum ike_work_kind kind,
			unsigned child_serial, const char *name, const char *what)
{
	ctl_reply(r->cl, "\"%s\": rekeying %s", name, what);
	r->cl->pending++;
	r->queued++;
	ike_queue(ike, kind, child_serial, NULL, r->cl);
}

/* An IKE SA is the conn's when the conn made it or it carries a Child SA
 * of the conn (instances of a leftsubnets= group share one). */
static bool carries(const struct rekey_ctx *r, const struct ike_sa *ike)
{
	if (ike->c != NULL && named(r, ike->c))
		return true;
	for (const struct child_sa *c = ike->children; c != NULL; c = c->next)
		if (named(r, c->c))
			return true;
	return false;
}

int cmd_rekey(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct rekey_ctx r = { .cl = cl, .ike = m->command == WHACK_REKEY_IKE };
	if (ctl_for_conns(p, m->name, collect, &r) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		if (ike->state != IKE_ESTABLISHED || !carries(&r, ike))
			continue;
		if (r.ike) {
			char what[32];
			snprintf(what, sizeof(what), "IKE SA #%u", ike->serial);
			queue_rekey(&r, ike, WORK_REKEY_IKE, 0, ike->c ? ike->c->name : m->name, what);
			continue;
		}
		for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
			if (!named(&r, c->c) || c->state != CHILD_ESTABLISHED)
				continue;
			char what[32];
			snprintf(what, sizeof(what), "Child SA #%u", c->serial);
			queue_rekey(&r, ike, WORK_REKEY_CHILD, c->serial, c->c->name, what);
		}
	}
	free(r.conns);
	if (r.queued == 0) {
		ctl_reply(cl, "\"%s\": no established %s to rekey", m->name, r.ike ? "IKE SA" : "Child SA");
		return WHACK_STATUS_REFUSED;
	}
	/* pending counts the rekeys plus this call's own report */
	ctl_client_done(cl, WHACK_STATUS_OK);
	return CMD_PENDING;
}
