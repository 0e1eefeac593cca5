/* The IKEv1 part of an IKE SA (an ISAKMP SA, RFC 2409): what only Main
 * Mode and its Informational exchanges need. The core (ike/sa.h) holds
 * what both versions share (cookies as spi_i/spi_r, nonces, the suite,
 * the DH secret, retransmission). */
#ifndef PLUTO_IKEV1_PART_H
#define PLUTO_IKEV1_PART_H
#include <stdbool.h>
#include <stdint.h>
#include "chunk.h"
#include "crypto/ikev1_keys.h"

struct event;

#define IKEV1_BLOCK_MAX 16

/* One Quick Mode exchange under way (quick_mode.c): ours as initiator,
 * or the peer's that we answer. */
struct ikev1_quick {
	unsigned child_serial;       /* its Child SA (larval); 0: none under way */
	uint32_t msgid;
	uint8_t iv[IKEV1_BLOCK_MAX]; /* its CBC chain */
	chunk_t ni, nr;              /* Ni_b, Nr_b */
	struct dh_secret *dh;        /* PFS: our g(qm)^x */
	chunk_t gqm;                 /* PFS: g(qm)^xy */
	bool send_ids;               /* IDci, IDcr are in it */
	bool from_queue;             /* started as queued work (ike_work_done at its end) */
	unsigned replaces;           /* rekey: the serial of the Child SA the new one replaces */
	uint64_t life_s, life_kb;    /* responder: the lifetime it chose; 0: none */
	bool responder_lifetime;     /* responder: ours is shorter, N(RESPONDER-LIFETIME) goes in message 2 */
	chunk_t last_in, last_out;   /* a repeat of last_in gets last_out again */
};

struct ikev1_part {
	uint8_t step;                /* Main Mode messages this end has sent (1..3) */
	uint16_t auth;               /* the method agreed: OAKLEY_PRESHARED_KEY or
				      * OAKLEY_RSA_SIG (sig.h) */
	chunk_t sa_i_b;              /* the initiator's SA payload body: HASH_I/R cover it */
	chunk_t gxi, gxr;            /* the KE values of both ends */
	struct ikev1_keys keys;      /* SKEYID, SKEYID_d/a/e, the cipher key */
	bool keys_ready;
	uint8_t iv[IKEV1_BLOCK_MAX]; /* the phase 1 CBC chain: the last cipher block */
	size_t iv_len;
	chunk_t last_in;             /* the peer's last Main Mode message we took: a repeat is
				      * answered with our last answer again */
	uint64_t life_s;             /* the ISAKMP SA lifetime agreed */
	bool peer_certreq;           /* the peer sent a CR (for leftsendcert=ifasked) */
	/* Aggressive Mode (aggressive_mode.c) */
	bool aggressive;             /* this SA is (being) made by Aggressive Mode */
	chunk_t peer_id_b;           /* the peer's IDii_b / IDir_b: its HASH covers it */
	chunk_t peer_hash;           /* the initiator: HASH_R, checked once the keys are there */
	chunk_t answer_sa;           /* the responder's SA payload body of message 2 */
	struct ikev1_quick qi, qr;   /* Quick Mode: ours, the peer's */
	unsigned peer_vids;          /* the vendor IDs the peer sent (vendor.h: V1_VID_BIT) */
	/* DPD (RFC 3706, ops.c and messages.c) */
	bool peer_dpd;               /* the peer sent the DPD vendor ID */
	bool dpd_waiting;            /* our R_U_THERE dpd_seq waits for its ACK */
	uint32_t dpd_seq;            /* the sequence of our last R_U_THERE */
	bool dpd_peer_seen;          /* dpd_peer_seq is set */
	uint32_t dpd_peer_seq;       /* the last sequence of the peer's R_U_THERE */
	unsigned dpd_work;           /* the queue's id of the check under way */
	struct event *dpd_wait;      /* ends a check nobody answered */
	/* Quick Mode rekey (quick_mode.c): Child SAs replaced by a new one,
	 * whose IPsec Delete goes after a short overlap */
	unsigned retire[8];
	size_t n_retire;
	struct event *retire_timer;
	/* ISAKMP SA rekey (ops.c): the serial of the ISAKMP SA this one
	 * replaces (its Child SAs move here once it is up); 0: none */
	unsigned rekey_of;
	struct event *retire_ike;    /* a replaced one: its Delete, after the overlap */
	struct ikev1_transaction *xa;   /* XAUTH and Mode Config (transaction.h); NULL: neither */
	/* fragmentation (frag.h) */
	uint16_t frag_id_out;        /* the ID of our last fragmented message */
	struct ikev1_frags *frags;   /* the peer's fragments being collected (NULL: none) */
};
void ikev1_quick_free(struct ikev1_quick *q);

struct ike_sa;
void ikev1_part_free(struct ike_sa *ike);
#include "ikev1/transaction.h"   /* the XAUTH and Mode Config hooks */
#endif
