#!/usr/bin/env bash
# Host-level (tier 1) tests of ECDSA in IKEv2: a test PKI made here with
# certutil (an ECDSA P-384 CA issuing P-256, P-384 and P-521 host
# certificates and one RSA one), two plutos with --kernel none in network
# namespaces this script creates, and libreswan's pluto. One line per
# test: PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from
# host-pluto.sh.
#
# usage: testing/pluto/host-ecdsa.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

if ! command -v certutil >/dev/null || ! command -v pk12util >/dev/null; then
	echo "SKIP pluto-ecdsa: certutil and pk12util (libnss3-tools) are not installed"
	exit 0
fi

# shellcheck source=SCRIPTDIR/lib/ecpki.sh
. "$top/testing/pluto/lib/ecpki.sh"

both_up() {
	[ "$(count west "$NS_WEST" child_sas ESTABLISHED)" = 1 ] || { echo "west has no Child SA"; return; }
	[ "$(count east "$NS_EAST" child_sas ESTABLISHED)" = 1 ] || { echo "east has no Child SA"; return; }
}

# verified HOST ALG: HOST's log says the peer's AUTH verified with ALG
verified() {
	grep -q "the peer's AUTH verifies: $2 (auth method 14)" "$(host_dir "$1")/log"
}

# up NAME INITIATOR WEST-AUTHBY WEST-CERT EAST-AUTHBY EAST-CERT WEST-SEES EAST-SEES:
# the pair comes up from INITIATOR; each side's log names the signature
# algorithm it verified from the other (WEST-SEES: east's, as west saw it)
test_up() {
	local name=$1 who=$2 why="" out
	pair_confs "$name" "$(ec_conf "$3" "leftcert=$4;leftid=%fromcert" "rightid=%fromcert")" \
		"$(ec_conf "$5" "leftid=%fromcert" "rightcert=$6;rightid=%fromcert")" ||
		{ result "$name" "cannot make the namespaces"; return; }
	host_db west "$4" && host_db east "$6" || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	if [ "$who" = west ]; then
		out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	else
		out=$(whackh east "$NS_EAST" --name west-east --initiate 2>&1)
	fi
	why=$(both_up)
	[ -z "$why" ] && ! verified west "$7" && why="west did not verify east's AUTH as $7"
	[ -z "$why" ] && ! verified east "$8" && why="east did not verify west's AUTH as $8"
	[ -n "$why" ] && why="$why ($out)"
	result "$name" "$why"
}

# refused: east's authby=rsasig does not take west's ECDSA signature
test_refused() {
	local name=ecdsa-refused why="" out
	pair_confs "$name" "$(ec_conf rsasig,ecdsa "leftcert=west;leftid=%fromcert" "rightid=%fromcert")" \
		"$(ec_conf rsasig "leftid=%fromcert" "rightcert=east-rsa;rightid=%fromcert")" ||
		{ result "$name" "cannot make the namespaces"; return; }
	host_db west west && host_db east east-rsa || { result "$name" "cannot set up the NSS databases"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded: $out"
	[ -z "$why" ] && ! grep -q 'AUTHENTICATION_FAILED' <<<"$out" && why="west was not told AUTHENTICATION_FAILED: $out"
	[ -z "$why" ] && ! grep -q "refused: the peer authenticated with ECDSA, but authby= does not allow it" \
		"$(host_dir east)/log" && why="east's log does not say why"
	result "$name" "$why"
}

# add errors: an ECDSA certificate with authby=rsasig, a missing nickname
# and an ECDSA certificate without its key
test_add_errors() {
	local name=ecdsa-add-errors why="" out d c
	pair_confs "$name" "" "" || { result "$name" "cannot make the namespaces"; return; }
	host_db west west && certutil -A -d "sql:$(host_dir west)" -n east -t ',,' -i "$PKI/east.pem" </dev/null ||
		{ result "$name" "cannot set up the NSS databases"; return; }
	d=$(host_dir west)
	{
		ec_conf rsasig "leftcert=west" "rightid=%fromcert" | sed 's/west-east/rsa-only/'
		ec_conf ecdsa "leftcert=nosuch" "rightid=%fromcert" | sed '1,2d; s/west-east/no-nick/'
		ec_conf ecdsa "leftcert=east" "rightid=%fromcert" | sed '1,2d; s/west-east/no-key/'
		ec_conf ecdsa-sha2_256 "leftcert=west" "rightid=%fromcert" | sed '1,2d; s/west-east/good/'
	} >"$d/ipsec.conf"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	for c in rsa-only no-nick no-key good; do
		out+=$(ip netns exec "$NS_WEST" timeout 20 "$IPSEC" auto --config "$d/ipsec.conf" \
			--rundir "$d/run" --add "$c" 2>&1)$'\n'
	done
	grep -q '"rsa-only": cannot add: leftcert=west has an ECDSA 256-bit key, but authby= does not allow ECDSA' <<<"$out" ||
		why="ECDSA key with authby=rsasig: $out"
	[ -z "$why" ] && ! grep -q '"no-nick": cannot add: leftcert=nosuch: no certificate with nickname' <<<"$out" &&
		why="missing nickname: $out"
	[ -z "$why" ] && ! grep -q '"no-key": cannot add: leftcert=east: .*not its private key' <<<"$out" &&
		why="missing key: $out"
	[ -z "$why" ] && ! grep -q 'added connection "good"\|"good": unchanged' <<<"$out" && why="good conn not added: $out"
	result "$name" "$why"
}

# libreswan DIRECTION: our pluto (west, P-256) against libreswan's (east,
# P-384), authby=ecdsa on both, IKE SA only (this host's kernel has no ESP)
test_libreswan() {
	local name=$1 dir=$2 why="" e
	have_libreswan "$name" || return
	pair_confs "$name" "$(ec_conf ecdsa "leftcert=west;leftid=%fromcert" "rightid=$EAST_DN")" "" ||
		{ result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	host_db west west &&
		certutil -N -d "sql:$e/nss" --empty-password </dev/null >/dev/null 2>&1 &&
		certutil -A -d "sql:$e/nss" -n ca -t 'CT,,' -i "$PKI/ca.pem" </dev/null &&
		pk12util -i "$PKI/east.p12" -d "sql:$e/nss" -W "$P12PW" -K '' </dev/null >/dev/null 2>&1 ||
		{ result "$name" "cannot set up the NSS databases"; return; }
	{
		printf 'config setup\n\tplutodebug=none\nconn west-east\n\tauthby=ecdsa\n\tikev2=yes\n'
		printf '\tleft=198.18.0.1\n\tleftid=%%fromcert\n\tleftsubnet=198.51.100.0/24\n\tright=198.18.0.2\n'
		printf '\trightid=%%fromcert\n\trightcert=east\n\trightsendcert=always\n'
		printf '\trightsubnet=203.0.113.0/24\n\tauto=add\n'
	} >"$e/ipsec.conf"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	else
		lsw_whack --name west-east --initiate >/dev/null 2>&1
	fi
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no IKE SA with libreswan (ECDSA)"
	[ -z "$why" ] && ! grep -q "the peer's AUTH verifies: ecdsa-sha2_[0-9]* (auth method 14)" "$(host_dir west)/log" &&
		why="we did not verify libreswan's ECDSA signature"
	[ -z "$why" ] && ! grep -q "established IKE SA.*ECDSA" "$e/log" && why="libreswan has no IKE SA authenticated by ECDSA"
	result "$name" "$why"
}

make_pki || { echo "FAIL pluto-ecdsa: cannot make the test PKI"; exit 0; }

for t in ecdsa ecdsa-reverse ecdsa-p521 ecdsa-hash-announced ecdsa-rsa-mixed ecdsa-refused ecdsa-add-errors \
	libreswan-ecdsa-initiator libreswan-ecdsa-responder; do
	want "$t" || continue
	case $t in
	# each key signs with its curve's hash: west P-256, east P-384
	ecdsa) test_up "$t" west ecdsa west ecdsa east ecdsa-sha2_384 ecdsa-sha2_256 ;;
	ecdsa-reverse) test_up "$t" east ecdsa west ecdsa east ecdsa-sha2_384 ecdsa-sha2_256 ;;
	# west (P-521) announces SHA2-512 only: east's P-384 key signs with it
	ecdsa-p521) test_up "$t" west ecdsa-sha2_512 west521 ecdsa east ecdsa-sha2_512 ecdsa-sha2_512 ;;
	# the responder announces SHA2-384 only: west's P-256 key signs with it
	ecdsa-hash-announced)
		test_up "$t" west ecdsa west ecdsa-sha2_384 east ecdsa-sha2_384 ecdsa-sha2_384 ;;
	# west ECDSA, east RSA in one conn
	ecdsa-rsa-mixed) test_up "$t" west rsasig,ecdsa west rsasig,ecdsa east-rsa rsa-pss-sha2_512 ecdsa-sha2_256 ;;
	ecdsa-refused) test_refused ;;
	ecdsa-add-errors) test_add_errors ;;
	libreswan-ecdsa-initiator) test_libreswan "$t" initiator ;;
	libreswan-ecdsa-responder) test_libreswan "$t" responder ;;
	esac
done
exit 0
