/* Typed netsh values: filter addresses (Me, Any, addresses, ranges, DNS
 * names, server types), masks, protocols and ports. */
#ifndef NETSH_VALUES_H
#define NETSH_VALUES_H
#include <stdbool.h>
#include <stdint.h>
#include "swan/address.h"
#include "swan/subnet.h"
#include "swan/err.h"

enum addr_kind { A_ME, A_ANY, A_ADDR, A_RANGE, A_DNS, A_SERVER };
enum server_type { SRV_DNS, SRV_WINS, SRV_DHCP, SRV_GATEWAY, SRV_COUNT };

struct naddr {
	enum addr_kind kind;
	ip_address a, b;       /* A_ADDR: the address; A_RANGE: both ends */
	unsigned prefix;       /* A_ADDR: from the mask (32/128 when none) */
	bool mask_given;       /* a mask was written (for delete matching) */
	bool cidr_text;        /* written as a.b.c.d/nn (undocumented form) */
	bool host_bits;        /* the mask cleared host bits */
	enum server_type server;
	char *dns;             /* A_DNS: the name (owned) */
};

extern const char *const server_names[SRV_COUNT];  /* "DNS", "WINS", ... */

/* Parses a srcaddr=/dstaddr= value. */
err_t parse_naddr(const char *s, struct naddr *out);
/* Applies srcmask=/dstmask= (dotted mask or prefix 1..32/128). Returns an
 * error for a bad mask; sets *ignored when the kind takes no mask. */
err_t apply_mask(struct naddr *a, const char *mask, bool *ignored);
void naddr_free(struct naddr *a);
bool naddr_eq(const struct naddr *x, const struct naddr *y);
/* Text for messages and JSON ("Me", "10.0.0.0/8", "1.2.3.4-1.2.3.9"). */
const char *str_naddr(const struct naddr *a, char *buf, size_t size);
struct naddr naddr_copy(const struct naddr *a);

/* protocol=: ANY, ICMP, TCP, UDP, RAW or 0..255 (0 = any). */
err_t parse_nproto(const char *s, uint8_t *out);
/* srcport=/dstport=: 0..65535 (0 = any). */
err_t parse_nport(const char *s, uint16_t *out);
/* The address family a filter's sides imply (IP_V4 when unknown). */
enum ip_family naddr_family(const struct naddr *a);
#endif
