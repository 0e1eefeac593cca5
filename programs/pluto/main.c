/* pluto: the keying daemon. Options, start-up in a fixed order (log, NSS,
 * kernel, control socket, IKE sockets, capabilities, conns), the libevent
 * loop, and an orderly shutdown that removes what pluto installed. */
#include <errno.h>
#include <stddef.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipsecconf/conf.h"
#include "ipsecconf/pluto_opts.h"
#include "caps.h"
#include "crypto/crypto.h"
#include "ctl.h"
#include "dns.h"
#include "helpers.h"
#include "iface.h"
#include "ikev2/cookie.h"
#include "ike/natt.h"
#include "ike/transmit.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "pluto.h"
#include "sdnotify.h"
#include "startup.h"
#include "swan/deltatime.h"
#include "swan/subnet.h"
#include "swan/scalars.h"

#define STR(x) #x
#define XSTR(x) STR(x)

static const char usage[] =
	"usage: ipsec pluto [--nofork] [--stderrlog] [--logfile FILE]\n"
	"                   [--config FILE] [--secretsfile FILE] [--ipsecdir DIR]\n"
	"                   [--nssdir DIR] [--rundir DIR] [--nhelpers N]\n"
	"                   [--debug CATS] [--kernel xfrm|none] [--listen ADDR]...\n"
	"                   [--ikeport N] [--natikeport N] [--uniqueids yes|no]\n"
	"                   [--force-busy | --force-unlimited | --ddos-mode MODE]\n"
	"                   [--ddos-ike-threshold N] [--retransmit-timeout S]\n"
	"                   [--keep-alive S] [--max-halfopen-ike N]\n"
	"                   [--max-halfopen-ike-per-address N] [--dh-reuse S]\n"
	"                   [--strictcrlpolicy yes|no] [--crlcheckinterval TIME]\n"
	"                   [--virtual-private LIST] [--ocsp-enable yes|no]\n"
	"                   [--ocsp-strict yes|no] [--ocsp-timeout S] [--ocsp-uri URI]\n"
	"                   [--ocsp-trustname NICKNAME]\n"
	"  --config FILE   load the conns of FILE (auto=add|route|start) and take\n"
	"                  its config setup keys plutodebug= nhelpers= uniqueids=\n"
	"                  ddos-mode= ddos-ike-threshold= keep_alive= max-halfopen-ike=\n"
	"                  max-halfopen-ike-per-address= nssdir= secretsfile=\n"
	"                  strictcrlpolicy= crlcheckinterval= virtual_private=\n"
	"                  ocsp-enable= ocsp-strict= ocsp-timeout= ocsp-uri=\n"
	"                  ocsp-trustname= as these options\n"
	"                  (one given here wins)\n"
	"  --kernel none   negotiate and record SAs without installing them\n"
	"                  (for hosts whose kernel has no ESP)\n"
	"  --force-busy    always answer a new IKE_SA_INIT request with a COOKIE\n"
	"                  (RFC 7296 2.6): the initiator must send it again with\n"
	"                  that cookie before any DH work is done for it\n"
	"  --force-unlimited  never ask for a COOKIE\n"
	"  --ddos-mode MODE   busy (as --force-busy), unlimited (as\n"
	"                  --force-unlimited) or auto (the default): ask for a\n"
	"                  COOKIE only while --ddos-ike-threshold half-open IKE SAs\n"
	"                  exist (libreswan's config setup ddos-mode=)\n"
	"  --ddos-ike-threshold N  half-open IKE SAs (answered IKE_SA_INIT, no\n"
	"                  IKE_AUTH yet) from which on auto mode asks for COOKIEs\n"
	"                  (default " XSTR(COOKIE_THRESHOLD_DEFAULT) "; libreswan's ddos-ike-threshold=);\n"
	"                  a half-open IKE SA is forgotten after " XSTR(IKE_HALF_OPEN_LIFETIME_S) " s\n"
	"  --retransmit-timeout S  how long a request of ours is retransmitted\n"
	"                  before it has failed (default " XSTR(RETRANSMIT_TIMEOUT_S) " s; 1..3600): the\n"
	"                  first retransmission " XSTR(RETRANSMIT_INTERVAL_MS) " ms after it, each pause twice\n"
	"                  the one before, at most " XSTR(RETRANSMIT_INTERVAL_MAX_MS) " ms (libreswan's\n"
	"                  retransmit-interval= and retransmit-timeout= defaults;\n"
	"                  not conn keywords here). Meant for tests.\n"
	"  --keep-alive S  NAT-T keepalives every S seconds from a host behind a NAT\n"
	"                  (default " XSTR(NATT_KEEPALIVE_DEFAULT_S) "; config setup keep_alive=)\n"
	"  --max-halfopen-ike N  IKE SAs that answered IKE_SA_INIT and wait for\n"
	"                  IKE_AUTH, at most (default " XSTR(HALF_OPEN_MAX_DEFAULT) "; libreswan's\n"
	"                  max-halfopen-ike=); a request beyond it is dropped\n"
	"                  before any DH work\n"
	"  --max-halfopen-ike-per-address N  the same, for one peer address\n"
	"                  (default " XSTR(HALF_OPEN_PER_ADDRESS_DEFAULT) "; config setup max-halfopen-ike-per-address=)\n"
	"  --dh-reuse S    while the crypto helpers have more work queued than\n"
	"                  threads, the Diffie-Hellman key pair of a responder is\n"
	"                  shared by the exchanges of the next S seconds (RFC 7296\n"
	"                  2.12; default " XSTR(DH_REUSE_DEFAULT_S) ", 0: never): each IKE SA still has\n"
	"                  its own keys; the pair is forgotten S seconds after it\n"
	"                  was made, so forward secrecy holds beyond that\n"
	"  --strictcrlpolicy yes|no  (config setup strictcrlpolicy=, libreswan's\n"
	"                  crl-strict=) yes: a peer's certificate is refused unless\n"
	"                  the NSS database has a CRL, not past its next update, of\n"
	"                  each issuer in its chain. Either way a certificate that a\n"
	"                  CRL of the database lists is refused. CRLs go into the\n"
	"                  database with `ipsec import FILE.crl` (PEM or DER; the\n"
	"                  signature is checked against the issuer there) or\n"
	"                  crlutil -I; none are fetched over the network\n"
	"  --crlcheckinterval TIME  (config setup crlcheckinterval=) how often\n"
	"                  pluto rereads the CRLs of the database and warns about\n"
	"                  out-of-date ones, e.g. 600 or 1h (default 0: only at\n"
	"                  start and on `ipsec crls`, i.e. whack --rereadcrls)\n"
	"  --ocsp-enable yes|no  (config setup ocsp-enable=, libreswan's) ask the\n"
	"                  OCSP responder of a peer's certificate (its Authority\n"
	"                  Information Access URI, or --ocsp-uri for all, signed by\n"
	"                  --ocsp-trustname's certificate in the NSS database)\n"
	"                  whether it is revoked, within --ocsp-timeout seconds\n"
	"                  (default 2). No answer lets the certificate through\n"
	"                  unless --ocsp-strict yes; a revoked one is refused\n"
	"  --virtual-private LIST  (config setup virtual_private=) the networks a\n"
	"                  road warrior behind a NAT may use as its inner address,\n"
	"                  e.g. %v4:10.0.0.0/8,%v4:192.168.0.0/16,%v4:!192.168.1.0/24\n"
	"                  ('!' excludes): %priv in a conn's rightsubnet=vhost:LIST\n"
	"                  or vnet:LIST. IKEv1 Quick Mode takes the peer's IDci as\n"
	"                  its subnet when the list allows it (vhost: one address,\n"
	"                  vnet: a network; %no: the peer's own address; %all: any)\n"
	"  --debug CATS    none, all, or a list of: control parsing emitting\n"
	"                  crypt kernel lifecycle dns raw private helpers updown\n"
	"\nkeyingtries=N     (a conn key) how many keying attempts are made for a\n"
	"                  conn that was initiated (auto=start, auto --up, an\n"
	"                  ACQUIRE); default %forever (no limit, also 0). After a\n"
	"                  timeout the next attempt starts at once; after a refusal\n"
	"                  (e.g. AUTHENTICATION_FAILED) after 1 s, doubling up to\n"
	"                  " XSTR(KEYING_PAUSE_MAX_S) " s. auto --up reports the first attempt and leaves the\n"
	"                  others to pluto (auto --down ends them)\n";

enum {
	OPT_NOFORK = 256, OPT_STDERRLOG, OPT_LOGFILE, OPT_CONFIG, OPT_SECRETS,
	OPT_IPSECDIR, OPT_NSSDIR, OPT_RUNDIR, OPT_NHELPERS, OPT_DEBUG, OPT_KERNEL,
	OPT_LISTEN, OPT_IKEPORT, OPT_NATIKEPORT, OPT_UNIQUEIDS, OPT_HELP, OPT_VERSION,
	OPT_FORCE_BUSY, OPT_FORCE_UNLIMITED, OPT_DDOS_MODE, OPT_DDOS_THRESHOLD,
	OPT_RETRANSMIT_TIMEOUT, OPT_KEEPALIVE, OPT_HALFOPEN_MAX, OPT_HALFOPEN_PER_ADDRESS, OPT_DH_REUSE,
	OPT_STRICTCRLPOLICY, OPT_CRLCHECKINTERVAL, OPT_VIRTUAL_PRIVATE,
	OPT_OCSP_ENABLE, OPT_OCSP_STRICT, OPT_OCSP_TIMEOUT, OPT_OCSP_URI, OPT_OCSP_TRUSTNAME,
	OPT_MAX
};

static const struct option long_opts[] = {
	{ "nofork", no_argument, NULL, OPT_NOFORK },
	{ "stderrlog", no_argument, NULL, OPT_STDERRLOG },
	{ "logfile", required_argument, NULL, OPT_LOGFILE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "secretsfile", required_argument, NULL, OPT_SECRETS },
	{ "ipsecdir", required_argument, NULL, OPT_IPSECDIR },
	{ "nssdir", required_argument, NULL, OPT_NSSDIR },
	{ "rundir", required_argument, NULL, OPT_RUNDIR },
	{ "nhelpers", required_argument, NULL, OPT_NHELPERS },
	{ "debug", required_argument, NULL, OPT_DEBUG },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "ikeport", required_argument, NULL, OPT_IKEPORT },
	{ "natikeport", required_argument, NULL, OPT_NATIKEPORT },
	{ "uniqueids", required_argument, NULL, OPT_UNIQUEIDS },
	{ "force-busy", no_argument, NULL, OPT_FORCE_BUSY },
	{ "force-unlimited", no_argument, NULL, OPT_FORCE_UNLIMITED },
	{ "ddos-mode", required_argument, NULL, OPT_DDOS_MODE },
	{ "ddos-ike-threshold", required_argument, NULL, OPT_DDOS_THRESHOLD },
	{ "retransmit-timeout", required_argument, NULL, OPT_RETRANSMIT_TIMEOUT },
	{ "keep-alive", required_argument, NULL, OPT_KEEPALIVE },
	{ "max-halfopen-ike", required_argument, NULL, OPT_HALFOPEN_MAX },
	{ "max-halfopen-ike-per-address", required_argument, NULL, OPT_HALFOPEN_PER_ADDRESS },
	{ "dh-reuse", required_argument, NULL, OPT_DH_REUSE },
	{ "strictcrlpolicy", required_argument, NULL, OPT_STRICTCRLPOLICY },
	{ "crlcheckinterval", required_argument, NULL, OPT_CRLCHECKINTERVAL },
	{ "virtual-private", required_argument, NULL, OPT_VIRTUAL_PRIVATE },
	{ "ocsp-enable", required_argument, NULL, OPT_OCSP_ENABLE },
	{ "ocsp-strict", required_argument, NULL, OPT_OCSP_STRICT },
	{ "ocsp-timeout", required_argument, NULL, OPT_OCSP_TIMEOUT },
	{ "ocsp-uri", required_argument, NULL, OPT_OCSP_URI },
	{ "ocsp-trustname", required_argument, NULL, OPT_OCSP_TRUSTNAME },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* A whole decimal number from lo to hi, and nothing else. */
static bool parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The options that take a plain number: their range, the field of struct
 * pluto_options (unsigned) and the factor to store (seconds to ms). */
static const struct numeric_opt {
	int code;
	const char *name, *what;
	long lo, hi;
	size_t field;
	unsigned factor;
} numeric_opts[] = {
	{ OPT_DDOS_THRESHOLD, "ddos-ike-threshold", "", 0, 1000000,
	  offsetof(struct pluto_options, ddos_threshold), 1 },
	{ OPT_RETRANSMIT_TIMEOUT, "retransmit-timeout", "seconds, ", 1, 3600,
	  offsetof(struct pluto_options, retransmit_timeout_ms), 1000 },
	{ OPT_KEEPALIVE, "keep-alive", "seconds, ", 1, 86400,
	  offsetof(struct pluto_options, keepalive_s), 1 },
	{ OPT_HALFOPEN_MAX, "max-halfopen-ike", "", 1, 10000000,
	  offsetof(struct pluto_options, halfopen_max), 1 },
	{ OPT_HALFOPEN_PER_ADDRESS, "max-halfopen-ike-per-address", "", 1, 10000000,
	  offsetof(struct pluto_options, halfopen_per_address), 1 },
	{ OPT_DH_REUSE, "dh-reuse", "seconds, ", 0, 60,
	  offsetof(struct pluto_options, dh_reuse_ms), 1000 },
	{ OPT_OCSP_TIMEOUT, "ocsp-timeout", "seconds, ", 1, 3600,
	  offsetof(struct pluto_options, ocsp_timeout_s), 1 },
};

/* yes|no options (the words ipsec.conf takes for config setup booleans) */
static const struct bool_opt {
	int code;
	const char *name;
	size_t field;
} bool_opts[] = {
	{ OPT_STRICTCRLPOLICY, "strictcrlpolicy", offsetof(struct pluto_options, strictcrlpolicy) },
	{ OPT_OCSP_ENABLE, "ocsp-enable", offsetof(struct pluto_options, ocsp_enable) },
	{ OPT_OCSP_STRICT, "ocsp-strict", offsetof(struct pluto_options, ocsp_strict) },
};

static bool parse_bool_opt(const struct bool_opt *b, const char *arg, struct pluto_options *o)
{
	if (ttobool(arg, (bool *)((char *)o + b->field)) == NULL)
		return true;
	fprintf(stderr, "pluto: --%s %s: expected yes or no\n", b->name, arg);
	return false;
}

/* Returns false (with a message) when the value is not a number in range. */
static bool parse_numeric(const struct numeric_opt *n, const char *arg, struct pluto_options *o)
{
	long v;
	if (!parse_number(arg, n->lo, n->hi, &v)) {
		fprintf(stderr, "pluto: --%s %s: expected %s%ld..%ld\n", n->name, arg, n->what,
			n->lo, n->hi);
		return false;
	}
	unsigned value = (unsigned)v * n->factor;
	memcpy((char *)o + n->field, &value, sizeof(value));
	return true;
}

static bool parse_port(const char *s, unsigned *out)
{
	long v;
	if (!parse_number(s, 1, 65535, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

/* One option (c as getopt_long returns it, arg its value): 0 to go on,
 * -1 to exit at once with 0 (--help, --version), else the exit status.
 * String values are kept, not copied. */
static int apply_option(int c, const char *arg, struct pluto_options *o)
{
	const struct numeric_opt *num = NULL;
	for (size_t i = 0; i < sizeof(numeric_opts) / sizeof(numeric_opts[0]); i++)
		if (numeric_opts[i].code == c)
			num = &numeric_opts[i];
	if (num != NULL)
		return parse_numeric(num, arg, o) ? 0 : 2;
	for (size_t i = 0; i < sizeof(bool_opts) / sizeof(bool_opts[0]); i++)
		if (bool_opts[i].code == c)
			return parse_bool_opt(&bool_opts[i], arg, o) ? 0 : 2;
	switch (c) {
	case OPT_NOFORK: o->nofork = true; break;
	case OPT_STDERRLOG: o->stderrlog = true; break;
	case OPT_LOGFILE: o->logfile = arg; break;
	case OPT_CONFIG: o->config = arg; break;
	case OPT_SECRETS: o->secretsfile = arg; break;
	case OPT_IPSECDIR: o->ipsecdir = arg; break;
	case OPT_NSSDIR: o->nssdir = arg; break;
	case OPT_VIRTUAL_PRIVATE: {
		err_t e = check_virtual_private(arg);
		if (e != NULL) {
			fprintf(stderr, "pluto: --virtual-private %s: %s\n", arg, e);
			return 2;
		}
		o->virtual_private = arg;
		break;
	}
	case OPT_RUNDIR: o->rundir = arg; break;
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_NHELPERS: {
		long v;
		if (!parse_number(arg, -1, 256, &v)) {
			fprintf(stderr, "pluto: --nhelpers %s: expected -1..256\n", arg);
			return 2;
		}
		o->nhelpers = (int)v;
		break;
	}
	case OPT_DEBUG: {
		const char *bad = debug_parse(arg, &o->debug);
		if (bad != NULL) {
			fprintf(stderr, "pluto: --debug: unknown category '%s'\n", bad);
			return 2;
		}
		break;
	}
	case OPT_LISTEN:
		if (o->n_listen == PLUTO_LISTEN_MAX) {
			fprintf(stderr, "pluto: at most %d --listen addresses\n", PLUTO_LISTEN_MAX);
			return 2;
		}
		o->listen[o->n_listen++] = arg;
		break;
	case OPT_IKEPORT:
	case OPT_NATIKEPORT:
		if (!parse_port(arg, c == OPT_IKEPORT ? &o->ike_port : &o->natt_port)) {
			fprintf(stderr, "pluto: bad port '%s'\n", arg);
			return 2;
		}
		break;
	case OPT_UNIQUEIDS:
		o->uniqueids = strcmp(arg, "no") != 0;
		break;
	case OPT_OCSP_URI: o->ocsp_uri = arg; break;
	case OPT_OCSP_TRUSTNAME: o->ocsp_trustname = arg; break;
	case OPT_CRLCHECKINTERVAL: {
		deltatime_t d;
		err_t e = ttodeltatime(arg, &d);
		if (e == NULL && d.ms / 1000 > 30 * 86400)
			e = "more than 30 days";
		if (e != NULL) {
			fprintf(stderr, "pluto: --crlcheckinterval %s: %s\n", arg, e);
			return 2;
		}
		o->crlcheckinterval_s = (unsigned)(d.ms / 1000);
		break;
	}
	case OPT_FORCE_BUSY: o->ddos_mode = DDOS_BUSY; break;
	case OPT_FORCE_UNLIMITED: o->ddos_mode = DDOS_UNLIMITED; break;
	case OPT_DDOS_MODE:
		if (strcmp(arg, "busy") == 0) {
			o->ddos_mode = DDOS_BUSY;
		} else if (strcmp(arg, "unlimited") == 0) {
			o->ddos_mode = DDOS_UNLIMITED;
		} else if (strcmp(arg, "auto") == 0) {
			o->ddos_mode = DDOS_AUTO;
		} else {
			fprintf(stderr, "pluto: --ddos-mode %s: expected busy, unlimited or auto\n",
				arg);
			return 2;
		}
		break;
	case OPT_HELP:
		fputs(usage, stdout);
		return -1;
	case OPT_VERSION:
		puts("Cygnet pluto 0.1");
		return -1;
	default:
		fputs(usage, stderr);
		return 2;
	}
	return 0;
}

/* Options given on the command line win over config setup's. */
static bool given[OPT_MAX];

/* pluto started with --config (as the systemd unit does) takes the config
 * setup keys that `ipsec setup start` would have put on its command line
 * (ipsecconf/pluto_opts.h), unless the command line gives that option. A
 * value pluto does not take ends it as a bad option would, naming the
 * file. The file's other problems are for load_config to report. */
static char *setup_values[IPSECCONF_PLUTO_OPTS];   /* kept: o points into them */

static void read_setup(const struct resolved *r, void *arg)
{
	if (r->type != SECT_CONFIG)
		return;
	for (size_t i = 0; i < IPSECCONF_PLUTO_OPTS; i++) {
		const char *v = resolved_get(r, ipsecconf_pluto_opts[i].key);
		if (v != NULL && setup_values[i] == NULL && (setup_values[i] = strdup(v)) == NULL)
			abort();
	}
	(void)arg;
}

static int apply_config_setup(struct pluto_options *o)
{
	/* parsed once: load_config (startup.c) loads the conns of this parse
	 * and reports its diagnostics; the walk's own are its too */
	struct diags walk = { 0 };
	struct ipsecconf_options opts = { .no_implicit = true };
	o->config_parsed = ipsecconf_load_file(o->config, &opts, &o->config_parse_diags);
	ipsecconf_walk(o->config_parsed, read_setup, NULL, &walk);
	diags_free(&walk);
	for (size_t i = 0; i < IPSECCONF_PLUTO_OPTS; i++) {
		if (setup_values[i] == NULL)
			continue;
		const char *name = ipsecconf_pluto_opts[i].option + 2;   /* past "--" */
		const struct option *lo = long_opts;
		while (lo->name != NULL && strcmp(lo->name, name) != 0)
			lo++;
		if (lo->name == NULL || given[lo->val])
			continue;
		int rc = apply_option(lo->val, setup_values[i], o);
		if (rc != 0) {
			fprintf(stderr, "pluto: %s: config setup %s=%s is not a value pluto takes\n", o->config,
				ipsecconf_pluto_opts[i].key, setup_values[i]);
			return 2;
		}
	}
	return 0;
}

/* Returns 0 to go on, else the exit status (-1: exit 0 at once). */
static int parse_options(int argc, char **argv, struct pluto_options *o)
{
	*o = (struct pluto_options){
		.secretsfile = IPSEC_SYSCONFDIR "/ipsec.secrets",
		.ipsecdir = IPSEC_SYSCONFDIR "/ipsec.d",
		.nssdir = IPSEC_NSSDIR,
		.rundir = IPSEC_RUNDIR,
		.kernel = "xfrm",
		.nhelpers = -1,
		.ike_port = 500,
		.natt_port = 4500,
		.uniqueids = true,
		.ddos_mode = DDOS_AUTO,
		.ddos_threshold = COOKIE_THRESHOLD_DEFAULT,
		.retransmit_timeout_ms = RETRANSMIT_TIMEOUT_S * 1000,
		.keepalive_s = NATT_KEEPALIVE_DEFAULT_S,
		.ocsp_timeout_s = OCSP_TIMEOUT_DEFAULT_S,
		.halfopen_max = HALF_OPEN_MAX_DEFAULT,
		.halfopen_per_address = HALF_OPEN_PER_ADDRESS_DEFAULT,
		.dh_reuse_ms = DH_REUSE_DEFAULT_S * 1000,
	};
	int c;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		int rc = apply_option(c, optarg, o);
		if (rc != 0)
			return rc;
		if (c >= 0 && c < OPT_MAX)
			given[c] = true;
	}
	if (optind < argc) {
		fprintf(stderr, "pluto: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	if (o->config != NULL) {
		int rc = apply_config_setup(o);
		if (rc != 0)
			return rc;
	}
	if (kernel_ops_by_name(o->kernel) == NULL) {
		fprintf(stderr, "pluto: --kernel %s: expected xfrm or none\n", o->kernel);
		return 2;
	}
	return 0;
}

/* --logfile FILE, else --stderrlog, else syslog (NULL). *failed says why
 * NULL came back when it is not syslog. */
static FILE *open_log(const struct pluto_options *o, bool *failed)
{
	*failed = false;
	if (o->logfile != NULL) {
		FILE *f = log_open_file(o->logfile);   /* 0600 */
		if (f == NULL) {
			fprintf(stderr, "pluto: cannot open log file %s: %s\n", o->logfile,
				strerror(errno));
			*failed = true;
			return NULL;
		}
		setvbuf(f, NULL, _IOLBF, 0);
		return f;
	}
	return o->stderrlog ? stderr : NULL;
}

/* Detach into the background unless --nofork; the parent exits once the
 * child reports that start-up succeeded (or failed). */
static int daemonize(int *report_fd)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(pipefd[1]);
		char status = 1;
		ssize_t n = read(pipefd[0], &status, 1);
		_exit(n == 1 ? status : 1);
	}
	close(pipefd[0]);
	setsid();
	*report_fd = pipefd[1];
	return 0;
}

static void report_started(int fd, char status)
{
	if (fd < 0)
		return;
	ssize_t n = write(fd, &status, 1);
	(void)n;
	close(fd);
}

int main(int argc, char **argv)
{
	static struct pluto pluto;
	struct pluto *p = &pluto;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);   /* keys: no core file, no /proc/PID/mem for others */
	int rc = parse_options(argc, argv, &p->opts);
	if (rc != 0) {
		pluto_config_forget(&p->opts);
		return rc < 0 ? 0 : rc;
	}

	bool failed;
	FILE *log = open_log(&p->opts, &failed);
	if (failed) {
		pluto_config_forget(&p->opts);
		return 1;
	}
	log_init(log, p->opts.logfile != NULL, p->opts.debug);
	logger_init(&p->logger, -1, "%s", "");

	int report_fd = -1;
	if (!p->opts.nofork && daemonize(&report_fd) != 0) {
		llog(&p->logger, RC_ERROR, "cannot fork: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	rc = pluto_start(p);
	report_started(report_fd, (char)rc);
	if (rc != 0) {
		pluto_stop(p);
		return rc;
	}
	llog(&p->logger, RC_INFO, "pluto ready: control socket %s", p->ctl_path);
	sdnotify_init(p);
	sdnotify_ready(p, "pluto ready");
	event_base_dispatch(p->base);
	llog(&p->logger, RC_INFO, "pluto shutting down");
	sdnotify_stopping(p);
	sdnotify_stop(p);
	pluto_stop(p);
	log_close();
	return 0;
}
