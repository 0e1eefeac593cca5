/* Cookies with a secret made at start-up and replaced every few minutes
 * (the previous one still accepted, so a cookie in flight stays good). */
#include <pk11pub.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "ikev2/cookie.h"
#include "ikev2/messages.h"
#include "ike/sa.h"
#include "pluto.h"

#define SECRET_LEN 32
#define SECRET_LIFETIME 300

static uint8_t secret[2][SECRET_LEN];
static time_t made;

static void refresh(void)
{
	time_t now = time(NULL);
	if (made != 0 && now - made < SECRET_LIFETIME)
		return;
	memcpy(secret[1], secret[0], SECRET_LEN);
	random_bytes(secret[0], SECRET_LEN);
	if (made == 0)
		memcpy(secret[1], secret[0], SECRET_LEN);
	made = now;
}

static void compute(const uint8_t key[SECRET_LEN], const uint8_t spi_i[8], const ip_address *ip,
		    struct ikev2_span ni, uint8_t out[COOKIE_LEN])
{
	uint8_t buf[IKEV2_NONCE_MAX + 16 + 8 + SECRET_LEN];
	size_t n = 0, alen = ip->family == IP_V6 ? 16 : 4;
	size_t nlen = ni.len > IKEV2_NONCE_MAX ? IKEV2_NONCE_MAX : ni.len;
	memcpy(buf + n, ni.ptr, nlen);
	n += nlen;
	memcpy(buf + n, ip->bytes, alen);
	n += alen;
	memcpy(buf + n, spi_i, 8);
	n += 8;
	memcpy(buf + n, key, SECRET_LEN);
	n += SECRET_LEN;
	PK11_HashBuf(SEC_OID_SHA1, out, buf, (PRInt32)n);
}

void cookie_make(struct pluto *p, const uint8_t spi_i[8], const ip_address *ip,
		 struct ikev2_span ni, uint8_t out[COOKIE_LEN])
{
	(void)p;
	refresh();
	compute(secret[0], spi_i, ip, ni, out);
}

bool cookie_required(const struct pluto *p)
{
	switch (p->opts.ddos_mode) {
	case DDOS_BUSY:
		return true;
	case DDOS_UNLIMITED:
		return false;
	case DDOS_AUTO:
		break;
	}
	unsigned half_open;
	ike_sa_count(p, &half_open);
	return half_open >= p->opts.ddos_threshold;
}

static const char *const ddos_names[] = {
	[DDOS_AUTO] = "auto", [DDOS_BUSY] = "busy", [DDOS_UNLIMITED] = "unlimited",
};

const char *ddos_mode_name(enum ddos_mode m)
{
	return (size_t)m < sizeof(ddos_names) / sizeof(ddos_names[0]) ? ddos_names[m] : "?";
}

void ddos_status(const struct pluto *p, char *buf, size_t size)
{
	unsigned half_open;
	ike_sa_count(p, &half_open);
	snprintf(buf, size, "ddos-mode=%s; %u half-open IKE SAs (threshold %u); COOKIEs %s",
		 ddos_mode_name(p->opts.ddos_mode), half_open, p->opts.ddos_threshold,
		 cookie_required(p) ? "asked for" : "not asked for");
}

enum cookie_verdict cookie_check(struct pluto *p, const struct ikev2_header *h,
				 const struct ikev2_payloads *pl, const ip_address *ip,
				 struct ikev2_span ni)
{
	if (!cookie_required(p))
		return COOKIE_NOT_NEEDED;
	refresh();
	/* the first payload, and only that one, may be the COOKIE (2.6) */
	struct ikev2_notify n;
	struct ikev2_diag d;
	if (pl->n == 0 || pl->p[0].type != IKEV2_PT_N ||
	    ikev2_decode_notify(&pl->p[0], &n, &d) != NULL || n.type != IKEV2_N_COOKIE)
		return COOKIE_MISSING;
	if (n.data.len != COOKIE_LEN)
		return COOKIE_WRONG;
	uint8_t want[COOKIE_LEN];
	for (int i = 0; i < 2; i++) {
		compute(secret[i], h->spi_i, ip, ni, want);
		if (memcmp(want, n.data.ptr, COOKIE_LEN) == 0)
			return COOKIE_GOOD;
	}
	return COOKIE_WRONG;
}
