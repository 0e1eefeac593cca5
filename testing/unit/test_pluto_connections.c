/* The table of connections (connections.c): the add-order list and the
 * indexes by name, reqid, family and peer address, with many entries; and
 * sa_delete_conn (ike/sa.c), which must leave no SA pointing at a conn
 * that is about to be freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "connections.h"
#include "ike/ops.h"
#include "ike/sa.h"
#include "pluto.h"
#include "unit_pluto.h"

#define MANY 20000

/* A conn NAME between 198.18.0.1 and right (one of this host's addresses
 * is 198.18.0.1, see is_local), not oriented. */
static struct connection *conn(const char *name, const char *right)
{
	struct whack_msg m;
	whack_msg_init(&m, WHACK_ADD);
	whack_msg_add_conn(&m, "left", "198.18.0.1");
	whack_msg_add_conn(&m, "right", right);
	char err[256];
	struct connection *c = connection_from_keys(name, &m.conn, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "connection_from_keys: %s\n", err);
	assert_non_null(c);
	whack_msg_free(&m);
	return c;
}

static bool is_local(const ip_address *a, void *ctx)
{
	(void)ctx;
	ip_address me;
	ttoaddress_num("198.18.0.1", 10, IP_V4, &me);
	return address_eq(a, &me);
}

static struct connection *oriented(struct connections *cs, const char *name, const char *right)
{
	struct connection *c = conn(name, right);
	connections_add(cs, c);
	char err[256];
	assert_true(connection_orient(c, is_local, NULL, err, sizeof(err)));
	connections_reindex(cs, c);
	return c;
}

/* The list from head is in add order, n long, and tail is its end. */
static void check_list(struct connections *cs)
{
	unsigned n = 0;
	unsigned long seq = 0;
	struct connection *last = NULL;
	for (struct connection *c = cs->head; c != NULL; c = c->next) {
		assert_true(c->seq > seq);
		assert_ptr_equal(c->prev, last);
		seq = c->seq;
		last = c;
		n++;
	}
	assert_int_equal(n, cs->n);
	assert_ptr_equal(cs->tail, last);
}

static void test_many(void **state)
{
	(void)state;
	struct connections cs = { 0 };
	char name[32];
	assert_null(connections_find(&cs, "nothing"));   /* an empty table */
	for (unsigned i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		assert_null(connections_find(&cs, name));
		connections_add(&cs, conn(name, "198.18.0.2"));
	}
	assert_int_equal(cs.n, MANY);
	check_list(&cs);
	for (unsigned i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		struct connection *c = connections_find(&cs, name);
		assert_non_null(c);
		assert_string_equal(c->name, name);
		assert_int_equal(c->reqid, connection_reqid(name));
		/* by reqid: c, or one added before it with the same reqid */
		struct connection *r = connections_by_reqid(&cs, c->reqid);
		assert_non_null(r);
		assert_int_equal(r->reqid, c->reqid);
		assert_true(r->seq <= c->seq);
	}
	assert_null(connections_find(&cs, "c"));
	assert_null(connections_find(&cs, "c20000"));
	/* every other one goes */
	for (unsigned i = 0; i < MANY; i += 2) {
		snprintf(name, sizeof(name), "c%u", i);
		assert_true(connections_remove(&cs, name));
		assert_false(connections_remove(&cs, name));
	}
	assert_int_equal(cs.n, MANY / 2);
	check_list(&cs);
	for (unsigned i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		struct connection *c = connections_find(&cs, name);
		if (i % 2 == 0) {
			assert_null(c);
		} else {
			assert_non_null(c);
			struct connection *r = connections_by_reqid(&cs, c->reqid);
			assert_int_equal(r->reqid, c->reqid);
			assert_true(r->seq <= c->seq);
		}
	}
	/* the first and the last leave: head and tail follow */
	assert_true(connections_remove(&cs, "c1"));
	snprintf(name, sizeof(name), "c%u", MANY - 1);
	assert_true(connections_remove(&cs, name));
	assert_string_equal(cs.head->name, "c3");
	snprintf(name, sizeof(name), "c%u", MANY - 3);
	assert_string_equal(cs.tail->name, name);
	check_list(&cs);
	connections_free(&cs);
	assert_null(cs.head);
	assert_int_equal(cs.n, 0);
	/* and the table can be used again */
	connections_add(&cs, conn("again", "198.18.0.2"));
	assert_non_null(connections_find(&cs, "again"));
	connections_free(&cs);
}

static void test_replace_rename(void **state)
{
	(void)state;
	struct connections cs = { 0 };
	struct connection *a = conn("a", "198.18.0.2");
	connections_add(&cs, a);
	connections_add(&cs, conn("b", "198.18.0.2"));
	/* the same name again replaces it (freed), and it goes to the end */
	struct connection *a2 = conn("a", "198.18.0.3");
	connections_add(&cs, a2);
	assert_int_equal(cs.n, 2);
	assert_ptr_equal(connections_find(&cs, "a"), a2);
	assert_string_equal(cs.head->name, "b");
	assert_ptr_equal(cs.tail, a2);
	check_list(&cs);
	/* rename: found under the new name only, its reqid follows */
	assert_true(connections_rename(&cs, a2, "fam/1x1"));
	assert_null(connections_find(&cs, "a"));
	assert_ptr_equal(connections_find(&cs, "fam/1x1"), a2);
	assert_int_equal(a2->reqid, connection_reqid("fam/1x1"));
	assert_ptr_equal(connections_by_reqid(&cs, connection_reqid("fam/1x1")), a2);
	assert_ptr_equal(connections_family_first(&cs, "fam"), a2);
	assert_false(connections_rename(&cs, a2, "b"));   /* taken */
	assert_true(connections_rename(&cs, a2, "fam/1x1"));   /* its own */
	assert_true(connections_rename(&cs, a2, "other"));
	assert_null(connections_family_first(&cs, "fam"));
	assert_ptr_equal(cs.tail, a2);   /* its place in the list is kept */
	/* unlink: out of the table, not freed */
	connections_unlink(&cs, a2);
	assert_null(connections_find(&cs, "other"));
	assert_int_equal(cs.n, 1);
	check_list(&cs);
	connection_free(a2);
	connections_free(&cs);
}

static void test_family(void **state)
{
	(void)state;
	struct connections cs = { 0 };
	const char *names[] = { "g", "g/1x1", "g/1x2", "g#10.0.0.0/8", "gg/1x1", "h/1x1", "g/2x1" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		connections_add(&cs, conn(names[i], "198.18.0.2"));
	unsigned seen = 0;
	struct connection *c, *next;
	for (c = connections_family_first(&cs, "g"); c != NULL; c = connections_family_next(c, "g")) {
		assert_true(strncmp(c->name, "g/", 2) == 0 || strncmp(c->name, "g#", 2) == 0);
		seen++;
	}
	assert_int_equal(seen, 4);
	assert_null(connections_family_first(&cs, "x"));
	assert_null(connections_family_first(&cs, "g/1x1"));
	/* removing while walking, as cmd_replace does */
	for (c = connections_family_first(&cs, "g"); c != NULL; c = next) {
		next = connections_family_next(c, "g");
		assert_true(connections_remove(&cs, c->name));
	}
	assert_null(connections_family_first(&cs, "g"));
	assert_int_equal(cs.n, 3);
	assert_non_null(connections_find(&cs, "g"));
	assert_non_null(connections_find(&cs, "gg/1x1"));
	connections_free(&cs);
}

/* The candidates for a packet from addr, counted; *any those with %any. */
static unsigned peers(struct connections *cs, const char *addr, unsigned *any)
{
	ip_address a;
	assert_null(ttoaddress_num(addr, strlen(addr), IP_V4, &a));
	struct conn_peer_iter it;
	unsigned n = 0;
	*any = 0;
	for (struct connection *c = connections_peer_first(cs, &a, &it); c != NULL;
	     c = connections_peer_next(&it)) {
		struct end *peer = peer_end(c);
		if (peer->host_kind == HOST_ANY)
			(*any)++;
		else
			assert_true(address_eq(&peer->host, &a));
		n++;
	}
	return n;
}

static void test_peer(void **state)
{
	(void)state;
	struct connections cs = { 0 };
	char name[32], addr[32];
	/* 4000 peers, 198.18.x.y, two conns each; 3 road-warrior conns */
	for (unsigned i = 0; i < 8000; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		snprintf(addr, sizeof(addr), "10.%u.%u.%u", (i / 2) >> 16, ((i / 2) >> 8) & 255, (i / 2) & 255);
		oriented(&cs, name, addr);
	}
	for (unsigned i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "rw%u", i);
		oriented(&cs, name, "%any");
	}
	/* not oriented: never a candidate */
	connections_add(&cs, conn("loose", "10.0.0.7"));
	unsigned any;
	assert_int_equal(peers(&cs, "10.0.0.7", &any), 5);
	assert_int_equal(any, 3);
	assert_int_equal(peers(&cs, "10.0.15.159", &any), 5);   /* i/2 = 3999 */
	assert_int_equal(peers(&cs, "10.0.15.160", &any), 3);   /* no such peer */
	/* a conn that goes leaves the index */
	assert_true(connections_remove(&cs, "p14"));
	assert_true(connections_remove(&cs, "rw1"));
	assert_int_equal(peers(&cs, "10.0.0.7", &any), 3);
	assert_int_equal(any, 2);
	/* an end's address changes (DNS): filed again */
	struct connection *c = connections_find(&cs, "p15");
	assert_null(ttoaddress_num("10.9.9.9", 8, IP_V4, &peer_end(c)->host));
	connections_reindex(&cs, c);
	assert_int_equal(peers(&cs, "10.0.0.7", &any), 2);
	assert_int_equal(peers(&cs, "10.9.9.9", &any), 3);
	/* the same conn replaced: the new one is not oriented yet */
	connections_add(&cs, conn("p15", "10.9.9.9"));
	assert_int_equal(peers(&cs, "10.9.9.9", &any), 2);
	connections_free(&cs);
}

/* ---- sa_delete_conn: no SA is left pointing at the conn --------------- */

static struct pluto *new_pluto(void)
{
	return unit_pluto_new(false);
}

static void free_pluto(struct pluto *p)
{
	unit_pluto_free(p);
}

static struct ike_sa *ike_of(struct pluto *p, struct connection *c, uint8_t spi)
{
	struct ike_sa *ike = ike_sa_new(p, &ikev2_ops, c, true);
	ike->spi_i[0] = spi;
	ike_sa_insert(ike);
	return ike;
}

static struct child_sa *child_of(struct ike_sa *ike, struct connection *c)
{
	struct child_sa *ch = child_sa_new(ike, c);
	child_sa_larval(ch);
	child_sa_established(ch);
	return ch;
}

static unsigned children_of(const struct ike_sa *ike, const struct connection *c)
{
	unsigned n = 0;
	for (const struct child_sa *ch = ike->children; ch != NULL; ch = ch->next)
		n += ch->c == c;
	return n;
}

static void test_sa_delete_conn(void **state)
{
	(void)state;
	struct pluto *p = new_pluto();
	struct connection *a = conn("grp/1x1", "198.18.0.2");
	struct connection *b = conn("grp/1x2", "198.18.0.2");
	struct connection *other = conn("other", "198.18.0.3");
	connections_add(&p->conns, a);
	connections_add(&p->conns, b);
	connections_add(&p->conns, other);
	/* one IKE SA of a carrying a's and b's Child SAs; one of a alone; one
	 * of other */
	struct ike_sa *shared = ike_of(p, a, 1);
	unsigned shared_serial = shared->serial;
	child_of(shared, a);
	child_of(shared, b);
	child_of(shared, a);
	struct ike_sa *alone = ike_of(p, a, 2);
	child_of(alone, a);
	unsigned alone_serial = alone->serial;
	struct ike_sa *others = ike_of(p, other, 3);
	child_of(others, other);

	/* a's 2 Child SAs on the shared one; the other IKE SA and its Child SA */
	assert_int_equal(sa_delete_conn(p, a, "test"), 4);
	/* the shared IKE SA stays, now b's, with b's Child SA only */
	assert_ptr_equal(ike_sa_by_serial(p, shared->serial), shared);
	assert_ptr_equal(shared->c, b);
	assert_int_equal(children_of(shared, a), 0);
	assert_int_equal(children_of(shared, b), 1);
	assert_null(ike_sa_by_serial(p, alone_serial));
	assert_int_equal(children_of(others, other), 1);
	/* nothing points at a: freeing it is safe (ASan would say) */
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all) {
		assert_ptr_not_equal(s->c, a);
		assert_int_equal(children_of(s, a), 0);
	}
	connections_remove(&p->conns, "grp/1x1");
	/* b goes too: the IKE SA now serves b alone and goes */
	assert_int_equal(sa_delete_conn(p, b, "test"), 2);
	assert_null(ike_sa_by_serial(p, shared_serial));
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all)
		assert_ptr_equal(s->c, other);
	free_pluto(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_replace_rename),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_peer),
		cmocka_unit_test(test_sa_delete_conn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
