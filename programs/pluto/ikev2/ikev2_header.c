/* IKEv2 framing: the 28-byte header and the payload chain (decode), the
 * diagnostics every decoder shares, and lookups over split payloads. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

err_t ikev2_fail(struct ikev2_diag *d, uint16_t notify, const char *fmt, ...)
{
	if (d == NULL)
		return "malformed IKEv2 message";
	d->notify = notify;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
	return d->text;
}

const char *ikev2_pt_str(uint8_t type, char buf[IKEV2_NAME_BUF])
{
	return ikev2_str(&ikev2_payload_names, type, buf);
}

err_t ikev2_expect(const struct ikev2_payload *p, uint8_t type, struct ikev2_diag *d)
{
	char b1[IKEV2_NAME_BUF], b2[IKEV2_NAME_BUF];
	if (p == NULL)
		return ikev2_fail(d, 0, "no %s payload given", ikev2_pt_str(type, b1));
	if (p->type != type)
		return ikev2_fail(d, 0, "a %s payload given where %s was expected",
				  ikev2_pt_str(p->type, b1), ikev2_pt_str(type, b2));
	if (p->body == NULL && p->len != 0)
		return ikev2_fail(d, 0, "%s payload: no body", ikev2_pt_str(type, b1));
	return NULL;
}

err_t ikev2_decode_header(const uint8_t *msg, size_t len, struct ikev2_header *h,
			  struct ikev2_diag *d)
{
	if (d != NULL)
		*d = (struct ikev2_diag){ 0 };
	if (msg == NULL || len < IKEV2_HEADER_SIZE)
		return ikev2_fail(d, 0, "message is %zu bytes, shorter than the %d-byte IKE header",
				  msg == NULL ? (size_t)0 : len, IKEV2_HEADER_SIZE);
	uint8_t raw[IKEV2_HEADER_SIZE];
	memcpy(raw, msg, sizeof(raw));
	*h = (struct ikev2_header){ 0 };
	memcpy(h->spi_i, raw, 8);
	memcpy(h->spi_r, raw + 8, 8);
	h->next_payload = raw[16];
	h->major = raw[17] >> 4;
	h->minor = raw[17] & 0x0f;
	h->exchange = raw[18];
	h->flags = raw[19];
	h->message_id = ikev2_rd32(raw + 20);
	h->length = ikev2_rd32(raw + 24);
	/* RFC 7296 2.5: a higher major version gets INVALID_MAJOR_VERSION;
	 * a lower one (IKEv1) is not ours to answer. The minor is ignored. */
	if (h->major > IKEV2_MAJOR)
		return ikev2_fail(d, IKEV2_N_INVALID_MAJOR_VERSION,
				  "IKE major version %u is not supported (only 2)", h->major);
	if (h->major < IKEV2_MAJOR)
		return ikev2_fail(d, 0, "IKE major version %u is not IKEv2", h->major);
	if (h->length != len)
		return ikev2_fail(d, 0, "header says the message is %u bytes but %zu were received",
				  (unsigned)h->length, len);
	return NULL;
}

/* The walk shared by the outer chain (starting at the header's next
 * payload, after 28 bytes) and inner chains (from offset 0). */
static err_t split(uint8_t first, const uint8_t *buf, size_t len, size_t start, bool outer,
		   struct ikev2_payloads *out, struct ikev2_diag *d)
{
	char nb[IKEV2_NAME_BUF];
	out->n = 0;
	out->skipped = 0;
	out->skipped_type = 0;
	uint8_t np = first;
	size_t off = start;
	size_t index = 0;  /* 1-based position in the chain, for messages */
	while (np != IKEV2_PT_NONE) {
		index++;
		if (off >= len)
			return ikev2_bad(d, "payload %zu (%s) is announced but the message ends at byte %zu",
					 index, ikev2_pt_str(np, nb), len);
		size_t remaining = len - off;
		if (remaining < IKEV2_PAYLOAD_HEADER_SIZE)
			return ikev2_bad(d, "payload %zu (%s) at byte %zu: %zu bytes remain, less than a payload header (4)",
					 index, ikev2_pt_str(np, nb), off, remaining);
		uint8_t gh[IKEV2_PAYLOAD_HEADER_SIZE];
		memcpy(gh, buf + off, sizeof(gh));
		size_t declared = ikev2_rd16(gh + 2);
		if (declared < IKEV2_PAYLOAD_HEADER_SIZE)
			return ikev2_bad(d, "payload %zu (%s) at byte %zu declares %zu bytes, less than its 4-byte header",
					 index, ikev2_pt_str(np, nb), off, declared);
		if (declared > remaining)
			return ikev2_bad(d, "payload %zu (%s) at byte %zu declares %zu bytes but %zu remain",
					 index, ikev2_pt_str(np, nb), off, declared, remaining);
		bool critical = (gh[1] & IKEV2_CRITICAL) != 0;
		if (!ikev2_payload_supported(np)) {
			if (critical) {
				err_t e = ikev2_fail(d, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
						     "payload %zu at byte %zu has unsupported type %u and is marked critical",
						     index, off, np);
				if (d != NULL)
					d->payload = np;
				return e;
			}
			if (out->skipped++ == 0)
				out->skipped_type = np;
			np = gh[0];
			off += declared;
			continue;
		}
		if (!outer && (np == IKEV2_PT_SK || np == IKEV2_PT_SKF))
			return ikev2_bad(d, "%s payload inside an encrypted payload", ikev2_pt_str(np, nb));
		if (out->n == IKEV2_MAX_PAYLOADS)
			return ikev2_fail(d, 0, "more than %d payloads", IKEV2_MAX_PAYLOADS);
		struct ikev2_payload *p = &out->p[out->n++];
		p->type = np;
		p->critical = critical;
		p->next = gh[0];
		p->offset = off;
		p->body = buf + off + IKEV2_PAYLOAD_HEADER_SIZE;
		p->len = declared - IKEV2_PAYLOAD_HEADER_SIZE;
		off += declared;
		if (np == IKEV2_PT_SK || np == IKEV2_PT_SKF) {
			/* Its Next Payload names the first inner payload, so
			 * the outer chain ends here (RFC 7296 3.14: SK is last). */
			if (off != len)
				return ikev2_bad(d, "%s payload at byte %zu is not the last: %zu bytes follow it",
						 ikev2_pt_str(np, nb), p->offset, len - off);
			return NULL;
		}
		np = gh[0];
	}
	if (off != len)
		return ikev2_bad(d, "%zu bytes follow the last payload", len - off);
	return NULL;
}

err_t ikev2_split_payloads(const uint8_t *msg, size_t len, const struct ikev2_header *h,
			   struct ikev2_payloads *out, struct ikev2_diag *d)
{
	if (d != NULL)
		*d = (struct ikev2_diag){ 0 };
	out->n = 0;
	if (msg == NULL || len < IKEV2_HEADER_SIZE)
		return ikev2_fail(d, 0, "message is %zu bytes, shorter than the %d-byte IKE header",
				  msg == NULL ? (size_t)0 : len, IKEV2_HEADER_SIZE);
	return split(h->next_payload, msg, len, IKEV2_HEADER_SIZE, true, out, d);
}

err_t ikev2_split_chain(uint8_t first, const uint8_t *buf, size_t len,
			struct ikev2_payloads *out, struct ikev2_diag *d)
{
	if (d != NULL)
		*d = (struct ikev2_diag){ 0 };
	out->n = 0;
	if (buf == NULL)
		len = 0;
	return split(first, buf, len, 0, false, out, d);
}

err_t ikev2_decode_message(const uint8_t *msg, size_t len, struct ikev2_header *h,
			   struct ikev2_payloads *out, struct ikev2_diag *d)
{
	out->n = 0;
	err_t e = ikev2_decode_header(msg, len, h, d);
	if (e != NULL)
		return e;
	return ikev2_split_payloads(msg, len, h, out, d);
}

const struct ikev2_payload *ikev2_payloads_find(const struct ikev2_payloads *pl,
						uint8_t type, size_t i)
{
	for (size_t k = 0; k < pl->n; k++) {
		if (pl->p[k].type == type && i-- == 0)
			return &pl->p[k];
	}
	return NULL;
}

size_t ikev2_payloads_count(const struct ikev2_payloads *pl, uint8_t type)
{
	size_t n = 0;
	for (size_t k = 0; k < pl->n; k++)
		n += pl->p[k].type == type;
	return n;
}

const struct ikev2_payload *ikev2_payloads_find_notify(const struct ikev2_payloads *pl,
						       uint16_t notify_type)
{
	for (size_t k = 0; k < pl->n; k++) {
		const struct ikev2_payload *p = &pl->p[k];
		if (p->type != IKEV2_PT_N || p->len < 4)
			continue;
		uint8_t nh[4];
		memcpy(nh, p->body, sizeof(nh));
		if (ikev2_rd16(nh + 2) == notify_type)
			return p;
	}
	return NULL;
}

bool ikev2_span_eq(struct ikev2_span a, struct ikev2_span b)
{
	if (a.len != b.len)
		return false;
	return a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0;
}
