/* ip_protoport: "PROTO[/PORT]" with names from /etc/protocols and
 * /etc/services. The files are read directly (not through the NSS
 * switch) so that parsing a config never depends on the host's resolver
 * setup; each file is read once and cached. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "swan/protoport.h"

struct name_entry {
	char *name;     /* a name or alias */
	int number;     /* protocol number or port */
	char *proto;    /* services: the protocol name; protocols: NULL */
};

struct name_table {
	const char *path;
	bool loaded;
	struct name_entry *v;
	size_t n, cap;
};

static const char default_protocols[] = "/etc/protocols";
static const char default_services[] = "/etc/services";
static char *protocols_path;   /* malloc'd override, or NULL */
static char *services_path;

static struct name_table protocols = { .path = default_protocols };
static struct name_table services = { .path = default_services };

static void table_free(struct name_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].proto);
	}
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->loaded = false;
}

static bool table_add(struct name_table *t, const char *name, int number, const char *proto)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct name_entry *v = realloc(t->v, cap * sizeof(*v));
		if (v == NULL)
			return false;
		t->v = v;
		t->cap = cap;
	}
	struct name_entry e = { strdup(name), number, proto ? strdup(proto) : NULL };
	if (e.name == NULL || (proto != NULL && e.proto == NULL)) {
		free(e.name);
		free(e.proto);
		return false;
	}
	t->v[t->n++] = e;
	return true;
}

/* A whole-string decimal number in [0, max], or -1. */
static long parse_number(const char *s, size_t len, long max)
{
	if (len == 0 || len > 10)
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Both files share a layout: "NAME FIELD ALIAS... # comment". For
 * protocols FIELD is the number; for services it is "PORT/PROTO". */
static void table_load(struct name_table *t, bool is_services)
{
	if (t->loaded)
		return;
	t->loaded = true;   /* even on failure: a missing file stays missing */
	FILE *f = fopen(t->path, "re");
	if (f == NULL)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(f)) {
			/* Overlong line: skip its rest rather than misread it. */
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *save = NULL;
		char *name = strtok_r(line, " \t\r\n", &save);
		char *field = name ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		if (field == NULL)
			continue;
		long number;
		char *proto = NULL;
		if (is_services) {
			char *slash = strchr(field, '/');
			if (slash == NULL || slash[1] == '\0')
				continue;
			*slash = '\0';
			proto = slash + 1;
			number = parse_number(field, strlen(field), 65535);
		} else {
			number = parse_number(field, strlen(field), 255);
		}
		if (number < 0)
			continue;
		for (char *alias = name; alias != NULL; alias = strtok_r(NULL, " \t\r\n", &save)) {
			if (!table_add(t, alias, (int)number, proto))
				break;
		}
	}
	fclose(f);
}

static void set_path(struct name_table *t, char **override, const char *deflt, const char *path)
{
	table_free(t);
	free(*override);
	*override = NULL;
	if (path != NULL)
		*override = strdup(path);
	t->path = *override != NULL ? *override : deflt;
}

void protoport_set_files(const char *protocols_file, const char *services_file)
{
	set_path(&protocols, &protocols_path, default_protocols, protocols_file);
	set_path(&services, &services_path, default_services, services_file);
}

/* Names are matched without regard to case: the files list "tcp" and
 * "TCP" as aliases anyway, and nobody means two things by them. */
int proto_by_name(const char *name)
{
	table_load(&protocols, false);
	for (size_t i = 0; i < protocols.n; i++)
		if (strcasecmp(protocols.v[i].name, name) == 0)
			return protocols.v[i].number;
	return -1;
}

int port_by_name(const char *name, const char *proto)
{
	table_load(&services, true);
	for (size_t i = 0; i < services.n; i++) {
		const struct name_entry *e = &services.v[i];
		if (strcasecmp(e->name, name) == 0 &&
		    (proto == NULL || strcasecmp(e->proto, proto) == 0))
			return e->number;
	}
	return -1;
}

/* The first name /etc/protocols gives a number ("udp" for 17). */
static const char *proto_name_of(int number)
{
	table_load(&protocols, false);
	for (size_t i = 0; i < protocols.n; i++)
		if (protocols.v[i].number == number)
			return protocols.v[i].name;
	return NULL;
}

/* Protocols whose selectors carry a port (or, for ICMP, a type). */
static bool proto_has_ports(unsigned proto)
{
	switch (proto) {
	case 6:    /* tcp */
	case 17:   /* udp */
	case 132:  /* sctp */
	case 136:  /* udplite */
	case 1:    /* icmp: type */
	case 58:   /* ipv6-icmp: type */
		return true;
	default:
		return false;
	}
}

err_t ttoprotoport(const char *s, ip_protoport *out)
{
	if (s == NULL || *s == '\0')
		return "empty protocol/port";
	ip_protoport pp = { 0 };
	const char *slash = strchr(s, '/');
	size_t plen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (plen == 0)
		return "protocol is missing before '/'";
	char name[64];
	if (plen >= sizeof(name))
		return "protocol name is too long";
	memcpy(name, s, plen);
	name[plen] = '\0';

	if (strcmp(name, "%any") == 0) {
		pp.proto = 0;
	} else if (isdigit((unsigned char)name[0])) {
		long v = parse_number(name, plen, 255);
		if (v < 0)
			return "protocol number is not a decimal number 0..255";
		pp.proto = (uint8_t)v;
	} else {
		int v = proto_by_name(name);
		if (v < 0)
			return "unknown protocol name";
		pp.proto = (uint8_t)v;
	}

	if (slash == NULL) {
		*out = pp;
		return NULL;
	}
	const char *port = slash + 1;
	size_t len = strlen(port);
	if (len == 0)
		return "port is missing after '/'";
	pp.has_port = true;
	if (strcmp(port, "%any") == 0) {
		pp.any_port = true;
	} else if (isdigit((unsigned char)port[0])) {
		long v = parse_number(port, len, 65535);
		if (v < 0)
			return "port is not a decimal number 0..65535";
		pp.port = (uint16_t)v;
	} else {
		const char *pname = proto_name_of(pp.proto);
		int v = pname != NULL && pp.proto != 0 ? port_by_name(port, pname) : -1;
		if (v < 0)
			return "unknown port name for this protocol";
		pp.port = (uint16_t)v;
	}
	/* Port 0 and %any restrict nothing; a real port needs a protocol
	 * that has ports. */
	if (pp.port != 0 && !proto_has_ports(pp.proto))
		return "a port needs a protocol that has ports (tcp, udp, sctp, udplite, icmp)";
	if ((pp.proto == 1 || pp.proto == 58) && pp.port > 255)
		return "ICMP type must be 0..255";
	*out = pp;
	return NULL;
}

const char *str_protoport(const ip_protoport *pp, char buf[PROTOPORT_BUF])
{
	if (!pp->has_port)
		snprintf(buf, PROTOPORT_BUF, "%u", pp->proto);
	else if (pp->any_port)
		snprintf(buf, PROTOPORT_BUF, "%u/%%any", pp->proto);
	else
		snprintf(buf, PROTOPORT_BUF, "%u/%u", pp->proto, pp->port);
	return buf;
}
