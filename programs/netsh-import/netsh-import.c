/* ipsec netsh-import: replays Windows netsh scripts (ipsec static, ipsec
 * dynamic, interface portproxy) and writes the equivalent ipsec.conf,
 * ipsec.secrets and rinetd.conf. Exit status: 0 clean, 1 warnings with
 * --strict, 2 errors. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipsecconf/conf.h"
#include "netsh/map.h"
#include "netsh/writers.h"

struct cli {
	const char *out_dir;
	bool fragment, json, strict, verbose;
	struct netsh_options o;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipsec netsh-import [options] FILE... | -\n"
		"  --out-dir DIR      write DIR/ipsec.conf, DIR/ipsec.secrets (0600) and, for\n"
		"                     portproxy, DIR/rinetd.conf (default: ipsec.conf to stdout)\n"
		"  --fragment         ipsec.conf without version/config setup, for include\n"
		"  --json             print the replayed Windows stores as JSON\n"
		"  --me ADDR          the address \"Me\" stands for (default %%defaultroute);\n"
		"                     give it once per family for IPv4 and IPv6 filters\n"
		"  --me6 ADDR         the IPv6 address \"Me\" stands for in IPv6 filters\n"
		"  --cert NICKNAME    this host's certificate in the NSS database, for rules\n"
		"                     with rootca= (certificate authentication): their conns\n"
		"                     get leftcert=NICKNAME, leftid=%%fromcert (and always\n"
		"                     rightid=%%fromcert, rightca=DN); without it they have no\n"
		"                     leftcert= and a warning per policy says so. Import the\n"
		"                     certificate with `ipsec import host.p12`; `ipsec\n"
		"                     listcerts` shows the nicknames\n"
		"  --server dns=ADDR,wins=ADDR,dhcp=ADDR,gateway=ADDR\n"
		"                     the addresses of the server types (repeatable)\n"
		"  --strict           exit 1 when there are warnings\n"
		"  --verbose          also print notes (what was ignored by design)\n"
		"exit status: 0 clean, 1 warnings with --strict, 2 errors\n");
}

static bool add_servers(struct netsh_options *o, const char *spec)
{
	char *copy = xstrdup(spec), *save = NULL;
	bool ok = true;
	for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		ip_address a;
		int type = -1;
		if (eq != NULL) {
			*eq = '\0';
			for (int i = 0; i < SRV_COUNT; i++)
				if (ieq(t, server_names[i]))
					type = i;
		}
		ok = type >= 0 && ttoaddress_num(eq + 1, strlen(eq + 1), IP_UNSET, &a) == NULL;
		if (ok) {
			size_t n = o->nservers[type];
			o->servers[type] = xrealloc(o->servers[type], (n + 1) * sizeof(char *));
			o->servers[type][n] = xstrdup(eq + 1);
			o->nservers[type]++;
		}
	}
	free(copy);
	return ok;
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "out-dir", required_argument, NULL, 'o' }, { "fragment", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' }, { "me", required_argument, NULL, 'm' },
		{ "me6", required_argument, NULL, '6' }, { "cert", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 's' }, { "strict", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:fjm:s:Svh6:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': cli->out_dir = optarg; break;
		case 'f': cli->fragment = true; break;
		case 'j': cli->json = true; break;
		case 'S': cli->strict = true; break;
		case 'v': cli->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case 'c':
			/* an ipsec.conf value: quoted when it has blanks, so no '"' */
			if (optarg[0] == '\0' || strpbrk(optarg, "\"\n\r") != NULL) {
				fprintf(stderr, "ipsec netsh-import: --cert: '%s' is not a nickname "
					"ipsec.conf can hold (empty, or a quote mark or line break)\n", optarg);
				return -1;
			}
			cli->o.cert = optarg;
			break;
		case 'm':
		case '6': {
			/* --me once per family; --me6 is the IPv6 one */
			ip_address a;
			if (ttoaddress_num(optarg, strlen(optarg), c == '6' ? IP_V6 : IP_UNSET, &a) != NULL) {
				fprintf(stderr, "ipsec netsh-import: --%s %s: not an IP%s address\n",
					c == '6' ? "me6" : "me", optarg, c == '6' ? "v6" : "");
				return -1;
			}
			bool v6 = a.family == IP_V6;
			if (v6 ? cli->o.me6 != NULL : cli->o.me != NULL) {
				fprintf(stderr, "ipsec netsh-import: --%s %s: Me is already %s for IPv%d\n",
					c == '6' ? "me6" : "me", optarg, v6 ? cli->o.me6 : cli->o.me,
					v6 ? 6 : 4);
				return -1;
			}
			if (v6) {
				cli->o.me6 = optarg;
				cli->o.me6_addr = a;
			} else {
				cli->o.me = optarg;
				cli->o.me_addr = a;
			}
			break;
		}
		case 's':
			if (!add_servers(&cli->o, optarg)) {
				fprintf(stderr, "ipsec netsh-import: --server %s: expected TYPE=ADDR,... "
					"with TYPE dns, wins, dhcp or gateway\n", optarg);
				return -1;
			}
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return -1;
	}
	return optind;
}

static char *read_all(FILE *f, size_t *len)
{
	struct sbuf b = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_putn(&b, buf, n);
	*len = b.len;
	return b.s ? b.s : xstrdup("");
}

static void replay_file(struct replay *r, const char *path)
{
	bool std = strcmp(path, "-") == 0;
	const char *name = std ? "stdin" : path;
	FILE *f = std ? stdin : fopen(path, "rb");
	if (f == NULL) {
		diag_add(r->d, DIAG_ERROR, name, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	size_t len;
	char *buf = read_all(f, &len);
	if (!std)
		fclose(f);
	struct nsource src;
	if (source_load(&src, name, buf, len, r->d))
		replay_source(r, &src);
	source_free(&src);
	free(buf);
}

static void ignore_section(const struct resolved *r, void *ctx)
{
	(void)r;
	(void)ctx;
}

/* The generated ipsec.conf must load: a failure is a bug of ours. */
static bool check_conf(const struct output *out, const struct write_opts *w, struct diags *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	write_ipsec_conf(m, out, &(struct write_opts){ .fragment = false, .inputs = w->inputs,
						       .ninputs = w->ninputs });
	fclose(m);
	struct diags cd = {0};
	struct ipsecconf_options opts = { .policy_dir = "/nonexistent", .no_implicit = true };
	struct ipsecconf *conf = ipsecconf_load_string("generated ipsec.conf", text, len, &opts, &cd);
	ipsecconf_walk(conf, ignore_section, NULL, &cd);
	bool ok = true;
	for (size_t i = 0; i < cd.n; i++)
		if (cd.v[i].level == DIAG_ERROR) {
			diag_add(d, DIAG_ERROR, NULL, 0, 0, "internal error: the generated ipsec.conf "
				 "does not load: line %u: %s; nothing written", cd.v[i].line, cd.v[i].text);
			ok = false;
		}
	ipsecconf_free(conf);
	diags_free(&cd);
	free(text);
	return ok;
}

static FILE *open_out(const char *dir, const char *name, mode_t mode, struct diags *d)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fd >= 0)
		fchmod(fd, mode);   /* also when the file was already there */
	if (f == NULL)
		diag_add(d, DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(errno));
	free(path);
	return f;
}

static void write_files(const struct cli *cli, const struct output *out,
			const struct write_opts *w, struct diags *d)
{
	if (mkdir(cli->out_dir, 0755) != 0 && errno != EEXIST) {
		diag_add(d, DIAG_ERROR, cli->out_dir, 0, 0, "cannot create: %s", strerror(errno));
		return;
	}
	FILE *f;
	if ((f = open_out(cli->out_dir, "ipsec.conf", 0644, d)) != NULL) {
		write_ipsec_conf(f, out, w);
		fclose(f);
	}
	if ((f = open_out(cli->out_dir, "ipsec.secrets", 0600, d)) != NULL) {
		write_secrets(f, out, w);
		fclose(f);
	}
	if (out->portproxy && (f = open_out(cli->out_dir, "rinetd.conf", 0644, d)) != NULL) {
		write_rinetd(f, out, w);
		fclose(f);
	}
}

/* Messages of one kind (the same text but for quoted input and numbers)
 * beyond this many are counted, not printed: a 1e6-line file of bad
 * lines gives a screenful, not a million lines. */
#define KIND_CAP 20
#define KIND_CAP_NOTES 100

static char *kind_of(const struct diag *g)
{
	struct sbuf b = {0};
	sb_printf(&b, "%d %s\n", (int)g->level, g->file ? g->file : "");
	bool inq = false;
	for (const char *p = g->text; *p; p++) {
		if (*p == '\'')
			inq = !inq;
		else if (!inq && !(*p >= '0' && *p <= '9'))
			sb_putc(&b, *p);
	}
	return b.s;
}

struct kind {
	unsigned n;
	const struct diag *first_cut, *last_cut;
};

/* Echoed input is cut at about QUOTE_MAX bytes where it is quoted; any
 * word still longer (a value echoed without quotes) is cut here, and so
 * is the whole message beyond a few lines' worth. */
static char *cut_long(const char *text)
{
	struct sbuf b = {0};
	for (const char *p = text; *p && b.len < 8 * QUOTE_MAX;) {
		size_t n = strcspn(p, " ");
		if (n > QUOTE_MAX) {
			char *w = xstrndup(p, n);
			char *q = quote_line(w);
			sb_puts(&b, q);
			free(q);
			free(w);
		} else {
			sb_putn(&b, p, n);
		}
		p += n;
		if (*p == ' ')
			sb_putc(&b, *p++);
	}
	return b.s ? b.s : xstrdup("");
}

static void print_one(const struct diag *g, const char *lvl, const char *msg)
{
	char *text = cut_long(msg);
	if (g->file != NULL && g->line > 0)
		fprintf(stderr, "%s:%u: %s: %s\n", g->file, g->line, lvl, text);
	else
		fprintf(stderr, "%s: %s: %s\n", g->file ? g->file : "netsh-import", lvl, text);
	free(text);
}

/* One line per message; names from the scripts may hold any bytes. */
static void print_diags(const struct diags *n, bool notes)
{
	struct strmap kinds = {0};
	struct kind *kv = xcalloc(n->n ? n->n : 1, sizeof(*kv));
	size_t nk = 0;
	unsigned cap = notes ? KIND_CAP_NOTES : KIND_CAP;
	for (size_t i = 0; i < n->n; i++) {
		const struct diag *g = &n->v[i];
		const char *lvl = notes ? "note" : g->level == DIAG_ERROR ? "error" : "warning";
		char *k = kind_of(g);
		uintptr_t idx = (uintptr_t)strmap_get(&kinds, k);
		if (idx == 0) {
			idx = ++nk;
			strmap_put(&kinds, k, (void *)idx);
		}
		free(k);
		struct kind *kd = &kv[idx - 1];
		if (kd->n++ == cap)
			kd->first_cut = g;
		if (kd->n > cap)
			kd->last_cut = g;
		if (kd->n > cap)
			continue;
		char *text = safe_text(g->text, false);
		print_one(g, lvl, text);
		free(text);
	}
	for (size_t i = 0; i < nk; i++) {
		const struct diag *g = kv[i].first_cut;
		if (g == NULL)
			continue;
		/* the lines left out, as a range of the first one's file */
		const struct diag *last = kv[i].last_cut;
		char *more = last->line > g->line && last->file && g->file && strcmp(last->file, g->file) == 0
			? xasprintf("... and %u more like this (lines %u-%u)", kv[i].n - cap, g->line, last->line)
			: xasprintf("... and %u more like this", kv[i].n - cap);
		print_one(g, notes ? "note" : g->level == DIAG_ERROR ? "error" : "warning", more);
		free(more);
	}
	strmap_clear(&kinds);
	free(kv);
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int first = parse_cli(argc, argv, &cli);
	if (first < 0)
		return 2;
	struct diags d = {0}, notes = {0};
	struct replay r;
	replay_init(&r, &d, &notes);
	for (int i = first; i < argc; i++)
		replay_file(&r, argv[i]);
	struct output out = {0};
	map_all(&r, &cli.o, &out, &d, &notes);
	struct write_opts w = { cli.fragment, (const char *const *)argv + first, (size_t)(argc - first) };
	/* an ipsec.conf that does not load is never written */
	bool loads = check_conf(&out, &w, &d);
	if (cli.fragment && out.nsetup > 0)
		diag_add(&d, DIAG_WARNING, NULL, 0, 0, "--fragment: the config setup keys are written "
			 "as comments; copy them into config setup");
	if (cli.out_dir != NULL && loads)
		write_files(&cli, &out, &w, &d);
	else if (out.nsecrets > 0 || out.nrelays > 0)
		diag_add(&d, DIAG_WARNING, NULL, 0, 0, "%zu PSK(s) and %zu relay(s) are written only "
			 "with --out-dir", out.nsecrets, out.nrelays);
	if (cli.json)
		write_stores_json(stdout, &r);
	else if (cli.out_dir == NULL && loads)
		write_ipsec_conf(stdout, &out, &w);
	fflush(stdout);
	print_diags(&d, false);
	if (cli.verbose)
		print_diags(&notes, true);
	int rc = d.errors ? 2 : d.warnings && cli.strict ? 1 : 0;
	output_free(&out);
	replay_free(&r);
	diags_free(&d);
	diags_free(&notes);
	for (int i = 0; i < SRV_COUNT; i++) {
		for (size_t k = 0; k < cli.o.nservers[i]; k++)
			free(cli.o.servers[i][k]);
		free(cli.o.servers[i]);
	}
	return rc;
}
