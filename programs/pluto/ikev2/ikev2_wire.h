/* Private to the IKEv2 codec: big-endian access, diagnostics, and the
 * builder primitives the payload files share. Not for the exchange logic. */
#ifndef PLUTO_IKEV2_WIRE_H
#define PLUTO_IKEV2_WIRE_H
#include <stdint.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"

static inline uint16_t ikev2_rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t ikev2_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ikev2_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ikev2_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline struct ikev2_span ikev2_span(const uint8_t *p, size_t len)
{
	return (struct ikev2_span){ len ? p : NULL, len };
}

/* Formats the diagnostic into d->text, sets d->notify, returns d->text
 * (a static text when d is NULL). */
err_t ikev2_fail(struct ikev2_diag *d, uint16_t notify, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Most payload errors: INVALID_SYNTAX. */
#define ikev2_bad(d, ...) ikev2_fail((d), IKEV2_N_INVALID_SYNTAX, __VA_ARGS__)

/* The payload's short name ("SA", "payload 99") for messages. */
const char *ikev2_pt_str(uint8_t type, char buf[IKEV2_NAME_BUF]);

/* Checks that p is a payload of the given type before interpreting it. */
err_t ikev2_expect(const struct ikev2_payload *p, uint8_t type, struct ikev2_diag *d);

/* ---- builder primitives ---- */
void ikev2_build_fail(struct ikev2_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends n bytes (p NULL: zeros); on overflow fails the builder. */
void ikev2_put(struct ikev2_builder *b, const void *p, size_t n);
void ikev2_put8(struct ikev2_builder *b, uint8_t v);
void ikev2_put16(struct ikev2_builder *b, uint16_t v);
void ikev2_put32(struct ikev2_builder *b, uint32_t v);
/* Stores a 16-bit length at offset at, failing when v does not fit. */
void ikev2_patch_len16(struct ikev2_builder *b, size_t at, size_t v, const char *what);
/* Starts a payload: chains the previous Next Payload, writes a generic
 * header with length 0. Returns its offset or SIZE_MAX. */
size_t ikev2_payload_begin(struct ikev2_builder *b, uint8_t type, bool critical);
/* Sets the Payload Length of the payload begun at at. Returns at. */
size_t ikev2_payload_end(struct ikev2_builder *b, size_t at);
/* Appends a span: NULL pointer with a length is a caller bug, reported. */
void ikev2_put_span(struct ikev2_builder *b, struct ikev2_span s, const char *what);

#endif
