/* whack initiate: negotiate the conn (or each of its instances); the
 * client waits for every outcome unless it asked for WHACK_FLAG_ASYNC.
 * WHACK_FLAG_UNLESS_UP (auto=start on a reload) leaves a conn that is up
 * or on its way alone. */
#include "ctl.h"
#include "ike/initiate.h"
#include "pluto.h"

struct up_ctx {
	struct ctl_client *cl;
	bool async, unless_up;
	unsigned started, failed;
};

static void count_one(struct pluto *p, struct connection *c, void *arg)
{
	(void)p;
	(void)c;
	unsigned *n = arg;
	(*n)++;
}

static void up_one(struct pluto *p, struct connection *c, void *arg)
{
	struct up_ctx *u = arg;
	char why[256];
	if (u->unless_up && ike_conn_up_or_coming(p, c, why, sizeof(why))) {
		u->started++;
		ctl_reply(u->cl, "%s", why);
		if (!u->async)
			ctl_client_done(u->cl, WHACK_STATUS_OK);   /* one outcome known */
		return;
	}
	if (ike_initiate(p, c, u->async ? NULL : u->cl, why, sizeof(why))) {
		u->started++;
		if (u->async)
			ctl_reply(u->cl, "\"%s\": initiating", c->name);
		return;
	}
	ctl_reply(u->cl, "%s", why);
	u->failed++;
	if (!u->async)
		ctl_client_done(u->cl, WHACK_STATUS_REFUSED);   /* one outcome known */
}

int cmd_initiate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	unsigned n = 0;
	ctl_for_conns(p, m->name, count_one, &n);
	if (n == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	struct up_ctx u = { cl, (m->flags & WHACK_FLAG_ASYNC) != 0, (m->flags & WHACK_FLAG_UNLESS_UP) != 0, 0, 0 };
	/* one outcome per instance; the last one answers the client */
	cl->pending = u.async ? 1 : n + 1;
	ctl_for_conns(p, m->name, up_one, &u);
	if (u.async)
		return u.failed ? WHACK_STATUS_REFUSED : WHACK_STATUS_OK;
	/* the extra count keeps the client alive until every start is done */
	ctl_client_done(cl, WHACK_STATUS_OK);
	return CMD_PENDING;
}
