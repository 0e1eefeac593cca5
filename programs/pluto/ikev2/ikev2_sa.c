/* The SA payload (RFC 7296 3.3): proposals, transforms, attributes. */
#include <stdint.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define PROPOSAL_HEADER 8
#define TRANSFORM_HEADER 8
#define ATTR_HEADER 4
#define LAST 0
#define MORE_PROPOSALS 2
#define MORE_TRANSFORMS 3

/* Transform attributes (3.3.5): Key Length (TV) is the only one defined. */
static err_t decode_attributes(const uint8_t *a, size_t len, size_t pi, size_t ti,
			       struct ikev2_transform *t, struct ikev2_diag *d)
{
	size_t off = 0;
	for (size_t k = 1; off < len; k++) {
		size_t remaining = len - off;
		if (remaining < ATTR_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu, transform %zu, attribute %zu: %zu bytes remain, less than an attribute header (4)",
					 pi, ti, k, remaining);
		uint8_t ah[ATTR_HEADER];
		memcpy(ah, a + off, sizeof(ah));
		uint16_t raw_type = ikev2_rd16(ah);
		bool tv = (raw_type & IKEV2_ATTR_AF) != 0;
		uint16_t type = raw_type & (uint16_t)~IKEV2_ATTR_AF;
		uint16_t value = ikev2_rd16(ah + 2);
		size_t size = ATTR_HEADER;
		if (!tv) {
			if (value > remaining - ATTR_HEADER)
				return ikev2_bad(d, "SA payload: proposal %zu, transform %zu, attribute %zu declares %u value bytes but %zu remain",
						 pi, ti, k, value, remaining - ATTR_HEADER);
			size += value;
		}
		if (type == IKEV2_ATTR_KEY_LENGTH) {
			if (!tv)
				return ikev2_bad(d, "SA payload: proposal %zu, transform %zu: Key Length attribute in TLV format (it is TV)",
						 pi, ti);
			if (t->key_length != 0)
				return ikev2_bad(d, "SA payload: proposal %zu, transform %zu: two Key Length attributes",
						 pi, ti);
			if (value == 0)
				return ikev2_bad(d, "SA payload: proposal %zu, transform %zu: Key Length is 0",
						 pi, ti);
			t->key_length = value;
		} else if (!t->unknown_attr) {
			t->unknown_attr = true;
			t->unknown_attr_type = type;
		}
		off += size;
	}
	return NULL;
}

static err_t decode_transforms(const uint8_t *tr, size_t len, size_t pi,
			       struct ikev2_proposal *prop, struct ikev2_diag *d)
{
	size_t off = 0;
	bool last = false;
	for (size_t ti = 1; off < len; ti++) {
		if (last)
			return ikev2_bad(d, "SA payload: proposal %zu: transform %zu follows the one marked last",
					 pi, ti);
		size_t remaining = len - off;
		if (remaining < TRANSFORM_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu, transform %zu: %zu bytes remain, less than a transform header (8)",
					 pi, ti, remaining);
		uint8_t th[TRANSFORM_HEADER];
		memcpy(th, tr + off, sizeof(th));
		size_t tlen = ikev2_rd16(th + 2);
		if (tlen < TRANSFORM_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu, transform %zu declares %zu bytes, less than its 8-byte header",
					 pi, ti, tlen);
		if (tlen > remaining)
			return ikev2_bad(d, "SA payload: proposal %zu, transform %zu declares %zu bytes but %zu remain",
					 pi, ti, tlen, remaining);
		if (th[0] != LAST && th[0] != MORE_TRANSFORMS)
			return ikev2_bad(d, "SA payload: proposal %zu, transform %zu: Last Substruc is %u, not 0 or 3",
					 pi, ti, th[0]);
		last = th[0] == LAST;
		if (prop->n_transforms == IKEV2_MAX_TRANSFORMS)
			return ikev2_fail(d, 0, "SA payload: proposal %zu has more than %d transforms",
					  pi, IKEV2_MAX_TRANSFORMS);
		struct ikev2_transform *t = &prop->transforms[prop->n_transforms++];
		*t = (struct ikev2_transform){ .type = th[4], .id = ikev2_rd16(th + 6) };
		err_t e = decode_attributes(tr + off + TRANSFORM_HEADER, tlen - TRANSFORM_HEADER,
					    pi, ti, t, d);
		if (e != NULL)
			return e;
		off += tlen;
	}
	if (prop->n_transforms > 0 && !last)
		return ikev2_bad(d, "SA payload: proposal %zu: its last transform is not marked last",
				 pi);
	return NULL;
}

err_t ikev2_decode_sa(const struct ikev2_payload *p, struct ikev2_sa *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_SA, d);
	if (e != NULL)
		return e;
	out->n_proposals = 0;
	if (p->len == 0)
		return ikev2_bad(d, "SA payload: no proposals");
	size_t off = 0;
	bool last = false;
	for (size_t pi = 1; off < p->len; pi++) {
		if (last)
			return ikev2_bad(d, "SA payload: proposal %zu follows the one marked last", pi);
		size_t remaining = p->len - off;
		if (remaining < PROPOSAL_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu: %zu bytes remain, less than a proposal header (8)",
					 pi, remaining);
		uint8_t ph[PROPOSAL_HEADER];
		memcpy(ph, p->body + off, sizeof(ph));
		size_t plen = ikev2_rd16(ph + 2);
		if (plen < PROPOSAL_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu declares %zu bytes, less than its 8-byte header",
					 pi, plen);
		if (plen > remaining)
			return ikev2_bad(d, "SA payload: proposal %zu declares %zu bytes but %zu remain",
					 pi, plen, remaining);
		if (ph[0] != LAST && ph[0] != MORE_PROPOSALS)
			return ikev2_bad(d, "SA payload: proposal %zu: Last Substruc is %u, not 0 or 2",
					 pi, ph[0]);
		last = ph[0] == LAST;
		if (out->n_proposals == IKEV2_MAX_PROPOSALS)
			return ikev2_fail(d, 0, "SA payload: more than %d proposals", IKEV2_MAX_PROPOSALS);
		struct ikev2_proposal *prop = &out->proposals[out->n_proposals++];
		prop->number = ph[4];
		prop->protocol = ph[5];
		prop->spi_size = ph[6];
		prop->n_transforms = 0;
		memset(prop->spi, 0, sizeof(prop->spi));
		unsigned declared_transforms = ph[7];
		/* 3.3.1: consecutive numbers, starting at 1 in an offer. */
		if (pi > 1 && prop->number != (unsigned)prop[-1].number + 1)
			return ikev2_bad(d, "SA payload: proposal %zu is numbered %u after %u",
					 pi, prop->number, prop[-1].number);
		if (prop->spi_size != 0 && prop->spi_size != 4 && prop->spi_size != 8)
			return ikev2_bad(d, "SA payload: proposal %zu: SPI size %u is not 0, 4 or 8",
					 pi, prop->spi_size);
		if (prop->spi_size > plen - PROPOSAL_HEADER)
			return ikev2_bad(d, "SA payload: proposal %zu: a %u-byte SPI does not fit in its %zu bytes",
					 pi, prop->spi_size, plen);
		memcpy(prop->spi, p->body + off + PROPOSAL_HEADER, prop->spi_size);
		size_t head = PROPOSAL_HEADER + prop->spi_size;
		e = decode_transforms(p->body + off + head, plen - head, pi, prop, d);
		if (e != NULL)
			return e;
		if (prop->n_transforms != declared_transforms)
			return ikev2_bad(d, "SA payload: proposal %zu declares %u transforms but holds %zu",
					 pi, declared_transforms, prop->n_transforms);
		off += plen;
	}
	if (!last)
		return ikev2_bad(d, "SA payload: the last proposal is not marked last");
	if (out->n_proposals > 1 && out->proposals[0].number != 1)
		return ikev2_bad(d, "SA payload: the first of %zu proposals is numbered %u, not 1",
				 out->n_proposals, out->proposals[0].number);
	return NULL;
}

static void build_transform(struct ikev2_builder *b, const struct ikev2_transform *t, bool last)
{
	size_t at = b->len;
	ikev2_put8(b, last ? LAST : MORE_TRANSFORMS);
	ikev2_put8(b, 0);
	ikev2_put16(b, 0);
	ikev2_put8(b, t->type);
	ikev2_put8(b, 0);
	ikev2_put16(b, t->id);
	if (t->key_length != 0) {
		ikev2_put16(b, IKEV2_ATTR_AF | IKEV2_ATTR_KEY_LENGTH);
		ikev2_put16(b, t->key_length);
	}
	ikev2_patch_len16(b, at + 2, b->len - at, "a transform");
}

static void build_proposal(struct ikev2_builder *b, const struct ikev2_proposal *prop,
			   size_t pi, bool last)
{
	if (prop->n_transforms > IKEV2_MAX_TRANSFORMS || prop->n_transforms > UINT8_MAX) {
		ikev2_build_fail(b, "SA payload: proposal %zu has %zu transforms (at most %d)",
				 pi, prop->n_transforms, IKEV2_MAX_TRANSFORMS);
		return;
	}
	if (prop->spi_size != 0 && prop->spi_size != 4 && prop->spi_size != 8) {
		ikev2_build_fail(b, "SA payload: proposal %zu: SPI size %u is not 0, 4 or 8",
				 pi, prop->spi_size);
		return;
	}
	size_t at = b->len;
	ikev2_put8(b, last ? LAST : MORE_PROPOSALS);
	ikev2_put8(b, 0);
	ikev2_put16(b, 0);
	ikev2_put8(b, prop->number);
	ikev2_put8(b, prop->protocol);
	ikev2_put8(b, prop->spi_size);
	ikev2_put8(b, (uint8_t)prop->n_transforms);
	ikev2_put(b, prop->spi, prop->spi_size);
	for (size_t i = 0; i < prop->n_transforms; i++)
		build_transform(b, &prop->transforms[i], i + 1 == prop->n_transforms);
	ikev2_patch_len16(b, at + 2, b->len - at, "a proposal");
}

size_t ikev2_build_sa(struct ikev2_builder *b, const struct ikev2_sa *sa)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_SA, false);
	if (sa->n_proposals == 0)
		ikev2_build_fail(b, "SA payload: no proposals");
	else if (sa->n_proposals > IKEV2_MAX_PROPOSALS)
		ikev2_build_fail(b, "SA payload: %zu proposals (at most %d)",
				 sa->n_proposals, IKEV2_MAX_PROPOSALS);
	for (size_t i = 0; !b->failed && i < sa->n_proposals; i++)
		build_proposal(b, &sa->proposals[i], i + 1, i + 1 == sa->n_proposals);
	return ikev2_payload_end(b, at);
}

static bool transform_eq(const struct ikev2_transform *a, const struct ikev2_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_length == b->key_length;
}

static bool proposal_eq(const struct ikev2_proposal *a, const struct ikev2_proposal *b)
{
	if (a->number != b->number || a->protocol != b->protocol || a->spi_size != b->spi_size ||
	    a->spi_size > sizeof(a->spi) || memcmp(a->spi, b->spi, a->spi_size) != 0 ||
	    a->n_transforms != b->n_transforms || a->n_transforms > IKEV2_MAX_TRANSFORMS)
		return false;
	for (size_t i = 0; i < a->n_transforms; i++) {
		if (!transform_eq(&a->transforms[i], &b->transforms[i]))
			return false;
	}
	return true;
}

bool ikev2_sa_eq(const struct ikev2_sa *a, const struct ikev2_sa *b)
{
	if (a->n_proposals != b->n_proposals || a->n_proposals > IKEV2_MAX_PROPOSALS)
		return false;
	for (size_t i = 0; i < a->n_proposals; i++) {
		if (!proposal_eq(&a->proposals[i], &b->proposals[i]))
			return false;
	}
	return true;
}
