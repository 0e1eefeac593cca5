/* The settings of a rule that all its conns share: type, authentication,
 * main mode, quick mode, PFS and auto=. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"
#include "swan/id.h"

static void put(struct conn_template *t, const char *key, const char *value, struct where at)
{
	if (t->n < sizeof(t->kv) / sizeof(t->kv[0]))
		t->kv[t->n++] = (struct ckv){ key, xstrdup(value), at };
}

void template_free(struct conn_template *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->kv[i].value);
	t->n = 0;
}

/* The embedded quote marks of netsh: \' (also the typographic \’ of
 * pasted help text) and \"; returns the length of the mark at p, or 0. */
static size_t quote_mark(const char *p)
{
	if (p[0] != '\\')
		return 0;
	if (p[1] == '\'' || p[1] == '"')
		return 2;
	return strncmp(p + 1, "\xe2\x80\x99", 3) == 0 ? 4 : 0;
}

/* A quote mark that closes a quoted RDN value: blanks, then ',', '+' or
 * the end follow. */
static bool closes_value(const char *p)
{
	p += quote_mark(p);
	while (*p == ' ')
		p++;
	return *p == '\0' || *p == ',' || *p == '+';
}

/* rootca="DN certmap:yes excludecaname:no": the DN with its options cut
 * off, kept as written except that an RDN value quoted with \' ... \'
 * (netsh's way to put a quoted value inside the quoted argument) has its
 * separators backslash-escaped (ipsec.conf values never hold a double
 * quote). A quote mark inside a value cannot be carried as Windows reads
 * it (a double quote): it is kept as an apostrophe, with a warning. */
static char *rootca_dn(struct mapper *m, const struct rule_spec *rs, const char *text)
{
	char *s = xstrdup(text);
	for (;;) {
		char *sp = strrchr(s, ' ');
		const char *opt = sp ? sp + 1 : NULL;
		if (opt == NULL || (strncasecmp(opt, "certmap:", 8) != 0 &&
				    strncasecmp(opt, "excludecaname:", 14) != 0))
			break;
		if (strncasecmp(opt, "certmap:y", 9) == 0)
			map_msg(m, DIAG_WARNING, rs->rule_at, "certmap:yes (certificate-to-account "
				"mapping) has no equivalent");
		*sp = '\0';
	}
	struct sbuf b = {0};
	bool lone = false, value_start = false;
	for (const char *p = s; *p;) {
		size_t q = quote_mark(p);
		if (q > 0 && value_start) {
			/* a quoted value: up to the closing mark */
			const char *e = p + q;
			while (*e && !(quote_mark(e) && closes_value(e)))
				e++;
			if (*e != '\0') {
				for (const char *v = p + q; v < e; v++) {
					size_t iq = quote_mark(v);
					if (iq > 0) {
						sb_putc(&b, '\'');
						lone = true;
						v += iq - 1;
						continue;
					}
					if (*v == ',' || *v == '+' || *v == ';' || *v == '\\')
						sb_putc(&b, '\\');
					sb_putc(&b, *v);
				}
				p = e + quote_mark(e);
				value_start = false;
				continue;
			}
		}
		if (q > 0) {
			sb_putc(&b, '\'');
			lone = true;
			p += q;
			value_start = false;
			continue;
		}
		if (*p == '=')
			value_start = true;
		else if (*p != ' ')
			value_start = false;
		sb_putc(&b, *p++);
	}
	if (lone)
		map_msg(m, DIAG_WARNING, rs->auth->at, "rootca=\"%s\": a quote mark inside a value "
			"(a double quote for Windows) cannot be carried; written as an apostrophe: "
			"check rightca=", text);
	free(s);
	return b.s ? b.s : xstrdup("");
}

static bool map_rootca(struct mapper *m, const struct rule_spec *rs, const char *text,
		       struct conn_template *t)
{
	char *dn = rootca_dn(m, rs, text);
	ip_id id;
	if (strchr(dn, '"') != NULL || ttoid(dn, &id) != NULL || id.kind != ID_DER_ASN1_DN) {
		map_msg(m, DIAG_ERROR, rs->auth->at, "rootca=\"%s\" is not a distinguished name that "
			"ipsec.conf can hold", text);
		free(dn);
		return false;
	}
	put(t, "authby", "rsasig", rs->auth->at);
	put(t, "leftsendcert", "always", rs->auth->at);
	put(t, "rightca", dn, rs->auth->at);
	/* the peer's ID is the subject of its certificate (Windows sends its
	 * DN), which must verify up to rightca= */
	put(t, "rightid", "%fromcert", rs->auth->at);
	const char *cert = m->o->cert;
	if (cert != NULL) {
		struct where cli = { "--cert", 0 };
		put(t, "leftcert", cert, cli);
		put(t, "leftid", "%fromcert", cli);
	}
	/* once per policy: which certificate its conns need */
	const char *policy = rs->parts[0];
	char *key = xasprintf("%c%s", rs->dynamic ? 'd' : 's', policy);   /* a policy may be "dyn" */
	if (strmap_get(&m->cert_told, key) == NULL) {
		strmap_put(&m->cert_told, key, (void *)1);
		char *who = rs->dynamic ? xstrdup("dynamic rules") : xasprintf("policy '%s'", policy);
		if (cert != NULL)
			map_note(m, rs->auth->at, "%s: certificate authentication with this host's "
				 "certificate '%s' (leftcert=) from the NSS database: import it with "
				 "`ipsec import host.p12`, check with `ipsec listcerts`", who, cert);
		else
			map_msg(m, DIAG_WARNING, rs->auth->at, "%s: certificate authentication needs "
				"this host's certificate: give --cert NICKNAME (its nickname in the NSS "
				"database after `ipsec import host.p12`, see `ipsec listcerts`); without it "
				"the conns have no leftcert= and cannot come up", who);
		free(who);
	}
	free(key);
	free(dn);
	return true;
}

/* Authentication: Kerberos has no equivalent; the first other method
 * wins (Openswan takes one authby= per conn). */
static bool map_auth(struct mapper *m, const struct rule_spec *rs, struct conn_template *t)
{
	const struct nauths *a = rs->auth;
	const struct nauth *first = NULL;
	size_t usable = 0;
	bool kerberos = !a->given;   /* no method given: Windows uses Kerberos */
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].kind == AUTH_KERBEROS)
			kerberos = true;
		else if (usable++ == 0)
			first = &a->v[i];
	}
	if (first == NULL) {
		map_msg(m, DIAG_ERROR, a->at, "%s: Kerberos V5 authentication%s has no Openswan "
			"equivalent; give psk= or rootca=", rs->label, a->given ? "" : " (the default)");
		return false;
	}
	if (kerberos)
		map_msg(m, DIAG_WARNING, a->at, "%s: Kerberos V5 dropped (no Openswan equivalent)", rs->label);
	if (usable > 1)
		map_msg(m, DIAG_WARNING, a->at, "%s: several authentication methods: only the first "
			"(%s) is kept", rs->label, first->kind == AUTH_PSK ? "psk" : "rootca");
	if (first->kind == AUTH_ROOTCA)
		return map_rootca(m, rs, first->text, t);
	put(t, "authby", "secret", a->at);
	t->psk = first->text;
	return true;
}

static const char *pfs_group(struct mapper *m, const struct rule_spec *rs, bool *ok)
{
	switch (rs->pfsgroup) {
	case PFS_GRP1:
		map_msg(m, DIAG_ERROR, rs->qmsec_at, "pfsgroup=grp1 (768 bits) is not supported");
		*ok = false;
		return NULL;
	case PFS_GRP2:
		return "modp1024";
	case PFS_GRP3:
		return "modp2048";
	default:
		return NULL;
	}
}

static bool negotiate(struct mapper *m, const struct rule_spec *rs, struct conn_template *t)
{
	bool ok = map_auth(m, rs, t);
	/* netsh ipsec policies are IKEv1 (Main Mode, Quick Mode) on Windows:
	 * the conn says so rather than rely on the default */
	put(t, "ikev2", "never", rs->action_at);
	struct sbuf ike = {0};
	if (map_ike(m, rs->mmsec, rs->mmsec_at, &ike))
		put(t, "ike", sb_str(&ike), rs->mmsec_at);
	else
		ok = false;
	sb_free(&ike);
	long min = rs->mmlifetime;
	if (min > 1440) {
		map_msg(m, DIAG_WARNING, rs->mmlifetime_at, "mmlifetime=%ld minutes is longer than "
			"the 24h maximum: 24h used", min);
		min = 1440;
	}
	char buf[64];
	snprintf(buf, sizeof(buf), "%ldm", min > 0 ? min : 480);
	put(t, "ikelifetime", buf, rs->mmlifetime_at);
	const char *dh = pfs_group(m, rs, &ok);
	if (dh != NULL)
		map_msg(m, DIAG_WARNING, rs->qmsec_at, "PFS group %s: every phase2alg offer carries it",
			dh);
	struct phase2 p2 = {0};
	if (map_phase2(m, rs->qmsec, rs->qmsec_at, dh, &p2)) {
		put(t, "phase2", p2.proto, rs->qmsec_at);
		put(t, "phase2alg", sb_str(&p2.alg), rs->qmsec_at);
		snprintf(buf, sizeof(buf), "%llus", (unsigned long long)p2.seconds);
		put(t, "salifetime", buf, rs->qmsec_at);
	} else
		ok = false;
	sb_free(&p2.alg);
	bool pfs = rs->dynamic ? rs->pfsgroup != PFS_NONE : rs->qmpfs;
	put(t, "pfs", pfs ? "yes" : "no", rs->qmsec_at);
	if (rs->soft) {
		put(t, "failureshunt", "passthrough", rs->action_at);
		map_msg(m, DIAG_WARNING, rs->action_at, "soft=yes: failureshunt=passthrough lets "
			"traffic pass in clear when negotiation fails, for the whole conn");
	}
	if (rs->inpass)
		map_msg(m, DIAG_WARNING, rs->action_at, "inpass=yes (accept clear, answer secured) "
			"has no Openswan equivalent");
	return ok;
}

bool build_template(struct mapper *m, const struct rule_spec *rs, struct conn_template *t)
{
	*t = (struct conn_template){ .ok = true };
	const char *type = rs->action == ACT_PERMIT ? "passthrough"
			 : rs->action == ACT_BLOCK ? "drop" : rs->tunnel ? "tunnel" : "transport";
	put(t, "type", type, rs->tunnel ? rs->rule_at : rs->action_at);
	if (rs->action == ACT_BLOCK) {
		put(t, "authby", "never", rs->action_at);
		map_msg(m, DIAG_WARNING, rs->rule_at, "%s: block becomes type=drop; Openswan drops "
			"outbound packets only, so inbound blocking needs the firewall too", rs->label);
	} else if (rs->action == ACT_PERMIT) {
		put(t, "authby", "never", rs->action_at);
		map_note(m, rs->rule_at, "%s: permit becomes type=passthrough", rs->label);
	} else
		t->ok = negotiate(m, rs, t);
	put(t, "auto", rs->active ? "route" : "ignore", rs->auto_at);
	return t->ok;
}
