/* The ipsec.conf keyword table: one row per keyword. The parser, the
 * resolver, the writers, the tests and the documentation all read it. */
#ifndef IPSECCONF_KEYWORDS_H
#define IPSECCONF_KEYWORDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sections a keyword is valid in (bit set). */
#define KS_CONN   1u
#define KS_SETUP  2u

/* Flags. */
#define KF_SIDED     1u   /* exists as leftNAME and rightNAME */
#define KF_OBSOLETE  2u   /* warning, value ignored */
#define KF_REPEAT    4u   /* may appear more than once in one section */
#define KF_REQUIRED  8u   /* conn must set it (left=, right=) */
/* Dialects: the spelling is libreswan's or strongSwan's, not Openswan 2.6's
 * (both bits: the two share it). readwriteconf reports them and --strict
 * refuses them; an alias row of either maps onto an Openswan keyword. */
#define KF_LIBRESWAN  16u
#define KF_STRONGSWAN 32u
#define KF_DIALECT   (KF_LIBRESWAN | KF_STRONGSWAN)
/* Accepted and its value checked, but Cygnet has no such feature: a
 * warning quotes note (what it would need). An Openswan row keeps its
 * value in the output (addconn does not send it); a libreswan or
 * strongSwan row is left out, as there is no Openswan form for it. */
#define KF_NOEFFECT  64u

/* Value types: each has a checker in values.c. */
enum kw_type {
	KT_STRING,       /* any text */
	KT_PATH,         /* a file or directory name */
	KT_ENUM,         /* one of kw->values ("a|b|c"), case-insensitive */
	KT_BOOL,         /* yes|no */
	KT_INT,          /* whole number in [min, max] */
	KT_TIME,         /* lifetime: 90s, 1.5h, 2d; max (seconds) warns */
	KT_PERCENT,      /* N% */
	KT_KEYINGTRIES,  /* N or %forever */
	KT_HOST,         /* left=: IP, FQDN, %defaultroute, %any, ... */
	KT_NEXTHOP,      /* IP, %direct, %defaultroute */
	KT_ADDRESS,      /* a numeric IP address */
	KT_SUBNET,       /* NET/PREFIX, vhost:/vnet: lists, %no, %priv */
	KT_SUBNETS,      /* { NET/PREFIX ... } */
	KT_PROTOPORT,    /* tcp/smtp, 17/1701, 17/%any */
	KT_ID,           /* @fqdn, IP, DN, %any, %fromcert, %none, %myid */
	KT_RSAKEY,       /* 0s..., 0x..., %none, %dnsondemand, %cert, ... */
	KT_CA,           /* a DN, %same, %any */
	KT_AUTHBY,       /* secret, rsasig, secret|rsasig, never */
	KT_IKE,          /* ike= proposals */
	KT_PHASE2ALG,    /* phase2alg=: ESP or AH proposals, per phase2= */
	KT_AH,           /* ah= proposals */
	KT_DEBUG,        /* none, all, or a list of names from kw->values */
	KT_SYSLOG,       /* facility.priority */
	KT_INTERFACES,   /* %none, %defaultroute, "ipsec0=eth0 ..." */
	KT_VIRTUAL_PRIVATE, /* %v4:NET/PREFIX,!%v4:... */
	KT_OBSOLETE,     /* anything; only warned about */
	KT_SOURCEIP,     /* an address; strongSwan's %config and pools warn */
};

struct keyword {
	const char *name;     /* base name; sided rows get left/right prefixes */
	unsigned sections;    /* KS_* */
	unsigned flags;       /* KF_* */
	enum kw_type type;
	const char *values;   /* KT_ENUM / KT_DEBUG: accepted names, '|'-separated */
	const char *deflt;    /* built-in default as text, or NULL */
	long min, max;        /* KT_INT bounds; KT_TIME: max seconds (0: none) */
	const char *alias_of; /* non-NULL: this row is another spelling of that keyword;
			       * its values, if any, map its own values onto
			       * the target's: "ikev1=never|ikev2=insist" */
	const char *note;     /* obsolete rows: what to do instead */
};

extern const struct keyword keyword_table[];
extern const size_t keyword_count;

enum side { SIDE_NONE = -1, SIDE_LEFT = 0, SIDE_RIGHT = 1 };

/* A keyword as written: a table row and, for sided rows, a side. */
struct kw_ref {
	const struct keyword *kw;   /* NULL: unknown */
	enum side side;
	bool via_alias;             /* written with an alias spelling */
	const struct keyword *written; /* the row whose spelling was used */
};

/* Looks a key up (case-sensitive, as Openswan does); aliases are
 * followed to their target row. */
struct kw_ref keyword_lookup(const char *name, size_t len);

/* Slot numbers: every (row, side) pair has one, 0 .. keyword_slots()-1. */
size_t keyword_slots(void);
size_t keyword_slot(const struct keyword *kw, enum side side);
const struct keyword *keyword_of_slot(size_t slot, enum side *side);
/* The same key on the other side (alsoflip): itself when not sided. */
size_t keyword_flip_slot(size_t slot);
/* Canonical spelling of a slot, e.g. "leftsubnet". */
const char *keyword_slot_name(size_t slot);

/* x-, X-, x_, X_ user extension keys. */
bool keyword_is_extension(const char *name, size_t len);

/* Values of canonical keywords that another dialect spells differently
 * (auto=ondemand is auto=route): the canonical value, or NULL. *flags gets
 * the dialect (KF_LIBRESWAN|KF_STRONGSWAN); *note, when not NULL, says why
 * the value used is not quite what was asked (a warning). */
const char *keyword_map_value(const struct keyword *kw, const char *value,
			      unsigned *flags, const char **note);

/* A libreswan plutodebug= name (base, cpu-usage, tmi, ...): true, and
 * *ours is our names of the same meaning (space separated), or NULL when
 * pluto has none. */
bool keyword_libreswan_debug(const char *name, size_t len, const char **ours);
/* A name of a KT_DEBUG keyword's list (a --debug- prefix allowed). */
bool keyword_debug_name(const struct keyword *kw, const char *name, size_t len);
/* The closest debug name (libreswan's too, for plutodebug=), or NULL. */
const char *keyword_debug_suggest(const struct keyword *kw, const char *name, size_t len);

/* Edit distance with adjacent swaps, 99 when either is over 64 bytes. */
unsigned keyword_distance(const char *a, const char *b);

/* The closest known keyword for "did you mean", or NULL. */
const char *keyword_suggest(const char *name, unsigned sections);
#endif
