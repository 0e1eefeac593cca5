/* RSA host keys in the NSS database: generate, find the private key for a
 * configured public key, list, export in RFC 3110 form. A key's CKAID is
 * its CKA_ID, which NSS sets to SHA-1 of the modulus when it generates a
 * key; libreswan shows and accepts the same value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto_nss.h"

/* big-endian unsigned: drop leading zero bytes */
static void strip(const SECItem *v, const uint8_t **p, size_t *n)
{
	*p = v->data;
	*n = v->len;
	while (*n > 1 && **p == 0) {
		(*p)++;
		(*n)--;
	}
}

err_t ckaid_of_pubkey(const rsa_pubkey *pub, uint8_t ckaid[CKAID_LEN])
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	const uint8_t *n = pub->n;
	size_t len = pub->n_len;
	while (len > 1 && *n == 0) {
		n++;
		len--;
	}
	if (len == 0)
		return "RSA key without modulus";
	if (PK11_HashBuf(SEC_OID_SHA1, ckaid, n, (PRInt32)len) != SECSuccess)
		return crypto_nss_error("SHA-1");
	return NULL;
}

char *str_ckaid(const uint8_t ckaid[CKAID_LEN], char buf[2 * CKAID_LEN + 1])
{
	return chunk_hex(chunk_from(ckaid, CKAID_LEN), buf, 2 * CKAID_LEN + 1);
}

err_t ttockaid(const char *s, uint8_t ckaid[CKAID_LEN])
{
	if (s == NULL)
		return "no CKAID";
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 2 * CKAID_LEN)
		return "a CKAID is 40 hex digits";
	for (size_t i = 0; i < CKAID_LEN; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + (size_t)j];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return "a CKAID is 40 hex digits";
			v = v << 4 | d;
		}
		ckaid[i] = (uint8_t)v;
	}
	return NULL;
}

/* The public half of an NSS public key in swan form, checked as
 * ttorsapubkey checks keys read from ipsec.conf. */
err_t crypto_pub_from_nss(const SECKEYPublicKey *k, rsa_pubkey *pub)
{
	if (k->keyType != rsaKey)
		return "not an RSA key";
	const uint8_t *n, *x;
	size_t nlen, xlen;
	strip(&k->u.rsa.modulus, &n, &nlen);
	strip(&k->u.rsa.publicExponent, &x, &xlen);
	if (nlen == 0 || nlen > sizeof(pub->n) || xlen == 0 || xlen > sizeof(pub->e))
		return "RSA key of unsupported size";
	memset(pub, 0, sizeof(*pub));
	memcpy(pub->n, n, nlen);
	memcpy(pub->e, x, xlen);
	pub->n_len = nlen;
	pub->e_len = xlen;
	unsigned bits = (unsigned)nlen * 8;
	for (uint8_t top = n[0]; (top & 0x80) == 0 && bits > 0; top = (uint8_t)(top << 1))
		bits--;
	pub->bits = bits;
	return NULL;
}

/* A hostkey around priv (whose reference it takes over). */
static struct hostkey *hostkey_from_priv(SECKEYPrivateKey *priv, err_t *e)
{
	struct hostkey *h = calloc(1, sizeof(*h));
	if (h == NULL) {
		SECKEY_DestroyPrivateKey(priv);
		*e = "out of memory";
		return NULL;
	}
	h->priv = priv;
	SECKEYPublicKey *pk = SECKEY_ConvertToPublicKey(priv);
	if (pk == NULL) {
		*e = crypto_nss_error("reading the public half of a private key");
		hostkey_free(&h);
		return NULL;
	}
	*e = crypto_pub_from_nss(pk, &h->pub);
	SECKEY_DestroyPublicKey(pk);
	if (*e != NULL) {
		hostkey_free(&h);
		return NULL;
	}
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(priv);
	if (id != NULL && id->len == CKAID_LEN) {
		memcpy(h->ckaid, id->data, CKAID_LEN);
	} else if ((*e = ckaid_of_pubkey(&h->pub, h->ckaid)) != NULL) {
		if (id != NULL)
			SECITEM_FreeItem(id, PR_TRUE);
		hostkey_free(&h);
		return NULL;
	}
	if (id != NULL)
		SECITEM_FreeItem(id, PR_TRUE);
	char *nick = PK11_GetPrivateKeyNickname(priv);
	if (nick != NULL) {
		snprintf(h->nickname, sizeof(h->nickname), "%s", nick);
		PORT_Free(nick);
	}
	return h;
}

static bool same_key(const rsa_pubkey *a, const rsa_pubkey *b)
{
	return a->n_len == b->n_len && a->e_len == b->e_len &&
	       memcmp(a->n, b->n, a->n_len) == 0 && memcmp(a->e, b->e, a->e_len) == 0;
}

static err_t key_slot_ready(void)
{
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	if (crypto_nssdir()[0] == '\0')
		return "host keys need an NSS database (NSS was started without one)";
	PK11SlotInfo *slot = crypto_key_slot();
	if (PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, NULL) &&
	    PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess)
		return crypto_nss_error("logging into the NSS database");
	return NULL;
}

err_t hostkey_generate(unsigned bits, const char *nickname, struct hostkey **key)
{
	if (key != NULL)
		*key = NULL;
	err_t e = key_slot_ready();
	if (e != NULL)
		return e;
	if (bits < 1024 || bits > 8192 || bits % 16 != 0)
		return "RSA key size must be 1024..8192 bits, a multiple of 16";
	PK11RSAGenParams params = { .keySizeInBits = (int)bits, .pe = 65537 };
	SECKEYPublicKey *pk = NULL;
	SECKEYPrivateKey *priv = PK11_GenerateKeyPair(crypto_key_slot(), CKM_RSA_PKCS_KEY_PAIR_GEN,
						      &params, &pk, PR_TRUE /* token */,
						      PR_TRUE /* sensitive */, NULL);
	if (priv == NULL)
		return crypto_nss_error("generating an RSA key in the NSS database");
	if (nickname != NULL && *nickname != '\0') {
		if (PK11_SetPrivateKeyNickname(priv, nickname) != SECSuccess ||
		    PK11_SetPublicKeyNickname(pk, nickname) != SECSuccess)
			e = crypto_nss_error("naming the new key");
	}
	SECKEY_DestroyPublicKey(pk);
	if (e != NULL) {
		SECKEY_DestroyPrivateKey(priv);
		return e;
	}
	struct hostkey *h = hostkey_from_priv(priv, &e);
	if (h == NULL)
		return e;
	if (key != NULL)
		*key = h;
	else
		hostkey_free(&h);
	return NULL;
}

struct hostkey *hostkey_find_ckaid(const uint8_t ckaid[CKAID_LEN], err_t *e)
{
	if ((*e = key_slot_ready()) != NULL)
		return NULL;
	SECItem id = { siBuffer, (unsigned char *)ckaid, CKAID_LEN };
	SECKEYPrivateKey *priv = PK11_FindKeyByKeyID(crypto_key_slot(), &id, NULL);
	if (priv == NULL) {
		char hex[2 * CKAID_LEN + 1];
		*e = crypto_errorf("no private key with CKAID %s in the NSS database %s",
				   str_ckaid(ckaid, hex), crypto_nssdir());
		return NULL;
	}
	if (SECKEY_GetPrivateKeyType(priv) != rsaKey) {
		SECKEY_DestroyPrivateKey(priv);
		*e = "the key with that CKAID is not an RSA key";
		return NULL;
	}
	return hostkey_from_priv(priv, e);
}

struct hostkey *hostkey_find(const rsa_pubkey *pub, err_t *e)
{
	uint8_t ckaid[CKAID_LEN];
	if ((*e = key_slot_ready()) != NULL || (*e = ckaid_of_pubkey(pub, ckaid)) != NULL)
		return NULL;
	/* fast path: the CKA_ID NSS gave the key */
	SECItem id = { siBuffer, ckaid, CKAID_LEN };
	SECKEYPrivateKey *priv = PK11_FindKeyByKeyID(crypto_key_slot(), &id, NULL);
	if (priv != NULL && SECKEY_GetPrivateKeyType(priv) == rsaKey) {
		struct hostkey *h = hostkey_from_priv(priv, e);
		if (h != NULL && same_key(&h->pub, pub))
			return h;
		hostkey_free(&h);
	} else if (priv != NULL) {
		SECKEY_DestroyPrivateKey(priv);
	}
	/* slow path: a key imported with another CKA_ID */
	SECKEYPrivateKeyList *list = PK11_ListPrivateKeysInSlot(crypto_key_slot());
	if (list != NULL) {
		for (SECKEYPrivateKeyListNode *node = PRIVKEY_LIST_HEAD(list);
		     !PRIVKEY_LIST_END(node, list); node = PRIVKEY_LIST_NEXT(node)) {
			if (SECKEY_GetPrivateKeyType(node->key) != rsaKey)
				continue;
			SECKEYPrivateKey *ref = SECKEY_CopyPrivateKey(node->key);
			if (ref == NULL)
				continue;
			struct hostkey *h = hostkey_from_priv(ref, e);
			if (h != NULL && same_key(&h->pub, pub)) {
				SECKEY_DestroyPrivateKeyList(list);
				*e = NULL;
				return h;
			}
			hostkey_free(&h);
		}
		SECKEY_DestroyPrivateKeyList(list);
	}
	char hex[2 * CKAID_LEN + 1];
	*e = crypto_errorf("no private key in the NSS database %s matches the public key "
			   "(CKAID %s)", crypto_nssdir(), str_ckaid(ckaid, hex));
	return NULL;
}

err_t hostkey_list(struct hostkey_info **listp, size_t *np)
{
	*listp = NULL;
	*np = 0;
	err_t e = key_slot_ready();
	if (e != NULL)
		return e;
	SECKEYPrivateKeyList *list = PK11_ListPrivateKeysInSlot(crypto_key_slot());
	if (list == NULL)
		return NULL;   /* NSS returns NULL for an empty slot */
	size_t n = 0, cap = 0;
	struct hostkey_info *out = NULL;
	for (SECKEYPrivateKeyListNode *node = PRIVKEY_LIST_HEAD(list);
	     !PRIVKEY_LIST_END(node, list); node = PRIVKEY_LIST_NEXT(node)) {
		if (SECKEY_GetPrivateKeyType(node->key) != rsaKey)
			continue;
		SECKEYPrivateKey *ref = SECKEY_CopyPrivateKey(node->key);
		struct hostkey *h = ref != NULL ? hostkey_from_priv(ref, &e) : NULL;
		if (h == NULL)
			continue;   /* a key we cannot read is not listed */
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			struct hostkey_info *bigger = realloc(out, cap * sizeof(*out));
			if (bigger == NULL) {
				hostkey_free(&h);
				free(out);
				SECKEY_DestroyPrivateKeyList(list);
				return "out of memory";
			}
			out = bigger;
		}
		memcpy(out[n].ckaid, h->ckaid, CKAID_LEN);
		memcpy(out[n].nickname, h->nickname, sizeof(out[n].nickname));
		out[n].pub = h->pub;
		n++;
		hostkey_free(&h);
	}
	SECKEY_DestroyPrivateKeyList(list);
	*listp = out;
	*np = n;
	return NULL;
}

const rsa_pubkey *hostkey_pubkey(const struct hostkey *key)
{
	return &key->pub;
}

const uint8_t *hostkey_ckaid(const struct hostkey *key)
{
	return key->ckaid;
}

const char *hostkey_nickname(const struct hostkey *key)
{
	return key->nickname;
}

void hostkey_free(struct hostkey **keyp)
{
	struct hostkey *h = *keyp;
	if (h == NULL)
		return;
	if (h->priv != NULL)
		SECKEY_DestroyPrivateKey(h->priv);
	free(h);
	*keyp = NULL;
}
