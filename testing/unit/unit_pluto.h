/* For the pluto unit tests: a daemon state with an SA table and a quiet
 * logger (and an event base when asked), and its teardown: every IKE SA
 * deleted, the conns and the table freed. */
#ifndef UNIT_PLUTO_H
#define UNIT_PLUTO_H
#include <event2/event.h>
#include <stdlib.h>
#include "ike/sa.h"
#include "pluto.h"

static inline struct pluto *unit_pluto_new(bool with_event_base)
{
	struct pluto *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	if (with_event_base) {
		p->base = event_base_new();
		assert_non_null(p->base);
	}
	p->sas = sa_table_new();
	logger_init(&p->logger, -1, "%s", "");
	return p;
}

static inline void unit_pluto_free(struct pluto *p)
{
	struct ike_sa *next;
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = next) {
		next = s->next_all;
		ike_sa_delete(s, NULL);
	}
	connections_free(&p->conns);
	sa_table_free(p->sas);
	if (p->base != NULL)
		event_base_free(p->base);
	free(p);
}
#endif
