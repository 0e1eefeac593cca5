/* ISAKMP encoding: payload bodies written into a bounded local buffer,
 * then added to the chain by the IKEv2 codec's chain builder (the generic
 * payload header is the same in both versions). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ikev1/isakmp.h"

/* A payload body being written; overflow is sticky. */
#define BODY_MAX 4096
struct body {
	uint8_t buf[BODY_MAX];
	size_t len;
	bool overflow;
};

static void put(struct body *w, const void *p, size_t n)
{
	if (w->overflow || n > BODY_MAX - w->len) {
		w->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put8(struct body *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

static void put16(struct body *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 2);
}

static void put32(struct body *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 4);
}

/* Stores a 16-bit length at offset at (false when it does not fit). */
static bool patch16(struct body *w, size_t at, size_t v)
{
	if (w->overflow || v > UINT16_MAX) {
		w->overflow = true;
		return false;
	}
	w->buf[at] = (uint8_t)(v >> 8);
	w->buf[at + 1] = (uint8_t)v;
	return true;
}

static size_t add(struct ikev2_builder *b, uint8_t type, const struct body *w, const char *what)
{
	if (w->overflow) {
		if (!b->failed) {
			b->failed = true;
			snprintf(b->error, sizeof(b->error), "%s payload does not fit in %d bytes", what,
				 BODY_MAX);
		}
		return SIZE_MAX;
	}
	return ikev2_build_payload(b, type, false, w->buf, w->len);
}

static void put_attr(struct body *w, const struct isakmp_attr *a)
{
	if (a->basic) {
		put16(w, 0x8000u | a->type);
		put16(w, (unsigned)a->value);
		return;
	}
	put16(w, a->type & 0x7fffu);
	put16(w, (unsigned)a->data.len);
	if (a->data.len > UINT16_MAX)
		w->overflow = true;
	put(w, a->data.ptr, a->data.len);
}

void isakmp_attr_tv(struct isakmp_transform *t, uint16_t type, uint64_t value)
{
	if (t->n_attrs < ISAKMP_MAX_ATTRS)
		t->attrs[t->n_attrs++] = (struct isakmp_attr){ .type = type, .basic = true, .value = value };
}

void isakmp_attr_life(struct isakmp_transform *t, uint16_t type, uint32_t life_s, uint8_t buf[4])
{
	if (life_s <= 0xffff) {
		isakmp_attr_tv(t, type, life_s);
		return;
	}
	buf[0] = (uint8_t)(life_s >> 24);
	buf[1] = (uint8_t)(life_s >> 16);
	buf[2] = (uint8_t)(life_s >> 8);
	buf[3] = (uint8_t)life_s;
	if (t->n_attrs < ISAKMP_MAX_ATTRS)
		t->attrs[t->n_attrs++] = (struct isakmp_attr){ .type = type, .value = life_s,
							       .data = { buf, 4 } };
}

size_t isakmp_build_sa(struct ikev2_builder *b, const struct isakmp_sa *sa)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put32(&w, sa->doi);
	put32(&w, sa->situation);
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *pr = &sa->proposals[i];
		size_t at = w.len;
		put8(&w, i + 1 < sa->n_proposals ? ISAKMP_NEXT_P : ISAKMP_NEXT_NONE);
		put8(&w, 0);
		put16(&w, 0);   /* length, patched */
		put8(&w, pr->number);
		put8(&w, pr->protocol);
		put8(&w, pr->spi_size);
		put8(&w, (unsigned)pr->n_transforms);
		put(&w, pr->spi, pr->spi_size <= ISAKMP_MAX_SPI ? pr->spi_size : 0);
		for (size_t k = 0; k < pr->n_transforms; k++) {
			const struct isakmp_transform *t = &pr->transforms[k];
			size_t tat = w.len;
			put8(&w, k + 1 < pr->n_transforms ? ISAKMP_NEXT_T : ISAKMP_NEXT_NONE);
			put8(&w, 0);
			put16(&w, 0);
			put8(&w, t->number);
			put8(&w, t->id);
			put16(&w, 0);
			for (size_t j = 0; j < t->n_attrs; j++)
				put_attr(&w, &t->attrs[j]);
			patch16(&w, tat + 2, w.len - tat);
		}
		patch16(&w, at + 2, w.len - at);
	}
	return add(b, ISAKMP_NEXT_SA, &w, "SA");
}

size_t isakmp_build_id(struct ikev2_builder *b, const struct isakmp_id *id)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put8(&w, id->type);
	put8(&w, id->protocol);
	put16(&w, id->port);
	put(&w, id->data.ptr, id->data.len);
	return add(b, ISAKMP_NEXT_ID, &w, "ID");
}

size_t isakmp_build_cert(struct ikev2_builder *b, uint8_t type, const struct isakmp_cert *c)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put8(&w, c->encoding);
	put(&w, c->data.ptr, c->data.len);
	return add(b, type, &w, type == ISAKMP_NEXT_CR ? "CR" : "CERT");
}

size_t isakmp_build_bytes(struct ikev2_builder *b, uint8_t type, struct ikev2_span data)
{
	return ikev2_build_payload(b, type, false, data.ptr, data.len);
}

size_t isakmp_build_notify(struct ikev2_builder *b, const struct isakmp_notify *n)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put32(&w, n->doi);
	put8(&w, n->protocol);
	put8(&w, (unsigned)n->spi.len);
	put16(&w, n->type);
	if (n->spi.len > UINT8_MAX)
		w.overflow = true;
	put(&w, n->spi.ptr, n->spi.len);
	put(&w, n->data.ptr, n->data.len);
	return add(b, ISAKMP_NEXT_N, &w, "N");
}

size_t isakmp_build_delete(struct ikev2_builder *b, const struct isakmp_delete *del)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put32(&w, del->doi);
	put8(&w, del->protocol);
	put8(&w, del->spi_size);
	put16(&w, (unsigned)del->n_spis);
	for (size_t i = 0; i < del->n_spis && i < ISAKMP_MAX_DELETE_SPIS; i++)
		put(&w, del->spis[i], del->spi_size);
	return add(b, ISAKMP_NEXT_D, &w, "D");
}

size_t isakmp_build_natoa(struct ikev2_builder *b, const struct isakmp_natoa *oa)
{
	struct body w;
	w.len = 0;
	w.overflow = false;
	put8(&w, oa->id_type);
	put8(&w, 0);
	put16(&w, 0);
	put(&w, oa->address.ptr, oa->address.len);
	return add(b, ISAKMP_NEXT_NATOA, &w, "NAT-OA");
}

err_t isakmp_build_message(const struct isakmp_header *h, uint8_t first, const uint8_t *body,
			   size_t body_len, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	if (body_len > cap || cap - body_len < ISAKMP_HEADER_SIZE)
		return "ISAKMP message does not fit in its buffer";
	if (body_len > UINT32_MAX - ISAKMP_HEADER_SIZE)
		return "ISAKMP message too long for its header";
	uint32_t total = (uint32_t)(ISAKMP_HEADER_SIZE + body_len);
	memcpy(buf, h->icookie, 8);
	memcpy(buf + 8, h->rcookie, 8);
	buf[16] = first;
	buf[17] = ISAKMP_MAJOR << 4 | ISAKMP_MINOR;
	buf[18] = h->exchange;
	buf[19] = h->flags;
	uint32_t v[2] = { h->message_id, total };
	for (int i = 0; i < 2; i++) {
		uint8_t *p = buf + 20 + 4 * i;
		p[0] = (uint8_t)(v[i] >> 24);
		p[1] = (uint8_t)(v[i] >> 16);
		p[2] = (uint8_t)(v[i] >> 8);
		p[3] = (uint8_t)v[i];
	}
	if (body_len > 0)
		memmove(buf + ISAKMP_HEADER_SIZE, body, body_len);
	*len = total;
	return NULL;
}
