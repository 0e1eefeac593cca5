/* See ipsecconf/pluto_opts.h. */
#include "ipsecconf/pluto_opts.h"

const struct ipsecconf_pluto_opt ipsecconf_pluto_opts[IPSECCONF_PLUTO_OPTS] = {
	{ "plutodebug", "--debug" },
	{ "nhelpers", "--nhelpers" },
	{ "uniqueids", "--uniqueids" },
	{ "ddos-mode", "--ddos-mode" },
	{ "ddos-ike-threshold", "--ddos-ike-threshold" },
	{ "keep_alive", "--keep-alive" },
	{ "max-halfopen-ike", "--max-halfopen-ike" },
	{ "max-halfopen-ike-per-address", "--max-halfopen-ike-per-address" },
	{ "nssdir", "--nssdir" },
	{ "secretsfile", "--secretsfile" },
	{ "strictcrlpolicy", "--strictcrlpolicy" },
	{ "crlcheckinterval", "--crlcheckinterval" },
	{ "virtual_private", "--virtual-private" },
	{ "ocsp-enable", "--ocsp-enable" },
	{ "ocsp-strict", "--ocsp-strict" },
	{ "ocsp-timeout", "--ocsp-timeout" },
	{ "ocsp-uri", "--ocsp-uri" },
	{ "ocsp-trustname", "--ocsp-trustname" },
};
