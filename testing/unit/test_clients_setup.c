/* ipsec setup: argument parsing, pluto's command line from config setup,
 * the auto= plan, pid files and the "is it our pluto" check; then start,
 * status, stop and restart for real against a fake pluto: this test
 * binary run again with CYGNET_TEST_FAKE_PLUTO set, which writes its
 * argv, pid file and every request it gets into the run directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* the program's code, without its main() */
#include "../../programs/auto/client.c"
#include "../../programs/setup/setup_ops.c"

#define FAKE_ENV "CYGNET_TEST_FAKE_PLUTO"

static char self_exe[PATH_MAX];

/* ---- the fake pluto ---- */

static void fake_log(const char *rundir, const char *file, const char *line)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", rundir, file);
	FILE *f = fopen(path, "a");
	if (f == NULL)
		_exit(90);
	fprintf(f, "%s\n", line);
	fclose(f);
}

/* Modes: ok (answers; refuses to add a conn named "bad"; exits on
 * shutdown), fail (complains and exits 4), mute (never answers),
 * stubborn (answers, but neither shutdown nor SIGTERM stop it). */
static int fake_pluto(int argc, char **argv)
{
	const char *mode = getenv(FAKE_ENV);
	const char *rundir = NULL;
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--rundir") == 0)
			rundir = argv[i + 1];
	if (rundir == NULL)
		return 9;
	mkdir(rundir, 0755);
	for (int i = 1; i < argc; i++)
		fake_log(rundir, "argv.txt", argv[i]);
	char cwd[PATH_MAX];
	fake_log(rundir, "cwd.txt", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	if (strcmp(mode, "fail") == 0) {
		fprintf(stderr, "ERROR: fake failure\n");
		return 4;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/pluto.pid", rundir);
	FILE *pf = fopen(path, "w");
	fprintf(pf, "%ld\n", (long)getpid());
	fclose(pf);
	if (strcmp(mode, "mute") == 0)
		for (;;)
			pause();
	bool stubborn = strcmp(mode, "stubborn") == 0;
	if (stubborn)
		signal(SIGTERM, SIG_IGN);

	char ctl[PATH_MAX];
	snprintf(ctl, sizeof(ctl), "%s/pluto.ctl", rundir);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(ctl) >= sizeof(sa.sun_path))
		return 7;
	memcpy(sa.sun_path, ctl, strlen(ctl) + 1);
	unlink(ctl);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 8) != 0)
		return 8;
	printf("fake pluto listening\n");   /* into setup's pipe */
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		struct whack_msg m;
		char err[WHACK_ERR_BUF];
		if (whack_read_request(fd, WHACK_MSG_MAX, &m, err) != 0) {
			close(fd);
			continue;
		}
		const struct whack_command_desc *d = whack_command_by_code(m.command);
		int status = 0;
		if (m.command != WHACK_PING) {
			char line[512];
			snprintf(line, sizeof(line), "%s%s%s%s", d->name, m.name ? " " : "",
				 m.name ? m.name : "", m.flags & WHACK_FLAG_ASYNC ? " async" : "");
			fake_log(rundir, "requests.txt", line);
		}
		if (m.command == WHACK_ADD && strcmp(m.name, "bad") == 0) {
			whack_reply_line(fd, "refusing conn bad");
			status = 3;
		} else if (m.command == WHACK_ADD) {
			whack_reply_linef(fd, "added %s", m.name);
		}
		whack_reply_status(fd, status);
		close(fd);
		if (m.command == WHACK_SHUTDOWN && !stubborn) {
			unlink(ctl);
			unlink(path);
			_exit(0);
		}
		whack_msg_free(&m);
	}
}

/* ---- helpers ---- */

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cygnet-setup-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	/* a failed test must not leave a fake pluto behind */
	char pidfile[PATH_MAX];
	snprintf(pidfile, sizeof(pidfile), "%s/run/pluto.pid", tmpdir);
	pid_t pid = setup_read_pidfile(pidfile);
	if (pid > 0 && setup_pid_alive(pid) && setup_pid_is(pid, self_exe) && pid != getpid()) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	unsetenv(FAKE_ENV);
	return 0;
}

static char *tmp_path(const char *rel)
{
	static char path[8][PATH_MAX];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", tmpdir, rel);
	return p;
}

static void write_file(const char *rel, const char *text)
{
	FILE *f = fopen(tmp_path(rel), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file's contents ("" when absent); free it. */
static char *slurp(const char *rel)
{
	FILE *f = fopen(tmp_path(rel), "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (f != NULL) {
		int ch;
		while ((ch = fgetc(f)) != EOF)
			fputc(ch, m);
		fclose(f);
	}
	fclose(m);
	return buf;
}

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

static char linebuf[1024];
static char *line_argv[40];

static int split(const char *line)
{
	snprintf(linebuf, sizeof(linebuf), "%s", line);
	int argc = 0;
	line_argv[argc++] = (char *)"setup";
	for (char *t = strtok(linebuf, " "); t != NULL; t = strtok(NULL, " "))
		line_argv[argc++] = t;
	line_argv[argc] = NULL;
	return argc;
}

static int parse_line(const char *line, struct setup_args *a, struct captured *c)
{
	int argc = split(line);
	cap_open(c);
	int rc = setup_parse(argc, line_argv, a, c->o, c->e);
	cap_close(c);
	return rc;
}

/* ---- parsing ---- */

static void test_parse(void **state)
{
	(void)state;
	struct setup_args a;
	struct captured c;

	setenv("IPSEC_EXECDIR", "/opt/x/libexec", 1);
	assert_int_equal(parse_line("start", &a, &c), 0);
	assert_int_equal(a.verb, SETUP_START);
	assert_string_equal(a.config, IPSEC_SYSCONFDIR "/ipsec.conf");
	assert_string_equal(a.rundir, IPSEC_RUNDIR);
	assert_string_equal(a.ctl, IPSEC_RUNDIR "/pluto.ctl");
	assert_string_equal(a.pidfile, IPSEC_RUNDIR "/pluto.pid");
	assert_string_equal(a.pluto, "/opt/x/libexec/pluto");
	assert_int_equal(a.n_passthru, 0);
	assert_int_equal(a.timeout_ms, 10000);
	assert_int_equal(a.grace_ms, 5000);
	setup_args_free(&a);
	cap_free(&c);

	unsetenv("IPSEC_EXECDIR");
	assert_int_equal(parse_line("--config /c.conf stop --rundir /r --timeout 2", &a, &c), 0);
	assert_int_equal(a.verb, SETUP_STOP);
	assert_string_equal(a.config, "/c.conf");
	assert_string_equal(a.ctl, "/r/pluto.ctl");
	assert_string_equal(a.pluto, IPSEC_LIBEXECDIR "/pluto");
	assert_int_equal(a.timeout_ms, 2000);
	assert_int_equal(a.grace_ms, 2000);
	setup_args_free(&a);
	cap_free(&c);

	/* everything after -- is pluto's, even what looks like ours */
	assert_int_equal(parse_line("restart -- --kernel none --rundir /elsewhere --help", &a, &c), 0);
	assert_int_equal(a.verb, SETUP_RESTART);
	assert_int_equal(a.n_passthru, 5);
	assert_string_equal(a.passthru[0], "--kernel");
	assert_string_equal(a.passthru[4], "--help");
	assert_string_equal(a.rundir, IPSEC_RUNDIR);
	setup_args_free(&a);
	cap_free(&c);

	/* a relative run directory is made absolute (pluto may run in dumpdir) */
	assert_int_equal(parse_line("status --rundir rel/run", &a, &c), 0);
	assert_int_equal(a.verb, SETUP_STATUS);
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel/run/pluto.ctl", cwd);
	assert_string_equal(a.ctl, want);
	setup_args_free(&a);
	cap_free(&c);

	assert_int_equal(parse_line("--help", &a, &c), -1);
	assert_non_null(strstr(c.out, "SYNOPSIS"));
	assert_non_null(strstr(c.out, "plutostderrlog"));
	for (char *l = c.out; *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 79)
			fail_msg("help line longer than 79 columns: %.*s", (int)n, l);
		l += n + (l[n] == '\n');
	}
	setup_args_free(&a);
	cap_free(&c);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *line, *msg; } cases[] = {
		{ "", "give start, stop, restart or status" },
		{ "-- start", "give start, stop, restart or status" },
		{ "begin", "unknown command 'begin'" },
		{ "start stop", "'stop' is one too many" },
		{ "start --kernel none", "unknown option '--kernel' (pluto's options go after --)" },
		{ "start --timeout 0", "--timeout 0: expected 1..3600" },
		{ "start --timeout x", "--timeout x" },
		{ "start --config", "--config needs an argument" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct setup_args a;
		struct captured c;
		int rc = parse_line(cases[i].line, &a, &c);
		if (rc != 2 || strstr(c.err, cases[i].msg) == NULL)
			fail_msg("'%s': status %d, message '%s' (want '%s')", cases[i].line, rc,
				 c.err, cases[i].msg);
		assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));
		setup_args_free(&a);
		cap_free(&c);
	}
}

/* ---- configuration to command line and plan ---- */

static const char full_conf[] =
	"version 2\n"
	"config setup\n"
	"\tplutostderrlog=%s/pluto.log\n"
	"\tplutodebug=\"control parsing\"\n"
	"\tnhelpers=2\n"
	"\tuniqueids=no\n"
	"\tddos-mode=busy\n"
	"\tddos-ike-threshold=40\n"
	"\tkeep_alive=7\n"
	"\tmax-halfopen-ike=100\n"
	"\tmax-halfopen-ike-per-address=5\n"
	"\tnssdir=/var/lib/ipsec/nss\n"
	"\tsecretsfile=/etc/ipsec.secrets\n"
	"\tcrl-strict=yes\n"
	"\tcrlcheckinterval=10m\n"
	"\tvirtual_private=%%v4:10.0.0.0/8,%%v4:!10.1.0.0/16\n"
	"\tocsp-enable=yes\n"
	"\tocsp-uri=http://ocsp.example:2560\n"
	"\tprepluto=\"touch %s/pre\"\n"
	"\tpostpluto=\"touch %s/post\"\n"
	"\tdumpdir=%s/dump\n"
	"\tplutoopts=\"--ikeport 5500   --natikeport 4501\"\n"
	"conn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"
	"conn r\n\tleft=192.0.2.1\n\tright=192.0.2.3\n\tauto=route\n"
	"conn s\n\tleft=192.0.2.1\n\tright=192.0.2.4\n\tauto=start\n"
	"conn i\n\tleft=192.0.2.1\n\tright=192.0.2.5\n\tauto=ignore\n"
	"conn m\n\tleft=192.0.2.1\n\tright=192.0.2.6\n\tauto=manual\n"
	"conn n\n\tleft=192.0.2.1\n\tright=192.0.2.7\n"
	"conn bad\n\tleft=192.0.2.1\n\tright=192.0.2.8\n\tauto=route\n"
	"conn g\n\tleft=192.0.2.1\n\tright=%%group\n\tauto=add\n"
	"conn packetdefault\n\tauto=ignore\n";

static void write_full_conf(void)
{
	char *text = NULL;
	assert_true(asprintf(&text, full_conf, tmpdir, tmpdir, tmpdir, tmpdir) > 0);
	write_file("ipsec.conf", text);
	free(text);
	mkdir(tmp_path("dump"), 0755);
	mkdir(tmp_path("ipsec.d"), 0755);
	mkdir(tmp_path("ipsec.d/policy"), 0755);
	write_file("ipsec.d/policy/g", "10.1.0.0/16\n");
}

static void load_args(struct setup_args *a, const char *verb_and_more)
{
	char line[512];
	snprintf(line, sizeof(line), "--config %s --rundir %s/run %s", tmp_path("ipsec.conf"),
		 tmpdir, verb_and_more);
	struct captured c;
	int rc = parse_line(line, a, &c);
	if (rc != 0)
		fail_msg("%s: %s", line, c.err);
	cap_free(&c);
	free(a->pluto);
	a->pluto = strdup(self_exe);
	a->grace_ms = 1000;
}

/* The plan as "CMD NAME [async]" lines. */
static char *plan_text(const struct whack_msgs *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (size_t i = 0; i < l->n; i++) {
		const struct whack_msg *m = &l->v[i];
		fprintf(f, "%s %s%s\n", whack_command_by_code(m->command)->name, m->name,
			m->flags & WHACK_FLAG_ASYNC ? " async" : "");
	}
	fclose(f);
	return buf;
}

static const char full_plan[] =
	"add a\n"
	"add r\n"
	"route r\n"
	"add s\n"
	"initiate s async\n"
	"add bad\n"
	"route bad\n"
	"add g#10.1.0.0/16\n";

static void test_config_to_argv_and_plan(void **state)
{
	(void)state;
	write_full_conf();
	struct setup_args a;
	load_args(&a, "start -- --kernel none --listen 192.0.2.1");
	struct setup_plan p;
	assert_int_equal(setup_load(&a, &p), 0);
	assert_int_equal(p.d.errors, 0);
	assert_int_equal(p.d.warnings, 1);   /* auto=manual is not supported */
	assert_true(p.cs.start_pluto);
	assert_false(p.cs.plutowait);

	char **argv = setup_pluto_argv(&a, &p.cs);
	const char *want[] = {
		self_exe, "--nofork", "--rundir", tmp_path("run"),
		"--stderrlog", "--logfile", tmp_path("pluto.log"),
		"--debug", "control parsing", "--nhelpers", "2", "--uniqueids", "no",
		"--ddos-mode", "busy", "--ddos-ike-threshold", "40",
		"--keep-alive", "7", "--max-halfopen-ike", "100", "--max-halfopen-ike-per-address", "5",
		"--nssdir", "/var/lib/ipsec/nss", "--secretsfile", "/etc/ipsec.secrets",
		"--strictcrlpolicy", "yes", "--crlcheckinterval", "10m",
		"--virtual-private", "%v4:10.0.0.0/8,%v4:!10.1.0.0/16",
		"--ocsp-enable", "yes", "--ocsp-uri", "http://ocsp.example:2560",
		"--ikeport", "5500", "--natikeport", "4501",
		"--kernel", "none", "--listen", "192.0.2.1", NULL,
	};
	size_t i;
	for (i = 0; want[i] != NULL; i++) {
		if (argv[i] == NULL)
			fail_msg("argv ends before %s", want[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	setup_argv_free(argv);

	/* every auto=, in file order, as addconn --autoall sends them; the
	 * group template itself never, auto=ignore|manual and unset never */
	char *text = plan_text(&p.msgs);
	assert_string_equal(text, full_plan);
	free(text);
	/* an add carries the resolved conn */
	assert_string_equal(whack_kvs_get(&p.msgs.v[0].conn, "right"), "192.0.2.2");
	assert_string_equal(whack_kvs_get(&p.msgs.v[7].conn, "rightsubnet"), "10.1.0.0/16");
	assert_int_equal(p.msgs.v[2].conn.n, 0);
	setup_plan_free(&p);
	setup_args_free(&a);
}

static void test_minimal_config_and_plutowait(void **state)
{
	(void)state;
	write_file("ipsec.conf",
		   "version 2\n"
		   "config setup\n"
		   "\tplutowait=yes\n"
		   "\tplutostderrlog=rel.log\n"
		   "conn s\n\tleft=192.0.2.1\n\tright=192.0.2.4\n\tauto=start\n"
		   "conn packetdefault\n\tauto=ignore\n");
	struct setup_args a;
	load_args(&a, "start");
	struct setup_plan p;
	assert_int_equal(setup_load(&a, &p), 0);
	assert_true(p.cs.plutowait);
	char *text = plan_text(&p.msgs);
	assert_string_equal(text, "add s\ninitiate s\n");
	free(text);

	char **argv = setup_pluto_argv(&a, &p.cs);
	char cwd[PATH_MAX], log[PATH_MAX + 16];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(log, sizeof(log), "%s/rel.log", cwd);
	const char *want[] = { self_exe, "--nofork", "--rundir", tmp_path("run"),
			 "--stderrlog", "--logfile", log, NULL };
	size_t i;
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	setup_argv_free(argv);
	setup_plan_free(&p);
	setup_args_free(&a);
}

static void test_implicit_conns_as_addconn(void **state)
{
	(void)state;
	/* the implicit conns (packetdefault has auto=route) are Openswan's
	 * opportunistic encryption, which pluto does not do: setup, like
	 * addconn --autoall, leaves them alone; a user conn of that name is
	 * the user's and is applied */
	write_file("ipsec.conf", "version 2\n");
	struct setup_args a;
	load_args(&a, "start");
	struct setup_plan p;
	assert_int_equal(setup_load(&a, &p), 0);
	char *text = plan_text(&p.msgs);
	assert_string_equal(text, "");
	free(text);
	setup_plan_free(&p);
	setup_args_free(&a);

	write_file("ipsec.conf", "version 2\nconn packetdefault\n\tleft=198.18.0.1\n"
		   "\tright=198.18.0.2\n\tauthby=secret\n\tauto=route\n");
	load_args(&a, "start");
	assert_int_equal(setup_load(&a, &p), 0);
	text = plan_text(&p.msgs);
	assert_string_equal(text, "add packetdefault\nroute packetdefault\n");
	free(text);
	setup_plan_free(&p);
	setup_args_free(&a);
}

/* ---- processes ---- */

static void test_pidfile(void **state)
{
	(void)state;
	assert_int_equal(setup_read_pidfile(tmp_path("nope")), 0);
	write_file("p1", "1234\n");
	assert_int_equal(setup_read_pidfile(tmp_path("p1")), 1234);
	write_file("p2", "12x\n");
	assert_int_equal(setup_read_pidfile(tmp_path("p2")), -1);
	write_file("p3", "");
	assert_int_equal(setup_read_pidfile(tmp_path("p3")), -1);
	write_file("p4", "-5\n");
	assert_int_equal(setup_read_pidfile(tmp_path("p4")), -1);
	write_file("p5", "99999999999999\n");
	assert_int_equal(setup_read_pidfile(tmp_path("p5")), -1);

	assert_true(setup_pid_alive(getpid()));
	assert_false(setup_pid_alive(0));
	assert_true(setup_pid_is(getpid(), self_exe));
	assert_true(setup_pid_is(getpid(), "/proc/self/exe"));
	assert_false(setup_pid_is(getpid(), "/bin/sh"));

	/* a zombie is not alive */
	pid_t z = fork();
	if (z == 0)
		_exit(0);
	assert_true(z > 0);
	for (int i = 0; i < 200 && setup_pid_alive(z); i++)
		usleep(10000);
	assert_false(setup_pid_alive(z));
	int st;
	assert_int_equal(waitpid(z, &st, 0), z);
	assert_false(setup_pid_alive(z));
}

/* ---- start, status, stop against the fake ---- */

static int run_verb(const char *verb_and_more, const char *mode, struct captured *c)
{
	struct setup_args a;
	load_args(&a, verb_and_more);
	a.timeout_ms = 3000;
	if (mode != NULL)
		setenv(FAKE_ENV, mode, 1);
	cap_open(c);
	int rc = setup_run(&a, c->o, c->e);
	cap_close(c);
	setup_args_free(&a);
	return rc;
}

static pid_t fake_pid(void)
{
	return setup_read_pidfile(tmp_path("run/pluto.pid"));
}

static void test_start_status_stop(void **state)
{
	(void)state;
	write_full_conf();
	struct captured c;

	assert_int_equal(run_verb("status", NULL, &c), 3);
	assert_non_null(strstr(c.out, "pluto is not running"));
	cap_free(&c);

	/* 1: pluto refused conn bad (and its route was not sent); the
	 * auto=manual warning does not change that */
	assert_int_equal(run_verb("start -- --kernel none", "ok", &c), 1);
	pid_t pid = fake_pid();
	assert_true(pid > 0);
	assert_true(setup_pid_alive(pid));
	/* prepluto ran before pluto, postpluto after it */
	assert_true(access(tmp_path("pre"), F_OK) == 0);
	assert_true(access(tmp_path("post"), F_OK) == 0);
	char *text = slurp("run/requests.txt");
	assert_string_equal(text,
			    "add a\n"
			    "add r\n"
			    "route r\n"
			    "add s\n"
			    "initiate s async\n"
			    "add bad\n"
			    "add g#10.1.0.0/16\n");
	free(text);
	/* cwd is dumpdir */
	char dump[PATH_MAX], want[PATH_MAX + 1];
	assert_non_null(realpath(tmp_path("dump"), dump));
	snprintf(want, sizeof(want), "%s\n", dump);
	text = slurp("run/cwd.txt");
	assert_string_equal(text, want);
	free(text);
	text = slurp("run/argv.txt");
	assert_non_null(strstr(text, "--nofork\n--rundir\n"));
	assert_non_null(strstr(text, "--natikeport\n4501\n--kernel\nnone\n"));
	free(text);
	/* pluto's replies shown, the refusal explained, its output not */
	assert_non_null(strstr(c.out, "added a\n"));
	assert_non_null(strstr(c.out, "refusing conn bad\n"));
	assert_non_null(strstr(c.err, "setup: pluto refused add of conn bad (status 3)"));
	assert_non_null(strstr(c.out, "conns: 4 added, 1 routed, 1 initiated"));
	assert_null(strstr(c.out, "fake pluto listening"));
	assert_null(strstr(c.err, "fake pluto listening"));
	char running[128];
	snprintf(running, sizeof(running), "pluto is running (pid %ld, control socket ", (long)pid);
	assert_non_null(strstr(c.out, running));
	cap_free(&c);

	assert_int_equal(run_verb("status", NULL, &c), 0);
	assert_non_null(strstr(c.out, running));
	assert_non_null(strstr(c.out, tmp_path("run/pluto.ctl")));
	cap_free(&c);

	/* a second start does nothing */
	assert_int_equal(run_verb("start", "ok", &c), 0);
	assert_non_null(strstr(c.out, "already running"));
	text = slurp("run/requests.txt");
	assert_null(strstr(text, "add a\nadd r\nroute r\nadd s\ninitiate s async\nadd bad\nadd g#10.1.0.0/16\nadd a"));
	free(text);
	cap_free(&c);

	assert_int_equal(run_verb("stop", NULL, &c), 0);
	assert_non_null(strstr(c.out, "pluto stopped"));
	assert_null(strstr(c.out, "SIGTERM"));
	assert_false(setup_pid_alive(pid));
	cap_free(&c);
	text = slurp("run/requests.txt");
	assert_non_null(strstr(text, "shutdown\n"));
	free(text);

	assert_int_equal(run_verb("status", NULL, &c), 3);
	cap_free(&c);
	/* stopping what is stopped is fine */
	assert_int_equal(run_verb("stop", NULL, &c), 0);
	assert_non_null(strstr(c.out, "pluto is not running"));
	cap_free(&c);
}

static void test_restart(void **state)
{
	(void)state;
	write_file("ipsec.conf",
		   "version 2\n"
		   "conn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"
		   "conn packetdefault\n\tauto=ignore\n");
	struct captured c;
	assert_int_equal(run_verb("start", "ok", &c), 0);
	pid_t first = fake_pid();
	cap_free(&c);
	assert_int_equal(run_verb("restart", "ok", &c), 0);
	pid_t second = fake_pid();
	assert_true(second > 0);
	assert_true(second != first);
	assert_false(setup_pid_alive(first));
	assert_true(setup_pid_alive(second));
	cap_free(&c);
	char *text = slurp("run/requests.txt");
	assert_string_equal(text, "add a\nshutdown\nadd a\n");
	free(text);
	assert_int_equal(run_verb("stop", NULL, &c), 0);
	assert_false(setup_pid_alive(second));
	cap_free(&c);
}

static void test_start_failures(void **state)
{
	(void)state;
	write_file("ipsec.conf", "version 2\nconfig setup\n\tprepluto=\"exit 3\"\n");
	struct captured c;
	/* prepluto fails: pluto is not started */
	assert_int_equal(run_verb("start", "ok", &c), 1);
	assert_non_null(strstr(c.err, "prepluto failed with status 3; pluto not started"));
	assert_int_equal(fake_pid(), 0);
	cap_free(&c);

	/* pluto exits during start-up: its output is shown, with its status */
	write_file("ipsec.conf", "version 2\n");
	assert_int_equal(run_verb("start", "fail", &c), 1);
	assert_non_null(strstr(c.err, "ERROR: fake failure\n"));
	assert_non_null(strstr(c.err, "setup: pluto exited with status 4"));
	cap_free(&c);

	/* pluto never answers: stopped after the timeout */
	struct setup_args a;
	load_args(&a, "start");
	a.timeout_ms = 1000;
	a.grace_ms = 500;
	setenv(FAKE_ENV, "mute", 1);
	cap_open(&c);
	assert_int_equal(setup_run(&a, c.o, c.e), 1);
	cap_close(&c);
	setup_args_free(&a);
	assert_non_null(strstr(c.err, "did not answer on"));
	pid_t pid = fake_pid();
	assert_true(pid > 0);
	assert_false(setup_pid_alive(pid));
	cap_free(&c);

	/* pluto=no */
	write_file("ipsec.conf", "version 2\nconfig setup\n\tpluto=no\n");
	unlink(tmp_path("run/pluto.pid"));
	assert_int_equal(run_verb("start", "ok", &c), 0);
	assert_non_null(strstr(c.out, "pluto=no"));
	assert_int_equal(fake_pid(), 0);
	cap_free(&c);

	/* no pluto binary */
	struct setup_args b;
	load_args(&b, "start");
	free(b.pluto);
	b.pluto = strdup(tmp_path("no-such-pluto"));
	write_file("ipsec.conf", "version 2\n");
	cap_open(&c);
	assert_int_equal(setup_run(&b, c.o, c.e), 1);
	cap_close(&c);
	assert_non_null(strstr(c.err, "cannot run pluto at"));
	setup_args_free(&b);
	cap_free(&c);

	/* no configuration */
	unlink(tmp_path("ipsec.conf"));
	assert_int_equal(run_verb("start", "ok", &c), 2);
	assert_non_null(strstr(c.err, "cannot read the configuration"));
	cap_free(&c);
}

static void test_stop_escalates_and_spares_strangers(void **state)
{
	(void)state;
	write_file("ipsec.conf", "version 2\nconn packetdefault\n\tauto=ignore\n");
	struct captured c;
	assert_int_equal(run_verb("start", "stubborn", &c), 0);
	pid_t pid = fake_pid();
	assert_true(setup_pid_alive(pid));
	cap_free(&c);

	struct setup_args a;
	load_args(&a, "stop");
	a.timeout_ms = 500;
	a.grace_ms = 300;
	cap_open(&c);
	assert_int_equal(setup_run(&a, c.o, c.e), 0);
	cap_close(&c);
	setup_args_free(&a);
	assert_non_null(strstr(c.out, "sending SIGTERM"));
	assert_non_null(strstr(c.out, "sending SIGKILL"));
	assert_false(setup_pid_alive(pid));
	/* what pluto could not remove, setup did */
	assert_int_equal(access(tmp_path("run/pluto.pid"), F_OK), -1);
	assert_int_equal(access(tmp_path("run/pluto.ctl"), F_OK), -1);
	cap_free(&c);

	/* a live process that is not our pluto is never signalled */
	pid_t stranger = fork();
	if (stranger == 0) {
		for (;;)
			pause();
	}
	char pidtext[32];
	snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)stranger);
	write_file("run/pluto.pid", pidtext);
	load_args(&a, "stop");
	free(a.pluto);
	a.pluto = strdup("/bin/true");
	cap_open(&c);
	assert_int_equal(setup_run(&a, c.o, c.e), 0);
	cap_close(&c);
	assert_non_null(strstr(c.err, "not signalling it"));
	assert_true(setup_pid_alive(stranger));
	cap_free(&c);
	a.verb = SETUP_STATUS;
	cap_open(&c);
	assert_int_equal(setup_run(&a, c.o, c.e), 3);
	cap_close(&c);
	assert_non_null(strstr(c.out, "which is not /bin/true"));
	cap_free(&c);
	setup_args_free(&a);
	kill(stranger, SIGKILL);
	int st;
	waitpid(stranger, &st, 0);
}

int main(int argc, char **argv)
{
	if (getenv(FAKE_ENV) != NULL)
		return fake_pluto(argc, argv);
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_config_to_argv_and_plan, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_minimal_config_and_plutowait, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_implicit_conns_as_addconn, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_pidfile, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_start_status_stop, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_restart, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_start_failures, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_stop_escalates_and_spares_strangers, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
