/* The IKEv2 codec (programs/pluto/ikev2): every payload built, split and
 * decoded back; a hand-computed IKE_SA_INIT request compared byte for byte;
 * an IKE_AUTH with SK framing; every truncation and oversized length
 * rejected (run under ASan, buffers exactly sized so that any read past
 * the end is caught); unknown payloads; the legality table.
 *
 * With IKEV2_WRITE_CORPUS=DIR in the environment, the messages built here
 * are also written to DIR (the fuzz seed corpus, testing/fuzz/corpus/ikev2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>
#include "ikev2/ikev2_msg.h"

#define ok(e) do { err_t e_ = (e); if (e_ != NULL) fail_msg("unexpected error: %s", e_); } while (0)
#define bad(e) do { err_t e_ = (e); if (e_ == NULL) fail_msg("accepted what should be rejected"); } while (0)
#define has(text, needle) do { \
	if ((text) == NULL || strstr((text), (needle)) == NULL) \
		fail_msg("expected \"%s\" in \"%s\"", (needle), (text) == NULL ? "(null)" : (text)); \
	} while (0)

static struct ikev2_diag diag;
static struct ikev2_payloads pl;
static uint8_t cbuf[16384];

/* ---- helpers ------------------------------------------------------------ */

static void fill(uint8_t *p, size_t n, uint8_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

static struct ikev2_span span(const void *p, size_t n)
{
	return (struct ikev2_span){ p, n };
}

static ip_address ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	ip_address ip = { .family = IP_V4 };
	ip.bytes[0] = a; ip.bytes[1] = b; ip.bytes[2] = c; ip.bytes[3] = d;
	return ip;
}

static ip_address ip6(uint16_t first, uint16_t last)
{
	ip_address ip = { .family = IP_V6 };
	ip.bytes[0] = (uint8_t)(first >> 8); ip.bytes[1] = (uint8_t)first;
	ip.bytes[14] = (uint8_t)(last >> 8); ip.bytes[15] = (uint8_t)last;
	return ip;
}

static void chain(struct ikev2_builder *b)
{
	ikev2_build_chain_init(b, cbuf, sizeof(cbuf));
}

/* Finishes an inner chain of one payload, splits it, returns the payload. */
static const struct ikev2_payload *only(struct ikev2_builder *b, uint8_t type)
{
	size_t len;
	ok(ikev2_build_finish(b, &len));
	assert_int_equal(ikev2_build_first_type(b), type);
	ok(ikev2_split_chain(ikev2_build_first_type(b), cbuf, len, &pl, &diag));
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.p[0].type, type);
	assert_false(pl.p[0].critical);
	assert_int_equal(pl.p[0].len + 4, len);
	return &pl.p[0];
}

/* A malloc'ed copy exactly n bytes long: ASan reports any read past it. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* ---- the standard messages ------------------------------------------------ */

static uint8_t ke_data[32], nonce_i[16], nonce_r[32];

static struct ikev2_sa ike_sa_offer(void)
{
	struct ikev2_sa sa = { .n_proposals = 1 };
	sa.proposals[0] = (struct ikev2_proposal){
		.number = 1, .protocol = IKEV2_PROTO_IKE, .spi_size = 0, .n_transforms = 4,
		.transforms = {
			{ .type = IKEV2_TRANS_ENCR, .id = IKEV2_ENCR_AES_CBC, .key_length = 256 },
			{ .type = IKEV2_TRANS_PRF, .id = IKEV2_PRF_HMAC_SHA2_256 },
			{ .type = IKEV2_TRANS_INTEG, .id = IKEV2_INTEG_HMAC_SHA2_256_128 },
			{ .type = IKEV2_TRANS_DH, .id = IKEV2_DH_CURVE25519 },
		},
	};
	return sa;
}

static const struct ikev2_header init_hdr = {
	.spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 },
	.exchange = IKEV2_EXCH_IKE_SA_INIT,
	.flags = IKEV2_FLAG_INITIATOR,
	.message_id = 0,
};

/* HDR, SAi1, KEi, Ni, N(IKEV2_FRAGMENTATION_SUPPORTED) */
static size_t build_init_request(uint8_t *buf, size_t cap)
{
	fill(ke_data, sizeof(ke_data), 0xa0);
	fill(nonce_i, sizeof(nonce_i), 0xc0);
	struct ikev2_sa sa = ike_sa_offer();
	struct ikev2_builder b;
	ikev2_build_init(&b, buf, cap, &init_hdr);
	ikev2_build_sa(&b, &sa);
	ikev2_build_ke(&b, &(struct ikev2_ke){ IKEV2_DH_CURVE25519, span(ke_data, sizeof(ke_data)) });
	ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(nonce_i, sizeof(nonce_i)) });
	ikev2_build_notify_simple(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	return len;
}

/* Hand-computed from the RFC 7296 layouts (3.1, 3.2, 3.3, 3.4, 3.9, 3.10). */
static const uint8_t init_request_bytes[] = {
	/* IKE header */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  /* SPIi */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  /* SPIr */
	0x21,                    /* next payload: SA (33) */
	0x20,                    /* version 2.0 */
	0x22,                    /* IKE_SA_INIT (34) */
	0x08,                    /* flags: Initiator */
	0x00, 0x00, 0x00, 0x00,  /* message ID */
	0x00, 0x00, 0x00, 0x90,  /* length 144 */
	/* SA: next KE (34), length 48 */
	0x22, 0x00, 0x00, 0x30,
	/* proposal: last, length 44, #1, IKE, SPI size 0, 4 transforms */
	0x00, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x04,
	/* transform ENCR AES_CBC with Key Length 256 (TV attribute 14) */
	0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x01, 0x00,
	/* PRF HMAC_SHA2_256 */
	0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
	/* INTEG HMAC_SHA2_256_128 */
	0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c,
	/* DH Curve25519, last transform */
	0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x1f,
	/* KE: next Nonce (40), length 40, group 31, reserved, 32 bytes */
	0x28, 0x00, 0x00, 0x28, 0x00, 0x1f, 0x00, 0x00,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	/* Nonce: next N (41), length 20 */
	0x29, 0x00, 0x00, 0x14,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	/* N: last, length 8, protocol 0, SPI size 0, type 16430 */
	0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x2e,
};

/* The inner chain of an IKE_AUTH request. */
static size_t build_auth_inner(uint8_t *buf, size_t cap, uint8_t *first)
{
	static const char fqdn[] = "west.example";
	static uint8_t psk_mac[32];
	fill(psk_mac, sizeof(psk_mac), 0x40);
	struct ikev2_sa sa = { .n_proposals = 1 };
	sa.proposals[0] = (struct ikev2_proposal){
		.number = 1, .protocol = IKEV2_PROTO_ESP, .spi_size = 4, .spi = { 0xde, 0xad, 0xbe, 0xef },
		.n_transforms = 2,
		.transforms = {
			{ .type = IKEV2_TRANS_ENCR, .id = IKEV2_ENCR_AES_GCM_16, .key_length = 256 },
			{ .type = IKEV2_TRANS_ESN, .id = IKEV2_ESN_NO },
		},
	};
	ip_address a = ip4(192, 0, 2, 0), z = ip4(192, 0, 2, 255);
	ip_address c = ip4(198, 51, 100, 0), y = ip4(198, 51, 100, 255);
	struct ikev2_ts_list tsi = { .n = 1, .ts = { ikev2_ts_range(&a, &z, 0, 0, 65535) } };
	struct ikev2_ts_list tsr = { .n = 1, .ts = { ikev2_ts_range(&c, &y, 0, 0, 65535) } };
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, cap);
	ikev2_build_id(&b, IKEV2_PT_IDi, &(struct ikev2_id){ .type = IKEV2_ID_FQDN, .data = span(fqdn, strlen(fqdn)) });
	ikev2_build_notify_simple(&b, IKEV2_N_INITIAL_CONTACT, NULL, 0);
	ikev2_build_auth(&b, &(struct ikev2_auth){ .method = IKEV2_AUTH_PSK, .data = span(psk_mac, sizeof(psk_mac)) });
	ikev2_build_sa(&b, &sa);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &tsi);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &tsr);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	*first = ikev2_build_first_type(&b);
	return len;
}

#define FAKE_IV 16
#define FAKE_ICV 16

/* "Encrypts" (XOR 0x5a, a stand-in for crypto/) the inner chain into an SK
 * payload: IV || ciphertext || ICV. */
static size_t build_auth_request(uint8_t *buf, size_t cap)
{
	uint8_t inner[2048], first;
	size_t ilen = build_auth_inner(inner, sizeof(inner), &first);
	struct ikev2_header h = init_hdr;
	h.spi_r[0] = 0x99;
	h.exchange = IKEV2_EXCH_IKE_AUTH;
	h.message_id = 1;
	struct ikev2_builder b;
	ikev2_build_init(&b, buf, cap, &h);
	uint8_t iv[FAKE_IV], icv[FAKE_ICV];
	fill(iv, sizeof(iv), 0x10);
	memset(icv, 0xee, sizeof(icv));
	ikev2_build_sk_begin(&b, first, FAKE_IV + ilen + FAKE_ICV);
	ikev2_build_sk_append(&b, iv, sizeof(iv));
	for (size_t i = 0; i < ilen; i++) {
		uint8_t c = inner[i] ^ 0x5a;
		ikev2_build_sk_append(&b, &c, 1);
	}
	ikev2_build_sk_append(&b, icv, sizeof(icv));
	ikev2_build_sk_end(&b);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	return len;
}

/* ---- header ---------------------------------------------------------------- */

static void test_header_roundtrip(void **state)
{
	uint8_t buf[64];
	struct ikev2_header h = {
		.spi_i = { 9, 8, 7, 6, 5, 4, 3, 2 }, .spi_r = { 1, 1, 2, 3, 5, 8, 13, 21 },
		.exchange = IKEV2_EXCH_INFORMATIONAL,
		.flags = IKEV2_FLAG_RESPONSE, .message_id = 0x01020304,
	};
	struct ikev2_builder b;
	ikev2_build_init(&b, buf, sizeof(buf), &h);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	assert_int_equal(len, IKEV2_HEADER_SIZE);
	struct ikev2_header out;
	ok(ikev2_decode_message(buf, len, &out, &pl, &diag));
	assert_memory_equal(out.spi_i, h.spi_i, 8);
	assert_memory_equal(out.spi_r, h.spi_r, 8);
	assert_int_equal(out.major, 2);
	assert_int_equal(out.minor, 0);
	assert_int_equal(out.exchange, IKEV2_EXCH_INFORMATIONAL);
	assert_int_equal(out.flags, IKEV2_FLAG_RESPONSE);
	assert_int_equal(out.message_id, 0x01020304);
	assert_int_equal(out.length, 28);
	assert_int_equal(out.next_payload, 0);
	assert_int_equal(pl.n, 0);
}

static void test_header_rules(void **state)
{
	uint8_t msg[200];
	size_t len = build_init_request(msg, sizeof(msg));
	struct ikev2_header h;
	/* shorter than a header: every length */
	for (size_t n = 0; n < IKEV2_HEADER_SIZE; n++) {
		uint8_t *c = exact(msg, n);
		bad(ikev2_decode_header(c, n, &h, &diag));
		assert_int_equal(diag.notify, 0);
		free(c);
	}
	bad(ikev2_decode_header(NULL, 0, &h, &diag));
	/* major 3: INVALID_MAJOR_VERSION; major 1: dropped; minor ignored */
	msg[17] = 0x30;
	has(ikev2_decode_header(msg, len, &h, &diag), "major version 3");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_MAJOR_VERSION);
	msg[17] = 0x10;
	bad(ikev2_decode_header(msg, len, &h, &diag));
	assert_int_equal(diag.notify, 0);
	msg[17] = 0x27;
	ok(ikev2_decode_header(msg, len, &h, &diag));
	assert_int_equal(h.minor, 7);
	msg[17] = 0x20;
	/* unknown flag bits are kept, not rejected */
	msg[19] = 0xff;
	ok(ikev2_decode_header(msg, len, &h, &diag));
	assert_int_equal(h.flags, 0xff);
	msg[19] = 0x08;
	/* length must equal the datagram, both ways */
	has(ikev2_decode_header(msg, len - 1, &h, &diag), "header says the message is 144 bytes but 143");
	has(ikev2_decode_header(msg, len + 1, &h, &diag), "145 were received");
	be32(msg + 24, 0xffffffff);
	bad(ikev2_decode_header(msg, len, &h, &diag));
}

/* ---- byte-exact and whole messages ---------------------------------------- */

static void test_init_request_bytes(void **state)
{
	uint8_t msg[256];
	size_t len = build_init_request(msg, sizeof(msg));
	assert_int_equal(len, sizeof(init_request_bytes));
	assert_memory_equal(msg, init_request_bytes, len);
}

static void test_init_request_decode(void **state)
{
	uint8_t *msg = exact(init_request_bytes, sizeof(init_request_bytes));
	struct ikev2_header h;
	ok(ikev2_decode_message(msg, sizeof(init_request_bytes), &h, &pl, &diag));
	assert_int_equal(h.exchange, IKEV2_EXCH_IKE_SA_INIT);
	assert_int_equal(h.flags, IKEV2_FLAG_INITIATOR);
	assert_int_equal(pl.n, 4);
	assert_int_equal(pl.p[0].type, IKEV2_PT_SA);
	assert_int_equal(pl.p[0].offset, 28);
	assert_int_equal(pl.p[1].type, IKEV2_PT_KE);
	assert_int_equal(pl.p[2].type, IKEV2_PT_NONCE);
	assert_int_equal(pl.p[3].type, IKEV2_PT_N);
	ok(ikev2_check_payloads(h.exchange, false, &pl, NULL, &diag));

	struct ikev2_sa sa, want = ike_sa_offer();
	ok(ikev2_decode_sa(&pl.p[0], &sa, &diag));
	assert_true(ikev2_sa_eq(&sa, &want));
	assert_int_equal(sa.proposals[0].transforms[0].key_length, 256);
	assert_false(sa.proposals[0].transforms[0].unknown_attr);
	struct ikev2_ke ke;
	ok(ikev2_decode_ke(&pl.p[1], &ke, &diag));
	assert_int_equal(ke.group, IKEV2_DH_CURVE25519);
	assert_int_equal(ke.data.len, 32);
	assert_ptr_equal(ke.data.ptr, msg + 28 + 48 + 8);  /* borrowed from the message */
	struct ikev2_nonce n;
	ok(ikev2_decode_nonce(&pl.p[2], &n, &diag));
	assert_int_equal(n.data.len, 16);
	struct ikev2_notify nt;
	ok(ikev2_decode_notify(&pl.p[3], &nt, &diag));
	assert_int_equal(nt.type, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	assert_ptr_equal(ikev2_payloads_find_notify(&pl, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED), &pl.p[3]);
	assert_null(ikev2_payloads_find_notify(&pl, IKEV2_N_COOKIE));
	assert_ptr_equal(ikev2_payloads_find(&pl, IKEV2_PT_KE, 0), &pl.p[1]);
	assert_null(ikev2_payloads_find(&pl, IKEV2_PT_KE, 1));
	assert_int_equal(ikev2_payloads_count(&pl, IKEV2_PT_N), 1);
	/* a decoder given the wrong payload says so */
	has(ikev2_decode_ke(&pl.p[0], &ke, &diag), "SA payload given where KE was expected");
	free(msg);
}

static void test_auth_request_sk(void **state)
{
	uint8_t msg[2048];
	size_t len = build_auth_request(msg, sizeof(msg));
	uint8_t *m = exact(msg, len);
	struct ikev2_header h;
	ok(ikev2_decode_message(m, len, &h, &pl, &diag));
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.p[0].type, IKEV2_PT_SK);
	ok(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, NULL, &diag));
	struct ikev2_sk sk;
	ok(ikev2_decode_sk(&pl.p[0], &sk, &diag));
	assert_int_equal(sk.first_inner, IKEV2_PT_IDi);
	assert_int_equal(sk.body_offset, 32);
	assert_int_equal(sk.body.len, len - 32);
	assert_ptr_equal(sk.body.ptr, m + 32);
	/* "decrypt" */
	size_t ilen = sk.body.len - FAKE_IV - FAKE_ICV;
	uint8_t *inner = malloc(ilen);
	for (size_t i = 0; i < ilen; i++)
		inner[i] = sk.body.ptr[FAKE_IV + i] ^ 0x5a;
	struct ikev2_payloads in;
	ok(ikev2_split_chain(sk.first_inner, inner, ilen, &in, &diag));
	assert_int_equal(in.n, 6);
	ok(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, &in, &diag));
	struct ikev2_id id;
	ok(ikev2_decode_id(&in.p[0], &id, &diag));
	assert_int_equal(id.type, IKEV2_ID_FQDN);
	assert_int_equal(id.data.len, strlen("west.example"));
	assert_memory_equal(id.data.ptr, "west.example", id.data.len);
	struct ikev2_auth auth;
	ok(ikev2_decode_auth(ikev2_payloads_find(&in, IKEV2_PT_AUTH, 0), &auth, &diag));
	assert_int_equal(auth.method, IKEV2_AUTH_PSK);
	struct ikev2_sa sa;
	ok(ikev2_decode_sa(ikev2_payloads_find(&in, IKEV2_PT_SA, 0), &sa, &diag));
	assert_int_equal(sa.proposals[0].spi_size, 4);
	assert_memory_equal(sa.proposals[0].spi, "\xde\xad\xbe\xef", 4);
	struct ikev2_ts_list ts;
	ok(ikev2_decode_ts(ikev2_payloads_find(&in, IKEV2_PT_TSr, 0), &ts, &diag));
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.ts[0].type, IKEV2_TS_IPV4_ADDR_RANGE);
	assert_int_equal(ts.ts[0].start.bytes[0], 198);
	assert_int_equal(ts.ts[0].end.bytes[3], 255);
	assert_int_equal(ts.ts[0].end_port, 65535);
	free(inner);
	free(m);
}

static void test_sk_reserve(void **state)
{
	uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	h.exchange = IKEV2_EXCH_INFORMATIONAL;
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_vendor(&b, &(struct ikev2_vendor){ span("abc", 3) });
	uint8_t *body = ikev2_build_sk(&b, IKEV2_PT_D, 40);
	assert_non_null(body);
	size_t off = ikev2_build_sk_offset(&b);
	assert_int_equal(off, 28 + 7 + 4);
	assert_ptr_equal(body, msg + off);
	/* lengths are final before the caller encrypts: AAD = msg[0, off) */
	assert_int_equal(msg[27], 28 + 7 + 4 + 40);
	assert_int_equal(msg[off - 4], IKEV2_PT_D);        /* SK's next payload */
	assert_int_equal(msg[off - 1], 44);                /* SK's length */
	memset(body, 0x77, 40);
	/* nothing may follow SK */
	ikev2_build_vendor(&b, &(struct ikev2_vendor){ span("x", 1) });
	size_t len;
	has(ikev2_build_finish(&b, &len), "after the encrypted payload");

	ikev2_build_init(&b, msg, sizeof(msg), &h);
	body = ikev2_build_sk(&b, IKEV2_PT_D, 40);
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	struct ikev2_sk sk;
	ok(ikev2_decode_sk(&pl.p[0], &sk, &diag));
	assert_int_equal(sk.first_inner, IKEV2_PT_D);
	assert_int_equal(sk.body.len, 40);

	/* begin/append/end: appending too little or too much is an error */
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk_begin(&b, IKEV2_PT_N, 8);
	ikev2_build_sk_append(&b, "1234", 4);
	has(ikev2_build_finish(&b, &len), "4 of its 8 body bytes");
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk_begin(&b, IKEV2_PT_N, 2);
	ikev2_build_sk_append(&b, "1234", 4);
	has(ikev2_build_finish(&b, &len), "4 bytes appended where 2 remain");
	/* no SK inside an inner chain */
	chain(&b);
	assert_null(ikev2_build_sk(&b, IKEV2_PT_N, 8));
	bad(ikev2_build_finish(&b, &len));
}

static void test_skf(void **state)
{
	uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	h.exchange = IKEV2_EXCH_IKE_AUTH;
	for (uint16_t number = 1; number <= 3; number++) {
		struct ikev2_builder b;
		ikev2_build_init(&b, msg, sizeof(msg), &h);
		uint8_t first = number == 1 ? IKEV2_PT_IDi : 0;
		uint8_t *body = ikev2_build_skf(&b, first, number, 3, 24);
		assert_non_null(body);
		assert_int_equal(ikev2_build_sk_offset(&b), 28 + 4 + 4);
		memset(body, number, 24);
		size_t len;
		ok(ikev2_build_finish(&b, &len));
		uint8_t *m = exact(msg, len);
		struct ikev2_header hh;
		ok(ikev2_decode_message(m, len, &hh, &pl, &diag));
		ok(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, NULL, &diag));
		struct ikev2_skf f;
		ok(ikev2_decode_skf(&pl.p[0], &f, &diag));
		assert_int_equal(f.number, number);
		assert_int_equal(f.total, 3);
		assert_int_equal(f.first_inner, first);
		assert_int_equal(f.body_offset, 36);
		assert_int_equal(f.body.len, 24);
		assert_int_equal(f.body.ptr[0], number);
		free(m);
	}
	/* bad numbering, both ways */
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	assert_null(ikev2_build_skf(&b, 0, 4, 3, 8));
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	assert_null(ikev2_build_skf(&b, IKEV2_PT_IDi, 2, 3, 8));
	uint8_t body[12] = { 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ikev2_payload p = { .type = IKEV2_PT_SKF, .body = body, .len = sizeof(body) };
	struct ikev2_skf f;
	has(ikev2_decode_skf(&p, &f, &diag), "Fragment Number is 0");
	be16(body, 4);
	has(ikev2_decode_skf(&p, &f, &diag), "fragment 4 of 3");
	be16(body, 1); be16(body + 2, 0);
	has(ikev2_decode_skf(&p, &f, &diag), "Total Fragments is 0");
	p.len = 3;
	has(ikev2_decode_skf(&p, &f, &diag), "less than Fragment Number");
}

/* ---- every payload round-trips --------------------------------------------- */

static void test_roundtrip_sa(void **state)
{
	struct ikev2_sa sa = { .n_proposals = 3 };
	for (size_t i = 0; i < 3; i++) {
		struct ikev2_proposal *p = &sa.proposals[i];
		p->number = (uint8_t)(i + 1);
		p->protocol = i == 0 ? IKEV2_PROTO_IKE : IKEV2_PROTO_ESP;
		p->spi_size = i == 0 ? 8 : 4;
		fill(p->spi, p->spi_size, (uint8_t)(0x30 + i));
		p->n_transforms = 3 + i;
		for (size_t t = 0; t < p->n_transforms; t++)
			p->transforms[t] = (struct ikev2_transform){
				.type = (uint8_t)(1 + t % 5), .id = (uint16_t)(t * 7 + i),
				.key_length = t == 0 ? 128 : 0,
			};
	}
	struct ikev2_builder b;
	chain(&b);
	ikev2_build_sa(&b, &sa);
	struct ikev2_sa out;
	ok(ikev2_decode_sa(only(&b, IKEV2_PT_SA), &out, &diag));
	assert_true(ikev2_sa_eq(&sa, &out));
	/* a single answer numbered 2 (the accepted one) is fine */
	struct ikev2_sa one = ike_sa_offer();
	one.proposals[0].number = 2;
	chain(&b);
	ikev2_build_sa(&b, &one);
	ok(ikev2_decode_sa(only(&b, IKEV2_PT_SA), &out, &diag));
	assert_true(ikev2_sa_eq(&one, &out));
	assert_false(ikev2_sa_eq(&sa, &out));
	/* the maximum */
	static struct ikev2_sa big;
	big.n_proposals = IKEV2_MAX_PROPOSALS;
	for (size_t i = 0; i < IKEV2_MAX_PROPOSALS; i++) {
		big.proposals[i] = (struct ikev2_proposal){ .number = (uint8_t)(i + 1), .protocol = IKEV2_PROTO_ESP,
							    .n_transforms = i == 0 ? IKEV2_MAX_TRANSFORMS : 1 };
		for (size_t t = 0; t < big.proposals[i].n_transforms; t++)
			big.proposals[i].transforms[t] = (struct ikev2_transform){ .type = IKEV2_TRANS_ENCR,
										   .id = (uint16_t)t };
	}
	chain(&b);
	ikev2_build_sa(&b, &big);
	static struct ikev2_sa bigout;
	ok(ikev2_decode_sa(only(&b, IKEV2_PT_SA), &bigout, &diag));
	assert_true(ikev2_sa_eq(&big, &bigout));
}

static void test_roundtrip_ke_nonce_vendor_eap(void **state)
{
	uint8_t data[300];
	fill(data, sizeof(data), 3);
	struct ikev2_builder b;

	struct ikev2_ke ke = { IKEV2_DH_MODP2048, span(data, 256) }, ke2;
	chain(&b);
	ikev2_build_ke(&b, &ke);
	ok(ikev2_decode_ke(only(&b, IKEV2_PT_KE), &ke2, &diag));
	assert_true(ikev2_ke_eq(&ke, &ke2));

	for (size_t n = IKEV2_NONCE_MIN; n <= IKEV2_NONCE_MAX; n += 240) {
		struct ikev2_nonce no = { span(data, n) }, no2;
		chain(&b);
		ikev2_build_nonce(&b, &no);
		ok(ikev2_decode_nonce(only(&b, IKEV2_PT_NONCE), &no2, &diag));
		assert_true(ikev2_nonce_eq(&no, &no2));
	}

	struct ikev2_vendor v = { span("CYGNET-1", 8) }, v2;
	chain(&b);
	ikev2_build_vendor(&b, &v);
	ok(ikev2_decode_vendor(only(&b, IKEV2_PT_V), &v2, &diag));
	assert_true(ikev2_vendor_eq(&v, &v2));

	static const uint8_t eap_msg[] = { 1, 7, 0, 9, 1, 'u', 's', 'e', 'r' };
	struct ikev2_eap e = { .data = span(eap_msg, sizeof(eap_msg)) }, e2;
	chain(&b);
	ikev2_build_eap(&b, &e);
	ok(ikev2_decode_eap(only(&b, IKEV2_PT_EAP), &e2, &diag));
	assert_true(ikev2_eap_eq(&e, &e2));
	assert_int_equal(e2.code, 1);
}

static void test_roundtrip_id(void **state)
{
	struct ikev2_builder b;
	struct ikev2_id out;
	static const uint8_t dn[] = { 0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03 };
	const struct { uint8_t pt; struct ikev2_id id; } cases[] = {
		{ IKEV2_PT_IDi, { .type = IKEV2_ID_FQDN, .data = span("east.example", 12) } },
		{ IKEV2_PT_IDr, { .type = IKEV2_ID_RFC822_ADDR, .data = span("me@example.org", 14) } },
		{ IKEV2_PT_IDi, { .type = IKEV2_ID_DER_ASN1_DN, .data = span(dn, sizeof(dn)) } },
		{ IKEV2_PT_IDr, { .type = IKEV2_ID_KEY_ID, .data = span("\x01\x02", 2) } },
		{ IKEV2_PT_IDi, { .type = IKEV2_ID_NULL } },
		{ IKEV2_PT_IDi, { .type = IKEV2_ID_IPV4_ADDR, .ip = ip4(192, 0, 2, 1) } },
		{ IKEV2_PT_IDr, { .type = IKEV2_ID_IPV6_ADDR, .ip = ip6(0x2001, 0x42) } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chain(&b);
		ikev2_build_id(&b, cases[i].pt, &cases[i].id);
		ok(ikev2_decode_id(only(&b, cases[i].pt), &out, &diag));
		assert_int_equal(out.type, cases[i].id.type);
		if (cases[i].id.ip.family != IP_UNSET) {
			assert_int_equal(out.ip.family, cases[i].id.ip.family);
			assert_memory_equal(out.ip.bytes, cases[i].id.ip.bytes, 16);
			assert_int_equal(out.data.len, cases[i].id.ip.family == IP_V4 ? 4 : 16);
		} else {
			assert_true(ikev2_id_eq(&cases[i].id, &out));
		}
	}
	/* an IPv4 ID of 5 bytes, an empty FQDN; building an IPv4 ID without one */
	uint8_t body[9] = { IKEV2_ID_IPV4_ADDR, 0, 0, 0, 1, 2, 3, 4, 5 };
	struct ikev2_payload p = { .type = IKEV2_PT_IDi, .body = body, .len = 9 };
	has(ikev2_decode_id(&p, &out, &diag), "ID_IPV4_ADDR of 5 bytes, not 4");
	body[0] = IKEV2_ID_FQDN;
	p.len = 4;
	has(ikev2_decode_id(&p, &out, &diag), "ID_FQDN with no identification data");
	chain(&b);
	ikev2_build_id(&b, IKEV2_PT_IDi, &(struct ikev2_id){ .type = IKEV2_ID_IPV4_ADDR, .ip = ip6(1, 1) });
	size_t len;
	bad(ikev2_build_finish(&b, &len));
}

static void test_roundtrip_cert_auth(void **state)
{
	uint8_t der[600];
	fill(der, sizeof(der), 0x30);
	struct ikev2_builder b;
	struct ikev2_cert c = { IKEV2_CERT_X509_SIG, span(der, sizeof(der)) }, c2;
	chain(&b);
	ikev2_build_cert(&b, &c);
	ok(ikev2_decode_cert(only(&b, IKEV2_PT_CERT), &c2, &diag));
	assert_true(ikev2_cert_eq(&c, &c2));
	struct ikev2_cert cr = { IKEV2_CERT_X509_SIG, span(der, 40) };  /* two CA hashes */
	chain(&b);
	ikev2_build_certreq(&b, &cr);
	ok(ikev2_decode_certreq(only(&b, IKEV2_PT_CERTREQ), &c2, &diag));
	assert_true(ikev2_cert_eq(&cr, &c2));
	struct ikev2_cert empty = { IKEV2_CERT_X509_SIG, span(NULL, 0) };
	chain(&b);
	ikev2_build_certreq(&b, &empty);
	ok(ikev2_decode_certreq(only(&b, IKEV2_PT_CERTREQ), &c2, &diag));
	assert_true(ikev2_cert_eq(&empty, &c2));

	struct ikev2_auth a = { .method = IKEV2_AUTH_PSK, .data = span(der, 32) }, a2;
	chain(&b);
	ikev2_build_auth(&b, &a);
	ok(ikev2_decode_auth(only(&b, IKEV2_PT_AUTH), &a2, &diag));
	assert_true(ikev2_auth_eq(&a, &a2));
	/* RFC 7427: length octet, AlgorithmIdentifier, signature */
	static const uint8_t pss_alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					   0x0d, 0x01, 0x01, 0x0a, 0x05, 0x00 };
	struct ikev2_auth s = { .method = IKEV2_AUTH_DIGITAL_SIGNATURE,
				.sig_alg = span(pss_alg, sizeof(pss_alg)), .signature = span(der, 256) };
	chain(&b);
	ikev2_build_auth(&b, &s);
	ok(ikev2_decode_auth(only(&b, IKEV2_PT_AUTH), &a2, &diag));
	assert_int_equal(a2.data.len, 1 + sizeof(pss_alg) + 256);
	assert_int_equal(a2.data.ptr[0], sizeof(pss_alg));
	assert_true(ikev2_span_eq(a2.sig_alg, s.sig_alg));
	assert_true(ikev2_span_eq(a2.signature, s.signature));
	/* the AlgorithmIdentifier longer than what follows */
	uint8_t body[8] = { IKEV2_AUTH_DIGITAL_SIGNATURE, 0, 0, 0, 9, 1, 2, 3 };
	struct ikev2_payload p = { .type = IKEV2_PT_AUTH, .body = body, .len = 8 };
	has(ikev2_decode_auth(&p, &a2, &diag), "AlgorithmIdentifier declares 9 bytes but 3 remain");
	body[4] = 3;
	has(ikev2_decode_auth(&p, &a2, &diag), "no signature");
	p.len = 4;
	has(ikev2_decode_auth(&p, &a2, &diag), "no authentication data");
}

static void test_roundtrip_notify(void **state)
{
	struct ikev2_builder b;
	struct ikev2_notify n2;
	uint8_t natd[20], cookie[64], sha[] = { 0, 2, 0, 3, 0, 4 }, group[] = { 0, 19 };
	fill(natd, sizeof(natd), 1);
	fill(cookie, sizeof(cookie), 2);
	uint32_t spi = 0x12345678;
	uint8_t spib[4];
	be32(spib, spi);
	const struct ikev2_notify cases[] = {
		{ .type = IKEV2_N_NAT_DETECTION_SOURCE_IP, .data = span(natd, 20) },
		{ .type = IKEV2_N_NAT_DETECTION_DESTINATION_IP, .data = span(natd, 20) },
		{ .type = IKEV2_N_COOKIE, .data = span(cookie, 64) },
		{ .type = IKEV2_N_SIGNATURE_HASH_ALGORITHMS, .data = span(sha, sizeof(sha)) },
		{ .type = IKEV2_N_INVALID_KE_PAYLOAD, .data = span(group, 2) },
		{ .type = IKEV2_N_REKEY_SA, .protocol = IKEV2_PROTO_ESP, .spi = span(spib, 4) },
		{ .type = IKEV2_N_USE_TRANSPORT_MODE },
		{ .type = IKEV2_N_REDIRECT_SUPPORTED },
		{ .type = IKEV2_N_MOBIKE_SUPPORTED },
		{ .type = 40000, .data = span("private", 7) },  /* unknown: any data */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chain(&b);
		ikev2_build_notify(&b, &cases[i]);
		ok(ikev2_decode_notify(only(&b, IKEV2_PT_N), &n2, &diag));
		assert_true(ikev2_notify_eq(&cases[i], &n2));
	}
	/* accessors */
	uint16_t algs[8];
	assert_int_equal(ikev2_notify_hash_algorithms(&cases[3], algs, 8), 3);
	assert_int_equal(algs[0], IKEV2_HASH_SHA2_256);
	assert_int_equal(algs[2], IKEV2_HASH_SHA2_512);
	assert_int_equal(ikev2_notify_hash_algorithms(&cases[3], algs, 1), 3);
	assert_int_equal(ikev2_notify_ke_group(&cases[4]), 19);
	assert_int_equal(ikev2_notify_ke_group(&cases[3]), 0);
	/* data lengths from the table, decoding and building */
	uint8_t body[40] = { 0, 0 };
	struct ikev2_payload p = { .type = IKEV2_PT_N, .body = body };
	be16(body + 2, IKEV2_N_INVALID_KE_PAYLOAD);
	p.len = 7;
	has(ikev2_decode_notify(&p, &n2, &diag), "INVALID_KE_PAYLOAD with 3 bytes of data, not 2");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	be16(body + 2, IKEV2_N_NAT_DETECTION_SOURCE_IP);
	p.len = 4 + 19;
	has(ikev2_decode_notify(&p, &n2, &diag), "NAT_DETECTION_SOURCE_IP with 19 bytes");
	be16(body + 2, IKEV2_N_SIGNATURE_HASH_ALGORITHMS);
	p.len = 4 + 3;
	has(ikev2_decode_notify(&p, &n2, &diag), "not a multiple of 2");
	be16(body + 2, IKEV2_N_COOKIE);
	p.len = 4;
	has(ikev2_decode_notify(&p, &n2, &diag), "COOKIE with 0 bytes of data, not 1 to 64");
	body[1] = 40;  /* SPI size larger than the payload */
	p.len = 20;
	has(ikev2_decode_notify(&p, &n2, &diag), "40-byte SPI but 16 bytes remain");
	chain(&b);
	ikev2_build_notify_simple(&b, IKEV2_N_NAT_DETECTION_SOURCE_IP, natd, 19);
	size_t len;
	has(ikev2_build_finish(&b, &len), "NAT_DETECTION_SOURCE_IP with 19 bytes");
}

static void test_roundtrip_delete(void **state)
{
	struct ikev2_builder b;
	struct ikev2_delete d2;
	struct ikev2_delete ike = { .protocol = IKEV2_PROTO_IKE };
	chain(&b);
	ikev2_build_delete(&b, &ike);
	ok(ikev2_decode_delete(only(&b, IKEV2_PT_D), &d2, &diag));
	assert_true(ikev2_delete_eq(&ike, &d2));
	uint8_t spis[12] = { 0, 0, 0, 1, 0xc0, 0xff, 0xee, 0x00, 0xff, 0xff, 0xff, 0xff };
	struct ikev2_delete esp = { .protocol = IKEV2_PROTO_ESP, .spi_size = 4, .n_spis = 3,
				    .spis = span(spis, 12) };
	chain(&b);
	ikev2_build_delete(&b, &esp);
	ok(ikev2_decode_delete(only(&b, IKEV2_PT_D), &d2, &diag));
	assert_true(ikev2_delete_eq(&esp, &d2));
	assert_int_equal(ikev2_delete_spi(&d2, 0), 1);
	assert_int_equal(ikev2_delete_spi(&d2, 1), 0xc0ffee00);
	assert_int_equal(ikev2_delete_spi(&d2, 2), 0xffffffff);
	assert_int_equal(ikev2_delete_spi(&d2, 3), 0);
	/* count and size disagree with the bytes; wrong SPI size for ESP */
	uint8_t body[12] = { IKEV2_PROTO_ESP, 4, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ikev2_payload p = { .type = IKEV2_PT_D, .body = body, .len = 12 };
	has(ikev2_decode_delete(&p, &d2, &diag), "3 SPIs of 4 bytes need 12 bytes but 8 follow");
	body[1] = 8;
	has(ikev2_decode_delete(&p, &d2, &diag), "ESP SPIs are 4 bytes, not 8");
	body[0] = 9;
	has(ikev2_decode_delete(&p, &d2, &diag), "protocol 9 cannot be deleted");
}

static void test_roundtrip_ts(void **state)
{
	struct ikev2_builder b;
	ip_address a = ip4(10, 0, 0, 0), z = ip4(10, 255, 255, 255);
	ip_address a6 = ip6(0x2001, 0), z6 = ip6(0x2001, 0xffff);
	static const uint8_t fc[] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	struct ikev2_ts_list ts = { .n = 4 };
	ts.ts[0] = ikev2_ts_range(&a, &z, 0, 0, 65535);
	ts.ts[1] = ikev2_ts_range(&a6, &z6, 6, 443, 443);         /* TCP/443 */
	ts.ts[2] = ikev2_ts_range(&a, &a, 1, 0x0800, 0x08ff);     /* ICMP echo request, any code */
	ts.ts[3] = (struct ikev2_ts){ .type = IKEV2_TS_FC_ADDR_RANGE, .raw = span(fc, sizeof(fc)) };
	struct ikev2_ts_list out;
	for (uint8_t pt = IKEV2_PT_TSi; pt <= IKEV2_PT_TSr; pt++) {
		chain(&b);
		ikev2_build_ts(&b, pt, &ts);
		ok(ikev2_decode_ts(only(&b, pt), &out, &diag));
		assert_true(ikev2_ts_list_eq(&ts, &out));
	}
	assert_int_equal(out.ts[1].type, IKEV2_TS_IPV6_ADDR_RANGE);
	assert_int_equal(out.ts[1].start_port, 443);
	assert_int_equal(out.ts[1].ip_protocol, 6);
	assert_true(address_eq(&out.ts[1].end, &z6));
	/* the maximum number */
	struct ikev2_ts_list many = { .n = IKEV2_MAX_TS };
	for (size_t i = 0; i < IKEV2_MAX_TS; i++)
		many.ts[i] = ikev2_ts_range(&a, &z, (uint8_t)i, (uint16_t)i, (uint16_t)(i + 1));
	chain(&b);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &many);
	ok(ikev2_decode_ts(only(&b, IKEV2_PT_TSi), &out, &diag));
	assert_true(ikev2_ts_list_eq(&many, &out));
	/* none; count larger than the selectors; wrong selector size */
	uint8_t body[4 + 16 + 4] = { 0 };
	struct ikev2_payload p = { .type = IKEV2_PT_TSi, .body = body, .len = 4 };
	has(ikev2_decode_ts(&p, &out, &diag), "no traffic selectors");
	body[0] = 2;
	body[4] = IKEV2_TS_IPV4_ADDR_RANGE;
	be16(body + 6, 16);
	p.len = 20;
	has(ikev2_decode_ts(&p, &out, &diag), "selector 2 of 2: 0 bytes remain");
	body[0] = 1;
	be16(body + 6, 20);
	p.len = 24;
	has(ikev2_decode_ts(&p, &out, &diag), "is 20 bytes, not 16");
	be16(body + 6, 16);
	has(ikev2_decode_ts(&p, &out, &diag), "4 bytes follow its 1 selectors");
	chain(&b);
	ikev2_build_ts(&b, IKEV2_PT_TSi, &(struct ikev2_ts_list){ .n = 0 });
	size_t len;
	bad(ikev2_build_finish(&b, &len));
}

static void test_roundtrip_cp(void **state)
{
	struct ikev2_builder b;
	struct ikev2_cp out;
	struct ikev2_cp req = { .cfg_type = IKEV2_CFG_REQUEST, .n = 3, .attrs = {
		{ IKEV2_CP_INTERNAL_IP4_ADDRESS, span(NULL, 0) },
		{ IKEV2_CP_INTERNAL_IP4_DNS, span(NULL, 0) },
		{ IKEV2_CP_INTERNAL_IP6_ADDRESS, span(NULL, 0) } } };
	chain(&b);
	ikev2_build_cp(&b, &req);
	ok(ikev2_decode_cp(only(&b, IKEV2_PT_CP), &out, &diag));
	assert_true(ikev2_cp_eq(&req, &out));
	uint8_t v6[17];
	fill(v6, 16, 0x20);
	v6[16] = 64;
	static const uint16_t supported[] = { 0 };
	struct ikev2_cp reply = { .cfg_type = IKEV2_CFG_REPLY, .n = 5, .attrs = {
		{ IKEV2_CP_INTERNAL_IP4_ADDRESS, span("\x0a\x00\x00\x02", 4) },
		{ IKEV2_CP_INTERNAL_IP4_SUBNET, span("\x0a\x00\x00\x00\xff\x00\x00\x00", 8) },
		{ IKEV2_CP_INTERNAL_IP6_ADDRESS, span(v6, 17) },
		{ IKEV2_CP_APPLICATION_VERSION, span("cygnet", 6) },
		{ IKEV2_CP_SUPPORTED_ATTRIBUTES, span(supported, 2) } } };
	chain(&b);
	ikev2_build_cp(&b, &reply);
	ok(ikev2_decode_cp(only(&b, IKEV2_PT_CP), &out, &diag));
	assert_true(ikev2_cp_eq(&reply, &out));
	/* an IPv4 address of 3 bytes; a value longer than the payload */
	uint8_t body[12] = { IKEV2_CFG_REPLY, 0, 0, 0, 0, 1, 0, 3, 1, 2, 3, 0 };
	struct ikev2_payload p = { .type = IKEV2_PT_CP, .body = body, .len = 11 };
	has(ikev2_decode_cp(&p, &out, &diag), "INTERNAL_IP4_ADDRESS is 3 bytes, not 0 or 4");
	be16(body + 6, 200);
	has(ikev2_decode_cp(&p, &out, &diag), "attribute 1 declares 200 value bytes but 3 remain");
	/* the reserved bit of the attribute type is dropped on receipt */
	body[4] = 0x80;
	be16(body + 6, 0);
	p.len = 8;
	ok(ikev2_decode_cp(&p, &out, &diag));
	assert_int_equal(out.attrs[0].type, IKEV2_CP_INTERNAL_IP4_ADDRESS);
}

static void test_roundtrip_raw_payload(void **state)
{
	struct ikev2_builder b;
	chain(&b);
	size_t at = ikev2_build_payload(&b, IKEV2_PT_V, false, "raw", 3);
	assert_int_equal(at, 0);
	struct ikev2_span body = ikev2_build_body(&b, at);
	assert_int_equal(body.len, 3);
	assert_memory_equal(body.ptr, "raw", 3);
	struct ikev2_vendor v;
	ok(ikev2_decode_vendor(only(&b, IKEV2_PT_V), &v, &diag));
	assert_memory_equal(v.data.ptr, "raw", 3);
}

/* ---- SA payload errors --------------------------------------------------- */

/* Builds the standard SA, lets edit() damage its body, decodes. */
static err_t sa_with(void (*edit)(uint8_t *body, size_t *len))
{
	static uint8_t body[256];
	struct ikev2_builder b;
	struct ikev2_sa sa = ike_sa_offer();
	chain(&b);
	ikev2_build_sa(&b, &sa);
	const struct ikev2_payload *p = only(&b, IKEV2_PT_SA);
	size_t len = p->len;
	memcpy(body, p->body, len);
	edit(body, &len);
	struct ikev2_payload q = { .type = IKEV2_PT_SA, .body = body, .len = len };
	static struct ikev2_sa out;
	return ikev2_decode_sa(&q, &out, &diag);
}

/* offsets in the standard SA body */
#define P0 0          /* proposal */
#define T0 8          /* ENCR transform, with Key Length at T0 + 8 */
#define T1 20
#define T3 36

static void e_prop_len(uint8_t *b, size_t *n) { be16(b + P0 + 2, 80); }
static void e_prop_short(uint8_t *b, size_t *n) { be16(b + P0 + 2, 4); }
static void e_prop_last(uint8_t *b, size_t *n) { b[P0] = 1; }
static void e_prop_more(uint8_t *b, size_t *n) { b[P0] = 2; }
static void e_trans_count(uint8_t *b, size_t *n) { b[P0 + 7] = 5; }
static void e_trans_len(uint8_t *b, size_t *n) { be16(b + T3 + 2, 9); }
static void e_trans_last(uint8_t *b, size_t *n) { b[T3] = 3; }
static void e_trans_substruc(uint8_t *b, size_t *n) { b[T1] = 7; }
static void e_spi_size(uint8_t *b, size_t *n) { b[P0 + 6] = 3; }
static void e_attr_tlv(uint8_t *b, size_t *n) { b[T0 + 8] = 0x00; }
static void e_attr_zero(uint8_t *b, size_t *n) { be16(b + T0 + 10, 0); }
static void e_attr_unknown(uint8_t *b, size_t *n) { b[T0 + 9] = 99; }
static void e_empty(uint8_t *b, size_t *n) { *n = 0; }

static void test_sa_errors(void **state)
{
	has(sa_with(e_prop_len), "SA payload: proposal 1 declares 80 bytes but 44 remain");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	has(sa_with(e_prop_short), "proposal 1 declares 4 bytes, less than its 8-byte header");
	has(sa_with(e_prop_last), "Last Substruc is 1, not 0 or 2");
	has(sa_with(e_prop_more), "the last proposal is not marked last");
	has(sa_with(e_trans_count), "proposal 1 declares 5 transforms but holds 4");
	has(sa_with(e_trans_len), "transform 4 declares 9 bytes but 8 remain");
	has(sa_with(e_trans_last), "its last transform is not marked last");
	has(sa_with(e_trans_substruc), "transform 2: Last Substruc is 7, not 0 or 3");
	has(sa_with(e_spi_size), "SPI size 3 is not 0, 4 or 8");
	has(sa_with(e_attr_tlv), "attribute 1 declares 256 value bytes");
	has(sa_with(e_attr_zero), "Key Length is 0");
	has(sa_with(e_empty), "no proposals");
	/* an unknown attribute is recorded, not rejected (3.3.6: skip the transform) */
	ok(sa_with(e_attr_unknown));

	/* two Key Lengths; TLV Key Length; proposal numbering */
	struct ikev2_sa two = { .n_proposals = 2 };
	two.proposals[0] = (struct ikev2_proposal){ .number = 1, .protocol = IKEV2_PROTO_ESP, .n_transforms = 1,
						    .transforms = { { .type = IKEV2_TRANS_ENCR, .id = 12 } } };
	two.proposals[1] = two.proposals[0];
	two.proposals[1].number = 3;
	struct ikev2_builder b;
	chain(&b);
	ikev2_build_sa(&b, &two);
	struct ikev2_sa out;
	has(ikev2_decode_sa(only(&b, IKEV2_PT_SA), &out, &diag), "proposal 2 is numbered 3 after 1");
	two.proposals[0].number = 2;
	two.proposals[1].number = 3;
	chain(&b);
	ikev2_build_sa(&b, &two);
	has(ikev2_decode_sa(only(&b, IKEV2_PT_SA), &out, &diag), "the first of 2 proposals is numbered 2, not 1");

	static const uint8_t dup[] = {
		0, 0, 0, 24, 1, 3, 0, 1,
		0, 0, 0, 16, 1, 0, 0, 12, 0x80, 14, 0, 128, 0x80, 14, 1, 0 };
	struct ikev2_payload p = { .type = IKEV2_PT_SA, .body = dup, .len = sizeof(dup) };
	has(ikev2_decode_sa(&p, &out, &diag), "two Key Length attributes");
	static const uint8_t tlv[] = {
		0, 0, 0, 22, 1, 3, 0, 1,
		0, 0, 0, 14, 1, 0, 0, 12, 0x00, 14, 0, 2, 1, 0 };
	p = (struct ikev2_payload){ .type = IKEV2_PT_SA, .body = tlv, .len = sizeof(tlv) };
	has(ikev2_decode_sa(&p, &out, &diag), "Key Length attribute in TLV format");
	static const uint8_t unk[] = {
		0, 0, 0, 26, 1, 3, 0, 1,
		0, 0, 0, 18, 1, 0, 0, 12, 0x00, 77, 0, 2, 1, 0, 0x80, 14, 0, 128 };
	p = (struct ikev2_payload){ .type = IKEV2_PT_SA, .body = unk, .len = sizeof(unk) };
	ok(ikev2_decode_sa(&p, &out, &diag));
	assert_true(out.proposals[0].transforms[0].unknown_attr);
	assert_int_equal(out.proposals[0].transforms[0].unknown_attr_type, 77);
	assert_int_equal(out.proposals[0].transforms[0].key_length, 128);

	/* builder refusals */
	chain(&b);
	ikev2_build_sa(&b, &(struct ikev2_sa){ .n_proposals = 0 });
	size_t len;
	has(ikev2_build_finish(&b, &len), "no proposals");
	two.proposals[0].spi_size = 5;
	chain(&b);
	ikev2_build_sa(&b, &two);
	has(ikev2_build_finish(&b, &len), "SPI size 5");
}

static void test_nonce_bounds(void **state)
{
	uint8_t data[300] = { 0 };
	struct ikev2_nonce n;
	const size_t lens[] = { 0, 15, 16, 256, 257 };
	for (size_t i = 0; i < 5; i++) {
		struct ikev2_payload p = { .type = IKEV2_PT_NONCE, .body = data, .len = lens[i] };
		err_t e = ikev2_decode_nonce(&p, &n, &diag);
		if (lens[i] >= 16 && lens[i] <= 256)
			ok(e);
		else
			has(e, "not between 16 and 256");
	}
	struct ikev2_builder b;
	chain(&b);
	ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(data, 15) });
	size_t len;
	bad(ikev2_build_finish(&b, &len));
}

/* ---- truncation, oversized lengths ----------------------------------------- */

/* Every prefix of msg is rejected, whether or not its header Length is
 * patched to match (so that the payload walker sees the truncation). */
static void every_truncation_rejected(const uint8_t *msg, size_t len)
{
	struct ikev2_header h;
	struct ikev2_payloads p;
	for (size_t n = 0; n < len; n++) {
		uint8_t *c = exact(msg, n);
		bad(ikev2_decode_message(c, n, &h, &p, &diag));
		if (n >= IKEV2_HEADER_SIZE) {
			be32(c + 24, (uint32_t)n);
			bad(ikev2_decode_message(c, n, &h, &p, &diag));
			assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
		}
		free(c);
	}
	uint8_t *c = exact(msg, len);
	ok(ikev2_decode_message(c, len, &h, &p, &diag));
	free(c);
}

static void test_truncation_messages(void **state)
{
	uint8_t msg[2048];
	every_truncation_rejected(init_request_bytes, sizeof(init_request_bytes));
	size_t len = build_auth_request(msg, sizeof(msg));
	every_truncation_rejected(msg, len);
	uint8_t inner[2048], first;
	len = build_auth_inner(inner, sizeof(inner), &first);
	for (size_t n = 0; n < len; n++) {
		uint8_t *c = exact(inner, n);
		struct ikev2_payloads p;
		bad(ikev2_split_chain(first, c, n, &p, &diag));
		free(c);
	}
}

/* Every truncation of every payload body of the IKE_AUTH inner chain and
 * of the IKE_SA_INIT request is decoded without reading past the body
 * (ASan), and the self-describing ones are rejected. */
static void test_truncation_payloads(void **state)
{
	uint8_t inner[2048], first;
	size_t len = build_auth_inner(inner, sizeof(inner), &first);
	struct ikev2_payloads all;
	ok(ikev2_split_chain(first, inner, len, &all, &diag));
	struct ikev2_header h;
	struct ikev2_payloads init;
	ok(ikev2_decode_message(init_request_bytes, sizeof(init_request_bytes), &h, &init, &diag));
	for (size_t k = 0; k < all.n + init.n; k++) {
		const struct ikev2_payload *orig = k < all.n ? &all.p[k] : &init.p[k - all.n];
		for (size_t n = 0; n < orig->len; n++) {
			uint8_t *c = exact(orig->body, n);
			struct ikev2_payload p = *orig;
			p.body = c;
			p.len = n;
			static union {
				struct ikev2_sa sa; struct ikev2_id id; struct ikev2_auth auth;
				struct ikev2_notify n; struct ikev2_ts_list ts; struct ikev2_ke ke;
				struct ikev2_nonce nonce;
			} u;
			err_t e = NULL;
			switch (p.type) {
			case IKEV2_PT_SA: e = ikev2_decode_sa(&p, &u.sa, &diag); break;
			case IKEV2_PT_IDi: e = ikev2_decode_id(&p, &u.id, &diag); break;
			case IKEV2_PT_AUTH: e = ikev2_decode_auth(&p, &u.auth, &diag); break;
			case IKEV2_PT_N: e = ikev2_decode_notify(&p, &u.n, &diag); break;
			case IKEV2_PT_TSi: case IKEV2_PT_TSr: e = ikev2_decode_ts(&p, &u.ts, &diag); break;
			case IKEV2_PT_KE: e = ikev2_decode_ke(&p, &u.ke, &diag); break;
			case IKEV2_PT_NONCE: e = ikev2_decode_nonce(&p, &u.nonce, &diag); break;
			default: fail_msg("payload %u not covered", p.type);
			}
			if (p.type == IKEV2_PT_SA || p.type == IKEV2_PT_TSi || p.type == IKEV2_PT_TSr ||
			    p.type == IKEV2_PT_NONCE || n < 4)
				bad(e);
			free(c);
		}
	}
}

static void test_oversized_lengths(void **state)
{
	uint8_t msg[256];
	memcpy(msg, init_request_bytes, sizeof(init_request_bytes));
	size_t len = sizeof(init_request_bytes);
	struct ikev2_header h;
	/* the last payload (N, at 136) declares more than remains */
	be16(msg + 136 + 2, 9);
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "payload 4 (N) at byte 136 declares 9 bytes but 8 remain");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	be16(msg + 136 + 2, 0xffff);
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "declares 65535 bytes but 8 remain");
	/* less than its own header */
	be16(msg + 136 + 2, 3);
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "declares 3 bytes, less than its 4-byte header");
	be16(msg + 136 + 2, 8);
	/* the SA payload claims the whole rest and more */
	be16(msg + 28 + 2, 200);
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "payload 1 (SA) at byte 28 declares 200 bytes but 116 remain");
	be16(msg + 28 + 2, 48);
	/* the chain ends early: the last payload names another */
	msg[136] = IKEV2_PT_V;
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "payload 5 (V) is announced but the message ends");
	msg[136] = 0;
	/* bytes after the last payload */
	msg[len] = 0;
	be32(msg + 24, (uint32_t)len + 1);
	has(ikev2_decode_message(msg, len + 1, &h, &pl, &diag), "1 bytes follow the last payload");
	be32(msg + 24, (uint32_t)len);
	ok(ikev2_decode_message(msg, len, &h, &pl, &diag));
}

/* ---- unknown payloads, SK placement, limits -------------------------------- */

static void test_unknown_payloads(void **state)
{
	uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_payload(&b, 200, false, "skip me", 7);
	ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(init_request_bytes, 16) });
	ikev2_build_payload(&b, IKEV2_PT_GSPM, false, "x", 1);  /* named, not supported */
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.p[0].type, IKEV2_PT_NONCE);
	assert_int_equal(pl.skipped, 2);
	assert_int_equal(pl.skipped_type, 200);
	/* the same, critical */
	msg[28 + 1] = IKEV2_CRITICAL;
	has(ikev2_decode_message(msg, len, &hh, &pl, &diag), "unsupported type 200 and is marked critical");
	assert_int_equal(diag.notify, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(diag.payload, 200);
	/* critical on a known payload: accepted, recorded */
	msg[28 + 1] = 0;
	msg[28 + 11 + 1] = IKEV2_CRITICAL;
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	assert_true(pl.p[0].critical);
	/* a critical unknown in an inner chain */
	struct ikev2_builder c;
	chain(&c);
	ikev2_build_payload(&c, 120, true, NULL, 0);
	ok(ikev2_build_finish(&c, &len));
	bad(ikev2_split_chain(120, cbuf, len, &pl, &diag));
	assert_int_equal(diag.notify, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(diag.payload, 120);
}

static void test_sk_must_be_last(void **state)
{
	uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	h.exchange = IKEV2_EXCH_INFORMATIONAL;
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, IKEV2_PT_N, 32);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	/* trailing bytes after SK, header length patched to include them */
	memset(msg + len, 0, 8);
	be32(msg + 24, (uint32_t)len + 8);
	struct ikev2_header hh;
	has(ikev2_decode_message(msg, len + 8, &hh, &pl, &diag), "SK payload at byte 28 is not the last: 8 bytes follow it");
	/* an SK payload inside an inner chain */
	static const uint8_t in[] = { 0, 0, 0, 8, 1, 2, 3, 4 };
	has(ikev2_split_chain(IKEV2_PT_SK, in, sizeof(in), &pl, &diag), "SK payload inside an encrypted payload");
	has(ikev2_split_chain(IKEV2_PT_SKF, in, sizeof(in), &pl, &diag), "SKF payload inside");
	/* an empty SK */
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, IKEV2_PT_N, 0);
	ok(ikev2_build_finish(&b, &len));
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	struct ikev2_sk sk;
	has(ikev2_decode_sk(&pl.p[0], &sk, &diag), "SK payload: empty");
}

static void test_payload_limit(void **state)
{
	static uint8_t msg[4096];
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &init_hdr);
	for (int i = 0; i < IKEV2_MAX_PAYLOADS; i++)
		ikev2_build_vendor(&b, &(struct ikev2_vendor){ span("v", 1) });
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header h;
	ok(ikev2_decode_message(msg, len, &h, &pl, &diag));
	assert_int_equal(pl.n, IKEV2_MAX_PAYLOADS);
	ikev2_build_init(&b, msg, sizeof(msg), &init_hdr);
	for (int i = 0; i <= IKEV2_MAX_PAYLOADS; i++)
		ikev2_build_vendor(&b, &(struct ikev2_vendor){ span("v", 1) });
	ok(ikev2_build_finish(&b, &len));
	has(ikev2_decode_message(msg, len, &h, &pl, &diag), "more than 64 payloads");
}

/* ---- builder bounds ------------------------------------------------------- */

static void test_builder_overflow(void **state)
{
	uint8_t msg[256];
	size_t need = build_init_request(msg, sizeof(msg));
	for (size_t cap = 0; cap < need; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);
		size_t len = 99;
		struct ikev2_builder b;
		ikev2_build_init(&b, cap ? buf : NULL, cap, &init_hdr);
		struct ikev2_sa sa = ike_sa_offer();
		ikev2_build_sa(&b, &sa);
		ikev2_build_ke(&b, &(struct ikev2_ke){ IKEV2_DH_CURVE25519, span(ke_data, sizeof(ke_data)) });
		ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(nonce_i, sizeof(nonce_i)) });
		ikev2_build_notify_simple(&b, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
		has(ikev2_build_finish(&b, &len), "does not fit");
		assert_int_equal(len, 0);
		free(buf);
	}
	uint8_t *buf = malloc(need);
	assert_int_equal(build_init_request(buf, need), need);
	assert_memory_equal(buf, init_request_bytes, need);
	free(buf);
	/* a payload longer than 65535 bytes */
	static uint8_t big[70000];
	static uint8_t out[70100];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, out, sizeof(out));
	ikev2_build_vendor(&b, &(struct ikev2_vendor){ span(big, sizeof(big)) });
	size_t len;
	has(ikev2_build_finish(&b, &len), "more than a 16-bit length can say");
	/* a span with a length but no pointer is a caller bug, reported */
	ikev2_build_chain_init(&b, out, sizeof(out));
	ikev2_build_vendor(&b, &(struct ikev2_vendor){ span(NULL, 4) });
	has(ikev2_build_finish(&b, &len), "no data given");
}

/* ---- legality ------------------------------------------------------------- */

static size_t init_msg(uint8_t *msg, size_t cap, bool response, const uint8_t *types, size_t n)
{
	struct ikev2_header h = init_hdr;
	h.flags = response ? IKEV2_FLAG_RESPONSE : IKEV2_FLAG_INITIATOR;
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, cap, &h);
	struct ikev2_sa sa = ike_sa_offer();
	uint8_t cookie[8] = { 1 }, ke_group[2] = { 0, 14 };
	for (size_t i = 0; i < n; i++) {
		switch (types[i]) {
		case IKEV2_PT_SA: ikev2_build_sa(&b, &sa); break;
		case IKEV2_PT_KE: ikev2_build_ke(&b, &(struct ikev2_ke){ 31, span(ke_data, 32) }); break;
		case IKEV2_PT_NONCE: ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(nonce_r, 32) }); break;
		case IKEV2_PT_N: ikev2_build_notify_simple(&b, IKEV2_N_COOKIE, cookie, 8); break;
		case 0xf0: ikev2_build_notify_simple(&b, IKEV2_N_INVALID_KE_PAYLOAD, ke_group, 2); break;
		case IKEV2_PT_IDi:
			ikev2_build_id(&b, IKEV2_PT_IDi, &(struct ikev2_id){ IKEV2_ID_FQDN, span("a", 1), { 0 } });
			break;
		default: ikev2_build_payload(&b, types[i], false, "1234", 4); break;
		}
	}
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	return len;
}

static err_t check_init(bool response, const uint8_t *types, size_t n)
{
	static uint8_t msg[1024];
	size_t len = init_msg(msg, sizeof(msg), response, types, n);
	struct ikev2_header h;
	ok(ikev2_decode_message(msg, len, &h, &pl, &diag));
	return ikev2_check_payloads(IKEV2_EXCH_IKE_SA_INIT, response, &pl, NULL, &diag);
}

#define TYPES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static void test_legal_ike_sa_init(void **state)
{
	ok(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE)));
	ok(check_init(false, TYPES(IKEV2_PT_N, IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE, IKEV2_PT_N, IKEV2_PT_V, IKEV2_PT_V)));
	has(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_NONCE)), "IKE_SA_INIT request: KE payload missing");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	has(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_KE)), "Nonce payload missing");
	has(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE)), "more than one SA payload");
	has(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE, IKEV2_PT_IDi)), "IDi payload is not allowed");
	has(check_init(false, TYPES(IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE, IKEV2_PT_CERTREQ)), "CERTREQ payload is not allowed");
	ok(check_init(true, TYPES(IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE, IKEV2_PT_CERTREQ, IKEV2_PT_CERTREQ)));
	/* error and cookie answers carry no SA/KE/Nonce */
	ok(check_init(true, TYPES(0xf0)));
	ok(check_init(true, TYPES(IKEV2_PT_N)));
	/* ... but a request with only N is not a request */
	has(check_init(false, TYPES(IKEV2_PT_N)), "SA payload missing");
	has(check_init(true, TYPES(IKEV2_PT_SA, IKEV2_PT_KE)), "IKE_SA_INIT response: Nonce payload missing");
	/* no SK in IKE_SA_INIT */
	static uint8_t msg[256];
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &init_hdr);
	ikev2_build_sk(&b, IKEV2_PT_SA, 20);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header h;
	ok(ikev2_decode_message(msg, len, &h, &pl, &diag));
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_SA_INIT, false, &pl, NULL, &diag), "SK payload is not allowed");
	struct ikev2_payloads none = { 0 };
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_SA_INIT, false, NULL, &none, &diag), "never encrypted");
}

static err_t check_inner(uint8_t exch, bool response, const uint8_t *types, size_t n)
{
	static uint8_t in[2048];
	static struct ikev2_payloads inner, clear;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, in, sizeof(in));
	uint8_t err_group[2] = { 0, 19 };
	for (size_t i = 0; i < n; i++) {
		if (types[i] == 0xf0)
			ikev2_build_notify_simple(&b, IKEV2_N_TS_UNACCEPTABLE, NULL, 0);
		else if (types[i] == 0xf1)
			ikev2_build_notify_simple(&b, IKEV2_N_INVALID_KE_PAYLOAD, err_group, 2);
		else if (types[i] == IKEV2_PT_N)
			ikev2_build_notify_simple(&b, IKEV2_N_INITIAL_CONTACT, NULL, 0);
		else
			ikev2_build_payload(&b, types[i], false, "12345678", 8);
	}
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	uint8_t first = ikev2_build_first_type(&b);
	ok(ikev2_split_chain(first, in, len, &inner, &diag));
	/* the clear chain: one SK */
	static uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	h.exchange = exch;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, first, 16);
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &clear, &diag));
	ok(ikev2_check_payloads(exch, response, &clear, NULL, &diag));
	return ikev2_check_payloads(exch, response, &clear, &inner, &diag);
}

static void test_legal_encrypted(void **state)
{
	const uint8_t A = IKEV2_EXCH_IKE_AUTH, C = IKEV2_EXCH_CREATE_CHILD_SA, I = IKEV2_EXCH_INFORMATIONAL;
	ok(check_inner(A, false, TYPES(IKEV2_PT_IDi, IKEV2_PT_CERT, IKEV2_PT_CERT, IKEV2_PT_CERTREQ, IKEV2_PT_IDr,
				       IKEV2_PT_AUTH, IKEV2_PT_CP, IKEV2_PT_N, IKEV2_PT_N, IKEV2_PT_SA,
				       IKEV2_PT_TSi, IKEV2_PT_TSr, IKEV2_PT_V)));
	has(check_inner(A, false, TYPES(IKEV2_PT_IDi, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)),
	    "IKE_AUTH request: AUTH payload missing");
	has(check_inner(A, false, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi)), "TSi without TSr");
	has(check_inner(A, false, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr, IKEV2_PT_KE)),
	    "KE payload is not allowed");
	has(check_inner(A, false, TYPES(IKEV2_PT_IDi, IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)),
	    "more than one IDi payload");
	ok(check_inner(A, true, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)));
	has(check_inner(A, true, TYPES(IKEV2_PT_IDi, IKEV2_PT_AUTH, IKEV2_PT_SA, IKEV2_PT_TSi, IKEV2_PT_TSr)),
	    "IKE_AUTH response: IDi payload is not allowed");
	/* the IKE SA is up but the Child SA failed: no SA/TS */
	ok(check_inner(A, true, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH, 0xf0)));
	/* the same without the error notify is malformed */
	has(check_inner(A, true, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH)), "SA payload missing");
	/* EAP rounds */
	ok(check_inner(A, true, TYPES(IKEV2_PT_IDr, IKEV2_PT_AUTH, IKEV2_PT_EAP)));
	/* CREATE_CHILD_SA: Child SA, IKE rekey, an error answer */
	ok(check_inner(C, false, TYPES(IKEV2_PT_N, IKEV2_PT_SA, IKEV2_PT_NONCE, IKEV2_PT_KE, IKEV2_PT_TSi, IKEV2_PT_TSr)));
	ok(check_inner(C, false, TYPES(IKEV2_PT_SA, IKEV2_PT_NONCE, IKEV2_PT_KE)));
	has(check_inner(C, false, TYPES(IKEV2_PT_SA, IKEV2_PT_KE)), "CREATE_CHILD_SA request: Nonce payload missing");
	ok(check_inner(C, true, TYPES(0xf1)));
	has(check_inner(C, false, TYPES(0xf1)), "SA payload missing");
	has(check_inner(C, true, TYPES(IKEV2_PT_SA, IKEV2_PT_NONCE, IKEV2_PT_AUTH)), "AUTH payload is not allowed");
	/* INFORMATIONAL: anything optional, even nothing */
	ok(check_inner(I, false, TYPES(IKEV2_PT_D, IKEV2_PT_D, IKEV2_PT_N)));
	ok(check_inner(I, true, TYPES(IKEV2_PT_V)));
	has(check_inner(I, false, TYPES(IKEV2_PT_SA)), "INFORMATIONAL request: SA payload is not allowed");
}

static void test_legal_clear_chain(void **state)
{
	/* IDi outside SK in IKE_AUTH; an IKE_AUTH without SK */
	uint8_t msg[256];
	struct ikev2_header h = init_hdr;
	h.exchange = IKEV2_EXCH_IKE_AUTH;
	struct ikev2_builder b;
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_id(&b, IKEV2_PT_IDi, &(struct ikev2_id){ IKEV2_ID_FQDN, span("west", 4), { 0 } });
	ikev2_build_sk(&b, IKEV2_PT_AUTH, 16);
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	struct ikev2_header hh;
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, NULL, &diag),
	    "IKE_AUTH request: IDi payload must be inside SK");
	assert_int_equal(diag.notify, IKEV2_N_INVALID_SYNTAX);
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ok(ikev2_build_finish(&b, &len));
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, NULL, &diag), "no SK or SKF payload");
	has(ikev2_check_payloads(IKEV2_EXCH_INFORMATIONAL, true, &pl, NULL, &diag), "no SK or SKF payload");
	/* an inner payload that must be clear */
	struct ikev2_payloads inner = { .n = 1 };
	inner.p[0] = (struct ikev2_payload){ .type = IKEV2_PT_SK };
	ikev2_build_init(&b, msg, sizeof(msg), &h);
	ikev2_build_sk(&b, IKEV2_PT_SK, 16);
	ok(ikev2_build_finish(&b, &len));
	ok(ikev2_decode_message(msg, len, &hh, &pl, &diag));
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_AUTH, false, &pl, &inner, &diag), "SK payload must not be encrypted");
	/* exchanges without rules */
	has(ikev2_check_payloads(IKEV2_EXCH_IKE_INTERMEDIATE, false, &pl, NULL, &diag),
	    "IKE_INTERMEDIATE request: no payload rules");
	has(ikev2_check_payloads(99, true, &pl, NULL, &diag), "exchange 99 response");
	assert_false(ikev2_exchange_has_rules(99));
	assert_true(ikev2_exchange_has_rules(IKEV2_EXCH_CREATE_CHILD_SA));
	/* the table, read directly */
	unsigned r = ikev2_payload_rule(IKEV2_EXCH_IKE_AUTH, false, IKEV2_PT_IDi);
	assert_int_equal(r, IKEV2_ALLOW_INNER | IKEV2_REQUIRED);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_SA_INIT, true, IKEV2_PT_CERTREQ),
			 IKEV2_ALLOW_CLEAR | IKEV2_REPEAT);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_SA_INIT, false, IKEV2_PT_SK), 0);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_INFORMATIONAL, false, IKEV2_PT_SKF), IKEV2_ALLOW_CLEAR);
	assert_int_equal(ikev2_payload_rule(IKEV2_EXCH_IKE_AUTH, false, 200), 0);
}

/* ---- names ----------------------------------------------------------------- */

static void test_names(void **state)
{
	char buf[IKEV2_NAME_BUF];
	assert_string_equal(ikev2_name(&ikev2_payload_names, IKEV2_PT_IDi), "IDi");
	assert_string_equal(ikev2_name(&ikev2_payload_names, IKEV2_PT_SKF), "SKF");
	assert_string_equal(ikev2_str(&ikev2_payload_names, 200, buf), "payload 200");
	assert_string_equal(ikev2_name(&ikev2_exchange_names, 36), "CREATE_CHILD_SA");
	assert_string_equal(ikev2_name(&ikev2_transform_type_names, 4), "DH");
	assert_string_equal(ikev2_name(&ikev2_id_type_names, 11), "ID_KEY_ID");
	assert_string_equal(ikev2_name(&ikev2_ts_type_names, 8), "TS_IPV6_ADDR_RANGE");
	assert_string_equal(ikev2_name(&ikev2_cp_attr_names, 15), "INTERNAL_IP6_SUBNET");
	assert_string_equal(ikev2_name(&ikev2_auth_method_names, 14), "digital signature");
	assert_null(ikev2_name(&ikev2_exchange_names, 1));
	/* the notify table: every RFC 7296 number and the named extensions */
	static const struct { uint16_t type; const char *name; } want[] = {
		{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD" }, { 4, "INVALID_IKE_SPI" },
		{ 5, "INVALID_MAJOR_VERSION" }, { 7, "INVALID_SYNTAX" }, { 9, "INVALID_MESSAGE_ID" },
		{ 11, "INVALID_SPI" }, { 14, "NO_PROPOSAL_CHOSEN" }, { 17, "INVALID_KE_PAYLOAD" },
		{ 24, "AUTHENTICATION_FAILED" }, { 34, "SINGLE_PAIR_REQUIRED" },
		{ 35, "NO_ADDITIONAL_SAS" }, { 36, "INTERNAL_ADDRESS_FAILURE" },
		{ 37, "FAILED_CP_REQUIRED" }, { 38, "TS_UNACCEPTABLE" }, { 39, "INVALID_SELECTORS" },
		{ 43, "TEMPORARY_FAILURE" }, { 44, "CHILD_SA_NOT_FOUND" },
		{ 16384, "INITIAL_CONTACT" }, { 16385, "SET_WINDOW_SIZE" },
		{ 16386, "ADDITIONAL_TS_POSSIBLE" }, { 16387, "IPCOMP_SUPPORTED" },
		{ 16388, "NAT_DETECTION_SOURCE_IP" }, { 16389, "NAT_DETECTION_DESTINATION_IP" },
		{ 16390, "COOKIE" }, { 16391, "USE_TRANSPORT_MODE" },
		{ 16392, "HTTP_CERT_LOOKUP_SUPPORTED" }, { 16393, "REKEY_SA" },
		{ 16394, "ESP_TFC_PADDING_NOT_SUPPORTED" }, { 16395, "NON_FIRST_FRAGMENTS_ALSO" },
		{ 16396, "MOBIKE_SUPPORTED" }, { 16406, "REDIRECT_SUPPORTED" },
		{ 16430, "IKEV2_FRAGMENTATION_SUPPORTED" }, { 16431, "SIGNATURE_HASH_ALGORITHMS" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *n = ikev2_name(&ikev2_notify_names, want[i].type);
		assert_non_null(n);
		assert_string_equal(n, want[i].name);
	}
	assert_string_equal(ikev2_str(&ikev2_notify_names, 9999, buf), "notify 9999");
	/* the table has no duplicates */
	for (size_t i = 0; i < ikev2_notify_table_len; i++)
		for (size_t j = i + 1; j < ikev2_notify_table_len; j++)
			assert_int_not_equal(ikev2_notify_table[i].type, ikev2_notify_table[j].type);
	assert_true(ikev2_notify_is_error(IKEV2_N_NO_PROPOSAL_CHOSEN));
	assert_false(ikev2_notify_is_error(IKEV2_N_COOKIE));
	assert_true(ikev2_payload_supported(IKEV2_PT_EAP));
	assert_true(ikev2_payload_supported(IKEV2_PT_SKF));
	assert_false(ikev2_payload_supported(IKEV2_PT_GSPM));
	assert_false(ikev2_payload_supported(0));
}

/* ---- the fuzz corpus -------------------------------------------------------- */

/* An inner chain with one of every payload the codec interprets. */
static size_t build_everything(uint8_t *buf, size_t cap, uint8_t *first)
{
	static uint8_t data[300];
	fill(data, sizeof(data), 0x61);
	static const uint8_t alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
				       0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	struct ikev2_sa sa = ike_sa_offer();
	ip_address a6 = ip6(0x2001, 0), z6 = ip6(0x2001, 0xffff), a4 = ip4(10, 1, 0, 0);
	struct ikev2_ts_list ts = { .n = 2, .ts = { ikev2_ts_range(&a6, &z6, 17, 500, 500),
						    ikev2_ts_range(&a4, &a4, 0, 0, 65535) } };
	struct ikev2_cp cp = { .cfg_type = IKEV2_CFG_REQUEST, .n = 2, .attrs = {
		{ IKEV2_CP_INTERNAL_IP4_ADDRESS, span(NULL, 0) },
		{ IKEV2_CP_INTERNAL_IP6_DNS, span(NULL, 0) } } };
	uint8_t spis[8] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, cap);
	ikev2_build_sa(&b, &sa);
	ikev2_build_ke(&b, &(struct ikev2_ke){ IKEV2_DH_ECP256, span(data, 64) });
	ikev2_build_id(&b, IKEV2_PT_IDi, &(struct ikev2_id){ .type = IKEV2_ID_IPV6_ADDR, .ip = a6 });
	ikev2_build_id(&b, IKEV2_PT_IDr, &(struct ikev2_id){ .type = IKEV2_ID_KEY_ID, .data = span(data, 5) });
	ikev2_build_cert(&b, &(struct ikev2_cert){ IKEV2_CERT_X509_SIG, span(data, 40) });
	ikev2_build_certreq(&b, &(struct ikev2_cert){ IKEV2_CERT_X509_SIG, span(data, 20) });
	ikev2_build_auth(&b, &(struct ikev2_auth){ .method = IKEV2_AUTH_DIGITAL_SIGNATURE,
						   .sig_alg = span(alg, sizeof(alg)), .signature = span(data, 32) });
	ikev2_build_nonce(&b, &(struct ikev2_nonce){ span(data, 32) });
	ikev2_build_notify_simple(&b, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, "\0\2\0\3", 4);
	ikev2_build_delete(&b, &(struct ikev2_delete){ IKEV2_PROTO_ESP, 4, 2, span(spis, 8) });
	ikev2_build_vendor(&b, &(struct ikev2_vendor){ span("cygnet", 6) });
	ikev2_build_ts(&b, IKEV2_PT_TSi, &ts);
	ikev2_build_ts(&b, IKEV2_PT_TSr, &ts);
	ikev2_build_cp(&b, &cp);
	ikev2_build_eap(&b, &(struct ikev2_eap){ .data = span("\1\1\0\5\1", 5) });
	size_t len;
	ok(ikev2_build_finish(&b, &len));
	*first = ikev2_build_first_type(&b);
	return len;
}

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* The seeds: the messages above plus a response, a CREATE_CHILD_SA
 * inner chain carried in the clear by a fake SK and an INFORMATIONAL. */
static void test_corpus(void **state)
{
	const char *dir = getenv("IKEV2_WRITE_CORPUS");
	static uint8_t msg[4096];
	size_t len;
	uint8_t first;
	struct ikev2_header h;
	if (dir != NULL) {
		write_file(dir, "ike_sa_init_request", init_request_bytes, sizeof(init_request_bytes));
		len = build_auth_request(msg, sizeof(msg));
		write_file(dir, "ike_auth_request_sk", msg, len);
		/* an inner chain seed: first byte is the first payload type */
		msg[0] = 0;
		len = build_auth_inner(msg + 1, sizeof(msg) - 1, &first);
		msg[0] = first;
		write_file(dir, "inner_chain_ike_auth", msg, len + 1);
		len = init_msg(msg, sizeof(msg), true, TYPES(IKEV2_PT_SA, IKEV2_PT_KE, IKEV2_PT_NONCE,
							     IKEV2_PT_CERTREQ, IKEV2_PT_V));
		write_file(dir, "ike_sa_init_response", msg, len);
		len = init_msg(msg, sizeof(msg), true, TYPES(0xf0));
		write_file(dir, "ike_sa_init_invalid_ke", msg, len);
		len = build_everything(msg + 1, sizeof(msg) - 1, &first);
		msg[0] = first;
		write_file(dir, "inner_chain_every_payload", msg, len + 1);
		struct ikev2_builder b;
		struct ikev2_header fh = init_hdr;
		fh.exchange = IKEV2_EXCH_IKE_AUTH;
		fh.message_id = 1;
		ikev2_build_init(&b, msg, sizeof(msg), &fh);
		memset(ikev2_build_skf(&b, IKEV2_PT_IDi, 1, 2, 48), 0x33, 48);
		ok(ikev2_build_finish(&b, &len));
		write_file(dir, "ike_auth_fragment_1_of_2", msg, len);
	}
	/* every seed present decodes (run from testing/unit) */
	DIR *d = opendir(dir != NULL ? dir : "../fuzz/corpus/ikev2");
	if (d == NULL)
		return;
	struct dirent *e;
	size_t seen = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "../fuzz/corpus/ikev2", e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(msg, 1, sizeof(msg), f);
		fclose(f);
		if (strncmp(e->d_name, "inner_", 6) == 0)
			ok(ikev2_split_chain(msg[0], msg + 1, len - 1, &pl, &diag));
		else
			ok(ikev2_decode_message(msg, len, &h, &pl, &diag));
		seen++;
	}
	closedir(d);
	assert_true(seen >= 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_roundtrip),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_init_request_bytes),
		cmocka_unit_test(test_init_request_decode),
		cmocka_unit_test(test_auth_request_sk),
		cmocka_unit_test(test_sk_reserve),
		cmocka_unit_test(test_skf),
		cmocka_unit_test(test_roundtrip_sa),
		cmocka_unit_test(test_roundtrip_ke_nonce_vendor_eap),
		cmocka_unit_test(test_roundtrip_id),
		cmocka_unit_test(test_roundtrip_cert_auth),
		cmocka_unit_test(test_roundtrip_notify),
		cmocka_unit_test(test_roundtrip_delete),
		cmocka_unit_test(test_roundtrip_ts),
		cmocka_unit_test(test_roundtrip_cp),
		cmocka_unit_test(test_roundtrip_raw_payload),
		cmocka_unit_test(test_sa_errors),
		cmocka_unit_test(test_nonce_bounds),
		cmocka_unit_test(test_truncation_messages),
		cmocka_unit_test(test_truncation_payloads),
		cmocka_unit_test(test_oversized_lengths),
		cmocka_unit_test(test_unknown_payloads),
		cmocka_unit_test(test_sk_must_be_last),
		cmocka_unit_test(test_payload_limit),
		cmocka_unit_test(test_builder_overflow),
		cmocka_unit_test(test_legal_ike_sa_init),
		cmocka_unit_test(test_legal_encrypted),
		cmocka_unit_test(test_legal_clear_chain),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
