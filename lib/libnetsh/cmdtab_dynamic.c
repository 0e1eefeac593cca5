/* netsh ipsec dynamic: every command and its tags in the documented order
 * (seed references 000, 001 and 003). */
#include "netsh/cmdtab.h"
#include "netsh/replay.h"

#define N(t) (unsigned)(sizeof(t) / sizeof(t[0]))
#define ACTIONS "permit|block|negotiate"
#define CONNTYPES "all|lan|dialup"
#define PFSGROUPS "grp1|grp2|grp3|grpmm|nopfs"

static const struct tagdef add_mmpolicy[] = {
	{ "name", V_STR, NULL, T_REQ }, { "qmpermm", V_INT, NULL, 0 },
	{ "mmlifetime", V_INT, NULL, 0 }, { "softsaexpirationtime", V_INT, NULL, 0 },
	{ "mmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef add_qmpolicy[] = {
	{ "name", V_STR, NULL, T_REQ }, { "soft", V_BOOL, NULL, 0 },
	{ "pfsgroup", V_ENUM, PFSGROUPS, 0 }, { "qmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef add_rule[] = {
	{ "srcaddr", V_STR, NULL, T_REQ }, { "dstaddr", V_STR, NULL, T_REQ },
	{ "mmpolicy", V_STR, NULL, T_REQ }, { "qmpolicy", V_STR, NULL, 0 },
	{ "protocol", V_STR, NULL, 0 }, { "srcport", V_STR, NULL, 0 },
	{ "dstport", V_STR, NULL, 0 }, { "mirrored", V_BOOL, NULL, 0 },
	{ "conntype", V_ENUM, CONNTYPES, 0 }, { "actioninbound", V_ENUM, ACTIONS, 0 },
	{ "actionoutbound", V_ENUM, ACTIONS, 0 }, { "srcmask", V_STR, NULL, 0 },
	{ "dstmask", V_STR, NULL, 0 }, { "tunneldstaddress", V_STR, NULL, 0 },
	{ "kerberos", V_BOOL, NULL, 0 }, { "psk", V_STR, NULL, 0 },
	{ "rootca", V_STR, NULL, T_MULTI },
};
static const struct tagdef name_only[] = {
	{ "name", V_STR, NULL, T_REQ },
};
/* Identifying fields; omitted ones match any rule (seed 001's example
 * deletes a rule without giving mirrored=). */
static const struct tagdef delete_rule[] = {
	{ "srcaddr", V_STR, NULL, T_REQ }, { "dstaddr", V_STR, NULL, T_REQ },
	{ "protocol", V_STR, NULL, 0 }, { "srcport", V_STR, NULL, 0 },
	{ "dstport", V_STR, NULL, 0 }, { "mirrored", V_BOOL, NULL, 0 },
	{ "conntype", V_ENUM, CONNTYPES, 0 }, { "srcmask", V_STR, NULL, 0 },
	{ "dstmask", V_STR, NULL, 0 }, { "tunneldstaddress", V_STR, NULL, 0 },
};
static const struct tagdef set_config[] = {
	{ "property", V_ENUM, "ipsecdiagnostics|ipsecexempt|ipsecloginterval|ikelogging|"
			       "strongcrlcheck|bootmode|bootexemptions", T_REQ },
	{ "value", V_STR, NULL, T_REQ },
};
static const struct tagdef set_mmpolicy[] = {
	{ "name", V_STR, NULL, T_REQ }, { "qmpermm", V_INT, NULL, 0 },
	{ "mmlifetime", V_INT, NULL, 0 }, { "softsaexpirationtime", V_INT, NULL, 0 },
	{ "mmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef set_rule[] = {
	{ "srcaddr", V_STR, NULL, T_REQ }, { "dstaddr", V_STR, NULL, T_REQ },
	{ "protocol", V_STR, NULL, 0 }, { "srcport", V_STR, NULL, 0 },
	{ "dstport", V_STR, NULL, 0 }, { "mirrored", V_BOOL, NULL, 0 },
	{ "conntype", V_ENUM, CONNTYPES, 0 }, { "srcmask", V_STR, NULL, 0 },
	{ "dstmask", V_STR, NULL, 0 }, { "tunneldstaddress", V_STR, NULL, 0 },
	{ "mmpolicy", V_STR, NULL, 0 }, { "qmpolicy", V_STR, NULL, 0 },
	{ "actioninbound", V_ENUM, ACTIONS, 0 }, { "actionoutbound", V_ENUM, ACTIONS, 0 },
	{ "kerberos", V_BOOL, NULL, 0 }, { "psk", V_STR, NULL, 0 },
	{ "rootca", V_STR, NULL, T_MULTI },
};

const struct cmddef dynamic_cmds[] = {
	{ "add", "mmpolicy", add_mmpolicy, N(add_mmpolicy), dy_add_mmpolicy },
	{ "add", "qmpolicy", add_qmpolicy, N(add_qmpolicy), dy_add_qmpolicy },
	{ "add", "rule", add_rule, N(add_rule), dy_add_rule },
	{ "delete", "all", NULL, 0, dy_delete_all },
	{ "delete", "mmpolicy", name_only, N(name_only), dy_delete_mmpolicy },
	{ "delete", "qmpolicy", name_only, N(name_only), dy_delete_qmpolicy },
	{ "delete", "rule", delete_rule, N(delete_rule), dy_delete_rule },
	{ "set", "config", set_config, N(set_config), dy_set_config },
	{ "set", "mmpolicy", set_mmpolicy, N(set_mmpolicy), dy_set_mmpolicy },
	{ "set", "qmpolicy", add_qmpolicy, N(add_qmpolicy), dy_set_qmpolicy },
	{ "set", "rule", set_rule, N(set_rule), dy_set_rule },
	{ "show", NULL, NULL, 0, NULL },
	{ "dump", NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
