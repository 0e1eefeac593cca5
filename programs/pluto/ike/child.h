/* Child SAs and conns in the kernel: SAs and policies installed and
 * removed (all or nothing), trap and shunt policies for routed conns, and
 * the updown script at each step. */
#ifndef PLUTO_IKE_CHILD_H
#define PLUTO_IKE_CHILD_H
#include <stdbool.h>
#include "ike/sa.h"

struct pluto;
struct kernel_sa_counters;

/* The reqid that ties a conn's SAs to its policies. */
uint32_t conn_reqid(const struct connection *c);

/* An inbound SPI from the kernel for a Child SA being negotiated. */
bool child_alloc_spi(struct child_sa *child);
/* Installs both SAs and the policies from the negotiated keys, then runs
 * updown up. False (logged) when anything failed: nothing is left.
 * hold_outbound (a rekey by the side that installs first): the new
 * outbound SA goes into the kernel only once the peer surely has its
 * inbound twin (see child.c); until then the old one carries the traffic. */
bool child_install(struct child_sa *child, const struct child_sa_keys *keys,
		   bool we_initiated, bool hold_outbound);
/* The kernel's byte and packet counters of both SAs (zero when the
 * kernel cannot tell). */
void child_counters(struct pluto *p, const struct child_sa *c, struct kernel_sa_counters *in,
		    struct kernel_sa_counters *out);
/* Removes what child_install installed (back to trap policies when the
 * conn is routed) and runs updown down; frees an unused inbound SPI. */
void child_uninstall(struct child_sa *child);

/* auto=route and type=passthrough|drop|reject: trap or shunt policies. */
bool conn_route(struct pluto *p, struct connection *c, char *why, size_t whysize);
void conn_unroute(struct pluto *p, struct connection *c);
/* The conn whose trap caught an ACQUIRE (by reqid), or NULL. */
struct connection *conn_by_reqid(struct pluto *p, uint32_t reqid);
#endif
