/* Quick Mode (RFC 2409 5.5) on an established ISAKMP SA: one ESP Child SA
 * (AH with phase2=ah) per exchange, with PFS when the conn says pfs=yes:
 *
 *   HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]  -->
 *                    <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *   HDR*, HASH(3)                                -->
 *
 *   HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr])
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr])
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 *
 * (the payloads after HASH with their generic headers). Each exchange has
 * its own CBC chain, from hash(last phase 1 block | M-ID). The keys of
 * each direction come from the KEYMAT of that SA's SPI
 * (crypto/ikev1_keys.c); the Child SA goes into the kernel through the
 * version-independent child_install (ike/child.c), as IKEv2's do.
 *
 * The initiator installs on message 2 and sends message 3; the responder
 * installs on message 3 (no commit bit). IDci/IDcr are the conn's subnets
 * (and protoports); they are sent when either end has a subnet or a
 * protoport, and the responder takes exactly the conn's selectors (no
 * narrowing).
 *
 * Rekey: the Quick Mode initiator (the ISAKMP SA's original initiator:
 * the core's timers, rekeymargin=, rekeyfuzz=, rekey=no) runs a new Quick
 * Mode for the conn before the Child SA's lifetime ends (its new outbound
 * SA held back until the responder has taken message 3). IKEv1 does not
 * say "this replaces that": both ends take a new Child SA of the conn with
 * the same selectors as the replacement of the established one. The new
 * one takes the policies over when installed, the old one is REKEYED, and
 * the initiator sends its Delete QM_REKEY_OVERLAP_MS later (the responder
 * installs on message 3, which may still be on its way).
 *
 * Lifetimes (RFC 2407 4.5): we propose salifetime= in seconds; a responder
 * whose salifetime= is shorter takes its own and says so with
 * N(RESPONDER-LIFETIME) in message 2 (4.6.3.1), which the initiator
 * honours. A kilobyte lifetime the peer proposes (or sends in
 * RESPONDER-LIFETIME) becomes the kernel SA's byte limits: its soft limit
 * starts our rekey, its hard one ends the SA. We propose none (there is no
 * ipsec.conf keyword for it). Not here: IPCOMP,
 * ESP in UDP (NAT-T). The PFS DH runs on the main thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/event.h>
#include "iface.h"
#include "ike/child.h"
#include "ike/initiate.h"
#include "ike/queue.h"
#include "ike/timers.h"
#include "ikev1/ikev1.h"
#include "ikev1/natt.h"
#include "ikev2/proposals.h"
#include "pluto.h"

#define QM_NONCE_LEN 32
#define DEFAULT_CHILD_LIFE_S 28800u   /* RFC 2407 4.5 */

/* IPsec DOI SA attributes (RFC 2407 4.5). */
enum ipsec_attr {
	IPSEC_LIFE_TYPE = 1,
	IPSEC_LIFE_DURATION = 2,
	IPSEC_GROUP = 3,
	IPSEC_ENCAP = 4,
	IPSEC_AUTH = 5,
	IPSEC_KEY_LENGTH = 6,
};
#define LIFE_SECONDS 1
#define LIFE_KILOBYTES 2
#define ENCAP_TUNNEL 1
#define ENCAP_TRANSPORT 2

/* ID types of the IPsec DOI (RFC 2407 4.6.2.1) that name traffic. */
enum {
	ID_IPV4_ADDR = 1,
	ID_IPV4_ADDR_SUBNET = 4,
	ID_IPV6_ADDR = 5,
	ID_IPV6_ADDR_SUBNET = 6,
};

/* One ESP transform. */
struct esp_xform {
	const struct alg_desc *encr;
	unsigned keylen;
	const struct alg_desc *integ;   /* NULL with AEAD */
};

#define N(a) (sizeof(a) / sizeof(a[0]))
#define MAX_ESP ISAKMP_MAX_TRANSFORMS

/* Defaults when phase2alg= is not given. */
static const struct { const char *name; unsigned keylen; } default_encr[] = { { "aes", 256 },
									    { "aes", 128 } };
static const char *const default_integ[] = { "sha2_256", "sha2_512", "sha1" };

static const struct alg_desc *alg(enum alg_type t, const char *name)
{
	return alg_by_name(t, name, strlen(name));
}

static size_t add_esp(struct esp_xform *out, size_t n, const struct alg_desc *encr, unsigned keylen,
		      const struct alg_desc *integ)
{
	if (n >= MAX_ESP || encr == NULL || !(encr->usable & ALG_ESP) ||
	    alg_ikev1_id(encr, ALG_V1_IPSEC) == 0)
		return n;
	if (encr->aead)
		integ = NULL;
	else if (integ == NULL || alg_ikev1_id(integ, ALG_V1_IPSEC) == 0)
		return n;
	if (keylen == 0 && encr->keylens[0] != 0)
		keylen = encr->default_keylen;
	out[n] = (struct esp_xform){ encr, keylen, integ };
	return n + 1;
}

/* Our ESP transforms from phase2alg= (each proposal's missing parts from
 * the defaults), in order of preference. */
static size_t our_esp(const struct connection *c, struct esp_xform *out)
{
	size_t n = 0;
	unsigned np = c->child != NULL && c->child->n > 0 ? c->child->n : 1;
	for (unsigned i = 0; i < np; i++) {
		const struct proposal *q = c->child != NULL && c->child->n > 0 ? &c->child->p[i] : NULL;
		const struct alg_desc *encrs[2];
		unsigned keylens[2];
		size_t ne = 0;
		if (q != NULL && q->encr != NULL) {
			encrs[ne] = q->encr;
			keylens[ne++] = q->keylen;
			if (q->keylen == 0 && q->encr->keylens[0] != 0 && !q->encr->aead) {
				keylens[0] = 256;   /* "aes": 256 and 128, as phase 1 */
				encrs[ne] = q->encr;
				keylens[ne++] = 128;
			}
		} else {
			for (; ne < N(default_encr); ne++) {
				encrs[ne] = alg(ALG_ENCRYPT, default_encr[ne].name);
				keylens[ne] = default_encr[ne].keylen;
			}
		}
		for (size_t e = 0; e < ne; e++) {
			if (encrs[e]->aead) {
				n = add_esp(out, n, encrs[e], keylens[e], NULL);
			} else if (q != NULL && q->integ != NULL) {
				n = add_esp(out, n, encrs[e], keylens[e], q->integ);
			} else {
				for (size_t h = 0; h < N(default_integ); h++)
					n = add_esp(out, n, encrs[e], keylens[e], alg(ALG_INTEG, default_integ[h]));
			}
		}
	}
	return n;
}

/* Our AH transforms (phase2=ah) from phase2alg=: the integrity of each
 * proposal, or the defaults. encr is NULL in each. */
static size_t our_ah(const struct connection *c, struct esp_xform *out)
{
	size_t n = 0;
	const struct alg_desc *list[MAX_ESP];
	size_t nl = 0;
	if (c->child != NULL && c->child->n > 0) {
		for (unsigned i = 0; i < c->child->n && nl < MAX_ESP; i++)
			if (c->child->p[i].integ != NULL)
				list[nl++] = c->child->p[i].integ;
	}
	if (nl == 0)
		for (size_t h = 0; h < N(default_integ); h++)
			list[nl++] = alg(ALG_INTEG, default_integ[h]);
	for (size_t i = 0; i < nl && n < MAX_ESP; i++) {
		const struct alg_desc *a = list[i];
		if (a == NULL || !(a->usable & ALG_AH) || alg_ikev1_id(a, ALG_V1_AH) == 0 ||
		    alg_ikev1_id(a, ALG_V1_IPSEC) == 0)
			continue;
		out[n++] = (struct esp_xform){ NULL, 0, a };
	}
	return n;
}

/* The conn's transforms: AH with phase2=ah, else ESP. */
static size_t our_xforms(const struct connection *c, struct esp_xform *out)
{
	return c->child_ah ? our_ah(c, out) : our_esp(c, out);
}

static uint8_t conn_proto(const struct connection *c)
{
	return c->child_ah ? ISAKMP_PROTO_AH : ISAKMP_PROTO_ESP;
}

static const char *proto_name(uint8_t proto)
{
	return proto == ISAKMP_PROTO_AH ? "AH" : "ESP";
}

static bool esp_eq(const struct esp_xform *a, const struct esp_xform *b)
{
	return a->encr == b->encr && a->keylen == b->keylen && a->integ == b->integ;
}

/* The PFS group of the conn: NULL without pfs=yes. */
static const struct alg_desc *pfs_group(struct ike_sa *ike, const struct connection *c)
{
	return child_pfs_group(c, &ike->suite);
}

/* ---- transforms on the wire ------------------------------------------------------ */

static void esp_to_wire(const struct esp_xform *x, uint8_t number, bool transport, uint32_t life_s,
			const struct alg_desc *group, uint8_t lifebuf[4], struct isakmp_transform *t)
{
	memset(t, 0, sizeof(*t));
	t->number = number;
	/* AH: the transform ID names the integrity (RFC 2407 4.4.3) */
	t->id = (uint8_t)(x->encr != NULL ? alg_ikev1_id(x->encr, ALG_V1_IPSEC) : alg_ikev1_id(x->integ, ALG_V1_AH));
	isakmp_attr_tv(t, IPSEC_LIFE_TYPE, LIFE_SECONDS);
	isakmp_attr_life(t, IPSEC_LIFE_DURATION, life_s, lifebuf);
	if (group != NULL)
		isakmp_attr_tv(t, IPSEC_GROUP, alg_ikev1_id(group, ALG_V1_IPSEC));
	isakmp_attr_tv(t, IPSEC_ENCAP, transport ? ENCAP_TRANSPORT : ENCAP_TUNNEL);
	if (x->integ != NULL)
		isakmp_attr_tv(t, IPSEC_AUTH, alg_ikev1_id(x->integ, ALG_V1_IPSEC));
	if (x->keylen != 0)
		isakmp_attr_tv(t, IPSEC_KEY_LENGTH, x->keylen);
}

/* The encapsulation mode attribute of a transform (UDP after a NAT). */
static void set_encap(struct isakmp_transform *t, uint16_t mode)
{
	for (size_t i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].type == IPSEC_ENCAP)
			t->attrs[i].value = mode;
}

/* What a peer's ESP transform says. */
struct esp_wire {
	struct esp_xform x;
	const struct alg_desc *group;   /* NULL: no PFS */
	bool transport;
	uint64_t life_s;                /* 0: not given */
	uint64_t life_kb;               /* 0: not given */
};

/* NULL, or why we cannot take the transform (of protocol proto: ESP or
 * AH). */
static const char *esp_from_wire(const struct isakmp_transform *t, uint8_t proto, struct esp_wire *w)
{
	static char why[96];
	memset(w, 0, sizeof(*w));
	const struct alg_desc *ah = NULL;
	if (proto == ISAKMP_PROTO_AH) {
		ah = alg_by_ikev1_id(ALG_INTEG, ALG_V1_AH, t->id);
		if (ah == NULL || !(ah->usable & ALG_AH)) {
			snprintf(why, sizeof(why), "AH transform ID %u is not supported", t->id);
			return why;
		}
	} else {
		w->x.encr = alg_by_ikev1_id(ALG_ENCRYPT, ALG_V1_IPSEC, t->id);
		if (w->x.encr == NULL || !(w->x.encr->usable & ALG_ESP)) {
			snprintf(why, sizeof(why), "ESP transform ID %u is not supported", t->id);
			return why;
		}
	}
	uint64_t life_type = LIFE_SECONDS, encap = 0;
	for (size_t i = 0; i < t->n_attrs; i++) {
		const struct isakmp_attr *a = &t->attrs[i];
		uint64_t v = a->value;
		switch (a->type) {
		case IPSEC_LIFE_TYPE:
			life_type = v;
			if (v != LIFE_SECONDS && v != LIFE_KILOBYTES) {
				snprintf(why, sizeof(why), "SA life type %llu is not defined", (unsigned long long)v);
				return why;
			}
			break;
		case IPSEC_LIFE_DURATION:
			if (life_type == LIFE_SECONDS)
				w->life_s = v;
			else
				w->life_kb = v;   /* the kernel's byte limits */
			break;
		case IPSEC_GROUP:
			w->group = v <= 0xffff ? alg_by_ikev1_id(ALG_DH, ALG_V1_IPSEC, (uint16_t)v) : NULL;
			if (w->group == NULL || dh_ke_len(w->group) == 0) {
				snprintf(why, sizeof(why), "PFS group %llu is not supported", (unsigned long long)v);
				return why;
			}
			break;
		case IPSEC_ENCAP:
			encap = ikev1_natt_encap_plain(v);   /* UDP-Tunnel/-Transport too (NAT-T) */
			break;
		case IPSEC_AUTH:
			w->x.integ = v <= 0xffff ? alg_by_ikev1_id(ALG_INTEG, ALG_V1_IPSEC, (uint16_t)v) : NULL;
			if (w->x.integ == NULL) {
				snprintf(why, sizeof(why), "authentication algorithm %llu is not supported",
					 (unsigned long long)v);
				return why;
			}
			break;
		case IPSEC_KEY_LENGTH:
			w->x.keylen = (unsigned)v;
			break;
		default:
			snprintf(why, sizeof(why), "attribute %u is not supported", a->type);
			return why;
		}
	}
	if (encap != ENCAP_TUNNEL && encap != ENCAP_TRANSPORT) {
		snprintf(why, sizeof(why), "encapsulation mode %llu is not supported (no NAT-T)",
			 (unsigned long long)encap);
		return why;
	}
	w->transport = encap == ENCAP_TRANSPORT;
	if (ah != NULL) {
		/* the authentication algorithm attribute must name the transform's */
		if (w->x.integ != ah)
			return w->x.integ == NULL ? "an AH transform without its authentication algorithm"
						  : "an AH transform whose authentication algorithm is another";
		if (w->x.keylen != 0)
			return "a key length in an AH transform";
		return NULL;
	}
	if (w->x.encr->aead && w->x.integ != NULL)
		return "an AEAD cipher with an authentication algorithm";
	if (!w->x.encr->aead && w->x.integ == NULL)
		return "no authentication algorithm";
	if (w->x.keylen == 0 && w->x.encr->keylens[0] != 0)
		w->x.keylen = w->x.encr->default_keylen;
	if (!encr_keylen_ok(w->x.encr, w->x.keylen))
		return "key length not allowed";
	return NULL;
}

/* ---- identities (IDci, IDcr) ---------------------------------------------------------- */

/* The conn's selectors over this ISAKMP SA: an end without a subnet is its
 * host. */
static struct child_ts conn_ts(struct ike_sa *ike, struct connection *c)
{
	struct end *me = local_end(c), *peer = peer_end(c);
	struct child_ts ts = {
		.local = me->has_client ? me->client : subnet_from_address(&ike->iface->addr),
		.remote = peer->has_client ? peer->client : subnet_from_address(&ike->remote),
		.proto = me->protoport.proto ? me->protoport.proto : peer->protoport.proto,
		.local_port = me->protoport.port,
		.remote_port = peer->protoport.port,
	};
	/* XAUTH/Mode Config (transaction.h): the address the client got */
	ikev1_modecfg_ts(ike, &ts);
	return ts;
}

static bool conn_sends_ids(struct connection *c)
{
	return local_end(c)->has_client || peer_end(c)->has_client || local_end(c)->protoport.proto != 0 ||
	       peer_end(c)->protoport.proto != 0;
}

struct qm_id {
	struct isakmp_id id;
	uint8_t buf[32];
};

static void id_of(const ip_subnet *s, uint8_t proto, uint16_t port, struct qm_id *o)
{
	bool v6 = s->addr.family == IP_V6;
	size_t al = v6 ? 16 : 4;
	bool host = s->prefix == address_bits(s->addr.family);
	memcpy(o->buf, s->addr.bytes, al);
	size_t len = al;
	if (!host) {
		ip_address m = prefix_mask(s->addr.family, s->prefix);
		memcpy(o->buf + al, m.bytes, al);
		len += al;
	}
	o->id = (struct isakmp_id){
		.type = host ? (v6 ? ID_IPV6_ADDR : ID_IPV4_ADDR) : (v6 ? ID_IPV6_ADDR_SUBNET : ID_IPV4_ADDR_SUBNET),
		.protocol = proto, .port = port, .data = { o->buf, len },
	};
}

/* A peer's IDci/IDcr as a subnet: NULL, or why not. */
static const char *subnet_of_id(const struct isakmp_id *id, ip_subnet *out)
{
	memset(out, 0, sizeof(*out));
	size_t al;
	bool subnet;
	switch (id->type) {
	case ID_IPV4_ADDR: al = 4; subnet = false; out->addr.family = IP_V4; break;
	case ID_IPV4_ADDR_SUBNET: al = 4; subnet = true; out->addr.family = IP_V4; break;
	case ID_IPV6_ADDR: al = 16; subnet = false; out->addr.family = IP_V6; break;
	case ID_IPV6_ADDR_SUBNET: al = 16; subnet = true; out->addr.family = IP_V6; break;
	default:
		return "an ID type other than an address or a subnet";
	}
	if (id->data.len != (subnet ? 2 * al : al))
		return "an ID of the wrong length for its type";
	memcpy(out->addr.bytes, id->data.ptr, al);
	out->prefix = (uint8_t)(8 * al);
	if (subnet) {
		const uint8_t *m = id->data.ptr + al;
		unsigned bits = 0;
		bool ended = false;
		for (size_t i = 0; i < al; i++)
			for (int b = 7; b >= 0; b--) {
				bool one = (m[i] >> b) & 1;
				if (one && ended)
					return "a subnet ID whose mask is not contiguous";
				if (one)
					bits++;
				else
					ended = true;
			}
		out->prefix = (uint8_t)bits;
		for (size_t i = 0; i < al; i++)
			out->addr.bytes[i] &= m[i];
	}
	return NULL;
}

/* ---- hashes and helpers -------------------------------------------------------------------- */

static void put_mid(uint8_t b[4], uint32_t id)
{
	b[0] = (uint8_t)(id >> 24);
	b[1] = (uint8_t)(id >> 16);
	b[2] = (uint8_t)(id >> 8);
	b[3] = (uint8_t)id;
}

/* prf(SKEYID_a, M-ID | pre | rest), or with the leading 0 of HASH(3). */
static err_t qm_hash(struct ike_sa *ike, bool hash3, uint32_t msgid, chunk_t pre, chunk_t rest,
		     chunk_t *out)
{
	uint8_t mid[4], zero = 0;
	put_mid(mid, msgid);
	chunk_t parts[4] = { hash3 ? chunk_from(&zero, 1) : EMPTY_CHUNK, chunk_from(mid, 4), pre, rest };
	return prf_computev(ike->suite.prf, ike->v1.keys.skeyid_a, parts, 4, out);
}

static bool same(chunk_t a, const uint8_t *b, size_t blen)
{
	if (a.len != blen)
		return false;
	uint8_t d = 0;
	for (size_t i = 0; i < blen; i++)
		d |= (uint8_t)(a.ptr[i] ^ b[i]);
	return d == 0;
}

static uint32_t spi_of(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ikev1_quick_free(struct ikev1_quick *q)
{
	chunk_free(&q->ni);
	chunk_free(&q->nr);
	dh_free(&q->dh);
	chunk_free(&q->gqm);
	chunk_free(&q->last_in);
	chunk_free(&q->last_out);
	q->child_serial = 0;
	q->msgid = 0;
	q->from_queue = false;
	q->send_ids = false;
	q->replaces = 0;
	q->life_s = q->life_kb = 0;
	q->responder_lifetime = false;
}

/* ---- lifetimes (RFC 2407 4.5, 4.6.3.1) ------------------------------------------------ */

static size_t put_attr(uint8_t *buf, size_t cap, size_t at, uint16_t type, uint64_t v)
{
	if (v <= 0xffff) {
		if (at + 4 > cap)
			return SIZE_MAX;
		uint8_t a[4] = { (uint8_t)(0x80 | type >> 8), (uint8_t)type, (uint8_t)(v >> 8), (uint8_t)v };
		memcpy(buf + at, a, 4);
		return at + 4;
	}
	if (at + 8 > cap || v > UINT32_MAX)
		return SIZE_MAX;
	uint8_t a[8] = { (uint8_t)(type >> 8), (uint8_t)type, 0, 4,
			 (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	memcpy(buf + at, a, 8);
	return at + 8;
}

size_t ikev1_lifetime_attrs(uint64_t secs, uint64_t kb, uint8_t *buf, size_t cap)
{
	size_t at = 0;
	if (secs != 0) {
		at = put_attr(buf, cap, at, IPSEC_LIFE_TYPE, LIFE_SECONDS);
		at = at == SIZE_MAX ? at : put_attr(buf, cap, at, IPSEC_LIFE_DURATION, secs);
	}
	if (kb != 0 && at != SIZE_MAX) {
		at = put_attr(buf, cap, at, IPSEC_LIFE_TYPE, LIFE_KILOBYTES);
		at = at == SIZE_MAX ? at : put_attr(buf, cap, at, IPSEC_LIFE_DURATION, kb);
	}
	return at == SIZE_MAX ? 0 : at;
}

const char *ikev1_lifetime_parse(const uint8_t *p, size_t len, uint64_t *secs, uint64_t *kb)
{
	uint64_t type = 0;
	*secs = *kb = 0;
	for (size_t at = 0; at < len;) {
		if (len - at < 4)
			return "a truncated attribute";
		uint16_t t = (uint16_t)((p[at] & 0x7f) << 8 | p[at + 1]);
		bool basic = p[at] & 0x80;
		size_t vl = basic ? 2 : (size_t)(p[at + 2] << 8 | p[at + 3]);
		const uint8_t *v = basic ? p + at + 2 : p + at + 4;
		if (!basic && len - at - 4 < vl)
			return "an attribute longer than the list";
		if (vl == 0 || vl > 8)
			return "an attribute value of more than 8 bytes";
		uint64_t value = 0;
		for (size_t i = 0; i < vl; i++)
			value = value << 8 | v[i];
		at += basic ? 4 : 4 + vl;
		if (t == IPSEC_LIFE_TYPE) {
			if (value != LIFE_SECONDS && value != LIFE_KILOBYTES)
				return "an SA life type that is not defined";
			type = value;
		} else if (t == IPSEC_LIFE_DURATION) {
			if (type == 0)
				return "an SA life duration without its type";
			*(type == LIFE_SECONDS ? secs : kb) = value;
			type = 0;
		} else {
			return "an attribute other than SA life type and duration";
		}
	}
	if (*secs == 0 && *kb == 0)
		return "no lifetime";
	return NULL;
}

static struct child_sa *larval_child(struct ike_sa *ike, unsigned serial)
{
	for (struct child_sa *c = ike->larval; c != NULL; c = c->next)
		if (c->serial == serial)
			return c;
	return NULL;
}

/* A fresh message ID for an exchange of ours (never 0, not the peer's). */
static uint32_t new_msgid(struct ike_sa *ike)
{
	uint32_t id = 0;
	for (int i = 0; i < 8 && (id == 0 || id == ike->v1.qr.msgid); i++)
		if (random_bytes(&id, sizeof(id)) != NULL)
			return 0;
	return id;
}

/* The Child SA of the conn that a new one with these selectors replaces
 * (a rekey: IKEv1 does not say so on the wire), or NULL. It may be under
 * another ISAKMP SA with the same peer (one that is being replaced). */
static struct child_sa *replaced_child(struct ike_sa *ike, struct connection *c, const struct child_ts *ts,
				       uint8_t protocol)
{
	struct child_sa *old = c->child_serial != 0 ? child_sa_by_serial(ike->pluto, c->child_serial) : NULL;
	if (old == NULL || old->state != CHILD_ESTABLISHED || old->protocol != protocol ||
	    !address_eq(&old->ike->remote, &ike->remote) || old->ts.proto != ts->proto ||
	    old->ts.local_port != ts->local_port || old->ts.remote_port != ts->remote_port ||
	    old->ts.local.prefix != ts->local.prefix || old->ts.remote.prefix != ts->remote.prefix ||
	    !address_eq(&old->ts.local.addr, &ts->local.addr) || !address_eq(&old->ts.remote.addr, &ts->remote.addr))
		return NULL;
	return old;
}

/* The IPsec Delete of Child SAs replaced by a rekey goes after this much
 * overlap, so that the peer installs the new one (our message 3 on its
 * way) before the old goes: no packet meets a missing SA. */
#define QM_REKEY_OVERLAP_MS 2000

static void retire_now(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ike_sa *ike = arg;
	struct ikev1_part *v1 = &ike->v1;
	for (size_t i = 0; i < v1->n_retire; i++) {
		struct child_sa *old = child_sa_by_serial(ike->pluto, v1->retire[i]);
		if (old != NULL && old->state == CHILD_REKEYED && old->ike == ike &&
		    !ike_queued(ike, WORK_DELETE_CHILD, old->serial))
			ike_queue(ike, WORK_DELETE_CHILD, old->serial, NULL, NULL);
	}
	v1->n_retire = 0;
}

void ikev1_retire_later(struct ike_sa *ike, struct child_sa *old)
{
	struct ikev1_part *v1 = &ike->v1;
	if (v1->n_retire >= sizeof(v1->retire) / sizeof(v1->retire[0]))
		retire_now(-1, 0, ike);
	v1->retire[v1->n_retire++] = old->serial;
	if (v1->retire_timer == NULL && ike->pluto->base != NULL)
		v1->retire_timer = event_new(ike->pluto->base, -1, 0, retire_now, ike);
	if (v1->retire_timer != NULL) {
		struct timeval tv = { QM_REKEY_OVERLAP_MS / 1000, (QM_REKEY_OVERLAP_MS % 1000) * 1000 };
		event_add(v1->retire_timer, &tv);
	}
}

void ikev1_retire_free(struct ike_sa *ike)
{
	if (ike->v1.retire_timer != NULL)
		event_free(ike->v1.retire_timer);
	ike->v1.retire_timer = NULL;
	ike->v1.n_retire = 0;
}

/* The Child SA is in the kernel: it belongs to the ISAKMP SA now. A rekey
 * (replaces: the old Child SA's serial) marks the old one REKEYED; the
 * Quick Mode initiator sends its Delete after the overlap, the responder
 * waits for that Delete (or the old one's end). */
static void child_up(struct child_sa *child, unsigned replaces, bool initiator)
{
	char suite[96], l[SUBNET_BUF], r[SUBNET_BUF];
	struct child_sa *old = replaces != 0 ? child_sa_by_serial(child->ike->pluto, replaces) : NULL;
	if (old != NULL && old->state == CHILD_ESTABLISHED)
		child_set_state(old, CHILD_REKEYED);
	else
		old = NULL;
	child_set_state(child, CHILD_ESTABLISHED);
	child->established = time(NULL);
	child_sa_established(child);
	child->c->child_serial = child->serial;
	llog(&child->logger, RC_INFO,
	     "established Child SA (IKEv1 Quick Mode) %s %s===%s {%s=>0x%08x <0x%08x %s%s%s}",
	     child->transport ? "transport" : "tunnel", str_subnet(&child->ts.local, l),
	     str_subnet(&child->ts.remote, r), child->protocol == CHILD_PROTO_AH ? "AH" : "ESP",
	     child->spi_out, child->spi_in, str_child_suite(&child->suite, suite, sizeof(suite)),
	     child->pfs_dh ? " PFS=" : "", child->pfs_dh ? child->pfs_dh->name : "");
	if (old != NULL) {
		llog(&child->logger, RC_INFO,
		     "rekeyed Child SA #%u {0x%08x <0x%08x} with #%u {0x%08x <0x%08x}%s", old->serial,
		     old->spi_out, old->spi_in, child->serial, child->spi_out, child->spi_in,
		     initiator ? "; the old one's Delete follows" : "");
		if (initiator)
			ikev1_retire_later(old->ike, old);
	}
	child_sa_timers_start(child);
}

static bool install(struct ike_sa *ike, struct child_sa *child, struct ikev1_quick *q, bool initiator)
{
	struct child_sa_keys keys;
	uint32_t spi_i = initiator ? child->spi_in : child->spi_out;
	uint32_t spi_r = initiator ? child->spi_out : child->spi_in;
	err_t e = ikev1_child_keys(&child->suite, ike->suite.prf, ike->v1.keys.skeyid_d, q->gqm,
				   child->protocol, spi_i, spi_r, q->ni, q->nr, &keys);
	if (e != NULL) {
		llog(&child->logger, RC_ERROR, "cannot derive the Child SA keys: %s", e);
		return false;
	}
	/* the initiator of a rekey installs first: its new outbound SA waits
	 * until the peer has taken message 3 (ike/child.c) */
	bool ok = child_install(child, &keys, initiator, initiator && q->replaces != 0);
	child_sa_keys_free(&keys);
	return ok;
}

/* ---- initiator ---------------------------------------------------------------------------- */

/* Our exchange ended: the client that waits for it hears how. */
static void initiator_done(struct ike_sa *ike, int status)
{
	struct ikev1_quick *q = &ike->v1.qi;
	bool queued = q->from_queue;
	q->from_queue = false;
	q->child_serial = 0;
	if (queued) {
		if (ike->running != NULL)
			ike->running->status = status;
		ike_work_done(ike);
	} else {
		ike_whack_done(ike, status);
	}
}

static void initiator_failed(struct ike_sa *ike, const char *why)
{
	struct ikev1_quick *q = &ike->v1.qi;
	struct child_sa *child = larval_child(ike, q->child_serial);
	/* the Child SA's logger tells the waiting client too */
	llog(child != NULL ? &child->logger : &ike->logger, RC_WARNING, "Quick Mode failed: %s", why);
	if (child != NULL)
		child_sa_delete(child, NULL);
	if (ike->request_outstanding && ike->request_exchange == ISAKMP_XCHG_QUICK)
		ike_request_answered(ike);
	initiator_done(ike, WHACK_STATUS_REFUSED);
}

static void qm_timeout(struct ike_sa *ike)
{
	initiator_failed(ike, "no answer to Quick Mode message 1");
}

struct qm1_out {
	struct isakmp_sa sa;
	uint8_t lifebufs[MAX_ESP][4];
	chunk_t ke;
	struct qm_id idci, idcr;
};

/* HASH first (zeros for now), the payloads, then the HASH over them. */
static bool fill_qm(struct ike_sa *ike, struct ikev2_builder *b, const struct isakmp_sa *sa,
		    chunk_t nonce, chunk_t ke, const struct qm_id *idci, const struct qm_id *idcr,
		    const struct isakmp_notify *n, uint32_t msgid, chunk_t ni_b /* HASH(2): Ni_b, else empty */)
{
	uint8_t zeros[64] = { 0 };
	size_t hl = prf_output_len(ike->suite.prf);
	if (hl == 0 || hl > sizeof(zeros))
		return false;
	size_t hat = isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ zeros, hl });
	isakmp_build_sa(b, sa);
	isakmp_build_bytes(b, ISAKMP_NEXT_NONCE, (struct ikev2_span){ nonce.ptr, nonce.len });
	if (ke.len > 0)
		isakmp_build_bytes(b, ISAKMP_NEXT_KE, (struct ikev2_span){ ke.ptr, ke.len });
	if (idci != NULL) {
		isakmp_build_id(b, &idci->id);
		isakmp_build_id(b, &idcr->id);
	}
	if (n != NULL)
		isakmp_build_notify(b, n);
	if (hat == SIZE_MAX || b->failed)
		return false;
	size_t from = hat + 4 + hl;
	chunk_t hash;
	if (qm_hash(ike, false, msgid, ni_b, chunk_from(b->buf + from, b->len - from), &hash) != NULL)
		return false;
	memcpy(b->buf + hat + 4, hash.ptr, hl);
	chunk_free(&hash);
	return true;
}

static bool fill_qm1(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct qm1_out *o = ctx;
	struct ikev1_quick *q = &ike->v1.qi;
	return fill_qm(ike, b, &o->sa, q->ni, o->ke, q->send_ids ? &o->idci : NULL, &o->idcr, NULL,
		       q->msgid, EMPTY_CHUNK);
}

static bool qm_start(struct ike_sa *ike, struct connection *c, bool from_queue, struct child_sa *old)
{
	static struct qm1_out o;
	static struct esp_xform xf[MAX_ESP];
	struct ikev1_quick *q = &ike->v1.qi;
	const char *why = NULL;
	size_t n = 0;
	if (q->child_serial != 0)
		why = "a Quick Mode of ours is under way";
	else if (ikev1_xa_pending(ike))   /* XAUTH/Mode Config (transaction.h) */
		why = "XAUTH or Mode Config is not done";
	else if ((n = our_xforms(c, xf)) == 0)
		why = c->child_ah ? "phase2alg= has no AH transform IKEv1 can use"
				  : "phase2alg= has no ESP transform IKEv1 can use";
	if (why != NULL) {
		llog(&ike->logger, RC_WARNING, "cannot start Quick Mode for \"%s\": %s", c->name, why);
		return false;
	}
	ikev1_quick_free(q);
	q->from_queue = from_queue;
	struct child_sa *child = child_sa_new(ike, c);
	child->protocol = conn_proto(c);
	child->transport = c->type == CONN_TRANSPORT;
	child->encap = ike->nat_detected;
	child->lifetime_ms = c->sa_lifetime_ms;
	child->pfs_dh = pfs_group(ike, c);
	child->ts = old != NULL ? old->ts : conn_ts(ike, c);
	if (old != NULL) {
		/* the new SA takes over the old one's policies */
		q->replaces = old->serial;
		child->rekey_of_spi = old->spi_in;
	}
	child_sa_larval(child);
	q->child_serial = child->serial;
	q->send_ids = conn_sends_ids(c) || ikev1_modecfg_ts(ike, &child->ts);   /* Mode Config: IDci */
	err_t e = NULL;
	if (!child_alloc_spi(child))
		why = "no SPI from the kernel";
	else if ((q->msgid = new_msgid(ike)) == 0 || !ikev1_exchange_iv(ike, q->msgid, q->iv))
		why = "no message ID or IV";
	else if ((e = random_nonce(QM_NONCE_LEN, &q->ni)) != NULL)
		why = e;
	else if (child->pfs_dh != NULL && (q->dh = dh_generate(child->pfs_dh, &e)) == NULL)
		why = e;
	if (why != NULL) {
		q->from_queue = false;   /* the caller ends the work */
		llog(&child->logger, RC_ERROR, "cannot start Quick Mode: %s", why);
		child_sa_delete(child, NULL);
		q->child_serial = 0;
		return false;
	}
	memset(&o.sa, 0, sizeof(o.sa));
	o.sa.doi = ISAKMP_DOI_IPSEC;
	o.sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	o.sa.n_proposals = 1;
	struct isakmp_proposal *pr = &o.sa.proposals[0];
	pr->number = 1;
	pr->protocol = conn_proto(c);
	pr->spi_size = 4;
	put_mid(pr->spi, child->spi_in);
	pr->n_transforms = n;
	uint64_t life = c->sa_lifetime_ms / 1000;
	if (life == 0 || life > UINT32_MAX)
		life = DEFAULT_CHILD_LIFE_S;
	for (size_t i = 0; i < n; i++) {
		esp_to_wire(&xf[i], (uint8_t)(i + 1), child->transport, (uint32_t)life, child->pfs_dh,
			    o.lifebufs[i], &pr->transforms[i]);
		set_encap(&pr->transforms[i], ikev1_natt_encap(ike, child->transport));
	}
	o.ke = q->dh != NULL ? dh_public_value(q->dh) : EMPTY_CHUNK;
	id_of(&child->ts.local, child->ts.proto, child->ts.local_port, &o.idci);
	id_of(&child->ts.remote, child->ts.proto, child->ts.remote_port, &o.idcr);
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_QUICK, q->msgid, q->iv, fill_qm1, &o, out, &len)) {
		q->from_queue = false;
		child_sa_delete(child, NULL);
		q->child_serial = 0;
		return false;
	}
	ike->on_timeout = qm_timeout;
	ike_request_sent(ike, out, len, q->msgid, ISAKMP_XCHG_QUICK);
	if (old != NULL)
		llog(&child->logger, RC_INFO, "rekeying Child SA #%u {0x%08x <0x%08x} (its lifetime ends)",
		     old->serial, old->spi_out, old->spi_in);
	llog(&child->logger, RC_INFO, "sent Quick Mode message 1 (%zu %s transform%s%s%s)", n,
	     proto_name(pr->protocol), n == 1 ? "" : "s", child->pfs_dh ? ", PFS " : "", child->pfs_dh ? child->pfs_dh->name : "");
	return true;
}

bool quick_mode_initiate(struct ike_sa *ike, struct connection *c, bool from_queue)
{
	/* a new ISAKMP SA that replaces one (a rekey) takes its Child SAs
	 * over instead (Main Mode calls here when it is up) */
	if (ike->v1.rekey_of != 0 && ikev1_rekey_ike_done(ike))
		return true;
	return qm_start(ike, c, from_queue, NULL);
}

bool quick_mode_rekey(struct ike_sa *ike, struct child_sa *old)
{
	return qm_start(ike, old->c, true, old);
}

static bool fill_qm3(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	(void)ctx;
	struct ikev1_quick *q = &ike->v1.qi;
	chunk_t hash;
	if (qm_hash(ike, true, q->msgid, q->ni, q->nr, &hash) != NULL)
		return false;
	isakmp_build_bytes(b, ISAKMP_NEXT_HASH, (struct ikev2_span){ hash.ptr, hash.len });
	chunk_free(&hash);
	return !b->failed;
}

/* The peer's IDci/IDcr of message 1 or 2 as selectors: NULL, or why not. */
static const char *peer_ids(const struct isakmp_payloads *pl, bool *present, ip_subnet *ci,
			    ip_subnet *cr, struct isakmp_id *idci, struct isakmp_id *idcr)
{
	static char why[ISAKMP_DIAG_TEXT + 16];
	const struct isakmp_payload *a = isakmp_payloads_find(pl, ISAKMP_NEXT_ID, 0);
	const struct isakmp_payload *b = isakmp_payloads_find(pl, ISAKMP_NEXT_ID, 1);
	*present = a != NULL;
	if (a == NULL)
		return NULL;
	struct isakmp_diag d = { 0 };
	if (b == NULL)
		return "one ID payload (IDci and IDcr come together)";
	if (isakmp_decode_id(a, idci, &d) != NULL || isakmp_decode_id(b, idcr, &d) != NULL) {
		snprintf(why, sizeof(why), "ID: %s", d.text);
		return why;
	}
	const char *e = subnet_of_id(idci, ci);
	if (e == NULL)
		e = subnet_of_id(idcr, cr);
	return e;
}

/* rightsubnet=vhost:LIST|vnet:LIST (a road warrior behind a NAT): the
 * peer's IDci (or, without IDs, its own address) checked against the list
 * and virtual_private=: NULL and in *want_ci the IDci to take, the remote
 * selector set to it in a tunnel (a transport SA stays between the hosts,
 * the IDci the peer's address behind its NAT); else why not. */
static const char *virtual_peer(struct ike_sa *ike, struct connection *c, bool have_ids, const ip_subnet *ci,
				bool transport, struct child_ts *ts, ip_subnet *want_ci)
{
	static char why[2 * SUBNET_BUF + 512];
	ip_subnet own = subnet_from_address(&ike->remote);
	bool own_address = !have_ids || subnet_eq(ci, &own);
	if (virtual_subnet_allows(peer_end(c)->virt, ike->pluto->opts.virtual_private, have_ids ? ci : &own,
				  own_address, why, sizeof(why)) != NULL)
		return why;
	if (have_ids) {
		*want_ci = *ci;
		if (!transport)
			ts->remote = *ci;
	}
	return NULL;
}

/* N(RESPONDER-LIFETIME) in message 2 (RFC 2407 4.6.3.1): the responder
 * chose a shorter lifetime than we proposed; ours follows it. */
static void take_responder_lifetime(struct child_sa *child, const struct isakmp_payloads *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct isakmp_notify n;
		struct isakmp_diag d = { 0 };
		uint64_t secs, kb;
		if (pl->p[i].type != ISAKMP_NEXT_N || isakmp_decode_notify(&pl->p[i], &n, &d) != NULL ||
		    n.type != ISAKMP_N_RESPONDER_LIFETIME)
			continue;
		const char *why = ikev1_lifetime_parse(n.data.ptr, n.data.len, &secs, &kb);
		if (why != NULL) {
			llog(&child->logger, RC_INFO, "ignoring RESPONDER-LIFETIME: %s", why);
			continue;
		}
		if (secs != 0 && (child->lifetime_ms == 0 || secs * 1000 < child->lifetime_ms)) {
			child->lifetime_ms = secs * 1000;
			llog(&child->logger, RC_INFO, "the responder's lifetime: %llu s (RESPONDER-LIFETIME)",
			     (unsigned long long)secs);
		}
		if (kb != 0 && (child->lifetime_kb == 0 || kb < child->lifetime_kb)) {
			child->lifetime_kb = kb;
			llog(&child->logger, RC_INFO, "the responder's lifetime: %llu KiB (RESPONDER-LIFETIME)",
			     (unsigned long long)kb);
		}
	}
}

static void initiator_qm2(struct ike_sa *ike, struct v1_msg_in *m)
{
	static struct isakmp_sa sa;
	static struct esp_xform ours[MAX_ESP];
	struct ikev1_quick *q = &ike->v1.qi;
	struct child_sa *child = larval_child(ike, q->child_serial);
	const char *why = NULL;
	uint8_t iv[IKEV1_BLOCK_MAX];
	memcpy(iv, q->iv, sizeof(iv));
	if (child == NULL)
		return;
	if (!ikev1_decrypt(ike, m, iv, &why)) {
		llog(&ike->logger, RC_INFO, "dropping Quick Mode message 2: %s", why);
		return;
	}
	const struct isakmp_payloads *pl = &m->pl;
	if (pl->n < 2 || pl->p[0].type != ISAKMP_NEXT_HASH) {
		llog(&ike->logger, RC_INFO, "dropping Quick Mode message 2: it does not start with HASH(2)");
		return;
	}
	const struct isakmp_payload *last = &pl->p[pl->n - 1];
	size_t from = pl->p[1].offset, to = last->offset + 4 + last->len;
	chunk_t hash;
	if (qm_hash(ike, false, q->msgid, q->ni, chunk_from(m->plain + from, to - from), &hash) != NULL)
		return;
	bool ok = same(hash, pl->p[0].body, pl->p[0].len);
	chunk_free(&hash);
	if (!ok) {
		llog(&ike->logger, RC_WARNING, "dropping Quick Mode message 2: its HASH(2) does not match");
		return;
	}
	/* authentic: the exchange ends here, one way or the other */
	ike_request_answered(ike);
	ike->last_heard_ms = mono_ms();
	memcpy(q->iv, iv, sizeof(iv));
	struct isakmp_diag d = { 0 };
	const struct isakmp_payload *sap = isakmp_payloads_find(pl, ISAKMP_NEXT_SA, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(pl, ISAKMP_NEXT_NONCE, 0);
	const struct isakmp_payload *kp = isakmp_payloads_find(pl, ISAKMP_NEXT_KE, 0);
	struct ikev2_span nr, ke = { NULL, 0 };
	struct esp_wire w;
	if (sap == NULL || np == NULL)
		why = "Quick Mode message 2 without SA and nonce";
	else if (isakmp_decode_sa(sap, &sa, &d) != NULL || isakmp_decode_bytes(np, &nr, &d) != NULL ||
		 (kp != NULL && isakmp_decode_bytes(kp, &ke, &d) != NULL))
		why = d.text;
	else if (sa.n_proposals != 1 || sa.proposals[0].protocol != child->protocol ||
		 sa.proposals[0].n_transforms != 1 || sa.proposals[0].spi_size != 4)
		why = child->protocol == ISAKMP_PROTO_AH
			? "the responder did not choose one AH transform with a 4-byte SPI"
			: "the responder did not choose one ESP transform with a 4-byte SPI";
	else
		why = esp_from_wire(&sa.proposals[0].transforms[0], child->protocol, &w);
	if (why == NULL) {
		size_t n = our_xforms(child->c, ours);
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = esp_eq(&ours[i], &w.x);
		if (!found)
			why = "the responder chose a transform we did not offer";
		else if (w.group != child->pfs_dh)
			why = "the responder's PFS group is not the one we offered";
		else if (w.transport != child->transport)
			why = child->transport ? "the responder refused transport mode"
					       : "the responder answered with transport mode";
		else if ((child->pfs_dh != NULL) != (kp != NULL))
			why = child->pfs_dh != NULL ? "no KE for PFS in Quick Mode message 2"
						    : "a KE without PFS in Quick Mode message 2";
	}
	bool have_ids = false;
	ip_subnet ci, cr;
	struct isakmp_id idci, idcr;
	if (why == NULL)
		why = peer_ids(pl, &have_ids, &ci, &cr, &idci, &idcr);
	/* IDs we did not send stand for the hosts themselves (RFC 2409 5.5):
	 * a responder that names them anyway (strongSwan does) is checked
	 * against those like any other IDs */
	if (why == NULL && q->send_ids && !have_ids)
		why = "the responder left out IDci/IDcr";
	if (why == NULL && have_ids &&
	    (!subnet_eq(&ci, &child->ts.local) || !subnet_eq(&cr, &child->ts.remote) ||
	     idci.protocol != child->ts.proto || idci.port != child->ts.local_port ||
	     idcr.port != child->ts.remote_port))
		why = "the responder's IDci/IDcr are not the ones we sent";
	err_t e;
	if (why == NULL && child->pfs_dh != NULL &&
	    (e = dh_shared_secret(q->dh, chunk_from(ke.ptr, ke.len), &q->gqm)) != NULL)
		why = e;
	if (why != NULL) {
		initiator_failed(ike, why);
		return;
	}
	child->spi_out = spi_of(sa.proposals[0].spi);
	child->suite = (struct child_suite){ .encr = w.x.encr, .encr_keylen = w.x.keylen, .integ = w.x.integ };
	if (w.life_s != 0 && w.life_s * 1000 < child->lifetime_ms)
		child->lifetime_ms = w.life_s * 1000;
	if (w.life_kb != 0)
		child->lifetime_kb = w.life_kb;
	take_responder_lifetime(child, pl);
	chunk_free(&q->nr);
	q->nr = chunk_clone(nr.ptr, nr.len);
	if (!install(ike, child, q, true)) {
		initiator_failed(ike, "cannot install the Child SA in the kernel");
		return;
	}
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_QUICK, q->msgid, q->iv, fill_qm3, NULL, out, &len)) {
		initiator_failed(ike, "cannot build Quick Mode message 3");
		return;
	}
	ike_transmit(ike, out, len);
	/* a repeat of message 2 (our 3 was lost) gets message 3 again */
	chunk_free(&q->last_in);
	chunk_free(&q->last_out);
	q->last_in = chunk_clone(m->pkt->data, m->pkt->len);
	q->last_out = chunk_clone(out, len);
	child_up(child, q->replaces, true);
	initiator_done(ike, 0);
}

/* ---- responder ------------------------------------------------------------------------- */

/* The first of the peer's ESP transforms that is one of ours. */
static const char *choose(struct ike_sa *ike, struct connection *c, const struct isakmp_sa *sa,
			  struct isakmp_proposal *answer, struct esp_wire *chosen)
{
	static struct esp_xform ours[MAX_ESP];
	static char why[240];
	size_t n = our_xforms(c, ours), seen = 0;
	uint8_t proto = conn_proto(c);
	const struct alg_desc *group = pfs_group(ike, c);
	const char *first = NULL;
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *pr = &sa->proposals[i];
		/* ESP alone: a proposal that shares its number is ESP AND something else */
		bool combined = (i > 0 && sa->proposals[i - 1].number == pr->number) ||
				(i + 1 < sa->n_proposals && sa->proposals[i + 1].number == pr->number);
		if (pr->protocol != proto || pr->spi_size != 4 || combined)
			continue;
		for (size_t k = 0; k < pr->n_transforms; k++) {
			struct esp_wire w;
			seen++;
			const char *e = esp_from_wire(&pr->transforms[k], proto, &w);
			if (e == NULL && w.group != group)
				e = group != NULL ? (w.group == NULL ? "no PFS (pfs=yes here)" : "another PFS group")
						  : "PFS (pfs=no here)";
			if (e == NULL && w.transport != (c->type == CONN_TRANSPORT))
				e = w.transport ? "transport mode (a tunnel here)" : "tunnel mode (transport here)";
			if (e != NULL) {
				if (first == NULL)
					first = e;
				continue;
			}
			for (size_t o = 0; o < n; o++) {
				if (!esp_eq(&ours[o], &w.x))
					continue;
				*answer = *pr;
				answer->n_transforms = 1;
				answer->transforms[0] = pr->transforms[k];
				*chosen = w;
				return NULL;
			}
		}
	}
	snprintf(why, sizeof(why), "none of the peer's %zu %s transforms matches phase2alg=%s%s%s", seen,
		 proto_name(proto),
		 c->child == NULL || c->child->n == 0 ? " (the defaults)" : "", first ? "; first refused: " : "",
		 first ? first : "");
	return why;
}

struct qm2_out {
	struct isakmp_sa sa;
	chunk_t ke;
	struct qm_id idci, idcr;
	bool ids;
	uint8_t spi[4];              /* RESPONDER-LIFETIME: our inbound SPI */
	uint8_t life[16];            /* its attribute list */
	size_t life_len;
};

static bool fill_qm2(struct ike_sa *ike, struct ikev2_builder *b, void *ctx)
{
	struct qm2_out *o = ctx;
	struct ikev1_quick *q = &ike->v1.qr;
	struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .protocol = o->sa.proposals[0].protocol,
				   .spi_size = 4, .type = ISAKMP_N_RESPONDER_LIFETIME,
				   .spi = { o->spi, 4 }, .data = { o->life, o->life_len } };
	return fill_qm(ike, b, &o->sa, q->nr, o->ke, o->ids ? &o->idci : NULL, &o->idcr,
		       o->life_len > 0 ? &n : NULL, q->msgid, q->ni);
}

static void responder_refuse(struct ike_sa *ike, const char *a, uint16_t type, const char *why)
{
	llog(&ike->logger, RC_INFO, "Quick Mode from %s: %s: %s", a, isakmp_notify_name(type), why);
	ikev1_send_notify(ike, type);
}

static void responder_qm1(struct ike_sa *ike, struct v1_msg_in *m)
{
	static struct isakmp_sa sa;
	static struct qm2_out o;
	struct ikev1_quick *q = &ike->v1.qr;
	struct connection *c = ike->c;
	char a[ADDRESS_BUF];
	str_address(&ike->remote, a);
	const char *why = NULL;
	uint32_t msgid = m->h.message_id;
	uint8_t iv[IKEV1_BLOCK_MAX];
	if (msgid == 0 || !ikev1_exchange_iv(ike, msgid, iv))
		why = "message ID 0";
	else
		ikev1_decrypt(ike, m, iv, &why);
	const struct isakmp_payloads *pl = &m->pl;
	if (why == NULL && (pl->n < 2 || pl->p[0].type != ISAKMP_NEXT_HASH))
		why = "it does not start with HASH(1)";
	if (why == NULL) {
		const struct isakmp_payload *last = &pl->p[pl->n - 1];
		size_t from = pl->p[1].offset, to = last->offset + 4 + last->len;
		chunk_t hash;
		if (qm_hash(ike, false, msgid, EMPTY_CHUNK, chunk_from(m->plain + from, to - from), &hash) != NULL)
			why = "cannot compute HASH(1)";
		else if (!same(hash, pl->p[0].body, pl->p[0].len))
			why = "its HASH(1) does not match";
		chunk_free(&hash);
	}
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "dropping Quick Mode message 1 from %s: %s", a, why);
		return;
	}
	ike->last_heard_ms = mono_ms();
	/* a new exchange replaces one that never got its message 3 */
	struct child_sa *old = larval_child(ike, q->child_serial);
	if (old != NULL)
		child_sa_delete(old, NULL);
	ikev1_quick_free(q);
	q->msgid = msgid;
	struct isakmp_diag d = { 0 };
	const struct isakmp_payload *sap = isakmp_payloads_find(pl, ISAKMP_NEXT_SA, 0);
	const struct isakmp_payload *np = isakmp_payloads_find(pl, ISAKMP_NEXT_NONCE, 0);
	const struct isakmp_payload *kp = isakmp_payloads_find(pl, ISAKMP_NEXT_KE, 0);
	struct ikev2_span ni, ke = { NULL, 0 };
	if (sap == NULL || np == NULL || isakmp_decode_sa(sap, &sa, &d) != NULL ||
	    isakmp_decode_bytes(np, &ni, &d) != NULL || (kp != NULL && isakmp_decode_bytes(kp, &ke, &d) != NULL)) {
		responder_refuse(ike, a, d.notify ? d.notify : ISAKMP_N_PAYLOAD_MALFORMED,
				 d.text[0] ? d.text : "no SA and nonce");
		return;
	}
	if (c == NULL || !conn_accepts_ikev1(c)) {
		responder_refuse(ike, a, ISAKMP_N_NO_PROPOSAL_CHOSEN, "no conn for it");
		return;
	}
	struct esp_wire w;
	why = choose(ike, c, &sa, &o.sa.proposals[0], &w);
	if (why == NULL && (w.group != NULL) != (kp != NULL))
		why = w.group != NULL ? "PFS without a KE payload" : "a KE payload without PFS";
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "\"%s\": Quick Mode from %s: NO-PROPOSAL-CHOSEN: %s", c->name, a, why);
		ikev1_send_notify(ike, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	/* the selectors: exactly the conn's (or none, for its hosts), the
	 * peer's own with rightsubnet=vhost:|vnet: */
	bool have_ids = false;
	ip_subnet ci, cr;
	struct isakmp_id idci, idcr;
	struct child_ts ts = conn_ts(ike, c);
	ip_subnet want_ci = ts.remote;
	why = peer_ids(pl, &have_ids, &ci, &cr, &idci, &idcr);
	if (why == NULL && peer_end(c)->virt != NULL)
		why = virtual_peer(ike, c, have_ids, &ci, w.transport, &ts, &want_ci);
	char l[SUBNET_BUF], r[SUBNET_BUF], pl_[SUBNET_BUF], pr_[SUBNET_BUF];
	static char idwhy[4 * SUBNET_BUF + 80];
	if (why == NULL && have_ids &&
	    (!subnet_eq(&ci, &want_ci) || !subnet_eq(&cr, &ts.local) || idci.protocol != ts.proto ||
	     idcr.protocol != ts.proto || idci.port != ts.remote_port || idcr.port != ts.local_port)) {
		snprintf(idwhy, sizeof(idwhy), "the peer asks for %s===%s, the conn is %s===%s",
			 str_subnet(&ci, pl_), str_subnet(&cr, pr_), str_subnet(&want_ci, r),
			 str_subnet(&ts.local, l));
		why = idwhy;
	}
	if (why == NULL && !have_ids && conn_sends_ids(c))
		why = "no IDci/IDcr, but the conn has subnets";
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "\"%s\": Quick Mode from %s: INVALID-ID-INFORMATION: %s", c->name, a, why);
		ikev1_send_notify(ike, ISAKMP_N_INVALID_ID_INFORMATION);
		return;
	}
	struct child_sa *child = child_sa_new(ike, c);
	child->protocol = conn_proto(c);
	child->transport = w.transport;
	child->encap = ike->nat_detected;
	/* the shorter of ours and the peer's (RFC 2407 4.5: 28800 s when
	 * not given); ours shorter: the peer hears it (RESPONDER-LIFETIME) */
	uint64_t ours_s = c->sa_lifetime_ms / 1000 != 0 ? c->sa_lifetime_ms / 1000 : DEFAULT_CHILD_LIFE_S;
	uint64_t theirs_s = w.life_s != 0 ? w.life_s : DEFAULT_CHILD_LIFE_S;
	q->life_s = ours_s < theirs_s ? ours_s : theirs_s;
	q->life_kb = w.life_kb;
	q->responder_lifetime = ours_s < theirs_s;
	child->lifetime_ms = q->life_s * 1000;
	child->lifetime_kb = q->life_kb;   /* the peer's (we have none of our own) */
	child->pfs_dh = w.group;
	child->ts = ts;
	struct child_sa *prev = replaced_child(ike, c, &ts, child->protocol);
	if (prev != NULL) {
		q->replaces = prev->serial;
		child->rekey_of_spi = prev->spi_in;
	}
	child->suite = (struct child_suite){ .encr = w.x.encr, .encr_keylen = w.x.keylen, .integ = w.x.integ };
	child_sa_larval(child);
	q->child_serial = child->serial;
	q->send_ids = have_ids;
	q->ni = chunk_clone(ni.ptr, ni.len);
	err_t e = NULL;
	why = NULL;
	child->spi_out = spi_of(o.sa.proposals[0].spi);
	if (!child_alloc_spi(child))
		why = "no SPI from the kernel";
	else if ((e = random_nonce(QM_NONCE_LEN, &q->nr)) != NULL)
		why = e;
	else if (w.group != NULL && (q->dh = dh_generate(w.group, &e)) == NULL)
		why = e;
	else if (w.group != NULL && (e = dh_shared_secret(q->dh, chunk_from(ke.ptr, ke.len), &q->gqm)) != NULL)
		why = e;
	if (why != NULL) {
		llog(&child->logger, RC_WARNING, "Quick Mode from %s: %s", a, why);
		child_sa_delete(child, NULL);
		ikev1_quick_free(q);
		return;
	}
	o.sa.doi = ISAKMP_DOI_IPSEC;
	o.sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
	o.sa.n_proposals = 1;
	put_mid(o.sa.proposals[0].spi, child->spi_in);
	o.ke = q->dh != NULL ? dh_public_value(q->dh) : EMPTY_CHUNK;
	o.ids = have_ids;
	put_mid(o.spi, child->spi_in);
	o.life_len = q->responder_lifetime ? ikev1_lifetime_attrs(q->life_s, 0, o.life, sizeof(o.life)) : 0;
	if (o.life_len > 0)
		llog(&child->logger, RC_INFO,
		     "Quick Mode from %s: lifetime %llu s, shorter than the peer's %llu s (RESPONDER-LIFETIME)", a,
		     (unsigned long long)q->life_s, (unsigned long long)theirs_s);
	if (have_ids) {
		/* echoed as the initiator sent them */
		id_of(&ci, idci.protocol, idci.port, &o.idci);
		id_of(&cr, idcr.protocol, idcr.port, &o.idcr);
	}
	memcpy(q->iv, iv, sizeof(iv));
	static uint8_t out[IKE_MSG_MAX];
	size_t len;
	if (!ikev1_build(ike, ISAKMP_XCHG_QUICK, msgid, q->iv, fill_qm2, &o, out, &len)) {
		child_sa_delete(child, NULL);
		ikev1_quick_free(q);
		return;
	}
	ike_transmit(ike, out, len);
	q->last_in = chunk_clone(m->pkt->data, m->pkt->len);
	q->last_out = chunk_clone(out, len);
	llog(&child->logger, RC_INFO, "answered Quick Mode message 1 from %s", a);
}

static void responder_qm3(struct ike_sa *ike, struct v1_msg_in *m)
{
	struct ikev1_quick *q = &ike->v1.qr;
	struct child_sa *child = larval_child(ike, q->child_serial);
	const char *why = NULL;
	uint8_t iv[IKEV1_BLOCK_MAX];
	memcpy(iv, q->iv, sizeof(iv));
	if (child == NULL)
		return;
	if (ikev1_decrypt(ike, m, iv, &why)) {
		const struct isakmp_payloads *pl = &m->pl;
		chunk_t hash;
		if (pl->n < 1 || pl->p[0].type != ISAKMP_NEXT_HASH)
			why = "it does not start with HASH(3)";
		else if (qm_hash(ike, true, q->msgid, q->ni, q->nr, &hash) != NULL)
			why = "cannot compute HASH(3)";
		else {
			if (!same(hash, pl->p[0].body, pl->p[0].len))
				why = "its HASH(3) does not match";
			chunk_free(&hash);
		}
	}
	if (why != NULL) {
		llog(&ike->logger, RC_INFO, "dropping Quick Mode message 3: %s", why);
		return;
	}
	ike->last_heard_ms = mono_ms();
	if (!install(ike, child, q, false)) {
		llog(&child->logger, RC_WARNING, "Quick Mode: cannot install the Child SA in the kernel");
		child_sa_delete(child, NULL);
		ikev1_quick_free(q);
		return;
	}
	q->child_serial = 0;
	child_up(child, q->replaces, false);
	/* the exchange is over; keep the message ID so that a late repeat is known */
	chunk_free(&q->last_out);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

void quick_mode_receive(struct ike_sa *ike, struct v1_msg_in *m)
{
	const struct packet *pkt = m->pkt;
	if (ike->state != IKE_ESTABLISHED || !ike->v1.keys_ready) {
		llog(&ike->logger, RC_INFO, "dropping a Quick Mode message: the ISAKMP SA is not established");
		return;
	}
	if (!(m->h.flags & ISAKMP_FLAG_ENCRYPTION) || m->h.message_id == 0) {
		llog(&ike->logger, RC_INFO, "dropping a Quick Mode message: not encrypted, or message ID 0");
		return;
	}
	if (ikev1_xa_pending(ike)) {   /* XAUTH/Mode Config (transaction.h) first */
		llog(&ike->logger, RC_INFO, "dropping a Quick Mode message: XAUTH or Mode Config is not done");
		return;
	}
	struct ikev1_quick *q = NULL;
	if (m->h.message_id == ike->v1.qi.msgid)
		q = &ike->v1.qi;
	else if (m->h.message_id == ike->v1.qr.msgid)
		q = &ike->v1.qr;
	/* a repeat of the message we took last: our answer again */
	if (q != NULL && q->last_in.ptr != NULL && q->last_in.len == pkt->len &&
	    memcmp(q->last_in.ptr, pkt->data, pkt->len) == 0) {
		if (q->last_out.ptr != NULL) {
			ldbg(&ike->logger, DBG_CONTROL, "repeated Quick Mode message: answering again");
			ike_transmit(ike, q->last_out.ptr, q->last_out.len);
		}
		return;
	}
	if (q == &ike->v1.qi) {
		if (q->child_serial != 0 && ike->request_outstanding)
			initiator_qm2(ike, m);
		else
			ldbg(&ike->logger, DBG_CONTROL, "unexpected Quick Mode message: dropped");
		return;
	}
	if (q == &ike->v1.qr) {
		if (q->child_serial != 0)
			responder_qm3(ike, m);
		else
			ldbg(&ike->logger, DBG_CONTROL, "Quick Mode message of an exchange that ended: dropped");
		return;
	}
	responder_qm1(ike, m);
}

/* A notify of the peer in an encrypted Informational while our Quick Mode
 * waits: an error ends it. */
bool quick_mode_refused(struct ike_sa *ike, uint16_t type)
{
	if (ike->v1.qi.child_serial == 0 || type >= 16384)
		return false;
	char why[96];
	snprintf(why, sizeof(why), "the peer answered with %s", isakmp_notify_name(type));
	initiator_failed(ike, why);
	return true;
}

/* The Child SA of protocol proto with SPI spi (its outbound one, or its
 * inbound) under ike or another ISAKMP SA with the same peer (a Child SA
 * whose ISAKMP SA is being replaced, or was: IKEv1 Child SAs do not
 * belong to one). */
static struct child_sa *child_of_peer(struct ike_sa *ike, uint32_t spi, uint8_t proto)
{
	for (int pass = 0; pass < 2; pass++) {
		struct child_sa *child = pass == 0 ? child_sa_by_spi_out(ike, spi) : child_sa_by_spi_in(ike, spi);
		if (child != NULL && child->protocol == proto)
			return child;
	}
	for (struct ike_sa *s = ike_sa_first(ike->pluto); s != NULL; s = s->next_all) {
		if (s == ike || s->ops != &ikev1_ops || !address_eq(&s->remote, &ike->remote) ||
		    !id_eq(&s->peer_id, &ike->peer_id))
			continue;
		struct child_sa *child = child_sa_by_spi_out(s, spi);
		if (child != NULL && child->protocol == proto)
			return child;
	}
	return NULL;
}

/* The peer's Delete of IPsec SAs: the SPIs are its inbound ones (our
 * outbound), or ours as some implementations send them. */
void quick_mode_delete(struct ike_sa *ike, const struct isakmp_delete *del)
{
	if ((del->protocol != ISAKMP_PROTO_ESP && del->protocol != ISAKMP_PROTO_AH) || del->spi_size != 4) {
		llog(&ike->logger, RC_INFO, "ignoring a Delete of %zu SA(s) of protocol %u", del->n_spis,
		     del->protocol);
		return;
	}
	for (size_t k = 0; k < del->n_spis; k++) {
		uint32_t spi = spi_of(del->spis[k]);
		struct child_sa *child = child_of_peer(ike, spi, del->protocol);
		if (child == NULL) {
			llog(&ike->logger, RC_INFO, "ignoring a Delete of %s SPI 0x%08x: no such Child SA",
			     del->protocol == ISAKMP_PROTO_AH ? "AH" : "ESP", spi);
			continue;
		}
		child_sa_delete(child, "the peer deleted it (IPsec Delete)");
	}
}
