/* Unit tests: the XFRM backend.
 *
 * Always: every netlink request the backend builds is parsed back (length,
 * fixed header, each attribute, nothing left over), and the parsers of
 * what the kernel sends (ACK/extended ACK, ACQUIRE, EXPIRE, GETSA answer)
 * are fed messages built here.
 *
 * In a network namespace only: when CYGNET_XFRM_NS names the namespace
 * this process is already inside (testing/pluto/kernel-xfrm.sh runs
 * `ip netns exec NS env CYGNET_XFRM_NS=NS test_kernel_xfrm`), the tests
 * also talk to the kernel: policies in all three directions, SPIs,
 * ESP SAs (refused with a clear message where the kernel has no ESP, and
 * nothing left behind), ACQUIRE and EXPIRE events, and shutdown.
 * Otherwise those tests are skipped.
 *
 * `test_kernel_xfrm --phase NAME` (in the namespace) does one step for
 * the script, which then checks the kernel with `ip -n NS xfrm ...`:
 *   policies-add      add out/in/fwd ipsec policies, a pass and a drop
 *   policies-replace  change their priorities and actions
 *   policies-delete   delete them
 *   shutdown          install policies and an SPI, then kernel_close()
 *   esp               allocate an SPI and add an inbound+outbound ESP SA
 *                     pair; prints "esp: installed" or "esp: unsupported"
 * The first three exit without kernel_close() so the policies stay. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/udp.h>
#include <libmnl/libmnl.h>
#include "kernel/kernel.h"
#include "kernel/kernel_xfrm_msg.h"

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (!(cond)) {                               \
			print_error(__VA_ARGS__);            \
			print_error("\n");                   \
			fail_msg("check failed: %s", #cond); \
		}                                            \
	} while (0)

static struct logger lg = { "xfrm-test: ", -1 };
static const uint8_t key[64] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
	0x02, 0x13, 0x24, 0x35, 0x46, 0x57, 0x68, 0x79, 0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0, 0xf1,
	0x03, 0x14, 0x25, 0x36, 0x47, 0x58, 0x69, 0x7a, 0x8b, 0x9c, 0xad, 0xbe, 0xcf, 0xd0, 0xe1, 0xf2,
};

static ip_address addr(const char *s)
{
	ip_address a;
	if (ttoaddress_num(s, strlen(s), IP_UNSET, &a) != NULL)
		abort();
	return a;
}

static ip_subnet subnet(const char *s)
{
	ip_subnet n;
	if (ttosubnet(s, strlen(s), IP_UNSET, &n, NULL) != NULL)
		abort();
	return n;
}

static const struct alg_desc *alg(enum alg_type t, const char *n)
{
	return alg_by_name(t, n, strlen(n));
}

static struct kernel_sa cbc_sa(const char *src, const char *dst, uint32_t spi)
{
	struct kernel_sa sa = {
		.src = addr(src), .dst = addr(dst), .proto = KERNEL_PROTO_ESP, .spi = spi, .reqid = 4242,
		.mode = KERNEL_MODE_TUNNEL,
		.encr = alg(ALG_ENCRYPT, "aes"), .encr_key = chunk_from(key, 16),
		.integ = alg(ALG_INTEG, "sha2_256"), .integ_key = chunk_from(key, 32),
		.replay_window = 32,
		.life = { .soft_seconds = 2700, .hard_seconds = 3600, .hard_bytes = 1u << 30 },
	};
	return sa;
}

/* ---- parsing what was built ----------------------------------------------- */

union msgbuf {
	struct nlmsghdr h;
	char b[XFRM_MSG_BUF];
};

struct attrs {
	const struct nlattr *tb[XFRMA_MAX + 1];
	int count[XFRMA_MAX + 1];
	size_t bytes;
	int total;
};

static int collect(const struct nlattr *a, void *data)
{
	struct attrs *x = data;
	uint16_t t = mnl_attr_get_type(a);
	if (t <= XFRMA_MAX) {
		x->tb[t] = a;
		x->count[t]++;
	}
	x->bytes += MNL_ALIGN(a->nla_len);
	x->total++;
	return MNL_CB_OK;
}

/* Framing: the fixed part and every attribute add up to nlmsg_len. */
static void parse_built(const struct nlmsghdr *nlh, uint16_t type, size_t fixed, struct attrs *x)
{
	memset(x, 0, sizeof(*x));
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_true(mnl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
	assert_true(nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + MNL_ALIGN(fixed));
	assert_true(mnl_attr_parse(nlh, (unsigned)fixed, collect, x) >= 0);
	CHECK(MNL_NLMSG_HDRLEN + MNL_ALIGN(fixed) + x->bytes == nlh->nlmsg_len,
	      "hdr %zu + fixed %zu + attrs %zu != nlmsg_len %u", (size_t)MNL_NLMSG_HDRLEN, (size_t)MNL_ALIGN(fixed), x->bytes,
	      nlh->nlmsg_len);
	for (int t = 0; t <= XFRMA_MAX; t++)
		CHECK(x->count[t] <= 1, "attribute %d appears %d times", t, x->count[t]);
}

static void check_addr(const xfrm_address_t *x, const char *want, uint16_t family)
{
	ip_address a = xfrm_addr_to(x, family);
	char b[ADDRESS_BUF];
	assert_string_equal(str_address(&a, b), want);
}

static void test_build_sa_cbc(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct kernel_sa sa = cbc_sa("198.18.0.1", "198.18.0.2", 0x12345678);
	struct nlmsghdr *nlh = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, &d);
	struct attrs x;
	parse_built(nlh, XFRM_MSG_NEWSA, sizeof(struct xfrm_usersa_info), &x);

	struct xfrm_usersa_info info;
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	assert_int_equal(ntohl(info.id.spi), 0x12345678);
	assert_int_equal(info.id.proto, IPPROTO_ESP);
	assert_int_equal(info.family, AF_INET);
	check_addr(&info.id.daddr, "198.18.0.2", AF_INET);
	check_addr(&info.saddr, "198.18.0.1", AF_INET);
	assert_int_equal(info.mode, XFRM_MODE_TUNNEL);
	assert_int_equal(info.reqid, 4242);
	assert_int_equal(info.replay_window, 32);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.sel.family, AF_UNSPEC);   /* any */
	assert_int_equal(info.lft.soft_add_expires_seconds, 2700);
	assert_int_equal(info.lft.hard_add_expires_seconds, 3600);
	assert_true(info.lft.hard_byte_limit == (1u << 30));
	assert_true(info.lft.soft_byte_limit == XFRM_INF);
	assert_true(info.lft.hard_packet_limit == XFRM_INF);

	assert_int_equal(x.total, 2);
	assert_non_null(x.tb[XFRMA_ALG_CRYPT]);
	assert_non_null(x.tb[XFRMA_ALG_AUTH_TRUNC]);
	assert_null(x.tb[XFRMA_ALG_AEAD]);
	assert_null(x.tb[XFRMA_ALG_AUTH]);

	const struct nlattr *c = x.tb[XFRMA_ALG_CRYPT];
	assert_int_equal(mnl_attr_get_payload_len(c), sizeof(struct xfrm_algo) + 16);
	struct xfrm_algo ca;
	memcpy(&ca, mnl_attr_get_payload(c), sizeof(ca));
	assert_string_equal(ca.alg_name, "cbc(aes)");
	assert_int_equal(ca.alg_key_len, 128);
	assert_memory_equal((const uint8_t *)mnl_attr_get_payload(c) + sizeof(ca), key, 16);

	const struct nlattr *a = x.tb[XFRMA_ALG_AUTH_TRUNC];
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(struct xfrm_algo_auth) + 32);
	struct xfrm_algo_auth aa;
	memcpy(&aa, mnl_attr_get_payload(a), sizeof(aa));
	assert_string_equal(aa.alg_name, "hmac(sha256)");
	assert_int_equal(aa.alg_key_len, 256);
	assert_int_equal(aa.alg_trunc_len, 128);
	assert_memory_equal((const uint8_t *)mnl_attr_get_payload(a) + sizeof(aa), key, 32);
}

static void test_build_sa_gcm_esn_encap(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct kernel_sa sa = cbc_sa("198.18.0.2", "198.18.0.1", 0xc0ffee01);
	sa.encr = alg(ALG_ENCRYPT, "aes_gcm16");
	sa.encr_key = chunk_from(key, 36);
	sa.integ = alg(ALG_INTEG, "null");
	sa.esn = true;
	sa.replay_window = 128;
	sa.encap = (struct kernel_encap){ true, 4500, 4501 };
	sa.mode = KERNEL_MODE_TRANSPORT;
	sa.sel.src = subnet("198.18.0.2/32");
	sa.sel.dst = subnet("198.18.0.1/32");
	sa.sel.proto = 17;
	sa.sel.dport = 1701;
	assert_null(kernel_sa_check(&sa, &d));
	struct nlmsghdr *nlh = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_UPDSA, &sa, &d);
	struct attrs x;
	parse_built(nlh, XFRM_MSG_UPDSA, sizeof(struct xfrm_usersa_info), &x);

	struct xfrm_usersa_info info;
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	assert_int_equal(info.mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(info.flags & XFRM_STATE_ESN, XFRM_STATE_ESN);
	assert_int_equal(info.replay_window, 0);   /* the kernel wants it 0 with ESN_VAL */
	assert_int_equal(info.sel.family, AF_INET);
	assert_int_equal(info.sel.prefixlen_s, 32);
	assert_int_equal(info.sel.proto, 17);
	assert_int_equal(ntohs(info.sel.dport), 1701);
	assert_int_equal(info.sel.dport_mask, 0xffff);
	assert_int_equal(info.sel.sport_mask, 0);

	assert_int_equal(x.total, 3);
	assert_null(x.tb[XFRMA_ALG_CRYPT]);
	assert_null(x.tb[XFRMA_ALG_AUTH_TRUNC]);
	const struct nlattr *g = x.tb[XFRMA_ALG_AEAD];
	assert_non_null(g);
	assert_int_equal(mnl_attr_get_payload_len(g), sizeof(struct xfrm_algo_aead) + 36);
	struct xfrm_algo_aead ga;
	memcpy(&ga, mnl_attr_get_payload(g), sizeof(ga));
	assert_string_equal(ga.alg_name, "rfc4106(gcm(aes))");
	assert_int_equal(ga.alg_key_len, 288);
	assert_int_equal(ga.alg_icv_len, 128);

	const struct nlattr *e = x.tb[XFRMA_ENCAP];
	assert_non_null(e);
	assert_int_equal(mnl_attr_get_payload_len(e), sizeof(struct xfrm_encap_tmpl));
	struct xfrm_encap_tmpl et;
	memcpy(&et, mnl_attr_get_payload(e), sizeof(et));
	assert_int_equal(et.encap_type, UDP_ENCAP_ESPINUDP);
	assert_int_equal(ntohs(et.encap_sport), 4500);
	assert_int_equal(ntohs(et.encap_dport), 4501);

	const struct nlattr *r = x.tb[XFRMA_REPLAY_ESN_VAL];
	assert_non_null(r);
	struct xfrm_replay_state_esn rs;
	memcpy(&rs, mnl_attr_get_payload(r), sizeof(rs));
	assert_int_equal(rs.replay_window, 128);
	assert_int_equal(rs.bmp_len, 4);
	assert_int_equal(mnl_attr_get_payload_len(r), sizeof(rs) + 4 * sizeof(uint32_t));
}

static void test_build_sa_other(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct attrs x;
	/* AH: integrity only */
	struct kernel_sa ah = cbc_sa("2001:db8::1", "2001:db8::2", 0x1000);
	ah.proto = KERNEL_PROTO_AH;
	ah.encr = NULL;
	ah.encr_key = EMPTY_CHUNK;
	ah.integ = alg(ALG_INTEG, "sha2_512");
	ah.integ_key = chunk_from(key, 64);
	ah.replay_window = 64;   /* over 32 without ESN: the ESN attribute carries it */
	assert_null(kernel_sa_check(&ah, &d));
	struct nlmsghdr *nlh = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_NEWSA, &ah, &d);
	parse_built(nlh, XFRM_MSG_NEWSA, sizeof(struct xfrm_usersa_info), &x);
	struct xfrm_usersa_info info;
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	assert_int_equal(info.family, AF_INET6);
	assert_int_equal(info.id.proto, IPPROTO_AH);
	check_addr(&info.id.daddr, "2001:db8::2", AF_INET6);
	assert_int_equal(info.flags & XFRM_STATE_ESN, 0);
	assert_int_equal(info.replay_window, 0);
	assert_int_equal(x.total, 2);
	assert_non_null(x.tb[XFRMA_REPLAY_ESN_VAL]);
	struct xfrm_algo_auth aa;
	memcpy(&aa, mnl_attr_get_payload(x.tb[XFRMA_ALG_AUTH_TRUNC]), sizeof(aa));
	assert_string_equal(aa.alg_name, "hmac(sha512)");
	assert_int_equal(aa.alg_trunc_len, 256);

	/* 3DES + SHA1, null cipher + MD5 */
	struct kernel_sa s = cbc_sa("198.18.0.1", "198.18.0.2", 0x2000);
	s.encr = alg(ALG_ENCRYPT, "3des");
	s.encr_key = chunk_from(key, 24);
	s.integ = alg(ALG_INTEG, "sha1");
	s.integ_key = chunk_from(key, 20);
	nlh = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_NEWSA, &s, &d);
	parse_built(nlh, XFRM_MSG_NEWSA, sizeof(struct xfrm_usersa_info), &x);
	struct xfrm_algo ca;
	memcpy(&ca, mnl_attr_get_payload(x.tb[XFRMA_ALG_CRYPT]), sizeof(ca));
	assert_string_equal(ca.alg_name, "cbc(des3_ede)");
	assert_int_equal(ca.alg_key_len, 192);
	memcpy(&aa, mnl_attr_get_payload(x.tb[XFRMA_ALG_AUTH_TRUNC]), sizeof(aa));
	assert_int_equal(aa.alg_trunc_len, 96);
	s.encr = alg(ALG_ENCRYPT, "null");
	s.encr_key = EMPTY_CHUNK;
	nlh = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_NEWSA, &s, &d);
	parse_built(nlh, XFRM_MSG_NEWSA, sizeof(struct xfrm_usersa_info), &x);
	memcpy(&ca, mnl_attr_get_payload(x.tb[XFRMA_ALG_CRYPT]), sizeof(ca));
	assert_string_equal(ca.alg_name, "ecb(cipher_null)");
	assert_int_equal(ca.alg_key_len, 0);
	assert_int_equal(mnl_attr_get_payload_len(x.tb[XFRMA_ALG_CRYPT]), sizeof(struct xfrm_algo));
}

static void test_build_too_small(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct kernel_sa sa = cbc_sa("198.18.0.1", "198.18.0.2", 0x12345678);
	/* every size below what the message needs fails cleanly */
	struct nlmsghdr *full = xfrm_msg_sa(&buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, &d);
	assert_non_null(full);
	size_t need = full->nlmsg_len;
	for (size_t size = 0; size < need; size += 4) {
		union msgbuf small;
		memset(&d, 0, sizeof(d));
		assert_null(xfrm_msg_sa(&small, size, XFRM_MSG_NEWSA, &sa, &d));
		assert_int_equal(d.error, EMSGSIZE);
		assert_non_null(strstr(d.text, "ESP SA 0x12345678"));
	}
	assert_non_null(xfrm_msg_sa(&buf, need, XFRM_MSG_NEWSA, &sa, &d));
	struct kernel_policy p = { .sel = { .src = subnet("10.0.0.0/8"), .dst = subnet("10.1.0.0/16") } };
	assert_null(xfrm_msg_policy(&buf, 16, XFRM_MSG_NEWPOLICY, &p, &d));
	assert_null(xfrm_msg_policy_id(&buf, 20, &p, &d));
	struct kernel_sa_id id = kernel_sa_id_of(&sa);
	assert_null(xfrm_msg_sa_id(&buf, 8, XFRM_MSG_DELSA, &id, &d));
}

static void test_build_ids_and_spi(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct attrs x;
	struct kernel_sa_id id = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
				   .proto = KERNEL_PROTO_ESP, .spi = 0xdeadbeef };
	uint16_t types[2] = { XFRM_MSG_DELSA, XFRM_MSG_GETSA };
	for (int i = 0; i < 2; i++) {
		struct nlmsghdr *nlh = xfrm_msg_sa_id(&buf, sizeof(buf), types[i], &id, &d);
		parse_built(nlh, types[i], sizeof(struct xfrm_usersa_id), &x);
		assert_int_equal(x.total, 0);
		struct xfrm_usersa_id u;
		memcpy(&u, mnl_nlmsg_get_payload(nlh), sizeof(u));
		assert_int_equal(ntohl(u.spi), 0xdeadbeef);
		assert_int_equal(u.proto, IPPROTO_ESP);
		assert_int_equal(u.family, AF_INET);
		check_addr(&u.daddr, "198.18.0.2", AF_INET);
	}
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 99 };
	struct nlmsghdr *nlh = xfrm_msg_allocspi(&buf, sizeof(buf), &req, 0x100, 0xffffffff, &d);
	parse_built(nlh, XFRM_MSG_ALLOCSPI, sizeof(struct xfrm_userspi_info), &x);
	assert_int_equal(x.total, 0);
	struct xfrm_userspi_info s;
	memcpy(&s, mnl_nlmsg_get_payload(nlh), sizeof(s));
	assert_int_equal(s.min, 0x100);
	assert_int_equal(s.max, 0xffffffff);
	assert_int_equal(s.info.reqid, 99);
	assert_int_equal(s.info.id.proto, IPPROTO_ESP);
	assert_int_equal(s.info.mode, XFRM_MODE_TUNNEL);
	check_addr(&s.info.id.daddr, "198.18.0.1", AF_INET);
	check_addr(&s.info.saddr, "198.18.0.2", AF_INET);
}

static void test_build_policies(void **state)
{
	(void)state;
	union msgbuf buf;
	struct kernel_diag d = { 0 };
	struct attrs x;
	struct kernel_policy p = {
		.sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("203.0.113.0/24"), .proto = 6, .sport = 0, .dport = 443 },
		.dir = KERNEL_DIR_FWD, .action = KERNEL_ACTION_IPSEC, .priority = 1234,
		.tmpl = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"), .proto = KERNEL_PROTO_ESP,
			  .mode = KERNEL_MODE_TUNNEL, .reqid = 77 },
	};
	static const struct {
		enum kernel_dir dir;
		enum kernel_action action;
		uint8_t xdir, xaction;
		bool tmpl;
	} cases[] = {
		{ KERNEL_DIR_FWD, KERNEL_ACTION_IPSEC, XFRM_POLICY_FWD, XFRM_POLICY_ALLOW, true },
		{ KERNEL_DIR_IN, KERNEL_ACTION_IPSEC, XFRM_POLICY_IN, XFRM_POLICY_ALLOW, true },
		{ KERNEL_DIR_OUT, KERNEL_ACTION_TRAP, XFRM_POLICY_OUT, XFRM_POLICY_ALLOW, true },
		{ KERNEL_DIR_OUT, KERNEL_ACTION_PASS, XFRM_POLICY_OUT, XFRM_POLICY_ALLOW, false },
		{ KERNEL_DIR_IN, KERNEL_ACTION_DROP, XFRM_POLICY_IN, XFRM_POLICY_BLOCK, false },
		{ KERNEL_DIR_OUT, KERNEL_ACTION_REJECT, XFRM_POLICY_OUT, XFRM_POLICY_BLOCK, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.dir = cases[i].dir;
		p.action = cases[i].action;
		uint16_t type = i % 2 ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY;
		assert_null(kernel_policy_check(&p, &d));
		struct nlmsghdr *nlh = xfrm_msg_policy(&buf, sizeof(buf), type, &p, &d);
		parse_built(nlh, type, sizeof(struct xfrm_userpolicy_info), &x);
		struct xfrm_userpolicy_info u;
		memcpy(&u, mnl_nlmsg_get_payload(nlh), sizeof(u));
		assert_int_equal(u.dir, cases[i].xdir);
		assert_int_equal(u.action, cases[i].xaction);
		assert_int_equal(u.priority, 1234);
		assert_int_equal(u.sel.family, AF_INET);
		check_addr(&u.sel.saddr, "198.51.100.0", AF_INET);
		check_addr(&u.sel.daddr, "203.0.113.0", AF_INET);
		assert_int_equal(u.sel.prefixlen_s, 24);
		assert_int_equal(u.sel.prefixlen_d, 24);
		assert_int_equal(u.sel.proto, 6);
		assert_int_equal(ntohs(u.sel.dport), 443);
		assert_int_equal(u.sel.dport_mask, 0xffff);
		assert_int_equal(u.sel.sport_mask, 0);
		assert_true(u.lft.hard_byte_limit == XFRM_INF);
		assert_int_equal(x.total, cases[i].tmpl ? 1 : 0);
		if (!cases[i].tmpl)
			continue;
		const struct nlattr *t = x.tb[XFRMA_TMPL];
		assert_non_null(t);
		assert_int_equal(mnl_attr_get_payload_len(t), sizeof(struct xfrm_user_tmpl));
		struct xfrm_user_tmpl ut;
		memcpy(&ut, mnl_attr_get_payload(t), sizeof(ut));
		assert_int_equal(ut.reqid, 77);
		assert_int_equal(ut.id.proto, IPPROTO_ESP);
		assert_int_equal(ut.mode, XFRM_MODE_TUNNEL);
		assert_int_equal(ut.family, AF_INET);
		assert_int_equal(ut.optional, 0);
		assert_int_equal(ut.ealgos, 0xffffffffu);
		check_addr(&ut.saddr, "198.18.0.2", AF_INET);
		check_addr(&ut.id.daddr, "198.18.0.1", AF_INET);
	}
	/* delete: selector and direction only */
	p.dir = KERNEL_DIR_IN;
	struct nlmsghdr *nlh = xfrm_msg_policy_id(&buf, sizeof(buf), &p, &d);
	parse_built(nlh, XFRM_MSG_DELPOLICY, sizeof(struct xfrm_userpolicy_id), &x);
	assert_int_equal(x.total, 0);
	struct xfrm_userpolicy_id pid;
	memcpy(&pid, mnl_nlmsg_get_payload(nlh), sizeof(pid));
	assert_int_equal(pid.dir, XFRM_POLICY_IN);
	assert_int_equal(pid.index, 0);
	assert_int_equal(pid.sel.prefixlen_d, 24);

	/* transport mode without endpoints: family from the selector */
	p.dir = KERNEL_DIR_OUT;
	p.action = KERNEL_ACTION_IPSEC;
	p.tmpl.mode = KERNEL_MODE_TRANSPORT;
	p.tmpl.src.family = p.tmpl.dst.family = IP_UNSET;
	nlh = xfrm_msg_policy(&buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, &d);
	parse_built(nlh, XFRM_MSG_NEWPOLICY, sizeof(struct xfrm_userpolicy_info), &x);
	struct xfrm_user_tmpl ut;
	memcpy(&ut, mnl_attr_get_payload(x.tb[XFRMA_TMPL]), sizeof(ut));
	assert_int_equal(ut.family, AF_INET);
	assert_int_equal(ut.mode, XFRM_MODE_TRANSPORT);
}

/* ---- parsing what the kernel sends --------------------------------------- */

static void test_parse_error(void **state)
{
	(void)state;
	union msgbuf buf;
	char extack[128];
	int err = 0;
	/* capped, with an extended ACK message */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EPROTONOSUPPORT;
	e->msg.nlmsg_len = 300;
	e->msg.nlmsg_type = XFRM_MSG_NEWSA;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Requested type not found");
	assert_true(xfrm_parse_error(nlh, &err, extack, sizeof(extack)));
	assert_int_equal(err, EPROTONOSUPPORT);
	assert_string_equal(extack, "Requested type not found");
	/* truncated text buffer */
	char small[8];
	assert_true(xfrm_parse_error(nlh, &err, small, sizeof(small)));
	assert_string_equal(small, "Request");

	/* not capped: the original request (header + 8 bytes) sits in between */
	nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + 8);
	e->error = -EEXIST;
	e->msg.nlmsg_len = MNL_NLMSG_HDRLEN + 8;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "exists");
	assert_true(xfrm_parse_error(nlh, &err, extack, sizeof(extack)));
	assert_int_equal(err, EEXIST);
	assert_string_equal(extack, "exists");

	/* a plain ACK */
	nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	assert_true(xfrm_parse_error(nlh, &err, extack, sizeof(extack)));
	assert_int_equal(err, 0);
	assert_string_equal(extack, "");
	/* too short to hold struct nlmsgerr */
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	assert_false(xfrm_parse_error(nlh, &err, extack, sizeof(extack)));
	/* a claimed original longer than the message: no text, no overread */
	nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 4000;
	assert_true(xfrm_parse_error(nlh, &err, extack, sizeof(extack)));
	assert_int_equal(err, EINVAL);
	assert_string_equal(extack, "");
}

static void test_parse_acquire(void **state)
{
	(void)state;
	union msgbuf buf;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = XFRM_MSG_ACQUIRE;
	struct xfrm_user_acquire *a = mnl_nlmsg_put_extra_header(nlh, sizeof(*a));
	memset(a, 0, sizeof(*a));
	ip_address t_src = addr("198.18.0.1"), t_dst = addr("198.18.0.2");
	xfrm_addr_from(&a->id.daddr, &t_dst);
	xfrm_addr_from(&a->saddr, &t_src);
	a->id.proto = IPPROTO_ESP;
	struct kernel_selector flow = { .src = subnet("198.18.0.1/32"), .dst = subnet("203.0.113.9/32"),
					.proto = 17, .sport = 40000, .dport = 7 };
	xfrm_sel_from(&a->sel, &flow);
	struct kernel_selector psel = { .src = subnet("198.18.0.0/24"), .dst = subnet("203.0.113.0/24") };
	xfrm_sel_from(&a->policy.sel, &psel);
	a->policy.index = 0x1239;
	a->policy.dir = XFRM_POLICY_OUT;
	struct xfrm_user_tmpl t;
	memset(&t, 0, sizeof(t));
	t.reqid = 4243;
	t.family = AF_INET;
	t.id.proto = IPPROTO_ESP;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	uint32_t mark = 0;
	mnl_attr_put(nlh, XFRMA_IF_ID, sizeof(mark), &mark);

	struct kernel_event ev;
	assert_true(xfrm_parse_event(nlh, &ev));
	assert_int_equal(ev.type, KERNEL_EVENT_ACQUIRE);
	assert_int_equal(ev.reqid, 4243);
	assert_int_equal(ev.proto, KERNEL_PROTO_ESP);
	assert_int_equal(ev.policy_index, 0x1239);
	assert_int_equal(ev.policy_dir, KERNEL_DIR_OUT);
	assert_true(kernel_selector_eq(&ev.sel, &flow));
	assert_true(address_eq(&ev.src, &t_src));
	assert_true(address_eq(&ev.dst, &t_dst));

	/* truncated fixed part */
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(*a) - 1;
	assert_false(xfrm_parse_event(nlh, &ev));
	/* no template: reqid 0, still an ACQUIRE */
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*a));
	assert_true(xfrm_parse_event(nlh, &ev));
	assert_int_equal(ev.reqid, 0);
	/* other message types are not events */
	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	assert_false(xfrm_parse_event(nlh, &ev));
}

static void test_parse_expire_and_sa(void **state)
{
	(void)state;
	union msgbuf buf;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = XFRM_MSG_EXPIRE;
	struct xfrm_user_expire *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	memset(e, 0, sizeof(*e));
	ip_address src = addr("2001:db8::1"), dst = addr("2001:db8::2");
	xfrm_addr_from(&e->state.id.daddr, &dst);
	xfrm_addr_from(&e->state.saddr, &src);
	e->state.id.spi = htonl(0xabcdef12);
	e->state.id.proto = IPPROTO_ESP;
	e->state.family = AF_INET6;
	e->state.reqid = 5;
	e->hard = 1;
	struct kernel_event ev;
	assert_true(xfrm_parse_event(nlh, &ev));
	assert_int_equal(ev.type, KERNEL_EVENT_EXPIRE);
	assert_true(ev.hard);
	assert_int_equal(ev.spi, 0xabcdef12);
	assert_int_equal(ev.reqid, 5);
	assert_true(address_eq(&ev.dst, &dst));
	assert_true(address_eq(&ev.src, &src));
	e->hard = 0;
	assert_true(xfrm_parse_event(nlh, &ev));
	assert_false(ev.hard);
	nlh->nlmsg_len -= 4;
	assert_false(xfrm_parse_event(nlh, &ev));

	/* GETSA answer: counters */
	nlh = mnl_nlmsg_put_header(&buf);
	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	struct xfrm_usersa_info *info = mnl_nlmsg_put_extra_header(nlh, sizeof(*info));
	memset(info, 0, sizeof(*info));
	info->curlft.bytes = 252;
	info->curlft.packets = 3;
	info->curlft.add_time = 1700000000;
	info->curlft.use_time = 1700000005;
	info->stats.replay = 1;
	info->stats.integrity_failed = 2;
	struct xfrm_usersa_info got;
	assert_true(xfrm_parse_sa_info(nlh, &got));
	struct kernel_sa_counters c;
	xfrm_sa_info_counters(&got, &c);
	assert_int_equal(c.bytes, 252);
	assert_int_equal(c.packets, 3);
	assert_int_equal(c.add_time, 1700000000);
	assert_int_equal(c.use_time, 1700000005);
	assert_int_equal(c.replay_drops, 1);
	assert_int_equal(c.integrity_failures, 2);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 10;
	assert_false(xfrm_parse_sa_info(nlh, &got));
}

static void test_selector_round_trip(void **state)
{
	(void)state;
	const char *nets[][2] = {
		{ "0.0.0.0/0", "10.0.0.0/8" }, { "198.51.100.7/32", "203.0.113.0/25" },
		{ "2001:db8::/32", "::/0" }, { "2001:db8:1::5/128", "fe80::/10" },
	};
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct kernel_selector s = { .src = subnet(nets[i][0]), .dst = subnet(nets[i][1]),
					     .proto = 6, .sport = 1024, .dport = 22 };
		struct xfrm_selector x;
		xfrm_sel_from(&x, &s);
		struct kernel_selector back;
		xfrm_sel_to(&back, &x);
		assert_true(kernel_selector_eq(&s, &back));
	}
	struct kernel_selector any = { 0 }, back;
	struct xfrm_selector x;
	xfrm_sel_from(&x, &any);
	assert_int_equal(x.family, 0);
	xfrm_sel_to(&back, &x);
	assert_true(kernel_selector_eq(&any, &back));
}

/* ---- against the kernel, inside the test's namespace --------------------- */

static const char *netns;   /* set when CYGNET_XFRM_NS names our namespace */

static bool in_named_netns(const char *name)
{
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL)
		return false;
	char path[300];
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	struct stat a, b;
	if (stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

#define NEED_NETNS()                                                           \
	do {                                                                   \
		if (netns == NULL) {                                           \
			print_message("  (needs CYGNET_XFRM_NS: run by testing/pluto/kernel-xfrm.sh)\n"); \
			skip();                                                \
		}                                                              \
	} while (0)

/* Output of `ip -o xfrm ARGS` (one line per object), in buf. */
static const char *ip_xfrm(const char *args, char *buf, size_t size)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ip -o xfrm %s 2>&1", args);
	FILE *f = popen(cmd, "r");
	size_t n = 0;
	if (f != NULL) {
		n = fread(buf, 1, size - 1, f);
		pclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;
	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char l[1024];
		snprintf(l, sizeof(l), "%.*s", (int)(len < sizeof(l) ? len : sizeof(l) - 1), line);
		if (strstr(l, needle) != NULL)
			n++;
		line += len + (end != NULL);
	}
	return n;
}

static struct kernel *open_xfrm(void)
{
	struct kernel_diag d = { 0 };
	struct kernel *k = kernel_open("xfrm", &lg, &d);
	CHECK(k != NULL, "kernel_open(xfrm): %s", d.text);
	return k;
}

/* The script's fixture: three tunnel policies (out, in, fwd), a pass, a drop. */
static void fixture_policies(struct kernel_policy p[5])
{
	struct kernel_tmpl out_t = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"),
				     .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4242 };
	struct kernel_tmpl in_t = out_t;
	in_t.src = out_t.dst;
	in_t.dst = out_t.src;
	p[0] = (struct kernel_policy){ .sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("203.0.113.0/24") },
				       .dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_IPSEC, .priority = 2000, .tmpl = out_t };
	p[1] = (struct kernel_policy){ .sel = { .src = subnet("203.0.113.0/24"), .dst = subnet("198.51.100.0/24") },
				       .dir = KERNEL_DIR_IN, .action = KERNEL_ACTION_IPSEC, .priority = 2000, .tmpl = in_t };
	p[2] = p[1];
	p[2].dir = KERNEL_DIR_FWD;
	p[3] = (struct kernel_policy){ .sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("198.18.0.0/24") },
				       .dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_PASS, .priority = 100 };
	p[4] = (struct kernel_policy){ .sel = { .src = subnet("198.51.100.0/24"), .dst = subnet("10.0.0.0/8"),
						.proto = 6, .dport = 25 },
				       .dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_DROP, .priority = 100 };
}

static void test_nl_policies(void **state)
{
	(void)state;
	NEED_NETNS();
	struct kernel *k = open_xfrm();
	struct kernel_diag d = { 0 };
	struct kernel_policy p[5];
	fixture_policies(p);
	char out[8192];
	assert_null(kernel_add_policies(k, p, 5, false, &d));
	ip_xfrm("policy", out, sizeof(out));
	CHECK(count_lines(out, "reqid 4242 mode tunnel") == 3, "%s", out);
	CHECK(count_lines(out, "dir out priority 2000") == 1, "%s", out);
	CHECK(count_lines(out, "dir in priority 2000") == 1, "%s", out);
	CHECK(count_lines(out, "dir fwd priority 2000") == 1, "%s", out);
	CHECK(count_lines(out, "dst 10.0.0.0/8 proto tcp dport 25") == 1 &&
	      count_lines(out, "action block") == 1, "%s", out);
	CHECK(count_lines(out, "src 198.51.100.0/24 dst 198.18.0.0/24") == 1, "%s", out);

	/* a duplicate: the kernel's EEXIST, naming the policy */
	assert_non_null(kernel_add_policy(k, &p[1], &d));
	assert_int_equal(d.error, EEXIST);
	CHECK(strstr(d.text, "cannot add in policy 203.0.113.0/24->198.51.100.0/24: File exists") != NULL,
	      "%s", d.text);

	/* replace: priority, and ipsec -> drop */
	p[0].priority = 1500;
	p[2].action = KERNEL_ACTION_DROP;
	assert_null(kernel_replace_policy(k, &p[0], &d));
	assert_null(kernel_replace_policy(k, &p[2], &d));
	ip_xfrm("policy", out, sizeof(out));
	CHECK(count_lines(out, "dir out priority 1500") == 1, "%s", out);
	CHECK(count_lines(out, "dir fwd action block priority 2000") == 1, "%s", out);
	CHECK(count_lines(out, "reqid 4242 mode tunnel") == 2, "%s", out);

	for (int i = 0; i < 5; i++)
		assert_null(kernel_del_policy(k, &p[i], &d));
	ip_xfrm("policy", out, sizeof(out));
	CHECK(out[0] == '\0', "left: %s", out);
	assert_non_null(kernel_del_policy(k, &p[0], &d));
	assert_int_equal(d.error, ENOENT);
	CHECK(strstr(d.text, "cannot delete out policy 198.51.100.0/24->203.0.113.0/24") != NULL &&
	      strstr(d.text, "(no such policy)") != NULL, "%s", d.text);
	kernel_close(k);
}

static void test_nl_shutdown(void **state)
{
	(void)state;
	NEED_NETNS();
	struct kernel *k = open_xfrm();
	struct kernel_diag d = { 0 };
	struct kernel_policy p[5];
	fixture_policies(p);
	assert_null(kernel_add_policies(k, p, 5, false, &d));
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4242 };
	uint32_t spi[2];
	assert_null(kernel_get_spi(k, &req, &spi[0], &d));
	assert_null(kernel_get_spi(k, &req, &spi[1], &d));
	assert_true(spi[0] != spi[1] && spi[0] >= 0x100 && spi[1] >= 0x100);
	char out[8192], want[64];
	ip_xfrm("state", out, sizeof(out));
	for (int i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "spi 0x%08x reqid 4242 mode tunnel", spi[i]);
		CHECK(count_lines(out, want) == 1, "%s not in %s", want, out);
	}
	/* one policy deleted by hand: shutdown must not trip over it */
	assert_null(kernel_del_policy(k, &p[3], &d));
	kernel_close(k);
	CHECK(ip_xfrm("policy", out, sizeof(out))[0] == '\0', "policies left: %s", out);
	CHECK(ip_xfrm("state", out, sizeof(out))[0] == '\0', "states left: %s", out);
}

static bool kernel_has_esp;

static void test_nl_esp(void **state)
{
	(void)state;
	NEED_NETNS();
	struct kernel *k = open_xfrm();
	struct kernel_diag d = { 0 };
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4242 };
	uint32_t spi;
	assert_null(kernel_get_spi(k, &req, &spi, &d));
	struct kernel_sa in = cbc_sa("198.18.0.2", "198.18.0.1", spi);
	struct kernel_sa out = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcafe);
	char text[8192], want[128];
	if (kernel_add_sa_pair(k, &in, &out, &d) != NULL) {
		CHECK(d.error == EPROTONOSUPPORT, "unexpected: %s", d.text);
		snprintf(want, sizeof(want), "cannot add ESP SA 0x%08x 198.18.0.2->198.18.0.1: Protocol not supported", spi);
		CHECK(strstr(d.text, want) != NULL, "%s", d.text);
		CHECK(strstr(d.text, "(this kernel has no ESP: use the UML test harness or --kernel none)") != NULL,
		      "%s", d.text);
		CHECK(strstr(d.text, "released") != NULL, "%s", d.text);
		print_message("  no ESP here, as expected: %s\n", d.text);
		CHECK(ip_xfrm("state", text, sizeof(text))[0] == '\0', "left behind: %s", text);
		/* AH is refused the same way */
		struct kernel_sa ah = out;
		ah.proto = KERNEL_PROTO_AH;
		ah.encr = NULL;
		ah.encr_key = EMPTY_CHUNK;
		assert_non_null(kernel_add_sa(k, &ah, &d));
		CHECK(strstr(d.text, "(this kernel has no AH: use the UML test harness or --kernel none)") != NULL,
		      "%s", d.text);
		kernel_close(k);
		return;
	}
	kernel_has_esp = true;
	ip_xfrm("state", text, sizeof(text));
	snprintf(want, sizeof(want), "spi 0x%08x reqid 4242 mode tunnel", spi);
	CHECK(count_lines(text, want) == 1 && count_lines(text, "spi 0x0badcafe reqid 4242") == 1, "%s", text);
	CHECK(count_lines(text, "cbc(aes)") == 2, "%s", text);
	struct kernel_sa_id oid = kernel_sa_id_of(&out);
	struct kernel_sa_counters c;
	assert_null(kernel_sa_counters(k, &oid, &c, &d));
	assert_int_equal(c.bytes, 0);
	assert_true(c.add_time > 0);
	/* traffic through the outbound SA shows in its counters */
	struct kernel_policy pol = {
		.sel = { .src = subnet("198.18.0.0/24"), .dst = subnet("203.0.113.0/24") },
		.dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_IPSEC, .priority = 100,
		.tmpl = { .src = out.src, .dst = out.dst, .proto = KERNEL_PROTO_ESP,
			  .mode = KERNEL_MODE_TUNNEL, .reqid = out.reqid },
	};
	assert_null(kernel_add_policy(k, &pol, &d));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	inet_pton(AF_INET, "203.0.113.9", &to.sin_addr);
	ssize_t sent = 0;
	for (int i = 0; i < 3; i++)
		sent += sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) == 5;
	close(fd);
	if (sent > 0) {
		assert_null(kernel_sa_counters(k, &oid, &c, &d));
		print_message("  outbound SA after %zd datagrams: %llu bytes, %llu packets\n", sent,
			      (unsigned long long)c.bytes, (unsigned long long)c.packets);
		CHECK(c.packets == (uint64_t)sent && c.bytes > 0, "packets %llu", (unsigned long long)c.packets);
		assert_true(c.use_time > 0);
	} else {
		print_message("  no route to 203.0.113.0/24: counters not exercised\n");
	}
	assert_null(kernel_del_policy(k, &pol, &d));
	/* update: new lifetimes on an installed SA */
	out.life.hard_seconds = 7200;
	assert_null(kernel_update_sa(k, &out, &d));
	/* the pair again: outbound exists -> EEXIST -> the new inbound goes */
	uint32_t spi2;
	assert_null(kernel_get_spi(k, &req, &spi2, &d));
	in.spi = spi2;
	assert_non_null(kernel_add_sa_pair(k, &in, &out, &d));
	assert_int_equal(d.error, EEXIST);
	snprintf(want, sizeof(want), "inbound SA 0x%08x removed again", spi2);
	CHECK(strstr(d.text, want) != NULL, "%s", d.text);
	ip_xfrm("state", text, sizeof(text));
	snprintf(want, sizeof(want), "spi 0x%08x", spi2);
	CHECK(count_lines(text, want) == 0, "%s", text);
	/* GCM, ESN and a wide window too */
	struct kernel_sa g = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcaff);
	g.encr = alg(ALG_ENCRYPT, "aes_gcm16");
	g.encr_key = chunk_from(key, 36);
	g.integ = NULL;
	g.esn = true;
	g.replay_window = 128;
	if (kernel_add_sa(k, &g, &d) != NULL)
		print_message("  GCM SA refused (crypto not loaded?): %s\n", d.text);
	/* outbound ESN SA with the inbound's window; transport mode, any selector */
	struct kernel_sa e0 = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcb00);
	e0.esn = true;
	e0.replay_window = 0;
	assert_non_null(kernel_add_sa(k, &e0, &d));   /* refused before the kernel */
	assert_non_null(strstr(d.text, "ESN needs a replay window"));
	e0.replay_window = 32;
	CHECK(kernel_add_sa(k, &e0, &d) == NULL, "ESN with window 32: %s", d.text);
	struct kernel_sa tr = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcb01);
	tr.mode = KERNEL_MODE_TRANSPORT;
	CHECK(kernel_add_sa(k, &tr, &d) == NULL, "transport: %s", d.text);
	tr.spi = 0x0badcb02;
	tr.sel.src = subnet("198.18.0.1/32");
	tr.sel.dst = subnet("198.18.0.2/32");
	tr.sel.proto = 17;
	tr.sel.dport = 1701;
	CHECK(kernel_add_sa(k, &tr, &d) == NULL, "transport with selector: %s", d.text);
	struct kernel_sa v6 = cbc_sa("2001:db8::1", "2001:db8::2", 0x0badcb03);
	CHECK(kernel_add_sa(k, &v6, &d) == NULL, "IPv6: %s", d.text);
	struct kernel_sa nat = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcb04);
	nat.encap = (struct kernel_encap){ true, 4500, 4500 };
	CHECK(kernel_add_sa(k, &nat, &d) == NULL, "NAT-T: %s", d.text);
	struct kernel_sa ah = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcb05);
	ah.proto = KERNEL_PROTO_AH;
	ah.encr = NULL;
	ah.encr_key = EMPTY_CHUNK;
	if (kernel_add_sa(k, &ah, &d) != NULL)
		print_message("  AH SA refused: %s\n", d.text);
	ip_xfrm("state", text, sizeof(text));
	CHECK(count_lines(text, "mode transport") == 2 && count_lines(text, "encap type espinudp sport 4500 dport 4500") == 1,
	      "%s", text);
	kernel_close(k);
	CHECK(ip_xfrm("state", text, sizeof(text))[0] == '\0', "left behind: %s", text);
}

struct seen {
	int n;
	struct kernel_event last;
	uint32_t want_spi;
	bool got_spi;
};

static void on_event(const struct kernel_event *ev, void *arg)
{
	struct seen *s = arg;
	s->n++;
	s->last = *ev;
	if (ev->type == KERNEL_EVENT_EXPIRE && ev->spi == s->want_spi)
		s->got_spi = true;
}

static bool wait_event(struct kernel *k, struct seen *s, int ms, bool (*done)(const struct seen *))
{
	struct pollfd pfd = { .fd = kernel_event_fd(k), .events = POLLIN };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return done(s);
		if (poll(&pfd, 1, left) > 0)
			kernel_process_events(k, on_event, s);
		if (done(s))
			return true;
	}
}

static bool got_acquire(const struct seen *s)
{
	return s->n > 0 && s->last.type == KERNEL_EVENT_ACQUIRE;
}

static bool got_expire(const struct seen *s)
{
	return s->got_spi;
}

static void test_nl_acquire(void **state)
{
	(void)state;
	NEED_NETNS();
	struct kernel *k = open_xfrm();
	struct kernel_diag d = { 0 };
	struct kernel_policy trap = {
		.sel = { .src = subnet("198.18.0.0/24"), .dst = subnet("203.0.113.0/24") },
		.dir = KERNEL_DIR_OUT, .action = KERNEL_ACTION_TRAP, .priority = 3000,
		.tmpl = { .src = addr("198.18.0.1"), .dst = addr("198.18.0.2"), .proto = KERNEL_PROTO_ESP,
			  .mode = KERNEL_MODE_TUNNEL, .reqid = 4243 },
	};
	assert_null(kernel_add_policy(k, &trap, &d));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(7) };
	inet_pton(AF_INET, "203.0.113.9", &to.sin_addr);
	ssize_t r = sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	int e = errno;
	close(fd);
	if (r < 0 && e == ENETUNREACH) {
		kernel_close(k);
		print_message("  no route to 203.0.113.0/24 in this namespace\n");
		skip();
	}
	struct seen s = { 0 };
	CHECK(wait_event(k, &s, 3000, got_acquire), "no ACQUIRE within 3 s (sendto: %zd %s)", r, strerror(e));
	char b[KERNEL_POLICY_BUF];
	print_message("  ACQUIRE %s reqid %u policy %u\n", str_kernel_selector(&s.last.sel, b), s.last.reqid,
		      s.last.policy_index);
	assert_int_equal(s.last.reqid, 4243);
	assert_int_equal(s.last.proto, KERNEL_PROTO_ESP);
	assert_int_equal(s.last.policy_dir, KERNEL_DIR_OUT);
	assert_true(s.last.policy_index != 0);
	assert_true(address_eq(&s.last.dst, &trap.tmpl.dst));
	assert_true(subnet_contains_address(&trap.sel.dst, &s.last.sel.dst.addr));
	assert_int_equal(s.last.sel.dst.prefix, 32);
	assert_int_equal(s.last.sel.proto, 17);
	assert_int_equal(s.last.sel.dport, 7);
	kernel_close(k);
	char out[4096];
	CHECK(ip_xfrm("policy", out, sizeof(out))[0] == '\0', "left: %s", out);
}

/* An allocated SPI that is never filled expires: the kernel says so. */
static void test_nl_expire(void **state)
{
	(void)state;
	NEED_NETNS();
	const char *knob = "/proc/sys/net/core/xfrm_acq_expires";
	char old[32] = "30";
	FILE *f = fopen(knob, "r");
	if (f == NULL)
		skip();
	if (fgets(old, sizeof(old), f) == NULL)
		snprintf(old, sizeof(old), "30");
	fclose(f);
	f = fopen(knob, "w");
	assert_non_null(f);
	fputs("1", f);
	fclose(f);

	struct kernel *k = open_xfrm();
	struct kernel_diag d = { 0 };
	struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
				      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4244 };
	uint32_t spi;
	assert_null(kernel_get_spi(k, &req, &spi, &d));
	struct seen s = { .want_spi = spi };
	bool ok = wait_event(k, &s, 4000, got_expire);
	f = fopen(knob, "w");
	if (f != NULL) {
		fputs(old, f);
		fclose(f);
	}
	CHECK(ok, "no EXPIRE for SPI 0x%08x within 4 s", spi);
	assert_int_equal(s.last.type, KERNEL_EVENT_EXPIRE);
	assert_true(s.last.hard);
	assert_int_equal(s.last.reqid, 4244);
	print_message("  EXPIRE hard SPI 0x%08x\n", s.last.spi);
	kernel_close(k);
}

/* ---- phases for testing/pluto/kernel-xfrm.sh ------------------------------ */

static int phase(const char *name)
{
	struct kernel_diag d = { 0 };
	struct kernel *k = kernel_open("xfrm", &lg, &d);
	if (k == NULL) {
		fprintf(stderr, "%s\n", d.text);
		return 1;
	}
	struct kernel_policy p[5];
	fixture_policies(p);
	if (strcmp(name, "policies-add") == 0) {
		if (kernel_add_policies(k, p, 5, false, &d) != NULL)
			goto failed;
		_exit(0);   /* leave them for the script to inspect */
	}
	if (strcmp(name, "policies-replace") == 0) {
		for (int i = 0; i < 5; i++)
			p[i].priority += 1;
		p[1].action = KERNEL_ACTION_DROP;   /* in: ipsec -> block */
		p[3].action = KERNEL_ACTION_DROP;   /* pass -> block */
		p[4].action = KERNEL_ACTION_PASS;   /* block -> allow */
		if (kernel_add_policies(k, p, 5, true, &d) != NULL)
			goto failed;
		_exit(0);
	}
	if (strcmp(name, "policies-delete") == 0) {
		for (int i = 0; i < 5; i++)
			if (kernel_del_policy(k, &p[i], &d) != NULL)
				goto failed;
		_exit(0);
	}
	if (strcmp(name, "shutdown") == 0) {
		struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
					      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4242 };
		uint32_t spi;
		if (kernel_add_policies(k, p, 5, false, &d) != NULL ||
		    kernel_get_spi(k, &req, &spi, &d) != NULL)
			goto failed;
		printf("installed 5 policies and SPI 0x%08x; closing\n", spi);
		kernel_close(k);
		return 0;
	}
	if (strcmp(name, "esp") == 0) {
		struct kernel_spi_req req = { .src = addr("198.18.0.2"), .dst = addr("198.18.0.1"),
					      .proto = KERNEL_PROTO_ESP, .mode = KERNEL_MODE_TUNNEL, .reqid = 4242 };
		uint32_t spi;
		if (kernel_get_spi(k, &req, &spi, &d) != NULL)
			goto failed;
		struct kernel_sa in = cbc_sa("198.18.0.2", "198.18.0.1", spi);
		struct kernel_sa out = cbc_sa("198.18.0.1", "198.18.0.2", 0x0badcafe);
		if (kernel_add_sa_pair(k, &in, &out, &d) != NULL) {
			printf("esp: unsupported: %s\n", d.text);
			kernel_close(k);
			return d.error == EPROTONOSUPPORT ? 0 : 1;
		}
		printf("esp: installed 0x%08x 0x0badcafe\n", spi);
		fflush(stdout);
		_exit(0);   /* leave them: the script checks and flushes */
	}
	fprintf(stderr, "unknown phase '%s'\n", name);
	kernel_close(k);
	return 2;
failed:
	fprintf(stderr, "%s: %s\n", name, d.text);
	kernel_close(k);
	return 1;
}

int main(int argc, char **argv)
{
	const char *ns = getenv("CYGNET_XFRM_NS");
	if (in_named_netns(ns))
		netns = ns;
	if (argc == 3 && strcmp(argv[1], "--phase") == 0) {
		if (netns == NULL) {
			fprintf(stderr, "--phase needs CYGNET_XFRM_NS naming the namespace this runs in\n");
			return 2;
		}
		return phase(argv[2]);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_sa_cbc),
		cmocka_unit_test(test_build_sa_gcm_esn_encap),
		cmocka_unit_test(test_build_sa_other),
		cmocka_unit_test(test_build_too_small),
		cmocka_unit_test(test_build_ids_and_spi),
		cmocka_unit_test(test_build_policies),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_parse_acquire),
		cmocka_unit_test(test_parse_expire_and_sa),
		cmocka_unit_test(test_selector_round_trip),
		cmocka_unit_test(test_nl_policies),
		cmocka_unit_test(test_nl_shutdown),
		cmocka_unit_test(test_nl_esp),
		cmocka_unit_test(test_nl_acquire),
		cmocka_unit_test(test_nl_expire),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (netns != NULL)
		printf("kernel ESP: %s\n", kernel_has_esp ? "yes" : "no");
	return failed;
}
