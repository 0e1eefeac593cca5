/* whack route / unroute: trap or shunt policies for the conn. */
#include "ctl.h"
#include "ike/child.h"
#include "pluto.h"

int cmd_route(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	if (c->local < 0) {
		ctl_reply(cl, "\"%s\": not oriented (neither end is this host): cannot route", c->name);
		return WHACK_STATUS_REFUSED;
	}
	char why[320];
	if (!conn_route(p, c, why, sizeof(why))) {
		ctl_reply(cl, "\"%s\": %s", c->name, why);
		return WHACK_STATUS_REFUSED;
	}
	ctl_reply(cl, "\"%s\": routed", c->name);
	return 0;
}

int cmd_unroute(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	conn_unroute(p, c);
	ctl_reply(cl, "\"%s\": unrouted", c->name);
	return 0;
}
