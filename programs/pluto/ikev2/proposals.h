/* Proposals: the SA payloads we offer (from ike= / phase2alg=, or the
 * documented defaults) and the choice among the peer's. */
#ifndef PLUTO_IKE_PROPOSALS_H
#define PLUTO_IKE_PROPOSALS_H
#include "connections.h"
#include "crypto/crypto.h"
#include "ikev2/ikev2_msg.h"

/* Our IKE proposals. spi: NULL for IKE_SA_INIT, our new SPI when rekeying. */
void ike_proposals_build(const struct connection *c, const uint8_t spi[8], struct ikev2_sa *out);
/* Our ESP/AH proposals with our inbound SPI; dh: the PFS group to offer
 * (CREATE_CHILD_SA), NULL for none (IKE_AUTH). */
void child_proposals_build(const struct connection *c, uint32_t spi, const struct alg_desc *dh,
			   struct ikev2_sa *out);

/* Responder: the first of the peer's proposals that one of ours accepts,
 * narrowed to one transform per type. NULL, or why nothing fits. */
err_t ike_proposals_choose(const struct connection *c, const struct ikev2_sa *peer,
			   struct ikev2_proposal *chosen, struct ike_suite *suite);
err_t child_proposals_choose(const struct connection *c, const struct ikev2_sa *peer,
			     const struct alg_desc *dh, struct ikev2_proposal *chosen,
			     struct child_suite *suite, const struct alg_desc **chosen_dh);

/* Initiator: checks that the answer is one transform per type out of what
 * we offered, and fills the suite. */
err_t ike_proposals_accept(const struct ikev2_sa *offered, const struct ikev2_sa *answer,
			   struct ike_suite *suite);
err_t child_proposals_accept(const struct ikev2_sa *offered, const struct ikev2_sa *answer,
			     struct child_suite *suite, const struct alg_desc **dh,
			     uint32_t *peer_spi);

/* The DH group our first IKE proposal offers first (what our KE uses), and
 * whether group is among the groups we offer. */
const struct alg_desc *ike_proposals_first_dh(const struct connection *c);
bool ike_proposals_offer_dh(const struct connection *c, uint16_t group);
/* The PFS group for CREATE_CHILD_SA: phase2alg=...;GROUP or the IKE group. */
const struct alg_desc *child_pfs_group(const struct connection *c, const struct ike_suite *ike);

/* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519" for logs and status. */
const char *str_ike_suite(const struct ike_suite *s, char *buf, size_t size);
const char *str_child_suite(const struct child_suite *s, char *buf, size_t size);
#endif
