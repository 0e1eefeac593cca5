/* Running leftupdown=: split into argv (no shell), the PLUTO_* environment
 * from updown_env.c plus PATH, output logged line by line, a time limit. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kernel/updown.h"

/* ---- argv ----------------------------------------------------------------- */

void updown_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char **updown_split_argv(const char *command, char *why, size_t why_size)
{
	if (command == NULL)
		command = "";
	size_t len = strlen(command);
	/* At most one word per two characters, plus the NULL. */
	char **argv = calloc(len / 2 + 2, sizeof(*argv));
	char *word = malloc(len + 1);
	if (argv == NULL || word == NULL)
		abort();
	size_t n = 0;
	const char *p = command;
	for (;;) {
		while (blank(*p))
			p++;
		if (*p == '\0')
			break;
		size_t w = 0;
		bool quoted = false;
		while (*p != '\0' && (quoted || !blank(*p))) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
			} else if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				word[w++] = p[1];
				p += 2;
			} else {
				word[w++] = *p++;
			}
		}
		if (quoted) {
			snprintf(why, why_size, "unbalanced double quote in updown command '%s'", command);
			free(word);
			argv[n] = NULL;
			updown_argv_free(argv);
			return NULL;
		}
		argv[n] = strndup(word, w);
		if (argv[n] == NULL)
			abort();
		n++;
	}
	free(word);
	if (n == 0) {
		snprintf(why, why_size, "empty updown command");
		free(argv);
		return NULL;
	}
	argv[n] = NULL;
	return argv;
}

/* ---- where and whether ------------------------------------------------- */

const char *updown_default_command(char *buf, size_t size)
{
	const char *dir = getenv("IPSEC_EXECDIR");
#ifdef IPSEC_LIBEXECDIR
	if (dir == NULL || dir[0] == '\0')
		dir = IPSEC_LIBEXECDIR;
#else
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/local/libexec/ipsec";
#endif
	snprintf(buf, size, "%s/_updown", dir);
	return buf;
}

bool updown_disabled(const char *command)
{
	if (command == NULL)
		return true;
	while (blank(*command))
		command++;
	return *command == '\0' || strcmp(command, "%disabled") == 0;
}

/* A program name without '/' is looked up in UPDOWN_PATH ("ipsec
 * _updown" works), as a shell would, but without one. */
static char *resolve(const char *prog)
{
	if (strchr(prog, '/') != NULL)
		return strdup(prog);
	const char *p = UPDOWN_PATH;
	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		char *cand = NULL;
		if (asprintf(&cand, "%.*s/%s", (int)n, p, prog) < 0)
			abort();
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n;
		if (*p == ':')
			p++;
	}
	return strdup(prog);
}

/* "ipsec NAME ARGS" (libreswan's default leftupdown form) runs
 * $IPSEC_EXECDIR/NAME directly when that exists, so it works from a build
 * tree where no `ipsec` is in PATH, and without a shell in between. */
static void shortcut_ipsec(char **argv)
{
	const char *dir = getenv("IPSEC_EXECDIR");
	if (strcmp(argv[0], "ipsec") != 0 || argv[1] == NULL || strchr(argv[1], '/') != NULL ||
	    argv[1][0] == '.' || dir == NULL || dir[0] == '\0')
		return;
	char *cand = NULL;
	if (asprintf(&cand, "%s/%s", dir, argv[1]) < 0)
		abort();
	if (access(cand, X_OK) != 0) {
		free(cand);
		return;
	}
	free(argv[0]);
	free(argv[1]);
	argv[0] = cand;
	size_t i = 1;
	for (; argv[i + 1] != NULL; i++)
		argv[i] = argv[i + 1];
	argv[i] = NULL;
}

/* ---- running -------------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct out_lines {
	char buf[1024];
	size_t len;
	const struct logger *lg;
	const char *verb;
};

static void flush_line(struct out_lines *o)
{
	o->buf[o->len] = '\0';
	llog(o->lg, RC_INFO, "updown %s: %s", o->verb, o->buf);
	o->len = 0;
}

static void take_output(struct out_lines *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			flush_line(o);
		} else {
			o->buf[o->len++] = p[i];
			if (o->len == sizeof(o->buf) - 1)
				flush_line(o);
		}
	}
}

static void kill_group(pid_t pid)
{
	if (kill(-pid, SIGTERM) < 0)
		kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {   /* up to 1 s to go quietly */
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			kill(-pid, SIGKILL);   /* stragglers in its group */
			return;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static bool spawn(char **argv, char **env, int out_fd, pid_t *pid, int *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	*err = posix_spawn(pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return *err == 0;
}

bool updown_run(const char *command, enum updown_verb verb, const struct updown_ctx *c,
		unsigned timeout_ms, const struct logger *lg, struct updown_result *res)
{
	struct updown_result local;
	struct updown_result *r = res != NULL ? res : &local;
	memset(r, 0, sizeof(*r));
	char verb_name[32];
	updown_verb_name(verb, c, verb_name, sizeof(verb_name));
	if (updown_disabled(command)) {
		ldbg(lg, DBG_UPDOWN, "updown %s: disabled, nothing run", verb_name);
		return true;
	}
	char **argv = updown_split_argv(command, r->why, sizeof(r->why));
	if (argv == NULL) {
		llog(lg, RC_ERROR, "updown %s: %s", verb_name, r->why);
		return false;
	}
	shortcut_ipsec(argv);
	char *path = resolve(argv[0]);
	free(argv[0]);
	argv[0] = path;
	char **env = updown_env(c, verb);
	if (dbg(DBG_UPDOWN)) {
		for (char **a = argv; *a != NULL; a++)
			ldbg(lg, DBG_UPDOWN, "updown %s: argv[%d] %s", verb_name, (int)(a - argv), *a);
		for (char **e = env; *e != NULL; e++)
			ldbg(lg, DBG_UPDOWN, "updown %s: env %s", verb_name, *e);
	}

	int p[2];
	pid_t pid = -1;
	int err = 0;
	bool ok = false;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(r->why, sizeof(r->why), "cannot run updown %s: pipe: %s", verb_name, strerror(errno));
		goto out;
	}
	if (!spawn(argv, env, p[1], &pid, &err)) {
		close(p[0]);
		close(p[1]);
		snprintf(r->why, sizeof(r->why), "cannot run updown %s '%s': %s%s", verb_name, argv[0],
			 strerror(err), err == ENOEXEC ? " (a script needs a #! line)" : "");
		goto out;
	}
	close(p[1]);
	r->ran = true;

	struct out_lines o = { .len = 0, .lg = lg, .verb = verb_name };
	long long deadline = now_ms() + timeout_ms;
	bool eof = false;
	while (!eof) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		int n = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		char chunk[512];
		ssize_t got = read(p[0], chunk, sizeof(chunk));
		if (got > 0)
			take_output(&o, chunk, (size_t)got);
		else if (got == 0 || (errno != EINTR && errno != EAGAIN))
			eof = true;
	}
	close(p[0]);
	if (o.len > 0)
		flush_line(&o);

	int status = 0;
	bool reaped = false;
	while (!r->timed_out && !reaped) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			reaped = true;
		} else if (w < 0 && errno != EINTR) {
			break;
		} else if (now_ms() >= deadline) {
			r->timed_out = true;
		} else {
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	if (r->timed_out) {
		kill_group(pid);
		snprintf(r->why, sizeof(r->why), "updown %s '%s' killed after %u ms", verb_name, argv[0],
			 timeout_ms);
	} else if (!reaped) {
		snprintf(r->why, sizeof(r->why), "updown %s '%s': waitpid: %s", verb_name, argv[0],
			 strerror(errno));
	} else if (WIFEXITED(status)) {
		r->exit_status = WEXITSTATUS(status);
		ok = r->exit_status == 0;
		if (!ok)
			snprintf(r->why, sizeof(r->why), "updown %s '%s' exited with status %d", verb_name,
				 argv[0], r->exit_status);
	} else if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
		snprintf(r->why, sizeof(r->why), "updown %s '%s' killed by signal %d (%s)", verb_name,
			 argv[0], r->signal, strsignal(r->signal));
	}
	if (ok)
		ldbg(lg, DBG_UPDOWN, "updown %s: '%s' exited with status 0", verb_name, argv[0]);
out:
	if (!ok)
		llog(lg, RC_ERROR, "%s", r->why);
	updown_env_free(env);
	updown_argv_free(argv);
	return ok;
}
