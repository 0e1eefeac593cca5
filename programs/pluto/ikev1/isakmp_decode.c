/* ISAKMP decoding: the header, the payload chain, and each payload (RFC
 * 2408 3, RFC 2407 4.6, RFC 3947 5). Lengths are checked before anything
 * is read; nothing is cast onto the packet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ikev1/isakmp.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct ikev2_span span(const uint8_t *p, size_t len)
{
	return (struct ikev2_span){ len ? p : NULL, len };
}

__attribute__((format(printf, 3, 4)))
static err_t fail(struct isakmp_diag *d, uint16_t notify, const char *fmt, ...)
{
	static char fallback[ISAKMP_DIAG_TEXT];
	char *text = d ? d->text : fallback;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, ISAKMP_DIAG_TEXT, fmt, ap);
	va_end(ap);
	if (d)
		d->notify = notify;
	return text;
}
#define malformed(d, ...) fail((d), ISAKMP_N_PAYLOAD_MALFORMED, __VA_ARGS__)

/* The payload types that may appear in a message's chain, with their names. */
static const struct {
	uint8_t type;
	const char *name;
} chain_types[] = {
	{ ISAKMP_NEXT_SA, "SA" },       { ISAKMP_NEXT_KE, "KE" },
	{ ISAKMP_NEXT_ID, "ID" },       { ISAKMP_NEXT_CERT, "CERT" },
	{ ISAKMP_NEXT_CR, "CR" },       { ISAKMP_NEXT_HASH, "HASH" },
	{ ISAKMP_NEXT_SIG, "SIG" },     { ISAKMP_NEXT_NONCE, "NONCE" },
	{ ISAKMP_NEXT_N, "N" },         { ISAKMP_NEXT_D, "D" },
	{ ISAKMP_NEXT_VID, "VID" },     { ISAKMP_NEXT_ATTR, "ATTR" },
	{ ISAKMP_NEXT_NATD, "NAT-D" },  { ISAKMP_NEXT_NATOA, "NAT-OA" },
	{ ISAKMP_NEXT_NATD_DRAFT, "NAT-D (draft)" },
	{ ISAKMP_NEXT_NATOA_DRAFT, "NAT-OA (draft)" },
	{ ISAKMP_NEXT_FRAG, "FRAG" },
};

static const char *type_name(uint8_t type)
{
	for (size_t i = 0; i < sizeof(chain_types) / sizeof(chain_types[0]); i++)
		if (chain_types[i].type == type)
			return chain_types[i].name;
	return NULL;
}

err_t isakmp_decode_header(const uint8_t *msg, size_t len, struct isakmp_header *h,
			   struct isakmp_diag *d)
{
	memset(h, 0, sizeof(*h));
	if (len < ISAKMP_HEADER_SIZE)
		return malformed(d, "%zu bytes, shorter than the 28-byte ISAKMP header", len);
	memcpy(h->icookie, msg, 8);
	memcpy(h->rcookie, msg + 8, 8);
	h->next_payload = msg[16];
	h->major = msg[17] >> 4;
	h->minor = msg[17] & 0x0f;
	h->exchange = msg[18];
	h->flags = msg[19];
	h->message_id = rd32(msg + 20);
	h->length = rd32(msg + 24);
	if (h->major != ISAKMP_MAJOR)
		return fail(d, ISAKMP_N_INVALID_MAJOR_VERSION, "ISAKMP major version %u, not 1", h->major);
	if (h->length != len)
		return fail(d, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
			    "the header says %u bytes but the datagram has %zu", h->length, len);
	return NULL;
}

static err_t split(uint8_t first, const uint8_t *buf, size_t len, size_t base,
		   struct isakmp_payloads *out, struct isakmp_diag *d)
{
	memset(out, 0, sizeof(*out));
	size_t off = 0;
	for (uint8_t next = first; next != ISAKMP_NEXT_NONE;) {
		const char *name = type_name(next);
		if (name == NULL)
			return fail(d, ISAKMP_N_INVALID_PAYLOAD_TYPE,
				    "payload %zu at byte %zu has type %u, which is not one a message may carry",
				    out->n + 1, base + off, next);
		if (out->n == ISAKMP_MAX_PAYLOADS)
			return malformed(d, "more than %d payloads", ISAKMP_MAX_PAYLOADS);
		if (len - off < 4)
			return malformed(d, "%s payload at byte %zu: its 4-byte header does not fit in the %zu bytes left",
					 name, base + off, len - off);
		uint8_t np = buf[off];
		size_t plen = rd16(buf + off + 2);
		if (buf[off + 1] != 0)
			return malformed(d, "%s payload at byte %zu: its reserved octet is %u, not 0",
					 name, base + off, buf[off + 1]);
		if (plen < 4 || plen > len - off)
			return malformed(d, "%s payload at byte %zu declares %zu bytes but %zu remain",
					 name, base + off, plen, len - off);
		struct isakmp_payload *p = &out->p[out->n++];
		p->type = next;
		p->offset = base + off;
		p->body = buf + off + 4;
		p->len = plen - 4;
		off += plen;
		next = np;
	}
	out->trailing = len - off;
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

err_t isakmp_split_payloads(const uint8_t *msg, size_t len, const struct isakmp_header *h,
			    struct isakmp_payloads *out, struct isakmp_diag *d)
{
	err_t e = split(h->next_payload, msg + ISAKMP_HEADER_SIZE, len - ISAKMP_HEADER_SIZE,
			ISAKMP_HEADER_SIZE, out, d);
	/* libreswan pads a clear message with zeros to a multiple of four
	 * octets (its Aggressive Mode message 2 with a CERT): taken */
	if (e == NULL && out->trailing != 0 &&
	    (out->trailing > 3 || len % 4 != 0 || !all_zero(msg + len - out->trailing, out->trailing)))
		return malformed(d, "%zu bytes follow the last payload of a clear message", out->trailing);
	return e;
}

err_t isakmp_split_chain(uint8_t first, const uint8_t *buf, size_t len,
			 struct isakmp_payloads *out, struct isakmp_diag *d)
{
	return split(first, buf, len, 0, out, d);
}

const struct isakmp_payload *isakmp_payloads_find(const struct isakmp_payloads *pl, uint8_t type,
						  size_t i)
{
	for (size_t k = 0; k < pl->n; k++)
		if (pl->p[k].type == type && i-- == 0)
			return &pl->p[k];
	return NULL;
}

static err_t expect(const struct isakmp_payload *p, uint8_t type, struct isakmp_diag *d)
{
	if (p == NULL)
		return malformed(d, "%s payload missing", type_name(type) ? type_name(type) : "a");
	if (p->type != type)
		return malformed(d, "payload type %u where %s was expected", p->type, type_name(type));
	return NULL;
}

/* ---- SA: proposals, transforms, attributes ----------------------------------- */

#define bad_proposal(d, ...) fail((d), ISAKMP_N_BAD_PROPOSAL_SYNTAX, __VA_ARGS__)

static err_t decode_attrs(const uint8_t *p, size_t len, struct isakmp_transform *t,
			  const char *where, struct isakmp_diag *d)
{
	size_t off = 0;
	while (off < len) {
		if (t->n_attrs == ISAKMP_MAX_ATTRS)
			return bad_proposal(d, "%s: more than %d attributes", where, ISAKMP_MAX_ATTRS);
		if (len - off < 4)
			return bad_proposal(d, "%s: attribute %zu is cut short (%zu bytes)", where,
					    t->n_attrs + 1, len - off);
		struct isakmp_attr *a = &t->attrs[t->n_attrs];
		uint16_t type = rd16(p + off);
		a->type = type & 0x7fff;
		a->basic = (type & 0x8000) != 0;
		if (a->basic) {
			a->value = rd16(p + off + 2);
			a->data = span(NULL, 0);
			off += 4;
		} else {
			size_t alen = rd16(p + off + 2);
			if (alen > len - off - 4)
				return bad_proposal(d, "%s: attribute %u declares %zu bytes but %zu remain",
						    where, a->type, alen, len - off - 4);
			a->data = span(p + off + 4, alen);
			a->value = 0;
			for (size_t i = 0; i < alen && alen <= 8; i++)
				a->value = a->value << 8 | p[off + 4 + i];
			off += 4 + alen;
		}
		t->n_attrs++;
	}
	return NULL;
}

static err_t decode_transforms(const uint8_t *p, size_t len, struct isakmp_proposal *pr,
			       unsigned count, struct isakmp_diag *d)
{
	size_t off = 0;
	for (unsigned i = 0; i < count; i++) {
		if (i == ISAKMP_MAX_TRANSFORMS)
			return bad_proposal(d, "proposal %u: more than %d transforms", pr->number,
					    ISAKMP_MAX_TRANSFORMS);
		if (len - off < 8)
			return bad_proposal(d, "proposal %u: transform %u of %u does not fit (%zu bytes left)",
					    pr->number, i + 1, count, len - off);
		uint8_t np = p[off];
		size_t tlen = rd16(p + off + 2);
		if (tlen < 8 || tlen > len - off)
			return bad_proposal(d, "proposal %u: transform %u declares %zu bytes but %zu remain",
					    pr->number, i + 1, tlen, len - off);
		bool last = i + 1 == count;
		if (np != (last ? ISAKMP_NEXT_NONE : ISAKMP_NEXT_T))
			return bad_proposal(d, "proposal %u: transform %u of %u says next payload %u",
					    pr->number, i + 1, count, np);
		if (p[off + 1] != 0 || rd16(p + off + 6) != 0)
			return bad_proposal(d, "proposal %u: transform %u: reserved bytes are not 0",
					    pr->number, i + 1);
		struct isakmp_transform *t = &pr->transforms[i];
		memset(t, 0, sizeof(*t));
		t->number = p[off + 4];
		t->id = p[off + 5];
		char where[48];
		snprintf(where, sizeof(where), "proposal %u transform %u", pr->number, t->number);
		err_t e = decode_attrs(p + off + 8, tlen - 8, t, where, d);
		if (e != NULL)
			return e;
		pr->n_transforms++;
		off += tlen;
	}
	if (off != len)
		return bad_proposal(d, "proposal %u: %zu bytes after its %u transforms", pr->number,
				    len - off, count);
	return NULL;
}

err_t isakmp_decode_sa(const struct isakmp_payload *p, struct isakmp_sa *out, struct isakmp_diag *d)
{
	err_t e = expect(p, ISAKMP_NEXT_SA, d);
	if (e != NULL)
		return e;
	memset(out, 0, sizeof(*out));
	if (p->len < 8)
		return malformed(d, "SA payload: %zu bytes, too short for DOI and situation", p->len);
	out->doi = rd32(p->body);
	out->situation = rd32(p->body + 4);
	if (out->doi != ISAKMP_DOI_IPSEC)
		return fail(d, ISAKMP_N_DOI_NOT_SUPPORTED, "SA payload: DOI %u, not IPsec (1)", out->doi);
	if (out->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return fail(d, ISAKMP_N_SITUATION_NOT_SUPPORTED,
			    "SA payload: situation %u, not SIT_IDENTITY_ONLY (1)", out->situation);
	const uint8_t *b = p->body + 8;
	size_t len = p->len - 8, off = 0;
	for (uint8_t next = ISAKMP_NEXT_P; next != ISAKMP_NEXT_NONE;) {
		if (next != ISAKMP_NEXT_P)
			return bad_proposal(d, "SA payload: a proposal says next payload %u", next);
		if (out->n_proposals == ISAKMP_MAX_PROPOSALS)
			return bad_proposal(d, "SA payload: more than %d proposals", ISAKMP_MAX_PROPOSALS);
		if (len - off < 8)
			return bad_proposal(d, "SA payload: proposal %zu does not fit (%zu bytes left)",
					    out->n_proposals + 1, len - off);
		size_t plen = rd16(b + off + 2);
		if (plen < 8 || plen > len - off)
			return bad_proposal(d, "SA payload: proposal %zu declares %zu bytes but %zu remain",
					    out->n_proposals + 1, plen, len - off);
		if (b[off + 1] != 0)
			return bad_proposal(d, "SA payload: proposal %zu: reserved octet is not 0",
					    out->n_proposals + 1);
		struct isakmp_proposal *pr = &out->proposals[out->n_proposals];
		memset(pr, 0, sizeof(*pr));
		pr->number = b[off + 4];
		pr->protocol = b[off + 5];
		pr->spi_size = b[off + 6];
		unsigned count = b[off + 7];
		if (out->n_proposals > 0 && pr->number < out->proposals[out->n_proposals - 1].number)
			return bad_proposal(d, "SA payload: proposal number %u after %u", pr->number,
					    out->proposals[out->n_proposals - 1].number);
		if (pr->spi_size > ISAKMP_MAX_SPI || pr->spi_size > plen - 8)
			return bad_proposal(d, "SA payload: proposal %u has a %u-byte SPI", pr->number,
					    pr->spi_size);
		if (count == 0)
			return bad_proposal(d, "SA payload: proposal %u has no transform", pr->number);
		memcpy(pr->spi, b + off + 8, pr->spi_size);
		e = decode_transforms(b + off + 8 + pr->spi_size, plen - 8 - pr->spi_size, pr, count, d);
		if (e != NULL)
			return e;
		out->n_proposals++;
		next = b[off];
		off += plen;
	}
	if (off != len)
		return bad_proposal(d, "SA payload: %zu bytes after the last proposal", len - off);
	return NULL;
}

/* ---- the other payloads ------------------------------------------------------ */

/* Fixed-size ID data of the IPsec DOI (RFC 2407 4.6.2.1), 0: any length >= 1. */
static const struct {
	uint8_t type;
	size_t len;
} id_sizes[] = {
	{ 1, 4 },  /* ID_IPV4_ADDR */
	{ 2, 0 },  /* ID_FQDN */
	{ 3, 0 },  /* ID_USER_FQDN */
	{ 4, 8 },  /* ID_IPV4_ADDR_SUBNET */
	{ 5, 16 }, /* ID_IPV6_ADDR */
	{ 6, 32 }, /* ID_IPV6_ADDR_SUBNET */
	{ 7, 8 },  /* ID_IPV4_ADDR_RANGE */
	{ 8, 32 }, /* ID_IPV6_ADDR_RANGE */
	{ 9, 0 },  /* ID_DER_ASN1_DN */
	{ 10, 0 }, /* ID_DER_ASN1_GN */
	{ 11, 0 }, /* ID_KEY_ID */
};

err_t isakmp_decode_id(const struct isakmp_payload *p, struct isakmp_id *out, struct isakmp_diag *d)
{
	err_t e = expect(p, ISAKMP_NEXT_ID, d);
	if (e != NULL)
		return e;
	if (p->len < 4)
		return malformed(d, "ID payload: %zu bytes, too short", p->len);
	out->type = p->body[0];
	out->protocol = p->body[1];
	out->port = rd16(p->body + 2);
	out->data = span(p->body + 4, p->len - 4);
	for (size_t i = 0; i < sizeof(id_sizes) / sizeof(id_sizes[0]); i++) {
		if (id_sizes[i].type != out->type)
			continue;
		if (id_sizes[i].len != 0 ? out->data.len != id_sizes[i].len : out->data.len == 0)
			return fail(d, ISAKMP_N_INVALID_ID_INFORMATION, "ID payload: type %u with %zu bytes of data",
				    out->type, out->data.len);
		return NULL;
	}
	return fail(d, ISAKMP_N_INVALID_ID_INFORMATION, "ID payload: unknown ID type %u", out->type);
}

static err_t decode_cert(const struct isakmp_payload *p, uint8_t type, struct isakmp_cert *out,
			 struct isakmp_diag *d)
{
	err_t e = expect(p, type, d);
	if (e != NULL)
		return e;
	if (p->len < 1 || (type == ISAKMP_NEXT_CERT && p->len < 2))
		return malformed(d, "%s payload: %zu bytes, too short", type_name(type), p->len);
	out->encoding = p->body[0];
	out->data = span(p->body + 1, p->len - 1);
	return NULL;
}

err_t isakmp_decode_cert(const struct isakmp_payload *p, struct isakmp_cert *out, struct isakmp_diag *d)
{
	return decode_cert(p, ISAKMP_NEXT_CERT, out, d);
}

err_t isakmp_decode_cr(const struct isakmp_payload *p, struct isakmp_cert *out, struct isakmp_diag *d)
{
	return decode_cert(p, ISAKMP_NEXT_CR, out, d);
}

/* Sizes of the payloads that are only bytes. */
static const struct {
	uint8_t type;
	size_t min, max;
} byte_sizes[] = {
	{ ISAKMP_NEXT_KE, 1, 1024 },    /* up to MODP8192 */
	{ ISAKMP_NEXT_HASH, 1, 64 },
	{ ISAKMP_NEXT_SIG, 1, 2048 },
	{ ISAKMP_NEXT_NONCE, 8, 256 },  /* RFC 2409 5 */
	{ ISAKMP_NEXT_VID, 1, 256 },
	{ ISAKMP_NEXT_NATD, 1, 64 },
	{ ISAKMP_NEXT_NATD_DRAFT, 1, 64 },
};

err_t isakmp_decode_bytes(const struct isakmp_payload *p, struct ikev2_span *out, struct isakmp_diag *d)
{
	if (p == NULL)
		return malformed(d, "payload missing");
	for (size_t i = 0; i < sizeof(byte_sizes) / sizeof(byte_sizes[0]); i++) {
		if (byte_sizes[i].type != p->type)
			continue;
		if (p->len < byte_sizes[i].min || p->len > byte_sizes[i].max)
			return malformed(d, "%s payload: %zu bytes, not within %zu..%zu", type_name(p->type),
					 p->len, byte_sizes[i].min, byte_sizes[i].max);
		*out = span(p->body, p->len);
		return NULL;
	}
	return malformed(d, "payload type %u is not a bytes-only payload", p->type);
}

err_t isakmp_decode_notify(const struct isakmp_payload *p, struct isakmp_notify *out,
			   struct isakmp_diag *d)
{
	err_t e = expect(p, ISAKMP_NEXT_N, d);
	if (e != NULL)
		return e;
	if (p->len < 8)
		return malformed(d, "N payload: %zu bytes, too short", p->len);
	out->doi = rd32(p->body);
	out->protocol = p->body[4];
	out->spi_size = p->body[5];
	out->type = rd16(p->body + 6);
	if (out->spi_size > p->len - 8)
		return malformed(d, "N payload: a %u-byte SPI in %zu bytes", out->spi_size, p->len - 8);
	out->spi = span(p->body + 8, out->spi_size);
	out->data = span(p->body + 8 + out->spi_size, p->len - 8 - out->spi_size);
	return NULL;
}

err_t isakmp_decode_delete(const struct isakmp_payload *p, struct isakmp_delete *out,
			   struct isakmp_diag *d)
{
	err_t e = expect(p, ISAKMP_NEXT_D, d);
	if (e != NULL)
		return e;
	if (p->len < 8)
		return malformed(d, "D payload: %zu bytes, too short", p->len);
	out->doi = rd32(p->body);
	out->protocol = p->body[4];
	out->spi_size = p->body[5];
	size_t n = rd16(p->body + 6);
	if (out->spi_size == 0 || n == 0)
		return malformed(d, "D payload: %zu SPIs of %u bytes", n, out->spi_size);
	if (n > ISAKMP_MAX_DELETE_SPIS)
		return malformed(d, "D payload: %zu SPIs, more than %d", n, ISAKMP_MAX_DELETE_SPIS);
	if (p->len - 8 != n * out->spi_size)
		return malformed(d, "D payload: %zu SPIs of %u bytes in %zu bytes", n, out->spi_size,
				 p->len - 8);
	out->n_spis = n;
	for (size_t i = 0; i < n; i++)
		out->spis[i] = p->body + 8 + i * out->spi_size;
	return NULL;
}

err_t isakmp_decode_natoa(const struct isakmp_payload *p, struct isakmp_natoa *out,
			  struct isakmp_diag *d)
{
	if (p == NULL || (p->type != ISAKMP_NEXT_NATOA && p->type != ISAKMP_NEXT_NATOA_DRAFT))
		return malformed(d, "NAT-OA payload missing");
	if (p->len < 4)
		return malformed(d, "NAT-OA payload: %zu bytes, too short", p->len);
	out->id_type = p->body[0];
	if (p->body[1] != 0 || p->body[2] != 0 || p->body[3] != 0)
		return malformed(d, "NAT-OA payload: reserved bytes are not 0");
	out->address = span(p->body + 4, p->len - 4);
	size_t want = out->id_type == 1 ? 4 : out->id_type == 5 ? 16 : 0;
	if (want == 0 || out->address.len != want)
		return malformed(d, "NAT-OA payload: ID type %u with a %zu-byte address", out->id_type,
				 out->address.len);
	return NULL;
}
