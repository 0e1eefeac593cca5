/* ipsec showhostkey: the RSA host keys of the NSS database, as a list or
 * as the leftrsasigkey=/rightrsasigkey= line that goes into ipsec.conf. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../pluto/crypto/crypto.h"
#include "swan/rsakey.h"

static const char usage[] =
	"usage: ipsec showhostkey [--nssdir DIR] --list\n"
	"       ipsec showhostkey [--nssdir DIR] --left|--right [--ckaid HEX | --rsaid KEYID]\n"
	"--list prints every RSA key of the NSS database in DIR (default\n"
	CRYPTO_DEFAULT_NSSDIR ") with its key id and CKAID. --left and --right print\n"
	"the key as an ipsec.conf line (\"\\tleftrsasigkey=0s...\"); with several keys,\n"
	"choose one by CKAID (or a unique beginning of it) or by key id.\n";

static const char *prog = "ipsec showhostkey";

/* The keys that match the selection: CKAID prefix, key id, or all. */
static size_t select_keys(const struct hostkey_info *keys, size_t n, const char *ckaid,
			  const char *rsaid, size_t *pick)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		char hex[2 * CKAID_LEN + 1], keyid[10];
		str_ckaid(keys[i].ckaid, hex);
		rsapubkey_keyid(&keys[i].pub, keyid);
		const char *want = ckaid;
		if (want != NULL && (want[0] == '0' && (want[1] == 'x' || want[1] == 'X')))
			want += 2;
		bool match = (want == NULL || strncasecmp(hex, want, strlen(want)) == 0) &&
			     (rsaid == NULL || strcmp(keyid, rsaid) == 0);
		if (match) {
			if (found == 0)
				*pick = i;
			found++;
		}
	}
	return found;
}

static void list(FILE *out, const struct hostkey_info *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char hex[2 * CKAID_LEN + 1], keyid[10];
		rsapubkey_keyid(&keys[i].pub, keyid);
		fprintf(out, "<%2zu> RSA keyid: %s ckaid: %s", i + 1, keyid, str_ckaid(keys[i].ckaid, hex));
		if (keys[i].nickname[0] != '\0')
			fprintf(out, " nickname: %s", keys[i].nickname);
		fprintf(out, "\n");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nssdir", required_argument, NULL, 'd' },
		{ "configdir", required_argument, NULL, 'd' },   /* older spelling */
		{ "list", no_argument, NULL, 'L' },
		{ "left", no_argument, NULL, 'l' },
		{ "right", no_argument, NULL, 'r' },
		{ "ckaid", required_argument, NULL, 'c' },
		{ "rsaid", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CRYPTO_DEFAULT_NSSDIR;
	const char *ckaid = NULL, *rsaid = NULL;
	const char *side = NULL;
	bool do_list = false;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'L': do_list = true; break;
		case 'l': side = "left"; break;
		case 'r': side = "right"; break;
		case 'c': ckaid = optarg; break;
		case 'i': rsaid = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n%s", prog, argv[optind], usage);
		return 2;
	}
	if (do_list == (side != NULL)) {
		fprintf(stderr, "%s: give one of --list, --left, --right\n%s", prog, usage);
		return 2;
	}
	if (ckaid != NULL) {
		size_t len = strlen(ckaid) - (ckaid[0] == '0' && (ckaid[1] == 'x' || ckaid[1] == 'X') ? 2 : 0);
		if (len == 0 || len > 2 * CKAID_LEN ||
		    strspn(ckaid + strlen(ckaid) - len, "0123456789abcdefABCDEF") != len) {
			fprintf(stderr, "%s: --ckaid '%s': expected hex digits (at most %d)\n",
				prog, ckaid, 2 * CKAID_LEN);
			return 2;
		}
	}

	err_t e = crypto_init_nssdb(dir, true, NULL);
	if (e != NULL) {
		fprintf(stderr, "%s: %s\n", prog, e);
		return 1;
	}
	char where[4096];
	snprintf(where, sizeof(where), "sql:%s", crypto_nssdir());
	struct hostkey_info *keys = NULL;
	size_t n = 0;
	e = hostkey_list(&keys, &n);
	int status = 0;
	if (e != NULL) {
		fprintf(stderr, "%s: %s\n", prog, e);
		status = 1;
	} else if (do_list) {
		list(stdout, keys, n);
	} else {
		size_t pick = 0;
		size_t found = select_keys(keys, n, ckaid, rsaid, &pick);
		if (found == 0) {
			fprintf(stderr, "%s: no RSA key%s%s%s%s in the NSS database %s\n", prog,
				ckaid != NULL ? " with CKAID " : "", ckaid != NULL ? ckaid : "",
				rsaid != NULL ? " with key id " : "", rsaid != NULL ? rsaid : "", where);
			status = 1;
		} else if (found > 1) {
			fprintf(stderr, "%s: %zu RSA keys in %s match; choose one with --ckaid:\n",
				prog, found, where);
			list(stderr, keys, n);
			status = 1;
		} else {
			static char text[2 * RSA_MAX_BYTES + 64];
			char keyid[10];
			rsapubkey_keyid(&keys[pick].pub, keyid);
			if (str_rsapubkey(&keys[pick].pub, text, sizeof(text)) == NULL) {
				fprintf(stderr, "%s: cannot format the key\n", prog);
				status = 1;
			} else {
				printf("\t# rsakey %s\n", keyid);
				printf("\t%srsasigkey=%s\n", side, text);
			}
		}
	}
	free(keys);
	e = crypto_shutdown();
	if (e != NULL) {
		fprintf(stderr, "%s: %s\n", prog, e);
		status = 1;
	}
	return status;
}
