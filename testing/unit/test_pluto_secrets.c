/* ipsec.secrets reader and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "secrets.h"

static char dir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/cygnet-secrets-XXXXXX");
	return mkdtemp(dir) == NULL;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct secrets load(const char *name, struct diags *d)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct secrets s = { 0 };
	secrets_load(&s, path, d);
	return s;
}

static ip_id id(const char *text)
{
	ip_id i;
	assert_null(ttoid(text, &i));
	return i;
}

static const char *psk_for(const struct secrets *s, const char *local, const char *peer)
{
	ip_id l = id(local), p = id(peer);
	const struct secret *sec = secrets_find(s, SECRET_PSK, &l, &p);
	static char buf[128];
	if (sec == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s", (int)sec->value.len, (const char *)sec->value.ptr);
	return buf;
}

static void test_psk_lines(void **state)
{
	(void)state;
	write_file("a.secrets",
		   "# comment\n"
		   "@west @east : PSK \"west east key\"\n"
		   "\n"
		   "198.18.0.1 198.18.0.3 : PSK 0x6b6579\n"
		   "@road %any : PSK \"road warrior\"\n"
		   ": PSK \"anyone\"\n"
		   "@a @b @c : PSK \"abc\"\n",
		   0600);
	struct diags d = { 0 };
	struct secrets s = load("a.secrets", &d);
	diags_print(&d, stderr);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(psk_for(&s, "@west", "@east"), "west east key");
	assert_string_equal(psk_for(&s, "@east", "@west"), "west east key");
	assert_string_equal(psk_for(&s, "198.18.0.1", "198.18.0.3"), "key");
	assert_string_equal(psk_for(&s, "@road", "@anything"), "road warrior");
	assert_string_equal(psk_for(&s, "@x", "@y"), "anyone");
	assert_string_equal(psk_for(&s, "@a", "@c"), "abc");
	assert_int_equal(s.v[0].line, 2);
	secrets_free(&s);
	diags_free(&d);
}

static void test_include_and_errors(void **state)
{
	(void)state;
	write_file("sub.secrets", "@x @y : PSK \"from include\"\n", 0600);
	write_file("main.secrets",
		   "include sub.secrets\n"
		   "@p @q PSK \"no colon\"\n"
		   "@p @q : SECRETISH \"x\"\n"
		   "@p @q : PSK \"unterminated\n"
		   "@p @q : PSK 0xzz\n"
		   "   indented without an entry? no: continues the line above\n"
		   "@ok @ok2 : PSK \"fine\"\n",
		   0644);
	struct diags d = { 0 };
	struct secrets s = load("main.secrets", &d);
	diags_print(&d, stderr);
	assert_int_equal(s.n, 2);
	assert_string_equal(psk_for(&s, "@x", "@y"), "from include");
	assert_string_equal(psk_for(&s, "@ok", "@ok2"), "fine");
	assert_int_equal(d.warnings, 1);   /* mode 0644 */
	assert_true(d.errors >= 4);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == DIAG_ERROR)
			assert_true(d.v[i].line >= 2);
	secrets_free(&s);
	diags_free(&d);
}

/* a pattern over an empty drop-in directory is quiet; over a missing
 * directory it warns (swan/include_glob.h) */
static void test_include_globs(void **state)
{
	(void)state;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/empty.d", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("globs.secrets",
		   "include empty.d/*.secrets\n"
		   "include missing.d/*.secrets\n"
		   "@g @h : PSK \"after the globs\"\n",
		   0600);
	struct diags d = { 0 };
	struct secrets s = load("globs.secrets", &d);
	diags_print(&d, stderr);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(d.v[0].line, 2);
	assert_non_null(strstr(d.v[0].text, "missing.d/*.secrets' matches no file: its directory does not exist"));
	assert_string_equal(psk_for(&s, "@g", "@h"), "after the globs");
	secrets_free(&s);
	diags_free(&d);
}

static void test_rsa_block(void **state)
{
	(void)state;
	write_file("rsa.secrets",
		   ": RSA {\n"
		   "\t# RSA 2048 bits\n"
		   "\tModulus: 0xc1\n"
		   "\tPublicExponent: 0x010001\n"
		   "\tPrivateExponent: 0x11\n"
		   "\tPrime1: 0x0b\n"
		   "\tPrime2: 0x0d\n"
		   "\tExponent1: 0x03\n"
		   "\tExponent2: 0x05\n"
		   "\tCoefficient: 0x07\n"
		   "\t}\n"
		   ": RSA {\n"
		   "\tModulus: 0xc1\n"
		   "\t}\n",
		   0600);
	struct diags d = { 0 };
	struct secrets s = load("rsa.secrets", &d);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].kind, SECRET_RSA);
	assert_int_equal(s.v[0].rsa.public_exponent.len, 3);
	assert_int_equal(d.errors, 1);
	secrets_free(&s);
	diags_free(&d);
}

/* libreswan's ": RSA NICKNAME" (quoted or not) and Openswan's
 * ": RSA file passphrase": the key of a certificate in NSS. */
static void test_rsa_nickname(void **state)
{
	(void)state;
	write_file("nick.secrets",
		   ": RSA west\n"
		   "@a @b : RSA \"east cert\"\n"
		   ": RSA west.key \"passphrase\"\n"
		   ": RSA too many words\n"
		   ": RSA\n",
		   0600);
	struct diags d = { 0 };
	struct secrets s = load("nick.secrets", &d);
	diags_print(&d, stderr);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].kind, SECRET_RSA);
	assert_string_equal(s.v[0].nickname, "west");
	assert_string_equal(s.v[1].nickname, "east cert");
	assert_int_equal(s.v[1].n_ids, 2);
	assert_string_equal(s.v[2].nickname, "west.key");
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.v[0].line, 4);
	assert_int_equal(d.v[1].line, 5);
	secrets_free(&s);
	diags_free(&d);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct diags d = { 0 };
	struct secrets s = load("nope.secrets", &d);
	assert_int_equal(s.n, 0);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].text, "cannot open"));
	secrets_free(&s);
	diags_free(&d);
}

/* An empty PSK is an error of its line (FILE:LINE: empty PSK); the lines
 * around it still load. */
static void test_empty_psk(void **state)
{
	(void)state;
	write_file("empty.secrets",
		   "@ok1 @ok2 : PSK \"before\"\n"
		   "@a @b : PSK \"\"\n"
		   "@c @d : PSK \"x\"\n"
		   "@e @f :\n"
		   "\tPSK \"\"\n",
		   0600);
	struct diags d = { 0 };
	struct secrets s = load("empty.secrets", &d);
	diags_print(&d, stderr);
	assert_int_equal(s.n, 2);
	assert_string_equal(psk_for(&s, "@ok1", "@ok2"), "before");
	assert_string_equal(psk_for(&s, "@c", "@d"), "x");
	assert_null(psk_for(&s, "@a", "@b"));
	assert_null(psk_for(&s, "@e", "@f"));
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].line, 2);
	assert_int_equal(d.v[1].line, 4);
	for (size_t i = 0; i < d.n; i++) {
		assert_non_null(strstr(d.v[i].text, "empty PSK"));
		assert_non_null(strstr(d.v[i].file, "empty.secrets"));
	}
	secrets_free(&s);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk_lines),
		cmocka_unit_test(test_include_and_errors),
		cmocka_unit_test(test_include_globs),
		cmocka_unit_test(test_rsa_block),
		cmocka_unit_test(test_rsa_nickname),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty_psk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
