/* authby= values: see swan/authby.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "swan/authby.h"

#define H256 AUTHBY_HASH(2)
#define H384 AUTHBY_HASH(3)
#define H512 AUTHBY_HASH(4)

/* Every spelling: the method and the hashes it allows. */
static const struct {
	const char *name;
	unsigned method, hashes;
} words[] = {
	{ "secret", AUTHBY_PSK, 0 },
	{ "psk", AUTHBY_PSK, 0 },
	{ "never", AUTHBY_NEVER, 0 },
	{ "rsasig", AUTHBY_RSA, AUTHBY_SHA1 | AUTHBY_SHA2 },
	{ "rsa", AUTHBY_RSA, AUTHBY_SHA1 | AUTHBY_SHA2 },
	{ "pubkey", AUTHBY_RSA | AUTHBY_ECDSA, AUTHBY_SHA1 | AUTHBY_SHA2 },
	{ "rsa-sha1", AUTHBY_RSA, AUTHBY_SHA1 },
	{ "rsa-sha2", AUTHBY_RSA, AUTHBY_SHA2 },
	{ "rsa-sha2_256", AUTHBY_RSA, H256 },
	{ "rsa-sha2_384", AUTHBY_RSA, H384 },
	{ "rsa-sha2_512", AUTHBY_RSA, H512 },
	{ "ecdsa", AUTHBY_ECDSA, AUTHBY_SHA2 },
	{ "ecdsasig", AUTHBY_ECDSA, AUTHBY_SHA2 },
	{ "ecdsa-sha2", AUTHBY_ECDSA, AUTHBY_SHA2 },
	{ "ecdsa-sha2_256", AUTHBY_ECDSA, H256 },
	{ "ecdsa-sha2_384", AUTHBY_ECDSA, H384 },
	{ "ecdsa-sha2_512", AUTHBY_ECDSA, H512 },
};

/* libreswan's and strongSwan's methods that are not built */
static const char *const lacking[] = {
	"null", "eaponly", "eap", "xauthpsk", "xauthrsasig",
};

static bool is(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(p, word, len) == 0;
}

err_t ttoauthby(const char *s, struct authby *out)
{
	memset(out, 0, sizeof(*out));
	size_t nl = 0;
	unsigned n = 0;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",| ");
		bool found = false;
		for (size_t i = 0; len > 0 && i < sizeof(words) / sizeof(words[0]) && !found; i++) {
			if (!is(p, len, words[i].name))
				continue;
			found = true;
			out->methods |= words[i].method;
			if (words[i].method & AUTHBY_RSA)
				out->rsa_hashes |= words[i].hashes;
			if (words[i].method & AUTHBY_ECDSA)
				out->ecdsa_hashes |= words[i].hashes & AUTHBY_SHA2;
		}
		for (size_t i = 0; len > 0 && i < sizeof(lacking) / sizeof(lacking[0]) && !found; i++) {
			if (!is(p, len, lacking[i]))
				continue;
			found = true;
			if (nl < sizeof(out->lacking))
				nl += (size_t)snprintf(out->lacking + nl, sizeof(out->lacking) - nl, "%s%s",
						       nl ? ", " : "", lacking[i]);
		}
		if (len > 0 && !found)
			return "expected one of secret, rsasig, secret|rsasig, never (or libreswan's and "
			       "strongSwan's spellings: rsa-sha2, ecdsa, psk, pubkey, ...)";
		n += len > 0;
		p += len;
		while (*p == ',' || *p == '|' || *p == ' ')
			p++;
	}
	if (n == 0)
		return "expected one of secret, rsasig, secret|rsasig, never";
	if ((out->methods & AUTHBY_NEVER) && (out->methods != AUTHBY_NEVER || nl > 0))
		return "never cannot be combined with other methods";
	return NULL;
}

/* One signature method's part of the list: the word for its whole set of
 * hashes, or one word per hash. */
static size_t put_sig(char *buf, size_t size, size_t at, const char *all, const char *sha2,
		      const char *prefix, unsigned hashes, unsigned every)
{
	static const char *const names[] = { NULL, "sha1", "sha2_256", "sha2_384", "sha2_512" };
	if (hashes == every)
		return at + (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s", at ? "," : "", all);
	if (hashes == AUTHBY_SHA2)
		return at + (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s", at ? "," : "", sha2);
	for (unsigned h = 1; h <= 4; h++)
		if (hashes & AUTHBY_HASH(h))
			at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "%s%s-%s",
					       at ? "," : "", prefix, names[h]);
	return at;
}

const char *str_authby(const struct authby *a, char *buf, size_t size)
{
	unsigned m = a->methods;
	bool rsa_all = a->rsa_hashes == (AUTHBY_SHA1 | AUTHBY_SHA2);
	if (m == AUTHBY_NEVER || m == 0)
		snprintf(buf, size, "never");
	else if (m == AUTHBY_PSK)
		snprintf(buf, size, "secret");
	else if (m == AUTHBY_RSA && rsa_all)
		snprintf(buf, size, "rsasig");
	else if (m == (AUTHBY_PSK | AUTHBY_RSA) && rsa_all)
		snprintf(buf, size, "secret|rsasig");
	else {
		size_t at = 0;
		buf[0] = '\0';
		if (m & AUTHBY_PSK)
			at += (size_t)snprintf(buf, size, "secret");
		if (m & AUTHBY_RSA)
			at = put_sig(buf, size, at, "rsasig", "rsa-sha2", "rsa", a->rsa_hashes,
				     AUTHBY_SHA1 | AUTHBY_SHA2);
		if (m & AUTHBY_ECDSA)
			at = put_sig(buf, size, at, "ecdsa", "ecdsa", "ecdsa", a->ecdsa_hashes, AUTHBY_SHA2);
	}
	return buf;
}
