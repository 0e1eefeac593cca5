/* Parsing netsh address, mask, protocol and port values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/values.h"
#include "netsh/util.h"
#include "swan/range.h"

const char *const server_names[SRV_COUNT] = { "DNS", "WINS", "DHCP", "GATEWAY" };

/* Keywords of an address value; exact (case-insensitive) like netsh. */
static bool parse_keyword(const char *s, struct naddr *out)
{
	if (ieq(s, "me"))
		return out->kind = A_ME, true;
	if (ieq(s, "any"))
		return out->kind = A_ANY, true;
	for (int i = 0; i < SRV_COUNT; i++)
		if (ieq(s, server_names[i])) {
			out->kind = A_SERVER;
			out->server = (enum server_type)i;
			return true;
		}
	return false;
}

static err_t parse_range(const char *s, const char *dash, struct naddr *out)
{
	if (ttoaddress_num(s, (size_t)(dash - s), IP_UNSET, &out->a) != NULL ||
	    ttoaddress_num(dash + 1, strlen(dash + 1), IP_UNSET, &out->b) != NULL)
		return "a range needs two addresses A-B";
	if (out->a.family != out->b.family)
		return "the ends of a range are of different address families";
	if (address_cmp(&out->a, &out->b) > 0)
		return "the range ends before it starts";
	out->kind = A_RANGE;
	return NULL;
}

err_t parse_naddr(const char *s, struct naddr *out)
{
	*out = (struct naddr){0};
	if (*s == '\0')
		return "empty address";
	if (parse_keyword(s, out))
		return NULL;
	const char *dash = strchr(s, '-');
	if (dash != NULL && strchr(s, ':') == NULL && strspn(s, "0123456789.-") == strlen(s))
		return parse_range(s, dash, out);
	if (dash != NULL && strchr(s, ':') != NULL)
		return parse_range(s, dash, out);
	const char *slash = strchr(s, '/');
	if (slash != NULL) {
		ip_subnet sn;
		bool hb = false;
		if (ttosubnet(s, strlen(s), IP_UNSET, &sn, &hb) != NULL)
			return "not an address, range or subnet";
		out->kind = A_ADDR;
		out->a = sn.addr;
		out->prefix = sn.prefix;
		out->cidr_text = true;
		out->host_bits = hb;
		return NULL;
	}
	if (ttoaddress_num(s, strlen(s), IP_UNSET, &out->a) == NULL) {
		out->kind = A_ADDR;
		out->prefix = address_bits(out->a.family);
		return NULL;
	}
	if (strspn(s, "0123456789.,") == strlen(s))
		return "not a valid address";
	if (!is_dns_name(s))
		return "not an address, range, DNS name or server type";
	out->kind = A_DNS;
	out->dns = xstrdup(s);
	return NULL;
}

/* A dotted mask to a prefix; -1 when not contiguous. */
static int mask_prefix(const ip_address *m)
{
	int bits = 0;
	bool ended = false;
	for (int i = 0; i < 4; i++)
		for (int b = 7; b >= 0; b--) {
			bool one = (m->bytes[i] >> b) & 1;
			if (one && ended)
				return -1;
			if (one)
				bits++;
			else
				ended = true;
		}
	return bits;
}

static err_t mask_to_prefix(const char *mask, enum ip_family af, unsigned *prefix)
{
	if (strspn(mask, "0123456789") == strlen(mask) && *mask != '\0' && strlen(mask) <= 3) {
		unsigned p = (unsigned)atoi(mask);
		if (p > address_bits(af))
			return "prefix too long";
		*prefix = p;
		return NULL;
	}
	ip_address m;
	if (ttoaddress_num(mask, strlen(mask), IP_V4, &m) != NULL)
		return "not a mask or prefix";
	if (af != IP_V4)
		return "a dotted mask for an IPv6 address";
	int p = mask_prefix(&m);
	if (p < 0)
		return "mask is not contiguous";
	*prefix = (unsigned)p;
	return NULL;
}

/* Clears the host bits below prefix; returns true when some were set. */
static bool clear_host_bits(ip_address *a, unsigned prefix)
{
	bool set = false;
	unsigned bits = address_bits(a->family);
	for (unsigned i = prefix; i < bits; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));
		if (a->bytes[i / 8] & bit)
			set = true;
		a->bytes[i / 8] &= (uint8_t)~bit;
	}
	return set;
}

err_t apply_mask(struct naddr *a, const char *mask, bool *ignored)
{
	*ignored = false;
	if (mask == NULL)
		return NULL;
	if (a->kind != A_ADDR) {
		/* a mask of all ones is the default: it changes nothing */
		*ignored = strcmp(mask, "255.255.255.255") != 0 && strcmp(mask, "32") != 0;
		return NULL;
	}
	unsigned p;
	err_t e = mask_to_prefix(mask, (enum ip_family)a->a.family, &p);
	if (e != NULL)
		return e;
	a->mask_given = true;
	if (a->cidr_text && p != a->prefix)
		return "both a /prefix and a different mask";
	a->prefix = p;
	a->host_bits = clear_host_bits(&a->a, p) || a->host_bits;
	return NULL;
}

void naddr_free(struct naddr *a)
{
	free(a->dns);
	a->dns = NULL;
}

struct naddr naddr_copy(const struct naddr *a)
{
	struct naddr c = *a;
	if (a->dns)
		c.dns = xstrdup(a->dns);
	return c;
}

bool naddr_eq(const struct naddr *x, const struct naddr *y)
{
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case A_ADDR:
		return address_eq(&x->a, &y->a) && x->prefix == y->prefix;
	case A_RANGE:
		return address_eq(&x->a, &y->a) && address_eq(&x->b, &y->b);
	case A_DNS:
		return ieq(x->dns, y->dns);
	case A_SERVER:
		return x->server == y->server;
	default:
		return true;
	}
}

const char *str_naddr(const struct naddr *a, char *buf, size_t size)
{
	char x[ADDRESS_BUF], y[ADDRESS_BUF];
	switch (a->kind) {
	case A_ME: snprintf(buf, size, "Me"); break;
	case A_ANY: snprintf(buf, size, "Any"); break;
	case A_SERVER: snprintf(buf, size, "%s", server_names[a->server]); break;
	case A_DNS: snprintf(buf, size, "%s", a->dns); break;
	case A_RANGE:
		snprintf(buf, size, "%s-%s", str_address(&a->a, x), str_address(&a->b, y));
		break;
	case A_ADDR:
		if (a->prefix == address_bits(a->a.family))
			snprintf(buf, size, "%s", str_address(&a->a, x));
		else
			snprintf(buf, size, "%s/%u", str_address(&a->a, x), a->prefix);
		break;
	}
	return buf;
}

enum ip_family naddr_family(const struct naddr *a)
{
	if ((a->kind == A_ADDR || a->kind == A_RANGE) && a->a.family == IP_V6)
		return IP_V6;
	return IP_V4;
}

static const struct { const char *name; uint8_t num; } protocols[] = {
	{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "raw", 255 },
};

err_t parse_nproto(const char *s, uint8_t *out)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (ieq(s, protocols[i].name)) {
			*out = protocols[i].num;
			return NULL;
		}
	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 3 || atoi(s) > 255)
		return "not ANY, ICMP, TCP, UDP, RAW or a number 0..255";
	*out = (uint8_t)atoi(s);
	return NULL;
}

err_t parse_nport(const char *s, uint16_t *out)
{
	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5 || atol(s) > 65535)
		return "not a port number 0..65535";
	*out = (uint16_t)atol(s);
	return NULL;
}
