/* The version dispatch: every received IKE datagram is looked at once
 * here (length and version byte) and handed to its version's ops. */
#include <stdio.h>
#include "iface.h"
#include "ike/ops.h"
#include "pluto.h"

static const struct ike_ops *const versions[] = { &ikev2_ops, &ikev1_ops };

const struct ike_ops *ike_ops_of_major(unsigned major)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i]->major == major)
			return versions[i];
	return NULL;
}

unsigned packet_ike_major(const struct packet *pkt)
{
	return pkt->data[IKE_VERSION_AT] >> 4;
}

/* Anyone can send what gets dropped: the lines are rate-limited. */
void ike_drop_log(struct pluto *p, const struct packet *pkt, const char *why)
{
	static struct log_limit drops = LOG_LIMIT_INIT("dropping IKE message");
	char a[ADDRESS_BUF];
	llog_limited(&drops, &p->logger, RC_INFO, "dropping IKE message from %s:%u: %s",
		     str_address(&pkt->remote, a), pkt->remote_port, why);
}

void ike_receive(struct pluto *p, const struct packet *pkt)
{
	if (pkt->len < IKE_HEADER_LEN) {
		ike_drop_log(p, pkt, "shorter than an IKE header");
		return;
	}
	unsigned major = packet_ike_major(pkt);
	const struct ike_ops *ops = ike_ops_of_major(major);
	if (ops == NULL) {
		char why[64];
		snprintf(why, sizeof(why), "IKE major version %u is not known", major);
		ike_drop_log(p, pkt, why);
		return;
	}
	ops->receive(p, pkt);
}
