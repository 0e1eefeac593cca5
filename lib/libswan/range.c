/* ip_range: START-END text and its split into the fewest CIDR blocks. */
#include <stdio.h>
#include <string.h>
#include "swan/range.h"

static size_t family_bytes(unsigned family)
{
	return family == IP_V4 ? 4 : 16;
}

err_t ttorange(const char *s, size_t len, enum ip_family afhint, ip_range *out)
{
	if (s == NULL || len == 0)
		return "empty range";
	const char *dash = memchr(s, '-', len);
	if (dash != NULL) {
		size_t alen = (size_t)(dash - s);
		ip_address start, end;
		if (alen == 0)
			return "range has no start address";
		if (alen + 1 == len)
			return "range has no end address";
		err_t e = ttoaddress_num(s, alen, afhint, &start);
		if (e != NULL)
			return e;
		e = ttoaddress_num(dash + 1, len - alen - 1, (enum ip_family)start.family, &end);
		if (e != NULL)
			return e;
		if (address_cmp(&start, &end) > 0)
			return "range start is after its end";
		out->start = start;
		out->end = end;
		return NULL;
	}
	if (memchr(s, '/', len) != NULL) {
		ip_subnet sn;
		err_t e = ttosubnet(s, len, afhint, &sn, NULL);
		if (e != NULL)
			return e;
		*out = range_from_subnet(&sn);
		return NULL;
	}
	ip_address a;
	err_t e = ttoaddress_num(s, len, afhint, &a);
	if (e != NULL)
		return e;
	out->start = out->end = a;
	return NULL;
}

const char *str_range(const ip_range *r, char buf[RANGE_BUF])
{
	char a[ADDRESS_BUF], b[ADDRESS_BUF];
	snprintf(buf, RANGE_BUF, "%s-%s", str_address(&r->start, a), str_address(&r->end, b));
	return buf;
}

ip_range range_from_subnet(const ip_subnet *s)
{
	ip_address m = prefix_mask((enum ip_family)s->addr.family, s->prefix);
	ip_range r = { .start = s->addr, .end = s->addr };
	for (size_t i = 0; i < family_bytes(s->addr.family); i++) {
		r.start.bytes[i] &= m.bytes[i];
		r.end.bytes[i] |= (uint8_t)~m.bytes[i];
	}
	return r;
}

/* a with its lowest k bits all set to one. */
static ip_address with_low_bits_set(const ip_address *a, unsigned k)
{
	ip_address r = *a;
	size_t n = family_bytes(a->family);
	for (size_t i = n; i-- > 0 && k > 0;) {
		if (k >= 8) {
			r.bytes[i] = 0xff;
			k -= 8;
		} else {
			r.bytes[i] |= (uint8_t)((1u << k) - 1);
			k = 0;
		}
	}
	return r;
}

/* Number of trailing zero bits (all bits for the zero address). */
static unsigned trailing_zero_bits(const ip_address *a)
{
	size_t n = family_bytes(a->family);
	unsigned tz = 0;
	for (size_t i = n; i-- > 0;) {
		uint8_t b = a->bytes[i];
		if (b == 0) {
			tz += 8;
			continue;
		}
		while ((b & 1) == 0) {
			tz++;
			b >>= 1;
		}
		break;
	}
	return tz;
}

static void increment(ip_address *a)
{
	for (size_t i = family_bytes(a->family); i-- > 0;)
		if (++a->bytes[i] != 0)
			break;
}

/* Greedy from the start: each block is the largest one aligned at the
 * current address that does not run past the end; this is the unique
 * minimal cover. */
bool range_to_subnets(const ip_range *r,
		      bool (*fn)(const ip_subnet *s, void *ctx), void *ctx)
{
	unsigned bits = address_bits((enum ip_family)r->start.family);
	if (bits == 0 || r->start.family != r->end.family ||
	    address_cmp(&r->start, &r->end) > 0)
		return true;   /* nothing to cover */
	ip_address cur = r->start;
	for (;;) {
		unsigned k = trailing_zero_bits(&cur);
		if (k > bits)
			k = bits;
		ip_address last = with_low_bits_set(&cur, k);
		while (k > 0 && address_cmp(&last, &r->end) > 0) {
			k--;
			last = with_low_bits_set(&cur, k);
		}
		ip_subnet s = { .addr = cur, .prefix = (uint8_t)(bits - k) };
		if (!fn(&s, ctx))
			return false;
		if (address_eq(&last, &r->end))
			return true;
		cur = last;
		increment(&cur);
	}
}
