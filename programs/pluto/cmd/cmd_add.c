/* whack add: load a conn from its resolved keys. */
#include "conn_load.h"
#include "ctl.h"

int cmd_add(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	return conn_load(p, m->name, &m->conn, cl);
}
