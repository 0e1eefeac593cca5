/* The "none" backend's extras: what it recorded, and ways for tests (and
 * `--kernel none` host tests) to make it behave like a kernel would:
 * deliver an ACQUIRE or EXPIRE, or fail the next call of one kind. */
#ifndef PLUTO_KERNEL_NONE_H
#define PLUTO_KERNEL_NONE_H
#include "kernel/kernel.h"

/* A recorded SA: the request minus the key bytes (only their lengths are
 * kept), and when it was added. */
struct kernel_none_sa {
	struct kernel_sa sa;       /* encr_key/integ_key: ptr NULL, len kept */
	time_t add_time;
	bool larval;               /* SPI from get_spi, not filled yet */
};

size_t kernel_none_sa_count(struct kernel *k);        /* filled SAs only */
size_t kernel_none_spi_count(struct kernel *k);       /* allocated, unfilled */
size_t kernel_none_policy_count(struct kernel *k);
const struct kernel_none_sa *kernel_none_find_sa(struct kernel *k, const struct kernel_sa_id *id);
const struct kernel_policy *kernel_none_find_policy(struct kernel *k, const struct kernel_selector *sel,
						    enum kernel_dir dir);

/* Queues ev for the next process_events (the event fd becomes readable). */
void kernel_none_inject_event(struct kernel *k, const struct kernel_event *ev);

enum kernel_none_op {
	KERNEL_NONE_GET_SPI, KERNEL_NONE_ADD_SA, KERNEL_NONE_UPDATE_SA, KERNEL_NONE_DEL_SA,
	KERNEL_NONE_ADD_POLICY, KERNEL_NONE_REPLACE_POLICY, KERNEL_NONE_DEL_POLICY,
	KERNEL_NONE_OPS
};
/* The call of that kind after `skip` successful ones fails with error. */
void kernel_none_fail(struct kernel *k, enum kernel_none_op op, unsigned skip, int error);

/* One line per SA and policy, for status output and test diagnostics. */
void kernel_none_dump(struct kernel *k, void (*line)(const char *text, void *arg), void *arg);
#endif
