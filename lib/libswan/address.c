/* ip_address: numeric IPv4/IPv6 text (RFC 4291 in, RFC 5952 out). */
#include <stdio.h>
#include <string.h>
#include "swan/address.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict dotted quad: exactly four decimal parts 0..255 without leading
 * zeros, so that "010.1.1.1" cannot mean 8.1.1.1 to some other tool. */
static err_t parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return i >= len ? "IPv4 address has fewer than 4 parts"
						: "IPv4 address contains an unexpected character";
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return "IPv4 address part is larger than 255";
			i++;
		}
		if (i == start)
			return "IPv4 address part is empty or not a decimal number";
		if (i - start > 1 && s[start] == '0')
			return "IPv4 address part has a leading zero";
		out[part] = (uint8_t)v;
	}
	if (i != len)
		return s[i] == '.' ? "IPv4 address has more than 4 parts"
				   : "IPv4 address contains an unexpected character";
	return NULL;
}

/* RFC 4291 2.2: up to eight 16-bit hex groups, at most one "::", and an
 * optional dotted quad in the last 32 bits. */
static err_t parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint8_t b[16];
	int n = 0;      /* 16-bit groups seen */
	int gap = -1;   /* group index where "::" stands */
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len >= 1 && s[0] == ':') {
		return "IPv6 address starts with a single ':'";
	}
	while (i < len) {
		size_t j = i;
		bool dotted = false;
		while (j < len && s[j] != ':') {
			if (s[j] == '.')
				dotted = true;
			j++;
		}
		if (j == i)
			return "IPv6 address contains an empty group (three colons in a row?)";
		if (dotted) {
			if (j != len)
				return "embedded IPv4 address must end an IPv6 address";
			if (n > 6)
				return "IPv6 address has too many groups";
			err_t e = parse_v4(s + i, j - i, b + 2 * n);
			if (e != NULL)
				return e;
			n += 2;
			i = j;
			break;
		}
		if (j - i > 4)
			return "IPv6 address group has more than 4 hex digits";
		unsigned v = 0;
		for (size_t k = i; k < j; k++) {
			int h = hexval(s[k]);
			if (h < 0)
				return "IPv6 address contains a character that is not a hex digit";
			v = v * 16 + (unsigned)h;
		}
		if (n == 8)
			return "IPv6 address has more than 8 groups";
		b[2 * n] = (uint8_t)(v >> 8);
		b[2 * n + 1] = (uint8_t)v;
		n++;
		i = j;
		if (i == len)
			break;
		i++;   /* the ':' */
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return "IPv6 address contains more than one '::'";
			gap = n;
			i++;
		} else if (i == len) {
			return "IPv6 address ends with a single ':'";
		}
	}
	if (gap < 0) {
		if (n != 8)
			return "IPv6 address has fewer than 8 groups and no '::'";
		memcpy(out, b, 16);
		return NULL;
	}
	if (n > 7)
		return "IPv6 address has 8 groups as well as '::'";
	/* Expand the gap: groups before it stay, groups after move right. */
	memset(out, 0, 16);
	memcpy(out, b, 2 * (size_t)gap);
	size_t tail = 2 * (size_t)(n - gap);
	memcpy(out + 16 - tail, b + 2 * gap, tail);
	return NULL;
}

err_t ttoaddress_num(const char *s, size_t len, enum ip_family afhint, ip_address *out)
{
	if (s == NULL || len == 0)
		return "empty address";
	if (memchr(s, '\0', len) != NULL)
		return "address contains a NUL character";
	ip_address a = { .family = IP_UNSET };
	if (memchr(s, ':', len) != NULL) {
		if (afhint == IP_V4)
			return "IPv6 address where an IPv4 address is required";
		err_t e = parse_v6(s, len, a.bytes);
		if (e != NULL)
			return e;
		a.family = IP_V6;
	} else {
		err_t e = parse_v4(s, len, a.bytes);
		if (e != NULL)
			return e;
		if (afhint == IP_V6)
			return "IPv4 address where an IPv6 address is required";
		a.family = IP_V4;
	}
	*out = a;
	return NULL;
}

static bool is_v4_mapped(const uint8_t b[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

const char *str_address(const ip_address *a, char buf[ADDRESS_BUF])
{
	const uint8_t *b = a->bytes;
	if (a->family == IP_V4) {
		snprintf(buf, ADDRESS_BUF, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return buf;
	}
	if (a->family != IP_V6) {
		snprintf(buf, ADDRESS_BUF, "<unset>");
		return buf;
	}
	/* RFC 5952 5: IPv4-mapped addresses keep the dotted quad. */
	if (is_v4_mapped(b)) {
		snprintf(buf, ADDRESS_BUF, "::ffff:%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
		return buf;
	}
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	/* RFC 5952 4.2: compress the longest run (first on a tie) of two or
	 * more zero groups; a single zero group is written as "0". */
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		if (w[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	char *p = buf;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		p += sprintf(p, "%x", w[i]);
		if (i < 7)
			*p++ = ':';
	}
	*p = '\0';
	return buf;
}

ip_address address_any(enum ip_family af)
{
	ip_address a;
	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)af;
	return a;
}

static size_t family_bytes(unsigned family)
{
	return family == IP_V4 ? 4 : 16;
}

bool address_is_any(const ip_address *a)
{
	for (size_t i = 0; i < family_bytes(a->family); i++)
		if (a->bytes[i] != 0)
			return false;
	return true;
}

int address_cmp(const ip_address *a, const ip_address *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->bytes, b->bytes, family_bytes(a->family));
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool address_eq(const ip_address *a, const ip_address *b)
{
	return address_cmp(a, b) == 0;
}

unsigned address_bits(enum ip_family af)
{
	switch (af) {
	case IP_V4:
		return 32;
	case IP_V6:
		return 128;
	default:
		return 0;
	}
}

/* RFC 1123 host names: labels of letters, digits and inner hyphens. A
 * single trailing dot (absolute name) is allowed. The last label must not
 * be all digits, so that "1.2.3.256" is not mistaken for a name. */
bool is_dns_name(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	size_t total = strlen(s);
	if (s[total - 1] == '.')
		total--;
	if (total == 0 || total > 253)
		return false;
	size_t label = 0;
	bool label_all_digits = true;
	for (size_t i = 0; i <= total; i++) {
		char c = i < total ? s[i] : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			if (i == total && label_all_digits)
				return false;
			label = 0;
			label_all_digits = true;
			continue;
		}
		bool digit = c >= '0' && c <= '9';
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (c == '-') {
			if (label == 0)
				return false;
		} else if (!digit && !letter) {
			return false;
		}
		if (!digit)
			label_all_digits = false;
		label++;
	}
	return true;
}
