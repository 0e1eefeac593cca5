/* Unit tests: the updown environment table (every variable once, values
 * for sample conns, verbs with -host/-client/-v6), the documentation copy
 * in programs/_updown/_updown.sh, argv splitting, and running a command
 * (environment, output, exit status, time limit, exec failures).
 *
 *   test_kernel_updown --print-doc         prints the table's documentation
 *   test_kernel_updown --write-doc SCRIPT  rewrites the copy in SCRIPT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "kernel/updown.h"

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (!(cond)) {                               \
			print_error(__VA_ARGS__);            \
			print_error("\n");                   \
			fail_msg("check failed: %s", #cond); \
		}                                            \
	} while (0)

#define SCRIPT "../../programs/_updown/_updown.sh"
#define DOC_BEGIN "\tcat <<'END_UPDOWN_ENV'\n"
#define DOC_END "END_UPDOWN_ENV\n"

static ip_address addr(const char *s)
{
	ip_address a;
	if (ttoaddress_num(s, strlen(s), IP_UNSET, &a) != NULL)
		abort();
	return a;
}

static ip_subnet subnet(const char *s)
{
	ip_subnet n;
	if (ttosubnet(s, strlen(s), IP_UNSET, &n, NULL) != NULL)
		abort();
	return n;
}

static struct updown_ctx net_to_net(void)
{
	struct updown_ctx c = {
		.connection = "west-east", .interface = "eth0",
		.me = addr("198.18.0.1"), .peer = addr("198.18.0.2"),
		.my_id = "@west", .peer_id = "@east",
		.my_client = subnet("198.51.100.0/24"), .peer_client = subnet("203.0.113.0/24"),
		.policy = "PSK+ENCRYPT+TUNNEL+PFS+UP",
	};
	return c;
}

static const char *val(const char *name, const struct updown_ctx *c, enum updown_verb v)
{
	static char buf[512];
	return updown_value(name, c, v, buf, sizeof(buf));
}

/* ---- the table ------------------------------------------------------------ */

static void test_every_variable_once(void **state)
{
	(void)state;
	static const char *const wanted[] = {
		"PLUTO_VERB", "PLUTO_VERSION", "PLUTO_CONNECTION", "PLUTO_INTERFACE", "PLUTO_NEXT_HOP",
		"PLUTO_ME", "PLUTO_MY_ID", "PLUTO_MY_CLIENT", "PLUTO_MY_CLIENT_NET", "PLUTO_MY_CLIENT_MASK",
		"PLUTO_MY_PORT", "PLUTO_MY_PROTOCOL", "PLUTO_PEER", "PLUTO_PEER_ID", "PLUTO_PEER_CLIENT",
		"PLUTO_PEER_CLIENT_NET", "PLUTO_PEER_CLIENT_MASK", "PLUTO_PEER_PORT", "PLUTO_PEER_PROTOCOL",
		"PLUTO_PEER_CA", "PLUTO_STACK", "PLUTO_METRIC", "PLUTO_MTU", "PLUTO_CONN_POLICY",
		"PLUTO_CONN_ADDRFAMILY", "PLUTO_MY_SOURCEIP",
	};
	size_t nwanted = sizeof(wanted) / sizeof(wanted[0]);
	for (size_t i = 0; i < nwanted; i++) {
		int n = 0;
		for (size_t j = 0; j < updown_vars_len; j++)
			n += strcmp(updown_vars[j].name, wanted[i]) == 0;
		CHECK(n == 1, "%s appears %d times", wanted[i], n);
	}
	assert_int_equal(updown_vars_len, nwanted);
	for (size_t j = 0; j < updown_vars_len; j++) {
		assert_non_null(updown_vars[j].value);
		assert_true(strncmp(updown_vars[j].name, "PLUTO_", 6) == 0);
		assert_true(strlen(updown_vars[j].description) > 5);
		assert_null(strchr(updown_vars[j].description, '\n'));
	}

	/* the environment: each row exactly once, then PATH, nothing else */
	struct updown_ctx c = net_to_net();
	char **env = updown_env(&c, UPDOWN_UP);
	size_t n = 0;
	for (char **e = env; *e != NULL; e++, n++) {
		size_t eq = strcspn(*e, "=");
		assert_true((*e)[eq] == '=');
		for (char **f = env; f != e; f++)
			CHECK(strncmp(*f, *e, eq + 1) != 0, "%.*s twice", (int)eq, *e);
	}
	assert_int_equal(n, updown_vars_len + 1);
	assert_string_equal(env[n - 1], "PATH=" UPDOWN_PATH);
	assert_string_equal(env[0], "PLUTO_VERB=up-client");
	updown_env_free(env);
}

static void test_values_net_to_net(void **state)
{
	(void)state;
	struct updown_ctx c = net_to_net();
	static const struct {
		const char *name, *value;
	} want[] = {
		{ "PLUTO_VERB", "up-client" },
		{ "PLUTO_VERSION", "2.0" },
		{ "PLUTO_CONNECTION", "west-east" },
		{ "PLUTO_INTERFACE", "eth0" },
		{ "PLUTO_NEXT_HOP", "198.18.0.2" },   /* no next hop: the peer */
		{ "PLUTO_ME", "198.18.0.1" },
		{ "PLUTO_MY_ID", "@west" },
		{ "PLUTO_MY_CLIENT", "198.51.100.0/24" },
		{ "PLUTO_MY_CLIENT_NET", "198.51.100.0" },
		{ "PLUTO_MY_CLIENT_MASK", "255.255.255.0" },
		{ "PLUTO_MY_PORT", "0" },
		{ "PLUTO_MY_PROTOCOL", "0" },
		{ "PLUTO_PEER", "198.18.0.2" },
		{ "PLUTO_PEER_ID", "@east" },
		{ "PLUTO_PEER_CLIENT", "203.0.113.0/24" },
		{ "PLUTO_PEER_CLIENT_NET", "203.0.113.0" },
		{ "PLUTO_PEER_CLIENT_MASK", "255.255.255.0" },
		{ "PLUTO_PEER_PORT", "0" },
		{ "PLUTO_PEER_PROTOCOL", "0" },
		{ "PLUTO_PEER_CA", "" },
		{ "PLUTO_STACK", "netkey" },
		{ "PLUTO_METRIC", "" },
		{ "PLUTO_MTU", "" },
		{ "PLUTO_CONN_POLICY", "PSK+ENCRYPT+TUNNEL+PFS+UP" },
		{ "PLUTO_CONN_ADDRFAMILY", "ipv4" },
		{ "PLUTO_MY_SOURCEIP", "" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strcmp(val(want[i].name, &c, UPDOWN_UP), want[i].value) == 0, "%s=%s, want %s",
		      want[i].name, val(want[i].name, &c, UPDOWN_UP), want[i].value);

	c.next_hop = addr("198.18.0.254");
	c.metric = 50;
	c.mtu = 1400;
	c.my_sourceip = addr("198.51.100.1");
	c.my_protocol = c.peer_protocol = 17;
	c.my_port = 1701;
	c.peer_ca = "C=XX, O=Test CA";
	c.my_client = subnet("198.51.100.128/25");
	assert_string_equal(val("PLUTO_NEXT_HOP", &c, UPDOWN_UP), "198.18.0.254");
	assert_string_equal(val("PLUTO_METRIC", &c, UPDOWN_UP), "50");
	assert_string_equal(val("PLUTO_MTU", &c, UPDOWN_UP), "1400");
	assert_string_equal(val("PLUTO_MY_SOURCEIP", &c, UPDOWN_UP), "198.51.100.1");
	assert_string_equal(val("PLUTO_MY_PROTOCOL", &c, UPDOWN_UP), "17");
	assert_string_equal(val("PLUTO_MY_PORT", &c, UPDOWN_UP), "1701");
	assert_string_equal(val("PLUTO_PEER_CA", &c, UPDOWN_UP), "C=XX, O=Test CA");
	assert_string_equal(val("PLUTO_MY_CLIENT_MASK", &c, UPDOWN_UP), "255.255.255.128");
	assert_string_equal(val("PLUTO_MY_CLIENT_NET", &c, UPDOWN_UP), "198.51.100.128");
	assert_string_equal(val("PLUTO_NO_SUCH", &c, UPDOWN_UP), "");
	c.connection = NULL;   /* NULL strings are empty, not a crash */
	assert_string_equal(val("PLUTO_CONNECTION", &c, UPDOWN_UP), "");
}

static void test_verbs(void **state)
{
	(void)state;
	char b[32];
	struct updown_ctx c = net_to_net();
	static const char *const client[] = { "prepare-client", "route-client", "unroute-client",
					      "up-client", "down-client" };
	for (int v = UPDOWN_PREPARE; v <= UPDOWN_DOWN; v++)
		assert_string_equal(updown_verb_name((enum updown_verb)v, &c, b, sizeof(b)), client[v]);

	/* host-to-host: no client subnet on my side (unset or me/32) */
	struct updown_ctx h = net_to_net();
	h.my_client.addr.family = IP_UNSET;
	h.peer_client.addr.family = IP_UNSET;
	assert_string_equal(updown_verb_name(UPDOWN_UP, &h, b, sizeof(b)), "up-host");
	assert_string_equal(val("PLUTO_MY_CLIENT", &h, UPDOWN_UP), "198.18.0.1/32");
	assert_string_equal(val("PLUTO_PEER_CLIENT", &h, UPDOWN_UP), "198.18.0.2/32");
	assert_string_equal(val("PLUTO_PEER_CLIENT_MASK", &h, UPDOWN_UP), "255.255.255.255");
	h.my_client = subnet("198.18.0.1/32");
	assert_string_equal(updown_verb_name(UPDOWN_ROUTE, &h, b, sizeof(b)), "route-host");
	/* a /32 client that is not me is a client */
	h.my_client = subnet("198.51.100.7/32");
	assert_string_equal(updown_verb_name(UPDOWN_ROUTE, &h, b, sizeof(b)), "route-client");

	/* IPv6 */
	struct updown_ctx v6 = {
		.connection = "v6", .interface = "eth0",
		.me = addr("2001:db8::1"), .peer = addr("2001:db8::2"),
		.my_client = subnet("2001:db8:1::/48"), .peer_client = subnet("2001:db8:2::/48"),
	};
	static const char *const client6[] = { "prepare-client-v6", "route-client-v6", "unroute-client-v6",
					       "up-client-v6", "down-client-v6" };
	for (int v = UPDOWN_PREPARE; v <= UPDOWN_DOWN; v++)
		assert_string_equal(updown_verb_name((enum updown_verb)v, &v6, b, sizeof(b)), client6[v]);
	assert_string_equal(val("PLUTO_CONN_ADDRFAMILY", &v6, UPDOWN_UP), "ipv6");
	assert_string_equal(val("PLUTO_MY_CLIENT_MASK", &v6, UPDOWN_UP), "ffff:ffff:ffff::");
	assert_string_equal(val("PLUTO_PEER_CLIENT_NET", &v6, UPDOWN_UP), "2001:db8:2::");
	v6.my_client.addr.family = IP_UNSET;
	assert_string_equal(updown_verb_name(UPDOWN_DOWN, &v6, b, sizeof(b)), "down-host-v6");
	assert_string_equal(val("PLUTO_MY_CLIENT", &v6, UPDOWN_UP), "2001:db8::1/128");
}

/* ---- documentation -------------------------------------------------------- */

static char *doc_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	updown_doc(f);
	fclose(f);
	return text;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	fclose(m);
	return text;
}

/* The documentation block in the script: [*begin, *end). */
static bool find_block(const char *script, const char **begin, const char **end)
{
	const char *b = strstr(script, DOC_BEGIN);
	if (b == NULL)
		return false;
	b += strlen(DOC_BEGIN);
	const char *e = strstr(b, "\n" DOC_END);
	if (e == NULL)
		return false;
	*begin = b;
	*end = e + 1;
	return true;
}

static void test_doc_is_current(void **state)
{
	(void)state;
	char *doc = doc_text();
	char *script = read_file(SCRIPT);
	CHECK(script != NULL, "cannot read %s", SCRIPT);
	const char *b = NULL, *e = NULL;
	CHECK(find_block(script, &b, &e), "%s has no %s...%s block", SCRIPT, DOC_BEGIN, DOC_END);
	size_t n = (size_t)(e - b);
	CHECK(n == strlen(doc) && memcmp(b, doc, n) == 0,
	      "the variable list in %s is out of date: run "
	      "`cd testing/unit && ../../build/testing/unit/test_kernel_updown --write-doc %s`\nwant:\n%s",
	      SCRIPT, SCRIPT, doc);
	/* every variable is named in it */
	for (size_t i = 0; i < updown_vars_len; i++)
		assert_non_null(strstr(doc, updown_vars[i].name));
	free(script);
	free(doc);
}

static int write_doc(const char *path)
{
	char *script = read_file(path);
	const char *b = NULL, *e = NULL;
	if (script == NULL || !find_block(script, &b, &e)) {
		fprintf(stderr, "%s: no documentation block\n", path);
		free(script);
		return 1;
	}
	char *doc = doc_text();
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	fwrite(script, 1, (size_t)(b - script), f);
	fputs(doc, f);
	fputs(e, f);
	fclose(f);
	free(doc);
	free(script);
	printf("updated %s\n", path);
	return 0;
}

/* ---- argv ----------------------------------------------------------------- */

static void test_split_argv(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *out[6];
	} good[] = {
		{ "ipsec _updown", { "ipsec", "_updown" } },
		{ "  /usr/lib/x/updown\t--flag   value  ", { "/usr/lib/x/updown", "--flag", "value" } },
		{ "\"/opt/my scripts/updown\" arg", { "/opt/my scripts/updown", "arg" } },
		{ "a\"b c\"d e", { "ab cd", "e" } },
		{ "x \"\" y", { "x", "", "y" } },
		{ "say \"he said \\\"hi\\\" \\\\ ok\"", { "say", "he said \"hi\" \\ ok" } },
		{ "back\\slash \\n", { "back\\slash", "\\n" } },   /* outside quotes: literal */
		{ "'single quotes' are plain", { "'single", "quotes'", "are", "plain" } },
		{ "one", { "one" } },
	};
	char why[128];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char **argv = updown_split_argv(good[i].in, why, sizeof(why));
		CHECK(argv != NULL, "'%s': %s", good[i].in, why);
		size_t n = 0;
		for (; argv[n] != NULL; n++) {
			CHECK(good[i].out[n] != NULL, "'%s': extra word '%s'", good[i].in, argv[n]);
			CHECK(strcmp(argv[n], good[i].out[n]) == 0, "'%s': word %zu '%s' want '%s'",
			      good[i].in, n, argv[n], good[i].out[n]);
		}
		CHECK(good[i].out[n] == NULL, "'%s': only %zu words", good[i].in, n);
		updown_argv_free(argv);
	}
	static const char *const bad[] = { "", "   ", "\t\n", "\"unterminated", "a \"b c", "\"x\"\"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		char **argv = updown_split_argv(bad[i], why, sizeof(why));
		CHECK(argv == NULL, "'%s' accepted", bad[i]);
		assert_true(why[0] != '\0');
	}
	assert_null(updown_split_argv(NULL, why, sizeof(why)));
	assert_true(updown_disabled(NULL) && updown_disabled("") && updown_disabled(" %disabled"));
	assert_false(updown_disabled("ipsec _updown"));
}

static void test_default_command(void **state)
{
	(void)state;
	char b[256];
	setenv("IPSEC_EXECDIR", "/x/libexec/ipsec", 1);
	assert_string_equal(updown_default_command(b, sizeof(b)), "/x/libexec/ipsec/_updown");
	unsetenv("IPSEC_EXECDIR");
	assert_string_equal(updown_default_command(b, sizeof(b)), IPSEC_LIBEXECDIR "/_updown");
}

/* ---- running -------------------------------------------------------------- */

static char dir[64];
static FILE *log_sink;
static struct logger lg = { "\"west-east\": ", -1 };

static int run_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cygnet-updown-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	log_sink = tmpfile();
	if (log_sink == NULL)
		return -1;
	log_init(log_sink, false, DBG_UPDOWN);
	return 0;
}

static int run_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	log_init(stderr, false, 0);
	fclose(log_sink);
	return 0;
}

static void write_script(const char *name, const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* What was logged since the last call. */
static char *take_log(void)
{
	static long pos;
	fflush(log_sink);
	long end = ftell(log_sink);
	char *text = calloc(1, (size_t)(end - pos) + 1);
	assert_non_null(text);
	fseek(log_sink, pos, SEEK_SET);
	size_t n = fread(text, 1, (size_t)(end - pos), log_sink);
	text[n] = '\0';
	fseek(log_sink, end, SEEK_SET);
	pos = end;
	return text;
}

static void test_run_env_and_output(void **state)
{
	(void)state;
	write_script("my updown",
		     "#!/bin/sh\n"
		     "echo \"verb=$PLUTO_VERB args=$# [$1] [$2]\"\n"
		     "echo \"count=$(env | grep -c '^PLUTO_') path=$PATH home=${HOME-unset}\"\n"
		     "echo \"others=$(env | grep -v -e '^PLUTO_' -e '^PATH=' -e '^PWD=' -e '^SHLVL=' -e '^_=' | wc -l)\"\n"
		     "echo \"client=$PLUTO_PEER_CLIENT mask=$PLUTO_PEER_CLIENT_MASK\"\n"
		     "printf 'no newline at the end' >&2\n");
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "\"%s/my updown\" \"two words\" x", dir);
	setenv("HOME", "/root", 1);
	struct updown_ctx c = net_to_net();
	struct updown_result r;
	assert_true(updown_run(cmd, UPDOWN_UP, &c, 5000, &lg, &r));
	assert_true(r.ran);
	assert_int_equal(r.exit_status, 0);
	char *log = take_log();
	CHECK(strstr(log, "\"west-east\": updown up-client: verb=up-client args=2 [two words] [x]") != NULL, "%s", log);
	char want[128];
	snprintf(want, sizeof(want), "updown up-client: count=%zu path=" UPDOWN_PATH " home=unset", updown_vars_len);
	CHECK(strstr(log, want) != NULL, "%s\nwant: %s", log, want);
	CHECK(strstr(log, "updown up-client: others=0") != NULL, "%s", log);
	CHECK(strstr(log, "updown up-client: client=203.0.113.0/24 mask=255.255.255.0") != NULL, "%s", log);
	CHECK(strstr(log, "updown up-client: no newline at the end") != NULL, "%s", log);
	CHECK(strstr(log, "exited with status 0") != NULL, "%s", log);
	CHECK(strstr(log, "| \"west-east\": updown up-client: env PLUTO_CONNECTION=west-east") != NULL, "%s", log);
	free(log);
}

static void test_run_failures(void **state)
{
	(void)state;
	struct updown_ctx c = net_to_net();
	struct updown_result r;
	char cmd[256];

	write_script("fails", "#!/bin/sh\necho \"route failed for $PLUTO_VERB\" >&2\nexit 3\n");
	snprintf(cmd, sizeof(cmd), "%s/fails", dir);
	assert_false(updown_run(cmd, UPDOWN_DOWN, &c, 5000, &lg, &r));
	assert_true(r.ran);
	assert_int_equal(r.exit_status, 3);
	char *log = take_log();
	CHECK(strstr(log, "updown down-client: route failed for down-client") != NULL, "%s", log);
	CHECK(strstr(log, "ERROR: \"west-east\": updown down-client '") != NULL &&
	      strstr(log, "/fails' exited with status 3") != NULL, "%s", log);
	free(log);

	/* time limit: the script and its children are killed */
	write_script("slow", "#!/bin/sh\necho started\nsleep 30 &\nsleep 30\n");
	snprintf(cmd, sizeof(cmd), "%s/slow", dir);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(updown_run(cmd, UPDOWN_ROUTE, &c, 300, &lg, &r));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(r.timed_out);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(secs < 3.0, "took %.1f s", secs);
	log = take_log();
	CHECK(strstr(log, "updown route-client: started") != NULL && strstr(log, "killed after 300 ms") != NULL,
	      "%s", log);
	free(log);

	/* killed by a signal */
	write_script("dies", "#!/bin/sh\nkill -KILL $$\n");
	snprintf(cmd, sizeof(cmd), "%s/dies", dir);
	assert_false(updown_run(cmd, UPDOWN_UP, &c, 5000, &lg, &r));
	assert_int_equal(r.signal, 9);
	free(take_log());

	/* cannot exec: missing, no #! line, unbalanced quote */
	snprintf(cmd, sizeof(cmd), "%s/missing", dir);
	assert_false(updown_run(cmd, UPDOWN_UP, &c, 5000, &lg, &r));
	assert_false(r.ran);
	CHECK(strstr(r.why, "No such file or directory") != NULL, "%s", r.why);
	write_script("noshebang", "echo hi\n");
	snprintf(cmd, sizeof(cmd), "%s/noshebang", dir);
	assert_false(updown_run(cmd, UPDOWN_UP, &c, 5000, &lg, &r));
	CHECK(strstr(r.why, "needs a #! line") != NULL, "%s", r.why);
	assert_false(updown_run("\"oops", UPDOWN_UP, &c, 5000, &lg, &r));
	CHECK(strstr(r.why, "unbalanced") != NULL, "%s", r.why);
	free(take_log());

	/* disabled: nothing runs, success */
	assert_true(updown_run("%disabled", UPDOWN_UP, &c, 5000, &lg, &r));
	assert_false(r.ran);
	/* a bare name is looked up in PATH, not run through a shell */
	assert_true(updown_run("true ignored-arg", UPDOWN_UP, &c, 5000, &lg, &r));
	assert_true(r.ran);
	assert_false(updown_run("false", UPDOWN_UP, &c, 5000, &lg, &r));
	assert_int_equal(r.exit_status, 1);
	/* "ipsec NAME": $IPSEC_EXECDIR/NAME, the word "ipsec" dropped */
	write_script("_myupdown", "#!/bin/sh\necho \"via execdir: $0 $*\"\n");
	setenv("IPSEC_EXECDIR", dir, 1);
	assert_true(updown_run("ipsec _myupdown --route yes", UPDOWN_UP, &c, 5000, &lg, &r));
	unsetenv("IPSEC_EXECDIR");
	log = take_log();
	snprintf(cmd, sizeof(cmd), "updown up-client: via execdir: %s/_myupdown --route yes", dir);
	CHECK(strstr(log, cmd) != NULL, "%s", log);
	free(log);
	assert_true(updown_run("echo hi; true", UPDOWN_UP, &c, 5000, &lg, &r));
	log = take_log();
	CHECK(strstr(log, "updown up-client: hi; true") != NULL, "no shell: %s", log);
	free(log);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--print-doc") == 0) {
		updown_doc(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--write-doc") == 0)
		return write_doc(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_variable_once),
		cmocka_unit_test(test_values_net_to_net),
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_doc_is_current),
		cmocka_unit_test(test_split_argv),
		cmocka_unit_test(test_default_command),
		cmocka_unit_test(test_run_env_and_output),
		cmocka_unit_test(test_run_failures),
	};
	return cmocka_run_group_tests(tests, run_setup, run_teardown);
}
