/* IANA IKEv2 transform IDs -> Linux crypto API names, as XFRM wants them
 * (XFRMA_ALG_CRYPT, XFRMA_ALG_AEAD, XFRMA_ALG_AUTH_TRUNC). The "none"
 * backend checks against the same table, so both refuse the same SAs. */
#include <stddef.h>
#include "kernel/kernel.h"

const struct kernel_alg kernel_alg_table[] = {
	/* encryption (IKEv2 transform type 1) */
	{ ALG_ENCRYPT, 3, "cbc(des3_ede)", KERNEL_ALG_CRYPT, 0, 0, { 24 } },
	{ ALG_ENCRYPT, 11, "ecb(cipher_null)", KERNEL_ALG_CRYPT, 0, 0, { 0 } },
	{ ALG_ENCRYPT, 12, "cbc(aes)", KERNEL_ALG_CRYPT, 0, 0, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 13, "rfc3686(ctr(aes))", KERNEL_ALG_CRYPT, 4, 0, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 14, "rfc4309(ccm(aes))", KERNEL_ALG_AEAD, 3, 64, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 15, "rfc4309(ccm(aes))", KERNEL_ALG_AEAD, 3, 96, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 16, "rfc4309(ccm(aes))", KERNEL_ALG_AEAD, 3, 128, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 18, "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 4, 64, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 19, "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 4, 96, { 16, 24, 32 } },
	{ ALG_ENCRYPT, 20, "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 4, 128, { 16, 24, 32 } },
	/* integrity (type 3): HMAC truncated as RFC 2404, 4868, 2403 say */
	{ ALG_INTEG, 1, "hmac(md5)", KERNEL_ALG_AUTH, 0, 96, { 16 } },
	{ ALG_INTEG, 2, "hmac(sha1)", KERNEL_ALG_AUTH, 0, 96, { 20 } },
	{ ALG_INTEG, 12, "hmac(sha256)", KERNEL_ALG_AUTH, 0, 128, { 32 } },
	{ ALG_INTEG, 13, "hmac(sha384)", KERNEL_ALG_AUTH, 0, 192, { 48 } },
	{ ALG_INTEG, 14, "hmac(sha512)", KERNEL_ALG_AUTH, 0, 256, { 64 } },
};

const size_t kernel_alg_table_len = sizeof(kernel_alg_table) / sizeof(kernel_alg_table[0]);

const struct kernel_alg *kernel_alg_find(const struct alg_desc *a)
{
	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < kernel_alg_table_len; i++)
		if (kernel_alg_table[i].type == a->type && kernel_alg_table[i].ikev2_id == a->ikev2_id)
			return &kernel_alg_table[i];
	return NULL;
}

bool kernel_alg_key_ok(const struct kernel_alg *ka, size_t key_len)
{
	if (ka->key_octets[0] == 0)
		return key_len == 0;
	for (size_t i = 0; i < sizeof(ka->key_octets) && ka->key_octets[i] != 0; i++)
		if (key_len == (size_t)ka->key_octets[i] + ka->salt_octets)
			return true;
	return false;
}
