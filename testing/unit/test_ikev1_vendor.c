/* IKEv1 vendor IDs (programs/pluto/ikev1/vendor.c): the NAT-T values are
 * the MD5 of their strings (computed here with NSS), CAN-IKEv2 is the
 * string "IKEv2" unhashed (Openswan's), a chain of VID payloads is recognised (an unknown one
 * ignored), and the NAT-T VID chosen is RFC 3947's before the drafts'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nss.h>
#include <pk11pub.h>
#include "ikev1/isakmp.h"
#include "ikev1/vendor.h"
#include "log.h"

static void md5_is(enum v1_vid v, const char *text)
{
	uint8_t d[16];
	assert_int_equal(PK11_HashBuf(SEC_OID_MD5, d, (const unsigned char *)text, (PRInt32)strlen(text)),
			 SECSuccess);
	assert_int_equal(ikev1_vids[v].len, 16);
	assert_memory_equal(ikev1_vids[v].bytes, d, 16);
}

static void test_values(void **state)
{
	(void)state;
	md5_is(V1_VID_NATT_RFC3947, "RFC 3947");
	md5_is(V1_VID_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02");
	md5_is(V1_VID_NATT_DRAFT_02N, "draft-ietf-ipsec-nat-t-ike-02\n");
	md5_is(V1_VID_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03");
	md5_is(V1_VID_FRAGMENTATION, "FRAGMENTATION");
	assert_int_equal(ikev1_vids[V1_VID_CAN_IKEV2].len, 5);
	assert_memory_equal(ikev1_vids[V1_VID_CAN_IKEV2].bytes, "IKEv2", 5);
	/* RFC 3706 3: the first 14 bytes, then major 1 minor 0 */
	static const uint8_t dpd[] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				       0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
	assert_int_equal(ikev1_vids[V1_VID_DPD].len, 16);
	assert_memory_equal(ikev1_vids[V1_VID_DPD].bytes, dpd, 16);
	for (unsigned v = 0; v < V1_VID_COUNT; v++)
		assert_non_null(ikev1_vids[v].name);
}

/* A chain of VID payloads built and split again. */
static unsigned vids_of_chain(const enum v1_vid *v, size_t n, bool unknown)
{
	static const uint8_t other[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	uint8_t buf[512];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	if (unknown)
		isakmp_build_bytes(&b, ISAKMP_NEXT_VID, (struct ikev2_span){ other, sizeof(other) });
	for (size_t i = 0; i < n; i++)
		isakmp_build_bytes(&b, ISAKMP_NEXT_VID, (struct ikev2_span){ ikev1_vids[v[i]].bytes, ikev1_vids[v[i]].len });
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	struct isakmp_payloads pl;
	struct isakmp_diag d = { 0 };
	assert_null(isakmp_split_chain(ISAKMP_NEXT_VID, buf, len, &pl, &d));
	assert_int_equal(pl.n, n + (unknown ? 1 : 0));
	struct logger lg;
	logger_init(&lg, -1, "%s", "");
	return ikev1_vids_of(&pl, &lg);
}

static void test_recognise(void **state)
{
	(void)state;
	enum v1_vid all[] = { V1_VID_DPD, V1_VID_NATT_RFC3947, V1_VID_NATT_DRAFT_02, V1_VID_NATT_DRAFT_02N,
			      V1_VID_NATT_DRAFT_03, V1_VID_CAN_IKEV2, V1_VID_FRAGMENTATION };
	assert_int_equal(vids_of_chain(all, 7, true), (1u << V1_VID_COUNT) - 1);
	enum v1_vid two[] = { V1_VID_CAN_IKEV2, V1_VID_DPD };
	assert_int_equal(vids_of_chain(two, 2, true), V1_VID_BIT(V1_VID_DPD) | V1_VID_BIT(V1_VID_CAN_IKEV2));
	assert_int_equal(vids_of_chain(NULL, 0, true), 0);
}

/* FRAGMENTATION with four bytes of flags after it (Cisco's, libreswan's)
 * is still it; DPD with bytes after it is not DPD */
static void test_prefix(void **state)
{
	(void)state;
	uint8_t frag[20], dpd[20], buf[128];
	memcpy(frag, ikev1_vids[V1_VID_FRAGMENTATION].bytes, 16);
	memcpy(frag + 16, "\x80\x00\x00\x00", 4);
	memcpy(dpd, ikev1_vids[V1_VID_DPD].bytes, 16);
	memset(dpd + 16, 0, 4);
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	isakmp_build_bytes(&b, ISAKMP_NEXT_VID, (struct ikev2_span){ frag, sizeof(frag) });
	isakmp_build_bytes(&b, ISAKMP_NEXT_VID, (struct ikev2_span){ dpd, sizeof(dpd) });
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	struct isakmp_payloads pl;
	struct isakmp_diag d = { 0 };
	assert_null(isakmp_split_chain(ISAKMP_NEXT_VID, buf, len, &pl, &d));
	struct logger lg;
	logger_init(&lg, -1, "%s", "");
	assert_int_equal(ikev1_vids_of(&pl, &lg), V1_VID_BIT(V1_VID_FRAGMENTATION));
}

static void test_natt_choice(void **state)
{
	(void)state;
	assert_int_equal(ikev1_natt_vid(0), V1_VID_COUNT);
	assert_int_equal(ikev1_natt_vid(V1_VID_BIT(V1_VID_DPD)), V1_VID_COUNT);
	assert_int_equal(ikev1_natt_vid(V1_VIDS_NATT), V1_VID_NATT_RFC3947);
	assert_int_equal(ikev1_natt_vid(V1_VID_BIT(V1_VID_NATT_DRAFT_02) | V1_VID_BIT(V1_VID_NATT_DRAFT_03)),
			 V1_VID_NATT_DRAFT_03);
	assert_int_equal(ikev1_natt_vid(V1_VID_BIT(V1_VID_NATT_DRAFT_02)), V1_VID_NATT_DRAFT_02);
}

static int nss_up(void **state)
{
	(void)state;
	return NSS_NoDB_Init(NULL) == SECSuccess ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_recognise),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_natt_choice),
	};
	return cmocka_run_group_tests(tests, nss_up, NULL);
}
