/* whack globalstatus: counters as NAME=VALUE lines, with libreswan's
 * names where it has the same counter. current.* are counted now from
 * the SA table; total.* since pluto started (struct pluto_stats). */
#include <stdio.h>
#include "ctl.h"
#include "ike/child.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"

int cmd_globalstatus(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	unsigned long ike = 0, half_open = 0, ipsec = 0, esp = 0, ah = 0;
	unsigned long long in_bytes = 0, out_bytes = 0;
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all) {
		ike++;
		if (s->state != IKE_ESTABLISHED && s->established == 0)
			half_open++;
		for (struct child_sa *c = s->children; c != NULL; c = c->next) {
			if (c->state != CHILD_ESTABLISHED)
				continue;
			ipsec++;
			if (c->protocol == CHILD_PROTO_AH)
				ah++;
			else
				esp++;
			struct kernel_sa_counters in, out;
			child_counters(p, c, &in, &out);
			in_bytes += in.bytes;
			out_bytes += out.bytes;
		}
	}
	const struct pluto_stats *t = &p->stats;
	const struct {
		const char *name;
		unsigned long long value;
	} lines[] = {
		{ "current.states.all", ike + ipsec },
		{ "current.states.ike", ike },
		{ "current.states.ike.halfopen", half_open },
		{ "current.states.ipsec", ipsec },
		{ "current.states.ipsec.esp", esp },
		{ "current.states.ipsec.ah", ah },
		{ "current.ipsec.traffic.in", in_bytes },
		{ "current.ipsec.traffic.out", out_bytes },
		{ "total.ike.ikev1.established", t->ike_established[1] },
		{ "total.ike.ikev1.failed", t->ike_failed[1] },
		{ "total.ike.ikev2.established", t->ike_established[2] },
		{ "total.ike.ikev2.failed", t->ike_failed[2] },
		{ "total.ipsec.type.all", t->child_esp + t->child_ah },
		{ "total.ipsec.type.esp", t->child_esp },
		{ "total.ipsec.type.ah", t->child_ah },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ctl_reply(cl, "%s=%llu", lines[i].name, lines[i].value);
	return WHACK_STATUS_OK;
}
