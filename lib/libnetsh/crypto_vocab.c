/* The algorithm vocabularies of netsh and their Openswan names. One row
 * per Windows spelling; the mapper, the parser and the docs read them. */
#include <stddef.h>
#include <string.h>
#include "netsh/crypto.h"
#include "netsh/util.h"

const char mmsec_default[] = "3DES-SHA1-2 3DES-MD5-2 3DES-SHA1-3";
const char qmsec_default[] = "ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s";

const struct vocab enc_vocab[] = {
	{ "DES", NULL, "DES (56-bit) is not supported" },
	{ "3DES", "3des", NULL },
	{ "AES128", "aes128", NULL },
	{ "AES192", "aes192", NULL },
	{ "AES256", "aes256", NULL },
	{ "None", "null", "ESP without encryption" },
	{ NULL, NULL, NULL },
};

const struct vocab hash_vocab[] = {
	{ "MD5", "md5", NULL },
	{ "SHA1", "sha1", NULL },
	{ "SHA", "sha1", NULL },
	{ "SHA256", "sha2_256", NULL },
	{ "SHA384", "sha2_384", NULL },
	{ "None", "null", NULL },
	{ NULL, NULL, NULL },
};

/* Windows group numbers are not IKE group numbers: "3" is 2048 bits. */
const struct vocab group_vocab[] = {
	{ "DHGroup1", NULL, "DH group 1 (768 bits) is not supported" },
	{ "DHGroup2", "modp1024", NULL },
	{ "DHGroup14", "modp2048", NULL },
	{ "DH2048", "modp2048", NULL },
	{ "DHGroup24", "dh24", NULL },
	{ "ECP256", "ecp256", NULL },
	{ "ECP384", "ecp384", NULL },
	{ NULL, NULL, NULL },
};

const struct vocab *vocab_find(const struct vocab *t, const char *s, size_t n)
{
	for (; t->windows; t++)
		if (strlen(t->windows) == n && strncasecmp(t->windows, s, n) == 0)
			return t;
	return NULL;
}

const struct vocab *dh_group_by_windows_number(unsigned n)
{
	static const char *const names[] = { NULL, "DHGroup1", "DHGroup2", "DH2048" };
	if (n < 1 || n > 3)
		return NULL;
	return vocab_find(group_vocab, names[n], strlen(names[n]));
}
