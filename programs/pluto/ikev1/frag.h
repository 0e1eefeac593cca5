/* IKEv1 fragmentation as Cisco, Windows (MS-IKEE 2.2.3, 3.3.6) and
 * libreswan do it (frag.c): the FRAGMENTATION vendor ID in the first two
 * phase 1 messages says an end takes fragments; a phase 1 message too big
 * for a 576-byte IPv4 (1280-byte IPv6) path then goes as several ISAKMP
 * messages, each its original header (next payload FRAG, not marked
 * encrypted) and one Fragment payload: ID, number from 1, LAST flag on
 * the last, a piece of the whole original message. The receiver puts the
 * pieces together again and takes the result as if it came whole. */
#ifndef PLUTO_IKEV1_FRAG_H
#define PLUTO_IKEV1_FRAG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "chunk.h"

struct ike_sa;
struct packet;
struct pluto;

#define V1_FRAG_MAX_FRAGMENTS 32    /* a message of more is dropped */
#define V1_FRAG_MAX_BYTES 32768     /* ... and of more bytes in all */
#define V1_FRAG_FORCE_DATA 128      /* fragmentation=force: data per fragment */

/* The peer's fragments of one message, collected (by number). */
struct ikev1_frags {
	uint16_t id;
	uint8_t last;                /* the number of the LAST one (0: not seen yet) */
	unsigned have;
	size_t bytes;
	chunk_t part[V1_FRAG_MAX_FRAGMENTS + 1];
};
void ikev1_frags_free(struct ikev1_frags **f);

/* msg (len bytes, built for exchange) into fragments back to back in
 * place (cap: msg's room) when the peer takes them and the message is too
 * big for the path (or fragmentation=force). */
void ikev1_frag_if_wanted(struct ike_sa *ike, uint8_t exchange, uint8_t *msg, size_t *len, size_t cap);
/* A datagram whose first payload is a Fragment, for ike: kept; the whole
 * message, once every fragment is in, goes to ikev1_receive. */
void ikev1_frag_receive(struct pluto *p, struct ike_sa *ike, const struct packet *pkt);
#endif
