/* The updown environment: ONE table of the PLUTO_* variables, their
 * descriptions and how each value is computed. updown.c builds the
 * environment from it; updown_doc() prints it as the documentation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/updown.h"

static const char *nz(const char *s)
{
	return s == NULL ? "" : s;
}

static void put(char *buf, size_t size, const char *s)
{
	snprintf(buf, size, "%s", nz(s));
}

static void put_addr(char *buf, size_t size, const ip_address *a)
{
	char t[ADDRESS_BUF];
	put(buf, size, a->family == IP_UNSET ? "" : str_address(a, t));
}

static void put_uint(char *buf, size_t size, unsigned v)
{
	snprintf(buf, size, "%u", v);
}

static void put_uint_or_empty(char *buf, size_t size, unsigned v)
{
	if (v == 0)
		put(buf, size, "");
	else
		put_uint(buf, size, v);
}

ip_subnet updown_my_client(const struct updown_ctx *c)
{
	return c->my_client.addr.family != IP_UNSET ? c->my_client : subnet_from_address(&c->me);
}

ip_subnet updown_peer_client(const struct updown_ctx *c)
{
	return c->peer_client.addr.family != IP_UNSET ? c->peer_client : subnet_from_address(&c->peer);
}

const char *updown_verb_name(enum updown_verb verb, const struct updown_ctx *c, char *buf, size_t size)
{
	static const char *const base[] = {
		[UPDOWN_PREPARE] = "prepare", [UPDOWN_ROUTE] = "route", [UPDOWN_UNROUTE] = "unroute",
		[UPDOWN_UP] = "up", [UPDOWN_DOWN] = "down",
	};
	const char *b = (unsigned)verb < sizeof(base) / sizeof(base[0]) ? base[verb] : "unknown";
	ip_subnet mine = updown_my_client(c);
	bool host = mine.addr.family == c->me.family && mine.prefix == address_bits(mine.addr.family) &&
		    address_eq(&mine.addr, &c->me);
	snprintf(buf, size, "%s-%s%s", b, host ? "host" : "client", mine.addr.family == IP_V6 ? "-v6" : "");
	return buf;
}

/* ---- one function per variable ------------------------------------------- */

static void v_verb(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	updown_verb_name(v, c, buf, size);
}

static void v_version(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, UPDOWN_VERSION);
}

static void v_connection(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->connection);
}

static void v_interface(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->interface);
}

static void v_next_hop(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_addr(buf, size, c->next_hop.family != IP_UNSET ? &c->next_hop : &c->peer);
}

static void v_me(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_addr(buf, size, &c->me);
}

static void v_my_id(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->my_id);
}

static void put_client(char *buf, size_t size, ip_subnet s)
{
	char t[SUBNET_BUF];
	put(buf, size, s.addr.family == IP_UNSET ? "" : str_subnet(&s, t));
}

static void put_client_net(char *buf, size_t size, ip_subnet s)
{
	put_addr(buf, size, &s.addr);
}

static void put_client_mask(char *buf, size_t size, ip_subnet s)
{
	if (s.addr.family == IP_UNSET) {
		put(buf, size, "");
		return;
	}
	ip_address m = prefix_mask(s.addr.family, s.prefix);
	put_addr(buf, size, &m);
}

static void v_my_client(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client(buf, size, updown_my_client(c));
}

static void v_my_client_net(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client_net(buf, size, updown_my_client(c));
}

static void v_my_client_mask(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client_mask(buf, size, updown_my_client(c));
}

static void v_my_port(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint(buf, size, c->my_port);
}

static void v_my_protocol(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint(buf, size, c->my_protocol);
}

static void v_peer(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_addr(buf, size, &c->peer);
}

static void v_peer_id(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->peer_id);
}

static void v_peer_client(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client(buf, size, updown_peer_client(c));
}

static void v_peer_client_net(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client_net(buf, size, updown_peer_client(c));
}

static void v_peer_client_mask(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_client_mask(buf, size, updown_peer_client(c));
}

static void v_peer_port(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint(buf, size, c->peer_port);
}

static void v_peer_protocol(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint(buf, size, c->peer_protocol);
}

static void v_peer_ca(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->peer_ca);
}

static void v_stack(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->stack != NULL ? c->stack : "netkey");
}

static void v_metric(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint_or_empty(buf, size, c->metric);
}

static void v_mtu(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_uint_or_empty(buf, size, c->mtu);
}

static void v_conn_policy(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->policy);
}

static void v_addrfamily(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put(buf, size, c->me.family == IP_V6 ? "ipv6" : c->me.family == IP_V4 ? "ipv4" : "");
}

static void v_my_sourceip(const struct updown_ctx *c, enum updown_verb v, char *buf, size_t size)
{
	put_addr(buf, size, &c->my_sourceip);
}

/* ---- the table ------------------------------------------------------------ */

const struct updown_var updown_vars[] = {
	{ "PLUTO_VERB", "prepare|route|unroute|up|down, + -host (no client subnet) or -client, + -v6", v_verb },
	{ "PLUTO_VERSION", "version of this interface: " UPDOWN_VERSION, v_version },
	{ "PLUTO_CONNECTION", "name of the conn", v_connection },
	{ "PLUTO_INTERFACE", "network interface the peer is reached through", v_interface },
	{ "PLUTO_NEXT_HOP", "next hop towards the peer (the peer itself when on the same link)", v_next_hop },
	{ "PLUTO_ME", "this host's IKE/IPsec address", v_me },
	{ "PLUTO_MY_ID", "this host's IKE identity", v_my_id },
	{ "PLUTO_MY_CLIENT", "subnet behind this host, NET/PREFIX (host alone: ADDR/32 or /128)", v_my_client },
	{ "PLUTO_MY_CLIENT_NET", "network address of PLUTO_MY_CLIENT", v_my_client_net },
	{ "PLUTO_MY_CLIENT_MASK", "netmask of PLUTO_MY_CLIENT, as an address", v_my_client_mask },
	{ "PLUTO_MY_PORT", "port of leftprotoport= (0: any)", v_my_port },
	{ "PLUTO_MY_PROTOCOL", "protocol number of leftprotoport= (0: any)", v_my_protocol },
	{ "PLUTO_PEER", "the peer's IKE/IPsec address", v_peer },
	{ "PLUTO_PEER_ID", "the peer's IKE identity", v_peer_id },
	{ "PLUTO_PEER_CLIENT", "subnet behind the peer, NET/PREFIX (peer alone: ADDR/32 or /128)", v_peer_client },
	{ "PLUTO_PEER_CLIENT_NET", "network address of PLUTO_PEER_CLIENT", v_peer_client_net },
	{ "PLUTO_PEER_CLIENT_MASK", "netmask of PLUTO_PEER_CLIENT, as an address", v_peer_client_mask },
	{ "PLUTO_PEER_PORT", "port of rightprotoport= (0: any)", v_peer_port },
	{ "PLUTO_PEER_PROTOCOL", "protocol number of rightprotoport= (0: any)", v_peer_protocol },
	{ "PLUTO_PEER_CA", "issuer of the peer's certificate (empty without one)", v_peer_ca },
	{ "PLUTO_STACK", "the kernel IPsec stack: netkey (XFRM)", v_stack },
	{ "PLUTO_METRIC", "route metric from leftmetric= (empty: unset)", v_metric },
	{ "PLUTO_MTU", "route MTU from mtu= (empty: unset)", v_mtu },
	{ "PLUTO_CONN_POLICY", "the conn's policy bits, e.g. PSK+ENCRYPT+TUNNEL+PFS", v_conn_policy },
	{ "PLUTO_CONN_ADDRFAMILY", "ipv4 or ipv6", v_addrfamily },
	{ "PLUTO_MY_SOURCEIP", "leftsourceip=: source address for tunnelled traffic (empty: unset)", v_my_sourceip },
};

const size_t updown_vars_len = sizeof(updown_vars) / sizeof(updown_vars[0]);

const char *updown_value(const char *name, const struct updown_ctx *c, enum updown_verb verb,
			 char *buf, size_t size)
{
	put(buf, size, "");
	for (size_t i = 0; i < updown_vars_len; i++)
		if (strcmp(updown_vars[i].name, name) == 0)
			updown_vars[i].value(c, verb, buf, size);
	return buf;
}

char **updown_env(const struct updown_ctx *c, enum updown_verb verb)
{
	char **env = calloc(updown_vars_len + 2, sizeof(*env));
	if (env == NULL)
		abort();
	size_t n = 0;
	for (size_t i = 0; i < updown_vars_len; i++) {
		char value[1024];
		updown_vars[i].value(c, verb, value, sizeof(value));
		if (asprintf(&env[n++], "%s=%s", updown_vars[i].name, value) < 0)
			abort();
	}
	env[n] = strdup("PATH=" UPDOWN_PATH);
	if (env[n] == NULL)
		abort();
	return env;
}

void updown_env_free(char **env)
{
	if (env == NULL)
		return;
	for (char **e = env; *e != NULL; e++)
		free(*e);
	free(env);
}

void updown_doc(FILE *out)
{
	size_t w = 0;
	for (size_t i = 0; i < updown_vars_len; i++)
		if (strlen(updown_vars[i].name) > w)
			w = strlen(updown_vars[i].name);
	for (size_t i = 0; i < updown_vars_len; i++)
		fprintf(out, "  %-*s  %s\n", (int)w, updown_vars[i].name, updown_vars[i].description);
	fprintf(out, "  %-*s  %s\n", (int)w, "PATH", UPDOWN_PATH);
}
