/* Durations: decimal numbers with an s/m/h/d unit, kept in milliseconds. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include "swan/deltatime.h"

#define MS_PER_S   UINT64_C(1000)
#define MS_PER_M   (60 * MS_PER_S)
#define MS_PER_H   (60 * MS_PER_M)
#define MS_PER_D   (24 * MS_PER_H)
/* 100 years of 365.25 days: far beyond any sane lifetime, far below
 * where arithmetic could overflow. */
#define DELTATIME_MAX_MS (36525 * MS_PER_D)

err_t ttodeltatime(const char *s, deltatime_t *out)
{
	if (s == NULL || *s == '\0')
		return "empty duration";
	if (*s == '-')
		return "negative duration";
	if (*s < '0' || *s > '9')
		return "duration must start with a decimal number";

	uint64_t whole = 0;
	const char *p = s;
	bool too_big = false;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > DELTATIME_MAX_MS) {
			too_big = true;   /* keep scanning for syntax errors */
			whole = DELTATIME_MAX_MS + 1;
		}
	}

	/* Fraction: digits after '.', trailing zeros dropped since they add
	 * no precision. frac / 10^fdigits is the fractional value. */
	uint64_t frac = 0, scale = 1;
	unsigned fdigits = 0;
	bool inexact = false;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return "duration has no digits after '.'";
		const char *f = p;
		while (*p >= '0' && *p <= '9')
			p++;
		const char *fend = p;
		while (fend > f && fend[-1] == '0')
			fend--;
		for (const char *q = f; q < fend; q++) {
			/* Beyond ten significant fraction digits no unit can give
			 * a whole number of milliseconds (see below). */
			if (++fdigits > 10) {
				inexact = true;
				break;
			}
			frac = frac * 10 + (uint64_t)(*q - '0');
			scale *= 10;
		}
	}

	uint64_t unit;
	switch (*p) {
	case '\0':
	case 's':
		unit = MS_PER_S;
		break;
	case 'm':
		unit = MS_PER_M;
		break;
	case 'h':
		unit = MS_PER_H;
		break;
	case 'd':
		unit = MS_PER_D;
		break;
	default:
		return "duration has an unknown unit (use s, m, h or d)";
	}
	if (*p != '\0' && p[1] != '\0')
		return "duration has trailing characters after its unit";

	if (too_big || whole > DELTATIME_MAX_MS / unit)
		return "duration is longer than 100 years";
	/* The fraction must come to whole milliseconds. With at most ten
	 * digits frac * unit < 10^10 * 8.64e7 fits in 64 bits. */
	if (inexact || (frac * unit) % scale != 0)
		return "duration is more precise than a millisecond";
	uint64_t ms = whole * unit + frac * unit / scale;
	if (ms > DELTATIME_MAX_MS)
		return "duration is longer than 100 years";
	out->ms = ms;
	return NULL;
}

const char *str_deltatime(deltatime_t d, char buf[DELTATIME_BUF])
{
	uint64_t ms = d.ms;
	if (ms == 0)
		snprintf(buf, DELTATIME_BUF, "0s");
	else if (ms % MS_PER_D == 0)
		snprintf(buf, DELTATIME_BUF, "%" PRIu64 "d", ms / MS_PER_D);
	else if (ms % MS_PER_H == 0)
		snprintf(buf, DELTATIME_BUF, "%" PRIu64 "h", ms / MS_PER_H);
	else if (ms % MS_PER_M == 0)
		snprintf(buf, DELTATIME_BUF, "%" PRIu64 "m", ms / MS_PER_M);
	else if (ms % MS_PER_S == 0)
		snprintf(buf, DELTATIME_BUF, "%" PRIu64 "s", ms / MS_PER_S);
	else {
		/* Seconds with up to three decimals, trailing zeros dropped. */
		unsigned frac = (unsigned)(ms % MS_PER_S);
		int digits = 3;
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(buf, DELTATIME_BUF, "%" PRIu64 ".%0*us", ms / MS_PER_S, digits, frac);
	}
	return buf;
}
