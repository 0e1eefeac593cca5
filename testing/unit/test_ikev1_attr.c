/* The ISAKMP Attribute payload (programs/pluto/ikev1/isakmp_attr.c): an
 * XAUTH REQUEST written by hand (draft-beaulieu-ike-xauth-02: XAUTH-TYPE
 * as TV, USER-NAME and USER-PASSWORD as empty TLVs) decoded field by
 * field; a Mode Config REPLY built and decoded back; each kind of
 * malformed payload refused with PAYLOAD-MALFORMED; the names. Buffers
 * are sized exactly so that ASan catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ikev1/transaction.h"

static struct isakmp_diag diag;
static struct isakmp_payloads pl;
static struct isakmp_cfg cfg;

/* Splits an exactly sized copy of a one-payload chain and decodes it. */
static err_t decode(const uint8_t *bytes, size_t len, uint8_t **copy)
{
	*copy = malloc(len);
	assert_non_null(*copy);
	memcpy(*copy, bytes, len);
	memset(&diag, 0, sizeof(diag));
	err_t e = isakmp_split_chain(ISAKMP_NEXT_ATTR, *copy, len, &pl, &diag);
	if (e != NULL)
		return e;
	assert_int_equal(pl.n, 1);
	return isakmp_decode_cfg(&pl.p[0], &cfg, &diag);
}

static void test_xauth_request_by_hand(void **state)
{
	(void)state;
	static const uint8_t req[] = {
		0x00, 0x00, 0x00, 0x14,       /* next 0, reserved, length 20 */
		0x01, 0x00, 0xbe, 0xef,       /* REQUEST, reserved, identifier 0xbeef */
		0xc0, 0x88, 0x00, 0x00,       /* AF|16520 XAUTH-TYPE = 0 (generic) */
		0x40, 0x89, 0x00, 0x00,       /* 16521 USER-NAME, empty */
		0x40, 0x8a, 0x00, 0x00,       /* 16522 USER-PASSWORD, empty */
	};
	uint8_t *copy;
	err_t e = decode(req, sizeof(req), &copy);
	if (e != NULL)
		fail_msg("%s", e);
	assert_int_equal(cfg.type, ISAKMP_CFG_REQUEST);
	assert_int_equal(cfg.identifier, 0xbeef);
	assert_int_equal(cfg.n_attrs, 3);
	assert_true(cfg.attrs[0].basic);
	assert_int_equal(cfg.attrs[0].type, XAUTH_TYPE);
	assert_int_equal(cfg.attrs[0].value, XAUTH_TYPE_GENERIC);
	assert_false(cfg.attrs[1].basic);
	assert_int_equal(cfg.attrs[1].type, XAUTH_USER_NAME);
	assert_int_equal(cfg.attrs[1].data.len, 0);
	assert_int_equal(cfg.attrs[2].type, XAUTH_USER_PASSWORD);
	assert_ptr_equal(isakmp_cfg_find(&cfg, XAUTH_USER_PASSWORD, 0), &cfg.attrs[2]);
	assert_null(isakmp_cfg_find(&cfg, XAUTH_USER_PASSWORD, 1));
	assert_null(isakmp_cfg_find(&cfg, XAUTH_STATUS, 0));
	free(copy);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const uint8_t addr[4] = { 198, 51, 100, 10 }, mask[4] = { 255, 255, 255, 255 },
			     dns1[4] = { 203, 0, 113, 53 }, name[] = "road";
	struct isakmp_cfg out = { .type = ISAKMP_CFG_REPLY, .identifier = 7, .n_attrs = 5 };
	out.attrs[0] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_ADDRESS, .data = { addr, 4 } };
	out.attrs[1] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_NETMASK, .data = { mask, 4 } };
	out.attrs[2] = (struct isakmp_cfg_attr){ .type = CFG_INTERNAL_IP4_DNS, .data = { dns1, 4 } };
	out.attrs[3] = (struct isakmp_cfg_attr){ .type = XAUTH_STATUS, .basic = true, .value = XAUTH_STATUS_OK };
	out.attrs[4] = (struct isakmp_cfg_attr){ .type = XAUTH_USER_NAME, .data = { name, 4 } };
	uint8_t buf[256];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	assert_int_equal(isakmp_build_cfg(&b, &out), 0);
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	assert_int_equal(len, 4 + 4 + 3 * 8 + 4 + 8);
	assert_int_equal(buf[0], ISAKMP_NEXT_NONE);
	assert_int_equal(buf[1], 0);   /* IKEv1's reserved octet: no critical bit */
	uint8_t *copy;
	err_t e = decode(buf, len, &copy);
	if (e != NULL)
		fail_msg("%s", e);
	assert_int_equal(cfg.type, ISAKMP_CFG_REPLY);
	assert_int_equal(cfg.identifier, 7);
	assert_int_equal(cfg.n_attrs, out.n_attrs);
	for (size_t i = 0; i < out.n_attrs; i++) {
		assert_int_equal(cfg.attrs[i].type, out.attrs[i].type);
		assert_int_equal(cfg.attrs[i].basic, out.attrs[i].basic);
		assert_int_equal(cfg.attrs[i].value, out.attrs[i].value);
		assert_int_equal(cfg.attrs[i].data.len, out.attrs[i].data.len);
		if (out.attrs[i].data.len > 0)
			assert_memory_equal(cfg.attrs[i].data.ptr, out.attrs[i].data.ptr, out.attrs[i].data.len);
	}
	free(copy);
	/* an attribute type with the AF bit cannot be written */
	out.attrs[0].type = 0x8001;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	assert_int_equal(isakmp_build_cfg(&b, &out), SIZE_MAX);
	assert_true(b.failed);
}

static void expect_malformed(const uint8_t *bytes, size_t len, const char *text)
{
	uint8_t *copy;
	err_t e = decode(bytes, len, &copy);
	if (e == NULL)
		fail_msg("accepted, want '%s'", text);
	assert_int_equal(diag.notify, ISAKMP_N_PAYLOAD_MALFORMED);
	if (strstr(e, text) == NULL)
		fail_msg("'%s' does not say '%s'", e, text);
	free(copy);
}

static void test_malformed(void **state)
{
	(void)state;
	/* the body is shorter than type + identifier */
	static const uint8_t short_body[] = { 0, 0, 0, 6, 1, 0 };
	expect_malformed(short_body, sizeof(short_body), "too short");
	/* type 5 is none of REQUEST/REPLY/SET/ACK; 0 neither */
	static const uint8_t type5[] = { 0, 0, 0, 8, 5, 0, 0, 1 };
	expect_malformed(type5, sizeof(type5), "unknown type 5");
	static const uint8_t type0[] = { 0, 0, 0, 8, 0, 0, 0, 1 };
	expect_malformed(type0, sizeof(type0), "unknown type 0");
	/* a TLV longer than what is left */
	static const uint8_t overrun[] = { 0, 0, 0, 14, 2, 0, 0, 1, 0x00, 0x01, 0x00, 0x04, 198, 51 };
	expect_malformed(overrun, sizeof(overrun), "says 4 bytes, 2 left");
	/* half an attribute header */
	static const uint8_t half[] = { 0, 0, 0, 10, 2, 0, 0, 1, 0x80, 0x01 };
	expect_malformed(half, sizeof(half), "too few for an attribute");
	/* up to 3 zero bytes after the last attribute are padding (libreswan
	 * aligns after its 14-byte UNITY_SPLIT_INCLUDE); other bytes are not */
	static const uint8_t padded[] = { 0, 0, 0, 14, 2, 0, 0, 1, 0x00, 0x01, 0x00, 0x00, 0, 0 };
	uint8_t *pc;
	assert_null(decode(padded, sizeof(padded), &pc));
	assert_int_equal(cfg.n_attrs, 1);
	free(pc);
	static const uint8_t not_zero[] = { 0, 0, 0, 14, 2, 0, 0, 1, 0x00, 0x01, 0x00, 0x00, 0, 1 };
	expect_malformed(not_zero, sizeof(not_zero), "2 bytes left, too few");
	/* more attributes than the decoder holds */
	size_t n = ISAKMP_CFG_MAX_ATTRS + 1, len = 8 + 4 * n;
	uint8_t *many = calloc(1, len);
	assert_non_null(many);
	many[2] = (uint8_t)(len >> 8);
	many[3] = (uint8_t)len;
	many[4] = ISAKMP_CFG_SET;
	for (size_t i = 0; i < n; i++)
		many[8 + 4 * i] = 0x80;   /* TV attribute 0 */
	expect_malformed(many, len, "more than 64 attributes");
	/* exactly the maximum is taken */
	len -= 4;
	many[2] = (uint8_t)(len >> 8);
	many[3] = (uint8_t)len;
	uint8_t *copy;
	assert_null(decode(many, len, &copy));
	assert_int_equal(cfg.n_attrs, ISAKMP_CFG_MAX_ATTRS);
	free(copy);
	free(many);
	/* a payload of another type */
	struct isakmp_payload other = { .type = ISAKMP_NEXT_N, .body = short_body, .len = 8 };
	assert_non_null(isakmp_decode_cfg(&other, &cfg, &diag));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(isakmp_cfg_attr_name(XAUTH_USER_PASSWORD), "XAUTH-USER-PASSWORD");
	assert_string_equal(isakmp_cfg_attr_name(CFG_INTERNAL_IP4_ADDRESS), "INTERNAL_IP4_ADDRESS");
	assert_string_equal(isakmp_cfg_attr_name(28673), "attribute 28673");
	assert_string_equal(isakmp_cfg_type_name(ISAKMP_CFG_ACK), "ACK");
	assert_string_equal(isakmp_cfg_type_name(9), "type 9");
}

/* Mode Config's address pools (modecfg.c): one address per peer ID,
 * handed back when its last holder lets go; FIRST-LAST checked. */
static void test_pool(void **state)
{
	(void)state;
	ip_address first, last, a, b, c;
	const char *why;
	assert_true(modecfg_pool_parse("198.51.100.10-198.51.100.12", &first, &last, &why));
	assert_false(modecfg_pool_parse("198.51.100.10", &a, &b, &why));
	assert_false(modecfg_pool_parse("198.51.100.12-198.51.100.10", &a, &b, &why));
	assert_string_equal(why, "the first address is after the last");
	assert_false(modecfg_pool_parse("10.0.0.0-10.1.0.0", &a, &b, &why));
	assert_false(modecfg_pool_parse("2001:db8::1-2001:db8::2", &a, &b, &why));
	char t[ADDRESS_BUF];
	assert_true(modecfg_pool_lease(&first, &last, "@road1", &a));
	assert_string_equal(str_address(&a, t), "198.51.100.10");
	assert_true(modecfg_pool_lease(&first, &last, "@road2", &b));
	assert_string_equal(str_address(&b, t), "198.51.100.11");
	assert_true(modecfg_pool_lease(&first, &last, "@road1", &c));   /* the same ID: the same address */
	assert_true(address_eq(&a, &c));
	assert_int_equal(modecfg_pool_in_use(&first, &last), 2);
	assert_true(modecfg_pool_lease(&first, &last, "@road3", &c));
	assert_string_equal(str_address(&c, t), "198.51.100.12");
	assert_false(modecfg_pool_lease(&first, &last, "@road4", &c));   /* exhausted */
	modecfg_pool_release(&first, &last, &a);   /* road1 still holds it once */
	assert_false(modecfg_pool_lease(&first, &last, "@road4", &c));
	modecfg_pool_release(&first, &last, &a);
	assert_int_equal(modecfg_pool_in_use(&first, &last), 2);
	assert_true(modecfg_pool_lease(&first, &last, "@road4", &c));   /* .10 again */
	assert_true(address_eq(&a, &c));
	modecfg_pool_release(&first, &last, &c);
	modecfg_pool_release(&first, &last, &b);
	ip_address twelve = { .family = IP_V4, .bytes = { 198, 51, 100, 12 } };
	modecfg_pool_release(&first, &last, &twelve);
	modecfg_pool_release(&first, &last, &twelve);   /* one too many: nothing */
	assert_int_equal(modecfg_pool_in_use(&first, &last), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xauth_request_by_hand),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
