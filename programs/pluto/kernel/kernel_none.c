/* The "none" backend: keeps SAs and policies in memory and answers like
 * XFRM would (EEXIST for a duplicate, ESRCH for a missing SA, ENOENT for a
 * missing policy), so the daemon can negotiate on hosts without ESP. It
 * allocates SPIs itself; counters stay 0. Events come only from
 * kernel_none_inject_event(), through a pipe the event loop can watch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "kernel/kernel_none.h"
#include "kernel/kernel_table.h"

struct none_event {
	struct kernel_event ev;
	struct none_event *next;
};

struct none_sa {
	struct kernel_table_entry link;   /* in none_kernel.sas */
	struct kernel_none_sa s;
};

struct none_policy {
	struct kernel_table_entry link;   /* in none_kernel.pols */
	struct kernel_policy p;
};

struct none_kernel {
	struct kernel_base base;
	struct kernel_table sas;          /* by proto, SPI, dst */
	struct kernel_table pols;         /* by direction, selector */
	size_t nlarval;                   /* SAs that are only an SPI so far */
	struct none_event *events, **events_tail;
	int pipe[2];
	struct {
		bool armed;
		unsigned skip;
		int error;
	} fail[KERNEL_NONE_OPS];
};

static struct none_kernel *nk(struct kernel *k)
{
	return (struct none_kernel *)k;
}

/* Does a failure set up by kernel_none_fail() hit this call? */
static bool injected(struct none_kernel *n, enum kernel_none_op op)
{
	if (!n->fail[op].armed)
		return false;
	if (n->fail[op].skip > 0) {
		n->fail[op].skip--;
		return false;
	}
	n->fail[op].armed = false;
	return true;
}

static err_t injected_error(struct none_kernel *n, enum kernel_none_op op, const char *verb,
			    const char *what, struct kernel_diag *d)
{
	int e = n->fail[op].error;
	return kernel_diag_set(d, e, "cannot %s %s: %s (failure injected by a test)", verb, what,
			       strerror(e));
}

static struct none_sa *find_sa(struct none_kernel *n, const struct kernel_sa_id *id)
{
	uint32_t h = kernel_sa_key_hash(id->proto, id->spi, &id->dst);
	for (struct kernel_table_entry *e = kernel_table_chain(&n->sas, h); e != NULL; e = e->next) {
		struct none_sa *x = kernel_table_container(e, struct none_sa, link);
		if (e->hash == h && x->s.sa.proto == id->proto && x->s.sa.spi == id->spi &&
		    address_eq(&x->s.sa.dst, &id->dst))
			return x;
	}
	return NULL;
}

static struct none_policy *find_policy(struct none_kernel *n, const struct kernel_selector *sel,
				       enum kernel_dir dir)
{
	uint32_t h = kernel_policy_key_hash(dir, sel);
	for (struct kernel_table_entry *e = kernel_table_chain(&n->pols, h); e != NULL; e = e->next) {
		struct none_policy *x = kernel_table_container(e, struct none_policy, link);
		if (e->hash == h && x->p.dir == dir && kernel_selector_eq(&x->p.sel, sel))
			return x;
	}
	return NULL;
}

static struct none_sa *new_sa(struct none_kernel *n, const struct kernel_sa_id *id)
{
	struct none_sa *x = calloc(1, sizeof(*x));
	if (x == NULL)
		abort();
	x->s.sa.src = id->src;
	x->s.sa.dst = id->dst;
	x->s.sa.proto = id->proto;
	x->s.sa.spi = id->spi;
	kernel_table_insert(&n->sas, &x->link, kernel_sa_key_hash(id->proto, id->spi, &id->dst));
	return x;
}

static void drop_sa(struct none_kernel *n, struct none_sa *x)
{
	kernel_table_remove(&n->sas, &x->link);
	if (x->s.larval)
		n->nlarval--;
	free(x);
}

static struct kernel *none_init(const struct logger *lg, struct kernel_diag *d)
{
	struct none_kernel *n = calloc(1, sizeof(*n));
	if (n == NULL)
		abort();
	n->base.ops = &kernel_none_ops;
	n->base.logger = *lg;
	n->events_tail = &n->events;
	if (pipe2(n->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = errno;
		free(n);
		kernel_diag_set(d, e, "kernel none: cannot create the event pipe: %s", strerror(e));
		return NULL;
	}
	return (struct kernel *)n;
}

static void none_shutdown(struct kernel *k)
{
	struct none_kernel *n = nk(k);
	ldbg(&n->base.logger, DBG_KERNEL, "none: shutdown drops %zu SAs/SPIs and %zu policies",
	     n->sas.count, n->pols.count);
	struct kernel_table_cursor c;
	for (struct kernel_table_entry *e = kernel_table_first(&n->sas, &c); e != NULL;
	     e = kernel_table_next(&c))
		free(kernel_table_container(e, struct none_sa, link));
	for (struct kernel_table_entry *e = kernel_table_first(&n->pols, &c); e != NULL;
	     e = kernel_table_next(&c))
		free(kernel_table_container(e, struct none_policy, link));
	kernel_table_clear(&n->sas);
	kernel_table_clear(&n->pols);
	while (n->events != NULL) {
		struct none_event *e = n->events;
		n->events = e->next;
		free(e);
	}
	close(n->pipe[0]);
	close(n->pipe[1]);
	free(n);
}

static err_t none_get_spi(struct kernel *k, const struct kernel_spi_req *req, uint32_t *spi,
			  struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	if (injected(n, KERNEL_NONE_GET_SPI))
		return injected_error(n, KERNEL_NONE_GET_SPI, "allocate", "an SPI", d);
	struct kernel_sa_id id = { .src = req->src, .dst = req->dst, .proto = req->proto };
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t r = 0;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		if (r < 0x100)
			continue;
		id.spi = r;
		if (find_sa(n, &id) != NULL)
			continue;
		struct none_sa *x = new_sa(n, &id);
		x->s.sa.reqid = req->reqid;
		x->s.sa.mode = req->mode;
		x->s.larval = true;
		n->nlarval++;
		*spi = r;
		return NULL;
	}
	return kernel_diag_set(d, EAGAIN, "cannot allocate an SPI: no free value found");
}

static void record(struct none_kernel *n, struct none_sa *x, const struct kernel_sa *sa)
{
	x->s.sa = *sa;
	x->s.sa.encr_key.ptr = NULL;
	x->s.sa.integ_key.ptr = NULL;
	x->s.add_time = time(NULL);
	if (x->s.larval)
		n->nlarval--;
	x->s.larval = false;
}

static err_t none_add_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	struct none_sa *x = find_sa(n, &id);
	char what[KERNEL_SA_BUF];
	if (injected(n, KERNEL_NONE_ADD_SA)) {
		injected_error(n, KERNEL_NONE_ADD_SA, "add", str_kernel_sa_id(&id, what), d);
		if (x != NULL && x->s.larval)   /* like xfrm: release the SPI */
			drop_sa(n, x);
		return d->text;
	}
	if (x != NULL && !x->s.larval)
		return kernel_diag_set(d, EEXIST, "cannot add %s: %s (an SA with this SPI is already installed)",
				       str_kernel_sa_id(&id, what), strerror(EEXIST));
	if (x == NULL)
		x = new_sa(n, &id);
	record(n, x, sa);
	return NULL;
}

static err_t none_update_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	char what[KERNEL_SA_BUF];
	if (injected(n, KERNEL_NONE_UPDATE_SA))
		return injected_error(n, KERNEL_NONE_UPDATE_SA, "update", str_kernel_sa_id(&id, what), d);
	struct none_sa *x = find_sa(n, &id);
	if (x == NULL)
		return kernel_diag_set(d, ESRCH, "cannot update %s: %s (no such SA)",
				       str_kernel_sa_id(&id, what), strerror(ESRCH));
	time_t added = x->s.add_time;
	record(n, x, sa);
	if (added != 0)
		x->s.add_time = added;
	return NULL;
}

static err_t none_del_sa(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	char what[KERNEL_SA_BUF];
	if (injected(n, KERNEL_NONE_DEL_SA))
		return injected_error(n, KERNEL_NONE_DEL_SA, "delete", str_kernel_sa_id(id, what), d);
	struct none_sa *x = find_sa(n, id);
	if (x == NULL)
		return kernel_diag_set(d, ESRCH, "cannot delete %s: %s (no such SA)",
				       str_kernel_sa_id(id, what), strerror(ESRCH));
	drop_sa(n, x);
	return NULL;
}

static err_t none_sa_counters(struct kernel *k, const struct kernel_sa_id *id,
			      struct kernel_sa_counters *c, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct none_sa *x = find_sa(n, id);
	if (x == NULL || x->s.larval) {
		char what[KERNEL_SA_BUF];
		return kernel_diag_set(d, ESRCH, "cannot read counters of %s: %s (no such SA)",
				       str_kernel_sa_id(id, what), strerror(ESRCH));
	}
	memset(c, 0, sizeof(*c));
	c->add_time = x->s.add_time;
	return NULL;
}

static err_t install_policy(struct kernel *k, const struct kernel_policy *p, bool replace,
			    struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	char what[KERNEL_POLICY_BUF];
	enum kernel_none_op op = replace ? KERNEL_NONE_REPLACE_POLICY : KERNEL_NONE_ADD_POLICY;
	if (injected(n, op))
		return injected_error(n, op, replace ? "replace" : "add", str_kernel_policy(p, what), d);
	struct none_policy *old = find_policy(n, &p->sel, p->dir);
	if (old != NULL && !replace)
		return kernel_diag_set(d, EEXIST,
				       "cannot add %s: %s (a policy with this selector and direction exists)",
				       str_kernel_policy(p, what), strerror(EEXIST));
	if (old == NULL) {
		old = calloc(1, sizeof(*old));
		if (old == NULL)
			abort();
		kernel_table_insert(&n->pols, &old->link, kernel_policy_key_hash(p->dir, &p->sel));
	}
	old->p = *p;
	return NULL;
}

static err_t none_add_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	return install_policy(k, p, false, d);
}

static err_t none_replace_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	return install_policy(k, p, true, d);
}

static err_t none_del_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	char what[KERNEL_POLICY_BUF];
	if (injected(n, KERNEL_NONE_DEL_POLICY))
		return injected_error(n, KERNEL_NONE_DEL_POLICY, "delete", str_kernel_policy(p, what), d);
	struct none_policy *old = find_policy(n, &p->sel, p->dir);
	if (old == NULL)
		return kernel_diag_set(d, ENOENT, "cannot delete %s: %s (no such policy)",
				       str_kernel_policy(p, what), strerror(ENOENT));
	kernel_table_remove(&n->pols, &old->link);
	free(old);
	return NULL;
}

static int none_event_fd(struct kernel *k)
{
	return nk(k)->pipe[0];
}

static void none_process_events(struct kernel *k, kernel_event_cb *cb, void *arg)
{
	struct none_kernel *n = nk(k);
	char drain[64];
	while (read(n->pipe[0], drain, sizeof(drain)) > 0)
		;
	/* Take the queue first: a callback may inject more (next round). */
	struct none_event *e = n->events;
	n->events = NULL;
	n->events_tail = &n->events;
	while (e != NULL) {
		struct none_event *next = e->next;
		if (e->ev.type == KERNEL_EVENT_EXPIRE && e->ev.hard) {
			struct kernel_sa_id id = { .src = e->ev.src, .dst = e->ev.dst,
						   .proto = e->ev.proto, .spi = e->ev.spi };
			struct none_sa *x = find_sa(n, &id);
			if (x != NULL)   /* a hard expire means the kernel deleted it */
				drop_sa(n, x);
		}
		cb(&e->ev, arg);
		free(e);
		e = next;
	}
}

/* ---- extras for tests ----------------------------------------------------- */

size_t kernel_none_sa_count(struct kernel *k)
{
	return nk(k)->sas.count - nk(k)->nlarval;
}

size_t kernel_none_spi_count(struct kernel *k)
{
	return nk(k)->nlarval;
}

size_t kernel_none_policy_count(struct kernel *k)
{
	return nk(k)->pols.count;
}

const struct kernel_none_sa *kernel_none_find_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	struct none_sa *x = find_sa(nk(k), id);
	return x != NULL ? &x->s : NULL;
}

const struct kernel_policy *kernel_none_find_policy(struct kernel *k, const struct kernel_selector *sel,
						    enum kernel_dir dir)
{
	struct none_policy *x = find_policy(nk(k), sel, dir);
	return x != NULL ? &x->p : NULL;
}

void kernel_none_inject_event(struct kernel *k, const struct kernel_event *ev)
{
	struct none_kernel *n = nk(k);
	struct none_event *e = calloc(1, sizeof(*e));
	if (e == NULL)
		abort();
	e->ev = *ev;
	*n->events_tail = e;
	n->events_tail = &e->next;
	if (write(n->pipe[1], "e", 1) < 0 && errno != EAGAIN)
		llog(&n->base.logger, RC_WARNING, "kernel none: event pipe: %s", strerror(errno));
}

void kernel_none_fail(struct kernel *k, enum kernel_none_op op, unsigned skip, int error)
{
	if (op >= KERNEL_NONE_OPS)
		return;
	nk(k)->fail[op].armed = true;
	nk(k)->fail[op].skip = skip;
	nk(k)->fail[op].error = error;
}

void kernel_none_dump(struct kernel *k, void (*line)(const char *text, void *arg), void *arg)
{
	struct none_kernel *n = nk(k);
	char text[KERNEL_POLICY_BUF + 96];
	struct kernel_table_cursor c;
	for (struct kernel_table_entry *x = kernel_table_first(&n->sas, &c); x != NULL;
	     x = kernel_table_next(&c)) {
		const struct kernel_none_sa *s = &kernel_table_container(x, struct none_sa, link)->s;
		struct kernel_sa_id id = kernel_sa_id_of(&s->sa);
		char idb[KERNEL_SA_BUF];
		const struct kernel_alg *e = kernel_alg_find(s->sa.encr), *a = kernel_alg_find(s->sa.integ);
		snprintf(text, sizeof(text), "%s reqid %u %s%s%s%s%s%s", str_kernel_sa_id(&id, idb),
			 s->sa.reqid, kernel_mode_name(s->sa.mode), s->larval ? " (SPI allocated)" : "",
			 e ? " enc " : "", e ? e->kernel_name : "", a ? " auth " : "", a ? a->kernel_name : "");
		line(text, arg);
	}
	for (struct kernel_table_entry *x = kernel_table_first(&n->pols, &c); x != NULL;
	     x = kernel_table_next(&c)) {
		const struct kernel_policy *p = &kernel_table_container(x, struct none_policy, link)->p;
		char pb[KERNEL_POLICY_BUF];
		snprintf(text, sizeof(text), "%s %s priority %u reqid %u", str_kernel_policy(p, pb),
			 kernel_action_name(p->action), p->priority, p->tmpl.reqid);
		line(text, arg);
	}
}

const struct kernel_ops kernel_none_ops = {
	.name = "none",
	.description = "records SAs and policies in memory only (hosts without ESP, tests)",
	.init = none_init,
	.shutdown = none_shutdown,
	.get_spi = none_get_spi,
	.add_sa = none_add_sa,
	.update_sa = none_update_sa,
	.del_sa = none_del_sa,
	.sa_counters = none_sa_counters,
	.add_policy = none_add_policy,
	.replace_policy = none_replace_policy,
	.del_policy = none_del_policy,
	.event_fd = none_event_fd,
	.process_events = none_process_events,
};
