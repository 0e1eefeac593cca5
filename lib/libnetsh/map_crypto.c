/* Security methods to ike=, phase2=, phase2alg= and salifetime=. Offers
 * keep their order; an offer with an algorithm Openswan lacks (DES, DH
 * group 1) is dropped with a warning, and only when nothing is left is
 * the rule not translated. */
#include <stdio.h>
#include <string.h>
#include "netsh/map.h"
#include "swan/alg.h"

/* libreswan refuses MODP1024 ("not supported"), Openswan accepts it: keep
 * it (Windows' own default) and say so. */
static void weak_group(struct mapper *m, struct where at, const struct vocab *g)
{
	if (strcmp(g->openswan, "modp1024") == 0)
		map_msg(m, DIAG_WARNING, at, "DH group 2 (modp1024) kept for Windows; libreswan "
			"refuses it: add a stronger group on both sides");
}

static bool check_proposals(struct mapper *m, struct where at, const char *s, enum alg_proto p)
{
	struct proposals props;
	char err[200];
	if (ttoproposals(s, p, &props, err, sizeof(err)) == NULL)
		return true;
	map_msg(m, DIAG_ERROR, at, "internal error: generated proposal '%s' does not parse: %s", s, err);
	return false;
}

bool map_ike(struct mapper *m, const char *mmsec, struct where at, struct sbuf *ike)
{
	struct mm_offers mm;
	char err[200];
	if (parse_mmsec(mmsec ? mmsec : mmsec_default, &mm, err, sizeof(err)) != NULL) {
		map_msg(m, DIAG_ERROR, at, "mmsecmethods: %s", err);
		return false;
	}
	for (size_t i = 0; i < mm.n; i++) {
		const struct mm_offer *o = &mm.v[i];
		const struct vocab *bad = !o->enc->openswan ? o->enc : !o->group->openswan ? o->group : NULL;
		if (bad != NULL) {
			map_msg(m, DIAG_WARNING, at, "main mode offer %s-%s dropped: %s",
				o->enc->windows, o->hash->windows, bad->why);
			continue;
		}
		if (o->group_assumed)
			map_msg(m, DIAG_WARNING, at, "main mode offer %s-%s has no DH group: Windows "
				"group 2 (modp1024) assumed", o->enc->windows, o->hash->windows);
		else if (o->nonstandard)
			map_note(m, at, "main mode offer in a form the netsh help does not document");
		weak_group(m, at, o->group);
		sb_printf(ike, "%s%s-%s;%s", ike->len ? "," : "", o->enc->openswan,
			  o->hash->openswan, o->group->openswan);
	}
	if (ike->len == 0) {
		map_msg(m, DIAG_ERROR, at, "no main mode offer can be translated");
		return false;
	}
	return check_proposals(m, at, sb_str(ike), ALG_FOR_IKE);
}

/* Why a quick mode offer cannot be kept, or NULL. */
static const char *qm_refusal(const struct qm_offer *o)
{
	if (o->proto == QM_AH_ESP)
		return "AH+ESP bundles are not supported";
	if (o->proto == QM_ESP && strcmp(o->enc->windows, "None") == 0 &&
	    strcmp(o->integ->windows, "None") == 0)
		return "ESP[None,None] protects nothing";
	if (o->proto == QM_ESP && strcmp(o->integ->windows, "None") == 0)
		return "ESP without integrity is not supported";
	if (o->proto == QM_ESP && o->enc->openswan == NULL)
		return o->enc->why;
	return NULL;
}

static void qm_lifetimes(struct mapper *m, struct where at, const struct qm_offer *o,
			 struct phase2 *p2, bool first)
{
	if (o->kbytes != 0 && first)
		map_msg(m, DIAG_WARNING, at, "quick mode lifetime %llukB dropped: ipsec.conf has no "
			"byte lifetime", (unsigned long long)o->kbytes);
	uint64_t s = o->seconds ? o->seconds : 3600;
	if (first)
		p2->seconds = s;
	else if (s != p2->seconds)
		map_msg(m, DIAG_WARNING, at, "quick mode offers with different lifetimes: %llus kept",
			(unsigned long long)p2->seconds);
}

bool map_phase2(struct mapper *m, const char *qmsec, struct where at, const char *dh,
		struct phase2 *p2)
{
	struct qm_offers qm;
	char err[200];
	if (parse_qmsec(qmsec ? qmsec : qmsec_default, &qm, err, sizeof(err)) != NULL) {
		map_msg(m, DIAG_ERROR, at, "qmsecmethods: %s", err);
		return false;
	}
	bool first = true;
	for (size_t i = 0; i < qm.n; i++) {
		const struct qm_offer *o = &qm.v[i];
		const char *why = qm_refusal(o);
		const char *proto = o->proto == QM_AH ? "ah" : "esp";
		if (why == NULL && !first && strcmp(proto, p2->proto) != 0)
			why = "mixes AH and ESP offers; the first offer's protocol is kept";
		if (why != NULL) {
			map_msg(m, DIAG_WARNING, at, "quick mode offer %zu dropped: %s", i + 1, why);
			continue;
		}
		if (o->proto == QM_ESP && strcmp(o->enc->windows, "None") == 0)
			map_msg(m, DIAG_WARNING, at, "quick mode offer %zu has no encryption (ESP null)", i + 1);
		if (o->nonstandard)
			map_note(m, at, "quick mode offer in a form the netsh help does not document");
		qm_lifetimes(m, at, o, p2, first);
		p2->proto = proto;
		if (o->proto == QM_AH)
			sb_printf(&p2->alg, "%s%s", first ? "" : ",", o->integ->openswan);
		else
			sb_printf(&p2->alg, "%s%s-%s", first ? "" : ",", o->enc->openswan, o->integ->openswan);
		if (dh != NULL)
			sb_printf(&p2->alg, ";%s", dh);
		first = false;
	}
	if (first) {
		map_msg(m, DIAG_ERROR, at, "no quick mode offer can be translated");
		return false;
	}
	if (p2->seconds > 86400) {
		map_msg(m, DIAG_WARNING, at, "quick mode lifetime %llus is longer than the 24h "
			"maximum: 24h used", (unsigned long long)p2->seconds);
		p2->seconds = 86400;
	}
	return check_proposals(m, at, sb_str(&p2->alg),
			       strcmp(p2->proto, "ah") == 0 ? ALG_FOR_AH : ALG_FOR_ESP);
}
