/* RSA public keys in the RFC 3110 layout: exponent length, exponent,
 * modulus; written in ipsec.conf as 0s (base64) or 0x (hex) text. */
#include <string.h>
#include "swan/rsakey.h"
#include "swan/ttodata.h"

/* Largest blob worth decoding: 3 length bytes, a maximal exponent, a
 * maximal modulus. Anything longer is rejected as too long. */
#define RFC3110_MAX (3 + 8 + RSA_MAX_BYTES)

err_t ttorsapubkey(const char *s, rsa_pubkey *out)
{
	if (s == NULL || *s == '\0')
		return "empty RSA key";
	if (s[0] != '0' || (s[1] != 's' && s[1] != 'S' && s[1] != 'x' && s[1] != 'X'))
		return "RSA key must be 0s (base64) or 0x (hex) text";
	uint8_t blob[RFC3110_MAX];
	size_t len = 0;
	err_t e = ttodata(s, strlen(s), 0, blob, sizeof(blob), &len);
	if (e != NULL)
		return len > sizeof(blob) ? "RSA key is too long" : e;

	size_t i = 0;
	size_t elen = blob[i++];
	if (elen == 0) {
		/* RFC 3110 2: a zero first byte means a two-byte length follows. */
		if (len < 3)
			return "RSA key is truncated in its exponent length";
		elen = (size_t)blob[1] << 8 | blob[2];
		i = 3;
	}
	if (elen < 1 || elen > sizeof(out->e))
		return "RSA exponent must be 1..8 bytes long";
	if (len < i + elen)
		return "RSA key is truncated in its exponent";
	const uint8_t *ep = blob + i;
	if (ep[0] == 0)
		return "RSA exponent has a leading zero byte";
	if ((ep[elen - 1] & 1) == 0)
		return "RSA exponent is even";
	if (elen == 1 && ep[0] < 3)
		return "RSA exponent is less than 3";
	i += elen;

	size_t nlen = len - i;
	const uint8_t *np = blob + i;
	if (nlen == 0)
		return "RSA key has no modulus";
	if (np[0] == 0)
		return "RSA modulus has a leading zero byte";
	unsigned bits = (unsigned)nlen * 8;
	for (uint8_t top = np[0]; (top & 0x80) == 0; top = (uint8_t)(top << 1))
		bits--;
	if (bits < 1024)
		return "RSA modulus is shorter than 1024 bits";
	if (bits > 8192)
		return "RSA modulus is longer than 8192 bits";
	if ((np[nlen - 1] & 1) == 0)
		return "RSA modulus is even";

	memset(out, 0, sizeof(*out));
	out->e_len = elen;
	memcpy(out->e, ep, elen);
	out->n_len = nlen;
	memcpy(out->n, np, nlen);
	out->bits = bits;
	return NULL;
}

size_t rsapubkey_to_rfc3110(const rsa_pubkey *k, uint8_t *out, size_t size)
{
	size_t hdr = k->e_len <= 255 ? 1 : 3;
	size_t total = hdr + k->e_len + k->n_len;
	if (k->e_len > sizeof(k->e) || k->n_len > sizeof(k->n) || total > size)
		return 0;
	size_t i = 0;
	if (hdr == 1) {
		out[i++] = (uint8_t)k->e_len;
	} else {
		out[i++] = 0;
		out[i++] = (uint8_t)(k->e_len >> 8);
		out[i++] = (uint8_t)k->e_len;
	}
	memcpy(out + i, k->e, k->e_len);
	i += k->e_len;
	memcpy(out + i, k->n, k->n_len);
	return total;
}

char *str_rsapubkey(const rsa_pubkey *k, char *buf, size_t size)
{
	uint8_t blob[RFC3110_MAX];
	size_t len = rsapubkey_to_rfc3110(k, blob, sizeof(blob));
	if (len == 0 || buf == NULL)
		return NULL;
	size_t need = datatot(blob, len, 64, buf, size);
	if (need + 1 > size)
		return NULL;
	return buf;
}

/* As Openswan shows keys: the first nine base64 characters of the RFC 3110
 * blob (so a key with e=3 reads "AQO..."). Only the first seven bytes of
 * the blob matter for nine characters. */
void rsapubkey_keyid(const rsa_pubkey *k, char out[10])
{
	uint8_t blob[RFC3110_MAX];
	size_t len = rsapubkey_to_rfc3110(k, blob, sizeof(blob));
	char text[16];   /* "0s" + 12 characters for 9 bytes */
	if (len < 7) {
		out[0] = '\0';
		return;
	}
	if (len > 9)
		len = 9;
	datatot(blob, len, 64, text, sizeof(text));
	memcpy(out, text + 2, 9);
	out[9] = '\0';
}
