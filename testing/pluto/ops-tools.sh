#!/usr/bin/env bash
# The administrator's commands around pluto: ipsec initnss, checknss,
# verify and secrets, against a pluto this script starts in a network
# namespace of its own (lo only). One line per test: PASS NAME | FAIL
# NAME: WHY | SKIP NAME: WHY.
#
# usage: testing/pluto/ops-tools.sh [BUILD]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/${1:-build}
IPSEC=$B/ipsec
if [ ! -x "$B/libexec/ipsec/pluto" ]; then echo "SKIP pluto-ops: $B/libexec/ipsec/pluto is not built"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "SKIP pluto-ops: needs root (a network namespace)"; exit 0; fi
WORK=$(mktemp -d /tmp/cygnet-ops.XXXXXX)
PLUTO=
cleanup() {
	[ -n "$PLUTO" ] && kill "$PLUTO" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
result() { if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi; }

# ---- initnss / checknss ----------------------------------------------------------
if ! command -v certutil >/dev/null; then
	echo "SKIP initnss: no certutil"
	echo "SKIP newhostkey-no-db: no certutil"
	echo "SKIP checknss: no certutil"
else
	# newhostkey makes no database unasked
	why=""
	mkdir -p "$WORK/empty"
	out=$("$IPSEC" newhostkey --nssdir "$WORK/empty" --bits 2048 2>&1)
	rc=$?
	[ $rc != 1 ] && why="newhostkey without a database exited $rc"
	[ -z "$why" ] && [[ $out != *"no NSS database in $WORK/empty: make one with ipsec initnss --nssdir $WORK/empty"* ]] &&
		why="newhostkey without a database said: $out"
	[ -z "$why" ] && [ -e "$WORK/empty/cert9.db" ] && why="newhostkey made a database"
	result newhostkey-no-db "$why"

	why=""
	out=$("$IPSEC" initnss --nssdir "$WORK/nss" 2>&1) || why="initnss failed: $out"
	[ -z "$why" ] && [ ! -f "$WORK/nss/cert9.db" ] && why="no cert9.db in the new directory"
	[ -z "$why" ] && [ "$(stat -c %a "$WORK/nss")" != 700 ] && why="the directory has mode $(stat -c %a "$WORK/nss")"
	out=$("$IPSEC" initnss --nssdir "$WORK/nss" 2>&1)
	rc=$?
	[ -z "$why" ] && [ $rc != 1 ] && why="a second initnss exited $rc: $out"
	[ -z "$why" ] && [[ $out != *"already has an NSS database"* ]] && why="a second initnss said: $out"
	result initnss "$why"

	why=""
	out=$("$IPSEC" checknss --nssdir "$WORK/nss" 2>&1) || why="checknss of a good database failed: $out"
	[ -z "$why" ] && [[ $out != *"usable, 0 certificate(s), 0 key(s)"* ]] && why="checknss said: $out"
	"$IPSEC" newhostkey --nssdir "$WORK/nss" --bits 2048 --quiet >/dev/null 2>&1
	out=$("$IPSEC" checknss --nssdir "$WORK/nss" 2>&1)
	[ -z "$why" ] && [[ $out != *"1 key(s)"* ]] && why="after newhostkey checknss said: $out"
	echo "not a database" >"$WORK/nss/cert9.db"
	out=$("$IPSEC" checknss --nssdir "$WORK/nss" 2>&1)
	rc=$?
	[ -z "$why" ] && [ $rc != 1 ] && why="checknss of a broken database exited $rc: $out"
	out=$("$IPSEC" checknss --nssdir "$WORK/fresh" 2>&1) || why="checknss of a missing database failed: $out"
	[ -z "$why" ] && [ ! -f "$WORK/fresh/cert9.db" ] && why="checknss did not create a missing database"
	result checknss "$why"
fi

# ---- a pluto, for verify, secrets, debug, reopenlogs, listall ---------------------
D=$WORK/pluto
mkdir -p "$D/run"
printf 'version 2\n\nconn c\n\tleft=127.0.0.1\n\tright=127.0.0.2\n\tauthby=secret\n\tauto=add\n' >"$D/ipsec.conf"
# a conn with a raw RSA key (RFC 3110 0s form) for --listall
rsakey=$(python3 -c '
import base64
from cryptography.hazmat.primitives.asymmetric import rsa
n = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers().n
print("0s" + base64.b64encode(bytes([3, 1, 0, 1]) + n.to_bytes(256, "big")).decode())' 2>/dev/null)
[ -n "$rsakey" ] && printf '\nconn k\n\tleft=127.0.0.1\n\tright=127.0.0.3\n\tauthby=rsasig\n\tleftrsasigkey=%s\n\trightrsasigkey=%s\n\tauto=add\n' \
	"$rsakey" "$rsakey" >>"$D/ipsec.conf"
printf '@a @b : PSK "ops-test-psk-0123456789"\n' >"$D/ipsec.secrets"
chmod 600 "$D/ipsec.secrets"
unshare -n sh -c 'ip link set lo up && exec "$0" pluto --nofork --logfile "$1/log" --kernel none \
	--config "$1/ipsec.conf" --secretsfile "$1/ipsec.secrets" --nssdir "$1" --rundir "$1/run" \
	--nhelpers 1' "$IPSEC" "$D" >"$D/stderr" 2>&1 &
PLUTO=$!
for ((i = 0; i < 100; i++)); do [ -S "$D/run/pluto.ctl" ] && break; sleep 0.1; done
verify() { "$IPSEC" verify --config "$D/ipsec.conf" --secretsfile "$D/ipsec.secrets" --nssdir "$D" --rundir "$D/run" 2>&1; }

why=""
out=$(verify)
rc=$?
[ $rc != 0 ] && why="verify of a sound setup exited $rc: $(grep FAILED <<<"$out" | head -1)"
for w in "configuration $D/ipsec.conf" "secrets $D/ipsec.secrets" "pluto"; do
	[ -z "$why" ] && ! grep -q "^$w  *\[OK\]" <<<"$out" && why="no [OK] line for '$w': $out"
done
# a broken config, a secrets file others can read, no pluto: FAILED, named
printf '\tbogus=1\n' >>"$D/ipsec.conf"
chmod 644 "$D/ipsec.secrets"
out=$(verify)
rc=$?
[ -z "$why" ] && [ $rc != 1 ] && why="verify of a broken setup exited $rc"
[ -z "$why" ] && ! grep -q "^configuration .*\[FAILED\] .*ipsec.conf:[0-9]*:.*bogus" <<<"$out" &&
	why="the config line does not name file:line and the keyword: $(grep '^configuration' <<<"$out")"
[ -z "$why" ] && ! grep -q "^secrets .*\[FAILED\] readable by others (mode 644)" <<<"$out" &&
	why="the secrets line: $(grep '^secrets' <<<"$out")"
result verify "$why"
chmod 600 "$D/ipsec.secrets"

why=""
printf '@c @d : PSK "another-psk-0123456789"\n' >>"$D/ipsec.secrets"
out=$("$IPSEC" secrets --rundir "$D/run" 2>&1) || why="ipsec secrets failed: $out"
# one entry at start, two after the reread
[ -z "$why" ] && ! grep -qx "2 secrets loaded from $D/ipsec.secrets" <<<"$out" && why="ipsec secrets said: $out"
result secrets "$why"

# whack --debug: categories at run time, named back; a bad one refused
whackd() { "$IPSEC" whack --rundir "$D/run" "$@" 2>&1; }
why=""
out=$(whackd --debug control,crypt) || why="--debug control,crypt failed: $out"
[ -z "$why" ] && [ "$out" != "debugging: control,crypt" ] && why="--debug control,crypt said: $out"
n0=$(grep -c ': | ' "$D/log")
"$IPSEC" auto --rundir "$D/run" --config "$D/ipsec.conf" --replace c >/dev/null 2>&1
[ -z "$why" ] && [ "$(grep -c ': | ' "$D/log")" -le "$n0" ] && why="no debug line in the log after --debug control and an --add"
out=$(whackd --debug bogus)
rc=$?
[ -z "$why" ] && { [ $rc = 0 ] || [[ $out != *"unknown debug category 'bogus'"* ]]; } && why="--debug bogus: exit $rc: $out"
out=$(whackd --debug none)
[ -z "$why" ] && [ "$out" != "debugging: none" ] && why="--debug none said: $out"
n0=$(grep -c ': | ' "$D/log")
"$IPSEC" auto --rundir "$D/run" --config "$D/ipsec.conf" --replace c >/dev/null 2>&1
[ -z "$why" ] && [ "$(grep -c ': | ' "$D/log")" != "$n0" ] && why="debug lines after --debug none"
result whack-debug "$why"

# whack --reopenlogs: logrotate moved the file away; pluto writes a new one
why=""
mv "$D/log" "$D/log.1"
out=$(whackd --reopenlogs) || why="--reopenlogs failed: $out"
[ -z "$why" ] && [ ! -f "$D/log" ] && why="no new log file"
[ -z "$why" ] && ! grep -q "log file $D/log reopened" "$D/log" && why="the new log lacks the reopen line"
[ -z "$why" ] && [ "$(stat -c %a "$D/log")" != 600 ] && why="the new log has mode $(stat -c %a "$D/log")"
[ -z "$why" ] && grep -q "reopened" "$D/log.1" && why="the old file got the line"
result whack-reopenlogs "$why"

# ipsec listall (whack --listall): each conn's raw key once, host keys, no certificates
why=""
out=$("$IPSEC" listall --rundir "$D/run" 2>&1) || why="ipsec listall failed: $out"
if [ -z "$rsakey" ]; then
	echo "SKIP whack-listall: python3-cryptography is not installed (no RSA key to list)"
else
	[ -z "$why" ] && [ "$(grep -c 'RSA keyid: .* ckaid: [0-9a-f]\{40\}; "k" left$' <<<"$out")" != 1 ] &&
		why="the key of conn k is not listed once (left, its ckaid): $out"
	[ -z "$why" ] && grep -q '"k" right' <<<"$out" && why="the same key listed twice: $out"
	[ -z "$why" ] && ! grep -q '^List of X.509 certificates:' <<<"$out" && why="no certificate line: $out"
	result whack-listall "$why"
fi
why=""
out=$("$IPSEC" traffic --rundir "$D/run" 2>&1) || why="ipsec traffic failed: $out"
out2=$("$IPSEC" auto --rundir "$D/run" --listall 2>&1) || why="ipsec auto --listall failed: $out2"
[ -z "$why" ] && ! grep -q '^List of RSA public keys' <<<"$out2" && why="auto --listall said: $out2"
result ipsec-traffic-auto-listall "$why"
exit 0
