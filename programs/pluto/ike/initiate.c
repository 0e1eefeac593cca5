/* Starting a negotiation, and finding the conn a responder uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conn_load.h"
#include "conn_timers.h"
#include "ctl.h"
#include "iface.h"
#include "ike/initiate.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/ts.h"
#include "pluto.h"

/* The Child SA of c is up (over its own IKE SA or a sibling's). */
static struct child_sa *conn_child(struct pluto *p, const struct connection *c)
{
	struct child_sa *child = c->child_serial ? child_sa_by_serial(p, c->child_serial) : NULL;
	return child != NULL && child->state == CHILD_ESTABLISHED && child->c == c ? child : NULL;
}

/* An IKE SA of another instance of c's group to the same peer, up or on its
 * way, that c's Child SA can ride on; NULL when none. */
static struct ike_sa *group_ike_sa(struct pluto *p, const struct connection *c)
{
	struct connection *cc = (struct connection *)c;
	const struct end *peer = peer_end(cc);
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all) {
		if (s->c == NULL || s->c == c || !conn_same_group(s->c, c))
			continue;
		bool usable = s->state == IKE_ESTABLISHED ||
			      (s->original_initiator && (s->state == IKE_I_INIT || s->state == IKE_I_INIT_SENT ||
							 s->state == IKE_I_AUTH_SENT));
		if (usable && peer->host_kind == HOST_ADDRESS && address_eq(&s->remote, &peer->host))
			return s;
	}
	return NULL;
}

/* Whether conn c can be negotiated now; the socket to use in *ifc. */
static bool can_initiate(struct pluto *p, struct connection *c, const struct iface **out,
			 char *why, size_t whysize)
{
	if (c->local < 0) {
		for (int s = 0; s < 2; s++) {
			struct end *e = &c->end[s];
			if (e->host_kind != HOST_DNS)
				continue;
			const char *side = s ? "right" : "left";
			if (e->dns_pending) {
				snprintf(why, whysize, "conn %s: %s=%s is being looked up; try again",
					 c->name, side, e->host_text);
			} else {
				snprintf(why, whysize, "conn %s: cannot resolve %s=%s: %s (looking it up again)",
					 c->name, side, e->host_text,
					 e->dns_error ? e->dns_error : "not looked up");
				conn_resolve(p, c);
			}
			return false;
		}
		snprintf(why, whysize, "conn %s is not oriented: neither end is this host", c->name);
		return false;
	}
	if (c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT) {
		snprintf(why, whysize, "conn %s is a type=%s shunt: there is nothing to negotiate",
			 c->name, c->type == CONN_PASSTHROUGH ? "passthrough" : "drop/reject");
		return false;
	}
	struct end *me = local_end(c), *peer = peer_end(c);
	if (peer->host_kind != HOST_ADDRESS) {
		snprintf(why, whysize, "cannot initiate conn %s: %s=%s is not a known address",
			 c->name, c->local ? "left" : "right", peer->host_text);
		return false;
	}
	if (peer->virt != NULL) {
		snprintf(why, whysize, "cannot initiate conn %s: %ssubnet=%s waits for the peer's inner address",
			 c->name, c->local ? "left" : "right", peer->virt);
		return false;
	}
	ip_address local = me->host;
	const struct iface *ifc = me->host_kind == HOST_ADDRESS ? ifaces_find(p, &local, false) : NULL;
	if (ifc == NULL) {
		/* %defaultroute: the first socket of the peer's family */
		for (const struct iface *i = p->ifaces->head; i != NULL && ifc == NULL; i = i->next)
			if (!i->natt && i->addr.family == peer->host.family &&
			    !(i->addr.family == IP_V4 && i->addr.bytes[0] == 127))
				ifc = i;
	}
	if (ifc == NULL) {
		snprintf(why, whysize, "conn %s: no IKE socket for left=%s", c->name, me->host_text);
		return false;
	}
	struct child_sa *up = conn_child(p, c);
	if (up != NULL) {
		snprintf(why, whysize, "conn %s is already up (IKE SA #%u)", c->name, up->ike->serial);
		return false;
	}
	*out = ifc;
	return true;
}

/* "at most 3" or "an unlimited number (keyingtries=%forever)" */
static const char *tries_text(const struct connection *c, char *buf, size_t size)
{
	if (c->keyingtries == 0)
		snprintf(buf, size, "an unlimited number (keyingtries=%%forever)");
	else
		snprintf(buf, size, "at most %u", c->keyingtries);
	return buf;
}

static void start_attempt(struct pluto *p, struct connection *c, const struct iface *ifc,
			  struct ctl_client *whack, unsigned attempt)
{
	c->keying_attempt = attempt;
	c->keying_waiting = false;
	/* an instance of a group rides on its siblings' IKE SA */
	struct ike_sa *shared = group_ike_sa(p, c);
	if (shared != NULL) {
		c->keying_attempt = 0;
		llog(&shared->logger, RC_INFO, "\"%s\": its Child SA goes over this IKE SA", c->name);
		ike_queue(shared, WORK_NEW_CHILD, 0, c, whack);
		return;
	}
	/* ikev2=permit (the default) and never initiate IKEv1 */
	struct ike_sa *ike = ike_sa_new(p, conn_initiates_ikev1(c) ? &ikev1_ops : &ikev2_ops, c, true);
	ike->attempt = attempt;
	if (random_ike_spi(ike->spi_i) != NULL) {
		ike_sa_delete(ike, NULL);
		c->keying_attempt = 0;
		llog(&p->logger, RC_ERROR, "\"%s\": no random numbers for an SPI", c->name);
		if (whack != NULL) {
			ctl_reply(whack, "\"%s\": no random numbers for an SPI", c->name);
			ctl_client_done(whack, WHACK_STATUS_REFUSED);
		}
		return;
	}
	ike->iface = ifc;
	ike->remote = peer_end(c)->host;
	ike->remote_port = (uint16_t)p->opts.ike_port;
	ike_sa_insert(ike);
	if (whack != NULL) {
		ike->whack = whack;
		ike->logger.whack_fd = whack->fd;
	}
	char a[ADDRESS_BUF], tries[64];
	if (attempt == 1)
		llog(&ike->logger, RC_INFO, "initiating %s connection to %s", ike->ops->name,
		     str_address(&ike->remote, a));
	else
		llog(&ike->logger, RC_INFO, "initiating %s connection to %s: keying attempt %u of %s",
		     ike->ops->name, str_address(&ike->remote, a), attempt,
		     tries_text(c, tries, sizeof(tries)));
	ike->ops->initiate(ike);
}

/* An IKE SA of a keying attempt still negotiating. */
static bool negotiating_attempt(const struct ike_sa *s, const struct connection *c)
{
	return s->c == c && s->original_initiator && s->attempt > 0 &&
	       (s->state == IKE_I_INIT || s->state == IKE_I_INIT_SENT || s->state == IKE_I_AUTH_SENT);
}

bool ike_conn_up_or_coming(struct pluto *p, const struct connection *c, char *why, size_t whysize)
{
	struct child_sa *up = conn_child(p, c);
	if (up != NULL) {
		snprintf(why, whysize, "\"%s\": up already (IKE SA #%u)", c->name, up->ike->serial);
		return true;
	}
	if (c->keying_waiting) {
		snprintf(why, whysize, "\"%s\": keying attempt %u waits to start", c->name, c->keying_attempt);
		return true;
	}
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all)
		if (negotiating_attempt(s, c)) {
			snprintf(why, whysize, "\"%s\": being negotiated (IKE SA #%u)", c->name, s->serial);
			return true;
		}
	return false;
}

unsigned ike_initiate_cancel(struct pluto *p, struct connection *c, const char *why)
{
	unsigned n = c->keying_waiting ? 1 : 0;
	c->keying_waiting = false;
	c->keying_attempt = 0;
	struct ike_sa *next;
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = next) {
		next = s->next_all;
		ike_queue_forget_conn(s, c);
		if (negotiating_attempt(s, c)) {
			n++;
			ike_sa_delete(s, why);
		}
	}
	return n;
}

bool ike_initiate(struct pluto *p, struct connection *c, struct ctl_client *whack,
		  char *why, size_t whysize)
{
	const struct iface *ifc;
	if (!can_initiate(p, c, &ifc, why, whysize))
		return false;
	ike_initiate_cancel(p, c, "replaced by a new initiation");
	start_attempt(p, c, ifc, whack, 1);
	return true;
}

void ike_initiate_due(struct pluto *p, struct connection *c)
{
	if (!c->keying_waiting)
		return;
	c->keying_waiting = false;
	const struct iface *ifc;
	char why[256];
	if (conn_child(p, c) != NULL) {
		llog(&p->logger, RC_INFO, "\"%s\": up meanwhile: keying attempt %u is not needed",
		     c->name, c->keying_attempt);
		c->keying_attempt = 0;
		return;
	}
	if (!can_initiate(p, c, &ifc, why, sizeof(why))) {
		llog(&p->logger, RC_WARNING, "\"%s\": keying attempt %u cannot start: %s", c->name,
		     c->keying_attempt, why);
		c->keying_attempt = 0;
		return;
	}
	start_attempt(p, c, ifc, NULL, c->keying_attempt);
}

void ike_initiate_again(struct pluto *p, struct connection *c, const char *why)
{
	if (c->keying_waiting || p->shutting_down)
		return;
	c->keying_attempt = 1;
	c->keying_waiting = true;
	c->keying_at_ms = mono_ms();
	llog(&p->logger, RC_INFO, "\"%s\": %s: starting keying attempt 1", c->name, why);
	conn_timers_arm(p);
}

uint64_t keying_pause_ms(unsigned failed_attempt)
{
	uint64_t ms = 1000;
	for (unsigned i = 1; i < failed_attempt && ms < KEYING_PAUSE_MAX_MS; i++)
		ms *= 2;
	return ms < KEYING_PAUSE_MAX_MS ? ms : KEYING_PAUSE_MAX_MS;
}

void ike_initiate_failed(struct ike_sa *ike, enum initiate_failure kind, const char *why)
{
	struct pluto *p = ike->pluto;
	struct connection *c = ike->c;
	/* the IKE SA's logger goes to the waiting whack client too: the
	 * client sees the reason once, in the same words as the log */
	llog(&ike->logger, RC_WARNING, "negotiation failed: %s", why);
	if (ike->whack != NULL && ike->logger.whack_fd != ike->whack->fd)
		ctl_reply(ike->whack, "\"%s\" #%u: negotiation failed: %s",
			  c ? c->name : "", ike->serial, why);
	/* only the conn's current attempt goes on (not one that a newer
	 * initiation replaced, nor one of a conn that came up meanwhile) */
	unsigned attempt = ike->attempt;
	if (c != NULL && attempt > 0 && c->keying_attempt == attempt) {
		char tries[64];
		tries_text(c, tries, sizeof(tries));
		if (kind == FAIL_LOCAL) {
			c->keying_attempt = 0;
		} else if (c->keyingtries != 0 && attempt >= c->keyingtries) {
			llog(&ike->logger, RC_WARNING, "giving up after %u keying attempt%s (keyingtries=%u)",
			     attempt, attempt == 1 ? "" : "s", c->keyingtries);
			c->keying_attempt = 0;
		} else {
			uint64_t pause = kind == FAIL_TIMEOUT ? 0 : keying_pause_ms(attempt);
			c->keying_attempt = attempt + 1;
			c->keying_waiting = true;
			c->keying_at_ms = mono_ms() + pause;
			char when[48] = "";
			if (pause > 0)
				snprintf(when, sizeof(when), " in %.0f s", (double)pause / 1000);
			const char *bg = ike->whack != NULL
				? "; pluto goes on in the background (ipsec auto --down stops it)" : "";
			if (kind == FAIL_REFUSED)
				llog(&ike->logger, RC_WARNING,
				     "trying again although the peer's answer ended this attempt: keying attempt %u of %s%s%s",
				     attempt + 1, tries, when, bg);
			else
				llog(&ike->logger, RC_INFO, "starting keying attempt %u of %s%s%s",
				     attempt + 1, tries, when, bg);
			conn_timers_arm(p);
		}
	}
	/* instances that were to ride on this IKE SA come along next time */
	for (struct ike_work *w = ike->queue_head; c != NULL && c->keying_waiting && w != NULL;
	     w = w->next) {
		if (w->kind != WORK_NEW_CHILD || w->c == NULL || w->c->keying_waiting)
			continue;
		w->c->keying_attempt = c->keying_attempt;
		w->c->keying_waiting = true;
		w->c->keying_at_ms = c->keying_at_ms;
	}
	ike_whack_done(ike, WHACK_STATUS_REFUSED);
	ike_sa_delete(ike, NULL);
}

/* How well a conn fits a responder's packet (0: not at all). */
static int fit(const struct connection *c, const struct packet *pkt, const ip_id *peer_id,
	       bool any_version)
{
	if (c->local < 0 || (c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT))
		return 0;
	/* ikev2=insist does not answer IKEv1, ikev2=never not IKEv2 */
	if (!any_version && !conn_accepts_major(c, packet_ike_major(pkt)))
		return 0;
	struct connection *cc = (struct connection *)c;
	const struct end *me = local_end(cc), *peer = peer_end(cc);
	if (me->host_kind == HOST_ADDRESS && !address_eq(&me->host, &pkt->iface->addr))
		return 0;
	int score;
	if (peer->host_kind == HOST_ADDRESS && address_eq(&peer->host, &pkt->remote))
		score = 4;
	else if (peer->host_kind == HOST_ANY)
		score = 2;
	else
		return 0;
	if (peer_id != NULL) {
		if (!peer->id_from_host) {
			if (peer->id.kind == ID_ANY)
				score += 1;
			else if (id_eq(&peer->id, peer_id))
				score += 4;
			else
				return 0;
		} else if (peer->host_kind == HOST_ADDRESS) {
			/* no rightid=: the peer's ID must be its address */
			ip_id want = { .kind = peer->host.family == IP_V6 ? ID_IPV6 : ID_IPV4,
				       .ip = peer->host };
			if (!id_eq(&want, peer_id))
				return 0;
		}
	}
	return score;
}

static struct connection *best_fit(struct pluto *p, const struct packet *pkt, const ip_id *peer_id,
				   const struct ikev2_ts_list *tsi, const struct ikev2_ts_list *tsr,
				   bool any_version)
{
	struct connection *best = NULL;
	int best_score = 0;
	struct conn_peer_iter it;
	for (struct connection *c = connections_peer_first(&p->conns, &pkt->remote, &it); c != NULL;
	     c = connections_peer_next(&it)) {
		int s = fit(c, pkt, peer_id, any_version);
		struct child_ts ts;
		if (s > 0 && tsi != NULL && tsr != NULL &&
		    ts_narrow(c, p->opts.virtual_private, &pkt->iface->addr, &pkt->remote, tsi, tsr, &ts) != NULL)
			continue;   /* the peer asks for traffic this conn does not carry */
		/* among equals, the first added wins */
		if (s > best_score || (s > 0 && s == best_score && c->seq < best->seq)) {
			best = c;
			best_score = s;
		}
	}
	return best;
}

struct connection *conn_for_responder(struct pluto *p, const struct packet *pkt,
				      const ip_id *peer_id, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr)
{
	return best_fit(p, pkt, peer_id, tsi, tsr, false);
}

const char *conn_refusal(struct pluto *p, const struct packet *pkt, char *buf, size_t size)
{
	struct connection *c = best_fit(p, pkt, NULL, NULL, NULL, true);
	if (c == NULL)
		snprintf(buf, size, "no conn for it");
	else
		snprintf(buf, size, "its conn \"%s\" says ikev2=%s (IKEv%u is refused)", c->name,
			 c->ikev2 == IKEV2_INSIST ? "insist" : "never", packet_ike_major(pkt));
	return buf;
}

/* ---- subnet groups: instances of one conn share its IKE SA ------------------ */

bool conn_same_group(const struct connection *a, const struct connection *b)
{
	size_t la = strcspn(a->name, "/#"), lb = strcspn(b->name, "/#");
	return a->name[la] == '/' && b->name[lb] == '/' && la == lb &&
	       memcmp(a->name, b->name, la) == 0;
}

/* The first instance of c's group; *family (its name before the '/',
 * to be freed) goes to connections_family_next(). */
static struct connection *group_first(struct pluto *p, const struct connection *c, char **family)
{
	*family = strndup(c->name, strcspn(c->name, "/#"));
	if (*family == NULL)
		abort();
	return connections_family_first(&p->conns, *family);
}

/* The peer of c is the one at the other end of ike. */
static bool same_peer(const struct connection *c, const struct ike_sa *ike)
{
	struct connection *cc = (struct connection *)c;
	if (c->local < 0 || (c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT))
		return false;
	const struct end *peer = peer_end(cc);
	if (peer->host_kind == HOST_ADDRESS && !address_eq(&peer->host, &ike->remote))
		return false;
	if (peer->host_kind != HOST_ADDRESS && peer->host_kind != HOST_ANY)
		return false;
	if (!peer->id_from_host && peer->id.kind != ID_ANY && ike->peer_id.kind != ID_NONE &&
	    !id_eq(&peer->id, &ike->peer_id))
		return false;
	return true;
}

struct connection *conn_for_new_child(struct ike_sa *ike, const struct ikev2_ts_list *tsi,
				      const struct ikev2_ts_list *tsr, struct child_ts *ts)
{
	struct connection *c = ike->c;
	if (c == NULL)
		return NULL;
	if (ts_narrow(c, ike->pluto->opts.virtual_private, &ike->iface->addr, &ike->remote, tsi, tsr, ts) == NULL)
		return c;
	char *family;
	struct connection *s;
	for (s = group_first(ike->pluto, c, &family); s != NULL; s = connections_family_next(s, family)) {
		if (s != c && conn_same_group(s, c) && same_peer(s, ike) &&
		    ts_narrow(s, ike->pluto->opts.virtual_private, &ike->iface->addr, &ike->remote, tsi, tsr, ts) == NULL)
			break;
	}
	free(family);
	return s;
}

static bool has_child_of(const struct ike_sa *ike, const struct connection *c)
{
	for (const struct child_sa *ch = ike->children; ch != NULL; ch = ch->next)
		if (ch->c == c)
			return true;
	return false;
}

/* The instance of c's group (not c) that carries the pair r===l, or NULL. */
static struct connection *group_instance_for(struct ike_sa *ike, const struct connection *c,
					     const struct ikev2_ts *r, const struct ikev2_ts *l)
{
	static struct ikev2_ts_list one_r, one_l;
	one_r.n = one_l.n = 1;
	one_r.ts[0] = *r;
	one_l.ts[0] = *l;
	char *family;
	struct connection *s;
	for (s = group_first(ike->pluto, c, &family); s != NULL; s = connections_family_next(s, family)) {
		struct child_ts ts;
		if (s != c && conn_same_group(s, c) && same_peer(s, ike) &&
		    ts_narrow(s, ike->pluto->opts.virtual_private, &ike->iface->addr, &ike->remote, &one_r, &one_l, &ts) == NULL)
			break;
	}
	free(family);
	return s;
}

void group_cover_requested(struct ike_sa *ike, const struct connection *child_c,
			   const struct child_ts *ts, const struct ikev2_ts_list *tsi,
			   const struct ikev2_ts_list *tsr)
{
	for (size_t i = 0; i < tsi->n; i++) {
		for (size_t j = 0; j < tsr->n; j++) {
			const struct ikev2_ts *r = &tsi->ts[i], *l = &tsr->ts[j];
			if ((r->type != 7 && r->type != 8) || (l->type != 7 && l->type != 8) ||
			    ts_pair_overlaps(ts, r, l))
				continue;
			char rs[2 * ADDRESS_BUF + 2], ls[2 * ADDRESS_BUF + 2];
			ts_str(r, rs, sizeof(rs));
			ts_str(l, ls, sizeof(ls));
			struct connection *s = group_instance_for(ike, child_c, r, l);
			if (s == NULL) {
				llog(&ike->logger, RC_INFO,
				     "the peer also asked for %s===%s, which no conn of ours carries: that traffic has no Child SA",
				     ls, rs);
			} else if (!has_child_of(ike, s) &&
				   ike_queue(ike, WORK_NEW_CHILD, 0, s, NULL)) {
				llog(&ike->logger, RC_INFO,
				     "the peer also asked for %s===%s: negotiating \"%s\"'s own Child SA for it",
				     ls, rs, s->name);
			}
		}
	}
}
