/* whack listen: bind IKE sockets on new addresses, orient waiting conns. */
#include "conn_load.h"
#include "ctl.h"
#include "iface.h"
#include "pluto.h"

int cmd_listen(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	ifaces_rescan(p);
	conn_orient_all(p);
	ctl_reply(cl, "listening for IKE on the current addresses");
	return 0;
}
