#!/usr/bin/env bash
# Host-level (tier 1) tests of X.509 certificates in IKEv2: a test PKI made
# here with certutil (a CA, another CA, west and east, an expired cert) and
# CRLs of the CA made with crlutil, imported into each host's NSS database; two plutos with --kernel none in
# network namespaces this script creates. One line per test: PASS NAME |
# FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from host-pluto.sh.
#
# usage: testing/pluto/host-cert.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

if ! command -v certutil >/dev/null || ! command -v pk12util >/dev/null; then
	echo "SKIP pluto-cert: certutil and pk12util (libnss3-tools) are not installed"
	exit 0
fi

PKI=$WORK/pki
P12PW=cygnet-p12
CA_DN='CN=Cygnet Test CA, O=Cygnet Test, C=US'
OTHER_DN='CN=Other CA, O=Other, C=US'
# as openssl x509 -subject prints them (the certificate's order) ...
WEST_DN_CERT='C=US, O=Cygnet Test, CN=west'
EAST_DN_CERT='C=US, O=Cygnet Test, CN=east'
# ... and in RFC 4514 order
WEST_DN_4514='CN=west, O=Cygnet Test, C=US'

# make_pki: the CAs and the host certificates, once per run (all
# non-interactive: empty database password, answers to certutil -2 given)
make_pki() {
	mkdir -p "$PKI/db" || return 1
	head -c 64 /dev/urandom >"$PKI/noise"
	certutil -N -d "sql:$PKI/db" --empty-password </dev/null || return 1
	local serial=0 ca
	for ca in "ca|$CA_DN" "other|$OTHER_DN"; do
		serial=$((serial + 1))   # (not in the pipeline: a subshell there)
		printf 'y\n\ny\n' | certutil -S -d "sql:$PKI/db" -n "${ca%%|*}" -s "${ca#*|}" -x \
			-t 'CT,,' -k rsa -g 2048 -z "$PKI/noise" -m $serial -v 12 -2 \
			--keyUsage certSigning,crlSigning >/dev/null 2>&1 || return 1
		certutil -L -d "sql:$PKI/db" -n "${ca%%|*}" -a >"$PKI/${ca%%|*}.pem" </dev/null || return 1
	done
	# an intermediate CA under ca, trusted by nobody directly
	serial=$((serial + 1))
	printf 'y\n\ny\n' | certutil -S -d "sql:$PKI/db" -n mid -s 'CN=Cygnet Mid CA, O=Cygnet Test, C=US' \
		-c ca -t ',,' -k rsa -g 2048 -z "$PKI/noise" -m $serial -v 12 -2 \
		--keyUsage certSigning,crlSigning >/dev/null 2>&1 || return 1
	# NICK|SUBJECT|SIGNER|EXTRA
	local c nick subj signer extra
	for c in "west|$WEST_DN_4514|ca|--extSAN dns:west.example,ip:198.18.0.1" \
		"east|CN=east, O=Cygnet Test, C=US|ca|--extSAN dns:east.example,ip:198.18.0.2" \
		"west-old|CN=west-old, O=Cygnet Test, C=US|ca|-w -3 -v 1" \
		"west-other|CN=west, O=Other, C=US|other|" \
		"west-mid|CN=west-mid, O=Cygnet Test, C=US|mid|"; do
		IFS='|' read -r nick subj signer extra <<<"$c"
		# shellcheck disable=SC2086
		certutil -S -d "sql:$PKI/db" -n "$nick" -s "$subj" -c "$signer" -t ',,' -k rsa -g 2048 \
			-z "$PKI/noise" -m $((++serial)) ${extra:--v 12} \
			--keyUsage digitalSignature,keyEncipherment </dev/null >/dev/null 2>&1 || return 1
		pk12util -o "$PKI/$nick.p12" -n "$nick" -d "sql:$PKI/db" -W "$P12PW" </dev/null >/dev/null 2>&1 ||
			return 1
		certutil -L -d "sql:$PKI/db" -n "$nick" -a >"$PKI/$nick.pem" </dev/null || return 1
	done
}

# make_crls: CRLs of the CA (DER, crlutil -G; each newer than the one
# before, as crlutil keeps only the newest in PKI/db):
#   stale    lists nothing, its next update was due yesterday
#   clean    lists west-old only, current
#   revoked  lists west-old and west, current
make_crls() {
	local t serial_west serial_old c
	serial_of() { certutil -L -d "sql:$PKI/db" -n "$1" </dev/null | sed -n 's/^ *Serial Number: \([0-9]*\).*/\1/p' | head -1; }
	t() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
	serial_west=$(serial_of west) serial_old=$(serial_of west-old)
	[ -n "$serial_west" ] && [ -n "$serial_old" ] || return 1
	printf 'update=%s\nnextupdate=%s\n' "$(t '-3 days')" "$(t '-1 day')" >"$PKI/stale.script"
	printf 'update=%s\nnextupdate=%s\naddcert %s %s\n' "$(t '-2 hours')" "$(t '+1 day')" \
		"$serial_old" "$(t '-2 hours')" >"$PKI/clean.script"
	printf 'update=%s\nnextupdate=%s\naddcert %s %s\naddcert %s %s\n' "$(t '-1 hour')" "$(t '+1 day')" \
		"$serial_old" "$(t '-2 hours')" "$serial_west" "$(t '-1 hour')" >"$PKI/revoked.script"
	for c in stale clean revoked; do
		crlutil -G -d "sql:$PKI/db" -n ca -c "$PKI/$c.script" -o "$PKI/$c.crl" </dev/null >/dev/null 2>&1 ||
			return 1
	done
}

# crl_into HOST NAME: NAME's CRL into HOST's database, by ipsec import
crl_into() { "$IPSEC" import --nssdir "$(host_dir "$1")" "$PKI/$2.crl" </dev/null >/dev/null; }

# host_db HOST CA... : a fresh database for HOST trusting those CAs
host_db() {
	local h=$1 d ca
	shift
	d=$(host_dir "$h")
	mkdir -p "$d"
	"$IPSEC" initnss --nssdir "$d" >/dev/null </dev/null || return 1
	for ca in "$@"; do
		certutil -A -d "sql:$d" -n "$ca" -t 'CT,,' -i "$PKI/$ca.pem" </dev/null || return 1
	done
}

# host_p12 HOST NICK: the certificate and key of NICK in HOST's database
host_p12() {
	"$IPSEC" import --nssdir "$(host_dir "$1")" --password "$P12PW" "$PKI/$2.p12" </dev/null >/dev/null
}

# host_cert HOST NICK: only the certificate (no key), for rightcert=
host_cert() {
	certutil -A -d "sql:$(host_dir "$1")" -n "$2" -t ',,' -i "$PKI/$2.pem" </dev/null
}

# cert_conf LEFT-KEYS RIGHT-KEYS [CONN-KEYS]: a west-east conn with
# certificates; keys are ';'-separated
cert_conf() {
	printf 'version 2\n\nconn west-east\n\tleft=198.18.0.1\n\tleftsubnet=198.51.100.0/24\n'
	printf '\tright=198.18.0.2\n\trightsubnet=203.0.113.0/24\n'
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n\tikev2=insist\n\tauthby=rsasig\n'
	local kv
	IFS=';' read -ra kv <<<"$1;$2;${3:-}"
	for k in "${kv[@]}"; do
		case $k in
		'') ;;
		*' '*) printf '\t%s="%s"\n' "${k%%=*}" "${k#*=}" ;;
		*) printf '\t%s\n' "$k" ;;
		esac
	done
}


# the usual pair: both trust the CA, each has its own cert and key
std_dbs() {
	host_db west ca && host_db east ca && host_p12 west west && host_p12 east east
}

up_from() { # HOST NS: initiate; prints whack's output
	whackh "$1" "$2" --name west-east --initiate 2>&1
}

both_up() {
	[ "$(count west "$NS_WEST" child_sas ESTABLISHED)" = 1 ] || { echo "west has no Child SA"; return; }
	[ "$(count east "$NS_EAST" child_sas ESTABLISHED)" = 1 ] || { echo "east has no Child SA"; return; }
}

# cert NAME INITIATOR: certificates both ways, %fromcert on west, DN IDs in
# the certificate's order on west and RFC 4514 order on east
test_cert() {
	local name=$1 who=$2 why="" out
	local wconf econf
	wconf=$(cert_conf "leftcert=west;leftid=%fromcert" "rightid=$EAST_DN_CERT")
	econf=$(cert_conf "leftid=$WEST_DN_4514" "rightcert=east;rightid=%fromcert")
	pair_confs "$name" "$wconf" "$econf" || { result "$name" "cannot make the namespaces"; return; }
	std_dbs || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	if [ "$who" = west ]; then out=$(up_from west "$NS_WEST"); else out=$(up_from east "$NS_EAST"); fi
	why=$(both_up)
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies (issuer 'CN=Cygnet Test CA" "$(host_dir west)/log" &&
		why="west did not verify east's certificate"
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies" "$(host_dir east)/log" &&
		why="east did not verify west's certificate"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# refused_why WANT: west initiates; prints why that was not refused by
# east with AUTHENTICATION_FAILED and WANT (a grep pattern) in east's log
refused_why() {
	local out
	out=$(up_from west "$NS_WEST") && { echo "initiate succeeded: $out"; return; }
	grep -q 'AUTHENTICATION_FAILED' <<<"$out" || { echo "west was not told AUTHENTICATION_FAILED: $out"; return; }
	grep -q "refused: .*$1" "$(host_dir east)/log" ||
		{ echo "east's log does not say '$1': $(grep 'refused' "$(host_dir east)/log" | tail -1)"; return; }
	[ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" = 0 ] || echo "east has an IKE SA"
}

# refused NAME WEST-CONF EAST-CONF DBSETUP WANT-IN-EAST-LOG: west initiates,
# east refuses with AUTHENTICATION_FAILED and logs the reason
test_refused() {
	local name=$1
	pair_confs "$name" "$2" "$3" || { result "$name" "cannot make the namespaces"; return; }
	eval "$4" || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	result "$name" "$(refused_why "$5")"
}

# crl-revoked-responder: east has the CA's CRL that lists west and
# initiates: west (the responder) has its IKE SA and Child SA when its
# IKE_AUTH answer comes back refused, so east tells it in an INFORMATIONAL
# (AUTHENTICATION_FAILED, RFC 7296 2.21.2) and west deletes them
test_crl_revoked_responder() {
	local name=crl-revoked-responder why="" out
	pair_confs "$name" "$WEST_NORMAL" "$EAST_NORMAL" || { result "$name" "cannot make the namespaces"; return; }
	std_dbs && crl_into east revoked || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(up_from east "$NS_EAST") && why="initiate succeeded: $out"
	[ -z "$why" ] && ! grep -q "is revoked by the CRL" <<<"$out" && why="east did not refuse west's revoked certificate: $out"
	[ -z "$why" ] && ! grep -q "told the peer AUTHENTICATION_FAILED and deleted its IKE SA" "$(host_dir east)/log" &&
		why="east did not tell west AUTHENTICATION_FAILED"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c "refused our authentication (AUTHENTICATION_FAILED): deleting the IKE SA" "$(host_dir west)/log" ||
		why="west did not log the refusal: $(grep -m1 'AUTHENTICATION\|INFORMATIONAL' "$(host_dir west)/log")"; }
	[ -z "$why" ] && { wait_for 0 5 count west "$NS_WEST" ike_sas ESTABLISHED || why="west kept its IKE SA"; }
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 0 ] && why="west kept its Child SA"
	result "$name" "$why"
}

# crl-reread: both plutos with strictcrlpolicy=yes and a current CRL of
# the CA that lists neither of them: up, and whack --listall shows the
# CRL. Then the CRL that revokes west is imported into east's database
# while east runs, `ipsec crls` makes east read it, and a new IKE SA from
# west is refused, naming west's certificate and the CRL.
test_crl_reread() {
	local name=crl-reread why="" out e
	pair_confs "$name" "$WEST_NORMAL" "$EAST_NORMAL" || { result "$name" "cannot make the namespaces"; return; }
	std_dbs && crl_into west clean && crl_into east clean || { result "$name" "cannot set up the NSS databases"; return; }
	e=$(host_dir east)
	{ pluto_start west "$NS_WEST" none --strictcrlpolicy yes &&
		pluto_start east "$NS_EAST" none --strictcrlpolicy yes; } || { result "$name" "pluto did not start"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -n "$why" ] && why="under strictcrlpolicy=yes with current CRLs: $why ($out)"
	[ -z "$why" ] && ! whackh east "$NS_EAST" --listall 2>&1 |
		grep -q "CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US': 1 revoked, updated .*, next update " &&
		why="whack --listall does not show the CRL"
	[ -z "$why" ] && { crl_into east revoked || why="ipsec import of the new CRL failed"; }
	[ -z "$why" ] && { out=$(ip netns exec "$NS_EAST" "$IPSEC" crls --rundir "$e/run" 2>&1) || why="ipsec crls failed: $out"; }
	[ -z "$why" ] && ! grep -q "CRL of 'CN=Cygnet Test CA.*': 2 revoked" <<<"$out" &&
		why="ipsec crls did not read the new CRL: $out"
	[ -z "$why" ] && ! grep -q "^1 CRL in the NSS database (strictcrlpolicy=yes)" <<<"$out" && why="ipsec crls: $out"
	if [ -z "$why" ]; then
		whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
		out=$(up_from west "$NS_WEST") && why="initiate with west revoked succeeded: $out"
	fi
	[ -z "$why" ] && ! grep -q 'AUTHENTICATION_FAILED' <<<"$out" && why="west was not told AUTHENTICATION_FAILED: $out"
	[ -z "$why" ] && ! grep -q "IKE_AUTH from 'CN=west, O=Cygnet Test, C=US' refused: .*certificate 'CN=west, O=Cygnet Test, C=US' (serial [0-9a-f:]*) is revoked by the CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US' (since " "$e/log" &&
		why="east's log does not name west's revoked certificate: $(grep -m1 'refused' "$e/log")"
	result "$name" "$why"
}

# crl-strict: east with strictcrlpolicy=yes refuses west's certificate
# while its database has no CRL of the CA, and again once it has one
# whose next update is past (imported, then whack --rereadcrls)
test_crl_strict() {
	local name=crl-strict why="" out
	pair_confs "$name" "$WEST_NORMAL" "$EAST_NORMAL" || { result "$name" "cannot make the namespaces"; return; }
	std_dbs || { result "$name" "cannot set up the NSS databases"; return; }
	{ pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST" none --strictcrlpolicy yes; } ||
		{ result "$name" "pluto did not start"; return; }
	why=$(refused_why "no CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US' (the issuer of 'CN=west, O=Cygnet Test, C=US') in the NSS database, and strictcrlpolicy=yes")
	[ -n "$why" ] && why="without a CRL: $why"
	if [ -z "$why" ]; then
		crl_into east stale && out=$(whackh east "$NS_EAST" --rereadcrls 2>&1) ||
			why="cannot import the out-of-date CRL: $out"
	fi
	if [ -z "$why" ]; then
		whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
		why=$(refused_why "the CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US' is out of date (its next update was due .*), and strictcrlpolicy=yes")
		[ -n "$why" ] && why="with an out-of-date CRL: $why"
	fi
	result "$name" "$why"
}

# crl-interval: pluto started with --crlcheckinterval 1 (config setup
# crlcheckinterval=) rereads the CRLs by itself: a newer CRL imported
# while it runs shows in its log within a few seconds
test_crl_interval() {
	local name=crl-interval why="" e
	pair_confs "$name" "" "$EAST_NORMAL" || { result "$name" "cannot make the namespaces"; return; }
	host_db east ca && crl_into east clean || { result "$name" "cannot set up the NSS database"; return; }
	e=$(host_dir east)
	pluto_start east "$NS_EAST" none --crlcheckinterval 1 || { result "$name" "pluto did not start"; return; }
	crl_into east revoked || { result "$name" "ipsec import of the new CRL failed"; return; }
	crl_seen() { grep -c "CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US': 2 revoked" "$e/log"; }
	wait_for 1 5 crl_seen || why="the new CRL is not in east's log within 5 s of its import"
	result "$name" "$why"
}

# intermediate: west's certificate is issued by an intermediate CA that
# east does not have: west sends it after its own, east verifies the chain
test_intermediate() {
	local name=cert-intermediate why="" out
	pair_confs "$name" "$(cert_conf "leftcert=west-mid;leftid=%fromcert" "rightid=%fromcert")" "$EAST_NORMAL" ||
		{ result "$name" "cannot make the namespaces"; return; }
	std_dbs && host_p12 west west-mid || { result "$name" "cannot set up the NSS databases"; return; }
	certutil -L -d "sql:$(host_dir east)" -n mid </dev/null >/dev/null 2>&1 &&
		{ result "$name" "east has the intermediate CA already"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies (issuer 'CN=Cygnet Mid CA" "$(host_dir east)/log" &&
		why="east did not verify west's certificate through the intermediate"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# ca-same: east's leftca=%same (the CA of its own certificate) takes
# west's certificate from that CA
test_ca_same() {
	local name=cert-ca-same why="" out
	pair_confs "$name" "$WEST_NORMAL" \
		"$(cert_conf "leftid=%fromcert;leftca=%same" "rightcert=east;rightid=%fromcert")" ||
		{ result "$name" "cannot make the namespaces"; return; }
	host_db west ca && host_db east ca other && host_p12 west west && host_p12 east east ||
		{ result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# pinned: west sends no certificate, east has it pinned by rightcert=
test_pinned() {
	local name=cert-pinned why="" out
	local wconf econf
	wconf=$(cert_conf "leftcert=west;leftsendcert=never" "rightid=$EAST_DN_CERT")
	econf=$(cert_conf "leftcert=west" "rightcert=east")
	pair_confs "$name" "$wconf" "$econf" || { result "$name" "cannot make the namespaces"; return; }
	std_dbs && host_cert east west || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -z "$why" ] && grep -q "the peer's certificate verifies" "$(host_dir east)/log" &&
		why="east verified a certificate west should not have sent"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# secrets: no leftcert= on west, its key named by ': RSA "west"' in
# ipsec.secrets; east has west's certificate pinned
test_secrets() {
	local name=cert-secrets why="" out
	local wconf econf
	wconf=$(cert_conf "leftid=$WEST_DN_CERT" "rightid=%fromcert")
	econf=$(cert_conf "leftcert=west" "rightcert=east")
	pair_confs "$name" "$wconf" "$econf" || { result "$name" "cannot make the namespaces"; return; }
	printf ': RSA "west"\n' >"$(host_dir west)/ipsec.secrets"
	std_dbs && host_cert east west || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	grep -q 'ipsec.secrets:1' "$(host_dir west)/log" && { result "$name" "west's pluto refused the secrets line"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# dn-psk: a PSK conn with DN IDs, west writing them in the certificate's
# order and east in RFC 4514 order (conns and ipsec.secrets)
test_dn_psk() {
	local name=dn-psk why="" out
	local wconf econf
	wconf=$(cert_conf "leftid=$WEST_DN_CERT" "rightid=$EAST_DN_CERT")
	econf=$(cert_conf "leftid=$WEST_DN_4514" "rightid=CN=east, O=Cygnet Test, C=US")
	pair_confs "$name" "${wconf/authby=rsasig/authby=secret}" "${econf/authby=rsasig/authby=secret}" ||
		{ result "$name" "cannot make the namespaces"; return; }
	printf '"%s" "%s" : PSK "%s"\n' "$WEST_DN_CERT" "$EAST_DN_CERT" "$PSK" >"$(host_dir west)/ipsec.secrets"
	printf '"%s" "%s" : PSK "%s"\n' "CN=east, O=Cygnet Test, C=US" "$WEST_DN_4514" "$PSK" >"$(host_dir east)/ipsec.secrets"
	host_db west && host_db east || { result "$name" "initnss failed"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(up_from west "$NS_WEST")
	why=$(both_up)
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# libreswan NAME DIRECTION: our pluto (west) against libreswan's (east),
# certificates both ways, IKE SA only (this host's kernel has no ESP)
test_libreswan_cert() {
	local name=$1 dir=$2 why="" e
	have_libreswan "$name" || return
	pair_confs "$name" "$(cert_conf "leftcert=west;leftid=%fromcert" "rightid=$EAST_DN_CERT")" "" ||
		{ result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	host_db west ca && host_p12 west west &&
		certutil -N -d "sql:$e/nss" --empty-password </dev/null >/dev/null 2>&1 &&
		certutil -A -d "sql:$e/nss" -n ca -t 'CT,,' -i "$PKI/ca.pem" </dev/null &&
		pk12util -i "$PKI/east.p12" -d "sql:$e/nss" -W "$P12PW" -K '' </dev/null >/dev/null 2>&1 ||
		{ result "$name" "cannot set up the NSS databases"; return; }
	printf 'config setup
	plutodebug=none
conn west-east
	authby=rsasig
	ikev2=yes
	left=198.18.0.1
	leftid="%s"
	leftsubnet=198.51.100.0/24
	right=198.18.0.2
	rightid=%%fromcert
	rightcert=east
	rightsendcert=always
	rightsubnet=203.0.113.0/24
	auto=add
' \
		"$WEST_DN_CERT" >"$e/ipsec.conf"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	else
		lsw_whack --name west-east --initiate >/dev/null 2>&1
	fi
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no IKE SA with libreswan (certificates)"
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies" "$(host_dir west)/log" &&
		why="we did not verify libreswan's certificate"
	[ -z "$why" ] && ! grep -q "established IKE SA" "$e/log" && why="libreswan has no IKE SA"
	result "$name" "$why"
}

# add errors: a missing nickname, a missing key, an ID not in the cert
test_add_errors() {
	local name=cert-add-errors why="" out d
	pair_confs "$name" "" "" || { result "$name" "cannot make the namespaces"; return; }
	host_db west ca && host_p12 west west && host_cert west east || {
		result "$name" "cannot set up the NSS databases"; return; }
	d=$(host_dir west)
	{
		cert_conf "leftcert=nosuch" "rightid=%fromcert" | sed 's/west-east/no-nick/'
		cert_conf "leftcert=west;leftid=@elsewhere" "rightid=%fromcert" | sed '1,2d; s/west-east/bad-id/'
		cert_conf "leftcert=east" "rightid=%fromcert" | sed '1,2d; s/west-east/no-key/'
		cert_conf "leftcert=west;leftid=$WEST_DN_CERT" "rightcert=east" | sed '1,2d; s/west-east/good/'
		cert_conf "leftcert=west;leftid=@west.example" "rightid=%fromcert" | sed '1,2d; s/west-east/san/'
	} >"$d/ipsec.conf"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	local c
	for c in no-nick bad-id no-key good san; do
		out+=$(ip netns exec "$NS_WEST" timeout 20 "$IPSEC" auto --config "$d/ipsec.conf" \
			--rundir "$d/run" --add "$c" 2>&1)$'\n'
	done
	grep -q '"no-nick": cannot add: leftcert=nosuch: no certificate with nickname' <<<"$out" ||
		why="missing nickname: $out"
	[ -z "$why" ] && ! grep -q '"bad-id": cannot add: leftid=@elsewhere is not in the certificate' <<<"$out" &&
		why="ID not in the cert: $out"
	[ -z "$why" ] && ! grep -q '"no-key": cannot add: leftcert=east: .*not its private key' <<<"$out" &&
		why="missing key: $out"
	[ -z "$why" ] && ! grep -q 'added connection "good"\|"good": unchanged' <<<"$out" && why="good conn not added: $out"
	[ -z "$why" ] && ! grep -q 'added connection "san"\|"san": unchanged' <<<"$out" && why="SAN ID conn not added: $out"
	result "$name" "$why"
}

# import and listcerts on a database
test_tools() {
	local name=cert-tools why="" out d
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	host_db west ca || { result "$name" "initnss failed"; return; }
	d=$(host_dir west)
	out=$("$IPSEC" import --nssdir "$d" --password wrong "$PKI/west.p12" </dev/null 2>&1) &&
		why="import with a wrong password succeeded: $out"
	[ -z "$why" ] && { out=$("$IPSEC" import --nssdir "$d" --password "$P12PW" "$PKI/west.p12" </dev/null 2>&1) ||
		why="import failed: $out"; }
	[ -z "$why" ] && { out=$("$IPSEC" listcerts --nssdir "$d" </dev/null 2>&1) || why="listcerts failed: $out"; }
	[ -z "$why" ] && ! grep -q '^west .*key' <<<"$out" && why="listcerts does not show west with its key: $out"
	[ -z "$why" ] && ! grep -q '^ca .*CA' <<<"$out" && why="listcerts does not show the CA: $out"
	# and what the running pluto sees
	printf 'version 2\n' >"$d/ipsec.conf"
	: >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
	[ -z "$why" ] && { pluto_start west "$NS_WEST" || why="pluto did not start"; }
	[ -z "$why" ] && out=$(whackh west "$NS_WEST" --listall 2>&1)
	[ -z "$why" ] && ! grep -A1 'CA certificates trusted' <<<"$out" | grep -q "'ca' subject: 'CN=Cygnet Test CA" &&
		why="whack --listall does not list the CA: $out"
	[ -z "$why" ] && ! grep -q "'west' subject: 'CN=west, O=Cygnet Test, C=US' issuer: 'CN=Cygnet Test CA.*private key in NSS" <<<"$out" &&
		why="whack --listall does not list west's certificate with its key: $out"
	result "$name" "$why"
}

make_pki || { echo "FAIL pluto-cert: cannot make the test PKI"; exit 0; }
make_crls || { echo "FAIL pluto-cert: cannot make the test CRLs"; exit 0; }

WEST_NORMAL=$(cert_conf "leftcert=west;leftid=%fromcert" "rightid=%fromcert")
EAST_NORMAL=$(cert_conf "leftid=%fromcert" "rightcert=east;rightid=%fromcert")
for t in cert cert-reverse cert-wrong-ca cert-expired cert-rightca cert-intermediate cert-ca-same cert-ca-same-other cert-pinned cert-id-not-in-cert cert-secrets dn-psk cert-add-errors cert-tools \
	crl-revoked crl-revoked-responder crl-reread crl-interval crl-strict \
	libreswan-cert-initiator libreswan-cert-responder; do
	want "$t" || continue
	case $t in
	cert) test_cert cert west ;;
	cert-reverse) test_cert cert-reverse east ;;
	cert-wrong-ca)
		test_refused "$t" "$WEST_NORMAL" "$EAST_NORMAL" \
			'host_db west ca && host_db east other && host_p12 west west && host_p12 east east' \
			'SEC_ERROR_UNKNOWN_ISSUER\|SEC_ERROR_UNTRUSTED_ISSUER' ;;
	cert-expired)
		test_refused "$t" "$(cert_conf "leftcert=west-old;leftid=%fromcert" "rightid=%fromcert")" "$EAST_NORMAL" \
			'std_dbs && host_p12 west west-old' 'SEC_ERROR_EXPIRED_CERTIFICATE' ;;
	cert-rightca)
		test_refused "$t" "$WEST_NORMAL" \
			"$(cert_conf "leftid=%fromcert" "rightcert=east;rightid=%fromcert;leftca=$OTHER_DN")" \
			'host_db west ca && host_db east ca other && host_p12 west west && host_p12 east east' \
			'not issued under rightca=' ;;
	cert-pinned) test_pinned ;;
	cert-ca-same) test_ca_same ;;
	cert-intermediate) test_intermediate ;;
	cert-ca-same-other)
		# both CAs trusted on east, but leftca=%same wants east's own
		test_refused "$t" "$(cert_conf "leftcert=west-other;leftid=%fromcert" "rightid=%fromcert")" \
			"$(cert_conf "leftid=%fromcert;leftca=%same" "rightcert=east;rightid=%fromcert")" \
			'host_db west ca && host_db east ca other && host_p12 west west-other && host_p12 east east' \
			'not issued under rightca=CN=Cygnet Test CA' ;;
	cert-id-not-in-cert)
		# west signs with its certificate's key (": RSA west") but claims
		# another ID; east has west's certificate pinned, any ID allowed
		test_refused "$t" "$(cert_conf "leftid=@liar.example" "rightid=%fromcert")" \
			"$(cert_conf "leftcert=west;leftid=%any" "rightcert=east")" \
			'std_dbs && host_cert east west && printf ": RSA west\n" >"$(host_dir west)/ipsec.secrets"' \
			"the peer's ID '@liar.example' is not in its certificate" ;;
	cert-secrets) test_secrets ;;
	crl-revoked)
		# east has the CA's CRL that lists west (imported before start)
		test_refused "$t" "$WEST_NORMAL" "$EAST_NORMAL" 'std_dbs && crl_into east revoked' \
			"certificate 'CN=west, O=Cygnet Test, C=US' (serial [0-9a-f:]*) is revoked by the CRL of 'CN=Cygnet Test CA, O=Cygnet Test, C=US'" ;;
	crl-revoked-responder) test_crl_revoked_responder ;;
	crl-reread) test_crl_reread ;;
	crl-interval) test_crl_interval ;;
	crl-strict) test_crl_strict ;;
	dn-psk) test_dn_psk ;;
	cert-add-errors) test_add_errors ;;
	cert-tools) test_tools ;;
	libreswan-cert-initiator) test_libreswan_cert "$t" initiator ;;
	libreswan-cert-responder) test_libreswan_cert "$t" responder ;;
	esac
done
exit 0
