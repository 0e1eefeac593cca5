/* whack delete: the conn, its SAs and its policies. */
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

int cmd_delete(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	conn_unload(p, c);
	ctl_reply(cl, "deleted connection \"%s\"", m->name);
	return 0;
}
