/* Unit tests: NSS start-up and host keys (programs/pluto/crypto/
 * crypto_init.c, hostkey.c), the library side of ipsec newhostkey and
 * ipsec showhostkey. Works in a temporary directory: no database there
 * is an error naming it; crypto_init_nssdb_create makes one with an
 * empty password; keys generated there are found again (read-only) by
 * public key and by CKAID (SHA-1 of the modulus); a database with a
 * password opens with the right one, given directly or in nsspassword. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pk11pub.h>
#include "crypto/crypto.h"
#include "swan/rsakey.h"

static char dbdir[64];      /* holds the database */
static char emptydir[64];   /* stays empty */
static rsa_pubkey west;     /* generated in test_create_and_generate */
static uint8_t west_ckaid[CKAID_LEN];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dbdir, sizeof(dbdir), "/tmp/cygnet-hostkey-XXXXXX");
	snprintf(emptydir, sizeof(emptydir), "/tmp/cygnet-empty-XXXXXX");
	return mkdtemp(dbdir) != NULL && mkdtemp(emptydir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	crypto_shutdown();
	nftw(dbdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(emptydir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static bool exists(const char *dir, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat sb;
	return stat(path, &sb) == 0;
}

static void test_no_database(void **state)
{
	(void)state;
	err_t e = crypto_init_nssdb(emptydir, false, NULL);
	assert_non_null(e);
	assert_non_null(strstr(e, emptydir));        /* names the directory */
	assert_non_null(strstr(e, "no NSS database"));
	assert_false(crypto_initialized());
	assert_false(exists(emptydir, "cert9.db"));  /* and creates nothing */
	assert_false(exists(emptydir, "key4.db"));

	char sql[80];
	snprintf(sql, sizeof(sql), "sql:%s", emptydir);
	assert_non_null(crypto_init_nssdb(sql, true, NULL));
	e = crypto_init_nssdb("/nonexistent/cygnet", false, NULL);
	assert_non_null(e);
	assert_non_null(strstr(e, "/nonexistent/cygnet"));
	assert_non_null(crypto_init_nssdb("dbm:/etc/ipsec.d", false, NULL));
	assert_non_null(crypto_init_nssdb_create("/nonexistent/cygnet", NULL));
	assert_false(crypto_initialized());
	/* nothing works before start-up, and nothing crashes */
	uint8_t b[8];
	assert_non_null(random_bytes(b, sizeof(b)));
	assert_null(crypto_shutdown());
}

static void test_create_and_generate(void **state)
{
	(void)state;
	bool created = false;
	err_t e = crypto_init_nssdb_create(dbdir, &created);
	if (e != NULL)
		fail_msg("%s", e);
	assert_true(created);
	assert_true(crypto_initialized());
	assert_string_equal(crypto_nssdir(), dbdir);
	assert_true(exists(dbdir, "cert9.db"));
	assert_true(exists(dbdir, "key4.db"));

	struct hostkey_info *list;
	size_t n;
	assert_null(hostkey_list(&list, &n));
	assert_int_equal(n, 0);
	free(list);

	struct hostkey *k;
	e = hostkey_generate(2048, "west", &k);
	if (e != NULL)
		fail_msg("%s", e);
	west = *hostkey_pubkey(k);
	memcpy(west_ckaid, hostkey_ckaid(k), CKAID_LEN);
	assert_int_equal(west.bits, 2048);
	assert_int_equal(west.e_len, 3);   /* 65537 */
	assert_string_equal(hostkey_nickname(k), "west");
	/* NSS's CKA_ID is SHA-1 of the modulus: the CKAID */
	uint8_t ckaid[CKAID_LEN];
	assert_null(ckaid_of_pubkey(&west, ckaid));
	assert_memory_equal(ckaid, west_ckaid, CKAID_LEN);
	hostkey_free(&k);
	assert_null(k);

	/* the leftrsasigkey= text: RFC 3110, e = 65537 reads "AwEAA" */
	char text[2048];
	assert_non_null(str_rsapubkey(&west, text, sizeof(text)));
	assert_memory_equal(text, "0sAwEAA", 7);
	rsa_pubkey back;
	assert_null(ttorsapubkey(text, &back));
	assert_int_equal(back.n_len, west.n_len);
	assert_memory_equal(back.n, west.n, west.n_len);

	assert_null(hostkey_generate(1024, NULL, NULL));
	assert_non_null(hostkey_generate(1000, NULL, NULL));   /* not a multiple of 16 */
	assert_non_null(hostkey_generate(512, NULL, NULL));
	assert_null(hostkey_list(&list, &n));
	assert_int_equal(n, 2);
	bool seen_west = false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c[CKAID_LEN];
		assert_null(ckaid_of_pubkey(&list[i].pub, c));
		assert_memory_equal(c, list[i].ckaid, CKAID_LEN);
		if (strcmp(list[i].nickname, "west") == 0) {
			seen_west = true;
			assert_memory_equal(list[i].ckaid, west_ckaid, CKAID_LEN);
		} else {
			assert_int_equal(list[i].pub.bits, 1024);
		}
	}
	assert_true(seen_west);
	free(list);
	assert_null(crypto_shutdown());
}

static void test_find_read_only(void **state)
{
	(void)state;
	err_t e = crypto_init_nssdb(dbdir, true, NULL);
	if (e != NULL)
		fail_msg("%s", e);
	struct hostkey *k = hostkey_find(&west, &e);
	if (k == NULL)
		fail_msg("%s", e);
	assert_memory_equal(hostkey_ckaid(k), west_ckaid, CKAID_LEN);
	assert_string_equal(hostkey_nickname(k), "west");

	/* the found private key signs what the public key verifies */
	const struct sig_alg *pss = sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_512);
	chunk_t data = chunk_from("found by its public key", 23), sig;
	assert_null(auth_rsa_sign(k, pss, data, &sig));
	assert_null(auth_rsa_verify(&west, pss, data, sig));
	chunk_free(&sig);
	hostkey_free(&k);

	k = hostkey_find_ckaid(west_ckaid, &e);
	assert_non_null(k);
	assert_memory_equal(hostkey_pubkey(k)->n, west.n, west.n_len);
	hostkey_free(&k);

	rsa_pubkey other = west;
	other.n[40] ^= 0x10;
	k = hostkey_find(&other, &e);
	assert_null(k);
	assert_non_null(strstr(e, "CKAID"));
	other = west;
	other.e[2] = 0x03;   /* same modulus, another exponent: not our key */
	assert_null(hostkey_find(&other, &e));
	uint8_t none[CKAID_LEN] = { 0 };
	assert_null(hostkey_find_ckaid(none, &e));
	assert_non_null(e);

	/* read-only: no new keys */
	assert_non_null(hostkey_generate(1024, "nope", NULL));
	assert_null(crypto_shutdown());

	/* creating where a database exists just opens it */
	bool created = true;
	assert_null(crypto_init_nssdb_create(dbdir, &created));
	assert_false(created);
	assert_null(crypto_shutdown());

	/* without a database there are no host keys */
	assert_null(crypto_init_nodb());
	assert_null(hostkey_find(&west, &e));
	assert_non_null(e);
	assert_null(crypto_shutdown());
}

static void test_password(void **state)
{
	(void)state;
	assert_null(crypto_init_nssdb(dbdir, false, NULL));
	PK11SlotInfo *slot = PK11_GetInternalKeySlot();
	assert_int_equal(PK11_ChangePW(slot, "", "s3cret"), SECSuccess);
	PK11_FreeSlot(slot);
	assert_null(crypto_shutdown());

	err_t e = crypto_init_nssdb(dbdir, false, "wrong");
	assert_non_null(e);
	assert_non_null(strstr(e, "password"));
	assert_false(crypto_initialized());
	assert_non_null(crypto_init_nssdb(dbdir, true, NULL));   /* none given, no file */

	assert_null(crypto_init_nssdb(dbdir, true, "s3cret"));
	struct hostkey *k = hostkey_find(&west, &e);
	assert_non_null(k);
	hostkey_free(&k);
	assert_null(crypto_shutdown());

	/* libreswan's nsspassword: "token:password" */
	char path[128];
	snprintf(path, sizeof(path), "%s/nsspassword", dbdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# comment\nother token:nope\nNSS Certificate DB:s3cret\n", f);
	fclose(f);
	e = crypto_init_nssdb(dbdir, true, NULL);
	if (e != NULL)
		fail_msg("%s", e);
	k = hostkey_find(&west, &e);
	assert_non_null(k);
	hostkey_free(&k);
	assert_null(crypto_shutdown());
}

static void test_ckaid_text(void **state)
{
	(void)state;
	uint8_t c[CKAID_LEN], d[CKAID_LEN];
	char buf[2 * CKAID_LEN + 1];
	for (int i = 0; i < CKAID_LEN; i++)
		c[i] = (uint8_t)(i * 13 + 0xa0);
	str_ckaid(c, buf);
	assert_int_equal(strlen(buf), 40);
	assert_null(ttockaid(buf, d));
	assert_memory_equal(c, d, CKAID_LEN);
	char upper[48];
	snprintf(upper, sizeof(upper), "0x%s", buf);
	for (char *p = upper + 2; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_null(ttockaid(upper, d));
	assert_memory_equal(c, d, CKAID_LEN);
	assert_non_null(ttockaid("1234", d));
	buf[5] = 'g';
	assert_non_null(ttockaid(buf, d));
	assert_non_null(ttockaid(NULL, d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_database),
		cmocka_unit_test(test_create_and_generate),
		cmocka_unit_test(test_find_read_only),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_ckaid_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
