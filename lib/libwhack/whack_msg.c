/* The request wire format (see whack.h): encoding a struct whack_msg
 * into bytes and decoding bytes back. Lengths are checked before every
 * read, and every field is copied out with memcpy, never cast. */
#include <string.h>
#include "whack_internal.h"

#define TOO_BIG "message would exceed the 1 MiB limit"
#define NO_ROOM "message does not fit in the buffer"

/* ---- encoding ---- */

/* Append one field: a plain string (key == NULL) or a key/value pair.
 * start is where this message began in out; the room left under
 * WHACK_MSG_MAX is checked term by term, so neither the sum nor the
 * narrowing to u32 can overflow. */
static err_t put_field(struct whack_buf *out, size_t start, uint16_t type,
		       const char *key, const char *value)
{
	size_t klen = key != NULL ? strlen(key) : 0;
	size_t vlen = strlen(value);
	size_t prefix = key != NULL ? 4 : 0;
	size_t avail = WHACK_MSG_MAX - (out->len - start);
	if (klen > avail || vlen > avail - klen ||
	    WHACK_FIELD_HDR_LEN + prefix > avail - klen - vlen)
		return TOO_BIG;
	size_t body = prefix + klen + vlen;
	uint8_t *p = whack_buf_extend(out, WHACK_FIELD_HDR_LEN + body);
	if (p == NULL)
		return NO_ROOM;
	put_be16(p, type);
	put_be32(p + 2, (uint32_t)body);
	p += WHACK_FIELD_HDR_LEN;
	if (key != NULL) {
		put_be32(p, (uint32_t)klen);
		memcpy(p + 4, key, klen);
		p += 4 + klen;
	}
	memcpy(p, value, vlen);
	return NULL;
}

static err_t put_pairs(struct whack_buf *out, size_t start, uint16_t type,
		       const struct whack_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		err_t e = put_field(out, start, type, kvs->v[i].key, kvs->v[i].value);
		if (e != NULL)
			return e;
	}
	return NULL;
}

err_t whack_encode(const struct whack_msg *m, struct whack_buf *out)
{
	err_t e = whack_msg_check(m);
	if (e != NULL)
		return e;
	size_t start = out->len;
	uint8_t *h = whack_buf_extend(out, WHACK_HDR_LEN);
	if (h == NULL)
		return NO_ROOM;
	memcpy(h, WHACK_MAGIC, 4);
	put_be16(h + 4, WHACK_VERSION);
	put_be16(h + 6, (uint16_t)m->command);
	put_be32(h + 8, m->flags);
	put_be32(h + 12, 0);   /* patched below, once known */

	if (m->name != NULL)
		e = put_field(out, start, WHACK_FIELD_NAME, NULL, m->name);
	if (e == NULL)
		e = put_pairs(out, start, WHACK_FIELD_CONN, &m->conn);
	if (e == NULL)
		e = put_pairs(out, start, WHACK_FIELD_OPTION, &m->options);
	if (e != NULL) {
		out->len = start;   /* leave no half message behind */
		return e;
	}
	/* put_field kept the total <= WHACK_MSG_MAX, so it fits a u32. */
	put_be32(out->data + start + 12, (uint32_t)(out->len - start));
	return NULL;
}

/* ---- decoding ---- */

err_t whack_request_length(const uint8_t *buf, size_t len, size_t *total)
{
	if (len < WHACK_HDR_LEN)
		return "message shorter than its header";
	if (memcmp(buf, WHACK_MAGIC, 4) != 0)
		return "bad magic: not a whack message";
	if (get_be16(buf + 4) != WHACK_VERSION)
		return "unsupported whack protocol version";
	uint32_t declared = get_be32(buf + 12);
	if (declared < WHACK_HDR_LEN)
		return "declared length is shorter than the header";
	if (declared > WHACK_MSG_MAX)
		return "declared length exceeds the 1 MiB limit";
	*total = declared;
	return NULL;
}

static err_t take_name(struct whack_msg *m, const uint8_t *v, size_t len)
{
	if (m->name != NULL)
		return "connection name given twice";
	if (memchr(v, '\0', len) != NULL)
		return "connection name contains a NUL byte";
	m->name = whack_copy_n((const char *)v, len);
	return NULL;
}

static err_t take_pair(struct whack_kvs *kvs, const uint8_t *v, size_t len)
{
	if (len < 4)
		return "pair shorter than its key length";
	uint32_t klen = get_be32(v);
	if (klen > len - 4)
		return "pair key length runs past the end of the field";
	const char *key = (const char *)v + 4;
	const char *value = key + klen;
	size_t vlen = len - 4 - klen;
	if (memchr(key, '\0', klen) != NULL || memchr(value, '\0', vlen) != NULL)
		return "key or value contains a NUL byte";
	whack_kvs_add_n(kvs, key, klen, value, vlen);
	return NULL;
}

static err_t take_conn(struct whack_msg *m, const uint8_t *v, size_t len)
{
	return take_pair(&m->conn, v, len);
}

static err_t take_option(struct whack_msg *m, const uint8_t *v, size_t len)
{
	return take_pair(&m->options, v, len);
}

static const struct {
	uint16_t type;
	err_t (*take)(struct whack_msg *m, const uint8_t *v, size_t len);
} field_rules[] = {
	{ WHACK_FIELD_NAME, take_name },
	{ WHACK_FIELD_CONN, take_conn },
	{ WHACK_FIELD_OPTION, take_option },
};

static err_t take_field(struct whack_msg *m, uint16_t type,
			const uint8_t *v, size_t len)
{
	for (size_t i = 0; i < sizeof(field_rules) / sizeof(field_rules[0]); i++)
		if (field_rules[i].type == type)
			return field_rules[i].take(m, v, len);
	if (type == 0)
		return "field type 0 is reserved";
	if (type & WHACK_FIELD_CRITICAL)
		return "unknown critical field type";
	return NULL;   /* unknown, not critical: skipped on purpose */
}

static err_t take_fields(struct whack_msg *m, const uint8_t *p, size_t left)
{
	while (left > 0) {
		if (left < WHACK_FIELD_HDR_LEN)
			return "field header cut short";
		uint16_t type = get_be16(p);
		uint32_t flen = get_be32(p + 2);
		left -= WHACK_FIELD_HDR_LEN;
		p += WHACK_FIELD_HDR_LEN;
		if (flen > left)
			return "field runs past the end of the message";
		err_t e = take_field(m, type, p, flen);
		if (e != NULL)
			return e;
		p += flen;
		left -= flen;
	}
	return NULL;
}

err_t whack_decode(const uint8_t *buf, size_t len, struct whack_msg *out)
{
	*out = (struct whack_msg){ 0 };
	size_t total;
	err_t e = whack_request_length(buf, len, &total);
	if (e != NULL)
		return e;
	if (total > len)
		return "message cut short: declared length exceeds the bytes received";
	if (total < len)
		return "bytes follow the declared end of the message";
	out->command = (enum whack_command)get_be16(buf + 6);
	out->flags = get_be32(buf + 8);
	e = take_fields(out, buf + WHACK_HDR_LEN, total - WHACK_HDR_LEN);
	if (e == NULL)
		e = whack_msg_check(out);
	if (e != NULL)
		whack_msg_free(out);
	return e;
}
