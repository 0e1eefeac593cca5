/* The payload checker: which payloads each exchange may carry, in which
 * direction, where (clear or inside SK), how often, and which it must
 * carry, read from the exchange records of exchanges.c (RFC 7296 1.2-1.5,
 * 2.21; RFC 7383 for SKF). */
#include <stdio.h>
#include <string.h>
#include "ikev2/ikev2_msg.h"
#include "ikev2/ikev2_wire.h"
#include "ikev2/exchanges.h"

/* A row: one direction of one exchange of the records in exchanges.c. */
struct legal_row {
	uint8_t exchange;
	bool response;
	bool encrypted;          /* the clear chain is one SK or SKF */
	const uint8_t *rules;    /* by payload type - IKEV2_PT_FIRST */
};

static bool find_row_into(uint8_t exchange, bool response, struct legal_row *row)
{
	const struct ikev2_exchange_record *x = ikev2_exchange_record(exchange);
	if (x == NULL)
		return false;
	*row = (struct legal_row){ exchange, response, x->encrypted,
				   response ? x->response : x->request };
	return true;
}

static unsigned rule_of(const struct legal_row *row, uint8_t payload)
{
	if (row == NULL || payload < IKEV2_PT_FIRST || payload > IKEV2_PT_LAST)
		return 0;
	return row->rules[payload - IKEV2_PT_FIRST];
}

unsigned ikev2_payload_rule(uint8_t exchange, bool response, uint8_t payload)
{
	struct legal_row row;
	return find_row_into(exchange, response, &row) ? rule_of(&row, payload) : 0;
}

bool ikev2_exchange_has_rules(uint8_t exchange)
{
	return ikev2_exchange_record(exchange) != NULL;
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
	unsigned count[IKEV2_RULES_N] = { 0 };
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
	struct legal_row found;
	const struct legal_row *row = find_row_into(exchange, response, &found) ? &found : NULL;
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
