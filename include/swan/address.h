/* ip_address: an IPv4 or IPv6 address, parsed from and formatted to text. */
#ifndef SWAN_ADDRESS_H
#define SWAN_ADDRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/err.h"

enum ip_family { IP_UNSET = 0, IP_V4 = 4, IP_V6 = 6 };

typedef struct {
	uint8_t family;      /* enum ip_family */
	uint8_t bytes[16];   /* network order; IPv4 uses bytes[0..3] */
} ip_address;

/* Text sizes large enough for any formatted value. */
#define ADDRESS_BUF 48

/* Numeric address only (no DNS): dotted quad or RFC 4291 IPv6 text
 * (also "::ffff:1.2.3.4"). len is the length of s (s need not be NUL
 * terminated); afhint IP_UNSET accepts both families, otherwise only that one. */
err_t ttoaddress_num(const char *s, size_t len, enum ip_family afhint, ip_address *out);

/* Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero
 * run compressed). Returns buf. */
const char *str_address(const ip_address *a, char buf[ADDRESS_BUF]);

ip_address address_any(enum ip_family af);       /* 0.0.0.0 or :: */
bool address_is_any(const ip_address *a);        /* all zero bytes */
bool address_eq(const ip_address *a, const ip_address *b);
int address_cmp(const ip_address *a, const ip_address *b); /* family, then bytes */
unsigned address_bits(enum ip_family af);        /* 32 or 128 */

/* True when s looks like a DNS name a gateway could be given as
 * (letters, digits, '-', '.', labels 1..63, total <= 253, not all digits). */
bool is_dns_name(const char *s);

#endif
