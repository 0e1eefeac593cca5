/* The config setup keys that are one pluto option each, with the key's
 * value: `ipsec setup start` puts them on pluto's command line, and pluto
 * started with --config (the systemd unit) reads them itself. */
#ifndef IPSECCONF_PLUTO_OPTS_H
#define IPSECCONF_PLUTO_OPTS_H

struct ipsecconf_pluto_opt {
	const char *key;           /* "nhelpers" */
	const char *option;        /* "--nhelpers" */
};
#define IPSECCONF_PLUTO_OPTS 18
extern const struct ipsecconf_pluto_opt ipsecconf_pluto_opts[IPSECCONF_PLUTO_OPTS];
#endif
