/* The daemon: one struct holding everything pluto runs on, handed to
 * every part that needs it (no hidden globals). */
#ifndef PLUTO_PLUTO_H
#define PLUTO_PLUTO_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "connections.h"
#include "log.h"
#include "secrets.h"
#include "swan/diag.h"

struct event_base;
struct event;
struct kernel;
struct ifaces;
struct sa_table;
struct helpers;
struct dns;
struct ipsecconf;

#define PLUTO_LISTEN_MAX 16

/* Half-open IKE SAs (answered IKE_SA_INIT, waiting for IKE_AUTH) kept at
 * most, in all (libreswan's max-halfopen-ike= default) and per peer
 * address; a request beyond either is dropped before any DH work. */
#define HALF_OPEN_MAX_DEFAULT 50000
#define HALF_OPEN_PER_ADDRESS_DEFAULT 25
#define DH_REUSE_DEFAULT_S 10       /* --dh-reuse */

/* When IKE_SA_INIT requests must carry a COOKIE (RFC 7296 2.6); libreswan's
 * ddos-mode= values. */
enum ddos_mode {
	DDOS_AUTO,          /* once --ddos-ike-threshold half-open IKE SAs exist */
	DDOS_BUSY,          /* always (--force-busy) */
	DDOS_UNLIMITED,     /* never (--force-unlimited) */
};

struct pluto_options {
	bool nofork;
	bool stderrlog;
	const char *logfile;
	const char *config;         /* --config: conns with auto= loaded at start */
	const char *secretsfile;
	const char *ipsecdir;
	const char *nssdir;
	const char *rundir;
	const char *kernel;         /* "xfrm" or "none" */
	int nhelpers;               /* -1: number of CPUs - 1 */
	unsigned debug;             /* DBG_* */
	const char *listen[PLUTO_LISTEN_MAX];
	unsigned n_listen;
	unsigned ike_port, natt_port;   /* 500, 4500 */
	bool uniqueids;
	enum ddos_mode ddos_mode;
	unsigned ddos_threshold;    /* half-open IKE SAs that make pluto busy */
	unsigned retransmit_timeout_ms;   /* --retransmit-timeout: a request's budget */
	unsigned keepalive_s;       /* --keep-alive: NAT-T keepalive interval (0: default) */
	unsigned halfopen_max;      /* --max-halfopen-ike: half-open IKE SAs in all */
	unsigned halfopen_per_address;   /* --max-halfopen-ike-per-address */
	unsigned dh_reuse_ms;       /* --dh-reuse: while busy, a responder's DH key
				     * pair is shared this long (0: never) */
	bool strictcrlpolicy;       /* --strictcrlpolicy: no fresh CRL, no peer */
	unsigned crlcheckinterval_s;   /* --crlcheckinterval: CRLs reread (0: never) */
	const char *virtual_private;   /* --virtual-private: %priv of vhost:/vnet: (NULL: none) */
	bool ocsp_enable, ocsp_strict;   /* --ocsp-enable, --ocsp-strict (crypto/ocsp.h) */
	unsigned ocsp_timeout_s;
	const char *ocsp_uri, *ocsp_trustname;
	/* --config as main.c parsed it for its config setup keys, and that
	 * parse's diagnostics: load_config takes both (the file is read once) */
	struct ipsecconf *config_parsed;
	struct diags config_parse_diags;
};

/* Totals since pluto started (whack --globalstatus). */
struct pluto_stats {
	unsigned long ike_established[3];   /* by IKE major version: [1], [2] */
	unsigned long ike_failed[3];        /* gone before they were established */
	unsigned long child_esp, child_ah;  /* Child SAs installed (rekeys too) */
};

struct pluto {
	struct pluto_options opts;
	struct pluto_stats stats;
	struct event_base *base;
	struct logger logger;
	struct kernel *kernel;
	struct connections conns;
	struct secrets secrets;
	struct ifaces *ifaces;
	struct sa_table *sas;
	struct helpers *helpers;
	struct dns *dns;
	char ctl_path[256];
	char pid_path[256];
	int ctl_fd;
	struct event *ctl_event;
	struct event *kernel_event;
	struct event *signals[4];
	struct event *conn_timer;   /* conn_timers.c */
	struct event *watchdog;     /* sdnotify.c: systemd's watchdog */
	struct event *dh_sweep;     /* ike/dh_busy.c: forgets shared DH key pairs */
	bool dh_sharing;            /* ike/dh_busy.c: busy, sharing them */
	struct event *crl_timer;    /* crls.c: crlcheckinterval= */
	bool shutting_down;
};

/* Milliseconds of a clock that only goes forward (CLOCK_MONOTONIC). */
static inline uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Ends the event loop after the current callbacks (SIGTERM, whack shutdown). */
void pluto_shutdown(struct pluto *p);
#endif
