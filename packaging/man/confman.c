/* confman: writes ipsec.conf(5) from the compiler's keyword table, so that
 * the manual lists exactly the keywords, values and defaults the compiler
 * checks. A build tool (make builds and runs it), not installed. */
#include <stdio.h>
#include <string.h>
#include "ipsecconf/keywords.h"

/* Text for the roff body: backslashes and hyphens escaped, a leading
 * period or quote neutralised. */
static void put(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static void value_text(const struct keyword *kw)
{
	char buf[160];
	switch (kw->type) {
	case KT_ENUM:
		put("one of: ");
		snprintf(buf, sizeof(buf), "%s", kw->values ? kw->values : "");
		for (char *c = buf; *c; c++)
			if (*c == '|')
				*c = ' ';
		put(buf);
		break;
	case KT_DEBUG:
		put("none, all, or names among: ");
		snprintf(buf, sizeof(buf), "%s", kw->values ? kw->values : "");
		for (char *c = buf; *c; c++)
			if (*c == '|')
				*c = ' ';
		put(buf);
		break;
	case KT_BOOL: put("yes or no"); break;
	case KT_INT:
		snprintf(buf, sizeof(buf), "a whole number from %ld to %ld", kw->min, kw->max);
		put(buf);
		break;
	case KT_TIME: put("a time: a number with s, m, h or d (seconds without)"); break;
	case KT_PERCENT: put("a percentage, N%"); break;
	case KT_KEYINGTRIES: put("a number of attempts, or %forever (also 0)"); break;
	case KT_HOST: put("an IP address, a DNS name, %defaultroute, %any, %opportunistic, %group"); break;
	case KT_NEXTHOP: put("an IP address, a DNS name, %direct or %defaultroute"); break;
	case KT_ADDRESS: put("a numeric IP address"); break;
	case KT_SUBNET: put("NET/PREFIX, vhost: or vnet: lists, %no, %priv"); break;
	case KT_SUBNETS: put("{ NET/PREFIX ... }"); break;
	case KT_PROTOPORT: put("PROTOCOL/PORT, e.g. tcp/smtp, 17/1701, 17/%any"); break;
	case KT_ID: put("@fqdn, user@fqdn, an IP address, a DN, %any, %fromcert, %none, %myid"); break;
	case KT_RSAKEY: put("0s... or 0x... (a raw RSA public key), %none, %cert, %dnsondemand"); break;
	case KT_CA: put("a DN, %same or %any"); break;
	case KT_AUTHBY: put("secret, rsasig, secret|rsasig or never; libreswan's lists of psk, rsasig, ecdsa, rsa-sha1, rsa-sha2, rsa-sha2_256|384|512, ecdsa-sha2, ecdsa-sha2_256|384|512"); break;
	case KT_IKE: put("IKE proposals: ENC[KEYLEN]-HASH[;DH], comma-separated"); break;
	case KT_PHASE2ALG: put("ESP (or, with phase2=ah, AH) proposals: ENC-AUTH[;DH], comma-separated"); break;
	case KT_AH: put("AH proposals: AUTH[;DH], comma-separated"); break;
	case KT_SYSLOG: put("facility.priority"); break;
	case KT_INTERFACES: put("%none, %defaultroute, or \"ipsecN=DEVICE ...\""); break;
	case KT_VIRTUAL_PRIVATE: put("%v4:NET/PREFIX,%v6:NET/PREFIX,!%v4:... (allowed and excluded)"); break;
	case KT_SOURCEIP: put("an IP address of this host"); break;
	case KT_PATH: put("a file or directory"); break;
	case KT_OBSOLETE: put("anything (obsolete)"); break;
	case KT_STRING:
	default: put("text"); break;
	}
}

/* Other spellings of kw (alias rows), with their dialect. */
static void aliases(const struct keyword *kw)
{
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *a = &keyword_table[i];
		if (a->alias_of == NULL || strcmp(a->alias_of, kw->name) != 0)
			continue;
		fputs(".br\nAlso written ", stdout);
		fputs("\\fB", stdout);
		put(a->name);
		fputs("\\fR", stdout);
		unsigned d = a->flags & KF_DIALECT;
		put(d == KF_DIALECT ? " (libreswan and strongSwan)" :
		    d == KF_LIBRESWAN ? " (libreswan)" : d == KF_STRONGSWAN ? " (strongSwan)" : "");
		if (a->values != NULL) {
			put(", values mapped: ");
			put(a->values);
		}
		puts(".");
	}
}

static void section(unsigned where)
{
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *kw = &keyword_table[i];
		if (!(kw->sections & where) || kw->alias_of != NULL)
			continue;
		puts(".TP");
		fputs("\\fB", stdout);
		if (kw->flags & KF_SIDED)
			fputs("left", stdout);
		put(kw->name);
		fputs("\\fR", stdout);
		if (kw->flags & KF_SIDED) {
			fputs(", \\fBright", stdout);
			put(kw->name);
			fputs("\\fR", stdout);
		}
		puts("");
		value_text(kw);
		if (kw->deflt != NULL && *kw->deflt) {
			put(". Default: ");
			put(kw->deflt);
		}
		puts(".");
		if (kw->flags & KF_REQUIRED)
			puts(".br\nRequired.");
		if (kw->flags & KF_REPEAT)
			puts(".br\nMay be given more than once.");
		if (kw->flags & KF_OBSOLETE) {
			fputs(".br\nObsolete: a warning, the value is not used", stdout);
			if (kw->note) {
				put(" (");
				put(kw->note);
				put(")");
			}
			puts(".");
		} else if (kw->flags & KF_NOEFFECT) {
			fputs(".br\nAccepted and checked, but without effect in Cygnet", stdout);
			if (kw->note) {
				put(": ");
				put(kw->note);
			}
			puts(".");
		}
		unsigned d = kw->flags & KF_DIALECT;
		if (d != 0)
			printf(".br\nA %s keyword, not Openswan's.\n",
			       d == KF_DIALECT ? "libreswan and strongSwan" :
			       d == KF_LIBRESWAN ? "libreswan" : "strongSwan");
		aliases(kw);
	}
}

int main(int argc, char **argv)
{
	const char *date = argc > 1 ? argv[1] : "";
	printf(".TH IPSEC.CONF 5 %s \"Cygnet\" \"Cygnet IPsec\"\n", date);
	puts(".SH NAME\nipsec.conf \\- IPsec configuration and connections");
	puts(".SH DESCRIPTION");
	puts("The file has a \\fBversion 2\\fR line, then sections: one \\fBconfig setup\\fR "
	     "with the daemon's settings, and \\fBconn\\fR \\fIname\\fR sections, each a "
	     "connection between a \\fBleft\\fR and a \\fBright\\fR end (pluto finds which end "
	     "it is). A section's lines are \\fIkeyword\\fB=\\fIvalue\\fR, indented; a value "
	     "with spaces is quoted. \\fBinclude\\fR \\fIglob\\fR reads other files (relative "
	     "to the including one, in sorted order), \\fBalso=\\fR\\fIname\\fR copies the "
	     "keywords of another section, \\fBalsoflip=\\fR copies them with left and right "
	     "swapped, and \\fBconn %default\\fR gives defaults to the conns after it. "
	     "\\fBleftsubnets=\\fR/\\fBrightsubnets=\\fR make one instance per pair "
	     "(NAME/1x1, ...). Keywords of libreswan and strongSwan are read too: mapped "
	     "onto the Openswan keyword they mean, or accepted with a warning naming what "
	     "they would need. \\fBipsec readwriteconf\\fR prints a file resolved, "
	     "\\fBipsec addconn --checkconfig\\fR checks one.");
	puts(".SH \"CONN SECTIONS\"");
	puts("Keywords written \\fBleft\\fR\\fIX\\fR/\\fBright\\fR\\fIX\\fR exist for each end.");
	section(KS_CONN);
	puts(".SH \"CONFIG SETUP\"");
	section(KS_SETUP);
	puts(".SH FILES\n/etc/ipsec.conf, /etc/ipsec.secrets");
	puts(".SH \"SEE ALSO\"\nipsec(8), ipsec_pluto(8), ipsec_auto(8), ipsec_addconn(8), "
	     "ipsec_readwriteconf(8)");
	return 0;
}
