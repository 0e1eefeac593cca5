/* What a translation produces: conns (key=value lines, each with the
 * FILE:LINE it came from), ipsec.secrets entries, config setup keys and
 * rinetd relays. */
#ifndef NETSH_CONN_H
#define NETSH_CONN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netsh/store.h"
#include "netsh/util.h"

struct ckv {
	const char *key;
	char *value;
	struct where at;
};

struct nconn {
	char *name;
	char **comments;      /* lines written above the conn, without '#' */
	size_t ncomments, capcomments;
	struct ckv *kv;
	size_t nkv, capkv;
};

struct nsecret {
	char *left, *right, *key;   /* key: "..." or 0x... as written */
	struct where at;
};

struct nrelay {
	char *baddr, *caddr;
	uint16_t bport, cport;
	char *comment;
	struct where at;
};

struct output {
	struct nconn **conns;
	size_t nconns, capconns;
	struct nsecret *secrets;
	size_t nsecrets, capsecrets;
	struct nrelay *relays;
	size_t nrelays, caprelays;
	struct ckv *setup;            /* config setup keys */
	size_t nsetup, capsetup;
	struct strmap names;          /* conn names in use */
	struct strmap psks;           /* "left right" -> secret index + 1 */
	bool portproxy;               /* a portproxy command was replayed */
};

/* A new conn named from parts (each sanitised to [A-Za-z0-9._-], joined
 * by '-', starting with a letter, unique within out). */
struct nconn *conn_new(struct output *out, const char *const *parts, size_t nparts);
void conn_set(struct nconn *c, const char *key, const char *value, struct where at);
const char *conn_get(const struct nconn *c, const char *key);
__attribute__((format(printf, 2, 3)))
void conn_comment(struct nconn *c, const char *fmt, ...);
void output_free(struct output *out);
/* Text safe for a comment or a quoted value: control characters and bytes
 * that are not UTF-8 become \xNN, a double quote becomes \x22 when
 * quoted is set. Owned. */
char *safe_text(const char *s, bool quoted);
#endif
