/* ip_address with a port to and from the sockets API's sockaddr. */
#ifndef SWAN_SOCKADDR_H
#define SWAN_SOCKADDR_H
#include <stdint.h>
#include <sys/socket.h>
#include "swan/address.h"

/* Fills ss (zeroed first) and returns the length to pass with it. */
socklen_t sockaddr_from_address(const ip_address *a, uint16_t port, struct sockaddr_storage *ss);
/* An AF_INET6 sockaddr gives an IPv6 address, anything else IPv4. */
void address_from_sockaddr(const struct sockaddr_storage *ss, ip_address *a, uint16_t *port);
#endif
