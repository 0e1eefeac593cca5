/* The mapping from the replayed stores to Openswan conns (decisions and
 * their reasons are in docs/netsh-import.md). */
#ifndef NETSH_MAP_H
#define NETSH_MAP_H
#include <stdbool.h>
#include "netsh/conn.h"
#include "netsh/crypto.h"
#include "netsh/replay.h"

struct netsh_options {
	const char *me;                      /* --me: what "Me" is (NULL: %defaultroute) */
	ip_address me_addr;
	const char *me6;                     /* --me6 (or a second --me): Me for IPv6 */
	ip_address me6_addr;
	char **servers[SRV_COUNT];           /* --server dns=ADDR,...: addresses per type */
	size_t nservers[SRV_COUNT];
	const char *cert;                    /* --cert: this host's certificate (NSS nickname) */
};

struct msgcount {
	struct diags *d;
	size_t idx;                          /* the message in d */
	unsigned n;                          /* how many times it was said */
	bool per_filter;                     /* said about filters of a rule */
};

struct rule_spec;

struct mapper {
	const struct netsh_options *o;
	struct output *out;
	struct diags *d, *notes;
	struct strmap seen;                  /* messages already given (once each) */
	struct strmap cert_told;             /* policies told which certificate they use */
	const char *me;                      /* Me for the selector being mapped */
	ip_address me_addr;
	const struct rule_spec *rule;        /* the rule whose filters are mapped */
	struct msgcount *counts;
	size_t ncounts, capcounts;
};

/* Everything: static policies, dynamic rules, portproxy relays. */
void map_all(const struct replay *r, const struct netsh_options *o, struct output *out,
	     struct diags *d, struct diags *notes);

__attribute__((format(printf, 4, 5)))
void map_msg(struct mapper *m, enum diag_level lvl, struct where at, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void map_note(struct mapper *m, struct where at, const char *fmt, ...);

/* A rule, static or dynamic, in the terms the conns need. */
struct rule_spec {
	const char *parts[3];        /* name parts: policy, rule ("dyn", "N") */
	size_t nparts;
	const char *label;           /* for messages: "rule 'X' of policy 'P'" */
	enum naction action;
	const struct nauths *auth;
	const char *mmsec;           /* NULL: Windows defaults */
	struct where mmsec_at;
	long mmlifetime;             /* minutes */
	struct where mmlifetime_at;
	const char *qmsec;
	struct where qmsec_at, action_at;
	bool qmpfs;                  /* static qmpfs= */
	enum pfsgroup pfsgroup;      /* dynamic pfsgroup= */
	bool soft, inpass;
	bool active;
	struct where auto_at, rule_at;
	const char *tunnel;          /* remote gateway, NULL: transport */
	const char *pair_tunnel;     /* the paired rule's gateway (left=) */
	bool dynamic;
};

/* The conn settings of a rule, shared by all its filters. */
struct conn_template {
	struct ckv kv[24];
	size_t n;
	const char *psk;             /* authby=secret: the key */
	bool ok;
};

bool build_template(struct mapper *m, const struct rule_spec *rs, struct conn_template *t);
void template_free(struct conn_template *t);

/* Crypto: ike= from mmsecmethods=, phase2 settings from qmsecmethods=. */
bool map_ike(struct mapper *m, const char *mmsec, struct where at, struct sbuf *ike);
struct phase2 {
	const char *proto;           /* "esp" or "ah" */
	struct sbuf alg;
	uint64_t seconds;
};
bool map_phase2(struct mapper *m, const char *qmsec, struct where at, const char *dh,
		struct phase2 *p2);

/* Emits the conns of one selector (one filter, or one dynamic rule). */
void map_selector(struct mapper *m, const struct rule_spec *rs, const struct conn_template *t,
		  const struct nselector *sel, struct where at, const char *filter_part,
		  const char *comment);
/* Tunnel: both selectors of a pair (or one), with the gateways. */
void map_tunnel(struct mapper *m, const struct rule_spec *rs, const struct conn_template *t,
		const struct nselector *sel, struct where at, const char *filter_part,
		const char *comment);

void map_static(struct mapper *m, const struct static_store *st);
void map_dynamic(struct mapper *m, const struct dynamic_store *dy);
void map_portproxy(struct mapper *m, const struct portproxy_store *pp);
#endif
