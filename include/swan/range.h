/* ip_range: an inclusive address range START-END; split into CIDRs. */
#ifndef SWAN_RANGE_H
#define SWAN_RANGE_H
#include "swan/subnet.h"

typedef struct {
	ip_address start, end;  /* same family, start <= end */
} ip_range;

#define RANGE_BUF (2 * ADDRESS_BUF + 2)

/* "A-B" (same family, A <= B), a single address, or a subnet "NET/PREFIX". */
err_t ttorange(const char *s, size_t len, enum ip_family afhint, ip_range *out);
const char *str_range(const ip_range *r, char buf[RANGE_BUF]);   /* "A-B" */
ip_range range_from_subnet(const ip_subnet *s);

/* Calls fn once per CIDR block of the smallest exact cover of r, in address
 * order; stops early and returns false if fn returns false. */
bool range_to_subnets(const ip_range *r,
		      bool (*fn)(const ip_subnet *s, void *ctx), void *ctx);
#endif
