/* The whack command table: the one place that says which commands exist,
 * their wire codes, what they carry, and their help text. */
#include <string.h>
#include "whack.h"

const struct whack_command_desc whack_commands[] = {
	{ "add", WHACK_ADD, WHACK_NAME_REQUIRED, true,
	  "load a connection description" },
	{ "delete", WHACK_DELETE, WHACK_NAME_REQUIRED, false,
	  "remove a connection and tear down its SAs" },
	{ "replace", WHACK_REPLACE, WHACK_NAME_REQUIRED, true,
	  "delete a connection and load its new description" },
	{ "initiate", WHACK_INITIATE, WHACK_NAME_REQUIRED, false,
	  "start negotiating a connection" },
	{ "terminate", WHACK_TERMINATE, WHACK_NAME_REQUIRED, false,
	  "tear down a connection's SAs, keeping the connection" },
	{ "route", WHACK_ROUTE, WHACK_NAME_REQUIRED, false,
	  "install kernel policy so that traffic starts a negotiation" },
	{ "unroute", WHACK_UNROUTE, WHACK_NAME_REQUIRED, false,
	  "remove the kernel policy installed by route" },
	{ "status", WHACK_STATUS, WHACK_NAME_OPTIONAL, false,
	  "show the state of pluto, or of one connection" },
	{ "rereadsecrets", WHACK_REREADSECRETS, WHACK_NAME_NONE, false,
	  "reload ipsec.secrets" },
	{ "listen", WHACK_LISTEN, WHACK_NAME_NONE, false,
	  "rescan interfaces and listen for IKE on them" },
	{ "shutdown", WHACK_SHUTDOWN, WHACK_NAME_NONE, false,
	  "tear down every SA and stop pluto" },
	{ "ping", WHACK_PING, WHACK_NAME_NONE, false,
	  "check that pluto is running and answering" },
	{ "ddos-busy", WHACK_DDOS_BUSY, WHACK_NAME_NONE, false,
	  "ask every new IKE initiator for a COOKIE" },
	{ "ddos-unlimited", WHACK_DDOS_UNLIMITED, WHACK_NAME_NONE, false,
	  "never ask for a COOKIE" },
	{ "ddos-auto", WHACK_DDOS_AUTO, WHACK_NAME_NONE, false,
	  "ask for COOKIEs only while half-open IKE SAs pile up" },
	{ "rekey-ike", WHACK_REKEY_IKE, WHACK_NAME_REQUIRED, false,
	  "rekey a connection's IKE SA now" },
	{ "rekey-child", WHACK_REKEY_CHILD, WHACK_NAME_REQUIRED, false,
	  "rekey a connection's Child SAs now" },
	{ "trafficstatus", WHACK_TRAFFICSTATUS, WHACK_NAME_OPTIONAL, false,
	  "one line per Child SA with its byte counts (libreswan's format)" },
	{ "globalstatus", WHACK_GLOBALSTATUS, WHACK_NAME_NONE, false,
	  "counters of SAs now and since pluto started, as NAME=VALUE" },
	{ "metrics", WHACK_METRICS, WHACK_NAME_NONE, false,
	  "the counters and each Child SA's traffic for Prometheus" },
	{ "debug", WHACK_DEBUG, WHACK_NAME_NONE, false,
	  "set the debug categories now: all, none, or plutodebug= names" },
	{ "reopenlogs", WHACK_REOPENLOGS, WHACK_NAME_NONE, false,
	  "open the log file again (after logrotate moved it)" },
	{ "listall", WHACK_LISTALL, WHACK_NAME_NONE, false,
	  "list the public keys of the conns and the host keys in NSS" },
	{ "prune", WHACK_PRUNE, WHACK_NAME_OPTIONAL, false,
	  "a reload's steps (addconn --autoall --prune)" },
	{ "rereadcrls", WHACK_REREADCRLS, WHACK_NAME_NONE, false,
	  "read the CRLs of the NSS database again (ipsec crls)" },
};

const size_t whack_commands_len = sizeof(whack_commands) / sizeof(whack_commands[0]);

const struct whack_command_desc *whack_command_by_name(const char *name)
{
	for (size_t i = 0; i < whack_commands_len; i++)
		if (strcmp(whack_commands[i].name, name) == 0)
			return &whack_commands[i];
	return NULL;
}

const struct whack_command_desc *whack_command_by_code(unsigned code)
{
	for (size_t i = 0; i < whack_commands_len; i++)
		if ((unsigned)whack_commands[i].code == code)
			return &whack_commands[i];
	return NULL;
}
