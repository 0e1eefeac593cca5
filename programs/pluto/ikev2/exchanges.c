/* The IKEv2 exchange records (see exchanges.h): RFC 7296 1.2-1.5 and
 * 2.21, RFC 7383 for SKF, RFC 6023 for childless IKE_AUTH. */
#include <stddef.h>
#include "ike/sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/messages.h"

#define C IKEV2_ALLOW_CLEAR
#define I IKEV2_ALLOW_INNER
#define R IKEV2_REQUIRED
#define P IKEV2_REPEAT
#define K IKEV2_CHILD
#define AT(t) [(t) - IKEV2_PT_FIRST]
#define ENCRYPTED AT(IKEV2_PT_SK) = C, AT(IKEV2_PT_SKF) = C
#define ST(s) (1u << (s))

static const struct ikev2_exchange_record table[] = {
	{
		.type = IKEV2_EXCH_IKE_SA_INIT,
		.sender = IKEV2_SENDER_ORIGINAL_INITIATOR,
		.encrypted = false,
		/* HDR, SAi1, KEi, Ni [, N(COOKIE), N(NAT_D)..., V...] */
		.request = {
			AT(IKEV2_PT_SA) = C | R, AT(IKEV2_PT_KE) = C | R,
			AT(IKEV2_PT_NONCE) = C | R, AT(IKEV2_PT_N) = C | P,
			AT(IKEV2_PT_V) = C | P },
		/* HDR, SAr1, KEr, Nr, [CERTREQ], or HDR, N(error or COOKIE) */
		.response = {
			AT(IKEV2_PT_SA) = C | R, AT(IKEV2_PT_KE) = C | R,
			AT(IKEV2_PT_NONCE) = C | R, AT(IKEV2_PT_CERTREQ) = C | P,
			AT(IKEV2_PT_N) = C | P, AT(IKEV2_PT_V) = C | P },
		.request_states = 0,   /* always a new IKE SA */
		.new_sa = sa_init_responder,
		.response_handler = sa_init_initiator_response,
	},
	{
		.type = IKEV2_EXCH_IKE_AUTH,
		.sender = IKEV2_SENDER_ORIGINAL_INITIATOR,
		.encrypted = true,
		/* HDR, SK {IDi, [CERT+,] [CERTREQ+,] [IDr,] AUTH, [CP,] SAi2, TSi, TSr
		 * [, N+, V+]} (childless: no SAi2, TSi, TSr) */
		.request = {
			ENCRYPTED,
			AT(IKEV2_PT_IDi) = I | R, AT(IKEV2_PT_CERT) = I | P,
			AT(IKEV2_PT_CERTREQ) = I | P, AT(IKEV2_PT_IDr) = I,
			AT(IKEV2_PT_AUTH) = I | R, AT(IKEV2_PT_CP) = I,
			AT(IKEV2_PT_SA) = I | R | K, AT(IKEV2_PT_TSi) = I | R | K,
			AT(IKEV2_PT_TSr) = I | R | K, AT(IKEV2_PT_N) = I | P,
			AT(IKEV2_PT_V) = I | P, AT(IKEV2_PT_EAP) = I },
		/* HDR, SK {IDr, [CERT+,] AUTH, [CP,] SAr2, TSi, TSr [, N+, V+]}
		 * (childless: no SAr2, TSi, TSr) */
		.response = {
			ENCRYPTED,
			AT(IKEV2_PT_IDr) = I | R, AT(IKEV2_PT_CERT) = I | P,
			AT(IKEV2_PT_AUTH) = I | R, AT(IKEV2_PT_CP) = I,
			AT(IKEV2_PT_SA) = I | R | K, AT(IKEV2_PT_TSi) = I | R | K,
			AT(IKEV2_PT_TSr) = I | R | K, AT(IKEV2_PT_N) = I | P,
			AT(IKEV2_PT_V) = I | P, AT(IKEV2_PT_EAP) = I },
		.request_states = ST(IKE_R_INIT_SENT),
		.request_handler = auth_responder,
		.response_handler = auth_initiator_response,
	},
	{
		.type = IKEV2_EXCH_CREATE_CHILD_SA,
		.sender = IKEV2_SENDER_EITHER,
		.encrypted = true,
		/* HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi,] [TSi, TSr]} (no TS: IKE rekey) */
		.request = {
			ENCRYPTED,
			AT(IKEV2_PT_SA) = I | R, AT(IKEV2_PT_NONCE) = I | R,
			AT(IKEV2_PT_KE) = I, AT(IKEV2_PT_TSi) = I, AT(IKEV2_PT_TSr) = I,
			AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_V) = I | P },
		/* HDR, SK {SA, Nr, [KEr,] [TSi, TSr]}, or HDR, SK {N(error)} */
		.response = {
			ENCRYPTED,
			AT(IKEV2_PT_SA) = I | R, AT(IKEV2_PT_NONCE) = I | R,
			AT(IKEV2_PT_KE) = I, AT(IKEV2_PT_TSi) = I, AT(IKEV2_PT_TSr) = I,
			AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_V) = I | P },
		.request_states = ST(IKE_ESTABLISHED),
		.request_handler = child_responder,
		.response_handler = child_initiator_response,
	},
	{
		.type = IKEV2_EXCH_INFORMATIONAL,
		.sender = IKEV2_SENDER_EITHER,
		.encrypted = true,
		/* HDR, SK {[N,] [D,] [CP,] ...}; an empty one is a liveness check */
		.request = {
			ENCRYPTED,
			AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_D) = I | P,
			AT(IKEV2_PT_CP) = I, AT(IKEV2_PT_V) = I | P },
		.response = {
			ENCRYPTED,
			AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_D) = I | P,
			AT(IKEV2_PT_CP) = I, AT(IKEV2_PT_V) = I | P },
		.request_states = ST(IKE_ESTABLISHED) | ST(IKE_DELETING),
		.request_handler = info_responder,
		.response_handler = info_initiator_response,
	},
};

const struct ikev2_exchange_record *ikev2_exchange_record(uint8_t type)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].type == type)
			return &table[i];
	return NULL;
}

const struct ikev2_exchange_record *ikev2_exchange_records(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
