/* Capabilities with libcap-ng. */
#include <cap-ng.h>
#include <linux/capability.h>
#include "caps.h"

bool caps_drop(const struct logger *lg)
{
	capng_clear(CAPNG_SELECT_BOTH);
	int rc = capng_updatev(CAPNG_ADD,
			       (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET),
			       CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_IPC_LOCK,
			       CAP_DAC_READ_SEARCH, -1);
	if (rc != 0 || capng_apply(CAPNG_SELECT_BOTH) != 0) {
		llog(lg, RC_WARNING, "could not drop capabilities (running without root?)");
		return false;
	}
	ldbg(lg, DBG_CONTROL, "capabilities reduced to net_admin, net_bind_service, net_raw, ipc_lock, dac_read_search");
	return true;
}
