/* Building our proposals and choosing among the peer's (RFC 7296 3.3).
 *
 * Defaults, when ike= / phase2alg= are not given:
 *   IKE:  AES-GCM-16 256|128 with PRF SHA2-512|SHA2-256, and
 *         AES-CBC 256|128 with HMAC SHA2-512|SHA2-256|SHA1 and the same PRFs;
 *         DH Curve25519, ECP256, MODP2048, MODP3072 (our KE: the first).
 *   ESP:  AES-GCM-16 256|128, and AES-CBC 256|128 with HMAC SHA2-512|
 *         SHA2-256|SHA1; no extended sequence numbers.
 *   AH:   HMAC SHA2-512|SHA2-256|SHA1. */
#include <stdio.h>
#include <string.h>
#include "ikev2/proposals.h"

struct pick { const char *name; unsigned keylen; };

static const struct pick default_aead[] = { { "aes_gcm16", 256 }, { "aes_gcm16", 128 } };
static const struct pick default_cbc[] = { { "aes", 256 }, { "aes", 128 } };
static const struct pick default_integ[] = { { "sha2_512", 0 }, { "sha2_256", 0 }, { "sha1", 0 } };
static const struct pick default_prf[] = { { "prfsha2_512", 0 }, { "prfsha2_256", 0 } };
static const struct pick default_dh[] = { { "curve25519", 0 }, { "ecp256", 0 }, { "modp2048", 0 },
					  { "modp3072", 0 } };
#define N(a) (sizeof(a) / sizeof(a[0]))

static const struct alg_desc *alg(enum alg_type t, const char *name)
{
	return alg_by_name(t, name, strlen(name));
}

static void add_transform(struct ikev2_proposal *p, uint8_t type, uint16_t id, unsigned keylen)
{
	if (p->n_transforms >= IKEV2_MAX_TRANSFORMS)
		return;
	p->transforms[p->n_transforms++] = (struct ikev2_transform){
		.type = type, .id = id, .key_length = (uint16_t)keylen };
}

static void add_picks(struct ikev2_proposal *p, uint8_t type, enum alg_type at,
		      const struct pick *picks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct alg_desc *a = alg(at, picks[i].name);
		if (a != NULL)
			add_transform(p, type, a->ikev2_id, picks[i].keylen);
	}
}

static void add_alg(struct ikev2_proposal *p, uint8_t type, const struct alg_desc *a,
		    unsigned keylen)
{
	/* variable-length ciphers always carry a Key Length attribute */
	if (keylen == 0 && a->keylens[0] != 0)
		keylen = a->default_keylen;
	add_transform(p, type, a->ikev2_id, keylen);
}

/* The PRF that goes with an integrity algorithm ("sha2_256" -> "prfsha2_256"). */
static const struct alg_desc *prf_for_integ(const struct alg_desc *integ)
{
	char name[32];
	snprintf(name, sizeof(name), "prf%s", integ->name);
	return alg(ALG_PRF, name);
}

static void add_dh_for(struct ikev2_proposal *p, const struct alg_desc *dh)
{
	if (dh != NULL)
		add_alg(p, IKEV2_TRANS_DH, dh, 0);
	else
		add_picks(p, IKEV2_TRANS_DH, ALG_DH, default_dh, N(default_dh));
}

/* One configured IKE proposal; missing parts take the default lists. */
static void ike_from_config(const struct proposal *q, struct ikev2_proposal *p)
{
	bool aead = q->encr != NULL && q->encr->aead;
	if (q->encr != NULL)
		add_alg(p, IKEV2_TRANS_ENCR, q->encr, q->keylen);
	else
		add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_cbc, N(default_cbc));
	if (q->prf != NULL)
		add_alg(p, IKEV2_TRANS_PRF, q->prf, 0);
	else if (q->integ != NULL && prf_for_integ(q->integ) != NULL)
		add_alg(p, IKEV2_TRANS_PRF, prf_for_integ(q->integ), 0);
	else
		add_picks(p, IKEV2_TRANS_PRF, ALG_PRF, default_prf, N(default_prf));
	if (!aead) {
		if (q->integ != NULL)
			add_alg(p, IKEV2_TRANS_INTEG, q->integ, 0);
		else
			add_picks(p, IKEV2_TRANS_INTEG, ALG_INTEG, default_integ, N(default_integ));
	}
	add_dh_for(p, q->dh);
}

static void start_proposal(struct ikev2_sa *out, uint8_t protocol, const void *spi, size_t spi_len)
{
	struct ikev2_proposal *p = &out->proposals[out->n_proposals];
	*p = (struct ikev2_proposal){ .number = (uint8_t)(out->n_proposals + 1),
				      .protocol = protocol, .spi_size = (uint8_t)spi_len };
	if (spi_len)
		memcpy(p->spi, spi, spi_len);
	out->n_proposals++;
}

void ike_proposals_build(const struct connection *c, const uint8_t spi[8], struct ikev2_sa *out)
{
	out->n_proposals = 0;
	size_t spi_len = spi ? 8 : 0;
	if (c->ike->n == 0) {
		start_proposal(out, IKEV2_PROTO_IKE, spi, spi_len);
		struct ikev2_proposal *p = &out->proposals[0];
		add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_aead, N(default_aead));
		add_picks(p, IKEV2_TRANS_PRF, ALG_PRF, default_prf, N(default_prf));
		add_dh_for(p, NULL);
		start_proposal(out, IKEV2_PROTO_IKE, spi, spi_len);
		p = &out->proposals[1];
		add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_cbc, N(default_cbc));
		add_picks(p, IKEV2_TRANS_PRF, ALG_PRF, default_prf, N(default_prf));
		add_picks(p, IKEV2_TRANS_INTEG, ALG_INTEG, default_integ, N(default_integ));
		add_dh_for(p, NULL);
		return;
	}
	for (unsigned i = 0; i < c->ike->n && i < IKEV2_MAX_PROPOSALS; i++) {
		start_proposal(out, IKEV2_PROTO_IKE, spi, spi_len);
		ike_from_config(&c->ike->p[i], &out->proposals[out->n_proposals - 1]);
	}
}

void child_proposals_build(const struct connection *c, uint32_t spi, const struct alg_desc *dh,
			   struct ikev2_sa *out)
{
	out->n_proposals = 0;
	uint8_t spi_be[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
			      (uint8_t)spi };
	uint8_t proto = c->child_ah ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP;
	if (c->child->n == 0) {
		if (c->child_ah) {
			start_proposal(out, proto, spi_be, 4);
			struct ikev2_proposal *p = &out->proposals[0];
			add_picks(p, IKEV2_TRANS_INTEG, ALG_INTEG, default_integ, N(default_integ));
			if (dh != NULL)
				add_alg(p, IKEV2_TRANS_DH, dh, 0);
			add_transform(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
			return;
		}
		start_proposal(out, proto, spi_be, 4);
		struct ikev2_proposal *p = &out->proposals[0];
		add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_aead, N(default_aead));
		if (dh != NULL)
			add_alg(p, IKEV2_TRANS_DH, dh, 0);
		add_transform(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
		start_proposal(out, proto, spi_be, 4);
		p = &out->proposals[1];
		add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_cbc, N(default_cbc));
		add_picks(p, IKEV2_TRANS_INTEG, ALG_INTEG, default_integ, N(default_integ));
		if (dh != NULL)
			add_alg(p, IKEV2_TRANS_DH, dh, 0);
		add_transform(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
		return;
	}
	for (unsigned i = 0; i < c->child->n && i < IKEV2_MAX_PROPOSALS; i++) {
		const struct proposal *q = &c->child->p[i];
		start_proposal(out, proto, spi_be, 4);
		struct ikev2_proposal *p = &out->proposals[out->n_proposals - 1];
		if (!c->child_ah) {
			if (q->encr != NULL)
				add_alg(p, IKEV2_TRANS_ENCR, q->encr, q->keylen);
			else
				add_picks(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, default_cbc, N(default_cbc));
		}
		bool aead = q->encr != NULL && q->encr->aead;
		if (!aead) {
			if (q->integ != NULL && q->integ->ikev2_id != 0)
				add_alg(p, IKEV2_TRANS_INTEG, q->integ, 0);
			else
				add_picks(p, IKEV2_TRANS_INTEG, ALG_INTEG, default_integ, N(default_integ));
		}
		if (dh != NULL)
			add_alg(p, IKEV2_TRANS_DH, q->dh ? q->dh : dh, 0);
		add_transform(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
	}
}

/* ---- choosing ----------------------------------------------------------- */

static bool same_transform(const struct ikev2_transform *a, const struct ikev2_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_length == b->key_length;
}

static bool has_type(const struct ikev2_proposal *p, uint8_t type)
{
	for (size_t i = 0; i < p->n_transforms; i++)
		if (p->transforms[i].type == type)
			return true;
	return false;
}

/* The peer's first transform of type that ours also lists, or NULL. */
static const struct ikev2_transform *pick_type(const struct ikev2_proposal *peer,
					       const struct ikev2_proposal *ours, uint8_t type)
{
	for (size_t i = 0; i < peer->n_transforms; i++) {
		const struct ikev2_transform *t = &peer->transforms[i];
		if (t->type != type || t->unknown_attr)
			continue;
		for (size_t j = 0; j < ours->n_transforms; j++)
			if (same_transform(t, &ours->transforms[j]))
				return t;
	}
	return NULL;
}

/* Narrows peer against ours: every type either side has must be agreed,
 * except an INTEG of "none" that the other side leaves out. */
static bool match_pair(const struct ikev2_proposal *peer, const struct ikev2_proposal *ours,
		       struct ikev2_proposal *chosen)
{
	if (peer->protocol != ours->protocol)
		return false;
	*chosen = (struct ikev2_proposal){ .number = peer->number, .protocol = peer->protocol,
					   .spi_size = peer->spi_size };
	memcpy(chosen->spi, peer->spi, sizeof(chosen->spi));
	static const uint8_t types[] = { IKEV2_TRANS_ENCR, IKEV2_TRANS_PRF, IKEV2_TRANS_INTEG,
					 IKEV2_TRANS_DH, IKEV2_TRANS_ESN };
	for (size_t k = 0; k < sizeof(types); k++) {
		uint8_t type = types[k];
		bool in_peer = has_type(peer, type), in_ours = has_type(ours, type);
		if (!in_peer && !in_ours)
			continue;
		const struct ikev2_transform *t = pick_type(peer, ours, type);
		if (t == NULL) {
			/* INTEG NONE on one side only is the same as no INTEG */
			if (type == IKEV2_TRANS_INTEG && !in_ours)
				continue;
			return false;
		}
		chosen->transforms[chosen->n_transforms++] = *t;
	}
	return true;
}

static const struct alg_desc *find(const struct ikev2_proposal *p, uint8_t type,
				   enum alg_type at, unsigned *keylen)
{
	for (size_t i = 0; i < p->n_transforms; i++) {
		if (p->transforms[i].type == type) {
			if (keylen != NULL)
				*keylen = p->transforms[i].key_length;
			return alg_by_ikev2_id(at, p->transforms[i].id);
		}
	}
	return NULL;
}

static err_t fill_ike_suite(const struct ikev2_proposal *p, struct ike_suite *s)
{
	*s = (struct ike_suite){ 0 };
	s->encr = find(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, &s->encr_keylen);
	s->prf = find(p, IKEV2_TRANS_PRF, ALG_PRF, NULL);
	s->integ = find(p, IKEV2_TRANS_INTEG, ALG_INTEG, NULL);
	s->dh = find(p, IKEV2_TRANS_DH, ALG_DH, NULL);
	if (s->encr == NULL || s->prf == NULL || s->dh == NULL)
		return "the IKE proposal lacks an encryption algorithm, a PRF or a DH group";
	if (!s->encr->aead && s->integ == NULL)
		return "the IKE proposal lacks an integrity algorithm";
	if (!encr_ike_supported(s->encr))
		return "the IKE encryption algorithm is not supported";
	return NULL;
}

static err_t fill_child_suite(const struct ikev2_proposal *p, struct child_suite *s,
			      const struct alg_desc **dh)
{
	*s = (struct child_suite){ 0 };
	s->encr = find(p, IKEV2_TRANS_ENCR, ALG_ENCRYPT, &s->encr_keylen);
	s->integ = find(p, IKEV2_TRANS_INTEG, ALG_INTEG, NULL);
	if (dh != NULL)
		*dh = find(p, IKEV2_TRANS_DH, ALG_DH, NULL);
	if (p->protocol == IKEV2_PROTO_ESP && s->encr == NULL)
		return "the ESP proposal lacks an encryption algorithm";
	if (p->protocol == IKEV2_PROTO_AH && s->integ == NULL)
		return "the AH proposal lacks an integrity algorithm";
	if (p->spi_size != 4)
		return "the Child SA proposal's SPI is not 4 bytes";
	return NULL;
}

/* ---- a refusal names both sides' proposals ------------------------------- */

/* The transform types of a proposal, in the order they are written. */
static const struct {
	uint8_t type;
	enum alg_type alg;
	const char *unknown;   /* prefix for an ID the table lacks */
} shown_types[] = {
	{ IKEV2_TRANS_ENCR, ALG_ENCRYPT, "encr" },
	{ IKEV2_TRANS_INTEG, ALG_INTEG, "integ" },
	{ IKEV2_TRANS_PRF, ALG_PRF, "prf" },
	{ IKEV2_TRANS_DH, ALG_DH, "dh" },
};

/* "aes_gcm16_256|aes_gcm16_128-prfsha2_512-curve25519|ecp256, ..." */
static void str_sa(const struct ikev2_sa *sa, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
#define ADD(...) do { if (n < size) { int w_ = snprintf(buf + n, size - n, __VA_ARGS__); \
		if (w_ > 0) n += (size_t)w_; } } while (0)
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct ikev2_proposal *p = &sa->proposals[i];
		ADD("%s", i ? ", " : "");
		bool first_type = true;
		for (size_t k = 0; k < N(shown_types); k++) {
			bool first = true;
			for (size_t t = 0; t < p->n_transforms; t++) {
				const struct ikev2_transform *x = &p->transforms[t];
				if (x->type != shown_types[k].type || (x->type == IKEV2_TRANS_INTEG && x->id == 0))
					continue;
				const struct alg_desc *a = alg_by_ikev2_id(shown_types[k].alg, x->id);
				ADD("%s", first ? (first_type ? "" : "-") : "|");
				if (a != NULL)
					ADD("%s", a->name);
				else
					ADD("%s#%u", shown_types[k].unknown, x->id);
				if (x->key_length)
					ADD("_%u", x->key_length);
				first = false;
				first_type = false;
			}
		}
	}
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
#undef ADD
}

/* "no IKE proposal of the peer is acceptable: it offered ...; we accept ..." */
static err_t refusal(const char *what, const struct ikev2_sa *peer, const struct ikev2_sa *ours)
{
	static char text[1100];
	char theirs[480], mine[480];
	str_sa(peer, theirs, sizeof(theirs));
	str_sa(ours, mine, sizeof(mine));
	snprintf(text, sizeof(text), "no %s proposal of the peer is acceptable: it offered %s; we accept %s",
		 what, theirs, mine);
	return text;
}

err_t ike_proposals_choose(const struct connection *c, const struct ikev2_sa *peer,
			   struct ikev2_proposal *chosen, struct ike_suite *suite)
{
	static struct ikev2_sa ours;
	ike_proposals_build(c, NULL, &ours);
	for (size_t i = 0; i < peer->n_proposals; i++) {
		for (size_t j = 0; j < ours.n_proposals; j++) {
			if (match_pair(&peer->proposals[i], &ours.proposals[j], chosen) &&
			    fill_ike_suite(chosen, suite) == NULL)
				return NULL;
		}
	}
	return refusal("IKE", peer, &ours);
}

err_t child_proposals_choose(const struct connection *c, const struct ikev2_sa *peer,
			     const struct alg_desc *dh, struct ikev2_proposal *chosen,
			     struct child_suite *suite, const struct alg_desc **chosen_dh)
{
	static struct ikev2_sa ours;
	child_proposals_build(c, 0, dh, &ours);
	for (size_t i = 0; i < peer->n_proposals; i++) {
		for (size_t j = 0; j < ours.n_proposals; j++) {
			if (!match_pair(&peer->proposals[i], &ours.proposals[j], chosen))
				continue;
			if (fill_child_suite(chosen, suite, chosen_dh) == NULL)
				return NULL;
		}
	}
	return refusal("Child SA", peer, &ours);
}

/* The answer must hold exactly one transform per type and be a subset of
 * the offered proposal with its number. */
static const struct ikev2_proposal *accepted_subset(const struct ikev2_sa *offered,
						    const struct ikev2_sa *answer)
{
	if (answer->n_proposals != 1)
		return NULL;
	const struct ikev2_proposal *a = &answer->proposals[0];
	for (size_t i = 0; i < offered->n_proposals; i++) {
		const struct ikev2_proposal *o = &offered->proposals[i];
		if (o->number != a->number || o->protocol != a->protocol)
			continue;
		unsigned seen = 0;
		bool ok = true;
		for (size_t k = 0; k < a->n_transforms && ok; k++) {
			const struct ikev2_transform *t = &a->transforms[k];
			unsigned bit = 1u << (t->type & 31);
			bool offered_it = false;
			for (size_t m = 0; m < o->n_transforms; m++)
				offered_it |= same_transform(t, &o->transforms[m]);
			ok = offered_it && !(seen & bit);
			seen |= bit;
		}
		if (ok)
			return a;
	}
	return NULL;
}

err_t ike_proposals_accept(const struct ikev2_sa *offered, const struct ikev2_sa *answer,
			   struct ike_suite *suite)
{
	const struct ikev2_proposal *a = accepted_subset(offered, answer);
	if (a == NULL)
		return "the responder chose an IKE proposal we did not offer";
	return fill_ike_suite(a, suite);
}

err_t child_proposals_accept(const struct ikev2_sa *offered, const struct ikev2_sa *answer,
			     struct child_suite *suite, const struct alg_desc **dh,
			     uint32_t *peer_spi)
{
	const struct ikev2_proposal *a = accepted_subset(offered, answer);
	if (a == NULL)
		return "the responder chose a Child SA proposal we did not offer";
	err_t e = fill_child_suite(a, suite, dh);
	if (e != NULL)
		return e;
	*peer_spi = (uint32_t)a->spi[0] << 24 | (uint32_t)a->spi[1] << 16 |
		    (uint32_t)a->spi[2] << 8 | a->spi[3];
	return NULL;
}

const struct alg_desc *ike_proposals_first_dh(const struct connection *c)
{
	static struct ikev2_sa ours;
	ike_proposals_build(c, NULL, &ours);
	return find(&ours.proposals[0], IKEV2_TRANS_DH, ALG_DH, NULL);
}

bool ike_proposals_offer_dh(const struct connection *c, uint16_t group)
{
	static struct ikev2_sa ours;
	ike_proposals_build(c, NULL, &ours);
	for (size_t i = 0; i < ours.n_proposals; i++)
		for (size_t j = 0; j < ours.proposals[i].n_transforms; j++)
			if (ours.proposals[i].transforms[j].type == IKEV2_TRANS_DH &&
			    ours.proposals[i].transforms[j].id == group)
				return true;
	return false;
}

const struct alg_desc *child_pfs_group(const struct connection *c, const struct ike_suite *ike)
{
	if (!c->pfs)
		return NULL;
	for (unsigned i = 0; i < c->child->n; i++)
		if (c->child->p[i].dh != NULL)
			return c->child->p[i].dh;
	return ike->dh;
}

static const char *name_or(const struct alg_desc *a, const char *none)
{
	return a != NULL ? a->name : none;
}

const char *str_ike_suite(const struct ike_suite *s, char *buf, size_t size)
{
	char kl[16] = "";
	if (s->encr_keylen)
		snprintf(kl, sizeof(kl), "_%u", s->encr_keylen);
	snprintf(buf, size, "%s%s-%s-%s-%s", name_or(s->encr, "?"), kl,
		 s->encr && s->encr->aead ? "none" : name_or(s->integ, "?"),
		 name_or(s->prf, "?"), name_or(s->dh, "?"));
	return buf;
}

const char *str_child_suite(const struct child_suite *s, char *buf, size_t size)
{
	char kl[16] = "";
	if (s->encr_keylen)
		snprintf(kl, sizeof(kl), "_%u", s->encr_keylen);
	if (s->encr == NULL)
		snprintf(buf, size, "AH %s", name_or(s->integ, "?"));
	else
		snprintf(buf, size, "%s%s-%s", s->encr->name, kl,
			 s->encr->aead ? "none" : name_or(s->integ, "?"));
	return buf;
}
