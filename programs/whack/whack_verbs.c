/* ipsec whack: the verb table and everything between argv and the exit
 * status. One verb per invocation. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "whackcli.h"

#define PROG "whack"

const struct whack_verb whack_verbs[] = {
	{ "initiate", WHACK_INITIATE, NULL },
	{ "terminate", WHACK_TERMINATE, NULL },
	{ "delete", WHACK_DELETE, NULL },
	{ "route", WHACK_ROUTE, NULL },
	{ "unroute", WHACK_UNROUTE, NULL },
	{ "status", WHACK_STATUS, NULL },
	{ "rereadsecrets", WHACK_REREADSECRETS, NULL },
	{ "listen", WHACK_LISTEN, NULL },
	{ "shutdown", WHACK_SHUTDOWN, NULL },
	{ "ping", WHACK_PING, NULL },
	{ "ddos-busy", WHACK_DDOS_BUSY, NULL },
	{ "ddos-unlimited", WHACK_DDOS_UNLIMITED, NULL },
	{ "ddos-auto", WHACK_DDOS_AUTO, NULL },
	{ "rekey-ike", WHACK_REKEY_IKE, NULL },
	{ "rekey-child", WHACK_REKEY_CHILD, NULL },
	{ "rekey-ipsec", WHACK_REKEY_CHILD, NULL },   /* libreswan's name */
	{ "trafficstatus", WHACK_TRAFFICSTATUS, NULL },
	{ "globalstatus", WHACK_GLOBALSTATUS, NULL },
	{ "metrics", WHACK_METRICS, NULL },
	{ "debug", WHACK_DEBUG, "CATEGORIES" },
	{ "reopenlogs", WHACK_REOPENLOGS, NULL },
	{ "listall", WHACK_LISTALL, NULL },
	{ "rereadcrls", WHACK_REREADCRLS, NULL },
};

const size_t whack_verbs_len = sizeof(whack_verbs) / sizeof(whack_verbs[0]);

const struct whack_verb *whack_verb_by_option(const char *option)
{
	for (size_t i = 0; i < whack_verbs_len; i++)
		if (strcmp(whack_verbs[i].option, option) == 0)
			return &whack_verbs[i];
	return NULL;
}

static const struct whack_command_desc *desc_of(const struct whack_verb *v)
{
	const struct whack_command_desc *d = whack_command_by_code(v->cmd);
	if (d == NULL)
		abort();   /* the table names a command libwhack does not have */
	return d;
}

void whackcli_usage(FILE *out)
{
	fputs("NAME\n"
	      "    ipsec whack - send one low-level request to pluto\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    ipsec whack [--rundir DIR | --ctlsocket PATH] [--name NAME]\n"
	      "                [--asynchronous] [--json] VERB\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Sends one request to pluto over its control socket and prints\n"
	      "    pluto's answer as it arrives. Unlike ipsec auto it never reads\n"
	      "    ipsec.conf: conns are named, not described (load them with\n"
	      "    ipsec auto --add or ipsec addconn).\n"
	      "\n"
	      "VERBS (exactly one)\n", out);
	for (size_t i = 0; i < whack_verbs_len; i++) {
		const struct whack_command_desc *d = desc_of(&whack_verbs[i]);
		const char *arg = d->name_use == WHACK_NAME_REQUIRED ? " --name N" :
				  d->name_use == WHACK_NAME_OPTIONAL ? " [--name N]" : "";
		char head[48];
		snprintf(head, sizeof(head), "--%s%s%s%s", whack_verbs[i].option,
			 whack_verbs[i].arg ? " " : "", whack_verbs[i].arg ? whack_verbs[i].arg : "", arg);
		client_help_row(out, head, 20, d->help);
	}
	fputs("\n"
	      "OPTIONS\n"
	      "    --name NAME          the conn the verb applies to\n"
	      "    --rundir DIR         talk to the pluto whose run directory is DIR\n"
	      "                         (DIR/pluto.ctl; default " IPSEC_RUNDIR ")\n"
	      "    --ctlsocket PATH     talk to the control socket PATH\n"
	      "    --asynchronous       --initiate: return once the negotiation has\n"
	      "                         started instead of waiting for its outcome\n"
	      "    --json               --status: print pluto's status as JSON\n"
	      "    --help               print this text\n"
	      "\n"
	      "STATUS AS JSON (--status --json; \"schema\": 1)\n"
	      "    One object: \"schema\" (raised when a field changes meaning or\n"
	      "    goes; new fields may come without it), \"connections\", \"ike_sas\",\n"
	      "    \"child_sas\" (arrays), \"ddos\" and \"totals\" (the --globalstatus\n"
	      "    counters by name). Times are whole seconds; -1 means none.\n"
	      "    connections[]  name, left, right (host, id, subnet, ...), type,\n"
	      "                   authby, local, routed, ike_sa, child_sa (serials),\n"
	      "                   orientation, keyingtries, keying_attempt, keying_in\n"
	      "    ike_sas[]      serial, connection, version, state, initiator,\n"
	      "                   local and remote (ADDR:PORT), spis, nat_t,\n"
	      "                   behind_nat, algorithms, peer_id, age, rekey_in,\n"
	      "                   expires_in\n"
	      "    child_sas[]    serial, connection, ike_sa, state, mode, protocol,\n"
	      "                   spi_in, spi_out, algorithms, local, remote (subnets),\n"
	      "                   in_bytes, in_packets, out_bytes, out_packets, encap,\n"
	      "                   age, rekey_in, expires_in\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 on success, otherwise the status pluto answered; 1 when pluto\n"
	      "    cannot be reached (the message names the socket); 2 for usage\n"
	      "    errors.\n"
	      "\n"
	      "EXAMPLES\n"
	      "    ipsec whack --name west-east --initiate\n"
	      "    ipsec whack --status --json\n"
	      "    ipsec whack --rundir /tmp/run --ping\n"
	      "\n"
	      "SEE ALSO\n"
	      "    ipsec auto --help, ipsec setup --help\n", out);
}

enum {
	OPT_NAME = 1, OPT_RUNDIR, OPT_CTLSOCKET, OPT_ASYNC, OPT_JSON, OPT_HELP,
	OPT_VERB = 0x100,   /* + index into whack_verbs[] */
};

static const struct option general_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "rundir", required_argument, NULL, OPT_RUNDIR },
	{ "ctlsocket", required_argument, NULL, OPT_CTLSOCKET },
	{ "asynchronous", no_argument, NULL, OPT_ASYNC },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
};
#define N_GENERAL (sizeof(general_opts) / sizeof(general_opts[0]))

__attribute__((format(printf, 2, 3)))
static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": ", err);
	vfprintf(err, fmt, ap);
	fputs(" (see ipsec whack --help)\n", err);
	va_end(ap);
	return CLIENT_EXIT_USAGE;
}

int whackcli_parse(int argc, char **argv, struct whackcli_args *a, FILE *out, FILE *err)
{
	*a = (struct whackcli_args){ 0 };
	struct option opts[N_GENERAL + sizeof(whack_verbs) / sizeof(whack_verbs[0]) + 1];
	memcpy(opts, general_opts, sizeof(general_opts));
	for (size_t i = 0; i < whack_verbs_len; i++)
		opts[N_GENERAL + i] = (struct option){ whack_verbs[i].option,
						       whack_verbs[i].arg ? required_argument : no_argument,
						       NULL, OPT_VERB + (int)i };
	opts[N_GENERAL + whack_verbs_len] = (struct option){ 0 };

	optind = 0;
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case OPT_NAME:
			if (a->name != NULL && strcmp(a->name, optarg) != 0)
				return usage_error(err, "one --name only ('%s' and '%s' given)",
						   a->name, optarg);
			a->name = optarg;
			break;
		case OPT_RUNDIR: a->rundir = optarg; break;
		case OPT_CTLSOCKET: a->ctlsocket = optarg; break;
		case OPT_ASYNC: a->async = true; break;
		case OPT_JSON: a->json = true; break;
		case OPT_HELP:
			whackcli_usage(out);
			return -1;
		case ':':
			return usage_error(err, "%s needs an argument", argv[optind - 1]);
		case '?':
			return usage_error(err, "unknown option '%s'", argv[optind - 1]);
		default: {
			if (o < OPT_VERB || (size_t)(o - OPT_VERB) >= whack_verbs_len)
				return usage_error(err, "cannot parse '%s'", argv[optind - 1]);
			const struct whack_verb *v = &whack_verbs[o - OPT_VERB];
			if (a->verb != NULL && a->verb != v)
				return usage_error(err, "give one verb, not --%s and --%s",
						   a->verb->option, v->option);
			a->verb = v;
			if (v->arg != NULL)
				a->verb_arg = optarg;
			break;
		}
		}
	}
	if (optind < argc)
		return usage_error(err, "unexpected argument '%s' (conn names go with --name)",
				   argv[optind]);
	if (a->verb == NULL)
		return usage_error(err, "no verb given (--initiate, --status, --ping, ...)");
	const struct whack_command_desc *d = desc_of(a->verb);
	const char *verb = a->verb->option;
	if (a->name == NULL && d->name_use == WHACK_NAME_REQUIRED)
		return usage_error(err, "--%s needs --name NAME", verb);
	if (a->name != NULL && d->name_use == WHACK_NAME_NONE)
		return usage_error(err, "--%s takes no --name", verb);
	if (a->json && a->verb->cmd != WHACK_STATUS)
		return usage_error(err, "--json goes with --status, not with --%s", verb);
	if (a->ctlsocket != NULL && a->rundir != NULL)
		return usage_error(err, "give --ctlsocket or --rundir, not both");
	if (a->name != NULL) {
		/* the name rules of the protocol, reported as a usage error */
		struct whack_msg m;
		whackcli_build(a, &m);
		err_t e = whack_msg_check(&m);
		whack_msg_free(&m);
		if (e != NULL)
			return usage_error(err, "--name: %s", e);
	}
	a->ctl = client_ctl_path(a->ctlsocket, a->rundir);
	return 0;
}

void whackcli_args_free(struct whackcli_args *a)
{
	free(a->ctl);
	a->ctl = NULL;
}

void whackcli_build(const struct whackcli_args *a, struct whack_msg *m)
{
	whack_msg_init(m, a->verb->cmd);
	if (a->name != NULL)
		whack_msg_set_name(m, a->name);
	if (a->json)
		whack_msg_add_option(m, "json", "yes");
	if (a->verb->arg != NULL && a->verb_arg != NULL)
		whack_msg_add_option(m, a->verb->option, a->verb_arg);
	if (a->async && a->verb->cmd == WHACK_INITIATE)
		m->flags |= WHACK_FLAG_ASYNC;
}

int whackcli_run(const struct whackcli_args *a, FILE *out, FILE *err)
{
	struct whack_msg m;
	whackcli_build(a, &m);
	struct client_out o = { .out = out };
	int s = client_send(PROG, a->ctl, &m, &o, err);
	whack_msg_free(&m);
	fflush(out);
	if (s < 0)
		return s == -2 ? CLIENT_EXIT_USAGE : CLIENT_EXIT_UNREACHABLE;
	if (s != 0 && o.records == 0)
		fprintf(err, PROG ": pluto answered status %d to --%s\n", s, a->verb->option);
	return s;
}

int whackcli_main(int argc, char **argv)
{
	struct whackcli_args a;
	int rc = whackcli_parse(argc, argv, &a, stdout, stderr);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = whackcli_run(&a, stdout, stderr);
	whackcli_args_free(&a);
	return rc;
}
