/* ttodata/datatot: binary data as "0x" hex, "0s" base64 (RFC 4648) or
 * "0t" text. */
#include <string.h>
#include "swan/ttodata.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Stores byte number i when it fits; the count goes on regardless so the
 * caller learns the full length. */
static void put(uint8_t *out, size_t outsize, size_t i, uint8_t b)
{
	if (out != NULL && i < outsize)
		out[i] = b;
}

/* '_' may separate groups of digits (as in 0x1234_5678), never lead,
 * trail or double. */
static err_t decode_hex(const char *s, size_t len, uint8_t *out, size_t outsize, size_t *n)
{
	int pending = -1;
	size_t count = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '_') {
			if (i == 0 || i + 1 == len || s[i - 1] == '_')
				return "misplaced '_' in hex data";
			continue;
		}
		int v = hex_value(s[i]);
		if (v < 0)
			return "hex data contains a character that is not a hex digit";
		if (pending < 0) {
			pending = v;
		} else {
			put(out, outsize, count++, (uint8_t)(pending << 4 | v));
			pending = -1;
		}
	}
	if (pending >= 0)
		return "hex data has an odd number of digits";
	*n = count;
	return NULL;
}

/* Strict RFC 4648 base64: whole 4-character groups, '=' padding only at
 * the end, and zero bits in the unused part of the last character so that
 * one byte string has exactly one text form. */
static err_t decode_base64(const char *s, size_t len, uint8_t *out, size_t outsize, size_t *n)
{
	if (len % 4 != 0)
		return "base64 data length is not a multiple of 4 (missing padding?)";
	size_t count = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			char c = s[i + (size_t)k];
			if (c == '=') {
				if (i + 4 != len || k < 2)
					return "misplaced '=' padding in base64 data";
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad > 0)
				return "misplaced '=' padding in base64 data";
			v[k] = b64_value(c);
			if (v[k] < 0)
				return "base64 data contains a character outside the base64 alphabet";
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return "base64 data has non-zero bits in its padding";
		put(out, outsize, count++, (uint8_t)(w >> 16));
		if (pad < 2)
			put(out, outsize, count++, (uint8_t)(w >> 8));
		if (pad < 1)
			put(out, outsize, count++, (uint8_t)w);
	}
	*n = count;
	return NULL;
}

err_t ttodata(const char *s, size_t len, int base,
	      uint8_t *out, size_t outsize, size_t *outlen)
{
	if (outlen != NULL)
		*outlen = 0;
	if (s == NULL || len == 0)
		return "empty data";
	if (base == 0) {
		if (len < 2 || s[0] != '0')
			return "data must start with 0x (hex), 0s (base64) or 0t (text)";
		switch (s[1]) {
		case 'x': case 'X':
			base = 16;
			break;
		case 's': case 'S':
			base = 64;
			break;
		case 't': case 'T':
			base = 256;
			break;
		default:
			return "data must start with 0x (hex), 0s (base64) or 0t (text)";
		}
		s += 2;
		len -= 2;
		if (len == 0)
			return "no data after the 0x/0s/0t prefix";
	}
	size_t n = 0;
	err_t e;
	switch (base) {
	case 16:
		e = decode_hex(s, len, out, outsize, &n);
		break;
	case 64:
		e = decode_base64(s, len, out, outsize, &n);
		break;
	case 256:
		for (size_t i = 0; i < len; i++)
			put(out, outsize, i, (uint8_t)s[i]);
		n = len;
		e = NULL;
		break;
	default:
		return "unsupported data base (only 0, 16 and 64)";
	}
	if (e != NULL)
		return e;
	if (outlen != NULL)
		*outlen = n;
	if (n > outsize)
		return "data is too long";
	return NULL;
}

/* Appends c at position i when it fits below size - 1. */
static void emit(char *buf, size_t size, size_t i, char c)
{
	if (buf != NULL && i + 1 < size)
		buf[i] = c;
}

size_t datatot(const uint8_t *data, size_t len, int base, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (base == 16) {
		emit(buf, size, n++, '0');
		emit(buf, size, n++, 'x');
		for (size_t i = 0; i < len; i++) {
			emit(buf, size, n++, hex[data[i] >> 4]);
			emit(buf, size, n++, hex[data[i] & 0xf]);
		}
	} else if (base == 64) {
		emit(buf, size, n++, '0');
		emit(buf, size, n++, 's');
		for (size_t i = 0; i < len; i += 3) {
			size_t left = len - i;
			uint32_t w = (uint32_t)data[i] << 16;
			if (left > 1)
				w |= (uint32_t)data[i + 1] << 8;
			if (left > 2)
				w |= data[i + 2];
			emit(buf, size, n++, b64_alphabet[w >> 18 & 63]);
			emit(buf, size, n++, b64_alphabet[w >> 12 & 63]);
			emit(buf, size, n++, left > 1 ? b64_alphabet[w >> 6 & 63] : '=');
			emit(buf, size, n++, left > 2 ? b64_alphabet[w & 63] : '=');
		}
	} else {
		if (buf != NULL && size > 0)
			buf[0] = '\0';
		return 0;
	}
	if (buf != NULL && size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}
