/* Reply records (see whack.h): the rules for each record type, writing
 * records into a buffer or to pluto's end of the socket, and parsing a
 * record out of a buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "whack_internal.h"

static const struct reply_rule {
	uint16_t type;
	bool is_status;   /* 4-byte exit code rather than text */
	bool one_line;    /* text may not contain '\n' */
} reply_rules[] = {
	{ WHACK_REPLY_LINE, false, true },
	{ WHACK_REPLY_JSON, false, false },
	{ WHACK_REPLY_STATUS, true, false },
};

static const struct reply_rule *reply_rule(uint16_t type)
{
	for (size_t i = 0; i < sizeof(reply_rules) / sizeof(reply_rules[0]); i++)
		if (reply_rules[i].type == type)
			return &reply_rules[i];
	return NULL;
}

bool whack_reply_type_known(uint16_t type)
{
	return reply_rule(type) != NULL;
}

err_t whack_reply_check_header(uint16_t type, uint32_t len)
{
	const struct reply_rule *r = reply_rule(type);
	if (r == NULL && type == 0)
		return "record type 0 is reserved";
	if (r == NULL && (type & WHACK_REPLY_CRITICAL))
		return "unknown critical record type";
	if (len > WHACK_REPLY_MAX)
		return "record longer than the 1 MiB limit";
	if (r != NULL && r->is_status && len != 4)
		return "status record is not 4 bytes long";
	return NULL;
}

err_t whack_reply_check_body(uint16_t type, const uint8_t *bytes, size_t len,
			     int *status)
{
	const struct reply_rule *r = reply_rule(type);
	if (r == NULL)
		return NULL;   /* unknown, not critical: the reader skips it */
	if (r->is_status) {
		/* Reading the u32 first keeps negative values out of range
		 * without a signed conversion. */
		uint32_t code = get_be32(bytes);
		if (code > 255)
			return "exit status outside 0..255";
		*status = (int)code;
		return NULL;
	}
	if (len == 0)
		return NULL;   /* an empty line is fine; bytes may be NULL */
	if (memchr(bytes, '\0', len) != NULL)
		return "reply text contains a NUL byte";
	if (r->one_line && memchr(bytes, '\n', len) != NULL)
		return "reply line contains a newline";
	return NULL;
}

/* ---- into a buffer ---- */

static err_t put_record(struct whack_buf *b, uint16_t type,
			const uint8_t *bytes, size_t len)
{
	int status;
	if (len > WHACK_REPLY_MAX)
		return "record longer than the 1 MiB limit";
	err_t e = whack_reply_check_header(type, (uint32_t)len);
	if (e == NULL)
		e = whack_reply_check_body(type, bytes, len, &status);
	if (e != NULL)
		return e;
	uint8_t *p = whack_buf_extend(b, WHACK_REPLY_HDR_LEN + len);
	if (p == NULL)
		return "record does not fit in the buffer";
	put_be16(p, type);
	put_be32(p + 2, (uint32_t)len);
	if (len > 0)
		memcpy(p + WHACK_REPLY_HDR_LEN, bytes, len);
	return NULL;
}

err_t whack_reply_put(struct whack_buf *b, enum whack_reply_type type,
		      const char *text, size_t len)
{
	const struct reply_rule *r = reply_rule((uint16_t)type);
	if (r == NULL || r->is_status)
		return "not a text record type";
	return put_record(b, (uint16_t)type, (const uint8_t *)text, len);
}

err_t whack_reply_put_status(struct whack_buf *b, int status)
{
	if (status < 0 || status > 255)
		return "exit status outside 0..255";
	uint8_t code[4];
	put_be32(code, (uint32_t)status);
	return put_record(b, WHACK_REPLY_STATUS, code, sizeof(code));
}

err_t whack_reply_parse(const uint8_t *buf, size_t len,
			struct whack_reply *rec, size_t *used)
{
	if (len < WHACK_REPLY_HDR_LEN)
		return "record header cut short";
	uint16_t type = get_be16(buf);
	uint32_t rlen = get_be32(buf + 2);
	err_t e = whack_reply_check_header(type, rlen);
	if (e != NULL)
		return e;
	if (rlen > len - WHACK_REPLY_HDR_LEN)
		return "record cut short";
	const uint8_t *body = buf + WHACK_REPLY_HDR_LEN;
	*rec = (struct whack_reply){ .type = type, .text = (const char *)body,
				     .len = rlen };
	e = whack_reply_check_body(type, body, rlen, &rec->status);
	if (e != NULL)
		return e;
	*used = WHACK_REPLY_HDR_LEN + rlen;
	return NULL;
}

/* ---- to pluto's end of the socket: one write per record, so records
 * from one request never interleave mid-record ---- */

static int write_record(int fd, enum whack_reply_type type, const char *text,
			size_t len, int status)
{
	struct whack_buf b;
	whack_buf_init(&b, WHACK_REPLY_HDR_LEN + WHACK_REPLY_MAX);
	err_t e = type == WHACK_REPLY_STATUS ? whack_reply_put_status(&b, status)
					     : whack_reply_put(&b, type, text, len);
	int rc = e != NULL ? -EINVAL : whack_write_all(fd, b.data, b.len);
	whack_buf_free(&b);
	return rc;
}

int whack_reply_line(int fd, const char *text)
{
	return write_record(fd, WHACK_REPLY_LINE, text, strlen(text), 0);
}

int whack_reply_linef(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	int rc = whack_reply_line(fd, text);
	free(text);
	return rc;
}

int whack_reply_json(int fd, const char *json)
{
	return write_record(fd, WHACK_REPLY_JSON, json, strlen(json), 0);
}

int whack_reply_status(int fd, int status)
{
	return write_record(fd, WHACK_REPLY_STATUS, NULL, 0, status);
}
