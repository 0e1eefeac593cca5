/* Unit tests of the netsh word splitter, variable finder and tag binder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "netsh/cmdtab.h"
#include "netsh/crypto.h"
#include "netsh/tokens.h"

static void test_quotes_and_eq(void **state)
{
	struct nwords w;
	assert_null(tokenize("add policy name=\"My Policy\" \"x=y\"", false, &w));
	assert_int_equal(w.n, 4);
	assert_string_equal(w.v[2].text, "name=My Policy");
	assert_int_equal(w.v[2].eq, 4);
	assert_true(w.v[3].quoted);
	assert_int_equal(w.v[3].eq, NO_EQ);
	words_free(&w);
	assert_non_null(tokenize("name=\"open", false, &w));
	words_free(&w);
}

static void test_shell_cut(void **state)
{
	struct nwords w;
	assert_null(tokenize("add x=1 2>$null | Out-Null && echo y", true, &w));
	assert_int_equal(w.n, 2);
	words_free(&w);
	assert_null(tokenize("add x=\"a&b\" >nul", true, &w));
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[1].text, "x=a&b");
	words_free(&w);
}

static void test_variables(void **state)
{
	char buf[32];
	assert_string_equal(find_variable("a=%1", true, buf, sizeof(buf)), "%1");
	assert_string_equal(find_variable("a=%%i", true, buf, sizeof(buf)), "%%i");
	assert_string_equal(find_variable("a=%NAME%", false, buf, sizeof(buf)), "%NAME%");
	assert_string_equal(find_variable("a=$x", true, buf, sizeof(buf)), "$x");
	assert_null(find_variable("a=$x", false, buf, sizeof(buf)));
	assert_string_equal(find_variable("a=<HOST>", false, buf, sizeof(buf)), "<HOST>");
	assert_null(find_variable("qmsec=AH[MD5]", true, buf, sizeof(buf)));
	assert_null(find_variable("psk=100%", true, buf, sizeof(buf)));
}

static const struct cmddef *find_cmd(const char *verb, const char *object)
{
	for (size_t i = 0; static_cmds[i].verb; i++)
		if (strcmp(static_cmds[i].verb, verb) == 0 && static_cmds[i].object &&
		    strcmp(static_cmds[i].object, object) == 0)
			return &static_cmds[i];
	return NULL;
}

static bool bind(const char *text, struct ncmd *c, char **err)
{
	struct nwords w;
	char *note = NULL;
	assert_null(tokenize(text, false, &w));
	*c = (struct ncmd){0};
	bool ok = bind_args(find_cmd("add", "filter"), &w, 0, c, err, &note);
	free(note);
	words_free(&w);
	return ok;
}

static void test_bind(void **state)
{
	struct ncmd c;
	char *err = NULL;
	assert_true(bind("filterl=L 10.0.0.1 me MIR=N", &c, &err));
	assert_string_equal(arg(&c, "filterlist"), "L");
	assert_string_equal(arg(&c, "srcaddr"), "10.0.0.1");
	assert_string_equal(arg(&c, "mirrored"), "no");
	ncmd_free(&c);
	assert_false(bind("filterlist=L srcaddr=me dstaddr=any src=1", &c, &err));
	assert_non_null(strstr(err, "ambiguous"));
	free(err);
	ncmd_free(&c);
	assert_false(bind("filterlist=L srcaddy=me dstaddr=any", &c, &err));
	assert_non_null(strstr(err, "unknown tag"));
	free(err);
	ncmd_free(&c);
	assert_false(bind("filterlist=L dstaddr=any", &c, &err));
	assert_non_null(strstr(err, "missing required"));
	free(err);
	ncmd_free(&c);
}

static void test_secmethods(void **state)
{
	struct mm_offers mm;
	struct qm_offers qm;
	char err[128];
	assert_null(parse_mmsec("3DES-SHA1-3 DES-MD5-1", &mm, err, sizeof(err)));
	assert_int_equal(mm.n, 2);
	assert_string_equal(mm.v[0].group->openswan, "modp2048");   /* Windows 3 = 2048 */
	assert_null(mm.v[1].group->openswan);
	assert_null(parse_qmsec("ESP [3DES, SHA1]: 100000k/3600s AH[MD5]", &qm, err, sizeof(err)));
	assert_int_equal(qm.n, 2);
	assert_int_equal(qm.v[0].kbytes, 100000);
	assert_int_equal(qm.v[0].seconds, 3600);
	assert_int_equal(qm.v[1].proto, QM_AH);
	assert_non_null(parse_qmsec("ESP[3DES]", &qm, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quotes_and_eq),
		cmocka_unit_test(test_shell_cut),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_secmethods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
