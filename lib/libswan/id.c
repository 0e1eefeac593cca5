/* ip_id: IKE identities (RFC 7296 3.5) as leftid=/rightid= write them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "swan/id.h"

/* Hex of a KEY_ID must fit ID_BUF as "@#" + 2 digits a byte. */
#define KEY_ID_MAX ((ID_BUF - 3) / 2)

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- distinguished names ------------------------------------------------ */

/* Attribute types an ID may use, in their canonical spelling. */
static const char *const dn_types[] = {
	"C", "ST", "L", "O", "OU", "CN", "E", "emailAddress", "DC", "SN", "GN",
	"serialNumber", "T", "UID",
};

/* "OID.1.2.3" or "1.2.3": at least two numeric arcs. */
static bool is_oid_type(const char *s, size_t len)
{
	if (len > 4 && strncasecmp(s, "OID.", 4) == 0) {
		s += 4;
		len -= 4;
	}
	unsigned arcs = 0;
	size_t digits = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (digits == 0)
				return false;
			arcs++;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			digits++;
		} else {
			return false;
		}
	}
	return arcs >= 2;
}

struct text_out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void out_char(struct text_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
	else
		o->overflow = true;
}

static void out_mem(struct text_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses "TYPE=VALUE" RDNs separated by ',' (or by '/' when the text
 * starts with '/'), with blanks allowed around types and values and '\'
 * escaping the next character. Writes the canonical form: types in their
 * table spelling, RDNs joined by ", ", and ',' '\' and edge blanks of
 * values escaped, so that the result parses back to itself. */
static err_t parse_dn(const char *s, char *out, size_t outsize, size_t *outlen)
{
	char sep = ',';
	if (*s == '/') {
		sep = '/';
		s++;
	}
	struct text_out o = { out, outsize, 0, false };
	for (unsigned rdn = 0;; rdn++) {
		while (is_blank(*s))
			s++;
		const char *type = s;
		while (*s != '\0' && *s != '=' && *s != sep)
			s++;
		if (*s != '=')
			return rdn == 0 && *s == '\0' ? "DN has no TYPE=VALUE part"
						       : "DN part is not TYPE=VALUE";
		size_t tlen = (size_t)(s - type);
		while (tlen > 0 && is_blank(type[tlen - 1]))
			tlen--;
		if (tlen == 0)
			return "DN part has an empty attribute type";
		const char *canon = NULL;
		for (size_t i = 0; i < sizeof(dn_types) / sizeof(dn_types[0]); i++)
			if (strlen(dn_types[i]) == tlen && strncasecmp(dn_types[i], type, tlen) == 0)
				canon = dn_types[i];
		if (canon == NULL && !is_oid_type(type, tlen))
			return "DN has an unknown attribute type";
		s++;   /* '=' */

		if (rdn > 0)
			out_mem(&o, ", ", 2);
		if (canon != NULL) {
			out_mem(&o, canon, strlen(canon));
		} else if (strncasecmp(type, "OID.", 4) == 0) {
			out_mem(&o, "OID", 3);
			out_mem(&o, type + 3, tlen - 3);
		} else {
			out_mem(&o, type, tlen);
		}
		out_char(&o, '=');

		/* Value: collected with a mark on escaped characters, so that
		 * only unescaped blanks at either end are dropped. */
		char val[ID_NAME_MAX];
		bool esc[ID_NAME_MAX];
		size_t n = 0;
		while (*s != '\0' && *s != sep) {
			char c = *s++;
			bool escaped = false;
			if (c == '\\') {
				if (*s == '\0')
					return "DN ends with a lone '\\'";
				c = *s++;
				escaped = true;
			}
			if (n == sizeof(val))
				return "DN is too long";
			val[n] = c;
			esc[n] = escaped;
			n++;
		}
		size_t first = 0, last = n;
		while (first < last && is_blank(val[first]) && !esc[first])
			first++;
		while (last > first && is_blank(val[last - 1]) && !esc[last - 1])
			last--;
		if (first == last)
			return "DN part has an empty value";
		for (size_t i = first; i < last; i++) {
			char c = val[i];
			if (c == ',' || c == '\\' ||
			    (is_blank(c) && (i == first || i + 1 == last)))
				out_char(&o, '\\');
			out_char(&o, c);
		}
		if (*s == '\0')
			break;
		s++;   /* separator */
		if (sep == '/' && *s == '\0')
			return "DN ends with '/'";
	}
	if (o.overflow)
		return "DN is too long";
	o.buf[o.len] = '\0';
	*outlen = o.len;
	return NULL;
}

/* ---- IDs ---------------------------------------------------------------- */

static err_t set_name(ip_id *id, enum id_kind kind, const char *s, size_t len)
{
	if (len >= sizeof(id->name))
		return "ID is too long";
	id->kind = kind;
	memcpy(id->name, s, len);
	id->name[len] = '\0';
	id->len = len;
	return NULL;
}

err_t ttoid(const char *s, ip_id *out)
{
	ip_id id;
	memset(&id, 0, sizeof(id));
	if (s == NULL || *s == '\0')
		return "empty ID";
	size_t len = strlen(s);

	if (s[0] == '%') {
		static const struct {
			const char *word;
			enum id_kind kind;
		} words[] = {
			{ "%none", ID_NONE }, { "%any", ID_ANY },
			{ "%fromcert", ID_FROMCERT }, { "%myid", ID_MYID },
		};
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strcmp(s, words[i].word) == 0) {
				id.kind = words[i].kind;
				*out = id;
				return NULL;
			}
		}
		return "unknown %keyword ID (use %none, %any, %fromcert or %myid)";
	}

	if (s[0] == '@') {
		if (s[1] == '#') {
			/* KEY_ID in hex. */
			const char *h = s + 2;
			size_t hlen = len - 2;
			if (hlen == 0)
				return "@# key ID has no hex digits";
			if (hlen % 2 != 0)
				return "@# key ID has an odd number of hex digits";
			if (hlen / 2 > KEY_ID_MAX)
				return "@# key ID is too long";
			for (size_t i = 0; i < hlen; i += 2) {
				int hi = hex_value(h[i]), lo = hex_value(h[i + 1]);
				if (hi < 0 || lo < 0)
					return "@# key ID contains a character that is not a hex digit";
				id.name[i / 2] = (char)(hi << 4 | lo);
			}
			id.kind = ID_KEY_ID;
			id.len = hlen / 2;
			*out = id;
			return NULL;
		}
		if (s[1] == '[') {
			/* KEY_ID given as the bytes of a text. */
			if (len < 3 || s[len - 1] != ']')
				return "@[ key ID must end with ']'";
			size_t tlen = len - 3;
			if (tlen == 0)
				return "@[] key ID is empty";
			if (tlen > KEY_ID_MAX)
				return "@[ key ID is too long";
			memcpy(id.name, s + 2, tlen);
			id.kind = ID_KEY_ID;
			id.len = tlen;
			*out = id;
			return NULL;
		}
		if (len == 1)
			return "@ ID has no name after '@'";
		err_t e = set_name(&id, ID_FQDN, s + 1, len - 1);
		if (e != NULL)
			return e;
		*out = id;
		return NULL;
	}

	if (strchr(s, '=') != NULL) {
		err_t e = parse_dn(s, id.name, sizeof(id.name), &id.len);
		if (e != NULL)
			return e;
		id.kind = ID_DER_ASN1_DN;
		*out = id;
		return NULL;
	}

	const char *at = strchr(s, '@');
	if (at != NULL) {
		if (at[1] == '\0')
			return "user@domain ID has no domain";
		if (strchr(at + 1, '@') != NULL)
			return "user@domain ID has more than one '@'";
		err_t e = set_name(&id, ID_USER_FQDN, s, len);
		if (e != NULL)
			return e;
		*out = id;
		return NULL;
	}

	if (ttoaddress_num(s, len, IP_UNSET, &id.ip) == NULL) {
		id.kind = id.ip.family == IP_V4 ? ID_IPV4 : ID_IPV6;
		*out = id;
		return NULL;
	}

	if (is_dns_name(s)) {
		err_t e = set_name(&id, ID_FQDN, s, len);
		if (e != NULL)
			return e;
		*out = id;
		return NULL;
	}
	return strchr(s, ':') != NULL || strspn(s, "0123456789.") == len
		? "ID is not a valid IP address"
		: "ID is not an IP address, @FQDN, user@FQDN, DN or %keyword";
}

const char *str_id(const ip_id *id, char buf[ID_BUF])
{
	switch (id->kind) {
	case ID_NONE:
		snprintf(buf, ID_BUF, "%%none");
		break;
	case ID_ANY:
		snprintf(buf, ID_BUF, "%%any");
		break;
	case ID_FROMCERT:
		snprintf(buf, ID_BUF, "%%fromcert");
		break;
	case ID_MYID:
		snprintf(buf, ID_BUF, "%%myid");
		break;
	case ID_IPV4:
	case ID_IPV6: {
		char a[ADDRESS_BUF];
		snprintf(buf, ID_BUF, "%s", str_address(&id->ip, a));
		break;
	}
	case ID_FQDN:
		snprintf(buf, ID_BUF, "@%.*s", (int)id->len, id->name);
		break;
	case ID_USER_FQDN:
	case ID_DER_ASN1_DN:
		snprintf(buf, ID_BUF, "%.*s", (int)id->len, id->name);
		break;
	case ID_KEY_ID: {
		static const char hex[] = "0123456789abcdef";
		size_t n = id->len < KEY_ID_MAX ? id->len : KEY_ID_MAX;
		char *p = buf;
		*p++ = '@';
		*p++ = '#';
		for (size_t i = 0; i < n; i++) {
			uint8_t b = (uint8_t)id->name[i];
			*p++ = hex[b >> 4];
			*p++ = hex[b & 0xf];
		}
		*p = '\0';
		break;
	}
	default:
		snprintf(buf, ID_BUF, "<unknown ID kind>");
		break;
	}
	return buf;
}

/* One RDN of a canonical DN text (ttoid's form: RDNs joined by ", ",
 * ',' and '\\' in values escaped): type and value spans. */
struct rdn {
	const char *type, *value;
	size_t tlen, vlen;
};

#define DN_RDNS_MAX 32

static size_t dn_split(const char *s, size_t len, struct rdn *out)
{
	size_t n = 0, i = 0;
	while (i < len && n < DN_RDNS_MAX) {
		while (i < len && s[i] == ' ')
			i++;
		struct rdn *r = &out[n];
		r->type = s + i;
		while (i < len && s[i] != '=')
			i++;
		r->tlen = (size_t)(s + i - r->type);
		if (i < len)
			i++;
		r->value = s + i;
		while (i < len && s[i] != ',') {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			i++;
		}
		r->vlen = (size_t)(s + i - r->value);
		if (i < len)
			i++;   /* ',' */
		n++;
	}
	return i < len ? 0 : n;   /* 0: too many RDNs to compare */
}

/* A value of "*" (unescaped) is Openswan's wildcard: any value of that
 * type matches. */
static bool rdn_eq(const struct rdn *a, const struct rdn *b)
{
	if (a->tlen != b->tlen || strncasecmp(a->type, b->type, a->tlen) != 0)
		return false;
	if ((a->vlen == 1 && a->value[0] == '*') || (b->vlen == 1 && b->value[0] == '*'))
		return true;
	return a->vlen == b->vlen && strncasecmp(a->value, b->value, a->vlen) == 0;
}

/* DNs are equal when their RDNs are, in the same order or one reversed:
 * users write the certificate's own order (as openssl prints it) while
 * NSS and RFC 4514 print the reverse. */
static bool dn_eq(const ip_id *a, const ip_id *b)
{
	struct rdn ra[DN_RDNS_MAX], rb[DN_RDNS_MAX];
	size_t na = dn_split(a->name, a->len, ra), nb = dn_split(b->name, b->len, rb);
	if (na == 0 || na != nb)
		return false;
	bool same = true, reversed = true;
	for (size_t i = 0; i < na && (same || reversed); i++) {
		same = same && rdn_eq(&ra[i], &rb[i]);
		reversed = reversed && rdn_eq(&ra[i], &rb[na - 1 - i]);
	}
	return same || reversed;
}

/* Names compare as the protocol matches them: DNS names and DNs without
 * regard to case (their canonical text already settles spacing), key IDs
 * byte for byte, user@domain with an exact local part. */
bool id_eq(const ip_id *a, const ip_id *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case ID_IPV4:
	case ID_IPV6:
		return address_eq(&a->ip, &b->ip);
	case ID_FQDN:
		return a->len == b->len && strncasecmp(a->name, b->name, a->len) == 0;
	case ID_DER_ASN1_DN:
		return dn_eq(a, b);
	case ID_USER_FQDN: {
		if (a->len != b->len)
			return false;
		const char *at = memchr(a->name, '@', a->len);
		size_t local = at != NULL ? (size_t)(at - a->name) : a->len;
		return memcmp(a->name, b->name, local) == 0 &&
		       strncasecmp(a->name + local, b->name + local, a->len - local) == 0;
	}
	case ID_KEY_ID:
		return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
	default:
		return true;
	}
}
