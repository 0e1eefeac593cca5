/* libwhack: the request codec, reply records, and a client talking to a
 * small in-test server over a socketpair (thread) and an AF_UNIX path
 * (fork). Malformed input is built by hand here, byte by byte, so the
 * decoder is checked against the documented format rather than against
 * its own encoder. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "whack.h"

/* ---- helpers ---- */

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A hand-made request. */
struct raw {
	uint8_t b[4096];
	size_t n;
};

static void raw_start(struct raw *r, uint16_t command, uint32_t flags)
{
	memcpy(r->b, "CYGW", 4);
	be16(r->b + 4, 1);
	be16(r->b + 6, command);
	be32(r->b + 8, flags);
	be32(r->b + 12, 0);
	r->n = 16;
}

static void raw_field(struct raw *r, uint16_t type, const void *v, size_t len)
{
	assert_true(r->n + 6 + len <= sizeof(r->b));
	be16(r->b + r->n, type);
	be32(r->b + r->n + 2, (uint32_t)len);
	memcpy(r->b + r->n + 6, v, len);
	r->n += 6 + len;
}

static void raw_pair(struct raw *r, uint16_t type, const char *k, size_t klen,
		     const char *v, size_t vlen)
{
	uint8_t body[512];
	assert_true(4 + klen + vlen <= sizeof(body));
	be32(body, (uint32_t)klen);
	memcpy(body + 4, k, klen);
	memcpy(body + 4 + klen, v, vlen);
	raw_field(r, type, body, 4 + klen + vlen);
}

static const uint8_t *raw_end(struct raw *r)
{
	be32(r->b + 12, (uint32_t)r->n);
	return r->b;
}

static void assert_kvs_equal(const struct whack_kvs *a, const struct whack_kvs *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].key, b->v[i].key);
		assert_string_equal(a->v[i].value, b->v[i].value);
	}
}

static void assert_msg_equal(const struct whack_msg *a, const struct whack_msg *b)
{
	assert_int_equal(a->command, b->command);
	assert_int_equal(a->flags, b->flags);
	if (a->name == NULL || b->name == NULL)
		assert_ptr_equal(a->name, b->name);
	else
		assert_string_equal(a->name, b->name);
	assert_kvs_equal(&a->conn, &b->conn);
	assert_kvs_equal(&a->options, &b->options);
}

/* Decoding must fail, say why (containing `why`), and own nothing. */
static void expect_reject(const uint8_t *buf, size_t len, const char *why)
{
	struct whack_msg m;
	err_t e = whack_decode(buf, len, &m);
	if (e == NULL)
		fail_msg("accepted a message that should fail with \"%s\"", why);
	if (why != NULL && strstr(e, why) == NULL)
		fail_msg("rejected with \"%s\", expected \"%s\"", e, why);
	assert_null(m.name);
	assert_int_equal(m.conn.n, 0);
	assert_int_equal(m.options.n, 0);
}

/* A realistic request for each command: what a tool would send. */
static void sample_msg(struct whack_msg *m, const struct whack_command_desc *cmd)
{
	whack_msg_init(m, cmd->code);
	if (cmd->name_use != WHACK_NAME_NONE)
		whack_msg_set_name(m, "west-east");
	if (cmd->takes_conn) {
		whack_msg_add_conn(m, "left", "198.18.0.1");
		whack_msg_add_conn(m, "leftsubnet", "198.51.100.0/24");
		whack_msg_add_conn(m, "right", "%any");
		whack_msg_add_conn(m, "leftid", "@Zürich gw=1");
		whack_msg_add_conn(m, "x-note", "");
		whack_msg_add_conn(m, "auto", "add");
	}
	if (cmd->code == WHACK_STATUS)
		whack_msg_add_option(m, "json", "yes");
	if (cmd->code == WHACK_INITIATE)
		m->flags = WHACK_FLAG_ASYNC;
}

static void encode_ok(const struct whack_msg *m, struct whack_buf *b)
{
	whack_buf_init(b, WHACK_MSG_MAX);
	err_t e = whack_encode(m, b);
	if (e != NULL)
		fail_msg("encode failed: %s", e);
}

/* ---- the command table ---- */

static void test_command_table(void **state)
{
	static const char *const wanted[] = {
		"add", "delete", "replace", "initiate", "terminate", "route",
		"unroute", "status", "rereadsecrets", "listen", "shutdown", "ping",
		"ddos-busy", "ddos-unlimited", "ddos-auto", "rekey-ike", "rekey-child", "trafficstatus", "globalstatus", "metrics",
		"debug", "reopenlogs", "listall", "prune", "rereadcrls",
	};
	assert_int_equal(whack_commands_len, sizeof(wanted) / sizeof(wanted[0]));
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		const struct whack_command_desc *c = whack_command_by_name(wanted[i]);
		assert_non_null(c);
		assert_ptr_equal(whack_command_by_code(c->code), c);
	}
	for (size_t i = 0; i < whack_commands_len; i++) {
		const struct whack_command_desc *c = &whack_commands[i];
		assert_int_equal(c->code, i + 1);   /* code order, no gaps */
		size_t hl = strlen(c->help);
		assert_true(hl > 10 && hl < 72);
		assert_null(strchr(c->help, '\n'));
		assert_true(c->help[hl - 1] != '.');
		/* only commands that identify one connection carry keywords */
		if (c->takes_conn)
			assert_int_equal(c->name_use, WHACK_NAME_REQUIRED);
	}
	assert_int_equal(whack_command_by_name("add")->name_use, WHACK_NAME_REQUIRED);
	assert_int_equal(whack_command_by_name("status")->name_use, WHACK_NAME_OPTIONAL);
	assert_int_equal(whack_command_by_name("ping")->name_use, WHACK_NAME_NONE);
	assert_null(whack_command_by_name("Add"));
	assert_null(whack_command_by_name(""));
	assert_null(whack_command_by_code(0));
	assert_null(whack_command_by_code(WHACK_REREADCRLS + 1));   /* the last one + 1 */
	assert_string_equal(WHACK_CTL_PATH, IPSEC_RUNDIR "/pluto.ctl");
}

/* ---- round trips ---- */

static void test_round_trip_every_command(void **state)
{
	for (size_t i = 0; i < whack_commands_len; i++) {
		struct whack_msg m, d;
		struct whack_buf b, again;
		sample_msg(&m, &whack_commands[i]);
		encode_ok(&m, &b);
		err_t e = whack_decode(b.data, b.len, &d);
		if (e != NULL)
			fail_msg("%s: decode failed: %s", whack_commands[i].name, e);
		assert_msg_equal(&m, &d);
		/* decoding loses nothing: re-encoding gives the same bytes */
		encode_ok(&d, &again);
		assert_int_equal(again.len, b.len);
		assert_memory_equal(again.data, b.data, b.len);
		whack_buf_free(&again);
		whack_buf_free(&b);
		whack_msg_free(&d);
		whack_msg_free(&m);
	}
}

static void test_round_trip_keeps_order_and_odd_values(void **state)
{
	struct whack_msg m, d;
	struct whack_buf b;
	whack_msg_init(&m, WHACK_REPLACE);
	whack_msg_set_name(&m, "first");
	whack_msg_set_name(&m, "road warrior \xe2\x86\x92 hq");   /* replaces */
	char key[32], value[64];
	for (int i = 300; i > 0; i--) {   /* descending: order must survive */
		snprintf(key, sizeof(key), "x-key%03d", i);
		snprintf(value, sizeof(value), "v=%d with spaces\tand tab", i);
		if (i % 3 == 0)
			value[0] = '\0';
		whack_msg_add_conn(&m, key, value);
	}
	whack_msg_add_conn(&m, "leftupdown", "/bin/sh -c 'echo a\nb'");
	whack_msg_add_option(&m, "x-trace", "");
	whack_msg_add_option(&m, "json", "yes");
	encode_ok(&m, &b);
	assert_null(whack_decode(b.data, b.len, &d));
	assert_msg_equal(&m, &d);
	assert_string_equal(d.conn.v[0].key, "x-key300");
	assert_string_equal(d.conn.v[299].key, "x-key001");
	assert_string_equal(whack_kvs_get(&d.conn, "x-key002"), "v=2 with spaces\tand tab");
	assert_string_equal(whack_kvs_get(&d.conn, "x-key003"), "");
	assert_string_equal(whack_kvs_get(&d.options, "json"), "yes");
	assert_null(whack_kvs_get(&d.options, "left"));
	whack_buf_free(&b);
	whack_msg_free(&d);
	whack_msg_free(&m);
}

/* The example in whack.h, and the layout of a pair, byte for byte. */
static void test_golden_bytes(void **state)
{
	static const uint8_t ping[] = {
		'C', 'Y', 'G', 'W', 0, 1, 0, 12, 0, 0, 0, 0, 0, 0, 0, 16,
	};
	static const uint8_t del_a[] = {
		'C', 'Y', 'G', 'W', 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23,
		0, 1, 0, 0, 0, 1, 'a',
	};
	static const uint8_t status_json[] = {
		'C', 'Y', 'G', 'W', 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 33,
		0, 3, 0, 0, 0, 11, 0, 0, 0, 4, 'j', 's', 'o', 'n', 'y', 'e', 's',
	};
	struct whack_msg m;
	struct whack_buf b;

	whack_msg_init(&m, WHACK_PING);
	encode_ok(&m, &b);
	assert_int_equal(b.len, sizeof(ping));
	assert_memory_equal(b.data, ping, sizeof(ping));
	whack_buf_free(&b);

	whack_msg_init(&m, WHACK_DELETE);
	whack_msg_set_name(&m, "a");
	encode_ok(&m, &b);
	assert_int_equal(b.len, sizeof(del_a));
	assert_memory_equal(b.data, del_a, sizeof(del_a));
	whack_buf_free(&b);
	whack_msg_free(&m);

	whack_msg_init(&m, WHACK_STATUS);
	m.flags = WHACK_FLAG_ASYNC;
	whack_msg_add_option(&m, "json", "yes");
	encode_ok(&m, &b);
	assert_int_equal(b.len, sizeof(status_json));
	assert_memory_equal(b.data, status_json, sizeof(status_json));
	whack_buf_free(&b);
	whack_msg_free(&m);

	/* and the hand-made bytes decode */
	struct whack_msg d;
	assert_null(whack_decode(del_a, sizeof(del_a), &d));
	assert_int_equal(d.command, WHACK_DELETE);
	assert_string_equal(d.name, "a");
	whack_msg_free(&d);
}

/* ---- malformed input ---- */

static void test_truncated_at_every_length(void **state)
{
	struct whack_msg m;
	struct whack_buf b;
	sample_msg(&m, whack_command_by_name("add"));
	encode_ok(&m, &b);

	/* cut anywhere: the header's length no longer matches */
	for (size_t len = 0; len < b.len; len++)
		expect_reject(b.data, len, NULL);

	/* cut anywhere and fix the header up, so the field parser itself
	 * meets the cut: inside a field it must fail; on a field boundary
	 * it may yield a shorter valid message (or fail: add needs a name) */
	size_t bounds[64], nb = 0;
	for (size_t at = 16; at < b.len; at += 6 + rd32(b.data + at + 2))
		bounds[nb++] = at;
	assert_int_equal(nb, 1 + m.conn.n);
	uint8_t *cut = malloc(b.len);
	size_t shorter_ok = 0;
	for (size_t len = 16; len < b.len; len++) {
		memcpy(cut, b.data, len);
		be32(cut + 12, (uint32_t)len);
		bool boundary = false;
		for (size_t i = 0; i < nb; i++)
			boundary |= bounds[i] == len;
		struct whack_msg d;
		err_t e = whack_decode(cut, len, &d);
		if (!boundary) {
			if (e == NULL)
				fail_msg("accepted a field cut at byte %zu", len);
			assert_null(d.name);
			continue;
		}
		if (e == NULL) {
			shorter_ok++;
			assert_string_equal(d.name, "west-east");
			assert_true(d.conn.n < m.conn.n);
			whack_msg_free(&d);
		}
	}
	assert_int_equal(shorter_ok, m.conn.n);   /* after name, after each pair but the last */
	free(cut);
	whack_buf_free(&b);
	whack_msg_free(&m);
}

static void test_oversized_lengths(void **state)
{
	struct raw r;
	/* declared shorter than the header */
	raw_start(&r, WHACK_PING, 0);
	be32(r.b + 12, 15);
	expect_reject(r.b, 16, "shorter than the header");
	/* declared longer than what arrived */
	be32(r.b + 12, 17);
	expect_reject(r.b, 16, "cut short");
	/* declared shorter than what arrived */
	raw_start(&r, WHACK_PING, 0);
	raw_end(&r);
	expect_reject(r.b, 17, "bytes follow");

	/* over 1 MiB, even when that many bytes are really there */
	size_t big = (size_t)WHACK_MSG_MAX + 1;
	uint8_t *huge = calloc(1, big);
	raw_start(&r, WHACK_PING, 0);
	memcpy(huge, r.b, 16);
	be16(huge + 16, 0x0042);            /* one skippable field ... */
	be32(huge + 18, (uint32_t)(big - 22));
	be32(huge + 12, (uint32_t)big);
	expect_reject(huge, big, "1 MiB limit");
	/* ... and exactly 1 MiB is fine */
	be32(huge + 18, (uint32_t)(big - 1 - 22));
	be32(huge + 12, (uint32_t)(big - 1));
	struct whack_msg d;
	assert_null(whack_decode(huge, big - 1, &d));
	assert_int_equal(d.command, WHACK_PING);
	whack_msg_free(&d);
	be32(huge + 12, 0xffffffffu);
	expect_reject(huge, big, "1 MiB limit");
	free(huge);

	/* a field longer than the message, with every high bit set */
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "abc", 3);
	be32(r.b + 18, 0xffffffffu);
	raw_end(&r);
	expect_reject(r.b, r.n, "runs past the end");
	/* a field header cut short */
	raw_start(&r, WHACK_PING, 0);
	memcpy(r.b + 16, "\0\x42\0\0\0", 5);
	r.n = 21;
	raw_end(&r);
	expect_reject(r.b, r.n, "field header cut short");
	/* a pair whose key length runs past its field */
	raw_start(&r, WHACK_STATUS, 0);
	raw_pair(&r, WHACK_FIELD_OPTION, "json", 4, "yes", 3);
	be32(r.b + 22, 8);
	raw_end(&r);
	expect_reject(r.b, r.n, "key length runs past");
	be32(r.b + 22, 0xfffffffcu);   /* would wrap a careless len - 4 - klen */
	expect_reject(r.b, r.n, "key length runs past");
	/* a pair too short to hold its key length */
	raw_start(&r, WHACK_STATUS, 0);
	raw_field(&r, WHACK_FIELD_OPTION, "\0\0\0", 3);
	raw_end(&r);
	expect_reject(r.b, r.n, "shorter than its key length");
}

static void test_encoder_bounds(void **state)
{
	/* the largest value that fits makes a message of exactly 1 MiB */
	size_t fixed = 16 + (6 + 1) + (6 + 4 + 1);   /* header, name "c", pair key "k" */
	size_t vlen = WHACK_MSG_MAX - fixed;
	char *value = malloc(vlen + 2);
	memset(value, 'v', vlen + 1);
	value[vlen] = '\0';
	struct whack_msg m, d;
	struct whack_buf b;
	whack_msg_init(&m, WHACK_ADD);
	whack_msg_set_name(&m, "c");
	whack_msg_add_conn(&m, "k", value);
	encode_ok(&m, &b);
	assert_int_equal(b.len, WHACK_MSG_MAX);
	assert_null(whack_decode(b.data, b.len, &d));
	assert_msg_equal(&m, &d);
	whack_msg_free(&d);
	whack_msg_free(&m);

	/* one byte more is refused, and the buffer is left as it was */
	value[vlen] = 'v';
	value[vlen + 1] = '\0';
	whack_msg_init(&m, WHACK_ADD);
	whack_msg_set_name(&m, "c");
	whack_msg_add_conn(&m, "k", value);
	whack_buf_free(&b);
	whack_buf_init(&b, 4 * (size_t)WHACK_MSG_MAX);   /* the buffer is not the limit */
	struct whack_msg ping;
	whack_msg_init(&ping, WHACK_PING);
	assert_null(whack_encode(&ping, &b));           /* something already there */
	size_t before = b.len;
	err_t e = whack_encode(&m, &b);
	assert_non_null(e);
	assert_non_null(strstr(e, "1 MiB"));
	assert_int_equal(b.len, before);
	whack_buf_free(&b);
	whack_msg_free(&m);
	free(value);

	/* a fixed buffer too small: refused, nothing written past it */
	uint8_t storage[40];
	memset(storage, 0xee, sizeof(storage));
	struct whack_buf fb;
	whack_buf_init_fixed(&fb, storage, 24);
	whack_msg_init(&m, WHACK_DELETE);
	whack_msg_set_name(&m, "a-longer-name");
	assert_non_null(whack_encode(&m, &fb));
	assert_int_equal(fb.len, 0);
	for (size_t i = 24; i < sizeof(storage); i++)
		assert_int_equal(storage[i], 0xee);
	whack_msg_set_name(&m, "a");      /* 23 bytes: fits */
	assert_null(whack_encode(&m, &fb));
	assert_int_equal(fb.len, 23);
	assert_null(whack_decode(storage, fb.len, &d));
	assert_string_equal(d.name, "a");
	whack_msg_free(&d);
	whack_msg_free(&m);
	whack_buf_free(&fb);

	/* a growable buffer with a small bound is bounded too */
	whack_buf_init(&b, 20);
	sample_msg(&m, whack_command_by_name("add"));
	assert_non_null(whack_encode(&m, &b));
	assert_int_equal(b.len, 0);
	whack_buf_free(&b);
	whack_msg_free(&m);
}

static void test_bad_magic_and_version(void **state)
{
	struct raw r;
	raw_start(&r, WHACK_PING, 0);
	raw_end(&r);
	struct whack_msg d;
	assert_null(whack_decode(r.b, r.n, &d));
	for (int i = 0; i < 4; i++) {
		struct raw bad = r;
		bad.b[i] ^= 0x20;   /* "cYGW", ... */
		expect_reject(bad.b, bad.n, "bad magic");
	}
	static const uint16_t versions[] = { 0, 2, 0x0100, 0xffff };
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct raw bad = r;
		be16(bad.b + 4, versions[i]);
		expect_reject(bad.b, bad.n, "version");
	}
	/* a magic check comes before any length is trusted */
	expect_reject((const uint8_t *)"GET / HTTP/1.1\r\n", 16, "bad magic");
	size_t total;
	assert_non_null(whack_request_length(r.b, 15, &total));
	assert_null(whack_request_length(r.b, 16, &total));
	assert_int_equal(total, 16);
}

/* Decided: unknown types without the 0x8000 bit are skipped, with it
 * rejected; 0 is reserved. */
static void test_unknown_fields(void **state)
{
	struct whack_msg want, d;
	whack_msg_init(&want, WHACK_ADD);
	whack_msg_set_name(&want, "c");
	whack_msg_add_conn(&want, "left", "192.0.2.1");
	whack_msg_add_conn(&want, "right", "192.0.2.2");

	struct raw r;
	raw_start(&r, WHACK_ADD, 0);
	raw_field(&r, 0x7fff, "future", 6);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "left", 4, "192.0.2.1", 9);
	raw_field(&r, 0x0042, "", 0);
	raw_field(&r, 0x0004, "\0\0\0\0\x01", 5);
	raw_pair(&r, WHACK_FIELD_CONN, "right", 5, "192.0.2.2", 9);
	raw_end(&r);
	err_t e = whack_decode(r.b, r.n, &d);
	if (e != NULL)
		fail_msg("%s", e);
	assert_msg_equal(&want, &d);
	whack_msg_free(&d);

	static const uint16_t critical[] = { 0x8000, 0x8004, 0xffff };
	for (size_t i = 0; i < sizeof(critical) / sizeof(critical[0]); i++) {
		raw_start(&r, WHACK_ADD, 0);
		raw_field(&r, WHACK_FIELD_NAME, "c", 1);
		raw_field(&r, critical[i], "x", 1);
		raw_end(&r);
		expect_reject(r.b, r.n, "unknown critical field");
	}
	raw_start(&r, WHACK_PING, 0);
	raw_field(&r, 0, "", 0);
	raw_end(&r);
	expect_reject(r.b, r.n, "reserved");
	whack_msg_free(&want);
}

static void test_invalid_content(void **state)
{
	struct raw r;
	/* strings with NUL */
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "a\0b", 3);
	expect_reject(raw_end(&r), r.n, "NUL");
	raw_start(&r, WHACK_ADD, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "le\0ft", 5, "x", 1);
	expect_reject(raw_end(&r), r.n, "NUL");
	raw_start(&r, WHACK_ADD, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "left", 4, "1.2.3.4\0", 8);
	expect_reject(raw_end(&r), r.n, "NUL");
	/* empty name, control characters, bad keys */
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "", 0);
	expect_reject(raw_end(&r), r.n, "empty connection name");
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "a\nforged log line", 17);
	expect_reject(raw_end(&r), r.n, "control character");
	static const char *const bad_keys[] = { "", "a=b", "a b", "k\x01", "k\x7f", "\xc3\xa9" };
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		raw_start(&r, WHACK_STATUS, 0);
		raw_pair(&r, WHACK_FIELD_OPTION, bad_keys[i], strlen(bad_keys[i]), "v", 1);
		expect_reject(raw_end(&r), r.n, "key");
	}
	/* repeats */
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "a", 1);
	raw_field(&r, WHACK_FIELD_NAME, "a", 1);
	expect_reject(raw_end(&r), r.n, "given twice");
	raw_start(&r, WHACK_ADD, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "left", 4, "1", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "right", 5, "2", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "left", 4, "3", 1);
	expect_reject(raw_end(&r), r.n, "duplicate key");
	raw_start(&r, WHACK_STATUS, 0);
	raw_pair(&r, WHACK_FIELD_OPTION, "json", 4, "yes", 3);
	raw_pair(&r, WHACK_FIELD_OPTION, "json", 4, "no", 2);
	expect_reject(raw_end(&r), r.n, "duplicate key");
	/* the same key once as keyword and once as option is fine */
	raw_start(&r, WHACK_ADD, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "json", 4, "1", 1);
	raw_pair(&r, WHACK_FIELD_OPTION, "json", 4, "1", 1);
	struct whack_msg d;
	assert_null(whack_decode(raw_end(&r), r.n, &d));
	whack_msg_free(&d);
	/* what the command table allows */
	raw_start(&r, WHACK_PING, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	expect_reject(raw_end(&r), r.n, "takes no connection name");
	raw_start(&r, WHACK_INITIATE, 0);
	expect_reject(raw_end(&r), r.n, "needs a connection name");
	raw_start(&r, WHACK_DELETE, 0);
	raw_field(&r, WHACK_FIELD_NAME, "c", 1);
	raw_pair(&r, WHACK_FIELD_CONN, "left", 4, "1", 1);
	expect_reject(raw_end(&r), r.n, "takes no ipsec.conf keywords");
	raw_start(&r, 0, 0);
	expect_reject(raw_end(&r), r.n, "unknown command");
	raw_start(&r, 99, 0);
	expect_reject(raw_end(&r), r.n, "unknown command");
	raw_start(&r, WHACK_PING, 1u << 31);
	expect_reject(raw_end(&r), r.n, "unknown flag");

	/* the encoder applies the same rules */
	struct whack_msg m;
	struct whack_buf b;
	whack_buf_init(&b, WHACK_MSG_MAX);
	whack_msg_init(&m, WHACK_ADD);
	assert_non_null(whack_encode(&m, &b));           /* no name */
	whack_msg_set_name(&m, "c");
	whack_msg_add_conn(&m, "left", "1");
	whack_msg_add_conn(&m, "left", "2");
	assert_non_null(whack_encode(&m, &b));           /* duplicate */
	whack_msg_free(&m);
	whack_msg_init(&m, WHACK_STATUS);
	whack_msg_add_option(&m, "bad key", "1");
	assert_non_null(whack_encode(&m, &b));
	whack_msg_free(&m);
	whack_msg_init(&m, (enum whack_command)77);
	assert_non_null(whack_encode(&m, &b));
	whack_msg_init(&m, WHACK_PING);
	m.flags = 1u << 30;   /* not a known flag */
	assert_non_null(whack_encode(&m, &b));
	assert_int_equal(b.len, 0);
	whack_buf_free(&b);
}

/* ---- reply records in a buffer ---- */

static void test_reply_records(void **state)
{
	struct whack_buf b;
	whack_buf_init(&b, 4096);
	assert_null(whack_reply_put(&b, WHACK_REPLY_LINE, "000 west-east: up", 17));
	assert_null(whack_reply_put(&b, WHACK_REPLY_LINE, "", 0));
	assert_null(whack_reply_put(&b, WHACK_REPLY_JSON, "{\n \"a\": 1\n}", 11));
	assert_null(whack_reply_put_status(&b, 255));
	static const uint8_t head[] = { 0, 1, 0, 0, 0, 17, '0', '0', '0', ' ' };
	assert_memory_equal(b.data, head, sizeof(head));
	assert_memory_equal(b.data + b.len - 10, "\0\3\0\0\0\4\0\0\0\xff", 10);

	static const struct { uint16_t type; const char *text; int status; } want[] = {
		{ WHACK_REPLY_LINE, "000 west-east: up", 0 },
		{ WHACK_REPLY_LINE, "", 0 },
		{ WHACK_REPLY_JSON, "{\n \"a\": 1\n}", 0 },
		{ WHACK_REPLY_STATUS, NULL, 255 },
	};
	size_t at = 0;
	for (size_t i = 0; i < 4; i++) {
		struct whack_reply rec;
		size_t used;
		err_t e = whack_reply_parse(b.data + at, b.len - at, &rec, &used);
		if (e != NULL)
			fail_msg("record %zu: %s", i, e);
		assert_int_equal(rec.type, want[i].type);
		if (want[i].text != NULL) {
			assert_int_equal(rec.len, strlen(want[i].text));
			assert_memory_equal(rec.text, want[i].text, rec.len);
		} else {
			assert_int_equal(rec.status, want[i].status);
		}
		/* every strict prefix of a record is refused */
		for (size_t cut = 0; cut < used; cut++)
			assert_non_null(whack_reply_parse(b.data + at, cut, &rec, &used));
		at += used;
	}
	assert_int_equal(at, b.len);

	/* what writers refuse */
	size_t before = b.len;
	assert_non_null(whack_reply_put(&b, WHACK_REPLY_LINE, "two\nlines", 9));
	assert_non_null(whack_reply_put(&b, WHACK_REPLY_LINE, "n\0l", 3));
	assert_non_null(whack_reply_put(&b, WHACK_REPLY_JSON, "{\0}", 3));
	assert_non_null(whack_reply_put(&b, WHACK_REPLY_STATUS, "\0\0\0\0", 4));
	assert_non_null(whack_reply_put_status(&b, -1));
	assert_non_null(whack_reply_put_status(&b, 256));
	assert_int_equal(b.len, before);
	whack_buf_free(&b);

	/* what the parser refuses, and what it passes on to be skipped */
	struct whack_reply rec;
	size_t used;
	static const struct { uint8_t bytes[12]; size_t len; const char *why; } bad[] = {
		{ { 0, 0, 0, 0, 0, 0 }, 6, "reserved" },
		{ { 0x80, 1, 0, 0, 0, 0 }, 6, "critical" },
		{ { 0, 3, 0, 0, 0, 5, 0, 0, 0, 0, 1 }, 11, "4 bytes" },
		{ { 0, 3, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff }, 10, "0..255" },
		{ { 0, 3, 0, 0, 0, 4, 0, 0, 1, 0 }, 10, "0..255" },
		{ { 0, 1, 0, 0x10, 0, 1, 'x' }, 7, "1 MiB" },
		{ { 0, 1, 0xff, 0xff, 0xff, 0xff }, 6, "1 MiB" },
		{ { 0, 1, 0, 0, 0, 2, 'a', '\n' }, 8, "newline" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = whack_reply_parse(bad[i].bytes, bad[i].len, &rec, &used);
		if (e == NULL || strstr(e, bad[i].why) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, e ? e : "(accepted)", bad[i].why);
	}
	static const uint8_t future[] = { 0x7f, 0x00, 0, 0, 0, 2, 0, '\n' };
	assert_null(whack_reply_parse(future, sizeof(future), &rec, &used));
	assert_int_equal(rec.type, 0x7f00);
	assert_int_equal(used, sizeof(future));

	/* a fixed buffer refuses a record that does not fit */
	uint8_t storage[16];
	whack_buf_init_fixed(&b, storage, sizeof(storage));
	assert_non_null(whack_reply_put(&b, WHACK_REPLY_LINE, "0123456789abc", 13));
	assert_null(whack_reply_put(&b, WHACK_REPLY_LINE, "0123456789", 10));
	assert_int_equal(b.len, 16);
}

/* ---- pluto's side on a real fd ---- */

static void test_read_request_from_fd(void **state)
{
	int sv[2];
	char err[WHACK_ERR_BUF];
	struct whack_msg m, d;
	struct whack_buf b;

	/* a good request, written in two pieces */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sample_msg(&m, whack_command_by_name("replace"));
	encode_ok(&m, &b);
	assert_int_equal(write(sv[0], b.data, 10), 10);
	assert_int_equal(write(sv[0], b.data + 10, b.len - 10), (ssize_t)(b.len - 10));
	assert_int_equal(whack_read_request(sv[1], WHACK_MSG_MAX, &d, err), 0);
	assert_msg_equal(&m, &d);
	whack_msg_free(&d);

	/* over the caller's bound: refused from the header alone (the body
	 * is never sent, so reading it would block) */
	assert_int_equal(write(sv[0], b.data, 16), 16);
	assert_int_equal(whack_read_request(sv[1], 40, &d, err), -EPROTO);
	assert_non_null(strstr(err, "bound"));
	assert_null(d.name);
	close(sv[0]);
	close(sv[1]);

	/* the client goes away mid-request */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], b.data, b.len - 1), (ssize_t)(b.len - 1));
	close(sv[0]);
	assert_int_equal(whack_read_request(sv[1], WHACK_MSG_MAX, &d, err), -EPROTO);
	assert_non_null(strstr(err, "mid-request"));
	close(sv[1]);

	/* ... or before a whole header; not a whack client at all */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(whack_read_request(sv[1], WHACK_MSG_MAX, &d, err), -EPROTO);
	assert_non_null(strstr(err, "header"));
	close(sv[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "GET / HTTP/1.1\r\n\r\n", 18), 18);
	assert_int_equal(whack_read_request(sv[1], WHACK_MSG_MAX, &d, err), -EPROTO);
	assert_non_null(strstr(err, "bad magic"));
	assert_int_equal(whack_read_request(sv[1], 8, &d, err), -EINVAL);
	close(sv[0]);
	close(sv[1]);

	whack_buf_free(&b);
	whack_msg_free(&m);
}

static void test_reply_writers_on_fd(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(whack_reply_linef(sv[0], "%03d %s", 7, "seven"), 0);
	assert_int_equal(whack_reply_line(sv[0], "bad\nline"), -EINVAL);
	assert_int_equal(whack_reply_status(sv[0], 300), -EINVAL);
	assert_int_equal(whack_reply_status(sv[0], 0), 0);
	uint8_t got[64];
	ssize_t n = read(sv[1], got, sizeof(got));
	assert_int_equal(n, 6 + 9 + 10);   /* nothing from the refused calls */
	assert_memory_equal(got, "\0\1\0\0\0\x09" "007 seven" "\0\3\0\0\0\4\0\0\0\0", 25);
	/* the tool has gone: an error, not SIGPIPE */
	close(sv[1]);
	assert_int_equal(whack_reply_line(sv[0], "anyone?"), -EPIPE);
	close(sv[0]);
}

/* ---- a client against an in-test server ---- */

struct collected {
	size_t n;
	enum whack_reply_type type[16];
	char *text[16];
	int stop_after;   /* > 0: callback fails on that record */
};

static int collect(void *ctx, enum whack_reply_type type, const char *text, size_t len)
{
	struct collected *c = ctx;
	assert_int_equal(strlen(text), len);   /* NUL terminated for us */
	assert_true(c->n < 16);
	c->type[c->n] = type;
	c->text[c->n] = strdup(text);
	c->n++;
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return -EINTR;
	return 0;
}

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->text[i]);
	c->n = 0;
}

/* The server: decodes, echoes the request back as lines, then a JSON
 * record and status 7. No cmocka calls off the main thread. */
struct server_job {
	int fd;
	int rc;
	char err[WHACK_ERR_BUF];
};

static void *serve_echo(void *arg)
{
	struct server_job *job = arg;
	struct whack_msg m;
	job->rc = whack_read_request(job->fd, WHACK_MSG_MAX, &m, job->err);
	if (job->rc != 0)
		return NULL;
	const struct whack_command_desc *cmd = whack_command_by_code(m.command);
	int rc = whack_reply_linef(job->fd, "%s %s", cmd->name, m.name ? m.name : "-");
	for (size_t i = 0; i < m.conn.n && rc == 0; i++)
		rc = whack_reply_linef(job->fd, "%s=%s", m.conn.v[i].key, m.conn.v[i].value);
	if (rc == 0)
		rc = whack_reply_json(job->fd, "{\"keywords\": 6}");
	if (rc == 0)
		rc = whack_reply_status(job->fd, 7);
	job->rc = rc;
	whack_msg_free(&m);
	return NULL;
}

static void test_client_with_thread_server(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct server_job job = { .fd = sv[1] };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, serve_echo, &job), 0);

	struct whack_msg m;
	sample_msg(&m, whack_command_by_name("add"));
	char err[WHACK_ERR_BUF] = "";
	assert_int_equal(whack_send_request(sv[0], &m, err), 0);
	struct collected c = { 0 };
	int rc = whack_read_replies(sv[0], collect, &c, err);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (job.rc != 0)
		fail_msg("server: %d %s", job.rc, job.err);
	if (rc != 7)
		fail_msg("client: %d %s", rc, err);
	assert_int_equal(c.n, 1 + 6 + 1);
	assert_string_equal(c.text[0], "add west-east");
	assert_string_equal(c.text[1], "left=198.18.0.1");
	assert_string_equal(c.text[4], "leftid=@Zürich gw=1");
	assert_string_equal(c.text[5], "x-note=");
	assert_int_equal(c.type[6], WHACK_REPLY_LINE);
	assert_int_equal(c.type[7], WHACK_REPLY_JSON);
	assert_string_equal(c.text[7], "{\"keywords\": 6}");
	collected_free(&c);
	whack_msg_free(&m);
	close(sv[0]);
	close(sv[1]);
}

/* Write raw reply bytes, then see what the reader makes of them. */
static int read_canned(const void *bytes, size_t len, struct collected *c,
		       char err[WHACK_ERR_BUF])
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], bytes, len), (ssize_t)len);
	close(sv[1]);
	int rc = whack_read_replies(sv[0], collect, c, err);
	close(sv[0]);
	return rc;
}

static void test_client_stream_errors(void **state)
{
	char err[WHACK_ERR_BUF];
	struct collected c = { 0 };
	/* no final status */
	static const char no_status[] = "\0\1\0\0\0\2hi";
	assert_int_equal(read_canned(no_status, 8, &c, err), -EPROTO);
	assert_non_null(strstr(err, "before the final status"));
	assert_int_equal(c.n, 1);
	collected_free(&c);
	/* a record cut short */
	assert_int_equal(read_canned("\0\1\0\0\0\5abc", 9, &c, err), -EPROTO);
	assert_non_null(strstr(err, "middle of a record"));
	/* a length over the limit is refused before anything is read */
	assert_int_equal(read_canned("\0\2\x7f\xff\xff\xff", 6, &c, err), -EPROTO);
	assert_non_null(strstr(err, "malformed reply"));
	/* unknown critical record */
	assert_int_equal(read_canned("\x80\x07\0\0\0\0", 6, &c, err), -EPROTO);
	assert_non_null(strstr(err, "critical"));
	/* unknown non-critical record skipped; nothing after STATUS read */
	static const char skip[] = "\0\x09\0\0\0\3abc" "\0\3\0\0\0\4\0\0\0\x2a" "garbage";
	assert_int_equal(read_canned(skip, sizeof(skip) - 1, &c, err), 42);
	assert_int_equal(c.n, 0);
	/* the callback stops the reading */
	c.stop_after = 1;
	static const char two[] = "\0\1\0\0\0\1a" "\0\1\0\0\0\1b" "\0\3\0\0\0\4\0\0\0\0";
	assert_int_equal(read_canned(two, sizeof(two) - 1, &c, err), -EINTR);
	assert_int_equal(c.n, 1);
	collected_free(&c);
	/* no callback at all */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], two, sizeof(two) - 1), (ssize_t)(sizeof(two) - 1));
	assert_int_equal(whack_read_replies(sv[0], NULL, NULL, err), 0);
	close(sv[0]);
	close(sv[1]);
}

/* A pluto stand-in in a child process, listening on a path. Its exit
 * code says what it saw: 0 when the request was as expected. */
static int child_serve_status(int lfd)
{
	alarm(20);   /* never outlive a parent that failed */
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return 2;
	struct whack_msg m;
	char err[WHACK_ERR_BUF];
	if (whack_read_request(fd, WHACK_MSG_MAX, &m, err) != 0)
		return 3;
	const char *json = whack_kvs_get(&m.options, "json");
	bool as_expected = m.command == WHACK_STATUS && m.name == NULL &&
			   json != NULL && strcmp(json, "yes") == 0;
	whack_msg_free(&m);
	if (!as_expected)
		return 4;
	/* a record type from the future sits between the lines */
	int rc = whack_reply_line(fd, "000 using kernel interface: xfrm");
	rc |= whack_reply_line(fd, "000 interface eth0 198.18.0.1:500");
	static const char future[] = "\0\x44\0\0\0\4" "skip";
	if (write(fd, future, 10) != 10)
		rc = -1;
	rc |= whack_reply_linef(fd, "000 %d connections loaded", 2);
	rc |= whack_reply_json(fd, "{\"connections\": 2}");
	rc |= whack_reply_status(fd, 3);
	close(fd);
	return rc == 0 ? 0 : 5;
}

struct tmp_sock {
	char dir[64];
	char path[96];
};

static void tmp_sock_make(struct tmp_sock *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/whack-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/pluto.ctl", t->dir);
}

static void tmp_sock_remove(struct tmp_sock *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

/* Bind t->path; listen unless told not to. */
static int tmp_sock_bind(struct tmp_sock *t, bool do_listen)
{
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(t->path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, t->path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(lfd, 1), 0);
	return lfd;
}

static void test_whack_call_over_unix_path(void **state)
{
	struct tmp_sock t;
	tmp_sock_make(&t);
	int lfd = tmp_sock_bind(&t, true);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_serve_status(lfd));
	close(lfd);

	struct whack_msg m;
	whack_msg_init(&m, WHACK_STATUS);
	whack_msg_add_option(&m, "json", "yes");
	struct collected c = { 0 };
	char err[WHACK_ERR_BUF] = "";
	int rc = whack_call(t.path, &m, collect, &c, err);
	int wstatus;
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	tmp_sock_remove(&t);
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		fail_msg("server child failed: wait status %#x", wstatus);
	if (rc != 3)
		fail_msg("whack_call: %d %s", rc, err);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.text[0], "000 using kernel interface: xfrm");
	assert_string_equal(c.text[1], "000 interface eth0 198.18.0.1:500");
	assert_string_equal(c.text[2], "000 2 connections loaded");
	assert_int_equal(c.type[3], WHACK_REPLY_JSON);
	assert_string_equal(c.text[3], "{\"connections\": 2}");
	collected_free(&c);
	whack_msg_free(&m);
}

static void test_whack_call_cannot_connect(void **state)
{
	struct tmp_sock t;
	tmp_sock_make(&t);
	struct whack_msg m;
	whack_msg_init(&m, WHACK_PING);
	char err[WHACK_ERR_BUF], want[WHACK_ERR_BUF + 64];

	/* nothing there */
	assert_int_equal(whack_call(t.path, &m, NULL, NULL, err), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot connect to pluto at %s: No such file or directory", t.path);
	assert_string_equal(err, want);

	/* a socket nobody listens on */
	int lfd = tmp_sock_bind(&t, false);
	assert_int_equal(whack_call(t.path, &m, NULL, NULL, err), -ECONNREFUSED);
	snprintf(want, sizeof(want), "cannot connect to pluto at %s: Connection refused", t.path);
	assert_string_equal(err, want);
	close(lfd);

	/* pluto accepts and hangs up without answering */
	tmp_sock_remove(&t);
	tmp_sock_make(&t);
	lfd = tmp_sock_bind(&t, true);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(20);
		int fd = accept(lfd, NULL, NULL);
		struct whack_msg got;
		char why[WHACK_ERR_BUF];
		int rc = whack_read_request(fd, WHACK_MSG_MAX, &got, why);
		whack_msg_free(&got);
		_exit(rc == 0 ? 0 : 1);
	}
	close(lfd);
	int rc = whack_call(t.path, &m, NULL, NULL, err);
	int wstatus;
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	assert_int_equal(rc, -EPROTO);
	snprintf(want, sizeof(want), "pluto at %s: connection closed before the final status", t.path);
	assert_string_equal(err, want);
	tmp_sock_remove(&t);

	/* a path that cannot be a socket address */
	char longpath[200];
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(whack_call(longpath, &m, NULL, NULL, err), -ENAMETOOLONG);
	assert_non_null(strstr(err, "cannot connect to pluto at /ppp"));
	assert_non_null(strstr(err, "File name too long"));

	/* the default path is named too when it is not there */
	int fd = whack_connect(NULL, err);
	if (fd >= 0)
		close(fd);
	else
		assert_non_null(strstr(err, "cannot connect to pluto at " WHACK_CTL_PATH ": "));

	/* a bad request is refused before any connection is tried */
	whack_msg_init(&m, WHACK_ADD);
	assert_int_equal(whack_call(longpath, &m, NULL, NULL, err), -EINVAL);
	assert_non_null(strstr(err, "invalid whack request: the command needs a connection name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_round_trip_every_command),
		cmocka_unit_test(test_round_trip_keeps_order_and_odd_values),
		cmocka_unit_test(test_golden_bytes),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_oversized_lengths),
		cmocka_unit_test(test_encoder_bounds),
		cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_invalid_content),
		cmocka_unit_test(test_reply_records),
		cmocka_unit_test(test_read_request_from_fd),
		cmocka_unit_test(test_reply_writers_on_fd),
		cmocka_unit_test(test_client_with_thread_server),
		cmocka_unit_test(test_client_stream_errors),
		cmocka_unit_test(test_whack_call_over_unix_path),
		cmocka_unit_test(test_whack_call_cannot_connect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
