/* ipsec.conf: every value carries the FILE:LINE of the netsh command it
 * comes from, as a trailing comment (Openswan and libreswan both read
 * "key=value # comment"). */
#include <string.h>
#include "netsh/writers.h"

static void header(FILE *f, const char *what, const struct write_opts *w)
{
	fprintf(f, "# %s written by \"ipsec netsh-import\" from:", what);
	for (size_t i = 0; i < w->ninputs; i++)
		fprintf(f, " %s", w->inputs[i]);
	fprintf(f, "\n");
}

static void value_line(FILE *f, const struct ckv *kv)
{
	bool quote = strpbrk(kv->value, " \t#") != NULL;
	fprintf(f, "\t%s=%s%s%s", kv->key, quote ? "\"" : "", kv->value, quote ? "\"" : "");
	if (kv->at.file != NULL && kv->at.line > 0)
		fprintf(f, "\t# %s:%u", kv->at.file, kv->at.line);
	else if (kv->at.file != NULL)
		fprintf(f, "\t# %s", kv->at.file);   /* from the command line (--cert) */
	fprintf(f, "\n");
}

void write_ipsec_conf(FILE *f, const struct output *o, const struct write_opts *w)
{
	header(f, w->fragment ? "ipsec.conf fragment (for include)" : "ipsec.conf", w);
	fprintf(f, "# each value is followed by the netsh command (FILE:LINE) it comes from\n");
	if (!w->fragment)
		fprintf(f, "version 2\n");
	if (o->nsetup > 0) {
		fprintf(f, w->fragment ? "\n# for config setup:\n" : "\nconfig setup\n");
		for (size_t i = 0; i < o->nsetup; i++) {
			if (w->fragment)
				fprintf(f, "#");
			value_line(f, &o->setup[i]);
		}
	}
	for (size_t i = 0; i < o->nconns; i++) {
		const struct nconn *c = o->conns[i];
		fprintf(f, "\n");
		for (size_t k = 0; k < c->ncomments; k++)
			fprintf(f, "# %s\n", c->comments[k]);
		fprintf(f, "conn %s\n", c->name);
		for (size_t k = 0; k < c->nkv; k++)
			value_line(f, &c->kv[k]);
	}
	if (o->nconns == 0)
		fprintf(f, "\n# no conns\n");
}

/* A PSK in double quotes, or as 0x hex when it holds a double quote or a
 * byte that a quoted secret cannot carry. */
static void psk(FILE *f, const char *key)
{
	bool hex = false;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		hex |= *p == '"' || *p < 0x20 || *p == 0x7f;
	if (!hex) {
		fprintf(f, "\"%s\"", key);
		return;
	}
	fprintf(f, "0x");
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		fprintf(f, "%02x", *p);
}

void write_secrets(FILE *f, const struct output *o, const struct write_opts *w)
{
	header(f, "ipsec.secrets", w);
	for (size_t i = 0; i < o->nsecrets; i++) {
		const struct nsecret *s = &o->secrets[i];
		fprintf(f, "# %s:%u\n%s %s : PSK ", s->at.file, s->at.line, s->left, s->right);
		psk(f, s->key);
		fprintf(f, "\n");
	}
	if (o->nsecrets == 0)
		fprintf(f, "# no preshared keys\n");
}

void write_rinetd(FILE *f, const struct output *o, const struct write_opts *w)
{
	header(f, "rinetd.conf", w);
	fprintf(f, "# netsh interface portproxy entries as rinetd TCP relays:\n"
		   "# bindaddress bindport connectaddress connectport\n");
	for (size_t i = 0; i < o->nrelays; i++) {
		const struct nrelay *r = &o->relays[i];
		fprintf(f, "# %s:%u: %s\n%s %u %s %u\n", r->at.file, r->at.line, r->comment,
			r->baddr, r->bport, r->caddr, r->cport);
	}
	if (o->nrelays == 0)
		fprintf(f, "# no relays\n");
}
