/* Windows security methods: mmsecmethods= (main mode: ike=) and
 * qmsecmethods= (quick mode: phase2=, phase2alg=, salifetime=). Tokens are
 * classified by vocabulary, so the legacy forms ("3DES-SHA1-2",
 * "ESP[3DES,SHA1]:100000k/3600s") and the newer ones ("AES128-SHA256
 * DHGroup14", "ESP:AES128-SHA256", "dhgroup14:aes256-sha256") all parse. */
#ifndef NETSH_CRYPTO_H
#define NETSH_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One entry of a vocabulary table: the Windows spelling and ours. */
struct vocab {
	const char *windows;     /* "3DES", "SHA256", "DHGroup14" */
	const char *openswan;    /* "3des", "sha2_256", "modp2048"; NULL: unsupported */
	const char *why;         /* unsupported: why; supported: weakness or NULL */
};

#define OFFERS_MAX 16

struct mm_offer {
	const struct vocab *enc, *hash, *group;
	bool group_assumed;      /* no group written: Windows' group 2 */
	bool nonstandard;        /* a form the netsh help does not document */
};

struct mm_offers {
	size_t n;
	struct mm_offer v[OFFERS_MAX];
};

enum qm_proto { QM_ESP, QM_AH, QM_AH_ESP };

struct qm_offer {
	enum qm_proto proto;
	const struct vocab *enc;     /* ESP: encryption ("None" allowed) */
	const struct vocab *integ;   /* ESP: integrity; AH: hash */
	uint64_t kbytes, seconds;    /* 0 when not written */
	bool nonstandard;
};

struct qm_offers {
	size_t n;
	struct qm_offer v[OFFERS_MAX];
};

/* Parse; on error return a message (static text or in errbuf). */
const char *parse_mmsec(const char *s, struct mm_offers *out, char *errbuf, size_t size);
const char *parse_qmsec(const char *s, struct qm_offers *out, char *errbuf, size_t size);

/* The Windows defaults when the tag is absent. */
extern const char mmsec_default[];   /* "3DES-SHA1-2 3DES-MD5-2 3DES-SHA1-3" */
extern const char qmsec_default[];   /* "ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s" */

/* Windows DH group numbers (main mode "-N", pfsgroup grpN): 3 is 2048. */
const struct vocab *dh_group_by_windows_number(unsigned n);

extern const struct vocab enc_vocab[], hash_vocab[], group_vocab[];
/* The row whose Windows spelling is s[0..n) (any case), or NULL. */
const struct vocab *vocab_find(const struct vocab *t, const char *s, size_t n);
#endif
