/* Capabilities with libcap-ng.
 *
 * What pluto keeps once its sockets are open:
 *   CAP_NET_ADMIN         XFRM states and policies over netlink, the
 *                         sockets' IPsec bypass policies and UDP
 *                         encapsulation; updown's `ip route` / `ip addr`
 *   CAP_NET_BIND_SERVICE  binding UDP 500 and 4500 on addresses that
 *                         appear later (whack --listen rescans)
 *   CAP_NET_RAW           updown scripts that manage a firewall with
 *                         iptables (its raw socket); libreswan keeps it
 *                         for the same reason
 * Nothing else: pluto runs as root, so it still reads its root-owned
 * files (secrets, NSS database) without CAP_DAC_*; it locks no memory
 * (no CAP_IPC_LOCK).
 *
 * Effective = permitted = bounding set, nothing inheritable or ambient:
 * an updown run by root gets its bounding set, the same three. */
#include <cap-ng.h>
#include <linux/capability.h>
#include "caps.h"

bool caps_drop(const struct logger *lg)
{
	capng_clear(CAPNG_SELECT_BOTH);
	int rc = capng_updatev(CAPNG_ADD,
			       (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET),
			       CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW, -1);
	if (rc != 0 || capng_apply(CAPNG_SELECT_BOTH) != 0) {
		llog(lg, RC_WARNING, "could not drop capabilities (running without root?)");
		return false;
	}
	ldbg(lg, DBG_CONTROL, "capabilities reduced to net_admin, net_bind_service, net_raw");
	return true;
}
