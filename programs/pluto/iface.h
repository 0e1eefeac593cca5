/* IKE sockets: UDP port 500 and the NAT-T port 4500 (with its 4-byte
 * non-ESP marker) on every local address, or on the --listen addresses. */
#ifndef PLUTO_IFACE_H
#define PLUTO_IFACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/address.h"
#include "swan/err.h"

struct pluto;
struct event;

struct iface {
	struct pluto *pluto;
	char name[16];              /* the device holding addr ("eth0"), or "" */
	ip_address addr;
	uint16_t port;
	bool natt;                  /* port 4500: packets carry the non-ESP marker */
	int fd;
	struct event *ev;
	struct iface *next;
};

/* One received IKE message (the non-ESP marker already removed). */
struct packet {
	const struct iface *iface;
	ip_address remote;
	uint16_t remote_port;
	const uint8_t *data;
	size_t len;
};

typedef void packet_fn(struct pluto *p, const struct packet *pkt);

struct ifaces {
	struct iface *head;
	packet_fn *on_packet;
};

/* Binds the sockets; false (logged) when none could be bound. */
bool ifaces_open(struct pluto *p, packet_fn *on_packet);
void ifaces_close(struct pluto *p);
/* Rescan addresses, binding new ones (whack --listen). */
void ifaces_rescan(struct pluto *p);
/* Is a an address this host listens on? (ctx is the struct pluto) */
bool ifaces_is_local(const ip_address *a, void *ctx);
/* The socket for a local address and port kind, or NULL. */
const struct iface *ifaces_find(const struct pluto *p, const ip_address *local, bool natt);
/* A NAT-T keepalive (RFC 3948 2.3: one octet 0xff, no marker) from a
 * NAT-T socket. */
err_t iface_send_keepalive(const struct iface *ifc, const ip_address *to, uint16_t port);
/* Sends one IKE message (adds the non-ESP marker on a NAT-T socket). */
err_t iface_send(const struct iface *ifc, const ip_address *to, uint16_t port,
		 const uint8_t *data, size_t len);
#endif
