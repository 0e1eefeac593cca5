/* The ISAKMP codec (programs/pluto/ikev1): a hand-written Main Mode message
 * decoded field by field; every payload built and decoded back; each kind
 * of malformed input refused with the notify RFC 2408 names; a decrypted
 * chain with padding. Buffers are sized exactly so that ASan catches any
 * read past the end.
 *
 * With ISAKMP_WRITE_CORPUS=DIR in the environment, the messages built here
 * are also written to DIR (the fuzz seed corpus, testing/fuzz/corpus/ikev1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ikev1/isakmp.h"

#define ok(e) do { err_t e_ = (e); if (e_ != NULL) fail_msg("unexpected error: %s", e_); } while (0)

static struct isakmp_diag diag;
static struct isakmp_payloads pl;

static void write_corpus(const char *name, const uint8_t *msg, size_t len)
{
	const char *dir = getenv("ISAKMP_WRITE_CORPUS");
	if (dir == NULL)
		return;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(msg, 1, len, f);
		fclose(f);
	}
}

/* Decodes an exactly sized copy (ASan sees any overread). */
static err_t decode_copy(const uint8_t *msg, size_t len, struct isakmp_header *h, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, msg, len);
	memset(&diag, 0, sizeof(diag));
	err_t e = isakmp_decode_header(*copy, len, h, &diag);
	if (e == NULL)
		e = isakmp_split_payloads(*copy, len, h, &pl, &diag);
	return e;
}

/* Main Mode message 1 as a peer sends it, written out by hand: an SA with
 * one proposal (ISAKMP, SPI size 0) of one transform (KEY_IKE: AES-CBC
 * 256, SHA2-256, PSK, MODP2048, 28800 s as a 4-byte TLV) and a VID. */
static const uint8_t main_mode_1[] = {
	/* header: cookies, next SA, version 1.0, Main Mode, no flags, msgid 0, length */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
	0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 96,
	/* SA: next VID, length 60; DOI 1, situation 1 */
	0x0d, 0x00, 0x00, 60, 0, 0, 0, 1, 0, 0, 0, 1,
	/* proposal: last, length 48, #1, ISAKMP, SPI size 0, 1 transform */
	0x00, 0x00, 0x00, 48, 1, 1, 0, 1,
	/* transform: last, length 40, #1, KEY_IKE */
	0x00, 0x00, 0x00, 40, 1, 1, 0, 0,
	0x80, 0x01, 0x00, 0x07,  /* encryption: AES-CBC */
	0x80, 0x0e, 0x01, 0x00,  /* key length 256 */
	0x80, 0x02, 0x00, 0x04,  /* hash: SHA2-256 */
	0x80, 0x03, 0x00, 0x01,  /* authentication: PSK */
	0x80, 0x04, 0x00, 0x0e,  /* group 14 */
	0x80, 0x0b, 0x00, 0x01,  /* life type: seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80,  /* life duration 28800 (TLV) */
	/* VID: last, length 8 */
	0x00, 0x00, 0x00, 8, 0xaf, 0xca, 0xd7, 0x13,
};

static void test_main_mode_by_hand(void **state)
{
	(void)state;
	struct isakmp_header h;
	uint8_t *m;
	assert_int_equal(sizeof(main_mode_1), 96);
	ok(decode_copy(main_mode_1, sizeof(main_mode_1), &h, &m));
	assert_int_equal(h.exchange, ISAKMP_XCHG_IDPROT);
	assert_int_equal(h.major, 1);
	assert_int_equal(h.message_id, 0);
	assert_int_equal(pl.n, 2);
	assert_int_equal(pl.p[0].type, ISAKMP_NEXT_SA);
	assert_int_equal(pl.p[1].type, ISAKMP_NEXT_VID);
	assert_int_equal(pl.p[1].offset, 88);
	static struct isakmp_sa sa;
	ok(isakmp_decode_sa(&pl.p[0], &sa, &diag));
	assert_int_equal(sa.n_proposals, 1);
	assert_int_equal(sa.proposals[0].protocol, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(sa.proposals[0].n_transforms, 1);
	const struct isakmp_transform *t = &sa.proposals[0].transforms[0];
	assert_int_equal(t->id, 1);
	assert_int_equal(t->n_attrs, 7);
	static const struct { uint16_t type; bool basic; uint64_t value; } want[] = {
		{ 1, true, 7 }, { 14, true, 256 }, { 2, true, 4 }, { 3, true, 1 },
		{ 4, true, 14 }, { 11, true, 1 }, { 12, false, 28800 },
	};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(t->attrs[i].type, want[i].type);
		assert_int_equal(t->attrs[i].basic, want[i].basic);
		assert_int_equal(t->attrs[i].value, want[i].value);
	}
	assert_int_equal(t->attrs[6].data.len, 4);
	struct ikev2_span vid;
	ok(isakmp_decode_bytes(&pl.p[1], &vid, &diag));
	assert_int_equal(vid.len, 4);
	assert_int_equal(vid.ptr[0], 0xaf);

	/* built again from what was decoded: the same bytes */
	static uint8_t chain[512], out[600];
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	isakmp_build_sa(&b, &sa);
	isakmp_build_bytes(&b, ISAKMP_NEXT_VID, vid);
	size_t clen, mlen;
	ok(ikev2_build_finish(&b, &clen));
	ok(isakmp_build_message(&h, ikev2_build_first_type(&b), chain, clen, out, sizeof(out), &mlen));
	assert_int_equal(mlen, sizeof(main_mode_1));
	assert_memory_equal(out, main_mode_1, mlen);
	write_corpus("main-mode-1", out, mlen);
	free(m);
}

/* Every payload kind built, split and decoded to the same values. */
static void test_round_trip(void **state)
{
	(void)state;
	static uint8_t chain[4096], msg[4200];
	static const uint8_t ke[256] = { 1, 2, 3 }, nonce[32] = { 9 }, hash[32] = { 7 };
	static const uint8_t addr[4] = { 198, 51, 100, 1 }, spis[2][4] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 } };
	static const uint8_t cert[40] = { 0x30 }, lifetime[4] = { 0, 0, 0x0e, 0x10 };
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, chain, sizeof(chain));
	static struct isakmp_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.doi = ISAKMP_DOI_IPSEC;
	sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	sa.n_proposals = 2;
	for (int i = 0; i < 2; i++) {
		struct isakmp_proposal *pr = &sa.proposals[i];
		pr->number = (uint8_t)(i + 1);
		pr->protocol = ISAKMP_PROTO_ESP;
		pr->spi_size = 4;
		memcpy(pr->spi, spis[i], 4);
		pr->n_transforms = 2;
		for (int k = 0; k < 2; k++) {
			struct isakmp_transform *t = &pr->transforms[k];
			t->number = (uint8_t)(k + 1);
			t->id = k == 0 ? 12 : 3;   /* ESP_AES, ESP_3DES */
			t->n_attrs = 2;
			t->attrs[0] = (struct isakmp_attr){ .type = 5, .basic = true, .value = 5 };
			t->attrs[1] = (struct isakmp_attr){ .type = 2, .basic = false, .value = 3600,
							    .data = { lifetime, 4 } };
		}
	}
	isakmp_build_sa(&b, &sa);
	isakmp_build_bytes(&b, ISAKMP_NEXT_KE, (struct ikev2_span){ ke, sizeof(ke) });
	isakmp_build_bytes(&b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ nonce, sizeof(nonce) });
	struct isakmp_id id = { .type = 1, .protocol = 17, .port = 500, .data = { addr, 4 } };
	isakmp_build_id(&b, &id);
	struct isakmp_cert c = { .encoding = 4, .data = { cert, sizeof(cert) } };
	isakmp_build_cert(&b, ISAKMP_NEXT_CERT, &c);
	struct isakmp_cert cr = { .encoding = 4 };
	isakmp_build_cert(&b, ISAKMP_NEXT_CR, &cr);
	isakmp_build_bytes(&b, ISAKMP_NEXT_HASH, (struct ikev2_span){ hash, sizeof(hash) });
	struct isakmp_notify n = { .doi = 1, .protocol = ISAKMP_PROTO_ESP, .type = ISAKMP_N_RESPONDER_LIFETIME,
				   .spi = { spis[0], 4 }, .data = { lifetime, 4 } };
	isakmp_build_notify(&b, &n);
	struct isakmp_delete del = { .doi = 1, .protocol = ISAKMP_PROTO_ESP, .spi_size = 4, .n_spis = 2,
				     .spis = { spis[0], spis[1] } };
	isakmp_build_delete(&b, &del);
	isakmp_build_bytes(&b, ISAKMP_NEXT_NATD, (struct ikev2_span){ hash, 20 });
	struct isakmp_natoa oa = { .id_type = 1, .address = { addr, 4 } };
	isakmp_build_natoa(&b, &oa);
	size_t clen, mlen;
	ok(ikev2_build_finish(&b, &clen));
	struct isakmp_header h = { .exchange = ISAKMP_XCHG_QUICK, .message_id = 0x01020304 };
	memset(h.icookie, 0xab, 8);
	memset(h.rcookie, 0xcd, 8);
	ok(isakmp_build_message(&h, ikev2_build_first_type(&b), chain, clen, msg, sizeof(msg), &mlen));
	write_corpus("every-payload", msg, mlen);

	struct isakmp_header h2;
	uint8_t *m;
	ok(decode_copy(msg, mlen, &h2, &m));
	assert_int_equal(h2.message_id, 0x01020304);
	assert_int_equal(h2.exchange, ISAKMP_XCHG_QUICK);
	assert_int_equal(pl.n, 11);
	static struct isakmp_sa sa2;
	ok(isakmp_decode_sa(isakmp_payloads_find(&pl, ISAKMP_NEXT_SA, 0), &sa2, &diag));
	assert_int_equal(sa2.n_proposals, 2);
	assert_int_equal(sa2.proposals[1].number, 2);
	assert_memory_equal(sa2.proposals[1].spi, spis[1], 4);
	assert_int_equal(sa2.proposals[1].transforms[1].id, 3);
	assert_int_equal(sa2.proposals[1].transforms[1].attrs[1].value, 3600);
	struct ikev2_span s;
	ok(isakmp_decode_bytes(isakmp_payloads_find(&pl, ISAKMP_NEXT_KE, 0), &s, &diag));
	assert_int_equal(s.len, 256);
	ok(isakmp_decode_bytes(isakmp_payloads_find(&pl, ISAKMP_NEXT_NONCE, 0), &s, &diag));
	assert_int_equal(s.len, 32);
	struct isakmp_id id2;
	ok(isakmp_decode_id(isakmp_payloads_find(&pl, ISAKMP_NEXT_ID, 0), &id2, &diag));
	assert_int_equal(id2.port, 500);
	assert_memory_equal(id2.data.ptr, addr, 4);
	struct isakmp_cert c2;
	ok(isakmp_decode_cert(isakmp_payloads_find(&pl, ISAKMP_NEXT_CERT, 0), &c2, &diag));
	assert_int_equal(c2.data.len, sizeof(cert));
	ok(isakmp_decode_cr(isakmp_payloads_find(&pl, ISAKMP_NEXT_CR, 0), &c2, &diag));
	assert_int_equal(c2.data.len, 0);
	struct isakmp_notify n2;
	ok(isakmp_decode_notify(isakmp_payloads_find(&pl, ISAKMP_NEXT_N, 0), &n2, &diag));
	assert_int_equal(n2.type, ISAKMP_N_RESPONDER_LIFETIME);
	assert_int_equal(n2.spi.len, 4);
	assert_int_equal(n2.data.len, 4);
	struct isakmp_delete d2;
	ok(isakmp_decode_delete(isakmp_payloads_find(&pl, ISAKMP_NEXT_D, 0), &d2, &diag));
	assert_int_equal(d2.n_spis, 2);
	assert_memory_equal(d2.spis[1], spis[1], 4);
	struct isakmp_natoa oa2;
	ok(isakmp_decode_natoa(isakmp_payloads_find(&pl, ISAKMP_NEXT_NATOA, 0), &oa2, &diag));
	assert_memory_equal(oa2.address.ptr, addr, 4);
	free(m);
}

/* One malformed input, and the notify it must earn. */
static void refused(const uint8_t *msg, size_t len, uint16_t notify, const char *text)
{
	struct isakmp_header h;
	uint8_t *m;
	err_t e = decode_copy(msg, len, &h, &m);
	static struct isakmp_sa sa;
	struct isakmp_id id;
	struct ikev2_span s;
	struct isakmp_delete del;
	for (size_t i = 0; e == NULL && i < pl.n; i++) {
		switch (pl.p[i].type) {
		case ISAKMP_NEXT_SA: e = isakmp_decode_sa(&pl.p[i], &sa, &diag); break;
		case ISAKMP_NEXT_ID: e = isakmp_decode_id(&pl.p[i], &id, &diag); break;
		case ISAKMP_NEXT_D: e = isakmp_decode_delete(&pl.p[i], &del, &diag); break;
		default: e = isakmp_decode_bytes(&pl.p[i], &s, &diag); break;
		}
	}
	if (e == NULL)
		fail_msg("accepted: %s", text);
	if (diag.notify != notify)
		fail_msg("%s: notify %u, want %u (%s)", text, diag.notify, notify, e);
	if (strstr(e, text) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", text, e);
	free(m);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t m[sizeof(main_mode_1)];
#define MUTATE(off, v) (memcpy(m, main_mode_1, sizeof(m)), m[off] = (v))
	MUTATE(17, 0x20);
	refused(m, sizeof(m), ISAKMP_N_INVALID_MAJOR_VERSION, "major version 2");
	MUTATE(27, 93);
	refused(m, sizeof(m), ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "says 93 bytes");
	MUTATE(16, 99);
	refused(m, sizeof(m), ISAKMP_N_INVALID_PAYLOAD_TYPE, "type 99");
	MUTATE(16, ISAKMP_NEXT_P);
	refused(m, sizeof(m), ISAKMP_N_INVALID_PAYLOAD_TYPE, "type 2");
	MUTATE(29, 1);
	refused(m, sizeof(m), ISAKMP_N_PAYLOAD_MALFORMED, "reserved octet is 1");
	MUTATE(31, 200);
	refused(m, sizeof(m), ISAKMP_N_PAYLOAD_MALFORMED, "declares 200 bytes");
	MUTATE(35, 2);
	refused(m, sizeof(m), ISAKMP_N_DOI_NOT_SUPPORTED, "DOI 2");
	MUTATE(39, 4);
	refused(m, sizeof(m), ISAKMP_N_SITUATION_NOT_SUPPORTED, "situation 4");
	MUTATE(47, 2);   /* two transforms announced, one there */
	refused(m, sizeof(m), ISAKMP_N_BAD_PROPOSAL_SYNTAX, "transform 1 of 2 says next payload 0");
	MUTATE(47, 0);
	refused(m, sizeof(m), ISAKMP_N_BAD_PROPOSAL_SYNTAX, "no transform");
	MUTATE(48, ISAKMP_NEXT_T);   /* the last transform says another follows */
	refused(m, sizeof(m), ISAKMP_N_BAD_PROPOSAL_SYNTAX, "says next payload 3");
	MUTATE(83, 0x40);   /* the life duration TLV declares 64 bytes */
	refused(m, sizeof(m), ISAKMP_N_BAD_PROPOSAL_SYNTAX, "declares 64 bytes");
	MUTATE(46, 17);   /* a 17-byte SPI */
	refused(m, sizeof(m), ISAKMP_N_BAD_PROPOSAL_SYNTAX, "17-byte SPI");
	/* a clear message with bytes after its last payload */
	uint8_t longer[sizeof(main_mode_1) + 4] = { 0 };
	memcpy(longer, main_mode_1, sizeof(main_mode_1));
	longer[27] = (uint8_t)sizeof(longer);
	refused(longer, sizeof(longer), ISAKMP_N_PAYLOAD_MALFORMED, "4 bytes follow the last payload");
	/* a clear message padded with zeros to four octets (libreswan's):
	 * taken; non-zero padding is not */
	uint8_t padded[44] = { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
			       ISAKMP_NEXT_NONCE, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 44,
			       0, 0, 0, 13, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct isakmp_header ph;
	struct isakmp_payloads ppl;
	ok(isakmp_decode_header(padded, sizeof(padded), &ph, &diag));
	ok(isakmp_split_payloads(padded, sizeof(padded), &ph, &ppl, &diag));
	assert_int_equal(ppl.n, 1);
	assert_int_equal(ppl.p[0].len, 9);
	padded[43] = 1;
	assert_non_null(isakmp_split_payloads(padded, sizeof(padded), &ph, &ppl, &diag));
	/* too short for a header */
	refused(main_mode_1, 27, ISAKMP_N_PAYLOAD_MALFORMED, "shorter than the 28-byte");
#undef MUTATE
}

/* Payload checks: nonce size, ID data sizes, delete SPI counts. */
static void test_payload_limits(void **state)
{
	(void)state;
	static const uint8_t nonce7[] = { 0, 0, 0, 11, 1, 2, 3, 4, 5, 6, 7 };
	struct isakmp_payloads p;
	struct ikev2_span s;
	ok(isakmp_split_chain(ISAKMP_NEXT_NONCE, nonce7, sizeof(nonce7), &p, &diag));
	assert_non_null(isakmp_decode_bytes(&p.p[0], &s, &diag));
	assert_int_equal(diag.notify, ISAKMP_N_PAYLOAD_MALFORMED);

	static const uint8_t id3[] = { 0, 0, 0, 11, 1, 17, 1, 244, 198, 51, 100 };
	struct isakmp_id id;
	ok(isakmp_split_chain(ISAKMP_NEXT_ID, id3, sizeof(id3), &p, &diag));
	assert_non_null(isakmp_decode_id(&p.p[0], &id, &diag));
	assert_int_equal(diag.notify, ISAKMP_N_INVALID_ID_INFORMATION);

	static const uint8_t fqdn[] = { 0, 0, 0, 12, 2, 0, 0, 0, 'w', 'e', 's', 't' };
	ok(isakmp_split_chain(ISAKMP_NEXT_ID, fqdn, sizeof(fqdn), &p, &diag));
	ok(isakmp_decode_id(&p.p[0], &id, &diag));
	assert_int_equal(id.data.len, 4);

	/* 2 SPIs of 4 bytes announced, 6 bytes there */
	static const uint8_t del[] = { 0, 0, 0, 18, 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4, 5, 6 };
	struct isakmp_delete d;
	ok(isakmp_split_chain(ISAKMP_NEXT_D, del, sizeof(del), &p, &diag));
	assert_non_null(isakmp_decode_delete(&p.p[0], &d, &diag));

	/* ISAKMP delete: both cookies (16 bytes) */
	uint8_t del16[28] = { 0, 0, 0, 28, 0, 0, 0, 1, 1, 16, 0, 1 };
	ok(isakmp_split_chain(ISAKMP_NEXT_D, del16, sizeof(del16), &p, &diag));
	ok(isakmp_decode_delete(&p.p[0], &d, &diag));
	assert_int_equal(d.spi_size, 16);
}

/* A decrypted body: the chain, then padding (RFC 2409 app. B) counted. */
static void test_decrypted_padding(void **state)
{
	(void)state;
	static const uint8_t body[] = {
		0x0b, 0, 0, 8, 1, 2, 3, 4,                       /* HASH, next N */
		0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0x8d, 0x28,       /* N: R-U-THERE (36136) */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,              /* padding */
	};
	struct isakmp_payloads p;
	ok(isakmp_split_chain(ISAKMP_NEXT_HASH, body, sizeof(body), &p, &diag));
	assert_int_equal(p.n, 2);
	assert_int_equal(p.trailing, 12);
	struct isakmp_notify n;
	ok(isakmp_decode_notify(&p.p[1], &n, &diag));
	assert_int_equal(n.type, ISAKMP_N_R_U_THERE);
	assert_int_equal(n.spi.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode_by_hand),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_payload_limits),
		cmocka_unit_test(test_decrypted_padding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
