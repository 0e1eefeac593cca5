/* libFuzzer target: the ISAKMP Attribute payload (Mode Config, XAUTH;
 * programs/pluto/ikev1/isakmp_attr.c) on arbitrary bytes.
 *
 * The input is taken as a payload chain starting with an Attribute
 * payload (its first payload's length patched to the input size as well,
 * so that mutations reach the attribute walker). Every payload that
 * decodes is built again and decoded, and the two decodings must agree. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ikev1/transaction.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ikev1_attr: %s\n", what);
		abort();
	}
}

static void one(const uint8_t *buf, size_t len)
{
	static struct isakmp_payloads pl, pl2;
	static struct isakmp_cfg a, b;
	struct isakmp_diag d = { 0 };
	if (isakmp_split_chain(ISAKMP_NEXT_ATTR, buf, len, &pl, &d) != NULL)
		return;
	for (size_t i = 0; i < pl.n; i++) {
		if (pl.p[i].type != ISAKMP_NEXT_ATTR || isakmp_decode_cfg(&pl.p[i], &a, &d) != NULL)
			continue;
		static uint8_t out[70000];
		struct ikev2_builder bld;
		ikev2_build_chain_init(&bld, out, sizeof(out));
		size_t olen;
		size_t at = isakmp_build_cfg(&bld, &a);
		if (at == SIZE_MAX)
			continue;   /* more than the builder's 4096 bytes: not an encoder error */
		check(ikev2_build_finish(&bld, &olen) == NULL, "cannot finish a chain");
		check(isakmp_split_chain(ISAKMP_NEXT_ATTR, out, olen, &pl2, &d) == NULL && pl2.n == 1,
		      "what was built does not split");
		check(isakmp_decode_cfg(&pl2.p[0], &b, &d) == NULL, "what was built does not decode");
		check(a.type == b.type && a.identifier == b.identifier && a.n_attrs == b.n_attrs,
		      "header or count differs");
		for (size_t k = 0; k < a.n_attrs; k++) {
			const struct isakmp_cfg_attr *x = &a.attrs[k], *y = &b.attrs[k];
			check(x->type == y->type && x->basic == y->basic && x->value == y->value &&
			      x->data.len == y->data.len &&
			      (x->data.len == 0 || memcmp(x->data.ptr, y->data.ptr, x->data.len) == 0),
			      "an attribute differs");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65535)
		return 0;
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	one(copy, size);
	if (size >= 4) {
		copy[2] = (uint8_t)(size >> 8);
		copy[3] = (uint8_t)size;
		one(copy, size);
	}
	free(copy);
	return 0;
}
