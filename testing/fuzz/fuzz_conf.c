/* libFuzzer target: the ipsec.conf reader and resolver on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include "ipsecconf/conf.h"
#include "ipsecconf/writers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(const struct resolved *r, void *ctx)
{
	FILE *out = ctx;
	write_text_section(out, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct ipsecconf_options opts = { .policy_dir = "/nonexistent" };
	struct ipsecconf *conf = ipsecconf_load_string("fuzz.conf", (const char *)data, size,
						       &opts, &d);
	FILE *null = fopen("/dev/null", "w");
	ipsecconf_walk(conf, sink, null, &d);
	fclose(null);
	ipsecconf_free(conf);
	diags_free(&d);
	return 0;
}
