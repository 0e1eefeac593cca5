/* ipsec auto: the operation table, argument parsing, the requests built
 * from a configuration written to a temporary directory (compared with
 * what the compiler resolves, key by key), and the exit statuses against
 * a small in-test pluto answering on an AF_UNIX socket (a thread). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

/* the program's code, without its main() */
#include "../../programs/auto/client.c"
#include "../../programs/auto/auto_ops.c"

/* ---- helpers ---- */

static char tmpdir[64];

static void write_file(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *tmp_path(const char *rel)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, rel);
	return p;
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cygnet-auto-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Runs auto_parse on a space-separated command line (no quoting). */
struct captured {
	char *out, *err;
	size_t out_len, err_len;
	FILE *o, *e;
};

static void cap_open(struct captured *c)
{
	*c = (struct captured){ 0 };
	c->o = open_memstream(&c->out, &c->out_len);
	c->e = open_memstream(&c->err, &c->err_len);
}

static void cap_close(struct captured *c)
{
	fclose(c->o);
	fclose(c->e);
}

static void cap_free(struct captured *c)
{
	free(c->out);
	free(c->err);
}

static int parse_line(const char *line, struct auto_args *a, struct captured *c)
{
	static char buf[512];
	static char *argv[32];
	snprintf(buf, sizeof(buf), "%s", line);
	int argc = 0;
	argv[argc++] = (char *)"auto";
	for (char *t = strtok(buf, " "); t != NULL; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	cap_open(c);
	int rc = auto_parse(argc, argv, a, c->o, c->e);
	cap_close(c);
	return rc;
}

/* ---- the table ---- */

static void test_op_table(void **state)
{
	(void)state;
	assert_true(auto_ops_len >= 11);
	for (size_t i = 0; i < auto_ops_len; i++) {
		const struct auto_op *op = &auto_ops[i];
		const struct whack_command_desc *d = whack_command_by_code(op->cmd);
		assert_non_null(d);
		/* the name rule is the protocol's */
		assert_int_equal(op->name_use, d->name_use);
		/* only the commands carrying keywords read the configuration */
		assert_int_equal(op->needs_config, d->takes_conn);
		assert_ptr_equal(auto_op_by_name(op->name), op);
		assert_true(strlen(op->help) > 0);
		assert_true(op->help[strlen(op->help) - 1] != '.');
		for (size_t j = i + 1; j < auto_ops_len; j++)
			assert_string_not_equal(op->name, auto_ops[j].name);
	}
	assert_null(auto_op_by_name("nosuch"));
	/* the Openswan spellings */
	static const struct { const char *name; enum whack_command cmd; } want[] = {
		{ "add", WHACK_ADD }, { "delete", WHACK_DELETE }, { "replace", WHACK_REPLACE },
		{ "up", WHACK_INITIATE }, { "down", WHACK_TERMINATE }, { "route", WHACK_ROUTE },
		{ "unroute", WHACK_UNROUTE }, { "status", WHACK_STATUS },
		{ "rereadsecrets", WHACK_REREADSECRETS }, { "ready", WHACK_LISTEN },
		{ "listen", WHACK_LISTEN },
		/* libreswan's */
		{ "start", WHACK_INITIATE }, { "ondemand", WHACK_ROUTE },
		{ "rereadall", WHACK_REREADSECRETS }, { "listall", WHACK_LISTALL },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct auto_op *op = auto_op_by_name(want[i].name);
		assert_non_null(op);
		assert_int_equal(op->cmd, want[i].cmd);
	}
}

static void test_help(void **state)
{
	(void)state;
	struct auto_args a;
	struct captured c;
	assert_int_equal(parse_line("--help", &a, &c), -1);
	assert_non_null(strstr(c.out, "SYNOPSIS"));
	assert_non_null(strstr(c.out, "EXIT STATUS"));
	for (size_t i = 0; i < auto_ops_len; i++) {
		char want[64];
		snprintf(want, sizeof(want), "    --%s", auto_ops[i].name);
		assert_non_null(strstr(c.out, want));
	}
	/* fits a terminal */
	for (char *l = c.out; *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 79)
			fail_msg("help line longer than 79 columns: %.*s", (int)n, l);
		l += n + (l[n] == '\n');
	}
	assert_string_equal(c.err, "");
	cap_free(&c);
}

/* ---- parsing ---- */

static void test_parse_ok(void **state)
{
	(void)state;
	struct auto_args a;
	struct captured c;

	assert_int_equal(parse_line("--add west", &a, &c), 0);
	assert_string_equal(a.op->name, "add");
	assert_string_equal(a.name, "west");
	assert_string_equal(a.config, IPSEC_SYSCONFDIR "/ipsec.conf");
	assert_string_equal(a.ctl, WHACK_CTL_PATH);
	assert_false(a.async || a.json || a.showonly);
	auto_args_free(&a);
	cap_free(&c);

	/* options after the name, as getopt permutes */
	assert_int_equal(parse_line("west --up --asynchronous --rundir /r", &a, &c), 0);
	assert_int_equal(a.op->cmd, WHACK_INITIATE);
	assert_string_equal(a.name, "west");
	assert_true(a.async);
	assert_string_equal(a.ctl, "/r/pluto.ctl");
	auto_args_free(&a);
	cap_free(&c);

	assert_int_equal(parse_line("--status --json --ctlsocket /s.ctl", &a, &c), 0);
	assert_int_equal(a.op->cmd, WHACK_STATUS);
	assert_null(a.name);
	assert_true(a.json);
	assert_string_equal(a.ctl, "/s.ctl");
	auto_args_free(&a);
	cap_free(&c);

	assert_int_equal(parse_line("--status one --config /x.conf --showonly", &a, &c), 0);
	assert_string_equal(a.name, "one");
	assert_string_equal(a.config, "/x.conf");
	assert_true(a.showonly);
	auto_args_free(&a);
	cap_free(&c);

	/* the same operation twice is still one operation */
	assert_int_equal(parse_line("--ready --ready", &a, &c), 0);
	assert_int_equal(a.op->cmd, WHACK_LISTEN);
	auto_args_free(&a);
	cap_free(&c);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *line, *msg; } cases[] = {
		{ "", "no operation given" },
		{ "west", "no operation given" },
		{ "--add", "--add needs a conn name" },
		{ "--up a --down", "give one operation, not --up and --down" },
		{ "--add a b", "'b' is one too many" },
		{ "--rereadsecrets x", "--rereadsecrets takes no conn name" },
		{ "--listen x", "--listen takes no conn name" },
		{ "--up x --json", "--json goes with --status" },
		{ "--status --rundir /r --ctlsocket /s", "not both" },
		{ "--frobnicate", "unknown option '--frobnicate'" },
		{ "--status --config", "--config needs an argument" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auto_args a;
		struct captured c;
		int rc = parse_line(cases[i].line, &a, &c);
		if (rc != 2 || strstr(c.err, cases[i].msg) == NULL)
			fail_msg("'%s': status %d, message '%s' (want '%s')", cases[i].line, rc,
				 c.err, cases[i].msg);
		/* one line */
		assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));
		assert_string_equal(c.out, "");
		cap_free(&c);
	}
}

/* ---- building ---- */

static const char small_conf[] =
	"version 2\n"
	"\n"
	"config setup\n"
	"\tuniqueids=no\n"
	"\n"
	"conn %default\n"
	"\tkeyingtries=3\n"
	"\tikelifetime=2h\n"
	"\n"
	"conn base\n"
	"\tauthby=secret\n"
	"\tleftid=@west\n"
	"\tauto=ignore\n"
	"\n"
	"conn west-east\n"
	"\talso=base\n"
	"\tleft=192.0.2.1\n"
	"\tright=192.0.2.2\n"
	"\trightid=@east\n"
	"\tikelifetime=\n"
	"\n"
	"conn other\n"
	"\tleft=192.0.2.9\n"
	"\tright=192.0.2.10\n"
	"\ttype=transport\n"
	"\n"
	"conn broken\n"
	"\tleft=192.0.2.1\n"
	"\n"
	"conn many\n"
	"\tleft=192.0.2.1\n"
	"\tright=192.0.2.2\n"
	"\tleftsubnets={10.0.1.0/24 10.0.2.0/24}\n"
	"\trightsubnet=10.9.0.0/16\n"
	"\n"
	"conn branches\n"
	"\tleft=192.0.2.1\n"
	"\tright=%group\n"
	"\tauto=route\n"
	"\n"
	"conn empty\n"
	"\tleft=192.0.2.1\n"
	"\tright=%group\n";

static void write_small_conf(void)
{
	write_file("ipsec.conf", small_conf);
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/ipsec.d", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/ipsec.d/policy", tmpdir);
	mkdir(dir, 0755);
	write_file("ipsec.d/policy/branches", "10.1.0.0/16\n# a comment\n10.2.0.0/16\n");
	write_file("ipsec.d/policy/empty", "# nobody\n");
}

/* What the compiler resolves, collected independently of client.c. */
struct collected {
	char names[8][64];
	char kv[8][64][160];
	size_t n_kv[8];
	size_t n;
};

static void collect(const struct resolved *r, void *arg)
{
	struct collected *c = arg;
	if (r->type != SECT_CONN || r->group || c->n == 8)
		return;
	snprintf(c->names[c->n], 64, "%s", r->name);
	for (size_t i = 0; i < r->n_kv && i < 64; i++)
		snprintf(c->kv[c->n][i], 160, "%s=%s", r->kv[i].key, r->kv[i].value);
	c->n_kv[c->n] = r->n_kv;
	c->n++;
}

static void resolve_directly(const char *name, struct collected *c)
{
	memset(c, 0, sizeof(*c));
	struct diags d = { 0 };
	struct ipsecconf *conf = ipsecconf_load_file(tmp_path("ipsec.conf"),
						     &(struct ipsecconf_options){ 0 }, &d);
	assert_true(ipsecconf_walk_conn(conf, name, collect, c, &d));
	ipsecconf_free(conf);
	diags_free(&d);
}

/* Parses "OPTIONS", builds the plan with --config pointing at the temp
 * config. */
static int build_line(const char *line, struct auto_plan *p, struct captured *c)
{
	char full[512];
	snprintf(full, sizeof(full), "--config %s %s", tmp_path("ipsec.conf"), line);
	struct auto_args a;
	struct captured pc;
	int rc = parse_line(full, &a, &pc);
	cap_free(&pc);
	assert_int_equal(rc, 0);
	cap_open(c);
	rc = auto_build(&a, p, c->o, c->e);
	diags_print(&p->d, c->e);
	cap_close(c);
	auto_args_free(&a);
	return rc;
}

static void assert_msg_matches(const struct whack_msg *m, enum whack_command cmd,
			       const struct collected *c, size_t i)
{
	assert_int_equal(m->command, cmd);
	assert_string_equal(m->name, c->names[i]);
	assert_int_equal(m->conn.n, c->n_kv[i]);
	for (size_t k = 0; k < m->conn.n; k++) {
		char kv[160];
		snprintf(kv, sizeof(kv), "%s=%s", m->conn.v[k].key, m->conn.v[k].value);
		assert_string_equal(kv, c->kv[i][k]);
	}
	assert_int_equal(m->options.n, 0);
	assert_int_equal(m->flags, 0);
	assert_null(whack_msg_check(m));
}

static void test_add_sends_exactly_the_resolved_keys(void **state)
{
	(void)state;
	write_small_conf();
	struct auto_plan p;
	struct captured c;
	assert_int_equal(build_line("--add west-east", &p, &c), 0);
	assert_int_equal(p.msgs.n, 1);
	struct collected want;
	resolve_directly("west-east", &want);
	assert_int_equal(want.n, 1);
	assert_msg_matches(&p.msgs.v[0], WHACK_ADD, &want, 0);

	/* and, spelled out: also= and %default applied (auto=ignore from the
	 * fragment too: --add loads a conn whatever its auto=), the emptied
	 * key back to its default (not sent), nothing from other conns or
	 * config setup, no built-in defaults, no also= itself */
	const struct whack_msg *m = &p.msgs.v[0];
	static const char *const keys[][2] = {
		{ "left", "192.0.2.1" }, { "leftid", "@west" }, { "right", "192.0.2.2" },
		{ "rightid", "@east" }, { "auto", "ignore" }, { "authby", "secret" },
		{ "keyingtries", "3" },
	};
	assert_int_equal(m->conn.n, sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = whack_kvs_get(&m->conn, keys[i][0]);
		if (v == NULL)
			fail_msg("key %s not sent", keys[i][0]);
		assert_string_equal(v, keys[i][1]);
	}
	assert_null(whack_kvs_get(&m->conn, "ikelifetime"));
	assert_null(whack_kvs_get(&m->conn, "also"));
	assert_null(whack_kvs_get(&m->conn, "type"));
	assert_null(whack_kvs_get(&m->conn, "uniqueids"));
	/* the broken conn elsewhere in the file is not resolved, so not
	 * reported */
	assert_int_equal(p.d.errors, 0);
	assert_string_equal(c.err, "");
	auto_plan_free(&p);
	cap_free(&c);
}

static void test_add_instances(void **state)
{
	(void)state;
	write_small_conf();
	struct auto_plan p;
	struct captured c;

	assert_int_equal(build_line("--add many", &p, &c), 0);
	struct collected want;
	resolve_directly("many", &want);
	assert_int_equal(p.msgs.n, 2);
	assert_int_equal(want.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_msg_matches(&p.msgs.v[i], WHACK_ADD, &want, i);
	assert_string_equal(p.msgs.v[0].name, "many/1x0");
	assert_string_equal(whack_kvs_get(&p.msgs.v[1].conn, "leftsubnet"), "10.0.2.0/24");
	auto_plan_free(&p);
	cap_free(&c);

	/* a policy group: its instances, never the template */
	assert_int_equal(build_line("--add branches", &p, &c), 0);
	resolve_directly("branches", &want);
	assert_int_equal(p.msgs.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_msg_matches(&p.msgs.v[i], WHACK_ADD, &want, i);
	assert_string_equal(p.msgs.v[0].name, "branches#10.1.0.0/16");
	assert_string_equal(p.msgs.v[1].name, "branches#10.2.0.0/16");
	assert_string_equal(whack_kvs_get(&p.msgs.v[1].conn, "rightsubnet"), "10.2.0.0/16");
	for (size_t i = 0; i < 2; i++)
		assert_string_not_equal(whack_kvs_get(&p.msgs.v[i].conn, "right"), "%group");
	auto_plan_free(&p);
	cap_free(&c);

	/* an empty group: nothing to send, said so, not an error */
	assert_int_equal(build_line("--add empty", &p, &c), 0);
	assert_int_equal(p.msgs.n, 0);
	assert_non_null(strstr(c.out, "policy group without instances"));
	auto_plan_free(&p);
	cap_free(&c);
}

static void test_replace_carries_the_conn(void **state)
{
	(void)state;
	write_small_conf();
	struct auto_plan p;
	struct captured c;
	assert_int_equal(build_line("--replace other", &p, &c), 0);
	struct collected want;
	resolve_directly("other", &want);
	assert_int_equal(p.msgs.n, 1);
	assert_msg_matches(&p.msgs.v[0], WHACK_REPLACE, &want, 0);
	assert_string_equal(whack_kvs_get(&p.msgs.v[0].conn, "type"), "transport");
	auto_plan_free(&p);
	cap_free(&c);

	/* instances: the first request names the conn, so that pluto also
	 * deletes instances that have left the configuration */
	assert_int_equal(build_line("--replace many", &p, &c), 0);
	assert_int_equal(p.msgs.n, 2);
	assert_int_equal(p.msgs.v[0].command, WHACK_REPLACE);
	assert_string_equal(p.msgs.v[0].name, "many/1x0");
	assert_string_equal(whack_kvs_get(&p.msgs.v[0].options, "replaces"), "many");
	assert_int_equal(p.msgs.v[1].options.n, 0);
	auto_plan_free(&p);
	cap_free(&c);
}

static void test_add_errors(void **state)
{
	(void)state;
	write_small_conf();
	struct auto_plan p;
	struct captured c;

	assert_int_equal(build_line("--add nosuch", &p, &c), 2);
	assert_int_equal(p.msgs.n, 0);
	assert_non_null(strstr(c.err, "no conn named 'nosuch'"));
	/* the file is named in the message (it outlives the printing) */
	assert_non_null(strstr(c.err, "ipsec.conf"));
	auto_plan_free(&p);
	cap_free(&c);

	/* a conn that does not resolve: nothing sent, FILE:LINE:COL given */
	assert_int_equal(build_line("--add broken", &p, &c), 2);
	assert_int_equal(p.msgs.n, 0);
	assert_non_null(strstr(c.err, "ipsec.conf:27:1: error: conn broken"));
	auto_plan_free(&p);
	cap_free(&c);

	/* no configuration at all */
	struct auto_args a;
	struct captured pc;
	assert_int_equal(parse_line("--config /nonexistent/ipsec.conf --add x", &a, &pc), 0);
	cap_free(&pc);
	cap_open(&c);
	assert_int_equal(auto_run(&a, c.o, c.e), 2);
	cap_close(&c);
	assert_non_null(strstr(c.err, "/nonexistent/ipsec.conf"));
	auto_args_free(&a);
	cap_free(&c);
}

static void test_ops_without_config(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		enum whack_command cmd;
		const char *name;
		uint32_t flags;
		const char *json;
	} cases[] = {
		{ "--delete x", WHACK_DELETE, "x", 0, NULL },
		{ "--up x", WHACK_INITIATE, "x", 0, NULL },
		{ "--up x --asynchronous", WHACK_INITIATE, "x", WHACK_FLAG_ASYNC, NULL },
		{ "--down x --asynchronous", WHACK_TERMINATE, "x", 0, NULL },
		{ "--route x", WHACK_ROUTE, "x", 0, NULL },
		{ "--unroute x", WHACK_UNROUTE, "x", 0, NULL },
		{ "--status", WHACK_STATUS, NULL, 0, NULL },
		{ "--status x --json", WHACK_STATUS, "x", 0, "yes" },
		{ "--rereadsecrets", WHACK_REREADSECRETS, NULL, 0, NULL },
		{ "--ready", WHACK_LISTEN, NULL, 0, NULL },
		{ "--listen", WHACK_LISTEN, NULL, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auto_args a;
		struct captured c;
		/* the configuration is not read: a missing one does not matter */
		char line[128];
		snprintf(line, sizeof(line), "--config /nonexistent %s", cases[i].line);
		assert_int_equal(parse_line(line, &a, &c), 0);
		cap_free(&c);
		struct auto_plan p;
		cap_open(&c);
		assert_int_equal(auto_build(&a, &p, c.o, c.e), 0);
		cap_close(&c);
		assert_int_equal(p.d.n, 0);
		assert_int_equal(p.msgs.n, 1);
		const struct whack_msg *m = &p.msgs.v[0];
		assert_int_equal(m->command, cases[i].cmd);
		if (cases[i].name == NULL)
			assert_null(m->name);
		else
			assert_string_equal(m->name, cases[i].name);
		assert_int_equal(m->flags, cases[i].flags);
		assert_int_equal(m->conn.n, 0);
		assert_int_equal(m->options.n, cases[i].json ? 1 : 0);
		if (cases[i].json)
			assert_string_equal(whack_kvs_get(&m->options, "json"), cases[i].json);
		auto_plan_free(&p);
		auto_args_free(&a);
		cap_free(&c);
	}
}

static void test_invalid_name_is_a_usage_error(void **state)
{
	(void)state;
	char *argv[] = { (char *)"auto", (char *)"--delete", (char *)"a\tb",
			 (char *)"--ctlsocket", (char *)"/nonexistent/pluto.ctl", NULL };
	struct auto_args a;
	struct captured c;
	cap_open(&c);
	assert_int_equal(auto_parse(5, argv, &a, c.o, c.e), 0);
	/* reported as such even though pluto cannot be reached */
	assert_int_equal(auto_run(&a, c.o, c.e), 2);
	cap_close(&c);
	assert_non_null(strstr(c.err, "control character"));
	assert_null(strstr(c.err, "cannot connect"));
	auto_args_free(&a);
	cap_free(&c);
}

static void test_showonly(void **state)
{
	(void)state;
	write_small_conf();
	/* an error the loader finds elsewhere in the file: west-east is still
	 * sent (shown here), and the exit status says something failed */
	char *conf = NULL;
	assert_true(asprintf(&conf, "%sconn typo\n\tleft=192.0.2.1\n\tright=192.0.2.2\n"
			     "\tlefsubnet=10.0.0.0/8\n", small_conf) > 0);
	write_file("ipsec.conf", conf);
	free(conf);
	char line[256];
	snprintf(line, sizeof(line), "--config %s --showonly --add west-east", tmp_path("ipsec.conf"));
	struct auto_args a;
	struct captured c;
	assert_int_equal(parse_line(line, &a, &c), 0);
	cap_free(&c);
	cap_open(&c);
	assert_int_equal(auto_run(&a, c.o, c.e), 2);
	cap_close(&c);
	assert_string_equal(c.out,
			    "add west-east\n"
			    "\tleft=192.0.2.1\n"
			    "\tleftid=@west\n"
			    "\tright=192.0.2.2\n"
			    "\trightid=@east\n"
			    "\tauto=ignore\n"
			    "\tauthby=secret\n"
			    "\tkeyingtries=3\n");
	assert_non_null(strstr(c.err, "ipsec.conf:47:2: error: unknown keyword 'lefsubnet'"));
	auto_args_free(&a);
	cap_free(&c);
}

/* ---- against an in-test pluto ---- */

struct fake_reply {
	const char *lines[4];
	const char *json;
	int status;
	bool hang_up;     /* close without a status */
};

struct fake {
	char path[108];
	int lfd;
	pthread_t th;
	const struct fake_reply *script;   /* one per connection */
	size_t n_script;
	struct whack_msg got[8];
	size_t n_got;
};

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	for (size_t i = 0; i < f->n_script; i++) {
		int fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			break;
		char err[WHACK_ERR_BUF];
		if (whack_read_request(fd, WHACK_MSG_MAX, &f->got[f->n_got], err) == 0)
			f->n_got++;
		const struct fake_reply *r = &f->script[i];
		for (size_t k = 0; k < 4 && r->lines[k] != NULL; k++)
			whack_reply_line(fd, r->lines[k]);
		if (r->json != NULL)
			whack_reply_json(fd, r->json);
		if (!r->hang_up)
			whack_reply_status(fd, r->status);
		close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f, const struct fake_reply *script, size_t n)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s/pluto.ctl", tmpdir);
	unlink(f->path);
	f->script = script;
	f->n_script = n;
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_serve, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);   /* wakes a thread still in accept() */
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->n_got; i++)
		whack_msg_free(&f->got[i]);
	f->n_got = 0;
}

/* Runs `ipsec auto --rundir TMPDIR LINE`; returns the exit status. */
static int run_line(const char *line, struct captured *c)
{
	char full[512];
	snprintf(full, sizeof(full), "--rundir %s --config %s %s", tmpdir,
		 tmp_path("ipsec.conf"), line);
	struct auto_args a;
	struct captured pc;
	assert_int_equal(parse_line(full, &a, &pc), 0);
	cap_free(&pc);
	cap_open(c);
	int rc = auto_run(&a, c->o, c->e);
	cap_close(c);
	auto_args_free(&a);
	return rc;
}

static void test_up_prints_progress_and_exits_with_plutos_status(void **state)
{
	(void)state;
	write_small_conf();
	struct fake f;
	struct captured c;

	static const struct fake_reply ok[] = {
		{ { "initiating IKE SA", "IKE SA established", "Child SA established" }, NULL, 0, false },
	};
	fake_start(&f, ok, 1);
	assert_int_equal(run_line("--up west-east", &c), 0);
	fake_stop(&f);
	assert_int_equal(f.got[0].flags, 0);
	fake_free(&f);
	assert_string_equal(c.out, "initiating IKE SA\nIKE SA established\nChild SA established\n");
	assert_string_equal(c.err, "");
	cap_free(&c);

	static const struct fake_reply failed[] = {
		{ { "initiating IKE SA", "AUTHENTICATION_FAILED from peer" }, NULL, 10, false },
	};
	fake_start(&f, failed, 1);
	assert_int_equal(run_line("--up west-east --asynchronous", &c), 10);
	fake_stop(&f);
	assert_int_equal(f.n_got, 1);
	assert_int_equal(f.got[0].command, WHACK_INITIATE);
	assert_int_equal(f.got[0].flags, WHACK_FLAG_ASYNC);
	assert_string_equal(f.got[0].name, "west-east");
	fake_free(&f);
	assert_non_null(strstr(c.out, "AUTHENTICATION_FAILED"));
	cap_free(&c);

	/* a silent refusal still gets a line */
	static const struct fake_reply silent[] = { { { NULL }, NULL, 3, false } };
	fake_start(&f, silent, 1);
	assert_int_equal(run_line("--down west-east", &c), 3);
	fake_stop(&f);
	fake_free(&f);
	assert_non_null(strstr(c.err, "pluto answered status 3 to --down west-east"));
	cap_free(&c);

	/* pluto going away mid-answer is "cannot be reached" */
	static const struct fake_reply cut[] = { { { "working" }, NULL, 0, true } };
	fake_start(&f, cut, 1);
	assert_int_equal(run_line("--up west-east", &c), 1);
	fake_stop(&f);
	fake_free(&f);
	assert_non_null(strstr(c.err, f.path));
	cap_free(&c);
}

static void test_status_json(void **state)
{
	(void)state;
	write_small_conf();
	struct fake f;
	struct captured c;
	static const struct fake_reply js[] = {
		{ { NULL }, "{\"conns\": [], \"ike_sas\": []}", 0, false },
	};
	fake_start(&f, js, 1);
	assert_int_equal(run_line("--status --json", &c), 0);
	fake_stop(&f);
	assert_int_equal(f.n_got, 1);
	assert_int_equal(f.got[0].command, WHACK_STATUS);
	assert_null(f.got[0].name);
	assert_string_equal(whack_kvs_get(&f.got[0].options, "json"), "yes");
	fake_free(&f);
	assert_string_equal(c.out, "{\"conns\": [], \"ike_sas\": []}\n");
	cap_free(&c);
}

static void test_add_sends_every_instance(void **state)
{
	(void)state;
	write_small_conf();
	struct fake f;
	struct captured c;
	/* the first instance is refused, the second still goes; the status
	 * is the first failure */
	static const struct fake_reply script[] = {
		{ { "branches#10.1.0.0/16: refused" }, NULL, 4, false },
		{ { "added branches#10.2.0.0/16" }, NULL, 0, false },
	};
	fake_start(&f, script, 2);
	assert_int_equal(run_line("--add branches", &c), 4);
	fake_stop(&f);
	assert_int_equal(f.n_got, 2);
	assert_int_equal(f.got[0].command, WHACK_ADD);
	assert_string_equal(f.got[0].name, "branches#10.1.0.0/16");
	assert_string_equal(f.got[1].name, "branches#10.2.0.0/16");
	assert_string_equal(whack_kvs_get(&f.got[1].conn, "rightsubnet"), "10.2.0.0/16");
	fake_free(&f);
	assert_string_equal(c.out, "branches#10.1.0.0/16: refused\nadded branches#10.2.0.0/16\n");
	cap_free(&c);
}

static void test_unreachable(void **state)
{
	(void)state;
	write_small_conf();
	struct captured c;
	assert_int_equal(run_line("--status", &c), 1);
	/* one line naming the socket */
	char want[200];
	snprintf(want, sizeof(want), "auto: cannot connect to pluto at %s/pluto.ctl: ", tmpdir);
	assert_non_null(strstr(c.err, want));
	assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));
	cap_free(&c);

	/* --add: stops at the first unreachable request */
	assert_int_equal(run_line("--add many", &c), 1);
	assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));
	cap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_table),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_add_sends_exactly_the_resolved_keys, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_add_instances, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_replace_carries_the_conn, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_add_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_ops_without_config),
		cmocka_unit_test(test_invalid_name_is_a_usage_error),
		cmocka_unit_test_setup_teardown(test_showonly, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_up_prints_progress_and_exits_with_plutos_status, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_status_json, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_add_sends_every_instance, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_unreachable, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
