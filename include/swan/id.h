/* ip_id: the identities of leftid=/rightid= and ipsec.secrets. */
#ifndef SWAN_ID_H
#define SWAN_ID_H
#include "swan/address.h"

enum id_kind {
	ID_NONE,        /* %none */
	ID_ANY,         /* %any */
	ID_FROMCERT,    /* %fromcert */
	ID_MYID,        /* %myid */
	ID_IPV4,        /* 192.0.2.1 */
	ID_IPV6,        /* 2001:db8::1 */
	ID_FQDN,        /* @host.example, or a bare DNS name */
	ID_USER_FQDN,   /* user@host.example */
	ID_KEY_ID,      /* @#0a0b... (hex) or @[text] */
	ID_DER_ASN1_DN, /* C=CH, O=Example, CN=host */
};

#define ID_NAME_MAX 512
#define ID_BUF (ID_NAME_MAX + 8)

typedef struct {
	enum id_kind kind;
	ip_address ip;             /* ID_IPV4, ID_IPV6 */
	size_t len;                /* length of name */
	char name[ID_NAME_MAX];    /* FQDN (without '@'), user@fqdn, DN text,
				    * or KEY_ID raw bytes */
} ip_id;

/* Parses an ID. "@fqdn" is an FQDN used literally; "user@fqdn" a USER_FQDN;
 * "@#HEX" a KEY_ID in hex (even number of digits); "@[text]" a KEY_ID with
 * the text's bytes; a numeric address an IP ID; a string containing '='
 * whose RDNs are TYPE=VALUE pairs separated by ',' or '/' a DN (types
 * checked against C, ST, L, O, OU, CN, E, emailAddress, DC, SN, GN,
 * serialNumber, T, UID, and OID.n.n forms); %none %any %fromcert %myid. */
err_t ttoid(const char *s, ip_id *out);
/* Canonical text that ttoid() parses back to an equal ID. Returns buf. */
const char *str_id(const ip_id *id, char buf[ID_BUF]);
bool id_eq(const ip_id *a, const ip_id *b);
#endif
