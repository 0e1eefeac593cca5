/* The SA table: IKE SAs hashed by initiator SPI and by serial, their Child
 * SAs in a list each; the state transition tables; deletion. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "ike/child.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"

#define SA_BUCKETS 65536u

#define ADDR_BUCKETS 4096u

/* Half-open IKE SAs from one peer address. */
struct addr_count {
	ip_address addr;
	unsigned n;
	struct addr_count *next;
};

struct sa_table {
	struct ike_sa *by_spi[SA_BUCKETS];
	struct ike_sa *by_serial[SA_BUCKETS];
	struct ike_sa *all;          /* every IKE SA, newest first */
	unsigned next_serial;
	unsigned count;
	unsigned half_open;          /* responder SAs not yet authenticated */
	struct addr_count *half_open_by_addr[ADDR_BUCKETS];
};

static bool is_half_open(enum ike_state s)
{
	return s == IKE_R_INIT || s == IKE_R_INIT_SENT;
}

static size_t addr_bucket(const ip_address *a)
{
	uint32_t h = 2166136261u;
	size_t n = a->family == IP_V6 ? 16 : 4;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h & (ADDR_BUCKETS - 1);
}

static struct addr_count **addr_slot(struct sa_table *t, const ip_address *a)
{
	struct addr_count **pp = &t->half_open_by_addr[addr_bucket(a)];
	while (*pp != NULL && !address_eq(&(*pp)->addr, a))
		pp = &(*pp)->next;
	return pp;
}

/* One more (delta 1) or one less (-1) half-open IKE SA from a. */
static void count_half_open(struct sa_table *t, const ip_address *a, int delta)
{
	struct addr_count **pp = addr_slot(t, a);
	if (*pp == NULL) {
		if (delta < 0)
			return;
		*pp = calloc(1, sizeof(**pp));
		if (*pp == NULL)
			abort();
		(*pp)->addr = *a;
	}
	struct addr_count *ac = *pp;
	if (delta > 0) {
		ac->n++;
		t->half_open++;
		return;
	}
	ac->n--;
	t->half_open--;
	if (ac->n == 0) {
		*pp = ac->next;
		free(ac);
	}
}

unsigned ike_sa_half_open_from(const struct pluto *p, const ip_address *a)
{
	struct addr_count **pp = addr_slot(p->sas, a);
	return *pp != NULL ? (*pp)->n : 0;
}

/* ---- states ----------------------------------------------------------- */

static const char *const ike_state_names[IKE_STATE_COUNT] = {
	[IKE_I_INIT] = "I_INIT",
	[IKE_I_INIT_SENT] = "I_INIT_SENT",
	[IKE_I_AUTH_SENT] = "I_AUTH_SENT",
	[IKE_R_INIT] = "R_INIT",
	[IKE_R_INIT_SENT] = "R_INIT_SENT",
	[IKE_ESTABLISHED] = "ESTABLISHED",
	[IKE_DELETING] = "DELETING",
	[IKE_DEAD] = "DEAD",
};

static const char *const child_state_names[CHILD_STATE_COUNT] = {
	[CHILD_LARVAL] = "LARVAL",
	[CHILD_ESTABLISHED] = "ESTABLISHED",
	[CHILD_REKEYED] = "REKEYED",
	[CHILD_DELETING] = "DELETING",
};

#define BIT(s) (1u << (s))
/* The states each state may move to (IKE_DEAD is reachable from all). */
static const unsigned ike_transitions[IKE_STATE_COUNT] = {
	[IKE_I_INIT] = BIT(IKE_I_INIT_SENT),
	/* back to I_INIT after INVALID_KE_PAYLOAD; I_INIT_SENT again after COOKIE */
	[IKE_I_INIT_SENT] = BIT(IKE_I_INIT) | BIT(IKE_I_INIT_SENT) | BIT(IKE_I_AUTH_SENT),
	[IKE_I_AUTH_SENT] = BIT(IKE_ESTABLISHED),
	[IKE_R_INIT] = BIT(IKE_R_INIT_SENT),
	[IKE_R_INIT_SENT] = BIT(IKE_ESTABLISHED),
	[IKE_ESTABLISHED] = BIT(IKE_DELETING),
	[IKE_DELETING] = 0,
	[IKE_DEAD] = 0,
};

static const unsigned child_transitions[CHILD_STATE_COUNT] = {
	[CHILD_LARVAL] = BIT(CHILD_ESTABLISHED) | BIT(CHILD_DELETING),
	[CHILD_ESTABLISHED] = BIT(CHILD_REKEYED) | BIT(CHILD_DELETING),
	[CHILD_REKEYED] = BIT(CHILD_DELETING),
	[CHILD_DELETING] = 0,
};

const char *ike_state_name(enum ike_state s)
{
	return s < IKE_STATE_COUNT ? ike_state_names[s] : "?";
}

const char *child_state_name(enum child_state s)
{
	return s < CHILD_STATE_COUNT ? child_state_names[s] : "?";
}

void ike_set_state(struct ike_sa *ike, enum ike_state to)
{
	enum ike_state from = ike->state;
	if (to != IKE_DEAD && !(ike_transitions[from] & BIT(to))) {
		/* a broken internal invariant, not peer input */
		llog(&ike->logger, RC_ERROR, "internal error: IKE SA state %s -> %s is not allowed",
		     ike_state_name(from), ike_state_name(to));
		abort();
	}
	if (is_half_open(from) && !is_half_open(to) && ike->in_table)
		count_half_open(ike->pluto->sas, &ike->half_open_from, -1);
	ike->state = to;
	ldbg(&ike->logger, DBG_LIFECYCLE, "IKE SA state %s -> %s", ike_state_name(from),
	     ike_state_name(to));
	if (to == IKE_ESTABLISHED) {
		if (from != IKE_ESTABLISHED)
			ike->pluto->stats.ike_established[ike->ops->major % 3]++;
		ike_queue_kick(ike);   /* work that waited for it */
	}
}

void child_set_state(struct child_sa *child, enum child_state to)
{
	enum child_state from = child->state;
	if (!(child_transitions[from] & BIT(to))) {
		llog(&child->logger, RC_ERROR, "internal error: Child SA state %s -> %s is not allowed",
		     child_state_name(from), child_state_name(to));
		abort();
	}
	child->state = to;
	ldbg(&child->logger, DBG_LIFECYCLE, "Child SA state %s -> %s", child_state_name(from),
	     child_state_name(to));
}

/* ---- table ------------------------------------------------------------- */

struct sa_table *sa_table_new(void)
{
	struct sa_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		abort();
	t->next_serial = 1;
	return t;
}

void sa_table_free(struct sa_table *t)
{
	for (size_t i = 0; i < ADDR_BUCKETS; i++) {
		while (t->half_open_by_addr[i] != NULL) {
			struct addr_count *ac = t->half_open_by_addr[i];
			t->half_open_by_addr[i] = ac->next;
			free(ac);
		}
	}
	free(t);
}

static size_t spi_bucket(const uint8_t spi[8])
{
	uint64_t v;
	memcpy(&v, spi, 8);   /* SPIs are random: any bits will do */
	return (size_t)(v ^ (v >> 29)) & (SA_BUCKETS - 1);
}

static size_t serial_bucket(unsigned serial)
{
	return serial & (SA_BUCKETS - 1);
}

static void link_sa(struct sa_table *t, struct ike_sa *ike)
{
	size_t b = spi_bucket(ike->spi_i);
	ike->next_hash = t->by_spi[b];
	t->by_spi[b] = ike;
	b = serial_bucket(ike->serial);
	ike->next_serial = t->by_serial[b];
	t->by_serial[b] = ike;
	ike->in_table = true;
	ike->next_all = t->all;
	ike->prev_all = NULL;
	if (t->all != NULL)
		t->all->prev_all = ike;
	t->all = ike;
	t->count++;
}

static void unlink_sa(struct sa_table *t, struct ike_sa *ike)
{
	struct ike_sa **pp;
	for (pp = &t->by_spi[spi_bucket(ike->spi_i)]; *pp != NULL; pp = &(*pp)->next_hash)
		if (*pp == ike) {
			*pp = ike->next_hash;
			break;
		}
	for (pp = &t->by_serial[serial_bucket(ike->serial)]; *pp != NULL; pp = &(*pp)->next_serial)
		if (*pp == ike) {
			*pp = ike->next_serial;
			break;
		}
	if (ike->prev_all != NULL)
		ike->prev_all->next_all = ike->next_all;
	else
		t->all = ike->next_all;
	if (ike->next_all != NULL)
		ike->next_all->prev_all = ike->prev_all;
	t->count--;
	ike->in_table = false;
}


struct ike_sa *ike_sa_by_spis(struct pluto *p, const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	for (struct ike_sa *s = p->sas->by_spi[spi_bucket(spi_i)]; s != NULL; s = s->next_hash)
		if (memcmp(s->spi_i, spi_i, 8) == 0 && memcmp(s->spi_r, spi_r, 8) == 0 &&
		    s->state != IKE_DEAD)
			return s;
	return NULL;
}

struct ike_sa *ike_sa_by_init(struct pluto *p, const uint8_t spi_i[8], const ip_address *remote,
			      uint16_t port)
{
	for (struct ike_sa *s = p->sas->by_spi[spi_bucket(spi_i)]; s != NULL; s = s->next_hash)
		if (memcmp(s->spi_i, spi_i, 8) == 0 && !s->original_initiator &&
		    address_eq(&s->remote, remote) && s->remote_port == port && s->state != IKE_DEAD)
			return s;
	return NULL;
}

struct ike_sa *ike_sa_by_serial(struct pluto *p, unsigned serial)
{
	for (struct ike_sa *s = p->sas->by_serial[serial_bucket(serial)]; s != NULL; s = s->next_serial)
		if (s->serial == serial)
			return s;
	return NULL;
}

struct child_sa *child_sa_by_serial(struct pluto *p, unsigned serial)
{
	for (struct ike_sa *s = p->sas->all; s != NULL; s = s->next_all) {
		for (struct child_sa *c = s->children; c != NULL; c = c->next)
			if (c->serial == serial)
				return c;
		for (struct child_sa *c = s->larval; c != NULL; c = c->next)
			if (c->serial == serial)
				return c;
		if (s->pending_child != NULL && s->pending_child->serial == serial)
			return s->pending_child;
	}
	return NULL;
}

struct child_sa *child_sa_by_spi_in(struct ike_sa *ike, uint32_t spi)
{
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

struct child_sa *child_sa_by_spi_out(struct ike_sa *ike, uint32_t spi)
{
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

struct ike_sa *ike_sa_of_conn(struct pluto *p, const struct connection *c)
{
	for (struct ike_sa *s = p->sas->all; s != NULL; s = s->next_all)
		if (s->c == c && s->state == IKE_ESTABLISHED)
			return s;
	return NULL;
}

struct ike_sa *ike_sa_first(struct pluto *p)
{
	return p->sas->all;
}

unsigned ike_sa_count(const struct pluto *p, unsigned *half_open)
{
	if (half_open != NULL)
		*half_open = p->sas->half_open;
	return p->sas->count;
}

static void set_logger(struct ike_sa *ike)
{
	logger_init(&ike->logger, -1, "\"%s\" #%u: ", ike->c ? ike->c->name : "", ike->serial);
}

struct ike_sa *ike_sa_new(struct pluto *p, const struct ike_ops *ops, struct connection *c,
			  bool initiator)
{
	struct ike_sa *ike = calloc(1, sizeof(*ike));
	if (ike == NULL)
		abort();
	ike->pluto = p;
	ike->ops = ops;
	ike->c = c;
	ike->serial = p->sas->next_serial++;
	ike->original_initiator = initiator;
	ike->state = initiator ? IKE_I_INIT : IKE_R_INIT;
	set_logger(ike);
	return ike;
}

void ike_sa_insert(struct ike_sa *ike)
{
	link_sa(ike->pluto->sas, ike);
	if (is_half_open(ike->state)) {
		ike->half_open_from = ike->remote;
		count_half_open(ike->pluto->sas, &ike->half_open_from, 1);
	}
}

struct child_sa *child_sa_new(struct ike_sa *ike, struct connection *c)
{
	struct child_sa *child = calloc(1, sizeof(*child));
	if (child == NULL)
		abort();
	child->serial = ike->pluto->sas->next_serial++;
	child->ike = ike;
	child->c = c;
	child->state = CHILD_LARVAL;
	logger_init(&child->logger, ike->logger.whack_fd, "\"%s\" #%u: ", c->name, child->serial);
	return child;
}

static void unlink_child(struct child_sa **list, struct child_sa *child)
{
	for (struct child_sa **pp = list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == child) {
			*pp = child->next;
			child->next = NULL;
			return;
		}
}

void child_sa_larval(struct child_sa *child)
{
	struct ike_sa *ike = child->ike;
	child->next = ike->larval;
	ike->larval = child;
}

void child_sa_established(struct child_sa *child)
{
	struct ike_sa *ike = child->ike;
	unlink_child(&ike->larval, child);
	if (ike->pending_child == child)
		ike->pending_child = NULL;
	child->next = ike->children;
	ike->children = child;
	if (child->protocol == CHILD_PROTO_AH)
		ike->pluto->stats.child_ah++;
	else
		ike->pluto->stats.child_esp++;
}

void ike_whack_done(struct ike_sa *ike, int status)
{
	if (ike->whack == NULL)
		return;
	struct ctl_client *cl = ike->whack;
	ike->whack = NULL;
	ike->logger.whack_fd = -1;
	for (struct child_sa *c = ike->children; c != NULL; c = c->next)
		c->logger.whack_fd = -1;
	if (ike->pending_child != NULL)
		ike->pending_child->logger.whack_fd = -1;
	ctl_client_done(cl, status);
}

/* ---- deletion ------------------------------------------------------------ */

static void free_timer(struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
}

void child_sa_delete(struct child_sa *child, const char *why)
{
	struct ike_sa *ike = child->ike;
	if (why != NULL && child->state != CHILD_LARVAL)
		llog(&child->logger, RC_INFO, "deleting Child SA: %s", why);
	child_uninstall(child);
	unlink_child(&ike->children, child);
	unlink_child(&ike->larval, child);
	if (ike->pending_child == child)
		ike->pending_child = NULL;
	free_timer(&child->rekey_timer);
	free_timer(&child->expire_timer);
	dh_free(&child->dh);
	chunk_free(&child->ni);
	chunk_free(&child->nr);
	chunk_free(&child->gir);
	if (child->c->child_serial == child->serial)
		child->c->child_serial = 0;
	free(child);
}

void ike_sa_delete(struct ike_sa *ike, const char *why)
{
	struct pluto *p = ike->pluto;
	if (why != NULL)
		llog(&ike->logger, RC_INFO, "deleting IKE SA: %s", why);
	while (ike->children != NULL)
		child_sa_delete(ike->children, NULL);
	while (ike->larval != NULL)
		child_sa_delete(ike->larval, NULL);
	if (ike->pending_child != NULL)
		child_sa_delete(ike->pending_child, NULL);
	ike_queue_free(ike, WHACK_STATUS_REFUSED);
	if (ike->whack != NULL) {
		/* why went to the client with the log line above */
		if (why == NULL || ike->logger.whack_fd != ike->whack->fd)
			ctl_reply(ike->whack, "\"%s\" #%u: %s", ike->c ? ike->c->name : "",
				  ike->serial, why ? why : "IKE SA deleted");
		ike_whack_done(ike, WHACK_STATUS_REFUSED);
	}
	if (ike->in_table) {
		if (ike->established == 0 && ike->state != IKE_ESTABLISHED)
			p->stats.ike_failed[ike->ops->major % 3]++;
		ike_set_state(ike, IKE_DEAD);
		unlink_sa(p->sas, ike);
	}
	free_timer(&ike->retransmit_timer);
	free_timer(&ike->rekey_timer);
	free_timer(&ike->expire_timer);
	free_timer(&ike->dpd_timer);
	free_timer(&ike->keepalive_timer);
	dh_free(&ike->dh);
	chunk_free(&ike->ni);
	chunk_free(&ike->nr);
	chunk_free(&ike->last_request);
	chunk_free(&ike->last_response);
	if (ike->ops != NULL && ike->ops->free_part != NULL)
		ike->ops->free_part(ike);
	if (ike->c != NULL && ike->c->ike_serial == ike->serial)
		ike->c->ike_serial = 0;
	/* a keying attempt that ends without a next one waiting */
	if (ike->c != NULL && ike->attempt > 0 && ike->c->keying_attempt == ike->attempt &&
	    !ike->c->keying_waiting)
		ike->c->keying_attempt = 0;
	free(ike);
}

/* A conn other than c that ike serves (its own, or one of a Child SA's),
 * or NULL. */
static struct connection *other_conn(const struct ike_sa *ike, const struct connection *c)
{
	if (ike->c != NULL && ike->c != c)
		return ike->c;
	const struct child_sa *lists[] = { ike->children, ike->larval, ike->pending_child };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (const struct child_sa *ch = lists[i]; ch != NULL; ch = i < 2 ? ch->next : NULL)
			if (ch->c != c)
				return ch->c;
	return NULL;
}

static bool serves(const struct ike_sa *ike, const struct connection *c)
{
	if (ike->c == c)
		return true;
	const struct child_sa *lists[] = { ike->children, ike->larval, ike->pending_child };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (const struct child_sa *ch = lists[i]; ch != NULL; ch = i < 2 ? ch->next : NULL)
			if (ch->c == c)
				return true;
	return false;
}

/* The IKE SA stays for other conns: c's Child SAs go, the peer told in one
 * Delete when the IKE SA may send now; ike is handed to another conn when
 * it was c's. */
static unsigned delete_children_of(struct ike_sa *ike, const struct connection *c,
				   struct connection *other, const char *why)
{
	struct child_sa *told[64];
	size_t n = 0;
	unsigned deleted = 0;
	for (struct child_sa *ch = ike->children; ch != NULL && n < 64; ch = ch->next)
		if (ch->c == c && (ch->state == CHILD_ESTABLISHED || ch->state == CHILD_REKEYED))
			told[n++] = ch;
	if (n > 0 && (ike->ops == NULL || ike->ops->goodbye_children == NULL ||
		      !ike->ops->goodbye_children(ike, told, n)))
		llog(&ike->logger, RC_INFO, "the peer is not told of the %zu Child SA(s) of \"%s\" "
		     "(an exchange is under way)", n, c->name);
	struct child_sa **lists[] = { &ike->children, &ike->larval };
	for (size_t i = 0; i < 2; i++) {
		struct child_sa *next;
		for (struct child_sa *ch = *lists[i]; ch != NULL; ch = next) {
			next = ch->next;
			if (ch->c == c) {
				child_sa_delete(ch, why);
				deleted++;
			}
		}
	}
	if (ike->pending_child != NULL && ike->pending_child->c == c) {
		child_sa_delete(ike->pending_child, why);
		deleted++;
	}
	if (ike->c == c) {
		/* the IKE SA is the other conn's from now on */
		ike->c = other;
		ike->attempt = 0;
		set_logger(ike);
		if (other->ike_serial == 0 && ike->state == IKE_ESTABLISHED)
			other->ike_serial = ike->serial;
		llog(&ike->logger, RC_INFO, "IKE SA kept for \"%s\" (\"%s\" was unloaded)",
		     other->name, c->name);
	}
	return deleted;
}

unsigned sa_delete_conn(struct pluto *p, const struct connection *c, const char *why)
{
	unsigned deleted = 0;
	struct ike_sa *next;
	for (struct ike_sa *s = p->sas->all; s != NULL; s = next) {
		next = s->next_all;
		ike_queue_forget_conn(s, c);
		if (!serves(s, c))
			continue;
		struct connection *other = other_conn(s, c);
		if (other != NULL) {
			deleted += delete_children_of(s, c, other, why);
			continue;
		}
		/* c's alone: a Delete of the IKE SA takes its Child SAs along */
		if (s->state == IKE_ESTABLISHED && s->ops != NULL && s->ops->goodbye != NULL)
			s->ops->goodbye(s);
		for (const struct child_sa *ch = s->children; ch != NULL; ch = ch->next)
			deleted++;
		ike_sa_delete(s, why);
		deleted++;
	}
	return deleted;
}

unsigned ike_sa_replace_older(struct ike_sa *ike, const ip_id *peer)
{
	struct pluto *p = ike->pluto;
	if (!p->opts.uniqueids || ike->c == NULL || peer->kind == ID_NONE)
		return 0;
	bool v1 = ike->ops->major == 1;
	unsigned n = 0;
	char line[ID_BUF + ADDRESS_BUF + 96], id[ID_BUF], at[ADDRESS_BUF];
	snprintf(line, sizeof(line), "replaced by IKE SA #%u with the same peer '%s' from %s (uniqueids=yes)",
		 ike->serial, str_id(peer, id), str_address(&ike->remote, at));
	for (struct ike_sa *s = ike_sa_first(p), *next; s != NULL; s = next) {
		next = s->next_all;
		if (s == ike || s->c != ike->c || s->state != IKE_ESTABLISHED || !id_eq(&s->peer_id, peer))
			continue;
		if (v1 && address_eq(&s->remote, &ike->remote) && s->remote_port == ike->remote_port)
			continue;   /* the peer's rekey, or its restart: INITIAL-CONTACT says which */
		ike_sa_delete(s, line);
		n++;
	}
	return n;
}
