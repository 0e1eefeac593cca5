/* ipsec addconn: check an ipsec.conf, list its conns by auto=, and hand the
 * resolved conns to pluto over its control socket. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsecconf/conf.h"
#include "whack.h"

static const char usage[] =
	"usage: ipsec addconn [--config FILE] [--ctlsocket PATH | --rundir DIR]\n"
	"                     [--policydir DIR] [--strict]\n"
	"                     --checkconfig | --autoall [--prune] | --listall | --listadd |\n"
	"                     --listroute | --liststart | --listignore | NAME...\n"
	"  --checkconfig  check the file; exit 0 when clean, 1 on warnings with\n"
	"                 --strict, 2 on errors (messages: FILE:LINE:COL: ...)\n"
	"  --list*        print the names of the conns with that auto= (--listall:\n"
	"                 every conn), one a line\n"
	"  --autoall      add every conn with auto=add|route|start to pluto, route\n"
	"                 the auto=route ones and start the auto=start ones (one\n"
	"                 that is up or being negotiated is left as it is)\n"
	"  --prune        with --autoall (a reload): then delete the conns pluto has\n"
	"                 that the file no longer has (Deletes to their peers);\n"
	"                 not done when the file has errors or pluto refused a conn\n"
	"  NAME...        add these conns to pluto (whatever their auto=)\n"
	"Exit status: 0 success, 1 pluto refused something or cannot be reached,\n"
	"2 errors in the configuration.\n";

enum mode { M_NONE, M_CHECK, M_AUTOALL, M_LIST, M_NAMES };

struct ctx {
	enum mode mode;
	const char *list;        /* auto= value to list, or "" for all */
	const char *ctl;         /* control socket */
	unsigned refused;        /* conns pluto did not take */
	bool unreachable;        /* pluto cannot be reached: stop trying */
	bool prune;              /* --prune: the reload's bookkeeping (whack prune) */
};

static int print_reply(void *arg, enum whack_reply_type type, const char *text, size_t len)
{
	(void)arg;
	(void)type;
	fprintf(stdout, "%.*s\n", (int)len, text);
	return 0;
}

/* Sends m (and frees it); false (reported, naming what) when pluto cannot
 * be reached or refused it. */
static bool send_msg(struct ctx *c, struct whack_msg *m, const char *what)
{
	char err[WHACK_ERR_BUF];
	int rc = whack_call(c->ctl, m, print_reply, NULL, err);
	whack_msg_free(m);
	if (rc < 0) {
		fprintf(stderr, "addconn: %s\n", err);
		c->unreachable = true;
		return false;
	}
	if (rc != 0) {
		fprintf(stderr, "addconn: pluto refused %s (status %d)\n", what, rc);
		return false;
	}
	return true;
}

/* Sends one command about one conn; false (reported) when it failed. */
static bool call(struct ctx *c, enum whack_command cmd, const struct resolved *r, bool with_conn)
{
	struct whack_msg m;
	whack_msg_init(&m, cmd);
	whack_msg_set_name(&m, r->name);
	if (with_conn)
		for (size_t i = 0; i < r->n_kv; i++) {
			/* keywords Cygnet accepts without acting on them (warned
			 * about when read) are not pluto's business */
			if (r->kv[i].slot != SIZE_MAX &&
			    (keyword_of_slot(r->kv[i].slot, NULL)->flags & KF_NOEFFECT))
				continue;
			whack_msg_add_conn(&m, r->kv[i].key, r->kv[i].value);
		}
	/* auto=start: see that it is up (a reload keeps a tunnel that is) */
	if (cmd == WHACK_INITIATE)
		m.flags |= WHACK_FLAG_ASYNC | WHACK_FLAG_UNLESS_UP;
	char what[300];
	snprintf(what, sizeof(what), "conn %s", r->name);
	return send_msg(c, &m, what);
}

/* whack prune phase=PHASE [NAME]: false (reported) when it failed */
static bool prune_call(struct ctx *c, const char *phase, const char *name)
{
	if (c->unreachable)
		return false;
	struct whack_msg m;
	whack_msg_init(&m, WHACK_PRUNE);
	if (name != NULL)
		whack_msg_set_name(&m, name);
	whack_msg_add_option(&m, "phase", phase);
	char what[64];
	snprintf(what, sizeof(what), "prune phase=%s", phase);
	return send_msg(c, &m, what);
}

static void load(struct ctx *c, const struct resolved *r)
{
	const char *a = resolved_value(r, "auto");
	if (c->unreachable) {
		c->refused++;
		return;
	}
	if (!call(c, WHACK_ADD, r, true)) {
		c->refused++;
		return;
	}
	if (c->mode != M_AUTOALL)
		return;
	if ((strcmp(a, "route") == 0 && !call(c, WHACK_ROUTE, r, false)) ||
	    (strcmp(a, "start") == 0 && !call(c, WHACK_INITIATE, r, false)))
		c->refused++;
}

static void each(const struct resolved *r, void *arg)
{
	struct ctx *c = arg;
	if (r->type != SECT_CONN)
		return;
	const char *a = resolved_value(r, "auto");
	switch (c->mode) {
	case M_LIST:
		if (c->list[0] == '\0' || strcmp(a, c->list) == 0)
			printf("%s\n", r->name);
		break;
	case M_AUTOALL:
		/* a policy-group template is not a conn: its instances are; the
		 * implicit conns are opportunistic encryption, which this pluto
		 * does not do */
		if (!r->group && !r->implicit && (strcmp(a, "add") == 0 || strcmp(a, "route") == 0 ||
				  strcmp(a, "start") == 0))
			load(c, r);
		else if (c->prune && !prune_call(c, "keep", r->name))
			c->refused++;   /* then nothing is pruned */
		break;
	case M_NAMES:
		if (!r->group)
			load(c, r);
		break;
	default:
		break;
	}
}

static bool set_mode(struct ctx *c, enum mode m, const char *list)
{
	if (c->mode != M_NONE) {
		fprintf(stderr, "addconn: give only one of --checkconfig, --autoall, --list*\n");
		return false;
	}
	c->mode = m;
	c->list = list;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ctlsocket", required_argument, NULL, 's' },
		{ "rundir", required_argument, NULL, 'r' },
		{ "policydir", required_argument, NULL, 'p' },
		{ "checkconfig", no_argument, NULL, 'k' },
		{ "strict", no_argument, NULL, 'S' },
		{ "autoall", no_argument, NULL, 'a' },
		{ "prune", no_argument, NULL, 'P' },
		{ "listall", no_argument, NULL, '0' },
		{ "listadd", no_argument, NULL, '1' },
		{ "listroute", no_argument, NULL, '2' },
		{ "liststart", no_argument, NULL, '3' },
		{ "listignore", no_argument, NULL, '4' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const list_auto[] = { "", "add", "route", "start", "ignore" };
	const char *config = IPSEC_SYSCONFDIR "/ipsec.conf";
	struct ipsecconf_options copts = { 0 };
	struct ctx c = { .ctl = NULL };
	bool strict = false;
	char *ctl_buf = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;
		switch (o) {
		case 'c': config = optarg; break;
		case 's': c.ctl = optarg; break;
		case 'r':
			free(ctl_buf);
			if (asprintf(&ctl_buf, "%s/pluto.ctl", optarg) < 0)
				return 2;
			c.ctl = ctl_buf;
			break;
		case 'p': copts.policy_dir = optarg; break;
		case 'S': strict = true; break;
		case 'P': c.prune = true; break;
		case 'k': ok = set_mode(&c, M_CHECK, NULL); break;
		case 'a': ok = set_mode(&c, M_AUTOALL, NULL); break;
		case '0': case '1': case '2': case '3': case '4':
			ok = set_mode(&c, M_LIST, list_auto[o - '0']);
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: ok = false; break;
		}
		if (!ok) {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		if (c.mode != M_NONE) {
			fprintf(stderr, "addconn: conn names cannot be combined with --checkconfig, --autoall or --list*\n");
			return 2;
		}
		c.mode = M_NAMES;
	}
	if (c.mode == M_NONE) {
		fputs(usage, stderr);
		return 2;
	}

	if (c.prune && c.mode != M_AUTOALL) {
		fprintf(stderr, "addconn: --prune goes with --autoall\n");
		return 2;
	}
	struct diags d = { 0 };
	struct ipsecconf *conf = ipsecconf_load_file(config, &copts, &d);
	if (c.prune && !prune_call(&c, "begin", NULL))
		c.refused++;
	if (c.mode == M_NAMES) {
		for (int i = optind; i < argc; i++)
			ipsecconf_walk_conn(conf, argv[i], each, &c, &d);
	} else {
		ipsecconf_walk(conf, each, &c, &d);
	}
	/* a conn that failed to load would look gone: delete nothing then */
	if (c.prune && (d.errors || c.refused))
		fprintf(stderr, "addconn: not deleting conns gone from %s: %s\n", config,
			d.errors ? "it has errors" : "pluto did not take all of it");
	else if (c.prune && !prune_call(&c, "end", NULL))
		c.refused++;
	diags_print(&d, stderr);
	int rc = 0;
	if (d.errors)
		rc = 2;
	else if (c.refused)
		rc = 1;
	else if (c.mode == M_CHECK && strict && d.warnings)
		rc = 1;
	diags_free(&d);
	ipsecconf_free(conf);
	free(ctl_buf);
	return rc;
}
