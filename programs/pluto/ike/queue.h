/* The exchanges an IKE SA starts on its own wait their turn here, one at a
 * time (IKEv2 has a window of one request; IKEv1 Quick Modes are kept in
 * line the same way), so that nothing is dropped because something else
 * was in flight: a rekey that meets a liveness check runs after it, two
 * Child SAs whose lifetimes end together are rekeyed one after the other.
 *
 * Work is added with ike_queue(); the queue starts the first item when the
 * IKE SA is established and idle, through ike->ops->start[kind]. The
 * version calls ike_work_done() when that exchange has ended; the next
 * item starts from the event loop (never from inside the caller).
 *
 * An item is not queued twice: a second liveness check, a second rekey of
 * the same Child SA, a second Delete of the IKE SA are dropped (a whack
 * client waiting on the dropped one waits on the queued one instead).
 * When the IKE SA is deleted its queue goes with it (waiting clients get
 * the IKE SA's fate); when it is rekeyed the new IKE SA takes the queue.
 *
 * Kinds a version lists in its ops' unqueued (IKEv1's Informationals:
 * Deletes, liveness checks) do not wait their turn: they start as soon as
 * the IKE SA is established, even while an exchange is under way, and
 * are never the running work. */
#ifndef PLUTO_IKE_QUEUE_H
#define PLUTO_IKE_QUEUE_H
#include <stdbool.h>
#include "ike/ops.h"

struct ike_sa;
struct connection;
struct ctl_client;

struct ike_work {
	unsigned id;                 /* unique: helpers find their work again */
	enum ike_work_kind kind;
	unsigned child_serial;       /* REKEY_CHILD, DELETE_CHILD */
	struct connection *c;        /* NEW_CHILD: the conn of the new Child SA */
	struct ctl_client *whack;    /* told the outcome (may be NULL) */
	/* the version's state of the exchange under way, freed with the
	 * work (ctx_free) when it has not taken it back */
	void *ctx;
	void (*ctx_free)(void *ctx);
	/* the exchange goes on after its answer (keys to derive, SAs to
	 * install): the version ends it with ike_work_done() */
	bool hold;
	int status;                  /* for whack: WHACK_STATUS_OK unless set */
	struct ike_work *next;
};

/* Adds work (copied); returns false when the same work was queued or
 * running already (then whack, if any, is released with status 0 when
 * the queued one had none to tell). */
bool ike_queue(struct ike_sa *ike, enum ike_work_kind kind, unsigned child_serial,
	       struct connection *c, struct ctl_client *whack);
/* The running exchange has ended; the next one starts soon. */
void ike_work_done(struct ike_sa *ike);
/* The running work if its id is id, else NULL (it ended meanwhile). */
struct ike_work *ike_work_running(const struct ike_sa *ike, unsigned id);
/* Whether work of that kind (and Child SA, for the kinds that have one)
 * is queued or running. */
bool ike_queued(const struct ike_sa *ike, enum ike_work_kind kind, unsigned child_serial);
/* Starts the first item soon (from the event loop) if the IKE SA is then
 * established and idle; ike_set_state() calls it on the change to
 * ESTABLISHED. */
void ike_queue_kick(struct ike_sa *ike);
/* Drops the work of conn c (it is being deleted): NEW_CHILD items for it. */
void ike_queue_forget_conn(struct ike_sa *ike, const struct connection *c);
/* The new IKE SA of a rekey takes the old one's waiting work. */
void ike_queue_move(struct ike_sa *from, struct ike_sa *to);
/* Frees every item (the IKE SA is being deleted); waiting clients get
 * status. */
void ike_queue_free(struct ike_sa *ike, int status);
/* How many items wait (not counting the running one). */
unsigned ike_queue_length(const struct ike_sa *ike);
#endif
