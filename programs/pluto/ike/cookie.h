/* IKE_SA_INIT cookies (RFC 7296 2.6): asked for when half-open IKE SAs
 * pile up, so that only initiators at real addresses cost us a DH. */
#ifndef PLUTO_IKE_COOKIE_H
#define PLUTO_IKE_COOKIE_H
#include <stdbool.h>
#include "chunk.h"
#include "ikev2/ikev2_msg.h"
#include "swan/address.h"

struct pluto;

#define COOKIE_LEN 20            /* SHA-1 */
#define COOKIE_HALF_OPEN_LIMIT 512 /* half-open IKE SAs before we ask */

/* The cookie for an initiator: SHA-1(Ni | IPi | SPIi | secret). */
void cookie_make(struct pluto *p, const uint8_t spi_i[8], const ip_address *ip,
		 struct ikev2_span ni, uint8_t out[COOKIE_LEN]);
/* True when no cookie is needed now, or the request carries the right one
 * (as its first payload). */
bool cookie_check(struct pluto *p, const struct ikev2_header *h,
		  const struct ikev2_payloads *pl, const ip_address *ip, struct ikev2_span ni);
#endif
