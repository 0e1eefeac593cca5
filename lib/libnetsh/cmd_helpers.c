/* Parsing shared by the command handlers: traffic selectors, the
 * authentication methods, object names and security methods. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/crypto.h"
#include "netsh/replay.h"
#include "netsh/util.h"

static bool parse_side(struct replay *r, const struct ncmd *c, const char *atag,
		       const char *mtag, struct naddr *out)
{
	const char *v = arg(c, atag);
	err_t e = parse_naddr(v ? v : "", out);
	if (e != NULL) {
		cmd_error(r, c, "%s=%s: %s", atag, v ? v : "", e);
		return false;
	}
	bool ignored;
	const char *mask = arg(c, mtag);
	e = apply_mask(out, mask, &ignored);
	if (e != NULL) {
		cmd_error(r, c, "%s=%s: %s", mtag, mask, e);
		naddr_free(out);
		return false;
	}
	if (ignored)
		cmd_warning(r, c, "%s=%s ignored: %s=%s takes no mask", mtag, mask, atag, v);
	if (out->host_bits)
		cmd_warning(r, c, "%s=%s has host bits set below the mask: using the network address",
			    atag, v);
	if (out->cidr_text)
		cmd_note(r, c, "%s=%s: a /prefix inside the address is not documented netsh syntax",
			 atag, v);
	return true;
}

static bool parse_port(struct replay *r, const struct ncmd *c, const char *tag, uint16_t *out)
{
	const char *v = arg(c, tag);
	*out = 0;
	if (v == NULL)
		return true;
	err_t e = parse_nport(v, out);
	if (e != NULL)
		cmd_error(r, c, "%s=%s: %s", tag, v, e);
	return e == NULL;
}

bool parse_selector(struct replay *r, const struct ncmd *c, struct nselector *sel,
		    bool defaults)
{
	*sel = (struct nselector){ .mirrored = arg_bool(c, "mirrored", true) };
	if (!parse_side(r, c, "srcaddr", "srcmask", &sel->src))
		return false;
	if (!parse_side(r, c, "dstaddr", "dstmask", &sel->dst)) {
		naddr_free(&sel->src);
		return false;
	}
	const char *p = arg(c, "protocol");
	err_t e = p ? parse_nproto(p, &sel->proto) : NULL;
	if (e != NULL)
		cmd_error(r, c, "protocol=%s: %s", p, e);
	if (e != NULL || !parse_port(r, c, "srcport", &sel->srcport) ||
	    !parse_port(r, c, "dstport", &sel->dstport)) {
		nselector_free(sel);
		return false;
	}
	(void)defaults;
	return true;
}

static int cmp_pos(const void *a, const void *b)
{
	const struct nval *x = *(struct nval *const *)a, *y = *(struct nval *const *)b;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* kerberos=, psk= and rootca= in the order written: the preference order. */
bool parse_auths(struct replay *r, const struct ncmd *c, struct nauths *out)
{
	const struct nval *all[MAXTAGS + 16];
	enum auth_kind kinds[MAXTAGS + 16];
	size_t n = 0, k;
	static const struct { const char *tag; enum auth_kind kind; } tags[] = {
		{ "kerberos", AUTH_KERBEROS }, { "psk", AUTH_PSK }, { "rootca", AUTH_ROOTCA },
	};
	*out = (struct nauths){ .at = cmd_where(c) };
	for (size_t t = 0; t < 3; t++) {
		const struct nval *v = arg_all(c, tags[t].tag, &k);
		for (size_t i = 0; i < k && n < MAXTAGS + 16; i++) {
			out->given = true;
			if (tags[t].kind == AUTH_KERBEROS && strcmp(v[i].s, "yes") != 0)
				continue;
			all[n] = &v[i];
			kinds[n++] = tags[t].kind;
		}
	}
	/* sort by position, carrying the kinds along */
	const struct nval *sorted[MAXTAGS + 16];
	memcpy(sorted, all, n * sizeof(*all));
	qsort(sorted, n, sizeof(*sorted), cmp_pos);
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (all[j] != sorted[i])
			j++;
		out->v[i].kind = kinds[j];
		if (kinds[j] == AUTH_PSK && sorted[i]->s[0] == '\0') {
			cmd_error(r, c, "psk= is empty");
			out->n = i;
			nauths_free(out);
			return false;
		}
		if (kinds[j] != AUTH_KERBEROS)
			out->v[i].text = xstrdup(sorted[i]->s);   /* rootca: as written */
	}
	out->n = n;
	return true;
}

bool check_new_name(struct replay *r, const struct ncmd *c, const char *what, const char *name)
{
	if (name == NULL || *name == '\0') {
		cmd_error(r, c, "the %s name is empty; command not translated", what);
		return false;
	}
	if (ieq(name, "all")) {
		cmd_error(r, c, "'all' is reserved and cannot name a %s", what);
		return false;
	}
	return true;
}

bool check_secmethods(struct replay *r, const struct ncmd *c, const char *tag)
{
	const char *v = arg(c, tag);
	if (v == NULL)
		return true;
	char buf[256];
	const char *e;
	if (strcmp(tag, "mmsecmethods") == 0) {
		struct mm_offers mm;
		e = parse_mmsec(v, &mm, buf, sizeof(buf));
	} else {
		struct qm_offers qm;
		e = parse_qmsec(v, &qm, buf, sizeof(buf));
	}
	if (e != NULL)
		cmd_error(r, c, "%s=\"%s\": %s; command not translated", tag, v, e);
	return e == NULL;
}
