/* The status counters (see status_counters.h). */
#include "crypto/crypto.h"
#include "ike/child.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"
#include "status_counters.h"

void status_counters(struct pluto *p, struct status_counter out[STATUS_COUNTERS])
{
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
			struct kernel_sa_counters in, o;
			child_counters(p, c, &in, &o);
			in_bytes += in.bytes;
			out_bytes += o.bytes;
		}
	}
	const struct pluto_stats *t = &p->stats;
	const struct status_counter all[STATUS_COUNTERS] = {
		{ "current.states.all", ike + ipsec, false, "IKE and Child SAs" },
		{ "current.states.ike", ike, false, "IKE SAs" },
		{ "current.states.ike.halfopen", half_open, false, "IKE SAs not yet authenticated" },
		{ "current.states.ipsec", ipsec, false, "established Child SAs" },
		{ "current.states.ipsec.esp", esp, false, "established ESP Child SAs" },
		{ "current.states.ipsec.ah", ah, false, "established AH Child SAs" },
		{ "current.ipsec.traffic.in", in_bytes, false, "bytes in through the current Child SAs" },
		{ "current.ipsec.traffic.out", out_bytes, false, "bytes out through the current Child SAs" },
		{ "total.ike.ikev1.established", t->ike_established[1], true, "IKEv1 SAs established" },
		{ "total.ike.ikev1.failed", t->ike_failed[1], true, "IKEv1 SAs gone before they were established" },
		{ "total.ike.ikev2.established", t->ike_established[2], true, "IKEv2 SAs established" },
		{ "total.ike.ikev2.failed", t->ike_failed[2], true, "IKEv2 SAs gone before they were established" },
		{ "total.ipsec.type.all", t->child_esp + t->child_ah, true, "Child SAs installed" },
		{ "total.ipsec.type.esp", t->child_esp, true, "ESP Child SAs installed" },
		{ "total.ipsec.type.ah", t->child_ah, true, "AH Child SAs installed" },
		{ "total.ike.dh.shared", dh_reuse_count(), true,
		  "responders' DH key pairs shared while busy (--dh-reuse)" },
	};
	for (size_t i = 0; i < STATUS_COUNTERS; i++)
		out[i] = all[i];
}
