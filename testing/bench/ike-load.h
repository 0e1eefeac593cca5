/* ike-load: an IKEv2 load client (testing/bench/ike-load.c).
 *
 * The types shared by the parts of the client: the options, one slot of
 * the window (an IKE SA being opened), and the statistics. The client is
 * one program (the Makefile builds each .c file of testing/bench on its own), so
 * the parts are sections of ike-load.c; this header keeps their data in
 * one place. */
#ifndef TESTING_BENCH_IKE_LOAD_H
#define TESTING_BENCH_IKE_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "chunk.h"
#include "crypto/crypto.h"
#include "ikev2/ikev2_msg.h"
#include "swan/address.h"
#include "swan/alg.h"
#include "swan/id.h"
#include "swan/subnet.h"
#include "ikev1-load.h"

#define LOAD_NONCE_LEN 32
#define LOAD_MSG_MAX 4096        /* IKE_SA_INIT and IKE_AUTH messages we keep */
#define LOAD_MAX_WINDOW 8192
#define LOAD_MAX_PORTS 8192        /* --ikev1 memory runs: a port per SA (see ike-bench) */
#define LOAD_MAX_REASONS 48
#define LOAD_MAX_COOKIES 3       /* COOKIE rounds before giving up on an SA */
#define LOAD_COOKIE_MAX 64

/* ---- options ---------------------------------------------------------- */

struct load_opts {
	ip_address target;
	uint16_t port;
	ip_address bind;            /* IP_UNSET: the kernel picks */
	unsigned window;            /* IKE SAs in flight */
	unsigned ports;             /* source sockets (ports), used in turn */
	double duration;            /* seconds measured (duration mode) */
	double warmup;              /* seconds before the measurement */
	unsigned long count;        /* count mode: open this many, then stop */
	double max_time;            /* count mode: give up after this long */
	double drain;               /* seconds to wait for SAs in flight at the end */
	unsigned rto_ms;            /* first retransmission */
	unsigned tries;             /* transmissions of one request */
	const char *ike;            /* "aes256-sha2_256" (ENC-PRF/INTEG[;DH]) */
	const char *dh;             /* "curve25519", "modp2048" (overrides ;DH) */
	const char *esp;            /* Child SA proposal */
	bool child;                 /* ask for a Child SA in IKE_AUTH */
	ip_subnet tsi_pool;         /* TSi: one address of it per SA, in turn */
	uint32_t tsi_offset;        /* the host number before the first one used */
	ip_subnet tsr;              /* TSr: the whole subnet */
	bool have_tsi, have_tsr;    /* else host to host: our address, the target's */
	ip_id idi, idr;             /* ours; the responder's (ID_NONE: not checked) */
	bool send_idr;
	chunk_t psk;
	bool ikev1;                 /* IKEv1 Main Mode (PSK) instead of IKEv2 */
	uint32_t v1_life_s;         /* IKEv1: the ISAKMP SA lifetime proposed */
	bool intervals;             /* print every 1-second interval */
	unsigned verbose;
};

/* ---- one IKE SA being opened ------------------------------------------ */

/* IKEv2: INIT, AUTH; IKEv1 Main Mode: MM1, MM3, MM5 (the request in flight) */
enum slot_state { SLOT_FREE, SLOT_INIT, SLOT_AUTH, SLOT_MM1, SLOT_MM3, SLOT_MM5 };

struct slot {
	enum slot_state state;
	uint16_t gen;               /* bumped on every use: stale answers miss */
	unsigned sock;              /* index of the socket it uses */
	uint8_t spi_i[8], spi_r[8];
	uint64_t t_start, t_sent;   /* ns, monotonic: first IKE_SA_INIT, last send */
	unsigned tries;             /* transmissions of the current request */
	unsigned cookies;
	uint8_t ni[LOAD_NONCE_LEN];
	uint8_t nr[IKEV2_NONCE_MAX];
	size_t nr_len;
	uint8_t cookie[LOAD_COOKIE_MAX];
	size_t cookie_len;
	uint8_t init_req[LOAD_MSG_MAX];   /* the IKE_SA_INIT request (AUTH signs it) */
	size_t init_req_len;
	uint8_t init_resp[LOAD_MSG_MAX];  /* the responder's (its AUTH signs it) */
	size_t init_resp_len;
	uint8_t req[LOAD_MSG_MAX];        /* the request in flight, for retransmission */
	size_t req_len;
	struct ike_sa_keys keys;
	uint32_t child_spi;
	struct v1_xchg v1;          /* --ikev1: the Main Mode exchange */
};

/* ---- statistics -------------------------------------------------------- */

struct reason {
	char text[96];
	unsigned long n;
};

struct load_stats {
	unsigned long started, established, failed, abandoned;
	unsigned long retransmits, cookies, stray, requests_from_responder;
	unsigned long child_ok;
	struct reason failures[LOAD_MAX_REASONS];
	size_t n_failures;
	struct reason child_refused[LOAD_MAX_REASONS];
	size_t n_child_refused;
	unsigned long *per_second;  /* established IKE SAs per second since t0 */
	size_t seconds;
	uint32_t *latency_us;       /* SAs started in the measurement window */
	size_t n_latency, cap_latency;
};
#endif
