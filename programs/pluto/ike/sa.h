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
	uint64_t lifetime_ms;
	struct event *rekey_timer, *expire_timer;
	uint32_t rekey_of_spi;       /* CREATE_CHILD_SA rekey: the SPI it replaces */
	/* negotiation scratch (CREATE_CHILD_SA) */
	chunk_t ni, nr;
	struct dh_secret *dh;
	chunk_t gir;
	struct child_sa *next;       /* in its IKE SA */
	struct logger logger;
};

struct ike_sa {
	unsigned serial;
	struct pluto *pluto;
	struct connection *c;
	bool original_initiator;     /* we sent the first IKE_SA_INIT */
	unsigned attempt;            /* the conn's keying attempt it is (keyingtries=); 0: not one */
	enum ike_state state;
	uint8_t spi_i[8], spi_r[8];
	const struct iface *iface;   /* our socket */
	ip_address remote;
	uint16_t remote_port;
	bool nat_detected;           /* ESP in UDP and IKE on 4500 */

	/* IKE_SA_INIT */
	struct ike_suite suite;
	uint16_t ke_group;           /* the DH group of our KE */
	unsigned invalid_ke_tries;
	struct dh_secret *dh;
	chunk_t ni, nr;
	chunk_t cookie;              /* COOKIE to echo in the next IKE_SA_INIT */
	unsigned cookie_tries;       /* COOKIE answers to this IKE SA's IKE_SA_INIT */
	chunk_t init_request, init_response;   /* kept for AUTH, freed after */
	bool peer_digsig;            /* peer sent SIGNATURE_HASH_ALGORITHMS */
	bool childless;              /* RFC 6023: both sent CHILDLESS_IKEV2_SUPPORTED */
	uint16_t peer_hashes[8];
	unsigned n_peer_hashes;
	struct ike_sa_keys keys;
	bool keys_ready;

	/* message IDs (window of one in each direction) */
	uint32_t msgid_next_out;     /* the ID of our next request */
	uint32_t msgid_expect_in;    /* the ID of the peer's next request */
	chunk_t last_request;        /* what we retransmit */
	uint32_t last_request_msgid;
	bool request_outstanding;
	int request_kind;            /* enum ike_request of the outstanding one */
	uint8_t request_exchange;
	unsigned retransmits;
	uint64_t request_sent_ms;    /* when it was first sent (mono_ms) */
	struct event *retransmit_timer;
	void (*on_timeout)(struct ike_sa *ike);   /* when retransmits are exhausted */
	chunk_t last_response;       /* to answer a retransmitted request */
	uint32_t last_response_msgid;
	bool have_last_response;

	/* after IKE_AUTH */
	ip_id peer_id;
	time_t established;
	struct event *rekey_timer, *expire_timer, *dpd_timer;
	time_t last_heard;

	struct child_sa *children;
	struct child_sa *pending_child;  /* the Child SA IKE_AUTH or CREATE_CHILD_SA builds */
	struct ike_sa *rekey_new;        /* CREATE_CHILD_SA rekeying this IKE SA */

	struct ctl_client *whack;    /* waiting for the outcome of --up */
	struct logger logger;
	bool in_table;
	struct ike_sa *next_hash, *next_serial, *next_all, *prev_all;
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
struct ike_sa *ike_sa_new(struct pluto *p, struct connection *c, bool initiator);
struct child_sa *child_sa_new(struct ike_sa *ike, struct connection *c);

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
/* Deletes every SA of a connection (conn deleted or replaced). */
void sa_delete_conn(struct pluto *p, const struct connection *c, const char *why);
#endif
