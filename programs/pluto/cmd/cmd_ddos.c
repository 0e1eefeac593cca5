/* whack ddos-busy | ddos-unlimited | ddos-auto: switch when IKE_SA_INIT
 * requests must carry a COOKIE, at run time (as --ddos-mode at start). */
#include "ctl.h"
#include "ikev2/cookie.h"
#include "pluto.h"

static const struct {
	enum whack_command cmd;
	enum ddos_mode mode;
} modes[] = {
	{ WHACK_DDOS_BUSY, DDOS_BUSY },
	{ WHACK_DDOS_UNLIMITED, DDOS_UNLIMITED },
	{ WHACK_DDOS_AUTO, DDOS_AUTO },
};

int cmd_ddos(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i].cmd != m->command)
			continue;
		enum ddos_mode was = p->opts.ddos_mode;
		p->opts.ddos_mode = modes[i].mode;
		char now[160];
		ddos_status(p, now, sizeof(now));
		llog(&p->logger, RC_INFO, "ddos-mode %s -> %s (by whack)", ddos_mode_name(was),
		     ddos_mode_name(p->opts.ddos_mode));
		ctl_reply(cl, "%s", now);
		return WHACK_STATUS_OK;
	}
	ctl_reply(cl, "not a ddos command");
	return WHACK_STATUS_BAD;
}
