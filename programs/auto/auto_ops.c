/* ipsec auto: one table of operations, and everything between argv and
 * pluto's exit status. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "auto.h"

#define PROG "auto"

const struct auto_op auto_ops[] = {
	{ "add", WHACK_ADD, WHACK_NAME_REQUIRED, true,
	  "load conn NAME from the configuration" },
	{ "delete", WHACK_DELETE, WHACK_NAME_REQUIRED, false,
	  "remove conn NAME from pluto, tearing down its SAs" },
	{ "replace", WHACK_REPLACE, WHACK_NAME_REQUIRED, true,
	  "delete conn NAME (and its instances) and load it again from the config" },
	{ "up", WHACK_INITIATE, WHACK_NAME_REQUIRED, false,
	  "negotiate conn NAME and wait for the outcome" },
	{ "down", WHACK_TERMINATE, WHACK_NAME_REQUIRED, false,
	  "tear down the SAs of conn NAME, keeping it loaded" },
	{ "route", WHACK_ROUTE, WHACK_NAME_REQUIRED, false,
	  "install policy so that traffic starts negotiating" },
	{ "unroute", WHACK_UNROUTE, WHACK_NAME_REQUIRED, false,
	  "remove the kernel policy installed by --route" },
	{ "status", WHACK_STATUS, WHACK_NAME_OPTIONAL, false,
	  "show conns, IKE SAs and Child SAs (of NAME only)" },
	{ "rereadsecrets", WHACK_REREADSECRETS, WHACK_NAME_NONE, false,
	  "make pluto read ipsec.secrets again" },
	{ "ready", WHACK_LISTEN, WHACK_NAME_NONE, false,
	  "make pluto rescan interfaces and listen on them" },
	{ "listen", WHACK_LISTEN, WHACK_NAME_NONE, false,
	  "the same as --ready" },
	/* libreswan's other names for the same operations */
	{ "start", WHACK_INITIATE, WHACK_NAME_REQUIRED, false,
	  "the same as --up" },
	{ "ondemand", WHACK_ROUTE, WHACK_NAME_REQUIRED, false,
	  "the same as --route (libreswan's auto=ondemand)" },
	{ "rereadall", WHACK_REREADSECRETS, WHACK_NAME_NONE, false,
	  "read ipsec.secrets again (certificates are read from NSS when used; CRLs: --rereadcrls)" },
	{ "rereadcrls", WHACK_REREADCRLS, WHACK_NAME_NONE, false,
	  "make pluto read the CRLs of the NSS database again (ipsec crls)" },
	{ "listall", WHACK_LISTALL, WHACK_NAME_NONE, false,
	  "list the conns' public keys and the host keys (ipsec whack --listall)" },
};

const size_t auto_ops_len = sizeof(auto_ops) / sizeof(auto_ops[0]);

const struct auto_op *auto_op_by_name(const char *name)
{
	for (size_t i = 0; i < auto_ops_len; i++)
		if (strcmp(auto_ops[i].name, name) == 0)
			return &auto_ops[i];
	return NULL;
}

/* ---- help ---- */

static const char *name_arg(enum whack_name_use u)
{
	switch (u) {
	case WHACK_NAME_REQUIRED: return " NAME";
	case WHACK_NAME_OPTIONAL: return " [NAME]";
	case WHACK_NAME_NONE: break;
	}
	return "";
}

void auto_usage(FILE *out)
{
	fputs("NAME\n"
	      "    ipsec auto - control connections in the running pluto\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    ipsec auto [--config FILE] [--policydir DIR]\n"
	      "               [--rundir DIR | --ctlsocket PATH]\n"
	      "               [--asynchronous] [--json] [--showonly] OPERATION [NAME]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Sends one operation to pluto over its control socket and prints\n"
	      "    pluto's answer as it arrives. --add and --replace read conn NAME\n"
	      "    from the configuration, resolved as `ipsec readwriteconf` shows it\n"
	      "    (include, also=, %default, built-in defaults), and send every\n"
	      "    key=value; a conn with leftsubnets=/rightsubnets= is sent as its\n"
	      "    instances NAME/LxR, a policy group as its instances NAME#CIDR.\n"
	      "    The other operations send only NAME.\n"
	      "\n"
	      "OPERATIONS (exactly one)\n", out);
	for (size_t i = 0; i < auto_ops_len; i++) {
		char head[40];
		snprintf(head, sizeof(head), "--%s%s", auto_ops[i].name,
			 name_arg(auto_ops[i].name_use));
		client_help_row(out, head, 20, auto_ops[i].help);
	}
	fputs("\n"
	      "OPTIONS\n"
	      "    --config FILE        the configuration (default " IPSEC_SYSCONFDIR "/ipsec.conf)\n"
	      "    --policydir DIR      policy-group files (default: ipsec.d/policy\n"
	      "                         beside the configuration)\n"
	      "    --rundir DIR         talk to the pluto whose run directory is DIR\n"
	      "                         (DIR/pluto.ctl; default " IPSEC_RUNDIR ")\n"
	      "    --ctlsocket PATH     talk to the control socket PATH\n"
	      "    --asynchronous       --up: return once the negotiation has started\n"
	      "                         instead of waiting for its outcome\n"
	      "    --json               --status: print pluto's status as JSON\n"
	      "    --showonly           print the requests instead of sending them\n"
	      "    --help               print this text\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 on success, otherwise the status pluto answered (--up: 0 only\n"
	      "    when the connection was established; pluto's lines say why not);\n"
	      "    1 when pluto cannot be reached (the message names the socket);\n"
	      "    2 for usage errors and configuration errors, which are printed as\n"
	      "    FILE:LINE:COL: error: TEXT. When NAME itself does not resolve\n"
	      "    nothing is sent; errors elsewhere in the file do not stop NAME.\n"
	      "\n"
	      "EXAMPLES\n"
	      "    ipsec auto --add west-east && ipsec auto --up west-east\n"
	      "    ipsec auto --status --json\n"
	      "    ipsec auto --rundir /tmp/run --replace west-east\n"
	      "\n"
	      "SEE ALSO\n"
	      "    ipsec whack --help, ipsec setup --help, ipsec addconn --help\n", out);
}

/* ---- arguments ---- */

enum {
	OPT_CONFIG = 1, OPT_POLICYDIR, OPT_RUNDIR, OPT_CTLSOCKET, OPT_ASYNC,
	OPT_JSON, OPT_SHOWONLY, OPT_HELP,
	OPT_OP = 0x100,   /* + index into auto_ops[] */
};

static const struct option general_opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "policydir", required_argument, NULL, OPT_POLICYDIR },
	{ "rundir", required_argument, NULL, OPT_RUNDIR },
	{ "ctlsocket", required_argument, NULL, OPT_CTLSOCKET },
	{ "asynchronous", no_argument, NULL, OPT_ASYNC },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "showonly", no_argument, NULL, OPT_SHOWONLY },
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
	fputs(" (see ipsec auto --help)\n", err);
	va_end(ap);
	return CLIENT_EXIT_USAGE;
}

int auto_parse(int argc, char **argv, struct auto_args *a, FILE *out, FILE *err)
{
	*a = (struct auto_args){ .config = IPSEC_SYSCONFDIR "/ipsec.conf" };
	struct option opts[N_GENERAL + sizeof(auto_ops) / sizeof(auto_ops[0]) + 1];
	memcpy(opts, general_opts, sizeof(general_opts));
	for (size_t i = 0; i < auto_ops_len; i++)
		opts[N_GENERAL + i] = (struct option){ auto_ops[i].name, no_argument,
						       NULL, OPT_OP + (int)i };
	opts[N_GENERAL + auto_ops_len] = (struct option){ 0 };

	optind = 0;   /* start afresh (GNU getopt), also for repeated calls */
	opterr = 0;   /* our own one-line messages */
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_POLICYDIR: a->policydir = optarg; break;
		case OPT_RUNDIR: a->rundir = optarg; break;
		case OPT_CTLSOCKET: a->ctlsocket = optarg; break;
		case OPT_ASYNC: a->async = true; break;
		case OPT_JSON: a->json = true; break;
		case OPT_SHOWONLY: a->showonly = true; break;
		case OPT_HELP:
			auto_usage(out);
			return -1;
		case ':':
			return usage_error(err, "%s needs an argument", argv[optind - 1]);
		case '?':
			return usage_error(err, "unknown option '%s'", argv[optind - 1]);
		default: {
			if (o < OPT_OP || (size_t)(o - OPT_OP) >= auto_ops_len)
				return usage_error(err, "cannot parse '%s'", argv[optind - 1]);
			const struct auto_op *op = &auto_ops[o - OPT_OP];
			if (a->op != NULL && a->op != op)
				return usage_error(err, "give one operation, not --%s and --%s",
						   a->op->name, op->name);
			a->op = op;
			break;
		}
		}
	}
	if (a->op == NULL)
		return usage_error(err, "no operation given (--add, --up, --status, ...)");
	int names = argc - optind;
	const char *op = a->op->name;
	if (names > 1)
		return usage_error(err, "--%s: one conn name at most, '%s' is one too many",
				   op, argv[optind + 1]);
	if (names == 0 && a->op->name_use == WHACK_NAME_REQUIRED)
		return usage_error(err, "--%s needs a conn name", op);
	if (names == 1 && a->op->name_use == WHACK_NAME_NONE)
		return usage_error(err, "--%s takes no conn name, '%s' given", op, argv[optind]);
	if (names == 1)
		a->name = argv[optind];
	if (a->json && a->op->cmd != WHACK_STATUS)
		return usage_error(err, "--json goes with --status, not with --%s", op);
	if (a->ctlsocket != NULL && a->rundir != NULL)
		return usage_error(err, "give --ctlsocket or --rundir, not both");
	a->ctl = client_ctl_path(a->ctlsocket, a->rundir);
	return 0;
}

void auto_args_free(struct auto_args *a)
{
	free(a->ctl);
	a->ctl = NULL;
}

/* ---- building ---- */

static int build_from_config(const struct auto_args *a, struct auto_plan *p, FILE *info)
{
	struct ipsecconf_options copts = { .policy_dir = a->policydir };
	p->conf = ipsecconf_load_file(a->config, &copts, &p->d);
	size_t n = 0;
	if (!client_build_conn(p->conf, a->name, a->op->cmd, &p->msgs, &n, &p->d))
		return CLIENT_EXIT_USAGE;
	/* a conn sent as instances: the first REPLACE names the conn, so that
	 * pluto also deletes instances that have left the configuration */
	if (a->op->cmd == WHACK_REPLACE && n > 0 && strcmp(p->msgs.v[0].name, a->name) != 0)
		whack_msg_add_option(&p->msgs.v[0], "replaces", a->name);
	if (n == 0 && info != NULL)
		fprintf(info, PROG ": conn %s is a policy group without instances: nothing to send\n",
			a->name);
	return 0;
}

int auto_build(const struct auto_args *a, struct auto_plan *p, FILE *info, FILE *err)
{
	*p = (struct auto_plan){ 0 };
	int rc = 0;
	if (a->op->needs_config) {
		rc = build_from_config(a, p, info);
	} else {
		struct whack_msg *m = whack_msgs_push(&p->msgs, a->op->cmd, a->name);
		if (a->json)
			whack_msg_add_option(m, "json", "yes");
		if (a->async && a->op->cmd == WHACK_INITIATE)
			m->flags |= WHACK_FLAG_ASYNC;
	}
	/* checked here, so that pluto's absence cannot hide a usage error */
	for (size_t i = 0; rc == 0 && i < p->msgs.n; i++) {
		err_t e = whack_msg_check(&p->msgs.v[i]);
		if (e != NULL) {
			fprintf(err, PROG ": cannot send --%s %s: %s\n", a->op->name,
				p->msgs.v[i].name != NULL ? p->msgs.v[i].name : "", e);
			rc = CLIENT_EXIT_USAGE;
		}
	}
	return rc;
}

void auto_plan_free(struct auto_plan *p)
{
	whack_msgs_free(&p->msgs);
	diags_free(&p->d);
	if (p->conf != NULL)
		ipsecconf_free(p->conf);
	p->conf = NULL;
}

/* ---- running ---- */

int auto_run(const struct auto_args *a, FILE *out, FILE *err)
{
	struct auto_plan p;
	int rc = auto_build(a, &p, out, err);
	diags_print(&p.d, err);
	for (size_t i = 0; rc == 0 && a->showonly && i < p.msgs.n; i++)
		client_msg_print(out, &p.msgs.v[i]);
	int first_failure = 0;
	for (size_t i = 0; rc == 0 && !a->showonly && i < p.msgs.n; i++) {
		const struct whack_msg *m = &p.msgs.v[i];
		struct client_out o = { .out = out };
		int s = client_send(PROG, a->ctl, m, &o, err);
		if (s < 0) {
			rc = s == -2 ? CLIENT_EXIT_USAGE : CLIENT_EXIT_UNREACHABLE;
			break;
		}
		if (s != 0 && o.records == 0)   /* pluto said nothing: say something */
			fprintf(err, PROG ": pluto answered status %d to --%s%s%s\n", s,
				a->op->name, m->name != NULL ? " " : "",
				m->name != NULL ? m->name : "");
		/* the first failure counts; the other instances still go */
		if (first_failure == 0)
			first_failure = s;
	}
	if (rc == 0)
		rc = first_failure;
	if (rc == 0 && p.d.errors > 0)
		rc = CLIENT_EXIT_USAGE;
	fflush(out);
	auto_plan_free(&p);
	return rc;
}

int auto_main(int argc, char **argv)
{
	struct auto_args a;
	int rc = auto_parse(argc, argv, &a, stdout, stderr);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = auto_run(&a, stdout, stderr);
	auto_args_free(&a);
	return rc;
}
