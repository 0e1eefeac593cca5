/* libFuzzer target: the netsh reader, tokenizer, replay and mapping on
 * arbitrary bytes (bad input must never crash). The first byte chooses a
 * script kind: a shell script (.bat) or a "netsh -f" file (.txt). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "netsh/map.h"
#include "netsh/writers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *name = data[0] & 1 ? "fuzz.bat" : "fuzz.txt";
	struct diags d = {0}, notes = {0};
	struct replay r;
	replay_init(&r, &d, &notes);
	struct nsource src;
	if (source_load(&src, name, (const char *)data + 1, size - 1, &d))
		replay_source(&r, &src);
	source_free(&src);
	struct netsh_options o = {0};
	struct output out = {0};
	map_all(&r, &o, &out, &d, &notes);
	FILE *null = fopen("/dev/null", "w");
	struct write_opts w = { false, NULL, 0 };
	write_ipsec_conf(null, &out, &w);
	write_secrets(null, &out, &w);
	write_rinetd(null, &out, &w);
	write_stores_json(null, &r);
	fclose(null);
	output_free(&out);
	replay_free(&r);
	diags_free(&d);
	diags_free(&notes);
	return 0;
}
