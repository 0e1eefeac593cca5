/* Logging: every message goes through a logger object that the caller
 * owns (the daemon, a connection, an SA). A logger carries the prefix that
 * says whose message it is, and optionally a whack client to echo it to. */
#ifndef PLUTO_LOG_H
#define PLUTO_LOG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

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

struct logger {
	char prefix[128];     /* e.g. "\"west-east\" #3: "; "" for the daemon */
	int whack_fd;         /* -1, or a whack client that sees these lines */
};

/* Process-wide sink settings, set once at start-up: a stream, or (out
 * NULL) syslog as "pluto", facility daemon. */
void log_init(FILE *out, bool timestamps, unsigned debug);
void log_set_debug(unsigned debug);
unsigned log_debug(void);

void logger_init(struct logger *lg, int whack_fd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void llog(const struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vllog(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

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
