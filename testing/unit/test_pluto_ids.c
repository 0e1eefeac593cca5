/* Unit tests: DN IDs on the wire (ikev2/ids.c). A DN written in the
 * certificate's order (C=.., O=.., CN=..) and one in RFC 4514 order
 * (CN=.., O=.., C=..) encode to the same DER: C first, as certificates
 * carry it; the received DER matches the config in either order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "crypto/crypto.h"
#include "ikev2/ids.h"

/* DER of C=US, O=Example, CN=east (as openssl writes the subject). */
static const uint8_t der_c_o_cn[] = {
	0x30, 0x2e, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 'U', 'S',
	0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x07,
	'E', 'x', 'a', 'm', 'p', 'l', 'e',
	0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'e', 'a', 's', 't',
};

/* Position of an attribute OID 2.5.4.x in DER, or -1. */
static int oid_at(const uint8_t *p, size_t len, uint8_t x)
{
	for (size_t i = 0; i + 4 < len; i++)
		if (p[i] == 0x06 && p[i + 1] == 0x03 && p[i + 2] == 0x55 && p[i + 3] == 0x04 &&
		    p[i + 4] == x)
			return (int)i;
	return -1;
}

static void test_send_order(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"C=US, O=Example, CN=east",
		"CN=east, O=Example, C=US",
		"/C=US/O=Example/CN=east",
		"O=Example, CN=east",
		"CN=east, O=Example",
		"C=US, O=Foo\\, Inc, CN=east",
		"CN=east, O=Foo\\, Inc, C=US",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ip_id id;
		struct ikev2_id p;
		uint8_t buf[600];
		assert_null(ttoid(texts[i], &id));
		assert_true(id_to_payload(&id, &p, buf, sizeof(buf)));
		int o = oid_at(p.data.ptr, p.data.len, 0x0a), cn = oid_at(p.data.ptr, p.data.len, 0x03);
		assert_true(o >= 0 && cn >= 0);
		if (o > cn)
			fail_msg("'%s' sends CN before O", texts[i]);
		/* and back: the received DN matches what was configured */
		ip_id back;
		err_t e = id_from_payload(&p, &back);
		if (e != NULL)
			fail_msg("%s: %s", texts[i], e);
		if (!id_matches(&id, &back))
			fail_msg("'%s' does not match itself after the wire", texts[i]);
	}
}

static void test_receive(void **state)
{
	(void)state;
	struct ikev2_id p = { .type = IKEV2_ID_DER_ASN1_DN,
			      .data = { der_c_o_cn, sizeof(der_c_o_cn) } };
	ip_id got;
	assert_null(id_from_payload(&p, &got));
	static const struct {
		const char *want;
		bool ok;
	} cases[] = {
		{ "C=US, O=Example, CN=east", true },
		{ "CN=east, O=Example, C=US", true },
		{ "C=US, O=Example, CN=*", true },
		{ "C=US, O=Example, CN=west", false },
		{ "CN=east, C=US, O=Example", false },
		{ "%any", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip_id want;
		char b[ID_BUF];
		assert_null(ttoid(cases[i].want, &want));
		if (id_matches(&want, &got) != cases[i].ok)
			fail_msg("'%s' vs received '%s': expected %s", cases[i].want, str_id(&got, b),
				 cases[i].ok ? "a match" : "no match");
	}
	/* what we send for the cert-order text is the certificate's DER */
	ip_id id;
	struct ikev2_id out;
	uint8_t buf[600];
	assert_null(ttoid("C=US, O=Example, CN=east", &id));
	assert_true(id_to_payload(&id, &out, buf, sizeof(buf)));
	assert_int_equal(out.data.len, sizeof(der_c_o_cn));
}

static int setup(void **state)
{
	(void)state;
	return crypto_init_nodb() == NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return crypto_shutdown() == NULL ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_order),
		cmocka_unit_test(test_receive),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
