/* whack initiate: negotiate the conn; the client waits for the outcome
 * unless it asked for WHACK_FLAG_ASYNC. */
#include "ctl.h"
#include "ike/exchanges.h"
#include "pluto.h"

int cmd_initiate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	bool async = (m->flags & WHACK_FLAG_ASYNC) != 0;
	char why[256];
	if (!ike_initiate(p, c, async ? NULL : cl, why, sizeof(why))) {
		ctl_reply(cl, "%s", why);
		return WHACK_STATUS_REFUSED;
	}
	if (async) {
		ctl_reply(cl, "\"%s\": initiating", c->name);
		return 0;
	}
	return CMD_PENDING;
}
