/* authby= (ipsec.conf(5)): which authentication methods a conn allows.
 * Openswan's secret, rsasig, secret|rsasig and never, and libreswan's
 * lists ("rsasig,ecdsa", "rsa-sha2_256", "ecdsa-sha2_384", "psk"): one
 * table (authby.c) read by the compiler and by pluto. */
#ifndef SWAN_AUTHBY_H
#define SWAN_AUTHBY_H
#include <stdbool.h>
#include <stddef.h>
#include "swan/err.h"

#define AUTHBY_PSK    1u
#define AUTHBY_RSA    2u
#define AUTHBY_NEVER  4u
#define AUTHBY_ECDSA  8u

/* Hashes a signature method may use: bit (1 << N) for RFC 7427's hash
 * number N (1 SHA-1, 2 SHA2-256, 3 SHA2-384, 4 SHA2-512). */
#define AUTHBY_HASH(n) (1u << (n))
#define AUTHBY_SHA1 AUTHBY_HASH(1)
#define AUTHBY_SHA2 (AUTHBY_HASH(2) | AUTHBY_HASH(3) | AUTHBY_HASH(4))

struct authby {
	unsigned methods;       /* AUTHBY_PSK | AUTHBY_RSA | ... */
	unsigned rsa_hashes;    /* with AUTHBY_RSA: rsasig allows SHA-1 and SHA-2 */
	unsigned ecdsa_hashes;  /* with AUTHBY_ECDSA: SHA-2 */
	/* names of methods Cygnet lacks (null, eap, ...), ", "-separated */
	char lacking[128];
};

/* Parses a list separated by ',', '|' or ' ' (case-insensitive). Names of
 * methods Cygnet lacks go to out->lacking, not an error; a name no suite
 * knows, an empty list and never with another method are. */
err_t ttoauthby(const char *s, struct authby *out);
/* The canonical text: Openswan's words when they say it all (secret,
 * rsasig, secret|rsasig, never), else libreswan's list ("rsasig,ecdsa",
 * "secret,rsa-sha2_256"). Lacking names are not written. */
const char *str_authby(const struct authby *a, char *buf, size_t size);
#endif
