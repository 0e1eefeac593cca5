/* whack replace: delete the conn of that name and its instances
 * (NAME/LxR, NAME#CIDR), then add. A client that sends a conn as its
 * instances puts the conn's own name in the option replaces=NAME of the
 * first request: every instance of NAME goes then, also those that have
 * left the configuration, and the requests after it each add one. The
 * peer is told that the old conns' SAs go (conn_unload). */
#include <string.h>
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

/* name is family itself or one of its instances */
static bool in_family(const char *name, const char *family)
{
	size_t len = strlen(family);
	return strncmp(name, family, len) == 0 &&
	       (name[len] == '\0' || name[len] == '/' || name[len] == '#');
}

int cmd_replace(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	const char *family = whack_kvs_get(&m->options, "replaces");
	if (family == NULL)
		family = m->name;
	if (!in_family(m->name, family)) {
		ctl_reply(cl, "replace: \"%s\" is not conn \"%s\" or one of its instances",
			  m->name, family);
		return WHACK_STATUS_BAD;
	}
	/* the conn itself, then its instances (the family index: no walk) */
	struct connection *c = connections_find(&p->conns, family), *next;
	if (c != NULL)
		conn_unload(p, c, "the conn was replaced");
	for (c = connections_family_first(&p->conns, family); c != NULL; c = next) {
		next = connections_family_next(c, family);
		conn_unload(p, c, "the conn was replaced");
	}
	return conn_load(p, m->name, &m->conn, cl);
}
