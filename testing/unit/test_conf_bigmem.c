/* Unit tests: the compiler's large-buffer allocator (lib/libipsecconf/bigmem)
 * keeps contents across every kind of growth: malloc to malloc, malloc to
 * a mapping, mapping to a larger mapping (moved pages), and back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/libipsecconf/bigmem.h"

static void fill(uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 12));
}

static size_t first_wrong(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 7 + (i >> 12)))
			return i;
	return n;
}

static void test_grow_and_shrink(void **state)
{
	(void)state;
	/* sizes straddle BIGMEM_MIN and the 2 MiB rounding of mappings */
	static const size_t sizes[] = {
		100, 4096, BIGMEM_MIN - 1, BIGMEM_MIN, 3 * 1024 * 1024 + 5,
		4 * 1024 * 1024, 17 * 1024 * 1024 + 3, 64 * 1024 * 1024,
	};
	uint8_t *p = NULL;
	size_t have = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = big_realloc(p, have, sizes[i]);
		assert_int_equal(first_wrong(p, have), have);
		fill(p, have, sizes[i]);
		have = sizes[i];
	}
	/* back down below BIGMEM_MIN: the bytes kept stay, and it is a
	 * malloc block again (big_free must not munmap it) */
	p = big_realloc(p, have, 5000);
	assert_int_equal(first_wrong(p, 5000), 5000);
	p = big_realloc(p, 5000, 6000);
	assert_int_equal(first_wrong(p, 5000), 5000);
	big_free(p, 6000);
}

static void test_big_from_nothing(void **state)
{
	(void)state;
	size_t n = 5 * 1024 * 1024;
	uint8_t *p = big_realloc(NULL, 0, n);
	fill(p, 0, n);
	assert_int_equal(first_wrong(p, n), n);
	/* same 2 MiB rounding: stays in place */
	uint8_t *q = big_realloc(p, n, n + 100);
	assert_ptr_equal(p, q);
	assert_int_equal(first_wrong(q, n), n);
	big_free(q, n + 100);
	big_free(NULL, 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_shrink),
		cmocka_unit_test(test_big_from_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
