/* RSA public keys in RFC 3110 (DNSKEY) form as leftrsasigkey= carries them. */
#ifndef SWAN_RSAKEY_H
#define SWAN_RSAKEY_H
#include <stddef.h>
#include <stdint.h>
#include "swan/err.h"

#define RSA_MAX_BYTES 1024   /* 8192-bit modulus */

typedef struct {
	size_t e_len, n_len;
	uint8_t e[8];
	uint8_t n[RSA_MAX_BYTES];
	unsigned bits;           /* modulus size in bits */
} rsa_pubkey;

/* "0s..." or "0x..." text: exponent length (1 byte, or 0 then 2 bytes),
 * exponent, modulus. Checks: exponent 1..8 bytes, odd, >= 3; modulus
 * 1024..8192 bits, no leading zero byte, odd. */
err_t ttorsapubkey(const char *s, rsa_pubkey *out);
/* RFC 3110 bytes of a key: returns length written (0 if size too small). */
size_t rsapubkey_to_rfc3110(const rsa_pubkey *k, uint8_t *out, size_t size);
/* "0s..." text of a key; returns buf or NULL if size is too small. */
char *str_rsapubkey(const rsa_pubkey *k, char *buf, size_t size);
/* The 9-character key id as Openswan shows keys: the first 9 base64
 * characters of the whole RFC 3110 blob (length byte, exponent, modulus),
 * so an e=3 key reads "AQOxxxxxx" and an e=65537 key "AwEAAxxxx". */
void rsapubkey_keyid(const rsa_pubkey *k, char out[10]);
#endif
