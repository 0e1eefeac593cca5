/* whack unroute: the conn's (or its instances') trap or shunt policies
 * removed. */
#include "ctl.h"
#include "ike/child.h"
#include "pluto.h"

static void unroute_one(struct pluto *p, struct connection *c, void *ctx)
{
	conn_unroute(p, c);
	ctl_reply(ctx, "\"%s\": unrouted", c->name);
}

int cmd_unroute(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	if (ctl_for_conns(p, m->name, unroute_one, cl) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	return WHACK_STATUS_OK;
}
