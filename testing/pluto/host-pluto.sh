#!/usr/bin/env bash
# Host-level (tier 1) tests of pluto: two daemons with --kernel none in
# network namespaces this script creates, and pluto against libreswan's
# pluto (IKE only: this host's kernel has no ESP). Prints one line per test:
# PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY.
#
# usage: testing/pluto/host-pluto.sh [BUILD] [TEST...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/${1:-build}
shift || true
ONLY=("$@")
. "$top/testing/pluto/lib/netns.sh"

IPSEC=$B/ipsec
if [ ! -x "$B/libexec/ipsec/pluto" ]; then
	echo "SKIP pluto-host: $B/libexec/ipsec/pluto is not built"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP pluto-host: needs root for network namespaces"
	exit 0
fi
WORK=$(mktemp -d /tmp/cygnet-host.XXXXXX)
trap 'netns_down >/dev/null 2>&1; etc_netns_clean; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
PSK='host-test-psk-0123456789'

# ---- helpers ---------------------------------------------------------------

# etc_netns NS FILE CONTENT: /etc/netns/NS/FILE, which `ip netns exec NS`
# binds over /etc/FILE (hosts, resolv.conf) for what it runs; etc_netns_clean
# removes exactly what this run made (not in a pipeline or $(...): the
# lists of what was made would be lost with the subshell)
ETC_NETNS_FILES=() ETC_NETNS_DIRS=()
etc_netns() {
	local ns=$1 f=$2
	if [ ! -d /etc/netns ]; then
		mkdir /etc/netns || return 1
		ETC_NETNS_DIRS+=(/etc/netns)
	fi
	if [ ! -d "/etc/netns/$ns" ]; then
		mkdir "/etc/netns/$ns" || return 1
		ETC_NETNS_DIRS=("/etc/netns/$ns" "${ETC_NETNS_DIRS[@]}")
	fi
	ETC_NETNS_FILES+=("/etc/netns/$ns/$f")
	printf '%s' "$3" >"/etc/netns/$ns/$f"
}
etc_netns_clean() {
	local f
	for f in "${ETC_NETNS_FILES[@]}"; do rm -f "$f"; done
	for f in "${ETC_NETNS_DIRS[@]}"; do rmdir "$f" 2>/dev/null; done   # deepest first
	ETC_NETNS_FILES=() ETC_NETNS_DIRS=()
	return 0
}

# ikev2_line KEY=VALUE...: "ikev2=insist" unless one of them is an ikev2=:
# the tests' conns speak IKEv2 unless they say otherwise (a conn without
# ikev2= initiates IKEv1, Openswan's ikev2=permit)
ikev2_line() {
	local kv
	for kv in "$@"; do [ "${kv%%=*}" = ikev2 ] && return 0; done
	printf '\tikev2=insist\n'
}

# conn_text NAME EXTRA...: a west-east conn (the same text on both hosts)
conn_text() {
	local name=$1
	shift
	printf 'version 2\n\nconn %s\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n' "$name"
	printf '\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n'
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n'
	ikev2_line "$@"
	for kv in "$@"; do printf '\t%s\n' "$kv"; done
}

# host_dir HOST: the private directory of a host in this test
host_dir() { echo "$WORK/$T/$1"; }

# pluto_start HOST NS [KERNEL [OPTION...]]: pluto with every path private,
# waiting (<= 10 s); OPTIONs go to pluto last
pluto_start() {
	local h=$1 ns=$2 kernel=${3:-none} d pid i
	shift 2
	shift || true
	d=$(host_dir "$h")
	mkdir -p "$d/run"
	ip netns exec "$ns" "$IPSEC" pluto --nofork --logfile "$d/log" --kernel "$kernel" \
		--config "$d/ipsec.conf" --secretsfile "$d/ipsec.secrets" --nssdir "$d" \
		--rundir "$d/run" --nhelpers 1 ${PLUTO_DEBUG:-} "$@" >"$d/stderr" 2>&1 &
	pid=$!
	netns_track "$pid"
	echo "$pid" >"$d/pid"
	for ((i = 0; i < 100; i++)); do
		[ -S "$d/run/pluto.ctl" ] && return 0
		_ns_alive "$pid" || break
		sleep 0.1
	done
	echo "pluto on $h did not start:" >&2
	tail -5 "$d/log" >&2
	return 1
}

whackh() { local h=$1 ns=$2; shift 2; ip netns exec "$ns" "$IPSEC" whack --rundir "$(host_dir "$h")/run" "$@"; }

# status_json HOST NS: pluto's status as JSON on stdout
status_json() { whackh "$1" "$2" --status --json; }

# count HOST NS WHAT STATE: how many IKE/Child SAs in that state
count() {
	status_json "$1" "$2" | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(sum(1 for s in d['$3'] if s['state'] == '$4'))" 2>/dev/null || echo -1
}

# wait_for N SECONDS CMD...: until CMD prints N (bounded)
wait_for() {
	local want=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

# wait_for_s N SECONDS CMD...: until CMD prints N, bounded by the clock (a
# slow CMD does not stretch it)
_prints() { local want=$1; shift; [ "$("$@")" = "$want" ]; }
wait_for_s() {
	local want=$1 secs=$2
	shift 2
	wait_until "$secs" _prints "$want" "$@"
}

secrets() { printf '@west @east : PSK "%s"\n' "$1"; }
# no_secrets: empty ipsec.secrets for west and east (signatures only)
no_secrets() {
	local h
	for h in west east; do
		: >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}
# pair_confs TEST WEST-CONF EAST-CONF: namespaces, configs, empty secrets
pair_confs() {
	setup_pair "$1" || return 1
	printf '%s\n' "$2" >"$(host_dir west)/ipsec.conf"
	printf '%s\n' "$3" >"$(host_dir east)/ipsec.conf"
	no_secrets
}

# setup_pair TEST WEST-EXTRA EAST-EXTRA: fresh topology, configs, plutos
setup_pair() {
	T=$1
	mkdir -p "$(host_dir west)" "$(host_dir east)"
	netns_up "$$$RANDOM" >/dev/null || return 1
	return 0
}

start_both() {
	pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST"
}

want() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local o
	for o in "${ONLY[@]}"; do [ "$o" = "$1" ] && return 0; done
	return 1
}

# result NAME WHY(empty: pass): stops the daemons first, so that what a
# sanitizer reports as our plutos exit (leaks, errors) fails the test too
result() {
	local why=$2 h f
	netns_down >/dev/null 2>&1
	etc_netns_clean
	for h in west east; do
		f=$(host_dir $h)/stderr
		[ -z "$why" ] && [ -f "$f" ] && grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$f" &&
			why="$h's pluto: $(grep -m1 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$f")"
	done
	if [ -z "$why" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $why"
		for h in west east; do
			[ -f "$(host_dir $h)/log" ] && { echo "--- $h log (last lines)"; tail -15 "$(host_dir $h)/log"; }
			[ -s "$(host_dir $h)/stderr" ] && { echo "--- $h stderr"; head -30 "$(host_dir $h)/stderr"; }
		done
	fi
	return 0
}

# pair_psk TEST CONN-EXTRA...: the namespaces and the same PSK conn on both
pair_psk() {
	setup_pair "$1" || return 1
	shift
	local h
	conn_text west-east authby=secret "$@" >"$(host_dir west)/ipsec.conf"
	cp "$(host_dir west)/ipsec.conf" "$(host_dir east)/ipsec.conf"
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}

have_libreswan() {
	[ -x /usr/libexec/ipsec/pluto ] && [ -x /usr/bin/certutil ] && return 0
	echo "SKIP $1: libreswan (apt-get install libreswan) or certutil is not installed"
	return 1
}

# lsw_conf [SETUP-LINE...]: libreswan's ipsec.conf for east, PSK
lsw_conf() {
	printf 'config setup\n\tplutodebug=none\n'
	local kv
	for kv in "$@"; do printf '\t%s\n' "$kv"; done
	printf 'conn west-east\n\tauthby=secret\n\tikev2=yes\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n'
}

# lsw_start: libreswan's pluto on east, every path private (its
# ipsec.conf and ipsec.secrets already there); waits for its socket (<= 10 s)
lsw_start() {
	local e i
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	[ -f "$e/nss/cert9.db" ] || certutil -N -d "sql:$e/nss" --empty-password >/dev/null 2>&1
	ip netns exec "$NS_EAST" /usr/libexec/ipsec/pluto --nofork --config "$e/ipsec.conf" \
		--ipsecdir "$e" --secretsfile "$e/ipsec.secrets" --nssdir "$e/nss" \
		--rundir "$e/run" --dumpdir "$e/run" --logfile "$e/log" "$@" >/dev/null 2>&1 &
	netns_track $!
	for ((i = 0; i < 100; i++)); do
		[ -S "$e/run/pluto.ctl" ] && break
		sleep 0.1
	done
	[ -S "$e/run/pluto.ctl" ] || return 1
	# it reads its conns after opening the socket: wait until it has them
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NS_EAST" timeout 5 /usr/libexec/ipsec/whack --rundir "$e/run" --status 2>/dev/null |
			grep -q '"west-east"' && return 0
		sleep 0.1
	done
	return 1
}

lsw_whack() { ip netns exec "$NS_EAST" timeout 15 /usr/libexec/ipsec/whack --rundir "$(host_dir east)/run" "$@"; }

# lsw_pair_up DIR: our pluto on west and libreswan's on east started, then
# DIR (initiator: we, responder: libreswan) initiates, without waiting;
# false (and why on stderr) when a pluto did not start
lsw_pair_up() {
	pluto_start west "$NS_WEST" || { echo "pluto did not start" >&2; return 1; }
	lsw_start || { echo "libreswan's pluto did not start" >&2; return 1; }
	if [ "$1" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate --asynchronous >/dev/null 2>&1
	else
		lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	fi
	return 0
}

# rsa_keys: raw RSA host keys for west ($W_KEY, in west's NSS database)
# and east ($E_KEY, in EAST_NSS: east's own directory, or nss/ below it for
# libreswan); a third key ($X_KEY) that is neither's, for the wrong-key test
rsa_keys() {
	local w e x
	w=$(host_dir west) e=${EAST_NSS:-$(host_dir east)} x=$(host_dir west)/other
	mkdir -p "$e" "$x"
	"$IPSEC" initnss --nssdir "$w" >/dev/null 2>&1
	[ -f "$e/cert9.db" ] || "$IPSEC" initnss --nssdir "$e" >/dev/null 2>&1
	"$IPSEC" initnss --nssdir "$x" >/dev/null 2>&1
	"$IPSEC" newhostkey --nssdir "$w" --bits 2048 >/dev/null 2>&1 &&
		"$IPSEC" newhostkey --nssdir "$e" --bits 2048 >/dev/null 2>&1 &&
		"$IPSEC" newhostkey --nssdir "$x" --bits 2048 >/dev/null 2>&1 || return 1
	W_KEY=$("$IPSEC" showhostkey --nssdir "$w" --left | sed -n 's/^\s*leftrsasigkey=//p')
	E_KEY=$("$IPSEC" showhostkey --nssdir "$e" --right | sed -n 's/^\s*rightrsasigkey=//p')
	X_KEY=$("$IPSEC" showhostkey --nssdir "$x" --right | sed -n 's/^\s*rightrsasigkey=//p')
	[ -n "$W_KEY" ] && [ -n "$E_KEY" ] && [ -n "$X_KEY" ]
}

# lsw_rsa_pair TEST WEST-EXTRA...: namespaces for our pluto (west) and
# libreswan's (east, its NSS database in east/nss), raw RSA keys for both
# (rsa_keys), west's conn authby=rsasig ikev2=no with them, no secrets
lsw_rsa_pair() {
	local name=$1 e
	shift
	setup_pair "$name" || return 1
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	certutil -N -d "sql:$e/nss" --empty-password </dev/null >/dev/null 2>&1
	EAST_NSS=$e/nss rsa_keys || return 1
	conn_text west-east authby=rsasig ikev2=no "$@" "leftrsasigkey=$W_KEY" "rightrsasigkey=$E_KEY" \
		>"$(host_dir west)/ipsec.conf"
	no_secrets
}

# ---- tests ------------------------------------------------------------------

test_psk() {
	local why=""
	setup_pair psk || { result psk "cannot make the namespaces"; return; }
	conn_text west-east authby=secret >"$(host_dir west)/ipsec.conf"
	cp "$(host_dir west)/ipsec.conf" "$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	start_both || { result psk "pluto did not start"; return; }
	local out
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="west has no Child SA"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	[ -z "$why" ] && ! grep -q 'established Child SA' <<<"$out" && why="no progress line from initiate: $out"
	# terminate: both sides forget the SAs
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --terminate 2>&1) || why="terminate failed: $out"
		wait_for 0 5 count east "$NS_EAST" ike_sas ESTABLISHED || why="east kept its IKE SA after terminate"
		[ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" = 0 ] || why="west kept its IKE SA"
	fi
	result psk "$why"
}

# and the refusal is retried as keyingtries=2 says (Openswan does), the log
# saying so, after a pause of 1 s
test_psk_wrong() {
	local why="" n
	setup_pair psk-wrong || { result psk-wrong "cannot make the namespaces"; return; }
	conn_text west-east authby=secret keyingtries=2 >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret >"$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "not-the-same-psk" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	start_both || { result psk-wrong "pluto did not start"; return; }
	local out rc
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	rc=$?
	[ $rc = 0 ] && why="initiate succeeded with mismatched PSKs"
	[ -z "$why" ] && ! grep -q AUTHENTICATION_FAILED <<<"$out" && why="no AUTHENTICATION_FAILED in: $out"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 0 ] && why="east kept an IKE SA"
	[ -z "$why" ] && ! grep -q "trying again although the peer's answer ended this attempt: keying attempt 2 of at most 2 in 1 s; pluto goes on in the background" <<<"$out" &&
		why="whack is not told that the refusal is tried again: $out"
	if [ -z "$why" ]; then
		wait_for_s 1 8 grep -c 'giving up after 2 keying attempts (keyingtries=2)' "$(host_dir west)/log" ||
			why="west did not give up after a second refused attempt"
		n=$(grep -c 'negotiation failed: IKE_AUTH answered with AUTHENTICATION_FAILED' "$(host_dir west)/log")
		[ -z "$why" ] && [ "$n" != 2 ] && why="$n refused attempts, want 2"
	fi
	result psk-wrong "$why"
}

test_rsa() {
	local why=""
	setup_pair rsa || { result rsa "cannot make the namespaces"; return; }
	local w e wk ek
	w=$(host_dir west)
	e=$(host_dir east)
	"$IPSEC" initnss --nssdir "$w" >/dev/null && "$IPSEC" initnss --nssdir "$e" >/dev/null &&
		"$IPSEC" newhostkey --nssdir "$w" --bits 2048 >/dev/null 2>&1 &&
		"$IPSEC" newhostkey --nssdir "$e" --bits 2048 >/dev/null 2>&1 ||
		{ result rsa "initnss or newhostkey failed"; return; }
	wk=$("$IPSEC" showhostkey --nssdir "$w" --left | sed -n 's/^\s*leftrsasigkey=//p')
	ek=$("$IPSEC" showhostkey --nssdir "$e" --right | sed -n 's/^\s*rightrsasigkey=//p')
	[ -n "$wk" ] && [ -n "$ek" ] || { result rsa "showhostkey printed no key"; return; }
	conn_text west-east authby=rsasig "leftrsasigkey=$wk" "rightrsasigkey=$ek" >"$w/ipsec.conf"
	cp "$w/ipsec.conf" "$e/ipsec.conf"
	: >"$w/ipsec.secrets"
	: >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result rsa "pluto did not start"; return; }
	local out
	out=$(whackh east "$NS_EAST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="west has no Child SA"
	result rsa "$why"
}

test_rekey() {
	local why=""
	setup_pair rekey || { result rekey "cannot make the namespaces"; return; }
	conn_text west-east authby=secret salifetime=6s rekeymargin=3s rekeyfuzz=0% \
		ikelifetime=9s pfs=yes >"$(host_dir west)/ipsec.conf"
	cp "$(host_dir west)/ipsec.conf" "$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	start_both || { result rekey "pluto did not start"; return; }
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1 || why="initiate failed"
	local i
	# the Child SA rekeys at ~3 s, the IKE SA at ~6 s; bounded at 15 s
	for ((i = 0; i < 75; i++)); do
		[ -n "$why" ] && break
		grep -q 'rekeyed IKE SA' "$(host_dir west)/log" &&
			grep -q 'rekeyed Child SA' "$(host_dir west)/log" &&
			grep -q 'rekeyed IKE SA' "$(host_dir east)/log" && break
		sleep 0.2
	done
	[ -z "$why" ] && ! grep -q 'rekeyed Child SA' "$(host_dir west)/log" && why="the Child SA was not rekeyed"
	[ -z "$why" ] && ! grep -q 'rekeyed IKE SA' "$(host_dir east)/log" && why="the IKE SA was not rekeyed"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west does not have exactly one IKE SA after the rekey"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east does not have exactly one Child SA after the rekey"
	result rekey "$why"
}

test_invalid_ke() {
	local why=""
	setup_pair invalid-ke || { result invalid-ke "cannot make the namespaces"; return; }
	# west offers the defaults (Curve25519 first); east only MODP2048
	conn_text west-east authby=secret >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret 'ike=aes128-sha2_256;modp2048' >"$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	start_both || { result invalid-ke "pluto did not start"; return; }
	local out
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'wants DH group modp2048' "$(host_dir west)/log" && why="no INVALID_KE_PAYLOAD round trip"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="no Child SA"
	result invalid-ke "$why"
}

# libreswan on east (IKE only on this kernel: its Child SA install fails)
test_libreswan() {
	local dir=$1 name=libreswan-$1 why=""
	if [ ! -x /usr/libexec/ipsec/pluto ] || [ ! -x /usr/bin/certutil ]; then
		echo "SKIP $name: libreswan (apt-get install libreswan) or certutil is not installed"
		return
	fi
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	local w e
	w=$(host_dir west)
	e=$(host_dir east)
	conn_text west-east authby=secret 'ike=aes256-sha2_256;modp2048' phase2alg=aes256-sha2_256 >"$w/ipsec.conf"
	printf 'config setup\n\tplutodebug=none\nconn west-east\n\tauthby=secret\n\tikev2=yes\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n' >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	mkdir -p "$e/nss" "$e/run"
	certutil -N -d "sql:$e/nss" --empty-password >/dev/null 2>&1
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	ip netns exec "$NS_EAST" /usr/libexec/ipsec/pluto --nofork --config "$e/ipsec.conf" \
		--ipsecdir "$e" --secretsfile "$e/ipsec.secrets" --nssdir "$e/nss" \
		--rundir "$e/run" --dumpdir "$e/run" --logfile "$e/log" >/dev/null 2>&1 &
	netns_track $!
	local i
	for ((i = 0; i < 100; i++)); do [ -S "$e/run/pluto.ctl" ] && break; sleep 0.1; done
	[ -S "$e/run/pluto.ctl" ] || { result "$name" "libreswan's pluto did not start"; return; }
	sleep 0.3
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	else
		ip netns exec "$NS_EAST" timeout 15 /usr/libexec/ipsec/whack --rundir "$e/run" \
			--name west-east --initiate >/dev/null 2>&1
	fi
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no IKE SA with libreswan ($(grep -c . "$w/log") log lines)"
	[ -z "$why" ] && ! grep -q "authenticated peer using authby=secret and ID_FQDN '@west'" "$e/log" &&
		why="libreswan did not authenticate us"
	result "$name" "$why"
}

# auto=route with the xfrm backend: the trap policy is in the kernel and
# the first packet's ACQUIRE starts the negotiation (the IKE SA comes up;
# this kernel cannot hold the ESP SAs, so the Child SA fails to install)
test_route_acquire() {
	local why=""
	setup_pair route-acquire || { result route-acquire "cannot make the namespaces"; return; }
	conn_text west-east authby=secret >"$(host_dir west)/ipsec.conf"
	sed -i 's/auto=add/auto=route/' "$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret >"$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	pluto_start west "$NS_WEST" xfrm && pluto_start east "$NS_EAST" ||
		{ result route-acquire "pluto did not start"; return; }
	ip -n "$NS_WEST" xfrm policy | grep -q 'dir out' || why="no trap policy in west's kernel"
	if [ -z "$why" ]; then
		# one UDP datagram from the subnet behind west to the one behind
		# east (the static route gives it source 198.51.100.1)
		ip netns exec "$NS_WEST" bash -c 'echo trap >/dev/udp/203.0.113.1/9' 2>/dev/null
		wait_for 1 10 count east "$NS_EAST" ike_sas ESTABLISHED ||
			why="the trapped packet did not bring the IKE SA up"
		[ -z "$why" ] && ! grep -q 'traffic caught by the trap policy' "$(host_dir west)/log" &&
			why="west did not log the ACQUIRE"
	fi
	# pluto removes what it installed when it stops
	kill "$(cat "$(host_dir west)/pid")" 2>/dev/null
	local i
	for ((i = 0; i < 50; i++)); do _ns_alive "$(cat "$(host_dir west)/pid")" || break; sleep 0.1; done
	[ -z "$why" ] && [ -n "$(ip -n "$NS_WEST" xfrm policy)" ] && why="policies left in the kernel after pluto stopped"
	result route-acquire "$why"
}

# leftupdown= runs with execve and the PLUTO_* environment
test_updown() {
	local why="" w e
	setup_pair updown || { result updown "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	printf '#!/bin/sh\nenv | grep ^PLUTO_ | sort > "%s/env.$PLUTO_VERB"\n' "$w" >"$w/record.sh"
	chmod +x "$w/record.sh"
	conn_text west-east authby=secret >"$w/ipsec.conf"
	sed -i "s|leftupdown=%disabled|leftupdown=\"$w/record.sh --flag\"|" "$w/ipsec.conf"
	cp "$w/ipsec.conf" "$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result updown "pluto did not start"; return; }
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1 || why="initiate failed"
	whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
	local v
	for v in up-client down-client; do
		[ -n "$why" ] && break
		[ -f "$w/env.$v" ] || { why="updown was not run for $v"; break; }
		grep -q '^PLUTO_CONNECTION=west-east$' "$w/env.$v" || why="$v: PLUTO_CONNECTION missing"
		grep -q '^PLUTO_MY_CLIENT=198.51.100.0/24$' "$w/env.$v" || why="$v: PLUTO_MY_CLIENT wrong"
		grep -q '^PLUTO_PEER_CLIENT=203.0.113.0/24$' "$w/env.$v" || why="$v: PLUTO_PEER_CLIENT wrong"
		grep -q '^PLUTO_PEER_ID=@east$' "$w/env.$v" || why="$v: PLUTO_PEER_ID wrong"
		grep -q '^PLUTO_ME=198.18.0.1$' "$w/env.$v" || why="$v: PLUTO_ME wrong"
		grep -q '^PLUTO_NEXT_HOP=198.18.0.2$' "$w/env.$v" || why="$v: PLUTO_NEXT_HOP is not the peer (on-link)"
		grep -q '^PLUTO_CONN_POLICY=PSK+ENCRYPT+TUNNEL+PFS' "$w/env.$v" || why="$v: PLUTO_CONN_POLICY wrong"
	done
	result updown "$why"
}

# leftsubnets= instances: --up and --down act on all of them
test_instances() {
	local why=""
	setup_pair instances || { result instances "cannot make the namespaces"; return; }
	conn_text west-east authby=secret >"$(host_dir west)/ipsec.conf"
	sed -i 's|leftsubnet=198.51.100.0/24|leftsubnets={198.51.100.0/25 198.51.100.128/25}|' "$(host_dir west)/ipsec.conf"
	cp "$(host_dir west)/ipsec.conf" "$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$(host_dir west)/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$(host_dir west)/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	start_both || { result instances "pluto did not start"; return; }
	local out
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 2 ] && why="west does not have two Child SAs"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 2 ] && why="east does not have two Child SAs"
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --terminate 2>&1) || why="terminate failed: $out"
		[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept IKE SAs"
	fi
	result instances "$why"
}

# libreswan with raw RSA keys: it signs with RSASSA-PSS (RFC 7427)
test_libreswan_rsa() {
	local name=libreswan-rsa why="" w e wk ek
	if [ ! -x /usr/libexec/ipsec/pluto ] || [ ! -x /usr/bin/certutil ]; then
		echo "SKIP $name: libreswan (apt-get install libreswan) or certutil is not installed"
		return
	fi
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	mkdir -p "$e/nss" "$e/run"
	certutil -N -d "sql:$e/nss" --empty-password >/dev/null 2>&1
	"$IPSEC" initnss --nssdir "$w" >/dev/null &&
		"$IPSEC" newhostkey --nssdir "$w" --bits 2048 >/dev/null 2>&1 &&
		"$IPSEC" newhostkey --nssdir "$e/nss" --bits 3072 >/dev/null 2>&1 ||
		{ result "$name" "newhostkey failed"; return; }
	wk=$("$IPSEC" showhostkey --nssdir "$w" --left | sed -n 's/^\s*leftrsasigkey=//p')
	ek=$("$IPSEC" showhostkey --nssdir "$e/nss" --right | sed -n 's/^\s*rightrsasigkey=//p')
	conn_text west-east authby=rsasig "leftrsasigkey=$wk" "rightrsasigkey=$ek" >"$w/ipsec.conf"
	printf 'config setup\n\tplutodebug=none\nconn west-east\n\tauthby=rsasig\n\tikev2=yes\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n\tleftrsasigkey=%s\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\trightrsasigkey=%s\n\tauto=add\n' "$wk" "$ek" >"$e/ipsec.conf"
	: >"$w/ipsec.secrets"
	: >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	ip netns exec "$NS_EAST" /usr/libexec/ipsec/pluto --nofork --config "$e/ipsec.conf" \
		--ipsecdir "$e" --secretsfile "$e/ipsec.secrets" --nssdir "$e/nss" \
		--rundir "$e/run" --dumpdir "$e/run" --logfile "$e/log" >/dev/null 2>&1 &
	netns_track $!
	local i
	for ((i = 0; i < 100; i++)); do [ -S "$e/run/pluto.ctl" ] && break; sleep 0.1; done
	sleep 0.3
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no IKE SA with libreswan (RSA)"
	[ -z "$why" ] && ! grep -q "RSASSA-PSS" "$e/log" && why="libreswan did not verify an RSASSA-PSS signature from us"
	result "$name" "$why"
}


# child_ts HOST NS: "LOCAL REMOTE" of each established Child SA, one a line
child_ts() {
	status_json "$1" "$2" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["child_sas"]:
    if c["state"] == "ESTABLISHED":
        print(c["local"], c["remote"])' 2>/dev/null
}

# A road-warrior responder: east has right=%any and no rightsubnet=, west
# (no leftsubnet= either) initiates; the peer's selector is its actual
# address /32, on both sides
test_any_peer() {
	local why="" w e out
	setup_pair any-peer || { result any-peer "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	printf 'conn west-east\n\tauthby=secret\n\tleft=198.18.0.1\n\tleftid=@west\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tikev2=insist\n\tauto=add\n' >"$w/ipsec.conf"
	printf 'conn road\n\tauthby=secret\n\tleft=198.18.0.2\n\tleftid=@east\n\tleftsubnet=203.0.113.0/24\n\tright=%%any\n\trightid=@west\n\tleftupdown=%%disabled\n\tikev2=insist\n\tauto=add\n' >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result any-peer "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && grep -q TS_UNACCEPTABLE "$w/log" && why="east refused the Child SA with TS_UNACCEPTABLE"
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST")" != "203.0.113.0/24 198.18.0.1/32" ] &&
		why="east's Child SA (local remote): '$(child_ts east "$NS_EAST")', want '203.0.113.0/24 198.18.0.1/32'"
	[ -z "$why" ] && [ "$(child_ts west "$NS_WEST")" != "198.18.0.1/32 203.0.113.0/24" ] &&
		why="west's Child SA (local remote): '$(child_ts west "$NS_WEST")', want '198.18.0.1/32 203.0.113.0/24'"
	[ -z "$why" ] && ! grep -q '"road" #[0-9]*: established Child SA tunnel 203.0.113.0/24===198.18.0.1/32' "$e/log" &&
		why="east did not log the Child SA with the peer's address"
	result any-peer "$why"
}

# Liveness (DPD) only where dpddelay= is set: two conns between the same
# plutos (--debug dpd), "dpd" with dpddelay=1s and "nodpd" without any dpd
# key; in 3.5 s the first exchanges liveness checks, the second none
test_liveness() {
	local why="" w e sent answered n
	setup_pair liveness || { result liveness "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{
		conn_text dpd authby=secret dpddelay=1s |
			sed -e 's|198.51.100.0/24|198.51.100.0/25|' -e 's|203.0.113.0/24|203.0.113.0/25|'
		conn_text nodpd authby=secret | sed 1,2d |
			sed -e 's|198.51.100.0/24|198.51.100.128/25|' -e 's|203.0.113.0/24|203.0.113.128/25|'
	} >"$w/ipsec.conf"
	cp "$w/ipsec.conf" "$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	pluto_start west "$NS_WEST" none --debug dpd && pluto_start east "$NS_EAST" none --debug dpd ||
		{ result liveness "pluto did not start"; return; }
	whackh west "$NS_WEST" --name dpd --initiate >/dev/null 2>&1 &&
		whackh west "$NS_WEST" --name nodpd --initiate >/dev/null 2>&1 || why="initiate failed"
	[ -z "$why" ] && sleep 3.5
	sent=$(cat "$w/log" "$e/log" | grep -c '"dpd" #[0-9]*: liveness: sent a check')
	answered=$(cat "$w/log" "$e/log" | grep -c '"dpd" #[0-9]*: liveness: answering the peer.s check')
	[ -z "$why" ] && [ "$sent" -lt 2 ] && why="conn dpd (dpddelay=1s): $sent liveness checks sent in 3.5 s, want 2 or more"
	[ -z "$why" ] && [ "$answered" -lt 2 ] && why="conn dpd: $answered liveness checks answered, want 2 or more"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 2 ] && why="west lost an IKE SA"
	n=$(cat "$w/log" "$e/log" | grep -c '"nodpd" #[0-9]*: liveness: \(sent\|answering\)')
	[ -z "$why" ] && [ "$n" != 0 ] && why="conn nodpd (no dpd keys): $n liveness messages"
	n=$(cat "$w/log" "$e/log" | grep -c '"nodpd" #[0-9]*: liveness: no checks (no dpddelay=)')
	[ -z "$why" ] && [ "$n" != 2 ] && why="the nodpd IKE SAs did not both decide on no liveness checks ($n)"
	result liveness "$why"
}

# ---- COOKIE (RFC 7296 2.6) ---------------------------------------------------

# east --force-busy: west's first IKE_SA_INIT is answered with a COOKIE,
# west sends it again with the cookie, and both SAs come up
test_cookie() {
	local why="" out
	pair_psk cookie || { result cookie "cannot make the namespaces"; return; }
	pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST" none --force-busy ||
		{ result cookie "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'IKE_SA_INIT from 198.18.0.1:500: busy, it has no COOKIE: answered with a COOKIE' "$(host_dir east)/log" &&
		why="east did not log a COOKIE sent"
	[ -z "$why" ] && ! grep -q 'the responder asks for a COOKIE: sending IKE_SA_INIT again' "$(host_dir west)/log" &&
		why="west did not log the COOKIE round trip"
	[ -z "$why" ] && [ "$(grep -c 'answered with a COOKIE' "$(host_dir east)/log")" != 1 ] &&
		why="east asked for a COOKIE more than once"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="west has no Child SA"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	result cookie "$why"
}

# whack --ddos-busy / --ddos-unlimited / --ddos-auto switch the COOKIE
# mode of a running pluto: status shows it, and a busy east asks west for
# a COOKIE that it did not ask for when it started in auto mode
test_cookie_whack() {
	local why="" out st
	pair_psk cookie-whack || { result cookie-whack "cannot make the namespaces"; return; }
	pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST" ||
		{ result cookie-whack "pluto did not start"; return; }
	st=$(whackh east "$NS_EAST" --status 2>&1)
	grep -q '^IKE_SA_INIT: ddos-mode=auto; 0 half-open IKE SAs (threshold 512); COOKIEs not asked for$' <<<"$st" ||
		why="status before: $(tail -1 <<<"$st")"
	if [ -z "$why" ]; then
		out=$(whackh east "$NS_EAST" --ddos-busy 2>&1) || why="--ddos-busy failed: $out"
	fi
	[ -z "$why" ] && ! grep -q 'ddos-mode=busy; .*COOKIEs asked for' <<<"$out" && why="--ddos-busy said: $out"
	[ -z "$why" ] && ! grep -q 'ddos-mode auto -> busy (by whack)' "$(host_dir east)/log" &&
		why="east did not log the switch"
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	fi
	[ -z "$why" ] && ! grep -q 'the responder asks for a COOKIE: sending IKE_SA_INIT again' "$(host_dir west)/log" &&
		why="a busy east did not ask west for a COOKIE"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	if [ -z "$why" ]; then
		whackh east "$NS_EAST" --ddos-unlimited >/dev/null 2>&1 || why="--ddos-unlimited failed"
		st=$(status_json east "$NS_EAST" | python3 -c "
import json, sys
d = json.load(sys.stdin)['ddos']
print(d['mode'], d['cookies'], d['threshold'])" 2>&1)
		[ -z "$why" ] && [ "$st" != "unlimited False 512" ] && why="JSON status after --ddos-unlimited: $st"
	fi
	if [ -z "$why" ]; then
		out=$(whackh east "$NS_EAST" --name west-east --ddos-auto 2>&1) && why="--ddos-auto took a conn name: $out"
	fi
	if [ -z "$why" ]; then
		out=$(whackh east "$NS_EAST" --ddos-auto 2>&1) || why="--ddos-auto failed: $out"
		[ -z "$why" ] && ! grep -q 'ddos-mode=auto; ' <<<"$out" && why="--ddos-auto said: $out"
	fi
	result cookie-whack "$why"
}

# libreswan with ddos-mode=busy answers our IKE_SA_INIT with a COOKIE;
# libreswan initiating to our --force-busy pluto gets one from us
test_cookie_libreswan() {
	local dir=$1 name=cookie-libreswan-$1 why="" w e
	have_libreswan "$name" || return
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	conn_text west-east authby=secret 'ike=aes256-sha2_256;modp2048' phase2alg=aes256-sha2_256 >"$w/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	if [ "$dir" = initiator ]; then   # we initiate, libreswan is busy
		lsw_conf ddos-mode=busy >"$e/ipsec.conf"
		pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	else
		lsw_conf >"$e/ipsec.conf"
		pluto_start west "$NS_WEST" none --force-busy || { result "$name" "pluto did not start"; return; }
	fi
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	else
		lsw_whack --name west-east --initiate >/dev/null 2>&1
	fi
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no IKE SA with libreswan ($(grep -c . "$w/log") log lines)"
	if [ -z "$why" ] && [ "$dir" = initiator ]; then
		grep -q 'the responder asks for a COOKIE: sending IKE_SA_INIT again' "$w/log" ||
			why="we did not see libreswan's COOKIE"
		[ -z "$why" ] && ! grep -q 'DOS mode on; responding to IKE_SA_INIT with cookie' "$e/log" &&
			why="libreswan did not log a COOKIE sent"
	elif [ -z "$why" ]; then
		grep -q 'IKE_SA_INIT from 198.18.0.2:500: busy, it has no COOKIE: answered with a COOKIE' "$w/log" ||
			why="we did not ask libreswan for a COOKIE"
		[ -z "$why" ] && ! grep -qi 'received anti-DDOS COOKIE' "$e/log" &&
			why="libreswan did not log our COOKIE"
	fi
	result "$name" "$why"
}


# init_probe ARG...: testing/pluto/lib/ike_init_probe.py run in west (bare
# IKE_SA_INIT requests, well-formed or not; one line per answer)
init_probe() {
	ip netns exec "$NS_WEST" timeout 40 python3 "$top/testing/pluto/lib/ike_init_probe.py" "$@"
}

# A COOKIE is good only for the responder that made it, the initiator's
# address, SPI and nonce: west (busy too) makes one that east must refuse;
# east's own refused from another address and with another SPI; accepted
# as it was made
test_cookie_wrong() {
	local why="" spi=0123456789abcdef spi2=fedcba9876543210 ni out
	local -a ans
	ni=$(printf '%064x' 42)
	pair_psk cookie-wrong || { result cookie-wrong "cannot make the namespaces"; return; }
	pluto_start west "$NS_WEST" none --force-busy && pluto_start east "$NS_EAST" none --force-busy ||
		{ result cookie-wrong "pluto did not start"; return; }
	# 1 west's cookie; 2 that to east: refused, with east's own; east's from
	# 3 another address of west, 4 with another SPI: refused; 5 as made: taken
	out=$(init_probe "$ni" src=198.18.0.1,dst=198.18.0.1,spi=$spi src=198.18.0.1,dst=198.18.0.2,spi=$spi,cookie=1 \
		src=198.51.100.1,dst=198.18.0.2,spi=$spi,cookie=2 src=198.18.0.1,dst=198.18.0.2,spi=$spi2,cookie=2 \
		src=198.18.0.1,dst=198.18.0.2,spi=$spi,cookie=2)
	mapfile -t ans <<<"$out"
	if [[ "${ans[0]:-}" != *COOKIE:* ]]; then
		why="west (busy) answered without a COOKIE: ${ans[0]:-}"
	elif [[ "${ans[1]:-}" != *COOKIE:* ]]; then
		why="east took the COOKIE west made: ${ans[1]:-}"
	elif [ "${ans[1]#*COOKIE:}" = "${ans[0]#*COOKIE:}" ]; then
		why="west and east made the same COOKIE"
	elif [[ "${ans[2]:-}" != *COOKIE:* ]]; then
		why="east took its COOKIE from another address: ${ans[2]:-}"
	elif [[ "${ans[3]:-}" != *COOKIE:* ]]; then
		why="east took its COOKIE with another SPI: ${ans[3]:-}"
	elif [ "${ans[4]%% *}" != SA ]; then
		why="east refused the COOKIE it made (want SA first): ${ans[4]:-}"
	fi
	[ -z "$why" ] && [ "$(grep -c 'its COOKIE is not the one we made for it: answered with a COOKIE' "$(host_dir east)/log")" != 3 ] &&
		why="east did not log the three wrong COOKIEs"
	[ -z "$why" ] && ! grep -q 'responding to IKE_SA_INIT from 198.18.0.1' "$(host_dir east)/log" &&
		why="east did not log the IKE_SA_INIT it answered"
	result cookie-wrong "$why"
}


# ---- childless IKE_AUTH (RFC 6023) -------------------------------------------

# probe ARG...: testing/pluto/lib/ike_auth_probe.py run in west (a bare
# initiator: @west, the test PSK, to east)
probe() {
	ip netns exec "$NS_WEST" timeout 20 python3 "$top/testing/pluto/lib/ike_auth_probe.py" \
		198.18.0.1 198.18.0.2 "$PSK" @west "$@" 2>&1
}

# ike_states HOST NS: the states of every IKE SA, sorted, space-separated
ike_states() {
	status_json "$1" "$2" | python3 -c '
import json, sys
print(" ".join(sorted(s["state"] for s in json.load(sys.stdin)["ike_sas"])))' 2>/dev/null
}

# east answers CHILDLESS_IKEV2_SUPPORTED with its own and takes an IKE_AUTH
# without SA/TSi/TSr (IKE SA up, no Child SA); without the notify such an
# IKE_AUTH gets INVALID_SYNTAX and the half-open IKE SA is gone at once (not
# after the one-minute half-open timer); a negotiated childless SA may still
# carry a Child SA
test_childless() {
	local why="" e out
	if ! python3 -c 'import cryptography' 2>/dev/null; then
		echo "SKIP childless: python3-cryptography is not installed"
		return
	fi
	pair_psk childless || { result childless "cannot make the namespaces"; return; }
	e=$(host_dir east)
	pluto_start east "$NS_EAST" || { result childless "pluto did not start"; return; }
	out=$(probe notify)
	[[ "$(sed -n 1p <<<"$out")" == "INIT: "*"N(16418)"* ]] ||
		why="east did not announce CHILDLESS_IKEV2_SUPPORTED: $out"
	[ -z "$why" ] && [ "$(sed -n 2p <<<"$out")" != "AUTH: IDr AUTH verified" ] &&
		why="childless IKE_AUTH not answered with IDr and AUTH alone: $out"
	[ -z "$why" ] && [ "$(ike_states east "$NS_EAST")" != ESTABLISHED ] &&
		why="east's IKE SAs after childless IKE_AUTH: $(ike_states east "$NS_EAST"), want one ESTABLISHED"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 0 ] && why="east made a Child SA"
	[ -z "$why" ] && ! grep -q 'childless IKE_AUTH (RFC 6023): no Child SA asked for' "$e/log" &&
		why="east did not log the childless IKE_AUTH"
	if [ -z "$why" ]; then   # not negotiated: refused, and nothing left half-open
		out=$(probe -)
		[[ "$(sed -n 1p <<<"$out")" == *"N(16418)"* ]] && why="east announced childless unasked: $out"
		[ -z "$why" ] && [ "$(sed -n 2p <<<"$out")" != "AUTH: N(7)" ] &&
			why="childless IKE_AUTH without the notify not refused with INVALID_SYNTAX: $out"
		[ -z "$why" ] && [ "$(ike_states east "$NS_EAST")" != ESTABLISHED ] &&
			why="east's IKE SAs after the refused IKE_AUTH: $(ike_states east "$NS_EAST"), want only the first"
		[ -z "$why" ] && ! grep -q 'deleting IKE SA: its IKE_AUTH request was refused' "$e/log" &&
			why="east did not log the deletion of the refused IKE SA"
	fi
	if [ -z "$why" ]; then   # childless negotiated, a Child SA asked for all the same
		out=$(probe notify,child=198.51.100.0/24/203.0.113.0/24)
		[ "$(sed -n 2p <<<"$out")" != "AUTH: IDr AUTH SA TSi TSr verified" ] &&
			why="IKE_AUTH with a Child SA after CHILDLESS_IKEV2_SUPPORTED: $out"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	fi
	result childless "$why"
}


# ---- capabilities -------------------------------------------------------------

# cap_names HEX: the capability names of a /proc/PID/status mask
cap_names() {
	local -A name=([0]=chown [1]=dac_override [2]=dac_read_search [3]=fowner [4]=fsetid
		[5]=kill [6]=setgid [7]=setuid [8]=setpcap [9]=linux_immutable
		[10]=net_bind_service [11]=net_broadcast [12]=net_admin [13]=net_raw
		[14]=ipc_lock [15]=ipc_owner [16]=sys_module [17]=sys_rawio [18]=sys_chroot
		[19]=sys_ptrace [20]=sys_pacct [21]=sys_admin [22]=sys_boot [23]=sys_nice
		[24]=sys_resource [25]=sys_time [26]=sys_tty_config [27]=mknod [28]=lease
		[29]=audit_write [30]=audit_control [31]=setfcap [32]=mac_override
		[33]=mac_admin [34]=syslog [35]=wake_alarm [36]=block_suspend
		[37]=audit_read [38]=perfmon [39]=bpf [40]=checkpoint_restore)
	local v=$((16#$1)) i out=""
	for ((i = 0; i < 64; i++)); do
		(((v >> i) & 1)) && out+="${out:+,}${name[$i]:-cap$i}"
	done
	echo "${out:-none}"
}

# What pluto keeps after start-up (caps.c): net_admin for XFRM and what
# updown does with ip; net_bind_service to bind IKE ports on addresses
# found later (whack --listen); net_raw for updown scripts that run iptables.
# Effective = permitted = bounding; nothing inheritable or ambient, so a
# root updown gets its bounding set: the same three.
PLUTO_CAPS=net_bind_service,net_admin,net_raw

# caps_check WHAT STATUS-FILE: "" when the Cap* lines of STATUS-FILE are
# PLUTO_CAPS (effective, permitted, bounding) and nothing inheritable or
# ambient, else why not
caps_check() {
	local what=$1 f=$2 k v got
	for k in CapEff CapPrm CapBnd CapInh CapAmb; do
		v=$(sed -n "s/^$k:[[:space:]]*//p" "$f")
		[ -n "$v" ] || { [ $k = CapAmb ] && continue; echo "$what: no $k in its status"; return; }
		got=$(cap_names "$v")
		case $k in
		CapInh | CapAmb) [ "$got" = none ] || { echo "$what: $k is $got, want none"; return; } ;;
		*) [ "$got" = "$PLUTO_CAPS" ] || { echo "$what: $k is $got, want $PLUTO_CAPS"; return; } ;;
		esac
	done
}

# pluto's threads (the crypto helpers too) and an updown it runs keep only
# PLUTO_CAPS
test_caps() {
	local why="" w pid t n=0
	setup_pair caps || { result caps "cannot make the namespaces"; return; }
	w=$(host_dir west)
	# the shell's own status ($$), not that of a command it runs
	printf '#!/bin/sh\nwhile read -r l; do case $l in Cap*) echo "$l";; esac; done </proc/$$/status >"%s/updown-status.$PLUTO_VERB"\n' "$w" >"$w/caps.sh"
	chmod +x "$w/caps.sh"
	conn_text west-east authby=secret >"$w/ipsec.conf"
	sed -i "s|leftupdown=%disabled|leftupdown=$w/caps.sh|" "$w/ipsec.conf"
	cp "$w/ipsec.conf" "$(host_dir east)/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$(host_dir east)/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$(host_dir east)/ipsec.secrets"
	# two helpers: threads started before or after the drop would differ
	pluto_start west "$NS_WEST" none --nhelpers 2 && pluto_start east "$NS_EAST" ||
		{ result caps "pluto did not start"; return; }
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1 || why="initiate failed"
	pid=$(cat "$w/pid")
	for t in /proc/"$pid"/task/*; do
		[ -n "$why" ] && break
		[ -r "$t/status" ] || continue
		n=$((n + 1))
		why=$(caps_check "pluto thread ${t##*/} ($(cat "$t/comm" 2>/dev/null))" "$t/status")
	done
	[ -z "$why" ] && [ $n -lt 3 ] && why="pluto has $n threads, want the main one and 2 helpers"
	if [ -z "$why" ]; then
		[ -s "$w/updown-status.up-client" ] || why="updown up-client did not record its status"
		[ -z "$why" ] && why=$(caps_check "updown up-client" "$w/updown-status.up-client")
	fi
	# what the set is for: binding IKE ports on a new address (whack
	# --listen) and rereading the secrets (SIGHUP) still work
	if [ -z "$why" ]; then
		ip -n "$NS_WEST" addr add 198.51.100.7/24 dev lan0
		whackh west "$NS_WEST" --listen >/dev/null 2>&1
		grep -q 'listening for IKE on 198.51.100.7:500$' "$w/log" ||
			why="pluto could not bind port 500 on a new address after the drop"
	fi
	if [ -z "$why" ]; then
		kill -HUP "$pid"
		for ((t = 0; t < 50; t++)); do
			grep -q 'SIGHUP: 1 secrets reloaded' "$w/log" && break
			sleep 0.1
		done
		[ $t = 50 ] && why="pluto did not reread its secrets after the drop"
	fi
	result caps "$why"
}


# ---- keyingtries= and the retransmission budget ------------------------------------

# west alone (nothing listens on east: a silent peer), its conn west-east
# with EXTRA keys, pluto with --retransmit-timeout SECS
silent_peer() {
	local t=$1 secs=$2 w
	shift 2
	setup_pair "$t" || return 1
	w=$(host_dir west)
	conn_text west-east authby=secret "$@" >"$w/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets"
	pluto_start west "$NS_WEST" none --retransmit-timeout "$secs"
}

# keyingtries=2 against a silent peer: the first attempt ends after the
# retransmission budget (--retransmit-timeout 2), whack gets that reason
# once and is told that pluto goes on; the second attempt starts at once
# with new SPIs, and then pluto gives up: exactly two attempts
test_keyingtries() {
	local why="" w out rc t0 ms n
	silent_peer keyingtries 2 keyingtries=2 || { result keyingtries "cannot start west"; return; }
	w=$(host_dir west)
	t0=$(now_ms)
	out=$(timeout 20 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --name west-east --initiate 2>&1)
	rc=$?
	ms=$(($(now_ms) - t0))
	[ $rc = 0 ] && why="initiate succeeded against a silent peer"
	[ -z "$why" ] && [ $rc = 124 ] && why="initiate did not return within 20 s"
	n=$(grep -c 'negotiation failed: no answer to IKE_SA_INIT' <<<"$out")
	[ -z "$why" ] && [ "$n" != 1 ] && why="the reason is shown $n times, want once: $out"
	[ -z "$why" ] && ! grep -q 'starting keying attempt 2 of at most 2; pluto goes on in the background' <<<"$out" &&
		why="whack is not told that pluto goes on: $out"
	[ -z "$why" ] && { [ $ms -lt 1800 ] || [ $ms -gt 8000 ]; } && why="the first attempt took $ms ms, want ~2 s"
	if [ -z "$why" ]; then
		wait_for_s 1 8 grep -c 'giving up after 2 keying attempts (keyingtries=2)' "$w/log" ||
			why="pluto did not give up after the second attempt: $(grep -i 'attempt' "$w/log" | tail -3)"
	fi
	if [ -z "$why" ]; then   # a third attempt would start at once
		sleep 1.5
		n=$(grep -c 'sent IKE_SA_INIT request' "$w/log")
		[ "$n" = 2 ] || why="$n IKE_SA_INIT requests (attempts), want 2"
		[ -z "$why" ] && ! grep -q 'initiating IKEv2 connection to 198.18.0.2: keying attempt 2 of at most 2' "$w/log" &&
			why="no line for the start of attempt 2"
		n=$(grep -o '"west-east" #[0-9]*: sent IKE_SA_INIT' "$w/log" | sort -u | wc -l)
		[ -z "$why" ] && [ "$n" != 2 ] && why="the attempts are not two IKE SAs (new SPIs): $n"
		out=$(status_json west "$NS_WEST" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [c for c in d["connections"] if c["name"] == "west-east"][0]
print(len(d["ike_sas"]), c["keying_attempt"], c["keyingtries"])')
		[ -z "$why" ] && [ "$out" != "0 0 2" ] && why="after giving up: IKE SAs, keying_attempt, keyingtries = $out, want 0 0 2"
	fi
	result keyingtries "$why"
}

# keyingtries=%forever: attempts go on (each --retransmit-timeout 1) until
# whack --terminate, after which none starts
test_keyingtries_forever() {
	local why="" w out n n2
	silent_peer keyingtries-forever 1 keyingtries=%forever || { result keyingtries-forever "cannot start west"; return; }
	w=$(host_dir west)
	out=$(timeout 20 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --name west-east --initiate 2>&1) &&
		why="initiate succeeded against a silent peer"
	[ -z "$why" ] && ! grep -q 'starting keying attempt 2 of an unlimited number (keyingtries=%forever)' <<<"$out" &&
		why="whack is not told of attempt 2: $out"
	if [ -z "$why" ]; then
		wait_for_s 1 10 grep -c 'connection to 198.18.0.2: keying attempt 4 of an unlimited number' "$w/log" ||
			why="no fourth attempt: $(grep 'attempt' "$w/log" | tail -2)"
	fi
	[ -z "$why" ] && ! whackh west "$NS_WEST" --status | grep -q '"west-east": .*; keying attempt [0-9]* of %forever' &&
		why="--status does not show the keying attempt: $(whackh west "$NS_WEST" --status | grep '"west-east"')"
	if [ -z "$why" ]; then
		out=$(timeout 10 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --name west-east --terminate 2>&1) ||
			why="terminate failed: $out"
		n=$(grep -c 'initiating IKEv2 connection' "$w/log")
		sleep 2   # two more attempts' time
		n2=$(grep -c 'initiating IKEv2 connection' "$w/log")
		[ -z "$why" ] && [ "$n" != "$n2" ] && why="attempts went on after --terminate ($n, then $n2)"
		[ -z "$why" ] && [ "$(status_json west "$NS_WEST" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ike_sas"]))')" != 0 ] &&
			why="IKE SAs left after --terminate"
	fi
	result keyingtries-forever "$why"
}

# ---- DNS (libunbound) ------------------------------------------------------------

# dns_files: both namespaces get a hosts file naming west and east, and a
# resolv.conf whose server is an address on the link where nothing answers
# (a lookup of any other name times out without leaving the namespaces)
dns_files() {
	local ns
	for ns in "$NS_WEST" "$NS_EAST"; do
		etc_netns "$ns" hosts $'127.0.0.1\tlocalhost\n198.18.0.1\twest.cygnet.test\n198.18.0.2\teast.cygnet.test\n' &&
			etc_netns "$ns" resolv.conf $'nameserver 198.18.0.53\n' || return 1
	done
}

# conn_dns NAME LEFT RIGHT EXTRA...: conn_text with host names
conn_dns() {
	local name=$1 l=$2 r=$3
	shift 3
	conn_text "$name" "$@" | sed -e "s/left=198.18.0.1/left=$l/" -e "s/right=198.18.0.2/right=$r/"
}

# left=/right= host names (hosts file) resolve and the conn comes up; a name
# that does not resolve is one clear line and the conns after it load
test_dns() {
	local why="" w e out
	setup_pair dns || { result dns "cannot make the namespaces"; return; }
	dns_files || { result dns "cannot write /etc/netns files"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{
		conn_dns west-east west.cygnet.test east.cygnet.test authby=secret
		conn_dns bad west.cygnet.test nohost.cygnet.invalid authby=secret | sed 1,2d
		conn_text after authby=secret | sed 1,2d | sed 's/right=198.18.0.2/right=198.18.0.9/'
	} >"$w/ipsec.conf"
	conn_dns west-east west.cygnet.test east.cygnet.test authby=secret >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result dns "pluto did not start"; return; }
	local i
	for ((i = 0; i < 50; i++)); do   # <= 5 s for the lookups
		grep -q '"west-east": right=east.cygnet.test is 198.18.0.2' "$w/log" &&
			grep -q '"west-east": left=west.cygnet.test is 198.18.0.1' "$e/log" &&
			grep -q 'nohost.cygnet.invalid' "$w/log" && break
		sleep 0.1
	done
	grep -q '"west-east": left=west.cygnet.test is 198.18.0.1' "$w/log" &&
		grep -q '"west-east": right=east.cygnet.test is 198.18.0.2' "$w/log" ||
		why="west did not resolve west.cygnet.test and east.cygnet.test"
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	fi
	if [ -z "$why" ]; then
		out=$(grep -c 'nohost.cygnet.invalid' "$w/log")
		[ "$out" = 1 ] || why="$out lines about nohost.cygnet.invalid, want one: $(grep 'nohost' "$w/log")"
		[ -z "$why" ] && ! grep -q '"bad": cannot resolve right=nohost.cygnet.invalid: no such name (looking it up again in 5 s)$' "$w/log" &&
			why="no clear line for the name that does not resolve: $(grep '"bad": ' "$w/log")"
	fi
	if [ -z "$why" ]; then   # --status says why it is not oriented, text and JSON
		out=$(whackh west "$NS_WEST" --status 2>&1)
		grep -q '^"bad": .*; nohost.cygnet.invalid: no such name (next lookup in [0-9]* s)' <<<"$out" ||
			why="--status does not say why conn bad is not oriented: $(grep '^"bad"' <<<"$out")"
		grep -q '^"west-east": .*; this host is left' <<<"$out" ||
			why="--status: $(grep '^"west-east"' <<<"$out")"
		out=$(status_json west "$NS_WEST" | python3 -c '
import json, sys
d = {c["name"]: c for c in json.load(sys.stdin)["connections"]}
b, w = d["bad"], d["west-east"]
print(b["right"]["dns"], b["right"]["dns_error"], b["orientation"].startswith("nohost.cygnet.invalid: no such name"),
      w["right"]["dns"], w["right"]["address"], w["orientation"])' 2>&1)
		[ -z "$why" ] && [ "$out" != "failed no such name True resolved 198.18.0.2 this host is left" ] &&
			why="JSON status of the names: $out"
	fi
	if [ -z "$why" ]; then   # initiating it says why not, naming the host
		out=$(whackh west "$NS_WEST" --name bad --initiate 2>&1) && why="initiating conn bad succeeded"
		[ -z "$why" ] && ! grep -q 'right=nohost.cygnet.invalid' <<<"$out" &&
			why="initiating conn bad does not name the host: $out"
	fi
	if [ -z "$why" ]; then   # the conn after it loaded, the daemon runs
		status_json west "$NS_WEST" | grep -q '"name": "after"' || why="conn after was not loaded"
		_ns_alive "$(cat "$w/pid")" || why="west's pluto died"
	fi
	result dns "$why"
}

# A lookup that times out (the server in resolv.conf never answers) does
# not hold the event loop: whack --status answers and a conn whose names
# are in the hosts file comes up meanwhile; pluto stops cleanly with the
# lookup still pending
test_dns_slow() {
	local why="" w e out t0 t1
	setup_pair dns-slow || { result dns-slow "cannot make the namespaces"; return; }
	dns_files || { result dns-slow "cannot write /etc/netns files"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{
		conn_dns slow west.cygnet.test slow.cygnet.example authby=secret
		conn_dns west-east west.cygnet.test east.cygnet.test authby=secret | sed 1,2d
	} >"$w/ipsec.conf"
	conn_text west-east authby=secret >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result dns-slow "pluto did not start"; return; }
	t0=$(date +%s%N)
	out=$(timeout 5 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --status 2>&1) ||
		why="whack --status did not answer while a lookup was pending: $out"
	t1=$(date +%s%N)
	[ -z "$why" ] && ! grep -q '"slow"' <<<"$out" && why="conn slow is not in the status: $out"
	[ -z "$why" ] && ! grep -q '^"slow": .*; resolving slow.cygnet.example' <<<"$out" &&
		why="--status does not say that slow.cygnet.example is being resolved: $(grep '^"slow"' <<<"$out")"
	[ -z "$why" ] && [ "$(status_json west "$NS_WEST" | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["connections"] if c["name"] == "slow"][0]
print(c["right"]["dns"], c["orientation"])')" != "resolving resolving slow.cygnet.example" ] &&
		why="the JSON status does not say that slow.cygnet.example is being resolved"
	[ -z "$why" ] && grep -q '"slow": cannot resolve' "$w/log" && why="the lookup did not stay pending: $(grep '"slow"' "$w/log")"
	[ -z "$why" ] && [ $(((t1 - t0) / 1000000)) -gt 3000 ] && why="whack --status took $(((t1 - t0) / 1000000)) ms"
	if [ -z "$why" ]; then
		wait_for 1 5 grep -c '"west-east": right=east.cygnet.test is 198.18.0.2' "$w/log" ||
			why="east.cygnet.test did not resolve while slow.cygnet.example was pending"
	fi
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
		out=$(whackh west "$NS_WEST" --name slow --initiate 2>&1) && why="conn slow initiated"
		[ -z "$why" ] && ! grep -q 'conn slow: right=slow.cygnet.example is being looked up' <<<"$out" &&
			why="initiating conn slow does not say it is being looked up: $out"
		[ -z "$why" ] && grep -q '"slow": cannot resolve' "$w/log" &&
			why="the slow lookup ended before the test did (not pending any more)"
	fi
	# libunbound's thread, started after the capabilities were dropped,
	# has no more than the others
	local pid t n=0
	pid=$(cat "$w/pid")
	for t in /proc/"$pid"/task/*; do
		[ -n "$why" ] && break
		[ -r "$t/status" ] || continue
		n=$((n + 1))
		why=$(caps_check "pluto thread ${t##*/} ($(cat "$t/comm" 2>/dev/null))" "$t/status")
	done
	[ -z "$why" ] && [ $n -lt 3 ] && why="pluto has $n threads, want the main one, a helper and libunbound's"
	result dns-slow "$why"
}

# A name that does not resolve at start is looked up again (5 s later, the
# pause doubling): once the hosts file names it, the auto=start conn comes
# up and the auto=route one is routed, with no command
test_dns_late() {
	local why="" w e out
	setup_pair dns-late || { result dns-late "cannot make the namespaces"; return; }
	dns_files || { result dns-late "cannot write /etc/netns files"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{
		conn_dns late-start west.cygnet.test late.cygnet.test authby=secret | sed 's/auto=add/auto=start/'
		conn_dns late-route west.cygnet.test late.cygnet.test authby=secret | sed 1,2d |
			sed -e 's/auto=add/auto=route/' -e 's|198.51.100.0/24|198.51.100.128/25|' -e 's|203.0.113.0/24|203.0.113.128/25|'
	} >"$w/ipsec.conf"
	conn_text west-east authby=secret >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	start_both || { result dns-late "pluto did not start"; return; }
	wait_for_s 1 5 grep -c '"late-start": cannot resolve right=late.cygnet.test: no such name (looking it up again in 5 s)$' "$w/log" ||
		why="no line for the name that does not resolve yet: $(grep '"late-start"' "$w/log")"
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --status 2>&1)
		grep -q '^"late-start": .*; late.cygnet.test: no such name (next lookup in [0-9] s)' <<<"$out" ||
			why="--status does not say why late-start is not oriented: $(grep '^"late-start"' <<<"$out")"
	fi
	# the name appears: written in place, as the namespace's /etc/hosts is
	# a bind mount of this file
	[ -z "$why" ] && { etc_netns "$NS_WEST" hosts $'127.0.0.1\tlocalhost\n198.18.0.1\twest.cygnet.test\n198.18.0.2\teast.cygnet.test\n198.18.0.2\tlate.cygnet.test\n' ||
		why="cannot write the hosts file"; }
	if [ -z "$why" ]; then   # the lookup 5 s after the failure, then IKE
		wait_for_s 1 12 count west "$NS_WEST" child_sas ESTABLISHED ||
			why="late-start did not come up: $(grep -e 'late' -e 'DNS' "$w/log" | tail -4)"
	fi
	[ -z "$why" ] && ! grep -q 'DNS: /etc/hosts changed: reading it again' "$w/log" && why="no line for the new hosts file"
	[ -z "$why" ] && ! grep -q '"late-start": right=late.cygnet.test is 198.18.0.2' "$w/log" && why="no line for the resolved name"
	if [ -z "$why" ]; then
		out=$(status_json west "$NS_WEST" | python3 -c '
import json, sys
d = {c["name"]: c for c in json.load(sys.stdin)["connections"]}
s, r = d["late-start"], d["late-route"]
print(s["right"]["dns"], s["local"], r["local"], r["routed"])' 2>&1)
		[ "$out" = "resolved left left True" ] || why="late-start, late-route: $out (want resolved, oriented left, routed)"
	fi
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	result dns-late "$why"
}

# Sourced by another test script (host-core.sh): the helpers above only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

for t in psk psk-wrong rsa rekey invalid-ke route-acquire updown instances any-peer liveness libreswan-initiator \
	libreswan-responder libreswan-rsa cookie cookie-whack cookie-wrong cookie-libreswan-initiator cookie-libreswan-responder \
	childless caps keyingtries keyingtries-forever dns dns-slow dns-late; do
	want "$t" || continue
	case $t in
	psk) test_psk ;;
	psk-wrong) test_psk_wrong ;;
	rsa) test_rsa ;;
	rekey) test_rekey ;;
	invalid-ke) test_invalid_ke ;;
	route-acquire) test_route_acquire ;;
	updown) test_updown ;;
	instances) test_instances ;;
	any-peer) test_any_peer ;;
	liveness) test_liveness ;;
	libreswan-rsa) test_libreswan_rsa ;;
	libreswan-initiator) test_libreswan initiator ;;
	libreswan-responder) test_libreswan responder ;;
	cookie) test_cookie ;;
	cookie-whack) test_cookie_whack ;;
	cookie-wrong) test_cookie_wrong ;;
	cookie-libreswan-initiator) test_cookie_libreswan initiator ;;
	cookie-libreswan-responder) test_cookie_libreswan responder ;;
	childless) test_childless ;;
	caps) test_caps ;;
	keyingtries) test_keyingtries ;;
	keyingtries-forever) test_keyingtries_forever ;;
	dns) test_dns ;;
	dns-slow) test_dns_slow ;;
	dns-late) test_dns_late ;;
	esac
done
exit 0
