#!/usr/bin/env bash
# Host-level (tier 1) tests of OCSP (ocsp-enable= and its companions,
# through NSS): the openssl test PKI of lib/pki.sh (made here, private to
# this run) and `openssl ocsp` as the responder, on 127.0.0.1 inside
# west's network namespace; two plutos with --kernel none. West checks
# east's certificate: a good one comes up, a revoked one is refused with
# the reason, a responder that does not answer lets the certificate
# through unless --ocsp-strict yes; --ocsp-uri without --ocsp-trustname
# stops pluto. One line per test: PASS NAME | FAIL NAME: WHY | SKIP NAME:
# WHY. The helpers come from host-pluto.sh.
#
# usage: testing/pluto/host-ocsp.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

for t in certutil pk12util openssl; do
	command -v $t >/dev/null || { echo "SKIP pluto-ocsp: $t is not installed"; exit 0; }
done
export CYGNET_BUILD=$B PKI=$WORK/pki
# shellcheck source=SCRIPTDIR/lib/pki.sh
. "$top/testing/pluto/lib/pki.sh"
pki_make || { echo "FAIL pluto-ocsp: cannot make the test PKI"; exit 0; }
# the responder's database: east and west valid, east-revoked revoked
# (openssl ca -valid adds a V line for a certificate it did not issue)
cp -r "$PKI/ca-db" "$WORK/ocsp-db"
sed -i "s|$PKI/ca-db|$WORK/ocsp-db|g" "$WORK/ocsp-db/ca.cnf"
for n in east west; do
	openssl ca -config "$WORK/ocsp-db/ca.cnf" -valid "$PKI/$n.pem" >/dev/null 2>&1 ||
		{ echo "FAIL pluto-ocsp: cannot add $n to the responder's index"; exit 0; }
done
PORT=8899
URI=http://127.0.0.1:$PORT

# ocsp_pair TEST EAST-CERT: west (leftcert=west) names east by EAST-CERT's
# DN; east presents EAST-CERT
ocsp_pair() {
	setup_pair "$1" || return 1
	local w e
	w=$(host_dir west) e=$(host_dir east)
	mkdir -p "$w" "$e"
	conn_text west-east authby=rsasig keyingtries=1 leftcert=west leftid=%fromcert \
		"rightid=\"C=US, O=Cygnet Test, CN=$2\"" >"$w/ipsec.conf"
	conn_text west-east authby=rsasig "rightcert=$2" rightid=%fromcert \
		'leftid="C=US, O=Cygnet Test, CN=west"' >"$e/ipsec.conf"
	sed -i -e '/^\tleftid=@west$/d' -e '/^\trightid=@east$/d' "$w/ipsec.conf" "$e/ipsec.conf"
	no_secrets
	pki_cygnet "$w" west && pki_cygnet "$e" "$2"
}

# responder: openssl ocsp in west's namespace, its requests logged
responder() {
	ip netns exec "$NS_WEST" openssl ocsp -index "$WORK/ocsp-db/index.txt" -port "$PORT" \
		-rsigner "$PKI/ca.pem" -rkey "$PKI/ca.key" -CA "$PKI/ca.pem" \
		>"$(host_dir west)/ocsp.log" 2>&1 </dev/null &
	netns_track $!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "waiting for OCSP client connections" "$(host_dir west)/ocsp.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ocsp NAME EAST-CERT RESPONDER(yes|no) STRICT WANT: west checks east's
# certificate; WANT: up, or a pattern of west's refusal
test_ocsp() {
	local name=$1 cert=$2 resp=$3 strict=$4 want=$5 why="" out w
	ocsp_pair "$name" "$cert" || { result "$name" "cannot make the namespaces or databases"; return; }
	w=$(host_dir west)
	if [ "$resp" = yes ]; then responder || { result "$name" "the OCSP responder did not start"; return; }; fi
	pluto_start west "$NS_WEST" none --ocsp-enable yes --ocsp-uri "$URI" --ocsp-trustname ca \
		--ocsp-timeout 2 --ocsp-strict "$strict" && pluto_start east "$NS_EAST" ||
		{ result "$name" "pluto did not start"; return; }
	grep -q "OCSP: peer certificates checked with the responder $URI (timeout 2s;" "$w/log" ||
		why="west did not log its OCSP policy"
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	if [ "$want" = up ]; then
		[ -z "$why" ] && ! grep -q "established IKE SA" <<<"$out" && why="no IKE SA: $out"
	else
		[ -z "$why" ] && grep -q "established IKE SA" <<<"$out" && why="west took east's certificate"
		[ -z "$why" ] && ! grep -q "$want" <<<"$out" && why="whack was not told '$want': $out"
	fi
	[ -z "$why" ] && [ "$resp" = yes ] && ! grep -q "ocsp: Received request, 1st line: POST" "$w/ocsp.log" &&
		why="the responder was not asked"
	result "$name" "$why"
}

# --ocsp-uri without --ocsp-trustname: pluto says why and stops
test_no_trustname() {
	local name=ocsp-no-trustname why="" d rc
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	d=$(host_dir west)
	mkdir -p "$d/run"
	conn_text west-east authby=secret >"$d/ipsec.conf"
	no_secrets
	"$IPSEC" initnss --nssdir "$d" >/dev/null 2>&1
	ip netns exec "$NS_WEST" timeout 10 "$IPSEC" pluto --nofork --stderrlog --kernel none --config "$d/ipsec.conf" \
		--secretsfile "$d/ipsec.secrets" --nssdir "$d" --rundir "$d/run" --ocsp-enable yes --ocsp-uri "$URI" \
		>"$d/out" 2>&1 </dev/null
	rc=$?
	[ $rc = 0 ] || [ $rc = 124 ] && why="pluto exited $rc"
	[ -z "$why" ] && ! grep -q "OCSP: ocsp-uri= needs ocsp-trustname=" "$d/out" && why="no reason given: $(tail -1 "$d/out")"
	result "$name" "$why"
}

for t in ocsp-good ocsp-revoked ocsp-down ocsp-down-strict ocsp-no-trustname; do
	want "$t" || continue
	case $t in
	ocsp-good) test_ocsp "$t" east yes no up ;;
	ocsp-revoked) test_ocsp "$t" east-revoked yes no "certificate 'CN=east-revoked, O=Cygnet Test, C=US' is revoked: its OCSP responder says so" ;;
	ocsp-down) test_ocsp "$t" east no no up ;;
	ocsp-down-strict) test_ocsp "$t" east no yes "no good answer from the OCSP responder, and ocsp-strict=yes: SEC_ERROR_OCSP" ;;
	ocsp-no-trustname) test_no_trustname ;;
	esac
done
exit 0
