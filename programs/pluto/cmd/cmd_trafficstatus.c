/* whack trafficstatus [NAME]: one line per established Child SA, in the
 * form libreswan prints and monitoring tools parse:
 *   #2: "west-east", type=ESP, add_time=1765100000, inBytes=84, outBytes=84, maxBytes=2^63B, id='@east'
 * add_time is when the SA was installed (seconds since the epoch); the
 * byte counts are the kernel's. */
#include <stdio.h>
#include <string.h>
#include "ctl.h"
#include "ike/child.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"

int cmd_trafficstatus(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
		for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
			if (c->state != CHILD_ESTABLISHED)
				continue;
			if (m->name != NULL && strcmp(m->name, c->c->name) != 0)
				continue;
			struct kernel_sa_counters in, out;
			child_counters(p, c, &in, &out);
			char id[ID_BUF];
			str_id(&ike->peer_id, id);
			ctl_reply(cl, "#%u: \"%s\", type=%s, add_time=%lld, inBytes=%llu, outBytes=%llu, "
				  "maxBytes=2^63B, id='%s'", c->serial, c->c->name,
				  c->protocol == CHILD_PROTO_AH ? "AH" : "ESP", (long long)c->established,
				  (unsigned long long)in.bytes, (unsigned long long)out.bytes, id);
		}
	}
	return WHACK_STATUS_OK;
}
