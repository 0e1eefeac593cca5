/* Models of the Windows stores that a script changes: the static policy
 * store (policies, rules, filter lists, filter actions), the dynamic SPD
 * (main mode and quick mode policies, rules) and the portproxy tables.
 * Objects refer to each other by pointer (identity), so a rename keeps
 * every reference. Each object remembers where it was written. */
#ifndef NETSH_STORE_H
#define NETSH_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netsh/util.h"
#include "netsh/values.h"

struct where {
	const char *file;
	unsigned line;
};

enum naction { ACT_NEGOTIATE, ACT_PERMIT, ACT_BLOCK };
extern const char *const naction_names[];   /* "negotiate", "permit", "block" */
enum nconntype { CONN_ALL, CONN_LAN, CONN_DIALUP };
extern const char *const nconntype_names[];

enum auth_kind { AUTH_KERBEROS, AUTH_PSK, AUTH_ROOTCA };
struct nauth {
	enum auth_kind kind;
	char *text;            /* PSK or rootca value; NULL for Kerberos */
};
struct nauths {
	struct nauth *v;
	size_t n;
	bool given;            /* some method was written (else: Kerberos default) */
	struct where at;
};

/* A filter's traffic description, shared by static filters and dynamic rules. */
struct nselector {
	struct naddr src, dst;
	uint8_t proto;         /* 0: any */
	uint16_t srcport, dstport;
	bool mirrored;
};

/* ---- static store ---- */
struct sfilter {
	struct nselector sel;
	char *desc;
	struct where at;
};

struct sfilterlist {
	char *name, *desc;
	struct sfilter *f;
	size_t n, cap;
	struct strmap dups;    /* selector text -> filter, to spot duplicates */
	unsigned refs;         /* rules using it */
	struct where at;
};

struct saction {
	char *name, *desc;
	bool qmpfs, inpass, soft;
	enum naction action;
	char *qmsec;           /* NULL: Windows defaults */
	unsigned refs;
	struct where at, qmsec_at;
};

struct srule {
	char *name, *desc;
	struct spolicy *policy;
	struct sfilterlist *list;
	struct saction *action;
	char *tunnel;          /* NULL: transport */
	enum nconntype conntype;
	bool activate;
	struct nauths auth;
	struct where at;
};

struct sdefaultrule {
	bool qmpfs, activate, set;   /* set: a set defaultrule changed it */
	char *qmsec;
	struct nauths auth;
	struct where at;
};

struct spolicy {
	char *name, *desc;
	bool mmpfs, activatedefaultrule;
	bool domain;           /* created in the domain (Group Policy) store */
	long qmpermm, mmlifetime, pollinginterval;
	char *mmsec;           /* NULL: Windows defaults */
	struct srule **rules;
	size_t nrules, cap;
	struct sdefaultrule dr;
	struct where at, mmsec_at, assign_at, mmlifetime_at;
};

enum store_loc { STORE_LOCAL, STORE_PERSISTENT, STORE_DOMAIN };

struct static_store {
	struct spolicy **policies;
	size_t npolicies, cappolicies;
	struct sfilterlist **lists;
	size_t nlists, caplists;
	struct saction **actions;
	size_t nactions, capactions;
	struct strmap policy_by_name, list_by_name, action_by_name;
	struct spolicy *assigned;
	enum store_loc location;
	struct where location_at;
	bool batch;
	bool used;             /* some static command was replayed */
};

/* ---- dynamic store ---- */
enum pfsgroup { PFS_NONE, PFS_GRP1, PFS_GRP2, PFS_GRP3, PFS_GRPMM };
extern const char *const pfsgroup_names[];

struct dmmpolicy {
	char *name;
	long qmpermm, mmlifetime, softsaexpirationtime;
	char *mmsec;
	unsigned refs;
	struct where at;
};

struct dqmpolicy {
	char *name;
	bool soft;
	enum pfsgroup pfs;
	char *qmsec;
	unsigned refs;
	struct where at;
};

struct drule {
	struct nselector sel;
	enum nconntype conntype;
	char *tunnel;
	struct dmmpolicy *mm;
	struct dqmpolicy *qm;
	enum naction in, out;
	struct nauths auth;
	struct where at;
};

struct dconfig {
	const char *property;     /* table spelling */
	char *value;
	struct where at;
};

struct dynamic_store {
	struct dmmpolicy **mm;
	size_t nmm, capmm;
	struct dqmpolicy **qm;
	size_t nqm, capqm;
	struct drule **rules;
	size_t nrules, caprules;
	struct dconfig *config;
	size_t nconfig, capconfig;
	struct strmap mm_by_name, qm_by_name;
	bool used;
};

/* ---- portproxy ---- */
enum pp_kind { PP_V4TOV4, PP_V4TOV6, PP_V6TOV4, PP_V6TOV6, PP_KINDS };
extern const char *const pp_kind_names[];   /* "v4tov4", ... */

struct ppentry {
	enum pp_kind kind;
	char *laddr;              /* as written; NULL: all addresses ("*") */
	uint16_t lport, cport;
	char *caddr;              /* NULL: the local computer */
	struct where at;
};

struct portproxy_store {
	struct ppentry **v;
	size_t n, cap;
	struct strmap by_key;     /* "kind laddr port" */
	bool used;                /* some portproxy command was replayed */
	struct where reset_at;
};

void static_store_free(struct static_store *s);
void dynamic_store_free(struct dynamic_store *s);
void portproxy_store_free(struct portproxy_store *s);
void nauths_free(struct nauths *a);
void nselector_free(struct nselector *s);


/* Single objects (for deletes). */
void sfilterlist_free(struct sfilterlist *l);
void saction_free(struct saction *a);
void srule_free(struct srule *r);
void spolicy_free(struct spolicy *p);
void drule_free(struct drule *r);
void ppentry_free(struct ppentry *e);
/* Removes p from the pointer array v of n elements (keeps the order). */
void ptr_remove(void **v, size_t *n, const void *p);
/* A selector as text (for duplicates and messages). */
char *str_selector(const struct nselector *s);
#endif
