/* Virtual subnets (swan/subnet.h): the vhost:/vnet: lists of
 * leftsubnet=/rightsubnet= and config setup's virtual_private=, read
 * entry by entry by one reader for both the syntax check and the match
 * of a road warrior's inner address behind a NAT. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "swan/subnet.h"

enum ventry_kind { V_NET, V_PRIV, V_NO, V_ALL };

struct ventry {
	bool negated;
	enum ventry_kind kind;
	ip_subnet net;   /* V_NET */
};

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* One "%v4:NET/PREFIX", "%v6:NET/PREFIX" or (if bare_ok) "NET/PREFIX".
 * Openswan wrote exclusions as "%v4:!NET/PREFIX", so '!' is also accepted
 * after the family tag. */
static err_t read_net(const char *s, size_t len, bool bare_ok, struct ventry *e)
{
	enum ip_family af = IP_UNSET;
	if (len >= 4 && (memcmp(s, "%v4:", 4) == 0 || memcmp(s, "%v6:", 4) == 0)) {
		af = s[2] == '4' ? IP_V4 : IP_V6;
		s += 4;
		len -= 4;
		if (len > 0 && s[0] == '!' && !e->negated) {
			e->negated = true;
			s++;
			len--;
		}
	} else if (!bare_ok) {
		return "virtual_private entries must start with %v4: or %v6:";
	} else if (len > 0 && s[0] == '%') {
		return "unknown % keyword in virtual subnet list";
	}
	if (len == 0)
		return "virtual subnet entry has no network";
	if (memchr(s, '/', len) == NULL)
		return "virtual subnet entry needs NET/PREFIX";
	e->kind = V_NET;
	return ttosubnet(s, len, af, &e->net, NULL);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next entry of a comma-separated list at *s (blanks around entries
 * allowed) into *e, *s moved past it: NULL, or why it is wrong. At the
 * end *s is NULL. keywords_ok: vhost:/vnet: lists, with %priv, %no, %all
 * and bare NET/PREFIX entries. */
static err_t next_entry(const char **s, bool keywords_ok, struct ventry *e)
{
	const char *p = *s, *end = strchr(p, ',');
	size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
	*s = end != NULL ? end + 1 : NULL;
	while (len > 0 && is_blank(*p)) {
		p++;
		len--;
	}
	while (len > 0 && is_blank(p[len - 1]))
		len--;
	*e = (struct ventry){ .negated = len > 0 && *p == '!' };
	if (e->negated) {
		p++;
		len--;
	}
	if (len == 0)
		return "empty entry in virtual subnet list";
	static const struct { const char *word; enum ventry_kind kind; } words[] = {
		{ "%priv", V_PRIV }, { "%no", V_NO }, { "%all", V_ALL },
	};
	for (size_t i = 0; keywords_ok && i < sizeof(words) / sizeof(words[0]); i++) {
		if (word_is(p, len, words[i].word)) {
			e->kind = words[i].kind;
			return NULL;
		}
	}
	return read_net(p, len, keywords_ok, e);
}

static err_t check_list(const char *s, bool keywords_ok)
{
	if (*s == '\0')
		return "empty virtual subnet list";
	struct ventry e;
	while (s != NULL) {
		err_t er = next_entry(&s, keywords_ok, &e);
		if (er != NULL)
			return er;
	}
	return NULL;
}

bool is_virtual_subnet(const char *s)
{
	return strncmp(s, "vhost:", 6) == 0 || strncmp(s, "vnet:", 5) == 0;
}

err_t check_virtual_subnet(const char *s)
{
	if (strncmp(s, "vhost:", 6) == 0)
		return check_list(s + 6, true);
	if (strncmp(s, "vnet:", 5) == 0)
		return check_list(s + 5, true);
	return "virtual subnet must start with vhost: or vnet:";
}

err_t check_virtual_private(const char *s)
{
	if (*s == '\0')
		return "empty virtual_private list";
	return check_list(s, false);
}

static bool overlap(const ip_subnet *a, const ip_subnet *b)
{
	return a->addr.family == b->addr.family &&
	       (subnet_contains_subnet(a, b) || subnet_contains_subnet(b, a));
}

/* sub within virtual_private= (vp; NULL: not set): in one of its nets and
 * clear of its exclusions */
static bool in_private(const char *vp, const ip_subnet *sub)
{
	bool in = false;
	struct ventry e;
	while (vp != NULL) {
		if (next_entry(&vp, false, &e) != NULL)
			return false;
		if (e.negated && overlap(&e.net, sub))
			return false;
		if (!e.negated && subnet_contains_subnet(&e.net, sub))
			in = true;
	}
	return in;
}

const char *virtual_subnet_allows(const char *spec, const char *vp, const ip_subnet *sub, bool own_address,
				  char *why, size_t why_len)
{
	bool host = strncmp(spec, "vhost:", 6) == 0;
	const char *s = spec + (host ? 6 : 5);
	char n[SUBNET_BUF];
	str_subnet(sub, n);
	if (host && sub->prefix != address_bits(sub->addr.family)) {
		snprintf(why, why_len, "%s is a network; %s allows single addresses only (vnet: allows networks)", n,
			 spec);
		return why;
	}
	bool allowed = false;
	struct ventry e;
	while (s != NULL) {
		if (next_entry(&s, true, &e) != NULL) {
			snprintf(why, why_len, "%s cannot be read", spec);
			return why;
		}
		bool match = e.kind == V_ALL || (e.kind == V_NO && own_address) ||
			     (e.kind == V_PRIV && !own_address && in_private(vp, sub)) ||
			     (e.kind == V_NET && (e.negated ? overlap(&e.net, sub) : subnet_contains_subnet(&e.net, sub)));
		if (match && e.negated) {
			snprintf(why, why_len, "%s is excluded by %s", n, spec);
			return why;
		}
		allowed |= match;
	}
	if (allowed)
		return NULL;
	if (own_address)
		snprintf(why, why_len, "the peer uses its own address %s, and %s has no %%no", n, spec);
	else if (vp == NULL && strstr(spec, "%priv") != NULL)
		snprintf(why, why_len, "%s is not in %s (%%priv, but virtual_private= is not set in config setup)",
			 n, spec);
	else if (vp != NULL)
		snprintf(why, why_len, "%s is not in %s (virtual_private=%s)", n, spec, vp);
	else
		snprintf(why, why_len, "%s is not in %s", n, spec);
	return why;
}
