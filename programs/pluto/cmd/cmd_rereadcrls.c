/* whack --rereadcrls (ipsec crls): the CRLs of the NSS database read
 * again, e.g. after ipsec import FILE.crl while pluto runs. */
#include "crls.h"
#include "ctl.h"
#include "pluto.h"

int cmd_rereadcrls(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	crls_reread(p, cl);
	return WHACK_STATUS_OK;
}
