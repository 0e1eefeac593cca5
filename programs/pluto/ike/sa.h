/* IKE SAs and Child SAs: their state, keys and timers, and the table that
 * finds them by SPI and by serial number. An SA's state is set in one
 * function (sa_set_state / child_set_state) that checks the transition
 * against the table in sa.c and logs "old -> new". */
#ifndef PLUTO_IKE_SA_H
#define PLUTO_IKE_SA_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "chunk.h"
#include "connections.h"
#include "crypto/crypto.h"
#include "log.h"
#include "swan/id.h"
#include "swan/subnet.h"
#include "ikev1/ikev1_part.h"
#include "ikev2/ikev2_part.h"

struct pluto;
struct iface;
struct event;
struct ctl_client;

enum ike_state {
	IKE_I_INIT,          /* initiator: computing KE, nothing sent yet */
	IKE_I_INIT_SENT,     /* initiator: IKE_SA_INIT request sent */
	IKE_I_AUTH_SENT,     /* initiator: IKE_AUTH request sent */
	IKE_R_INIT,          /* responder: computing the IKE_SA_INIT answer */
	IKE_R_INIT_SENT,     /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_ESTABLISHED,
	IKE_DELETING,        /* our Delete sent, waiting for the answer */
	IKE_DEAD,            /* being freed */
	IKE_STATE_COUNT
};

enum child_state {
	CHILD_LARVAL,        /* negotiating */
	CHILD_ESTABLISHED,   /* installed */
	CHILD_REKEYED,       /* replaced by a newer one; deleted soon */
	CHILD_DELETING,
	CHILD_STATE_COUNT
};

const char *ike_state_name(enum ike_state s);
const char *child_state_name(enum child_state s);

/* A narrowed traffic selector pair for one Child SA. */
/* A Child SA's protocol: the numbers IKEv1's IPsec DOI and IKEv2 share. */
#define CHILD_PROTO_AH 2
#define CHILD_PROTO_ESP 3

struct child_ts {
	ip_subnet local, remote;
	uint8_t proto;
	uint16_t local_port, remote_port;   /* 0: any */
};

struct child_sa {
	unsigned serial;
	struct ike_sa *ike;
	struct connection *c;
	enum child_state state;
	uint8_t protocol;            /* IKEV2_PROTO_ESP or IKEV2_PROTO_AH */
	uint32_t spi_in, spi_out;    /* host order */
	struct child_suite suite;
	const struct alg_desc *pfs_dh;   /* DH of CREATE_CHILD_SA, NULL: none */
	bool transport;
	bool encap;                  /* ESP in UDP */
	struct child_ts ts;
	uint32_t reqid;
	bool installed;              /* SAs in the kernel */
	time_t established;
	uint64_t rekey_at_ms;        /* when its rekey starts (monotonic), 0 none */
	uint64_t lifetime_ms;
	uint64_t lifetime_kb;        /* 0: none; else the kernel's byte limits (IKEv1's
				      * kilobyte lifetime: the soft one starts the rekey) */
	struct event *rekey_timer, *expire_timer;
	uint32_t rekey_of_spi;       /* CREATE_CHILD_SA rekey: the SPI it replaces */
	struct held_outbound *held_out; /* a rekey's outbound SA not in the kernel yet
					 * (ike/child.c), NULL: none */
	/* negotiation scratch (CREATE_CHILD_SA) */
	chunk_t ni, nr;
	struct dh_secret *dh;
	chunk_t gir;
	struct child_sa *next;       /* in its IKE SA */
	struct logger logger;
};

/* The ops of the IKE version an SA speaks (ike/ops.h). */
struct ike_ops;
struct ike_work;

struct ike_sa {
	unsigned serial;
	struct pluto *pluto;
	struct connection *c;
	const struct ike_ops *ops;   /* its IKE version */
	bool original_initiator;     /* we sent the first message */
	unsigned attempt;            /* the conn's keying attempt it is (keyingtries=); 0: not one */
	enum ike_state state;
	uint8_t spi_i[8], spi_r[8];  /* IKEv1: the initiator and responder cookies */
	const struct iface *iface;   /* our socket */
	ip_address remote;
	uint16_t remote_port;

	/* NAT traversal (ike/natt.c) */
	bool nat_detected;           /* ESP in UDP and IKE on 4500 */
	bool nat_local;              /* this host is behind the NAT: it sends keepalives */
	struct event *keepalive_timer;

	/* negotiated in the first exchange */
	struct ike_suite suite;
	struct dh_secret *dh;
	chunk_t ni, nr;

	/* our request in flight and its retransmission (ike/transmit.c) */
	chunk_t last_request;
	uint32_t last_request_msgid;
	uint8_t request_exchange;
	bool request_outstanding;
	unsigned retransmits;
	uint64_t request_sent_ms;    /* when it was first sent (mono_ms) */
	struct event *retransmit_timer;
	void (*on_timeout)(struct ike_sa *ike);   /* when retransmits are exhausted */
	/* our last answer, sent again for a retransmitted request */
	chunk_t last_response;
	uint32_t last_response_msgid;
	uint8_t last_response_exchange;
	bool have_last_response;

	/* the exchanges waiting their turn (ike/queue.c) */
	struct ike_work *queue_head, *queue_tail;
	struct ike_work *running;    /* the one in progress, NULL when idle */
	struct event *queue_event;

	/* once established */
	ip_id peer_id;
	time_t established;
	uint64_t rekey_at_ms;        /* when its rekey starts (monotonic), 0 none */
	struct event *rekey_timer, *expire_timer, *dpd_timer;
	uint64_t last_heard_ms;      /* the last authenticated message from the peer */

	struct child_sa *children;   /* established and rekeyed ones */
	struct child_sa *larval;     /* being negotiated in CREATE_CHILD_SA (ours or the peer's) */
	struct child_sa *pending_child;  /* the Child SA of IKE_AUTH */

	struct ctl_client *whack;    /* waiting for the outcome of --up */
	struct logger logger;
	bool in_table;
	ip_address half_open_from;   /* the address a half-open SA is counted for */
	struct ike_sa *next_hash, *next_serial, *next_all, *prev_all;

	/* what only one IKE version has */
	struct ikev2_part v2;
	struct ikev1_part v1;
};

/* Seconds a responder keeps an IKE SA that answered IKE_SA_INIT and got no
 * good IKE_AUTH request (libreswan: one minute). */
#define IKE_HALF_OPEN_LIFETIME_S 60

/* ---- the table -------------------------------------------------------- */

struct sa_table;
struct sa_table *sa_table_new(void);
void sa_table_free(struct sa_table *t);

/* A new IKE SA in the table (state IKE_I_INIT or IKE_R_INIT), with a fresh
 * serial and our SPI; c may be NULL for a responder that has not chosen. */
struct ike_sa *ike_sa_new(struct pluto *p, const struct ike_ops *ops, struct connection *c,
			  bool initiator);
struct child_sa *child_sa_new(struct ike_sa *ike, struct connection *c);
/* A Child SA being negotiated by CREATE_CHILD_SA joins the IKE SA's larval
 * list; once installed it moves to its children (child_sa_established). */
void child_sa_larval(struct child_sa *child);
void child_sa_established(struct child_sa *child);

/* Lookups. spi_r all zero matches an IKE_SA_INIT we answered or sent. */
struct ike_sa *ike_sa_by_spis(struct pluto *p, const uint8_t spi_i[8], const uint8_t spi_r[8]);
struct ike_sa *ike_sa_by_init(struct pluto *p, const uint8_t spi_i[8], const ip_address *remote,
			      uint16_t port);
struct ike_sa *ike_sa_by_serial(struct pluto *p, unsigned serial);
struct child_sa *child_sa_by_serial(struct pluto *p, unsigned serial);
struct child_sa *child_sa_by_spi_in(struct ike_sa *ike, uint32_t spi);
struct child_sa *child_sa_by_spi_out(struct ike_sa *ike, uint32_t spi);
/* The established IKE SA of a connection, or NULL. */
struct ike_sa *ike_sa_of_conn(struct pluto *p, const struct connection *c);
/* Every IKE SA, for status and shutdown; the next pointer is safe to
 * take before freeing the current one. */
struct ike_sa *ike_sa_first(struct pluto *p);
unsigned ike_sa_count(const struct pluto *p, unsigned *half_open);
/* Half-open IKE SAs (a responder's, not yet authenticated) from one peer
 * address. */
unsigned ike_sa_half_open_from(const struct pluto *p, const ip_address *a);

/* Puts a new IKE SA in the table (once its SPIs are set). */
void ike_sa_insert(struct ike_sa *ike);

/* The whack client waiting on this IKE SA gets status and is let go; its
 * fd leaves every logger of the SA and its Child SAs. */
void ike_whack_done(struct ike_sa *ike, int status);

/* State changes: checked against the transition table, logged. */
void ike_set_state(struct ike_sa *ike, enum ike_state to);
void child_set_state(struct child_sa *child, enum child_state to);

/* Removes the SA (and its Child SAs, from the kernel too) and frees it.
 * why is logged. Safe in any state; answers a waiting whack client. */
void ike_sa_delete(struct ike_sa *ike, const char *why);
void child_sa_delete(struct child_sa *child, const char *why);
/* Deletes every SA of a connection (conn deleted or replaced), telling the
 * peer when the IKE SA can send now: an IKE SA that serves c alone goes
 * with a Delete of the IKE SA; one that also serves other conns stays (for
 * one of them) and c's Child SAs go with one Delete naming them. Nothing
 * is left pointing at c. Returns how many SAs (IKE or Child) it deleted. */
unsigned sa_delete_conn(struct pluto *p, const struct connection *c, const char *why);

/* uniqueids=yes (pluto --uniqueids, the default): ike, authenticated as
 * peer, replaces the older established IKE SAs of its conn with that peer
 * ID, with their Child SAs: the peer restarted or moved. IKEv2 never
 * authenticates a rekey, so any older one goes; an IKEv1 rekey is a new
 * Main Mode from the same address, so there only the SAs from another
 * address (or port: a new NAT mapping) go. Returns how many it deleted. */
unsigned ike_sa_replace_older(struct ike_sa *ike, const ip_id *peer);
#endif
