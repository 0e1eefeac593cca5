/* Parsing mmsecmethods= and qmsecmethods= (see netsh/crypto.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/crypto.h"
#include "netsh/util.h"

/* Removes blanks next to the punctuation of a method ("ESP [3DES, SHA1]:
 * 100000k/3600s" is how the help text prints them). */
static char *squeeze(const char *s)
{
	struct sbuf b = {0};
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			char prev = b.len ? b.s[b.len - 1] : ' ';
			const char *q = p;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strchr("[,+:/", prev) || (*q && strchr("[],+:/", *q)) || *q == '\0') {
				p = q - 1;
				continue;
			}
		}
		sb_putc(&b, *p);
	}
	return b.s ? b.s : xstrdup("");
}

/* Next token of s at *pos separated by any of seps; NULL at the end. */
static char *next_token(const char *s, size_t *pos, const char *seps)
{
	while (s[*pos] && strchr(seps, s[*pos]))
		++*pos;
	if (s[*pos] == '\0')
		return NULL;
	size_t n = strcspn(s + *pos, seps);
	char *t = xstrndup(s + *pos, n);
	*pos += n;
	return t;
}

/* ---- main mode ---------------------------------------------------------- */

static const char *mm_part(struct mm_offer *o, const char *p, size_t n)
{
	const struct vocab *v;
	if ((v = vocab_find(enc_vocab, p, n)) != NULL && o->enc == NULL)
		o->enc = v;
	else if ((v = vocab_find(hash_vocab, p, n)) != NULL && o->hash == NULL)
		o->hash = v;
	else if (n == 1 && isdigit((unsigned char)*p) && o->group == NULL) {
		o->group = dh_group_by_windows_number((unsigned)(*p - '0'));
		if (o->group == NULL)
			return "group number not 1, 2 or 3";
	} else if ((v = vocab_find(group_vocab, p, n)) != NULL && o->group == NULL) {
		o->group = v;
		o->nonstandard = true;
	} else
		return "unknown algorithm";
	return NULL;
}

static const char *mm_offer(const char *tok, struct mm_offer *o)
{
	*o = (struct mm_offer){0};
	const char *body = tok, *colon = strchr(tok, ':');
	if (colon != NULL) {     /* advfirewall: dhgroup14:aes256-sha256 */
		const char *e = mm_part(o, tok, (size_t)(colon - tok));
		if (e != NULL)
			return e;
		body = colon + 1;
		o->nonstandard = true;
	}
	for (const char *p = body; *p;) {
		size_t n = strcspn(p, "-");
		const char *e = mm_part(o, p, n);
		if (e != NULL)
			return e;
		p += n + (p[n] == '-');
	}
	if (o->enc == NULL || o->hash == NULL || strcmp(o->enc->windows, "None") == 0)
		return "not ConfAlg-HashAlg-GroupNum";
	if (o->group == NULL) {
		o->group = dh_group_by_windows_number(2);
		o->group_assumed = true;
	}
	return NULL;
}

const char *parse_mmsec(const char *s, struct mm_offers *out, char *errbuf, size_t size)
{
	size_t pos = 0;
	char *tok;
	*out = (struct mm_offers){0};
	while ((tok = next_token(s, &pos, " \t;,")) != NULL) {
		const struct vocab *g = vocab_find(group_vocab, tok, strlen(tok));
		const char *e = NULL;
		if (g != NULL) {   /* "3DES-SHA1 DHGroup2": belongs to the offer before */
			if (out->n == 0 || !out->v[out->n - 1].group_assumed)
				e = "a DH group without an offer before it";
			else {
				out->v[out->n - 1].group = g;
				out->v[out->n - 1].group_assumed = false;
				out->v[out->n - 1].nonstandard = true;
			}
		} else if (out->n == OFFERS_MAX) {
			e = "too many security methods";
		} else {
			e = mm_offer(tok, &out->v[out->n]);
			if (e == NULL)
				out->n++;
		}
		if (e != NULL) {
			snprintf(errbuf, size, "'%s': %s", tok, e);
			free(tok);
			return errbuf;
		}
		free(tok);
	}
	return out->n ? NULL : "no security method";
}

/* ---- quick mode --------------------------------------------------------- */

static const char *qm_lifetime(const char *s, struct qm_offer *o)
{
	for (const char *p = s; *p;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p || v == 0 || v > 4000000000ull)
			return "bad lifetime (use Nk/Ns)";
		if (*end == 'k' || *end == 'K')
			o->kbytes = v;
		else if (*end == 's' || *end == 'S')
			o->seconds = v;
		else
			return "bad lifetime unit (k or s)";
		p = end + 1;
		if (*p == '/')
			p++;
		else if (*p != '\0')
			return "bad lifetime (use Nk/Ns)";
	}
	return NULL;
}

/* "3DES,SHA1" or "3DES-SHA1": encryption and integrity, by vocabulary. */
static const char *qm_esp_algs(const char *s, size_t n, struct qm_offer *o)
{
	size_t k = strcspn(s, ",-");
	if (k >= n)
		return "ESP needs ConfAlg and AuthAlg";
	const char *a = s, *b = s + k + 1;
	size_t an = k, bn = n - k - 1;
	o->enc = vocab_find(enc_vocab, a, an);
	o->integ = vocab_find(hash_vocab, b, bn);
	if (o->enc == NULL || o->integ == NULL) {   /* written integrity first? */
		o->enc = vocab_find(enc_vocab, b, bn);
		o->integ = vocab_find(hash_vocab, a, an);
		if (o->enc == NULL || o->integ == NULL)
			return "unknown algorithm";
		o->nonstandard = true;
	}
	return NULL;
}

static const char *qm_bracket(const char *p, const char *name, const char **end,
			      const char **inner, size_t *n)
{
	size_t l = strlen(name);
	if (strncasecmp(p, name, l) != 0 || p[l] != '[')
		return "expected ESP[...] or AH[...]";
	*inner = p + l + 1;
	const char *close = strchr(*inner, ']');
	if (close == NULL)
		return "missing ']'";
	*n = (size_t)(close - *inner);
	*end = close + 1;
	return NULL;
}

static const char *qm_offer(const char *tok, struct qm_offer *o)
{
	*o = (struct qm_offer){0};
	const char *inner, *end = tok, *e;
	size_t n;
	if (strncasecmp(tok, "AH[", 3) == 0) {
		if ((e = qm_bracket(tok, "AH", &end, &inner, &n)) != NULL)
			return e;
		o->proto = QM_AH;
		o->integ = vocab_find(hash_vocab, inner, n);
		if (o->integ == NULL || strcmp(o->integ->windows, "None") == 0)
			return "AH needs MD5 or SHA1";
		if (*end == '+') {
			if ((e = qm_bracket(end + 1, "ESP", &end, &inner, &n)) != NULL)
				return e;
			if ((e = qm_esp_algs(inner, n, o)) != NULL)
				return e;
			o->proto = QM_AH_ESP;   /* refused when mapped */
		}
	} else if (strncasecmp(tok, "ESP[", 4) == 0) {
		if ((e = qm_bracket(tok, "ESP", &end, &inner, &n)) != NULL)
			return e;
		if ((e = qm_esp_algs(inner, n, o)) != NULL)
			return e;
	} else {   /* seed 001 forms: ESP:AES128-SHA256, 3DES-SHA1 */
		const char *p = strncasecmp(tok, "ESP:", 4) == 0 ? tok + 4 : tok;
		n = strcspn(p, ":");
		if ((e = qm_esp_algs(p, n, o)) != NULL)
			return e;
		o->nonstandard = true;
		end = p + n;
	}
	if (*end == ':')
		return qm_lifetime(end + 1, o);
	return *end == '\0' ? NULL : "unexpected text after the method";
}

const char *parse_qmsec(const char *s, struct qm_offers *out, char *errbuf, size_t size)
{
	char *sq = squeeze(s);
	size_t pos = 0;
	char *tok;
	*out = (struct qm_offers){0};
	while ((tok = next_token(sq, &pos, " \t;")) != NULL) {
		const char *e = out->n == OFFERS_MAX ? "too many security methods"
						      : qm_offer(tok, &out->v[out->n]);
		if (e != NULL) {
			snprintf(errbuf, size, "'%s': %s", tok, e);
			free(tok);
			free(sq);
			return errbuf;
		}
		out->n++;
		free(tok);
	}
	free(sq);
	return out->n ? NULL : "no security method";
}
