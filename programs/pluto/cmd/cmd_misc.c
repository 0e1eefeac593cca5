/* The small whack commands: rereadsecrets, listen, shutdown, ping. */
#include "conn_load.h"
#include "ctl.h"
#include "iface.h"
#include "pluto.h"

int cmd_rereadsecrets(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	struct diags d = { 0 };
	secrets_free(&p->secrets);
	secrets_load(&p->secrets, p->opts.secretsfile, &d);
	for (size_t i = 0; i < d.n; i++) {
		llog(&p->logger, d.v[i].level == DIAG_ERROR ? RC_ERROR : RC_WARNING, "%s:%u: %s",
		     d.v[i].file ? d.v[i].file : "", d.v[i].line, d.v[i].text);
		ctl_reply(cl, "%s:%u: %s", d.v[i].file ? d.v[i].file : "", d.v[i].line, d.v[i].text);
	}
	ctl_reply(cl, "%u secrets loaded from %s", p->secrets.n, p->opts.secretsfile);
	int rc = d.errors ? WHACK_STATUS_REFUSED : WHACK_STATUS_OK;
	diags_free(&d);
	return rc;
}

int cmd_listen(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	ifaces_rescan(p);
	conn_orient_all(p);
	ctl_reply(cl, "listening for IKE on the current addresses");
	return 0;
}

int cmd_shutdown(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	ctl_reply(cl, "pluto is shutting down");
	pluto_shutdown(p);
	return 0;
}

int cmd_ping(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)p;
	(void)m;
	ctl_reply(cl, "pluto is running");
	return 0;
}
