/* The kernel's route to an address (rtnetlink RTM_GETROUTE, as `ip route
 * get` asks it): _updown's PLUTO_NEXT_HOP when leftnexthop= is not set. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include "kernel/route.h"

struct answer {
	ip_address gateway;
	bool done;
};

static int attr_cb(const struct nlattr *a, void *arg)
{
	struct answer *ans = arg;
	if (mnl_attr_get_type(a) != RTA_GATEWAY)
		return MNL_CB_OK;
	size_t len = mnl_attr_get_payload_len(a);
	if (len != 4 && len != 16)
		return MNL_CB_OK;
	ans->gateway.family = len == 4 ? IP_V4 : IP_V6;
	memcpy(ans->gateway.bytes, mnl_attr_get_payload(a), len);
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct answer *ans = arg;
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	ans->done = true;
	return mnl_attr_parse(nlh, sizeof(struct rtmsg), attr_cb, arg);
}

bool route_gateway(const ip_address *dst, ip_address *gateway)
{
	if (dst->family != IP_V4 && dst->family != IP_V6)
		return false;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL)
		return false;
	bool ok = false;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	unsigned seq = (unsigned)time(NULL);
	nlh->nlmsg_seq = seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t alen = dst->family == IP_V4 ? 4 : 16;
	rtm->rtm_family = dst->family == IP_V4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst->bytes);
	struct answer ans = { 0 };
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
		unsigned portid = mnl_socket_get_portid(nl);
		/* one answer (or an error) is all that comes; bounded anyway */
		for (int i = 0; i < 4 && !ans.done; i++) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (n <= 0 || mnl_cb_run(buf, (size_t)n, seq, portid, msg_cb, &ans) <= MNL_CB_STOP)
				break;
		}
		ok = ans.done && ans.gateway.family != IP_UNSET;
	}
	mnl_socket_close(nl);
	if (ok)
		*gateway = ans.gateway;
	return ok;
}
