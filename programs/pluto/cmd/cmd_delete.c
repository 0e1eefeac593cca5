/* whack delete: the conn (or all its instances), its SAs and policies. */
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

static void delete_one(struct pluto *p, struct connection *c, void *ctx)
{
	struct ctl_client *cl = ctx;
	ctl_reply(cl, "deleted connection \"%s\"", c->name);
	conn_unload(p, c);
}

int cmd_delete(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	if (ctl_for_conns(p, m->name, delete_one, cl) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	return WHACK_STATUS_OK;
}
