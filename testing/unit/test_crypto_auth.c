/* Unit tests: IKEv2 authentication (programs/pluto/crypto/auth.c).
 * PSK AUTH (RFC 7296 2.15) recomputed here from prf, and one value
 * computed with another HMAC implementation (Python's hmac module);
 * the RFC 7427 AlgorithmIdentifier table; RSA signatures for every
 * scheme with a key generated in a temporary NSS database, tampered
 * signatures and data refused; and signatures made by another
 * implementation (pyca/cryptography on OpenSSL: PKCS#1 v1.5 and PSS with
 * MGF1 of the same hash and salt = hash length) verified here. */
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
#include <unistd.h>
#include <pthread.h>
#include "crypto/crypto.h"
#include "swan/rsakey.h"

static chunk_t hex(const char *s)
{
	size_t n = strlen(s) / 2;
	chunk_t c = chunk_alloc(n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		c.ptr[i] = (uint8_t)v;
	}
	return c;
}

static const struct alg_desc *prf_alg(const char *name)
{
	const struct alg_desc *a = alg_by_name(ALG_PRF, name, strlen(name));
	assert_non_null(a);
	return a;
}

static char dbdir[64];
static struct hostkey *key;

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
	snprintf(dbdir, sizeof(dbdir), "/tmp/cygnet-auth-XXXXXX");
	if (mkdtemp(dbdir) == NULL)
		return -1;
	err_t e = crypto_init_nssdb_create(dbdir, NULL);
	if (e == NULL)
		e = hostkey_generate(2048, "auth-test", &key);
	if (e != NULL) {
		fprintf(stderr, "setup: %s\n", e);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hostkey_free(&key);
	err_t e = crypto_shutdown();
	if (e != NULL)
		fprintf(stderr, "crypto_shutdown: %s\n", e);
	nftw(dbdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return e == NULL ? 0 : -1;
}

/* RFC 7296 2.15 by hand: octets = message | nonce | prf(SK_p, ID'),
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets). */
static void test_psk(void **state)
{
	(void)state;
	const struct alg_desc *prf = prf_alg("prfsha2_256");
	chunk_t msg = chunk_from("IKE_SA_INIT request as sent", 27);
	chunk_t nonce = chunk_alloc(32);
	for (int i = 0; i < 32; i++)
		nonce.ptr[i] = (uint8_t)i;
	chunk_t skp = chunk_alloc(32);
	memset(skp.ptr, 0x5a, 32);
	chunk_t id = hex("01000000c0000201");   /* ID_IPV4_ADDR 192.0.2.1 */
	chunk_t psk = chunk_from("cygnet test secret", 18);

	chunk_t octets;
	assert_null(auth_signed_octets(prf, msg, nonce, skp, id, &octets));
	chunk_t maced, want_maced = hex("21bf9d40bc0b438f7ad2d055390fe08c22bc600c4f7ad584b62a042763cb2ee4");
	assert_null(prf_compute(prf, skp, id, &maced));
	assert_true(chunk_eq(maced, want_maced));
	chunk_t want_octets = chunk_cat3(msg, nonce, maced);
	assert_true(chunk_eq(octets, want_octets));

	chunk_t auth;
	assert_null(auth_psk(prf, psk, octets, &auth));
	chunk_t pad, want;
	assert_null(prf_compute(prf, psk, chunk_from("Key Pad for IKEv2", 17), &pad));
	assert_null(prf_compute(prf, pad, octets, &want));
	assert_true(chunk_eq(auth, want));
	/* the value Python's hmac module gives for the same inputs */
	chunk_t python = hex("b2af9b1aa87ac8f0a4894f4a54dd12f2db3e366c01b9ec89260c80d08fc374b5");
	assert_true(chunk_eq(auth, python));

	assert_null(auth_psk_verify(prf, psk, octets, auth));
	auth.ptr[5] ^= 1;
	assert_non_null(auth_psk_verify(prf, psk, octets, auth));
	auth.ptr[5] ^= 1;
	assert_non_null(auth_psk_verify(prf, psk, octets, chunk_from(auth.ptr, auth.len - 1)));
	assert_non_null(auth_psk_verify(prf, chunk_from("cygnet test secreT", 18), octets, auth));
	chunk_t none;
	assert_non_null(auth_psk(prf, EMPTY_CHUNK, octets, &none));   /* no empty PSK */
	assert_null(none.ptr);

	chunk_free(&python);
	chunk_free(&want);
	chunk_free(&pad);
	chunk_free(&auth);
	chunk_free(&want_octets);
	chunk_free(&maced);
	chunk_free(&want_maced);
	chunk_free(&octets);
	chunk_free(&id);
	chunk_free(&skp);
	chunk_free(&nonce);
}

/* A DER TLV walk: every length inside the blob is consistent. */
static void assert_der(const uint8_t *p, size_t len)
{
	assert_true(len >= 2);
	assert_true(p[1] < 0x80);
	assert_int_equal((size_t)p[1] + 2, len);
	if ((p[0] & 0x20) == 0)
		return;   /* primitive */
	for (size_t i = 2; i < len;) {
		assert_true(i + 2 <= len);
		size_t l = p[i + 1];
		assert_true(i + 2 + l <= len);
		assert_der(p + i, l + 2);
		i += l + 2;
	}
}

static void test_sig_alg_table(void **state)
{
	(void)state;
	assert_int_equal(sig_algs_len, 10);
	for (size_t i = 0; i < sig_algs_len; i++) {
		const struct sig_alg *a = &sig_algs[i];
		assert_der(a->der, a->der_len);
		assert_ptr_equal(sig_alg_by_der(chunk_from(a->der, a->der_len)), a);
		assert_ptr_equal(sig_alg_find(a->scheme, a->hash), a);
	}
	assert_null(sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA1));
	/* RFC 7427 A.1 and A.4.3 byte for byte */
	chunk_t sha1 = hex("300d06092a864886f70d0101050500");
	assert_ptr_equal(sig_alg_by_der(sha1), sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1));
	chunk_t pss = hex("3041" "06092a864886f70d01010a" "3034"
			  "a00f300d0609608648016503040201" "0500"
			  "a11c301a06092a864886f70d010108300d0609608648016503040201" "0500"
			  "a203020120");
	const struct sig_alg *a = sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_256);
	assert_int_equal(a->der_len, pss.len);
	assert_memory_equal(a->der, pss.ptr, pss.len);
	/* other spellings: trailerField written out, NULLs left out */
	chunk_t trailer = hex("3046" "06092a864886f70d01010a" "3039"
			      "a00f300d0609608648016503040203" "0500"
			      "a11c301a06092a864886f70d010108300d0609608648016503040203" "0500"
			      "a203020140" "a303020101");
	assert_ptr_equal(sig_alg_by_der(trailer), sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_512));
	chunk_t nonull = hex("300b06092a864886f70d01010c");
	assert_ptr_equal(sig_alg_by_der(nonull), sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA2_384));
	/* RFC 7427 A.3.2: ecdsa-with-sha256, parameters absent; with a NULL too */
	chunk_t ec = hex("300a06082a8648ce3d040302");
	const struct sig_alg *ea = sig_alg_find(SIG_ECDSA, SIG_HASH_SHA2_256);
	assert_int_equal(ea->der_len, ec.len);
	assert_memory_equal(ea->der, ec.ptr, ec.len);
	chunk_free(&ec);
	ec = hex("300c06082a8648ce3d0403040500");
	assert_ptr_equal(sig_alg_by_der(ec), sig_alg_find(SIG_ECDSA, SIG_HASH_SHA2_512));
	chunk_free(&ec);
	assert_true(sig_alg_fits(ea, KEY_ECDSA));
	assert_false(sig_alg_fits(ea, KEY_RSA));
	/* RFC 4754: one fixed method per curve */
	assert_int_equal(sig_alg_rfc4754(384)->hash, SIG_HASH_SHA2_384);
	assert_int_equal(sig_alg_rfc4754(521)->hash, SIG_HASH_SHA2_512);
	assert_null(sig_alg_rfc4754(224));
	/* a PSS blob with the wrong salt is not ours */
	pss.ptr[pss.len - 1] = 0x21;
	assert_null(sig_alg_by_der(pss));
	assert_null(sig_alg_by_der(EMPTY_CHUNK));
	chunk_free(&sha1);
	chunk_free(&pss);
	chunk_free(&trailer);
	chunk_free(&nonull);
}

static void test_digsig_encoding(void **state)
{
	(void)state;
	const struct sig_alg *a = sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_384);
	chunk_t sig = chunk_from("0123456789", 10), auth;
	assert_null(auth_digsig_encode(a, sig, &auth));
	assert_int_equal(auth.len, 1 + a->der_len + 10);
	assert_int_equal(auth.ptr[0], a->der_len);
	const struct sig_alg *back;
	chunk_t sig2;
	assert_null(auth_digsig_decode(auth, &back, &sig2));
	assert_ptr_equal(back, a);
	assert_true(chunk_eq(sig, sig2));
	/* truncated anywhere in the header, or no signature at all */
	for (size_t len = 0; len <= 1 + a->der_len; len++)
		assert_non_null(auth_digsig_decode(chunk_from(auth.ptr, len), &back, &sig2));
	auth.ptr[3] ^= 0xff;   /* an unknown AlgorithmIdentifier */
	err_t e = auth_digsig_decode(auth, &back, &sig2);
	assert_non_null(e);
	assert_non_null(strstr(e, "3041"));
	assert_null(back);
	auth.ptr[0] = 0;   /* zero-length AlgorithmIdentifier */
	assert_non_null(auth_digsig_decode(auth, &back, &sig2));
	chunk_free(&auth);
}

static void test_rsa_round_trips(void **state)
{
	(void)state;
	const rsa_pubkey *pub = hostkey_pubkey(key);
	assert_int_equal(pub->bits, 2048);
	chunk_t data = chunk_from("what the AUTH payload signs", 27);
	for (size_t i = 0; i < sig_algs_len; i++) {
		const struct sig_alg *a = &sig_algs[i];
		chunk_t sig;
		if (!sig_alg_fits(a, KEY_RSA)) {
			/* an RSA key makes no ECDSA signature, nor checks one */
			assert_non_null(auth_rsa_sign(key, a, data, &sig));
			assert_non_null(auth_rsa_verify(pub, a, data, chunk_from(data.ptr, 8)));
			continue;
		}
		err_t e = auth_rsa_sign(key, a, data, &sig);
		if (e != NULL)
			fail_msg("%s: %s", a->name, e);
		assert_int_equal(sig.len, 256);
		e = auth_rsa_verify(pub, a, data, sig);
		if (e != NULL)
			fail_msg("%s: %s", a->name, e);
		/* tampered signature */
		sig.ptr[100] ^= 0x04;
		assert_non_null(auth_rsa_verify(pub, a, data, sig));
		sig.ptr[100] ^= 0x04;
		/* tampered data */
		assert_non_null(auth_rsa_verify(pub, a, chunk_from("what the AUTH payload signz", 27), sig));
		/* truncated signature */
		assert_non_null(auth_rsa_verify(pub, a, data, chunk_from(sig.ptr, 255)));
		/* checked under another algorithm */
		const struct sig_alg *other = &sig_algs[(i + 1) % 7];   /* the RSA rows */
		assert_non_null(auth_rsa_verify(pub, other, data, sig));
		/* another key */
		rsa_pubkey wrong = *pub;
		wrong.n[10] ^= 1;
		assert_non_null(auth_rsa_verify(&wrong, a, data, sig));
		chunk_free(&sig);
	}
	/* PSS is randomised, PKCS#1 v1.5 is not */
	chunk_t s1, s2;
	assert_null(auth_rsa_sign(key, sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_256), data, &s1));
	assert_null(auth_rsa_sign(key, sig_alg_find(SIG_RSA_PSS, SIG_HASH_SHA2_256), data, &s2));
	assert_false(chunk_eq(s1, s2));
	chunk_free(&s1);
	chunk_free(&s2);
	assert_null(auth_rsa_sign(key, sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA2_256), data, &s1));
	assert_null(auth_rsa_sign(key, sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA2_256), data, &s2));
	assert_true(chunk_eq(s1, s2));
	chunk_free(&s1);
	chunk_free(&s2);
	assert_non_null(auth_rsa_sign(NULL, &sig_algs[0], data, &s1));
	assert_non_null(auth_rsa_sign(key, NULL, data, &s1));
}

/* a 2048-bit modulus, e = 65537 */
static const char kat_n[] =
	"d2e531e51ccd56310fd2c21950e34aa3503cbda8de8750a31032b9fbda246239"
	"9d20b77dfd6c76e35f93a5e28ceccaf19d3a33c7940645d38837eb5fd9330ba6"
	"012036d17e41614e997baca2acc469043f6ba60417b25a815135617bfd490111"
	"34082d6b60eb87b974eb96a9811cb7d08b0f2146f1f8410f97e484071da4e7c5"
	"89958efdf4fde94715187467491424fd9e9997967a7758a03864d23968430b1c"
	"8aeca9e368279cff0961444b2d66df1e80b5b5f0a6b30d2a6a1f3997afd08db8"
	"0c0d803fb791cdf6f072fd87ee116c62fbae65d9e2e618664b70fdb2846d6890"
	"a4fae4e19009082ae3094919782714a0edac1950a2e7340a54b7d6f2c2a6e2d1";
static const char kat_msg[] = "signed octets: RealMessage | Nonce | prf(SK_p, ID')";
static const struct { enum sig_scheme scheme; enum sig_hash hash; const char *sig; } kat_sigs[] = {
	{ SIG_RSA_PKCS1, SIG_HASH_SHA1,
	  "c73d81f777380a3c988786a62809494815b7e0dfa7eabe4b9d95b12f3746859a"
	  "8ccd0c5b6a5f1fe5b1c81d8bf51140d5ed144699c4a63aaa6bcf7bc4768cbb90"
	  "bb9efa8aae48794788990dd237ed918f41b292a4ba6b480959e9d6c31f2fb628"
	  "68c4342ad1a3d77ec2052f6f4a852e693a9860016519e85fcaa576d8ee5c4d66"
	  "f46beb07ecc07e9b97bb27b571516b81ec02a13f27d9791c778b969dc2d7724e"
	  "bb3ef1e6ef0e066bb1a23ad8c51ba8f705a3040e3365b8ccf0eba660b4866dcb"
	  "e94873dd4f6ad4ba1b347c64d9495582aad270d1655fcb6a807d89ed773bb1d9"
	  "392efeb8e84a36358455d71b1d11c42e2cceaef65f250decf36ea21931336dcb" },
	{ SIG_RSA_PKCS1, SIG_HASH_SHA2_256,
	  "b18bfb77dde38e7ac92c93d7dbc0b6d61b12a4f5b7286e8b4b3444886ed0ed21"
	  "e5104161f30ef6dc2385be887719825f66e689618b334f885329d17940973049"
	  "3605ba33dbd5eb3a3e61df924040ca68c70fd2c065ebefb72b4f470ebc1357b7"
	  "ba8dd7c152a1e6d0ae2a06229f3841f65817f5661535a0a54ac70b3cccc7dce3"
	  "d108efb5cde14a363853263fc30a25927f1b0360bf1eefe958807aec5ddac088"
	  "5753ccab27b54d2355e3c66a98c733815c6c272548984820a33cbb93f2f2784a"
	  "a52f410ec19df46791543df24637a96e3bcbff5c24512a83fc39534908ef2903"
	  "6d68605a4f81b98a2762f23ef68da29b8a874886cbed93d456893bae8c580024" },
	{ SIG_RSA_PSS, SIG_HASH_SHA2_256,
	  "c6aa5918ad0493eef8aad4c5a7c5474aee4b4b63ab387c8c9976a7ceb5902d36"
	  "ce35984899229b21bad2e0c3f41d47b2daee9cd009ba025edeee7ac9d8543eb2"
	  "e106ffd520202a3044540e136901ae86792998d19d75b9f4fb0cb2674d30e46c"
	  "9b52a932cdb223acb589fd7886b2f34069aab78e04352093a330b4900d94a1fe"
	  "a071a66182ff2821935d54c25d106d02c526ebda2077ee0d03aba79be2862bf8"
	  "aa53b922e64c7a1c89233f841df5da793a0f20e316e6ce7fae0dbbde21e26b18"
	  "3c2de63addc07702df0f22ebfdb01ed5bf3dda67dfe0a93809802e44455994dd"
	  "fa75d66af133d50410f8cfdc18778ce226e83898740ec77b432aa2bb114f61aa" },
	{ SIG_RSA_PKCS1, SIG_HASH_SHA2_384,
	  "70f1958380ba56dab2616890cc03fa55060c3c80548914bfd05eac970286b2ec"
	  "85c272dd403c062e67214b9953d4f58d37c120a382b6ee2a695bf85c505fbe89"
	  "f9a0cc9eb70cdd07905fbfc6a73b7f4d9a6d616e2f55d9d7b97694d0c440cc0e"
	  "020fa9258495f494b16a56797784bedb7a0e553563719714b6cd4891257b5fa2"
	  "c9af1c63276664841689ed9c81b8c3d8771326973a6bc7166b67dc0feb61990a"
	  "aba50273bd6019a5f51257cdf39ca15d77a3439ae49a0db163ddd66c5e29c95d"
	  "2bac46f5d7516abbf782b8b1307cd75c69b80973c6d512bad7f16e301ec2ccf4"
	  "236d77494b0d9c243a89c2a2d73942d7aba2e8455d0690d69baaec388a3dc38e" },
	{ SIG_RSA_PSS, SIG_HASH_SHA2_384,
	  "4cb479f6d8c61118b5ec6ddfa2810809e8ca6ff245aad5ca15ff52317952c209"
	  "cacc4ff52ebb977978e7925bd4ee35a8866583d77cd59fca8e7599ed3839c9c8"
	  "a6d5b95fef4642401622895a3d7f101fcdf9c06307e6cda2ec0bd74e8e89ef2c"
	  "d0478a8dc7666b38a2a132383ef6a150873491cbfc922f3d86b4112781ae76d0"
	  "881cab56bbf8d29e1ccd6227586c465b29117460575d23195902a328e15c8507"
	  "489e31fddbe1dbdfd33a7309b0340290df3e91d981137130686c99ce86724985"
	  "a1ce83f19e2d33b606d1a2aafac22d92f64d9fcded324eb7a23b517b9d4d4526"
	  "9f951fef3bed3c5f4da00a66fbb1d34f112eee557e29789e08f95701ef38865c" },
	{ SIG_RSA_PKCS1, SIG_HASH_SHA2_512,
	  "0cc9cfe2351e49d98be84af189ffe77e5aeb7b35a06e4c6b243faf770e4faac5"
	  "c383534e2f48c9273960b2c0a726c79e495bcecc68db25b944ab1ba3fa0ac8bb"
	  "0d10192c04d16d815af2609eb10c0e67d752ffcde170fea04d3257470042684a"
	  "ae9ee6653dbb0b0600b7bed76feebfd1e24dbacef11f3067b80a299035dd5d90"
	  "f69b591e5d67640405487fa9b1c515acffe38b96314f7f53ecf5328192e43a7e"
	  "297ac2c45ac49232238a045724712db6877901d2a3ba186227d3473cf636773d"
	  "d8af800b067ee259f98491796b6dd291186f16187b222e20eb825eb18b579bdc"
	  "291eb3c96edeca394701698eba166222135e0d2c0a055894d2e2449c129d5c33" },
	{ SIG_RSA_PSS, SIG_HASH_SHA2_512,
	  "b4010dc2c9bedf85627904815c07877a655c2569583959b3c9966b5e1e4b89da"
	  "84f0bb9a6cb0bcc39663a6add1c717568e6a45bd02e142627234ff2a7f5a78f5"
	  "c311454429914bf1a4c3747ef1336b711030efe42814ddadfbfba135a9f640f0"
	  "a65ac2d61db299738a8ab1bc9307b568c1b7a0d01503cc0eb7ccc99ea1f375ee"
	  "1e41bce11e7479ccb7200fe9603c4c86c0dc303b7c29dab7bfa4da280a0e1c0f"
	  "1f151f7f004482e629764c5595b7e82165094f30fa6d71908c1c15ea5d104f36"
	  "1c4ef2d7b33ec0b3043910da36d2bb309daef841ff15674eb9989b7aedd79572"
	  "0ef844f974d629e6735976743cb6840b78628b6349e11a54848921354e38ca6c" },
};

/* Signatures made by pyca/cryptography (OpenSSL) over kat_msg. */
static void test_foreign_signatures(void **state)
{
	(void)state;
	rsa_pubkey pub;
	memset(&pub, 0, sizeof(pub));
	chunk_t n = hex(kat_n);
	memcpy(pub.n, n.ptr, n.len);
	pub.n_len = n.len;
	pub.e[0] = 0x01;
	pub.e[1] = 0x00;
	pub.e[2] = 0x01;
	pub.e_len = 3;
	pub.bits = 2048;
	chunk_t msg = chunk_from(kat_msg, strlen(kat_msg));
	for (size_t i = 0; i < sizeof(kat_sigs) / sizeof(kat_sigs[0]); i++) {
		const struct sig_alg *a = sig_alg_find(kat_sigs[i].scheme, kat_sigs[i].hash);
		assert_non_null(a);
		chunk_t sig = hex(kat_sigs[i].sig);
		err_t e = auth_rsa_verify(&pub, a, msg, sig);
		if (e != NULL)
			fail_msg("%s: %s", a->name, e);
		sig.ptr[sig.len - 1] ^= 1;
		assert_non_null(auth_rsa_verify(&pub, a, msg, sig));
		chunk_free(&sig);
	}
	chunk_free(&n);
}

/* IKEv1 (RFC 2409 5.1) signs HASH_I/HASH_R itself: PKCS#1 v1.5 block type
 * 1 padding, no DigestInfo. The foreign signature was computed in python
 * as pow(00 01 ff.. 00 || hash, d, n) with a 1024-bit key from pyca's
 * rsa.generate_private_key; hash = SHA-1("HASH_I of an IKEv1 Main Mode"). */
static void test_ikev1_signatures(void **state)
{
	(void)state;
	const struct sig_alg *a = &sig_alg_ikev1_rsa;
	rsa_pubkey pub;
	memset(&pub, 0, sizeof(pub));
	chunk_t n = hex("a0b2ae70de56afae0c4645d060b0f5682c4689d1ba830553dc7f46a8ce2ab486"
			"0e48087a8bd9147259cf73aaa11c1f55245ede420c3e51481516fdb16b1c9f19"
			"905a6f90b2ab4ddc6c2764b57efcf1674adf9161e4a237e89790f29ca105802d"
			"73b253cddd9f9059a6a6e45edfea3918565d1bb81342a9b1f160bf30b50589fb");
	memcpy(pub.n, n.ptr, n.len);
	pub.n_len = n.len;
	pub.e[0] = 0x01;
	pub.e[1] = 0x00;
	pub.e[2] = 0x01;
	pub.e_len = 3;
	pub.bits = 1024;
	chunk_t hash = hex("6ee319fa91479b607eafd62b508a3463fff9d9a2");
	chunk_t sig = hex("144b1f1eb2048c070ba769be1edd2d4dce771af368590cb5af97cc599e6902e6"
			  "aace40812831aff4d1a2b4dfb278b7553b3bb7319c3cc57fc6fc122fe806cc8a"
			  "2e6c182f61592638bb4e9eee4da76ad993ecad53a55524236313c26b8032c82f"
			  "39fe15cf08a7eee46a97eea978cb3216145d347e5c83c9abcb1048b212ce465f");
	err_t e = auth_rsa_verify(&pub, a, hash, sig);
	if (e != NULL)
		fail_msg("%s", e);
	/* the same signature is not PKCS#1 with a DigestInfo */
	assert_non_null(auth_rsa_verify(&pub, sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1), hash, sig));
	hash.ptr[0] ^= 1;
	assert_non_null(auth_rsa_verify(&pub, a, hash, sig));
	hash.ptr[0] ^= 1;
	/* ours round-trips, is deterministic and is not a DigestInfo one */
	chunk_t s1, s2;
	assert_null(auth_rsa_sign(key, a, hash, &s1));
	assert_null(auth_rsa_sign(key, a, hash, &s2));
	assert_true(chunk_eq(s1, s2));
	assert_null(auth_rsa_verify(hostkey_pubkey(key), a, hash, s1));
	assert_non_null(auth_rsa_verify(hostkey_pubkey(key), sig_alg_find(SIG_RSA_PKCS1, SIG_HASH_SHA1),
					hash, s1));
	chunk_free(&s1);
	chunk_free(&s2);
	chunk_free(&n);
	chunk_free(&hash);
	chunk_free(&sig);
}

/* Helper threads sign with the one host key at the same time. */
static void *signer(void *arg)
{
	const struct sig_alg *a = arg;
	for (int i = 0; i < 10; i++) {
		char text[32];
		snprintf(text, sizeof(text), "message %d", i);
		chunk_t data = chunk_from(text, strlen(text)), sig;
		if (auth_rsa_sign(key, a, data, &sig) != NULL)
			return (void *)"sign";
		err_t e = auth_rsa_verify(hostkey_pubkey(key), a, data, sig);
		chunk_free(&sig);
		if (e != NULL)
			return (void *)"verify";
	}
	return NULL;
}

static void test_concurrent_signing(void **state)
{
	(void)state;
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, signer, (void *)&sig_algs[3 + i % 4]), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		assert_int_equal(pthread_join(t[i], &r), 0);
		if (r != NULL)
			fail_msg("thread %d: %s", i, (const char *)r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_sig_alg_table),
		cmocka_unit_test(test_digsig_encoding),
		cmocka_unit_test(test_rsa_round_trips),
		cmocka_unit_test(test_foreign_signatures),
		cmocka_unit_test(test_ikev1_signatures),
		cmocka_unit_test(test_concurrent_signing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
