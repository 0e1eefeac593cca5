/* ipsec whack: the verb table, argument parsing, the request each verb
 * builds, and the exit statuses against a small in-test pluto answering
 * on an AF_UNIX socket (a thread). */
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
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

/* the program's code, without its main() */
#include "../../programs/auto/client.c"
#include "../../programs/whack/whack_verbs.c"

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

/* whackcli_parse on a space-separated command line (no quoting). */
static int parse_line(const char *line, struct whackcli_args *a, struct captured *c)
{
	static char buf[512];
	static char *argv[32];
	snprintf(buf, sizeof(buf), "%s", line);
	int argc = 0;
	argv[argc++] = (char *)"whack";
	for (char *t = strtok(buf, " "); t != NULL; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	cap_open(c);
	int rc = whackcli_parse(argc, argv, a, c->o, c->e);
	cap_close(c);
	return rc;
}

static void test_verb_table(void **state)
{
	(void)state;
	/* the Openswan/libreswan spellings, and ping */
	static const struct { const char *option; enum whack_command cmd; } want[] = {
		{ "initiate", WHACK_INITIATE }, { "terminate", WHACK_TERMINATE },
		{ "delete", WHACK_DELETE }, { "route", WHACK_ROUTE },
		{ "unroute", WHACK_UNROUTE }, { "status", WHACK_STATUS },
		{ "rereadsecrets", WHACK_REREADSECRETS }, { "listen", WHACK_LISTEN },
		{ "shutdown", WHACK_SHUTDOWN }, { "ping", WHACK_PING },
		{ "ddos-busy", WHACK_DDOS_BUSY }, { "ddos-unlimited", WHACK_DDOS_UNLIMITED },
		{ "ddos-auto", WHACK_DDOS_AUTO }, { "rekey-ike", WHACK_REKEY_IKE },
		{ "rekey-child", WHACK_REKEY_CHILD }, { "rekey-ipsec", WHACK_REKEY_CHILD },
		{ "trafficstatus", WHACK_TRAFFICSTATUS }, { "globalstatus", WHACK_GLOBALSTATUS },
		{ "metrics", WHACK_METRICS }, { "debug", WHACK_DEBUG },
		{ "reopenlogs", WHACK_REOPENLOGS }, { "listall", WHACK_LISTALL },
		{ "rereadcrls", WHACK_REREADCRLS },
	};
	assert_int_equal(whack_verbs_len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct whack_verb *v = whack_verb_by_option(want[i].option);
		assert_non_null(v);
		assert_int_equal(v->cmd, want[i].cmd);
		/* every verb is a protocol command with a help line */
		const struct whack_command_desc *d = whack_command_by_code(v->cmd);
		assert_non_null(d);
		assert_true(strlen(d->help) > 0);
		/* whack does not describe conns: that is auto's job */
		assert_false(d->takes_conn);
	}
	assert_null(whack_verb_by_option("add"));
	assert_null(whack_verb_by_option("nosuch"));
}

static void test_help(void **state)
{
	(void)state;
	struct whackcli_args a;
	struct captured c;
	assert_int_equal(parse_line("--help", &a, &c), -1);
	assert_non_null(strstr(c.out, "SYNOPSIS"));
	assert_non_null(strstr(c.out, "EXIT STATUS"));
	assert_non_null(strstr(c.out, "--initiate --name N"));
	assert_non_null(strstr(c.out, "--status [--name N]"));
	for (size_t i = 0; i < whack_verbs_len; i++) {
		char want[64];
		snprintf(want, sizeof(want), "    --%s", whack_verbs[i].option);
		assert_non_null(strstr(c.out, want));
	}
	for (char *l = c.out; *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 79)
			fail_msg("help line longer than 79 columns: %.*s", (int)n, l);
		l += n + (l[n] == '\n');
	}
	cap_free(&c);
}

static void test_build_every_verb(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		enum whack_command cmd;
		const char *name;
		uint32_t flags;
		bool json;
	} cases[] = {
		{ "--name a --initiate", WHACK_INITIATE, "a", 0, false },
		{ "--initiate --name a --asynchronous", WHACK_INITIATE, "a", WHACK_FLAG_ASYNC, false },
		{ "--name a --terminate --asynchronous", WHACK_TERMINATE, "a", 0, false },
		{ "--name a --delete", WHACK_DELETE, "a", 0, false },
		{ "--name a --route", WHACK_ROUTE, "a", 0, false },
		{ "--name a --unroute", WHACK_UNROUTE, "a", 0, false },
		{ "--status", WHACK_STATUS, NULL, 0, false },
		{ "--status --json", WHACK_STATUS, NULL, 0, true },
		{ "--status --name a", WHACK_STATUS, "a", 0, false },
		{ "--rereadsecrets", WHACK_REREADSECRETS, NULL, 0, false },
		{ "--listen", WHACK_LISTEN, NULL, 0, false },
		{ "--shutdown", WHACK_SHUTDOWN, NULL, 0, false },
		{ "--ping", WHACK_PING, NULL, 0, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct whackcli_args a;
		struct captured c;
		int rc = parse_line(cases[i].line, &a, &c);
		if (rc != 0)
			fail_msg("'%s': %s", cases[i].line, c.err);
		cap_free(&c);
		assert_string_equal(a.ctl, WHACK_CTL_PATH);
		struct whack_msg m;
		whackcli_build(&a, &m);
		assert_int_equal(m.command, cases[i].cmd);
		if (cases[i].name == NULL)
			assert_null(m.name);
		else
			assert_string_equal(m.name, cases[i].name);
		assert_int_equal(m.flags, cases[i].flags);
		assert_int_equal(m.conn.n, 0);
		assert_int_equal(m.options.n, cases[i].json ? 1 : 0);
		if (cases[i].json)
			assert_string_equal(whack_kvs_get(&m.options, "json"), "yes");
		assert_null(whack_msg_check(&m));
		whack_msg_free(&m);
		whackcli_args_free(&a);
	}
}

/* a verb with an argument sends it as the option of its name */
static void test_verb_argument(void **state)
{
	(void)state;
	struct whackcli_args a;
	struct captured c;
	assert_int_equal(parse_line("--debug control,crypt", &a, &c), 0);
	struct whack_msg m;
	whackcli_build(&a, &m);
	assert_int_equal(m.command, WHACK_DEBUG);
	assert_int_equal(m.options.n, 1);
	assert_string_equal(whack_kvs_get(&m.options, "debug"), "control,crypt");
	assert_null(whack_msg_check(&m));
	whack_msg_free(&m);
	whackcli_args_free(&a);
	cap_free(&c);
	assert_int_equal(parse_line("--debug", &a, &c), 2);
	assert_non_null(strstr(c.err, "--debug needs an argument"));
	cap_free(&c);
	assert_int_equal(parse_line("--listall", &a, &c), 0);
	whackcli_build(&a, &m);
	assert_int_equal(m.options.n, 0);
	whack_msg_free(&m);
	whackcli_args_free(&a);
	cap_free(&c);
}

static void test_socket_options(void **state)
{
	(void)state;
	struct whackcli_args a;
	struct captured c;
	assert_int_equal(parse_line("--ping --rundir /tmp/r", &a, &c), 0);
	assert_string_equal(a.ctl, "/tmp/r/pluto.ctl");
	whackcli_args_free(&a);
	cap_free(&c);
	assert_int_equal(parse_line("--ctlsocket /x/y.ctl --ping", &a, &c), 0);
	assert_string_equal(a.ctl, "/x/y.ctl");
	whackcli_args_free(&a);
	cap_free(&c);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *line, *msg; } cases[] = {
		{ "", "no verb given" },
		{ "--name a", "no verb given" },
		{ "--initiate", "--initiate needs --name NAME" },
		{ "--delete", "--delete needs --name NAME" },
		{ "--name a --shutdown", "--shutdown takes no --name" },
		{ "--name a --ping", "--ping takes no --name" },
		{ "--ping --listen", "give one verb, not --ping and --listen" },
		{ "--name a --name b --route", "one --name only" },
		{ "--name a --initiate --json", "--json goes with --status" },
		{ "--status --rundir /r --ctlsocket /s", "not both" },
		{ "--status a", "unexpected argument 'a'" },
		{ "--add", "unknown option '--add'" },
		{ "--status --name", "--name needs an argument" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct whackcli_args a;
		struct captured c;
		int rc = parse_line(cases[i].line, &a, &c);
		if (rc != 2 || strstr(c.err, cases[i].msg) == NULL)
			fail_msg("'%s': status %d, message '%s' (want '%s')", cases[i].line, rc,
				 c.err, cases[i].msg);
		assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));
		cap_free(&c);
	}
	/* a name the protocol refuses is a usage error, found before sending */
	char *argv[] = { (char *)"whack", (char *)"--name", (char *)"a\nb",
			 (char *)"--delete", NULL };
	struct whackcli_args a;
	struct captured c;
	cap_open(&c);
	assert_int_equal(whackcli_parse(4, argv, &a, c.o, c.e), 2);
	cap_close(&c);
	assert_non_null(strstr(c.err, "control character"));
	cap_free(&c);
}

/* ---- against an in-test pluto ---- */

static char tmpdir[64];

struct fake {
	char path[108];
	int lfd;
	pthread_t th;
	const char *lines[4];
	const char *json;
	int status;
	struct whack_msg got;
	bool have;
};

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	char err[WHACK_ERR_BUF];
	f->have = whack_read_request(fd, WHACK_MSG_MAX, &f->got, err) == 0;
	for (size_t k = 0; k < 4 && f->lines[k] != NULL; k++)
		whack_reply_line(fd, f->lines[k]);
	if (f->json != NULL)
		whack_reply_json(fd, f->json);
	whack_reply_status(fd, f->status);
	close(fd);
	return NULL;
}

static void fake_start(struct fake *f)
{
	snprintf(f->path, sizeof(f->path), "%s/pluto.ctl", tmpdir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_serve, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
}

static void fake_free(struct fake *f)
{
	if (f->have)
		whack_msg_free(&f->got);
	f->have = false;
}

static int run_line(const char *line, struct captured *c)
{
	char full[256];
	snprintf(full, sizeof(full), "--rundir %s %s", tmpdir, line);
	struct whackcli_args a;
	struct captured pc;
	assert_int_equal(parse_line(full, &a, &pc), 0);
	cap_free(&pc);
	cap_open(c);
	int rc = whackcli_run(&a, c->o, c->e);
	cap_close(c);
	whackcli_args_free(&a);
	return rc;
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cygnet-whack-XXXXXX");
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

static void test_run(void **state)
{
	(void)state;
	struct captured c;

	struct fake f = { .status = 0 };
	fake_start(&f);
	assert_int_equal(run_line("--ping", &c), 0);
	fake_stop(&f);
	assert_true(f.have);
	assert_int_equal(f.got.command, WHACK_PING);
	assert_string_equal(c.out, "");
	fake_free(&f);
	cap_free(&c);

	f = (struct fake){ .lines = { "initiating", "failed: NO_PROPOSAL_CHOSEN" }, .status = 7 };
	fake_start(&f);
	assert_int_equal(run_line("--name west --initiate", &c), 7);
	fake_stop(&f);
	assert_string_equal(c.out, "initiating\nfailed: NO_PROPOSAL_CHOSEN\n");
	assert_string_equal(c.err, "");
	assert_string_equal(f.got.name, "west");
	assert_int_equal(f.got.flags, 0);
	fake_free(&f);
	cap_free(&c);

	f = (struct fake){ .json = "{\"conns\":[]}\n", .status = 0 };
	fake_start(&f);
	assert_int_equal(run_line("--status --json", &c), 0);
	fake_stop(&f);
	assert_string_equal(whack_kvs_get(&f.got.options, "json"), "yes");
	assert_string_equal(c.out, "{\"conns\":[]}\n");   /* no second newline */
	fake_free(&f);
	cap_free(&c);

	f = (struct fake){ .status = 5 };
	fake_start(&f);
	assert_int_equal(run_line("--shutdown", &c), 5);
	fake_stop(&f);
	assert_non_null(strstr(c.err, "whack: pluto answered status 5 to --shutdown"));
	assert_int_equal(f.got.command, WHACK_SHUTDOWN);
	fake_free(&f);
	cap_free(&c);

	/* nobody there: 1, the socket named */
	assert_int_equal(run_line("--ping", &c), 1);
	char want[160];
	snprintf(want, sizeof(want), "whack: cannot connect to pluto at %s/pluto.ctl", tmpdir);
	assert_non_null(strstr(c.err, want));
	cap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verb_table),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_build_every_verb),
		cmocka_unit_test(test_verb_argument),
		cmocka_unit_test(test_socket_options),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_run, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
