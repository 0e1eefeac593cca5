/* Which payloads each exchange may carry, in which direction, where
 * (clear or inside SK), how often, and which it must carry: one table,
 * read by the checker, the tests and the documentation (RFC 7296 1.2-1.5,
 * 1.3, 2.21; RFC 7383 for SKF). */
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"

#define C IKEV2_ALLOW_CLEAR
#define I IKEV2_ALLOW_INNER
#define R IKEV2_REQUIRED
#define P IKEV2_REPEAT
#define K IKEV2_CHILD
#define AT(t) [(t) - IKEV2_PT_FIRST]
#define N_TYPES (IKEV2_PT_LAST - IKEV2_PT_FIRST + 1)

struct legal_row {
	uint8_t exchange;
	bool response;
	bool encrypted;          /* the clear chain is one SK or SKF */
	uint8_t rules[N_TYPES];  /* by payload type - IKEV2_PT_FIRST */
};

#define ENCRYPTED AT(IKEV2_PT_SK) = C, AT(IKEV2_PT_SKF) = C

static const struct legal_row legal_table[] = {
	/* HDR, SAi1, KEi, Ni [, N(COOKIE), N(NAT_D)..., V...] */
	{ IKEV2_EXCH_IKE_SA_INIT, false, false, {
		AT(IKEV2_PT_SA) = C | R, AT(IKEV2_PT_KE) = C | R,
		AT(IKEV2_PT_NONCE) = C | R, AT(IKEV2_PT_N) = C | P,
		AT(IKEV2_PT_V) = C | P } },
	/* HDR, SAr1, KEr, Nr, [CERTREQ], or HDR, N(error or COOKIE) */
	{ IKEV2_EXCH_IKE_SA_INIT, true, false, {
		AT(IKEV2_PT_SA) = C | R, AT(IKEV2_PT_KE) = C | R,
		AT(IKEV2_PT_NONCE) = C | R, AT(IKEV2_PT_CERTREQ) = C | P,
		AT(IKEV2_PT_N) = C | P, AT(IKEV2_PT_V) = C | P } },
	/* HDR, SK {IDi, [CERT+,] [CERTREQ+,] [IDr,] AUTH, [CP,] SAi2, TSi, TSr [, N+, V+]}
	 * (childless, RFC 6023: no SAi2, TSi, TSr) */
	{ IKEV2_EXCH_IKE_AUTH, false, true, {
		ENCRYPTED,
		AT(IKEV2_PT_IDi) = I | R, AT(IKEV2_PT_CERT) = I | P,
		AT(IKEV2_PT_CERTREQ) = I | P, AT(IKEV2_PT_IDr) = I,
		AT(IKEV2_PT_AUTH) = I | R, AT(IKEV2_PT_CP) = I,
		AT(IKEV2_PT_SA) = I | R | K, AT(IKEV2_PT_TSi) = I | R | K,
		AT(IKEV2_PT_TSr) = I | R | K, AT(IKEV2_PT_N) = I | P,
		AT(IKEV2_PT_V) = I | P, AT(IKEV2_PT_EAP) = I } },
	/* HDR, SK {IDr, [CERT+,] AUTH, [CP,] SAr2, TSi, TSr [, N+, V+]}
	 * (childless: no SAr2, TSi, TSr) */
	{ IKEV2_EXCH_IKE_AUTH, true, true, {
		ENCRYPTED,
		AT(IKEV2_PT_IDr) = I | R, AT(IKEV2_PT_CERT) = I | P,
		AT(IKEV2_PT_AUTH) = I | R, AT(IKEV2_PT_CP) = I,
		AT(IKEV2_PT_SA) = I | R | K, AT(IKEV2_PT_TSi) = I | R | K,
		AT(IKEV2_PT_TSr) = I | R | K, AT(IKEV2_PT_N) = I | P,
		AT(IKEV2_PT_V) = I | P, AT(IKEV2_PT_EAP) = I } },
	/* HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi,] [TSi, TSr]} (no TS: IKE rekey) */
	{ IKEV2_EXCH_CREATE_CHILD_SA, false, true, {
		ENCRYPTED,
		AT(IKEV2_PT_SA) = I | R, AT(IKEV2_PT_NONCE) = I | R,
		AT(IKEV2_PT_KE) = I, AT(IKEV2_PT_TSi) = I, AT(IKEV2_PT_TSr) = I,
		AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_V) = I | P } },
	/* HDR, SK {SA, Nr, [KEr,] [TSi, TSr]}, or HDR, SK {N(error)} */
	{ IKEV2_EXCH_CREATE_CHILD_SA, true, true, {
		ENCRYPTED,
		AT(IKEV2_PT_SA) = I | R, AT(IKEV2_PT_NONCE) = I | R,
		AT(IKEV2_PT_KE) = I, AT(IKEV2_PT_TSi) = I, AT(IKEV2_PT_TSr) = I,
		AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_V) = I | P } },
	/* HDR, SK {[N,] [D,] [CP,] ...}; an empty one is a liveness check */
	{ IKEV2_EXCH_INFORMATIONAL, false, true, {
		ENCRYPTED,
		AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_D) = I | P,
		AT(IKEV2_PT_CP) = I, AT(IKEV2_PT_V) = I | P } },
	{ IKEV2_EXCH_INFORMATIONAL, true, true, {
		ENCRYPTED,
		AT(IKEV2_PT_N) = I | P, AT(IKEV2_PT_D) = I | P,
		AT(IKEV2_PT_CP) = I, AT(IKEV2_PT_V) = I | P } },
};

static const struct legal_row *find_row(uint8_t exchange, bool response)
{
	for (size_t i = 0; i < sizeof(legal_table) / sizeof(legal_table[0]); i++) {
		if (legal_table[i].exchange == exchange && legal_table[i].response == response)
			return &legal_table[i];
	}
	return NULL;
}

static unsigned rule_of(const struct legal_row *row, uint8_t payload)
{
	if (row == NULL || payload < IKEV2_PT_FIRST || payload > IKEV2_PT_LAST)
		return 0;
	return row->rules[payload - IKEV2_PT_FIRST];
}

unsigned ikev2_payload_rule(uint8_t exchange, bool response, uint8_t payload)
{
	return rule_of(find_row(exchange, response), payload);
}

bool ikev2_exchange_has_rules(uint8_t exchange)
{
	return find_row(exchange, false) != NULL;
}

/* The RFC 7296 exceptions to the required set: error answers (and a
 * COOKIE request, which is answered like an error), and EAP rounds. */
static bool requirements_waived(const struct legal_row *row, const struct ikev2_payloads *pl)
{
	for (size_t k = 0; k < pl->n; k++) {
		const struct ikev2_payload *p = &pl->p[k];
		if (p->type == IKEV2_PT_EAP)
			return true;
		if (!row->response || p->type != IKEV2_PT_N || p->len < 4)
			continue;
		uint8_t nh[4];
		memcpy(nh, p->body, sizeof(nh));
		uint16_t type = ikev2_rd16(nh + 2);
		if (ikev2_notify_is_error(type))
			return true;
		if (type == IKEV2_N_COOKIE && row->exchange == IKEV2_EXCH_IKE_SA_INIT)
			return true;
	}
	return false;
}

/* One chain against the table. where: IKEV2_ALLOW_CLEAR or _INNER;
 * flags: enum ikev2_check_flag. */
static err_t check_chain(const struct legal_row *row, const char *label,
			 const struct ikev2_payloads *pl, unsigned where,
			 bool check_required, unsigned flags, struct ikev2_diag *d)
{
	char nb[IKEV2_NAME_BUF];
	unsigned count[N_TYPES] = { 0 };
	for (size_t k = 0; k < pl->n; k++) {
		uint8_t t = pl->p[k].type;
		unsigned r = rule_of(row, t);
		const char *pn = ikev2_pt_str(t, nb);
		if (!(r & where)) {
			if (where == IKEV2_ALLOW_CLEAR && (r & IKEV2_ALLOW_INNER))
				return ikev2_bad(d, "%s: %s payload must be inside SK", label, pn);
			if (where == IKEV2_ALLOW_INNER && (r & IKEV2_ALLOW_CLEAR))
				return ikev2_bad(d, "%s: %s payload must not be encrypted", label, pn);
			return ikev2_bad(d, "%s: %s payload is not allowed", label, pn);
		}
		if (count[t - IKEV2_PT_FIRST]++ == 1 && !(r & IKEV2_REPEAT))
			return ikev2_bad(d, "%s: more than one %s payload", label, pn);
	}
	unsigned tsi = count[IKEV2_PT_TSi - IKEV2_PT_FIRST];
	unsigned tsr = count[IKEV2_PT_TSr - IKEV2_PT_FIRST];
	if ((tsi == 0) != (tsr == 0))
		return ikev2_bad(d, "%s: %s without %s", label, tsi ? "TSi" : "TSr", tsi ? "TSr" : "TSi");
	if (!check_required || requirements_waived(row, pl))
		return NULL;
	/* childless IKE_AUTH (RFC 6023): the Child SA's payloads are all
	 * absent, allowed when it was negotiated; or all required as usual */
	bool no_child = true;
	for (uint8_t t = IKEV2_PT_FIRST; t <= IKEV2_PT_LAST; t++)
		if ((rule_of(row, t) & IKEV2_CHILD) && count[t - IKEV2_PT_FIRST] > 0)
			no_child = false;
	bool childless = (flags & IKEV2_CHECK_CHILDLESS) != 0;
	for (uint8_t t = IKEV2_PT_FIRST; t <= IKEV2_PT_LAST; t++) {
		unsigned r = rule_of(row, t);
		bool child = (r & IKEV2_CHILD) != 0;
		if (child && no_child && childless)
			continue;
		if ((r & IKEV2_REQUIRED) && (r & where) && count[t - IKEV2_PT_FIRST] == 0)
			return ikev2_bad(d, "%s: %s payload missing%s", label, ikev2_pt_str(t, nb),
					 child && no_child ? " (childless IKE_AUTH was not negotiated)" : "");
	}
	return NULL;
}

err_t ikev2_check_payloads(uint8_t exchange, bool response,
			   const struct ikev2_payloads *clear,
			   const struct ikev2_payloads *inner, struct ikev2_diag *d)
{
	return ikev2_check_payloads_flags(exchange, response, clear, inner, 0, d);
}

err_t ikev2_check_payloads_flags(uint8_t exchange, bool response,
				 const struct ikev2_payloads *clear,
				 const struct ikev2_payloads *inner, unsigned flags,
				 struct ikev2_diag *d)
{
	char eb[IKEV2_NAME_BUF];
	if (d != NULL)
		*d = (struct ikev2_diag){ 0 };
	char label[IKEV2_NAME_BUF + 16];
	snprintf(label, sizeof(label), "%s %s", ikev2_str(&ikev2_exchange_names, exchange, eb),
		 response ? "response" : "request");
	const struct legal_row *row = find_row(exchange, response);
	if (row == NULL)
		return ikev2_fail(d, 0, "%s: no payload rules for this exchange", label);
	if (clear != NULL) {
		err_t e = check_chain(row, label, clear, IKEV2_ALLOW_CLEAR, !row->encrypted, flags, d);
		if (e != NULL)
			return e;
		if (row->encrypted && clear->n != 1)
			return ikev2_bad(d, "%s: no SK or SKF payload", label);
	}
	if (inner != NULL) {
		if (!row->encrypted)
			return ikev2_bad(d, "%s: an inner chain was given but this exchange is never encrypted", label);
		return check_chain(row, label, inner, IKEV2_ALLOW_INNER, true, flags, d);
	}
	return NULL;
}
