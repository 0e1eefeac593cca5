/* libFuzzer target: the ISAKMP (IKEv1) codec on arbitrary bytes.
 *
 * The input is tried as a datagram (header, split, every payload
 * interpreted), as the same with the header Length patched to the input
 * size (so mutations reach the payload walker), and, with its first byte
 * as the first payload type, as a decrypted body with padding. Every
 * payload that decodes is built again, split and decoded, and the two
 * decodings must agree: what the decoder accepts, the builder writes, and
 * reading it back gives the same values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ikev1/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MSG 70000

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ikev1: %s\n", what);
		abort();
	}
}

static bool span_eq(struct ikev2_span a, struct ikev2_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool sa_eq(const struct isakmp_sa *a, const struct isakmp_sa *b)
{
	if (a->doi != b->doi || a->situation != b->situation || a->n_proposals != b->n_proposals)
		return false;
	for (size_t i = 0; i < a->n_proposals; i++) {
		const struct isakmp_proposal *p = &a->proposals[i], *q = &b->proposals[i];
		if (p->number != q->number || p->protocol != q->protocol || p->spi_size != q->spi_size ||
		    memcmp(p->spi, q->spi, p->spi_size) != 0 || p->n_transforms != q->n_transforms)
			return false;
		for (size_t k = 0; k < p->n_transforms; k++) {
			const struct isakmp_transform *t = &p->transforms[k], *u = &q->transforms[k];
			if (t->number != u->number || t->id != u->id || t->n_attrs != u->n_attrs)
				return false;
			for (size_t j = 0; j < t->n_attrs; j++) {
				const struct isakmp_attr *x = &t->attrs[j], *y = &u->attrs[j];
				if (x->type != y->type || x->basic != y->basic || x->value != y->value ||
				    !span_eq(x->data, y->data))
					return false;
			}
		}
	}
	return true;
}

/* Builds payload p (decoded) alone into a chain and splits it again. */
static const struct isakmp_payload *rebuilt(const struct isakmp_payload *p, uint8_t *buf, size_t cap,
					    struct isakmp_payloads *again)
{
	static struct isakmp_sa sa;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_natoa oa;
	struct ikev2_span s;
	struct ikev2_builder b;
	ikev2_build_chain_init(&b, buf, cap);
	switch (p->type) {
	case ISAKMP_NEXT_SA:
		if (isakmp_decode_sa(p, &sa, NULL) != NULL)
			return NULL;
		isakmp_build_sa(&b, &sa);
		break;
	case ISAKMP_NEXT_ID:
		if (isakmp_decode_id(p, &id, NULL) != NULL)
			return NULL;
		isakmp_build_id(&b, &id);
		break;
	case ISAKMP_NEXT_CERT:
	case ISAKMP_NEXT_CR:
		if ((p->type == ISAKMP_NEXT_CERT ? isakmp_decode_cert(p, &c, NULL)
						 : isakmp_decode_cr(p, &c, NULL)) != NULL)
			return NULL;
		isakmp_build_cert(&b, p->type, &c);
		break;
	case ISAKMP_NEXT_N:
		if (isakmp_decode_notify(p, &n, NULL) != NULL)
			return NULL;
		isakmp_build_notify(&b, &n);
		break;
	case ISAKMP_NEXT_D:
		if (isakmp_decode_delete(p, &d, NULL) != NULL)
			return NULL;
		isakmp_build_delete(&b, &d);
		break;
	case ISAKMP_NEXT_NATOA:
		if (isakmp_decode_natoa(p, &oa, NULL) != NULL)
			return NULL;
		isakmp_build_natoa(&b, &oa);
		break;
	default:
		if (isakmp_decode_bytes(p, &s, NULL) != NULL)
			return NULL;
		isakmp_build_bytes(&b, p->type, s);
		break;
	}
	size_t len;
	check(ikev2_build_finish(&b, &len) == NULL, "a decoded payload could not be built again");
	check(isakmp_split_chain(p->type, buf, len, again, NULL) == NULL && again->n == 1 &&
	      again->trailing == 0, "a built payload does not split");
	return &again->p[0];
}

static void payload_round_trip(const struct isakmp_payload *p)
{
	static uint8_t buf[8192];
	static struct isakmp_payloads again;
	const struct isakmp_payload *q = rebuilt(p, buf, sizeof(buf), &again);
	if (q == NULL)
		return;
	/* the rebuilt payload's body is the original's, byte for byte, except
	 * for an SA, whose reserved fields are normalised: compare decodings */
	if (p->type == ISAKMP_NEXT_SA) {
		static struct isakmp_sa a, b;
		check(isakmp_decode_sa(p, &a, NULL) == NULL && isakmp_decode_sa(q, &b, NULL) == NULL,
		      "SA decodes once only");
		check(sa_eq(&a, &b), "SA differs after a round trip");
		return;
	}
	check(p->len == q->len && memcmp(p->body, q->body, p->len) == 0,
	      "a payload differs after a round trip");
}

static void try_message(const uint8_t *msg, size_t len)
{
	struct isakmp_header h;
	static struct isakmp_payloads pl;
	if (isakmp_decode_header(msg, len, &h, NULL) != NULL)
		return;
	if (isakmp_split_payloads(msg, len, &h, &pl, NULL) != NULL)
		return;
	for (size_t i = 0; i < pl.n; i++)
		payload_round_trip(&pl.p[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_MSG)
		return 0;
	try_message(data, size);
	if (size >= ISAKMP_HEADER_SIZE) {
		static uint8_t patched[MAX_MSG];
		memcpy(patched, data, size);
		patched[24] = (uint8_t)(size >> 24);
		patched[25] = (uint8_t)(size >> 16);
		patched[26] = (uint8_t)(size >> 8);
		patched[27] = (uint8_t)size;
		patched[17] = ISAKMP_MAJOR << 4;
		try_message(patched, size);
	}
	if (size >= 1) {
		static struct isakmp_payloads pl;
		if (isakmp_split_chain(data[0], data + 1, size - 1, &pl, NULL) == NULL)
			for (size_t i = 0; i < pl.n; i++)
				payload_round_trip(&pl.p[i]);
	}
	return 0;
}
