/* whack --listall: the public keys pluto knows (each conn's
 * leftrsasigkey=/rightrsasigkey=, once per key) and the host keys in the
 * NSS database, with libreswan's key id and CKAID; then the X.509
 * certificates of the database (CAs trusted for peers first), then its
 * CRLs. */
#include <stdlib.h>
#include <string.h>
#include "connections.h"
#include "crls.h"
#include "crypto/crypto.h"
#include "ctl.h"
#include "pluto.h"
#include "swan/rsakey.h"

static void key_line(struct ctl_client *cl, const rsa_pubkey *k, const char *what)
{
	char keyid[10], hex[2 * CKAID_LEN + 1] = "?";
	uint8_t ckaid[CKAID_LEN];
	rsapubkey_keyid(k, keyid);
	if (ckaid_of_pubkey(k, ckaid) == NULL)
		str_ckaid(ckaid, hex);
	ctl_reply(cl, "  %u RSA keyid: %s ckaid: %s; %s", k->bits, keyid, hex, what);
}

/* whether k was listed for an earlier conn end */
static bool seen_before(const struct pluto *p, const struct connection *upto, int side,
			const rsa_pubkey *k)
{
	for (const struct connection *c = p->conns.head; c != NULL; c = c->next) {
		for (int s = 0; s < 2; s++) {
			if (c == upto && s == side)
				return false;
			const rsa_pubkey *o = c->end[s].rsakey;
			if (o != NULL && o->n_len == k->n_len && memcmp(o->n, k->n, k->n_len) == 0)
				return true;
		}
	}
	return false;
}

struct cert_walk {
	struct ctl_client *cl;
	bool cas;
	unsigned n;
};

static void cert_line(void *arg, const struct cert_info *info)
{
	struct cert_walk *w = arg;
	if (info->ca != w->cas)
		return;
	char subject[ID_BUF], issuer[ID_BUF];
	ctl_reply(w->cl, "  '%s' subject: '%s' issuer: '%s' until %s%s%s", info->nickname,
		  str_id(&info->subject, subject), str_id(&info->issuer, issuer), info->not_after,
		  info->expired ? " (expired)" : "", info->has_key ? "; private key in NSS" : "");
	w->n++;
}

static void list_certs(struct ctl_client *cl, bool cas)
{
	ctl_reply(cl, "%s", cas ? "List of X.509 CA certificates trusted for peers (NSS trust C):"
				: "List of X.509 certificates:");
	struct cert_walk w = { cl, cas, 0 };
	err_t e = crypto_nssdir()[0] ? cert_list(cert_line, &w) : NULL;
	if (e != NULL)
		ctl_reply(cl, "  cannot list them: %s", e);
	else if (w.n == 0)
		ctl_reply(cl, "  none");
}

int cmd_listall(struct pluto *p, const struct whack_msg *m, struct ctl_client *cl)
{
	(void)m;
	ctl_reply(cl, "List of RSA public keys (from the conns):");
	unsigned n = 0;
	for (const struct connection *c = p->conns.head; c != NULL; c = c->next) {
		for (int s = 0; s < 2; s++) {
			const rsa_pubkey *k = c->end[s].rsakey;
			if (k == NULL || seen_before(p, c, s, k))
				continue;
			char what[160];
			snprintf(what, sizeof(what), "\"%s\" %s", c->name, s == 0 ? "left" : "right");
			key_line(cl, k, what);
			n++;
		}
	}
	if (n == 0)
		ctl_reply(cl, "  none");
	ctl_reply(cl, "List of host keys (NSS database %s):", crypto_nssdir()[0] ? crypto_nssdir() : "none");
	struct hostkey_info *keys = NULL;
	size_t nk = 0;
	err_t e = crypto_nssdir()[0] ? hostkey_list(&keys, &nk) : NULL;
	if (e != NULL)
		ctl_reply(cl, "  cannot list them: %s", e);
	for (size_t i = 0; i < nk; i++)
		key_line(cl, &keys[i].pub, keys[i].nickname[0] ? keys[i].nickname : "private key in NSS");
	if (e == NULL && nk == 0)
		ctl_reply(cl, "  none");
	free(keys);
	list_certs(cl, true);
	list_certs(cl, false);
	crls_list(cl);
	return WHACK_STATUS_OK;
}
