/* Booleans, percentages and bounded integers of ipsec.conf. */
#include <limits.h>
#include <string.h>
#include <strings.h>
#include "swan/scalars.h"

err_t ttobool(const char *s, bool *out)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = {
		{ "yes", true }, { "no", false },
		{ "true", true }, { "false", false },
		{ "on", true }, { "off", false },
		{ "1", true }, { "0", false },
	};
	if (s == NULL || *s == '\0')
		return "empty value where yes or no is expected";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i].word) == 0) {
			*out = words[i].value;
			return NULL;
		}
	}
	return "not a boolean (use yes/no, true/false, on/off or 1/0)";
}

err_t ttopercent(const char *s, unsigned *out)
{
	if (s == NULL || *s == '\0')
		return "empty value where a percentage is expected";
	unsigned v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return "percentage must be a whole number followed by '%'";
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 100000)
			return "percentage is larger than 100000%";
	}
	if (*p != '%')
		return "percentage must be a whole number followed by '%'";
	if (p[1] != '\0')
		return "percentage has trailing characters after '%'";
	*out = v;
	return NULL;
}

err_t ttoint(const char *s, long min, long max, long *out)
{
	if (s == NULL || *s == '\0')
		return "empty value where a number is expected";
	const char *p = s;
	bool negative = false;
	if (*p == '-') {
		if (min >= 0)
			return "negative number is not allowed";
		negative = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return "not a decimal number";
	/* Accumulate as a negative value: its range includes LONG_MIN. */
	long v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';
		if (v < (LONG_MIN + d) / 10)
			return "number is out of range";
		v = v * 10 - d;
	}
	if (*p != '\0')
		return "number has trailing characters";
	if (!negative) {
		if (v == LONG_MIN)
			return "number is out of range";
		v = -v;
	}
	if (v < min || v > max)
		return "number is out of range";
	*out = v;
	return NULL;
}
