/* crypto: everything cryptographic pluto needs, on NSS only.
 *
 * One file per concern:
 *   crypto_init.c  NSS start-up (a database directory, or no database for
 *                  tests) and shutdown
 *   random.c       nonces and SPIs
 *   dh.c           Diffie-Hellman: MODP 2, 5, 14-18, 22-24; ECP 19-21;
 *                  Curve25519 (31)
 *   prf.c          HMAC PRFs and prf+ (RFC 7296 2.13)
 *   ike_keys.c     SKEYSEED, the seven IKE SA keys (2.14), rekey (2.18),
 *                  Child SA KEYMAT (2.17)
 *   cipher.c       AES-CBC, 3DES-CBC, AES-GCM-16 for the SK payload; HMAC
 *                  integrity; algorithm sizes
 *   auth.c         PSK AUTH (2.15), SignedOctets, RSA signatures (auth
 *                  method 1 and RFC 7427 digital signatures)
 *   hostkey.c      RSA host keys in the NSS database
 *   cert.c         X.509 certificates in the NSS database: ours, pinned
 *                  peers, chain verification, CERTREQ CA hashes
 *   crl.c          CRLs in the NSS database: revocation of the verified
 *                  chain (strictcrlpolicy=), rereading, listing
 *   crypto_nss.[ch] private plumbing shared by the above (error texts,
 *                  key import, the HMAC engine); not for use outside
 *
 * Algorithms are named by their row in the table of include/swan/alg.h
 * (alg_by_name, alg_by_ikev2_id); a function handed a row it cannot serve
 * returns an error, it never aborts.
 *
 * Errors: functions return err_t, NULL on success. The text is a static
 * string or lives in a per-thread buffer that stays valid until the next
 * call into this module from the same thread; copy it if you keep it.
 * NSS errors are shown by name ("SEC_ERROR_BAD_SIGNATURE").
 *
 * Ownership: chunk_t results are owned by the caller (chunk_free wipes and
 * frees them); chunk_t arguments are borrowed. Every function is safe to
 * call from several threads at once once crypto_init_* has returned (the
 * helper thread pool): a struct dh_secret is used by one thread at a
 * time; a struct hostkey may sign in several threads at once (tested);
 * crypto_init_* and crypto_shutdown run alone, in the main thread.
 *
 * NSS does not survive fork(): start it (crypto_init_*) in the process
 * that uses it, after daemonising, and before dropping the privileges
 * needed to read the database.
 */
#ifndef PLUTO_CRYPTO_H
#define PLUTO_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../chunk.h"
#include "swan/alg.h"
#include "swan/err.h"
#include "swan/id.h"
#include "swan/rsakey.h"

/* ===== crypto_init.c ===================================================== */

/* The NSS database directory used when none is configured. */
#define CRYPTO_DEFAULT_NSSDIR IPSEC_NSSDIR

/* Opens the NSS database in dir ("DIR" or "sql:DIR"). The directory must
 * already hold an SQL database (cert9.db and key4.db); if it does not, the
 * error names the directory and how to create one: this function never
 * creates a database. readonly opens it read-only (enough to use keys,
 * not to add them). password: the database password, or NULL to use
 * DIR/nsspassword when it exists ("token:password" lines as libreswan
 * writes them, or a bare password), else the empty password. A database
 * with a password is logged into here, so a wrong one fails now. */
err_t crypto_init_nssdb(const char *dir, bool readonly, const char *password);

/* For ipsec newhostkey: as crypto_init_nssdb read-write, but when dir
 * holds no database yet, creates one with an empty password. dir itself
 * must exist. *created (may be NULL) says whether a database was made. */
err_t crypto_init_nssdb_create(const char *dir, bool *created);

/* NSS without a database (NSS_NoDB_Init): every algorithm, no host keys.
 * For unit tests and tools that need no keys. */
err_t crypto_init_nodb(void);

/* NSS_Shutdown. Returns an error (and leaves NSS running) when NSS objects
 * are still referenced: a leak somewhere (tests assert on it). */
err_t crypto_shutdown(void);

bool crypto_initialized(void);
/* The database directory in use ("" without a database). */
const char *crypto_nssdir(void);

/* ===== random.c ========================================================== */

/* len bytes from NSS's DRBG (PK11_GenerateRandom). */
err_t random_bytes(void *buf, size_t len);
/* A nonce for Ni/Nr: len must be 16..256 (RFC 7296 3.9); use at least
 * half the PRF's key size (prf_output_len / 2, and >= 16). */
err_t random_nonce(size_t len, chunk_t *nonce);
/* An IKE SPI: 8 random bytes, never all zero. */
err_t random_ike_spi(uint8_t spi[8]);
/* An ESP/AH SPI in host byte order: random, never below 0x100 (1..255
 * are reserved by IANA, RFC 4303 2.1). */
err_t random_ipsec_spi(uint32_t *spi);

/* ===== dh.c ============================================================== */

/* One side's ephemeral Diffie-Hellman key for one exchange. */
struct dh_secret;

/* Length of the KE payload's key exchange data for a DH row: the prime's
 * length for MODP, x||y (2 * coordinate) for ECP, 32 for Curve25519;
 * 0 when the row is not a supported group. */
size_t dh_ke_len(const struct alg_desc *group);
/* Length of g^ir for a group (prime length, coordinate length, 32). */
size_t dh_shared_len(const struct alg_desc *group);

/* A fresh key pair of the group (a DH row of alg_table); NULL and *e set
 * on failure. */
struct dh_secret *dh_generate(const struct alg_desc *group, err_t *e);
/* A key pair from known values, for known-answer tests: priv is the
 * private value as the RFC vectors print it (MODP and ECP: big-endian
 * integer; Curve25519: the 32-byte little-endian scalar) and pub the KE
 * bytes of the matching public value (not checked against priv). */
struct dh_secret *dh_import(const struct alg_desc *group, chunk_t priv,
			    chunk_t pub, err_t *e);
const struct alg_desc *dh_secret_group(const struct dh_secret *s);
/* Our KE payload bytes (borrowed; valid until dh_free). MODP: big-endian,
 * zero-padded to the prime's length; ECP: x||y without the 0x04 prefix
 * (RFC 5903 7); Curve25519: the 32-byte little-endian u (RFC 8031). */
chunk_t dh_public_value(const struct dh_secret *s);
/* g^ir from the peer's KE bytes, into *gir (owned; MODP: padded to the
 * prime's length; ECP: the x coordinate, RFC 5903 7; Curve25519: 32
 * bytes). The peer value is checked first: its length must be
 * dh_ke_len; MODP values must lie in 2..p-2, and for groups 22-24 in the
 * prime-order subgroup (y^q = 1, RFC 6989); ECP points must be on the
 * curve; a Curve25519 result of all zeros is refused (RFC 8031 2). */
err_t dh_shared_secret(struct dh_secret *s, chunk_t peer, chunk_t *gir);
/* Frees the key pair and sets *s to NULL; NULL is fine. A shared key
 * pair is freed by its last holder. */
void dh_free(struct dh_secret **s);
/* One more holder of s (dh_reuse.c): each holder calls dh_free once. The
 * holders may use it in several threads at once. */
struct dh_secret *dh_share(struct dh_secret *s);

/* ===== dh_reuse.c ======================================================== */

/* A responder that is busy (its crypto helpers have more work queued than
 * threads) may share one key pair of a group among the IKE SAs it answers
 * for a short while, as RFC 7296 2.12 allows: each exchange still gets
 * its own keys (the nonces and the peer's value differ), and the peer's
 * value is checked as RFC 6989 asks of a reused exponent (dh_shared_secret
 * does that always). The key pair is forgotten once max_age_ms have
 * passed, so forward secrecy holds beyond that window.
 *
 * A key pair of the group made less than max_age_ms before now_ms, shared
 * (dh_free it as any), or a fresh one kept for sharing; NULL and *e set on
 * failure. Safe in several threads at once. */
struct dh_secret *dh_generate_shared(const struct alg_desc *group, uint64_t max_age_ms,
				     uint64_t now_ms, err_t *e);
/* Forgets the kept key pairs made max_age_ms or more before now_ms (their
 * last holder frees them); returns how many are still kept. */
unsigned dh_reuse_expire(uint64_t max_age_ms, uint64_t now_ms);
/* How many key pairs were handed out shared (not fresh) since start. */
uint64_t dh_reuse_count(void);

/* ===== prf.c ============================================================= */

/* Output length of a PRF row (HMAC-MD5 16, SHA1 20, SHA2 32/48/64), which
 * is also its preferred key length (RFC 7296 2.14); 0 if unsupported. */
size_t prf_output_len(const struct alg_desc *prf);
/* prf(key, data) into *out (owned). Keys of any length, including 0. */
err_t prf_compute(const struct alg_desc *prf, chunk_t key, chunk_t data,
		  chunk_t *out);
/* prf(key, parts[0] | parts[1] | ... | parts[n-1]) without concatenating. */
err_t prf_computev(const struct alg_desc *prf, chunk_t key,
		   const chunk_t *parts, size_t n, chunk_t *out);
/* prf+(key, seed) truncated to len bytes (RFC 7296 2.13):
 * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); len may be at most
 * 255 * prf_output_len. */
err_t prf_plus(const struct alg_desc *prf, chunk_t key, chunk_t seed,
	       size_t len, chunk_t *out);

/* ===== ike_keys.c ======================================================== */

/* The negotiated IKE SA transforms. */
struct ike_suite {
	const struct alg_desc *encr;   /* ENCRYPT row: aes, aes_gcm16, 3des */
	unsigned encr_keylen;          /* bits; 0: the row's default */
	const struct alg_desc *integ;  /* INTEG row; NULL (or "null") for AEAD */
	const struct alg_desc *prf;    /* PRF row */
	const struct alg_desc *dh;     /* DH row (not used by the schedule) */
};

/* The seven keys of RFC 7296 2.14. For AEAD, sk_ei/sk_er carry the key
 * followed by the salt (RFC 5282 7: the salt is the last 4 bytes) and
 * sk_ai/sk_ar are empty. */
struct ike_sa_keys {
	chunk_t sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

/* SKEYSEED = prf(Ni | Nr, g^ir). */
err_t ike_skeyseed(const struct alg_desc *prf, chunk_t ni, chunk_t nr,
		   chunk_t gir, chunk_t *skeyseed);
/* Rekeying an IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni |
 * Nr) with the OLD IKE SA's PRF; Ni, Nr are the new exchange's nonces. */
err_t ike_skeyseed_rekey(const struct alg_desc *old_prf, chunk_t old_sk_d,
			 chunk_t gir_new, chunk_t ni, chunk_t nr,
			 chunk_t *skeyseed);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with the suite's PRF. */
err_t ike_sa_keys_from_skeyseed(const struct ike_suite *suite,
				chunk_t skeyseed, chunk_t ni, chunk_t nr,
				const uint8_t spi_i[8], const uint8_t spi_r[8],
				struct ike_sa_keys *keys);
/* Both steps for a new IKE SA (IKE_SA_INIT). */
err_t ike_sa_keys_derive(const struct ike_suite *suite, chunk_t ni, chunk_t nr,
			 chunk_t gir, const uint8_t spi_i[8],
			 const uint8_t spi_r[8], struct ike_sa_keys *keys);
/* Both steps for the IKE SA that replaces an old one (CREATE_CHILD_SA):
 * suite is the NEW SA's; SKEYSEED uses old_prf and old_sk_d; the SPIs
 * are the new SA's. */
err_t ike_sa_keys_rekey(const struct ike_suite *suite,
			const struct alg_desc *old_prf, chunk_t old_sk_d,
			chunk_t gir_new, chunk_t ni, chunk_t nr,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			struct ike_sa_keys *keys);
void ike_sa_keys_free(struct ike_sa_keys *keys);

/* The negotiated ESP/AH transforms of a Child SA. */
struct child_suite {
	const struct alg_desc *encr;   /* ENCRYPT row; NULL for AH */
	unsigned encr_keylen;          /* bits; 0: the row's default */
	const struct alg_desc *integ;  /* INTEG row; NULL or "null" with AEAD */
};

/* One direction's keys. For AEAD and CTR the salt/nonce is separate:
 * XFRM's rfc4106(gcm(aes)) wants encr || salt as its key. */
struct child_dir_keys {
	chunk_t encr;    /* cipher key, without salt */
	chunk_t salt;    /* GCM/CTR 4 bytes, CCM 3, else empty */
	chunk_t integ;   /* integrity key, empty for AEAD */
};
struct child_sa_keys {
	struct child_dir_keys i2r;   /* initiator to responder */
	struct child_dir_keys r2i;   /* responder to initiator */
};

/* KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) when
 * gir_new is not empty (PFS), taken in the order of 2.17: i->r
 * encryption (key, then salt), i->r integrity, r->i encryption, r->i
 * integrity. prf is the IKE SA's PRF, sk_d its SK_d. */
err_t child_sa_keys_derive(const struct child_suite *suite,
			   const struct alg_desc *prf, chunk_t sk_d,
			   chunk_t gir_new, chunk_t ni, chunk_t nr,
			   struct child_sa_keys *keys);
void child_sa_keys_free(struct child_sa_keys *keys);

/* ===== cipher.c ========================================================== */

/* Sizes in bytes; 0 for "none" or for a row/keylen the module does not
 * know (check encr_keylen_ok first). keylen is in bits, 0: the default. */
bool encr_keylen_ok(const struct alg_desc *encr, unsigned keylen);
size_t encr_key_len(const struct alg_desc *encr, unsigned keylen);  /* cipher key */
size_t encr_salt_len(const struct alg_desc *encr);  /* GCM/CTR 4, CCM 3 */
size_t encr_keymat_len(const struct alg_desc *encr, unsigned keylen); /* key + salt */
size_t encr_iv_len(const struct alg_desc *encr);    /* IV on the wire */
/* What the plaintext (payloads | padding | pad length) must be a multiple
 * of: the cipher block for CBC; 1 for the counter-mode AEADs (no padding
 * needed, the Pad Length byte is still there; RFC 5282 3). */
size_t encr_block_len(const struct alg_desc *encr);
size_t encr_icv_len(const struct alg_desc *encr);   /* AEAD ICV, else 0 */
/* Whether cipher.c can seal/open the SK payload with it (aes, 3des,
 * aes_gcm16); the other rows only size ESP keys. */
bool encr_ike_supported(const struct alg_desc *encr);

/* Seals the SK payload contents. key: SK_e (for AEAD key || 4-byte salt);
 * iv: encr_iv_len bytes, sent on the wire before the ciphertext (CBC: a
 * random block; GCM: the 8-byte explicit IV, unique per message); aad:
 * AEAD only, the IKE header up to the end of the SK payload header (RFC
 * 5282 5.1), empty for CBC. in: len bytes, a multiple of encr_block_len.
 * out: len + encr_icv_len bytes (ciphertext, then the ICV for AEAD); out
 * may be the same buffer as in. outsize is checked. */
err_t encr_seal(const struct alg_desc *encr, chunk_t key, chunk_t iv,
		chunk_t aad, const uint8_t *in, size_t len,
		uint8_t *out, size_t outsize);
/* Opens what encr_seal made: in holds ciphertext || ICV (len bytes, ICV
 * included), out receives len - encr_icv_len bytes of plaintext (out may
 * equal in). An AEAD tag that does not match is an error and out is
 * zeroed. */
err_t encr_open(const struct alg_desc *encr, chunk_t key, chunk_t iv,
		chunk_t aad, const uint8_t *in, size_t len,
		uint8_t *out, size_t outsize);

/* HMAC integrity: hmac-md5-96, hmac-sha1-96, hmac-sha2-256-128,
 * -384-192, -512-256 (RFC 2104, 2404, 4868). */
size_t integ_key_len(const struct alg_desc *integ);   /* 16/20/32/48/64 */
size_t integ_icv_len(const struct alg_desc *integ);   /* truncated output */
/* icv receives integ_icv_len bytes of HMAC(key, data). */
err_t integ_compute(const struct alg_desc *integ, chunk_t key,
		    const uint8_t *data, size_t len, uint8_t *icv);
/* NULL when icv (integ_icv_len bytes) matches, compared in constant
 * time; an error otherwise. */
err_t integ_verify(const struct alg_desc *integ, chunk_t key,
		   const uint8_t *data, size_t len, const uint8_t *icv);

/* ===== auth.c ============================================================ */

/* The authentication method numbers (1 RSA, 2 PSK, 14 digital signature)
 * live with the codec in ikev2/ikev2_msg.h. Method 1 is
 * sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1) without the
 * AlgorithmIdentifier; method 14 is any sig_alg, encoded with
 * auth_digsig_encode. */

/* RFC 7427 hash algorithm IDs (SIGNATURE_HASH_ALGORITHMS notify); the same
 * numbers as the codec's enum ikev2_hash. */
enum sig_hash {
	SIG_HASH_SHA1 = 1,
	SIG_HASH_SHA2_256 = 2,
	SIG_HASH_SHA2_384 = 3,
	SIG_HASH_SHA2_512 = 4,
};

enum sig_scheme {
	SIG_RSA_PKCS1,    /* RSASSA-PKCS1-v1_5 (DigestInfo) */
	SIG_RSA_PSS,      /* RSASSA-PSS, MGF1 with the same hash, salt = hash length */
	SIG_RSA_IKEV1,    /* IKEv1 (RFC 2409 5.1): the octets (HASH_I/R) padded as
			   * PKCS#1 v1.5 block type 1, not hashed, no DigestInfo */
	SIG_ECDSA,        /* ECDSA, the signature DER Ecdsa-Sig-Value (RFC 7427 3,
			   * as X.509 writes it: SEQUENCE { r, s }) */
	SIG_ECDSA_RAW,    /* ECDSA, the signature r | s, each as long as the
			   * curve's order (RFC 4754 7: auth methods 9, 10, 11) */
};

/* The kind of a public key (certificates carry either). */
enum key_kind { KEY_RSA, KEY_ECDSA };

/* One signature algorithm and its RFC 7427 AlgorithmIdentifier. */
struct sig_alg {
	const char *name;          /* "rsa-pss-sha2_256", "rsa-pkcs1-sha1" */
	enum sig_scheme scheme;
	enum sig_hash hash;
	const uint8_t *der;        /* the AlgorithmIdentifier we send */
	size_t der_len;
};

extern const struct sig_alg sig_algs[];
extern const size_t sig_algs_len;
/* IKEv1's RSA signature (not in sig_algs: RFC 7427 has no identifier
 * for it) */
extern const struct sig_alg sig_alg_ikev1_rsa;
/* RFC 4754's ECDSA auth methods (9, 10, 11: P-256 with SHA2-256, P-384
 * with SHA2-384, P-521 with SHA2-512): the one for a curve of that many
 * bits, NULL for other curves. */
const struct sig_alg *sig_alg_rfc4754(unsigned curve_bits);
/* Is alg a signature a key of that kind makes? */
bool sig_alg_fits(const struct sig_alg *alg, enum key_kind kind);

const struct sig_alg *sig_alg_find(enum sig_scheme scheme, enum sig_hash hash);
/* The algorithm named by a received AlgorithmIdentifier: exact DER match
 * against the table, which also holds the spellings other
 * implementations send (PSS without the default trailerField, PKCS#1
 * without the NULL parameter); NULL when unknown. */
const struct sig_alg *sig_alg_by_der(chunk_t der);

/* The octets an AUTH payload signs (2.15):
 * message | nonce | prf(sk_p, id). For the initiator: its IKE_SA_INIT
 * request, Nr, SK_pi, IDi'; for the responder: its IKE_SA_INIT response,
 * Ni, SK_pr, IDr'. id is the ID payload body: ID type, 3 reserved bytes,
 * identification data (the payload without its generic header). */
err_t auth_signed_octets(const struct alg_desc *prf, chunk_t message,
			 chunk_t nonce, chunk_t sk_p, chunk_t id,
			 chunk_t *octets);
/* AUTH data for a shared key: prf(prf(psk, "Key Pad for IKEv2"), octets). */
err_t auth_psk(const struct alg_desc *prf, chunk_t psk,
	       chunk_t signed_octets, chunk_t *auth);
/* NULL when auth (the received AUTH data) is right; compared in
 * constant time. */
err_t auth_psk_verify(const struct alg_desc *prf, chunk_t psk,
		      chunk_t signed_octets, chunk_t auth);

struct hostkey;   /* hostkey.c */

/* An RSA signature over signed_octets with the host key's private key;
 * *sig (owned) has the modulus's length. */
err_t auth_rsa_sign(const struct hostkey *key, const struct sig_alg *alg,
		    chunk_t signed_octets, chunk_t *sig);
/* NULL when sig is a valid signature of signed_octets by pub under alg. */
err_t auth_rsa_verify(const rsa_pubkey *pub, const struct sig_alg *alg,
		      chunk_t signed_octets, chunk_t sig);
/* ECDSA signatures are made by certificates' keys: cert_sign and
 * cert_verify_sig (cert.c). */

/* RFC 7427 3 AUTH data: one length byte, the AlgorithmIdentifier, the
 * signature. */
err_t auth_digsig_encode(const struct sig_alg *alg, chunk_t sig, chunk_t *auth);
/* Splits received method-14 AUTH data: *alg from the AlgorithmIdentifier
 * (an unknown one is an error naming it in hex), *sig borrowed from
 * auth. */
err_t auth_digsig_decode(chunk_t auth, const struct sig_alg **alg, chunk_t *sig);

/* ===== hostkey.c ========================================================= */

#define HOSTKEY_DEFAULT_BITS 3072
#define CKAID_LEN 20   /* SHA-1 of the modulus, as NSS's CKA_ID */

/* What a key in the database looks like from outside. */
struct hostkey_info {
	uint8_t ckaid[CKAID_LEN];
	char nickname[128];        /* "" when the key has none */
	rsa_pubkey pub;
};

/* Generates an RSA key (e = 65537) of bits (1024..8192, a multiple of 16)
 * as a permanent object of the NSS database's key token, with nickname
 * (may be NULL). Needs a read-write database. *key (may be NULL) receives
 * the new key. */
err_t hostkey_generate(unsigned bits, const char *nickname, struct hostkey **key);
/* The private key whose public half is pub: looked up by CKA_ID =
 * SHA-1(modulus), then by comparing moduli over every RSA key, and
 * always confirmed by comparing modulus and exponent. NULL with *e set
 * when there is none. */
struct hostkey *hostkey_find(const rsa_pubkey *pub, err_t *e);
/* The RSA private key with this CKA_ID. */
struct hostkey *hostkey_find_ckaid(const uint8_t ckaid[CKAID_LEN], err_t *e);
/* Every RSA private key in the database, into a malloc'ed array (free()
 * it); *n may be 0. */
err_t hostkey_list(struct hostkey_info **list, size_t *n);
const rsa_pubkey *hostkey_pubkey(const struct hostkey *key);
const uint8_t *hostkey_ckaid(const struct hostkey *key);   /* CKAID_LEN bytes */
const char *hostkey_nickname(const struct hostkey *key);   /* "" if none */
void hostkey_free(struct hostkey **key);

/* SHA-1 of the modulus (the leading-zero-free big-endian bytes): the CKA_ID
 * NSS gives keys it generates, and the CKAID libreswan shows. */
err_t ckaid_of_pubkey(const rsa_pubkey *pub, uint8_t ckaid[CKAID_LEN]);
/* Lower-case hex (2 * CKAID_LEN + 1 bytes); returns buf. */
char *str_ckaid(const uint8_t ckaid[CKAID_LEN], char buf[2 * CKAID_LEN + 1]);
/* 40 hex digits (case-insensitive, optional "0x") into ckaid. */
err_t ttockaid(const char *s, uint8_t ckaid[CKAID_LEN]);
/* ===== cert.c ============================================================ */

/* Intermediate certificates taken from the peer's CERT payloads. */
#define CERT_CHAIN_MAX 4

/* The DER of the certificate of that nickname in the database (owned). */
err_t cert_by_nickname(const char *nick, chunk_t *der);
/* NULL when the database holds the private key of that certificate. */
err_t cert_has_private_key(const char *nick);
/* The certificate's RSA public key (an error for other key types). */
err_t cert_rsa_pubkey(chunk_t der, rsa_pubkey *pub);
/* The kind of the certificate's public key and its size in bits (RSA:
 * the modulus; ECDSA: the curve, 256, 384 or 521); an error for keys that
 * are neither, and for curves other than P-256, P-384 and P-521. */
err_t cert_key_kind(chunk_t der, enum key_kind *kind, unsigned *bits);
/* A signature of octets under alg by the private key of the certificate
 * der, which the database holds; *sig owned. */
err_t cert_sign(chunk_t der, const struct sig_alg *alg, chunk_t octets, chunk_t *sig);
/* NULL when sig is the signature of octets under alg by the key of the
 * certificate der. */
err_t cert_verify_sig(chunk_t der, const struct sig_alg *alg, chunk_t octets, chunk_t sig);
/* Subject and issuer DNs as IDs (either may be NULL). */
err_t cert_subject(chunk_t der, ip_id *subject, ip_id *issuer);
/* The subject DN's DER as in the certificate (owned): what an ID payload
 * carries for a DN ID taken from the certificate. */
err_t cert_subject_der(chunk_t der, chunk_t *subject);
/* Does the certificate name id: a DN as its subject (either RDN order,
 * wildcards as id_eq), an FQDN, user@FQDN or address as a subjectAltName? */
bool cert_names_id(chunk_t der, const ip_id *id);
/* Verifies ee by NSS, with the intermediates in chain (n of them, at
 * most CERT_CHAIN_MAX used), to a CA trusted in the database, now: validity,
 * signatures, key usage (IPsec or TLS). ca non-NULL: an issuer in the
 * chain must have that DN (rightca=). *issuer (may be NULL): ee's issuer. */
err_t cert_verify(chunk_t ee, const chunk_t *chain, size_t n, const ip_id *ca, ip_id *issuer);
/* The intermediate CA certificates between ee and its root, as the
 * database has them (up to max, each owned), ee's issuer first: what we
 * send after our certificate. */
err_t cert_chain(chunk_t ee, chunk_t *out, size_t max, size_t *n);
/* NULL when the certificate is valid now (for pinned rightcert=). */
err_t cert_check_validity(chunk_t der);
/* CERTREQ data (RFC 7296 3.7): SHA-1 of the SubjectPublicKeyInfo of each
 * CA trusted in the database (C trust), only those with DN ca if non-NULL;
 * empty when there are none. */
err_t cert_ca_hashes(const ip_id *ca, chunk_t *out);

/* One certificate of the database, for listings. */
struct cert_info {
	char nickname[128];
	ip_id subject, issuer;
	bool ca;            /* trusted to issue (C trust) */
	bool has_key;       /* its private key is in the database */
	bool expired;       /* outside its validity now */
	char not_after[40];
};
typedef void cert_list_cb(void *arg, const struct cert_info *info);
err_t cert_list(cert_list_cb *cb, void *arg);

/* ===== ocsp.c ============================================================ */

#define OCSP_TIMEOUT_DEFAULT_S 2   /* ocsp-timeout=, as libreswan's */

/* ocsp-enable= and its companions (libreswan's config setup keys). */
struct ocsp_policy {
	bool enable, strict;         /* strict: no answer refuses the certificate */
	unsigned timeout_s;
	const char *uri, *trustname;   /* a default responder for every certificate */
};
/* NSS's OCSP as o says (nothing when o->enable is false): NULL or why not.
 * Call once the database is open, before the helper threads start. */
err_t ocsp_setup(const struct ocsp_policy *o);

/* ===== crl.c ============================================================= */

/* strictcrlpolicy=: with it, a peer's certificate is refused when the
 * database has no CRL of an issuer in its chain, or that CRL is past its
 * next update. Without it, such a link goes unchecked. Either way a
 * certificate a CRL lists is refused (by cert_verify). Call before the
 * helper threads start. */
void crl_set_strict(bool strict);
bool crl_strict(void);

/* One CRL of the database, for listings. */
struct crl_info {
	ip_id issuer;
	char this_update[40], next_update[40];   /* "" when absent */
	unsigned revoked;                         /* certificates it lists */
	bool out_of_date;                         /* past its next update */
};
typedef void crl_list_cb(void *arg, const struct crl_info *info);
/* Every CRL the database holds for a CA certificate it holds; reread: NSS's
 * cache looks at the database again first (for CRLs imported since). */
err_t crl_list(bool reread, crl_list_cb *cb, void *arg);

#endif
