/* Crypto helpers: a pool of threads for DH and signatures, so the event
 * loop never waits on them. A job's work runs on a helper thread; its done
 * function runs later on the main thread. */
#ifndef PLUTO_HELPERS_H
#define PLUTO_HELPERS_H
#include <stdbool.h>

struct pluto;

typedef void helper_work_fn(void *arg);
typedef void helper_done_fn(struct pluto *p, void *arg);

/* n threads; n < 0: one less than the CPUs (at least 1); n == 0: work runs
 * on the main thread, still reported through done later. */
void helpers_start(struct pluto *p, int n);
void helpers_stop(struct pluto *p);
/* done must cope with the world having changed meanwhile (the SA may be
 * gone: look it up again by serial). At shutdown, jobs that never finished
 * get done(NULL, arg): free arg and do nothing else. */
void helpers_submit(struct pluto *p, helper_work_fn *work, helper_done_fn *done, void *arg);
unsigned helpers_count(const struct pluto *p);
/* More jobs wait than there are threads to run them: the host is short of
 * CPU for crypto (ike/dh_busy.c shares DH key pairs then). */
bool helpers_backlogged(const struct pluto *p);
#endif
