/* whack ping: is pluto answering? (ipsec setup polls with it) */
#include "ctl.h"
#include "pluto.h"

int cmd_ping(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)p;
	(void)m;
	ctl_reply(cl, "pluto is running");
	return 0;
}
