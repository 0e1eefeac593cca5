/* whack: the control-socket protocol between the command-line tools
 * (ipsec addconn, ipsec auto, ipsec whack) and the keying daemon pluto.
 *
 * A tool connects to pluto's AF_UNIX stream socket, sends ONE request,
 * then reads reply records until a STATUS record ends the stream.
 *
 * ---- Request wire format (all integers unsigned, network byte order) ----
 *
 *   header, 16 bytes:
 *     0  magic    4 bytes  "CYGW"
 *     4  version  u16      WHACK_VERSION (1); any other version is rejected
 *     6  command  u16      enum whack_command
 *     8  flags    u32      WHACK_FLAG_*; unknown bits are rejected, because
 *                          a flag changes meaning (use an option pair for
 *                          hints an older pluto may safely ignore)
 *    12  length   u32      total message length, header included;
 *                          WHACK_HDR_LEN <= length <= WHACK_MSG_MAX (1 MiB)
 *   then fields up to `length`, each:
 *     type u16, length u32, `length` value bytes
 *
 *   field types:
 *     WHACK_FIELD_NAME    value = connection name (at most once)
 *     WHACK_FIELD_CONN    value = key/value pair: an ipsec.conf keyword
 *     WHACK_FIELD_OPTION  value = key/value pair: a command option
 *   pair value: key length u32, key bytes, value bytes (the rest; may be
 *   empty). Pairs keep their order.
 *
 *   Unknown field types: a type with WHACK_FIELD_CRITICAL (0x8000) set
 *   must be understood and is rejected; any other unknown type is skipped,
 *   so a newer tool may add optional fields. Type 0 is reserved (rejected:
 *   it is what zeroed memory looks like).
 *
 *   Strings never contain NUL. A connection name is non-empty and has no
 *   control characters; a key is non-empty printable ASCII without space
 *   or '='; values may be empty. Keys are unique within each list.
 *   The name, conn keywords and flags must suit the command (see
 *   whack_commands[]). A buffer must hold exactly one message: trailing
 *   bytes are rejected.
 *
 *   Example, "delete" of connection "a" (23 bytes):
 *     43 59 47 57  00 01  00 02  00 00 00 00  00 00 00 17
 *     00 01  00 00 00 01  61
 *
 * ---- Reply wire format ----
 *
 *   a stream of records: type u16, length u32 (<= WHACK_REPLY_MAX), bytes
 *     WHACK_REPLY_LINE    one line of text for the user: no NUL, no '\n'
 *     WHACK_REPLY_JSON    a JSON text (not validated here): no NUL. A
 *                         text over WHACK_REPLY_MAX comes in consecutive
 *                         JSON records, each but the last cut after a
 *                         newline of the text: print them in turn
 *     WHACK_REPLY_STATUS  4 bytes, int32 exit code in 0..255; ends the
 *                         stream (anything after it is not read)
 *   Unknown record types follow the request rule: critical (0x8000 set)
 *   rejected, others skipped; type 0 rejected.
 *
 * ---- Conventions ----
 *   Pure codec functions return err_t: NULL on success, else a static
 *   string saying what is wrong. Functions doing I/O return 0 (or a
 *   status) on success and a negative errno value on failure, filling
 *   err[WHACK_ERR_BUF] with a sentence for the user. Allocation failure
 *   aborts, as elsewhere in Cygnet.
 */
#ifndef WHACK_H
#define WHACK_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/err.h"

#ifndef IPSEC_RUNDIR
#define IPSEC_RUNDIR "/run/cygnet"
#endif
/* Where pluto listens unless told otherwise. */
#define WHACK_CTL_PATH IPSEC_RUNDIR "/pluto.ctl"

#define WHACK_MAGIC      "CYGW"
#define WHACK_VERSION    1
#define WHACK_HDR_LEN    16u
#define WHACK_FIELD_HDR_LEN 6u
#define WHACK_MSG_MAX    (1u << 20)   /* whole request, header included */
#define WHACK_REPLY_HDR_LEN 6u
#define WHACK_REPLY_MAX  (1u << 20)   /* one reply record's bytes */
#define WHACK_ERR_BUF    256

/* ---- commands ---- */

/* Wire codes: never renumber, only append. */
enum whack_command {
	WHACK_ADD = 1,
	WHACK_DELETE = 2,
	WHACK_REPLACE = 3,
	WHACK_INITIATE = 4,
	WHACK_TERMINATE = 5,
	WHACK_ROUTE = 6,
	WHACK_UNROUTE = 7,
	WHACK_STATUS = 8,
	WHACK_REREADSECRETS = 9,
	WHACK_LISTEN = 10,
	WHACK_SHUTDOWN = 11,
	WHACK_PING = 12,
	WHACK_DDOS_BUSY = 13,
	WHACK_DDOS_UNLIMITED = 14,
	WHACK_DDOS_AUTO = 15,
	WHACK_REKEY_IKE = 16,
	WHACK_REKEY_CHILD = 17,
	WHACK_TRAFFICSTATUS = 18,
	WHACK_GLOBALSTATUS = 19,
	WHACK_METRICS = 20,
	WHACK_DEBUG = 21,
	WHACK_REOPENLOGS = 22,
	WHACK_LISTALL = 23,
	WHACK_PRUNE = 24,
	WHACK_REREADCRLS = 25,
};

enum whack_name_use {
	WHACK_NAME_NONE,      /* a name is rejected */
	WHACK_NAME_OPTIONAL,  /* e.g. status of one connection or of all */
	WHACK_NAME_REQUIRED,
};

struct whack_command_desc {
	const char *name;            /* as typed: "add", "status", ... */
	enum whack_command code;
	enum whack_name_use name_use;
	bool takes_conn;             /* carries ipsec.conf keywords */
	const char *help;            /* one line, no trailing period */
};

/* One row per command, in code order; tools and docs print it. */
extern const struct whack_command_desc whack_commands[];
extern const size_t whack_commands_len;

const struct whack_command_desc *whack_command_by_name(const char *name);
const struct whack_command_desc *whack_command_by_code(unsigned code);

/* ---- request flags ---- */

/* Answer once the request is accepted instead of waiting for the outcome
 * (e.g. of a negotiation started by initiate). */
#define WHACK_FLAG_ASYNC   (1u << 0)
/* initiate as auto=start means it (addconn --autoall, a reload): a conn
 * that is up, or whose negotiation is under way, is left as it is and
 * counts as started. */
#define WHACK_FLAG_UNLESS_UP (1u << 1)
#define WHACK_FLAGS_KNOWN  (WHACK_FLAG_ASYNC | WHACK_FLAG_UNLESS_UP)

/* ---- request fields ---- */

enum whack_field_type {
	WHACK_FIELD_NAME = 1,
	WHACK_FIELD_CONN = 2,
	WHACK_FIELD_OPTION = 3,
};
#define WHACK_FIELD_CRITICAL 0x8000u   /* type bit: reject if unknown */

/* ---- the request as a value ---- */

struct whack_kv {
	char *key;     /* owned */
	char *value;   /* owned; "" when empty */
};

struct whack_kvs {
	struct whack_kv *v;
	size_t n, cap;
};

struct whack_msg {
	enum whack_command command;
	uint32_t flags;
	char *name;               /* owned; NULL when absent */
	struct whack_kvs conn;    /* resolved ipsec.conf keywords, in order */
	struct whack_kvs options; /* command options, e.g. json=yes */
};

/* Building: the setters copy their arguments; checking happens when
 * encoding (whack_msg_check), so a tool can build first, then report. */
void whack_msg_init(struct whack_msg *m, enum whack_command command);
void whack_msg_set_name(struct whack_msg *m, const char *name);
void whack_msg_add_conn(struct whack_msg *m, const char *key, const char *value);
void whack_msg_add_option(struct whack_msg *m, const char *key, const char *value);
/* Frees what the message owns and leaves it empty (command kept). */
void whack_msg_free(struct whack_msg *m);

/* The value of the first pair named key, or NULL. */
const char *whack_kvs_get(const struct whack_kvs *kvs, const char *key);

/* Every rule of the format that is not about bytes: known command and
 * flags, name and keywords as the command wants, string contents, unique
 * keys. Used by both whack_encode() and whack_decode(). */
err_t whack_msg_check(const struct whack_msg *m);

/* ---- buffers ---- */

/* Growable up to max, or fixed caller storage (never grown or freed). */
struct whack_buf {
	uint8_t *data;
	size_t len;    /* bytes written */
	size_t cap;    /* bytes available at data */
	size_t max;    /* never grow beyond this */
	bool fixed;
};

void whack_buf_init(struct whack_buf *b, size_t max);
void whack_buf_init_fixed(struct whack_buf *b, void *storage, size_t size);
void whack_buf_free(struct whack_buf *b);

/* ---- request codec ---- */

/* Append the encoding of m to out. On error out is left as it was. */
err_t whack_encode(const struct whack_msg *m, struct whack_buf *out);

/* Decode exactly one message of len bytes. On success *out owns copies
 * of every string (free with whack_msg_free); on error *out is empty. */
err_t whack_decode(const uint8_t *buf, size_t len, struct whack_msg *out);

/* Check a received header (len >= WHACK_HDR_LEN bytes: magic, version,
 * declared length) and report the total message length, so a reader
 * knows how much more to read before decoding. */
err_t whack_request_length(const uint8_t *buf, size_t len, size_t *total);

/* ---- the statuses pluto answers with ----
 * The tools exit with them, so they stay clear of the tools' own codes
 * (1: pluto cannot be reached, 2: usage or configuration errors). */
#define WHACK_STATUS_OK      0
#define WHACK_STATUS_REFUSED 3   /* the request was understood and refused, or failed */
#define WHACK_STATUS_BAD     4   /* the request itself was malformed or unknown */

/* ---- reply records ---- */

enum whack_reply_type {
	WHACK_REPLY_LINE = 1,
	WHACK_REPLY_JSON = 2,
	WHACK_REPLY_STATUS = 3,
};
#define WHACK_REPLY_CRITICAL 0x8000u

/* One parsed record. text points into the parsed buffer (not NUL
 * terminated). type may be an unknown non-critical value: skip it. */
struct whack_reply {
	uint16_t type;
	const char *text;
	size_t len;
	int status;     /* STATUS only */
};

/* Append one LINE or JSON record / one STATUS record to a buffer. */
err_t whack_reply_put(struct whack_buf *b, enum whack_reply_type type,
		      const char *text, size_t len);
err_t whack_reply_put_status(struct whack_buf *b, int status);

/* Parse the record at the start of buf; *used = its size in bytes. */
err_t whack_reply_parse(const uint8_t *buf, size_t len,
			struct whack_reply *rec, size_t *used);

/* ---- pluto's side: one connected fd per request ---- */

/* Read one whole request from fd and decode it. The declared length is
 * checked against max (capped at WHACK_MSG_MAX) before the body is read.
 * Blocks: pluto should set SO_RCVTIMEO on accepted sockets.
 * Returns 0, or -EPROTO for a malformed or cut-short request, or -errno. */
int whack_read_request(int fd, size_t max, struct whack_msg *out,
		       char err[WHACK_ERR_BUF]);

/* Write one reply record to fd. Return 0, -EINVAL for text the record
 * type forbids (or status outside 0..255), or -errno of the write.
 * A closed peer gives -EPIPE, never SIGPIPE. */
int whack_reply_line(int fd, const char *text);
__attribute__((format(printf, 2, 3)))
int whack_reply_linef(int fd, const char *fmt, ...);
int whack_reply_json(int fd, const char *json);
int whack_reply_status(int fd, int status);

/* ---- the tools' side ---- */

/* Called for each LINE or JSON record; text is NUL terminated (len bytes).
 * Return 0 to go on, or a negative errno value to stop reading: the
 * reader then returns that value (a positive one stops with -ECANCELED). */
typedef int whack_reply_fn(void *ctx, enum whack_reply_type type,
			   const char *text, size_t len);

/* Connect to pluto's socket (NULL: WHACK_CTL_PATH). Returns an fd or
 * -errno with err = "cannot connect to pluto at PATH: REASON". */
int whack_connect(const char *path, char err[WHACK_ERR_BUF]);

/* Encode m and write it to fd. Returns 0, -EINVAL (bad message) or -errno. */
int whack_send_request(int fd, const struct whack_msg *m, char err[WHACK_ERR_BUF]);

/* Read records until STATUS, calling cb (may be NULL) for LINE and JSON.
 * Returns the status (0..255), -EPROTO for a malformed or cut-short
 * stream, the callback's negative value, or -errno. */
int whack_read_replies(int fd, whack_reply_fn *cb, void *ctx,
		       char err[WHACK_ERR_BUF]);

/* All of the above: connect, send m, read the replies, close. Returns
 * the status pluto sent or a negative errno value; err names the path. */
int whack_call(const char *path, const struct whack_msg *m,
	       whack_reply_fn *cb, void *ctx, char err[WHACK_ERR_BUF]);

#endif
