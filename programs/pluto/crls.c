/* CRLs as pluto runs them (see crls.h). */
#include <event2/event.h>
#include <stdio.h>
#include "crls.h"
#include "crypto/crypto.h"
#include "ctl.h"
#include "pluto.h"

struct crl_walk {
	struct pluto *p;          /* NULL: no log */
	struct ctl_client *cl;    /* NULL: no reply */
	unsigned n;
};

static void crl_line(void *arg, const struct crl_info *info)
{
	struct crl_walk *w = arg;
	char issuer[ID_BUF], line[ID_BUF + 160];
	snprintf(line, sizeof(line), "CRL of '%s': %u revoked, updated %s, next update %s%s",
		 str_id(&info->issuer, issuer), info->revoked,
		 info->this_update[0] ? info->this_update : "?",
		 info->next_update[0] ? info->next_update : "none given",
		 info->out_of_date ? " (out of date)" : "");
	if (w->p != NULL)
		llog(&w->p->logger, info->out_of_date ? RC_WARNING : RC_INFO, "%s", line);
	if (w->cl != NULL)
		ctl_reply(w->cl, "  %s", line);
	w->n++;
}

unsigned crls_reread(struct pluto *p, struct ctl_client *cl)
{
	struct crl_walk w = { p, cl, 0 };
	err_t e = crl_list(true, crl_line, &w);
	if (e != NULL) {
		llog(&p->logger, RC_WARNING, "cannot read the CRLs: %s", e);
		if (cl != NULL)
			ctl_reply(cl, "cannot read the CRLs: %s", e);
	} else if (cl != NULL) {
		ctl_reply(cl, "%u CRL%s in the NSS database%s", w.n, w.n == 1 ? "" : "s",
			  crl_strict() ? " (strictcrlpolicy=yes)" : "");
	}
	return w.n;
}

void crls_list(struct ctl_client *cl)
{
	ctl_reply(cl, "List of CRLs (NSS database; strictcrlpolicy=%s):", crl_strict() ? "yes" : "no");
	struct crl_walk w = { NULL, cl, 0 };
	err_t e = crl_list(false, crl_line, &w);
	if (e != NULL)
		ctl_reply(cl, "  cannot list them: %s", e);
	else if (w.n == 0)
		ctl_reply(cl, "  none");
}

static void on_crl_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	crls_reread(arg, NULL);
}

void crls_start(struct pluto *p)
{
	crl_set_strict(p->opts.strictcrlpolicy);
	unsigned n = crls_reread(p, NULL);
	if (p->opts.strictcrlpolicy || n > 0)
		llog(&p->logger, RC_INFO, "peer certificates checked against %u CRL%s%s", n,
		     n == 1 ? "" : "s",
		     p->opts.strictcrlpolicy ? "; strictcrlpolicy=yes: an issuer without a "
					       "current CRL refuses"
					     : "");
	if (p->opts.crlcheckinterval_s == 0 || p->base == NULL)
		return;
	p->crl_timer = event_new(p->base, -1, EV_PERSIST, on_crl_timer, p);
	struct timeval tv = { (time_t)p->opts.crlcheckinterval_s, 0 };
	event_add(p->crl_timer, &tv);
}

bool ocsp_start(struct pluto *p)
{
	const struct pluto_options *o = &p->opts;
	struct ocsp_policy pol = { .enable = o->ocsp_enable, .strict = o->ocsp_strict, .timeout_s = o->ocsp_timeout_s,
				   .uri = o->ocsp_uri, .trustname = o->ocsp_trustname };
	err_t e = ocsp_setup(&pol);
	if (e != NULL) {
		llog(&p->logger, RC_ERROR, "OCSP: %s", e);
		return false;
	}
	if (o->ocsp_enable)
		llog(&p->logger, RC_INFO, "OCSP: peer certificates checked with %s%s (timeout %us; %s)",
		     o->ocsp_uri != NULL ? "the responder " : "the responder each one names",
		     o->ocsp_uri != NULL ? o->ocsp_uri : "", o->ocsp_timeout_s,
		     o->ocsp_strict ? "ocsp-strict=yes: no answer refuses" : "no answer lets a certificate through");
	return true;
}

void crls_stop(struct pluto *p)
{
	if (p->crl_timer != NULL) {
		event_free(p->crl_timer);
		p->crl_timer = NULL;
	}
}
