/* portproxy entries to rinetd rules. rinetd relays TCP between any two
 * address families from one config file, like the IP Helper service;
 * nftables DNAT cannot translate between families and keeps the client's
 * address, so it is not used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netsh/map.h"

static const char *bind_default(enum pp_kind k)
{
	return k == PP_V4TOV4 || k == PP_V4TOV6 ? "0.0.0.0" : "::";
}

static const char *connect_default(enum pp_kind k)
{
	return k == PP_V4TOV4 || k == PP_V6TOV4 ? "127.0.0.1" : "::1";
}

static char *norm_address(const char *s)
{
	ip_address a;
	char buf[ADDRESS_BUF];
	if (ttoaddress_num(s, strlen(s), IP_UNSET, &a) == NULL)
		return xstrdup(str_address(&a, buf));
	return xstrdup(s);
}

void map_portproxy(struct mapper *m, const struct portproxy_store *pp)
{
	struct strmap binds = {0};
	m->out->portproxy = pp->used;
	for (size_t i = 0; i < pp->n; i++) {
		const struct ppentry *e = pp->v[i];
		char *baddr = norm_address(e->laddr ? e->laddr : bind_default(e->kind));
		char *key = xasprintf("%s %u", baddr, e->lport);
		const struct ppentry *other = strmap_get(&binds, key);
		if (other != NULL) {
			map_msg(m, DIAG_ERROR, e->at, "%s on %s port %u binds the same Linux socket as "
				"the %s entry of line %u: not relayed", pp_kind_names[e->kind], baddr,
				e->lport, pp_kind_names[other->kind], other->at.line);
			free(key);
			free(baddr);
			continue;
		}
		strmap_put(&binds, key, (void *)e);
		free(key);
		if (e->laddr && !strchr(e->laddr, '.') && !strchr(e->laddr, ':'))
			map_msg(m, DIAG_WARNING, e->at, "listen host name %s is resolved by rinetd on "
				"Linux", e->laddr);
		if (e->caddr && is_dns_name(e->caddr) && !strchr(e->caddr, ':'))
			map_msg(m, DIAG_WARNING, e->at, "connect host name %s is resolved by rinetd on "
				"Linux, not as Windows resolved it", e->caddr);
		struct nrelay r = {
			.baddr = baddr, .bport = e->lport,
			.caddr = norm_address(e->caddr ? e->caddr : connect_default(e->kind)),
			.cport = e->cport, .at = e->at,
			.comment = xasprintf("%s listenport=%u%s%s", pp_kind_names[e->kind], e->lport,
					     e->laddr ? " listenaddress=" : "", e->laddr ? e->laddr : ""),
		};
		VEC_PUSH(m->out->relays, m->out->nrelays, m->out->caprelays, r);
	}
	strmap_clear(&binds);
}
