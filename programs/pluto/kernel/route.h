/* The kernel's route to an address: its gateway, when it has one. */
#ifndef PLUTO_KERNEL_ROUTE_H
#define PLUTO_KERNEL_ROUTE_H
#include <stdbool.h>
#include "swan/address.h"

/* True and *gateway set when the route to dst goes via a gateway; false
 * when dst is on a link of this host (or the lookup failed). */
bool route_gateway(const ip_address *dst, ip_address *gateway);
#endif
