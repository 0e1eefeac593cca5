/* Adding and removing conns in the running daemon: parse the keys,
 * resolve host names, decide which end is this host. */
#ifndef PLUTO_CONN_LOAD_H
#define PLUTO_CONN_LOAD_H
#include "whack.h"

struct pluto;
struct connection;
struct ctl_client;

/* Adds conn name from its resolved ipsec.conf keys. One of the same name
 * with the same keys stays as it is, SAs and all ("NAME": unchanged); one
 * with other keys is replaced (conn_unload: the peer is told). Replies to
 * cl (may be NULL). Returns the whack status: 0 added or unchanged, 1
 * refused. */
int conn_load(struct pluto *p, const char *name, const struct whack_kvs *keys,
	      struct ctl_client *cl);
/* Deletes the conn's SAs, sending the peer Deletes (sa_delete_conn), then
 * its policies, and frees it; why is logged for each SA. Returns how many
 * SAs went. */
unsigned conn_unload(struct pluto *p, struct connection *c, const char *why);
/* Orients the conns that are not yet (after new addresses appeared). */
void conn_orient_all(struct pluto *p);
/* Starts looking up the host names of the conn's ends that are not
 * resolved and not being looked up; the conn is oriented (and auto=
 * applied) once all are. Returns how many lookups it started. */
unsigned conn_resolve(struct pluto *p, struct connection *c);
/* Applies auto=route and auto=start to a freshly loaded conn. */
void conn_autostart(struct pluto *p, struct connection *c);
#endif
