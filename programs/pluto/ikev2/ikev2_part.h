/* The IKEv2 part of an IKE SA: what only RFC 7296 has (message IDs as a
 * window of one each way, the IKE_SA_INIT messages AUTH signs, COOKIE and
 * INVALID_KE retries, the SK keys, RFC 6023 and RFC 7427 flags). The core
 * (ike/sa.h) holds everything both versions share. */
#ifndef PLUTO_IKEV2_PART_H
#define PLUTO_IKEV2_PART_H
#include <stdbool.h>
#include <stdint.h>
#include "chunk.h"
#include "crypto/crypto.h"

struct ikev2_frags;

struct ikev2_part {
	/* IKE_SA_INIT */
	uint16_t ke_group;           /* the DH group of our KE */
	unsigned invalid_ke_tries;
	chunk_t cookie;              /* COOKIE to echo in the next IKE_SA_INIT */
	unsigned cookie_tries;       /* COOKIE answers to this IKE SA's IKE_SA_INIT */
	chunk_t init_request, init_response;   /* kept for AUTH, freed after */
	bool peer_digsig;            /* peer sent SIGNATURE_HASH_ALGORITHMS */
	bool childless;              /* RFC 6023: both sent CHILDLESS_IKEV2_SUPPORTED */
	bool peer_frag;              /* RFC 7383: the peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	bool peer_certreq;           /* the peer sent CERTREQ (leftsendcert=ifasked) */
	uint16_t peer_hashes[8];
	unsigned n_peer_hashes;
	struct ike_sa_keys keys;     /* SK_d, SK_a*, SK_e*, SK_p* */
	bool keys_ready;

	/* message IDs (a window of one in each direction) */
	uint32_t msgid_next_out;     /* the ID of our next request */
	uint32_t msgid_expect_in;    /* the ID of the peer's next request */

	/* RFC 7383: the message being reassembled (NULL: none yet), and
	 * counts for status and tests */
	struct ikev2_frags *frags;
	unsigned frags_sent, frags_received;
};

struct ike_sa;
/* Frees what the part holds (ike/sa.c calls it through the ops table). */
void ikev2_part_free(struct ike_sa *ike);
#endif
