/* XAUTH (draft-beaulieu-ike-xauth-02), generic user name and password
 * only: the server's REQUEST (XAUTH-TYPE generic, USER-NAME,
 * USER-PASSWORD), the client's REPLY, the server's SET (XAUTH-STATUS OK or
 * FAIL) and the client's ACK. Passwords are ipsec.secrets' `USER : XAUTH
 * "password"` entries on both ends (the line must name the user), compared
 * in constant time, and never logged. */
#include <stdio.h>
#include <string.h>
#include "ikev1/xa.h"
#include "pluto.h"

/* The XAUTH secret of a line naming exactly this user, or NULL. */
static const struct secret *xauth_secret(const struct secrets *s, const char *user)
{
	ip_id id;
	if (ttoid(user, &id) != NULL)
		return NULL;
	for (unsigned i = 0; i < s->n; i++) {
		const struct secret *sec = &s->v[i];
		if (sec->kind != SECRET_XAUTH)
			continue;
		for (unsigned k = 0; k < sec->n_ids; k++)
			if (id_eq(&sec->ids[k], &id))
				return sec;
	}
	return NULL;
}

/* Equal bytes, in a time that depends on the lengths only. */
static bool same_secret(chunk_t want, struct ikev2_span got)
{
	size_t n = want.len > got.len ? want.len : got.len;
	unsigned diff = want.len != got.len;
	for (size_t i = 0; i < n; i++) {
		uint8_t a = i < want.len ? want.ptr[i] : 0, b = i < got.len ? got.ptr[i] : 0;
		diff |= (unsigned)(a ^ b);
	}
	return diff == 0;
}

/* The user name as text for logs and lookups: printable ASCII only. */
static bool user_text(struct ikev2_span s, char *out, size_t cap)
{
	if (s.len == 0 || s.len >= cap)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < 0x21 || s.ptr[i] > 0x7e)
			return false;
		out[i] = (char)s.ptr[i];
	}
	out[s.len] = '\0';
	return true;
}

static uint16_t new_ident(void)
{
	uint16_t id = 0;
	if (random_bytes(&id, sizeof(id)) != NULL)
		id = 1;
	return id;
}

/* ---- server ------------------------------------------------------------------- */

bool xauth_server_start(struct ike_sa *ike)
{
	struct isakmp_cfg cfg = { .type = ISAKMP_CFG_REQUEST, .identifier = new_ident(), .n_attrs = 3 };
	cfg.attrs[0] = (struct isakmp_cfg_attr){ .type = XAUTH_TYPE, .basic = true, .value = XAUTH_TYPE_GENERIC };
	cfg.attrs[1] = (struct isakmp_cfg_attr){ .type = XAUTH_USER_NAME };
	cfg.attrs[2] = (struct isakmp_cfg_attr){ .type = XAUTH_USER_PASSWORD };
	if (!xa_send_request(ike, XA_OUT_XAUTH_REQUEST, &cfg))
		return false;
	llog(&ike->logger, RC_INFO, "XAUTH: asking the peer for its user name and password");
	return true;
}

void xauth_server_reply(struct ike_sa *ike, const struct isakmp_cfg *cfg)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	const struct isakmp_cfg_attr *u = isakmp_cfg_find(cfg, XAUTH_USER_NAME, 0);
	const struct isakmp_cfg_attr *pw = isakmp_cfg_find(cfg, XAUTH_USER_PASSWORD, 0);
	const struct isakmp_cfg_attr *t = isakmp_cfg_find(cfg, XAUTH_TYPE, 0);
	const char *why = NULL;
	const struct secret *sec = NULL;
	snprintf(xa->user, sizeof(xa->user), "?");
	if (u == NULL || u->basic || !user_text(u->data, xa->user, sizeof(xa->user)))
		why = "no user name that can be read";
	else if (pw == NULL || pw->basic)
		why = "no password";
	else if (t != NULL && (t->basic ? t->value : 1) != XAUTH_TYPE_GENERIC)
		why = "an XAUTH type other than generic";
	else if ((sec = xauth_secret(&ike->pluto->secrets, xa->user)) == NULL)
		why = "no XAUTH secret for that user in ipsec.secrets";
	else if (!same_secret(sec->value, pw->data))
		why = "wrong password";
	xa->xauth_failed = why != NULL;
	struct isakmp_cfg set = { .type = ISAKMP_CFG_SET, .identifier = new_ident(), .n_attrs = 1 };
	set.attrs[0] = (struct isakmp_cfg_attr){ .type = XAUTH_STATUS, .basic = true,
						  .value = why == NULL ? XAUTH_STATUS_OK : XAUTH_STATUS_FAIL };
	char a[ADDRESS_BUF];
	str_address(&ike->remote, a);
	const char *cname = ike->c != NULL ? ike->c->name : "";
	if (why == NULL) {
		llog(&ike->logger, RC_INFO, "XAUTH: \"%s\": user '%s' from %s authenticated", cname, xa->user, a);
		if (!xa_send_request(ike, XA_OUT_XAUTH_SET, &set))
			xa_fail(ike, "cannot send the XAUTH status");
		return;
	}
	llog(&ike->logger, RC_WARNING, "XAUTH: \"%s\": user '%s' from %s failed authentication: %s", cname,
	     xa->user, a, why);
	/* the FAIL status goes once; the ISAKMP SA goes with it */
	xa_send_request(ike, XA_OUT_XAUTH_SET, &set);
	char w[XA_USER_MAX + 64];
	snprintf(w, sizeof(w), "XAUTH failed for user '%s'", xa->user);
	xa_fail(ike, w);
}

void xauth_server_ack(struct ike_sa *ike)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	xa->xauth_done = true;
	ldbg(&ike->logger, DBG_CONTROL, "XAUTH: the peer acknowledged its status");
	xa_next(ike);
}

/* ---- client ------------------------------------------------------------------- */

bool xauth_client_request(struct ike_sa *ike, const struct isakmp_cfg *req, struct isakmp_cfg *ans,
			  uint8_t *buf, size_t cap)
{
	(void)buf;
	(void)cap;
	struct ikev1_transaction *xa = ike->v1.xa;
	if (req->type == ISAKMP_CFG_SET) {
		const struct isakmp_cfg_attr *st = isakmp_cfg_find(req, XAUTH_STATUS, 0);
		*ans = (struct isakmp_cfg){ .type = ISAKMP_CFG_ACK, .identifier = req->identifier };
		if (st != NULL)
			ans->attrs[ans->n_attrs++] = (struct isakmp_cfg_attr){ .type = XAUTH_STATUS, .basic = true,
									       .value = st->value };
		return true;
	}
	const struct isakmp_cfg_attr *t = isakmp_cfg_find(req, XAUTH_TYPE, 0);
	const char *user = ike->c != NULL ? local_end(ike->c)->xauth_username : NULL;
	const struct secret *sec = NULL;
	char why[XA_USER_MAX + 64] = "";
	if (t != NULL && (t->basic ? t->value : 1) != XAUTH_TYPE_GENERIC)
		snprintf(why, sizeof(why), "the server asks for XAUTH type %u: generic only here",
			 t->basic ? t->value : 65535u);
	else if (user == NULL || user[0] == '\0')
		snprintf(why, sizeof(why), "XAUTH: leftxauthusername= is not set");
	else if ((sec = xauth_secret(&ike->pluto->secrets, user)) == NULL)
		snprintf(why, sizeof(why), "XAUTH: no XAUTH password for user '%s' in ipsec.secrets", user);
	if (why[0] != '\0') {
		xa_fail(ike, why);
		return false;
	}
	snprintf(xa->user, sizeof(xa->user), "%s", user);
	*ans = (struct isakmp_cfg){ .type = ISAKMP_CFG_REPLY, .identifier = req->identifier };
	if (t != NULL)
		ans->attrs[ans->n_attrs++] = (struct isakmp_cfg_attr){ .type = XAUTH_TYPE, .basic = true,
								       .value = XAUTH_TYPE_GENERIC };
	ans->attrs[ans->n_attrs++] = (struct isakmp_cfg_attr){ .type = XAUTH_USER_NAME,
							       .data = { (const uint8_t *)user, strlen(user) } };
	ans->attrs[ans->n_attrs++] = (struct isakmp_cfg_attr){ .type = XAUTH_USER_PASSWORD,
							       .data = { sec->value.ptr, sec->value.len } };
	llog(&ike->logger, RC_INFO, "XAUTH: answering the server as user '%s'", user);
	return true;
}

void xauth_client_status(struct ike_sa *ike, const struct isakmp_cfg *set)
{
	struct ikev1_transaction *xa = ike->v1.xa;
	const struct isakmp_cfg_attr *st = isakmp_cfg_find(set, XAUTH_STATUS, 0);
	bool ok = st != NULL && (st->basic ? st->value == XAUTH_STATUS_OK
				 : st->data.len == 2 && st->data.ptr[0] == 0 && st->data.ptr[1] == XAUTH_STATUS_OK);
	if (!ok) {
		char why[XA_USER_MAX + 64];
		snprintf(why, sizeof(why), "XAUTH: the server refused user '%s'", xa->user);
		xa_fail(ike, why);
		return;
	}
	llog(&ike->logger, RC_INFO, "XAUTH: the server accepted user '%s'", xa->user);
	xa->xauth_done = true;
	xa_next(ike);
}

/* ---- Main Mode's authentication method (draft-beaulieu-ike-xauth-02 5) ---- */

#define OAKLEY_AUTH_ATTR 3
#define OAKLEY_PRESHARED 1
#define XAUTH_INIT_PRESHARED 65001   /* the initiator is the XAUTH client */
#define XAUTH_RESP_PRESHARED 65002   /* the responder is the XAUTH client */

static bool does_xauth(const struct connection *c)
{
	return c != NULL && c->local >= 0 && (c->end[c->local].xauth_client || c->end[c->local].xauth_server);
}

uint64_t ikev1_xauth_psk_method(const struct connection *c, uint64_t auth)
{
	if ((auth == XAUTH_INIT_PRESHARED || auth == XAUTH_RESP_PRESHARED) && does_xauth(c))
		return OAKLEY_PRESHARED;
	return auth;
}

void ikev1_xauth_propose(const struct connection *c, struct isakmp_sa *sa)
{
	if (!does_xauth(c))
		return;
	uint64_t m = c->end[c->local].xauth_client ? XAUTH_INIT_PRESHARED : XAUTH_RESP_PRESHARED;
	for (size_t i = 0; i < sa->n_proposals; i++)
		for (size_t k = 0; k < sa->proposals[i].n_transforms; k++) {
			struct isakmp_transform *t = &sa->proposals[i].transforms[k];
			for (size_t a = 0; a < t->n_attrs; a++)
				if (t->attrs[a].basic && t->attrs[a].type == OAKLEY_AUTH_ATTR &&
				    t->attrs[a].value == OAKLEY_PRESHARED)
					t->attrs[a].value = m;
		}
}
