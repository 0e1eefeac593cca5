/* The six implicit conns of Openswan's policy groups, defined after every
 * user conn. They ignore %default; a user conn of the same name replaces
 * one, and auto=ignore in that user conn suppresses it. */
#include <string.h>
#include "internal.h"

const char implicit_conns_text[] =
	"conn clear\n"
	"\ttype=passthrough\n"
	"\tauthby=never\n"
	"\tleft=%defaultroute\n"
	"\tright=%group\n"
	"\tauto=route\n"
	"\n"
	"conn clear-or-private\n"
	"\ttype=passthrough\n"
	"\tleft=%defaultroute\n"
	"\tleftid=%myid\n"
	"\tright=%opportunisticgroup\n"
	"\tfailureshunt=passthrough\n"
	"\tkeyingtries=3\n"
	"\tikelifetime=1h\n"
	"\tsalifetime=1h\n"
	"\trekey=no\n"
	"\tauto=add\n"
	"\n"
	"conn private-or-clear\n"
	"\ttype=tunnel\n"
	"\tleft=%defaultroute\n"
	"\tleftid=%myid\n"
	"\tright=%opportunisticgroup\n"
	"\tfailureshunt=passthrough\n"
	"\tkeyingtries=3\n"
	"\tikelifetime=1h\n"
	"\tsalifetime=1h\n"
	"\trekey=no\n"
	"\tauto=route\n"
	"\n"
	"conn private\n"
	"\ttype=tunnel\n"
	"\tleft=%defaultroute\n"
	"\tleftid=%myid\n"
	"\tright=%opportunisticgroup\n"
	"\tfailureshunt=drop\n"
	"\tkeyingtries=3\n"
	"\tikelifetime=1h\n"
	"\tsalifetime=1h\n"
	"\trekey=no\n"
	"\tauto=route\n"
	"\n"
	"conn block\n"
	"\ttype=reject\n"
	"\tauthby=never\n"
	"\tleft=%defaultroute\n"
	"\tright=%group\n"
	"\tauto=route\n"
	"\n"
	"conn packetdefault\n"
	"\ttype=tunnel\n"
	"\tleft=%defaultroute\n"
	"\tleftid=%myid\n"
	"\tleftsubnet=0.0.0.0/0\n"
	"\tright=%opportunistic\n"
	"\tfailureshunt=passthrough\n"
	"\tkeyingtries=3\n"
	"\tikelifetime=1h\n"
	"\tsalifetime=1h\n"
	"\trekey=no\n"
	"\tauto=route\n";

bool is_implicit_name(const char *name)
{
	static const char *const names[] = {
		"clear", "clear-or-private", "private-or-clear", "private", "block",
		"packetdefault",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}
