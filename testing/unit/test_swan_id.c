/* Unit tests: leftid=/rightid= identities: kinds, canonical text, DNs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "swan/id.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			print_error(__VA_ARGS__);          \
			print_error("\n");                 \
			fail_msg("check failed: %s", #cond); \
		}                                          \
	} while (0)

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum id_kind kind;
		const char *out;
	} good[] = {
		{ "%none", ID_NONE, "%none" },
		{ "%any", ID_ANY, "%any" },
		{ "%fromcert", ID_FROMCERT, "%fromcert" },
		{ "%myid", ID_MYID, "%myid" },
		{ "192.0.2.1", ID_IPV4, "192.0.2.1" },
		{ "2001:DB8:0::1", ID_IPV6, "2001:db8::1" },
		{ "::ffff:192.0.2.1", ID_IPV6, "::ffff:192.0.2.1" },
		{ "@host.example", ID_FQDN, "@host.example" },
		{ "@Host.Example", ID_FQDN, "@Host.Example" },
		{ "@not_a dns-name!", ID_FQDN, "@not_a dns-name!" },   /* used literally */
		{ "@192.0.2.1", ID_FQDN, "@192.0.2.1" },
		{ "host.example.com", ID_FQDN, "@host.example.com" },
		{ "gw", ID_FQDN, "@gw" },
		{ "user@example.com", ID_USER_FQDN, "user@example.com" },
		{ "first.last@sub.example.com", ID_USER_FQDN, "first.last@sub.example.com" },
		{ "@#0a0B", ID_KEY_ID, "@#0a0b" },
		{ "@#00ff00ff", ID_KEY_ID, "@#00ff00ff" },
		{ "@[abc]", ID_KEY_ID, "@#616263" },
		{ "@[a]b]", ID_KEY_ID, "@#615d62" },
		{ "C=CH, O=Example, CN=host", ID_DER_ASN1_DN, "C=CH, O=Example, CN=host" },
		{ "c=CH,o=Example , CN = host", ID_DER_ASN1_DN, "C=CH, O=Example, CN=host" },
		{ "  C = CH ,  O = Big  Example ", ID_DER_ASN1_DN, "C=CH, O=Big  Example" },
		{ "/C=CH/O=Example/CN=host", ID_DER_ASN1_DN, "C=CH, O=Example, CN=host" },
		{ "/O=Foo, Inc/CN=x", ID_DER_ASN1_DN, "O=Foo\\, Inc, CN=x" },
		{ "CN=a\\, b", ID_DER_ASN1_DN, "CN=a\\, b" },
		{ "CN=back\\\\slash", ID_DER_ASN1_DN, "CN=back\\\\slash" },
		{ "CN=\\ padded\\ ", ID_DER_ASN1_DN, "CN=\\ padded\\ " },
		{ "CN=a/b", ID_DER_ASN1_DN, "CN=a/b" },
		{ "/CN=a\\/b", ID_DER_ASN1_DN, "CN=a/b" },
		{ "CN=x=y", ID_DER_ASN1_DN, "CN=x=y" },
		{ "emailaddress=x@y.z", ID_DER_ASN1_DN, "emailAddress=x@y.z" },
		{ "E=user@example.com, CN=user", ID_DER_ASN1_DN, "E=user@example.com, CN=user" },
		{ "st=Zurich,l=Zurich,ou=IT,dc=example,dc=com", ID_DER_ASN1_DN,
		  "ST=Zurich, L=Zurich, OU=IT, DC=example, DC=com" },
		{ "SN=Doe, GN=John, serialnumber=123, T=Dr, UID=jd", ID_DER_ASN1_DN,
		  "SN=Doe, GN=John, serialNumber=123, T=Dr, UID=jd" },
		{ "OID.2.5.4.3=host", ID_DER_ASN1_DN, "OID.2.5.4.3=host" },
		{ "oid.2.5.4.3=host", ID_DER_ASN1_DN, "OID.2.5.4.3=host" },
		{ "2.5.4.3=host", ID_DER_ASN1_DN, "2.5.4.3=host" },
		{ "CN=1.2.3.4", ID_DER_ASN1_DN, "CN=1.2.3.4" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ip_id id, again;
		char buf[ID_BUF], buf2[ID_BUF];
		err_t e = ttoid(good[i].in, &id);
		CHECK(e == NULL, "'%s' rejected: %s", good[i].in, e);
		CHECK(id.kind == good[i].kind, "'%s' kind %d want %d", good[i].in, id.kind, good[i].kind);
		str_id(&id, buf);
		CHECK(strcmp(buf, good[i].out) == 0, "'%s' -> '%s', want '%s'", good[i].in, buf, good[i].out);
		/* Round trip: canonical text parses to an equal ID and itself. */
		e = ttoid(buf, &again);
		CHECK(e == NULL, "'%s' does not reparse: %s", buf, e);
		CHECK(id_eq(&id, &again), "'%s' reparses to a different ID", buf);
		str_id(&again, buf2);
		CHECK(strcmp(buf, buf2) == 0, "'%s' is not stable: '%s'", buf, buf2);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "%", "%foo", "%ANY", "%any6", "@", "@#", "@#abc", "@#zz", "@#0x12", "@# 12",
		"@[abc", "@[]", "@[", "C=", "C= ", "C=CH,", "C=CH, ", "/C=CH/", "/C=CH//O=x",
		"X=foo", "=foo", " =foo", "C=CH,,O=x", "C=CH,O", "CN= ,O=x", "C N=x",
		"user@", "a@b@c", "1.2.3.256", "1.2.3", "2001:db8::g", "1:2", "foo bar",
		"host_name.example", "OID.1=x", "OID.=x", "OID.1..2=x", "1=x", "CN=a\\",
		"-host.example", "host..example", "12345",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip_id id;
		err_t e = ttoid(bad[i], &id);
		CHECK(e != NULL, "'%s' accepted (kind %d)", bad[i], id.kind);
	}
	ip_id id;
	assert_non_null(ttoid(NULL, &id));
}

static void test_key_id_bytes(void **state)
{
	(void)state;
	ip_id id;
	assert_null(ttoid("@#0102fe", &id));
	assert_int_equal(id.kind, ID_KEY_ID);
	assert_int_equal(id.len, 3);
	assert_memory_equal(id.name, "\x01\x02\xfe", 3);
	assert_null(ttoid("@[key]", &id));
	assert_int_equal(id.len, 3);
	assert_memory_equal(id.name, "key", 3);
}

static void test_lengths(void **state)
{
	(void)state;
	char s[2 * ID_BUF];
	ip_id id;
	char buf[ID_BUF];
	/* Longest FQDN that fits, and one more. */
	s[0] = '@';
	memset(s + 1, 'a', ID_NAME_MAX - 1);
	s[ID_NAME_MAX] = '\0';
	assert_null(ttoid(s, &id));
	assert_int_equal(id.len, ID_NAME_MAX - 1);
	assert_string_equal(str_id(&id, buf), s);
	s[ID_NAME_MAX] = 'a';
	s[ID_NAME_MAX + 1] = '\0';
	assert_non_null(ttoid(s, &id));

	/* Key IDs whose hex fits ID_BUF; longer ones are refused. */
	s[0] = '@';
	s[1] = '#';
	size_t max = (ID_BUF - 3) / 2;
	memset(s + 2, 'f', 2 * max);
	s[2 + 2 * max] = '\0';
	assert_null(ttoid(s, &id));
	assert_int_equal(id.len, max);
	assert_string_equal(str_id(&id, buf), s);
	memset(s + 2, 'f', 2 * max + 2);
	s[4 + 2 * max] = '\0';
	assert_non_null(ttoid(s, &id));

	/* A DN that grows past ID_NAME_MAX when escaped is refused. */
	strcpy(s, "/CN=");
	memset(s + 4, ',', ID_NAME_MAX - 10);
	s[4 + ID_NAME_MAX - 10] = '\0';
	assert_non_null(ttoid(s, &id));

	/* user@fqdn too long. */
	memset(s, 'u', ID_NAME_MAX + 5);
	s[3] = '@';
	s[ID_NAME_MAX + 5] = '\0';
	assert_non_null(ttoid(s, &id));
}

static void test_eq(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		bool eq;
	} cases[] = {
		{ "@host.example", "@HOST.example", true },
		{ "@host.example", "host.example", true },
		{ "@host.example", "@host.example.", false },
		{ "user@example.com", "user@EXAMPLE.COM", true },
		{ "user@example.com", "User@example.com", false },
		{ "192.0.2.1", "192.0.2.1", true },
		{ "192.0.2.1", "192.0.2.2", false },
		{ "192.0.2.1", "@192.0.2.1", false },
		{ "::1", "0::1", true },
		{ "@#0a0b", "@#0A0B", true },
		{ "@#0a0b", "@#0a0c", false },
		{ "@[ab]", "@#6162", true },
		{ "C=CH, CN=host", "/C=CH/CN=host", true },
		{ "C=CH, CN=host", "c=ch,cn=HOST", true },
		{ "C=CH, CN=host", "C=CH, CN=other", false },
		/* the certificate's order and the reversed RFC 4514 order */
		{ "C=CH, CN=host", "CN=host, C=CH", true },
		{ "C=US, O=Example, CN=east", "CN=east, O=Example, C=US", true },
		{ "C=US, O=Example, CN=east", "C=US, O=Example, CN=east", true },
		{ "C=US, O=Example, CN=east", "O=Example, C=US, CN=east", false },
		{ "C=US, O=Example, CN=east", "C=US, O=Example", false },
		{ "C=US, O=Example, CN=east", "C=US, O=Example, CN=west", false },
		{ "O=Foo\\, Inc, CN=x", "CN=x, O=Foo\\, Inc", true },
		{ "O=Foo\\, Inc, CN=x", "CN=x, O=Foo, CN=Inc", false },
		/* wildcard RDNs as Openswan allowed */
		{ "C=US, O=Example, CN=*", "C=US, O=Example, CN=east", true },
		{ "C=US, O=Example, CN=*", "CN=west, O=Example, C=US", true },
		{ "C=US, O=*, CN=*", "C=US, O=Other, CN=west", true },
		{ "C=US, O=Example, CN=*", "C=US, O=Other, CN=east", false },
		{ "C=US, O=Example, CN=*", "C=US, O=Example, OU=x, CN=east", false },
		{ "%any", "%any", true },
		{ "%any", "%none", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip_id a, b;
		assert_null(ttoid(cases[i].a, &a));
		assert_null(ttoid(cases[i].b, &b));
		CHECK(id_eq(&a, &b) == cases[i].eq, "'%s' vs '%s'", cases[i].a, cases[i].b);
		CHECK(id_eq(&b, &a) == cases[i].eq, "'%s' vs '%s'", cases[i].b, cases[i].a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_key_id_bytes),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_eq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
