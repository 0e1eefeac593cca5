/* The helper thread pool: a locked job queue in, a locked done queue out,
 * and an eventfd that wakes the event loop for finished jobs. */
#include <event2/event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "helpers.h"
#include "log.h"
#include "pluto.h"

struct job {
	helper_work_fn *work;
	helper_done_fn *done;
	void *arg;
	struct job *next;
};

struct queue {
	struct job *head, *tail;
};

struct helpers {
	struct pluto *pluto;
	pthread_t *threads;
	unsigned n;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct queue todo, done;
	unsigned waiting;            /* jobs in todo */
	bool stopping;
	int wake_fd;
	struct event *ev;
};

static void push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *pop(struct queue *q)
{
	struct job *j = q->head;
	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
	}
	return j;
}

static void wake(struct helpers *h)
{
	uint64_t one = 1;
	ssize_t n = write(h->wake_fd, &one, sizeof(one));
	(void)n;
}

static void *helper_main(void *arg)
{
	struct helpers *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->todo.head == NULL && !h->stopping)
			pthread_cond_wait(&h->more, &h->lock);
		if (h->stopping)
			break;
		struct job *j = pop(&h->todo);
		h->waiting--;
		pthread_mutex_unlock(&h->lock);
		j->work(j->arg);
		pthread_mutex_lock(&h->lock);
		push(&h->done, j);
		wake(h);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct helpers *h = arg;
	uint64_t count;
	ssize_t n = read(fd, &count, sizeof(count));
	(void)n;
	for (;;) {
		pthread_mutex_lock(&h->lock);
		struct job *j = pop(&h->done);
		pthread_mutex_unlock(&h->lock);
		if (j == NULL)
			break;
		j->done(h->pluto, j->arg);
		free(j);
	}
}

void helpers_start(struct pluto *p, int n)
{
	struct helpers *h = calloc(1, sizeof(*h));
	if (h == NULL)
		abort();
	if (n < 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 1 ? (int)cpus - 1 : 1;
	}
	h->pluto = p;
	h->n = (unsigned)n;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wake_fd < 0)
		abort();
	h->ev = event_new(p->base, h->wake_fd, EV_READ | EV_PERSIST, on_done, h);
	event_add(h->ev, NULL);
	h->threads = calloc(h->n ? h->n : 1, sizeof(*h->threads));
	if (h->threads == NULL)
		abort();
	for (unsigned i = 0; i < h->n; i++)
		pthread_create(&h->threads[i], NULL, helper_main, h);
	p->helpers = h;
	llog(&p->logger, RC_INFO, "started %u crypto helper thread%s", h->n, h->n == 1 ? "" : "s");
}

void helpers_submit(struct pluto *p, helper_work_fn *work, helper_done_fn *done, void *arg)
{
	struct helpers *h = p->helpers;
	struct job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	*j = (struct job){ work, done, arg, NULL };
	if (h->n == 0) {
		/* no threads: do the work now, report it from the loop */
		work(arg);
		pthread_mutex_lock(&h->lock);
		push(&h->done, j);
		pthread_mutex_unlock(&h->lock);
		wake(h);
		return;
	}
	pthread_mutex_lock(&h->lock);
	push(&h->todo, j);
	h->waiting++;
	pthread_cond_signal(&h->more);
	pthread_mutex_unlock(&h->lock);
}

unsigned helpers_count(const struct pluto *p)
{
	return p->helpers ? p->helpers->n : 0;
}

bool helpers_backlogged(const struct pluto *p)
{
	struct helpers *h = p->helpers;
	if (h == NULL || h->n == 0)
		return false;
	pthread_mutex_lock(&h->lock);
	bool more = h->waiting > h->n;
	pthread_mutex_unlock(&h->lock);
	return more;
}

void helpers_stop(struct pluto *p)
{
	struct helpers *h = p->helpers;
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->more);
	pthread_mutex_unlock(&h->lock);
	for (unsigned i = 0; i < h->n; i++)
		pthread_join(h->threads[i], NULL);
	/* jobs never run or never reported: done(NULL) frees their arg */
	struct job *j;
	while ((j = pop(&h->done)) != NULL || (j = pop(&h->todo)) != NULL) {
		j->done(NULL, j->arg);
		free(j);
	}
	event_free(h->ev);
	close(h->wake_fd);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->more);
	free(h->threads);
	free(h);
	p->helpers = NULL;
}
