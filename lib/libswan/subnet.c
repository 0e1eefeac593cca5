/* ip_subnet: NET/PREFIX text, masks, containment, virtual subnet lists. */
#include <stdio.h>
#include <string.h>
#include "swan/subnet.h"

static size_t family_bytes(enum ip_family af)
{
	return af == IP_V4 ? 4 : 16;
}

ip_address prefix_mask(enum ip_family af, unsigned prefix)
{
	ip_address m = address_any(af);
	unsigned bits = address_bits(af);
	if (prefix > bits)
		prefix = bits;
	for (unsigned i = 0; i < prefix / 8; i++)
		m.bytes[i] = 0xff;
	if (prefix % 8 != 0)
		m.bytes[prefix / 8] = (uint8_t)(0xff << (8 - prefix % 8));
	return m;
}

/* Length of a contiguous mask, or -1 when ones and zeros interleave. */
static int mask_prefix(const ip_address *m)
{
	size_t n = family_bytes(m->family);
	int prefix = 0;
	size_t i = 0;
	while (i < n && m->bytes[i] == 0xff) {
		prefix += 8;
		i++;
	}
	if (i < n) {
		uint8_t b = m->bytes[i];
		while (b & 0x80) {
			prefix++;
			b = (uint8_t)(b << 1);
		}
		if (b != 0)
			return -1;
		for (i++; i < n; i++)
			if (m->bytes[i] != 0)
				return -1;
	}
	return prefix;
}

static bool text_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

err_t ttosubnet(const char *s, size_t len, enum ip_family afhint,
		ip_subnet *out, bool *host_bits_set)
{
	if (host_bits_set != NULL)
		*host_bits_set = false;
	if (s == NULL || len == 0)
		return "empty subnet";

	if (text_is(s, len, "%any") || text_is(s, len, "%all")) {
		out->addr = address_any(afhint == IP_V6 ? IP_V6 : IP_V4);
		out->prefix = 0;
		return NULL;
	}
	if (text_is(s, len, "%any6")) {
		if (afhint == IP_V4)
			return "%any6 is IPv6 where an IPv4 subnet is required";
		out->addr = address_any(IP_V6);
		out->prefix = 0;
		return NULL;
	}

	const char *slash = memchr(s, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - s) : len;
	ip_address addr;
	err_t e = ttoaddress_num(s, alen, afhint, &addr);
	if (e != NULL)
		return e;
	enum ip_family af = addr.family;
	unsigned bits = address_bits(af);

	unsigned prefix = bits;
	if (slash != NULL) {
		const char *p = slash + 1;
		size_t plen = len - alen - 1;
		if (plen == 0)
			return "subnet has an empty prefix length after '/'";
		if (memchr(p, '.', plen) != NULL && memchr(p, ':', plen) == NULL) {
			/* Dotted mask: only meaningful for IPv4. */
			if (af != IP_V4)
				return "a dotted mask is only allowed with IPv4; use a prefix length";
			ip_address m;
			e = ttoaddress_num(p, plen, IP_V4, &m);
			if (e != NULL)
				return "subnet mask is not a valid dotted quad";
			int mp = mask_prefix(&m);
			if (mp < 0)
				return "subnet mask is not contiguous";
			prefix = (unsigned)mp;
		} else {
			unsigned v = 0;
			for (size_t i = 0; i < plen; i++) {
				if (p[i] < '0' || p[i] > '9')
					return "subnet prefix length is not a decimal number";
				v = v * 10 + (unsigned)(p[i] - '0');
				if (v > 128)
					break;   /* too large either way; stop before overflow */
			}
			if (v > bits)
				return af == IP_V4 ? "prefix length is larger than 32 for IPv4"
						   : "prefix length is larger than 128 for IPv6";
			prefix = v;
		}
	}

	ip_address m = prefix_mask(af, prefix);
	bool changed = false;
	for (size_t i = 0; i < family_bytes(af); i++) {
		uint8_t b = addr.bytes[i] & m.bytes[i];
		if (b != addr.bytes[i])
			changed = true;
		addr.bytes[i] = b;
	}
	if (host_bits_set != NULL)
		*host_bits_set = changed;
	out->addr = addr;
	out->prefix = (uint8_t)prefix;
	return NULL;
}

const char *str_subnet(const ip_subnet *s, char buf[SUBNET_BUF])
{
	char a[ADDRESS_BUF];
	snprintf(buf, SUBNET_BUF, "%s/%u", str_address(&s->addr, a), s->prefix);
	return buf;
}

bool subnet_contains_address(const ip_subnet *s, const ip_address *a)
{
	if (s->addr.family != a->family)
		return false;
	ip_address m = prefix_mask(s->addr.family, s->prefix);
	for (size_t i = 0; i < family_bytes(a->family); i++)
		if ((a->bytes[i] & m.bytes[i]) != s->addr.bytes[i])
			return false;
	return true;
}

bool subnet_contains_subnet(const ip_subnet *outer, const ip_subnet *inner)
{
	return inner->prefix >= outer->prefix &&
	       subnet_contains_address(outer, &inner->addr);
}

bool subnet_eq(const ip_subnet *a, const ip_subnet *b)
{
	if (a->addr.family == IP_UNSET || b->addr.family == IP_UNSET)
		return a->addr.family == b->addr.family;
	return a->prefix == b->prefix && address_eq(&a->addr, &b->addr);
}

ip_subnet subnet_from_address(const ip_address *a)
{
	ip_subnet s = { .addr = *a, .prefix = (uint8_t)address_bits(a->family) };
	return s;
}
