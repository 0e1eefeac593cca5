/* A Child SA's kilobyte lifetime (IKEv1's SA Life Type kilobytes, RFC 2407
 * 4.5; ike/child.c) reaches the kernel as its byte limits: the hard one
 * the lifetime, the soft one (which starts the rekey) 90% of it, on both
 * SAs; a Child SA without one has no byte limits. Installed through
 * child_install into the "none" kernel backend, which records the SAs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "iface.h"
#include "ike/child.h"
#include "ike/ops.h"
#include "ike/sa.h"
#include "kernel/kernel.h"
#include "kernel/kernel_none.h"
#include "pluto.h"
#include "unit_conn.h"
#include "unit_pluto.h"

static ip_address addr(const char *s)
{
	ip_address a;
	assert_null(ttoaddress_num(s, strlen(s), IP_UNSET, &a));
	return a;
}

static ip_subnet subnet(const char *s)
{
	ip_subnet n;
	assert_null(ttosubnet(s, strlen(s), IP_UNSET, &n, NULL));
	return n;
}

/* A Child SA of c over ike installed with lifetime kb, outbound SPI spi_out,
 * selectors local===203.0.113.0/24. */
static struct child_sa *install(struct ike_sa *ike, struct connection *c, uint64_t kb, uint32_t spi_out,
			       const char *local)
{
	static uint8_t k16[16], k32[32];
	struct child_sa *child = child_sa_new(ike, c);
	child->protocol = CHILD_PROTO_ESP;
	child->ts = (struct child_ts){ .local = subnet(local), .remote = subnet("203.0.113.0/24") };
	child->suite = (struct child_suite){ .encr = alg_by_name(ALG_ENCRYPT, "aes", 3), .encr_keylen = 128,
					     .integ = alg_by_name(ALG_INTEG, "sha2_256", 8) };
	child->lifetime_ms = 3600000;
	child->lifetime_kb = kb;
	child_sa_larval(child);
	assert_true(child_alloc_spi(child));
	child->spi_out = spi_out;
	struct child_sa_keys keys = {
		/* no salt for CBC: empty, as the key schedule makes it */
		.i2r = { .encr = chunk_from(k16, 16), .salt = chunk_from(k16, 0), .integ = chunk_from(k32, 32) },
		.r2i = { .encr = chunk_from(k16, 16), .salt = chunk_from(k16, 0), .integ = chunk_from(k32, 32) },
	};
	assert_true(child_install(child, &keys, true, false));
	return child;
}

static const struct kernel_none_sa *find(struct pluto *p, ip_address src, ip_address dst, uint32_t spi)
{
	struct kernel_sa_id id = { src, dst, KERNEL_PROTO_ESP, spi };
	const struct kernel_none_sa *x = kernel_none_find_sa(p->kernel, &id);
	assert_non_null(x);
	return x;
}

static void test_byte_limits(void **state)
{
	(void)state;
	struct pluto *p = unit_pluto_new(false);
	struct kernel_diag d;
	p->kernel = kernel_open("none", &p->logger, &d);
	assert_non_null(p->kernel);
	const char *const kv[] = { "leftupdown", "%disabled", "rightupdown", "%disabled", "leftsubnet",
				   "198.51.100.0/24", "rightsubnet", "203.0.113.0/24", NULL };
	struct connection *c = unit_conn(unit_conn_ends, kv);
	c->local = 0;
	struct connection *c2 = unit_conn(unit_conn_ends, kv);
	c2->local = 0;
	static struct iface ifc;
	ifc.addr = addr("198.18.0.1");
	ifc.port = 500;
	struct ike_sa *ike = ike_sa_new(p, &ikev1_ops, c, true);
	ike->spi_i[0] = 1;
	ike->iface = &ifc;
	ike->remote = addr("198.18.0.2");
	ike_sa_insert(ike);

	struct child_sa *a = install(ike, c, 1000, 0x1001, "198.51.100.0/24");
	const struct kernel_none_sa *out = find(p, ifc.addr, ike->remote, 0x1001);
	const struct kernel_none_sa *in = find(p, ike->remote, ifc.addr, a->spi_in);
	assert_int_equal(out->sa.life.hard_bytes, 1024000);
	assert_int_equal(out->sa.life.soft_bytes, 921600);
	assert_int_equal(in->sa.life.hard_bytes, 1024000);
	assert_int_equal(in->sa.life.soft_bytes, 921600);
	assert_int_equal(out->sa.life.hard_seconds, 3600);

	/* without a kilobyte lifetime: no byte limits */
	install(ike, c2, 0, 0x2002, "198.51.100.0/25");
	out = find(p, ifc.addr, ike->remote, 0x2002);
	assert_int_equal(out->sa.life.hard_bytes, 0);
	assert_int_equal(out->sa.life.soft_bytes, 0);

	ike_sa_delete(ike, NULL);
	kernel_close(p->kernel);
	p->kernel = NULL;
	connection_free(c);
	connection_free(c2);
	unit_pluto_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
