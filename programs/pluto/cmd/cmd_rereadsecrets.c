/* whack rereadsecrets: ipsec.secrets read again (also on SIGHUP). */
#include "ctl.h"
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
