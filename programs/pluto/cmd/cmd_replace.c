/* whack replace: delete the conn of that name (if any), then add. */
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

int cmd_replace(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c != NULL)
		conn_unload(p, c);
	return conn_load(p, m->name, &m->conn, cl);
}
