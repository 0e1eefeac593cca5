/* The IKEv1 phase 1 key schedule (RFC 2409 5, appendix B): SKEYID for a
 * shared key, SKEYID_d/_a/_e, the cipher key (expanded from SKEYID_e when
 * the PRF's output is too short), the phase 1 IV and the IV of each
 * later exchange (Informational, Quick Mode) from the last CBC block of
 * phase 1, and HASH_I / HASH_R. On NSS, as the rest of crypto/. */
#ifndef PLUTO_CRYPTO_IKEV1_KEYS_H
#define PLUTO_CRYPTO_IKEV1_KEYS_H
#include "crypto.h"

struct ikev1_keys {
	chunk_t skeyid, skeyid_d, skeyid_a, skeyid_e;
	chunk_t enc_key;   /* the cipher key: encr_key_len() bytes */
};

/* The plain hash behind a PRF row (prfsha1 -> SHA-1): what the IVs use. */
err_t ikev1_hash(const struct alg_desc *prf, const chunk_t *parts, size_t n, chunk_t *out);
/* PSK: SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
err_t ikev1_skeyid_psk(const struct alg_desc *prf, chunk_t psk, chunk_t ni, chunk_t nr,
		       chunk_t *skeyid);
/* Signatures: SKEYID = prf(Ni_b | Nr_b, g^xy). */
err_t ikev1_skeyid_sig(const struct alg_desc *prf, chunk_t ni, chunk_t nr, chunk_t gxy,
		       chunk_t *skeyid);
/* From SKEYID (owned by keys afterwards is NOT implied: it is copied):
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * and the cipher key: the first bytes of SKEYID_e, or K1 | K2 | ... with
 * K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1) when SKEYID_e is too
 * short (appendix B). */
err_t ikev1_keys_derive(const struct alg_desc *prf, const struct alg_desc *encr, unsigned keylen,
			chunk_t skeyid, chunk_t gxy, const uint8_t cky_i[8], const uint8_t cky_r[8],
			struct ikev1_keys *keys);
void ikev1_keys_free(struct ikev1_keys *keys);
/* Phase 1 IV: hash(g^xi | g^xr) truncated to the cipher's block. */
err_t ikev1_phase1_iv(const struct alg_desc *prf, const struct alg_desc *encr, chunk_t gxi,
		      chunk_t gxr, chunk_t *iv);
/* The first IV of a later exchange with message ID msgid: hash(last
 * phase 1 CBC block | M-ID) truncated to the block. */
err_t ikev1_phase2_iv(const struct alg_desc *prf, const struct alg_desc *encr, chunk_t p1_iv,
		      uint32_t msgid, chunk_t *iv);
/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b);
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
 * Pass the initiator's values as (gx_mine, gx_peer, cky_mine, cky_peer)
 * for HASH_I, swapped for HASH_R. */
err_t ikev1_hash_auth(const struct alg_desc *prf, chunk_t skeyid, chunk_t gx_a, chunk_t gx_b,
		      const uint8_t cky_a[8], const uint8_t cky_b[8], chunk_t sai_b, chunk_t id_b,
		      chunk_t *hash);

/* Quick Mode (RFC 2409 5.5): the keying material of the SA with spi (the
 * SPI its receiver chose) and protocol (ESP 3, AH 2), len bytes:
 *   KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 *   Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * gqm empty: no PFS. */
err_t ikev1_keymat(const struct alg_desc *prf, chunk_t skeyid_d, chunk_t gqm, uint8_t protocol,
		   uint32_t spi, chunk_t ni, chunk_t nr, size_t len, chunk_t *keymat);
/* Both directions' keys of a Child SA: i2r from the KEYMAT of spi_r (the
 * responder's inbound SPI), r2i from that of spi_i; each KEYMAT is the
 * cipher key (then its salt: RFC 4106 / 3686 / 4309), then the integrity
 * key. */
err_t ikev1_child_keys(const struct child_suite *suite, const struct alg_desc *prf,
		       chunk_t skeyid_d, chunk_t gqm, uint8_t protocol, uint32_t spi_i,
		       uint32_t spi_r, chunk_t ni, chunk_t nr, struct child_sa_keys *keys);
#endif
