/* Proposal building and matching, and traffic-selector narrowing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "connections.h"
#include "ikev2/proposals.h"
#include "ike/ts.h"
#include "whack.h"
#include "unit_conn.h"

/* "key=value" pairs into a connection oriented with left as this host. */
static bool left_is_local(const ip_address *a, void *ctx)
{
	(void)ctx;
	ip_address me;
	ttoaddress_num("198.18.0.1", 10, IP_UNSET, &me);
	return address_eq(a, &me);
}

static struct connection *conn(const char *const *kv)
{
	struct connection *c = unit_conn(unit_conn_ends, kv);
	char err[256];
	assert_true(connection_orient(c, left_is_local, NULL, err, sizeof(err)));
	return c;
}

static const char *const none[] = { NULL };

static void test_ike_defaults_match_themselves(void **state)
{
	(void)state;
	struct connection *c = conn(none);
	static struct ikev2_sa ours;
	ike_proposals_build(c, NULL, &ours);
	assert_int_equal(ours.n_proposals, 2);
	struct ikev2_proposal chosen;
	struct ike_suite suite;
	assert_null(ike_proposals_choose(c, &ours, &chosen, &suite));
	/* the first of the initiator's choices: AES-GCM-16 256, PRF SHA2-512, X25519 */
	assert_string_equal(suite.encr->name, "aes_gcm16");
	assert_int_equal(suite.encr_keylen, 256);
	assert_string_equal(suite.prf->name, "prfsha2_512");
	assert_string_equal(suite.dh->name, "curve25519");
	/* the answer, one transform per type, is accepted by the initiator */
	static struct ikev2_sa answer;
	answer.n_proposals = 1;
	answer.proposals[0] = chosen;
	struct ike_suite back;
	assert_null(ike_proposals_accept(&ours, &answer, &back));
	assert_ptr_equal(back.encr, suite.encr);
	connection_free(c);
}

static void test_ike_configured_and_mismatch(void **state)
{
	(void)state;
	const char *const a_kv[] = { "ike", "aes128-sha2_256;modp2048", NULL };
	const char *const b_kv[] = { "ike", "3des-sha1;modp1536", NULL };
	struct connection *a = conn(a_kv), *b = conn(b_kv);
	static struct ikev2_sa offer;
	ike_proposals_build(a, NULL, &offer);
	assert_int_equal(offer.n_proposals, 1);
	struct ikev2_proposal chosen;
	struct ike_suite suite;
	assert_null(ike_proposals_choose(a, &offer, &chosen, &suite));
	assert_string_equal(suite.integ->name, "sha2_256");
	assert_string_equal(suite.prf->name, "prfsha2_256");
	assert_int_equal(suite.dh->dh_group, 14);
	assert_non_null(ike_proposals_choose(b, &offer, &chosen, &suite));
	/* an answer we did not offer is refused */
	static struct ikev2_sa answer;
	ike_proposals_build(b, NULL, &answer);
	assert_non_null(ike_proposals_accept(&offer, &answer, &suite));
	assert_true(ike_proposals_offer_dh(a, 14));
	assert_false(ike_proposals_offer_dh(a, 31));
	connection_free(a);
	connection_free(b);
}

static void test_unknown_attribute_not_chosen(void **state)
{
	(void)state;
	struct connection *c = conn(none);
	static struct ikev2_sa peer;
	ike_proposals_build(c, NULL, &peer);
	/* RFC 7296 3.3.6: a transform with an unknown attribute is not chosen */
	for (size_t p = 0; p < peer.n_proposals; p++)
		for (size_t t = 0; t < peer.proposals[p].n_transforms; t++)
			if (peer.proposals[p].transforms[t].type == IKEV2_TRANS_ENCR)
				peer.proposals[p].transforms[t].unknown_attr = true;
	struct ikev2_proposal chosen;
	struct ike_suite suite;
	assert_non_null(ike_proposals_choose(c, &peer, &chosen, &suite));
	connection_free(c);
}

static void test_child_esp_and_pfs(void **state)
{
	(void)state;
	const char *const kv[] = { "phase2alg", "aes256-sha2_256;modp2048", NULL };
	struct connection *c = conn(kv);
	static struct ikev2_sa offer;
	child_proposals_build(c, 0x12345678, NULL, &offer);
	assert_int_equal(offer.n_proposals, 1);
	assert_int_equal(offer.proposals[0].spi_size, 4);
	struct ikev2_proposal chosen;
	struct child_suite suite;
	const struct alg_desc *dh = NULL;
	assert_null(child_proposals_choose(c, &offer, NULL, &chosen, &suite, &dh));
	assert_string_equal(suite.encr->name, "aes");
	assert_int_equal(suite.encr_keylen, 256);
	assert_null(dh);
	/* with PFS the DH group is part of the match */
	const struct alg_desc *g = alg_by_name(ALG_DH, "modp2048", 8);
	child_proposals_build(c, 0x12345678, g, &offer);
	assert_null(child_proposals_choose(c, &offer, g, &chosen, &suite, &dh));
	assert_ptr_equal(dh, g);
	static struct ikev2_sa answer;
	answer.n_proposals = 1;
	answer.proposals[0] = chosen;
	uint32_t spi;
	assert_null(child_proposals_accept(&offer, &answer, &suite, &dh, &spi));
	assert_int_equal(spi, 0x12345678);
	struct ike_suite ike = { .dh = g };
	assert_ptr_equal(child_pfs_group(c, &ike), g);
	connection_free(c);
}

static void test_ts_narrowing(void **state)
{
	(void)state;
	const char *const kv[] = { "leftsubnet", "198.51.100.0/24", "rightsubnet", "203.0.113.0/24",
				   NULL };
	struct connection *c = conn(kv);
	struct ikev2_ts_list tsi, tsr;
	/* as an initiator at the other end would send it: its side is our right */
	ts_of_end(peer_end(c), NULL, &tsi);
	ts_of_end(local_end(c), NULL, &tsr);
	struct child_ts ts;
	assert_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	char a[SUBNET_BUF], b[SUBNET_BUF];
	assert_string_equal(str_subnet(&ts.local, a), "198.51.100.0/24");
	assert_string_equal(str_subnet(&ts.remote, b), "203.0.113.0/24");
	/* a wider request narrows to the conn's subnet */
	ip_address lo, hi;
	ttoaddress_num("203.0.0.0", 9, IP_UNSET, &lo);
	ttoaddress_num("203.0.255.255", 13, IP_UNSET, &hi);
	tsi.ts[0] = ikev2_ts_range(&lo, &hi, 0, 0, 65535);
	assert_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	assert_string_equal(str_subnet(&ts.remote, b), "203.0.113.0/24");
	/* a disjoint one is refused */
	ttoaddress_num("10.0.0.0", 8, IP_UNSET, &lo);
	ttoaddress_num("10.0.0.255", 10, IP_UNSET, &hi);
	tsi.ts[0] = ikev2_ts_range(&lo, &hi, 0, 0, 65535);
	assert_non_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	connection_free(c);
}

static void test_ts_protoport(void **state)
{
	(void)state;
	const char *const kv[] = { "leftprotoport", "17/1701", "rightprotoport", "17/%any", NULL };
	struct connection *c = conn(kv);
	struct ikev2_ts_list tsi, tsr;
	ts_of_end(peer_end(c), NULL, &tsi);
	ts_of_end(local_end(c), NULL, &tsr);
	struct child_ts ts;
	assert_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	assert_int_equal(ts.proto, 17);
	assert_int_equal(ts.local_port, 1701);
	assert_int_equal(ts.remote_port, 0);
	/* TCP is outside the conn's UDP selectors */
	tsi.ts[0].ip_protocol = 6;
	tsr.ts[0].ip_protocol = 6;
	assert_non_null(ts_narrow(c, NULL, NULL, NULL, &tsi, &tsr, &ts));
	connection_free(c);
}

/* rightsubnet=vhost:/vnet: takes the road warrior's own TSi when the
 * list and virtual_private allow it */
static void test_ts_virtual(void **state)
{
	(void)state;
	const char *const kv[] = { "leftsubnet", "198.51.100.0/24", "rightsubnet", "vhost:%priv,%no", NULL };
	struct connection *c = conn(kv);
	static const char vp[] = "%v4:10.0.0.0/8,%v4:!10.9.0.0/16";
	struct ikev2_ts_list tsi, tsr;
	ts_of_end(local_end(c), NULL, &tsr);
	ip_address lo, hi, peer;
	ttoaddress_num("198.18.0.7", 10, IP_UNSET, &peer);
	ttoaddress_num("10.1.2.3", 8, IP_UNSET, &lo);
	tsi.n = 1;
	tsi.ts[0] = ikev2_ts_range(&lo, &lo, 0, 0, 65535);
	struct child_ts ts;
	char b[SUBNET_BUF];
	assert_null(ts_narrow(c, vp, NULL, &peer, &tsi, &tsr, &ts));
	assert_string_equal(str_subnet(&ts.remote, b), "10.1.2.3/32");
	/* not without virtual_private (%priv), nor excluded, nor a network (vhost:) */
	assert_non_null(ts_narrow(c, NULL, NULL, &peer, &tsi, &tsr, &ts));
	ttoaddress_num("10.9.0.1", 8, IP_UNSET, &lo);
	tsi.ts[0] = ikev2_ts_range(&lo, &lo, 0, 0, 65535);
	assert_non_null(ts_narrow(c, vp, NULL, &peer, &tsi, &tsr, &ts));
	ttoaddress_num("10.1.2.0", 8, IP_UNSET, &lo);
	ttoaddress_num("10.1.2.255", 10, IP_UNSET, &hi);
	tsi.ts[0] = ikev2_ts_range(&lo, &hi, 0, 0, 65535);
	assert_non_null(ts_narrow(c, vp, NULL, &peer, &tsi, &tsr, &ts));
	/* %no: the peer's own address */
	tsi.ts[0] = ikev2_ts_range(&peer, &peer, 0, 0, 65535);
	assert_null(ts_narrow(c, vp, NULL, &peer, &tsi, &tsr, &ts));
	assert_string_equal(str_subnet(&ts.remote, b), "198.18.0.7/32");
	connection_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ike_defaults_match_themselves),
		cmocka_unit_test(test_ike_configured_and_mismatch),
		cmocka_unit_test(test_unknown_attribute_not_chosen),
		cmocka_unit_test(test_child_esp_and_pfs),
		cmocka_unit_test(test_ts_narrowing),
		cmocka_unit_test(test_ts_protoport),
		cmocka_unit_test(test_ts_virtual),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
