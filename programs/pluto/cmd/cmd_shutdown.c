/* whack shutdown: answer, then end the event loop (pluto_stop cleans up). */
#include "ctl.h"
#include "pluto.h"

int cmd_shutdown(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	ctl_reply(cl, "pluto is shutting down");
	pluto_shutdown(p);
	return 0;
}
