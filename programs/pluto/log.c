/* The log sink and the loggers. One sink per process (stderr or a file);
 * lines also go to the whack client attached to a logger. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "whack.h"

static FILE *sink;
static bool stamps;
static unsigned debug_cats;

static const struct { const char *name; unsigned cat; } debug_names[] = {
	{ "control", DBG_CONTROL },
	{ "controlmore", DBG_CONTROL },
	{ "parsing", DBG_PARSING },
	{ "emitting", DBG_EMITTING },
	{ "crypt", DBG_CRYPT },
	{ "kernel", DBG_KERNEL },
	{ "klips", DBG_KERNEL },
	{ "pfkey", DBG_KERNEL },
	{ "netkey", DBG_KERNEL },
	{ "lifecycle", DBG_LIFECYCLE },
	{ "dns", DBG_DNS },
	{ "raw", DBG_RAW },
	{ "private", DBG_PRIVATE },
	{ "helpers", DBG_HELPERS },
	{ "updown", DBG_UPDOWN },
	{ "ike", DBG_PARSING | DBG_EMITTING },
	{ "child", DBG_LIFECYCLE | DBG_KERNEL },
	/* Openswan names with no separate meaning here */
	{ "oppo", 0 }, { "oppoinfo", 0 }, { "nattraversal", DBG_CONTROL },
	{ "natt", DBG_CONTROL }, { "x509", DBG_CRYPT }, { "dpd", DBG_LIFECYCLE },
	{ "whackwatch", DBG_CONTROL },
};

const char *debug_str(unsigned cats, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(debug_names) / sizeof(debug_names[0]); i++) {
		unsigned c = debug_names[i].cat;
		/* the categories themselves: one bit, its first name */
		if (c == 0 || (c & (c - 1)) != 0 || (cats & c) == 0)
			continue;
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first = first && debug_names[j].cat != c;
		if (first && at < size)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? "," : "", debug_names[i].name);
	}
	if (at == 0)
		snprintf(buf, size, "none");
	return buf;
}

const char *debug_parse(const char *s, unsigned *cats)
{
	*cats = 0;
	char word[64];
	while (*s) {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		size_t n = strcspn(s, " ,\t");
		if (n == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		const char *w = strncmp(word, "--debug-", 8) == 0 ? word + 8 : word;
		bool found = false;
		if (strcasecmp(w, "none") == 0) {
			*cats = 0;
			found = true;
		} else if (strcasecmp(w, "all") == 0) {
			*cats |= DBG_ALL;
			found = true;
		}
		for (size_t i = 0; !found && i < sizeof(debug_names) / sizeof(debug_names[0]); i++) {
			if (strcasecmp(w, debug_names[i].name) == 0) {
				*cats |= debug_names[i].cat;
				found = true;
			}
		}
		if (!found)
			return s;
		s += n;
	}
	return NULL;
}

static bool use_syslog;
/* stderr is systemd's journal stream (JOURNAL_STREAM names its device and
 * inode): each line starts with its syslog priority, "<3>", which journald
 * takes as the line's level, and has no time stamp (the journal has one) */
static bool to_journal;

static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_init(FILE *out, bool timestamps, unsigned debug)
{
	sink = out;
	use_syslog = out == NULL;
	to_journal = out == stderr && stderr_is_journal();
	if (use_syslog)
		openlog("pluto", LOG_PID, LOG_DAEMON);
	stamps = timestamps;
	debug_cats = debug;
}

void log_set_debug(unsigned debug)
{
	debug_cats = debug;
}

unsigned log_debug(void)
{
	return debug_cats;
}

FILE *log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 &&
	    fchmod(fd, st.st_mode & 0700) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	FILE *f = fdopen(fd, "a");
	if (f == NULL) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

bool log_reopen(const char *path)
{
	FILE *f = log_open_file(path);
	if (f == NULL)
		return false;
	FILE *old = sink;
	sink = f;
	if (old != NULL && old != stderr && old != stdout)
		fclose(old);
	return true;
}

void log_close(void)
{
	if (sink != NULL && sink != stderr && sink != stdout)
		fclose(sink);
	if (!use_syslog)
		sink = stderr;
}

static void whack_sink_default(int whack_fd, const char *line)
{
	whack_reply_line(whack_fd, line);
}

static log_whack_fn *whack_sink = whack_sink_default;

void log_set_whack_sink(log_whack_fn *fn)
{
	whack_sink = fn != NULL ? fn : whack_sink_default;
}

void logger_init(struct logger *lg, int whack_fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lg->prefix, sizeof(lg->prefix), fmt, ap);
	va_end(ap);
	lg->whack_fd = whack_fd;
}

static const char *const level_tag[] = {
	[RC_ERROR] = "ERROR: ",
	[RC_WARNING] = "WARNING: ",
	[RC_INFO] = "",
	[RC_DEBUG] = "| ",
};

void vllog(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
{
	char text[1024];
	vsnprintf(text, sizeof(text), fmt, ap);
	const char *prefix = lg ? lg->prefix : "";
	static const int prio[] = { [RC_ERROR] = LOG_ERR, [RC_WARNING] = LOG_WARNING,
				    [RC_INFO] = LOG_NOTICE, [RC_DEBUG] = LOG_DEBUG };
	if (use_syslog)
		syslog(prio[level], "%s%s%s", level_tag[level], prefix, text);
	FILE *out = sink ? sink : stderr;
	if (use_syslog) {
		/* nothing on a stream */
	} else if (to_journal && out == stderr) {
		fprintf(out, "<%d>", prio[level]);
	} else if (stamps) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		struct tm tm;
		localtime_r(&tv.tv_sec, &tm);
		char when[32];
		strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
		fprintf(out, "%s.%03ld: ", when, (long)(tv.tv_usec / 1000));
	}
	if (!use_syslog) {
		fprintf(out, "%s%s%s\n", level_tag[level], prefix, text);
		fflush(out);
	}
	if (lg != NULL && lg->whack_fd >= 0 && level != RC_DEBUG) {
		char line[1200];
		snprintf(line, sizeof(line), "%s%s%s", level_tag[level], prefix, text);
		whack_sink(lg->whack_fd, line);
	}
}

void llog(const struct logger *lg, enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vllog(lg, level, fmt, ap);
	va_end(ap);
}

void ldbg(const struct logger *lg, unsigned cat, const char *fmt, ...)
{
	if (!dbg(cat))
		return;
	va_list ap;
	va_start(ap, fmt);
	vllog(lg, RC_DEBUG, fmt, ap);
	va_end(ap);
}

void ldbg_hex(const struct logger *lg, unsigned cat, const char *label,
	      const void *p, size_t len)
{
	if (!dbg(cat))
		return;
	const uint8_t *b = p;
	char line[16 * 3 + 1];
	ldbg(lg, cat, "%s (%zu bytes)", label, len);
	for (size_t i = 0; i < len; i += 16) {
		size_t n = 0;
		for (size_t j = i; j < len && j < i + 16; j++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %02x", b[j]);
		ldbg(lg, cat, "  %s", line);
	}
}

bool log_limited(struct log_limit *l, const struct logger *lg, time_t now)
{
	if (!l->started || now < l->window_start || now - l->window_start >= LOG_LIMIT_WINDOW) {
		if (l->suppressed > 0)
			llog(lg, RC_INFO, "%s: %u similar messages suppressed",
			     l->what != NULL ? l->what : "log", l->suppressed);
		l->started = true;
		l->window_start = now;
		l->used = 0;
		l->suppressed = 0;
	}
	if (l->used < LOG_LIMIT_BURST) {
		l->used++;
		return false;
	}
	if (l->suppressed < UINT32_MAX)
		l->suppressed++;
	return true;
}

void llog_limited(struct log_limit *l, const struct logger *lg, enum log_level level,
		  const char *fmt, ...)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (log_limited(l, lg, ts.tv_sec))
		return;
	va_list ap;
	va_start(ap, fmt);
	vllog(lg, level, fmt, ap);
	va_end(ap);
}
