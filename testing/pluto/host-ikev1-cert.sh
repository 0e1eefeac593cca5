#!/usr/bin/env bash
# Host-level (tier 1) tests of certificates in IKEv1 Main Mode and
# Aggressive Mode (RSA signatures by the certificates' keys, CERT and CR
# payloads): the test
# PKI of lib/ecpki.sh (RSA host certificates under an ECDSA CA), two
# plutos with --kernel none in network namespaces this script creates, and
# libreswan's pluto. One line per test: PASS NAME | FAIL NAME: WHY |
# SKIP NAME: WHY.
#
# usage: testing/pluto/host-ikev1-cert.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

if ! command -v certutil >/dev/null || ! command -v pk12util >/dev/null; then
	echo "SKIP pluto-ikev1-cert: certutil and pk12util (libnss3-tools) are not installed"
	exit 0
fi
# shellcheck source=SCRIPTDIR/lib/ecpki.sh
. "$top/testing/pluto/lib/ecpki.sh"

WEST=(rsasig "ikev2=never;leftcert=west-rsa;leftid=%fromcert" "rightid=%fromcert")
EAST=(rsasig "ikev2=never;leftid=%fromcert" "rightcert=east-rsa;rightid=%fromcert")

# Aggressive Mode's one DH group (ec_conf splits its argument at ';')
AM=";aggrmode=yes;ike=aes256-sha2_256-modp2048;phase2alg=aes256-sha2_256"

# up NAME INITIATOR [aggressive]: certificates both ways in Main Mode (or
# Aggressive Mode: the CR in message 1, CERT and SIG_R in message 2), from
# INITIATOR
test_up() {
	local name=$1 who=$2 why="" out h mode="Main Mode" am=""
	[ "${3:-}" = aggressive ] && mode="Aggressive Mode" am=$AM
	pair_confs "$name" "$(ec_conf "${WEST[0]}" "${WEST[1]}$am" "${WEST[2]}")" \
		"$(ec_conf "${EAST[0]}" "${EAST[1]}$am" "${EAST[2]}")" ||
		{ result "$name" "cannot make the namespaces"; return; }
	host_db west west-rsa && host_db east east-rsa || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	if [ "$who" = west ]; then
		out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	else
		out=$(whackh east "$NS_EAST" --name west-east --initiate 2>&1)
	fi
	for h in west east; do
		[ -z "$why" ] && ! grep -q "established ISAKMP SA (IKEv1 $mode) with CN=" "$(host_dir $h)/log" &&
			why="$h has no ISAKMP SA"
		[ -z "$why" ] && ! grep -q "the peer's certificate verifies (issuer 'CN=Cygnet EC CA" "$(host_dir $h)/log" &&
			why="$h did not verify the peer's certificate"
	done
	[ -z "$why" ] && ! wait_for 1 5 count west "$NS_WEST" child_sas ESTABLISHED && why="west has no Child SA"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# refused NAME EAST-EXTRA WANT: east refuses west's certificate and logs WANT
test_refused() {
	local name=$1 why="" out
	pair_confs "$name" "$(ec_conf "${WEST[@]}")" "$(ec_conf rsasig "${EAST[1]};$2" "${EAST[2]}")" ||
		{ result "$name" "cannot make the namespaces"; return; }
	host_db west west-rsa && host_db east east-rsa || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded: $out"
	[ -z "$why" ] && ! grep -q "$3" "$(host_dir east)/log" && why="east's log does not say '$3'"
	[ -z "$why" ] && grep -q "established ISAKMP SA" "$(host_dir east)/log" && why="east has an ISAKMP SA"
	result "$name" "$why"
}

# libreswan DIRECTION [aggressive]: our pluto (west) against libreswan's
# (east) in IKEv1 Main Mode (or Aggressive Mode), certificates both ways,
# ISAKMP SA only (no ESP here)
test_libreswan() {
	local name=$1 dir=$2 why="" e am="" lam="" send=always
	[ "${3:-}" = aggressive ] && am=$AM lam='\taggressive=yes\n'
	[ "${3:-}" = unsent ] && send=never
	have_libreswan "$name" || return
	# leftsendcert=always: libreswan asks (CR) only with rightca=
	pair_confs "$name" "$(ec_conf rsasig "ikev2=never;leftcert=west-rsa;leftid=%fromcert;leftsendcert=$send$am" \
		"rightid=CN=east-rsa, O=Cygnet EC, C=US")" "" || { result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	host_db west west-rsa &&
		certutil -N -d "sql:$e/nss" --empty-password </dev/null >/dev/null 2>&1 &&
		certutil -A -d "sql:$e/nss" -n ca -t 'CT,,' -i "$PKI/ca.pem" </dev/null &&
		pk12util -i "$PKI/east-rsa.p12" -d "sql:$e/nss" -W "$P12PW" -K '' </dev/null >/dev/null 2>&1 ||
		{ result "$name" "cannot set up the NSS databases"; return; }
	{
		printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\nconn west-east\n\tauthby=rsasig\n'
		printf '\tikev2=no\n\tleft=198.18.0.1\n\tleftid=%%fromcert\n\tleftsubnet=198.51.100.0/24\n'
		printf '\tright=198.18.0.2\n\trightid=%%fromcert\n\trightcert=east-rsa\n\trightsendcert=always\n'
		# (its default proposal has more transforms than pluto takes)
		printf '\trightsubnet=203.0.113.0/24\n\tike=aes256-sha2_256;modp2048\n'"$lam"'\tauto=add\n'
	} >"$e/ipsec.conf"
	# asynchronous: Quick Mode cannot finish on libreswan's side (no ESP
	# in this kernel), the ISAKMP SA is what is checked
	lsw_pair_up "$dir" 2>"$(host_dir west)/up.err" || { result "$name" "$(cat "$(host_dir west)/up.err")"; return; }
	if [ $send = never ]; then
		# libreswan has no certificate for us: it says so in an encrypted
		# notify before its Main Mode ends (its IV from the message ID
		# alone), which we read, and our attempt ends with the reason
		wait_for_s 1 10 grep -c "sent error notify INVALID-KEY-INFORMATION" "$(host_dir west)/log" ||
			why="we did not read libreswan's error notify: $(grep -m1 'Informational\|notify' "$(host_dir west)/log")"
		[ -z "$why" ] && ! grep -q "no certificate matched" "$e/log" && why="libreswan did not fail for want of our certificate"
		[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="an ISAKMP SA came up"
		result "$name" "$why"
		return
	fi
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan (certificates)"
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies (issuer 'CN=Cygnet EC CA" "$(host_dir west)/log" &&
		why="we did not verify libreswan's certificate"
	[ -z "$why" ] && ! grep -q "ISAKMP SA established\|established ISAKMP SA\|IKE SA established" "$e/log" &&
		why="libreswan has no ISAKMP SA"
	[ -z "$why" ] && [ -n "$am" ] && ! grep -q "IKEv1 Aggressive Mode" "$(host_dir west)/log" &&
		why="not Aggressive Mode"
	result "$name" "$why"
}

# netsh: east's conn is what `ipsec netsh-import --cert east-rsa` writes
# from a Windows policy with rootca= (IKEv1, transport to west); west's a
# hand-written conn with a certificate from the same CA. West initiates;
# both verify the other's certificate and the Child SA comes up.
test_netsh_rootca() {
	local name=$1 why="" out e w
	pair_confs "$name" "" "" || { result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east) w=$(host_dir west)
	cat >"$e/policy.netsh" <<-'NETSH'
		netsh ipsec static add policy name=Lab mmsecmethods="3DES-SHA1-3" assign=yes
		netsh ipsec static add filteraction name=Secure action=negotiate qmsecmethods="ESP[3DES,SHA1]:3600s"
		netsh ipsec static add filter filterlist=West srcaddr=me dstaddr=198.18.0.1
		netsh ipsec static add rule name=West policy=Lab filterlist=West filteraction=Secure rootca="CN=Cygnet EC CA, O=Cygnet EC, C=US"
	NETSH
	"$IPSEC" netsh-import --me 198.18.0.2 --cert east-rsa --fragment "$e/policy.netsh" \
		>"$e/netsh.conf" 2>"$e/netsh.err" </dev/null ||
		{ result "$name" "netsh-import failed: $(head -1 "$e/netsh.err")"; return; }
	# the generated conn as it is; only the updown script is left out
	printf 'version 2\n\nconn %%default\n\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\ninclude %s\n' \
		"$e/netsh.conf" >"$e/ipsec.conf"
	printf 'version 2\n\nconn west-east\n\ttype=transport\n\tleft=198.18.0.1\n\tright=198.18.0.2\n' >"$w/ipsec.conf"
	printf '\tauthby=rsasig\n\tikev2=never\n\tleftcert=west-rsa\n\tleftid=%%fromcert\n\trightid=%%fromcert\n' >>"$w/ipsec.conf"
	printf '\trightca=%%same\n\tike=3des-sha1;modp2048\n\tphase2alg=3des-sha1\n\tpfs=no\n' >>"$w/ipsec.conf"
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n' >>"$w/ipsec.conf"
	host_db west west-rsa && host_db east east-rsa || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	grep -q '^conn Lab-West-1$' "$e/netsh.conf" || why="netsh-import wrote no conn Lab-West-1"
	[ -z "$why" ] && ! grep -q '"Lab-West-1".*established ISAKMP SA (IKEv1 Main Mode) with CN=west-rsa' "$e/log" &&
		why="east has no ISAKMP SA on Lab-West-1"
	[ -z "$why" ] && ! grep -q "the peer's certificate verifies (issuer 'CN=Cygnet EC CA" "$e/log" &&
		why="east did not verify west's certificate"
	[ -z "$why" ] && ! wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED && why="east has no Child SA"
	[ -z "$why" ] && ! wait_for 1 5 count west "$NS_WEST" child_sas ESTABLISHED && why="west has no Child SA"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

make_pki || { echo "FAIL pluto-ikev1-cert: cannot make the test PKI"; exit 0; }

for t in ikev1-cert ikev1-cert-reverse ikev1-cert-rightca ikev1-cert-aggressive ikev1-cert-aggressive-reverse \
	netsh-rootca libreswan-ikev1-cert-initiator libreswan-ikev1-cert-responder \
	libreswan-ikev1-cert-aggressive-initiator libreswan-ikev1-cert-aggressive-responder libreswan-ikev1-cert-unsent; do
	want "$t" || continue
	case $t in
	ikev1-cert) test_up "$t" west ;;
	ikev1-cert-reverse) test_up "$t" east ;;
	ikev1-cert-aggressive) test_up "$t" west aggressive ;;
	ikev1-cert-aggressive-reverse) test_up "$t" east aggressive ;;
	netsh-rootca) test_netsh_rootca "$t" ;;
	ikev1-cert-rightca) test_refused "$t" "leftca=CN=Other CA, C=US" "not issued under rightca=" ;;
	libreswan-ikev1-cert-initiator) test_libreswan "$t" initiator ;;
	libreswan-ikev1-cert-responder) test_libreswan "$t" responder ;;
	libreswan-ikev1-cert-aggressive-initiator) test_libreswan "$t" initiator aggressive ;;
	libreswan-ikev1-cert-aggressive-responder) test_libreswan "$t" responder aggressive ;;
	libreswan-ikev1-cert-unsent) test_libreswan "$t" initiator unsent ;;
	esac
done
exit 0
