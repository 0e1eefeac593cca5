/* Connections: what `ipsec auto --add` hands pluto (the resolved ipsec.conf
 * keys of one conn), parsed into typed values, plus which end is this host. */
#ifndef PLUTO_CONNECTIONS_H
#define PLUTO_CONNECTIONS_H
#include <stdbool.h>
#include <stdint.h>
#include "swan/address.h"
#include "swan/alg.h"
#include "swan/authby.h"
#include "swan/id.h"
#include "swan/protoport.h"
#include "swan/rsakey.h"
#include "swan/subnet.h"
#include "whack.h"

enum conn_type { CONN_TUNNEL, CONN_TRANSPORT, CONN_PASSTHROUGH, CONN_DROP, CONN_REJECT };
enum conn_auto { AUTO_IGNORE, AUTO_ADD, AUTO_ROUTE, AUTO_START, AUTO_MANUAL };
enum host_kind {
	HOST_ADDRESS,        /* a literal address, or a name resolved to one */
	HOST_DNS,            /* a DNS name not yet resolved */
	HOST_ANY,            /* %any: filled in by the negotiation */
	HOST_DEFAULTROUTE,   /* %defaultroute */
	HOST_GROUP,          /* %group, %opportunistic...: not negotiable here */
};

/* Authentication methods (bit set, from authby=: swan/authby.h). */
#define AUTH_PSK     AUTHBY_PSK
#define AUTH_RSASIG  AUTHBY_RSA
#define AUTH_NEVER   AUTHBY_NEVER
#define AUTH_ECDSA   AUTHBY_ECDSA
#define AUTH_SIG     (AUTH_RSASIG | AUTH_ECDSA)   /* either signature */

/* One end of a connection (left or right). */
struct end {
	enum host_kind host_kind;
	char *host_text;            /* left= as written */
	ip_address host;            /* HOST_ADDRESS (or learnt from the peer) */
	ip_subnet client;           /* leftsubnet=, or the host itself */
	bool has_client;            /* leftsubnet= was given */
	char *virt;                 /* leftsubnet=vhost:LIST|vnet:LIST (NULL: none):
				     * the peer's inner addresses it may use */
	ip_protoport protoport;
	ip_id id;                   /* leftid=, or the host address */
	bool id_from_host;          /* no leftid=: the ID is the address */
	rsa_pubkey *rsakey;         /* leftrsasigkey= (NULL: none) */
	rsa_pubkey *rsakey2;
	char *nexthop_text;         /* NULL: %direct */
	ip_address sourceip;        /* leftsourceip= (family IP_UNSET: none) */
	char *updown;               /* NULL: no updown at all */
	char *ca, *cert;             /* rightca=, leftcert= as written */
	/* certificates (conn_load.c fills these at --add): cert= from NSS
	 * and its public key, and ca= as a DN (%same resolved) */
	enum sendcert { SENDCERT_IFASKED, SENDCERT_ALWAYS, SENDCERT_NEVER } sendcert;
	uint8_t *cert_der;
	size_t cert_len;
	bool cert_ecdsa;             /* its key: ECDSA (else RSA) ... */
	unsigned cert_bits;          /* ... of that many bits (ECDSA: the curve) */
	ip_id ca_id;                /* kind ID_NONE: no ca= */
	bool host_is_name;          /* left= is a DNS name (resolved or not) */
	/* HOST_DNS: a lookup is under way, or why the last one failed */
	bool dns_pending;
	char *dns_error;
	/* after a failed lookup: the next one (monotonic ms, 0 none) and the
	 * pause that led to it (dns_retry_pause_s) */
	uint64_t dns_retry_at_ms;
	unsigned dns_retry_s;
	/* XAUTH and Mode Config (IKEv1, ikev1/transaction.h): this end's
	 * roles; leftsourceip=%config is modecfg_client */
	bool xauth_server, xauth_client, modecfg_server, modecfg_client;
	char *xauth_username;       /* leftxauthusername= (NULL: none) */
	bool has_pool;              /* leftaddresspool=FIRST-LAST */
	ip_address pool_first, pool_last;
};

/* Lookups of a name that failed are tried again after DNS_RETRY_FIRST_S,
 * the pause doubling each time up to DNS_RETRY_MAX_S. */
#define DNS_RETRY_FIRST_S 5
#define DNS_RETRY_MAX_S 300
/* The pause after a failed lookup, given the pause before it (0: none). */
unsigned dns_retry_pause_s(unsigned previous_s);

/* ipsec.conf(5)'s ikev2=: which version a conn initiates with and which
 * it answers. Openswan's default is permit: a conn without ikev2=
 * initiates IKEv1 and answers both. */
enum ikev2_policy {
	IKEV2_PERMIT = 0,   /* initiate IKEv1, answer both (the default) */
	IKEV2_NEVER,        /* never|no: IKEv1 only */
	IKEV2_PROPOSE,      /* propose|yes: initiate IKEv2, answer both */
	IKEV2_INSIST,       /* insist: IKEv2 only */
};

/* fragmentation=: RFC 7383 for IKEv2 (libreswan's default: yes). */
enum conn_frag {
	FRAG_YES = 0,       /* announce; fragment what is too big for the path */
	FRAG_NO,            /* neither announce nor fragment */
	FRAG_FORCE,         /* announce; fragment every encrypted message, small */
	FRAG_ACCEPT,        /* announce and reassemble, but send whole messages */
};

struct connection {
	char *name;
	unsigned serial;            /* which load of that name (DNS answers) */
	struct end end[2];          /* [SIDE_LEFT], [SIDE_RIGHT] */
	int local;                  /* index of this host's end; -1 not oriented */
	enum conn_type type;
	enum conn_auto autostart;
	unsigned authby;            /* AUTH_* */
	/* the hashes authby= allows with each signature method
	 * (AUTHBY_HASH(n) of RFC 7427's hash numbers) */
	unsigned rsa_hashes, ecdsa_hashes;
	enum ikev2_policy ikev2;    /* ikev2=: which IKE versions it speaks */
	/* ike= and phase2alg= (n == 0: defaults); shared, read-only: conns
	 * with the same proposals point to one copy (connections.c) */
	const struct proposals *ike;
	const struct proposals *child;   /* ESP or AH proposals */
	bool child_ah;              /* phase2=ah */
	bool pfs;
	bool rekey;
	uint64_t ike_lifetime_ms, sa_lifetime_ms, rekeymargin_ms;
	unsigned rekeyfuzz;         /* percent */
	unsigned keyingtries;       /* attempts to negotiate once initiated; 0: forever */
	/* liveness checks every dpd_delay_ms of silence; 0: none (no
	 * dpddelay= given, or dpddelay=0); dpd_timeout_ms 0 also switches
	 * them off */
	uint64_t dpd_delay_ms, dpd_timeout_ms;
	char *dpdaction;
	bool compress;
	bool forceencaps;
	bool aggrmode;               /* IKEv1: Aggressive Mode (RFC 2409 5.4) instead of Main Mode */
	enum conn_frag fragmentation;
	unsigned metric;
	enum conn_type failureshunt;   /* CONN_TUNNEL means none */
	bool failureshunt_set;
	/* Mode Config (IKEv1): pull (the client asks) or push (the server
	 * sets); DNS servers handed out (family IP_UNSET: none) */
	bool modecfg_pull;
	ip_address modecfg_dns[2];
	struct whack_kvs keys;      /* every key as given, for status */

	/* run time */
	bool routed;                /* trap/shunt policies installed */
	bool reload_seen;           /* added or kept by the reload under way (cmd_prune.c) */
	unsigned ike_serial;        /* established IKE SA, 0 none */
	unsigned child_serial;      /* established Child SA, 0 none */
	/* keyingtries=: the keying attempt under way or waiting to start
	 * (1 is the first; 0 none), and when it starts (monotonic ms) */
	unsigned keying_attempt;
	bool keying_waiting;
	uint64_t keying_at_ms;

	/* the table (struct connections): add order, and the hash chains of
	 * its indexes; set by connections_add, read-only elsewhere */
	uint32_t reqid;             /* derived from the name (connection_reqid) */
	unsigned long seq;          /* add order: lower was added first */
	struct connection *next, *prev;   /* add order (status walks next) */
	struct conn_link { struct connection *next, **pprev; } by_name, by_reqid,
		by_peer, by_family;
	int peer_index;             /* which peer chain it is on (connections.c) */
};

/* The ends from this host's point of view. */
static inline struct end *local_end(struct connection *c) { return &c->end[c->local]; }
static inline struct end *peer_end(struct connection *c) { return &c->end[!c->local]; }
static inline bool conn_accepts_ikev1(const struct connection *c) { return c->ikev2 != IKEV2_INSIST; }
static inline bool conn_accepts_ikev2(const struct connection *c) { return c->ikev2 != IKEV2_NEVER; }
static inline bool conn_initiates_ikev1(const struct connection *c)
{
	return c->ikev2 == IKEV2_PERMIT || c->ikev2 == IKEV2_NEVER;
}
/* Whether c answers IKE major version major (1 or 2). */
static inline bool conn_accepts_major(const struct connection *c, unsigned major)
{
	return major == 1 ? conn_accepts_ikev1(c) : conn_accepts_ikev2(c);
}

/* Builds a connection from an add request's keys (built-in defaults for the
 * rest). NULL with a message naming the key and value when something is
 * wrong. */
struct connection *connection_from_keys(const char *name, const struct whack_kvs *keys,
					char *err, size_t errsize);
void connection_free(struct connection *c);

/* Decides which end is this host: the end whose address is one of the
 * host's (is_local says so), or the %defaultroute end. False with a
 * message when neither or both are. */
bool connection_orient(struct connection *c, bool (*is_local)(const ip_address *, void *),
		       void *ctx, char *err, size_t errsize);

/* The table of connections. A list in add order (head, then c->next:
 * status output walks it) and hash indexes, so that no lookup walks the
 * list: by name, by reqid, by family (the instances NAME/... and NAME#...
 * of a conn NAME), and by peer address for the responder (oriented conns
 * whose peer is an address, plus the oriented ones whose peer is %any).
 * A zeroed struct is an empty table. */
struct conn_index;
struct connections {
	struct connection *head, *tail;
	unsigned n;
	struct conn_index *idx;     /* connections.c; NULL until the first add */
};
/* The reqid that ties a conn's SAs to its policies: stable per name, so
 * a replaced conn keeps it. */
uint32_t connection_reqid(const char *name);
struct connection *connections_find(struct connections *cs, const char *name);
void connections_add(struct connections *cs, struct connection *c);   /* replaces */
bool connections_remove(struct connections *cs, const char *name);
/* Takes c out of the table without freeing it. */
void connections_unlink(struct connections *cs, struct connection *c);
/* Gives c (in the table) a new name; false when another conn has it. */
bool connections_rename(struct connections *cs, struct connection *c, const char *name);
/* After c's orientation or an end's address changed (DNS): files it again
 * under its peer's address. */
void connections_reindex(struct connections *cs, struct connection *c);
void connections_free(struct connections *cs);

/* The first conn (in add order among equals: least seq) with that reqid,
 * or NULL. */
struct connection *connections_by_reqid(struct connections *cs, uint32_t reqid);

/* The candidates for a responder's packet from remote: the oriented conns
 * whose peer is that address, then those whose peer is %any. Not in add
 * order: a caller that keeps the first of equal scores compares seq.
 *   struct conn_peer_iter it = { 0 };
 *   for (c = connections_peer_first(cs, remote, &it); c; c = connections_peer_next(&it)) */
struct conn_peer_iter {
	const ip_address *remote;
	struct connection *c, *any;
	int phase;
};
struct connection *connections_peer_first(struct connections *cs, const ip_address *remote,
					  struct conn_peer_iter *it);
struct connection *connections_peer_next(struct conn_peer_iter *it);

/* The instances of family (the conns named family/... or family#..., not
 * family itself), in no particular order. Take the next one before
 * removing the current:
 *   for (c = connections_family_first(cs, f); c; c = next) {
 *           next = connections_family_next(c, f); ... } */
struct connection *connections_family_first(struct connections *cs, const char *family);
struct connection *connections_family_next(struct connection *c, const char *family);
#endif
