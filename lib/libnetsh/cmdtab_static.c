/* netsh ipsec static: every command and its tags in the documented order
 * (seed references 000 and 001). Untagged values fill tags by position. */
#include "netsh/cmdtab.h"
#include "netsh/replay.h"

#define N(t) (unsigned)(sizeof(t) / sizeof(t[0]))
#define ACTIONS "permit|block|negotiate"
#define CONNTYPES "all|lan|dialup"

static const struct tagdef add_filter[] = {
	{ "filterlist", V_STR, NULL, T_REQ }, { "srcaddr", V_STR, NULL, T_REQ },
	{ "dstaddr", V_STR, NULL, T_REQ }, { "description", V_STR, NULL, 0 },
	{ "protocol", V_STR, NULL, 0 }, { "mirrored", V_BOOL, NULL, 0 },
	{ "srcmask", V_STR, NULL, 0 }, { "dstmask", V_STR, NULL, 0 },
	{ "srcport", V_STR, NULL, 0 }, { "dstport", V_STR, NULL, 0 },
};
static const struct tagdef add_filteraction[] = {
	{ "name", V_STR, NULL, T_REQ }, { "description", V_STR, NULL, 0 },
	{ "qmpfs", V_BOOL, NULL, 0 }, { "inpass", V_BOOL, NULL, 0 },
	{ "soft", V_BOOL, NULL, 0 }, { "action", V_ENUM, ACTIONS, 0 },
	{ "qmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef add_filterlist[] = {
	{ "name", V_STR, NULL, T_REQ }, { "description", V_STR, NULL, 0 },
};
static const struct tagdef add_policy[] = {
	{ "name", V_STR, NULL, T_REQ }, { "description", V_STR, NULL, 0 },
	{ "mmpfs", V_BOOL, NULL, 0 }, { "qmpermm", V_INT, NULL, 0 },
	{ "mmlifetime", V_INT, NULL, 0 }, { "activatedefaultrule", V_BOOL, NULL, 0 },
	{ "pollinginterval", V_INT, NULL, 0 }, { "assign", V_BOOL, NULL, 0 },
	{ "mmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef add_rule[] = {
	{ "name", V_STR, NULL, T_REQ }, { "policy", V_STR, NULL, T_REQ },
	{ "filterlist", V_STR, NULL, T_REQ }, { "filteraction", V_STR, NULL, T_REQ },
	{ "tunnel", V_STR, NULL, 0 }, { "conntype", V_ENUM, CONNTYPES, 0 },
	{ "activate", V_BOOL, NULL, 0 }, { "description", V_STR, NULL, 0 },
	{ "kerberos", V_BOOL, NULL, 0 }, { "psk", V_STR, NULL, 0 },
	{ "rootca", V_STR, NULL, T_MULTI },
};
static const struct tagdef delete_filter[] = {
	{ "filterlist", V_STR, NULL, T_REQ }, { "srcaddr", V_STR, NULL, T_REQ },
	{ "dstaddr", V_STR, NULL, T_REQ }, { "protocol", V_STR, NULL, 0 },
	{ "srcmask", V_STR, NULL, 0 }, { "dstmask", V_STR, NULL, 0 },
	{ "srcport", V_STR, NULL, 0 }, { "dstport", V_STR, NULL, 0 },
	{ "mirrored", V_BOOL, NULL, 0 },
};
static const struct tagdef name_only[] = {
	{ "name", V_STR, NULL, T_REQ },
};
static const struct tagdef delete_rule[] = {
	{ "name", V_STR, NULL, 0 }, { "id", V_INT, NULL, 0 },
	{ "policy", V_STR, NULL, T_REQ },
};
static const struct tagdef file_only[] = {
	{ "file", V_STR, NULL, T_REQ },
};
static const struct tagdef restore[] = {
	{ "release", V_ENUM, "win2k|win2003", T_REQ },
};
static const struct tagdef set_defaultrule[] = {
	{ "policy", V_STR, NULL, T_REQ }, { "qmpfs", V_BOOL, NULL, 0 },
	{ "activate", V_BOOL, NULL, 0 }, { "qmsecmethods", V_STR, NULL, 0 },
	{ "kerberos", V_BOOL, NULL, 0 }, { "psk", V_STR, NULL, 0 },
	{ "rootca", V_STR, NULL, T_MULTI },
};
static const struct tagdef set_filteraction[] = {
	{ "name", V_STR, NULL, 0 }, { "guid", V_STR, NULL, 0 },
	{ "newname", V_STR, NULL, 0 }, { "description", V_STR, NULL, 0 },
	{ "qmpfs", V_BOOL, NULL, 0 }, { "inpass", V_BOOL, NULL, 0 },
	{ "soft", V_BOOL, NULL, 0 }, { "action", V_ENUM, ACTIONS, 0 },
	{ "qmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef set_filterlist[] = {
	{ "name", V_STR, NULL, 0 }, { "guid", V_STR, NULL, 0 },
	{ "newname", V_STR, NULL, 0 }, { "description", V_STR, NULL, 0 },
};
static const struct tagdef set_policy[] = {
	{ "name", V_STR, NULL, 0 }, { "guid", V_STR, NULL, 0 },
	{ "newname", V_STR, NULL, 0 }, { "description", V_STR, NULL, 0 },
	{ "mmpfs", V_BOOL, NULL, 0 }, { "qmpermm", V_INT, NULL, 0 },
	{ "mmlifetime", V_INT, NULL, 0 }, { "activatedefaultrule", V_BOOL, NULL, 0 },
	{ "pollinginterval", V_INT, NULL, 0 }, { "assign", V_BOOL, NULL, 0 },
	{ "gponame", V_STR, NULL, 0 }, { "mmsecmethods", V_STR, NULL, 0 },
};
static const struct tagdef set_rule[] = {
	{ "name", V_STR, NULL, 0 }, { "id", V_INT, NULL, 0 },
	{ "policy", V_STR, NULL, T_REQ }, { "newname", V_STR, NULL, 0 },
	{ "description", V_STR, NULL, 0 }, { "filterlist", V_STR, NULL, 0 },
	{ "filteraction", V_STR, NULL, 0 }, { "tunnel", V_STR, NULL, 0 },
	{ "conntype", V_ENUM, CONNTYPES, 0 }, { "activate", V_BOOL, NULL, 0 },
	{ "kerberos", V_BOOL, NULL, 0 }, { "psk", V_STR, NULL, 0 },
	{ "rootca", V_STR, NULL, T_MULTI },
};
static const struct tagdef set_store[] = {
	{ "location", V_ENUM, "local|persistent|domain", T_REQ },
	{ "domain", V_STR, NULL, 0 },
};
static const struct tagdef set_batch[] = {
	{ "mode", V_ENUM, "enable|disable", T_REQ },
};

const struct cmddef static_cmds[] = {
	{ "add", "filter", add_filter, N(add_filter), st_add_filter },
	{ "add", "filteraction", add_filteraction, N(add_filteraction), st_add_filteraction },
	{ "add", "filterlist", add_filterlist, N(add_filterlist), st_add_filterlist },
	{ "add", "policy", add_policy, N(add_policy), st_add_policy },
	{ "add", "rule", add_rule, N(add_rule), st_add_rule },
	{ "delete", "all", NULL, 0, st_delete_all },
	{ "delete", "filter", delete_filter, N(delete_filter), st_delete_filter },
	{ "delete", "filteraction", name_only, N(name_only), st_delete_filteraction },
	{ "delete", "filterlist", name_only, N(name_only), st_delete_filterlist },
	{ "delete", "policy", name_only, N(name_only), st_delete_policy },
	{ "delete", "rule", delete_rule, N(delete_rule), st_delete_rule },
	{ "exportpolicy", NULL, file_only, N(file_only), st_exportpolicy },
	{ "importpolicy", NULL, file_only, N(file_only), st_importpolicy },
	{ "restorepolicyexamples", NULL, restore, N(restore), st_restorepolicyexamples },
	{ "set", "batch", set_batch, N(set_batch), st_set_batch },
	{ "set", "defaultrule", set_defaultrule, N(set_defaultrule), st_set_defaultrule },
	{ "set", "filteraction", set_filteraction, N(set_filteraction), st_set_filteraction },
	{ "set", "filterlist", set_filterlist, N(set_filterlist), st_set_filterlist },
	{ "set", "policy", set_policy, N(set_policy), st_set_policy },
	{ "set", "rule", set_rule, N(set_rule), st_set_rule },
	{ "set", "store", set_store, N(set_store), st_set_store },
	{ "show", NULL, NULL, 0, NULL },
	{ "dump", NULL, NULL, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
