/* Asynchronous DNS with libunbound: host names in left=/right=. */
#ifndef PLUTO_DNS_H
#define PLUTO_DNS_H
#include "swan/address.h"

struct pluto;

/* result is NULL when the name did not resolve; err says why. */
typedef void dns_fn(struct pluto *p, void *arg, const ip_address *result, const char *err);

/* Starts the resolver (resolv.conf and /etc/hosts); false when libunbound
 * cannot start (names then fail to resolve, with that reason). */
bool dns_start(struct pluto *p);
void dns_stop(struct pluto *p);
/* Looks name up (A for IP_V4, AAAA for IP_V6) and calls fn exactly once
 * on the main thread: later, with the answer or why there is none; at once
 * when the lookup cannot start; from dns_stop() (result NULL) when pluto
 * stops first. /etc/hosts and /etc/resolv.conf are read again first when
 * they changed since the resolver read them. */
void dns_lookup(struct pluto *p, const char *name, enum ip_family family, dns_fn *fn, void *arg);
#endif
