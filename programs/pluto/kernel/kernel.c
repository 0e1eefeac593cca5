/* The backend-independent part of the kernel interface: lookup by name,
 * request checks, the calls the daemon makes, the all-or-nothing helpers
 * and message text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel/kernel.h"

const struct kernel_ops *const kernel_backends[] = {
	&kernel_xfrm_ops,
	&kernel_none_ops,
	NULL,
};

const struct kernel_ops *kernel_ops_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; kernel_backends[i] != NULL; i++)
		if (strcmp(kernel_backends[i]->name, name) == 0)
			return kernel_backends[i];
	return NULL;
}

static struct kernel_base *base(struct kernel *k)
{
	return (struct kernel_base *)k;
}

static const struct kernel_base *cbase(const struct kernel *k)
{
	return (const struct kernel_base *)k;
}

const struct kernel_ops *kernel_ops_of(const struct kernel *k)
{
	return cbase(k)->ops;
}

const struct logger *kernel_logger(const struct kernel *k)
{
	return &cbase(k)->logger;
}

err_t kernel_diag_set(struct kernel_diag *d, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
	d->error = error;
	return d->text;
}

struct kernel *kernel_open(const char *backend, const struct logger *lg, struct kernel_diag *d)
{
	const struct kernel_ops *ops = kernel_ops_by_name(backend);
	if (ops == NULL) {
		kernel_diag_set(d, EINVAL, "unknown kernel backend '%s' (known: xfrm, none)",
				backend == NULL ? "" : backend);
		return NULL;
	}
	struct kernel *k = ops->init(lg, d);
	if (k != NULL)
		ldbg(lg, DBG_KERNEL, "kernel backend %s ready", ops->name);
	return k;
}

void kernel_close(struct kernel *k)
{
	if (k != NULL)
		base(k)->ops->shutdown(k);
}

/* ---- text ---------------------------------------------------------------- */

const char *kernel_proto_name(uint8_t proto)
{
	switch (proto) {
	case KERNEL_PROTO_ESP: return "ESP";
	case KERNEL_PROTO_AH: return "AH";
	default: return "unknown-protocol";
	}
}

const char *kernel_dir_name(enum kernel_dir dir)
{
	switch (dir) {
	case KERNEL_DIR_IN: return "in";
	case KERNEL_DIR_OUT: return "out";
	case KERNEL_DIR_FWD: return "fwd";
	}
	return "bad-direction";
}

const char *kernel_action_name(enum kernel_action a)
{
	switch (a) {
	case KERNEL_ACTION_IPSEC: return "ipsec";
	case KERNEL_ACTION_TRAP: return "trap";
	case KERNEL_ACTION_PASS: return "pass";
	case KERNEL_ACTION_DROP: return "drop";
	case KERNEL_ACTION_REJECT: return "reject";
	}
	return "bad-action";
}

const char *kernel_mode_name(enum kernel_mode m)
{
	return m == KERNEL_MODE_TUNNEL ? "tunnel" : "transport";
}

const char *str_kernel_sa_id(const struct kernel_sa_id *id, char buf[KERNEL_SA_BUF])
{
	char s[ADDRESS_BUF], t[ADDRESS_BUF];
	snprintf(buf, KERNEL_SA_BUF, "%s SA 0x%08x %s->%s", kernel_proto_name(id->proto),
		 id->spi, str_address(&id->src, s), str_address(&id->dst, t));
	return buf;
}

static const char *str_sub(const ip_subnet *s, char buf[SUBNET_BUF])
{
	if (s->addr.family == IP_UNSET)
		return "any";
	return str_subnet(s, buf);
}

const char *str_kernel_selector(const struct kernel_selector *s, char buf[KERNEL_POLICY_BUF])
{
	char a[SUBNET_BUF], b[SUBNET_BUF];
	int n = snprintf(buf, KERNEL_POLICY_BUF, "%s->%s", str_sub(&s->src, a), str_sub(&s->dst, b));
	if (n > 0 && n < KERNEL_POLICY_BUF && (s->proto != 0 || s->sport != 0 || s->dport != 0))
		snprintf(buf + n, KERNEL_POLICY_BUF - (size_t)n, " proto %u sport %u dport %u",
			 s->proto, s->sport, s->dport);
	return buf;
}

const char *str_kernel_policy(const struct kernel_policy *p, char buf[KERNEL_POLICY_BUF])
{
	char sel[KERNEL_POLICY_BUF];
	snprintf(buf, KERNEL_POLICY_BUF, "%s policy %s", kernel_dir_name(p->dir),
		 str_kernel_selector(&p->sel, sel));
	return buf;
}

/* ---- checks -------------------------------------------------------------- */

struct kernel_sa_id kernel_sa_id_of(const struct kernel_sa *sa)
{
	return (struct kernel_sa_id){ .src = sa->src, .dst = sa->dst, .proto = sa->proto, .spi = sa->spi };
}

bool kernel_selector_eq(const struct kernel_selector *a, const struct kernel_selector *b)
{
	return subnet_eq(&a->src, &b->src) && subnet_eq(&a->dst, &b->dst) &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport;
}

/* What a check is about, named only when it fails: "bad ESP SA 0x... a->b",
 * "bad out policy ..." or a fixed text. */
struct what {
	const struct kernel_sa *sa;
	const struct kernel_policy *p;
	const char *text;
};

static err_t bad(struct kernel_diag *d, const struct what *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static err_t bad(struct kernel_diag *d, const struct what *w, const char *fmt, ...)
{
	char name[KERNEL_POLICY_BUF + 8], buf[KERNEL_POLICY_BUF > KERNEL_SA_BUF ? KERNEL_POLICY_BUF : KERNEL_SA_BUF];
	if (w->sa != NULL) {
		struct kernel_sa_id id = kernel_sa_id_of(w->sa);
		snprintf(name, sizeof(name), "bad %s", str_kernel_sa_id(&id, buf));
	} else if (w->p != NULL) {
		snprintf(name, sizeof(name), "bad %s", str_kernel_policy(w->p, buf));
	} else {
		snprintf(name, sizeof(name), "%s", w->text);
	}
	char msg[KERNEL_DIAG_SIZE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kernel_diag_set(d, EINVAL, "%s: %s", name, msg);
}

static bool family_ok(uint8_t f)
{
	return f == IP_V4 || f == IP_V6;
}

static err_t selector_check(const struct kernel_selector *s, bool any_ok, const struct what *what,
			    struct kernel_diag *d)
{
	uint8_t fs = s->src.addr.family, fd = s->dst.addr.family;
	if (fs == IP_UNSET && fd == IP_UNSET && any_ok)
		return NULL;
	if (!family_ok(fs) || !family_ok(fd))
		return bad(d, what, "selector needs a source and a destination subnet");
	if (fs != fd)
		return bad(d, what, "selector mixes IPv4 and IPv6");
	unsigned bits = address_bits(fs);
	if (s->src.prefix > bits || s->dst.prefix > bits)
		return bad(d, what, "selector prefix longer than the address");
	if ((s->sport != 0 || s->dport != 0) && s->proto == 0)
		return bad(d, what, "selector has a port but no protocol");
	return NULL;
}

static err_t endpoints_check(const ip_address *src, const ip_address *dst, const struct what *what,
			     struct kernel_diag *d)
{
	if (!family_ok(src->family) || !family_ok(dst->family))
		return bad(d, what, "source and destination addresses are required");
	if (src->family != dst->family)
		return bad(d, what, "source and destination families differ");
	return NULL;
}

static bool no_integ(const struct alg_desc *a)
{
	return a == NULL || a->ikev2_id == 0;
}

static err_t alg_check(const struct alg_desc *a, chunk_t key, enum alg_type type,
		       const struct what *what, struct kernel_diag *d)
{
	const struct kernel_alg *ka = kernel_alg_find(a);
	if (a->type != type || ka == NULL)
		return bad(d, what, "algorithm %s has no kernel equivalent", a->name);
	if (!kernel_alg_key_ok(ka, key.len)) {
		char sizes[64] = "";
		size_t n = 0;
		for (size_t i = 0; i < sizeof(ka->key_octets) && ka->key_octets[i] != 0; i++)
			n += (size_t)snprintf(sizes + n, sizeof(sizes) - n, "%s%u", i ? "/" : "",
					      ka->key_octets[i] + ka->salt_octets);
		return bad(d, what, "%s key is %zu bytes, %s wants %s", a->name, key.len,
			   ka->kernel_name, ka->key_octets[0] ? sizes : "none");
	}
	if (key.len > 0 && key.ptr == NULL)
		return bad(d, what, "%s key missing", a->name);
	return NULL;
}

err_t kernel_sa_check(const struct kernel_sa *sa, struct kernel_diag *d)
{
	const struct what what[1] = { { .sa = sa } };
	if (sa->proto != KERNEL_PROTO_ESP && sa->proto != KERNEL_PROTO_AH)
		return bad(d, what, "protocol %u is neither ESP nor AH", sa->proto);
	if (endpoints_check(&sa->src, &sa->dst, what, d) != NULL)
		return d->text;
	if (sa->spi < 256)
		return bad(d, what, "SPIs 0-255 are reserved");
	if (sa->mode != KERNEL_MODE_TUNNEL && sa->mode != KERNEL_MODE_TRANSPORT)
		return bad(d, what, "unknown mode");
	if (selector_check(&sa->sel, true, what, d) != NULL)
		return d->text;
	if (sa->proto == KERNEL_PROTO_AH) {
		if (sa->encr != NULL)
			return bad(d, what, "AH has no encryption");
		if (no_integ(sa->integ))
			return bad(d, what, "AH needs an integrity algorithm");
		if (sa->encap.enabled)
			return bad(d, what, "AH cannot be UDP-encapsulated");
	} else {
		if (sa->encr == NULL)
			return bad(d, what, "ESP needs an encryption algorithm (null for none)");
		if (alg_check(sa->encr, sa->encr_key, ALG_ENCRYPT, what, d) != NULL)
			return d->text;
		bool aead = kernel_alg_find(sa->encr)->kind == KERNEL_ALG_AEAD;
		if (aead && !no_integ(sa->integ))
			return bad(d, what, "%s is AEAD and takes no integrity algorithm", sa->encr->name);
		if (!aead && sa->encr->ikev2_id == 11 && no_integ(sa->integ))
			return bad(d, what, "ESP with null encryption needs integrity");
	}
	if (!no_integ(sa->integ) && alg_check(sa->integ, sa->integ_key, ALG_INTEG, what, d) != NULL)
		return d->text;
	if (sa->replay_window > KERNEL_REPLAY_WINDOW_MAX)
		return bad(d, what, "replay window %u is over %u", sa->replay_window, KERNEL_REPLAY_WINDOW_MAX);
	if (sa->esn && sa->replay_window == 0)
		return bad(d, what, "ESN needs a replay window (the kernel refuses 0; "
			   "give the outbound SA the inbound one's window)");
	if (sa->encap.enabled && (sa->encap.sport == 0 || sa->encap.dport == 0))
		return bad(d, what, "UDP encapsulation needs both ports");
	if (sa->life.soft_seconds && sa->life.hard_seconds && sa->life.soft_seconds > sa->life.hard_seconds)
		return bad(d, what, "soft lifetime longer than the hard one");
	return NULL;
}

err_t kernel_policy_check(const struct kernel_policy *p, struct kernel_diag *d)
{
	const struct what what[1] = { { .p = p } };
	if (p->dir != KERNEL_DIR_IN && p->dir != KERNEL_DIR_OUT && p->dir != KERNEL_DIR_FWD)
		return bad(d, what, "unknown direction");
	if (selector_check(&p->sel, false, what, d) != NULL)
		return d->text;
	switch (p->action) {
	case KERNEL_ACTION_PASS:
	case KERNEL_ACTION_DROP:
	case KERNEL_ACTION_REJECT:
		return NULL;
	case KERNEL_ACTION_TRAP:
		if (p->dir != KERNEL_DIR_OUT)
			return bad(d, what, "a trap policy is outbound");
		break;
	case KERNEL_ACTION_IPSEC:
		break;
	default:
		return bad(d, what, "unknown action");
	}
	const struct kernel_tmpl *t = &p->tmpl;
	if (t->proto != KERNEL_PROTO_ESP && t->proto != KERNEL_PROTO_AH)
		return bad(d, what, "template protocol is neither ESP nor AH");
	if (t->mode == KERNEL_MODE_TUNNEL) {
		if (endpoints_check(&t->src, &t->dst, what, d) != NULL)
			return d->text;
	} else if (t->mode != KERNEL_MODE_TRANSPORT) {
		return bad(d, what, "unknown template mode");
	}
	return NULL;
}

/* ---- the calls ----------------------------------------------------------- */

static void debug_sa(struct kernel *k, const char *verb, const struct kernel_sa *sa)
{
	if (!dbg(DBG_KERNEL))
		return;
	char idb[KERNEL_SA_BUF];
	struct kernel_sa_id id = kernel_sa_id_of(sa);
	const struct kernel_alg *e = kernel_alg_find(sa->encr), *a = kernel_alg_find(sa->integ);
	ldbg(kernel_logger(k), DBG_KERNEL, "%s: %s %s reqid %u %s%s%s%s%s replay %u%s", base(k)->ops->name,
	     verb, str_kernel_sa_id(&id, idb), sa->reqid, kernel_mode_name(sa->mode),
	     e ? " enc " : "", e ? e->kernel_name : "", a ? " auth " : "", a ? a->kernel_name : "",
	     sa->replay_window, sa->esn ? " esn" : "");
}

static void debug_policy(struct kernel *k, const char *verb, const struct kernel_policy *p)
{
	if (!dbg(DBG_KERNEL))
		return;
	char pb[KERNEL_POLICY_BUF];
	ldbg(kernel_logger(k), DBG_KERNEL, "%s: %s %s action %s priority %u reqid %u",
	     base(k)->ops->name, verb, str_kernel_policy(p, pb), kernel_action_name(p->action),
	     p->priority, p->tmpl.reqid);
}

err_t kernel_get_spi(struct kernel *k, const struct kernel_spi_req *req, uint32_t *spi,
		     struct kernel_diag *d)
{
	if (req->proto != KERNEL_PROTO_ESP && req->proto != KERNEL_PROTO_AH)
		return kernel_diag_set(d, EINVAL, "cannot allocate an SPI for protocol %u", req->proto);
	if (endpoints_check(&req->src, &req->dst, &(const struct what){ .text = "cannot allocate an SPI" }, d) != NULL)
		return d->text;
	err_t e = base(k)->ops->get_spi(k, req, spi, d);
	if (e == NULL)
		ldbg(kernel_logger(k), DBG_KERNEL, "%s: allocated %s SPI 0x%08x reqid %u",
		     base(k)->ops->name, kernel_proto_name(req->proto), *spi, req->reqid);
	return e;
}

err_t kernel_add_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	if (kernel_sa_check(sa, d) != NULL)
		return d->text;
	debug_sa(k, "add", sa);
	return base(k)->ops->add_sa(k, sa, d);
}

err_t kernel_update_sa(struct kernel *k, const struct kernel_sa *sa, struct kernel_diag *d)
{
	if (kernel_sa_check(sa, d) != NULL)
		return d->text;
	debug_sa(k, "update", sa);
	return base(k)->ops->update_sa(k, sa, d);
}

err_t kernel_del_sa(struct kernel *k, const struct kernel_sa_id *id, struct kernel_diag *d)
{
	if (dbg(DBG_KERNEL)) {
		char idb[KERNEL_SA_BUF];
		ldbg(kernel_logger(k), DBG_KERNEL, "%s: delete %s", base(k)->ops->name,
		     str_kernel_sa_id(id, idb));
	}
	return base(k)->ops->del_sa(k, id, d);
}

err_t kernel_sa_counters(struct kernel *k, const struct kernel_sa_id *id,
			 struct kernel_sa_counters *c, struct kernel_diag *d)
{
	memset(c, 0, sizeof(*c));
	return base(k)->ops->sa_counters(k, id, c, d);
}

err_t kernel_add_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	if (kernel_policy_check(p, d) != NULL)
		return d->text;
	debug_policy(k, "add", p);
	return base(k)->ops->add_policy(k, p, d);
}

err_t kernel_replace_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	if (kernel_policy_check(p, d) != NULL)
		return d->text;
	debug_policy(k, "replace", p);
	return base(k)->ops->replace_policy(k, p, d);
}

err_t kernel_del_policy(struct kernel *k, const struct kernel_policy *p, struct kernel_diag *d)
{
	debug_policy(k, "delete", p);
	return base(k)->ops->del_policy(k, p, d);
}

int kernel_event_fd(struct kernel *k)
{
	return base(k)->ops->event_fd(k);
}

void kernel_process_events(struct kernel *k, kernel_event_cb *cb, void *arg)
{
	base(k)->ops->process_events(k, cb, arg);
}

/* Appends "; TEXT" to d->text, keeping d->error. */
static void diag_append(struct kernel_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void diag_append(struct kernel_diag *d, const char *fmt, ...)
{
	size_t n = strlen(d->text);
	if (n + 1 >= sizeof(d->text))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->text + n, sizeof(d->text) - n, fmt, ap);
	va_end(ap);
}

err_t kernel_add_sa_pair(struct kernel *k, const struct kernel_sa *inbound,
			 const struct kernel_sa *outbound, struct kernel_diag *d)
{
	if (kernel_add_sa(k, inbound, d) != NULL)
		return d->text;
	if (kernel_add_sa(k, outbound, d) == NULL)
		return NULL;
	struct kernel_diag undo = { 0 };
	struct kernel_sa_id in = kernel_sa_id_of(inbound);
	if (kernel_del_sa(k, &in, &undo) == NULL)
		diag_append(d, "; inbound SA 0x%08x removed again", inbound->spi);
	else
		diag_append(d, "; removing inbound SA 0x%08x failed too: %s", inbound->spi, undo.text);
	return d->text;
}

err_t kernel_add_policies(struct kernel *k, const struct kernel_policy *p, size_t n,
			  bool replace, struct kernel_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		err_t e = replace ? kernel_replace_policy(k, &p[i], d) : kernel_add_policy(k, &p[i], d);
		if (e == NULL)
			continue;
		if (replace)
			return e;
		size_t undone = 0;
		for (size_t j = i; j-- > 0;) {
			struct kernel_diag undo = { 0 };
			if (kernel_del_policy(k, &p[j], &undo) == NULL)
				undone++;
		}
		if (i > 0)
			diag_append(d, "; %zu of %zu policies added before it removed again", undone, i);
		return d->text;
	}
	return NULL;
}
