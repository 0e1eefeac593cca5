/* whack delete: the conn (or all its instances): the peer is told its SAs
 * go (Deletes), then they and the policies are removed and the conn is
 * forgotten. */
#include <stdio.h>
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

static void delete_one(struct pluto *p, struct connection *c, void *ctx)
{
	struct ctl_client *cl = ctx;
	char name[256];
	snprintf(name, sizeof(name), "%s", c->name);
	unsigned n = conn_unload(p, c, "the conn was deleted");
	if (n > 0)
		ctl_reply(cl, "deleted connection \"%s\" and its %u SA%s", name, n,
			  n == 1 ? "" : "s");
	else
		ctl_reply(cl, "deleted connection \"%s\"", name);
}

int cmd_delete(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	if (ctl_for_conns(p, m->name, delete_one, cl) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	return WHACK_STATUS_OK;
}
