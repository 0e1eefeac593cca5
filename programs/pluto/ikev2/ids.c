/* ID payload conversions (DNs through NSS's DER encoder) and NAT-D. */
#include <cert.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ikev2/ids.h"

/* id_kind -> IKEv2 ID type. */
static const struct { enum id_kind kind; uint8_t type; } id_types[] = {
	{ ID_IPV4, IKEV2_ID_IPV4_ADDR },
	{ ID_IPV6, IKEV2_ID_IPV6_ADDR },
	{ ID_FQDN, IKEV2_ID_FQDN },
	{ ID_USER_FQDN, IKEV2_ID_RFC822_ADDR },
	{ ID_KEY_ID, IKEV2_ID_KEY_ID },
	{ ID_DER_ASN1_DN, IKEV2_ID_DER_ASN1_DN },
};

/* Is a DN text written in the certificate's own order (most general RDN
 * first, as openssl and libreswan users write it)? NSS parses RFC 4514
 * text, most specific RDN first. */
static bool dn_in_cert_order(const char *text)
{
	static const char *const general[] = { "C=", "DC=", "ST=", "L=", "O=" };
	for (size_t i = 0; i < sizeof(general) / sizeof(general[0]); i++)
		if (strncasecmp(text, general[i], strlen(general[i])) == 0)
			return true;
	return false;
}

/* ttoid's canonical DN text with its RDNs in reverse order. */
static bool dn_reverse(const char *text, char *out, size_t size)
{
	size_t len = strlen(text), at = 0, end = len;
	if (len + 1 > size)
		return false;
	/* walk back over unescaped ", " separators */
	for (size_t i = len; i-- > 0;) {
		bool sep = text[i] == ',' && (i == 0 || text[i - 1] != '\\');
		/* an escaped backslash before the comma ends a value */
		if (text[i] == ',' && i >= 2 && text[i - 1] == '\\' && text[i - 2] == '\\')
			sep = true;
		if (!sep && i != 0)
			continue;
		size_t from = sep ? i + 1 : 0;
		while (from < end && text[from] == ' ')
			from++;
		if (at > 0) {
			out[at++] = ',';
			out[at++] = ' ';
		}
		if (at + (end - from) + 1 > size)
			return false;
		memcpy(out + at, text + from, end - from);
		at += end - from;
		end = i;
	}
	out[at] = '\0';
	return true;
}

static bool dn_to_der(const char *text, uint8_t *buf, size_t size, size_t *len)
{
	char reversed[ID_BUF + 64];
	if (dn_in_cert_order(text)) {
		if (!dn_reverse(text, reversed, sizeof(reversed)))
			return false;
		text = reversed;
	}
	CERTName *name = CERT_AsciiToName(text);
	if (name == NULL)
		return false;
	SECItem *der = SEC_ASN1EncodeItem(NULL, NULL, name, SEC_ASN1_GET(CERT_NameTemplate));
	CERT_DestroyName(name);
	if (der == NULL)
		return false;
	bool ok = der->len <= size;
	if (ok) {
		memcpy(buf, der->data, der->len);
		*len = der->len;
	}
	SECITEM_FreeItem(der, PR_TRUE);
	return ok;
}

/* NSS quotes values with special characters (O="Foo, Inc"); ttoid wants
 * them backslash-escaped (O=Foo\\, Inc). */
static err_t dn_unquote(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool quoted = false;
	for (; *in != '\0'; in++) {
		char c = *in;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\' && in[1] != '\0')
			c = *++in;
		if (quoted && (c == ',' || c == '\\')) {
			if (n + 1 >= size)
				return "DN too long";
			out[n++] = '\\';
		}
		if (n + 1 >= size)
			return "DN too long";
		out[n++] = c;
	}
	out[n] = '\0';
	return quoted ? "undecodable DN (unbalanced quotes)" : NULL;
}

bool id_to_payload(const ip_id *id, struct ikev2_id *out, uint8_t *buf, size_t size)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(id_types) / sizeof(id_types[0]); i++) {
		if (id_types[i].kind != id->kind)
			continue;
		out->type = id_types[i].type;
		switch (id->kind) {
		case ID_IPV4:
		case ID_IPV6:
			out->ip = id->ip;
			memcpy(buf, id->ip.bytes, id->kind == ID_IPV4 ? 4 : 16);
			out->data = (struct ikev2_span){ buf, id->kind == ID_IPV4 ? 4u : 16u };
			return true;
		case ID_DER_ASN1_DN: {
			size_t len;
			if (!dn_to_der(id->name, buf, size, &len))
				return false;
			out->data = (struct ikev2_span){ buf, len };
			return true;
		}
		default:
			if (id->len > size)
				return false;
			memcpy(buf, id->name, id->len);
			out->data = (struct ikev2_span){ buf, id->len };
			return true;
		}
	}
	return false;
}

err_t id_from_payload(const struct ikev2_id *in, ip_id *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(id_types) / sizeof(id_types[0]); i++) {
		if (id_types[i].type != in->type)
			continue;
		out->kind = id_types[i].kind;
		if (out->kind == ID_IPV4 || out->kind == ID_IPV6) {
			out->ip = in->ip;
			/* IKEv1's ID payloads come with the address in the data
			 * only (the IKEv2 decoder fills ip as well) */
			size_t want = out->kind == ID_IPV4 ? 4 : 16;
			if (out->ip.family == IP_UNSET) {
				if (in->data.len != want || in->data.ptr == NULL)
					return out->kind == ID_IPV4 ? "an IPv4 ID that is not 4 bytes"
								    : "an IPv6 ID that is not 16 bytes";
				out->ip.family = out->kind == ID_IPV4 ? IP_V4 : IP_V6;
				memcpy(out->ip.bytes, in->data.ptr, want);
			}
			return NULL;
		}
		if (out->kind == ID_DER_ASN1_DN) {
			SECItem der = { siBuffer, (unsigned char *)in->data.ptr, (unsigned)in->data.len };
			CERTName name;
			PLArenaPool *arena = PORT_NewArena(1024);
			if (arena == NULL)
				return "out of memory";
			memset(&name, 0, sizeof(name));
			if (SEC_QuickDERDecodeItem(arena, &name, SEC_ASN1_GET(CERT_NameTemplate), &der) != SECSuccess) {
				PORT_FreeArena(arena, PR_FALSE);
				return "undecodable DN";
			}
			char *text = CERT_NameToAscii(&name);
			PORT_FreeArena(arena, PR_FALSE);
			if (text == NULL)
				return "undecodable DN";
			/* back through ttoid for the canonical form id_eq compares */
			char plain[ID_BUF];
			err_t e = dn_unquote(text, plain, sizeof(plain));
			PORT_Free(text);
			if (e == NULL)
				e = ttoid(plain, out);
			return e;
		}
		if (in->data.len >= ID_NAME_MAX)
			return "ID too long";
		memcpy(out->name, in->data.ptr, in->data.len);
		out->name[in->data.len] = '\0';
		out->len = in->data.len;
		return NULL;
	}
	return "unsupported ID type";
}

bool id_matches(const ip_id *expected, const ip_id *got)
{
	if (expected->kind == ID_ANY || expected->kind == ID_NONE)
		return true;
	return id_eq(expected, got);
}

void natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const ip_address *a,
	       uint16_t port, uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t alen = a->family == IP_V6 ? 16 : 4;
	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, a->bytes, alen);
	buf[16 + alen] = (uint8_t)(port >> 8);
	buf[17 + alen] = (uint8_t)port;
	PK11_HashBuf(SEC_OID_SHA1, out, buf, (PRInt32)(18 + alen));
}
