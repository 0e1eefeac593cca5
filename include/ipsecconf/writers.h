/* Writers of resolved sections: canonical ipsec.conf text and JSON. */
#ifndef IPSECCONF_WRITERS_H
#define IPSECCONF_WRITERS_H
#include <stdio.h>
#include "ipsecconf/conf.h"

/* Canonical text: "config setup" / "conn NAME", then one tab-indented
 * key=value a line in canonical order (also= as a comment). A section is
 * preceded by an empty line. */
void write_text_header(FILE *out);
void write_text_section(FILE *out, const struct resolved *r);

/* JSON: {"config_setup": {KEY: VALUE}, "conns": [{"name": NAME, KEY: VALUE}]}
 * written as the sections arrive: begin, config setup, conns, end. */
struct json_writer {
	FILE *out;
	unsigned n_conns;
};
void write_json_begin(struct json_writer *j, FILE *out);
void write_json_section(struct json_writer *j, const struct resolved *r);
void write_json_end(struct json_writer *j);
/* A JSON string literal with quotes and escapes. */
void write_json_string(FILE *out, const char *s);
#endif
