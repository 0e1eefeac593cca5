/* IKE sockets, one per local address and port, each watched by libevent. */
#include <errno.h>
#include <event2/event.h>
#include <ifaddrs.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "iface.h"
#include "swan/sockaddr.h"
#include "log.h"
#include "pluto.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

#define IKE_MSG_MAX 65536

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct iface *ifc = arg;
	struct pluto *p = ifc->pluto;
	static uint8_t buf[IKE_MSG_MAX];
	/* drain what is queued, a bounded number at a time */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &fromlen);
		if (n < 0)
			return;
		struct packet pkt = { .iface = ifc, .data = buf, .len = (size_t)n };
		address_from_sockaddr(&from, &pkt.remote, &pkt.remote_port);
		if (ifc->natt) {
			/* IKE on 4500 starts with four zero bytes; a lone 0xff
			 * is a NAT keepalive (RFC 3948) */
			if (pkt.len < 4 || memcmp(buf, "\0\0\0\0", 4) != 0)
				continue;
			pkt.data += 4;
			pkt.len -= 4;
		}
		p->ifaces->on_packet(p, &pkt);
	}
}

/* IKE itself must never go through IPsec: a socket policy that lets the
 * socket's traffic pass both ways, whatever policies cover the host
 * addresses (transport mode between the two IKE endpoints covers them). */
static void bypass_ipsec(struct pluto *p, int fd, int family)
{
	static const unsigned dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };
	for (size_t i = 0; i < 2; i++) {
		struct xfrm_userpolicy_info pol;
		memset(&pol, 0, sizeof(pol));
		pol.action = XFRM_POLICY_ALLOW;
		pol.sel.family = (uint16_t)family;
		pol.dir = (uint8_t)dirs[i];
		pol.lft.soft_byte_limit = XFRM_INF;
		pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = XFRM_INF;
		pol.lft.hard_packet_limit = XFRM_INF;
		int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
		int opt = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
		if (setsockopt(fd, level, opt, &pol, sizeof(pol)) != 0)
			ldbg(&p->logger, DBG_KERNEL, "IKE socket IPsec bypass: %s", strerror(errno));
	}
}

static struct iface *bind_one(struct pluto *p, const ip_address *a, uint16_t port, bool natt)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_from_address(a, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	char abuf[ADDRESS_BUF];
	if (fd < 0)
		return NULL;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	bypass_ipsec(p, fd, ss.ss_family);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		llog(&p->logger, RC_WARNING, "cannot listen on %s:%u: %s",
		     str_address(a, abuf), port, strerror(errno));
		close(fd);
		return NULL;
	}
	if (natt) {
		/* ESP in UDP on this socket goes to the kernel (RFC 3948) */
		int encap = UDP_ENCAP_ESPINUDP;
		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)) != 0)
			ldbg(&p->logger, DBG_CONTROL, "UDP_ENCAP on %s:%u: %s",
			     str_address(a, abuf), port, strerror(errno));
	}
	struct iface *ifc = calloc(1, sizeof(*ifc));
	if (ifc == NULL)
		abort();
	*ifc = (struct iface){ .pluto = p, .addr = *a, .port = port, .natt = natt, .fd = fd };
	ifc->ev = event_new(p->base, fd, EV_READ | EV_PERSIST, on_readable, ifc);
	event_add(ifc->ev, NULL);
	llog(&p->logger, RC_INFO, "listening for IKE on %s:%u", str_address(a, abuf), port);
	return ifc;
}

static bool have_iface(const struct pluto *p, const ip_address *a, uint16_t port)
{
	for (const struct iface *i = p->ifaces->head; i != NULL; i = i->next)
		if (i->port == port && address_eq(&i->addr, a))
			return true;
	return false;
}

static void add_address(struct pluto *p, const ip_address *a, const char *dev)
{
	const uint16_t ports[2] = { (uint16_t)p->opts.ike_port, (uint16_t)p->opts.natt_port };
	for (int k = 0; k < 2; k++) {
		if (have_iface(p, a, ports[k]))
			continue;
		struct iface *ifc = bind_one(p, a, ports[k], k == 1);
		if (ifc != NULL) {
			snprintf(ifc->name, sizeof(ifc->name), "%s", dev ? dev : "");
			ifc->next = p->ifaces->head;
			p->ifaces->head = ifc;
		}
	}
}

/* Link-local IPv6 addresses need a scope: not used for IKE here. */
static bool usable(const ip_address *a)
{
	return !(a->family == IP_V6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80);
}

/* The device an address is on, from a getifaddrs() list. */
static const char *device_of(struct ifaddrs *ifa, const ip_address *a)
{
	for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		ip_address b;
		uint16_t port;
		address_from_sockaddr((const struct sockaddr_storage *)(const void *)i->ifa_addr, &b, &port);
		if (address_eq(&b, a))
			return i->ifa_name;
	}
	return NULL;
}

static void scan_addresses(struct pluto *p)
{
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa) != 0) {
		llog(&p->logger, RC_ERROR, "cannot list interfaces: %s", strerror(errno));
		ifa = NULL;
	}
	if (p->opts.n_listen > 0) {
		for (unsigned i = 0; i < p->opts.n_listen; i++) {
			ip_address a;
			const char *s = p->opts.listen[i];
			if (ttoaddress_num(s, strlen(s), IP_UNSET, &a) != NULL)
				llog(&p->logger, RC_ERROR, "--listen %s: not an IP address", s);
			else
				add_address(p, &a, device_of(ifa, &a));
		}
	} else {
		for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
			if (i->ifa_addr == NULL ||
			    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
				continue;
			ip_address a;
			uint16_t port;
			address_from_sockaddr((const struct sockaddr_storage *)(const void *)i->ifa_addr, &a, &port);
			if (usable(&a))
				add_address(p, &a, i->ifa_name);
		}
	}
	if (ifa != NULL)
		freeifaddrs(ifa);
}

bool ifaces_open(struct pluto *p, packet_fn *on_packet)
{
	p->ifaces = calloc(1, sizeof(*p->ifaces));
	if (p->ifaces == NULL)
		abort();
	p->ifaces->on_packet = on_packet;
	scan_addresses(p);
	if (p->ifaces->head == NULL) {
		llog(&p->logger, RC_ERROR, "no address to listen for IKE on");
		return false;
	}
	return true;
}

void ifaces_rescan(struct pluto *p)
{
	scan_addresses(p);
}

void ifaces_close(struct pluto *p)
{
	if (p->ifaces == NULL)
		return;
	while (p->ifaces->head != NULL) {
		struct iface *i = p->ifaces->head;
		p->ifaces->head = i->next;
		event_free(i->ev);
		close(i->fd);
		free(i);
	}
	free(p->ifaces);
	p->ifaces = NULL;
}

bool ifaces_is_local(const ip_address *a, void *ctx)
{
	const struct pluto *p = ctx;
	for (const struct iface *i = p->ifaces->head; i != NULL; i = i->next)
		if (address_eq(&i->addr, a))
			return true;
	return false;
}

const struct iface *ifaces_find(const struct pluto *p, const ip_address *local, bool natt)
{
	for (const struct iface *i = p->ifaces->head; i != NULL; i = i->next)
		if (i->natt == natt && address_eq(&i->addr, local))
			return i;
	return NULL;
}

err_t iface_send(const struct iface *ifc, const ip_address *to, uint16_t port,
		 const uint8_t *data, size_t len)
{
	static uint8_t buf[IKE_MSG_MAX + 4];
	if (len > IKE_MSG_MAX)
		return "IKE message too large";
	const uint8_t *out = data;
	size_t outlen = len;
	if (ifc->natt) {
		memset(buf, 0, 4);
		memcpy(buf + 4, data, len);
		out = buf;
		outlen = len + 4;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_from_address(to, port, &ss);
	ssize_t n = sendto(ifc->fd, out, outlen, 0, (struct sockaddr *)&ss, sl);
	if (n < 0)
		return strerror(errno);
	return NULL;
}

err_t iface_send_keepalive(const struct iface *ifc, const ip_address *to, uint16_t port)
{
	static const uint8_t keepalive = 0xff;
	if (!ifc->natt)
		return "not a NAT-T socket";
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_from_address(to, port, &ss);
	if (sendto(ifc->fd, &keepalive, 1, 0, (struct sockaddr *)&ss, sl) < 0)
		return strerror(errno);
	return NULL;
}
