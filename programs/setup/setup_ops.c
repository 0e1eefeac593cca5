/* ipsec setup: pluto as a service. start reads "config setup", runs
 * prepluto, starts pluto detached, waits (bounded) until it answers a
 * PING, runs postpluto, then applies every conn's auto= as `ipsec addconn
 * --autoall` does. stop asks pluto to shut down and waits for its pid,
 * then SIGTERM and SIGKILL, only for that pid and only when it is our
 * pluto. status follows the LSB convention (0 running, 3 not). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "setup.h"

#define PROG "setup"
#define PING_MS 1000u         /* one PING's bound */
#define POLL_MS 50u

static const char *const verb_names[] = {
	[SETUP_START] = "start", [SETUP_STOP] = "stop",
	[SETUP_RESTART] = "restart", [SETUP_STATUS] = "status",
};

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

/* pluto may run in another directory (dumpdir): paths it is given must
 * not depend on ours. */
static char *absolute(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool is_no(const char *v)
{
	return v != NULL && strcasecmp(v, "no") == 0;
}

static bool is_yes(const char *v)
{
	return v != NULL && strcasecmp(v, "yes") == 0;
}

/* ---- arguments ---- */

void setup_usage(FILE *out)
{
	fputs("NAME\n"
	      "    ipsec setup - start, stop and query the keying daemon pluto\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    ipsec setup [--config FILE] [--rundir DIR] [--timeout SECONDS]\n"
	      "                start|stop|restart|status [-- PLUTO-OPTION...]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    start   reads config setup from the configuration, runs prepluto\n"
	      "            (/bin/sh -c; pluto is not started when it fails), starts\n"
	      "            pluto detached, waits until pluto answers on its control\n"
	      "            socket, runs postpluto, then applies every conn's auto=\n"
	      "            as `ipsec addconn --autoall` does: add; add and route;\n"
	      "            add and initiate (asynchronously unless plutowait=yes).\n"
	      "            Nothing is done when pluto already answers.\n"
	      "    stop    asks pluto to shut down and waits for it to exit; a pluto\n"
	      "            that does not exit in time gets SIGTERM, then SIGKILL\n"
	      "            (only the pid in RUNDIR/pluto.pid, and only when it is\n"
	      "            this build's pluto).\n"
	      "    restart stop, then start.\n"
	      "    status  says whether pluto runs, with its pid and control socket.\n"
	      "\n"
	      "    config setup keys used by start:\n"
	      "      plutostderrlog=FILE  pluto --stderrlog --logfile FILE\n"
	      "      plutodebug=CATS      pluto --debug CATS\n"
	      "      nhelpers=N           pluto --nhelpers N\n"
	      "      uniqueids=yes|no     pluto --uniqueids yes|no\n"
	      "      ddos-mode=busy|unlimited|auto  pluto --ddos-mode (COOKIEs)\n"
	      "      ddos-ike-threshold=N pluto --ddos-ike-threshold N\n"
	      "      keep_alive=S         pluto --keep-alive S (NAT-T keepalives)\n"
	      "      max-halfopen-ike=N   pluto --max-halfopen-ike N\n"
	      "      max-halfopen-ike-per-address=N  pluto --max-halfopen-ike-per-address N\n"
	      "      nssdir=DIR           pluto --nssdir DIR (libreswan's keyword)\n"
	      "      secretsfile=FILE     pluto --secretsfile FILE (libreswan's keyword)\n"
	      "      plutoopts=\"...\"      more pluto options, split at white space\n"
	      "      prepluto=, postpluto=  shell commands run before and after pluto\n"
	      "      dumpdir=DIR          pluto's working directory, where core files\n"
	      "                           go (the core size limit is raised)\n"
	      "      pluto=no             do not start pluto\n"
	      "      plutowait=yes        wait for each auto=start negotiation\n"
	      "    Options after \"--\" go to pluto last, e.g. -- --kernel none\n"
	      "    --nssdir DIR --secretsfile FILE --listen ADDR; relative paths\n"
	      "    there are relative to dumpdir when it is set.\n"
	      "\n"
	      "OPTIONS\n"
	      "    --config FILE        the configuration (default " IPSEC_SYSCONFDIR "/ipsec.conf)\n"
	      "    --rundir DIR         pluto's run directory: pluto.ctl and pluto.pid\n"
	      "                         (default " IPSEC_RUNDIR ")\n"
	      "    --timeout SECONDS    how long start waits for pluto to answer and\n"
	      "                         stop for it to exit (default 10)\n"
	      "    --help               print this text\n"
	      "\n"
	      "    pluto is $IPSEC_EXECDIR/pluto (build/ipsec sets IPSEC_EXECDIR to\n"
	      "    its build tree), else " IPSEC_LIBEXECDIR "/pluto.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 success (start: pluto answers and every conn was applied; stop:\n"
	      "    pluto is not running); 1 failure (pluto did not start or stop,\n"
	      "    prepluto or postpluto failed, pluto refused a conn); 2 usage or\n"
	      "    configuration errors (conns that resolve are still applied);\n"
	      "    status: 0 running, 3 not running.\n"
	      "\n"
	      "SEE ALSO\n"
	      "    ipsec auto --help, ipsec whack --help, ipsec pluto --help\n", out);
}

__attribute__((format(printf, 2, 3)))
static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": ", err);
	vfprintf(err, fmt, ap);
	fputs(" (see ipsec setup --help)\n", err);
	va_end(ap);
	return CLIENT_EXIT_USAGE;
}

char *setup_pluto_path(void)
{
	const char *dir = getenv("IPSEC_EXECDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = IPSEC_LIBEXECDIR;
	return xasprintf("%s/pluto", dir);
}

enum { OPT_CONFIG = 1, OPT_RUNDIR, OPT_TIMEOUT, OPT_HELP };

int setup_parse(int argc, char **argv, struct setup_args *a, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "rundir", required_argument, NULL, OPT_RUNDIR },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct setup_args){
		.config = IPSEC_SYSCONFDIR "/ipsec.conf",
		.timeout_ms = SETUP_TIMEOUT_MS,
		.grace_ms = SETUP_GRACE_MS,
	};
	/* everything after the first "--" is pluto's, untouched by getopt */
	int own = argc;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			own = i;
			a->passthru = argv + i + 1;
			a->n_passthru = argc - i - 1;
			break;
		}
	}
	const char *rundir = IPSEC_RUNDIR;
	optind = 0;
	opterr = 0;
	int o;
	while ((o = getopt_long(own, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_RUNDIR: rundir = optarg; break;
		case OPT_TIMEOUT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 3600)
				return usage_error(err, "--timeout %s: expected 1..3600 seconds", optarg);
			a->timeout_ms = (unsigned)v * 1000u;
			if (a->grace_ms > a->timeout_ms)
				a->grace_ms = a->timeout_ms;
			break;
		}
		case OPT_HELP:
			setup_usage(out);
			return -1;
		case ':':
			return usage_error(err, "%s needs an argument", argv[optind - 1]);
		default:
			return usage_error(err, "unknown option '%s' (pluto's options go after --)",
					   argv[optind - 1]);
		}
	}
	if (optind >= own)
		return usage_error(err, "give start, stop, restart or status");
	if (optind + 1 < own)
		return usage_error(err, "one of start, stop, restart, status; '%s' is one too many",
				   argv[optind + 1]);
	const char *verb = argv[optind];
	size_t v;
	for (v = 0; v < sizeof(verb_names) / sizeof(verb_names[0]); v++)
		if (strcmp(verb, verb_names[v]) == 0)
			break;
	if (v == sizeof(verb_names) / sizeof(verb_names[0]))
		return usage_error(err, "unknown command '%s': give start, stop, restart or status", verb);
	a->verb = (enum setup_verb)v;
	if (rundir[0] == '\0')
		return usage_error(err, "--rundir: empty directory name");
	a->rundir = absolute(rundir);
	a->ctl = xasprintf("%s/pluto.ctl", a->rundir);
	a->pidfile = xasprintf("%s/pluto.pid", a->rundir);
	a->pluto = setup_pluto_path();
	return 0;
}

void setup_args_free(struct setup_args *a)
{
	free(a->rundir);
	free(a->ctl);
	free(a->pidfile);
	free(a->pluto);
	a->rundir = a->ctl = a->pidfile = a->pluto = NULL;
}

/* ---- the configuration ---- */

static char *dup_or_null(const char *v)
{
	return v != NULL ? xstrdup(v) : NULL;
}

static void read_config_setup(struct setup_config *cs, const struct resolved *r)
{
	cs->stderrlog = dup_or_null(resolved_get(r, "plutostderrlog"));
	for (size_t i = 0; i < IPSECCONF_PLUTO_OPTS; i++)
		cs->opt_value[i] = dup_or_null(resolved_get(r, ipsecconf_pluto_opts[i].key));
	cs->prepluto = dup_or_null(resolved_get(r, "prepluto"));
	cs->postpluto = dup_or_null(resolved_get(r, "postpluto"));
	cs->dumpdir = dup_or_null(resolved_get(r, "dumpdir"));
	cs->plutoopts = dup_or_null(resolved_get(r, "plutoopts"));
	cs->start_pluto = !is_no(resolved_value(r, "pluto"));
	cs->plutowait = is_yes(resolved_value(r, "plutowait"));
}

static void plan_one(const struct resolved *r, void *arg)
{
	struct setup_plan *p = arg;
	if (r->type == SECT_CONFIG)
		read_config_setup(&p->cs, r);   /* always first */
	else
		client_plan_auto(&p->msgs, r, p->cs.plutowait);
}

int setup_load(const struct setup_args *a, struct setup_plan *p)
{
	*p = (struct setup_plan){ .cs = { .start_pluto = true } };
	if (access(a->config, R_OK) != 0) {
		diag_add(&p->d, DIAG_ERROR, a->config, 0, 0, "cannot read the configuration: %s",
			 strerror(errno));
		return CLIENT_EXIT_USAGE;
	}
	p->conf = ipsecconf_load_file(a->config, &(struct ipsecconf_options){ 0 }, &p->d);
	ipsecconf_walk(p->conf, plan_one, p, &p->d);
	return 0;
}

void setup_plan_free(struct setup_plan *p)
{
	struct setup_config *cs = &p->cs;
	free(cs->stderrlog);
	for (size_t i = 0; i < IPSECCONF_PLUTO_OPTS; i++)
		free(cs->opt_value[i]);
	free(cs->prepluto);
	free(cs->postpluto);
	free(cs->dumpdir);
	free(cs->plutoopts);
	whack_msgs_free(&p->msgs);
	diags_free(&p->d);
	if (p->conf != NULL)
		ipsecconf_free(p->conf);
	*p = (struct setup_plan){ 0 };
}

/* ---- pluto's command line ---- */

struct argv_buf {
	char **v;
	size_t n, cap;
};

static void argv_push(struct argv_buf *b, char *owned)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		char **v = realloc(b->v, cap * sizeof(*v));
		if (v == NULL)
			abort();
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = owned;
	b->v[b->n] = NULL;
}

static void argv_opt(struct argv_buf *b, const char *opt, const char *value)
{
	argv_push(b, xstrdup(opt));
	if (value != NULL)
		argv_push(b, xstrdup(value));
}

char **setup_pluto_argv(const struct setup_args *a, const struct setup_config *cs)
{
	struct argv_buf b = { 0 };
	argv_opt(&b, a->pluto, NULL);
	argv_opt(&b, "--nofork", NULL);   /* setup detaches it and knows its pid */
	argv_opt(&b, "--rundir", a->rundir);
	if (cs->stderrlog != NULL) {
		argv_opt(&b, "--stderrlog", NULL);
		argv_push(&b, xstrdup("--logfile"));
		argv_push(&b, absolute(cs->stderrlog));
	}
	for (size_t i = 0; i < IPSECCONF_PLUTO_OPTS; i++)
		if (cs->opt_value[i] != NULL)
			argv_opt(&b, ipsecconf_pluto_opts[i].option, cs->opt_value[i]);
	/* word by word, as Openswan's unquoted $plutoopts */
	for (const char *s = cs->plutoopts; s != NULL && *s != '\0';) {
		s += strspn(s, " \t\n");
		size_t n = strcspn(s, " \t\n");
		if (n == 0)
			break;
		argv_push(&b, strndup(s, n));
		if (b.v[b.n - 1] == NULL)
			abort();
		s += n;
	}
	for (int i = 0; i < a->n_passthru; i++)
		argv_opt(&b, a->passthru[i], NULL);
	return b.v;
}

void setup_argv_free(char **argv)
{
	for (char **p = argv; p != NULL && *p != NULL; p++)
		free(*p);
	free(argv);
}

/* ---- processes ---- */

pid_t setup_read_pidfile(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char buf[32] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (n == 0 || end == buf || *end != '\0' || errno != 0 || v < 1 || v > INT_MAX)
		return -1;
	return (pid_t)v;
}

bool setup_pid_alive(pid_t pid)
{
	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno != EPERM)
		return false;
	/* a zombie has exited: only its parent's wait is missing */
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return true;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');   /* the name may hold anything */
	if (rp != NULL && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'))
		return false;
	return true;
}

bool setup_pid_is(pid_t pid, const char *path)
{
	if (pid <= 0)
		return false;
	char link[64], exe[PATH_MAX + 16], want[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	static const char deleted[] = " (deleted)";
	size_t dl = sizeof(deleted) - 1;
	if ((size_t)n > dl && strcmp(exe + n - dl, deleted) == 0)
		exe[n - dl] = '\0';
	if (realpath(path, want) == NULL) {
		/* the binary is gone (reinstalled): compare as written */
		snprintf(want, sizeof(want), "%s", path);
	}
	return strcmp(exe, want) == 0;
}

/* Gone: reaped (when it is our child) or no longer alive. */
static bool pid_gone(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return true;
	return !setup_pid_alive(pid);
}

static bool wait_gone(pid_t pid, unsigned ms)
{
	long long until = now_ms() + ms;
	for (;;) {
		if (pid_gone(pid))
			return true;
		if (now_ms() >= until)
			return false;
		sleep_ms(POLL_MS);
	}
}

/* SIGTERM, the grace period, SIGKILL. True when the pid is gone. */
static bool terminate(pid_t pid, unsigned grace_ms, FILE *out)
{
	fprintf(out, PROG ": sending SIGTERM to pluto (pid %ld)\n", (long)pid);
	fflush(out);
	if (kill(pid, SIGTERM) != 0 && errno == ESRCH)
		return true;
	if (wait_gone(pid, grace_ms))
		return true;
	fprintf(out, PROG ": pluto (pid %ld) ignored SIGTERM for %u ms; sending SIGKILL\n",
		(long)pid, grace_ms);
	fflush(out);
	if (kill(pid, SIGKILL) != 0 && errno == ESRCH)
		return true;
	return wait_gone(pid, 2000);
}

/* Runs a prepluto/postpluto line with /bin/sh -c; its output is ours.
 * Returns its exit status (128+N for a signal, 127 when it cannot run). */
static int run_shell(const char *what, const char *cmd, FILE *out, FILE *err)
{
	fprintf(out, PROG ": running %s: %s\n", what, cmd);
	fflush(out);
	fflush(err);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(err, PROG ": cannot fork for %s: %s\n", what, strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 127;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- start ---- */

/* pluto's output while it starts: shown only when it fails to. The last
 * CAPTURE_MAX bytes are kept. */
#define CAPTURE_MAX 16384
struct capture {
	int fd;
	char buf[CAPTURE_MAX];
	size_t len;
};

static void capture_drain(struct capture *c)
{
	char tmp[4096];
	_Static_assert(sizeof(tmp) < CAPTURE_MAX, "a read fits the capture");
	for (;;) {
		ssize_t n = read(c->fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		size_t k = (size_t)n;   /* <= sizeof(tmp) < CAPTURE_MAX */
		if (c->len + k > CAPTURE_MAX) {
			size_t drop = c->len + k - CAPTURE_MAX;
			memmove(c->buf, c->buf + drop, c->len - drop);
			c->len -= drop;
		}
		memcpy(c->buf + c->len, tmp, k);
		c->len += k;
	}
}

static void capture_show(struct capture *c, FILE *err)
{
	capture_drain(c);
	if (c->len == 0)
		return;
	fwrite(c->buf, 1, c->len, err);
	if (c->buf[c->len - 1] != '\n')
		fputc('\n', err);
}

/* Forks and execs pluto detached: its own session, stdin /dev/null,
 * stdout and stderr into a pipe we read until it answers, SIGPIPE
 * ignored (so that it survives our end of the pipe closing), cwd
 * dumpdir. Returns the pid, or -1 (reported). */
static pid_t spawn_pluto(char **argv, const char *dumpdir, struct capture *cap, FILE *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(err, PROG ": cannot make a pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(err, PROG ": cannot fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		setsid();
		signal(SIGPIPE, SIG_IGN);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0 && nul != 0) {
			dup2(nul, 0);
			close(nul);
		}
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (dumpdir != NULL) {
			if (chdir(dumpdir) != 0) {
				dprintf(2, PROG ": cannot change to dumpdir %s: %s\n", dumpdir,
					strerror(errno));
				_exit(126);
			}
			struct rlimit rl;
			if (getrlimit(RLIMIT_CORE, &rl) == 0) {
				rl.rlim_cur = rl.rlim_max;
				setrlimit(RLIMIT_CORE, &rl);
			}
		}
		execv(argv[0], argv);
		dprintf(2, PROG ": cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	cap->fd = pfd[0];
	fcntl(cap->fd, F_SETFL, fcntl(cap->fd, F_GETFL) | O_NONBLOCK);
	return pid;
}

enum ready { READY, EXITED, TIMED_OUT };

static enum ready wait_ready(pid_t pid, const char *ctl, unsigned timeout_ms,
			     struct capture *cap, int *status)
{
	long long until = now_ms() + timeout_ms;
	for (;;) {
		capture_drain(cap);
		if (waitpid(pid, status, WNOHANG) == pid)
			return EXITED;
		if (client_ping(ctl, PING_MS, NULL))
			return READY;
		if (now_ms() >= until)
			return TIMED_OUT;
		sleep_ms(POLL_MS);
	}
}

static void print_exit(FILE *err, const char *what, int st)
{
	if (WIFEXITED(st))
		fprintf(err, PROG ": %s exited with status %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(err, PROG ": %s was killed by signal %d (%s)\n", what, WTERMSIG(st),
			strsignal(WTERMSIG(st)));
	else
		fprintf(err, PROG ": %s stopped\n", what);
}

/* Sends the auto= requests as addconn --autoall does: a conn whose add
 * pluto refuses is not routed or started. Returns 0, or 1 when pluto
 * refused something or went away. */
static int apply_plan(const struct setup_args *a, const struct whack_msgs *msgs,
		      FILE *out, FILE *err)
{
	int rc = 0;
	const char *refused_add = NULL;
	unsigned added = 0, routed = 0, started = 0;
	for (size_t i = 0; i < msgs->n; i++) {
		const struct whack_msg *m = &msgs->v[i];
		const struct whack_command_desc *d = whack_command_by_code(m->command);
		if (m->command != WHACK_ADD && refused_add != NULL &&
		    strcmp(refused_add, m->name) == 0)
			continue;
		refused_add = NULL;
		struct client_out o = { .out = out };
		int s = client_send(PROG, a->ctl, m, &o, err);
		if (s < 0) {
			fprintf(err, PROG ": %zu request(s) for auto= not sent\n", msgs->n - i);
			return 1;
		}
		if (s != 0) {
			fprintf(err, PROG ": pluto refused %s of conn %s (status %d)\n",
				d != NULL ? d->name : "?", m->name, s);
			if (m->command == WHACK_ADD)
				refused_add = m->name;
			rc = 1;
			continue;
		}
		switch (m->command) {
		case WHACK_ADD: added++; break;
		case WHACK_ROUTE: routed++; break;
		case WHACK_INITIATE: started++; break;
		default: break;
		}
	}
	fprintf(out, PROG ": conns: %u added, %u routed, %u initiated\n", added, routed, started);
	return rc;
}

/* Is a pluto already there? Returns -1 when not (go on), else the exit
 * status of start. */
static int already_running(const struct setup_args *a, FILE *out, FILE *err)
{
	pid_t pid = setup_read_pidfile(a->pidfile);
	if (client_ping(a->ctl, PING_MS, NULL)) {
		if (pid > 0 && setup_pid_alive(pid))
			fprintf(out, PROG ": pluto is already running (pid %ld, control socket %s)\n",
				(long)pid, a->ctl);
		else
			fprintf(out, PROG ": pluto is already running (control socket %s)\n", a->ctl);
		return 0;
	}
	if (pid > 0 && setup_pid_alive(pid) && setup_pid_is(pid, a->pluto)) {
		fprintf(err, PROG ": pluto (pid %ld) is running but does not answer on %s; "
			"try ipsec setup restart\n", (long)pid, a->ctl);
		return 1;
	}
	return -1;
}

static void print_argv(FILE *out, char **argv)
{
	fputs(PROG ": starting", out);
	for (char **p = argv; *p != NULL; p++)
		fprintf(out, " %s", *p);
	fputc('\n', out);
	fflush(out);
}

static int start_pluto(const struct setup_args *a, const struct setup_plan *p,
		       FILE *out, FILE *err)
{
	const struct setup_config *cs = &p->cs;
	if (access(a->pluto, X_OK) != 0) {
		fprintf(err, PROG ": cannot run pluto at %s: %s\n", a->pluto, strerror(errno));
		return 1;
	}
	if (cs->dumpdir != NULL) {
		struct stat st;
		if (stat(cs->dumpdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(err, PROG ": dumpdir %s is not a directory\n", cs->dumpdir);
			return 1;
		}
	}
	if (cs->prepluto != NULL) {
		int s = run_shell("prepluto", cs->prepluto, out, err);
		if (s != 0) {
			fprintf(err, PROG ": prepluto failed with status %d; pluto not started\n", s);
			return 1;
		}
	}
	char **argv = setup_pluto_argv(a, cs);
	print_argv(out, argv);
	struct capture cap = { .fd = -1 };
	pid_t pid = spawn_pluto(argv, cs->dumpdir, &cap, err);
	setup_argv_free(argv);
	if (pid < 0)
		return 1;
	int st = 0;
	enum ready r = wait_ready(pid, a->ctl, a->timeout_ms, &cap, &st);
	int rc = 0;
	if (r == EXITED) {
		capture_show(&cap, err);
		print_exit(err, "pluto", st);
		fprintf(err, PROG ": pluto did not start\n");
		rc = 1;
	} else if (r == TIMED_OUT) {
		capture_show(&cap, err);
		fprintf(err, PROG ": pluto (pid %ld) did not answer on %s within %u s; stopping it\n",
			(long)pid, a->ctl, a->timeout_ms / 1000);
		terminate(pid, a->grace_ms, err);
		rc = 1;
	} else {
		fprintf(out, PROG ": pluto is running (pid %ld, control socket %s)\n",
			(long)pid, a->ctl);
	}
	close(cap.fd);
	return rc;
}

int setup_start(const struct setup_args *a, FILE *out, FILE *err)
{
	struct setup_plan p;
	int rc = setup_load(a, &p);
	diags_print(&p.d, err);
	if (rc != 0)
		goto done;
	if (!p.cs.start_pluto) {
		fprintf(out, PROG ": config setup says pluto=no: pluto not started\n");
		goto done;
	}
	rc = already_running(a, out, err);
	if (rc >= 0)
		goto done;
	rc = start_pluto(a, &p, out, err);
	if (rc != 0)
		goto done;
	if (p.cs.postpluto != NULL) {
		int s = run_shell("postpluto", p.cs.postpluto, out, err);
		if (s != 0) {
			fprintf(err, PROG ": postpluto failed with status %d\n", s);
			rc = 1;
		}
	}
	if (apply_plan(a, &p.msgs, out, err) != 0)
		rc = 1;
	/* as addconn: configuration errors say more than a refusal */
	if (p.d.errors > 0)
		rc = CLIENT_EXIT_USAGE;
done:
	fflush(out);
	setup_plan_free(&p);
	return rc;
}

/* ---- stop ---- */

int setup_stop(const struct setup_args *a, FILE *out, FILE *err)
{
	pid_t pid = setup_read_pidfile(a->pidfile);
	bool alive = pid > 0 && setup_pid_alive(pid);
	bool ours = alive && setup_pid_is(pid, a->pluto);
	char why[WHACK_ERR_BUF];
	bool answers = client_ping(a->ctl, PING_MS, why);

	if (alive && !ours)
		fprintf(err, PROG ": pid %ld in %s is not %s: not signalling it\n",
			(long)pid, a->pidfile, a->pluto);
	if (!answers && !ours) {
		fprintf(out, PROG ": pluto is not running\n");
		return 0;
	}
	if (answers) {
		if (ours)
			fprintf(out, PROG ": stopping pluto (pid %ld, control socket %s)\n",
				(long)pid, a->ctl);
		else
			fprintf(out, PROG ": stopping pluto (control socket %s)\n", a->ctl);
		fflush(out);
		struct whack_msg m;
		whack_msg_init(&m, WHACK_SHUTDOWN);
		struct client_out o = { .out = out };
		char e[WHACK_ERR_BUF];
		int s = client_call_bounded(a->ctl, &m, client_print_reply, &o, a->timeout_ms, e);
		whack_msg_free(&m);
		/* pluto may go before its last word: only a refusal counts */
		if (s > 0)
			fprintf(err, PROG ": pluto answered status %d to shutdown\n", s);
	} else {
		fprintf(err, PROG ": pluto (pid %ld) does not answer on %s: %s\n",
			(long)pid, a->ctl, why);
	}

	bool gone;
	if (ours) {
		gone = answers && wait_gone(pid, a->timeout_ms);
		if (!gone) {
			if (answers)
				fprintf(err, PROG ": pluto (pid %ld) did not exit within %u s\n",
					(long)pid, a->timeout_ms / 1000);
			gone = terminate(pid, a->grace_ms, out);
			if (gone) {
				/* it could not clean up after itself */
				unlink(a->pidfile);
				unlink(a->ctl);
			}
		}
	} else {
		/* no pid of ours to watch: watch the socket */
		long long until = now_ms() + a->timeout_ms;
		while (!(gone = !client_ping(a->ctl, PING_MS, NULL)) && now_ms() < until)
			sleep_ms(POLL_MS);
	}
	if (!gone) {
		fprintf(err, PROG ": pluto is still running\n");
		return 1;
	}
	fprintf(out, PROG ": pluto stopped\n");
	return 0;
}

/* ---- status ---- */

int setup_status(const struct setup_args *a, FILE *out, FILE *err)
{
	pid_t pid = setup_read_pidfile(a->pidfile);
	bool alive = pid > 0 && setup_pid_alive(pid);
	bool ours = alive && setup_pid_is(pid, a->pluto);
	char why[WHACK_ERR_BUF];
	if (client_ping(a->ctl, PING_MS * 2, why)) {
		if (alive)
			fprintf(out, "pluto is running (pid %ld, control socket %s)\n", (long)pid, a->ctl);
		else
			fprintf(out, "pluto is running (control socket %s; no pid in %s)\n",
				a->ctl, a->pidfile);
		return 0;
	}
	if (ours) {
		fprintf(out, "pluto is running (pid %ld) but does not answer on %s\n", (long)pid, a->ctl);
		fprintf(err, PROG ": %s\n", why);
		return 0;
	}
	if (alive)
		fprintf(out, "pluto is not running (%s names pid %ld, which is not %s)\n",
			a->pidfile, (long)pid, a->pluto);
	else if (pid != 0)
		fprintf(out, "pluto is not running (stale pid file %s)\n", a->pidfile);
	else
		fprintf(out, "pluto is not running (no answer on %s)\n", a->ctl);
	return SETUP_EXIT_NOT_RUNNING;
}

int setup_run(const struct setup_args *a, FILE *out, FILE *err)
{
	switch (a->verb) {
	case SETUP_START:
		return setup_start(a, out, err);
	case SETUP_STOP:
		return setup_stop(a, out, err);
	case SETUP_RESTART: {
		int rc = setup_stop(a, out, err);
		return rc != 0 ? rc : setup_start(a, out, err);
	}
	case SETUP_STATUS:
		return setup_status(a, out, err);
	}
	return CLIENT_EXIT_USAGE;
}

int setup_main(int argc, char **argv)
{
	struct setup_args a;
	int rc = setup_parse(argc, argv, &a, stdout, stderr);
	if (rc != 0) {
		setup_args_free(&a);
		return rc < 0 ? 0 : rc;
	}
	rc = setup_run(&a, stdout, stderr);
	setup_args_free(&a);
	return rc;
}
