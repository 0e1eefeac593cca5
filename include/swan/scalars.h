/* Small scalar values of ipsec.conf: booleans, percents, integers. */
#ifndef SWAN_SCALARS_H
#define SWAN_SCALARS_H
#include <stdbool.h>
#include <stdint.h>
#include "swan/err.h"

/* yes|no, true|false, on|off, 1|0 (case-insensitive). */
err_t ttobool(const char *s, bool *out);
/* "N%" with N a whole number 0..100000 (may exceed 100). */
err_t ttopercent(const char *s, unsigned *out);
/* Decimal integer in [min, max]; optional leading '-' only if min < 0. */
err_t ttoint(const char *s, long min, long max, long *out);
#endif
