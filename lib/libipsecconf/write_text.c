/* Canonical ipsec.conf text of resolved sections. */
#include <string.h>
#include "ipsecconf/writers.h"

void write_text_header(FILE *out)
{
	fputs("version 2\n", out);
}

/* Appends to a line buffer, flushing it to out when full. */
struct linebuf {
	FILE *out;
	size_t n;
	char b[4096];
};

static void put(struct linebuf *lb, const char *s, size_t len)
{
	if (lb->n + len > sizeof(lb->b)) {
		fwrite(lb->b, 1, lb->n, lb->out);
		lb->n = 0;
		if (len > sizeof(lb->b)) {
			fwrite(s, 1, len, lb->out);
			return;
		}
	}
	memcpy(lb->b + lb->n, s, len);
	lb->n += len;
}

static void puts_lb(struct linebuf *lb, const char *s)
{
	put(lb, s, strlen(s));
}

void write_text_section(FILE *out, const struct resolved *r)
{
	struct linebuf lb = { .out = out };
	puts_lb(&lb, r->type == SECT_CONFIG ? "\nconfig " : "\nconn ");
	puts_lb(&lb, r->name);
	puts_lb(&lb, "\n");
	if (r->type == SECT_CONN) {
		if (r->implicit && r->template == NULL)
			puts_lb(&lb, "\t# implicit conn\n");
		if (r->group)
			puts_lb(&lb, "\t# policy group: one instance per CIDR block of its policy file\n");
		if (r->template != NULL) {
			puts_lb(&lb, "\t# instance of ");
			puts_lb(&lb, r->template);
			puts_lb(&lb, "\n");
		}
	}
	for (size_t i = 0; i < r->n_also; i++) {
		puts_lb(&lb, r->also[i].flip ? "\t# alsoflip=" : "\t# also=");
		puts_lb(&lb, r->also[i].name);
		puts_lb(&lb, "\n");
	}
	for (size_t i = 0; i < r->n_kv; i++) {
		const char *v = r->kv[i].value;
		/* quoted when the value has white space, the only thing needing it */
		bool quote = strpbrk(v, " \t") != NULL;
		puts_lb(&lb, "\t");
		puts_lb(&lb, r->kv[i].key);
		puts_lb(&lb, quote ? "=\"" : "=");
		puts_lb(&lb, v);
		puts_lb(&lb, quote ? "\"\n" : "\n");
	}
	fwrite(lb.b, 1, lb.n, out);
}
