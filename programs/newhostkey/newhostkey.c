/* ipsec newhostkey: generate an RSA host key in the NSS database (creating
 * the database, with an empty password, when the directory has none). The
 * private key never leaves NSS; the public key is shown by ipsec
 * showhostkey, or written with --output as an ipsec.secrets entry. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../pluto/crypto/crypto.h"
#include "swan/rsakey.h"
#include "swan/ttodata.h"

static const char usage[] =
	"usage: ipsec newhostkey [--nssdir DIR] [--bits N] [--nickname NAME]\n"
	"                        [--output FILE|-] [--quiet]\n"
	"Generates an RSA key (e = 65537, default " "3072" " bits, a multiple of 16\n"
	"from 1024 to 8192) in the NSS database in DIR (default " CRYPTO_DEFAULT_NSSDIR ").\n"
	"A directory without a database is refused: ipsec initnss makes one.\n"
	"--output appends an ipsec.secrets ': RSA { ... }' entry naming the key\n"
	"(mode 0600 when created; '-' writes it to standard output).\n"
	"Show the public key with: ipsec showhostkey --left --ckaid CKAID\n";

static const char *prog = "ipsec newhostkey";

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, what, why != NULL ? ": " : "", why != NULL ? why : "");
	crypto_shutdown();
	return 1;
}

/* An Openswan-style ipsec.secrets entry: the public parts for reference
 * and the CKAID that finds the private key in NSS. */
static int write_secrets(FILE *f, const struct hostkey *k, const char *dir)
{
	const rsa_pubkey *pub = hostkey_pubkey(k);
	static char text[2 * RSA_MAX_BYTES + 64];
	char host[256] = "";
	char when[64] = "";
	char ckaid[2 * CKAID_LEN + 1];
	gethostname(host, sizeof(host) - 1);
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime_r(&now, &tm));
	str_ckaid(hostkey_ckaid(k), ckaid);
	if (str_rsapubkey(pub, text, sizeof(text)) == NULL)
		return -1;
	fprintf(f, ": RSA\t{\n");
	fprintf(f, "\t# RSA %u bits   %s   %s\n", pub->bits, host, when);
	fprintf(f, "\t# for signatures only, UNSAFE FOR ENCRYPTION\n");
	fprintf(f, "\t#ckaid=%s\n", ckaid);
	fprintf(f, "\t#pubkey=%s\n", text);
	datatot(pub->n, pub->n_len, 16, text, sizeof(text));
	fprintf(f, "\tModulus: %s\n", text);
	datatot(pub->e, pub->e_len, 16, text, sizeof(text));
	fprintf(f, "\tPublicExponent: %s\n", text);
	fprintf(f, "\t# the private key stays in the NSS database sql:%s\n", dir);
	fprintf(f, "\tCKAIDNSS: 0x%s\n", ckaid);
	fprintf(f, "\t}\n");
	fprintf(f, "# do not change the indenting of that \"}\"\n");
	return ferror(f) ? -1 : 0;
}

static FILE *open_output(const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdout;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return fd >= 0 ? fdopen(fd, "a") : NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nssdir", required_argument, NULL, 'd' },
		{ "configdir", required_argument, NULL, 'd' },   /* older spelling */
		{ "bits", required_argument, NULL, 'b' },
		{ "nickname", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CRYPTO_DEFAULT_NSSDIR;
	const char *nickname = NULL;
	const char *output = NULL;
	unsigned long bits = HOSTKEY_DEFAULT_BITS;
	bool quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': dir = optarg; break;
		case 'b':
			errno = 0;
			bits = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || bits < 1024 ||
			    bits > 8192 || bits % 16 != 0) {
				fprintf(stderr, "%s: --bits '%s': must be a multiple of 16 from 1024 to 8192\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'n': nickname = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n%s", prog, argv[optind], usage);
		return 2;
	}
	if (bits < 2048)
		fprintf(stderr, "%s: warning: a %lu-bit RSA key is weak; use 2048 bits or more\n",
			prog, bits);

	/* a database is made on purpose (ipsec initnss), not as a side effect
	 * of the first key: a typo in --nssdir must not start a new one */
	const char *path = dir != NULL ? dir : CRYPTO_DEFAULT_NSSDIR;
	if (strncmp(path, "sql:", 4) == 0)
		path += 4;
	char db[4096];
	snprintf(db, sizeof(db), "%s/cert9.db", path);
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "%s: no NSS database in %s: make one with ipsec initnss --nssdir %s\n",
			prog, path, path);
		return 1;
	}
	bool created = false;
	err_t e = crypto_init_nssdb_create(dir, &created);
	if (e != NULL)
		return fail("cannot open the NSS database", e);
	const char *where = crypto_nssdir();
	if (created && !quiet)
		fprintf(stderr, "%s: created an NSS database in sql:%s (empty password)\n", prog, where);
	if (!quiet)
		fprintf(stderr, "%s: generating a %lu-bit RSA key in sql:%s; this may take a while\n",
			prog, bits, where);

	struct hostkey *k = NULL;
	e = hostkey_generate((unsigned)bits, nickname, &k);
	if (e != NULL)
		return fail("cannot generate the key", e);

	char ckaid[2 * CKAID_LEN + 1];
	str_ckaid(hostkey_ckaid(k), ckaid);
	int status = 0;
	if (output != NULL) {
		FILE *f = open_output(output);
		if (f == NULL) {
			fprintf(stderr, "%s: cannot write %s: %s (the key is in the database with CKAID %s)\n",
				prog, output, strerror(errno), ckaid);
			status = 1;
		} else {
			if (write_secrets(f, k, where) != 0) {
				fprintf(stderr, "%s: writing %s failed\n", prog, output);
				status = 1;
			}
			if (f != stdout && fclose(f) != 0) {
				fprintf(stderr, "%s: writing %s: %s\n", prog, output, strerror(errno));
				status = 1;
			}
		}
	}
	if (output == NULL || strcmp(output, "-") != 0) {
		printf("Generated RSA key pair with CKAID %s was stored in the NSS database\n", ckaid);
		printf("The public key can be displayed using: ipsec showhostkey --left --ckaid %s\n", ckaid);
	}
	hostkey_free(&k);
	e = crypto_shutdown();
	if (e != NULL) {
		fprintf(stderr, "%s: %s\n", prog, e);
		status = 1;
	}
	return status;
}
