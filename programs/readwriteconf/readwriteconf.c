/* ipsec readwriteconf: print the resolved config setup and conns of an
 * ipsec.conf as canonical text or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsecconf/conf.h"
#include "ipsecconf/writers.h"

static const char usage[] =
	"usage: ipsec readwriteconf [--config FILE] [--json] [--conn NAME]\n"
	"                           [--policydir DIR] [--noimplicit]\n"
	"Prints the resolved config setup and conns (include, also=, alsoflip=,\n"
	"%default, leftsubnets= and policy groups applied) as canonical\n"
	"ipsec.conf text, or as JSON. Messages go to stderr as\n"
	"FILE:LINE:COL: error|warning: TEXT. Exit status: 0 without errors,\n"
	"2 when anything failed (the conns that resolved are still printed).\n";

struct out_ctx {
	bool json;
	struct json_writer j;
	bool only_conns;   /* --conn: no config setup */
};

static void emit(const struct resolved *r, void *arg)
{
	struct out_ctx *o = arg;
	if (o->json)
		write_json_section(&o->j, r);
	else if (!(o->only_conns && r->type == SECT_CONFIG))
		write_text_section(stdout, r);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "conn", required_argument, NULL, 'n' },
		{ "policydir", required_argument, NULL, 'p' },
		{ "noimplicit", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = IPSEC_SYSCONFDIR "/ipsec.conf";
	const char *conn = NULL;
	struct ipsecconf_options copts = { 0 };
	struct out_ctx o = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'j': o.json = true; break;
		case 'n': conn = optarg; break;
		case 'p': copts.policy_dir = optarg; break;
		case 'I': copts.no_implicit = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "readwriteconf: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}

	struct diags d = { 0 };
	struct ipsecconf *conf = ipsecconf_load_file(config, &copts, &d);
	if (o.json)
		write_json_begin(&o.j, stdout);
	else
		write_text_header(stdout);
	if (conn != NULL) {
		o.only_conns = true;
		if (o.json) {   /* keep the JSON shape: an empty config_setup */
			struct resolved none = { .type = SECT_CONFIG, .name = "setup" };
			write_json_section(&o.j, &none);
		}
		ipsecconf_walk_conn(conf, conn, emit, &o, &d);
	} else {
		ipsecconf_walk(conf, emit, &o, &d);
	}
	if (o.json)
		write_json_end(&o.j);
	fflush(stdout);
	diags_print(&d, stderr);
	int rc = d.errors ? 2 : 0;
	diags_free(&d);
	ipsecconf_free(conf);
	return rc;
}
