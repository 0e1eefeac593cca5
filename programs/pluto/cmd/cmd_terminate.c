/* whack terminate: delete the SAs of the conn (or of each instance),
 * telling the peer; the client waits for the peer's answers. The conns stay
 * loaded (and routed, if they were). */
#include "ctl.h"
#include "ike/exchanges.h"
#include "ike/sa.h"
#include "pluto.h"

struct down_ctx {
	struct ctl_client *cl;
	unsigned sas, waiting, attempts;
};

static void down_one(struct pluto *p, struct connection *c, void *arg)
{
	struct down_ctx *d = arg;
	struct ike_sa *next;
	/* no further keying attempt (keyingtries=), and none waits */
	if (c->keying_waiting) {
		ctl_reply(d->cl, "\"%s\": keying attempt %u will not start", c->name,
			  c->keying_attempt);
		d->attempts++;
	}
	c->keying_waiting = false;
	c->keying_attempt = 0;
	for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = next) {
		next = ike->next_all;
		if (ike->c != c)
			continue;
		d->sas++;
		/* established SAs say goodbye and the client waits for the answer */
		d->cl->pending++;
		if (info_delete_ike(ike, d->cl)) {
			if (ike->whack == d->cl) {
				d->waiting++;
				continue;
			}
			d->cl->pending--;   /* another client already waits on it */
			continue;
		}
		d->cl->pending--;
		ike_sa_delete(ike, "terminated");
	}
	ctl_reply(d->cl, "\"%s\": terminating", c->name);
}

int cmd_terminate(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	struct down_ctx d = { cl, 0, 0, 0 };
	if (ctl_for_conns(p, m->name, down_one, &d) == 0) {
		ctl_reply(cl, "no connection named \"%s\"", m->name);
		return WHACK_STATUS_REFUSED;
	}
	if (d.sas == 0 && d.attempts == 0)
		ctl_reply(cl, "\"%s\": no SA to terminate", m->name);
	if (d.waiting == 0)
		return WHACK_STATUS_OK;
	/* pending counts the answers plus this call's own report */
	ctl_client_done(cl, WHACK_STATUS_OK);
	return CMD_PENDING;
}
