/* The per-IKE-SA queue of exchanges (see queue.h). */
#include <event2/event.h>
#include <stdlib.h>
#include "ctl.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "pluto.h"

static const char *const work_names[WORK_KINDS] = {
	[WORK_NEW_CHILD] = "new Child SA",
	[WORK_REKEY_CHILD] = "rekey of a Child SA",
	[WORK_REKEY_IKE] = "rekey of the IKE SA",
	[WORK_DELETE_CHILD] = "Delete of a Child SA",
	[WORK_DELETE_IKE] = "Delete of the IKE SA",
	[WORK_LIVENESS] = "liveness check",
};

const char *ike_work_name(enum ike_work_kind k)
{
	return k < WORK_KINDS ? work_names[k] : "?";
}

static bool same_work(const struct ike_work *w, enum ike_work_kind kind, unsigned child_serial,
		      const struct connection *c)
{
	if (w->kind != kind)
		return false;
	switch (kind) {
	case WORK_REKEY_CHILD:
	case WORK_DELETE_CHILD:
		return w->child_serial == child_serial;
	case WORK_NEW_CHILD:
		return w->c == c;
	default:
		return true;
	}
}

static struct ike_work *find(const struct ike_sa *ike, enum ike_work_kind kind,
			     unsigned child_serial, const struct connection *c)
{
	if (ike->running != NULL && same_work(ike->running, kind, child_serial, c))
		return ike->running;
	for (struct ike_work *w = ike->queue_head; w != NULL; w = w->next)
		if (same_work(w, kind, child_serial, c))
			return w;
	return NULL;
}

bool ike_queued(const struct ike_sa *ike, enum ike_work_kind kind, unsigned child_serial)
{
	return find(ike, kind, child_serial, NULL) != NULL;
}

static void run_queue(struct ike_sa *ike);

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	run_queue(arg);
}

/* The next item starts from the event loop, never inside the caller. */
static void kick_soon(struct ike_sa *ike)
{
	if (ike->pluto->base == NULL)
		return;
	if (ike->queue_event == NULL)
		ike->queue_event = event_new(ike->pluto->base, -1, 0, on_kick, ike);
	struct timeval now = { 0, 0 };
	event_add(ike->queue_event, &now);
}

bool ike_queue(struct ike_sa *ike, enum ike_work_kind kind, unsigned child_serial,
	       struct connection *c, struct ctl_client *whack)
{
	struct ike_work *dup = find(ike, kind, child_serial, c);
	if (dup != NULL) {
		ldbg(&ike->logger, DBG_CONTROL, "%s: already %s", ike_work_name(kind),
		     dup == ike->running ? "under way" : "waiting");
		if (whack != NULL) {
			if (dup->whack == NULL)
				dup->whack = whack;
			else
				ctl_client_done(whack, WHACK_STATUS_OK);
		}
		return false;
	}
	struct ike_work *w = calloc(1, sizeof(*w));
	if (w == NULL)
		abort();
	static unsigned next_id;
	*w = (struct ike_work){ .id = ++next_id, .kind = kind, .child_serial = child_serial,
				.c = c, .whack = whack, .status = WHACK_STATUS_OK };
	/* Deletes of the whole IKE SA go first: the rest would be undone */
	if (kind == WORK_DELETE_IKE) {
		w->next = ike->queue_head;
		ike->queue_head = w;
		if (ike->queue_tail == NULL)
			ike->queue_tail = w;
	} else {
		if (ike->queue_tail != NULL)
			ike->queue_tail->next = w;
		else
			ike->queue_head = w;
		ike->queue_tail = w;
	}
	ldbg(&ike->logger, DBG_CONTROL, "queued: %s (%u waiting%s)", ike_work_name(kind),
	     ike_queue_length(ike), ike->running ? ", one under way" : "");
	kick_soon(ike);
	return true;
}

static void work_free(struct ike_work *w, int status)
{
	if (w->whack != NULL)
		ctl_client_done(w->whack, status);
	if (w->ctx != NULL && w->ctx_free != NULL)
		w->ctx_free(w->ctx);
	free(w);
}

static struct ike_work *pop(struct ike_sa *ike)
{
	struct ike_work *w = ike->queue_head;
	if (w != NULL) {
		ike->queue_head = w->next;
		if (ike->queue_head == NULL)
			ike->queue_tail = NULL;
		w->next = NULL;
	}
	return w;
}

void ike_queue_kick(struct ike_sa *ike)
{
	if (ike->queue_head != NULL)
		kick_soon(ike);
}

/* Starts the work of the kinds the version does not queue
 * (ops->unqueued), whatever is under way. False when the IKE SA went. */
static bool run_unqueued(struct ike_sa *ike)
{
	unsigned mask = ike->ops != NULL ? ike->ops->unqueued : 0;
	/* bounded: each pass takes one item off the queue */
	while (mask != 0 && ike->state == IKE_ESTABLISHED) {
		struct ike_work **pp = &ike->queue_head, *prev = NULL;
		while (*pp != NULL && !(mask & 1u << (*pp)->kind)) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		struct ike_work *w = *pp;
		if (w == NULL)
			break;
		*pp = w->next;
		if (ike->queue_tail == w)
			ike->queue_tail = prev;
		w->next = NULL;
		ike_work_fn *start = ike->ops->start[w->kind];
		unsigned serial = ike->serial;
		struct pluto *p = ike->pluto;
		if (start != NULL)
			start(ike, w);
		bool gone = ike_sa_by_serial(p, serial) != ike;
		work_free(w, w->status);
		if (gone)
			return false;
	}
	return true;
}

static void run_queue(struct ike_sa *ike)
{
	if (!run_unqueued(ike))
		return;
	/* bounded: each pass starts an item or drops one */
	while (ike->running == NULL && ike->state == IKE_ESTABLISHED && ike->queue_head != NULL &&
	       !ike->request_outstanding) {
		struct ike_work *w = pop(ike);
		ike->running = w;
		ike_work_fn *start = ike->ops->start[w->kind];
		unsigned serial = ike->serial;
		struct pluto *p = ike->pluto;
		bool started = start != NULL && start(ike, w);
		/* start may have deleted the IKE SA (a Delete that ends it) */
		if (ike_sa_by_serial(p, serial) != ike)
			return;
		if (started)
			return;
		ldbg(&ike->logger, DBG_CONTROL, "%s: nothing to do any more", ike_work_name(w->kind));
		ike->running = NULL;
		work_free(w, WHACK_STATUS_OK);
	}
}

void ike_work_done(struct ike_sa *ike)
{
	struct ike_work *w = ike->running;
	if (w == NULL)
		return;
	ike->running = NULL;
	ldbg(&ike->logger, DBG_CONTROL, "done: %s", ike_work_name(w->kind));
	work_free(w, w->status);
	if (ike->queue_head != NULL)
		kick_soon(ike);
}

struct ike_work *ike_work_running(const struct ike_sa *ike, unsigned id)
{
	return ike != NULL && ike->running != NULL && ike->running->id == id ? ike->running : NULL;
}

void ike_queue_forget_conn(struct ike_sa *ike, const struct connection *c)
{
	struct ike_work **pp = &ike->queue_head, *last = NULL;
	while (*pp != NULL) {
		struct ike_work *w = *pp;
		if (w->kind == WORK_NEW_CHILD && w->c == c) {
			*pp = w->next;
			work_free(w, WHACK_STATUS_REFUSED);
			continue;
		}
		last = w;
		pp = &w->next;
	}
	ike->queue_tail = last;
	if (ike->running != NULL && ike->running->c == c)
		ike->running->c = NULL;   /* the exchange under way finds no conn */
}

void ike_queue_move(struct ike_sa *from, struct ike_sa *to)
{
	struct ike_work *w;
	while ((w = pop(from)) != NULL) {
		if (to->queue_tail != NULL)
			to->queue_tail->next = w;
		else
			to->queue_head = w;
		to->queue_tail = w;
	}
	kick_soon(to);
}

void ike_queue_free(struct ike_sa *ike, int status)
{
	struct ike_work *w;
	if (ike->running != NULL) {
		w = ike->running;
		ike->running = NULL;
		work_free(w, status);
	}
	while ((w = pop(ike)) != NULL)
		work_free(w, status);
	if (ike->queue_event != NULL) {
		event_free(ike->queue_event);
		ike->queue_event = NULL;
	}
}

unsigned ike_queue_length(const struct ike_sa *ike)
{
	unsigned n = 0;
	for (const struct ike_work *w = ike->queue_head; w != NULL; w = w->next)
		n++;
	return n;
}
