/* The algorithm table: every algorithm the daemon supports, with its IANA
 * IKEv2 transform ID (RFC 7296, RFC 4309, RFC 4106, RFC 5114, RFC 8031). */
#include <string.h>
#include <strings.h>
#include "swan/alg.h"

#define IKE_ESP     (ALG_IKE | ALG_ESP)
#define ALL         (ALG_IKE | ALG_ESP | ALG_AH)

static const char weak_3des[] = "3DES has a 64-bit block";
static const char weak_null_encr[] = "no encryption";
static const char weak_md5[] = "MD5 is broken";
static const char weak_modp1024[] = "MODP1024 is too small";
static const char weak_dh22[] = "MODP1024 with a 160-bit subgroup is too small";

const struct alg_desc alg_table[] = {
	/* ENCRYPT: transform type 1. */
	{ "3des", "3des_cbc", ALG_ENCRYPT, 3, IKE_ESP, {0}, 0, false, 0, 0, weak_3des },
	{ "aes", "aes_cbc", ALG_ENCRYPT, 12, IKE_ESP, {128, 192, 256, 0}, 128, false, 0, 0, NULL },
	{ "aes_ctr", NULL, ALG_ENCRYPT, 13, ALG_ESP, {128, 192, 256, 0}, 128, false, 0, 0, NULL },
	{ "aes_ccm8", "aes_ccm_a", ALG_ENCRYPT, 14, ALG_ESP, {128, 192, 256, 0}, 128, true, 8, 0, NULL },
	{ "aes_ccm12", "aes_ccm_b", ALG_ENCRYPT, 15, ALG_ESP, {128, 192, 256, 0}, 128, true, 12, 0, NULL },
	{ "aes_ccm16", "aes_ccm_c", ALG_ENCRYPT, 16, ALG_ESP, {128, 192, 256, 0}, 128, true, 16, 0, NULL },
	{ "aes_gcm8", "aes_gcm_a", ALG_ENCRYPT, 18, ALG_ESP, {128, 256, 0, 0}, 128, true, 8, 0, NULL },
	{ "aes_gcm12", "aes_gcm_b", ALG_ENCRYPT, 19, ALG_ESP, {128, 256, 0, 0}, 128, true, 12, 0, NULL },
	{ "aes_gcm16", "aes_gcm aes_gcm_c", ALG_ENCRYPT, 20, IKE_ESP, {128, 256, 0, 0}, 128, true, 16, 0, NULL },
	{ "null", NULL, ALG_ENCRYPT, 11, ALG_ESP, {0}, 0, false, 0, 0, weak_null_encr },

	/* INTEG: transform type 3; icv_octets is the truncated ICV length. */
	{ "md5", "hmac_md5 hmac-md5", ALG_INTEG, 1, ALL, {0}, 0, false, 12, 0, weak_md5 },
	{ "sha1", "sha hmac_sha1 hmac-sha1", ALG_INTEG, 2, ALL, {0}, 0, false, 12, 0, NULL },
	{ "sha2_256", "sha256 sha2 hmac_sha2_256 hmac_sha256", ALG_INTEG, 12, ALL, {0}, 0, false, 16, 0, NULL },
	{ "sha2_384", "sha384 hmac_sha2_384 hmac_sha384", ALG_INTEG, 13, ALL, {0}, 0, false, 24, 0, NULL },
	{ "sha2_512", "sha512 hmac_sha2_512 hmac_sha512", ALG_INTEG, 14, ALL, {0}, 0, false, 32, 0, NULL },
	/* NONE: only the "-null" of an AEAD ESP proposal. */
	{ "null", "none", ALG_INTEG, 0, ALG_ESP, {0}, 0, false, 0, 0, NULL },

	/* PRF: transform type 2, IKE only. */
	{ "prfmd5", NULL, ALG_PRF, 1, ALG_IKE, {0}, 0, false, 0, 0, weak_md5 },
	{ "prfsha1", "prfsha", ALG_PRF, 2, ALG_IKE, {0}, 0, false, 0, 0, NULL },
	{ "prfsha2_256", "prfsha256 prfsha2", ALG_PRF, 5, ALG_IKE, {0}, 0, false, 0, 0, NULL },
	{ "prfsha2_384", "prfsha384", ALG_PRF, 6, ALG_IKE, {0}, 0, false, 0, 0, NULL },
	{ "prfsha2_512", "prfsha512", ALG_PRF, 7, ALG_IKE, {0}, 0, false, 0, 0, NULL },

	/* DH: transform type 4; the transform ID is the group number. */
	{ "modp1024", "dh2", ALG_DH, 2, ALL, {0}, 0, false, 0, 2, weak_modp1024 },
	{ "modp1536", "dh5", ALG_DH, 5, ALL, {0}, 0, false, 0, 5, NULL },
	{ "modp2048", "dh14", ALG_DH, 14, ALL, {0}, 0, false, 0, 14, NULL },
	{ "modp3072", "dh15", ALG_DH, 15, ALL, {0}, 0, false, 0, 15, NULL },
	{ "modp4096", "dh16", ALG_DH, 16, ALL, {0}, 0, false, 0, 16, NULL },
	{ "modp6144", "dh17", ALG_DH, 17, ALL, {0}, 0, false, 0, 17, NULL },
	{ "modp8192", "dh18", ALG_DH, 18, ALL, {0}, 0, false, 0, 18, NULL },
	{ "ecp256", "dh19", ALG_DH, 19, ALL, {0}, 0, false, 0, 19, NULL },
	{ "ecp384", "dh20", ALG_DH, 20, ALL, {0}, 0, false, 0, 20, NULL },
	{ "ecp521", "dh21", ALG_DH, 21, ALL, {0}, 0, false, 0, 21, NULL },
	{ "dh22", "modp1024s160", ALG_DH, 22, ALL, {0}, 0, false, 0, 22, weak_dh22 },
	{ "dh23", "modp2048s224", ALG_DH, 23, ALL, {0}, 0, false, 0, 23, NULL },
	{ "dh24", "modp2048s256", ALG_DH, 24, ALL, {0}, 0, false, 0, 24, NULL },
	{ "curve25519", "dh31 x25519", ALG_DH, 31, ALL, {0}, 0, false, 0, 31, NULL },
};

const size_t alg_table_len = sizeof(alg_table) / sizeof(alg_table[0]);

static bool word_eq(const char *word, size_t wlen, const char *name, size_t len)
{
	return wlen == len && strncasecmp(word, name, len) == 0;
}

const struct alg_desc *alg_by_name(enum alg_type type, const char *name, size_t len)
{
	if (name == NULL || len == 0)
		return NULL;
	for (size_t i = 0; i < alg_table_len; i++) {
		const struct alg_desc *a = &alg_table[i];
		if (a->type != type)
			continue;
		if (word_eq(a->name, strlen(a->name), name, len))
			return a;
		for (const char *w = a->aliases; w != NULL && *w != '\0';) {
			size_t wlen = strcspn(w, " ");
			if (word_eq(w, wlen, name, len))
				return a;
			w += wlen;
			w += strspn(w, " ");
		}
	}
	return NULL;
}

const struct alg_desc *alg_by_ikev2_id(enum alg_type type, uint16_t id)
{
	for (size_t i = 0; i < alg_table_len; i++)
		if (alg_table[i].type == type && alg_table[i].ikev2_id == id)
			return &alg_table[i];
	return NULL;
}

/* IKEv1's numbers for the table's algorithms: { phase 1, IPsec DOI, AH }
 * (RFC 2409 app. A, RFC 2407 4.4-4.5, RFC 3602, RFC 4106, RFC 4309,
 * RFC 4868, RFC 8031's use of the shared group registry). */
static const struct {
	enum alg_type type;
	const char *name;
	uint16_t id[3];
} ikev1_ids[] = {
	{ ALG_ENCRYPT, "3des", { 5, 3, 0 } },
	{ ALG_ENCRYPT, "aes", { 7, 12, 0 } },
	{ ALG_ENCRYPT, "aes_ctr", { 0, 13, 0 } },
	{ ALG_ENCRYPT, "aes_ccm8", { 0, 14, 0 } },
	{ ALG_ENCRYPT, "aes_ccm12", { 0, 15, 0 } },
	{ ALG_ENCRYPT, "aes_ccm16", { 0, 16, 0 } },
	{ ALG_ENCRYPT, "aes_gcm8", { 0, 18, 0 } },
	{ ALG_ENCRYPT, "aes_gcm12", { 0, 19, 0 } },
	{ ALG_ENCRYPT, "aes_gcm16", { 0, 20, 0 } },
	{ ALG_ENCRYPT, "null", { 0, 11, 0 } },
	{ ALG_INTEG, "md5", { 1, 1, 2 } },
	{ ALG_INTEG, "sha1", { 2, 2, 3 } },
	{ ALG_INTEG, "sha2_256", { 4, 5, 5 } },
	{ ALG_INTEG, "sha2_384", { 5, 6, 6 } },
	{ ALG_INTEG, "sha2_512", { 6, 7, 7 } },
	{ ALG_PRF, "prfmd5", { 1, 0, 0 } },
	{ ALG_PRF, "prfsha1", { 2, 0, 0 } },
	{ ALG_PRF, "prfsha2_256", { 4, 0, 0 } },
	{ ALG_PRF, "prfsha2_384", { 5, 0, 0 } },
	{ ALG_PRF, "prfsha2_512", { 6, 0, 0 } },
};

uint16_t alg_ikev1_id(const struct alg_desc *a, enum alg_ikev1_space space)
{
	if (a == NULL)
		return 0;
	/* groups: one registry for IKEv1 and IKEv2 */
	if (a->type == ALG_DH)
		return space == ALG_V1_AH ? 0 : (uint16_t)a->dh_group;
	for (size_t i = 0; i < sizeof(ikev1_ids) / sizeof(ikev1_ids[0]); i++)
		if (ikev1_ids[i].type == a->type && strcmp(ikev1_ids[i].name, a->name) == 0)
			return ikev1_ids[i].id[space];
	return 0;
}

const struct alg_desc *alg_by_ikev1_id(enum alg_type type, enum alg_ikev1_space space, uint16_t id)
{
	if (id == 0)
		return NULL;
	for (size_t i = 0; i < alg_table_len; i++)
		if (alg_table[i].type == type && alg_ikev1_id(&alg_table[i], space) == id)
			return &alg_table[i];
	return NULL;
}
