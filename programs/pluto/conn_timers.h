/* Conn timers: one libevent timer for what every conn has waiting: its
 * next keying attempt (keyingtries=) and the next lookup of a host name
 * that did not resolve (DNS_RETRY_FIRST_S doubling up to DNS_RETRY_MAX_S).
 * It is armed for the earliest; each firing does what is due. */
#ifndef PLUTO_CONN_TIMERS_H
#define PLUTO_CONN_TIMERS_H
#include <stdint.h>

struct pluto;

/* (Re)arms the timer after a conn's waiting work changed; no-op without
 * an event loop (unit tests). */
void conn_timers_arm(struct pluto *p);
void conn_timers_stop(struct pluto *p);
/* Runs what is due at now_ms (the timer's callback; for tests). */
void conn_timers_run(struct pluto *p, uint64_t now_ms);
#endif
