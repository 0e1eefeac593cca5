/* IKE_SA_INIT cookies (RFC 7296 2.6): asked for when half-open IKE SAs
 * pile up, so that only initiators at real addresses cost us a DH. */
#ifndef PLUTO_IKE_COOKIE_H
#define PLUTO_IKE_COOKIE_H
#include <stdbool.h>
#include "chunk.h"
#include "ikev2/ikev2_msg.h"
#include "pluto.h"
#include "swan/address.h"

struct pluto;

#define COOKIE_LEN 20            /* SHA-1 */
/* half-open IKE SAs before we ask, unless --ddos-ike-threshold says
 * otherwise (a plain number: main.c prints it in --help) */
#define COOKIE_THRESHOLD_DEFAULT 512

/* The cookie for an initiator: SHA-1(Ni | IPi | SPIi | secret). */
void cookie_make(struct pluto *p, const uint8_t spi_i[8], const ip_address *ip,
		 struct ikev2_span ni, uint8_t out[COOKIE_LEN]);

/* Whether new initiators must show a cookie now: --force-busy,
 * --force-unlimited, or (auto) --ddos-ike-threshold half-open IKE SAs. */
bool cookie_required(const struct pluto *p);

/* "busy", "unlimited" or "auto" (the ddos-mode= names). */
const char *ddos_mode_name(enum ddos_mode m);
/* One line for status: the mode, the half-open IKE SAs, the threshold and
 * whether COOKIEs are asked for now. */
void ddos_status(const struct pluto *p, char *buf, size_t size);

enum cookie_verdict {
	COOKIE_NOT_NEEDED,       /* not busy: go on */
	COOKIE_GOOD,             /* busy, and the request carries the right one */
	COOKIE_MISSING,          /* busy, and the request has no COOKIE first */
	COOKIE_WRONG,            /* busy, and its COOKIE is not one we made for it */
};
/* Looks at an IKE_SA_INIT request: the COOKIE, when needed, must be its
 * first payload and be the one made for this SPIi, address and Ni with the
 * current or the previous secret. */
enum cookie_verdict cookie_check(struct pluto *p, const struct ikev2_header *h,
				 const struct ikev2_payloads *pl, const ip_address *ip,
				 struct ikev2_span ni);
#endif
