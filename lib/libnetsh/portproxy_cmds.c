/* netsh interface portproxy: four tables keyed by (listen address, listen
 * port). "add" on an existing key replaces it (scripts re-run "add" with a
 * new connect address, e.g. for WSL), "set" adds or modifies, "delete"
 * removes by key, "reset" clears every table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/replay.h"
#include "netsh/util.h"
#include "swan/protoport.h"

static enum pp_kind kind_of(const struct ncmd *c)
{
	for (int i = 0; i < PP_KINDS; i++)
		if (strcmp(c->def->object, pp_kind_names[i]) == 0)
			return (enum pp_kind)i;
	return PP_V4TOV4;
}

static enum ip_family listen_family(enum pp_kind k)
{
	return k == PP_V4TOV4 || k == PP_V4TOV6 ? IP_V4 : IP_V6;
}

static enum ip_family connect_family(enum pp_kind k)
{
	return k == PP_V4TOV4 || k == PP_V6TOV4 ? IP_V4 : IP_V6;
}

/* A port number or a service name from /etc/services (netsh accepts both). */
static bool pp_port(struct replay *r, const struct ncmd *c, const char *tag, uint16_t *out)
{
	const char *v = arg(c, tag);
	if (v != NULL && parse_nport(v, out) == NULL && *out != 0)
		return true;
	int p = v ? port_by_name(v, "tcp") : -1;
	if (p > 0) {
		*out = (uint16_t)p;
		return true;
	}
	cmd_error(r, c, "%s=%s is not a port number 1..65535 or a TCP service name", tag, v ? v : "");
	return false;
}

/* An address of the family the table says, or a host name. */
static bool pp_address(struct replay *r, const struct ncmd *c, const char *tag,
		       enum ip_family af, bool listen)
{
	const char *v = arg(c, tag);
	if (v == NULL || (listen && strcmp(v, "*") == 0))
		return true;
	ip_address a;
	if (ttoaddress_num(v, strlen(v), IP_UNSET, &a) == NULL) {
		if (a.family != af) {
			cmd_error(r, c, "%s=%s is an IPv%d address, but %s takes IPv%d", tag, v,
				  a.family, c->def->object, af);
			return false;
		}
		if (a.family == IP_V6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) {
			cmd_error(r, c, "%s=%s is a link-local address without a %%zone: it needs an "
				  "interface on Linux", tag, v);
			return false;
		}
		return true;
	}
	if (strcmp(v, "*") == 0 || !is_dns_name(v)) {
		cmd_error(r, c, "%s=%s is not an IPv%d address or host name", tag, v, af);
		return false;
	}
	return true;
}

static bool pp_protocol(struct replay *r, const struct ncmd *c)
{
	const char *p = arg(c, "protocol");
	if (p == NULL || ieq(p, "tcp"))
		return true;
	cmd_error(r, c, "protocol=%s: portproxy relays TCP only", p);
	return false;
}

static char *pp_key(enum pp_kind k, const char *laddr, uint16_t port)
{
	char buf[ADDRESS_BUF];
	ip_address a;
	const char *norm = laddr == NULL ? "*" : laddr;
	if (laddr && ttoaddress_num(laddr, strlen(laddr), IP_UNSET, &a) == NULL)
		norm = str_address(&a, buf);
	return xasprintf("%s %s %u", pp_kind_names[k], norm, port);
}

static const char *listen_arg(const struct ncmd *c)
{
	const char *l = arg(c, "listenaddress");
	return l && strcmp(l, "*") != 0 ? l : NULL;
}

static bool pp_check(struct replay *r, const struct ncmd *c, enum pp_kind k, uint16_t *lport)
{
	return pp_protocol(r, c) && pp_port(r, c, "listenport", lport) &&
	       pp_address(r, c, "listenaddress", listen_family(k), true) &&
	       pp_address(r, c, "connectaddress", connect_family(k), false) &&
	       (arg(c, "connectport") == NULL || pp_port(r, c, "connectport", &(uint16_t){0}));
}

static void pp_update(const struct ncmd *c, struct ppentry *e)
{
	const char *ca = arg(c, "connectaddress");
	if (ca != NULL) {
		free(e->caddr);
		e->caddr = xstrdup(ca);
	}
	const char *cp = arg(c, "connectport");
	if (cp != NULL) {
		int p = atoi(cp) > 0 ? atoi(cp) : port_by_name(cp, "tcp");
		e->cport = (uint16_t)p;
	}
	e->at = cmd_where(c);
}

/* A note naming the line of an entry that command c changes or removes. */
static void note_entry(struct replay *r, const struct ncmd *c, const char *verb,
		       const struct ppentry *e)
{
	char what[64];
	snprintf(what, sizeof(what), "the %s entry for port %u", pp_kind_names[e->kind], e->lport);
	cmd_removes(r, c, verb, what, NULL, e->at);
}

static void pp_upsert(struct replay *r, const struct ncmd *c, bool add)
{
	enum pp_kind k = kind_of(c);
	uint16_t lport;
	r->pp.used = true;
	if (!pp_check(r, c, k, &lport))
		return;
	const char *laddr = listen_arg(c);
	char *key = pp_key(k, laddr, lport);
	struct ppentry *e = strmap_get(&r->pp.by_key, key);
	if (e != NULL && add)
		cmd_warning(r, c, "replaces the %s entry for port %u of line %u", pp_kind_names[k],
			    lport, e->at.line);
	else if (e != NULL)   /* set on an existing key changes it */
		note_entry(r, c, "changes", e);
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		*e = (struct ppentry){ .kind = k, .laddr = laddr ? xstrdup(laddr) : NULL,
				       .lport = lport, .cport = lport };
		VEC_PUSH(r->pp.v, r->pp.n, r->pp.cap, e);
		strmap_put(&r->pp.by_key, key, e);
	} else if (add) {   /* add replaces the whole entry: defaults again */
		free(e->caddr);
		e->caddr = NULL;
		e->cport = lport;
	}
	pp_update(c, e);
	free(key);
}

HANDLER(pp_add)
{
	pp_upsert(r, c, true);
}

HANDLER(pp_set)
{
	pp_upsert(r, c, false);
}

HANDLER(pp_delete)
{
	enum pp_kind k = kind_of(c);
	uint16_t lport;
	r->pp.used = true;
	if (!pp_protocol(r, c) || !pp_port(r, c, "listenport", &lport) ||
	    !pp_address(r, c, "listenaddress", listen_family(k), true))
		return;
	char *key = pp_key(k, listen_arg(c), lport);
	struct ppentry *e = strmap_get(&r->pp.by_key, key);
	if (e == NULL)
		cmd_warning(r, c, "no %s entry listens on %s port %u", pp_kind_names[k],
			    listen_arg(c) ? listen_arg(c) : "*", lport);
	else {
		note_entry(r, c, "removes", e);
		strmap_del(&r->pp.by_key, key);
		ptr_remove((void **)r->pp.v, &r->pp.n, e);
		ppentry_free(e);
	}
	free(key);
}

HANDLER(pp_reset)
{
	if (r->pp.n == 0)
		cmd_note(r, c, "no portproxy entries: nothing to reset");
	for (size_t i = 0; i < r->pp.n; i++)
		note_entry(r, c, "removes", r->pp.v[i]);
	portproxy_store_free(&r->pp);
	r->pp.used = true;
	r->pp.reset_at = cmd_where(c);
}
