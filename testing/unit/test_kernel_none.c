/* Unit tests: the "none" kernel backend, through the generic kernel_*()
 * calls: SPIs, SAs, policies, errors like XFRM's, all-or-nothing
 * installs, injected events and shutdown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include "kernel/kernel.h"
#include "kernel/kernel_none.h"

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (!(cond)) {                               \
			print_error(__VA_ARGS__);            \
			print_error("\n");                   \
			fail_msg("check failed: %s", #cond); \
		}                                            \
	} while (0)

static struct logger lg = { "test: ", -1 };
static uint8_t key[64];

static ip_address addr(const char *s)
{
	ip_address a;
	assert_null(ttoaddress_num(s, strlen(s), IP_UNSET, &a));
	return a;
}

static ip_subnet subnet(const char *s)
{
	ip_subnet n;
	assert_null(ttosubnet(s, strlen(s), IP_UNSET, &n, NULL));
	return n;
}

static struct kernel_sa sa_for(const char *src, const char *dst, uint32_t spi)
{
	struct kernel_sa sa = {
		.src = addr(src), .dst = addr(dst), .proto = KERNEL_PROTO_ESP, .spi = spi, .reqid = 7,
		.mode = KERNEL_MODE_TUNNEL,
		.encr = alg_by_name(ALG_ENCRYPT, "aes_gcm16", 9), .encr_key = chunk_from(key, 36),
		.replay_window = 64, .esn = true,
		.life = { .soft_seconds = 3000, .hard_seconds = 3600 },
	};
	return sa;
}

static struct kernel_policy policy(enum kernel_dir dir, const char *src, const char *dst)
{
	struct kernel_policy p = {
		.sel = { .src = subnet(src), .dst = subnet(dst) },
		.dir = dir, .action = KERNEL_ACTION_IPSEC, .priority = 1000,
		.tmpl = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"), .proto = KERNEL_PROTO_ESP,
			  .mode = KERNEL_MODE_TUNNEL, .reqid = 7 },
	};
	return p;
}

static int setup(void **state)
{
	struct kernel_diag d = { 0 };
	struct kernel *k = kernel_open("none", &lg, &d);
	if (k == NULL)
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	kernel_close(*state);
	return 0;
}

static void test_open(void **state)
{
	(void)state;
	struct kernel_diag d = { 0 };
	assert_null(kernel_open("klips", &lg, &d));
	assert_int_equal(d.error, EINVAL);
	assert_non_null(strstr(d.text, "unknown kernel backend 'klips'"));
	struct kernel *k = kernel_open("none", &lg, &d);
	assert_non_null(k);
	assert_string_equal(kernel_ops_of(k)->name, "none");
	assert_string_equal(kernel_logger(k)->prefix, "test: ");
	assert_true(kernel_event_fd(k) >= 0);
	kernel_close(k);
	kernel_close(NULL);
}

static void test_spi_and_sa(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 7 };
	uint32_t spis[50];
	for (size_t i = 0; i < 50; i++) {
		assert_null(kernel_get_spi(k, &req, &spis[i], &d));
		assert_true(spis[i] >= 0x100);
		for (size_t j = 0; j < i; j++)
			assert_true(spis[i] != spis[j]);
	}
	assert_int_equal(kernel_none_spi_count(k), 50);
	assert_int_equal(kernel_none_sa_count(k), 0);

	/* fill one: the allocated SPI becomes an SA */
	struct kernel_sa in = sa_for("198.18.0.2", "198.18.0.1", spis[0]);
	assert_null(kernel_add_sa(k, &in, &d));
	assert_int_equal(kernel_none_spi_count(k), 49);
	assert_int_equal(kernel_none_sa_count(k), 1);
	struct kernel_sa_id id = kernel_sa_id_of(&in);
	const struct kernel_none_sa *rec = kernel_none_find_sa(k, &id);
	assert_non_null(rec);
	assert_false(rec->larval);
	assert_int_equal(rec->sa.reqid, 7);
	assert_true(rec->sa.esn);
	assert_int_equal(rec->sa.encr_key.len, 36);
	assert_null(rec->sa.encr_key.ptr);   /* no key bytes kept */
	assert_true(rec->add_time > 0);

	/* duplicate: EEXIST, named */
	assert_non_null(kernel_add_sa(k, &in, &d));
	assert_int_equal(d.error, EEXIST);
	char want[200];
	snprintf(want, sizeof(want), "cannot add ESP SA 0x%08x 198.18.0.2->198.18.0.1: File exists", spis[0]);
	CHECK(strstr(d.text, want) != NULL, "%s", d.text);

	/* update: lifetimes change, add time stays */
	in.life.hard_seconds = 7200;
	assert_null(kernel_update_sa(k, &in, &d));
	assert_int_equal(kernel_none_find_sa(k, &id)->sa.life.hard_seconds, 7200);

	struct kernel_sa_counters c;
	assert_null(kernel_sa_counters(k, &id, &c, &d));
	assert_int_equal(c.bytes, 0);
	assert_int_equal(c.packets, 0);
	assert_true(c.add_time > 0);

	/* a fresh SPI, not allocated: plain add */
	struct kernel_sa out = sa_for("198.18.0.1", "198.18.0.2", 0x1000);
	assert_null(kernel_add_sa(k, &out, &d));
	assert_int_equal(kernel_none_sa_count(k), 2);

	/* missing SA: ESRCH, named */
	struct kernel_sa ghost = sa_for("198.18.0.1", "198.18.0.2", 0x2000);
	assert_non_null(kernel_update_sa(k, &ghost, &d));
	assert_int_equal(d.error, ESRCH);
	struct kernel_sa_id gid = kernel_sa_id_of(&ghost);
	assert_non_null(kernel_del_sa(k, &gid, &d));
	assert_int_equal(d.error, ESRCH);
	assert_non_null(strstr(d.text, "cannot delete ESP SA 0x00002000 198.18.0.1->198.18.0.2: No such process (no such SA)"));
	assert_non_null(kernel_sa_counters(k, &gid, &c, &d));
	assert_int_equal(d.error, ESRCH);

	/* a bad request never reaches the backend */
	struct kernel_sa bad = out;
	bad.spi = 0x3000;
	bad.encr_key.len = 16;
	assert_non_null(kernel_add_sa(k, &bad, &d));
	assert_int_equal(d.error, EINVAL);
	assert_int_equal(kernel_none_sa_count(k), 2);

	struct kernel_sa_id oid = kernel_sa_id_of(&out);
	assert_null(kernel_del_sa(k, &oid, &d));
	assert_null(kernel_del_sa(k, &id, &d));
	assert_int_equal(kernel_none_sa_count(k), 0);
	/* the other SPIs are still allocated; teardown's shutdown frees them */
}

static void test_policies(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	struct kernel_policy p[3] = {
		policy(KERNEL_DIR_OUT, "198.51.100.0/24", "203.0.113.0/24"),
		policy(KERNEL_DIR_IN, "203.0.113.0/24", "198.51.100.0/24"),
		policy(KERNEL_DIR_FWD, "203.0.113.0/24", "198.51.100.0/24"),
	};
	for (int i = 0; i < 3; i++)
		assert_null(kernel_add_policy(k, &p[i], &d));
	assert_int_equal(kernel_none_policy_count(k), 3);

	assert_non_null(kernel_add_policy(k, &p[0], &d));
	assert_int_equal(d.error, EEXIST);
	assert_non_null(strstr(d.text, "cannot add out policy 198.51.100.0/24->203.0.113.0/24: File exists"));

	/* same selector, other direction: a different policy */
	struct kernel_policy other = p[0];
	other.dir = KERNEL_DIR_FWD;
	assert_null(kernel_add_policy(k, &other, &d));
	assert_int_equal(kernel_none_policy_count(k), 4);
	assert_null(kernel_del_policy(k, &other, &d));

	/* replace: action and priority change, count stays */
	struct kernel_policy r = p[0];
	r.action = KERNEL_ACTION_DROP;
	r.priority = 5;
	assert_null(kernel_replace_policy(k, &r, &d));
	assert_int_equal(kernel_none_policy_count(k), 3);
	const struct kernel_policy *got = kernel_none_find_policy(k, &p[0].sel, KERNEL_DIR_OUT);
	assert_non_null(got);
	assert_int_equal(got->action, KERNEL_ACTION_DROP);
	assert_int_equal(got->priority, 5);
	/* replace of a missing one adds it */
	struct kernel_policy pass = policy(KERNEL_DIR_OUT, "198.51.100.0/24", "192.168.0.0/16");
	pass.action = KERNEL_ACTION_PASS;
	assert_null(kernel_replace_policy(k, &pass, &d));
	assert_int_equal(kernel_none_policy_count(k), 4);

	/* a trap is outbound only */
	struct kernel_policy trap = p[1];
	trap.action = KERNEL_ACTION_TRAP;
	assert_non_null(kernel_add_policy(k, &trap, &d));
	assert_int_equal(d.error, EINVAL);

	for (int i = 0; i < 3; i++)
		assert_null(kernel_del_policy(k, &p[i], &d));
	assert_non_null(kernel_del_policy(k, &p[1], &d));
	assert_int_equal(d.error, ENOENT);
	assert_non_null(strstr(d.text, "cannot delete in policy 203.0.113.0/24->198.51.100.0/24: No such file or directory (no such policy)"));
	assert_int_equal(kernel_none_policy_count(k), 1);
}

/* The outbound SA fails: the inbound one must not stay behind. */
static void test_pair_rollback(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 9 };
	uint32_t spi;
	assert_null(kernel_get_spi(k, &req, &spi, &d));
	struct kernel_sa in = sa_for("198.18.0.2", "198.18.0.1", spi);
	struct kernel_sa out = sa_for("198.18.0.1", "198.18.0.2", 0xabcdef01);

	kernel_none_fail(k, KERNEL_NONE_ADD_SA, 1, EPROTONOSUPPORT);   /* 2nd add fails */
	assert_non_null(kernel_add_sa_pair(k, &in, &out, &d));
	assert_int_equal(d.error, EPROTONOSUPPORT);
	CHECK(strstr(d.text, "cannot add ESP SA 0xabcdef01 198.18.0.1->198.18.0.2") != NULL, "%s", d.text);
	char want[64];
	snprintf(want, sizeof(want), "inbound SA 0x%08x removed again", spi);
	CHECK(strstr(d.text, want) != NULL, "%s", d.text);
	assert_int_equal(kernel_none_sa_count(k), 0);
	assert_int_equal(kernel_none_spi_count(k), 0);

	/* the first fails: nothing to undo, and the allocated SPI goes too */
	assert_null(kernel_get_spi(k, &req, &spi, &d));
	in.spi = spi;
	kernel_none_fail(k, KERNEL_NONE_ADD_SA, 0, EPROTONOSUPPORT);
	assert_non_null(kernel_add_sa_pair(k, &in, &out, &d));
	assert_null(strstr(d.text, "removed again"));
	assert_int_equal(kernel_none_sa_count(k) + kernel_none_spi_count(k), 0);

	/* both fine */
	assert_null(kernel_add_sa_pair(k, &in, &out, &d));
	assert_int_equal(kernel_none_sa_count(k), 2);

	/* policies: the third fails, the first two are taken back */
	struct kernel_policy p[3] = {
		policy(KERNEL_DIR_OUT, "198.51.100.0/24", "203.0.113.0/24"),
		policy(KERNEL_DIR_IN, "203.0.113.0/24", "198.51.100.0/24"),
		policy(KERNEL_DIR_FWD, "203.0.113.0/24", "198.51.100.0/24"),
	};
	kernel_none_fail(k, KERNEL_NONE_ADD_POLICY, 2, EPERM);
	assert_non_null(kernel_add_policies(k, p, 3, false, &d));
	CHECK(strstr(d.text, "cannot add fwd policy") != NULL && strstr(d.text, "2 of 2 policies") != NULL,
	      "%s", d.text);
	assert_int_equal(kernel_none_policy_count(k), 0);
	assert_null(kernel_add_policies(k, p, 3, false, &d));
	assert_int_equal(kernel_none_policy_count(k), 3);
	assert_null(kernel_add_policies(k, p, 3, true, &d));
	assert_int_equal(kernel_none_policy_count(k), 3);
}

struct seen {
	int n;
	struct kernel_event ev[4];
};

static void on_event(const struct kernel_event *ev, void *arg)
{
	struct seen *s = arg;
	if (s->n < 4)
		s->ev[s->n] = *ev;
	s->n++;
}

static void test_events(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	int fd = kernel_event_fd(k);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);

	struct kernel_sa out = sa_for("198.18.0.1", "198.18.0.2", 0x4444);
	assert_null(kernel_add_sa(k, &out, &d));
	struct kernel_event acq = { .type = KERNEL_EVENT_ACQUIRE, .reqid = 7, .proto = KERNEL_PROTO_ESP,
				    .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
				    .sel = { .src = subnet("198.51.100.7/32"), .dst = subnet("203.0.113.9/32") } };
	struct kernel_event soft = { .type = KERNEL_EVENT_EXPIRE, .spi = 0x4444, .proto = KERNEL_PROTO_ESP,
				     .src = out.src, .dst = out.dst, .hard = false };
	struct kernel_event hard = soft;
	hard.hard = true;
	kernel_none_inject_event(k, &acq);
	kernel_none_inject_event(k, &soft);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	struct seen s = { 0 };
	kernel_process_events(k, on_event, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].type, KERNEL_EVENT_ACQUIRE);
	assert_int_equal(s.ev[0].reqid, 7);
	assert_int_equal(s.ev[1].type, KERNEL_EVENT_EXPIRE);
	assert_false(s.ev[1].hard);
	assert_int_equal(kernel_none_sa_count(k), 1);   /* soft: still there */
	assert_int_equal(poll(&pfd, 1, 0), 0);

	kernel_none_inject_event(k, &hard);
	kernel_process_events(k, on_event, &s);
	assert_int_equal(s.n, 3);
	assert_true(s.ev[2].hard);
	assert_int_equal(s.ev[2].spi, 0x4444);
	assert_int_equal(kernel_none_sa_count(k), 0);   /* hard: gone */

	/* queued events are freed at shutdown (ASan watches) */
	kernel_none_inject_event(k, &acq);
}

static void dump_line(const char *text, void *arg)
{
	int *n = arg;
	(*n)++;
	print_message("  %s\n", text);
}

static void test_dump_and_shutdown(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	struct kernel_sa out = sa_for("198.18.0.1", "198.18.0.2", 0x5555);
	assert_null(kernel_add_sa(k, &out, &d));
	struct kernel_policy p = policy(KERNEL_DIR_OUT, "198.51.100.0/24", "203.0.113.0/24");
	p.action = KERNEL_ACTION_TRAP;
	assert_null(kernel_add_policy(k, &p, &d));
	int n = 0;
	kernel_none_dump(k, dump_line, &n);
	assert_int_equal(n, 2);
	/* teardown closes with things installed: no leak, no error */
}

static void count_line(const char *text, void *arg)
{
	(void)text;
	(*(int *)arg)++;
}

/* Many Child SAs, as a responder holds them: every SA and policy is found
 * by its own key (hash tables, not lists), the counts stay right through
 * deletions, and the keys that differ only in what the hash must tell
 * apart (SPI, destination, direction, prefix, ports) stay apart. */
static void test_many(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	enum { N = 3000 };
	static struct kernel_policy pol[N][3];
	static uint32_t spi_in[N];
	for (unsigned i = 0; i < N; i++) {
		char peer[32];
		snprintf(peer, sizeof(peer), "10.%u.%u.%u/32", i >> 16, (i >> 8) & 0xff, i & 0xff);
		struct kernel_spi_req req = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
					      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL,
					      .reqid = i + 1 };
		assert_null(kernel_get_spi(k, &req, &spi_in[i], &d));
		struct kernel_sa in = sa_for("198.18.0.1", "198.18.0.2", spi_in[i]);
		/* outbound SPIs of different peers may collide: other dst */
		struct kernel_sa out = sa_for("198.18.0.2", "198.18.0.1", 0x1000 + i);
		assert_null(kernel_add_sa_pair(k, &in, &out, &d));
		pol[i][0] = policy(KERNEL_DIR_OUT, "203.0.113.0/24", peer);
		pol[i][1] = policy(KERNEL_DIR_IN, peer, "203.0.113.0/24");
		pol[i][2] = policy(KERNEL_DIR_FWD, peer, "203.0.113.0/24");
		assert_null(kernel_add_policies(k, pol[i], 3, false, &d));
	}
	assert_int_equal(kernel_none_sa_count(k), 2 * N);
	assert_int_equal(kernel_none_spi_count(k), 0);
	assert_int_equal(kernel_none_policy_count(k), 3 * N);
	/* the same outbound SPI towards another destination is another SA */
	struct kernel_sa twin = sa_for("198.18.0.2", "198.18.0.3", 0x1000);
	assert_null(kernel_add_sa(k, &twin, &d));
	struct kernel_sa_id tid = kernel_sa_id_of(&twin);
	assert_int_equal(kernel_none_find_sa(k, &tid)->sa.dst.bytes[3], 3);
	assert_null(kernel_del_sa(k, &tid, &d));
	/* a wider selector and one with ports are other policies */
	struct kernel_policy wide = policy(KERNEL_DIR_OUT, "203.0.113.0/24", "10.0.0.0/31");
	assert_null(kernel_add_policy(k, &wide, &d));
	struct kernel_policy port = pol[5][0];
	port.sel.proto = 6;
	port.sel.dport = 443;
	assert_null(kernel_add_policy(k, &port, &d));
	assert_int_equal(kernel_none_policy_count(k), 3 * N + 2);
	assert_null(kernel_del_policy(k, &wide, &d));
	assert_null(kernel_del_policy(k, &port, &d));

	for (unsigned i = 0; i < N; i++) {
		struct kernel_sa_id in = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
					   .proto = KERNEL_PROTO_ESP, .spi = spi_in[i] };
		const struct kernel_none_sa *r = kernel_none_find_sa(k, &in);
		assert_non_null(r);
		assert_int_equal(r->sa.spi, spi_in[i]);
		for (int j = 0; j < 3; j++) {
			const struct kernel_policy *p = kernel_none_find_policy(k, &pol[i][j].sel, pol[i][j].dir);
			assert_non_null(p);
			assert_int_equal(p->dir, pol[i][j].dir);
			assert_true(kernel_selector_eq(&p->sel, &pol[i][j].sel));
		}
		struct kernel_policy miss = pol[i][0];
		miss.dir = KERNEL_DIR_IN;   /* out's selector, in direction: none */
		assert_null(kernel_none_find_policy(k, &miss.sel, miss.dir));
	}
	/* every other Child SA goes */
	for (unsigned i = 0; i < N; i += 2) {
		struct kernel_sa_id in = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
					   .proto = KERNEL_PROTO_ESP, .spi = spi_in[i] };
		struct kernel_sa_id out = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
					    .proto = KERNEL_PROTO_ESP, .spi = 0x1000 + i };
		assert_null(kernel_del_sa(k, &in, &d));
		assert_null(kernel_del_sa(k, &out, &d));
		for (int j = 0; j < 3; j++)
			assert_null(kernel_del_policy(k, &pol[i][j], &d));
	}
	assert_int_equal(kernel_none_sa_count(k), N);
	assert_int_equal(kernel_none_policy_count(k), 3 * N / 2);
	for (unsigned i = 0; i < N; i++) {
		bool kept = i % 2 == 1;
		const struct kernel_policy *p = kernel_none_find_policy(k, &pol[i][1].sel, KERNEL_DIR_IN);
		assert_true((p != NULL) == kept);
		struct kernel_sa_id out = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
					    .proto = KERNEL_PROTO_ESP, .spi = 0x1000 + i };
		assert_true((kernel_none_find_sa(k, &out) != NULL) == kept);
	}
	int n = 0;
	kernel_none_dump(k, count_line, &n);
	assert_int_equal(n, N + 3 * N / 2);
	/* teardown frees the rest (ASan watches) */
}

static void test_ipv6(void **state)
{
	struct kernel *k = *state;
	struct kernel_diag d = { 0 };
	struct kernel_sa sa = sa_for("2001:db8::1", "2001:db8::2", 0x6666);
	sa.sel.src = subnet("2001:db8:1::/48");
	sa.sel.dst = subnet("2001:db8:2::/48");
	assert_null(kernel_add_sa(k, &sa, &d));
	struct kernel_sa_id id = kernel_sa_id_of(&sa);
	assert_non_null(kernel_none_find_sa(k, &id));
	struct kernel_sa_id wrong = id;
	wrong.dst = addr("2001:db8::3");
	assert_null(kernel_none_find_sa(k, &wrong));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test_setup_teardown(test_spi_and_sa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
