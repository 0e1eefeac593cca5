/* whack metrics: the status counters and each Child SA's traffic in the
 * Prometheus text exposition format (version 0.0.4), for a collector
 * (node_exporter's textfile directory, or a wrapper serving it):
 *   cygnet_current_states_ike 1              (a gauge, now)
 *   cygnet_total_ike_ikev2_established 3     (a counter, since start)
 *   cygnet_child_sa_bytes{connection="west-east",serial="2",direction="in"} 84 */
#include <stdio.h>
#include <string.h>
#include "ctl.h"
#include "ike/child.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"
#include "status_counters.h"

/* A metric name from a counter's: "cygnet_" and dots as underscores. */
static void metric_name(const char *name, char *out, size_t size)
{
	snprintf(out, size, "cygnet_%s", name);
	for (char *c = out; *c; c++)
		if (*c == '.')
			*c = '_';
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			out[n++] = '\\';
			out[n++] = *s;
		} else if (*s == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

int cmd_metrics(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	struct status_counter sc[STATUS_COUNTERS];
	status_counters(p, sc);
	char name[96];
	for (size_t i = 0; i < STATUS_COUNTERS; i++) {
		metric_name(sc[i].name, name, sizeof(name));
		ctl_reply(cl, "# HELP %s %s", name, sc[i].help);
		ctl_reply(cl, "# TYPE %s %s", name, sc[i].total ? "counter" : "gauge");
		ctl_reply(cl, "%s %llu", name, sc[i].value);
	}
	static const struct {
		const char *name, *help;
		bool bytes;
	} per_sa[] = {
		{ "cygnet_child_sa_bytes", "bytes through a Child SA", true },
		{ "cygnet_child_sa_packets", "packets through a Child SA", false },
	};
	for (size_t k = 0; k < sizeof(per_sa) / sizeof(per_sa[0]); k++) {
		ctl_reply(cl, "# HELP %s %s", per_sa[k].name, per_sa[k].help);
		ctl_reply(cl, "# TYPE %s counter", per_sa[k].name);
		for (struct ike_sa *ike = ike_sa_first(p); ike != NULL; ike = ike->next_all) {
			for (struct child_sa *c = ike->children; c != NULL; c = c->next) {
				if (c->state != CHILD_ESTABLISHED)
					continue;
				struct kernel_sa_counters in, out;
				child_counters(p, c, &in, &out);
				char conn[512];
				label_value(c->c->name, conn, sizeof(conn));
				ctl_reply(cl, "%s{connection=\"%s\",serial=\"%u\",direction=\"in\"} %llu",
					  per_sa[k].name, conn, c->serial,
					  (unsigned long long)(per_sa[k].bytes ? in.bytes : in.packets));
				ctl_reply(cl, "%s{connection=\"%s\",serial=\"%u\",direction=\"out\"} %llu",
					  per_sa[k].name, conn, c->serial,
					  (unsigned long long)(per_sa[k].bytes ? out.bytes : out.packets));
			}
		}
	}
	return WHACK_STATUS_OK;
}
