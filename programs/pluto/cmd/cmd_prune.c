/* whack prune: how a reload (ipsec addconn --autoall --prune, the unit's
 * ExecReload) unloads the conns ipsec.conf no longer has, without
 * touching the others:
 *   phase=begin        every conn is unmarked
 *   (each add marks its conn, changed or not: conn_load.c)
 *   phase=keep NAME    the config has NAME but did not add it (auto=ignore,
 *                      a group's template): it and its instances are marked
 *   phase=end          every unmarked conn is deleted (Deletes to the peers)
 * A reload that stops half-way never sends end: nothing is deleted. */
#include <stdlib.h>
#include <string.h>
#include "conn_load.h"
#include "ctl.h"
#include "pluto.h"

static void mark(struct pluto *p, struct connection *c, void *ctx)
{
	(void)p;
	(void)ctx;
	c->reload_seen = true;
}

/* an instance (NAME/... or NAME#...) lives as long as its conn NAME */
static bool kept(struct pluto *p, const struct connection *c)
{
	if (c->reload_seen)
		return true;
	size_t root = strcspn(c->name, "/#");
	if (c->name[root] == '\0')
		return false;
	char *name = strndup(c->name, root);
	if (name == NULL)
		abort();
	const struct connection *parent = connections_find(&p->conns, name);
	free(name);
	return parent != NULL && parent->reload_seen;
}

int cmd_prune(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	const char *phase = whack_kvs_get(&m->options, "phase");
	if (phase == NULL)
		phase = "";
	if (strcmp(phase, "begin") == 0) {
		for (struct connection *c = p->conns.head; c != NULL; c = c->next)
			c->reload_seen = false;
		return WHACK_STATUS_OK;
	}
	if (strcmp(phase, "keep") == 0 && m->name != NULL) {
		ctl_for_conns(p, m->name, mark, NULL);
		return WHACK_STATUS_OK;
	}
	if (strcmp(phase, "end") == 0) {
		/* names collected first: unloading changes the list */
		size_t n = 0, cap = 0;
		char **gone = NULL;
		for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
			if (kept(p, c))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				gone = realloc(gone, cap * sizeof(*gone));
				if (gone == NULL)
					abort();
			}
			if ((gone[n++] = strdup(c->name)) == NULL)
				abort();
		}
		for (size_t i = 0; i < n; i++) {
			struct connection *c = connections_find(&p->conns, gone[i]);
			if (c != NULL) {
				unsigned sas = conn_unload(p, c, "the conn is gone from the configuration");
				llog(&p->logger, RC_INFO, "\"%s\": deleted: gone from the configuration (%u SA%s)",
				     gone[i], sas, sas == 1 ? "" : "s");
				ctl_reply(cl, "deleted connection \"%s\": gone from the configuration", gone[i]);
			}
			free(gone[i]);
		}
		free(gone);
		return WHACK_STATUS_OK;
	}
	ctl_reply(cl, "prune needs phase=begin, phase=keep with a name, or phase=end");
	return WHACK_STATUS_BAD;
}
