/* ID payload conversions (DNs through NSS's DER encoder) and NAT-D. */
#include <cert.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <stdlib.h>
#include <string.h>
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

static bool dn_to_der(const char *text, uint8_t *buf, size_t size, size_t *len)
{
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
			err_t e = ttoid(text, out);
			PORT_Free(text);
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
