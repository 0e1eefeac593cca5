/* Names of IKEv2 numbers, one table each (IANA "IKEv2 Parameters").
 * The notify names live with the notify table in ikev2_notify.c. */
#include <stdio.h>
#include "ikev2/ikev2_msg.h"

#define NAMES(var, what_, ...)                                                  \
	static const struct ikev2_name var##_rows[] = { __VA_ARGS__ };         \
	const struct ikev2_names var = { what_, var##_rows,                    \
					 sizeof(var##_rows) / sizeof(var##_rows[0]), NULL }

/* Short names as RFC 7296 writes them in its exchange diagrams. */
NAMES(ikev2_payload_names, "payload",
      { IKEV2_PT_NONE, "none" },
      { IKEV2_PT_SA, "SA" },
      { IKEV2_PT_KE, "KE" },
      { IKEV2_PT_IDi, "IDi" },
      { IKEV2_PT_IDr, "IDr" },
      { IKEV2_PT_CERT, "CERT" },
      { IKEV2_PT_CERTREQ, "CERTREQ" },
      { IKEV2_PT_AUTH, "AUTH" },
      { IKEV2_PT_NONCE, "Nonce" },
      { IKEV2_PT_N, "N" },
      { IKEV2_PT_D, "D" },
      { IKEV2_PT_V, "V" },
      { IKEV2_PT_TSi, "TSi" },
      { IKEV2_PT_TSr, "TSr" },
      { IKEV2_PT_SK, "SK" },
      { IKEV2_PT_CP, "CP" },
      { IKEV2_PT_EAP, "EAP" },
      { IKEV2_PT_GSPM, "GSPM" },
      { IKEV2_PT_IDg, "IDg" },
      { IKEV2_PT_GSA, "GSA" },
      { IKEV2_PT_KD, "KD" },
      { IKEV2_PT_SKF, "SKF" },
      { IKEV2_PT_PS, "PS" });

NAMES(ikev2_exchange_names, "exchange",
      { IKEV2_EXCH_IKE_SA_INIT, "IKE_SA_INIT" },
      { IKEV2_EXCH_IKE_AUTH, "IKE_AUTH" },
      { IKEV2_EXCH_CREATE_CHILD_SA, "CREATE_CHILD_SA" },
      { IKEV2_EXCH_INFORMATIONAL, "INFORMATIONAL" },
      { IKEV2_EXCH_IKE_SESSION_RESUME, "IKE_SESSION_RESUME" },
      { IKEV2_EXCH_IKE_INTERMEDIATE, "IKE_INTERMEDIATE" },
      { IKEV2_EXCH_IKE_FOLLOWUP_KE, "IKE_FOLLOWUP_KE" });

NAMES(ikev2_protocol_names, "protocol",
      { IKEV2_PROTO_NONE, "none" },
      { IKEV2_PROTO_IKE, "IKE" },
      { IKEV2_PROTO_AH, "AH" },
      { IKEV2_PROTO_ESP, "ESP" });

NAMES(ikev2_transform_type_names, "transform type",
      { IKEV2_TRANS_ENCR, "ENCR" },
      { IKEV2_TRANS_PRF, "PRF" },
      { IKEV2_TRANS_INTEG, "INTEG" },
      { IKEV2_TRANS_DH, "DH" },
      { IKEV2_TRANS_ESN, "ESN" },
      { 6, "ADDKE1" }, { 7, "ADDKE2" }, { 8, "ADDKE3" }, { 9, "ADDKE4" },
      { 10, "ADDKE5" }, { 11, "ADDKE6" }, { IKEV2_TRANS_ADDKE7, "ADDKE7" });

NAMES(ikev2_id_type_names, "ID type",
      { IKEV2_ID_IPV4_ADDR, "ID_IPV4_ADDR" },
      { IKEV2_ID_FQDN, "ID_FQDN" },
      { IKEV2_ID_RFC822_ADDR, "ID_RFC822_ADDR" },
      { IKEV2_ID_IPV6_ADDR, "ID_IPV6_ADDR" },
      { IKEV2_ID_DER_ASN1_DN, "ID_DER_ASN1_DN" },
      { IKEV2_ID_DER_ASN1_GN, "ID_DER_ASN1_GN" },
      { IKEV2_ID_KEY_ID, "ID_KEY_ID" },
      { IKEV2_ID_FC_NAME, "ID_FC_NAME" },
      { IKEV2_ID_NULL, "ID_NULL" });

NAMES(ikev2_cert_encoding_names, "certificate encoding",
      { IKEV2_CERT_PKCS7_X509, "PKCS #7 wrapped X.509 certificate" },
      { IKEV2_CERT_PGP, "PGP certificate" },
      { IKEV2_CERT_DNS_SIGNED_KEY, "DNS signed key" },
      { IKEV2_CERT_X509_SIG, "X.509 certificate - signature" },
      { IKEV2_CERT_KERBEROS, "Kerberos token" },
      { IKEV2_CERT_CRL, "certificate revocation list" },
      { IKEV2_CERT_ARL, "authority revocation list" },
      { IKEV2_CERT_SPKI, "SPKI certificate" },
      { IKEV2_CERT_X509_ATTR, "X.509 certificate - attribute" },
      { IKEV2_CERT_RAW_RSA, "raw RSA key" },
      { IKEV2_CERT_HASH_URL_X509, "hash and URL of X.509 certificate" },
      { IKEV2_CERT_HASH_URL_BUNDLE, "hash and URL of X.509 bundle" },
      { IKEV2_CERT_OCSP, "OCSP content" },
      { IKEV2_CERT_RAW_PUBLIC_KEY, "raw public key" });

NAMES(ikev2_auth_method_names, "auth method",
      { IKEV2_AUTH_RSA_SIG, "RSA digital signature" },
      { IKEV2_AUTH_PSK, "shared key MIC" },
      { IKEV2_AUTH_DSS_SIG, "DSS digital signature" },
      { IKEV2_AUTH_ECDSA_SHA256_P256, "ECDSA SHA-256 P-256" },
      { IKEV2_AUTH_ECDSA_SHA384_P384, "ECDSA SHA-384 P-384" },
      { IKEV2_AUTH_ECDSA_SHA512_P521, "ECDSA SHA-512 P-521" },
      { IKEV2_AUTH_GSPM, "generic secure password" },
      { IKEV2_AUTH_NULL, "NULL authentication" },
      { IKEV2_AUTH_DIGITAL_SIGNATURE, "digital signature" });

NAMES(ikev2_ts_type_names, "TS type",
      { IKEV2_TS_IPV4_ADDR_RANGE, "TS_IPV4_ADDR_RANGE" },
      { IKEV2_TS_IPV6_ADDR_RANGE, "TS_IPV6_ADDR_RANGE" },
      { IKEV2_TS_FC_ADDR_RANGE, "TS_FC_ADDR_RANGE" });

NAMES(ikev2_cfg_type_names, "CFG type",
      { IKEV2_CFG_REQUEST, "CFG_REQUEST" },
      { IKEV2_CFG_REPLY, "CFG_REPLY" },
      { IKEV2_CFG_SET, "CFG_SET" },
      { IKEV2_CFG_ACK, "CFG_ACK" });

NAMES(ikev2_cp_attr_names, "CP attribute",
      { IKEV2_CP_INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS" },
      { IKEV2_CP_INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK" },
      { IKEV2_CP_INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS" },
      { IKEV2_CP_INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS" },
      { IKEV2_CP_INTERNAL_IP4_DHCP, "INTERNAL_IP4_DHCP" },
      { IKEV2_CP_APPLICATION_VERSION, "APPLICATION_VERSION" },
      { IKEV2_CP_INTERNAL_IP6_ADDRESS, "INTERNAL_IP6_ADDRESS" },
      { IKEV2_CP_INTERNAL_IP6_DNS, "INTERNAL_IP6_DNS" },
      { IKEV2_CP_INTERNAL_IP6_DHCP, "INTERNAL_IP6_DHCP" },
      { IKEV2_CP_INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET" },
      { IKEV2_CP_SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES" },
      { IKEV2_CP_INTERNAL_IP6_SUBNET, "INTERNAL_IP6_SUBNET" });

const char *ikev2_name(const struct ikev2_names *t, unsigned value)
{
	if (t->lookup != NULL)
		return t->lookup(value);
	for (size_t i = 0; i < t->len; i++) {
		if (t->names[i].value == value)
			return t->names[i].name;
	}
	return NULL;
}

const char *ikev2_str(const struct ikev2_names *t, unsigned value, char buf[IKEV2_NAME_BUF])
{
	const char *n = ikev2_name(t, value);
	if (n != NULL)
		return n;
	snprintf(buf, IKEV2_NAME_BUF, "%s %u", t->what, value);
	return buf;
}

bool ikev2_payload_supported(uint8_t type)
{
	return (type >= IKEV2_PT_SA && type <= IKEV2_PT_EAP) || type == IKEV2_PT_SKF;
}
