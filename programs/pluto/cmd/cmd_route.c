/* whack route: trap (auto=route) or shunt policies for the conn (or all
 * its instances). */
#include "ctl.h"
#include "ike/child.h"
#include "pluto.h"

struct route_ctx {
	struct ctl_client *cl;
	int status;
};

static void route_one(struct pluto *p, struct connection *c, void *arg)
{
	struct route_ctx *r = arg;
	char why[320];
	if (c->local < 0) {
		ctl_reply(r->cl, "\"%s\": not oriented (neither end is this host): cannot route", c->name);
		r->status = WHACK_STATUS_REFUSED;
	} else if (!conn_route(p, c, why, sizeof(why))) {
		ctl_reply(r->cl, "\"%s\": %s", c->name, why);
		r->status = WHACK_STATUS_REFUSED;
	} else {
		ctl_reply(r->cl, "\"%s\": routed", c->name);
	}
}

int cmd_route(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct route_ctx r = { cl, WHACK_STATUS_OK };
	if (ctl_for_conns(p, m->name, route_one, &r) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	return r.status;
}
