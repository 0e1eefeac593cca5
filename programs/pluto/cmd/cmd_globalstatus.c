/* whack globalstatus: the status counters as NAME=VALUE lines, with
 * libreswan's names where it has the same counter. */
#include "ctl.h"
#include "pluto.h"
#include "status_counters.h"

int cmd_globalstatus(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	struct status_counter sc[STATUS_COUNTERS];
	status_counters(p, sc);
	for (size_t i = 0; i < STATUS_COUNTERS; i++)
		ctl_reply(cl, "%s=%llu", sc[i].name, sc[i].value);
	return WHACK_STATUS_OK;
}
