/* Unit tests: PROTO[/PORT] parsing with private protocols/services files,
 * and (when present) the system's own files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "swan/protoport.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static char protocols_file[] = "/tmp/test_swan_protocols.XXXXXX";
static char services_file[] = "/tmp/test_swan_services.XXXXXX";

static void write_file(char *templ, const char *text)
{
	int fd = mkstemp(templ);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	write_file(protocols_file,
		   "# Internet protocols (test copy)\n"
		   "\n"
		   "ip\t0\tIP\t\t# pseudo protocol\n"
		   "icmp\t1\tICMP\n"
		   "tcp\t6\tTCP\t\t# transmission control protocol\n"
		   "udp\t17\tUDP\n"
		   "gre\t47\tGRE\n"
		   "esp\t50\tIPSEC-ESP\n"
		   "ipv6-icmp 58\tIPv6-ICMP\n"
		   "sctp\t132\tSCTP\n"
		   "udplite\t136\tUDPLite\n"
		   "broken\n"
		   "bad\t300\n"
		   "alsobad\tx7\n");
	char services[8192];
	/* An overlong line must be skipped, not split into fake entries. */
	char longline[3000];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline + 10, " ", 1);
	memcpy(longline + 1023, "fake 4242/tcp ", 14);
	longline[sizeof(longline) - 1] = '\0';
	snprintf(services, sizeof(services),
		 "# services (test copy)\n"
		 "smtp\t\t25/tcp\t\tmail\n"
		 "domain\t\t53/tcp\n"
		 "domain\t\t53/udp\n"
		 "isakmp\t\t500/udp\n"
		 "l2f\t\t1701/udp\tl2tp\n"
		 "ipsec-nat-t\t4500/udp\n"
		 "%s\n"
		 "junk\n"
		 "junk2\t99999/tcp\n"
		 "junk3\t12/\n"
		 "sctpsvc\t9899/sctp\n",
		 longline);
	write_file(services_file, services);
	protoport_set_files(protocols_file, services_file);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	protoport_set_files(NULL, NULL);
	unlink(protocols_file);
	unlink(services_file);
	return 0;
}

static void test_lookups(void **state)
{
	(void)state;
	assert_int_equal(proto_by_name("tcp"), 6);
	assert_int_equal(proto_by_name("TCP"), 6);
	assert_int_equal(proto_by_name("udp"), 17);
	assert_int_equal(proto_by_name("icmp"), 1);
	assert_int_equal(proto_by_name("IPSEC-ESP"), 50);
	assert_int_equal(proto_by_name("ipv6-icmp"), 58);
	assert_int_equal(proto_by_name("nosuch"), -1);
	assert_int_equal(proto_by_name("broken"), -1);
	assert_int_equal(proto_by_name("bad"), -1);
	assert_int_equal(proto_by_name("alsobad"), -1);
	assert_int_equal(proto_by_name("#"), -1);

	assert_int_equal(port_by_name("smtp", "tcp"), 25);
	assert_int_equal(port_by_name("mail", "tcp"), 25);
	assert_int_equal(port_by_name("smtp", "udp"), -1);
	assert_int_equal(port_by_name("smtp", NULL), 25);
	assert_int_equal(port_by_name("l2tp", "udp"), 1701);
	assert_int_equal(port_by_name("domain", "udp"), 53);
	assert_int_equal(port_by_name("fake", "tcp"), -1);
	assert_int_equal(port_by_name("junk", NULL), -1);
	assert_int_equal(port_by_name("junk2", NULL), -1);
	assert_int_equal(port_by_name("junk3", NULL), -1);
	assert_int_equal(port_by_name("sctpsvc", "sctp"), 9899);
}

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		unsigned proto, port;
		bool has_port, any_port;
		const char *out;
	} good[] = {
		{ "tcp/smtp", 6, 25, true, false, "6/25" },
		{ "tcp/mail", 6, 25, true, false, "6/25" },
		{ "TCP/smtp", 6, 25, true, false, "6/25" },
		{ "17/1701", 17, 1701, true, false, "17/1701" },
		{ "17/%any", 17, 0, true, true, "17/%any" },
		{ "udp/%any", 17, 0, true, true, "17/%any" },
		{ "udp/l2tp", 17, 1701, true, false, "17/1701" },
		{ "udp/l2f", 17, 1701, true, false, "17/1701" },
		{ "17/l2tp", 17, 1701, true, false, "17/1701" },
		{ "udp/isakmp", 17, 500, true, false, "17/500" },
		{ "udp/domain", 17, 53, true, false, "17/53" },
		{ "icmp", 1, 0, false, false, "1" },
		{ "icmp/8", 1, 8, true, false, "1/8" },
		{ "ipv6-icmp/128", 58, 128, true, false, "58/128" },
		{ "tcp", 6, 0, false, false, "6" },
		{ "6", 6, 0, false, false, "6" },
		{ "0", 0, 0, false, false, "0" },
		{ "%any", 0, 0, false, false, "0" },
		{ "%any/%any", 0, 0, true, true, "0/%any" },
		{ "%any/0", 0, 0, true, false, "0/0" },
		{ "255", 255, 0, false, false, "255" },
		{ "tcp/0", 6, 0, true, false, "6/0" },
		{ "tcp/65535", 6, 65535, true, false, "6/65535" },
		{ "gre", 47, 0, false, false, "47" },
		{ "gre/%any", 47, 0, true, true, "47/%any" },
		{ "sctp/9899", 132, 9899, true, false, "132/9899" },
		{ "udplite/1", 136, 1, true, false, "136/1" },
		{ "esp", 50, 0, false, false, "50" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ip_protoport pp, again;
		char buf[PROTOPORT_BUF];
		err_t e = ttoprotoport(good[i].in, &pp);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		CHECK(pp.proto == good[i].proto && pp.port == good[i].port &&
		      pp.has_port == good[i].has_port && pp.any_port == good[i].any_port,
		      "'%s' -> %u/%u has %d any %d", good[i].in, pp.proto, pp.port, pp.has_port, pp.any_port);
		str_protoport(&pp, buf);
		CHECK(strcmp(buf, good[i].out) == 0, "'%s' -> '%s', want '%s'", good[i].in, buf, good[i].out);
		e = ttoprotoport(buf, &again);
		CHECK(e == NULL && pp.proto == again.proto && pp.port == again.port &&
		      pp.has_port == again.has_port && pp.any_port == again.any_port,
		      "'%s' does not round trip", buf);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "/", "/80", "tcp/", "foo", "foo/80", "tcp/foo", "udp/smtp", "tcp/l2tp",
		"256", "1000", "-1", "6x", "6/65536", "6/99999999999", "6/-1", "6/80x", "6/+80",
		"6/ 80", " 6", "6 ", "gre/80", "esp/1", "%any/80", "0/80", "icmp/256",
		"tcp/smtp/x", "tcp//25", "%all", "%any6", "tcp/%all",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"fake", "tcp/fake",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip_protoport pp;
		CHECK(ttoprotoport(bad[i], &pp) != NULL, "'%s' accepted", bad[i]);
	}
	ip_protoport pp;
	assert_non_null(ttoprotoport(NULL, &pp));
}

static void test_missing_files(void **state)
{
	(void)state;
	ip_protoport pp;
	protoport_set_files("/nonexistent/protocols", "/nonexistent/services");
	assert_int_equal(proto_by_name("tcp"), -1);
	assert_non_null(ttoprotoport("tcp", &pp));
	/* Numbers need no files. */
	assert_null(ttoprotoport("17/1701", &pp));
	protoport_set_files(protocols_file, services_file);
	assert_null(ttoprotoport("tcp/smtp", &pp));
	assert_int_equal(pp.port, 25);
}

/* The real /etc files, when this machine has them (netbase). */
static void test_system_files(void **state)
{
	(void)state;
	protoport_set_files(NULL, NULL);
	if (access("/etc/protocols", R_OK) != 0 || access("/etc/services", R_OK) != 0 ||
	    port_by_name("l2tp", "udp") < 0) {
		protoport_set_files(protocols_file, services_file);
		skip();
	}
	ip_protoport pp;
	assert_null(ttoprotoport("tcp/smtp", &pp));
	assert_int_equal(pp.proto, 6);
	assert_int_equal(pp.port, 25);
	assert_null(ttoprotoport("udp/l2tp", &pp));
	assert_int_equal(pp.proto, 17);
	assert_int_equal(pp.port, 1701);
	assert_null(ttoprotoport("icmp", &pp));
	assert_int_equal(pp.proto, 1);
	assert_non_null(ttoprotoport("udp/no-such-service-here", &pp));
	protoport_set_files(protocols_file, services_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_system_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
