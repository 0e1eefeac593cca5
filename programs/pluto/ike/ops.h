/* One IKE version behind an ops table, as struct kernel_ops is one kernel
 * backend: the core (ike/) reads the version byte of each datagram once
 * and hands it to that version, and starts exchanges through the table,
 * never knowing which version it talks to.
 *
 *   IKEv2   ikev2/ (RFC 7296): ikev2_ops in ikev2/ops.c
 *   IKEv1   ikev1/ (RFC 2409): ikev1_ops in ikev1/ops.c; Main and
 *           Aggressive Mode, Quick Mode (ESP or AH), Informational
 *           (Delete, notifies), XAUTH and Mode Config, rekeys of Child
 *           SAs and of the ISAKMP SA, NAT-T and dead peer detection
 *
 * Which version a conn initiates and answers is its ikev2= (connections.h:
 * permit, the default, initiates IKEv1).
 *
 * The work an established IKE SA does on its own (rekeys, Deletes,
 * liveness checks, new Child SAs) goes through its queue (ike/queue.h),
 * which calls start[kind] when the work's turn comes. */
#ifndef PLUTO_IKE_OPS_H
#define PLUTO_IKE_OPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pluto;
struct packet;
struct ike_sa;
struct ike_work;
struct child_sa;

/* What an IKE SA may be asked to do once it is established. */
enum ike_work_kind {
	WORK_NEW_CHILD,      /* a Child SA for another conn over this IKE SA */
	WORK_REKEY_CHILD,    /* replace a Child SA (its lifetime ends) */
	WORK_REKEY_IKE,      /* replace the IKE SA itself */
	WORK_DELETE_CHILD,   /* tell the peer a Child SA is gone, then remove it */
	WORK_DELETE_IKE,     /* tell the peer the IKE SA is gone, then remove it */
	WORK_LIVENESS,       /* is the peer still there? (dpddelay=) */
	WORK_KINDS
};

/* Starts a piece of work. Returns false when it cannot be done (the Child
 * SA went meanwhile, nothing to send): the queue drops it and goes on.
 * When it returns true, the version calls ike_work_done() exactly once,
 * when the exchange has ended (answered, failed or timed out). */
typedef bool ike_work_fn(struct ike_sa *ike, struct ike_work *w);

struct ike_ops {
	const char *name;        /* "IKEv2" */
	unsigned major;          /* the major version in the IKE header */
	/* A datagram of this version (iface.c -> ike_receive -> here). */
	void (*receive)(struct pluto *p, const struct packet *pkt);
	/* The first exchange of a new IKE SA we initiate (its SPI, socket
	 * and peer are set, it is in the table). */
	void (*initiate)(struct ike_sa *ike);
	ike_work_fn *start[WORK_KINDS];
	/* Kinds (bits 1 << kind) that do not wait their turn: started as
	 * soon as the IKE SA is established even while another exchange is
	 * under way, never the running work (their start does not call
	 * ike_work_done; the queue frees them after it). IKEv1's
	 * Informationals (Deletes, DPD) are not request/response pairs. */
	unsigned unqueued;
	/* Sends a Delete of the IKE SA now, without waiting for the answer
	 * (shutdown, a conn unloaded): when the version's rules allow a
	 * request now; the caller deletes the IKE SA right after. */
	void (*goodbye)(struct ike_sa *ike);
	/* The same for Child SAs of an IKE SA that stays (a conn unloaded
	 * whose Child SAs share it with other conns): one Delete naming them;
	 * false when it cannot be sent now. The caller deletes them after. */
	bool (*goodbye_children)(struct ike_sa *ike, struct child_sa *const *children, size_t n);
	/* Frees the version's part of an IKE SA being deleted. */
	void (*free_part)(struct ike_sa *ike);
};

extern const struct ike_ops ikev2_ops;
extern const struct ike_ops ikev1_ops;

/* The ops of a major version, NULL when pluto does not speak it. */
/* The fixed IKE header of both versions: SPIs (16), next payload (1),
 * version (1: major in the high nibble), exchange (1), flags (1), message
 * ID (4), length (4). */
#define IKE_HEADER_LEN 28
#define IKE_VERSION_AT 17
/* The major version of a datagram of at least IKE_HEADER_LEN bytes. */
unsigned packet_ike_major(const struct packet *pkt);
const struct ike_ops *ike_ops_of_major(unsigned major);
/* The name of a work kind, for logs ("rekey of Child SA"). */
const char *ike_work_name(enum ike_work_kind k);

/* Entry point for every received IKE datagram (iface.c calls it): checks
 * the fixed header's length and version, then hands the datagram to the
 * version's receive. */
void ike_receive(struct pluto *p, const struct packet *pkt);
/* "dropping IKE message from ADDR:PORT: why", for datagrams dropped before
 * any IKE SA is found (anyone may send them): rate-limited (log.h's
 * log_limit), with the count of those not logged. */
void ike_drop_log(struct pluto *p, const struct packet *pkt, const char *why);
#endif
