/* The ipsec.conf keyword table (Openswan 2.6 names; the seed man page is
 * the specification of each value) and its lookups. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ipsecconf/keywords.h"

#define C  KS_CONN
#define S  KS_SETUP
#define SIDED KF_SIDED
#define OBS   KF_OBSOLETE

/* Day in seconds: the maximum of salifetime= and ikelifetime=. */
#define DAY (24L * 3600)

#define PLUTO_DEBUG_NAMES "none|all|raw|crypt|parsing|emitting|control|" \
	"lifecycle|kernel|klips|pfkey|netkey|dns|oppo|oppoinfo|controlmore|" \
	"nattraversal|natt|x509|dpd|whackwatch|private|ike|child|updown|helpers"
#define KLIPS_DEBUG_NAMES "none|all|tunnel|tunnel-xmit|pfkey|xform|eroute|" \
	"spi|radij|esp|ah|rcv|ipcomp|verbose"

const struct keyword keyword_table[] = {
	/* ---- conn: both sides -------------------------------------------- */
	{ "", C, SIDED | KF_REQUIRED, KT_HOST, NULL, NULL, 0, 0, NULL, NULL },
	{ "id", C, SIDED, KT_ID, NULL, NULL, 0, 0, NULL, NULL },
	{ "subnet", C, SIDED, KT_SUBNET, NULL, NULL, 0, 0, NULL, NULL },
	{ "subnets", C, SIDED, KT_SUBNETS, NULL, NULL, 0, 0, NULL, NULL },
	{ "protoport", C, SIDED, KT_PROTOPORT, NULL, NULL, 0, 0, NULL, NULL },
	{ "nexthop", C, SIDED, KT_NEXTHOP, NULL, "%direct", 0, 0, NULL, NULL },
	{ "sourceip", C, SIDED, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "updown", C, SIDED, KT_STRING, NULL, "ipsec _updown", 0, 0, NULL, NULL },
	{ "rsasigkey", C, SIDED, KT_RSAKEY, NULL, "%dnsondemand", 0, 0, NULL, NULL },
	{ "rsasigkey2", C, SIDED, KT_RSAKEY, NULL, NULL, 0, 0, NULL, NULL },
	{ "cert", C, SIDED, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "ca", C, SIDED, KT_CA, NULL, NULL, 0, 0, NULL, NULL },
	{ "sendcert", C, SIDED, KT_ENUM, "yes|always|ifasked|no|never", "ifasked", 0, 0, NULL, NULL },
	{ "xauthserver", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "xauthclient", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "xauthusername", C, SIDED, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "xauthname", C, SIDED, KT_STRING, NULL, NULL, 0, 0, "xauthusername", NULL },
	{ "modecfgserver", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgclient", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "firewall", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "firewalling is the updown script's job" },
	{ "espenckey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espauthkey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espspi", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahkey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahspi", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },

	/* ---- conn ---------------------------------------------------------- */
	{ "type", C, 0, KT_ENUM, "tunnel|transport|passthrough|drop|reject", "tunnel", 0, 0, NULL, NULL },
	{ "connaddrfamily", C, 0, KT_ENUM, "ipv4|ipv6", "ipv4", 0, 0, NULL, NULL },
	{ "auto", C, 0, KT_ENUM, "add|route|start|manual|ignore", "ignore", 0, 0, NULL, NULL },
	{ "authby", C, 0, KT_AUTHBY, NULL, "rsasig", 0, 0, NULL, NULL },
	{ "ike", C, 0, KT_IKE, NULL, NULL, 0, 0, NULL, NULL },
	{ "phase2", C, 0, KT_ENUM, "esp|ah", "esp", 0, 0, NULL, NULL },
	{ "phase2alg", C, 0, KT_PHASE2ALG, NULL, NULL, 0, 0, NULL, NULL },
	{ "esp", C, 0, KT_PHASE2ALG, NULL, NULL, 0, 0, "phase2alg",
	  "esp= is obsolete; write phase2alg=" },
	{ "ah", C, 0, KT_AH, NULL, NULL, 0, 0, NULL, NULL },
	{ "ikev2", C, 0, KT_ENUM, "permit|never|no|propose|yes|insist", "permit", 0, 0, NULL, NULL },
	{ "pfs", C, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "aggrmode", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "salifetime", C, 0, KT_TIME, NULL, "8h", 0, DAY, NULL, NULL },
	{ "keylife", C, 0, KT_TIME, NULL, NULL, 0, DAY, "salifetime", NULL },
	{ "lifetime", C, 0, KT_TIME, NULL, NULL, 0, DAY, "salifetime", NULL },
	{ "ikelifetime", C, 0, KT_TIME, NULL, "1h", 0, DAY, NULL, NULL },
	{ "rekey", C, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "rekeymargin", C, 0, KT_TIME, NULL, "9m", 0, 0, NULL, NULL },
	{ "rekeyfuzz", C, 0, KT_PERCENT, NULL, "100%", 0, 0, NULL, NULL },
	{ "keyingtries", C, 0, KT_KEYINGTRIES, NULL, "%forever", 0, 0, NULL, NULL },
	{ "compress", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "metric", C, 0, KT_INT, NULL, "1", 1, 65535, NULL, NULL },
	{ "disablearrivalcheck", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "failureshunt", C, 0, KT_ENUM, "none|passthrough|drop|reject", "none", 0, 0, NULL, NULL },
	{ "dpddelay", C, 0, KT_TIME, NULL, "30s", 0, 0, NULL, NULL },
	{ "dpdtimeout", C, 0, KT_TIME, NULL, "120s", 0, 0, NULL, NULL },
	{ "dpdaction", C, 0, KT_ENUM, "hold|clear|restart|restart_by_peer", "hold", 0, 0, NULL, NULL },
	{ "forceencaps", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "overlapip", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgpull", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgdns1", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgdns2", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgwins1", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgwins2", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "remote_peer_type", C, 0, KT_ENUM, "cisco|ietf", "ietf", 0, 0, NULL, NULL },
	{ "nm_configured", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "pfsgroup", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "give the PFS group in phase2alg=, e.g. phase2alg=aes128-sha1;modp2048" },
	{ "spi", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "spibase", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espenckey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espauthkey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espreplay_window", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahkey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahreplay_window", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },

	/* ---- config setup ------------------------------------------------- */
	{ "myid", S, 0, KT_ID, NULL, NULL, 0, 0, NULL, NULL },
	{ "protostack", S, 0, KT_ENUM, "auto|klips|netkey|mast", "netkey", 0, 0, NULL, NULL },
	{ "interfaces", S, 0, KT_INTERFACES, NULL, "%defaultroute", 0, 0, NULL, NULL },
	{ "nat_traversal", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "disable_port_floating", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "force_keepalive", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "keep_alive", S, 0, KT_INT, NULL, "20", 1, 86400, NULL, NULL },
	{ "virtual_private", S, 0, KT_VIRTUAL_PRIVATE, NULL, NULL, 0, 0, NULL, NULL },
	{ "oe", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "nhelpers", S, 0, KT_INT, NULL, "-1", -1, 1024, NULL, NULL },
	{ "crlcheckinterval", S, 0, KT_TIME, NULL, "0", 0, 0, NULL, NULL },
	{ "strictcrlpolicy", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "syslog", S, 0, KT_SYSLOG, NULL, "daemon.error", 0, 0, NULL, NULL },
	{ "klipsdebug", S, 0, KT_DEBUG, KLIPS_DEBUG_NAMES, "none", 0, 0, NULL, NULL },
	{ "plutodebug", S, 0, KT_DEBUG, PLUTO_DEBUG_NAMES, "none", 0, 0, NULL, NULL },
	{ "uniqueids", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	/* libreswan's names: when pluto demands COOKIEs (RFC 7296 2.6) */
	{ "ddos-mode", S, 0, KT_ENUM, "busy|unlimited|auto", "auto", 0, 0, NULL, NULL },
	{ "ddos-ike-threshold", S, 0, KT_INT, NULL, "512", 1, 1000000, NULL, NULL },
	/* libreswan's names: caps on IKE SAs that answered IKE_SA_INIT only */
	{ "max-halfopen-ike", S, 0, KT_INT, NULL, "50000", 1, 10000000, NULL, NULL },
	{ "max-halfopen-ike-per-address", S, 0, KT_INT, NULL, "25", 1, 10000000, NULL, NULL },
	{ "plutorestartoncrash", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "plutoopts", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "plutostderrlog", S, 0, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "pluto", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "plutowait", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "prepluto", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "postpluto", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "dumpdir", S, 0, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "fragicmp", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "hidetos", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "overridemtu", S, 0, KT_INT, NULL, NULL, 68, 65535, NULL, NULL },
	{ "forwardcontrol", S, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "set net.ipv4.ip_forward in /etc/sysctl.conf" },
	{ "rp_filter", S, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "set net.ipv4.conf.*.rp_filter in /etc/sysctl.conf" },
};
const size_t keyword_count = sizeof(keyword_table) / sizeof(keyword_table[0]);

/* ---- slots ----------------------------------------------------------------
 * Slot numbers follow the canonical output order: every sided row's left
 * slot in table order, then every right slot, then the one-sided rows.
 * Alias rows share their target's slots. */

static size_t n_slots;
static size_t n_sided_rows;
static size_t *row_slot;              /* per row: left (or only) slot */
static size_t *slot_row;              /* per slot: row */
static signed char *slot_side;
static char **slot_names;

struct name_entry { const char *name; size_t len; size_t row; enum side side; };
static struct name_entry *names;      /* open addressing, power of two */
static size_t names_mask;

static size_t hash_name(const char *s, size_t len)
{
	size_t h = 1469598103934665603u;   /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

static size_t row_index(const struct keyword *kw)
{
	return (size_t)(kw - keyword_table);
}

static const struct keyword *find_row(const char *name)
{
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of == NULL &&
		    strcmp(keyword_table[i].name, name) == 0 &&
		    (keyword_table[i].flags & KF_SIDED) == 0)
			return &keyword_table[i];
	return NULL;
}

static const struct keyword *find_sided_row(const char *name)
{
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of == NULL &&
		    strcmp(keyword_table[i].name, name) == 0 &&
		    (keyword_table[i].flags & KF_SIDED) != 0)
			return &keyword_table[i];
	return NULL;
}

/* The row an alias row stands for. */
static const struct keyword *target_row(const struct keyword *kw)
{
	if (kw->alias_of == NULL)
		return kw;
	return (kw->flags & KF_SIDED) ? find_sided_row(kw->alias_of) : find_row(kw->alias_of);
}

static void add_name(char *name, size_t row, enum side side)
{
	size_t len = strlen(name);
	size_t i = hash_name(name, len) & names_mask;
	while (names[i].name != NULL)
		i = (i + 1) & names_mask;
	names[i] = (struct name_entry){ name, len, row, side };
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL)
		abort();
	return p;
}

static char *sided_name(enum side side, const char *base)
{
	const char *pre = side == SIDE_LEFT ? "left" : "right";
	char *s = xcalloc(strlen(pre) + strlen(base) + 1, 1);
	strcpy(s, pre);
	strcat(s, base);
	return s;
}

static void build_tables(void)
{
	row_slot = xcalloc(keyword_count, sizeof(*row_slot));
	slot_row = xcalloc(2 * keyword_count, sizeof(*slot_row));
	slot_side = xcalloc(2 * keyword_count, sizeof(*slot_side));
	slot_names = xcalloc(2 * keyword_count, sizeof(*slot_names));

	size_t n_sided = 0;
	for (size_t i = 0; i < keyword_count; i++)
		if ((keyword_table[i].flags & KF_SIDED) && !keyword_table[i].alias_of)
			n_sided++;
	n_sided_rows = n_sided;
	size_t left = 0, right = n_sided, one = 2 * n_sided;
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *kw = &keyword_table[i];
		if (kw->alias_of != NULL)
			continue;
		if (kw->flags & KF_SIDED) {
			row_slot[i] = left;
			slot_row[left] = slot_row[right] = i;
			slot_side[left] = SIDE_LEFT;
			slot_side[right] = SIDE_RIGHT;
			slot_names[left++] = sided_name(SIDE_LEFT, kw->name);
			slot_names[right++] = sided_name(SIDE_RIGHT, kw->name);
		} else {
			row_slot[i] = one;
			slot_row[one] = i;
			slot_side[one] = SIDE_NONE;
			slot_names[one] = (char *)kw->name;
			one++;
		}
	}
	n_slots = one;

	size_t cap = 16;
	while (cap < 4 * 2 * keyword_count)
		cap *= 2;
	names = xcalloc(cap, sizeof(*names));
	names_mask = cap - 1;
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *kw = &keyword_table[i];
		if (kw->flags & KF_SIDED) {
			add_name(sided_name(SIDE_LEFT, kw->name), i, SIDE_LEFT);
			add_name(sided_name(SIDE_RIGHT, kw->name), i, SIDE_RIGHT);
		} else {
			add_name((char *)kw->name, i, SIDE_NONE);
		}
	}
	/* Aliases get their target's slots. */
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of != NULL)
			row_slot[i] = row_slot[row_index(target_row(&keyword_table[i]))];
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
#define TABLES() pthread_once(&tables_once, build_tables)

struct kw_ref keyword_lookup(const char *name, size_t len)
{
	TABLES();
	struct kw_ref ref = { NULL, SIDE_NONE, false, NULL };
	size_t i = hash_name(name, len) & names_mask;
	for (; names[i].name != NULL; i = (i + 1) & names_mask) {
		/* By length first: a key from the file may hold a NUL byte. */
		if (names[i].len != len || memcmp(names[i].name, name, len) != 0)
			continue;
		const struct keyword *kw = &keyword_table[names[i].row];
		ref.written = kw;
		ref.side = names[i].side;
		ref.via_alias = kw->alias_of != NULL;
		ref.kw = target_row(kw);
		return ref;
	}
	return ref;
}

size_t keyword_slots(void)
{
	TABLES();
	return n_slots;
}

size_t keyword_slot(const struct keyword *kw, enum side side)
{
	TABLES();
	size_t s = row_slot[row_index(kw)];
	/* right slots follow all left slots at a fixed distance */
	if ((kw->flags & KF_SIDED) && side == SIDE_RIGHT)
		s += n_sided_rows;
	return s;
}

const struct keyword *keyword_of_slot(size_t slot, enum side *side)
{
	TABLES();
	if (side != NULL)
		*side = slot_side[slot];
	return &keyword_table[slot_row[slot]];
}

size_t keyword_flip_slot(size_t slot)
{
	TABLES();
	if (slot_side[slot] == SIDE_NONE)
		return slot;
	const struct keyword *kw = &keyword_table[slot_row[slot]];
	return keyword_slot(kw, slot_side[slot] == SIDE_LEFT ? SIDE_RIGHT : SIDE_LEFT);
}

const char *keyword_slot_name(size_t slot)
{
	TABLES();
	return slot_names[slot];
}

bool keyword_is_extension(const char *name, size_t len)
{
	return len > 2 && (name[0] == 'x' || name[0] == 'X') &&
	       (name[1] == '-' || name[1] == '_');
}

/* Optimal string alignment distance (edits, with adjacent swaps). */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	unsigned d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *keyword_suggest(const char *name, unsigned sections)
{
	TABLES();
	const char *best = NULL;
	unsigned best_d = 99;
	size_t len = strlen(name);
	unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	for (size_t i = 0; i <= names_mask; i++) {
		if (names[i].name == NULL || (names[i].name[0] == '\0'))
			continue;
		const struct keyword *kw = &keyword_table[names[i].row];
		if ((kw->sections & sections) == 0 || (kw->flags & KF_OBSOLETE))
			continue;
		unsigned d = edit_distance(name, names[i].name);
		if (d < best_d || (d == best_d && best && strcmp(names[i].name, best) < 0)) {
			best_d = d;
			best = names[i].name;
		}
	}
	return best_d <= limit ? best : NULL;
}
