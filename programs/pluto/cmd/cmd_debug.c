/* whack --debug CATEGORIES: the debug categories from now on (plutodebug=
 * names, "all", "none"), without a restart; --reopenlogs: the log file
 * opened again (what logrotate wants after moving it; SIGHUP does it too). */
#include <errno.h>
#include <string.h>
#include "ctl.h"
#include "log.h"
#include "pluto.h"

int cmd_debug(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	const char *want = whack_kvs_get(&m->options, "debug");
	if (want == NULL) {
		ctl_reply(cl, "--debug needs categories (all, none, control, crypt, ...)");
		return WHACK_STATUS_REFUSED;
	}
	unsigned cats;
	const char *bad = debug_parse(want, &cats);
	if (bad != NULL) {
		ctl_reply(cl, "unknown debug category '%.*s' (the names of plutodebug=, all, none)",
			  (int)strcspn(bad, " ,\t"), bad);
		return WHACK_STATUS_REFUSED;
	}
	p->opts.debug = cats;
	log_set_debug(cats);
	char names[256];
	llog(&p->logger, RC_INFO, "debugging: %s", debug_str(cats, names, sizeof(names)));
	ctl_reply(cl, "debugging: %s", names);
	return WHACK_STATUS_OK;
}

int cmd_reopenlogs(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	if (p->opts.logfile == NULL) {
		ctl_reply(cl, "pluto logs to %s: nothing to reopen",
			  p->opts.stderrlog ? "stderr" : "syslog");
		return WHACK_STATUS_OK;
	}
	if (!log_reopen(p->opts.logfile)) {
		ctl_reply(cl, "cannot open the log file %s again: %s", p->opts.logfile, strerror(errno));
		return WHACK_STATUS_REFUSED;
	}
	llog(&p->logger, RC_INFO, "log file %s reopened", p->opts.logfile);
	ctl_reply(cl, "log file %s reopened", p->opts.logfile);
	return WHACK_STATUS_OK;
}
