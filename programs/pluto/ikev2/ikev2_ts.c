/* The Traffic Selector payloads TSi and TSr (RFC 7296 3.13): IPv4 and IPv6
 * address ranges with protocol and ports; other selector types kept raw. */
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define TS_PAYLOAD_HEADER 4  /* Number of TSs and three reserved octets */
#define TS_HEADER 4          /* TS Type, IP Protocol ID, Selector Length */
#define TS_V4_LEN 16
#define TS_V6_LEN 40

/* Address size of a selector type this codec interprets, or 0. */
static size_t ts_addr_len(uint8_t type)
{
	return type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 0;
}

static err_t decode_selector(const char *pn, size_t i, unsigned count, const uint8_t *sel,
			     size_t remaining, struct ikev2_ts *ts, size_t *used,
			     struct ikev2_diag *d)
{
	char tb[IKEV2_NAME_BUF];
	if (remaining < TS_HEADER)
		return ikev2_bad(d, "%s payload: selector %zu of %u: %zu bytes remain, less than a selector header (4)",
				 pn, i, count, remaining);
	uint8_t th[TS_HEADER];
	memcpy(th, sel, sizeof(th));
	size_t slen = ikev2_rd16(th + 2);
	if (slen < TS_HEADER)
		return ikev2_bad(d, "%s payload: selector %zu declares %zu bytes, less than its 4-byte header",
				 pn, i, slen);
	if (slen > remaining)
		return ikev2_bad(d, "%s payload: selector %zu declares %zu bytes but %zu remain",
				 pn, i, slen, remaining);
	*ts = (struct ikev2_ts){ .type = th[0], .ip_protocol = th[1] };
	*used = slen;
	size_t alen = ts_addr_len(ts->type);
	if (alen == 0) {
		ts->raw = ikev2_span(sel + TS_HEADER, slen - TS_HEADER);
		return NULL;
	}
	size_t want = TS_HEADER + 4 + 2 * alen;
	if (slen != want)
		return ikev2_bad(d, "%s payload: selector %zu (%s) is %zu bytes, not %zu", pn, i,
				 ikev2_str(&ikev2_ts_type_names, ts->type, tb), slen, want);
	uint8_t s[TS_V6_LEN];
	memcpy(s, sel, slen);
	ts->start_port = ikev2_rd16(s + 4);
	ts->end_port = ikev2_rd16(s + 6);
	ts->start.family = ts->end.family = alen == 4 ? IP_V4 : IP_V6;
	memcpy(ts->start.bytes, s + 8, alen);
	memcpy(ts->end.bytes, s + 8 + alen, alen);
	return NULL;
}

err_t ikev2_decode_ts(const struct ikev2_payload *p, struct ikev2_ts_list *out, struct ikev2_diag *d)
{
	char nb[IKEV2_NAME_BUF];
	if (p != NULL && p->type != IKEV2_PT_TSi && p->type != IKEV2_PT_TSr)
		return ikev2_fail(d, 0, "a %s payload given where TSi or TSr was expected",
				  ikev2_pt_str(p->type, nb));
	err_t e = ikev2_expect(p, p == NULL ? IKEV2_PT_TSi : p->type, d);
	if (e != NULL)
		return e;
	out->n = 0;
	const char *pn = ikev2_pt_str(p->type, nb);
	if (p->len < TS_PAYLOAD_HEADER)
		return ikev2_bad(d, "%s payload: %zu bytes, less than its 4-byte header", pn, p->len);
	unsigned count = p->body[0];
	if (count == 0)
		return ikev2_bad(d, "%s payload: no traffic selectors", pn);
	if (count > IKEV2_MAX_TS)
		return ikev2_fail(d, 0, "%s payload: %u traffic selectors, more than %d", pn, count,
				  IKEV2_MAX_TS);
	size_t off = TS_PAYLOAD_HEADER;
	for (size_t i = 1; i <= count; i++) {
		size_t used = 0;
		e = decode_selector(pn, i, count, p->body + off, p->len - off, &out->ts[out->n], &used, d);
		if (e != NULL)
			return e;
		out->n++;
		off += used;
	}
	if (off != p->len)
		return ikev2_bad(d, "%s payload: %zu bytes follow its %u selectors", pn, p->len - off, count);
	return NULL;
}

static void build_selector(struct ikev2_builder *b, const struct ikev2_ts *ts, size_t i)
{
	char tb[IKEV2_NAME_BUF];
	size_t alen = ts_addr_len(ts->type);
	size_t at = b->len;
	ikev2_put8(b, ts->type);
	ikev2_put8(b, ts->ip_protocol);
	ikev2_put16(b, 0);
	if (alen == 0) {
		ikev2_put_span(b, ts->raw, "traffic selector");
	} else {
		unsigned family = alen == 4 ? IP_V4 : IP_V6;
		if (ts->start.family != family || ts->end.family != family)
			ikev2_build_fail(b, "traffic selector %zu: %s needs IPv%u addresses", i,
					 ikev2_str(&ikev2_ts_type_names, ts->type, tb), family);
		ikev2_put16(b, ts->start_port);
		ikev2_put16(b, ts->end_port);
		ikev2_put(b, ts->start.bytes, alen);
		ikev2_put(b, ts->end.bytes, alen);
	}
	ikev2_patch_len16(b, at + 2, b->len - at, "a traffic selector");
}

size_t ikev2_build_ts(struct ikev2_builder *b, uint8_t type, const struct ikev2_ts_list *ts)
{
	char nb[IKEV2_NAME_BUF];
	if (type != IKEV2_PT_TSi && type != IKEV2_PT_TSr) {
		ikev2_build_fail(b, "%s is not a traffic selector payload type", ikev2_pt_str(type, nb));
		return SIZE_MAX;
	}
	size_t at = ikev2_payload_begin(b, type, false);
	if (ts->n == 0 || ts->n > IKEV2_MAX_TS)
		ikev2_build_fail(b, "%s payload: %zu traffic selectors (1 to %d)",
				 ikev2_pt_str(type, nb), ts->n, IKEV2_MAX_TS);
	ikev2_put8(b, (uint8_t)ts->n);
	ikev2_put(b, NULL, 3);
	for (size_t i = 0; !b->failed && i < ts->n; i++)
		build_selector(b, &ts->ts[i], i + 1);
	return ikev2_payload_end(b, at);
}

static bool ts_eq(const struct ikev2_ts *a, const struct ikev2_ts *b)
{
	if (a->type != b->type || a->ip_protocol != b->ip_protocol)
		return false;
	size_t alen = ts_addr_len(a->type);
	if (alen == 0)
		return ikev2_span_eq(a->raw, b->raw);
	return a->start_port == b->start_port && a->end_port == b->end_port &&
	       a->start.family == b->start.family && a->end.family == b->end.family &&
	       memcmp(a->start.bytes, b->start.bytes, alen) == 0 &&
	       memcmp(a->end.bytes, b->end.bytes, alen) == 0;
}

bool ikev2_ts_list_eq(const struct ikev2_ts_list *a, const struct ikev2_ts_list *b)
{
	if (a->n != b->n || a->n > IKEV2_MAX_TS)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (!ts_eq(&a->ts[i], &b->ts[i]))
			return false;
	}
	return true;
}

struct ikev2_ts ikev2_ts_range(const ip_address *start, const ip_address *end,
			       uint8_t ip_protocol, uint16_t start_port, uint16_t end_port)
{
	return (struct ikev2_ts){
		.type = start->family == IP_V6 ? IKEV2_TS_IPV6_ADDR_RANGE : IKEV2_TS_IPV4_ADDR_RANGE,
		.ip_protocol = ip_protocol,
		.start_port = start_port,
		.end_port = end_port,
		.start = *start,
		.end = *end,
	};
}
