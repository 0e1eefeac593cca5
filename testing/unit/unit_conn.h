/* For the pluto unit tests: a connection made the way pluto makes one from
 * addconn's message, from NULL-ended "key", "value" lists (first base,
 * which may be NULL, then kv). Fails the test when pluto refuses it. */
#ifndef UNIT_CONN_H
#define UNIT_CONN_H
#include "connections.h"
#include "whack.h"

static inline struct connection *unit_conn(const char *const *base, const char *const *kv)
{
	struct whack_msg m;
	whack_msg_init(&m, WHACK_ADD);
	for (size_t i = 0; base != NULL && base[i] != NULL; i += 2)
		whack_msg_add_conn(&m, base[i], base[i + 1]);
	for (size_t i = 0; kv[i] != NULL; i += 2)
		whack_msg_add_conn(&m, kv[i], kv[i + 1]);
	char err[256];
	struct connection *c = connection_from_keys("t", &m.conn, err, sizeof(err));
	whack_msg_free(&m);
	if (c == NULL)
		fail_msg("%s", err);
	return c;
}

/* The two ends most tests need: left=198.18.0.1, right=198.18.0.2. */
static const char *const unit_conn_ends[] = {
	"left", "198.18.0.1", "right", "198.18.0.2", NULL,
};
#endif
