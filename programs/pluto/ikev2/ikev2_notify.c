/* The Notify payload (RFC 7296 3.10) and the table of notify types: name,
 * defining RFC, and the Notification Data length the codec accepts. Data
 * lengths are constrained only where the daemon reads the data; every
 * other type accepts any data (a peer's error notify must not be lost to
 * a quibble about its data). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define NOTIFY_HEADER 4  /* Protocol ID, SPI Size, Notify Message Type */
#define ANY 0, UINT16_MAX, 0

const struct ikev2_notify_desc ikev2_notify_table[] = {
	/* error types */
	{ IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_IKE_SPI, "INVALID_IKE_SPI", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_SYNTAX, "INVALID_SYNTAX", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_SPI, "INVALID_SPI", "RFC 7296", ANY },
	{ IKEV2_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD", "RFC 7296", 2, 2, 0 },
	{ IKEV2_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED", "RFC 7296", ANY },
	{ IKEV2_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED", "RFC 7296", ANY },
	{ IKEV2_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS", "RFC 7296", ANY },
	{ IKEV2_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE", "RFC 7296", ANY },
	{ IKEV2_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED", "RFC 7296", ANY },
	{ IKEV2_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE", "RFC 7296", ANY },
	{ IKEV2_N_INVALID_SELECTORS, "INVALID_SELECTORS", "RFC 7296", ANY },
	{ IKEV2_N_UNACCEPTABLE_ADDRESSES, "UNACCEPTABLE_ADDRESSES", "RFC 4555", ANY },
	{ IKEV2_N_UNEXPECTED_NAT_DETECTED, "UNEXPECTED_NAT_DETECTED", "RFC 4555", ANY },
	{ 42, "USE_ASSIGNED_HoA", "RFC 5026", ANY },
	{ IKEV2_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE", "RFC 7296", ANY },
	{ IKEV2_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND", "RFC 7296", ANY },
	{ 47, "STATE_NOT_FOUND", "RFC 9370", ANY },
	/* status types */
	{ IKEV2_N_INITIAL_CONTACT, "INITIAL_CONTACT", "RFC 7296", ANY },
	{ IKEV2_N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE", "RFC 7296", 4, 4, 0 },
	{ IKEV2_N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE", "RFC 7296", ANY },
	/* two octets of CPI and one of Transform ID */
	{ IKEV2_N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED", "RFC 7296", 3, UINT16_MAX, 0 },
	/* SHA-1 over SPIs, address and port */
	{ IKEV2_N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP", "RFC 7296", 20, 20, 0 },
	{ IKEV2_N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP", "RFC 7296", 20, 20, 0 },
	{ IKEV2_N_COOKIE, "COOKIE", "RFC 7296", 1, 64, 0 },
	{ IKEV2_N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE", "RFC 7296", ANY },
	{ IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP_SUPPORTED", "RFC 7296", ANY },
	{ IKEV2_N_REKEY_SA, "REKEY_SA", "RFC 7296", ANY },
	{ IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PADDING_NOT_SUPPORTED", "RFC 7296", ANY },
	{ IKEV2_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO", "RFC 7296", ANY },
	{ IKEV2_N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED", "RFC 4555", ANY },
	{ IKEV2_N_ADDITIONAL_IP4_ADDRESS, "ADDITIONAL_IP4_ADDRESS", "RFC 4555", 4, 4, 0 },
	{ IKEV2_N_ADDITIONAL_IP6_ADDRESS, "ADDITIONAL_IP6_ADDRESS", "RFC 4555", 16, 16, 0 },
	{ IKEV2_N_NO_ADDITIONAL_ADDRESSES, "NO_ADDITIONAL_ADDRESSES", "RFC 4555", ANY },
	{ IKEV2_N_UPDATE_SA_ADDRESSES, "UPDATE_SA_ADDRESSES", "RFC 4555", ANY },
	{ IKEV2_N_COOKIE2, "COOKIE2", "RFC 4555", 8, 64, 0 },
	{ IKEV2_N_NO_NATS_ALLOWED, "NO_NATS_ALLOWED", "RFC 4555", ANY },
	{ IKEV2_N_AUTH_LIFETIME, "AUTH_LIFETIME", "RFC 4478", 4, 4, 0 },
	{ IKEV2_N_MULTIPLE_AUTH_SUPPORTED, "MULTIPLE_AUTH_SUPPORTED", "RFC 4739", ANY },
	{ IKEV2_N_ANOTHER_AUTH_FOLLOWS, "ANOTHER_AUTH_FOLLOWS", "RFC 4739", ANY },
	{ IKEV2_N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED", "RFC 5685", ANY },
	{ IKEV2_N_REDIRECT, "REDIRECT", "RFC 5685", ANY },
	{ IKEV2_N_REDIRECTED_FROM, "REDIRECTED_FROM", "RFC 5685", ANY },
	{ 16409, "TICKET_LT_OPAQUE", "RFC 5723", ANY },
	{ 16410, "TICKET_REQUEST", "RFC 5723", ANY },
	{ 16411, "TICKET_ACK", "RFC 5723", ANY },
	{ 16412, "TICKET_NACK", "RFC 5723", ANY },
	{ 16413, "TICKET_OPAQUE", "RFC 5723", ANY },
	{ 16414, "LINK_ID", "RFC 5739", ANY },
	{ 16415, "USE_WESP_MODE", "RFC 5840", ANY },
	{ 16416, "ROHC_SUPPORTED", "RFC 5857", ANY },
	{ 16417, "EAP_ONLY_AUTHENTICATION", "RFC 5998", ANY },
	{ IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_IKEV2_SUPPORTED", "RFC 6023", ANY },
	{ 16419, "QUICK_CRASH_DETECTION", "RFC 6290", ANY },
	{ 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED", "RFC 6311", ANY },
	{ 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED", "RFC 6311", ANY },
	{ 16422, "IKEV2_MESSAGE_ID_SYNC", "RFC 6311", ANY },
	{ 16423, "IPSEC_REPLAY_COUNTER_SYNC", "RFC 6311", ANY },
	{ 16424, "SECURE_PASSWORD_METHODS", "RFC 6467", ANY },
	{ 16425, "PSK_PERSIST", "RFC 6631", ANY },
	{ 16426, "PSK_CONFIRM", "RFC 6631", ANY },
	{ 16427, "ERX_SUPPORTED", "RFC 6867", ANY },
	{ IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED", "RFC 7383", ANY },
	/* a list of 2-octet hash algorithm identifiers */
	{ IKEV2_N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS", "RFC 7427", 0, UINT16_MAX, 2 },
	{ 16432, "CLONE_IKE_SA_SUPPORTED", "RFC 7791", ANY },
	{ 16433, "CLONE_IKE_SA", "RFC 7791", ANY },
	{ 16434, "PUZZLE", "RFC 8019", ANY },
	{ IKEV2_N_USE_PPK, "USE_PPK", "RFC 8784", ANY },
	{ IKEV2_N_PPK_IDENTITY, "PPK_IDENTITY", "RFC 8784", ANY },
	{ IKEV2_N_NO_PPK_AUTH, "NO_PPK_AUTH", "RFC 8784", ANY },
	{ IKEV2_N_INTERMEDIATE_EXCHANGE_SUPPORTED, "INTERMEDIATE_EXCHANGE_SUPPORTED", "RFC 9242", ANY },
	{ 16439, "IP4_ALLOWED", "RFC 8983", ANY },
	{ 16440, "IP6_ALLOWED", "RFC 8983", ANY },
	{ 16441, "ADDITIONAL_KEY_EXCHANGE", "RFC 9370", ANY },
	{ 16442, "USE_AGGFRAG", "RFC 9347", ANY },
};
const size_t ikev2_notify_table_len = sizeof(ikev2_notify_table) / sizeof(ikev2_notify_table[0]);

const struct ikev2_notify_desc *ikev2_notify_desc(uint16_t type)
{
	for (size_t i = 0; i < ikev2_notify_table_len; i++) {
		if (ikev2_notify_table[i].type == type)
			return &ikev2_notify_table[i];
	}
	return NULL;
}

static const char *notify_name(unsigned type)
{
	const struct ikev2_notify_desc *nd = type <= UINT16_MAX ? ikev2_notify_desc((uint16_t)type) : NULL;
	return nd == NULL ? NULL : nd->name;
}

const struct ikev2_names ikev2_notify_names = { "notify", NULL, 0, notify_name };

/* The data length rule of the table, as a sentence when broken. */
static const char *check_data(const struct ikev2_notify_desc *nd, size_t len, char *buf, size_t size)
{
	if (nd == NULL)
		return NULL;
	if (len < nd->min_data || len > nd->max_data) {
		if (nd->min_data == nd->max_data)
			snprintf(buf, size, "%s with %zu bytes of data, not %u", nd->name, len, nd->min_data);
		else
			snprintf(buf, size, "%s with %zu bytes of data, not %u to %u", nd->name, len,
				 nd->min_data, nd->max_data);
		return buf;
	}
	if (nd->unit > 1 && len % nd->unit != 0) {
		snprintf(buf, size, "%s with %zu bytes of data, not a multiple of %u", nd->name, len,
			 nd->unit);
		return buf;
	}
	return NULL;
}

err_t ikev2_decode_notify(const struct ikev2_payload *p, struct ikev2_notify *out, struct ikev2_diag *d)
{
	err_t e = ikev2_expect(p, IKEV2_PT_N, d);
	if (e != NULL)
		return e;
	*out = (struct ikev2_notify){ 0 };
	if (p->len < NOTIFY_HEADER)
		return ikev2_bad(d, "Notify payload: %zu bytes, less than its 4-byte header", p->len);
	uint8_t nh[NOTIFY_HEADER];
	memcpy(nh, p->body, sizeof(nh));
	out->protocol = nh[0];
	size_t spi_size = nh[1];
	out->type = ikev2_rd16(nh + 2);
	char tb[IKEV2_NAME_BUF];
	if (spi_size > p->len - NOTIFY_HEADER)
		return ikev2_bad(d, "Notify payload %s: a %zu-byte SPI but %zu bytes remain",
				 ikev2_str(&ikev2_notify_names, out->type, tb), spi_size,
				 p->len - NOTIFY_HEADER);
	out->spi = ikev2_span(p->body + NOTIFY_HEADER, spi_size);
	out->data = ikev2_span(p->body + NOTIFY_HEADER + spi_size, p->len - NOTIFY_HEADER - spi_size);
	char why[IKEV2_DIAG_TEXT - 32];
	if (check_data(ikev2_notify_desc(out->type), out->data.len, why, sizeof(why)) != NULL)
		return ikev2_bad(d, "Notify payload: %s", why);
	return NULL;
}

size_t ikev2_build_notify(struct ikev2_builder *b, const struct ikev2_notify *n)
{
	size_t at = ikev2_payload_begin(b, IKEV2_PT_N, false);
	char why[IKEV2_DIAG_TEXT - 32];
	if (n->spi.len > UINT8_MAX)
		ikev2_build_fail(b, "Notify payload: a %zu-byte SPI", n->spi.len);
	else if (check_data(ikev2_notify_desc(n->type), n->data.len, why, sizeof(why)) != NULL)
		ikev2_build_fail(b, "Notify payload: %s", why);
	ikev2_put8(b, n->protocol);
	ikev2_put8(b, (uint8_t)n->spi.len);
	ikev2_put16(b, n->type);
	ikev2_put_span(b, n->spi, "Notify SPI");
	ikev2_put_span(b, n->data, "Notify data");
	return ikev2_payload_end(b, at);
}

size_t ikev2_build_notify_simple(struct ikev2_builder *b, uint16_t type, const void *data, size_t len)
{
	struct ikev2_notify n = { .type = type, .data = { data, len } };
	return ikev2_build_notify(b, &n);
}

bool ikev2_notify_eq(const struct ikev2_notify *a, const struct ikev2_notify *b)
{
	return a->protocol == b->protocol && a->type == b->type &&
	       ikev2_span_eq(a->spi, b->spi) && ikev2_span_eq(a->data, b->data);
}

uint16_t ikev2_notify_ke_group(const struct ikev2_notify *n)
{
	if (n->type != IKEV2_N_INVALID_KE_PAYLOAD || n->data.len != 2)
		return 0;
	return ikev2_rd16(n->data.ptr);
}

size_t ikev2_notify_hash_algorithms(const struct ikev2_notify *n, uint16_t *out, size_t max)
{
	if (n->type != IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
		return 0;
	size_t count = n->data.len / 2;
	for (size_t i = 0; i < count && i < max; i++)
		out[i] = ikev2_rd16(n->data.ptr + 2 * i);
	return count;
}
