/* Lifetimes and durations: "90s", "1.5h", "2d", bare seconds. */
#ifndef SWAN_DELTATIME_H
#define SWAN_DELTATIME_H
#include <stdint.h>
#include "swan/err.h"

typedef struct { uint64_t ms; } deltatime_t;
#define DELTATIME_BUF 32

/* A number (digits, optional '.' and digits) optionally followed by one of
 * s, m, h, d (seconds when absent). Rejects negative, empty, overflow
 * beyond 100 years, and trailing garbage. */
err_t ttodeltatime(const char *s, deltatime_t *out);
/* Shortest exact form: "3600s" -> "1h", "5400s" -> "90m", "1.5s" -> "1.5s". */
const char *str_deltatime(deltatime_t d, char buf[DELTATIME_BUF]);
#endif
