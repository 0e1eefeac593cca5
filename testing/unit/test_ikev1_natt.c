/* IKEv1 NAT-T (programs/pluto/ikev1/natt.c): NAT-D is HASH(CKY-I | CKY-R |
 * IP | Port) with the negotiated hash (checked against NSS here), sent as
 * payload 20 after RFC 3947's vendor ID and as 130 after a draft's only,
 * destination first; a peer's NAT-D read back finds which end is behind
 * the NAT; Quick Mode's encapsulation modes (RFC 3947's and the drafts'
 * numbers) and their reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pk11pub.h>
#include "crypto/crypto.h"
#include "iface.h"
#include "ike/sa.h"
#include "ikev1/isakmp.h"
#include "ikev1/natt.h"
#include "ikev1/vendor.h"

static struct iface ifc;
static struct ike_sa ike;

static void addr(const char *s, ip_address *a)
{
	assert_null(ttoaddress_num(s, strlen(s), IP_V4, a));
}

static void setup_sa(unsigned peer_vids)
{
	memset(&ike, 0, sizeof(ike));
	memset(&ifc, 0, sizeof(ifc));
	addr("198.18.0.1", &ifc.addr);
	ifc.port = 500;
	ike.iface = &ifc;
	addr("198.18.0.2", &ike.remote);
	ike.remote_port = 500;
	memcpy(ike.spi_i, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(ike.spi_r, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	ike.suite.integ = alg_by_name(ALG_INTEG, "sha2_256", 8);
	assert_non_null(ike.suite.integ);
	ike.v1.peer_vids = peer_vids;
	logger_init(&ike.logger, -1, "%s", "");
}

static void test_hash(void **state)
{
	(void)state;
	setup_sa(V1_VID_BIT(V1_VID_NATT_RFC3947));
	static const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
				      198, 18, 0, 2, 0x01, 0xf4 };
	uint8_t want[32], got[64];
	assert_int_equal(PK11_HashBuf(SEC_OID_SHA256, want, in, sizeof(in)), SECSuccess);
	assert_int_equal(ikev1_natd_hash(&ike, &ike.remote, 500, got), 32);
	assert_memory_equal(got, want, 32);
	ike.suite.integ = alg_by_name(ALG_INTEG, "sha1", 4);
	assert_int_equal(ikev1_natd_hash(&ike, &ike.remote, 500, got), 20);
	ike.suite.integ = NULL;
	assert_int_equal(ikev1_natd_hash(&ike, &ike.remote, 500, got), 0);
}

/* Our NAT-D payloads built, split again: their type and order. */
static void natd_payloads(unsigned vids, uint8_t type, struct isakmp_payloads *pl, uint8_t *buf, size_t cap)
{
	setup_sa(vids);
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, cap);
	assert_true(ikev1_natd_build(&ike, &b));
	size_t len;
	if (type == 0) {
		assert_int_equal(b.len, 0);
		return;
	}
	assert_null(ikev2_build_finish(&b, &len));
	struct isakmp_diag d = { 0 };
	assert_null(isakmp_split_chain(ikev2_build_first_type(&b), buf, len, pl, &d));
	assert_int_equal(pl->n, 2);
	assert_int_equal(pl->p[0].type, type);
	assert_int_equal(pl->p[1].type, type);
	uint8_t h[64];
	assert_int_equal(ikev1_natd_hash(&ike, &ike.remote, 500, h), 32);
	assert_memory_equal(pl->p[0].body, h, 32);   /* the destination first */
	ikev1_natd_hash(&ike, &ifc.addr, 500, h);
	assert_memory_equal(pl->p[1].body, h, 32);
}

static void test_build(void **state)
{
	(void)state;
	static uint8_t buf[256];
	static struct isakmp_payloads pl;
	natd_payloads(V1_VIDS_NATT, ISAKMP_NEXT_NATD, &pl, buf, sizeof(buf));
	natd_payloads(V1_VID_BIT(V1_VID_NATT_DRAFT_03), ISAKMP_NEXT_NATD_DRAFT, &pl, buf, sizeof(buf));
	natd_payloads(V1_VID_BIT(V1_VID_NATT_DRAFT_02N), ISAKMP_NEXT_NATD_DRAFT, &pl, buf, sizeof(buf));
	natd_payloads(V1_VID_BIT(V1_VID_DPD), 0, &pl, buf, sizeof(buf));   /* no NAT-T: none */
}

/* The peer's NAT-D (as it would build them, seen from our side). */
static void check(const char *dst_ip, uint16_t dst_port, const char *src_ip, uint16_t src_port,
		  bool detected, bool local)
{
	setup_sa(V1_VID_BIT(V1_VID_NATT_RFC3947));
	uint8_t buf[256], h[64];
	ip_address a;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, sizeof(buf));
	addr(dst_ip, &a);
	size_t n = ikev1_natd_hash(&ike, &a, dst_port, h);
	isakmp_build_bytes(&b, ISAKMP_NEXT_NATD, (struct ikev2_span){ h, n });
	addr(src_ip, &a);
	ikev1_natd_hash(&ike, &a, src_port, h);
	isakmp_build_bytes(&b, ISAKMP_NEXT_NATD, (struct ikev2_span){ h, n });
	size_t len;
	assert_null(ikev2_build_finish(&b, &len));
	struct isakmp_payloads pl;
	struct isakmp_diag d = { 0 };
	assert_null(isakmp_split_chain(ISAKMP_NEXT_NATD, buf, len, &pl, &d));
	struct packet pkt = { .iface = &ifc, .remote = ike.remote, .remote_port = 500 };
	ikev1_natd_check(&ike, &pl, &pkt, NULL);
	assert_int_equal(ike.nat_detected, detected);
	assert_int_equal(ike.nat_local, local);
}

static void test_detect(void **state)
{
	(void)state;
	check("198.18.0.1", 500, "198.18.0.2", 500, false, false);   /* no NAT */
	check("198.18.0.9", 500, "198.18.0.2", 500, true, true);     /* we are behind one */
	check("198.18.0.1", 500, "198.18.0.2", 4500, true, false);   /* the peer is */
	check("198.18.0.1", 500, "0.0.0.0", 500, true, false);       /* its forceencaps=yes */
}

static void test_encap(void **state)
{
	(void)state;
	setup_sa(V1_VID_BIT(V1_VID_NATT_RFC3947));
	assert_int_equal(ikev1_natt_encap(&ike, false), 1);
	assert_int_equal(ikev1_natt_encap(&ike, true), 2);
	ike.nat_detected = true;
	assert_int_equal(ikev1_natt_encap(&ike, false), 3);
	assert_int_equal(ikev1_natt_encap(&ike, true), 4);
	ike.v1.peer_vids = V1_VID_BIT(V1_VID_NATT_DRAFT_02);
	assert_int_equal(ikev1_natt_encap(&ike, false), 61443);
	assert_int_equal(ikev1_natt_encap(&ike, true), 61444);
	static const uint64_t in[] = { 1, 2, 3, 4, 61443, 61444, 0, 5, 61445, 65536 + 1 };
	static const uint64_t out[] = { 1, 2, 1, 2, 1, 2, 0, 0, 0, 0 };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(ikev1_natt_encap_plain(in[i]), out[i]);
}

static int nss_up(void **state)
{
	(void)state;
	return crypto_init_nodb() == NULL ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_encap),
	};
	return cmocka_run_group_tests(tests, nss_up, NULL);
}
