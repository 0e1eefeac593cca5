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

struct none_event {
	struct kernel_event ev;
	struct none_event *next;
};

struct none_kernel {
	struct kernel_base base;
	struct kernel_none_sa *sas;
	size_t nsas, sas_cap;
	struct kernel_policy *pols;
	size_t npols, pols_cap;
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

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return p;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *q = realloc(p, ncap * elem);
	if (q == NULL)
		abort();
	*cap = ncap;
	return q;
}

/* A failure set up by kernel_none_fail() for this call? */
static bool injected(struct none_kernel *n, enum kernel_none_op op, const char *verb,
		     const char *what, struct kernel_diag *d)
{
	if (!n->fail[op].armed)
		return false;
	if (n->fail[op].skip > 0) {
		n->fail[op].skip--;
		return false;
	}
	n->fail[op].armed = false;
	kernel_diag_set(d, n->fail[op].error, "cannot %s %s: %s (failure injected by a test)", verb,
			what, strerror(n->fail[op].error));
	return true;
}

static bool id_eq(const struct kernel_sa *sa, const struct kernel_sa_id *id)
{
	return sa->proto == id->proto && sa->spi == id->spi && address_eq(&sa->dst, &id->dst);
}

static struct kernel_none_sa *find_sa(struct none_kernel *n, const struct kernel_sa_id *id)
{
	for (size_t i = 0; i < n->nsas; i++)
		if (id_eq(&n->sas[i].sa, id))
			return &n->sas[i];
	return NULL;
}

static struct kernel_policy *find_policy(struct none_kernel *n, const struct kernel_selector *sel,
					 enum kernel_dir dir)
{
	for (size_t i = 0; i < n->npols; i++)
		if (n->pols[i].dir == dir && kernel_selector_eq(&n->pols[i].sel, sel))
			return &n->pols[i];
	return NULL;
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
	     n->nsas, n->npols);
	free(n->sas);
	free(n->pols);
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
	if (injected(n, KERNEL_NONE_GET_SPI, "allocate", "an SPI", d))
		return d->text;
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
		n->sas = grow(n->sas, &n->sas_cap, n->nsas, sizeof(*n->sas));
		struct kernel_none_sa *s = &n->sas[n->nsas++];
		memset(s, 0, sizeof(*s));
		s->sa.src = req->src;
		s->sa.dst = req->dst;
		s->sa.proto = req->proto;
		s->sa.spi = r;
		s->sa.reqid = req->reqid;
		s->sa.mode = req->mode;
		s->larval = true;
		*spi = r;
		return NULL;
	}
	return kernel_diag_set(d, EAGAIN, "cannot allocate an SPI: no free value found");
}

static void record(struct kernel_none_sa *s, const struct kernel_sa *sa)
{
	s->sa = *sa;
	s->sa.encr_key.ptr = NULL;
	s->sa.integ_key.ptr = NULL;
	s->add_time = time(NULL);
	s->larval = false;
}

static err_t none_add_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	char what[KERNEL_SA_BUF];
	str_kernel_sa_id(&id, what);
	struct kernel_none_sa *s = find_sa(n, &id);
	if (injected(n, KERNEL_NONE_ADD_SA, "add", what, d)) {
		if (s != NULL && s->larval)   /* like xfrm: release the SPI */
			*s = n->sas[--n->nsas];
		return d->text;
	}
	if (s != NULL && !s->larval)
		return kernel_diag_set(d, EEXIST, "cannot add %s: %s (an SA with this SPI is already installed)",
				       what, strerror(EEXIST));
	if (s == NULL) {
		n->sas = grow(n->sas, &n->sas_cap, n->nsas, sizeof(*n->sas));
		s = &n->sas[n->nsas++];
	}
	record(s, sa);
	return NULL;
}

static err_t none_update_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	char what[KERNEL_SA_BUF];
	str_kernel_sa_id(&id, what);
	if (injected(n, KERNEL_NONE_UPDATE_SA, "update", what, d))
		return d->text;
	struct kernel_none_sa *s = find_sa(n, &id);
	if (s == NULL)
		return kernel_diag_set(d, ESRCH, "cannot update %s: %s (no such SA)", what, strerror(ESRCH));
	time_t added = s->add_time;
	record(s, sa);
	if (added != 0)
		s->add_time = added;
	return NULL;
}

static err_t none_del_sa(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	char what[KERNEL_SA_BUF];
	str_kernel_sa_id(id, what);
	if (injected(n, KERNEL_NONE_DEL_SA, "delete", what, d))
		return d->text;
	struct kernel_none_sa *s = find_sa(n, id);
	if (s == NULL)
		return kernel_diag_set(d, ESRCH, "cannot delete %s: %s (no such SA)", what, strerror(ESRCH));
	*s = n->sas[--n->nsas];
	return NULL;
}

static err_t none_sa_counters(struct kernel *k, const struct kernel_sa_id *id,
			      struct kernel_sa_counters *c, struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	struct kernel_none_sa *s = find_sa(n, id);
	if (s == NULL || s->larval) {
		char what[KERNEL_SA_BUF];
		return kernel_diag_set(d, ESRCH, "cannot read counters of %s: %s (no such SA)",
				       str_kernel_sa_id(id, what), strerror(ESRCH));
	}
	memset(c, 0, sizeof(*c));
	c->add_time = s->add_time;
	return NULL;
}

static err_t install_policy(struct kernel *k, const struct kernel_policy *p, bool replace,
			    struct kernel_diag *d)
{
	struct none_kernel *n = nk(k);
	char what[KERNEL_POLICY_BUF];
	str_kernel_policy(p, what);
	if (injected(n, replace ? KERNEL_NONE_REPLACE_POLICY : KERNEL_NONE_ADD_POLICY,
		     replace ? "replace" : "add", what, d))
		return d->text;
	struct kernel_policy *old = find_policy(n, &p->sel, p->dir);
	if (old != NULL && !replace)
		return kernel_diag_set(d, EEXIST,
				       "cannot add %s: %s (a policy with this selector and direction exists)",
				       what, strerror(EEXIST));
	if (old == NULL) {
		n->pols = grow(n->pols, &n->pols_cap, n->npols, sizeof(*n->pols));
		old = &n->pols[n->npols++];
	}
	*old = *p;
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
	str_kernel_policy(p, what);
	if (injected(n, KERNEL_NONE_DEL_POLICY, "delete", what, d))
		return d->text;
	struct kernel_policy *old = find_policy(n, &p->sel, p->dir);
	if (old == NULL)
		return kernel_diag_set(d, ENOENT, "cannot delete %s: %s (no such policy)", what, strerror(ENOENT));
	*old = n->pols[--n->npols];
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
			struct kernel_none_sa *s = find_sa(n, &id);
			if (s != NULL)   /* a hard expire means the kernel deleted it */
				*s = n->sas[--n->nsas];
		}
		cb(&e->ev, arg);
		free(e);
		e = next;
	}
}

/* ---- extras for tests ----------------------------------------------------- */

size_t kernel_none_sa_count(struct kernel *k)
{
	size_t c = 0;
	for (size_t i = 0; i < nk(k)->nsas; i++)
		c += !nk(k)->sas[i].larval;
	return c;
}

size_t kernel_none_spi_count(struct kernel *k)
{
	return nk(k)->nsas - kernel_none_sa_count(k);
}

size_t kernel_none_policy_count(struct kernel *k)
{
	return nk(k)->npols;
}

const struct kernel_none_sa *kernel_none_find_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	return find_sa(nk(k), id);
}

const struct kernel_policy *kernel_none_find_policy(struct kernel *k, const struct kernel_selector *sel,
						    enum kernel_dir dir)
{
	return find_policy(nk(k), sel, dir);
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
	for (size_t i = 0; i < n->nsas; i++) {
		const struct kernel_none_sa *s = &n->sas[i];
		struct kernel_sa_id id = kernel_sa_id_of(&s->sa);
		char idb[KERNEL_SA_BUF];
		const struct kernel_alg *e = kernel_alg_find(s->sa.encr), *a = kernel_alg_find(s->sa.integ);
		snprintf(text, sizeof(text), "%s reqid %u %s%s%s%s%s%s", str_kernel_sa_id(&id, idb),
			 s->sa.reqid, kernel_mode_name(s->sa.mode), s->larval ? " (SPI allocated)" : "",
			 e ? " enc " : "", e ? e->kernel_name : "", a ? " auth " : "", a ? a->kernel_name : "");
		line(text, arg);
	}
	for (size_t i = 0; i < n->npols; i++) {
		const struct kernel_policy *p = &n->pols[i];
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
