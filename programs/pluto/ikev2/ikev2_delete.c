/* The Delete payload (RFC 7296 3.11): an IKE SA (no SPIs) or AH/ESP SAs
 * (4-byte SPIs). */
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define DELETE_HEADER 4  /* Protocol ID, SPI Size, Num of SPIs */

/* The SPI size each protocol's delete carries, or -1 when it has none. */
static int spi_size_for(uint8_t protocol)
{
	if (protocol == IKEV2_PROTO_IKE)
		return 0;   /* the SA is the one of the header's SPIs */
	if (protocol == IKEV2_PROTO_AH || protocol == IKEV2_PROTO_ESP)
		return 4;
	return -1;
}

static const char *check_spi_size(uint8_t protocol, uint8_t spi_size, char *buf, size_t size)
{
	int want = spi_size_for(protocol);
	if (want < 0)
		snprintf(buf, size, "protocol %u cannot be deleted", protocol);
	else if (spi_size != want)
		snprintf(buf, size, "%s SPIs are %d bytes, not %u",
			 ikev2_name(&ikev2_protocol_names, protocol), want, spi_size);
	else
		return NULL;
	return buf;
}

err_t ikev2_decode_delete(const struct ikev2_payload *p, struct ikev2_delete *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_D, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_delete){ 0 };
	if (p->len < DELETE_HEADER)
		return ikev2_bad(d, "Delete payload: %zu bytes, less than its 4-byte header", p->len);
	uint8_t dh[DELETE_HEADER];
	memcpy(dh, p->body, sizeof(dh));
	out->protocol = dh[0];
	out->spi_size = dh[1];
	out->n_spis = ikev2_rd16(dh + 2);
	out->spis = ikev2_span(p->body + DELETE_HEADER, p->len - DELETE_HEADER);
	char why[64];
	if (check_spi_size(out->protocol, out->spi_size, why, sizeof(why)) != NULL)
		return ikev2_bad(d, "Delete payload: %s", why);
	size_t want = (size_t)out->n_spis * out->spi_size;
	if (out->spis.len != want)
		return ikev2_bad(d, "Delete payload: %u SPIs of %u bytes need %zu bytes but %zu follow",
				 out->n_spis, out->spi_size, want, out->spis.len);
	return NULL;
}

size_t ikev2_build_delete(struct ikev2_builder *b, const struct ikev2_delete *del)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_D, false);
	char why[64];
	if (check_spi_size(del->protocol, del->spi_size, why, sizeof(why)) != NULL)
		ikev2_build_fail(b, "Delete payload: %s", why);
	else if (del->spis.len != (size_t)del->n_spis * del->spi_size)
		ikev2_build_fail(b, "Delete payload: %u SPIs of %u bytes but %zu bytes given",
				 del->n_spis, del->spi_size, del->spis.len);
	ikev2_put8(b, del->protocol);
	ikev2_put8(b, del->spi_size);
	ikev2_put16(b, del->n_spis);
	ikev2_put_span(b, del->spis, "Delete payload");
	return ikev2_payload_end(b, at);
}

bool ikev2_delete_eq(const struct ikev2_delete *a, const struct ikev2_delete *b)
{
	return a->protocol == b->protocol && a->spi_size == b->spi_size &&
	       a->n_spis == b->n_spis && ikev2_span_eq(a->spis, b->spis);
}

uint32_t ikev2_delete_spi(const struct ikev2_delete *del, size_t i)
{
	if (del->spi_size != 4 || i >= del->n_spis || (i + 1) * 4 > del->spis.len)
		return 0;
	uint8_t s[4];
	memcpy(s, del->spis.ptr + i * 4, sizeof(s));
	return ikev2_rd32(s);
}
