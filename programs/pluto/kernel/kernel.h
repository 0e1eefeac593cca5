/* The kernel interface: SAs, policies and kernel events behind one ops
 * table, so the daemon never knows which backend it talks to.
 *
 *   xfrm   Linux XFRM over netlink (kernel_xfrm.c)
 *   none   records SAs and policies in memory (kernel_none.c): for hosts
 *          without ESP and for tests
 *
 * Use: k = kernel_open("xfrm", logger, &d); then the kernel_*() calls
 * below (they check the request, then call the backend); kernel_close(k)
 * removes everything this process installed and frees k.
 *
 * Every call that can fail returns NULL on success or d->text, a one-line
 * message naming the SA or policy ("cannot add ESP SA 0x12345678
 * 198.18.0.1->198.18.0.2: Protocol not supported (...)"); d->error holds
 * the errno (EEXIST, ESRCH, ENOENT, EPROTONOSUPPORT, EINVAL, ...). Nothing
 * is logged on failure: the caller decides. Debug lines go to the logger
 * given to kernel_open() under DBG_KERNEL.
 *
 * Numbers are in host order (SPIs, ports, reqids); the backends convert. */
#ifndef PLUTO_KERNEL_H
#define PLUTO_KERNEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "chunk.h"
#include "log.h"
#include "swan/address.h"
#include "swan/alg.h"
#include "swan/err.h"
#include "swan/subnet.h"

#define KERNEL_PROTO_ESP 50    /* IPPROTO_ESP */
#define KERNEL_PROTO_AH 51     /* IPPROTO_AH */
#define KERNEL_REPLAY_WINDOW_MAX 4096  /* XFRM's ESN replay bitmap limit */

enum kernel_mode { KERNEL_MODE_TRANSPORT, KERNEL_MODE_TUNNEL };
enum kernel_dir { KERNEL_DIR_IN, KERNEL_DIR_OUT, KERNEL_DIR_FWD };
enum kernel_action {
	KERNEL_ACTION_IPSEC,   /* protect with the template's SA */
	KERNEL_ACTION_TRAP,    /* out policy with a template and no SA yet:
				* the first packet makes the kernel send
				* ACQUIRE (auto=route) */
	KERNEL_ACTION_PASS,    /* type=passthrough */
	KERNEL_ACTION_DROP,    /* type=drop */
	KERNEL_ACTION_REJECT,  /* type=reject; XFRM has no ICMP reject, so
				* the xfrm backend installs a block (= drop) */
};

/* Traffic selector: subnets plus protocol and ports (0 = any). */
struct kernel_selector {
	ip_subnet src, dst;
	uint8_t proto;
	uint16_t sport, dport;
};

/* Limits; 0 means "no limit". Seconds count from when the SA was added. */
struct kernel_lifetimes {
	uint64_t soft_seconds, hard_seconds;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
};

/* NAT-T: ESP in UDP (RFC 3948). The daemon must also have set
 * UDP_ENCAP_ESPINUDP on its port-4500 socket for inbound packets. */
struct kernel_encap {
	bool enabled;
	uint16_t sport, dport;     /* the SA's src and dst UDP ports */
};

/* Which SA: an SA is identified by destination, protocol and SPI. src is
 * only for messages. */
struct kernel_sa_id {
	ip_address src, dst;
	uint8_t proto;             /* KERNEL_PROTO_ESP or KERNEL_PROTO_AH */
	uint32_t spi;
};

struct kernel_sa {
	ip_address src, dst;       /* outer (tunnel) endpoints */
	uint8_t proto;             /* KERNEL_PROTO_ESP or KERNEL_PROTO_AH */
	uint32_t spi;              /* >= 256 */
	uint32_t reqid;            /* ties the SA to its policies' templates */
	enum kernel_mode mode;
	/* ESP: encr (AEAD or not; "null" allowed) and, unless AEAD, integ
	 * (may be NULL for no integrity). AH: integ only, encr NULL.
	 * Keys are borrowed; an AEAD or CTR key includes its salt (GCM, CTR:
	 * +4 bytes, CCM: +3 bytes). */
	const struct alg_desc *encr;
	chunk_t encr_key;
	const struct alg_desc *integ;
	chunk_t integ_key;
	/* Selector the SA itself applies to; a zero src/dst family means
	 * "any" (usual for tunnel mode). */
	struct kernel_selector sel;
	struct kernel_lifetimes life;
	uint32_t replay_window;    /* packets, <= KERNEL_REPLAY_WINDOW_MAX;
				    * 0 = no replay check (not with ESN) */
	bool esn;                  /* extended sequence numbers; the kernel
				    * wants a window > 0 even on an outbound
				    * ESN SA */
	struct kernel_encap encap;
};

struct kernel_sa_counters {
	uint64_t bytes, packets;
	time_t add_time, use_time; /* seconds since the epoch; 0 = never used */
	uint32_t replay_drops, integrity_failures;
};

/* The SA a policy's packets go to: for KERNEL_ACTION_IPSEC and _TRAP. */
struct kernel_tmpl {
	ip_address src, dst;       /* tunnel endpoints (transport: the hosts) */
	uint8_t proto;             /* KERNEL_PROTO_ESP or KERNEL_PROTO_AH */
	enum kernel_mode mode;
	uint32_t reqid;
};

/* A policy is identified by its selector and direction; priority and
 * action are what replace_policy can change. Lower priority values win. */
struct kernel_policy {
	struct kernel_selector sel;
	enum kernel_dir dir;
	enum kernel_action action;
	uint32_t priority;
	struct kernel_tmpl tmpl;
};

/* Inbound SPI allocation: src = peer, dst = this host. */
struct kernel_spi_req {
	ip_address src, dst;
	uint8_t proto;
	enum kernel_mode mode;
	uint32_t reqid;
};

enum kernel_event_type { KERNEL_EVENT_ACQUIRE, KERNEL_EVENT_EXPIRE };

struct kernel_event {
	enum kernel_event_type type;
	/* ACQUIRE: sel is the packet's flow (host addresses, ports), src/dst
	 * the template's endpoints, reqid the template's, policy_index and
	 * policy_dir name the trap policy that matched.
	 * EXPIRE: the SA's src, dst, proto, spi, reqid and selector; hard
	 * says whether the SA is gone (hard) or should be rekeyed (soft). */
	struct kernel_selector sel;
	ip_address src, dst;
	uint8_t proto;
	uint32_t reqid;
	uint32_t policy_index;
	enum kernel_dir policy_dir;
	uint32_t spi;
	bool hard;
};

typedef void kernel_event_cb(const struct kernel_event *ev, void *arg);

#define KERNEL_DIAG_SIZE 320
struct kernel_diag {
	int error;                   /* errno value, 0 when none */
	char text[KERNEL_DIAG_SIZE];
};

struct kernel;  /* one open backend; starts with struct kernel_base */

struct kernel_ops {
	const char *name;          /* "xfrm", "none" */
	const char *description;   /* one line, for --help */
	struct kernel *(*init)(const struct logger *lg, struct kernel_diag *d);
	/* Removes every SA, allocated SPI and policy this instance
	 * installed (and not deleted since), then frees k. */
	void (*shutdown)(struct kernel *k);
	err_t (*get_spi)(struct kernel *k, const struct kernel_spi_req *req,
			 uint32_t *spi, struct kernel_diag *d);
	/* add_sa fills an SPI from get_spi or creates a new SA; update_sa
	 * changes an existing one (lifetimes, encapsulation ports). */
	err_t (*add_sa)(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d);
	err_t (*update_sa)(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d);
	err_t (*del_sa)(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d);
	err_t (*sa_counters)(struct kernel *k, const struct kernel_sa_id *id,
			     struct kernel_sa_counters *c, struct kernel_diag *d);
	err_t (*add_policy)(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
	err_t (*replace_policy)(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
	err_t (*del_policy)(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
	/* The event loop watches this fd for reading (-1: no events) and
	 * then calls process_events, which never blocks and hands each
	 * ACQUIRE and EXPIRE to cb. */
	int (*event_fd)(struct kernel *k);
	void (*process_events)(struct kernel *k, kernel_event_cb *cb, void *arg);
};

/* What every backend's state starts with. */
struct kernel_base {
	const struct kernel_ops *ops;
	struct logger logger;
};

extern const struct kernel_ops kernel_xfrm_ops;
extern const struct kernel_ops kernel_none_ops;

/* NULL-terminated list of backends, and lookup by name (NULL if none). */
extern const struct kernel_ops *const kernel_backends[];
const struct kernel_ops *kernel_ops_by_name(const char *name);

/* kernel_open: NULL with d filled when the backend is unknown or cannot
 * start. kernel_close(NULL) does nothing. */
struct kernel *kernel_open(const char *backend, const struct logger *lg, struct kernel_diag *d);
void kernel_close(struct kernel *k);
const struct kernel_ops *kernel_ops_of(const struct kernel *k);
const struct logger *kernel_logger(const struct kernel *k);

/* The calls the daemon makes; each checks its request (kernel_sa_check,
 * kernel_policy_check) before the backend sees it. */
err_t kernel_get_spi(struct kernel *k, const struct kernel_spi_req *req, uint32_t *spi,
		     struct kernel_diag *d);
err_t kernel_add_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d);
err_t kernel_update_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d);
err_t kernel_del_sa(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d);
err_t kernel_sa_counters(struct kernel *k, const struct kernel_sa_id *id,
			 struct kernel_sa_counters *c, struct kernel_diag *d);
err_t kernel_add_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
err_t kernel_replace_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
err_t kernel_del_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d);
int kernel_event_fd(struct kernel *k);
void kernel_process_events(struct kernel *k, kernel_event_cb *cb, void *arg);

/* Installs a Child SA's two SAs: inbound first, then outbound; if the
 * outbound one fails the inbound one is deleted again, so nothing is left
 * half-installed (d says so: "...; inbound SA 0x... removed again"). */
err_t kernel_add_sa_pair(struct kernel *k, const struct kernel_sa *inbound,
			 const struct kernel_sa *outbound, struct kernel_diag *d);
/* Adds (replace=false) or replaces n policies in order; when one fails,
 * the ones this call added are deleted again (replaced ones stay). */
err_t kernel_add_policies(struct kernel *k, const struct kernel_policy *p, size_t n,
			  bool replace, struct kernel_diag *d);

/* Request checks shared by every backend (so "none" refuses what "xfrm"
 * would): protocol, SPI range, families, algorithms and key sizes. */
err_t kernel_sa_check(const struct kernel_sa *sa, struct kernel_diag *d);
err_t kernel_policy_check(const struct kernel_policy *p, struct kernel_diag *d);

struct kernel_sa_id kernel_sa_id_of(const struct kernel_sa *sa);
bool kernel_selector_eq(const struct kernel_selector *a, const struct kernel_selector *b);

/* Text for messages. */
#define KERNEL_SA_BUF 128
#define KERNEL_POLICY_BUF 192
const char *kernel_proto_name(uint8_t proto);       /* "ESP", "AH", "proto 99" (static) */
const char *kernel_dir_name(enum kernel_dir dir);   /* "in", "out", "fwd" */
const char *kernel_action_name(enum kernel_action a);
const char *kernel_mode_name(enum kernel_mode m);   /* "tunnel", "transport" */
/* "ESP SA 0x12345678 198.18.0.1->198.18.0.2" */
const char *str_kernel_sa_id(const struct kernel_sa_id *id, char buf[KERNEL_SA_BUF]);
/* "out policy 198.51.100.0/24->203.0.113.0/24" (+ " proto 6 sport 0 dport 80") */
const char *str_kernel_policy(const struct kernel_policy *p, char buf[KERNEL_POLICY_BUF]);
const char *str_kernel_selector(const struct kernel_selector *s, char buf[KERNEL_POLICY_BUF]);

/* Fills d (error and "fmt...") and returns d->text. */
err_t kernel_diag_set(struct kernel_diag *d, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- algorithm names the kernel's crypto API knows --------------------- */
enum kernel_alg_kind { KERNEL_ALG_CRYPT, KERNEL_ALG_AEAD, KERNEL_ALG_AUTH };

struct kernel_alg {
	enum alg_type type;       /* ALG_ENCRYPT or ALG_INTEG */
	uint16_t ikev2_id;        /* IANA IKEv2 transform ID */
	const char *kernel_name;  /* "cbc(aes)", "rfc4106(gcm(aes))", "hmac(sha256)" */
	enum kernel_alg_kind kind;
	unsigned salt_octets;     /* added to the key: GCM/CTR 4, CCM 3 */
	unsigned icv_bits;        /* AEAD ICV or AUTH truncation length */
	uint8_t key_octets[4];    /* allowed key sizes without salt, 0-ended;
				   * all 0: no key (null cipher) */
};

extern const struct kernel_alg kernel_alg_table[];
extern const size_t kernel_alg_table_len;

/* NULL when the kernel has no mapping for a (or a is NULL). */
const struct kernel_alg *kernel_alg_find(const struct alg_desc *a);
/* Is key_len (bytes, salt included) right for this algorithm? */
bool kernel_alg_key_ok(const struct kernel_alg *ka, size_t key_len);
#endif
