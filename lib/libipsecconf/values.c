/* Value checks, one per keyword type (enum kw_type). Each quotes the bad
 * value and says what would have been accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>
#include "internal.h"
#include "swan/address.h"
#include "swan/alg.h"
#include "swan/authby.h"
#include "swan/deltatime.h"
#include "swan/id.h"
#include "swan/protoport.h"
#include "swan/rsakey.h"
#include "swan/scalars.h"
#include "swan/subnet.h"

struct check_ctx {
	const struct keyword *kw;
	const char *key;
	const char *value;
	const struct conf_loc *loc;
	struct diags *d;
	struct arena *arena;
	const char **canon;
	const char *shown;   /* the value as written, when value was rewritten (NULL: value) */
};

/* The value in lower case, when it is not already. */
static void canon_lower(const struct check_ctx *c)
{
	const char *v = c->value;
	size_t i = 0;
	while (v[i] && !(v[i] >= 'A' && v[i] <= 'Z'))
		i++;
	if (v[i] == '\0')
		return;
	char *l = arena_strdup(c->arena, v);
	for (char *p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	*c->canon = l;
}

static bool bad(const struct check_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool bad(const struct check_ctx *c, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	diag_add(c->d, DIAG_ERROR, c->loc->file, c->loc->line, c->loc->col,
		 "bad value '%s' for %s=: %s", c->shown ? c->shown : c->value, c->key, why);
	return false;
}

static void warn(const struct check_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(const struct check_ctx *c, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	diag_add(c->d, DIAG_WARNING, c->loc->file, c->loc->line, c->loc->col,
		 "%s=%s: %s", c->key, c->shown ? c->shown : c->value, why);
}

/* "a|b|c" -> "a, b, c" */
static const char *list_of(const char *values, char *buf, size_t size)
{
	size_t n = 0;
	for (const char *p = values; *p && n + 3 < size; p++) {
		if (*p == '|') {
			buf[n++] = ',';
			buf[n++] = ' ';
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return buf;
}

static bool in_list(const char *values, const char *word, size_t len)
{
	for (const char *p = values; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && strncasecmp(p, word, len) == 0)
			return true;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return false;
}

static bool check_enum(const struct check_ctx *c)
{
	if (in_list(c->kw->values, c->value, strlen(c->value))) {
		canon_lower(c);
		return true;
	}
	char buf[256];
	return bad(c, "expected one of %s", list_of(c->kw->values, buf, sizeof(buf)));
}

static bool check_bool(const struct check_ctx *c)
{
	bool b;
	if (ttobool(c->value, &b) != NULL)
		return bad(c, "expected yes or no");
	return true;
}

static bool check_int(const struct check_ctx *c)
{
	long v;
	if (ttoint(c->value, c->kw->min, c->kw->max, &v) != NULL)
		return bad(c, "expected a whole number from %ld to %ld", c->kw->min, c->kw->max);
	return true;
}

static bool check_time(const struct check_ctx *c)
{
	deltatime_t t;
	err_t e = ttodeltatime(c->value, &t);
	if (e != NULL)
		return bad(c, "%s (write e.g. 90s, 30m, 1.5h or 2d)", e);
	/* the seed: seconds are a whole number; decimals only with m, h, d */
	size_t len = strlen(c->value);
	char unit = len ? c->value[len - 1] : 0;
	if (strchr(c->value, '.') != NULL && unit != 'm' && unit != 'h' && unit != 'd')
		return bad(c, "a time in seconds must be a whole number (write e.g. 90s, 30m, 1.5h or 2d)");
	if (c->kw->max > 0 && t.ms > (uint64_t)c->kw->max * 1000) {
		warn(c, "longer than the maximum of %ldh; %ldh is used", c->kw->max / 3600,
		     c->kw->max / 3600);
		*c->canon = arena_printf(c->arena, "%ldh", c->kw->max / 3600);
	}
	return true;
}

static bool check_percent(const struct check_ctx *c)
{
	unsigned p;
	err_t e = ttopercent(c->value, &p);
	return e == NULL || bad(c, "%s (write e.g. 100%%)", e);
}

static bool check_keyingtries(const struct check_ctx *c)
{
	long v;
	if (strcmp(c->value, "%forever") == 0)
		return true;
	if (ttoint(c->value, 0, 1000000, &v) != NULL)
		return bad(c, "expected a whole number or %%forever");
	return true;
}

/* IPv6 text in its canonical form (RFC 5952): 2001:db8::81, not
 * 2001:0db8:0:0:0:0:0:0081. IPv4 text is left as written. */
static void canon_address(const struct check_ctx *c, const ip_address *a)
{
	char buf[ADDRESS_BUF];
	if (a->family != IP_V6)
		return;
	str_address(a, buf);
	if (strcmp(buf, c->value) != 0)
		*c->canon = arena_strdup(c->arena, buf);
}

static bool check_address(const struct check_ctx *c)
{
	ip_address a;
	err_t e = ttoaddress_num(c->value, strlen(c->value), IP_UNSET, &a);
	if (e != NULL)
		return bad(c, "%s", e);
	canon_address(c, &a);
	return true;
}

/* leftsourceip=: an address. strongSwan's virtual IP requests (%config)
 * and pools (CIDR, ranges, lists) are accepted with a warning and left
 * out (*canon NULL): there is nothing here to hand them to. */
static bool check_sourceip(const struct check_ctx *c)
{
	static const char config[] = "%config|%config4|%config6|%modeconfig|%modecfg|%cfg";
	const char *v = c->value;
	ip_address a;
	err_t e = ttoaddress_num(v, strlen(v), IP_UNSET, &a);
	if (e == NULL) {
		canon_address(c, &a);
		return true;
	}
	if (strpbrk(v, "/-,%") == NULL)
		return bad(c, "%s", e);
	if (in_list(config, v, strlen(v))) {
		warn(c, "asking the peer for a virtual IP needs a Mode Config or configuration payload client, not built; ignored");
		*c->canon = NULL;
		return true;
	}
	/* a pool: NET/PREFIX, FROM-TO, %POOLNAME, or a list of them */
	for (const char *p = v; *p;) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		ip_subnet sn;
		const char *dash = memchr(p, '-', len);
		bool ok = (p[0] == '%' && len > 1) ||
			  ttosubnet(p, len, IP_UNSET, &sn, NULL) == NULL ||
			  (dash != NULL &&
			   ttoaddress_num(p, (size_t)(dash - p), IP_UNSET, &a) == NULL &&
			   ttoaddress_num(dash + 1, len - (size_t)(dash - p) - 1, IP_UNSET, &a) == NULL);
		if (!ok)
			return bad(c, "expected an IP address (or strongSwan's %%config or an address pool)");
		p = q ? q + 1 : p + len;
	}
	warn(c, "%s; ignored", "address pools need a Mode Config or configuration payload server, not built");
	*c->canon = NULL;
	return true;
}

/* %IFACE: an interface name such as %ppp0 or %eth0. */
static bool is_iface_magic(const char *v)
{
	if (v[0] != '%' || v[1] == '\0' || strlen(v) > 16)
		return false;
	for (const char *p = v + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == ':'))
			return false;
	return true;
}

static bool check_host(const struct check_ctx *c)
{
	static const char *const magic[] = {
		"%defaultroute", "%any", "%any4", "%any6", "%opportunistic",
		"%group", "%opportunisticgroup",
	};
	const char *v = c->value;
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (strcmp(v, magic[i]) == 0)
			return true;
	ip_address a;
	if (ttoaddress_num(v, strlen(v), IP_UNSET, &a) == NULL) {
		canon_address(c, &a);
		return true;
	}
	if (v[0] == '%') {
		if (is_iface_magic(v))
			return true;
		return bad(c, "unknown magic value (accepted: an IP address, a DNS name, %%defaultroute, %%any, %%opportunistic, %%group, %%opportunisticgroup or %%INTERFACE)");
	}
	if (is_dns_name(v))
		return true;
	return bad(c, "not an IP address or a DNS name");
}

static bool check_nexthop(const struct check_ctx *c)
{
	if (strcmp(c->value, "%direct") == 0 || strcmp(c->value, "%defaultroute") == 0)
		return true;
	if (c->value[0] == '%')
		return bad(c, "unknown magic value (accepted: an IP address, a DNS name, %%direct, %%defaultroute)");
	ip_address a;
	err_t e = ttoaddress_num(c->value, strlen(c->value), IP_UNSET, &a);
	if (e == NULL)
		canon_address(c, &a);
	if (e == NULL || is_dns_name(c->value))
		return true;
	return bad(c, "%s (accepted: an IP address, a DNS name, %%direct, %%defaultroute)", e);
}

/* One subnet; in a list (in_list) the message names the element. */
static bool subnet_ok(const struct check_ctx *c, const char *s, size_t len, bool in_list)
{
	ip_subnet sn;
	bool host_bits = false;
	err_t e = ttosubnet(s, len, IP_UNSET, &sn, &host_bits);
	if (e != NULL && in_list)
		return bad(c, "'%.*s': %s", (int)len, s, e);
	if (e != NULL)
		return bad(c, "%s", e);
	char buf[SUBNET_BUF];
	str_subnet(&sn, buf);
	if (host_bits)
		warn(c, "host bits set in '%.*s'; %s is used", (int)len, s, buf);
	/* and IPv6 text in its canonical form */
	if (!in_list && (host_bits || (sn.addr.family == IP_V6 && strcmp(buf, s) != 0)))
		*c->canon = arena_strdup(c->arena, buf);
	return true;
}

static bool check_subnet(const struct check_ctx *c)
{
	const char *v = c->value;
	if (strcmp(v, "%no") == 0 || strcmp(v, "%priv") == 0)
		return true;
	if (is_virtual_subnet(v)) {
		err_t e = check_virtual_subnet(v);
		return e == NULL || bad(c, "%s", e);
	}
	if (v[0] == '%')
		return bad(c, "unknown magic value (accepted: NET/PREFIX, %%no, %%priv, vhost:LIST or vnet:LIST)");
	return subnet_ok(c, v, strlen(v), false);
}

/* "{ A B }" or "A,B": one or more subnets. */
static bool check_subnets(const struct check_ctx *c)
{
	const char *p = c->value;
	const char *end = p + strlen(p);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '{') {
		p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == p || end[-1] != '}')
			return bad(c, "missing '}' at the end of the list");
		end--;
	}
	unsigned n = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		const char *q = p;
		while (q < end && *q != ' ' && *q != '\t' && *q != ',')
			q++;
		if (q > p) {
			if (!subnet_ok(c, p, (size_t)(q - p), true))
				return false;
			n++;
		}
		p = q;
	}
	if (n == 0)
		return bad(c, "an empty list; write { NET/PREFIX NET/PREFIX ... }");
	return true;
}

static bool check_protoport(const struct check_ctx *c)
{
	ip_protoport pp;
	err_t e = ttoprotoport(c->value, &pp);
	return e == NULL || bad(c, "%s (write PROTOCOL or PROTOCOL/PORT, e.g. tcp/smtp or 17/1701)", e);
}

static bool check_id(const struct check_ctx *c)
{
	ip_id *id = malloc(sizeof(*id));
	if (id == NULL)
		abort();
	err_t e = ttoid(c->value, id);
	free(id);
	return e == NULL || bad(c, "%s", e);
}

static bool check_rsakey(const struct check_ctx *c)
{
	static const char magic[] = "%none|%dnsondemand|%dnsonload|%dns|%cert";
	const char *v = c->value;
	if (in_list(magic, v, strlen(v)))
		return true;
	if (v[0] == '%')
		return bad(c, "unknown magic value (accepted: %%none, %%dnsondemand, %%dnsonload, %%dns, %%cert, or a 0s/0x key)");
	rsa_pubkey *k = malloc(sizeof(*k));
	if (k == NULL)
		abort();
	err_t e = ttorsapubkey(v, k);
	free(k);
	return e == NULL || bad(c, "%s", e);
}

static bool check_ca(const struct check_ctx *c)
{
	if (strcmp(c->value, "%same") == 0 || strcmp(c->value, "%any") == 0)
		return true;
	ip_id *id = malloc(sizeof(*id));
	if (id == NULL)
		abort();
	err_t e = ttoid(c->value, id);
	bool dn = e == NULL && id->kind == ID_DER_ASN1_DN;
	free(id);
	if (!dn)
		return bad(c, "expected a distinguished name such as \"C=CH, O=Example, CN=Example CA\", %%same or %%any");
	return true;
}

/* authby=: Openswan's secret, rsasig, secret|rsasig, never, and
 * libreswan's and strongSwan's spellings and lists (swan/authby.h); the
 * canonical form keeps what pluto uses. Methods Cygnet lacks are warned
 * about: dropped when the list holds one it has, kept (pluto will refuse
 * the conn) when not. */
static bool check_authby(const struct check_ctx *c)
{
	const char *v = c->value;
	if (strcasecmp(v, "secret|rsasig") == 0 || strcasecmp(v, "rsasig|secret") == 0 ||
	    in_list("secret|rsasig|never", v, strlen(v))) {
		canon_lower(c);
		return true;
	}
	struct authby a;
	err_t e = ttoauthby(v, &a);
	if (e != NULL)
		return bad(c, "%s", e);
	if (strstr(a.lacking, "xauth") != NULL)
		/* XAUTH is built, as its own keys, not as an authby= word */
		warn(c, "strongSwan's %s is not read here: write authby=%s with leftxauthclient=yes and "
		     "rightxauthserver=yes (or leftxauthserver=yes and rightxauthclient=yes)%s", a.lacking,
		     strstr(a.lacking, "rsasig") != NULL ? "rsasig" : "secret",
		     a.methods != 0 ? "" : "; pluto will refuse this conn");
	else if (a.lacking[0] != '\0' && a.methods != 0)
		warn(c, "%s not built; %s is used", a.lacking,
		     str_authby(&a, (char[128]){ 0 }, 128));
	else if (a.lacking[0] != '\0')
		warn(c, "%s not built: pluto will refuse this conn", a.lacking);
	if (a.methods == 0)
		return true;
	char canon[128];
	str_authby(&a, canon, sizeof(canon));
	if (strcmp(canon, v) != 0)
		*c->canon = arena_strdup(c->arena, canon);
	return true;
}

/* One warning naming every weak algorithm of the proposals. */
static void warn_weak(const struct check_ctx *c, const struct proposals *p)
{
	if (p->n_weak == 0)
		return;
	char text[512];
	size_t n = 0;
	for (unsigned i = 0; i < p->n_weak && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? "; " : "", p->weaks[i]);
	warn(c, "weak algorithm%s: %s", p->n_weak > 1 ? "s" : "", text);
}

static bool bad_proposals(const struct check_ctx *c, const char *err);

static bool check_proposals(const struct check_ctx *c, enum alg_proto proto)
{
	struct proposals *p = malloc(sizeof(*p));
	if (p == NULL)
		abort();
	char err[256];
	err_t e = ttoproposals(c->value, proto, p, err, sizeof(err));
	if (e == NULL)
		warn_weak(c, p);
	free(p);
	if (e != NULL)
		return bad_proposals(c, e);
	return true;
}

/* Openswan's strict flag, a '!' after the last proposal: proposals are
 * always strict here. The value is checked and used without it. */
static bool strip_strict(struct check_ctx *c)
{
	size_t len = strlen(c->value);
	if (len < 2 || c->value[len - 1] != '!')
		return false;
	warn(c, "the trailing '!' (strict mode) is obsolete: only the proposals listed are ever used; it is dropped");
	c->value = arena_strndup(c->arena, c->value, len - 1);
	*c->canon = c->value;
	return true;
}

/* ---- algorithms Cygnet knows of but has not built ------------------------
 * Other suites' proposals name them (chacha20poly1305, camellia256,
 * aes_xcbc, ecp384bp, ...). A proposal naming one is dropped with a
 * warning; only when none is left is the value refused. A name nobody
 * knows stays an error (with a did-you-mean). */

static const struct unbuilt {
	const char *name;
	bool prefix;        /* any token starting with it ("camellia256") */
	const char *what;
} unbuilt_algs[] = {
	{ "chacha20", true, "ChaCha20-Poly1305, RFC 7634" },
	{ "camellia", true, "Camellia, RFC 5529" },
	{ "blowfish", true, "Blowfish" },
	{ "twofish", true, "Twofish" },
	{ "serpent", true, "Serpent" },
	{ "cast", true, "CAST-128" },
	{ "idea", false, "IDEA" },
	{ "des", false, "single DES, insecure" },
	{ "1des", false, "single DES, insecure" },
	{ "des_cbc", false, "single DES, insecure" },
	{ "aes_xcbc", false, "AES-XCBC, RFC 3566" },
	{ "aesxcbc", false, "AES-XCBC, RFC 3566" },
	{ "aes_xcbc_96", false, "AES-XCBC, RFC 3566" },
	{ "prfaesxcbc", false, "the AES-XCBC PRF, RFC 4434" },
	{ "aes_cmac", false, "AES-CMAC, RFC 4494" },
	{ "aescmac", false, "AES-CMAC, RFC 4494" },
	{ "aes_cmac_96", false, "AES-CMAC, RFC 4494" },
	{ "prfaescmac", false, "the AES-CMAC PRF, RFC 4615" },
	{ "aes_gmac", true, "AES-GMAC, RFC 4543" },
	{ "null_auth_aes_gmac", true, "AES-GMAC, RFC 4543" },
	{ "aes128gmac", false, "AES-GMAC, RFC 4543" },
	{ "aes192gmac", false, "AES-GMAC, RFC 4543" },
	{ "aes256gmac", false, "AES-GMAC, RFC 4543" },
	{ "sha2_256_96", false, "HMAC-SHA2-256 truncated to 96 bits" },
	{ "sha256_96", false, "HMAC-SHA2-256 truncated to 96 bits" },
	{ "ripemd", true, "HMAC-RIPEMD-160" },
	{ "modp768", false, "MODP768, DH group 1, insecure" },
	{ "dh1", false, "MODP768, DH group 1, insecure" },
	{ "ecp192", false, "ECP192, DH group 25" },
	{ "dh25", false, "ECP192, DH group 25" },
	{ "ecp224", false, "ECP224, DH group 26" },
	{ "dh26", false, "ECP224, DH group 26" },
	{ "ecp224bp", false, "Brainpool ECP, DH groups 27-30" },
	{ "ecp256bp", false, "Brainpool ECP, DH groups 27-30" },
	{ "ecp384bp", false, "Brainpool ECP, DH groups 27-30" },
	{ "ecp512bp", false, "Brainpool ECP, DH groups 27-30" },
	{ "dh27", false, "Brainpool ECP, DH groups 27-30" },
	{ "dh28", false, "Brainpool ECP, DH groups 27-30" },
	{ "dh29", false, "Brainpool ECP, DH groups 27-30" },
	{ "dh30", false, "Brainpool ECP, DH groups 27-30" },
	{ "curve448", false, "Curve448, DH group 32" },
	{ "x448", false, "Curve448, DH group 32" },
	{ "dh32", false, "Curve448, DH group 32" },
	{ "mlkem", true, "ML-KEM, post-quantum key exchange" },
	{ "esn", false, "ESN, extended sequence numbers" },
};

static const struct unbuilt *unbuilt_alg(const char *tok, size_t len)
{
	for (size_t i = 0; i < sizeof(unbuilt_algs) / sizeof(unbuilt_algs[0]); i++) {
		const struct unbuilt *u = &unbuilt_algs[i];
		size_t n = strlen(u->name);
		if ((u->prefix ? len >= n : len == n) && strncasecmp(tok, u->name, n) == 0)
			return u;
	}
	return NULL;
}

/* Drops the proposals that name an unbuilt algorithm (and strongSwan's
 * "noesn", which asks for what pluto does anyway). c->value becomes what
 * is left; false (an error) when nothing is. */
static bool drop_unbuilt(struct check_ctx *c)
{
	const char *v = c->value;
	size_t vlen = strlen(v);
	/* the common case: nothing to drop, nothing to allocate */
	bool any = false;
	for (const char *t = v; *t && !any; t += *t != '\0') {
		size_t tlen = strcspn(t, "-;,");
		any = unbuilt_alg(t, tlen) != NULL ||
		      (tlen == 5 && strncasecmp(t, "noesn", 5) == 0);
		t += tlen;
	}
	if (!any)
		return true;
	char *kept = arena_alloc(c->arena, vlen + 1);
	char why[512];
	size_t nk = 0, nw = 0;
	unsigned dropped = 0, total = 0;
	bool changed = false;
	why[0] = '\0';
	for (const char *p = v; ; ) {
		size_t plen = strcspn(p, ",");
		const char *b = p, *e = p + plen;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		total++;
		/* the proposal's tokens, split at '-' and ';' */
		const struct unbuilt *u = NULL;
		const char *utok = NULL;
		size_t ulen = 0;
		bool noesn = false, esn_only = false;
		char *prop = arena_alloc(c->arena, (size_t)(e - b) + 1);
		size_t np = 0;
		for (const char *t = b; t < e && u == NULL;) {
			size_t tlen = 0;
			while (t + tlen < e && t[tlen] != '-' && t[tlen] != ';')
				tlen++;
			const struct unbuilt *x = unbuilt_alg(t, tlen);
			if (tlen == 5 && strncasecmp(t, "noesn", 5) == 0) {
				noesn = true;   /* left out of the proposal */
				changed = true;
			} else if (x != NULL && strcmp(x->name, "esn") == 0) {
				esn_only = true;   /* decided once all tokens are seen */
				utok = t;
				ulen = tlen;
				changed = true;
			} else {
				if (x != NULL) {
					u = x;
					utok = t;
					ulen = tlen;
				}
				if (np > 0)
					prop[np++] = t[-1];   /* '-' or ';' as written */
				memcpy(prop + np, t, tlen);
				np += tlen;
			}
			t += tlen;
			if (t < e)
				t++;
		}
		if (u == NULL && esn_only && !noesn)
			u = unbuilt_alg("esn", 3);
		if (u != NULL) {
			dropped++;
			if (nw < sizeof(why))
				nw += (size_t)snprintf(why + nw, sizeof(why) - nw,
						       "%s'%.*s' (%s) is not built in Cygnet: proposal '%.*s' dropped",
						       nw ? "; " : "", (int)ulen, utok, u->what,
						       (int)(e - b), b);
		} else if (np > 0) {
			if (nk > 0)
				kept[nk++] = ',';
			memcpy(kept + nk, prop, np);
			nk += np;
		} else {
			/* an empty proposal: the proposal parser says so */
			if (nk > 0)
				kept[nk++] = ',';
		}
		if (p[plen] == '\0')
			break;
		p += plen + 1;
	}
	kept[nk] = '\0';
	if (dropped == 0 && !changed)
		return true;
	if (dropped == total)
		return bad(c, "no proposal left: %s", why);
	if (dropped > 0)
		warn(c, "%s", why);
	if (c->shown == NULL)
		c->shown = c->value;
	c->value = kept;
	*c->canon = kept;
	return true;
}

/* "did you mean" for an unknown algorithm: the closest name or alias of
 * the table (or of the unbuilt ones); for a cipher with a key size glued
 * on ("aess256"), the closest cipher taking key sizes, the size kept. */
static const char *suggest_alg(const char *tok, size_t len, char *buf, size_t size)
{
	char word[48];
	if (len >= sizeof(word))
		return NULL;
	for (size_t i = 0; i < len; i++)
		word[i] = (char)(tok[i] >= 'A' && tok[i] <= 'Z' ? tok[i] - 'A' + 'a' : tok[i]);
	word[len] = '\0';
	size_t d = len;
	while (d > 0 && word[d - 1] >= '0' && word[d - 1] <= '9')
		d--;
	char stem[48];
	memcpy(stem, word, d);
	stem[d] = '\0';
	unsigned best_d = len <= 5 ? 2 : 3;   /* at most 1 edit, or 2 */
	bool stem_known = false;
	buf[0] = '\0';
	size_t n_unbuilt = sizeof(unbuilt_algs) / sizeof(unbuilt_algs[0]);
	for (size_t i = 0; i < alg_table_len + n_unbuilt; i++) {
		const struct alg_desc *a = i < alg_table_len ? &alg_table[i] : NULL;
		const char *names[2] = { a ? a->name : unbuilt_algs[i - alg_table_len].name,
					 a ? a->aliases : NULL };
		bool sized = a ? a->keylens[0] != 0 : unbuilt_algs[i - alg_table_len].prefix;
		for (int k = 0; k < 2; k++) {
			for (const char *w = names[k]; w != NULL && *w;) {
				size_t wl = strcspn(w, " ");
				char cand[48];
				if (wl < sizeof(cand)) {
					memcpy(cand, w, wl);
					cand[wl] = '\0';
					unsigned dist = keyword_distance(word, cand);
					if (dist > 0 && dist < best_d) {
						best_d = dist;
						snprintf(buf, size, "%s", cand);
					}
					if (sized && d > 0 && d < len) {
						dist = keyword_distance(stem, cand);
						if (dist == 0)
							stem_known = true;   /* a bad key size, not a bad name */
						else if (dist < best_d) {
							best_d = dist;
							snprintf(buf, size, "%s%s", cand, word + d);
						}
					}
				}
				w += wl;
				w += strspn(w, " ");
			}
		}
	}
	return buf[0] && !stem_known ? buf : NULL;
}

/* The proposal parser's message, with a did-you-mean when it is about an
 * unknown name. */
static bool bad_proposals(const struct check_ctx *c, const char *err)
{
	const char *q1 = strncmp(err, "unknown ", 8) == 0 ? strchr(err, '\'') : NULL;
	const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	char hint[64];
	if (q2 != NULL && suggest_alg(q1 + 1, (size_t)(q2 - q1 - 1), hint, sizeof(hint)) != NULL)
		return bad(c, "%s (did you mean '%s'?)", err, hint);
	return bad(c, "%s", err);
}

static bool check_ike(const struct check_ctx *c)
{
	struct check_ctx s = *c;
	strip_strict(&s);
	return drop_unbuilt(&s) && check_proposals(&s, ALG_FOR_IKE);
}

static bool check_ah(const struct check_ctx *c)
{
	struct check_ctx s = *c;
	strip_strict(&s);
	return drop_unbuilt(&s) && check_proposals(&s, ALG_FOR_AH);
}

/* phase2alg= is ESP or AH depending on phase2=; the conn check decides
 * which, here either form is accepted. */
static bool check_phase2alg(const struct check_ctx *oc)
{
	struct check_ctx s = *oc;
	const struct check_ctx *c = &s;
	strip_strict(&s);
	if (!drop_unbuilt(&s))
		return false;
	struct proposals *p = malloc(sizeof(*p));
	if (p == NULL)
		abort();
	char err[256], err2[256];
	bool ok = ttoproposals(c->value, ALG_FOR_ESP, p, err, sizeof(err)) == NULL ||
		  ttoproposals(c->value, ALG_FOR_AH, p, err2, sizeof(err2)) == NULL;
	if (ok)
		warn_weak(c, p);
	free(p);
	if (!ok)
		return bad_proposals(c, err);
	return true;
}

/* none, all, or names from kw->values separated by white space (or
 * commas, as pluto --debug takes them). */
static bool check_debug(const struct check_ctx *c)
{
	const char *p = c->value;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *q = p;
		while (*q && *q != ' ' && *q != '\t' && *q != ',')
			q++;
		if (q == p)
			break;
		const char *w = p;
		size_t len = (size_t)(q - p);
		if (len > 8 && strncmp(w, "--debug-", 8) == 0) {
			w += 8;
			len -= 8;
		}
		const char *ours;
		/* libreswan's names: confread.c maps them when the whole value is known */
		bool libreswan = strcmp(c->kw->name, "plutodebug") == 0 &&
				 keyword_libreswan_debug(w, len, &ours);
		if (!libreswan && !in_list(c->kw->values, w, len)) {
			char buf[512];
			const char *hint = keyword_debug_suggest(c->kw, w, len);
			if (hint != NULL)
				return bad(c, "unknown debug name '%.*s' (did you mean '%s'?)",
					   (int)(q - p), p, hint);
			return bad(c, "unknown debug name '%.*s' (accepted: %s)", (int)(q - p), p,
				   list_of(c->kw->values, buf, sizeof(buf)));
		}
		p = q;
	}
	return true;
}

static bool check_syslog(const struct check_ctx *c)
{
	static const char facilities[] = "auth|authpriv|cron|daemon|kern|lpr|mail|news|"
		"syslog|user|uucp|local0|local1|local2|local3|local4|local5|local6|local7";
	static const char priorities[] = "emerg|alert|crit|err|error|warning|warn|notice|info|debug";
	const char *dot = strchr(c->value, '.');
	size_t flen = dot ? (size_t)(dot - c->value) : strlen(c->value);
	if (!in_list(facilities, c->value, flen))
		return bad(c, "unknown syslog facility (write FACILITY.PRIORITY, e.g. daemon.error)");
	if (dot != NULL && !in_list(priorities, dot + 1, strlen(dot + 1)))
		return bad(c, "unknown syslog priority (accepted: emerg, alert, crit, err, warning, notice, info, debug)");
	return true;
}

/* %none, %defaultroute, or "VIRT=PHYS ..." pairs (one may be %defaultroute). */
static bool check_interfaces(const struct check_ctx *c)
{
	const char *p = c->value;
	unsigned n = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *q = p;
		while (*q && *q != ' ' && *q != '\t')
			q++;
		if (q == p)
			break;
		size_t len = (size_t)(q - p);
		bool magic = (len == 5 && strncmp(p, "%none", 5) == 0) ||
			     (len == 13 && strncmp(p, "%defaultroute", 13) == 0);
		const char *eq = memchr(p, '=', len);
		if (!magic && (eq == NULL || eq == p || eq == q - 1))
			return bad(c, "expected %%none, %%defaultroute or VIRTUAL=PHYSICAL pairs such as ipsec0=eth0");
		p = q;
		n++;
	}
	return n > 0 || bad(c, "empty");
}

static bool check_virtual_private_value(const struct check_ctx *c)
{
	err_t e = check_virtual_private(c->value);
	return e == NULL || bad(c, "%s", e);
}

static bool check_any(const struct check_ctx *c)
{
	(void)c;
	return true;
}

/* One checker per value type. */
static bool (*const checkers[])(const struct check_ctx *) = {
	[KT_STRING] = check_any,
	[KT_PATH] = check_any,
	[KT_OBSOLETE] = check_any,
	[KT_ENUM] = check_enum,
	[KT_BOOL] = check_bool,
	[KT_INT] = check_int,
	[KT_TIME] = check_time,
	[KT_PERCENT] = check_percent,
	[KT_KEYINGTRIES] = check_keyingtries,
	[KT_HOST] = check_host,
	[KT_NEXTHOP] = check_nexthop,
	[KT_ADDRESS] = check_address,
	[KT_SUBNET] = check_subnet,
	[KT_SUBNETS] = check_subnets,
	[KT_PROTOPORT] = check_protoport,
	[KT_ID] = check_id,
	[KT_RSAKEY] = check_rsakey,
	[KT_CA] = check_ca,
	[KT_AUTHBY] = check_authby,
	[KT_IKE] = check_ike,
	[KT_AH] = check_ah,
	[KT_PHASE2ALG] = check_phase2alg,
	[KT_DEBUG] = check_debug,
	[KT_SYSLOG] = check_syslog,
	[KT_INTERFACES] = check_interfaces,
	[KT_VIRTUAL_PRIVATE] = check_virtual_private_value,
	[KT_SOURCEIP] = check_sourceip,
};

/* ---- the cache of values that passed cleanly ---------------------------- */

static size_t cache_hash(const struct keyword *kw, const char *value)
{
	size_t h = (size_t)(uintptr_t)kw * 0x9e3779b97f4a7c15u;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

static bool cache_has(const struct value_cache *vc, const struct keyword *kw, const char *value)
{
	if (vc->v == NULL)
		return false;
	for (size_t i = cache_hash(kw, value) & vc->mask; vc->v[i].value != NULL; i = (i + 1) & vc->mask)
		if (vc->v[i].kw == kw && strcmp(vc->v[i].value, value) == 0)
			return true;
	return false;
}

static void cache_put(struct value_cache *vc, const struct keyword *kw, const char *value)
{
	if (vc->v == NULL || 2 * (vc->n + 1) > vc->mask + 1) {
		size_t cap = vc->v ? 2 * (vc->mask + 1) : 256;
		struct value_cache_entry *old = vc->v;
		size_t old_cap = vc->v ? vc->mask + 1 : 0;
		vc->v = calloc(cap, sizeof(*vc->v));
		if (vc->v == NULL)
			abort();
		vc->mask = cap - 1;
		vc->n = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].value != NULL)
				cache_put(vc, old[i].kw, old[i].value);
		free(old);
	}
	size_t i = cache_hash(kw, value) & vc->mask;
	while (vc->v[i].value != NULL)
		i = (i + 1) & vc->mask;
	vc->v[i] = (struct value_cache_entry){ kw, value };
	vc->n++;
}

void value_cache_free(struct value_cache *cache)
{
	free(cache->v);
	*cache = (struct value_cache){0};
}

bool check_value(const struct keyword *kw, const char *key, const char *value,
		 const struct conf_loc *loc, struct diags *d, struct arena *arena,
		 struct value_cache *cache, const char **canon)
{
	*canon = value;
	if (cache->v != NULL && cache_has(cache, kw, value))
		return true;
	struct check_ctx c = { kw, key, value, loc, d, arena, canon, NULL };
	size_t before = d->n;
	bool ok = checkers[kw->type](&c);
	/* only the costly checks are worth remembering; values are arena
	 * strings that live as long as the cache */
	bool costly = kw->type == KT_IKE || kw->type == KT_PHASE2ALG || kw->type == KT_AH ||
		      kw->type == KT_RSAKEY || kw->type == KT_CA;
	if (costly && ok && d->n == before && *canon == value && *canon != NULL)
		cache_put(cache, kw, value);
	return ok;
}
