/* JSON of resolved sections, streamed one section at a time. */
#include "ipsecconf/writers.h"

void write_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
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
