/* The counters status reports: current.* counted from the SA table now,
 * total.* since pluto started (struct pluto_stats). One table feeds
 * whack --globalstatus (NAME=VALUE), the "totals" of --status --json and
 * whack --metrics (Prometheus). */
#ifndef PLUTO_STATUS_COUNTERS_H
#define PLUTO_STATUS_COUNTERS_H
#include <stdbool.h>
#include <stddef.h>
struct pluto;

struct status_counter {
	const char *name;           /* libreswan's name where it has one */
	unsigned long long value;
	bool total;                 /* since start (a counter), else now (a gauge) */
	const char *help;           /* one line, for the Prometheus HELP */
};
#define STATUS_COUNTERS 16
/* Fills out[STATUS_COUNTERS]. */
void status_counters(struct pluto *p, struct status_counter out[STATUS_COUNTERS]);
#endif
