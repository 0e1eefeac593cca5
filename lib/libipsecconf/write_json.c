/* JSON of resolved sections, streamed one section at a time. */
#include "ipsecconf/writers.h"
#include "swan/json.h"

/* The tree's one JSON escaper: valid JSON for any bytes of the file. */
void write_json_string(FILE *out, const char *s)
{
	json_fputs(out, s);
}

void write_json_begin(struct json_writer *j, FILE *out)
{
	j->out = out;
	j->n_conns = 0;
	fputs("{", out);
}

static void write_members(FILE *out, const struct resolved *r, bool first)
{
	for (size_t i = 0; i < r->n_kv; i++) {
		fputs(first && i == 0 ? "\n    " : ",\n    ", out);
		write_json_string(out, r->kv[i].key);
		fputs(": ", out);
		write_json_string(out, r->kv[i].value);
	}
}

void write_json_section(struct json_writer *j, const struct resolved *r)
{
	FILE *out = j->out;
	if (r->type == SECT_CONFIG) {
		fputs("\n  \"config_setup\": {", out);
		write_members(out, r, true);
		fputs(r->n_kv ? "\n  },\n  \"conns\": [" : "},\n  \"conns\": [", out);
		return;
	}
	fputs(j->n_conns++ ? ",\n  {\n    \"name\": " : "\n  {\n    \"name\": ", out);
	write_json_string(out, r->name);
	write_members(out, r, false);
	fputs("\n  }", out);
}

void write_json_end(struct json_writer *j)
{
	fputs(j->n_conns ? "\n  ]\n}\n" : "]\n}\n", j->out);
}
