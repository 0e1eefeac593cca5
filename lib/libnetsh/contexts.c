/* The context tree of netsh as far as a translator needs it. The order of
 * children matters for abbreviations: "netsh i p a" resolves "i" to the
 * first child that it is a prefix of (interface before ipsec), as the
 * real netsh does with its alphabetical helper list. */
#include <string.h>
#include "netsh/cmdtab.h"
#include "netsh/util.h"

/* Commands of the ipsec context itself. */
static const struct cmddef ipsec_cmds[] = {
	{ "dump", NULL, NULL, 0, NULL },
	{ "show", NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cmddef no_cmds[] = {
	{ NULL, NULL, NULL, 0, NULL },
};

const struct ctxdef ctx_table[] = {
	{ CTX_ROOT, "", CTX_ROOT, no_cmds, false },
	{ CTX_INTERFACE, "interface", CTX_ROOT, no_cmds, true },
	{ CTX_IPSEC, "ipsec", CTX_ROOT, ipsec_cmds, false },
	{ CTX_STATIC, "static", CTX_IPSEC, static_cmds, false },
	{ CTX_DYNAMIC, "dynamic", CTX_IPSEC, dynamic_cmds, false },
	{ CTX_PORTPROXY, "portproxy", CTX_INTERFACE, portproxy_cmds, false },
	{ CTX_FOREIGN, "", CTX_ROOT, no_cmds, true },
};

const struct ctxdef *ctx_def(enum ctx_id id)
{
	for (size_t i = 0; i < sizeof(ctx_table) / sizeof(ctx_table[0]); i++)
		if (ctx_table[i].id == id)
			return &ctx_table[i];
	return &ctx_table[0];
}

/* Contexts of other netsh helpers: recognised so that their commands are
 * skipped with a note instead of being reported as unknown. */
static const char *const root_foreign[] = {
	"advfirewall", "branchcache", "bridge", "dhcp", "dhcpclient", "dnsclient",
	"firewall", "http", "lan", "mbn", "namespace", "nap", "netio", "ras",
	"routing", "rpc", "trace", "wcn", "wfp", "winhttp", "wins", "winsock",
	"wlan", NULL,
};

static const char *const interface_foreign[] = {
	"6to4", "httpstunnel", "ip", "ipv4", "ipv6", "isatap", "tcp", "teredo",
	"udp", NULL,
};

bool is_foreign_child(enum ctx_id parent, const char *word, const char **full)
{
	const char *const *list = parent == CTX_ROOT ? root_foreign
				: parent == CTX_INTERFACE ? interface_foreign : NULL;
	if (list == NULL)
		return false;
	for (size_t i = 0; list[i]; i++)
		if (ieq(word, list[i])) {
			*full = list[i];
			return true;
		}
	return false;
}
