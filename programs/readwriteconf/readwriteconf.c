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
	"                           [--policydir DIR] [--noimplicit] [--strict]\n"
	"Prints the resolved config setup and conns (include, also=, alsoflip=,\n"
	"%default, leftsubnets= and policy groups applied) as canonical\n"
	"ipsec.conf text, or as JSON. Messages go to stderr as\n"
	"FILE:LINE:COL: error|warning: TEXT. Files in libreswan's or strongSwan's\n"
	"dialect are read too and written in Openswan form; a last line on\n"
	"stderr names the keywords of those dialects that were met.\n"
	"Exit status: 0 without errors, 2 when anything failed (the conns that\n"
	"resolved are still printed), 1 with --strict when the files use\n"
	"keywords of another dialect (pure Openswan files only).\n";

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

/* One line naming the keywords of libreswan's and strongSwan's dialects
 * that were met (nothing for a pure Openswan file). True when any was. */
static bool report_dialects(const struct ipsecconf *conf, const char *file, bool strict)
{
	static const struct { unsigned flags; const char *name; } groups[] = {
		{ KF_LIBRESWAN, "libreswan" },
		{ KF_STRONGSWAN, "strongSwan" },
		{ KF_LIBRESWAN | KF_STRONGSWAN, "libreswan and strongSwan" },
	};
	const struct dialect_use *u;
	size_t n = ipsecconf_dialect_uses(conf, &u);
	if (n == 0)
		return false;
	fprintf(stderr, "%s: %s", file, strict ? "error: not pure Openswan: " : "note: ");
	const char *sep = "";
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			if (u[i].flags != groups[g].flags)
				continue;
			fprintf(stderr, "%s%s%s", any ? ", " : sep, any ? "" : groups[g].name,
				any ? "" : " keywords ");
			fprintf(stderr, "%s", u[i].name);
			if (u[i].count > 1)
				fprintf(stderr, " (%u)", u[i].count);
			any = true;
		}
		if (any)
			sep = "; ";
	}
	fprintf(stderr, "%s\n", strict ? "" : "; written in Openswan form");
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "conn", required_argument, NULL, 'n' },
		{ "policydir", required_argument, NULL, 'p' },
		{ "noimplicit", no_argument, NULL, 'I' },
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = IPSEC_SYSCONFDIR "/ipsec.conf";
	const char *conn = NULL;
	struct ipsecconf_options copts = { 0 };
	struct out_ctx o = { 0 };
	bool strict = false;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'j': o.json = true; break;
		case 'n': conn = optarg; break;
		case 'p': copts.policy_dir = optarg; break;
		case 'I': copts.no_implicit = true; break;
		case 'S': strict = true; break;
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
	bool other = report_dialects(conf, config, strict);
	int rc = d.errors ? 2 : strict && other ? 1 : 0;
	diags_free(&d);
	ipsecconf_free(conf);
	return rc;
}
