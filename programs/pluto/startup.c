/* Start-up and shutdown: NSS, the kernel, the control socket, the IKE
 * sockets, capabilities, the helpers, DNS, signals, then the conns of
 * --config. Shutdown undoes it all in reverse. */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "caps.h"
#include "conn_load.h"
#include "conn_timers.h"
#include "ike/dh_busy.h"
#include "crls.h"
#include "crypto/crypto.h"
#include "ctl.h"
#include "dns.h"
#include "helpers.h"
#include "iface.h"
#include "ike/child.h"
#include "ike/initiate.h"
#include "ike/ops.h"
#include "ike/queue.h"
#include "ike/sa.h"
#include "ipsecconf/conf.h"
#include "kernel/kernel.h"
#include "pluto.h"
#include "sdnotify.h"
#include "startup.h"

void pluto_shutdown(struct pluto *p)
{
	p->shutting_down = true;
	event_base_loopexit(p->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct pluto *p = arg;
	if (sig == SIGHUP) {
		struct diags d = { 0 };
		sdnotify_reloading(p);
		/* logrotate moved the log file away: write to a new one */
		if (p->opts.logfile != NULL && !log_reopen(p->opts.logfile))
			llog(&p->logger, RC_WARNING, "SIGHUP: cannot open the log file %s again: %s",
			     p->opts.logfile, strerror(errno));
		secrets_free(&p->secrets);
		secrets_load(&p->secrets, p->opts.secretsfile, &d);
		llog(&p->logger, RC_INFO, "SIGHUP: %u secrets reloaded", p->secrets.n);
		diags_free(&d);
		sdnotify_ready(p, "pluto ready");
		return;
	}
	llog(&p->logger, RC_INFO, "signal %d", (int)sig);
	pluto_shutdown(p);
}

/* ---- kernel events ------------------------------------------------------ */

static void on_kernel_event(const struct kernel_event *ev, void *arg)
{
	struct pluto *p = arg;
	char why[256];
	if (ev->type == KERNEL_EVENT_ACQUIRE) {
		struct connection *c = conn_by_reqid(p, ev->reqid);
		if (c == NULL || ike_sa_of_conn(p, c) != NULL || c->keying_waiting)
			return;   /* up, or its next keying attempt is coming */
		for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all)
			if (s->c == c)
				return;   /* already negotiating */
		llog(&p->logger, RC_INFO, "\"%s\": traffic caught by the trap policy: initiating",
		     c->name);
		if (!ike_initiate(p, c, NULL, why, sizeof(why)))
			llog(&p->logger, RC_WARNING, "\"%s\": %s", c->name, why);
		return;
	}
	/* EXPIRE: find the Child SA by its SPI */
	for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = s->next_all) {
		struct child_sa *c = child_sa_by_spi_in(s, ev->spi);
		if (c == NULL)
			c = child_sa_by_spi_out(s, ev->spi);
		if (c == NULL || c->state != CHILD_ESTABLISHED)
			continue;
		if (!ev->hard) {
			if (s->original_initiator)
				ike_queue(s, WORK_REKEY_CHILD, c->serial, NULL, NULL);
		} else {
			c->installed = false;   /* the kernel removed it */
			child_sa_delete(c, "the kernel's hard lifetime expired");
		}
		return;
	}
}

static void on_kernel_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pluto *p = arg;
	kernel_process_events(p->kernel, on_kernel_event, p);
}

/* ---- the conns of --config --------------------------------------------- */

struct load_ctx {
	struct pluto *p;
	unsigned loaded, failed;
};

static void load_one(const struct resolved *r, void *arg)
{
	struct load_ctx *lc = arg;
	if (r->type != SECT_CONN || r->group)
		return;
	const char *a = resolved_value(r, "auto");
	if (a == NULL || strcmp(a, "ignore") == 0 || strcmp(a, "manual") == 0)
		return;
	struct whack_msg m;
	whack_msg_init(&m, WHACK_ADD);
	for (size_t i = 0; i < r->n_kv; i++)
		whack_msg_add_conn(&m, r->kv[i].key, r->kv[i].value);
	if (conn_load(lc->p, r->name, &m.conn, NULL) == 0) {
		lc->loaded++;
		struct connection *c = connections_find(&lc->p->conns, r->name);
		if (c != NULL)
			conn_autostart(lc->p, c);
	} else {
		lc->failed++;
	}
	whack_msg_free(&m);
}

static void load_config(struct pluto *p)
{
	struct ipsecconf_options opts = { .no_implicit = true };
	/* main.c's parse, taken over (freed below), else a parse here */
	struct ipsecconf *conf = p->opts.config_parsed;
	struct diags d = p->opts.config_parse_diags;
	p->opts.config_parsed = NULL;
	p->opts.config_parse_diags = (struct diags){ 0 };
	if (conf == NULL)
		conf = ipsecconf_load_file(p->opts.config, &opts, &d);
	struct load_ctx lc = { p, 0, 0 };
	ipsecconf_walk(conf, load_one, &lc, &d);
	for (size_t i = 0; i < d.n; i++)
		llog(&p->logger, d.v[i].level == DIAG_ERROR ? RC_ERROR : RC_WARNING, "%s:%u: %s",
		     d.v[i].file ? d.v[i].file : "", d.v[i].line, d.v[i].text);
	llog(&p->logger, RC_INFO, "%s: %u conns loaded, %u refused", p->opts.config, lc.loaded,
	     lc.failed);
	diags_free(&d);
	ipsecconf_free(conf);
}

/* ---- start and stop --------------------------------------------------------- */

static bool write_pid(struct pluto *p)
{
	snprintf(p->pid_path, sizeof(p->pid_path), "%s/pluto.pid", p->opts.rundir);
	FILE *f = fopen(p->pid_path, "w");
	if (f == NULL) {
		llog(&p->logger, RC_ERROR, "cannot write %s: %s", p->pid_path, strerror(errno));
		p->pid_path[0] = '\0';
		return false;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return true;
}

static bool open_nss(struct pluto *p)
{
	bool created = false;
	err_t e = crypto_init_nssdb_create(p->opts.nssdir, &created);
	if (e != NULL) {
		llog(&p->logger, RC_ERROR, "NSS: %s", e);
		return false;
	}
	if (created)
		llog(&p->logger, RC_INFO, "created an empty NSS database in %s", p->opts.nssdir);
	return true;
}

int pluto_start(struct pluto *p)
{
	p->ctl_fd = -1;
	p->base = event_base_new();
	if (p->base == NULL) {
		llog(&p->logger, RC_ERROR, "cannot start the event loop");
		return 1;
	}
	if (!open_nss(p))
		return 1;
	struct kernel_diag kd;
	p->kernel = kernel_open(p->opts.kernel, &p->logger, &kd);
	if (p->kernel == NULL) {
		llog(&p->logger, RC_ERROR, "kernel backend %s: %s", p->opts.kernel, kd.text);
		return 1;
	}
	llog(&p->logger, RC_INFO, "kernel backend: %s", p->opts.kernel);
	if (!ctl_open(p))
		return 1;
	write_pid(p);

	struct diags d = { 0 };
	if (access(p->opts.secretsfile, F_OK) == 0)
		secrets_load(&p->secrets, p->opts.secretsfile, &d);
	else
		llog(&p->logger, RC_INFO, "no secrets file %s", p->opts.secretsfile);
	for (size_t i = 0; i < d.n; i++)
		llog(&p->logger, d.v[i].level == DIAG_ERROR ? RC_ERROR : RC_WARNING, "%s:%u: %s",
		     d.v[i].file ? d.v[i].file : "", d.v[i].line, d.v[i].text);
	diags_free(&d);

	p->sas = sa_table_new();
	if (!ifaces_open(p, ike_receive))
		return 1;
	/* Capabilities are per thread: dropped before any thread (crypto
	 * helpers, libunbound's) is started, so that none keeps more. */
	caps_drop(&p->logger);
	crls_start(p);   /* the CRL policy is set before the helpers run */
	if (!ocsp_start(p))
		return 1;
	helpers_start(p, p->opts.nhelpers);
	dns_start(p);
	int kfd = kernel_event_fd(p->kernel);
	if (kfd >= 0) {
		p->kernel_event = event_new(p->base, kfd, EV_READ | EV_PERSIST, on_kernel_readable, p);
		event_add(p->kernel_event, NULL);
	}
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		p->signals[i] = evsignal_new(p->base, sigs[i], on_signal, p);
		event_add(p->signals[i], NULL);
	}
	if (p->opts.config != NULL)
		load_config(p);
	return 0;
}

void pluto_config_forget(struct pluto_options *o)
{
	ipsecconf_free(o->config_parsed);
	o->config_parsed = NULL;
	diags_free(&o->config_parse_diags);
}

void pluto_stop(struct pluto *p)
{
	pluto_config_forget(&p->opts);   /* when it stopped before loading it */
	p->shutting_down = true;   /* nothing is scheduled any more */
	conn_timers_stop(p);
	crls_stop(p);
	/* tell the peers, then forget the SAs */
	if (p->sas != NULL) {
		struct ike_sa *next;
		for (struct ike_sa *s = ike_sa_first(p); s != NULL; s = next) {
			next = s->next_all;
			if (s->ops->goodbye != NULL)
				s->ops->goodbye(s);
			ike_sa_delete(s, NULL);
		}
	}
	for (struct connection *c = p->conns.head; c != NULL; c = c->next)
		conn_unroute(p, c);
	connections_free(&p->conns);
	helpers_stop(p);
	ike_dh_busy_stop(p);   /* after the helpers: no job holds a shared pair */
	dns_stop(p);
	ifaces_close(p);
	for (size_t i = 0; i < sizeof(p->signals) / sizeof(p->signals[0]); i++)
		if (p->signals[i] != NULL)
			event_free(p->signals[i]);
	if (p->kernel_event != NULL)
		event_free(p->kernel_event);
	/* removes whatever is still installed */
	kernel_close(p->kernel);
	ctl_close(p);
	if (p->pid_path[0] != '\0')
		unlink(p->pid_path);
	secrets_free(&p->secrets);
	if (p->sas != NULL)
		sa_table_free(p->sas);
	crypto_shutdown();
	if (p->base != NULL)
		event_base_free(p->base);
}
