/* XFRM netlink message builders and parsers (no I/O). Requests are built
 * with libmnl into bounded buffers; every attribute goes through
 * mnl_attr_put_check, the fixed headers are size-checked first. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/udp.h>
#include <libmnl/libmnl.h>
#include "kernel/kernel_xfrm_msg.h"

/* ---- conversions ---------------------------------------------------------- */

uint16_t xfrm_family(uint8_t ip_family)
{
	switch (ip_family) {
	case IP_V4: return AF_INET;
	case IP_V6: return AF_INET6;
	default: return AF_UNSPEC;
	}
}

static uint8_t ip_family_of(uint16_t af)
{
	switch (af) {
	case AF_INET: return IP_V4;
	case AF_INET6: return IP_V6;
	default: return IP_UNSET;
	}
}

void xfrm_addr_from(xfrm_address_t *x, const ip_address *a)
{
	memset(x, 0, sizeof(*x));
	if (a->family == IP_V4)
		memcpy(x, a->bytes, 4);
	else if (a->family == IP_V6)
		memcpy(x, a->bytes, 16);
}

ip_address xfrm_addr_to(const xfrm_address_t *x, uint16_t family)
{
	ip_address a;
	memset(&a, 0, sizeof(a));
	a.family = ip_family_of(family);
	if (a.family == IP_V4)
		memcpy(a.bytes, x, 4);
	else if (a.family == IP_V6)
		memcpy(a.bytes, x, 16);
	return a;
}

void xfrm_sel_from(struct xfrm_selector *x, const struct kernel_selector *s)
{
	memset(x, 0, sizeof(*x));
	if (s->src.addr.family == IP_UNSET)
		return;   /* family 0: any */
	x->family = xfrm_family(s->src.addr.family);
	xfrm_addr_from(&x->saddr, &s->src.addr);
	xfrm_addr_from(&x->daddr, &s->dst.addr);
	x->prefixlen_s = s->src.prefix;
	x->prefixlen_d = s->dst.prefix;
	x->proto = s->proto;
	x->sport = htons(s->sport);
	x->sport_mask = s->sport ? 0xffff : 0;
	x->dport = htons(s->dport);
	x->dport_mask = s->dport ? 0xffff : 0;
}

void xfrm_sel_to(struct kernel_selector *s, const struct xfrm_selector *x)
{
	memset(s, 0, sizeof(*s));
	if (x->family != AF_INET && x->family != AF_INET6)
		return;
	s->src.addr = xfrm_addr_to(&x->saddr, x->family);
	s->dst.addr = xfrm_addr_to(&x->daddr, x->family);
	unsigned bits = address_bits(s->src.addr.family);
	s->src.prefix = x->prefixlen_s <= bits ? x->prefixlen_s : (uint8_t)bits;
	s->dst.prefix = x->prefixlen_d <= bits ? x->prefixlen_d : (uint8_t)bits;
	s->proto = x->proto;
	s->sport = x->sport_mask ? ntohs(x->sport) : 0;
	s->dport = x->dport_mask ? ntohs(x->dport) : 0;
}

static uint64_t limit(uint64_t v)
{
	return v == 0 ? XFRM_INF : v;
}

/* ---- building ------------------------------------------------------------- */

/* What a request is about, named in error texts only: the text is made
 * when one is needed, not for every request. */
struct what {
	const char *text;                  /* a fixed text, or */
	const struct kernel_sa_id *id;     /* an SA, or */
	const struct kernel_policy *p;     /* a policy */
};

static void fail(struct kernel_diag *d, int err, const struct what *w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct kernel_diag *d, int err, const struct what *w, const char *fmt, ...)
{
	char buf[KERNEL_POLICY_BUF > KERNEL_SA_BUF ? KERNEL_POLICY_BUF : KERNEL_SA_BUF];
	const char *t = w->text != NULL ? w->text
		      : w->id != NULL ? str_kernel_sa_id(w->id, buf)
		      : str_kernel_policy(w->p, buf);
	char msg[KERNEL_DIAG_SIZE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kernel_diag_set(d, err, "%s: %s", t, msg);
}

/* Header plus a zeroed fixed part of extra bytes; NULL if it does not fit. */
static struct nlmsghdr *put_header(void *buf, size_t size, uint16_t type, size_t extra,
				   const struct what *what, struct kernel_diag *d)
{
	if (buf == NULL || size < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra)) {
		fail(d, EMSGSIZE, what, "netlink buffer of %zu bytes too small", size);
		return NULL;
	}
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 0;
	void *x = mnl_nlmsg_put_extra_header(nlh, extra);
	memset(x, 0, extra);
	return nlh;
}

static bool put_attr(struct nlmsghdr *nlh, size_t size, uint16_t type, size_t len,
		     const void *data, const struct what *what, struct kernel_diag *d)
{
	if (len > UINT16_MAX - MNL_ATTR_HDRLEN ||
	    !mnl_attr_put_check(nlh, size, type, len, data)) {
		fail(d, EMSGSIZE, what, "attribute %u (%zu bytes) does not fit the netlink buffer", type, len);
		return false;
	}
	return true;
}

/* struct xfrm_algo / xfrm_algo_auth / xfrm_algo_aead followed by the key. */
static bool put_alg(struct nlmsghdr *nlh, size_t size, const struct kernel_alg *ka, chunk_t key,
		    bool auth_trunc, const struct what *what, struct kernel_diag *d)
{
	union {
		struct xfrm_algo crypt;
		struct xfrm_algo_auth auth;
		struct xfrm_algo_aead aead;
		uint8_t bytes[sizeof(struct xfrm_algo_auth) + 128];
	} a;
	memset(&a, 0, sizeof(a));
	size_t fixed;
	char *name;
	uint8_t *keyp;
	if (ka->kind == KERNEL_ALG_AEAD) {
		fixed = sizeof(a.aead);
		name = a.aead.alg_name;
		keyp = (uint8_t *)a.bytes + fixed;
		a.aead.alg_icv_len = ka->icv_bits;
	} else if (auth_trunc) {
		fixed = sizeof(a.auth);
		name = a.auth.alg_name;
		keyp = (uint8_t *)a.bytes + fixed;
		a.auth.alg_trunc_len = ka->icv_bits;
	} else {
		fixed = sizeof(a.crypt);
		name = a.crypt.alg_name;
		keyp = (uint8_t *)a.bytes + fixed;
	}
	if (key.len > sizeof(a.bytes) - fixed || key.len > UINT32_MAX / 8) {
		fail(d, EINVAL, what, "%s key of %zu bytes is too long", ka->kernel_name, key.len);
		return false;
	}
	if (strlen(ka->kernel_name) >= sizeof(a.crypt.alg_name)) {
		fail(d, EINVAL, what, "algorithm name %s too long", ka->kernel_name);
		return false;
	}
	strcpy(name, ka->kernel_name);
	unsigned bits = (unsigned)(key.len * 8);
	if (ka->kind == KERNEL_ALG_AEAD)
		a.aead.alg_key_len = bits;
	else if (auth_trunc)
		a.auth.alg_key_len = bits;
	else
		a.crypt.alg_key_len = bits;
	if (key.len > 0)
		memcpy(keyp, key.ptr, key.len);
	uint16_t type = ka->kind == KERNEL_ALG_AEAD ? XFRMA_ALG_AEAD
		      : auth_trunc ? XFRMA_ALG_AUTH_TRUNC : XFRMA_ALG_CRYPT;
	bool ok = put_attr(nlh, size, type, fixed + key.len, &a, what, d);
	memset(&a, 0, sizeof(a));   /* no key copies left on the stack */
	return ok;
}

struct nlmsghdr *xfrm_msg_sa(void *buf, size_t size, uint16_t type,
			     const struct kernel_sa *sa, struct kernel_diag *d)
{
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	const struct what what[1] = { { .id = &id } };
	struct nlmsghdr *nlh = put_header(buf, size, type, sizeof(struct xfrm_usersa_info), what, d);
	if (nlh == NULL)
		return NULL;
	struct xfrm_usersa_info info;
	memset(&info, 0, sizeof(info));
	xfrm_sel_from(&info.sel, &sa->sel);
	xfrm_addr_from(&info.id.daddr, &sa->dst);
	info.id.spi = htonl(sa->spi);
	info.id.proto = sa->proto;
	xfrm_addr_from(&info.saddr, &sa->src);
	info.lft.soft_byte_limit = limit(sa->life.soft_bytes);
	info.lft.hard_byte_limit = limit(sa->life.hard_bytes);
	info.lft.soft_packet_limit = limit(sa->life.soft_packets);
	info.lft.hard_packet_limit = limit(sa->life.hard_packets);
	info.lft.soft_add_expires_seconds = sa->life.soft_seconds;
	info.lft.hard_add_expires_seconds = sa->life.hard_seconds;
	info.reqid = sa->reqid;
	info.family = xfrm_family(sa->dst.family);
	info.mode = sa->mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	bool esn_attr = sa->esn || sa->replay_window > 32;
	if (!esn_attr)
		info.replay_window = (uint8_t)sa->replay_window;
	if (sa->esn)
		info.flags |= XFRM_STATE_ESN;
	memcpy(mnl_nlmsg_get_payload(nlh), &info, sizeof(info));

	const struct kernel_alg *enc = kernel_alg_find(sa->encr);
	const struct kernel_alg *auth = kernel_alg_find(sa->integ);
	if (sa->encr != NULL && enc == NULL) {
		fail(d, EINVAL, what, "no kernel name for %s", sa->encr->name);
		return NULL;
	}
	if (sa->integ != NULL && sa->integ->ikev2_id != 0 && auth == NULL) {
		fail(d, EINVAL, what, "no kernel name for %s", sa->integ->name);
		return NULL;
	}
	if (enc != NULL && !put_alg(nlh, size, enc, sa->encr_key, false, what, d))
		return NULL;
	if (auth != NULL && !put_alg(nlh, size, auth, sa->integ_key, true, what, d))
		return NULL;
	if (sa->encap.enabled) {
		struct xfrm_encap_tmpl e;
		memset(&e, 0, sizeof(e));
		e.encap_type = UDP_ENCAP_ESPINUDP;
		e.encap_sport = htons(sa->encap.sport);
		e.encap_dport = htons(sa->encap.dport);
		if (!put_attr(nlh, size, XFRMA_ENCAP, sizeof(e), &e, what, d))
			return NULL;
	}
	if (esn_attr) {
		uint32_t window = sa->replay_window;
		if (window > KERNEL_REPLAY_WINDOW_MAX) {
			fail(d, EINVAL, what, "replay window %u too large", window);
			return NULL;
		}
		uint32_t words = (window + 31) / 32;
		union {
			struct xfrm_replay_state_esn esn;
			uint8_t bytes[sizeof(struct xfrm_replay_state_esn) + KERNEL_REPLAY_WINDOW_MAX / 8];
		} r;
		memset(&r, 0, sizeof(r));
		r.esn.bmp_len = words;
		r.esn.replay_window = window;
		if (!put_attr(nlh, size, XFRMA_REPLAY_ESN_VAL,
			      sizeof(r.esn) + words * sizeof(uint32_t), &r, what, d))
			return NULL;
	}
	return nlh;
}

struct nlmsghdr *xfrm_msg_sa_id(void *buf, size_t size, uint16_t type,
				const struct kernel_sa_id *id, struct kernel_diag *d)
{
	const struct what what[1] = { { .id = id } };
	struct nlmsghdr *nlh = put_header(buf, size, type, sizeof(struct xfrm_usersa_id), what, d);
	if (nlh == NULL)
		return NULL;
	struct xfrm_usersa_id x;
	memset(&x, 0, sizeof(x));
	xfrm_addr_from(&x.daddr, &id->dst);
	x.spi = htonl(id->spi);
	x.family = xfrm_family(id->dst.family);
	x.proto = id->proto;
	memcpy(mnl_nlmsg_get_payload(nlh), &x, sizeof(x));
	return nlh;
}

struct nlmsghdr *xfrm_msg_allocspi(void *buf, size_t size, const struct kernel_spi_req *r,
				   uint32_t min, uint32_t max, struct kernel_diag *d)
{
	struct nlmsghdr *nlh = put_header(buf, size, XFRM_MSG_ALLOCSPI,
					  sizeof(struct xfrm_userspi_info),
					  &(const struct what){ .text = "SPI allocation" }, d);
	if (nlh == NULL)
		return NULL;
	struct xfrm_userspi_info x;
	memset(&x, 0, sizeof(x));
	xfrm_addr_from(&x.info.id.daddr, &r->dst);
	xfrm_addr_from(&x.info.saddr, &r->src);
	x.info.id.proto = r->proto;
	x.info.family = xfrm_family(r->dst.family);
	x.info.mode = r->mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	x.info.reqid = r->reqid;
	x.min = min;
	x.max = max;
	memcpy(mnl_nlmsg_get_payload(nlh), &x, sizeof(x));
	return nlh;
}

static uint8_t xfrm_dir(enum kernel_dir dir)
{
	switch (dir) {
	case KERNEL_DIR_IN: return XFRM_POLICY_IN;
	case KERNEL_DIR_FWD: return XFRM_POLICY_FWD;
	case KERNEL_DIR_OUT: break;
	}
	return XFRM_POLICY_OUT;
}

struct nlmsghdr *xfrm_msg_policy(void *buf, size_t size, uint16_t type,
				 const struct kernel_policy *p, struct kernel_diag *d)
{
	const struct what what[1] = { { .p = p } };
	struct nlmsghdr *nlh = put_header(buf, size, type, sizeof(struct xfrm_userpolicy_info), what, d);
	if (nlh == NULL)
		return NULL;
	struct xfrm_userpolicy_info x;
	memset(&x, 0, sizeof(x));
	xfrm_sel_from(&x.sel, &p->sel);
	x.lft.soft_byte_limit = XFRM_INF;
	x.lft.hard_byte_limit = XFRM_INF;
	x.lft.soft_packet_limit = XFRM_INF;
	x.lft.hard_packet_limit = XFRM_INF;
	x.priority = p->priority;
	x.dir = xfrm_dir(p->dir);
	bool tmpl = p->action == KERNEL_ACTION_IPSEC || p->action == KERNEL_ACTION_TRAP;
	x.action = (p->action == KERNEL_ACTION_DROP || p->action == KERNEL_ACTION_REJECT)
		 ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
	x.share = XFRM_SHARE_ANY;
	memcpy(mnl_nlmsg_get_payload(nlh), &x, sizeof(x));
	if (tmpl) {
		struct xfrm_user_tmpl t;
		memset(&t, 0, sizeof(t));
		const ip_address *src = &p->tmpl.src, *dst = &p->tmpl.dst;
		uint8_t fam = dst->family != IP_UNSET ? dst->family : p->sel.dst.addr.family;
		t.family = xfrm_family(fam);
		if (p->tmpl.mode == KERNEL_MODE_TUNNEL || dst->family != IP_UNSET) {
			xfrm_addr_from(&t.id.daddr, dst);
			xfrm_addr_from(&t.saddr, src);
		}
		t.id.proto = p->tmpl.proto;
		t.reqid = p->tmpl.reqid;
		t.mode = p->tmpl.mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
		t.share = XFRM_SHARE_ANY;
		t.optional = 0;
		t.aalgos = t.ealgos = t.calgos = ~0u;
		if (!put_attr(nlh, size, XFRMA_TMPL, sizeof(t), &t, what, d))
			return NULL;
	}
	return nlh;
}

struct nlmsghdr *xfrm_msg_policy_id(void *buf, size_t size, const struct kernel_policy *p,
				    struct kernel_diag *d)
{
	const struct what what[1] = { { .p = p } };
	struct nlmsghdr *nlh = put_header(buf, size, XFRM_MSG_DELPOLICY,
					  sizeof(struct xfrm_userpolicy_id), what, d);
	if (nlh == NULL)
		return NULL;
	struct xfrm_userpolicy_id x;
	memset(&x, 0, sizeof(x));
	xfrm_sel_from(&x.sel, &p->sel);
	x.dir = xfrm_dir(p->dir);
	memcpy(mnl_nlmsg_get_payload(nlh), &x, sizeof(x));
	return nlh;
}

/* ---- parsing -------------------------------------------------------------- */

/* The message's payload holds at least need bytes (framing checked). */
static bool payload_has(const struct nlmsghdr *nlh, size_t need)
{
	return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN &&
	       (size_t)nlh->nlmsg_len - MNL_NLMSG_HDRLEN >= need;
}

struct extack_ctx {
	char *text;
	size_t size;
};

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct extack_ctx *x = data;
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_get_payload_len(attr) > 0) {
		const char *s = mnl_attr_get_payload(attr);
		size_t n = strnlen(s, mnl_attr_get_payload_len(attr));
		if (n >= x->size)
			n = x->size - 1;
		memcpy(x->text, s, n);
		x->text[n] = '\0';
	}
	return MNL_CB_OK;
}

bool xfrm_parse_error(const struct nlmsghdr *nlh, int *error, char *extack, size_t size)
{
	if (size > 0)
		extack[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || !payload_has(nlh, sizeof(struct nlmsgerr)))
		return false;
	struct nlmsgerr e;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	*error = e.error < 0 ? -e.error : e.error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || size == 0)
		return true;
	size_t off = sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < MNL_NLMSG_HDRLEN)
			return true;
		off += e.msg.nlmsg_len - MNL_NLMSG_HDRLEN;
	}
	off = MNL_ALIGN(off);
	if (!payload_has(nlh, off))
		return true;
	struct extack_ctx x = { extack, size };
	(void)mnl_attr_parse(nlh, (unsigned)off, extack_attr, &x);
	return true;
}

bool xfrm_parse_sa_info(const struct nlmsghdr *nlh, struct xfrm_usersa_info *out)
{
	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || !payload_has(nlh, sizeof(*out)))
		return false;
	memcpy(out, mnl_nlmsg_get_payload(nlh), sizeof(*out));
	return true;
}

void xfrm_sa_info_counters(const struct xfrm_usersa_info *info, struct kernel_sa_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->bytes = info->curlft.bytes;
	c->packets = info->curlft.packets;
	c->add_time = (time_t)info->curlft.add_time;
	c->use_time = (time_t)info->curlft.use_time;
	c->replay_drops = info->stats.replay;
	c->integrity_failures = info->stats.integrity_failed;
}

static enum kernel_dir dir_of(uint8_t d)
{
	switch (d) {
	case XFRM_POLICY_IN: return KERNEL_DIR_IN;
	case XFRM_POLICY_FWD: return KERNEL_DIR_FWD;
	default: return KERNEL_DIR_OUT;
	}
}

struct tmpl_ctx {
	bool found;
	struct xfrm_user_tmpl t;
};

static int acquire_attr(const struct nlattr *attr, void *data)
{
	struct tmpl_ctx *x = data;
	if (mnl_attr_get_type(attr) == XFRMA_TMPL && !x->found &&
	    mnl_attr_get_payload_len(attr) >= sizeof(x->t)) {
		memcpy(&x->t, mnl_attr_get_payload(attr), sizeof(x->t));
		x->found = true;
	}
	return MNL_CB_OK;
}

bool xfrm_parse_event(const struct nlmsghdr *nlh, struct kernel_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_type == XFRM_MSG_ACQUIRE) {
		struct xfrm_user_acquire a;
		if (!payload_has(nlh, sizeof(a)))
			return false;
		memcpy(&a, mnl_nlmsg_get_payload(nlh), sizeof(a));
		struct tmpl_ctx t = { .found = false };
		if (mnl_attr_parse(nlh, sizeof(a), acquire_attr, &t) < 0)
			return false;
		ev->type = KERNEL_EVENT_ACQUIRE;
		xfrm_sel_to(&ev->sel, &a.sel);
		uint16_t fam = a.policy.sel.family ? a.policy.sel.family : a.sel.family;
		if (t.found && t.t.family != AF_UNSPEC)
			fam = t.t.family;
		ev->dst = xfrm_addr_to(&a.id.daddr, fam);
		ev->src = xfrm_addr_to(&a.saddr, fam);
		ev->proto = a.id.proto;
		ev->reqid = t.found ? t.t.reqid : 0;
		ev->policy_index = a.policy.index;
		ev->policy_dir = dir_of(a.policy.dir);
		return true;
	}
	if (nlh->nlmsg_type == XFRM_MSG_EXPIRE) {
		struct xfrm_user_expire e;
		if (!payload_has(nlh, sizeof(e)))
			return false;
		memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
		ev->type = KERNEL_EVENT_EXPIRE;
		xfrm_sel_to(&ev->sel, &e.state.sel);
		ev->dst = xfrm_addr_to(&e.state.id.daddr, e.state.family);
		ev->src = xfrm_addr_to(&e.state.saddr, e.state.family);
		ev->proto = e.state.id.proto;
		ev->spi = ntohl(e.state.id.spi);
		ev->reqid = e.state.reqid;
		ev->hard = e.hard != 0;
		return true;
	}
	return false;
}
