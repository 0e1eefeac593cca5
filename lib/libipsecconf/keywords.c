/* The ipsec.conf keyword table (Openswan 2.6 names; the seed man page is
 * the specification of each value) and its lookups. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ipsecconf/keywords.h"

#define C  KS_CONN
#define S  KS_SETUP
#define SIDED KF_SIDED
#define OBS   KF_OBSOLETE
#define LS    KF_LIBRESWAN
#define SS    KF_STRONGSWAN
#define NOE   KF_NOEFFECT

/* Rows of the other dialects, shortened: a mapped spelling (alias row)
 * and an accepted keyword without effect here (note: what it would need). */
#define MAP(name, where, fl, target, map) \
	{ name, where, fl, KT_STRING, map, NULL, 0, 0, target, NULL }
#define NOFX(name, where, fl, type, vals, deflt, note) \
	{ name, where, (fl) | NOE, type, vals, deflt, 0, 0, NULL, note }
#define NOFXI(name, where, fl, lo, hi, note) \
	{ name, where, (fl) | NOE, KT_INT, NULL, NULL, lo, hi, NULL, note }

#define NO_LABELS "labeled IPsec (SELinux security contexts) is not built"
#define NO_OCSP "pluto leaves OCSP caching and the request method to NSS's defaults"
#define NO_EAP "EAP authentication is not built"
#define NO_DNSSEC "DNSSEC validation of DNS answers is not built"
#define NO_REDIRECT "IKEv2 redirect (RFC 5685) is not built"
#define NO_TCP "IKE and ESP over TCP (RFC 8229) are not built"
#define NO_XFRMI "XFRM interfaces and VTI are not built"
#define VIA_PLUTOOPTS(opt) "ipsec setup does not pass it to pluto: give pluto " opt " in plutoopts="

/* Day in seconds: the maximum of salifetime= and ikelifetime=. */
#define DAY (24L * 3600)

#define PLUTO_DEBUG_NAMES "none|all|raw|crypt|parsing|emitting|control|" \
	"lifecycle|kernel|klips|pfkey|netkey|dns|oppo|oppoinfo|controlmore|" \
	"nattraversal|natt|x509|dpd|whackwatch|private|ike|child|updown|helpers"
#define KLIPS_DEBUG_NAMES "none|all|tunnel|tunnel-xmit|pfkey|xform|eroute|" \
	"spi|radij|esp|ah|rcv|ipcomp|verbose"

const struct keyword keyword_table[] = {
	/* ---- conn: both sides -------------------------------------------- */
	{ "", C, SIDED | KF_REQUIRED, KT_HOST, NULL, NULL, 0, 0, NULL, NULL },
	{ "id", C, SIDED, KT_ID, NULL, NULL, 0, 0, NULL, NULL },
	{ "subnet", C, SIDED, KT_SUBNET, NULL, NULL, 0, 0, NULL, NULL },
	{ "subnets", C, SIDED, KT_SUBNETS, NULL, NULL, 0, 0, NULL, NULL },
	{ "protoport", C, SIDED, KT_PROTOPORT, NULL, NULL, 0, 0, NULL, NULL },
	{ "nexthop", C, SIDED, KT_NEXTHOP, NULL, "%direct", 0, 0, NULL, NULL },
	{ "sourceip", C, SIDED, KT_SOURCEIP, NULL, NULL, 0, 0, NULL, NULL },
	{ "updown", C, SIDED, KT_STRING, NULL, "ipsec _updown", 0, 0, NULL, NULL },
	{ "rsasigkey", C, SIDED, KT_RSAKEY, NULL, "%dnsondemand", 0, 0, NULL, NULL },
	{ "rsasigkey2", C, SIDED, KT_RSAKEY, NULL, NULL, 0, 0, NULL, NULL },
	{ "cert", C, SIDED, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "ca", C, SIDED, KT_CA, NULL, NULL, 0, 0, NULL, NULL },
	{ "sendcert", C, SIDED, KT_ENUM, "yes|always|ifasked|no|never", "ifasked", 0, 0, NULL, NULL },
	{ "xauthserver", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "xauthclient", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "xauthusername", C, SIDED, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "xauthname", C, SIDED, KT_STRING, NULL, NULL, 0, 0, "xauthusername", NULL },
	{ "modecfgserver", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgclient", C, SIDED, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "firewall", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "firewalling is the updown script's job" },
	{ "espenckey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espauthkey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espspi", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "spi", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espreplay_window", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	/* Openswan 2.6 */
	NOFX("subnetwithin", C, SIDED, KT_SUBNET, NULL, NULL,
	     "a peer's subnet is never narrowed to one within this range: write it in subnet="),
	/* libreswan and strongSwan */
	MAP("username", C, SIDED | LS, "xauthusername", NULL),
	NOFX("auth", C, SIDED | LS | SS, KT_STRING, NULL, NULL,
	     "per-side authentication methods are not built: authby= applies to both sides"),
	NOFX("auth2", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "a second authentication round (RFC 4739) is not built"),
	/* Mode Config's pool (IKEv1): FIRST-LAST, checked by pluto */
	{ "addresspool", C, SIDED | LS, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	NOFX("ckaid", C, SIDED | LS, KT_STRING, NULL, NULL,
	     "keys are not looked up by CKAID: give leftrsasigkey= or leftcert="),
	NOFX("dns", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "handing out DNS servers needs a Mode Config or configuration payload server, not built"),
	NOFX("ikeport", C, SIDED | LS, KT_INT, NULL, NULL, "pluto uses ports 500 and 4500 for every conn"),
	NOFX("vti", C, SIDED | LS, KT_STRING, NULL, NULL, NO_XFRMI),
	NOFX("interface-ip", C, SIDED | LS, KT_STRING, NULL, NULL, NO_XFRMI),
	NOFX("cat", C, SIDED | LS, KT_BOOL, NULL, "no", "client address translation is not built"),
	NOFX("autheap", C, SIDED | LS, KT_STRING, NULL, NULL, NO_EAP),
	NOFX("hostaccess", C, SIDED | SS, KT_BOOL, NULL, "no",
	     "firewalling is the updown script's job"),
	NOFX("allowany", C, SIDED | SS, KT_BOOL, NULL, "no",
	     "a peer address is not replaced by %any when DNS fails"),
	NOFX("groups", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "authorization by attribute certificate groups is not built"),
	NOFX("cert2", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "a second authentication round (RFC 4739) is not built"),
	NOFX("ca2", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "a second authentication round (RFC 4739) is not built"),
	NOFX("id2", C, SIDED | SS, KT_STRING, NULL, NULL,
	     "a second authentication round (RFC 4739) is not built"),
	{ "ahkey", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahspi", C, SIDED | OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },

	/* ---- conn ---------------------------------------------------------- */
	{ "type", C, 0, KT_ENUM, "tunnel|transport|passthrough|drop|reject", "tunnel", 0, 0, NULL, NULL },
	{ "connaddrfamily", C, 0, KT_ENUM, "ipv4|ipv6", "ipv4", 0, 0, NULL, NULL },
	{ "auto", C, 0, KT_ENUM, "add|route|start|manual|ignore", "ignore", 0, 0, NULL, NULL },
	{ "authby", C, 0, KT_AUTHBY, NULL, "rsasig", 0, 0, NULL, NULL },
	{ "ike", C, 0, KT_IKE, NULL, NULL, 0, 0, NULL, NULL },
	{ "phase2", C, 0, KT_ENUM, "esp|ah", "esp", 0, 0, NULL, NULL },
	{ "phase2alg", C, 0, KT_PHASE2ALG, NULL, NULL, 0, 0, NULL, NULL },
	/* obsolete in Openswan, a normal keyword in libreswan: mapped quietly */
	{ "esp", C, 0, KT_PHASE2ALG, NULL, NULL, 0, 0, "phase2alg", NULL },
	{ "ah", C, 0, KT_AH, NULL, NULL, 0, 0, NULL, NULL },
	{ "ikev2", C, 0, KT_ENUM, "permit|never|no|propose|yes|insist", "permit", 0, 0, NULL, NULL },
	{ "pfs", C, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "aggrmode", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "salifetime", C, 0, KT_TIME, NULL, "8h", 0, DAY, NULL, NULL },
	{ "keylife", C, 0, KT_TIME, NULL, NULL, 0, DAY, "salifetime", NULL },
	{ "lifetime", C, 0, KT_TIME, NULL, NULL, 0, DAY, "salifetime", NULL },
	{ "ikelifetime", C, 0, KT_TIME, NULL, "1h", 0, DAY, NULL, NULL },
	{ "rekey", C, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "rekeymargin", C, 0, KT_TIME, NULL, "9m", 0, 0, NULL, NULL },
	{ "rekeyfuzz", C, 0, KT_PERCENT, NULL, "100%", 0, 0, NULL, NULL },
	{ "keyingtries", C, 0, KT_KEYINGTRIES, NULL, "%forever", 0, 0, NULL, NULL },
	{ "compress", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "metric", C, 0, KT_INT, NULL, "1", 1, 65535, NULL, NULL },
	{ "disablearrivalcheck", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "failureshunt", C, 0, KT_ENUM, "none|passthrough|drop|reject", "none", 0, 0, NULL, NULL },
	{ "dpddelay", C, 0, KT_TIME, NULL, "30s", 0, 0, NULL, NULL },
	{ "dpdtimeout", C, 0, KT_TIME, NULL, "120s", 0, 0, NULL, NULL },
	{ "dpdaction", C, 0, KT_ENUM, "hold|clear|restart|restart_by_peer|none", "hold", 0, 0, NULL, NULL },
	{ "forceencaps", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "overlapip", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgpull", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "modecfgdns1", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgdns2", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgwins1", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "modecfgwins2", C, 0, KT_ADDRESS, NULL, NULL, 0, 0, NULL, NULL },
	{ "remote_peer_type", C, 0, KT_ENUM, "cisco|ietf", "ietf", 0, 0, NULL, NULL },
	{ "nm_configured", C, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "pfsgroup", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "give the PFS group in phase2alg=, e.g. phase2alg=aes128-sha1;modp2048" },
	{ "spi", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "spibase", C | S, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espenckey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espauthkey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "espreplay_window", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahkey", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	{ "ahreplay_window", C, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL, "manual keying is not supported" },
	/* the rest of Openswan 2.6's conn keywords */
	/* strongSwan's ike: initiate IKEv2, answer both (Openswan never said more) */
	MAP("keyexchange", C, 0, "ikev2", "ike=propose|ikev1=never|ikev2=insist"),
	MAP("auth", C, 0, "phase2", NULL),
	NOFX("narrowing", C, 0, KT_BOOL, NULL, "yes",
	     "pluto always narrows traffic selectors as an IKEv2 responder"),
	NOFX("sareftrack", C, 0, KT_ENUM, "yes|no|conntrack", "no",
	     "SA reference tracking is a KLIPS/MAST feature; pluto uses XFRM"),
	NOFX("sha2_truncbug", C, 0, KT_BOOL, NULL, "no",
	     "the 96-bit HMAC-SHA2-256 truncation of old kernels is not built"),
	NOFX("loopback", C, 0, KT_BOOL, NULL, "no",
	     "conns between two addresses of this host are not built"),
	NOFX("labeled_ipsec", C, 0, KT_BOOL, NULL, "no", NO_LABELS),
	NOFX("policy_label", C, 0, KT_STRING, NULL, NULL, NO_LABELS),
	NOFX("connalias", C, 0, KT_STRING, NULL, NULL,
	     "whack and auto know a conn by its name only"),
	NOFXI("mtu", C, 0, 68, 65535, "pluto does not set the MTU of the routes it adds"),
	/* libreswan spellings of Openswan keywords */
	MAP("aggressive", C, LS, "aggrmode", NULL),
	MAP("remote-peer-type", C, LS, "remote_peer_type", NULL),
	MAP("nm-configured", C, LS, "nm_configured", NULL),
	MAP("sha2-truncbug", C, LS, "sha2_truncbug", NULL),
	MAP("labeled-ipsec", C, LS, "labeled_ipsec", NULL),
	MAP("policy-label", C, LS, "policy_label", NULL),
	MAP("encapsulation", C, LS, "forceencaps", "yes=yes|no=no|auto=no"),
	/* strongSwan spellings of Openswan keywords */
	MAP("margintime", C, SS, "rekeymargin", NULL),
	MAP("modeconfig", C, SS, "modecfgpull", "pull=yes|push=no"),
	/* libreswan and strongSwan conn keywords without an Openswan form */
	/* IKEv2 fragmentation (RFC 7383) and IKEv1's (Cisco/libreswan); accept:
	 * take fragments, send none */
	{ "fragmentation", C, LS | SS, KT_ENUM, "yes|no|force|accept", "yes", 0, 0, NULL, NULL },
	NOFX("mobike", C, LS | SS, KT_BOOL, NULL, "no", "MOBIKE (RFC 4555) is not built"),
	NOFX("retransmit-interval", C, LS, KT_STRING, NULL, NULL,
	     "pluto's retransmission timing is global: " VIA_PLUTOOPTS("--retransmit-timeout")),
	NOFX("retransmit-timeout", C, LS, KT_TIME, NULL, NULL,
	     "pluto's retransmission timing is global: " VIA_PLUTOOPTS("--retransmit-timeout")),
	NOFXI("replay-window", C, LS, 0, 2147483647, "pluto installs SAs with its own replay window"),
	NOFXI("priority", C, LS, 0, 2147483647, "pluto chooses XFRM policy priorities itself"),
	NOFX("ipsec-interface", C, LS, KT_STRING, NULL, NULL, NO_XFRMI),
	NOFX("vti-interface", C, LS, KT_STRING, NULL, NULL, NO_XFRMI),
	NOFX("vti-routing", C, LS, KT_BOOL, NULL, NULL, NO_XFRMI),
	NOFX("vti-shared", C, LS, KT_BOOL, NULL, NULL, NO_XFRMI),
	NOFX("mark", C, LS | SS, KT_STRING, NULL, NULL, "XFRM marks are not built"),
	NOFX("mark-in", C, LS | SS, KT_STRING, NULL, NULL, "XFRM marks are not built"),
	NOFX("mark-out", C, LS | SS, KT_STRING, NULL, NULL, "XFRM marks are not built"),
	NOFX("ipsec-max-packets", C, LS, KT_STRING, NULL, NULL,
	     "SAs expire by time (salifetime=) only"),
	NOFX("ipsec-max-bytes", C, LS, KT_STRING, NULL, NULL, "SAs expire by time (salifetime=) only"),
	NOFX("nic-offload", C, LS, KT_ENUM, "yes|no|auto|crypto|packet", "no", "NIC offload is not built"),
	NOFX("nat-keepalive", C, LS, KT_BOOL, NULL, "yes",
	     "NAT-T keepalives are global (config setup keep_alive=)"),
	NOFX("initial-contact", C, LS, KT_BOOL, NULL, NULL, "pluto decides on INITIAL_CONTACT itself"),
	NOFX("cisco-unity", C, LS, KT_BOOL, NULL, "no", "Cisco Unity extensions are not built"),
	NOFX("send-vendorid", C, LS, KT_BOOL, NULL, "no", "pluto sends its own vendor IDs only"),
	NOFX("fake-strongswan", C, LS, KT_BOOL, NULL, "no", "pluto sends its own vendor IDs only"),
	NOFX("sendca", C, LS, KT_ENUM, "none|issuer|all", "none",
	     "pluto sends the end certificate and its intermediate CAs (not the root)"),
	NOFX("xauthby", C, LS, KT_ENUM, "file|pam|alwaysok", "file",
	     "pluto checks XAUTH passwords against ipsec.secrets only"),
	NOFX("xauthfail", C, LS, KT_ENUM, "hard|soft", "hard", "XAUTH failure always fails the SA"),
	NOFX("modecfgdns", C, LS, KT_STRING, NULL, NULL,
	     "libreswan's list form: write modecfgdns1= and modecfgdns2="),
	NOFX("modecfgdomains", C, LS, KT_STRING, NULL, NULL, "Mode Config domains are not built"),
	NOFX("modecfgbanner", C, LS, KT_STRING, NULL, NULL, "Mode Config banners are not built"),
	NOFX("ms-dh-downgrade", C, LS, KT_BOOL, NULL, "no", "Windows' DH downgrade on rekey is not built"),
	NOFX("dns-match-id", C, LS, KT_BOOL, NULL, "no", "IDs are not checked against DNS"),
	NOFX("pam-authorize", C, LS, KT_BOOL, NULL, "no", "PAM is not built"),
	NOFX("require-id-on-certificate", C, LS, KT_BOOL, NULL, "yes",
	     "pluto always requires the ID on the certificate"),
	NOFX("ppk", C, LS, KT_ENUM, "never|permit|propose|insist|yes|no", "never",
	     "post-quantum preshared keys (RFC 8784) are not built"),
	NOFXI("nflog-group", C, LS, 0, 65535, "NFLOG is not built"),
	NOFXI("reqid", C, LS, 0, 2147483647, "pluto chooses reqids itself"),
	NOFX("ikepad", C, LS, KT_BOOL, NULL, "yes", "pluto pads IKEv1 messages as it does"),
	NOFX("ignore-peer-dns", C, LS, KT_BOOL, NULL, "no", "Mode Config DNS is not applied here"),
	NOFX("enable-tcp", C, LS, KT_ENUM, "no|yes|fallback", "no", NO_TCP),
	NOFXI("tcp-remoteport", C, LS, 1, 65535, NO_TCP),
	NOFX("accept-redirect", C, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	NOFX("accept-redirect-to", C, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	NOFX("send-redirect", C, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	NOFX("redirect-to", C, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	NOFX("session-resumption", C, LS, KT_BOOL, NULL, "no", "IKEv2 session resumption is not built"),
	NOFX("hostaddrfamily", C, LS, KT_ENUM, "ipv4|ipv6", NULL,
	     "the endpoints' family is that of left= and right="),
	NOFX("clientaddrfamily", C, LS, KT_ENUM, "ipv4|ipv6", NULL,
	     "the subnets' family is that of leftsubnet= and rightsubnet="),
	NOFX("decap-dscp", C, LS, KT_BOOL, NULL, "no", "pluto sets no XFRM DSCP flags"),
	NOFX("nopmtudisc", C, LS, KT_BOOL, NULL, "no", "pluto sets no XFRM PMTU flags"),
	NOFX("negotiationshunt", C, LS, KT_ENUM, "hold|passthrough|drop", "hold",
	     "packets wait (hold) while a conn negotiates"),
	NOFX("tfc", C, LS | SS, KT_STRING, NULL, NULL, "traffic flow confidentiality padding is not built"),
	NOFX("send-no-esp-tfc", C, LS, KT_BOOL, NULL, "no", "traffic flow confidentiality is not built"),
	NOFX("esn", C, LS, KT_ENUM, "yes|no|either", "no", "extended sequence numbers are not negotiated"),
	NOFX("eap_identity", C, SS, KT_STRING, NULL, NULL, NO_EAP),
	NOFX("aaa_identity", C, SS, KT_STRING, NULL, NULL, NO_EAP),
	NOFX("xauth_identity", C, SS, KT_STRING, NULL, NULL,
	     "write leftxauthusername= (Openswan's spelling)"),
	NOFX("xauth", C, SS, KT_ENUM, "client|server", NULL,
	     "write leftxauthclient=yes or leftxauthserver=yes (Openswan's spelling)"),
	NOFX("reauth", C, SS, KT_BOOL, NULL, "no",
	     "pluto rekeys the IKE SA instead of authenticating again"),
	NOFX("closeaction", C, SS, KT_ENUM, "none|clear|hold|restart", "none",
	     "nothing is done when the peer closes a Child SA"),
	NOFX("inactivity", C, SS, KT_TIME, NULL, NULL, "idle Child SAs are not closed"),
	NOFX("installpolicy", C, SS, KT_BOOL, NULL, "yes", "pluto always installs XFRM policies"),
	NOFX("reqid-in", C, SS, KT_STRING, NULL, NULL, "pluto chooses reqids itself"),
	NOFX("lifebytes", C, SS, KT_STRING, NULL, NULL, "SAs expire by time (salifetime=) only"),
	NOFX("lifepackets", C, SS, KT_STRING, NULL, NULL, "SAs expire by time (salifetime=) only"),
	NOFX("marginbytes", C, SS, KT_STRING, NULL, NULL, "SAs expire by time (salifetime=) only"),
	NOFX("marginpackets", C, SS, KT_STRING, NULL, NULL, "SAs expire by time (salifetime=) only"),

	/* ---- config setup ------------------------------------------------- */
	{ "myid", S, 0, KT_ID, NULL, NULL, 0, 0, NULL, NULL },
	{ "protostack", S, 0, KT_ENUM, "auto|klips|netkey|mast", "netkey", 0, 0, NULL, NULL },
	{ "interfaces", S, 0, KT_INTERFACES, NULL, "%defaultroute", 0, 0, NULL, NULL },
	{ "nat_traversal", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "disable_port_floating", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "force_keepalive", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "keep_alive", S, 0, KT_INT, NULL, "20", 1, 86400, NULL, NULL },
	{ "virtual_private", S, 0, KT_VIRTUAL_PRIVATE, NULL, NULL, 0, 0, NULL, NULL },
	{ "oe", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "nhelpers", S, 0, KT_INT, NULL, "-1", -1, 1024, NULL, NULL },
	{ "crlcheckinterval", S, 0, KT_TIME, NULL, "0", 0, 0, NULL, NULL },
	{ "strictcrlpolicy", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "syslog", S, 0, KT_SYSLOG, NULL, "daemon.error", 0, 0, NULL, NULL },
	{ "klipsdebug", S, 0, KT_DEBUG, KLIPS_DEBUG_NAMES, "none", 0, 0, NULL, NULL },
	{ "plutodebug", S, 0, KT_DEBUG, PLUTO_DEBUG_NAMES, "none", 0, 0, NULL, NULL },
	{ "uniqueids", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	/* libreswan's names: when pluto demands COOKIEs (RFC 7296 2.6) */
	{ "ddos-mode", S, 0, KT_ENUM, "busy|unlimited|auto", "auto", 0, 0, NULL, NULL },
	{ "ddos-ike-threshold", S, 0, KT_INT, NULL, "512", 1, 1000000, NULL, NULL },
	/* libreswan's names: caps on IKE SAs that answered IKE_SA_INIT only */
	{ "max-halfopen-ike", S, 0, KT_INT, NULL, "50000", 1, 10000000, NULL, NULL },
	{ "max-halfopen-ike-per-address", S, 0, KT_INT, NULL, "25", 1, 10000000, NULL, NULL },
	{ "plutorestartoncrash", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "plutoopts", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "plutostderrlog", S, 0, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "pluto", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "plutowait", S, 0, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "prepluto", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "postpluto", S, 0, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "dumpdir", S, 0, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "fragicmp", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "hidetos", S, 0, KT_BOOL, NULL, "yes", 0, 0, NULL, NULL },
	{ "overridemtu", S, 0, KT_INT, NULL, NULL, 68, 65535, NULL, NULL },
	/* the rest of Openswan 2.6's config setup keywords */
	NOFX("manualstart", S, 0, KT_STRING, NULL, NULL, "manual keying is not supported"),
	NOFX("nocrsend", S, 0, KT_BOOL, NULL, "no",
	     "pluto always sends certificate requests; sendcert= is the per-conn setting"),
	MAP("force_busy", S, 0, "ddos-mode", "yes=busy|no=auto"),
	NOFX("listen", S, 0, KT_ADDRESS, NULL, NULL, VIA_PLUTOOPTS("--listen ADDR")),
	NOFXI("secctx_attr_value", S, 0, 0, 65535, NO_LABELS),
	/* libreswan spellings of Openswan keywords */
	MAP("virtual-private", S, LS, "virtual_private", NULL),
	MAP("keep-alive", S, LS, "keep_alive", NULL),
	MAP("crl-strict", S, LS, "strictcrlpolicy", NULL),
	MAP("logfile", S, LS, "plutostderrlog", NULL),
	/* strongSwan's: plutostart= said whether to start its IKEv1 pluto */
	MAP("plutostart", S, SS, "pluto", NULL),
	/* libreswan and strongSwan config setup keywords without an Openswan form */
	NOFX("logtime", S, LS, KT_BOOL, NULL, NULL, "pluto's log lines carry the time as it writes them"),
	NOFX("logappend", S, LS, KT_BOOL, NULL, "yes", "pluto always appends to its log file"),
	NOFX("logip", S, LS, KT_BOOL, NULL, "yes", "pluto always logs peer addresses"),
	NOFX("logstderr", S, LS, KT_BOOL, NULL, NULL, VIA_PLUTOOPTS("--stderrlog")),
	NOFX("audit-log", S, LS, KT_BOOL, NULL, "no", "Linux audit records are not built"),
	/* libreswan's: ipsec setup gives them to pluto (--nssdir, --secretsfile) */
	{ "nssdir", S, LS, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	{ "secretsfile", S, LS, KT_PATH, NULL, NULL, 0, 0, NULL, NULL },
	NOFX("ipsecdir", S, LS, KT_PATH, NULL, NULL, VIA_PLUTOOPTS("--ipsecdir DIR")),
	NOFX("statsbin", S, LS, KT_PATH, NULL, NULL, "pluto runs no statistics program"),
	NOFXI("ikeport", S, LS, 1, 65535, VIA_PLUTOOPTS("--ikeport N")),
	NOFXI("nat-ikeport", S, LS, 1, 65535, VIA_PLUTOOPTS("--natikeport N")),
	NOFX("listen-tcp", S, LS, KT_BOOL, NULL, "no", NO_TCP),
	NOFX("listen-udp", S, LS, KT_BOOL, NULL, "yes", "pluto always listens on UDP"),
	NOFX("ikev1-policy", S, LS, KT_ENUM, "accept|reject|drop", "accept",
	     "refusing IKEv1 is per conn here: ikev2=insist"),
	NOFX("global-redirect", S, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	NOFX("global-redirect-to", S, LS, KT_STRING, NULL, NULL, NO_REDIRECT),
	/* OCSP through NSS (pluto's crypto/ocsp.c) */
	{ "ocsp-enable", S, LS, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "ocsp-strict", S, LS, KT_BOOL, NULL, "no", 0, 0, NULL, NULL },
	{ "ocsp-timeout", S, LS, KT_INT, NULL, "2", 1, 3600, NULL, NULL },
	{ "ocsp-uri", S, LS, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	{ "ocsp-trustname", S, LS, KT_STRING, NULL, NULL, 0, 0, NULL, NULL },
	NOFX("ocsp-cache-size", S, LS, KT_STRING, NULL, NULL, NO_OCSP),
	NOFX("ocsp-cache-min-age", S, LS, KT_STRING, NULL, NULL, NO_OCSP),
	NOFX("ocsp-cache-max-age", S, LS, KT_STRING, NULL, NULL, NO_OCSP),
	NOFX("ocsp-method", S, LS, KT_STRING, NULL, NULL, NO_OCSP),
	NOFX("curl-iface", S, LS, KT_STRING, NULL, NULL, "CRLs are not fetched over the network"),
	NOFX("curl-timeout", S, LS, KT_STRING, NULL, NULL, "CRLs are not fetched over the network"),
	NOFX("seedbits", S, LS, KT_STRING, NULL, NULL, "NSS seeds its own random numbers"),
	NOFX("myvendorid", S, LS, KT_STRING, NULL, NULL, "pluto sends its own vendor IDs only"),
	NOFX("dnssec-enable", S, LS, KT_BOOL, NULL, "no", NO_DNSSEC),
	NOFX("dnssec-rootkey-file", S, LS, KT_PATH, NULL, NULL, NO_DNSSEC),
	NOFX("dnssec-anchors", S, LS, KT_PATH, NULL, NULL, NO_DNSSEC),
	NOFX("nflog-all", S, LS, KT_STRING, NULL, NULL, "NFLOG is not built"),
	NOFX("xfrmlifetime", S, LS, KT_STRING, NULL, NULL, "pluto chooses bare shunt lifetimes itself"),
	NOFX("shuntlifetime", S, LS, KT_STRING, NULL, NULL, "pluto chooses bare shunt lifetimes itself"),
	NOFX("expire-shunt-interval", S, LS, KT_STRING, NULL, NULL,
	     "pluto chooses bare shunt lifetimes itself"),
	NOFX("ike-socket-bufsize", S, LS, KT_STRING, NULL, NULL, "pluto sizes its sockets itself"),
	NOFX("ike-socket-errqueue", S, LS, KT_BOOL, NULL, NULL, "pluto reads its sockets' errors itself"),
	NOFX("seccomp", S, LS, KT_ENUM, "enabled|disabled|tolerant", "disabled", "seccomp filters are not built"),
	NOFX("ipsec-interface-managed", S, LS, KT_BOOL, NULL, NULL, NO_XFRMI),
	NOFX("drop-oppo-null", S, LS, KT_BOOL, NULL, "no", "opportunistic encryption is not built"),
	NOFX("ikev1-secctx-attr-type", S, LS, KT_STRING, NULL, NULL, NO_LABELS),
	NOFX("charonstart", S, SS, KT_BOOL, NULL, "no",
	     "there is no separate IKEv2 daemon: pluto does IKEv1 and IKEv2"),
	NOFX("charondebug", S, SS, KT_STRING, NULL, NULL, "pluto's logging is set with plutodebug="),
	NOFX("cachecrls", S, SS, KT_BOOL, NULL, "no", "CRLs are not fetched over the network"),
	{ "forwardcontrol", S, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "set net.ipv4.ip_forward in /etc/sysctl.conf" },
	{ "rp_filter", S, OBS, KT_OBSOLETE, NULL, NULL, 0, 0, NULL,
	  "set net.ipv4.conf.*.rp_filter in /etc/sysctl.conf" },
};
const size_t keyword_count = sizeof(keyword_table) / sizeof(keyword_table[0]);

/* ---- slots ----------------------------------------------------------------
 * Slot numbers follow the canonical output order: every sided row's left
 * slot in table order, then every right slot, then the one-sided rows.
 * Alias rows share their target's slots. */

static size_t n_slots;
static size_t n_sided_rows;
static size_t *row_slot;              /* per row: left (or only) slot */
static size_t *slot_row;              /* per slot: row */
static signed char *slot_side;
static char **slot_names;

struct name_entry { const char *name; size_t len; size_t row; enum side side; };
static struct name_entry *names;      /* open addressing, power of two */
static size_t names_mask;

static size_t hash_name(const char *s, size_t len)
{
	size_t h = 1469598103934665603u;   /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

static size_t row_index(const struct keyword *kw)
{
	return (size_t)(kw - keyword_table);
}

static const struct keyword *find_row(const char *name)
{
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of == NULL &&
		    strcmp(keyword_table[i].name, name) == 0 &&
		    (keyword_table[i].flags & KF_SIDED) == 0)
			return &keyword_table[i];
	return NULL;
}

static const struct keyword *find_sided_row(const char *name)
{
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of == NULL &&
		    strcmp(keyword_table[i].name, name) == 0 &&
		    (keyword_table[i].flags & KF_SIDED) != 0)
			return &keyword_table[i];
	return NULL;
}

/* The row an alias row stands for. */
static const struct keyword *target_row(const struct keyword *kw)
{
	if (kw->alias_of == NULL)
		return kw;
	return (kw->flags & KF_SIDED) ? find_sided_row(kw->alias_of) : find_row(kw->alias_of);
}

static void add_name(char *name, size_t row, enum side side)
{
	size_t len = strlen(name);
	size_t i = hash_name(name, len) & names_mask;
	while (names[i].name != NULL)
		i = (i + 1) & names_mask;
	names[i] = (struct name_entry){ name, len, row, side };
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL)
		abort();
	return p;
}

static char *sided_name(enum side side, const char *base)
{
	const char *pre = side == SIDE_LEFT ? "left" : "right";
	char *s = xcalloc(strlen(pre) + strlen(base) + 1, 1);
	strcpy(s, pre);
	strcat(s, base);
	return s;
}

static void build_tables(void)
{
	row_slot = xcalloc(keyword_count, sizeof(*row_slot));
	slot_row = xcalloc(2 * keyword_count, sizeof(*slot_row));
	slot_side = xcalloc(2 * keyword_count, sizeof(*slot_side));
	slot_names = xcalloc(2 * keyword_count, sizeof(*slot_names));

	size_t n_sided = 0;
	for (size_t i = 0; i < keyword_count; i++)
		if ((keyword_table[i].flags & KF_SIDED) && !keyword_table[i].alias_of)
			n_sided++;
	n_sided_rows = n_sided;
	size_t left = 0, right = n_sided, one = 2 * n_sided;
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *kw = &keyword_table[i];
		if (kw->alias_of != NULL)
			continue;
		if (kw->flags & KF_SIDED) {
			row_slot[i] = left;
			slot_row[left] = slot_row[right] = i;
			slot_side[left] = SIDE_LEFT;
			slot_side[right] = SIDE_RIGHT;
			slot_names[left++] = sided_name(SIDE_LEFT, kw->name);
			slot_names[right++] = sided_name(SIDE_RIGHT, kw->name);
		} else {
			row_slot[i] = one;
			slot_row[one] = i;
			slot_side[one] = SIDE_NONE;
			slot_names[one] = (char *)kw->name;
			one++;
		}
	}
	n_slots = one;

	size_t cap = 16;
	while (cap < 4 * 2 * keyword_count)
		cap *= 2;
	names = xcalloc(cap, sizeof(*names));
	names_mask = cap - 1;
	for (size_t i = 0; i < keyword_count; i++) {
		const struct keyword *kw = &keyword_table[i];
		if (kw->flags & KF_SIDED) {
			add_name(sided_name(SIDE_LEFT, kw->name), i, SIDE_LEFT);
			add_name(sided_name(SIDE_RIGHT, kw->name), i, SIDE_RIGHT);
		} else {
			add_name((char *)kw->name, i, SIDE_NONE);
		}
	}
	/* Aliases get their target's slots. */
	for (size_t i = 0; i < keyword_count; i++)
		if (keyword_table[i].alias_of != NULL)
			row_slot[i] = row_slot[row_index(target_row(&keyword_table[i]))];
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
#define TABLES() pthread_once(&tables_once, build_tables)

struct kw_ref keyword_lookup(const char *name, size_t len)
{
	TABLES();
	struct kw_ref ref = { NULL, SIDE_NONE, false, NULL };
	size_t i = hash_name(name, len) & names_mask;
	for (; names[i].name != NULL; i = (i + 1) & names_mask) {
		/* By length first: a key from the file may hold a NUL byte. */
		if (names[i].len != len || memcmp(names[i].name, name, len) != 0)
			continue;
		const struct keyword *kw = &keyword_table[names[i].row];
		ref.written = kw;
		ref.side = names[i].side;
		ref.via_alias = kw->alias_of != NULL;
		ref.kw = target_row(kw);
		return ref;
	}
	return ref;
}

size_t keyword_slots(void)
{
	TABLES();
	return n_slots;
}

size_t keyword_slot(const struct keyword *kw, enum side side)
{
	TABLES();
	size_t s = row_slot[row_index(kw)];
	/* right slots follow all left slots at a fixed distance */
	if ((kw->flags & KF_SIDED) && side == SIDE_RIGHT)
		s += n_sided_rows;
	return s;
}

const struct keyword *keyword_of_slot(size_t slot, enum side *side)
{
	TABLES();
	if (side != NULL)
		*side = slot_side[slot];
	return &keyword_table[slot_row[slot]];
}

size_t keyword_flip_slot(size_t slot)
{
	TABLES();
	if (slot_side[slot] == SIDE_NONE)
		return slot;
	const struct keyword *kw = &keyword_table[slot_row[slot]];
	return keyword_slot(kw, slot_side[slot] == SIDE_LEFT ? SIDE_RIGHT : SIDE_LEFT);
}

const char *keyword_slot_name(size_t slot)
{
	TABLES();
	return slot_names[slot];
}

bool keyword_is_extension(const char *name, size_t len)
{
	return len > 2 && (name[0] == 'x' || name[0] == 'X') &&
	       (name[1] == '-' || name[1] == '_');
}

/* ---- values other dialects spell differently ----------------------------- */

static const struct value_map {
	const char *key, *from, *to;
	unsigned flags;
	const char *note;   /* non-NULL: not the same meaning; warned */
} value_maps[] = {
	{ "auto", "ondemand", "route", LS, NULL },
	{ "auto", "keep", "start", LS, NULL },
	{ "protostack", "xfrm", "netkey", LS, NULL },
	{ "sendcert", "sendifasked", "ifasked", LS, NULL },
	{ "id", "%cert", "%fromcert", SS, NULL },
	/* strongSwan: replace is yes; never (not even on INITIAL_CONTACT) is
	 * as near to Openswan's no as pluto gets */
	{ "uniqueids", "replace", "yes", SS, NULL },
	{ "uniqueids", "never", "no", SS, NULL },
	{ "uniqueids", "keep", "yes", SS,
	  "refusing a new IKE SA while one with the same peer ID exists is not built; "
	  "uniqueids=yes is used (the new IKE SA replaces the old)" },
	{ "strictcrlpolicy", "ifuri", "yes", SS,
	  "strict only for certificates that name a CRL URI is not built (CRLs are not "
	  "fetched); strictcrlpolicy=yes is used" },
	{ "type", "transport_proxy", "transport", SS,
	  "Mobile IPv6 transport proxy mode is not built; the conn is loaded as type=transport" },
	/* strongSwan's default: no dead peer detection at all (its clear,
	 * hold and restart switch DPD on); the conn check drops dpddelay= */
	{ "dpdaction", "none", "none", SS, NULL },
};

const char *keyword_map_value(const struct keyword *kw, const char *value, unsigned *flags,
			      const char **note)
{
	*note = NULL;
	for (size_t i = 0; i < sizeof(value_maps) / sizeof(value_maps[0]); i++) {
		const struct value_map *m = &value_maps[i];
		if (strcmp(m->key, kw->name) == 0 && strcasecmp(m->from, value) == 0) {
			*flags = m->flags;
			*note = m->note;
			return m->to;
		}
	}
	return NULL;
}

/* ---- libreswan's plutodebug= names ----------------------------------------
 * libreswan 4 and 5 renamed pluto's debug categories. Names that mean what
 * one of ours means are rewritten to it; the rest have no counterpart. */

static const struct { const char *name, *ours; } libreswan_debug[] = {
	{ "base", "control lifecycle parsing emitting kernel" },
	{ "crypt-low", "crypt" },
	{ "crypto-low", "crypt" },
	{ "routing", "kernel" },
	{ "xauth", NULL },
	{ "retransmits", NULL },
	{ "cpu-usage", NULL },
	{ "tmi", NULL },
	{ "proposal-parsing", NULL },
	{ "add-prefix", NULL },
	{ "nss", NULL },
};

bool keyword_debug_name(const struct keyword *kw, const char *name, size_t len)
{
	if (len > 8 && strncmp(name, "--debug-", 8) == 0) {
		name += 8;
		len -= 8;
	}
	for (const char *p = kw->values; p != NULL && *p;) {
		size_t n = strcspn(p, "|");
		if (n == len && strncasecmp(p, name, len) == 0)
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

bool keyword_libreswan_debug(const char *name, size_t len, const char **ours)
{
	for (size_t i = 0; i < sizeof(libreswan_debug) / sizeof(libreswan_debug[0]); i++) {
		if (strlen(libreswan_debug[i].name) == len &&
		    strncasecmp(libreswan_debug[i].name, name, len) == 0) {
			*ours = libreswan_debug[i].ours;
			return true;
		}
	}
	return false;
}

static unsigned edit_distance(const char *a, const char *b);

const char *keyword_debug_suggest(const struct keyword *kw, const char *name, size_t len)
{
	static __thread char best[40];
	char word[65];
	if (len >= sizeof(word))
		return NULL;
	memcpy(word, name, len);
	word[len] = '\0';
	unsigned best_d = len <= 4 ? 2 : 3;   /* at most limit - 1 edits */
	const char *found = NULL;
	size_t found_len = 0;
	for (const char *p = kw->values; p != NULL && *p;) {
		size_t n = strcspn(p, "|");
		char cand[40];
		if (n < sizeof(cand)) {
			memcpy(cand, p, n);
			cand[n] = '\0';
			unsigned d = edit_distance(word, cand);
			if (d < best_d) {
				best_d = d;
				found = p;
				found_len = n;
			}
		}
		p += n + (p[n] == '|');
	}
	if (strcmp(kw->name, "plutodebug") == 0) {
		for (size_t i = 0; i < sizeof(libreswan_debug) / sizeof(libreswan_debug[0]); i++) {
			unsigned d = edit_distance(word, libreswan_debug[i].name);
			if (d < best_d) {
				best_d = d;
				found = libreswan_debug[i].name;
				found_len = strlen(found);
			}
		}
	}
	if (found == NULL || found_len >= sizeof(best))
		return NULL;
	memcpy(best, found, found_len);
	best[found_len] = '\0';
	return best;
}

/* Optimal string alignment distance (edits, with adjacent swaps). */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	unsigned d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

unsigned keyword_distance(const char *a, const char *b)
{
	return edit_distance(a, b);
}

const char *keyword_suggest(const char *name, unsigned sections)
{
	TABLES();
	const char *best = NULL;
	unsigned best_d = 99;
	size_t len = strlen(name);
	unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	for (size_t i = 0; i <= names_mask; i++) {
		if (names[i].name == NULL || (names[i].name[0] == '\0'))
			continue;
		const struct keyword *kw = &keyword_table[names[i].row];
		if ((kw->sections & sections) == 0 || (kw->flags & KF_OBSOLETE))
			continue;
		unsigned d = edit_distance(name, names[i].name);
		if (d < best_d || (d == best_d && best && strcmp(names[i].name, best) < 0)) {
			best_d = d;
			best = names[i].name;
		}
	}
	return best_d <= limit ? best : NULL;
}
