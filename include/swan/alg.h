/* Algorithms and the proposal strings of ike=, phase2alg=, esp=, ah=.
 * One table lists every algorithm the daemon supports; parsing checks
 * names against it, so the compiler and the daemon agree. */
#ifndef SWAN_ALG_H
#define SWAN_ALG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "swan/err.h"

enum alg_type { ALG_ENCRYPT, ALG_INTEG, ALG_PRF, ALG_DH };

/* Where an algorithm may be used (bit set). */
#define ALG_IKE 1u
#define ALG_ESP 2u
#define ALG_AH  4u

struct alg_desc {
	const char *name;        /* canonical: "aes", "aes_gcm16", "sha2_256", "modp2048" */
	const char *aliases;     /* space separated other spellings, or NULL */
	enum alg_type type;
	uint16_t ikev2_id;       /* IANA IKEv2 transform ID */
	unsigned usable;         /* ALG_IKE | ALG_ESP | ALG_AH */
	uint16_t keylens[4];     /* allowed key sizes in bits, 0-terminated;
				  * all zero: fixed size */
	uint16_t default_keylen; /* for variable ciphers */
	bool aead;               /* ENCRYPT: GCM/CCM, no INTEG */
	unsigned icv_octets;     /* AEAD ICV size; INTEG truncation (bytes) */
	unsigned dh_group;       /* DH: group number (RFC 7296 / 5114 / 8031) */
	const char *weak;        /* non-NULL: why using it earns a warning */
};

extern const struct alg_desc alg_table[];
extern const size_t alg_table_len;

/* Case-insensitive lookup by name or alias. */
const struct alg_desc *alg_by_name(enum alg_type type, const char *name, size_t len);
const struct alg_desc *alg_by_ikev2_id(enum alg_type type, uint16_t id);

/* IKEv1 numbers the same algorithms in several spaces; each maps to the one
 * description above (0: not defined in that space):
 *   PHASE1  ISAKMP SA attributes (RFC 2409 app. A): Encryption Algorithm
 *           (ENCRYPT), Hash Algorithm (INTEG and the PRF built on it),
 *           Group Description (DH)
 *   IPSEC   IPsec DOI (RFC 2407): ESP transform ID (ENCRYPT),
 *           Authentication Algorithm attribute (INTEG), Group
 *           Description of PFS (DH)
 *   AH      IPsec DOI AH transform ID (INTEG) */
enum alg_ikev1_space { ALG_V1_PHASE1, ALG_V1_IPSEC, ALG_V1_AH };
uint16_t alg_ikev1_id(const struct alg_desc *a, enum alg_ikev1_space space);
const struct alg_desc *alg_by_ikev1_id(enum alg_type type, enum alg_ikev1_space space, uint16_t id);

enum alg_proto { ALG_FOR_IKE, ALG_FOR_ESP, ALG_FOR_AH };

/* One proposal; NULL members mean "every default allowed". */
struct proposal {
	const struct alg_desc *encr;
	unsigned keylen;                 /* 0: algorithm default/all */
	const struct alg_desc *integ;
	const struct alg_desc *prf;
	const struct alg_desc *dh;
};

#define PROPOSALS_MAX 16
struct proposals {
	unsigned n;
	struct proposal p[PROPOSALS_MAX];
	const char *weak;   /* first weakness met, or NULL (for a warning) */
	const char *weaks[8];   /* every distinct weakness met, in order */
	unsigned n_weak;
};

/* Parses "PROPOSAL[,PROPOSAL...]". IKE: "ENC[KEYLEN]-HASH[;DH]", "ENC",
 * "DH" alone ("modp1536"), DH also after '-' ("aes128-sha2_256-modp2048").
 * ESP: "ENC-AUTH[;DH]", AEAD as "aes_gcm16_256-null" or "aes_ccm_a-152-null"
 * (CCM/GCM key sizes may include the 24/32-bit salt as Openswan wrote them).
 * AH: "AUTH[;DH]" ("hmac-" prefix allowed). DH as modpN, ecpN, dhN,
 * curve25519. On error writes a message naming the bad part into errbuf and
 * returns errbuf. */
err_t ttoproposals(const char *s, enum alg_proto proto, struct proposals *out,
		   char *errbuf, size_t errsize);
/* Canonical text: "aes128-sha2_256;modp2048,3des-sha1". Returns buf. */
const char *str_proposals(const struct proposals *p, enum alg_proto proto,
			  char *buf, size_t size);
#endif
