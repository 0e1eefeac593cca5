/* Loading conns into the daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conn_load.h"
#include "conn_timers.h"
#include "crypto/crypto.h"
#include "connections.h"
#include "ctl.h"
#include "dns.h"
#include "iface.h"
#include "ike/child.h"
#include "ike/initiate.h"
#include "ike/sa.h"
#include "pluto.h"

static void say(struct pluto *p, struct ctl_client *cl, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(struct pluto *p, struct ctl_client *cl, enum log_level lvl, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	llog(&p->logger, lvl, "%s", text);
	ctl_reply(cl, "%s", text);
}

static bool orient(struct pluto *p, struct connection *c, struct ctl_client *cl)
{
	char why[256];
	if (connection_orient(c, ifaces_is_local, p, why, sizeof(why))) {
		connections_reindex(&p->conns, c);   /* under its peer's address now */
		return true;
	}
	say(p, cl, RC_WARNING, "\"%s\": %s; the conn stays unused until it can be oriented",
	    c->name, why);
	return false;
}

/* A lookup of one end's host name. The conn may be replaced or deleted
 * before the answer comes: it is found again by name and load serial. */
struct lookup {
	char *conn;
	unsigned serial;
	int side;
};

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

static const char *side_name(int side)
{
	return side ? "right" : "left";
}

static void resolved(struct pluto *p, void *arg, const ip_address *a, const char *err)
{
	struct lookup *l = arg;
	struct connection *c = connections_find(&p->conns, l->conn);
	if (c != NULL && c->serial == l->serial && c->end[l->side].host_kind == HOST_DNS) {
		struct end *e = &c->end[l->side];
		e->dns_pending = false;
		if (a == NULL) {
			/* looked up again later, the pause doubling; the log tells
			 * the first failure and each new reason, not every retry */
			bool news = e->dns_error == NULL || strcmp(e->dns_error, err) != 0;
			free(e->dns_error);
			e->dns_error = xstrdup(err);
			e->dns_retry_s = dns_retry_pause_s(e->dns_retry_s);
			e->dns_retry_at_ms = mono_ms() + e->dns_retry_s * 1000ull;
			if (news)
				llog(&p->logger, RC_WARNING,
				     "\"%s\": cannot resolve %s=%s: %s (looking it up again in %u s)",
				     c->name, side_name(l->side), e->host_text, err, e->dns_retry_s);
			else
				ldbg(&p->logger, DBG_DNS, "\"%s\": %s=%s: still %s; next lookup in %u s",
				     c->name, side_name(l->side), e->host_text, err, e->dns_retry_s);
			conn_timers_arm(p);
		} else {
			free(e->dns_error);
			e->dns_error = NULL;
			e->dns_retry_s = 0;
			e->dns_retry_at_ms = 0;
			char buf[ADDRESS_BUF];
			e->host = *a;
			e->host_kind = HOST_ADDRESS;
			llog(&p->logger, RC_INFO, "\"%s\": %s=%s is %s", c->name, side_name(l->side),
			     e->host_text, str_address(a, buf));
			connections_reindex(&p->conns, c);
			bool pending = c->end[!l->side].host_kind == HOST_DNS;
			if (!pending && orient(p, c, NULL))
				conn_autostart(p, c);
		}
	}
	free(l->conn);
	free(l);
}

unsigned conn_resolve(struct pluto *p, struct connection *c)
{
	unsigned started = 0;
	for (int s = 0; s < 2; s++) {
		struct end *e = &c->end[s];
		if (e->host_kind != HOST_DNS || e->dns_pending)
			continue;
		struct lookup *l = calloc(1, sizeof(*l));
		if (l == NULL)
			abort();
		l->conn = xstrdup(c->name);
		l->serial = c->serial;
		l->side = s;
		e->dns_pending = true;
		e->dns_retry_at_ms = 0;
		started++;
		dns_lookup(p, e->host_text, IP_V4, resolved, l);   /* may answer at once */
	}
	return started;
}

void conn_autostart(struct pluto *p, struct connection *c)
{
	char why[256];
	if (c->local < 0)
		return;
	bool shunt = c->type != CONN_TUNNEL && c->type != CONN_TRANSPORT;
	if ((c->autostart == AUTO_ROUTE || (shunt && c->autostart != AUTO_IGNORE &&
					    c->autostart != AUTO_ADD)) &&
	    !conn_route(p, c, why, sizeof(why)))
		llog(&p->logger, RC_WARNING, "\"%s\": %s", c->name, why);
	if (c->autostart == AUTO_START && !shunt && !ike_initiate(p, c, NULL, why, sizeof(why)))
		llog(&p->logger, RC_WARNING, "\"%s\": %s", c->name, why);
}

unsigned conn_unload(struct pluto *p, struct connection *c, const char *why)
{
	/* the peer is told first (Deletes), then the kernel state goes: the
	 * SAs with their policies, then the trap or shunt policies; no SA
	 * points at c when it is freed */
	unsigned n = sa_delete_conn(p, c, why);
	conn_unroute(p, c);
	connections_unlink(&p->conns, c);
	connection_free(c);
	return n;
}

/* leftcert=/rightcert= from the NSS database, the IDs they carry
 * (%fromcert, no leftid=, or an ID that must be in the certificate) and
 * rightca= as a DN. False with err set (naming the key) otherwise. */
static bool load_certs(struct connection *c, char *err, size_t size)
{
	for (int s = 0; s < 2; s++) {
		struct end *e = &c->end[s];
		const char *side = side_name(s);
		if (e->ca != NULL && strcmp(e->ca, "%same") != 0 && strcmp(e->ca, "%any") != 0) {
			err_t x = ttoid(e->ca, &e->ca_id);
			if (x == NULL && e->ca_id.kind != ID_DER_ASN1_DN)
				x = "not a DN";
			if (x != NULL) {
				snprintf(err, size, "%sca=%s: %s", side, e->ca, x);
				return false;
			}
		}
		if (e->cert == NULL)
			continue;
		chunk_t der;
		err_t x = cert_by_nickname(e->cert, &der);
		if (x != NULL) {
			snprintf(err, size, "%scert=%s: %s", side, e->cert, x);
			return false;
		}
		e->cert_der = der.ptr;
		e->cert_len = der.len;
		enum key_kind kind;
		if ((x = cert_key_kind(der, &kind, &e->cert_bits)) != NULL) {
			snprintf(err, size, "%scert=%s: %s", side, e->cert, x);
			return false;
		}
		e->cert_ecdsa = kind == KEY_ECDSA;
		/* the key must sign by a method authby= allows */
		unsigned need = e->cert_ecdsa ? AUTH_ECDSA : AUTH_RSASIG;
		if ((c->authby & AUTH_SIG) && !(c->authby & need)) {
			snprintf(err, size, "%scert=%s has %s %u-bit key, but authby= does not allow %s "
				 "(authby=%s)", side, e->cert, e->cert_ecdsa ? "an ECDSA" : "an RSA",
				 e->cert_bits, e->cert_ecdsa ? "ECDSA" : "RSA",
				 e->cert_ecdsa ? "ecdsa or rsasig,ecdsa" : "rsasig or rsasig,ecdsa");
			return false;
		}
		ip_id subject;
		if ((x = cert_subject(der, &subject, NULL)) != NULL) {
			snprintf(err, size, "%scert=%s: %s", side, e->cert, x);
			return false;
		}
		if (e->id_from_host || e->id.kind == ID_FROMCERT) {
			e->id = subject;
			e->id_from_host = false;
		} else if (e->id.kind != ID_ANY && !cert_names_id(der, &e->id)) {
			char want[ID_BUF], has[ID_BUF];
			snprintf(err, size, "%sid=%s is not in the certificate '%s' (subject '%s', "
				 "and no subjectAltName with that ID)", side, str_id(&e->id, want),
				 e->cert, str_id(&subject, has));
			return false;
		}
	}
	for (int s = 0; s < 2; s++) {
		struct end *e = &c->end[s], *o = &c->end[!s];
		/* the peer's ID is whatever its verified certificate says */
		if (e->id.kind == ID_FROMCERT) {
			e->id.kind = ID_ANY;
			e->id_from_host = false;
		}
		/* ca=%same: the CA of the other end (its ca=, or its cert's issuer) */
		if (e->ca != NULL && strcmp(e->ca, "%same") == 0) {
			if (o->ca_id.kind == ID_DER_ASN1_DN) {
				e->ca_id = o->ca_id;
			} else if (o->cert_der == NULL ||
				   cert_subject(chunk_from(o->cert_der, o->cert_len), NULL, &e->ca_id) != NULL) {
				snprintf(err, size, "%sca=%%same needs %sca= or %scert=", side_name(s),
					 side_name(!s), side_name(!s));
				return false;
			}
		}
	}
	return true;
}

/* Our certificate's private key must be in the database. */
static bool local_cert_key(struct connection *c, char *err, size_t size)
{
	if (c->local < 0 || c->end[c->local].cert == NULL)
		return true;
	err_t x = cert_has_private_key(c->end[c->local].cert);
	if (x == NULL)
		return true;
	snprintf(err, size, "%scert=%s: %s", side_name(c->local), c->end[c->local].cert, x);
	return false;
}

/* The same resolved settings: every key with the same value. */
static bool same_keys(const struct whack_kvs *a, const struct whack_kvs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const char *v = whack_kvs_get(b, a->v[i].key);
		if (v == NULL || strcmp(v, a->v[i].value) != 0)
			return false;
	}
	return true;
}

int conn_load(struct pluto *p, const char *name, const struct whack_kvs *keys,
	      struct ctl_client *cl)
{
	char err[256];
	struct connection *c = connection_from_keys(name, keys, err, sizeof(err));
	if (c == NULL) {
		say(p, cl, RC_ERROR, "\"%s\": cannot add: %s", name, err);
		return WHACK_STATUS_REFUSED;
	}
	if (!load_certs(c, err, sizeof(err))) {
		say(p, cl, RC_ERROR, "\"%s\": cannot add: %s", name, err);
		connection_free(c);
		return WHACK_STATUS_REFUSED;
	}
	struct connection *old = connections_find(&p->conns, name);
	if (old != NULL && same_keys(&old->keys, &c->keys)) {
		/* nothing to do: its SAs and policies stay as they are */
		connection_free(c);
		old->reload_seen = true;
		say(p, cl, RC_INFO, "\"%s\": unchanged", name);
		return 0;
	}
	if (old != NULL) {
		say(p, cl, RC_INFO, "\"%s\": replacing the conn of that name", name);
		unsigned n = conn_unload(p, old, "the conn was replaced");
		if (n > 0)
			say(p, cl, RC_INFO, "\"%s\": deleted %u SA%s of the old conn", name, n,
			    n == 1 ? "" : "s");
	}
	static unsigned serial;
	c->serial = ++serial;
	c->reload_seen = true;
	connections_add(&p->conns, c);
	bool dns = c->end[0].host_kind == HOST_DNS || c->end[1].host_kind == HOST_DNS;
	bool oriented = !dns && orient(p, c, cl);
	if (!local_cert_key(c, err, sizeof(err))) {
		say(p, cl, RC_ERROR, "\"%s\": cannot add: %s", name, err);
		conn_unload(p, c, "no private key");
		return WHACK_STATUS_REFUSED;
	}
	say(p, cl, RC_INFO, "added connection \"%s\"%s", name, dns ? " (resolving host names)" : "");
	if (dns)
		conn_resolve(p, c);
	if (oriented)
		ldbg(&p->logger, DBG_CONTROL, "\"%s\": this host is %s", name, c->local ? "right" : "left");
	return 0;
}

void conn_orient_all(struct pluto *p)
{
	for (struct connection *c = p->conns.head; c != NULL; c = c->next) {
		if (c->local >= 0 || c->end[0].host_kind == HOST_DNS || c->end[1].host_kind == HOST_DNS)
			continue;
		char why[256];
		if (connection_orient(c, ifaces_is_local, p, why, sizeof(why))) {
			llog(&p->logger, RC_INFO, "\"%s\": oriented: this host is %s", c->name,
			     c->local ? "right" : "left");
			conn_autostart(p, c);
		}
	}
}
