/* Canonical ipsec.conf text of resolved sections. */
#include <string.h>
#include "ipsecconf/writers.h"

void write_text_header(FILE *out)
{
	fputs("version 2\n", out);
}

/* Quoted when the value has white space (the only thing needing it). */
static void write_value(FILE *out, const char *v)
{
	if (strpbrk(v, " \t") != NULL) {
		fputc('"', out);
		fputs(v, out);
		fputc('"', out);
	} else {
		fputs(v, out);
	}
}

void write_text_section(FILE *out, const struct resolved *r)
{
	fputc('\n', out);
	if (r->type == SECT_CONFIG) {
		fprintf(out, "config %s\n", r->name);
	} else {
		fprintf(out, "conn %s\n", r->name);
		if (r->implicit && r->template == NULL)
			fputs("\t# implicit conn\n", out);
		if (r->group)
			fputs("\t# policy group: one instance per CIDR block of its policy file\n", out);
		if (r->template != NULL)
			fprintf(out, "\t# instance of %s\n", r->template);
	}
	for (size_t i = 0; i < r->n_also; i++)
		fprintf(out, "\t# %s=%s\n", r->also[i].flip ? "alsoflip" : "also", r->also[i].name);
	for (size_t i = 0; i < r->n_kv; i++) {
		fputc('\t', out);
		fputs(r->kv[i].key, out);
		fputc('=', out);
		write_value(out, r->kv[i].value);
		fputc('\n', out);
	}
}
