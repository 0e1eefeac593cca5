/* IKEv1 fragmentation (frag.h). */
#include <stdlib.h>
#include <string.h>
#include "connections.h"
#include "iface.h"
#include "ike/transmit.h"
#include "ikev1/frag.h"
#include "ikev1/ikev1.h"
#include "ikev1/vendor.h"
#include "log.h"
#include "pluto.h"

#define FRAG_HEADER 8   /* generic header, fragment ID, number, flags */
#define FRAG_LAST 0x01

static void put16(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static size_t get16(const uint8_t *b)
{
	return (size_t)b[0] << 8 | b[1];
}

void ikev1_frags_free(struct ikev1_frags **f)
{
	if (*f == NULL)
		return;
	for (size_t i = 0; i <= V1_FRAG_MAX_FRAGMENTS; i++)
		chunk_free(&(*f)->part[i]);
	free(*f);
	*f = NULL;
}

void ikev1_frag_if_wanted(struct ike_sa *ike, uint8_t exchange, uint8_t *msg, size_t *len, size_t cap)
{
	const struct connection *c = ike->c;
	if (c == NULL || c->fragmentation == FRAG_NO || c->fragmentation == FRAG_ACCEPT ||
	    !(ike->v1.peer_vids & V1_VID_BIT(V1_VID_FRAGMENTATION)) ||
	    (exchange != ISAKMP_XCHG_IDPROT && exchange != ISAKMP_XCHG_AGGRESSIVE))
		return;
	/* the datagram that fits the minimum path MTU, as for IKEv2 */
	size_t datagram = ike->remote.family == IP_V6 ? 1280 - 40 - 8 : 576 - 20 - 8;
	if (ike->iface != NULL && ike->iface->natt)
		datagram -= 4;   /* the non-ESP marker */
	bool force = c->fragmentation == FRAG_FORCE;
	if (!force && *len <= datagram)
		return;
	size_t data = force ? V1_FRAG_FORCE_DATA : datagram - ISAKMP_HEADER_SIZE - FRAG_HEADER;
	size_t n = (*len + data - 1) / data, whole_len = *len;
	if (n > V1_FRAG_MAX_FRAGMENTS || whole_len + n * (ISAKMP_HEADER_SIZE + FRAG_HEADER) > cap) {
		llog(&ike->logger, RC_WARNING, "a %zu-byte ISAKMP message goes whole: too big for %d fragments",
		     whole_len, V1_FRAG_MAX_FRAGMENTS);
		return;
	}
	static uint8_t whole[IKE_MSG_MAX];
	memcpy(whole, msg, whole_len);
	uint16_t id = ++ike->v1.frag_id_out;
	size_t at = 0, out = 0;
	for (size_t k = 1; k <= n; k++) {
		size_t piece = whole_len - at < data ? whole_len - at : data;
		uint8_t *o = msg + out, *f = o + ISAKMP_HEADER_SIZE;
		/* the original header: next payload FRAG, not encrypted, its own length */
		memcpy(o, whole, ISAKMP_HEADER_SIZE);
		o[16] = ISAKMP_NEXT_FRAG;
		o[19] &= (uint8_t)~ISAKMP_FLAG_ENCRYPTION;
		size_t dlen = ISAKMP_HEADER_SIZE + FRAG_HEADER + piece;
		o[24] = 0;
		o[25] = 0;
		put16(o + 26, dlen);
		f[0] = 0;
		f[1] = 0;
		put16(f + 2, FRAG_HEADER + piece);
		put16(f + 4, id);
		f[6] = (uint8_t)k;
		f[7] = k == n ? FRAG_LAST : 0;
		memcpy(f + FRAG_HEADER, whole + at, piece);
		at += piece;
		out += dlen;
	}
	*len = out;
	llog(&ike->logger, RC_INFO, "sending a %zu-byte ISAKMP message in %zu fragments (IKEv1 fragmentation)",
	     whole_len, n);
}

/* A fragment dropped: logged at debug (a peer may send junk). */
static void drop(struct ike_sa *ike, const char *why)
{
	ldbg(&ike->logger, DBG_CONTROL, "dropping an ISAKMP fragment: %s", why);
}

void ikev1_frag_receive(struct pluto *p, struct ike_sa *ike, const struct packet *pkt)
{
	static bool inside;   /* a reassembled message of fragments is not taken */
	const uint8_t *f = pkt->data + ISAKMP_HEADER_SIZE;
	size_t flen = pkt->len - ISAKMP_HEADER_SIZE;
	if (inside) {
		drop(ike, "a reassembled message is itself a fragment");
		return;
	}
	if (ike->c != NULL && ike->c->fragmentation == FRAG_NO) {
		drop(ike, "fragmentation=no");
		return;
	}
	if (flen < FRAG_HEADER + 1 || get16(f + 2) != flen || f[0] != 0) {
		drop(ike, "not one Fragment payload as long as the datagram");
		return;
	}
	unsigned id = (unsigned)get16(f + 4), num = f[6];
	bool last = f[7] & FRAG_LAST;
	if (num == 0 || num > V1_FRAG_MAX_FRAGMENTS) {
		drop(ike, "its number is 0 or too big");
		return;
	}
	struct ikev1_frags *fr = ike->v1.frags;
	if (fr != NULL && fr->id != id)
		ikev1_frags_free(&ike->v1.frags);   /* a newer message: the older one is given up */
	if (ike->v1.frags == NULL) {
		ike->v1.frags = calloc(1, sizeof(*ike->v1.frags));
		if (ike->v1.frags == NULL)
			abort();
		ike->v1.frags->id = (uint16_t)id;
	}
	fr = ike->v1.frags;
	if (fr->part[num].ptr != NULL)
		return;   /* a repeat */
	size_t dlen = flen - FRAG_HEADER;
	if (fr->bytes + dlen > V1_FRAG_MAX_BYTES || (last && fr->last != 0)) {
		llog(&ike->logger, RC_INFO, "dropping the fragments of an ISAKMP message: %s",
		     last && fr->last != 0 ? "two LAST fragments" : "more than 32 KiB in all");
		ikev1_frags_free(&ike->v1.frags);
		return;
	}
	fr->part[num] = chunk_clone(f + FRAG_HEADER, dlen);
	fr->bytes += dlen;
	fr->have++;
	if (last)
		fr->last = (uint8_t)num;
	if (fr->last == 0 || fr->have < fr->last)
		return;
	static uint8_t whole[V1_FRAG_MAX_BYTES];
	size_t at = 0;
	for (unsigned k = 1; k <= fr->last; k++) {
		if (fr->part[k].ptr == NULL)
			return;   /* one missing: more are on their way */
		memcpy(whole + at, fr->part[k].ptr, fr->part[k].len);
		at += fr->part[k].len;
	}
	unsigned n = fr->last;
	ikev1_frags_free(&ike->v1.frags);
	llog(&ike->logger, RC_INFO, "reassembled a %zu-byte ISAKMP message from %u fragments", at, n);
	struct packet one = *pkt;
	one.data = whole;
	one.len = at;
	inside = true;
	ikev1_receive(p, &one);
	inside = false;
}
