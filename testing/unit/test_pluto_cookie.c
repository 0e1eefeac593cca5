/* IKE_SA_INIT cookies (ike/cookie.c): when pluto asks for one (--force-busy,
 * --force-unlimited, --ddos-ike-threshold with half-open IKE SAs), and
 * which cookies it takes (first payload, made for that SPIi, address and
 * Ni). The host test cookie-wrong checks the same on the wire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crypto/crypto.h"
#include "ikev2/cookie.h"
#include "ike/ops.h"
#include "ike/sa.h"
#include "pluto.h"
#include "unit_pluto.h"

static struct pluto *new_pluto(enum ddos_mode mode, unsigned threshold)
{
	struct pluto *p = unit_pluto_new(false);
	p->opts.ddos_mode = mode;
	p->opts.ddos_threshold = threshold;
	return p;
}

static void free_pluto(struct pluto *p)
{
	unit_pluto_free(p);
}

/* A responder's IKE SA after IKE_SA_INIT: half-open. */
static struct ike_sa *half_open(struct pluto *p, uint8_t spi0)
{
	struct ike_sa *ike = ike_sa_new(p, &ikev2_ops, NULL, false);
	ike->spi_i[0] = spi0;
	ike->spi_r[0] = spi0;
	ike_sa_insert(ike);
	return ike;
}

/* An IKE_SA_INIT request: [N(COOKIE) cookie_first? ...] SA-less, Ni. The
 * payloads point into buf. */
struct request {
	uint8_t buf[512];
	struct ikev2_header h;
	struct ikev2_payloads pl;
	struct ikev2_span ni;
};

enum cookie_at { NO_COOKIE, COOKIE_FIRST, COOKIE_SECOND };

static void make_request(struct request *r, const uint8_t spi_i[8], const uint8_t *cookie,
			 size_t cookie_len, enum cookie_at at)
{
	static const uint8_t nonce[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ikev2_header h = { .exchange = IKEV2_EXCH_IKE_SA_INIT, .flags = IKEV2_FLAG_INITIATOR };
	memcpy(h.spi_i, spi_i, 8);
	struct ikev2_builder b;
	ikev2_build_init(&b, r->buf, sizeof(r->buf), &h);
	if (at == COOKIE_FIRST)
		ikev2_build_notify_simple(&b, IKEV2_N_COOKIE, cookie, cookie_len);
	struct ikev2_nonce n = { { nonce, sizeof(nonce) } };
	ikev2_build_nonce(&b, &n);
	if (at == COOKIE_SECOND)
		ikev2_build_notify_simple(&b, IKEV2_N_COOKIE, cookie, cookie_len);
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	struct ikev2_diag d;
	assert_null(ikev2_decode_message(r->buf, len, &r->h, &r->pl, &d));
	const struct ikev2_payload *np = ikev2_payloads_find(&r->pl, IKEV2_PT_NONCE, 0);
	assert_non_null(np);
	struct ikev2_nonce dn;
	assert_null(ikev2_decode_nonce(np, &dn, &d));
	r->ni = dn.data;
}

static const uint8_t spi_a[8] = { 0xa, 1, 2, 3, 4, 5, 6, 7 };
static const uint8_t spi_b[8] = { 0xb, 1, 2, 3, 4, 5, 6, 7 };

static ip_address addr(const char *s)
{
	ip_address a;
	assert_null(ttoaddress_num(s, strlen(s), IP_UNSET, &a));
	return a;
}

static void test_modes(void **state)
{
	(void)state;
	struct pluto *p = new_pluto(DDOS_BUSY, COOKIE_THRESHOLD_DEFAULT);
	assert_true(cookie_required(p));
	p->opts.ddos_mode = DDOS_UNLIMITED;
	p->opts.ddos_threshold = 0;   /* would be busy in auto mode */
	assert_false(cookie_required(p));
	p->opts.ddos_mode = DDOS_AUTO;
	assert_true(cookie_required(p));   /* 0 half-open >= 0 */
	free_pluto(p);
}

/* auto: busy from --ddos-ike-threshold half-open IKE SAs on; established or
 * deleted ones do not count */
static void test_threshold(void **state)
{
	(void)state;
	struct pluto *p = new_pluto(DDOS_AUTO, 2);
	assert_false(cookie_required(p));
	struct ike_sa *one = half_open(p, 1);
	assert_false(cookie_required(p));
	struct ike_sa *two = half_open(p, 2);
	assert_true(cookie_required(p));
	ike_set_state(two, IKE_R_INIT_SENT);   /* still half-open */
	assert_true(cookie_required(p));
	ike_set_state(two, IKE_ESTABLISHED);
	assert_false(cookie_required(p));
	half_open(p, 3);
	assert_true(cookie_required(p));
	ike_sa_delete(one, NULL);
	assert_false(cookie_required(p));
	/* an initiator's IKE SA is not half-open in this sense */
	struct ike_sa *mine = ike_sa_new(p, &ikev2_ops, NULL, true);
	mine->spi_i[0] = 9;
	ike_sa_insert(mine);
	assert_false(cookie_required(p));
	free_pluto(p);
}

static void test_not_needed(void **state)
{
	(void)state;
	struct pluto *p = new_pluto(DDOS_UNLIMITED, 0);
	struct request r;
	make_request(&r, spi_a, NULL, 0, NO_COOKIE);
	ip_address a = addr("198.18.0.1");
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_NOT_NEEDED);
	free_pluto(p);
}

static void test_good_and_wrong(void **state)
{
	(void)state;
	struct pluto *p = new_pluto(DDOS_BUSY, 0);
	ip_address a = addr("198.18.0.1"), other = addr("198.51.100.1");
	struct request r;
	make_request(&r, spi_a, NULL, 0, NO_COOKIE);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_MISSING);
	uint8_t c[COOKIE_LEN];
	cookie_make(p, spi_a, &a, r.ni, c);

	make_request(&r, spi_a, c, sizeof(c), COOKIE_FIRST);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_GOOD);
	/* from another address */
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &other, r.ni), COOKIE_WRONG);
	/* with another SPIi */
	make_request(&r, spi_b, c, sizeof(c), COOKIE_FIRST);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_WRONG);
	/* one bit off */
	uint8_t bad[COOKIE_LEN];
	memcpy(bad, c, sizeof(bad));
	bad[COOKIE_LEN - 1] ^= 1;
	make_request(&r, spi_a, bad, sizeof(bad), COOKIE_FIRST);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_WRONG);
	/* a shorter one (a prefix) */
	make_request(&r, spi_a, c, 8, COOKIE_FIRST);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_WRONG);
	/* the right cookie, but not the first payload (2.6) */
	make_request(&r, spi_a, c, sizeof(c), COOKIE_SECOND);
	assert_int_equal(cookie_check(p, &r.h, &r.pl, &a, r.ni), COOKIE_MISSING);
	free_pluto(p);
}

static int setup(void **state)
{
	(void)state;
	err_t e = crypto_init_nodb();
	if (e != NULL) {
		fprintf(stderr, "crypto_init_nodb: %s\n", e);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	crypto_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_not_needed),
		cmocka_unit_test(test_good_and_wrong),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
