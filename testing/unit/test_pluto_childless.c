/* Childless IKE_AUTH (RFC 6023) in the payload legality table: SA, TSi and
 * TSr may be left out of IKE_AUTH together, and only when the IKE SA
 * negotiated it (IKEV2_CHECK_CHILDLESS); anything in between is still
 * malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ikev2/ikev2_msg.h"

#define ok(e) do { err_t e_ = (e); if (e_ != NULL) fail_msg("unexpected error: %s", e_); } while (0)
#define has(text, needle) do { \
	err_t t_ = (text); \
	if (t_ == NULL) fail_msg("expected an error with \"%s\", got none", (needle)); \
	if (strstr(t_, (needle)) == NULL) fail_msg("\"%s\" does not contain \"%s\"", t_, (needle)); \
} while (0)

static struct ikev2_diag diag;

/* An IKE_AUTH message whose SK holds payloads of these types (N: an
 * INITIAL_CONTACT, 0xf0: a TS_UNACCEPTABLE error), checked with flags. */
static err_t check(bool response, unsigned flags, const uint8_t *types, size_t n)
{
	static uint8_t in[2048], msg[256];
	static struct ikev2_payloads inner, clear;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, in, sizeof(in));
	for (size_t i = 0; i < n; i++) {
		if (types[i] == 0xf0)
			ikev2_build_notify_simple(&b, IKEV2_N_TS_UNACCEPTABLE, NULL, 0);
		else if (types[i] == IKEV2_PT_N)
			ikev2_build_notify_simple(&b, IKEV2_N_INITIAL_CONTACT, NULL, 0);
		else
			ikev2_build_payload(&b, types[i], false, "12345678", 8);
	}
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	uint8_t first = ikev2_build_first_type(&b);
	ok(ikev2_split_chain(first, in, len, &inner, &diag));
	struct ikev2_header h = { .spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 }, .spi_r = { 8, 7, 6, 5, 4, 3, 2, 1 },
				  .exchange = IKEV2_EXCH_IKE_AUTH, .message_id = 1,
				  .flags = response ? IKEV2_FLAG_RESPONSE : IKEV2_FLAG_INITIATOR };
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, first, 16);
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &clear, &diag));
	return ikev2_check_payloads_flags(IKEV2_EXCH_IKE_AUTH, response, &clear, &inner, flags, &diag);
}

#define TYPES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define CHILDLESS IKEV2_CHECK_CHILDLESS

static void test_childless_request(void **state)
{
	(void)state;
	/* negotiated: IDi, AUTH and nothing of a Child SA */
	ok(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH)));
	ok(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_IDr, IKEV2_PT_AUTH, IKEV2_PT_N, IKEV2_PT_V)));
	/* ... and a Child SA all the same */
	ok(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)));
	/* not negotiated: the load benchmark's finding; INVALID_SYNTAX, saying why */
	has(check(false, 0, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH)),
	    "IKE_AUTH request: SA payload missing (childless IKE_AUTH was not negotiated)");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	ok(check(false, 0, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)));
	/* half a Child SA is malformed either way */
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA)), "TSi payload missing");
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_TSi, IKEV2_PT_TSr)),
	    "SA payload missing");
	has(check(false, 0, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_TSi, IKEV2_PT_TSr)), "SA payload missing");
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi)),
	    "TSi without TSr");
	/* what childless does not waive */
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi)), "AUTH payload missing");
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_AUTH)), "IDi payload missing");
	has(check(false, CHILDLESS, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_SA,
					   IKEV2_PT_TSi, IKEV2_PT_TSr)), "more than one SA payload");
}

static void test_childless_response(void **state)
{
	(void)state;
	ok(check(true, CHILDLESS, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH)));
	has(check(true, 0, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH)), "SA payload missing");
	/* a refused Child SA needs no flag */
	ok(check(true, 0, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH, 0xf0)));
	has(check(true, CHILDLESS, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH, IKEV2_PT_SA)), "TSi payload missing");
}

static void test_other_exchanges_unaffected(void **state)
{
	(void)state;
	/* the flag changes IKE_AUTH only: CREATE_CHILD_SA still needs SA and Nonce */
	static uint8_t in[256], msg[256];
	static struct ikev2_payloads inner, clear;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, in, sizeof(in));
	ikev2_build_payload(&b, IKEV2_PT_TSi, false, "12345678", 8);
	ikev2_build_payload(&b, IKEV2_PT_TSr, false, "12345678", 8);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	uint8_t first = ikev2_build_first_type(&b);
	ok(ikev2_split_chain(first, in, len, &inner, &diag));
	struct ikev2_header h = { .exchange = IKEV2_EXCH_CREATE_CHILD_SA, .message_id = 2,
				  .flags = IKEV2_FLAG_INITIATOR };
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, first, 16);
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &clear, &diag));
	has(ikev2_check_payloads_flags(IKEV2_EXCH_CREATE_CHILD_SA, false, &clear, &inner, CHILDLESS, &diag),
	    "SA payload missing");
	/* the rule bits say which payloads make up the Child SA */
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_AUTH, false, IKEV2_PT_SA),
			 IKEV2_ALLOW_INNER | IKEV2_REQUIRED | IKEV2_CHILD);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_AUTH, true, IKEV2_PT_TSr),
			 IKEV2_ALLOW_INNER | IKEV2_REQUIRED | IKEV2_CHILD);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_AUTH, false, IKEV2_PT_AUTH),
			 IKEV2_ALLOW_INNER | IKEV2_REQUIRED);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_CREATE_CHILD_SA, false, IKEV2_PT_SA),
			 IKEV2_ALLOW_INNER | IKEV2_REQUIRED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_childless_request),
		cmocka_unit_test(test_childless_response),
		cmocka_unit_test(test_other_exchanges_unaffected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
