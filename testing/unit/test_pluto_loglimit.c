/* The log rate limiter (log_limited, with a clock the test steps) and the
 * log file's mode (log_open_file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "log.h"

static char *logbuf;
static size_t loglen;
static FILE *logstream;

static int setup(void **state)
{
	(void)state;
	logstream = open_memstream(&logbuf, &loglen);
	if (logstream == NULL)
		return 1;
	log_init(logstream, false, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_init(stderr, false, 0);
	fclose(logstream);
	free(logbuf);
	return 0;
}

/* Lines logged since the last call, counted; *summary set to the last
 * "suppressed" line (or ""). */
static unsigned new_lines(char *summary, size_t size)
{
	static size_t seen;
	fflush(logstream);
	unsigned n = 0;
	summary[0] = '\0';
	for (const char *s = logbuf + seen; s < logbuf + loglen;) {
		const char *nl = memchr(s, '\n', (size_t)(logbuf + loglen - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(logbuf + loglen - s);
		if (memmem(s, len, "suppressed", 10) != NULL)
			snprintf(summary, size, "%.*s", (int)len, s);
		n++;
		s += len + 1;
	}
	seen = loglen;
	return n;
}

/* n calls at now, logging the ones let through; returns how many were */
static unsigned offer(struct log_limit *l, const struct logger *lg, time_t now, unsigned n)
{
	unsigned through = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!log_limited(l, lg, now)) {
			llog(lg, RC_INFO, "dropping packet %u", i);
			through++;
		}
	}
	return through;
}

static void test_budget_and_summary(void **state)
{
	(void)state;
	struct logger lg;
	logger_init(&lg, -1, "%s", "");
	struct log_limit l = LOG_LIMIT_INIT("dropped packet");
	char summary[256];
	new_lines(summary, sizeof(summary));

	/* a burst: the budget, then nothing */
	assert_int_equal(offer(&l, &lg, 1000, 25), LOG_LIMIT_BURST);
	assert_int_equal(new_lines(summary, sizeof(summary)), LOG_LIMIT_BURST);
	assert_string_equal(summary, "");
	/* still the same window 9 s later */
	assert_int_equal(offer(&l, &lg, 1009, 5), 0);
	assert_int_equal(new_lines(summary, sizeof(summary)), 0);
	/* the window reopens: the count of the refused ones, then a budget */
	assert_int_equal(offer(&l, &lg, 1010, 12), LOG_LIMIT_BURST);
	assert_int_equal(new_lines(summary, sizeof(summary)), LOG_LIMIT_BURST + 1);
	assert_string_equal(summary, "dropped packet: 20 similar messages suppressed");
	/* a window with nothing refused ends without a summary */
	assert_int_equal(offer(&l, &lg, 2000, 3), 3);
	assert_int_equal(new_lines(summary, sizeof(summary)), 1 + 3);   /* the 2 refused at 1010 */
	assert_string_equal(summary, "dropped packet: 2 similar messages suppressed");
	assert_int_equal(offer(&l, &lg, 3000, 3), 3);
	assert_int_equal(new_lines(summary, sizeof(summary)), 3);
	assert_string_equal(summary, "");
	/* a clock that steps back opens a new window rather than a long one */
	assert_int_equal(offer(&l, &lg, 3001, 20), LOG_LIMIT_BURST - 3);
	assert_int_equal(offer(&l, &lg, 5, 1), 1);
	new_lines(summary, sizeof(summary));
	assert_string_equal(summary, "dropped packet: 13 similar messages suppressed");
}

static void test_limiters_are_independent(void **state)
{
	(void)state;
	struct logger lg;
	logger_init(&lg, -1, "\"conn\" #1: ");
	struct log_limit a = LOG_LIMIT_INIT("a"), b = LOG_LIMIT_INIT("b");
	assert_int_equal(offer(&a, &lg, 100, 50), LOG_LIMIT_BURST);
	assert_int_equal(offer(&b, &lg, 100, 50), LOG_LIMIT_BURST);
	char summary[256];
	new_lines(summary, sizeof(summary));
	assert_int_equal(offer(&a, &lg, 111, 1), 1);
	new_lines(summary, sizeof(summary));
	assert_string_equal(summary, "\"conn\" #1: a: 40 similar messages suppressed");
	/* llog_limited uses the monotonic clock: within one test run that is
	 * one window */
	struct log_limit c = LOG_LIMIT_INIT("c");
	for (int i = 0; i < 30; i++)
		llog_limited(&c, &lg, RC_WARNING, "line %d", i);
	assert_int_equal(new_lines(summary, sizeof(summary)), LOG_LIMIT_BURST);
}

/* The log file is made 0600 whatever the umask, and an existing one that
 * others could read is narrowed. */
static void test_log_file_mode(void **state)
{
	(void)state;
	char dir[] = "/tmp/cygnet-log-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], old[64];
	snprintf(path, sizeof(path), "%s/pluto.log", dir);
	snprintf(old, sizeof(old), "%s/old.log", dir);
	mode_t um = umask(0);
	FILE *f = log_open_file(path);
	assert_non_null(f);
	fclose(f);
	FILE *o = fopen(old, "w");
	assert_non_null(o);
	fclose(o);
	assert_int_equal(chmod(old, 0644), 0);
	f = log_open_file(old);
	umask(um);
	assert_non_null(f);
	fclose(f);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(old, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	unlink(path);
	unlink(old);
	rmdir(dir);
	assert_null(log_open_file("/nonexistent-dir/pluto.log"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_and_summary),
		cmocka_unit_test(test_limiters_are_independent),
		cmocka_unit_test(test_log_file_mode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
