/* IDs on the wire (ID payloads) and in the config (ip_id), both ways, and
 * NAT detection hashes (RFC 7296 2.23). */
#ifndef PLUTO_IKE_IDS_H
#define PLUTO_IKE_IDS_H
#include <stdbool.h>
#include "chunk.h"
#include "ikev2/ikev2_msg.h"
#include "swan/id.h"

/* ID payload of a config ID; the data points into buf. False for IDs that
 * cannot be sent (%any, %none, %fromcert...). */
bool id_to_payload(const ip_id *id, struct ikev2_id *out, uint8_t *buf, size_t size);
/* Config ID of a received ID payload. */
err_t id_from_payload(const struct ikev2_id *in, ip_id *out);
/* Does a received ID satisfy what the conn expects? %any and an unset ID
 * accept anything. */
bool id_matches(const ip_id *expected, const ip_id *got);

/* SHA-1(SPIi | SPIr | address | port): the NAT_DETECTION_* data. */
void natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const ip_address *a,
	       uint16_t port, uint8_t out[20]);
#endif
