#!/usr/bin/env bash
# End-to-end tests of the control-plane tools (ipsec setup, ipsec auto,
# ipsec whack) against the real pluto, with --kernel none, in the two
# network namespaces of lib/netns.sh (made once for the whole run). Every
# path is below a private mktemp -d directory; pluto logs to a file there.
# Prints one line per test: PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY,
# detail lines indented.
#
# usage: testing/pluto/tools-e2e.sh [BUILD] [GROUP...]
#   GROUP: lifecycle mapping refusals nopluto pair (default: all)
#   KEEP=1 keeps the work directory (its path is printed); VERBOSE=1 shows
#   the tools' output for passing tests too.
# shellcheck disable=SC2317,SC2086  # functions called by name; $rc is a number
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/${1:-build}
shift || true
ONLY=("$@")
. "$top/testing/pluto/lib/netns.sh"

IPSEC=$B/ipsec
PLUTO_BIN=$B/libexec/ipsec/pluto
if [ ! -x "$PLUTO_BIN" ] || [ ! -x "$B/libexec/ipsec/auto" ]; then
	echo "SKIP pluto-tools: $B/libexec/ipsec/{pluto,auto} are not built"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP pluto-tools: needs root for network namespaces"
	exit 0
fi
# the pyenv shim costs ~0.4 s a call; the system python3 ~0.03 s
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || true); fi
if [ -z "$PY" ]; then
	echo "SKIP pluto-tools: needs python3 (the status checks read --status --json)"
	exit 0
fi

WORK=$(mktemp -d /tmp/cygnet-tools.XXXXXX)
cleanup() {
	netns_down >/dev/null 2>&1
	if [ -n "${KEEP:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T0=$(now_ms)

# bounds (seconds): a tool call; setup start waiting for pluto to answer;
# a negotiation
T_TOOL=30
T_START=20
T_NEG=20
PSK='tools-test-psk-0123456789'

# ---- helpers -----------------------------------------------------------------

PHASE=
hdir() { echo "$WORK/$PHASE/$1"; }
ns_of() { if [ "$1" = east ]; then echo "$NS_EAST"; else echo "$NS_WEST"; fi; }

# in_ns HOST CMD...: CMD in HOST's namespace, bounded
in_ns() { local h=$1; shift; timeout "$T_TOOL" ip netns exec "$(ns_of "$h")" "$@"; }

# the tools, with every path of HOST given explicitly
PLUTO_ARGS=()   # more pluto options for setup start/restart (after --)
setup_() {
	local h=$1 d extra=()
	d=$(hdir "$h")
	shift
	local verb=${!#}   # the last word
	case $verb in
	start | restart)
		extra=(-- --kernel none --nhelpers 1 --nssdir "$d" --secretsfile "$d/ipsec.secrets"
			--ipsecdir "$d" "${PLUTO_ARGS[@]}") ;;
	esac
	in_ns "$h" "$IPSEC" setup --config "$d/ipsec.conf" --rundir "$d/run" "$@" "${extra[@]}"
}
auto_() { local h=$1 d; d=$(hdir "$h"); shift; in_ns "$h" "$IPSEC" auto --config "$d/ipsec.conf" --rundir "$d/run" "$@"; }
whack_() { local h=$1 d; d=$(hdir "$h"); shift; in_ns "$h" "$IPSEC" whack --rundir "$d/run" "$@"; }

# conf_setup HOST LINE...: the head of HOST's ipsec.conf (pluto logs to HOST/log)
conf_setup() {
	local d l
	d=$(hdir "$1")
	shift
	printf 'version 2\n\nconfig setup\n\tplutostderrlog=%s/log\n' "$d"
	for l in "$@"; do printf '\t%s\n' "$l"; done
}

# conn_def NAME KEY=VALUE...: a west-east PSK conn; KEY=VALUE replaces a
# default (an empty VALUE drops it) or adds a key
conn_def() {
	local name=$1 kv k
	shift
	local -A v=([left]=198.18.0.1 [leftid]=@west [leftsubnet]=198.51.100.0/24
		[right]=198.18.0.2 [rightid]=@east [rightsubnet]=203.0.113.0/24 [authby]=secret
		[leftupdown]=%disabled [rightupdown]=%disabled [auto]=add [ikev2]=insist)
	local order=(left leftid leftsubnet right rightid rightsubnet authby leftupdown rightupdown auto ikev2)
	for kv in "$@"; do
		k=${kv%%=*}
		[ -n "${v[$k]+set}" ] || order+=("$k")
		v[$k]=${kv#*=}
	done
	printf '\nconn %s\n' "$name"
	for k in "${order[@]}"; do
		[ -z "${v[$k]}" ] || printf '\t%s=%s\n' "$k" "${v[$k]}"
	done
}

# new_host HOST [PSK]: its directory, run directory and secrets (mode 0600)
new_host() {
	local d
	d=$(hdir "$1")
	mkdir -p "$d/run"
	printf '@west @east : PSK "%s"\n' "${2:-$PSK}" >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
}

# start_host HOST: `ipsec setup start` with its stdout a pipe whose reader
# gives up after T_TOOL s (a pluto that kept the pipe open would show as
# S_HUNG=1 instead of hanging the suite). Sets S_RC, S_OUT, S_MS, S_HUNG,
# S_PID (from the output) and tracks the pid in pluto.pid.
start_host() {
	local h=$1 t rcs p
	t=$(now_ms)
	setup_ "$h" --timeout "$T_START" start 2>&1 | timeout "$T_TOOL" cat >"$WORK/start.out"
	rcs=("${PIPESTATUS[@]}")
	S_MS=$(($(now_ms) - t))
	S_RC=${rcs[0]}
	S_HUNG=0
	[ "${rcs[1]}" = 124 ] && S_HUNG=1
	S_OUT=$(cat "$WORK/start.out")
	S_PID=$(sed -n 's/.*pluto is running (pid \([0-9]*\).*/\1/p' <<<"$S_OUT" | head -1)
	track_pid "$h"
}

track_pid() {
	local p
	p=$(cat "$(hdir "$1")/run/pluto.pid" 2>/dev/null)
	case $p in '' | *[!0-9]*) ;; *) netns_track "$p" ;; esac
	return 0
}

# the status as JSON, queried: JX_EXPR is evaluated with d (the document),
# conns (by name), ike(NAME[, STATE]), child(NAME[, STATE]) (counts)
JX_PRELUDE='import json, sys
d = json.load(sys.stdin)
conns = {c["name"]: c for c in d["connections"]}
def ike(n, s="ESTABLISHED"):
    return sum(1 for x in d["ike_sas"] if x["connection"] == n and x["state"] == s)
def child(n, s="ESTABLISHED"):
    return sum(1 for x in d["child_sas"] if x["connection"] == n and x["state"] == s)
print(eval(sys.argv[1]))'
# jx HOST EXPR: prints EXPR's value, or ERR
jx() {
	local out
	out=$(auto_ "$1" --status --json 2>/dev/null) || { echo ERR; return; }
	"$PY" -c "$JX_PRELUDE" "$2" <<<"$out" 2>/dev/null || echo ERR
}
jx_is() { [ "$(jx "$1" "$2")" = "$3" ]; }   # HOST EXPR WANT
# wait_jx SECONDS HOST EXPR WANT: until EXPR is WANT (bounded by the clock)
wait_jx() { local s=$1; shift; wait_until "$s" jx_is "$@"; }

alive() { [ -n "$1" ] && _ns_alive "$1"; }
# wait_gone SECONDS PID
wait_gone() { local s=$1 p=$2; wait_until "$s" eval "! _ns_alive $p"; }
ns_idle() { [ -z "$(ip netns pids "$(ns_of "$1")" 2>/dev/null)" ]; }

want() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local o
	for o in "${ONLY[@]}"; do [ "$o" = "$1" ] && return 0; done
	return 1
}

# res NAME WHY: PASS when WHY is empty; on FAIL, $DETAIL and the logs of
# the hosts in $LOGS (last lines) follow, indented
DETAIL=
LOGS=
res() {
	if [ -z "$2" ]; then
		echo "PASS $1"
		[ -n "${VERBOSE:-}" ] && [ -n "$DETAIL" ] && sed 's/^/    | /' <<<"$DETAIL"
	else
		echo "FAIL $1: $2"
		[ -n "$DETAIL" ] && sed 's/^/    | /' <<<"$DETAIL" | head -20
		local h
		for h in $LOGS; do
			[ -f "$(hdir "$h")/log" ] || continue
			echo "    --- $h's pluto log (last lines)"
			tail -8 "$(hdir "$h")/log" | sed 's/^/    | /'
		done
	fi
	DETAIL=
}
skip() { echo "SKIP $1: $2"; }

# phase_end HOST...: stop what the phase started (setup stop, then by pid)
phase_end() {
	local h p
	for h in "$@"; do
		p=$(cat "$(hdir "$h")/run/pluto.pid" 2>/dev/null)
		[ -S "$(hdir "$h")/run/pluto.ctl" ] && setup_ "$h" --timeout 5 stop >/dev/null 2>&1
		if [ -n "$p" ] && _ns_alive "$p"; then
			kill -TERM "$p" 2>/dev/null
			wait_gone 5 "$p" || kill -KILL "$p" 2>/dev/null
		fi
	done
	for h in west east; do wait_until 5 ns_idle "$h"; done
	return 0
}

# ---- setup start / status / stop / restart -------------------------------------

group_lifecycle() {
	PHASE=lifecycle LOGS=west
	local d why out rc p2 out2
	d=$(hdir west)
	new_host west
	{ conf_setup west; conn_def c-one; } >"$d/ipsec.conf"

	start_host west
	why=
	[ "$S_RC" = 0 ] || why="status $S_RC"
	[ -z "$why" ] && [ -z "$S_PID" ] && why="no 'pluto is running (pid N' line"
	[ -z "$why" ] && ! grep -q 'conns: 1 added' <<<"$S_OUT" && why="c-one was not added"
	[ -z "$why" ] && ! whack_ west --ping >/dev/null 2>&1 && why="pluto does not answer a ping"
	DETAIL=$S_OUT res setup-start "$why"
	if [ -z "$S_PID" ]; then
		for t in setup-start-pipe setup-pidfile setup-ctl-mode setup-status setup-start-again setup-restart setup-stop; do
			skip "$t" "setup start failed"
		done
		phase_end west
		return
	fi

	why=
	[ "$S_HUNG" = 1 ] && why="\$(ipsec setup start) did not return: something kept the pipe open"
	[ -z "$why" ] && [ "$S_MS" -gt $((T_START * 1000)) ] && why="\$(ipsec setup start) took ${S_MS} ms"
	res setup-start-pipe "$why"

	why=
	p=$(cat "$d/run/pluto.pid" 2>/dev/null)
	[ "$p" = "$S_PID" ] || why="pluto.pid holds '$p', start said $S_PID"
	[ -z "$why" ] && [ "$(readlink -f "/proc/$p/exe")" != "$(readlink -f "$PLUTO_BIN")" ] &&
		why="pid $p is not $PLUTO_BIN"
	res setup-pidfile "$why"

	why=
	if [ ! -S "$d/run/pluto.ctl" ]; then why="no socket $d/run/pluto.ctl"
	elif [ "$(stat -c %a "$d/run/pluto.ctl")" != 600 ]; then
		why="pluto.ctl has mode $(stat -c %a "$d/run/pluto.ctl"), not 600"
	fi
	res setup-ctl-mode "$why"

	out=$(setup_ west status 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc while pluto runs"
	[ -z "$why" ] && ! grep -q "pluto is running (pid $S_PID," <<<"$out" && why="status does not print pid $S_PID"
	DETAIL=$out res setup-status "$why"

	out=$(setup_ west start 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="second start: status $rc"
	[ -z "$why" ] && ! grep -q 'already running' <<<"$out" && why="second start does not say 'already running'"
	[ -z "$why" ] && grep -q 'added connection' <<<"$out" && why="second start added the conns again"
	[ -z "$why" ] && [ "$(grep -c 'added connection "c-one"' "$d/log")" != 1 ] &&
		why="pluto's log shows $(grep -c 'added connection "c-one"' "$d/log") adds of c-one"
	[ -z "$why" ] && [ "$(ip netns pids "$NS_WEST" | wc -l)" != 1 ] && why="more than one process in the namespace"
	DETAIL=$out res setup-start-again "$why"

	out=$(setup_ west restart 2>&1)
	rc=$?
	track_pid west
	p2=$(sed -n 's/.*pluto is running (pid \([0-9]*\).*/\1/p' <<<"$out")
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && alive "$S_PID" && why="the old pluto ($S_PID) still runs"
	[ -z "$why" ] && { [ -z "$p2" ] || [ "$p2" = "$S_PID" ]; } && why="no new pluto (pid '$p2')"
	[ -z "$why" ] && [ "$(cat "$d/run/pluto.pid" 2>/dev/null)" != "$p2" ] && why="pluto.pid does not hold the new pid $p2"
	out2=$(setup_ west status 2>&1) || why="status after restart: $out2"
	[ -z "$why" ] && ! grep -q "pid $p2," <<<"$out2" && why="status does not show the new pid: $out2"
	[ -z "$why" ] && ! jx_is west '"c-one" in conns' True && why="c-one is not loaded after restart"
	DETAIL=$out res setup-restart "$why"

	out=$(setup_ west stop 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && alive "$p2" && why="pluto ($p2) still runs after stop returned"
	[ -z "$why" ] && [ -e "$d/run/pluto.ctl" ] && why="pluto.ctl is left"
	[ -z "$why" ] && [ -e "$d/run/pluto.pid" ] && why="pluto.pid is left"
	if [ -z "$why" ]; then
		out2=$(setup_ west status 2>&1)
		rc=$?
		[ $rc = 3 ] || why="status after stop: $rc, not 3 ($out2)"
	fi
	if [ -z "$why" ]; then
		out2=$(setup_ west stop 2>&1)
		rc=$?
		[ $rc = 0 ] && grep -q 'not running' <<<"$out2" || why="stop when stopped: status $rc: $out2"
	fi
	DETAIL=$out res setup-stop "$why"
	phase_end west
}

# ---- config setup -> pluto's command line ----------------------------------------

# a UDP port in /proc/net/udp of HOST's namespace (any address)
udp_listening() {
	local port
	port=$(printf '%04X' "$2")
	in_ns "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null | awk -v p=":$port" '$2 ~ p"$" { f = 1 } END { exit !f }'
}

group_mapping() {
	PHASE=mapping LOGS=west
	local d why rc out
	d=$(hdir west)
	new_host west
	mkdir -p "$d/dump"
	{
		conf_setup west plutodebug=control 'plutoopts="--ikeport 40500 --natikeport 44500"' \
			"prepluto=\"if [ -e $d/run/pluto.ctl ]; then echo early; else echo before; fi >$d/prepluto.mark\"" \
			"postpluto=\"if [ -S $d/run/pluto.ctl ]; then echo after; else echo missing; fi >$d/postpluto.mark\"" \
			"dumpdir=$d/dump"
		conn_def c-one
	} >"$d/ipsec.conf"
	start_host west
	if [ "$S_RC" != 0 ] || [ -z "$S_PID" ]; then
		DETAIL=$S_OUT res setup-mapping-start "setup start: status $S_RC"
		phase_end west
		return
	fi

	why=
	if [ ! -s "$d/log" ]; then why="plutostderrlog=$d/log is empty or missing"
	elif ! grep -q 'pluto ready' "$d/log"; then why="no 'pluto ready' in plutostderrlog"
	elif ! grep -q -- "--stderrlog --logfile $d/log" <<<"$S_OUT"; then why="setup did not pass --stderrlog --logfile"
	fi
	DETAIL=$S_OUT res setup-plutostderrlog "$why"

	why=
	if ! grep -q ': | ' "$d/log"; then why="plutodebug=control: no debug lines in the log"
	elif [ -f "$WORK/lifecycle/west/log" ] && grep -q ': | ' "$WORK/lifecycle/west/log"; then
		why="debug lines without plutodebug (lifecycle's log)"
	fi
	res setup-plutodebug "$why"

	why=
	udp_listening west 40500 || why="nothing listens on UDP 40500"
	[ -z "$why" ] && ! udp_listening west 44500 && why="nothing listens on UDP 44500"
	[ -z "$why" ] && udp_listening west 500 && why="pluto still listens on 500"
	res setup-plutoopts "$why"

	why=
	[ "$(cat "$d/prepluto.mark" 2>/dev/null)" = before ] || why="prepluto marker: '$(cat "$d/prepluto.mark" 2>/dev/null)', want 'before'"
	[ -z "$why" ] && [ "$(cat "$d/postpluto.mark" 2>/dev/null)" != after ] &&
		why="postpluto marker: '$(cat "$d/postpluto.mark" 2>/dev/null)', want 'after'"
	DETAIL=$S_OUT res setup-prepluto-postpluto "$why"

	why=
	[ "$(readlink "/proc/$S_PID/cwd")" = "$d/dump" ] || why="/proc/$S_PID/cwd is $(readlink "/proc/$S_PID/cwd"), not $d/dump"
	res setup-dumpdir "$why"
	phase_end west
}

# ---- start refusals -------------------------------------------------------------

group_refusals() {
	PHASE=refusals LOGS=
	local d why out rc
	d=$(hdir west)
	new_host west

	{ conf_setup west 'prepluto="echo prepluto-ran >'"$d"'/pre.mark; exit 3"'; conn_def c-one; } >"$d/ipsec.conf"
	out=$(setup_ west start 2>&1)
	rc=$?
	why=
	[ $rc = 1 ] || why="status $rc, not 1"
	[ -z "$why" ] && [ ! -f "$d/pre.mark" ] && why="prepluto did not run"
	[ -z "$why" ] && ! grep -q 'prepluto failed with status 3' <<<"$out" && why="no 'prepluto failed with status 3'"
	[ -z "$why" ] && { [ -e "$d/run/pluto.ctl" ] || ! ns_idle west; } && why="pluto was started"
	DETAIL=$out res setup-prepluto-fails "$why"
	phase_end west

	{ conf_setup west pluto=no; conn_def c-one; } >"$d/ipsec.conf"
	out=$(setup_ west start 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! grep -q 'pluto=no' <<<"$out" && why="start does not say why nothing started"
	[ -z "$why" ] && { [ -e "$d/run/pluto.ctl" ] || ! ns_idle west; } && why="pluto was started"
	[ -z "$why" ] && grep -q 'added connection' <<<"$out" && why="conns were sent"
	DETAIL=$out res setup-pluto-no "$why"
	phase_end west

	{ conf_setup west; conn_def c-one; } >"$d/ipsec.conf"
	PLUTO_ARGS=(--kernel bogus)
	out=$(setup_ west start 2>&1)
	rc=$?
	PLUTO_ARGS=()
	why=
	[ $rc = 1 ] || why="status $rc, not 1"
	[ -z "$why" ] && ! grep -q 'pluto: --kernel bogus: expected xfrm or none' <<<"$out" && why="pluto's own message is not shown"
	[ -z "$why" ] && ! grep -q 'pluto did not start' <<<"$out" && why="no 'pluto did not start'"
	[ -z "$why" ] && { [ -e "$d/run/pluto.ctl" ] || ! ns_idle west; } && why="a pluto is left running"
	DETAIL=$out res setup-bad-pluto-option "$why"
	phase_end west

	# a configuration error: exit 2 with FILE:LINE, the good conns still applied
	{ conf_setup west; conn_def c-one; conn_def c-bad left=not/an/address; } >"$d/ipsec.conf"
	start_host west
	why=
	[ "$S_RC" = 2 ] || why="status $S_RC, not 2"
	local line
	line=$(grep -n 'left=not/an/address' "$d/ipsec.conf" | cut -d: -f1)
	[ -z "$why" ] && ! grep -qE "^$d/ipsec.conf:$line(:[0-9]+)?: error: " <<<"$S_OUT" && why="no $d/ipsec.conf:$line: error: message"
	[ -z "$why" ] && ! jx_is west '"c-one" in conns and "c-bad" not in conns' True && why="c-one should be loaded and c-bad not"
	LOGS=west DETAIL=$S_OUT res setup-config-error "$why"
	phase_end west
}

# ---- no pluto; configuration errors -------------------------------------------------

group_nopluto() {
	PHASE=nopluto LOGS=
	local d why out rc cmd
	d=$(hdir west)
	new_host west
	{ conf_setup west; conn_def c-one; conn_def c-bad 'rightsubnet=203.0.113.0/33'; } >"$d/ipsec.conf"
	why=
	for cmd in "auto --status" "auto --add c-one" "auto --up c-one" "auto --down c-one" "auto --delete c-one" \
		"auto --rereadsecrets" "whack --ping" "whack --status --json" "whack --name c-one --initiate" "whack --shutdown"; do
		# shellcheck disable=SC2086  # the words of cmd
		set -- $cmd
		local tool=$1
		shift
		out=$(${tool}_ west "$@" 2>&1)
		rc=$?
		if [ $rc != 1 ]; then why="$cmd: status $rc, not 1"; break; fi
		if ! grep -qF "$d/run/pluto.ctl" <<<"$out"; then why="$cmd does not name $d/run/pluto.ctl"; DETAIL=$out; break; fi
	done
	res tools-no-pluto "$why"

	out=$(setup_ west status 2>&1)
	rc=$?
	why=
	[ $rc = 3 ] || why="status $rc, not 3"
	[ -z "$why" ] && ! grep -q 'not running' <<<"$out" && why="does not say 'not running'"
	DETAIL=$out res setup-status-not-running "$why"

	# the error comes before any attempt to reach pluto
	out=$(auto_ west --add c-bad 2>&1)
	rc=$?
	why=
	[ $rc = 2 ] || why="status $rc, not 2"
	local line
	line=$(grep -n '203.0.113.0/33' "$d/ipsec.conf" | cut -d: -f1)
	[ -z "$why" ] && ! grep -qE "^$d/ipsec.conf:$line:[0-9]+: error: " <<<"$out" && why="no $d/ipsec.conf:$line:COL: error: message"
	DETAIL=$out res auto-config-error "$why"
}

# ---- two plutos: auto= at start, ipsec auto, ipsec whack -----------------------------

west_conf() {   # the west side; $1: c-multi's leftsubnets, $2: c-add's rightid
	local d
	d=$(hdir west)
	conf_setup west
	conn_def c-add leftsubnet=198.51.100.0/26 rightsubnet=203.0.113.0/26 "rightid=${2:-@east}"
	conn_def c-route leftsubnet=198.51.100.64/26 rightsubnet=203.0.113.64/26 auto=route
	conn_def c-start leftsubnet=198.51.100.128/26 rightsubnet=203.0.113.128/26 auto=start
	conn_def c-ignore leftsubnet=198.51.100.0/27 auto=ignore
	conn_def c-multi leftsubnet= "leftsubnets={${1:-198.51.100.192/27 198.51.100.224/27}}" rightsubnet=203.0.113.192/26
	conn_def c-grp right=%group rightid= rightsubnet=
	conn_def c-late left=198.18.0.11 auto=ignore
	conn_def c-silent right=198.18.0.3 rightsubnet=203.0.113.240/28 auto=ignore
}

group_pair() {
	PHASE=pair LOGS="west east"
	local w e why out rc t n
	w=$(hdir west)
	e=$(hdir east)
	new_host west
	new_host east
	mkdir -p "$w/ipsec.d/policy"
	printf '# a policy group\n203.0.113.7/32\n203.0.113.16/28\n' >"$w/ipsec.d/policy/c-grp"
	west_conf >"$w/ipsec.conf"
	{
		conf_setup east
		conn_def c-start leftsubnet=198.51.100.128/26 rightsubnet=203.0.113.128/26
		conn_def c-multi leftsubnet= "leftsubnets={198.51.100.192/27 198.51.100.224/27}" rightsubnet=203.0.113.192/26
	} >"$e/ipsec.conf"

	start_host east
	local east_out=$S_OUT east_rc=$S_RC
	# a short retransmission budget: auto-up-silent-peer waits for it
	PLUTO_ARGS=(--retransmit-timeout 4)
	start_host west
	PLUTO_ARGS=()
	if [ "$east_rc" != 0 ] || [ "$S_RC" != 0 ]; then
		DETAIL="$east_out
$S_OUT" res start-auto "setup start: east $east_rc, west $S_RC"
		phase_end west east
		return
	fi
	local west_pid=$S_PID

	# auto= applied by start
	why=
	grep -q 'conns: 7 added, 1 routed, 1 initiated' <<<"$S_OUT" || why="setup does not report 7 added, 1 routed, 1 initiated"
	[ -z "$why" ] && ! jx_is west '"c-add" in conns and not conns["c-add"]["routed"]' True && why="c-add is not loaded (unrouted)"
	DETAIL=$S_OUT res start-auto-add "$why"
	why=
	jx_is west 'conns["c-route"]["routed"]' True || why="c-route is not routed: $(jx west 'conns.get("c-route")')"
	res start-auto-route "$why"
	why=
	wait_jx "$T_NEG" west 'ike("c-start"), child("c-start")' '(1, 1)' || why="west: IKE, Child SAs of c-start: $(jx west 'ike("c-start"), child("c-start")')"
	[ -z "$why" ] && ! wait_jx 5 east 'ike("c-start"), child("c-start")' '(1, 1)' && why="east has no IKE and Child SA"
	res start-auto-start "$why"
	why=
	out=$(jx west 'sorted(conns)')
	[ "$out" = "['c-add', 'c-grp#203.0.113.16/28', 'c-grp#203.0.113.7/32', 'c-multi/1x0', 'c-multi/2x0', 'c-route', 'c-start']" ] ||
		why="loaded: $out"
	res start-auto-ignore "$why"
	why=
	jx_is west '"c-multi" not in conns and conns["c-multi/2x0"]["left"]["client"]' 198.51.100.224/27 ||
		why="leftsubnets instances: $(jx west '[n for n in conns if n.startswith("c-multi")]')"
	res start-leftsubnets-instances "$why"
	why=
	jx_is west 'conns["c-grp#203.0.113.7/32"]["right"]["host"], "c-grp" in conns' "('203.0.113.7', False)" ||
		why="policy group: $(jx west '[n for n in conns if n.startswith("c-grp")]')"
	res start-group-instances "$why"

	# ipsec auto
	out=$(auto_ west --status --json 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! "$PY" -m json.tool <<<"$out" >/dev/null 2>&1 && why="not JSON"
	DETAIL=$out res auto-status-json "$why"

	out=$(auto_ west --status c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && [ "$(grep -c '^"' <<<"$out")" != 1 ] && why="not one conn line"
	[ -z "$why" ] && ! grep -q '^"c-add": ' <<<"$out" && why="no line for c-add"
	[ -z "$why" ] && grep -q 'c-start\|c-route' <<<"$out" && why="other conns shown"
	[ -z "$why" ] && ! auto_ west --status --json c-add 2>/dev/null | "$PY" -c 'import json,sys; d=json.load(sys.stdin); sys.exit([c["name"] for c in d["connections"]] != ["c-add"])' &&
		why="--status --json c-add does not show c-add alone"
	if [ -z "$why" ]; then
		out=$(auto_ west --status nosuch 2>&1)
		rc=$?
		[ $rc = 3 ] && grep -q 'no connection named "nosuch"' <<<"$out" || why="--status nosuch: status $rc: $out"
	fi
	DETAIL=$out res auto-status-name "$why"

	out=$(auto_ west --delete c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west '"c-add" in conns' False && why="c-add is still loaded"
	DETAIL=$out res auto-delete "$why"

	out=$(auto_ west --add c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'conns["c-add"]["right"]["id"]' @east && why="c-add is not loaded again"
	DETAIL=$out res auto-add "$why"

	west_conf "" @east-two >"$w/ipsec.conf"
	out=$(auto_ west --replace c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'conns["c-add"]["right"]["id"]' @east-two && why="c-add's rightid is $(jx west 'conns["c-add"]["right"]["id"]')"
	DETAIL=$out res auto-replace "$why"

	out=$(auto_ west --route c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'conns["c-add"]["routed"]' True && why="c-add is not routed"
	[ -z "$why" ] && ! auto_ west --status c-add 2>/dev/null | grep -q '; routed' && why="--status does not say routed"
	DETAIL=$out res auto-route "$why"

	out=$(auto_ west --unroute c-add 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'conns["c-add"]["routed"]' False && why="c-add is still routed"
	DETAIL=$out res auto-unroute "$why"

	# a conn with instances: route, unroute, delete and add act on all of them
	why=
	out=$(auto_ west --route c-multi 2>&1) || why="--route c-multi: status $?"
	[ -z "$why" ] && ! jx_is west '[conns[n]["routed"] for n in ("c-multi/1x0", "c-multi/2x0")]' '[True, True]' && why="instances not routed"
	[ -z "$why" ] && { out=$(auto_ west --unroute c-multi 2>&1) || why="--unroute c-multi: status $?"; }
	[ -z "$why" ] && ! jx_is west '[conns[n]["routed"] for n in ("c-multi/1x0", "c-multi/2x0")]' '[False, False]' && why="instances still routed"
	[ -z "$why" ] && { out=$(auto_ west --up c-multi 2>&1) || why="--up c-multi: status $?"; }
	[ -z "$why" ] && ! jx_is west 'child("c-multi/1x0"), child("c-multi/2x0")' '(1, 1)' && why="--up c-multi: not a Child SA for each instance"
	[ -z "$why" ] && { out=$(auto_ west --down c-multi 2>&1) || why="--down c-multi: status $?"; }
	[ -z "$why" ] && ! jx_is west 'sum(ike(n) + child(n) for n in conns if n.startswith("c-multi"))' 0 && why="--down c-multi left SAs"
	[ -z "$why" ] && { out=$(auto_ west --delete c-multi 2>&1) || why="--delete c-multi: status $?"; }
	[ -z "$why" ] && ! jx_is west 'len([n for n in conns if n.startswith("c-multi")])' 0 && why="instances still loaded after --delete"
	[ -z "$why" ] && { out=$(auto_ west --add c-multi 2>&1) || why="--add c-multi: status $?"; }
	[ -z "$why" ] && ! jx_is west 'sorted(n for n in conns if n.startswith("c-multi"))' "['c-multi/1x0', 'c-multi/2x0']" && why="instances not added"
	DETAIL=$out res auto-instances "$why"

	# --replace after an instance left the configuration
	west_conf "198.51.100.192/27" @east-two >"$w/ipsec.conf"
	out=$(auto_ west --replace c-multi 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'sorted(n for n in conns if n.startswith("c-multi"))' "['c-multi/1x0']" &&
		why="loaded after --replace: $(jx west 'sorted(n for n in conns if n.startswith("c-multi"))')"
	DETAIL=$out res auto-replace-instances "$why"
	west_conf "" @east-two >"$w/ipsec.conf"

	out=$(auto_ west --down c-start 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'ike("c-start"), child("c-start"), "c-start" in conns' '(0, 0, True)' &&
		why="west: $(jx west 'ike("c-start"), child("c-start"), "c-start" in conns') (IKE, Child, loaded)"
	[ -z "$why" ] && ! wait_jx 5 east 'ike("c-start"), child("c-start")' '(0, 0)' && why="east kept its SAs"
	DETAIL=$out res auto-down "$why"

	t=$(now_ms)
	out=$(auto_ west --up c-start 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! grep -q 'established Child SA' <<<"$out" && why="no progress line 'established Child SA'"
	[ -z "$why" ] && ! jx_is west 'child("c-start")' 1 && why="west has no Child SA after --up returned"
	[ -z "$why" ] && ! wait_jx 5 east 'child("c-start")' 1 && why="east has no Child SA"
	DETAIL=$out res auto-up "$why"

	auto_ west --down c-start >/dev/null 2>&1
	t=$(now_ms)
	out=$(auto_ west --up --asynchronous c-start 2>&1)
	rc=$?
	t=$(($(now_ms) - t))
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && grep -q 'established Child SA' <<<"$out" && why="it waited for the outcome"
	[ -z "$why" ] && ! wait_jx "$T_NEG" west 'child("c-start")' 1 && why="the Child SA did not come up afterwards"
	DETAIL="$out (${t} ms)" res auto-up-async "$why"

	# wrong PSK through --rereadsecrets, then the right one again
	printf '@west @east : PSK "%s"\n' "not-the-psk" >"$w/ipsec.secrets"
	out=$(auto_ west --rereadsecrets 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! grep -q "1 secrets loaded from $w/ipsec.secrets" <<<"$out" && why="no '1 secrets loaded'"
	DETAIL=$out res auto-rereadsecrets "$why"

	auto_ west --down c-start >/dev/null 2>&1
	out=$(auto_ west --up c-start 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] && why="--up succeeded with the wrong PSK"
	[ -z "$why" ] && [ $rc = 1 ] && why="status 1 (the tools' 'cannot reach pluto')"
	[ -z "$why" ] && ! grep -q 'AUTHENTICATION_FAILED' <<<"$out" && why="pluto's reason (AUTHENTICATION_FAILED) is not shown"
	# the reason reaches the client once (the IKE SA's log line), not also
	# as a separate reply
	n=$(grep -c 'negotiation failed: IKE_AUTH answered with AUTHENTICATION_FAILED' <<<"$out")
	[ -z "$why" ] && [ "$n" != 1 ] && why="pluto's reason is shown $n times, want once"
	[ -z "$why" ] && ! jx_is west 'child("c-start")' 0 && why="west has a Child SA"
	# keyingtries=%forever (the default): pluto tries again, and says so; --down
	# ends that
	[ -z "$why" ] && ! grep -q 'keying attempt 2 of an unlimited number (keyingtries=%forever) in 1 s; pluto goes on in the background' <<<"$out" &&
		why="--up does not say that pluto tries again"
	if [ -z "$why" ]; then
		auto_ west --down c-start >/dev/null 2>&1 || why="--down after the refused --up: status $?"
		[ -z "$why" ] && ! jx_is west 'ike("c-start"), conns["c-start"]["keying_attempt"]' '(0, 0)' &&
			why="after --down: $(jx west 'ike("c-start"), conns["c-start"]["keying_attempt"]') (IKE SAs, keying attempt)"
	fi
	DETAIL="status $rc: $out" res auto-up-wrong-psk "$why"

	printf '@west @east : PSK "%s"\n' "$PSK" >"$w/ipsec.secrets"
	why=
	auto_ west --rereadsecrets >/dev/null 2>&1 || why="--rereadsecrets: status $?"
	[ -z "$why" ] && { out=$(auto_ west --up c-start 2>&1) || why="--up with the PSK read again: status $?"; }
	DETAIL=$out res auto-rereadsecrets-effect "$why"

	# --ready: an address that appears after start
	why=
	auto_ west --add c-late >/dev/null 2>&1 || why="--add c-late: status $?"
	[ -z "$why" ] && ! jx_is west 'conns["c-late"]["local"]' '' && why="c-late is oriented before its address exists"
	if [ -z "$why" ]; then
		ip -n "$NS_WEST" addr add 198.18.0.11/24 dev eth0
		out=$(auto_ west --ready 2>&1)
		rc=$?
		[ $rc = 0 ] || why="status $rc"
	fi
	[ -z "$why" ] && ! jx_is west 'conns["c-late"]["local"]' left && why="c-late is not oriented after --ready"
	[ -z "$why" ] && ! in_ns west ss -Hlun 2>/dev/null | grep -q '198\.18\.0\.11:500 ' && why="pluto does not listen on 198.18.0.11:500"
	DETAIL=$out res auto-ready "$why"

	# a silent peer: --up ends when the first keying attempt has run out of
	# retransmissions (west runs with --retransmit-timeout 4; 60 s by
	# default), with that reason once and a line saying pluto goes on
	# (keyingtries=%forever by default); --down ends the attempts
	auto_ west --add c-silent >/dev/null 2>&1
	t=$(now_ms)
	out=$(timeout 30 ip netns exec "$NS_WEST" "$IPSEC" auto --config "$w/ipsec.conf" --rundir "$w/run" --up c-silent 2>&1)
	rc=$?
	t=$(($(now_ms) - t))
	why=
	[ $rc = 124 ] && why="--up did not return within 30 s"
	[ -z "$why" ] && [ $rc = 0 ] && why="--up succeeded"
	[ -z "$why" ] && [ $rc = 1 ] && why="status 1 (the tools' 'cannot reach pluto')"
	[ -z "$why" ] && { [ $t -lt 3500 ] || [ $t -gt 15000 ]; } && why="--up returned after $t ms, want ~4 s"
	n=$(grep -c 'negotiation failed: no answer to IKE_SA_INIT' <<<"$out")
	[ -z "$why" ] && [ "$n" != 1 ] && why="the reason is shown $n times, want once"
	[ -z "$why" ] && ! grep -q 'starting keying attempt 2 of an unlimited number (keyingtries=%forever); pluto goes on in the background' <<<"$out" &&
		why="--up does not say that pluto goes on"
	[ -z "$why" ] && ! jx_is west 'conns["c-silent"]["keying_attempt"]' 2 && why="c-silent's keying attempt is $(jx west 'conns["c-silent"]["keying_attempt"]'), want 2"
	if [ -z "$why" ]; then
		auto_ west --down c-silent >/dev/null 2>&1 || why="--down c-silent: status $?"
		[ -z "$why" ] && ! jx_is west 'ike("c-silent"), conns["c-silent"]["keying_attempt"]' '(0, 0)' &&
			why="after --down: $(jx west 'ike("c-silent"), conns["c-silent"]["keying_attempt"]') (IKE SAs, keying attempt)"
	fi
	DETAIL="status $rc after $t ms: $out" res auto-up-silent-peer "$why"

	out=$(auto_ west --up nosuch 2>&1)
	rc=$?
	why=
	[ $rc = 3 ] || why="status $rc, not 3"
	[ -z "$why" ] && ! grep -q 'no connection named "nosuch"' <<<"$out" && why="pluto's reason is not shown"
	DETAIL=$out res auto-refused "$why"

	# ipsec whack
	out=$(whack_ west --ping 2>&1)
	rc=$?
	DETAIL=$out res whack-ping "$([ $rc = 0 ] || echo "status $rc")"

	out=$(whack_ west --status --json 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! "$PY" -m json.tool <<<"$out" >/dev/null 2>&1 && why="not JSON"
	[ -z "$why" ] && ! grep -q '"c-start"' <<<"$out" && why="c-start is not in it"
	DETAIL=$out res whack-status-json "$why"

	out=$(whack_ west --name c-start --terminate 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'ike("c-start"), child("c-start")' '(0, 0)' && why="west kept SAs"
	[ -z "$why" ] && ! wait_jx 5 east 'ike("c-start")' 0 && why="east kept its IKE SA"
	DETAIL=$out res whack-terminate "$why"

	out=$(whack_ west --name c-start --initiate 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west 'child("c-start")' 1 && why="no Child SA"
	[ -z "$why" ] && ! wait_jx 5 east 'child("c-start")' 1 && why="east has no Child SA"
	DETAIL=$out res whack-initiate "$why"

	out=$(whack_ west --name c-route --delete 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! jx_is west '"c-route" in conns' False && why="c-route is still loaded"
	DETAIL=$out res whack-delete "$why"

	out=$(whack_ west --shutdown 2>&1)
	rc=$?
	why=
	[ $rc = 0 ] || why="status $rc"
	[ -z "$why" ] && ! wait_gone 10 "$west_pid" && why="pluto ($west_pid) did not exit"
	[ -z "$why" ] && [ -e "$w/run/pluto.ctl" ] && why="pluto.ctl is left"
	if [ -z "$why" ]; then
		out=$(setup_ west status 2>&1)
		rc=$?
		[ $rc = 3 ] || why="setup status after shutdown: $rc, not 3"
	fi
	DETAIL=$out res whack-shutdown "$why"
	phase_end west east
}

# ---- main --------------------------------------------------------------------------

if ! netns_up "t$$" >"$WORK/netns.out" 2>&1; then
	echo "FAIL pluto-tools: cannot make the network namespaces: $(tr '\n' ' ' <"$WORK/netns.out")"
	exit 0
fi
for g in lifecycle mapping refusals nopluto pair; do
	want "$g" || continue
	"group_$g"
done
echo "pluto-tools: $(( ($(now_ms) - T0) / 1000 )) s"
exit 0
