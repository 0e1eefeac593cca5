/* whack terminate: delete the conn's SAs (telling the peer); the conn
 * stays loaded (and routed, if it was). */
#include "ctl.h"
#include "ike/exchanges.h"
#include "ike/sa.h"
#include "pluto.h"

int cmd_terminate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct connection *c = connections_find(&p->conns, m->name);
	if (c == NULL) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	bool waiting = false;
	unsigned n = 0;
	struct ike_sa *next;
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = next) {
		next = ike->next_all;
		if (ike->c != c)
			continue;
		n++;
		/* the first established one waits for the peer's answer */
		if (!waiting && info_delete_ike(ike, cl)) {
			waiting = true;
			continue;
		}
		ike_sa_delete(ike, "terminated");
	}
	if (waiting)
		return CMD_PENDING;
	ctl_reply(cl, n ? "\"%s\": terminated" : "\"%s\": no SA to terminate", c->name);
	return 0;
}
