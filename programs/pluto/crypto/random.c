/* Random bytes for nonces and SPIs, from NSS's DRBG. */
#include <limits.h>
#include <string.h>
#include "crypto_nss.h"

err_t random_bytes(void *buf, size_t len)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	uint8_t *p = buf;
	while (len > 0) {
		/* PK11_GenerateRandom takes an int */
		int chunk = len > 65536 ? 65536 : (int)len;
		if (PK11_GenerateRandom(p, chunk) != SECSuccess)
			return crypto_nss_error("PK11_GenerateRandom");
		p += chunk;
		len -= (size_t)chunk;
	}
	return NULL;
}

err_t random_nonce(size_t len, chunk_t *nonce)
{
	*nonce = EMPTY_CHUNK;
	if (len < 16 || len > 256)
		return "nonce length must be 16..256 bytes (RFC 7296 3.9)";
	chunk_t n = chunk_alloc(len);
	err_t e = random_bytes(n.ptr, n.len);
	if (e != NULL) {
		chunk_free(&n);
		return e;
	}
	*nonce = n;
	return NULL;
}

err_t random_ike_spi(uint8_t spi[8])
{
	static const uint8_t zero[8];
	do {
		err_t e = random_bytes(spi, 8);
		if (e != NULL)
			return e;
	} while (memcmp(spi, zero, 8) == 0);
	return NULL;
}

err_t random_ipsec_spi(uint32_t *spi)
{
	uint8_t b[4];
	do {
		err_t e = random_bytes(b, sizeof(b));
		if (e != NULL)
			return e;
		*spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	} while (*spi < 0x100);
	return NULL;
}
