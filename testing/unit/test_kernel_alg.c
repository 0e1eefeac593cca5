/* Unit tests: IKEv2 algorithm -> kernel crypto name mapping, key sizes,
 * and the SA/policy request checks every backend shares. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kernel/kernel.h"

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (!(cond)) {                               \
			print_error(__VA_ARGS__);            \
			print_error("\n");                   \
			fail_msg("check failed: %s", #cond); \
		}                                            \
	} while (0)

static const struct alg_desc *encr(const char *n)
{
	const struct alg_desc *a = alg_by_name(ALG_ENCRYPT, n, strlen(n));
	assert_non_null(a);
	return a;
}

static const struct alg_desc *integ(const char *n)
{
	const struct alg_desc *a = alg_by_name(ALG_INTEG, n, strlen(n));
	assert_non_null(a);
	return a;
}

static ip_address addr(const char *s)
{
	ip_address a;
	assert_null(ttoaddress_num(s, strlen(s), IP_UNSET, &a));
	return a;
}

static ip_subnet subnet(const char *s)
{
	ip_subnet n;
	assert_null(ttosubnet(s, strlen(s), IP_UNSET, &n, NULL));
	return n;
}

/* Every algorithm ESP or AH may use has a kernel name, with the table's ICV. */
static void test_every_esp_alg_mapped(void **state)
{
	(void)state;
	for (size_t i = 0; i < alg_table_len; i++) {
		const struct alg_desc *a = &alg_table[i];
		if (!(a->usable & (ALG_ESP | ALG_AH)))
			continue;
		if (a->type != ALG_ENCRYPT && a->type != ALG_INTEG)
			continue;
		if (a->type == ALG_INTEG && a->ikev2_id == 0)
			continue;   /* "null": no integrity at all */
		const struct kernel_alg *ka = kernel_alg_find(a);
		CHECK(ka != NULL, "%s (id %u) has no kernel mapping", a->name, a->ikev2_id);
		if (a->type == ALG_INTEG || a->aead)
			CHECK(ka->icv_bits == a->icv_octets * 8, "%s: icv %u bits, alg table says %u octets",
			      a->name, ka->icv_bits, a->icv_octets);
		CHECK((ka->kind == KERNEL_ALG_AEAD) == a->aead, "%s: AEAD mismatch", a->name);
	}
	/* and nothing the kernel table lists is unknown to the alg table */
	for (size_t i = 0; i < kernel_alg_table_len; i++)
		CHECK(alg_by_ikev2_id(kernel_alg_table[i].type, kernel_alg_table[i].ikev2_id) != NULL,
		      "kernel table id %u unknown", kernel_alg_table[i].ikev2_id);
	assert_null(kernel_alg_find(NULL));
	assert_null(kernel_alg_find(alg_by_name(ALG_DH, "modp2048", 8)));
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		enum alg_type type;
		const char *name;
		const char *kernel;
		enum kernel_alg_kind kind;
		unsigned icv_bits;
		unsigned salt;
	} want[] = {
		{ ALG_ENCRYPT, "aes", "cbc(aes)", KERNEL_ALG_CRYPT, 0, 0 },
		{ ALG_ENCRYPT, "3des", "cbc(des3_ede)", KERNEL_ALG_CRYPT, 0, 0 },
		{ ALG_ENCRYPT, "aes_ctr", "rfc3686(ctr(aes))", KERNEL_ALG_CRYPT, 0, 4 },
		{ ALG_ENCRYPT, "null", "ecb(cipher_null)", KERNEL_ALG_CRYPT, 0, 0 },
		{ ALG_ENCRYPT, "aes_gcm16", "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 128, 4 },
		{ ALG_ENCRYPT, "aes_gcm12", "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 96, 4 },
		{ ALG_ENCRYPT, "aes_gcm8", "rfc4106(gcm(aes))", KERNEL_ALG_AEAD, 64, 4 },
		{ ALG_ENCRYPT, "aes_ccm16", "rfc4309(ccm(aes))", KERNEL_ALG_AEAD, 128, 3 },
		{ ALG_ENCRYPT, "aes_ccm8", "rfc4309(ccm(aes))", KERNEL_ALG_AEAD, 64, 3 },
		{ ALG_INTEG, "md5", "hmac(md5)", KERNEL_ALG_AUTH, 96, 0 },
		{ ALG_INTEG, "sha1", "hmac(sha1)", KERNEL_ALG_AUTH, 96, 0 },
		{ ALG_INTEG, "sha2_256", "hmac(sha256)", KERNEL_ALG_AUTH, 128, 0 },
		{ ALG_INTEG, "sha2_384", "hmac(sha384)", KERNEL_ALG_AUTH, 192, 0 },
		{ ALG_INTEG, "sha2_512", "hmac(sha512)", KERNEL_ALG_AUTH, 256, 0 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct alg_desc *a = alg_by_name(want[i].type, want[i].name, strlen(want[i].name));
		assert_non_null(a);
		const struct kernel_alg *ka = kernel_alg_find(a);
		assert_non_null(ka);
		CHECK(strcmp(ka->kernel_name, want[i].kernel) == 0, "%s -> %s", want[i].name, ka->kernel_name);
		CHECK(ka->kind == want[i].kind, "%s kind", want[i].name);
		CHECK(ka->icv_bits == want[i].icv_bits, "%s icv %u", want[i].name, ka->icv_bits);
		CHECK(ka->salt_octets == want[i].salt, "%s salt %u", want[i].name, ka->salt_octets);
	}
}

static void test_key_sizes(void **state)
{
	(void)state;
	const struct kernel_alg *aes = kernel_alg_find(encr("aes"));
	assert_true(kernel_alg_key_ok(aes, 16) && kernel_alg_key_ok(aes, 24) && kernel_alg_key_ok(aes, 32));
	assert_false(kernel_alg_key_ok(aes, 20) || kernel_alg_key_ok(aes, 0) || kernel_alg_key_ok(aes, 36));
	const struct kernel_alg *gcm = kernel_alg_find(encr("aes_gcm16"));
	assert_true(kernel_alg_key_ok(gcm, 20) && kernel_alg_key_ok(gcm, 36));
	assert_false(kernel_alg_key_ok(gcm, 16) || kernel_alg_key_ok(gcm, 32));
	const struct kernel_alg *ccm = kernel_alg_find(encr("aes_ccm16"));
	assert_true(kernel_alg_key_ok(ccm, 19) && kernel_alg_key_ok(ccm, 35));
	assert_false(kernel_alg_key_ok(ccm, 20));
	assert_true(kernel_alg_key_ok(kernel_alg_find(encr("3des")), 24));
	assert_true(kernel_alg_key_ok(kernel_alg_find(encr("null")), 0));
	assert_false(kernel_alg_key_ok(kernel_alg_find(encr("null")), 16));
	assert_true(kernel_alg_key_ok(kernel_alg_find(integ("sha2_256")), 32));
	assert_false(kernel_alg_key_ok(kernel_alg_find(integ("sha2_256")), 20));
	assert_true(kernel_alg_key_ok(kernel_alg_find(integ("sha1")), 20));
	assert_true(kernel_alg_key_ok(kernel_alg_find(integ("sha2_512")), 64));
}

static uint8_t key[64];

static struct kernel_sa good_sa(void)
{
	struct kernel_sa sa = {
		.src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
		.proto = KERNEL_PROTO_ESP, .spi = 0x12345678, .reqid = 7, .mode = KERNEL_MODE_TUNNEL,
		.encr = encr("aes"), .encr_key = chunk_from(key, 16),
		.integ = integ("sha2_256"), .integ_key = chunk_from(key, 32),
		.replay_window = 32,
	};
	return sa;
}

static void expect_bad(const struct kernel_sa *sa, const char *needle)
{
	struct kernel_diag d = { 0 };
	err_t e = kernel_sa_check(sa, &d);
	CHECK(e != NULL, "accepted, wanted '%s'", needle);
	CHECK(strstr(e, needle) != NULL, "'%s' lacks '%s'", e, needle);
	CHECK(d.error == EINVAL, "error %d", d.error);
	CHECK(strstr(e, "ESP SA 0x") != NULL || strstr(e, "AH SA 0x") != NULL ||
	      strstr(e, "SA 0x") != NULL, "'%s' does not name the SA", e);
}

static void test_sa_check(void **state)
{
	(void)state;
	struct kernel_diag d = { 0 };
	struct kernel_sa sa = good_sa();
	assert_null(kernel_sa_check(&sa, &d));

	sa = good_sa(); sa.encr_key.len = 20;
	expect_bad(&sa, "aes key is 20 bytes, cbc(aes) wants 16/24/32");
	sa = good_sa(); sa.integ_key.len = 20;
	expect_bad(&sa, "hmac(sha256) wants 32");
	sa = good_sa(); sa.spi = 255;
	expect_bad(&sa, "reserved");
	sa = good_sa(); sa.proto = 17;
	expect_bad(&sa, "neither ESP nor AH");
	sa = good_sa(); sa.dst = addr("2001:db8::1");
	expect_bad(&sa, "families differ");
	sa = good_sa(); sa.encr = NULL;
	expect_bad(&sa, "needs an encryption algorithm");
	sa = good_sa(); sa.encr = encr("aes_gcm16"); sa.encr_key.len = 36;
	expect_bad(&sa, "AEAD");
	sa.integ = NULL;
	assert_null(kernel_sa_check(&sa, &d));
	sa.integ = integ("null");   /* "aes_gcm16_256-null" */
	assert_null(kernel_sa_check(&sa, &d));
	sa = good_sa(); sa.encr = encr("null"); sa.encr_key.len = 0; sa.integ = NULL;
	expect_bad(&sa, "null encryption needs integrity");
	sa = good_sa(); sa.proto = KERNEL_PROTO_AH;
	expect_bad(&sa, "AH has no encryption");
	sa.encr = NULL; sa.encr_key = EMPTY_CHUNK;
	assert_null(kernel_sa_check(&sa, &d));
	sa.integ = NULL;
	expect_bad(&sa, "AH needs an integrity");
	sa = good_sa(); sa.replay_window = KERNEL_REPLAY_WINDOW_MAX + 1;
	expect_bad(&sa, "replay window");
	sa = good_sa(); sa.esn = true; sa.replay_window = 0;
	expect_bad(&sa, "ESN needs a replay window");
	sa.replay_window = 64;
	assert_null(kernel_sa_check(&sa, &d));
	sa = good_sa(); sa.encap.enabled = true; sa.encap.sport = 4500;
	expect_bad(&sa, "both ports");
	sa = good_sa(); sa.life.soft_seconds = 100; sa.life.hard_seconds = 50;
	expect_bad(&sa, "soft lifetime");
	sa = good_sa(); sa.sel.src = subnet("198.51.100.0/24");
	expect_bad(&sa, "selector");
	sa.sel.dst = subnet("2001:db8::/32");
	expect_bad(&sa, "mixes IPv4 and IPv6");
	sa.sel.dst = subnet("203.0.113.0/24");
	assert_null(kernel_sa_check(&sa, &d));
	sa.sel.dport = 80;
	expect_bad(&sa, "port but no protocol");
	sa = good_sa(); sa.encr = integ("sha1");
	expect_bad(&sa, "no kernel equivalent");
}

static void test_policy_check(void **state)
{
	(void)state;
	struct kernel_diag d = { 0 };
	struct kernel_policy p = {
		.sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("203.0.113.0/24") },
		.dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_IPSEC, .priority = 100,
		.tmpl = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"), .proto = KERNEL_PROTO_ESP,
			  .mode = KERNEL_MODE_TUNNEL, .reqid = 7 },
	};
	assert_null(kernel_policy_check(&p, &d));
	p.action = KERNEL_ACTION_TRAP;
	assert_null(kernel_policy_check(&p, &d));
	p.dir = KERNEL_DIR_IN;
	assert_non_null(kernel_policy_check(&p, &d));
	assert_non_null(strstr(d.text, "bad in policy 198.51.100.0/24->203.0.113.0/24: a trap policy is outbound"));
	p.dir = KERNEL_DIR_FWD;
	p.action = KERNEL_ACTION_IPSEC;
	p.tmpl.dst = addr("::1");
	assert_non_null(kernel_policy_check(&p, &d));
	p.action = KERNEL_ACTION_DROP;   /* no template needed */
	assert_null(kernel_policy_check(&p, &d));
	p.sel.dst.addr.family = IP_UNSET;
	assert_non_null(kernel_policy_check(&p, &d));
	p.sel.dst = subnet("203.0.113.0/24");
	p.action = KERNEL_ACTION_IPSEC;
	p.tmpl.mode = KERNEL_MODE_TRANSPORT;   /* transport: endpoints optional */
	p.tmpl.src.family = p.tmpl.dst.family = IP_UNSET;
	assert_null(kernel_policy_check(&p, &d));
	p.tmpl.proto = 0;
	assert_non_null(kernel_policy_check(&p, &d));
}

static void test_text(void **state)
{
	(void)state;
	char b[KERNEL_POLICY_BUF];
	struct kernel_sa_id id = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
				   .proto = KERNEL_PROTO_ESP, .spi = 0x12345678 };
	assert_string_equal(str_kernel_sa_id(&id, b), "ESP SA 0x12345678 198.18.0.1->198.18.0.2");
	struct kernel_policy p = {
		.sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("203.0.113.0/24"), .proto = 6, .dport = 80 },
		.dir = KERNEL_DIR_FWD,
	};
	assert_string_equal(str_kernel_policy(&p, b),
			    "fwd policy 198.51.100.0/24->203.0.113.0/24 proto 6 sport 0 dport 80");
	assert_string_equal(kernel_action_name(KERNEL_ACTION_TRAP), "trap");
	assert_string_equal(kernel_proto_name(KERNEL_PROTO_AH), "AH");
	assert_ptr_equal(kernel_ops_by_name("xfrm"), &kernel_xfrm_ops);
	assert_ptr_equal(kernel_ops_by_name("none"), &kernel_none_ops);
	assert_null(kernel_ops_by_name("klips"));
	assert_null(kernel_ops_by_name(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_esp_alg_mapped),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_key_sizes),
		cmocka_unit_test(test_sa_check),
		cmocka_unit_test(test_policy_check),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
