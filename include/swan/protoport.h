/* ip_protoport: leftprotoport= values: "PROTO" or "PROTO/PORT". */
#ifndef SWAN_PROTOPORT_H
#define SWAN_PROTOPORT_H
#include <stdbool.h>
#include <stdint.h>
#include "swan/err.h"

typedef struct {
	uint8_t proto;      /* 0 = any protocol */
	uint16_t port;      /* 0 = any port */
	bool any_port;      /* written as PROTO/%any */
	bool has_port;      /* a port part was written */
} ip_protoport;

#define PROTOPORT_BUF 32

/* PROTO is a number 0..255 or a name from /etc/protocols ("tcp", "icmp");
 * "%any" is protocol 0. PORT is a number 0..65535, "%any", or a name from
 * /etc/services looked up for that protocol ("smtp", "l2tp"). A port needs
 * a protocol that has ports (tcp, udp, sctp, udplite; icmp types allowed). */
err_t ttoprotoport(const char *s, ip_protoport *out);
/* Numeric canonical form: "17/1701", "6", "17/%any". */
const char *str_protoport(const ip_protoport *pp, char buf[PROTOPORT_BUF]);

/* Lookups used above, reading the files directly (no NSS switch); the
 * files may be overridden for tests with protoport_set_files(). */
int proto_by_name(const char *name);                     /* -1 if unknown */
int port_by_name(const char *name, const char *proto);  /* -1 if unknown */
void protoport_set_files(const char *protocols, const char *services);
#endif
