/* Proposal strings of ike=, esp=/phase2alg= and ah=: parsing against the
 * algorithm table and the canonical text that parses back the same. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "swan/alg.h"

struct parser {
	enum alg_proto proto;
	char *errbuf;
	size_t errsize;
	const char *weak;
	const char *weaks[8];
	unsigned n_weak;
};

__attribute__((format(printf, 2, 3)))
static err_t fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->errbuf == NULL || ps->errsize == 0)
		return "invalid algorithm proposal";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->errbuf, ps->errsize, fmt, ap);
	va_end(ap);
	return ps->errbuf;
}

static const char *proto_name(enum alg_proto proto)
{
	switch (proto) {
	case ALG_FOR_IKE:
		return "IKE";
	case ALG_FOR_ESP:
		return "ESP";
	default:
		return "AH";
	}
}

static unsigned proto_bit(enum alg_proto proto)
{
	switch (proto) {
	case ALG_FOR_IKE:
		return ALG_IKE;
	case ALG_FOR_ESP:
		return ALG_ESP;
	default:
		return ALG_AH;
	}
}

static const char *type_name(enum alg_type type)
{
	switch (type) {
	case ALG_ENCRYPT:
		return "encryption algorithm";
	case ALG_INTEG:
		return "integrity algorithm";
	case ALG_PRF:
		return "PRF";
	default:
		return "DH group";
	}
}

static void note_weak(struct parser *ps, const struct alg_desc *a)
{
	if (a == NULL || a->weak == NULL)
		return;
	if (ps->weak == NULL)
		ps->weak = a->weak;
	for (unsigned i = 0; i < ps->n_weak; i++)
		if (ps->weaks[i] == a->weak)
			return;
	if (ps->n_weak < sizeof(ps->weaks) / sizeof(ps->weaks[0]))
		ps->weaks[ps->n_weak++] = a->weak;
}

/* Names that once existed but are refused outright rather than reported
 * as unknown, so the user learns why. */
static const struct {
	const char *name;
	enum alg_type type;
} insecure[] = {
	{ "des", ALG_ENCRYPT }, { "1des", ALG_ENCRYPT }, { "des_cbc", ALG_ENCRYPT },
	{ "modp768", ALG_DH }, { "dh1", ALG_DH },
};

static bool is_insecure(const char *tok, size_t len, enum alg_type *type)
{
	for (size_t i = 0; i < sizeof(insecure) / sizeof(insecure[0]); i++) {
		if (strlen(insecure[i].name) == len && strncasecmp(insecure[i].name, tok, len) == 0) {
			*type = insecure[i].type;
			return true;
		}
	}
	return false;
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_ccm(const struct alg_desc *a)
{
	return a->type == ALG_ENCRYPT && a->ikev2_id >= 14 && a->ikev2_id <= 16;
}

static bool is_gcm(const struct alg_desc *a)
{
	return a->type == ALG_ENCRYPT && a->ikev2_id >= 18 && a->ikev2_id <= 20;
}

/* Openswan wrote CCM and GCM key sizes with the nonce salt included
 * (RFC 4309: 24 bits, RFC 4106: 32 bits); the key itself is what counts.
 * Returns the key size, or 0 when it is not one the algorithm allows. */
static unsigned check_keylen(const struct alg_desc *a, unsigned keylen)
{
	if (is_ccm(a) && (keylen == 152 || keylen == 216 || keylen == 280))
		keylen -= 24;
	if (is_gcm(a) && (keylen == 160 || keylen == 224 || keylen == 288))
		keylen -= 32;
	for (size_t i = 0; i < sizeof(a->keylens) / sizeof(a->keylens[0]) && a->keylens[i]; i++)
		if (a->keylens[i] == keylen)
			return keylen;
	return 0;
}

static unsigned parse_keylen_digits(const char *s, size_t len)
{
	if (len > 5)
		return 99999;   /* absurd: reported as not allowed */
	unsigned v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* An encryption token: a name, or a name with a key size appended
 * ("aes128", "aes_gcm16_256", "aes_gcm_c_256"). Names may themselves end
 * in digits, so each split of the trailing digits is tried, longest name
 * first, and the first one giving an allowed key size wins ("aes_gcm128"
 * is aes_gcm 128, not aes_gcm12 8). Sets *found to the algorithm even
 * when the key size is wrong, so the caller can say so. */
/* strongSwan's AEAD spelling, key size first: aes256gcm16 (also gcm128
 * in bits), aes128gcm8/gcm64, aes192ccm12/ccm96; a bare aes256gcm is the
 * 16-octet ICV. NULL when tok is not one. */
static const struct alg_desc *strongswan_aead(const char *tok, size_t len, unsigned *keylen)
{
	static const struct {
		const char *suffix;
		unsigned icv;
	} icvs[] = { { "", 16 }, { "8", 8 }, { "64", 8 }, { "12", 12 }, { "96", 12 },
		     { "16", 16 }, { "128", 16 } };
	if (len < 9 || strncasecmp(tok, "aes", 3) != 0)
		return NULL;
	size_t d = 3;
	while (d < len && tok[d] >= '0' && tok[d] <= '9')
		d++;
	if (d == 3 || len - d < 3)
		return NULL;
	const char *mode = tok + d;
	bool gcm = strncasecmp(mode, "gcm", 3) == 0, ccm = strncasecmp(mode, "ccm", 3) == 0;
	if (!gcm && !ccm)
		return NULL;
	for (size_t i = 0; i < sizeof(icvs) / sizeof(icvs[0]); i++) {
		size_t sl = strlen(icvs[i].suffix);
		if (len - d - 3 != sl || strncmp(mode + 3, icvs[i].suffix, sl) != 0)
			continue;
		char name[16];
		snprintf(name, sizeof(name), "aes_%s%u", gcm ? "gcm" : "ccm", icvs[i].icv);
		const struct alg_desc *a = alg_by_name(ALG_ENCRYPT, name, strlen(name));
		unsigned kl = a != NULL ? check_keylen(a, parse_keylen_digits(tok + 3, d - 3)) : 0;
		if (kl == 0)
			return NULL;
		*keylen = kl;
		return a;
	}
	return NULL;
}

static err_t parse_encr_token(struct parser *ps, const char *tok, size_t len,
			      const struct alg_desc **found, unsigned *keylen)
{
	*found = NULL;
	*keylen = 0;
	const struct alg_desc *a = alg_by_name(ALG_ENCRYPT, tok, len);
	if (a != NULL) {
		*found = a;
		return NULL;
	}
	if ((a = strongswan_aead(tok, len, keylen)) != NULL) {
		*found = a;
		return NULL;
	}
	size_t d = len;
	while (d > 0 && tok[d - 1] >= '0' && tok[d - 1] <= '9')
		d--;
	if (d == len || d == 0)
		return NULL;
	/* The first name found, kept for the error when no split works. */
	const struct alg_desc *first = NULL;
	unsigned first_len = 0;
	bool first_glued = false;
	for (size_t j = len - 1; j >= d; j--) {
		size_t names[2] = { j, 0 };
		size_t nn = 1;
		if (tok[j - 1] == '_')
			names[nn++] = j - 1;
		for (size_t k = 0; k < nn; k++) {
			a = alg_by_name(ALG_ENCRYPT, tok, names[k]);
			if (a == NULL)
				continue;
			unsigned kl = parse_keylen_digits(tok + j, len - j);
			unsigned ok = a->keylens[0] != 0 ? check_keylen(a, kl) : 0;
			if (ok != 0) {
				*found = a;
				*keylen = ok;
				return NULL;
			}
			if (first == NULL) {
				first = a;
				first_len = kl;
				first_glued = names[k] == j;
			}
		}
		if (j == d)
			break;
	}
	/* "aes999" is no algorithm at all; "aes_999" is aes with a bad size. */
	if (first == NULL || first_glued)
		return NULL;
	*found = first;
	if (first->keylens[0] == 0)
		return fail(ps, "encryption algorithm '%s' does not take a key length (in '%.*s')",
			    first->name, (int)len, tok);
	return fail(ps, "key length %u is not allowed for encryption algorithm '%s' (in '%.*s')",
		    first_len, first->name, (int)len, tok);
}

static const struct alg_desc *prf_for_integ(const struct alg_desc *integ)
{
	char name[32];
	int n = snprintf(name, sizeof(name), "prf%s", integ->name);
	if (n < 0 || (size_t)n >= sizeof(name))
		return NULL;
	return alg_by_name(ALG_PRF, name, (size_t)n);
}

static const struct alg_desc *integ_for_prf(const struct alg_desc *prf)
{
	if (strncmp(prf->name, "prf", 3) != 0)
		return NULL;
	return alg_by_name(ALG_INTEG, prf->name + 3, strlen(prf->name) - 3);
}

/* An integrity token; "hmac_"/"hmac-" prefixes are optional spellings. */
static const struct alg_desc *lookup_integ(const char *tok, size_t len)
{
	const struct alg_desc *a = alg_by_name(ALG_INTEG, tok, len);
	if (a == NULL && len > 5 && strncasecmp(tok, "hmac_", 5) == 0)
		a = alg_by_name(ALG_INTEG, tok + 5, len - 5);
	return a;
}

static bool looks_like_dh(const char *tok, size_t len)
{
	static const char *const prefixes[] = { "modp", "ecp", "dh", "curve" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && strncasecmp(tok, prefixes[i], n) == 0)
			return true;
	}
	return false;
}

static err_t unknown(struct parser *ps, enum alg_type expected, const char *tok, size_t len)
{
	enum alg_type t;
	if (is_insecure(tok, len, &t))
		return fail(ps, "%s '%.*s' is not supported (insecure)", type_name(t), (int)len, tok);
	if (expected != ALG_DH && looks_like_dh(tok, len))
		expected = ALG_DH;
	return fail(ps, "unknown %s '%.*s'", type_name(expected), (int)len, tok);
}

static err_t check_usable(struct parser *ps, const struct alg_desc *a, const char *tok, size_t len)
{
	if ((a->usable & proto_bit(ps->proto)) == 0)
		return fail(ps, "%s '%.*s' cannot be used in %s", type_name(a->type),
			    (int)len, tok, proto_name(ps->proto));
	note_weak(ps, a);
	return NULL;
}

static err_t set_dh(struct parser *ps, struct proposal *pr, const char *tok, size_t len)
{
	const struct alg_desc *a = alg_by_name(ALG_DH, tok, len);
	if (a == NULL)
		return unknown(ps, ALG_DH, tok, len);
	if (pr->dh != NULL)
		return fail(ps, "more than one DH group ('%s' and '%.*s')", pr->dh->name, (int)len, tok);
	err_t e = check_usable(ps, a, tok, len);
	if (e != NULL)
		return e;
	pr->dh = a;
	return NULL;
}

static err_t set_integ(struct parser *ps, struct proposal *pr, const struct alg_desc *a,
		       const char *tok, size_t len)
{
	bool aead = pr->encr != NULL && pr->encr->aead;
	if (ps->proto == ALG_FOR_IKE && aead && a->ikev2_id != 0) {
		/* AEAD IKE: the hash only names the PRF. */
		const struct alg_desc *prf = prf_for_integ(a);
		if (prf == NULL)
			return fail(ps, "'%.*s' cannot be used as a PRF", (int)len, tok);
		if (pr->prf != NULL)
			return fail(ps, "more than one PRF ('%s' and '%.*s')", pr->prf->name, (int)len, tok);
		note_weak(ps, prf);
		pr->prf = prf;
		return NULL;
	}
	if (a->ikev2_id == 0 && !aead)
		return fail(ps, "integrity algorithm '%.*s' is only allowed with AEAD (GCM/CCM) encryption in ESP",
			    (int)len, tok);
	err_t e = check_usable(ps, a, tok, len);
	if (e != NULL)
		return e;
	if (aead && a->ikev2_id != 0)
		return fail(ps, "integrity algorithm '%.*s' cannot be used with AEAD encryption '%s'",
			    (int)len, tok, pr->encr->name);
	if (pr->integ != NULL)
		return fail(ps, "more than one integrity algorithm ('%s' and '%.*s')",
			    pr->integ->name, (int)len, tok);
	pr->integ = a;
	return NULL;
}

static err_t set_encr(struct parser *ps, struct proposal *pr, const struct alg_desc *a,
		      unsigned keylen, const char *tok, size_t len)
{
	err_t e = check_usable(ps, a, tok, len);
	if (e != NULL)
		return e;
	pr->encr = a;
	pr->keylen = keylen;
	return NULL;
}

/* One token after the first: a key size, hash, PRF or DH group. */
static err_t parse_later_token(struct parser *ps, struct proposal *pr, const char *tok,
			       size_t len, bool after_bare_encr)
{
	if (all_digits(tok, len)) {
		/* "aes-128", "aes_ccm_a-152": a key size for the cipher just
		 * named, when it has none yet and takes one. */
		if (!after_bare_encr)
			return fail(ps, "unexpected key length '%.*s'", (int)len, tok);
		unsigned kl = parse_keylen_digits(tok, len);
		if (pr->encr->keylens[0] == 0)
			return fail(ps, "encryption algorithm '%s' does not take a key length (got '%.*s')",
				    pr->encr->name, (int)len, tok);
		unsigned ok = check_keylen(pr->encr, kl);
		if (ok == 0)
			return fail(ps, "key length %u is not allowed for encryption algorithm '%s'",
				    kl, pr->encr->name);
		pr->keylen = ok;
		return NULL;
	}
	const struct alg_desc *a = lookup_integ(tok, len);
	if (a != NULL)
		return set_integ(ps, pr, a, tok, len);
	a = alg_by_name(ALG_PRF, tok, len);
	if (a != NULL) {
		if (ps->proto != ALG_FOR_IKE)
			return fail(ps, "PRF '%.*s' cannot be used in %s", (int)len, tok,
				    proto_name(ps->proto));
		if (pr->prf != NULL)
			return fail(ps, "more than one PRF ('%s' and '%.*s')", pr->prf->name, (int)len, tok);
		note_weak(ps, a);
		pr->prf = a;
		return NULL;
	}
	if (alg_by_name(ALG_DH, tok, len) != NULL)
		return set_dh(ps, pr, tok, len);
	const struct alg_desc *encr;
	unsigned kl;
	err_t e = parse_encr_token(ps, tok, len, &encr, &kl);
	if (e == NULL && encr != NULL)
		return fail(ps, "unexpected encryption algorithm '%.*s' after '%s'",
			    (int)len, tok, pr->encr != NULL ? pr->encr->name : pr->integ->name);
	return unknown(ps, ALG_INTEG, tok, len);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static err_t parse_proposal(struct parser *ps, const char *s, size_t len, struct proposal *out)
{
	struct proposal pr = { 0 };
	const char *semi = memchr(s, ';', len);
	size_t mlen = semi != NULL ? (size_t)(semi - s) : len;

	/* Tokens of the part before ';', split at '-'. */
	enum { MAX_TOKENS = 16 };
	const char *tok[MAX_TOKENS];
	size_t tlen[MAX_TOKENS];
	size_t nt = 0;
	for (size_t i = 0; i <= mlen;) {
		size_t j = i;
		while (j < mlen && s[j] != '-')
			j++;
		if (j == i)
			return fail(ps, "empty algorithm name in proposal '%.*s'", (int)len, s);
		if (nt == MAX_TOKENS)
			return fail(ps, "too many algorithms in proposal '%.*s'", (int)len, s);
		tok[nt] = s + i;
		tlen[nt] = j - i;
		/* "hmac-md5": the "hmac" is only a prefix of the next name. */
		if (!(tlen[nt] == 4 && strncasecmp(tok[nt], "hmac", 4) == 0 && j < mlen))
			nt++;
		i = j + 1;
	}

	/* The first token says what the proposal is. */
	const char *t0 = tok[0];
	size_t l0 = tlen[0];
	err_t e;
	if (ps->proto == ALG_FOR_AH) {
		const struct alg_desc *a = lookup_integ(t0, l0);
		if (a == NULL) {
			const struct alg_desc *encr;
			unsigned kl;
			parse_encr_token(ps, t0, l0, &encr, &kl);
			if (encr != NULL)
				return fail(ps, "encryption algorithm '%.*s' cannot be used in AH", (int)l0, t0);
			return unknown(ps, ALG_INTEG, t0, l0);
		}
		e = check_usable(ps, a, t0, l0);
		if (e != NULL)
			return e;
		pr.integ = a;
	} else {
		const struct alg_desc *encr;
		unsigned kl;
		e = parse_encr_token(ps, t0, l0, &encr, &kl);
		if (e != NULL)
			return e;
		if (encr != NULL) {
			e = set_encr(ps, &pr, encr, kl, t0, l0);
			if (e != NULL)
				return e;
		} else if (ps->proto == ALG_FOR_IKE && alg_by_name(ALG_DH, t0, l0) != NULL) {
			/* "modp1536": a proposal naming only the DH group. */
			if (nt > 1 || semi != NULL)
				return fail(ps, "a DH group must come last in proposal '%.*s'", (int)len, s);
			e = set_dh(ps, &pr, t0, l0);
			if (e != NULL)
				return e;
			*out = pr;
			return NULL;
		} else if (lookup_integ(t0, l0) != NULL || alg_by_name(ALG_PRF, t0, l0) != NULL ||
			   alg_by_name(ALG_DH, t0, l0) != NULL) {
			return fail(ps, "proposal '%.*s' must start with an encryption algorithm",
				    (int)len, s);
		} else {
			return unknown(ps, ALG_ENCRYPT, t0, l0);
		}
	}

	for (size_t i = 1; i < nt; i++) {
		bool after_bare_encr = i == 1 && pr.encr != NULL && pr.keylen == 0;
		e = parse_later_token(ps, &pr, tok[i], tlen[i], after_bare_encr);
		if (e != NULL)
			return e;
	}

	if (semi != NULL) {
		const char *d = semi + 1;
		size_t dlen = len - mlen - 1;
		if (dlen == 0)
			return fail(ps, "no DH group after ';' in proposal '%.*s'", (int)len, s);
		if (memchr(d, ';', dlen) != NULL)
			return fail(ps, "more than one ';' in proposal '%.*s'", (int)len, s);
		e = set_dh(ps, &pr, d, dlen);
		if (e != NULL)
			return e;
	}

	/* Non-AEAD IKE: the hash gives the PRF too, unless one was named. */
	if (ps->proto == ALG_FOR_IKE && pr.integ != NULL && pr.prf == NULL)
		pr.prf = prf_for_integ(pr.integ);
	*out = pr;
	return NULL;
}

err_t ttoproposals(const char *s, enum alg_proto proto, struct proposals *out,
		   char *errbuf, size_t errsize)
{
	struct parser ps = { .proto = proto, .errbuf = errbuf, .errsize = errsize };
	struct proposals ps_out;
	memset(&ps_out, 0, sizeof(ps_out));
	if (s == NULL)
		return fail(&ps, "empty algorithm list");
	size_t total = strlen(s);
	size_t k = 0;
	while (k < total && is_blank(s[k]))
		k++;
	if (k == total)
		return fail(&ps, "empty algorithm list");

	for (const char *p = s;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && is_blank(*p)) {
			p++;
			len--;
		}
		while (len > 0 && is_blank(p[len - 1]))
			len--;
		if (len == 0)
			return fail(&ps, "empty proposal in '%s'", s);
		if (ps_out.n == PROPOSALS_MAX)
			return fail(&ps, "more than %d proposals", PROPOSALS_MAX);
		err_t e = parse_proposal(&ps, p, len, &ps_out.p[ps_out.n]);
		if (e != NULL)
			return e;
		ps_out.n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	ps_out.weak = ps.weak;
	memcpy(ps_out.weaks, ps.weaks, sizeof(ps.weaks));
	ps_out.n_weak = ps.n_weak;
	*out = ps_out;
	return NULL;
}

/* ---- canonical text ----------------------------------------------------- */

struct text {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void append(struct text *t, const char *fmt, ...)
{
	if (t->size == 0)
		return;
	size_t room = t->len < t->size ? t->size - t->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < room ? (size_t)n : room > 0 ? room - 1 : 0;
}

static void append_encr(struct text *t, const struct proposal *pr)
{
	const char *name = pr->encr->name;
	append(t, "%s", name);
	if (pr->keylen != 0) {
		char last = name[strlen(name) - 1];
		/* "aes_gcm16_256": a name ending in a digit needs a separator. */
		append(t, "%s%u", last >= '0' && last <= '9' ? "_" : "", pr->keylen);
	}
}

static void append_proposal(struct text *t, const struct proposal *pr, enum alg_proto proto)
{
	bool first = true;
	if (proto != ALG_FOR_AH && pr->encr != NULL) {
		append_encr(t, pr);
		first = false;
	}
	if (pr->integ != NULL) {
		append(t, "%s%s", first ? "" : "-", pr->integ->name);
		first = false;
	}
	if (proto == ALG_FOR_IKE && pr->prf != NULL) {
		bool aead = pr->encr != NULL && pr->encr->aead;
		const struct alg_desc *hash = integ_for_prf(pr->prf);
		if (aead && pr->integ == NULL && hash != NULL) {
			/* Written the way users write it: "aes_gcm16_256-sha2_256". */
			append(t, "%s%s", first ? "" : "-", hash->name);
			first = false;
		} else if (pr->integ == NULL || pr->prf != prf_for_integ(pr->integ)) {
			append(t, "%s%s", first ? "" : "-", pr->prf->name);
			first = false;
		}
	}
	if (pr->dh != NULL)
		append(t, "%s%s", first ? "" : ";", pr->dh->name);
}

const char *str_proposals(const struct proposals *p, enum alg_proto proto,
			  char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	if (size > 0)
		buf[0] = '\0';
	for (unsigned i = 0; i < p->n && i < PROPOSALS_MAX; i++) {
		if (i > 0)
			append(&t, ",");
		append_proposal(&t, &p->p[i], proto);
	}
	return buf;
}
