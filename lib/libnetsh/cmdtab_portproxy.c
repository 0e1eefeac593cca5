/* netsh interface portproxy (seed reference 004). The tag order is the
 * documented one: "add v4tov4 8082 host 443 0.0.0.0" is positional. */
#include "netsh/cmdtab.h"
#include "netsh/replay.h"

#define N(t) (unsigned)(sizeof(t) / sizeof(t[0]))

static const struct tagdef add_set[] = {
	{ "listenport", V_STR, NULL, T_REQ }, { "connectaddress", V_STR, NULL, 0 },
	{ "connectport", V_STR, NULL, 0 }, { "listenaddress", V_STR, NULL, 0 },
	{ "protocol", V_STR, NULL, 0 },
};
static const struct tagdef delete[] = {
	{ "listenport", V_STR, NULL, T_REQ }, { "listenaddress", V_STR, NULL, 0 },
	{ "protocol", V_STR, NULL, 0 },
};

#define KINDS(verb, tags, fn) \
	{ verb, "v4tov4", tags, N(tags), fn }, { verb, "v4tov6", tags, N(tags), fn }, \
	{ verb, "v6tov4", tags, N(tags), fn }, { verb, "v6tov6", tags, N(tags), fn }

const struct cmddef portproxy_cmds[] = {
	KINDS("add", add_set, pp_add),
	KINDS("delete", delete, pp_delete),
	KINDS("set", add_set, pp_set),
	{ "reset", NULL, NULL, 0, pp_reset },
	{ "show", NULL, NULL, 0, NULL },
	{ "dump", NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
