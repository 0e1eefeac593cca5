/* Logging: every message goes through a logger object that the caller
 * owns (the daemon, a connection, an SA). A logger carries the prefix that
 * says whose message it is, and optionally a whack client to echo it to. */
#ifndef PLUTO_LOG_H
#define PLUTO_LOG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* RC_: "report class" (LOG_ would clash with <syslog.h>). */
enum log_level { RC_ERROR, RC_WARNING, RC_INFO, RC_DEBUG };

/* Debug categories (bit set), named as in plutodebug= and --debug. */
enum debug_cat {
	DBG_CONTROL = 1u << 0,   /* whack, connections, state changes */
	DBG_PARSING = 1u << 1,   /* decoded payloads */
	DBG_EMITTING = 1u << 2,  /* encoded payloads */
	DBG_CRYPT = 1u << 3,     /* key derivation (never secrets unless PRIVATE) */
	DBG_KERNEL = 1u << 4,    /* XFRM messages */
	DBG_LIFECYCLE = 1u << 5, /* SA creation and deletion, timers */
	DBG_DNS = 1u << 6,
	DBG_RAW = 1u << 7,       /* packet bytes */
	DBG_PRIVATE = 1u << 8,   /* secret values: only for debugging test setups */
	DBG_HELPERS = 1u << 9,   /* crypto helper threads */
	DBG_UPDOWN = 1u << 10,
};
#define DBG_ALL (~DBG_PRIVATE & 0x7ffu)

/* Parses "none", "all" or names separated by spaces or commas into *cats.
 * Returns NULL or the first unknown name (a pointer into s). */
const char *debug_parse(const char *s, unsigned *cats);
/* The categories as names ("control,crypt"; "none"); returns buf. */
const char *debug_str(unsigned cats, char *buf, size_t size);

struct logger {
	char prefix[128];     /* e.g. "\"west-east\" #3: "; "" for the daemon */
	int whack_fd;         /* -1, or a whack client that sees these lines */
};

/* Process-wide sink settings, set once at start-up: a stream, or (out
 * NULL) syslog as "pluto", facility daemon. */
void log_init(FILE *out, bool timestamps, unsigned debug);
void log_set_debug(unsigned debug);
unsigned log_debug(void);

/* Opens (creates) the log file for appending, line buffered: mode 0600,
 * as debug logs may name keys and peers; an existing file that group or
 * others could read is narrowed to its owner's bits. NULL with errno set
 * when it cannot be opened. */
FILE *log_open_file(const char *path);
/* The log file opened again at path (logrotate moved the old one away):
 * lines go to the new one, the old is closed. False, errno set, and the
 * old one kept when it cannot be opened. */
bool log_reopen(const char *path);
/* Closes a log file (not stderr); later lines go to stderr. */
void log_close(void);

/* Where a logger's lines for its whack client go. The default writes a
 * LINE record to whack_fd; pluto's control socket (ctl.c) installs one
 * that queues the line on that client, so a slow reader never blocks. */
typedef void log_whack_fn(int whack_fd, const char *line);
void log_set_whack_sink(log_whack_fn *fn);   /* NULL: the default */

void logger_init(struct logger *lg, int whack_fd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void llog(const struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vllog(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Rate limit for lines that peers can cause at will (dropped packets):
 * each limiter lets LOG_LIMIT_BURST lines through per LOG_LIMIT_WINDOW
 * seconds. The first call after a window in which lines were refused
 * logs "WHAT: N similar messages suppressed" and opens a new window; a
 * limiter that is never called again never logs its last count.
 *
 *	static struct log_limit drops = LOG_LIMIT_INIT("dropped packet");
 *	if (!log_limited(&drops, lg, mono_s()))
 *		llog(lg, RC_INFO, "dropping ...");
 * or, the same with the monotonic clock:
 *	llog_limited(&drops, lg, RC_INFO, "dropping ...");
 */
#define LOG_LIMIT_BURST 10
#define LOG_LIMIT_WINDOW 10   /* seconds */
struct log_limit {
	const char *what;      /* names the messages in the summary line */
	bool started;
	time_t window_start;   /* seconds on the caller's clock */
	unsigned used;         /* lines let through in this window */
	unsigned suppressed;   /* lines refused in this window */
};
#define LOG_LIMIT_INIT(WHAT) { .what = (WHAT) }

/* True when the line must be dropped. now is any seconds clock that does
 * not jump (a step back opens a new window); tests pass their own. The
 * summary goes to lg at RC_INFO. */
bool log_limited(struct log_limit *l, const struct logger *lg, time_t now);
void llog_limited(struct log_limit *l, const struct logger *lg, enum log_level level,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline bool dbg(unsigned cat)
{
	return (log_debug() & cat) != 0;
}
/* Debug line, only when cat is on (check dbg() first for costly arguments). */
void ldbg(const struct logger *lg, unsigned cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Hex dump of len bytes under a label, at DEBUG level. */
void ldbg_hex(const struct logger *lg, unsigned cat, const char *label,
	      const void *p, size_t len);
#endif
