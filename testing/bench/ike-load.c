/* ike-load: an IKEv2 load client. It opens IKE SAs (IKE_SA_INIT, then
 * IKE_AUTH with a pre-shared key and a Child SA request) against one
 * responder as fast as the responder answers, with a window of SAs in
 * flight, and reports IKE SAs established per second, failures by reason
 * and latency percentiles. It never deletes what it opened: the responder
 * keeps every SA (for memory measurements).
 *
 *   ike-load --target ADDR --psk SECRET [options]     (--help lists them)
 *
 * The protocol work is this project's: the IKEv2 codec (ikev2/) and the
 * NSS crypto (crypto/) of build/lib/libpluto.a. The client competes with
 * the responder for CPU (pin it to another core), so it does as little as
 * it can: one DH key pair for every SA (a load tester may; the responder
 * still makes a fresh one and derives g^ir for each), prf(PSK, "Key Pad
 * for IKEv2") once, the ID payload once, and the SA payload structures
 * once. Per SA it derives g^ir and the seven keys, computes and checks
 * AUTH, and seals and opens one SK payload each way.
 *
 * A count established is an IKE_AUTH answer whose SK payload verifies and
 * decrypts and whose AUTH is the responder's PSK AUTH over its IKE_SA_INIT
 * answer. A Child SA the responder refuses (its kernel cannot install it)
 * is counted apart; the IKE SA still counts.
 *
 * With --ikev1 it opens ISAKMP SAs instead: IKEv1 Main Mode with the
 * PSK (MM1..MM6, ikev1-load.h; the ISAKMP codec and the IKEv1 key
 * schedule of libpluto.a), no Quick Mode. One counts as established when
 * MM6 decrypts, IDir is --idr and HASH_R verifies.
 *
 * Sections: options; crypto set-up; sockets; statistics; messages out;
 * messages in; the window; the report; main. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include "ikev2/ids.h"
#include "ikev2/messages.h"
#include "swan/sockaddr.h"
#include "ike-load.h"

static struct load_opts o = {
	.port = 500,
	.window = 64,
	.ports = 16,
	.duration = 15,
	.warmup = 3,
	.max_time = 600,
	.drain = 3,
	.rto_ms = 1000,
	.tries = 4,
	.ike = "aes256-sha2_256",
	.dh = NULL,
	.esp = "aes256-sha2_256",
	.child = true,
	.v1_life_s = 86400,
};
static struct load_stats st;
static struct slot *slots;
static volatile sig_atomic_t interrupted;

/* what every SA shares */
static struct ike_suite suite;
static struct child_suite esp_suite;
static struct ikev2_sa ike_offer, esp_offer;   /* one proposal each */
static struct dh_secret *dh;
static chunk_t psk_pad;                        /* prf(PSK, "Key Pad for IKEv2") */
static struct ikev2_id idi_pl, idr_pl;
static uint8_t idi_buf[ID_NAME_MAX + 16], idr_buf[ID_NAME_MAX + 16];
static uint8_t idi_body[ID_NAME_MAX + 16];     /* IDi' (what AUTH signs) */
static size_t idi_body_len;
static struct ikev2_ts_list tsi, tsr;
static uint32_t next_child_spi;
static struct v1_shared v1sh;                  /* --ikev1 */

static int socks[LOAD_MAX_PORTS];
static ip_address local_addr[LOAD_MAX_PORTS];
static uint16_t local_port[LOAD_MAX_PORTS];
static unsigned next_sock;

static uint64_t t0;                            /* ns: the first IKE_SA_INIT */
static uint64_t measure_from, measure_to;      /* ns */
static struct rusage ru_from, ru_to;
static bool ru_from_set, ru_to_set;

static const uint8_t zero_spi[8];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ike-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* ==== options =========================================================== */

static void usage(FILE *f)
{
	fputs("usage: ike-load --target ADDR (--psk SECRET | --psk-file FILE) [options]\n"
	      "  --port N            responder's IKE port (500)\n"
	      "  --bind ADDR         local address of the sockets (the kernel's choice)\n"
	      "  --window N          IKE SAs in flight at once (64)\n"
	      "  --ports N           source sockets (UDP ports), used in turn (16)\n"
	      "  --duration S        measure for S seconds after the warm-up (15)\n"
	      "  --warmup S          seconds before the measurement starts (3)\n"
	      "  --count N           instead: open N IKE SAs, then stop (no warm-up)\n"
	      "  --max-time S        count mode: give up after S seconds (600)\n"
	      "  --drain S           duration mode: at the end, wait up to S s for the SAs\n"
	      "                      in flight (3); count mode waits for all of them\n"
	      "  --rto MS            first retransmission after MS ms, then doubling (1000)\n"
	      "  --tries N           transmissions of a request before it fails (4)\n"
	      "  --ike PROPOSAL      IKE proposal ENC-PRF/INTEG[;DH] (aes256-sha2_256);\n"
	      "                      AEAD: aes_gcm16_256-prfsha2_256\n"
	      "  --dh GROUP          DH group (curve25519; modp2048, ecp256, ...)\n"
	      "  --esp PROPOSAL      Child SA proposal (aes256-sha2_256)\n"
	      "  --no-child          no Child SA in IKE_AUTH (RFC 6023: IKE_SA_INIT says\n"
	      "                      CHILDLESS_IKEV2_SUPPORTED)\n"
	      "  --tsi CIDR          TSi: the next address of CIDR for each SA (distinct\n"
	      "                      selectors, as remote-access clients have); default:\n"
	      "                      our address (host to host)\n"
	      "  --tsi-offset N      start the --tsi addresses after host number N (0), so\n"
	      "                      that another run against the same responder does not\n"
	      "                      reuse the selectors of SAs still up\n"
	      "  --tsr CIDR          TSr (default: the target's address)\n"
	      "  --idi ID            our ID (@bench-initiator)\n"
	      "  --idr ID            the responder's ID, checked (@bench-responder; %any: any)\n"
	      "  --send-idr          also send IDr in IKE_AUTH\n"
	      "  --psk SECRET, --psk-file FILE   the pre-shared key (file: first line)\n"
	      "  --ikev1             IKEv1 Main Mode with the PSK (MM1..MM6, no Quick Mode)\n"
	      "                      instead of IKEv2; --ike ENC-HASH, no AEAD\n"
	      "  --ikev1-life S      IKEv1: the ISAKMP SA lifetime proposed (86400)\n"
	      "  --intervals         print every 1-second interval\n"
	      "  --verbose           say why SAs fail (first few of each reason)\n"
	      "Exit status: 0 when IKE SAs were established, 1 when none, 2 on errors.\n",
	      f);
}

static double num_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		die("%s %s: expected a number from %g to %g", opt, s, lo, hi);
	return v;
}

static void read_psk_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die("--psk-file %s: %s", path, strerror(errno));
	char line[1024];
	if (fgets(line, sizeof(line), f) == NULL)
		die("--psk-file %s: empty", path);
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	o.psk = chunk_clone(line, strlen(line));
}

static void parse_args(int argc, char **argv)
{
	enum { O_TARGET = 256, O_PORT, O_BIND, O_WINDOW, O_PORTS, O_DURATION, O_WARMUP,
	       O_COUNT, O_MAXTIME, O_DRAIN, O_RTO, O_TRIES, O_IKE, O_DH, O_ESP, O_NOCHILD,
	       O_TSI, O_TSIOFF, O_TSR, O_IDI, O_IDR, O_SENDIDR, O_PSK, O_PSKFILE, O_IKEV1, O_V1LIFE, O_INTERVALS, O_VERBOSE, O_HELP };
	static const struct option lo[] = {
		{ "target", required_argument, NULL, O_TARGET },
		{ "port", required_argument, NULL, O_PORT },
		{ "bind", required_argument, NULL, O_BIND },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "ports", required_argument, NULL, O_PORTS },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "count", required_argument, NULL, O_COUNT },
		{ "max-time", required_argument, NULL, O_MAXTIME },
		{ "drain", required_argument, NULL, O_DRAIN },
		{ "rto", required_argument, NULL, O_RTO },
		{ "tries", required_argument, NULL, O_TRIES },
		{ "ike", required_argument, NULL, O_IKE },
		{ "dh", required_argument, NULL, O_DH },
		{ "esp", required_argument, NULL, O_ESP },
		{ "no-child", no_argument, NULL, O_NOCHILD },
		{ "tsi", required_argument, NULL, O_TSI },
		{ "tsi-offset", required_argument, NULL, O_TSIOFF },
		{ "tsr", required_argument, NULL, O_TSR },
		{ "idi", required_argument, NULL, O_IDI },
		{ "idr", required_argument, NULL, O_IDR },
		{ "send-idr", no_argument, NULL, O_SENDIDR },
		{ "psk", required_argument, NULL, O_PSK },
		{ "psk-file", required_argument, NULL, O_PSKFILE },
		{ "ikev1", no_argument, NULL, O_IKEV1 },
		{ "ikev1-life", required_argument, NULL, O_V1LIFE },
		{ "intervals", no_argument, NULL, O_INTERVALS },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *idi = "@bench-initiator", *idr = "@bench-responder";
	bool have_target = false;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		err_t e;
		switch (c) {
		case O_TARGET:
			if ((e = ttoaddress_num(optarg, strlen(optarg), IP_UNSET, &o.target)) != NULL)
				die("--target %s: %s", optarg, e);
			have_target = true;
			break;
		case O_PORT: o.port = (uint16_t)num_arg("--port", optarg, 1, 65535); break;
		case O_BIND:
			if ((e = ttoaddress_num(optarg, strlen(optarg), IP_UNSET, &o.bind)) != NULL)
				die("--bind %s: %s", optarg, e);
			break;
		case O_WINDOW: o.window = (unsigned)num_arg("--window", optarg, 1, LOAD_MAX_WINDOW); break;
		case O_PORTS: o.ports = (unsigned)num_arg("--ports", optarg, 1, LOAD_MAX_PORTS); break;
		case O_DURATION: o.duration = num_arg("--duration", optarg, 1, 86400); break;
		case O_WARMUP: o.warmup = num_arg("--warmup", optarg, 0, 3600); break;
		case O_COUNT: o.count = (unsigned long)num_arg("--count", optarg, 1, 1e9); break;
		case O_MAXTIME: o.max_time = num_arg("--max-time", optarg, 1, 86400); break;
		case O_DRAIN: o.drain = num_arg("--drain", optarg, 0, 600); break;
		case O_RTO: o.rto_ms = (unsigned)num_arg("--rto", optarg, 10, 60000); break;
		case O_TRIES: o.tries = (unsigned)num_arg("--tries", optarg, 1, 20); break;
		case O_IKE: o.ike = optarg; break;
		case O_DH: o.dh = optarg; break;
		case O_ESP: o.esp = optarg; break;
		case O_NOCHILD: o.child = false; break;
		case O_TSI:
			if ((e = ttosubnet(optarg, strlen(optarg), IP_UNSET, &o.tsi_pool, NULL)) != NULL)
				die("--tsi %s: %s", optarg, e);
			o.have_tsi = true;
			break;
		case O_TSIOFF: o.tsi_offset = (uint32_t)num_arg("--tsi-offset", optarg, 0, UINT32_MAX); break;
		case O_TSR:
			if ((e = ttosubnet(optarg, strlen(optarg), IP_UNSET, &o.tsr, NULL)) != NULL)
				die("--tsr %s: %s", optarg, e);
			o.have_tsr = true;
			break;
		case O_IDI: idi = optarg; break;
		case O_IDR: idr = optarg; break;
		case O_SENDIDR: o.send_idr = true; break;
		case O_PSK: o.psk = chunk_clone(optarg, strlen(optarg)); break;
		case O_PSKFILE: read_psk_file(optarg); break;
		case O_IKEV1: o.ikev1 = true; break;
		case O_V1LIFE: o.v1_life_s = (uint32_t)num_arg("--ikev1-life", optarg, 1, UINT32_MAX); break;
		case O_INTERVALS: o.intervals = true; break;
		case O_VERBOSE: o.verbose++; break;
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument '%s' (--help)", argv[optind]);
	if (!have_target)
		die("--target ADDR is required (--help)");
	if (o.psk.len == 0)
		die("--psk or --psk-file is required (--help)");
	if (o.bind.family != IP_UNSET && o.bind.family != o.target.family)
		die("--bind and --target are of different address families");
	if (o.have_tsi && o.have_tsr && o.tsi_pool.addr.family != o.tsr.addr.family)
		die("--tsi and --tsr are of different address families");
	err_t e = ttoid(idi, &o.idi);
	if (e != NULL)
		die("--idi %s: %s", idi, e);
	if ((e = ttoid(idr, &o.idr)) != NULL)
		die("--idr %s: %s", idr, e);
	if (o.send_idr && (o.idr.kind == ID_ANY || o.idr.kind == ID_NONE))
		die("--send-idr needs an --idr that can be sent");
	if (o.ikev1)
		o.child = false;   /* no Quick Mode */
}

/* ==== crypto set-up ===================================================== */

static void add_transform(struct ikev2_proposal *p, uint8_t type, const struct alg_desc *a,
			  unsigned keylen)
{
	if (keylen == 0 && a->keylens[0] != 0)
		keylen = a->default_keylen;   /* variable-length ciphers say their size */
	p->transforms[p->n_transforms++] = (struct ikev2_transform){
		.type = type, .id = a->ikev2_id, .key_length = (uint16_t)keylen };
}

static const struct alg_desc *prf_for_integ(const struct alg_desc *integ)
{
	char name[40];
	snprintf(name, sizeof(name), "prf%s", integ->name);
	return alg_by_name(ALG_PRF, name, strlen(name));
}

static void setup_ike_suite(void)
{
	static struct proposals ps;
	char err[200];
	if (ttoproposals(o.ike, ALG_FOR_IKE, &ps, err, sizeof(err)) != NULL)
		die("--ike %s: %s", o.ike, err);
	if (ps.n != 1)
		die("--ike %s: give exactly one proposal", o.ike);
	const struct proposal *q = &ps.p[0];
	if (q->encr == NULL)
		die("--ike %s: no encryption algorithm", o.ike);
	suite.encr = q->encr;
	suite.encr_keylen = q->keylen;
	suite.prf = q->prf;
	if (suite.prf == NULL && q->integ != NULL)
		suite.prf = prf_for_integ(q->integ);
	if (suite.prf == NULL)
		die("--ike %s: no PRF (say ENC-PRF, e.g. aes_gcm16_256-prfsha2_256)", o.ike);
	if (!q->encr->aead) {
		suite.integ = q->integ;
		if (suite.integ == NULL)
			die("--ike %s: no integrity algorithm", o.ike);
	}
	suite.dh = q->dh;
	if (o.dh != NULL && (suite.dh = alg_by_name(ALG_DH, o.dh, strlen(o.dh))) == NULL)
		die("--dh %s: unknown DH group", o.dh);
	if (suite.dh == NULL)
		suite.dh = alg_by_name(ALG_DH, "curve25519", 10);
	if (!encr_ike_supported(suite.encr) || !encr_keylen_ok(suite.encr, suite.encr_keylen))
		die("--ike %s: the crypto cannot seal IKE messages with %s", o.ike, suite.encr->name);

	struct ikev2_proposal *p = &ike_offer.proposals[0];
	ike_offer.n_proposals = 1;
	*p = (struct ikev2_proposal){ .number = 1, .protocol = IKEV2_PROTO_IKE };
	add_transform(p, IKEV2_TRANS_ENCR, suite.encr, suite.encr_keylen);
	add_transform(p, IKEV2_TRANS_PRF, suite.prf, 0);
	if (suite.integ != NULL)
		add_transform(p, IKEV2_TRANS_INTEG, suite.integ, 0);
	add_transform(p, IKEV2_TRANS_DH, suite.dh, 0);
}

static void setup_esp_suite(void)
{
	static struct proposals ps;
	char err[200];
	if (ttoproposals(o.esp, ALG_FOR_ESP, &ps, err, sizeof(err)) != NULL)
		die("--esp %s: %s", o.esp, err);
	if (ps.n != 1 || ps.p[0].encr == NULL)
		die("--esp %s: give exactly one proposal with an encryption algorithm", o.esp);
	esp_suite.encr = ps.p[0].encr;
	esp_suite.encr_keylen = ps.p[0].keylen;
	esp_suite.integ = ps.p[0].encr->aead ? NULL : ps.p[0].integ;
	struct ikev2_proposal *p = &esp_offer.proposals[0];
	esp_offer.n_proposals = 1;
	*p = (struct ikev2_proposal){ .number = 1, .protocol = IKEV2_PROTO_ESP, .spi_size = 4 };
	add_transform(p, IKEV2_TRANS_ENCR, esp_suite.encr, esp_suite.encr_keylen);
	if (esp_suite.integ != NULL && esp_suite.integ->ikev2_id != 0)
		add_transform(p, IKEV2_TRANS_INTEG, esp_suite.integ, 0);
	p->transforms[p->n_transforms++] = (struct ikev2_transform){
		.type = IKEV2_TRANS_ESN, .id = IKEV2_ESN_NO };
}

static void setup_crypto(void)
{
	err_t e = crypto_init_nodb();
	if (e != NULL)
		die("NSS: %s", e);
	setup_ike_suite();
	if (o.ikev1) {
		if (suite.integ == NULL)
			die("--ikev1: --ike %s has no hash (IKEv1 phase 1 has no AEAD: ENC-HASH)", o.ike);
		if ((e = v1_shared_init(&v1sh, suite.encr, suite.encr_keylen, suite.integ, suite.dh,
					o.v1_life_s, o.psk, &o.idi, &o.idr)) != NULL)
			die("--ikev1 with --ike %s --dh %s: %s", o.ike, suite.dh->name, e);
		return;
	}
	if (o.child)
		setup_esp_suite();
	/* one key pair for every SA: the client's share of the DH work is
	 * then one g^ir per SA */
	dh = dh_generate(suite.dh, &e);
	if (dh == NULL)
		die("cannot make a %s key pair: %s", suite.dh->name, e);
	static const char pad[] = "Key Pad for IKEv2";
	if ((e = prf_compute(suite.prf, o.psk, chunk_from(pad, sizeof(pad) - 1), &psk_pad)) != NULL)
		die("prf(PSK, key pad): %s", e);
	if (!id_to_payload(&o.idi, &idi_pl, idi_buf, sizeof(idi_buf)))
		die("--idi cannot be sent as an IKE ID");
	if (o.send_idr && !id_to_payload(&o.idr, &idr_pl, idr_buf, sizeof(idr_buf)))
		die("--idr cannot be sent as an IKE ID");
	idi_body[0] = idi_pl.type;
	idi_body[1] = idi_body[2] = idi_body[3] = 0;
	memcpy(idi_body + 4, idi_pl.data.ptr, idi_pl.data.len);
	idi_body_len = idi_pl.data.len + 4;
	if ((e = random_bytes(&next_child_spi, sizeof(next_child_spi))) != NULL)
		die("random: %s", e);
	next_child_spi |= 0x1000;
}

/* ==== sockets =========================================================== */

static void subnet_bounds(const ip_subnet *s, ip_address *lo, ip_address *hi);

/* One connected UDP socket per source port: the kernel tells us the local
 * address and port, which the NAT detection hashes must name. */
static void open_sockets(void)
{
	struct sockaddr_storage dst, src;
	socklen_t dlen = sockaddr_from_address(&o.target, o.port, &dst);
	/* many ports need more descriptors than the usual 1024 */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < o.ports + 64) {
		rl.rlim_cur = o.ports + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			die("--ports %u: cannot raise the limit of open files: %s", o.ports, strerror(errno));
	}
	for (unsigned i = 0; i < o.ports; i++) {
		int fd = socket(o.target.family == IP_V6 ? AF_INET6 : AF_INET,
				SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		int buf = 4 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		if (o.bind.family != IP_UNSET) {
			socklen_t slen = sockaddr_from_address(&o.bind, 0, &src);
			if (bind(fd, (struct sockaddr *)&src, slen) != 0)
				die("bind: %s", strerror(errno));
		}
		if (connect(fd, (struct sockaddr *)&dst, dlen) != 0)
			die("connect to the target: %s", strerror(errno));
		socklen_t slen = sizeof(src);
		if (getsockname(fd, (struct sockaddr *)&src, &slen) != 0)
			die("getsockname: %s", strerror(errno));
		address_from_sockaddr(&src, &local_addr[i], &local_port[i]);
		socks[i] = fd;
	}
	/* selectors, any protocol: host to host unless --tsi / --tsr */
	tsi.n = tsr.n = 1;
	tsi.ts[0] = ikev2_ts_range(&local_addr[0], &local_addr[0], 0, 0, 65535);
	tsr.ts[0] = ikev2_ts_range(&o.target, &o.target, 0, 0, 65535);
	if (o.have_tsr) {
		ip_address lo, hi;
		subnet_bounds(&o.tsr, &lo, &hi);
		tsr.ts[0] = ikev2_ts_range(&lo, &hi, 0, 0, 65535);
	}
}

/* The first and last address of a subnet. */
static void subnet_bounds(const ip_subnet *s, ip_address *lo, ip_address *hi)
{
	ip_address mask = prefix_mask((enum ip_family)s->addr.family, s->prefix);
	*lo = *hi = s->addr;
	size_t n = s->addr.family == IP_V6 ? 16 : 4;
	for (size_t i = 0; i < n; i++) {
		lo->bytes[i] &= mask.bytes[i];
		hi->bytes[i] = (uint8_t)(lo->bytes[i] | ~mask.bytes[i]);
	}
}

/* --tsi: the next host of the pool (its host part counts up and wraps). */
static void next_tsi(void)
{
	static uint32_t k;
	if (!o.have_tsi)
		return;
	if (k == 0)
		k = o.tsi_offset;
	const ip_subnet *p = &o.tsi_pool;
	unsigned bits = address_bits((enum ip_family)p->addr.family) - p->prefix;
	uint32_t size_mask = bits >= 32 ? UINT32_MAX : (uint32_t)((1ull << bits) - 1);
	uint32_t host = ++k & size_mask;
	ip_address a = p->addr;
	size_t n = p->addr.family == IP_V6 ? 16 : 4;
	for (size_t i = 0; i < 4; i++)
		a.bytes[n - 1 - i] |= (uint8_t)(host >> (8 * i));
	tsi.ts[0] = ikev2_ts_range(&a, &a, 0, 0, 65535);
}

/* ==== statistics ======================================================== */

static void count_reason(struct reason *table, size_t *n, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(table[i].text, text) == 0) {
			table[i].n++;
			return;
		}
	if (*n < LOAD_MAX_REASONS - 1) {
		snprintf(table[*n].text, sizeof(table[*n].text), "%s", text);
		table[(*n)++].n = 1;
		return;
	}
	/* the last row takes whatever does not fit */
	if (*n == LOAD_MAX_REASONS - 1) {
		snprintf(table[*n].text, sizeof(table[*n].text), "(other reasons)");
		table[(*n)++].n = 0;
	}
	table[LOAD_MAX_REASONS - 1].n++;
}

static const char *notify_text(uint16_t type, char buf[32])
{
	const struct ikev2_notify_desc *d = ikev2_notify_desc(type);
	if (d != NULL)
		return d->name;
	snprintf(buf, 32, "notify %u", type);
	return buf;
}

static void note_second(uint64_t t)
{
	size_t sec = (size_t)((t - t0) / 1000000000u);
	if (sec >= st.seconds) {
		size_t n = sec + 64;
		unsigned long *p = realloc(st.per_second, n * sizeof(*p));
		if (p == NULL)
			die("out of memory");
		memset(p + st.seconds, 0, (n - st.seconds) * sizeof(*p));
		st.per_second = p;
		st.seconds = n;
	}
	st.per_second[sec]++;
}

static void note_latency(uint64_t ns)
{
	if (st.n_latency == st.cap_latency) {
		size_t n = st.cap_latency ? 2 * st.cap_latency : 65536;
		uint32_t *p = realloc(st.latency_us, n * sizeof(*p));
		if (p == NULL)
			die("out of memory");
		st.latency_us = p;
		st.cap_latency = n;
	}
	uint64_t us = ns / 1000;
	st.latency_us[st.n_latency++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* ==== messages out ======================================================= */

static void slot_free(struct slot *s)
{
	ike_sa_keys_free(&s->keys);
	v1_xchg_free(&s->v1);
	s->state = SLOT_FREE;
}

static void fail(struct slot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct slot *s, const char *fmt, ...)
{
	char why[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	st.failed++;
	count_reason(st.failures, &st.n_failures, why);
	if (o.verbose)
		fprintf(stderr, "ike-load: SA %02x%02x%02x%02x%02x%02x%02x%02x failed: %s\n",
			s->spi_i[0], s->spi_i[1], s->spi_i[2], s->spi_i[3], s->spi_i[4],
			s->spi_i[5], s->spi_i[6], s->spi_i[7], why);
	slot_free(s);
}

static void transmit(struct slot *s)
{
	s->t_sent = now_ns();
	if (send(socks[s->sock], s->req, s->req_len, 0) < 0 && o.verbose)
		fprintf(stderr, "ike-load: send: %s\n", strerror(errno));
	/* a lost datagram is the retransmission's business */
}

/* IKE_SA_INIT: [N(COOKIE)], SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP),
 * N(NAT_DETECTION_DESTINATION_IP) [, N(CHILDLESS_IKEV2_SUPPORTED)]. */
static bool send_init(struct slot *s)
{
	struct ikev2_header h = { .exchange = IKEV2_EXCH_IKE_SA_INIT,
				  .flags = IKEV2_FLAG_INITIATOR, .message_id = 0 };
	memcpy(h.spi_i, s->spi_i, 8);
	struct ikev2_builder b;
	ikev2_build_init(&b, s->init_req, sizeof(s->init_req), &h);
	if (s->cookie_len > 0)
		ikev2_build_notify_simple(&b, IKEV2_N_COOKIE, s->cookie, s->cookie_len);
	ikev2_build_sa(&b, &ike_offer);
	chunk_t pub = dh_public_value(dh);
	struct ikev2_ke ke = { (uint16_t)suite.dh->ikev2_id, { pub.ptr, pub.len } };
	ikev2_build_ke(&b, &ke);
	struct ikev2_nonce n = { { s->ni, sizeof(s->ni) } };
	ikev2_build_nonce(&b, &n);
	uint8_t hash[20];
	natd_hash(s->spi_i, zero_spi, &local_addr[s->sock], local_port[s->sock], hash);
	ikev2_build_notify_simple(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, hash, sizeof(hash));
	natd_hash(s->spi_i, zero_spi, &o.target, o.port, hash);
	ikev2_build_notify_simple(&b, IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, sizeof(hash));
	if (!o.child)   /* RFC 6023: IKE_AUTH will ask for no Child SA */
		ikev2_build_notify_simple(&b, IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	err_t e = ikev2_build_finish(&b, &s->init_req_len);
	if (e != NULL) {
		fail(s, "cannot build IKE_SA_INIT: %s", e);
		return false;
	}
	memcpy(s->req, s->init_req, s->init_req_len);
	s->req_len = s->init_req_len;
	s->tries = 1;
	s->state = SLOT_INIT;
	transmit(s);
	return true;
}

static void send_mm(struct slot *s, enum slot_state next);

static void start_sa(struct slot *s, size_t index, uint64_t now)
{
	s->gen++;
	/* the SPI names the slot: answers find it without a table */
	s->spi_i[0] = (uint8_t)(index >> 8);
	s->spi_i[1] = (uint8_t)index;
	s->spi_i[2] = (uint8_t)(s->gen >> 8);
	s->spi_i[3] = (uint8_t)s->gen;
	uint8_t rnd[4 + LOAD_NONCE_LEN];
	err_t e = random_bytes(rnd, sizeof(rnd));
	if (e != NULL)
		die("random: %s", e);
	memcpy(s->spi_i + 4, rnd, 4);
	memcpy(s->ni, rnd + 4, LOAD_NONCE_LEN);
	memset(s->spi_r, 0, 8);
	s->sock = next_sock;
	next_sock = (next_sock + 1) % o.ports;
	s->t_start = now;
	s->cookies = 0;
	s->cookie_len = 0;
	s->nr_len = 0;
	s->init_resp_len = 0;
	memset(&s->keys, 0, sizeof(s->keys));
	st.started++;
	if (o.ikev1)
		send_mm(s, SLOT_MM1);
	else
		send_init(s);
}

/* Seals the inner chain (inner, inner_len) into the SK payload of an
 * IKE_AUTH request in s->req. */
static err_t seal_auth(struct slot *s, uint8_t first_inner, uint8_t *inner, size_t inner_len,
		       size_t inner_cap)
{
	const struct alg_desc *encr = suite.encr;
	bool aead = encr->aead;
	size_t iv_len = encr_iv_len(encr), block = encr_block_len(encr);
	size_t icv_len = aead ? encr_icv_len(encr) : integ_icv_len(suite.integ);
	size_t pad = block > 1 ? (block - (inner_len + 1) % block) % block : 0;
	size_t plain_len = inner_len + pad + 1;
	if (plain_len > inner_cap)
		return "IKE_AUTH request too large";
	memset(inner + inner_len, 0, pad);
	inner[inner_len + pad] = (uint8_t)pad;

	struct ikev2_header h = { .exchange = IKEV2_EXCH_IKE_AUTH,
				  .flags = IKEV2_FLAG_INITIATOR, .message_id = 1 };
	memcpy(h.spi_i, s->spi_i, 8);
	memcpy(h.spi_r, s->spi_r, 8);
	struct ikev2_builder b;
	ikev2_build_init(&b, s->req, sizeof(s->req), &h);
	uint8_t *body = ikev2_build_sk(&b, first_inner, iv_len + plain_len + icv_len);
	if (body == NULL)
		return "IKE_AUTH request does not fit";
	err_t e = random_bytes(body, iv_len);
	if (e != NULL)
		return e;
	size_t sk_at = ikev2_build_sk_offset(&b);
	chunk_t aad = aead ? chunk_from(s->req, sk_at) : EMPTY_CHUNK;
	e = encr_seal(encr, s->keys.sk_ei, chunk_from(body, iv_len), aad, inner, plain_len,
		      body + iv_len, plain_len + (aead ? icv_len : 0));
	if (e != NULL)
		return e;
	if (!aead) {
		size_t total = sk_at + iv_len + plain_len + icv_len;
		e = integ_compute(suite.integ, s->keys.sk_ai, s->req, total - icv_len,
				  s->req + total - icv_len);
		if (e != NULL)
			return e;
	}
	return ikev2_build_finish(&b, &s->req_len);
}

/* IKE_AUTH: SK{IDi, [IDr], AUTH, SA, TSi, TSr}. No INITIAL_CONTACT: a
 * responder would take it as "forget the other SAs of this peer". */
static void send_auth(struct slot *s)
{
	/* AUTH = prf(prf(PSK, pad), IKE_SA_INIT request | Nr | prf(SK_pi, IDi')) */
	chunk_t maced, auth;
	err_t e = prf_compute(suite.prf, s->keys.sk_pi, chunk_from(idi_body, idi_body_len), &maced);
	if (e == NULL) {
		chunk_t parts[3] = { chunk_from(s->init_req, s->init_req_len),
				     chunk_from(s->nr, s->nr_len), maced };
		e = prf_computev(suite.prf, psk_pad, parts, 3, &auth);
		chunk_free(&maced);
	}
	if (e != NULL) {
		fail(s, "cannot compute AUTH: %s", e);
		return;
	}
	static uint8_t inner[LOAD_MSG_MAX];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, inner, sizeof(inner) - 64);
	ikev2_build_id(&b, IKEV2_PT_IDi, &idi_pl);
	if (o.send_idr)
		ikev2_build_id(&b, IKEV2_PT_IDr, &idr_pl);
	struct ikev2_auth a = { .method = IKEV2_AUTH_PSK, .data = { auth.ptr, auth.len } };
	ikev2_build_auth(&b, &a);
	if (o.child) {
		s->child_spi = next_child_spi++;
		if (next_child_spi < 0x1000)
			next_child_spi = 0x1000;
		struct ikev2_proposal *p = &esp_offer.proposals[0];
		p->spi[0] = (uint8_t)(s->child_spi >> 24);
		p->spi[1] = (uint8_t)(s->child_spi >> 16);
		p->spi[2] = (uint8_t)(s->child_spi >> 8);
		p->spi[3] = (uint8_t)s->child_spi;
		ikev2_build_sa(&b, &esp_offer);
		next_tsi();
		ikev2_build_ts(&b, IKEV2_PT_TSi, &tsi);
		ikev2_build_ts(&b, IKEV2_PT_TSr, &tsr);
	}
	size_t inner_len;
	e = ikev2_build_finish(&b, &inner_len);
	chunk_free(&auth);
	if (e == NULL)
		e = seal_auth(s, ikev2_build_first_type(&b), inner, inner_len, sizeof(inner));
	if (e != NULL) {
		fail(s, "cannot build IKE_AUTH: %s", e);
		return;
	}
	s->state = SLOT_AUTH;
	s->tries = 1;
	transmit(s);
}

/* ==== messages in ========================================================= */

/* The answer must be exactly our one proposal (we offer one transform per
 * type). */
static err_t check_chosen(const struct ikev2_sa *ans, const struct ikev2_proposal *ours)
{
	if (ans->n_proposals != 1)
		return "chosen SA has not exactly one proposal";
	const struct ikev2_proposal *p = &ans->proposals[0];
	if (p->protocol != ours->protocol || p->n_transforms != ours->n_transforms)
		return "chosen proposal differs from the offer";
	for (size_t i = 0; i < p->n_transforms; i++) {
		bool found = false;
		for (size_t j = 0; j < ours->n_transforms && !found; j++)
			found = p->transforms[i].type == ours->transforms[j].type &&
				p->transforms[i].id == ours->transforms[j].id &&
				p->transforms[i].key_length == ours->transforms[j].key_length;
		if (!found)
			return "chosen transform was not offered";
	}
	return NULL;
}

static uint16_t first_error_notify(const struct ikev2_payloads *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct ikev2_notify n;
		struct ikev2_diag d;
		if (pl->p[i].type == IKEV2_PT_N && ikev2_decode_notify(&pl->p[i], &n, &d) == NULL &&
		    ikev2_notify_is_error(n.type))
			return n.type;
	}
	return 0;
}

static void on_init_response(struct slot *s, const uint8_t *msg, size_t len,
			     const struct ikev2_header *h, const struct ikev2_payloads *pl)
{
	struct ikev2_notify n;
	char nb[32];
	if (ike_find_notify(pl, IKEV2_N_COOKIE, &n) != NULL) {
		st.cookies++;
		if (++s->cookies > LOAD_MAX_COOKIES || n.data.len == 0 || n.data.len > LOAD_COOKIE_MAX) {
			fail(s, "IKE_SA_INIT: the responder keeps asking for a COOKIE");
			return;
		}
		memcpy(s->cookie, n.data.ptr, n.data.len);
		s->cookie_len = n.data.len;
		send_init(s);
		return;
	}
	if (ike_find_notify(pl, IKEV2_N_INVALID_KE_PAYLOAD, &n) != NULL) {
		fail(s, "IKE_SA_INIT: INVALID_KE_PAYLOAD (the responder wants group %u)",
		     ikev2_notify_ke_group(&n));
		return;
	}
	uint16_t err = first_error_notify(pl);
	if (err != 0) {
		fail(s, "IKE_SA_INIT answered with %s", notify_text(err, nb));
		return;
	}
	struct ikev2_diag d = { 0 };
	static struct ikev2_sa ans;
	struct ikev2_ke ke;
	struct ikev2_nonce nr;
	const struct ikev2_payload *sap = ikev2_payloads_find(pl, IKEV2_PT_SA, 0);
	const struct ikev2_payload *kep = ikev2_payloads_find(pl, IKEV2_PT_KE, 0);
	const struct ikev2_payload *nrp = ikev2_payloads_find(pl, IKEV2_PT_NONCE, 0);
	if (sap == NULL || kep == NULL || nrp == NULL) {
		fail(s, "IKE_SA_INIT answer without SA, KE or Nr");
		return;
	}
	if (ikev2_decode_sa(sap, &ans, &d) != NULL || ikev2_decode_ke(kep, &ke, &d) != NULL ||
	    ikev2_decode_nonce(nrp, &nr, &d) != NULL) {
		fail(s, "malformed IKE_SA_INIT answer");
		if (o.verbose)
			fprintf(stderr, "ike-load:   %s\n", d.text);
		return;
	}
	err_t e = check_chosen(&ans, &ike_offer.proposals[0]);
	if (e == NULL && ke.group != suite.dh->ikev2_id)
		e = "KE of another group";
	if (e == NULL && memcmp(h->spi_r, zero_spi, 8) == 0)
		e = "no responder SPI";
	if (e == NULL && len > sizeof(s->init_resp))
		e = "answer too large to keep";
	if (e != NULL) {
		fail(s, "IKE_SA_INIT: %s", e);
		return;
	}
	memcpy(s->spi_r, h->spi_r, 8);
	memcpy(s->nr, nr.data.ptr, nr.data.len);
	s->nr_len = nr.data.len;
	memcpy(s->init_resp, msg, len);
	s->init_resp_len = len;

	chunk_t gir;
	e = dh_shared_secret(dh, chunk_from(ke.data.ptr, ke.data.len), &gir);
	if (e != NULL) {
		fail(s, "IKE_SA_INIT: bad KE from the responder");
		return;
	}
	e = ike_sa_keys_derive(&suite, chunk_from(s->ni, sizeof(s->ni)),
			       chunk_from(s->nr, s->nr_len), gir, s->spi_i, s->spi_r, &s->keys);
	chunk_free(&gir);
	if (e != NULL) {
		fail(s, "cannot derive the IKE SA keys: %s", e);
		return;
	}
	send_auth(s);
}

/* The notifies that refuse the Child SA while the IKE SA stands. */
static bool child_error(uint16_t n)
{
	return n == IKEV2_N_NO_PROPOSAL_CHOSEN || n == IKEV2_N_TS_UNACCEPTABLE ||
	       n == IKEV2_N_SINGLE_PAIR_REQUIRED || n == IKEV2_N_INTERNAL_ADDRESS_FAILURE ||
	       n == IKEV2_N_FAILED_CP_REQUIRED || n == IKEV2_N_INVALID_SELECTORS;
}

static void established(struct slot *s, uint64_t now)
{
	st.established++;
	note_second(now);
	if (o.count > 0 || (now >= measure_from && now < measure_to))
		note_latency(now - s->t_start);
	slot_free(s);
}

static void on_auth_response(struct slot *s, const uint8_t *msg, size_t len,
			     const struct ikev2_payloads *clear)
{
	struct ikev2_diag d = { 0 };
	const struct ikev2_payload *skp = ikev2_payloads_find(clear, IKEV2_PT_SK, 0);
	struct ikev2_sk sk;
	if (skp == NULL || ikev2_decode_sk(skp, &sk, &d) != NULL) {
		fail(s, "IKE_AUTH answer without an SK payload");
		return;
	}
	const struct alg_desc *encr = suite.encr;
	bool aead = encr->aead;
	size_t iv_len = encr_iv_len(encr);
	size_t icv_len = aead ? encr_icv_len(encr) : integ_icv_len(suite.integ);
	if (sk.body.len < iv_len + icv_len + 1) {
		fail(s, "IKE_AUTH: SK payload too short");
		return;
	}
	err_t e;
	if (!aead && integ_verify(suite.integ, s->keys.sk_ar, msg, len - icv_len,
				  msg + len - icv_len) != NULL) {
		fail(s, "IKE_AUTH: integrity check failed");
		return;
	}
	static uint8_t plain[65536];
	size_t ct_len = sk.body.len - iv_len - (aead ? 0 : icv_len);
	chunk_t aad = aead ? chunk_from(msg, sk.body_offset) : EMPTY_CHUNK;
	e = encr_open(encr, s->keys.sk_er, chunk_from(sk.body.ptr, iv_len), aad,
		      sk.body.ptr + iv_len, ct_len, plain, sizeof(plain));
	if (e != NULL) {
		fail(s, "IKE_AUTH: cannot decrypt");
		return;
	}
	size_t plain_len = ct_len - (aead ? icv_len : 0);
	size_t pad = plain[plain_len - 1];
	static struct ikev2_payloads inner;
	if (pad + 1 > plain_len ||
	    ikev2_split_chain(sk.first_inner, plain, plain_len - pad - 1, &inner, &d) != NULL) {
		fail(s, "IKE_AUTH: malformed inner payloads");
		return;
	}
	char nb[32];
	uint16_t err = first_error_notify(&inner);
	const struct ikev2_payload *idp = ikev2_payloads_find(&inner, IKEV2_PT_IDr, 0);
	const struct ikev2_payload *ap = ikev2_payloads_find(&inner, IKEV2_PT_AUTH, 0);
	if (err != 0 && (!child_error(err) || idp == NULL || ap == NULL)) {
		fail(s, "IKE_AUTH answered with %s", notify_text(err, nb));
		return;
	}
	struct ikev2_id idr;
	struct ikev2_auth auth;
	if (idp == NULL || ap == NULL || ikev2_decode_id(idp, &idr, &d) != NULL ||
	    ikev2_decode_auth(ap, &auth, &d) != NULL) {
		fail(s, "IKE_AUTH answer without a valid IDr and AUTH");
		return;
	}
	if (o.idr.kind != ID_ANY && o.idr.kind != ID_NONE) {
		ip_id got;
		if (id_from_payload(&idr, &got) != NULL || !id_eq(&got, &o.idr)) {
			fail(s, "IKE_AUTH: the responder's ID is not --idr");
			return;
		}
	}
	if (auth.method != IKEV2_AUTH_PSK) {
		fail(s, "IKE_AUTH: the responder did not use a PSK (method %u)", auth.method);
		return;
	}
	/* its AUTH = prf(prf(PSK, pad), IKE_SA_INIT answer | Ni | prf(SK_pr, IDr')) */
	chunk_t maced, want;
	e = prf_compute(suite.prf, s->keys.sk_pr, chunk_from(idp->body, idp->len), &maced);
	if (e == NULL) {
		chunk_t parts[3] = { chunk_from(s->init_resp, s->init_resp_len),
				     chunk_from(s->ni, sizeof(s->ni)), maced };
		e = prf_computev(suite.prf, psk_pad, parts, 3, &want);
		chunk_free(&maced);
	}
	if (e != NULL) {
		fail(s, "cannot compute the responder's AUTH: %s", e);
		return;
	}
	bool ok = chunk_eq(want, chunk_from(auth.data.ptr, auth.data.len));
	chunk_free(&want);
	if (!ok) {
		fail(s, "IKE_AUTH: the responder's AUTH does not verify");
		return;
	}
	/* the IKE SA is up; what became of the Child SA is for the report */
	if (o.child) {
		static struct ikev2_sa ans;
		const struct ikev2_payload *sap = ikev2_payloads_find(&inner, IKEV2_PT_SA, 0);
		if (err != 0) {
			count_reason(st.child_refused, &st.n_child_refused, notify_text(err, nb));
		} else if (sap == NULL || ikev2_payloads_find(&inner, IKEV2_PT_TSi, 0) == NULL ||
			   ikev2_payloads_find(&inner, IKEV2_PT_TSr, 0) == NULL ||
			   ikev2_decode_sa(sap, &ans, &d) != NULL ||
			   ans.n_proposals != 1 || ans.proposals[0].spi_size != 4 ||
			   check_chosen(&ans, &esp_offer.proposals[0]) != NULL) {
			count_reason(st.child_refused, &st.n_child_refused,
				     "answer without a valid SA, TSi and TSr");
		} else {
			st.child_ok++;
		}
	}
	established(s, now_ns());
}

/* ==== IKEv1 Main Mode (--ikev1) ============================================ */

/* Builds and sends MM1, MM3 or MM5 (next: the state it leaves the slot in). */
static void send_mm(struct slot *s, enum slot_state next)
{
	err_t e;
	if (next == SLOT_MM1 && (e = v1_xchg_start(&s->v1, s->spi_i)) != NULL)
		die("random: %s", e);
	e = next == SLOT_MM1 ? v1_build_mm1(&v1sh, &s->v1, s->req, sizeof(s->req), &s->req_len)
	    : next == SLOT_MM3 ? v1_build_mm3(&v1sh, &s->v1, s->req, sizeof(s->req), &s->req_len)
			       : v1_build_mm5(&v1sh, &s->v1, s->req, sizeof(s->req), &s->req_len);
	if (e != NULL) {
		fail(s, "cannot build MM%d: %s", next == SLOT_MM1 ? 1 : next == SLOT_MM3 ? 3 : 5, e);
		return;
	}
	s->state = next;
	s->tries = 1;
	transmit(s);
}

/* An answer's error: the responder's notify by name, else why. */
static void fail_v1(struct slot *s, int mm, err_t e)
{
	char nb[32];
	if (s->v1.notify != 0)
		fail(s, "MM%d answered with %s", mm, v1_notify_name(s->v1.notify, nb));
	else
		fail(s, "%s", e);
}

static void on_v1_datagram(const uint8_t *msg, size_t len)
{
	static const uint8_t zero[8];
	struct isakmp_header h;
	struct isakmp_diag d = { 0 };
	if (isakmp_decode_header(msg, len, &h, &d) != NULL) {
		st.stray++;
		return;
	}
	size_t index = (size_t)h.icookie[0] << 8 | h.icookie[1];
	struct slot *s = index < o.window ? &slots[index] : NULL;
	if (s == NULL || s->state == SLOT_FREE || memcmp(s->spi_i, h.icookie, 8) != 0 ||
	    (s->state != SLOT_MM1 && memcmp(h.rcookie, s->v1.cky_r, 8) != 0 &&
	     memcmp(h.rcookie, zero, 8) != 0)) {
		st.stray++;   /* late answers to SAs given up on, repeats */
		return;
	}
	if (h.exchange == ISAKMP_XCHG_INFO && h.message_id != 0 && (h.flags & ISAKMP_FLAG_ENCRYPTION)) {
		st.requests_from_responder++;   /* an encrypted Informational: not ours to read */
		return;
	}
	if (h.exchange != ISAKMP_XCHG_IDPROT && h.exchange != ISAKMP_XCHG_INFO) {
		st.stray++;
		return;
	}
	err_t e;
	switch (s->state) {
	case SLOT_MM1:
		if ((e = v1_take_mm2(&v1sh, &s->v1, msg, len)) != NULL)
			fail_v1(s, 1, e);
		else
			send_mm(s, SLOT_MM3);
		return;
	case SLOT_MM3:
		if ((e = v1_take_mm4(&v1sh, &s->v1, msg, len)) != NULL)
			fail_v1(s, 3, e);
		else
			send_mm(s, SLOT_MM5);
		return;
	case SLOT_MM5:
		if ((e = v1_take_mm6(&v1sh, &s->v1, msg, len)) != NULL)
			fail_v1(s, 5, e);
		else
			established(s, now_ns());
		return;
	default:
		st.stray++;
	}
}

static void on_datagram(const uint8_t *msg, size_t len)
{
	if (o.ikev1) {
		on_v1_datagram(msg, len);
		return;
	}
	struct ikev2_header h;
	static struct ikev2_payloads pl;
	struct ikev2_diag d = { 0 };
	if (ikev2_decode_message(msg, len, &h, &pl, &d) != NULL) {
		st.stray++;
		return;
	}
	if (!(h.flags & IKEV2_FLAG_RESPONSE)) {
		/* a request from the responder (a Delete, a liveness check):
		 * not answered, we keep no state to answer it with */
		st.requests_from_responder++;
		return;
	}
	size_t index = (size_t)h.spi_i[0] << 8 | h.spi_i[1];
	struct slot *s = index < o.window ? &slots[index] : NULL;
	if (s == NULL || s->state == SLOT_FREE || memcmp(s->spi_i, h.spi_i, 8) != 0 ||
	    (h.flags & IKEV2_FLAG_INITIATOR)) {
		st.stray++;   /* late answers to SAs given up on, retransmissions */
		return;
	}
	if (s->state == SLOT_INIT && h.exchange == IKEV2_EXCH_IKE_SA_INIT && h.message_id == 0)
		on_init_response(s, msg, len, &h, &pl);
	else if (s->state == SLOT_AUTH && h.exchange == IKEV2_EXCH_IKE_AUTH && h.message_id == 1 &&
		 memcmp(s->spi_r, h.spi_r, 8) == 0)
		on_auth_response(s, msg, len, &pl);
	else
		st.stray++;
}

/* ==== the window ========================================================= */

static unsigned in_flight(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < o.window; i++)
		n += slots[i].state != SLOT_FREE;
	return n;
}

static void check_timeouts(uint64_t now)
{
	for (unsigned i = 0; i < o.window; i++) {
		struct slot *s = &slots[i];
		if (s->state == SLOT_FREE)
			continue;
		uint64_t wait = (uint64_t)o.rto_ms * 1000000u << (s->tries - 1);
		if (now - s->t_sent < wait)
			continue;
		if (s->tries >= o.tries) {
			static const char *const what[] = { [SLOT_INIT] = "IKE_SA_INIT", [SLOT_AUTH] = "IKE_AUTH",
							    [SLOT_MM1] = "MM1", [SLOT_MM3] = "MM3", [SLOT_MM5] = "MM5" };
			fail(s, "no answer to %s", what[s->state]);
			continue;
		}
		s->tries++;
		st.retransmits++;
		transmit(s);
	}
}

static bool may_start(uint64_t now, bool stopping)
{
	if (stopping || interrupted)
		return false;
	if (o.count > 0)
		return st.started < o.count;
	return now < measure_to;
}

static void fill_window(uint64_t now, bool stopping)
{
	for (unsigned i = 0; i < o.window && may_start(now, stopping); i++)
		if (slots[i].state == SLOT_FREE)
			start_sa(&slots[i], i, now);
}

static void receive_all(struct pollfd *pfd)
{
	static uint8_t buf[65536];
	for (unsigned i = 0; i < o.ports; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		for (unsigned k = 0; k < 256; k++) {   /* bounded: give the others a turn */
			ssize_t n = recv(socks[i], buf, sizeof(buf), 0);
			if (n < 0)
				break;
			on_datagram(buf, (size_t)n);
		}
	}
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void run(void)
{
	static struct pollfd pfd[LOAD_MAX_PORTS];
	for (unsigned i = 0; i < o.ports; i++)
		pfd[i] = (struct pollfd){ .fd = socks[i], .events = POLLIN };
	t0 = now_ns();
	if (o.count > 0) {
		measure_from = t0;
		measure_to = UINT64_MAX;
	} else {
		measure_from = t0 + (uint64_t)(o.warmup * 1e9);
		measure_to = measure_from + (uint64_t)(o.duration * 1e9);
	}
	uint64_t give_up = o.count > 0 ? t0 + (uint64_t)(o.max_time * 1e9) : UINT64_MAX;
	uint64_t end_of_drain = UINT64_MAX;
	uint64_t next_scan = 0;
	unsigned long last_second_printed = 0;
	if (o.count > 0) {
		getrusage(RUSAGE_SELF, &ru_from);
		ru_from_set = true;
	}
	fill_window(t0, false);
	for (;;) {
		int r = poll(pfd, o.ports, 5);
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		uint64_t now = now_ns();
		if (!ru_from_set && now >= measure_from) {
			getrusage(RUSAGE_SELF, &ru_from);
			ru_from_set = true;
		}
		if (!ru_to_set && o.count == 0 && now >= measure_to) {
			getrusage(RUSAGE_SELF, &ru_to);
			ru_to_set = true;
		}
		if (r > 0)
			receive_all(pfd);
		now = now_ns();
		if (now >= next_scan) {
			check_timeouts(now);
			next_scan = now + 5000000u;
		}
		bool count_done = o.count > 0 && st.started >= o.count;
		bool stopping = interrupted || now >= give_up || (o.count == 0 && now >= measure_to) ||
				count_done;
		fill_window(now, stopping);
		if (o.intervals) {
			unsigned long sec = (unsigned long)((now - t0) / 1000000000u);
			while (last_second_printed < sec) {
				unsigned long c = last_second_printed < st.seconds
						  ? st.per_second[last_second_printed] : 0;
				fprintf(stderr, "ike-load: second %lu: %lu established, %u in flight\n",
					last_second_printed, c, in_flight());
				last_second_printed++;
			}
		}
		if (stopping) {
			/* count mode waits for every SA (each gives up after its
			 * tries; --max-time bounds it all); duration mode for
			 * --drain seconds */
			if (end_of_drain == UINT64_MAX)
				end_of_drain = o.count > 0 ? give_up : now + (uint64_t)(o.drain * 1e9);
			if (interrupted || in_flight() == 0 || now >= end_of_drain || now >= give_up)
				break;
		}
	}
	if (!ru_to_set) {
		getrusage(RUSAGE_SELF, &ru_to);
		ru_to_set = true;
		if (o.count > 0)
			measure_to = now_ns();
	}
	st.abandoned = in_flight();
}

/* ==== the report ========================================================== */

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double percentile_ms(double p)
{
	if (st.n_latency == 0)
		return 0;
	/* nearest rank: the smallest value with at least p% at or below it */
	double r = p / 100.0 * (double)st.n_latency;
	size_t i = (size_t)r;
	if ((double)i < r)
		i++;
	if (i > 0)
		i--;
	if (i >= st.n_latency)
		i = st.n_latency - 1;
	return st.latency_us[i] / 1000.0;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->text, y->text);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static int report(void)
{
	char target[ADDRESS_BUF];
	/* the full 1-second intervals of the measurement */
	size_t first = (size_t)((measure_from - t0) / 1000000000u);
	/* exclusive; in count mode measure_to is the end, its partial second is dropped */
	size_t last = (size_t)((measure_to - t0) / 1000000000u);
	if (last > st.seconds)
		last = st.seconds;
	size_t n = last > first ? last - first : 0;
	unsigned long *v = n ? calloc(n, sizeof(*v)) : NULL;
	if (n > 0 && v == NULL)
		die("out of memory");
	unsigned long in_window = 0;
	for (size_t i = 0; i < n; i++) {
		v[i] = st.per_second[first + i];
		in_window += v[i];
	}
	double median = 0, mean = 0;
	unsigned long mn = 0, mx = 0;
	if (n > 0) {
		qsort(v, n, sizeof(*v), cmp_ul);
		median = n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
		mean = (double)in_window / (double)n;
		mn = v[0];
		mx = v[n - 1];
	}
	double wall = (double)(measure_to - measure_from) / 1e9;
	double cpu = 0;
	if (ru_from_set && ru_to_set)
		cpu = tv_s(ru_to.ru_utime) + tv_s(ru_to.ru_stime) - tv_s(ru_from.ru_utime) -
		      tv_s(ru_from.ru_stime);
	if (o.count > 0) {
		/* count mode: the rate over the whole run as well */
		in_window = st.established;
	}
	if (st.n_latency > 0)
		qsort(st.latency_us, st.n_latency, sizeof(*st.latency_us), cmp_u32);

	unsigned keylen = suite.encr_keylen ? suite.encr_keylen : suite.encr->default_keylen;
	size_t nl = strlen(suite.encr->name);
	bool digit = nl > 0 && suite.encr->name[nl - 1] >= '0' && suite.encr->name[nl - 1] <= '9';
	printf("ike-load: %s %s:%u ike=%s%s%.0u-%s%s%s;%s esp=%s window=%u ports=%u\n",
	       o.ikev1 ? "IKEv1 Main Mode (PSK, no Quick Mode)" : "IKEv2",
	       str_address(&o.target, target), o.port, suite.encr->name,
	       digit && keylen ? "_" : "", keylen,
	       suite.prf->name, suite.integ ? "/" : "", suite.integ ? suite.integ->name : "",
	       suite.dh->name, o.child ? o.esp : "(none)", o.window, o.ports);
	if (o.intervals) {
		printf("second  established\n");
		for (size_t i = 0; i < st.seconds && (i < last + 1 || st.per_second[i]); i++)
			printf("%6zu  %lu%s\n", i, st.per_second[i],
			       i < first ? "  (warm-up)" : i >= last ? "  (after)" : "");
	}
	if (o.count > 0)
		printf("opened %lu IKE SAs in %.1f s (%.0f per second)\n", st.established, wall,
		       wall > 0 ? (double)st.established / wall : 0);
	printf("established IKE SAs per second: median %.0f over %zu full 1-s intervals%s "
	       "(min %lu, max %lu, mean %.0f)\n",
	       median, n, o.count > 0 ? "" : " after the warm-up", mn, mx, mean);
	printf("latency (first %s sent to the responder's %s checked), ms: "
	       "p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (%zu SAs)\n",
	       o.ikev1 ? "MM1" : "IKE_SA_INIT", o.ikev1 ? "HASH_R" : "AUTH", percentile_ms(50), percentile_ms(90), percentile_ms(99), percentile_ms(100),
	       st.n_latency);
	printf("started %lu, established %lu, failed %lu, abandoned in flight at the end %lu; "
	       "retransmissions %lu, COOKIE rounds %lu, stray datagrams %lu, "
	       "requests from the responder %lu\n",
	       st.started, st.established, st.failed, st.abandoned, st.retransmits, st.cookies,
	       st.stray, st.requests_from_responder);
	if (st.n_failures > 0)
		qsort(st.failures, st.n_failures, sizeof(st.failures[0]), cmp_reason);
	if (st.n_failures > 0) {
		printf("failures by reason:\n");
		for (size_t i = 0; i < st.n_failures; i++)
			printf("  %8lu  %s\n", st.failures[i].n, st.failures[i].text);
	}
	if (o.child) {
		if (st.n_child_refused > 0)
			qsort(st.child_refused, st.n_child_refused, sizeof(st.child_refused[0]),
			      cmp_reason);
		printf("Child SAs: accepted %lu", st.child_ok);
		for (size_t i = 0; i < st.n_child_refused; i++)
			printf(", refused with %s %lu", st.child_refused[i].text, st.child_refused[i].n);
		printf("\n");
	}
	double per_sa = in_window ? cpu * 1e6 / (double)in_window : 0;
	printf("client CPU during the measurement: %.0f%% of one core, %.0f us per established SA\n",
	       wall > 0 ? 100 * cpu / wall : 0, per_sa);
	printf("result: rate_median=%.0f rate_mean=%.1f intervals=%zu established=%lu failed=%lu "
	       "abandoned=%lu lat_p50_ms=%.2f lat_p90_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f "
	       "client_cpu_pct=%.0f child_ok=%lu retransmits=%lu cookies=%lu\n",
	       median, mean, n, st.established, st.failed, st.abandoned, percentile_ms(50),
	       percentile_ms(90), percentile_ms(99), percentile_ms(100),
	       wall > 0 ? 100 * cpu / wall : 0, st.child_ok, st.retransmits, st.cookies);
	free(v);
	return st.established > 0 ? 0 : 1;
}

/* ==== main ================================================================ */

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	setup_crypto();
	open_sockets();
	slots = calloc(o.window, sizeof(*slots));
	if (slots == NULL)
		die("out of memory");
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	run();
	int rc = report();
	fflush(stdout);
	for (unsigned i = 0; i < o.window; i++)
		slot_free(&slots[i]);
	free(slots);
	for (unsigned i = 0; i < o.ports; i++)
		close(socks[i]);
	chunk_free(&psk_pad);
	v1_shared_free(&v1sh);
	chunk_free(&o.psk);
	dh_free(&dh);
	free(st.per_second);
	free(st.latency_us);
	crypto_shutdown();
	return rc;
}
