/* ip_subnet: network/prefix; plus the vhost:/vnet: virtual-subnet lists. */
#ifndef SWAN_SUBNET_H
#define SWAN_SUBNET_H
#include "swan/address.h"

typedef struct {
	ip_address addr;  /* network address, host bits cleared */
	uint8_t prefix;   /* 0..32 or 0..128 */
} ip_subnet;

#define SUBNET_BUF (ADDRESS_BUF + 5)

/* Accepts "NET/PREFIX", "NET/MASK" (dotted IPv4 mask, contiguous), a bare
 * address (host: /32 or /128), "%any" (0.0.0.0/0; "%any6" is ::/0) and
 * "%all". If host bits are set they are cleared and *host_bits_set (when not
 * NULL) is set true: the caller decides whether that deserves a warning. */
err_t ttosubnet(const char *s, size_t len, enum ip_family afhint,
		ip_subnet *out, bool *host_bits_set);

/* "NET/PREFIX", always with the prefix. Returns buf. */
const char *str_subnet(const ip_subnet *s, char buf[SUBNET_BUF]);

bool subnet_contains_address(const ip_subnet *s, const ip_address *a);
bool subnet_eq(const ip_subnet *a, const ip_subnet *b);   /* same address and prefix (or both unset) */
bool subnet_contains_subnet(const ip_subnet *outer, const ip_subnet *inner);
ip_subnet subnet_from_address(const ip_address *a); /* /32 or /128 */
/* Mask of a prefix as an address (255.255.255.0 for /24). */
ip_address prefix_mask(enum ip_family af, unsigned prefix);

/* Virtual subnet spec: "vhost:" or "vnet:" followed by a comma-separated
 * list of %priv, %no, %all, %v4:NET/PREFIX, %v6:NET/PREFIX, NET/PREFIX,
 * each optionally preceded by '!' (exclusion). Only checks the syntax. */
err_t check_virtual_subnet(const char *s);
bool is_virtual_subnet(const char *s); /* starts with vhost: or vnet: */

/* virtual_private= in config setup: comma-separated %v4:NET/PREFIX and
 * %v6:NET/PREFIX entries, each optionally with a leading '!'. */
err_t check_virtual_private(const char *s);

/* A road warrior's inner address or network (sub) against a vhost:/vnet:
 * spec (lib/libswan/virtual_subnet.c): NULL when allowed, else why (in
 * why). own_address: sub is the peer's own address (no inner one: %no).
 * %priv is virtual_private= (vp, NULL when not set); '!' entries exclude
 * what they overlap; vhost: takes single addresses only. */
const char *virtual_subnet_allows(const char *spec, const char *vp, const ip_subnet *sub, bool own_address,
				  char *why, size_t why_len);

#endif
