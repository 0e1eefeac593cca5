#!/usr/bin/env bash
# testing/pluto/run-scenario.sh [OPTIONS] NAME...: run interop scenarios.
#
# For each testing/pluto/scenarios/NAME: bring the two-host topology up in
# namespaces of its own (lib/netns.sh), start the west and east hosts
# (lib/peers.sh), initiate from $INITIATOR, wait (bounded) until both sides
# report the SAs, and check. The checks depend on the kernel, which is probed
# with a throw-away ESP SA:
#
#   tier 1 (no ESP in this kernel, or --ike-only): both sides report the IKE
#          SA established. (Child SAs cannot be installed.)
#   tier 2 (ESP): both sides report the Child SA; PING_COUNT pings from
#          198.51.100.1 to 203.0.113.1 all answered; and, the primary check,
#          the packet counters of the kernel's ESP SAs (`ip -s xfrm state`)
#          grew by at least PING_COUNT in each direction on both hosts.
#
# Prints one line per scenario: PASS NAME (...) | FAIL NAME: WHY | SKIP NAME: WHY
# and detail lines starting with spaces. Always tears down what it started.
# Logs, status and xfrm dumps go to build/testing/pluto/results/NAME.tierN/.
#
# Options:
#   --ike-only      tier 1 checks even when the kernel has ESP
#   --require-esp   FAIL (instead of falling back to tier 1) when the kernel
#                   has no ESP: used inside the UML guest
#   --keep          keep the run directory (its path is printed)
#   -v              print the daemons' logs of failed scenarios
#
# scenario.env (sourced): WEST, EAST = host kinds (libreswan|strongswan|cygnet;
# default from the files in west/ and east/), INITIATOR=west|east, CONN (or
# WEST_CONN/EAST_CONN), CHILD (swanctl child name), EXPECT=up|down (down: no
# IKE SA may come up, e.g. a PSK mismatch), PING_COUNT (default 3),
# ESTABLISH_WAIT (seconds, default 20), DESCRIPTION, PING_SRC and PING_DST
# (default the two subnets' addresses; transport mode: the hosts' own
# 198.18.0.1 and 198.18.0.2), HARNESS_PING (default yes; no: tier 2 has
# no ping and counter check here, check.sh must check the data path, e.g.
# when SAs rekey every few seconds and take counted packets away with
# them). INITIATOR=trap: nobody
# initiates; a first packet from west's subnet to east's does, through
# west's auto=route trap policy (tier 2: the host kernel has no trap here).
# Optional executables beside scenario.env: prep.sh RUNDIR runs once both
# host directories are copied (e.g. to make RSA host keys and put the public
# keys into both configs); check.sh RUNDIR runs last, in tier 2 only, after
# the ping (e.g. to inspect what an updown script recorded, kill a peer,
# ping more pairs; with EXPECT=down, after nothing came up: why not): a
# non-zero exit fails the scenario with its last output
# line; its output is kept as check.log. It gets in its environment:
# NS_WEST NS_EAST NS_ROUTER (the namespaces; NS_ROUTER empty unless
# TOPOLOGY=nat), PING_BIN, WEST EAST (host kinds), WEST_CONN EAST_CONN CHILD,
# RUN (= RUNDIR: RUN/west, RUN/east are the host directories, each with
# daemon.pid), OUT (the results directory), TIER, PING_COUNT, TOPOLOGY,
# WEST_ADDR WEST_SEEN (west's address, and as east sees it), PLUTO_T,
# CYGNET_BUILD, HARNESS_ESP; lib/checks.sh has helpers for it.
# TOPOLOGY (words): nat - west behind a masquerading router namespace;
# subnets - second addresses 198.51.100.129 and 203.0.113.129 (lib/netns.sh).
# Exit status: 0 unless a scenario FAILed.
# shellcheck disable=SC2317  # functions called by traps and wait_until
set -uo pipefail
PLUTO_T=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib/common.sh
. "$PLUTO_T/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/netns.sh
. "$PLUTO_T/lib/netns.sh"
# shellcheck source=SCRIPTDIR/lib/peers.sh
. "$PLUTO_T/lib/peers.sh"

IKE_ONLY=0 REQUIRE_ESP=0 KEEP=0 VERBOSE=0
while [ $# -gt 0 ]; do
	case $1 in
	--ike-only) IKE_ONLY=1 ;;
	--require-esp) REQUIRE_ESP=1 ;;
	--keep) KEEP=1 ;;
	-v) VERBOSE=1 ;;
	--) shift; break ;;
	-*) echo "usage: $0 [--ike-only] [--require-esp] [--keep] [-v] NAME..." >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || { echo "usage: $0 [--ike-only] [--require-esp] [--keep] [-v] NAME..." >&2; exit 2; }

if [ "$(id -u)" != 0 ]; then
	for n in "$@"; do echo "SKIP $n: needs root (network namespaces)"; done
	exit 0
fi

if esp_supported; then HARNESS_ESP=yes; else HARNESS_ESP=no; fi
export HARNESS_ESP
TIER=1
[ $HARNESS_ESP = yes ] && [ $IKE_ONLY = 0 ] && TIER=2
RESULTS=${RESULTS:-$REPO/build/testing/pluto/results}

detail() { echo "    $*"; }

# run_one NAME IDX: one scenario, in a subshell (own traps, own variables)
run_one() (
	name=$1 idx=$2
	src=$PLUTO_T/scenarios/$name
	label="tier $TIER"
	result() {  # PASS|FAIL|SKIP TEXT
		case $1 in
		PASS) echo "PASS $name ($label: $2)" ;;
		*) echo "$1 $name: $label: $2" ;;
		esac
	}
	if [ ! -f "$src/scenario.env" ]; then result FAIL "no $src/scenario.env"; exit 1; fi
	if [ $REQUIRE_ESP = 1 ] && [ $HARNESS_ESP != yes ]; then
		result FAIL "this kernel cannot hold an ESP SA (modules not loaded?)"; exit 1
	fi
	WEST='' EAST='' INITIATOR=west CONN=west-east WEST_CONN='' EAST_CONN='' CHILD=net
	EXPECT=up PING_COUNT=3 ESTABLISH_WAIT=20 DESCRIPTION='' TOPOLOGY='' HARNESS_PING=yes
	PING_SRC=$WEST_LAN PING_DST=$EAST_LAN   # transport mode: the hosts themselves
	# shellcheck disable=SC1091
	. "$src/scenario.env" || { result FAIL "cannot read scenario.env"; exit 1; }
	WEST_CONN=${WEST_CONN:-$CONN} EAST_CONN=${EAST_CONN:-$CONN}
	case $INITIATOR in west | east | trap) ;; *) result FAIL "INITIATOR must be west, east or trap"; exit 1 ;; esac
	WEST=${WEST:-$(host_kind_of "$src/west")} || { result FAIL "cannot tell the kind of west"; exit 1; }
	EAST=${EAST:-$(host_kind_of "$src/east")} || { result FAIL "cannot tell the kind of east"; exit 1; }

	# NSS dbs and sockets live here: on the guest's tmpfs under UML; never
	# below /run (charon gets a private /run)
	RUN=${TMPDIR:-/tmp}/cygnet-pluto.$$.$idx.$RANDOM
	mkdir -m 700 "$RUN" || { result FAIL "cannot create $RUN"; exit 1; }
	OUT=$RESULTS/$name.tier$TIER
	rm -rf "$OUT"; mkdir -p "$OUT"
	cleanup() {
		local h
		trap '' INT TERM   # a second signal must not cut the teardown short
		if [ -n "${NS_WEST:-}" ]; then
			stop_host "$WEST" "$NS_WEST" "$RUN/west" >/dev/null 2>&1
			stop_host "$EAST" "$NS_EAST" "$RUN/east" >/dev/null 2>&1
		fi
		netns_down
		# keep the logs and configs (not NSS dbs or sockets)
		local files=() f
		for h in west east; do
			[ -d "$RUN/$h" ] || continue
			mkdir -p "$OUT/$h"
			files=()
			for f in "$RUN/$h"/*.log "$RUN/$h"/*.conf "$RUN/$h"/*.stdout "$RUN/$h"/ipsec.secrets; do
				[ -f "$f" ] && files+=("$f")
			done
			[ ${#files[@]} = 0 ] || cp "${files[@]}" "$OUT/$h/" 2>/dev/null
		done
		if [ "$KEEP" = 1 ]; then detail "run directory kept: $RUN"; else rm -rf "$RUN"; fi
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	cp -rL "$src/west" "$src/east" "$RUN/" || { result FAIL "cannot copy the host directories"; exit 1; }
	if [ -x "$src/prep.sh" ]; then
		CYGNET_BUILD=${CYGNET_BUILD:-$REPO/build} "$src/prep.sh" "$RUN" >"$RUN/prep.log" 2>&1 ||
			{ result FAIL "prep.sh: $(tail -1 "$RUN/prep.log")"; exit 1; }
	fi
	t0=$(now_ms)
	[ -n "$DESCRIPTION" ] && detail "$DESCRIPTION"
	for h in west east; do
		kind=$WEST; [ $h = east ] && kind=$EAST
		prepare_host "$kind" "$RUN/$h" || { result FAIL "$h ($kind): $HOST_WHY"; exit 1; }
	done
	if ! netns_up "$$-$idx" 2>"$RUN/netns.err"; then
		result FAIL "topology: $(tr '\n' ' ' <"$RUN/netns.err")"; exit 1
	fi
	tn=$(now_ms) startms=
	for h in west east; do
		kind=$WEST ns=$NS_WEST
		[ $h = east ] && kind=$EAST ns=$NS_EAST
		start_host "$kind" "$ns" "$RUN/$h"
		st=$?
		[ $st = "$H_SKIP" ] && { result SKIP "$h ($kind): $HOST_WHY"; exit 0; }
		[ $st = 0 ] || { result FAIL "$h ($kind) did not start: $HOST_WHY"; exit 1; }
		startms+=" $h $(($(now_ms) - tn))ms"; tn=$(now_ms)
	done
	t1=$(now_ms)

	if [ "$INITIATOR" = trap ]; then
		# the first packet is caught by west's trap policy: its ACQUIRE
		# starts the negotiation (the packet itself may be lost)
		pingb=$(ping_bin) || { result FAIL "no ping binary"; exit 1; }
		ip netns exec "$NS_WEST" "$pingb" -c 1 -W 1 -I "$PING_SRC" "$PING_DST" >"$RUN/initiate.log" 2>&1
		irc=0
	elif [ "$INITIATOR" = west ]; then
		ikind=$WEST ins=$NS_WEST iconn=$WEST_CONN
	else
		ikind=$EAST ins=$NS_EAST iconn=$EAST_CONN
	fi
	if [ "$INITIATOR" != trap ]; then
		initiate_host "$ikind" "$ins" "$RUN/$INITIATOR" "$iconn" "$CHILD" >"$RUN/initiate.log" 2>&1
		irc=$?
	fi
	cp "$RUN/initiate.log" "$OUT/"
	[ "$irc" = "$H_SKIP" ] && [ -n "${HOST_WHY:-}" ] && { result SKIP "$INITIATOR ($ikind): $HOST_WHY"; exit 0; }
	t2=$(now_ms)

	both() {  # ike_up|child_up: both sides report it
		"$1" "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" "$CHILD" &&
			"$1" "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD"
	}
	either_ike() {
		ike_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" ||
			ike_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN"
	}
	status_dump() {
		{
			for h in west east; do
				kind=$WEST ns=$NS_WEST
				[ $h = east ] && kind=$EAST ns=$NS_EAST
				echo "=== $h ($kind)"
				status_host "$kind" "$ns" "$RUN/$h"
				echo "--- ip -s xfrm state"; ip -n "$ns" -s xfrm state
				echo "--- ip xfrm policy"; ip -n "$ns" xfrm policy
			done
		} >"$OUT/status.txt" 2>&1
	}
	show_logs() {
		[ $VERBOSE = 1 ] || { detail "logs: $OUT"; return; }
		detail "--- initiate"; sed 's/^/    /' "$RUN/initiate.log"
		for f in "$RUN"/west/*.log "$RUN"/east/*.log; do
			detail "--- $f"; tail -30 "$f" | sed 's/^/    /'
		done
	}
	fail() { status_dump; show_logs; result FAIL "$1"; exit 1; }

	# run_check: check.sh RUNDIR with its environment; a failure fails the scenario
	run_check() {
		# check.sh may kill a daemon: its end is no job notice ("Killed")
		# of this shell (netns_down still ends and reaps them)
		disown -a 2>/dev/null
		(
			PING_BIN=${pingb:-} CYGNET_BUILD=${CYGNET_BUILD:-$REPO/build}
			export NS_WEST NS_EAST NS_ROUTER PING_BIN WEST EAST WEST_CONN EAST_CONN CHILD \
				RUN OUT TIER PING_COUNT TOPOLOGY WEST_ADDR WEST_SEEN PLUTO_T CYGNET_BUILD
			exec "$src/check.sh" "$RUN"
		) >"$RUN/check.log" 2>&1
		local crc=$?
		cp "$RUN/check.log" "$OUT/"
		[ $crc = 0 ] || fail "check.sh: $(tail -1 "$RUN/check.log")"
	}

	if [ "$EXPECT" = down ]; then
		# the initiate command has returned; give a late answer a moment
		sleep 1
		if either_ike; then fail "an IKE SA came up, but EXPECT=down"; fi
		# check.sh (in tier 2 only, as for up) says why nothing came up
		if [ $TIER = 2 ] && [ -x "$src/check.sh" ]; then
			run_check
			result PASS "no IKE SA came up, as expected; check.sh passed"
			exit 0
		fi
		result PASS "no IKE SA came up, as expected"
		exit 0
	fi

	what=ike_up; [ $TIER = 2 ] && what=child_up
	if ! wait_until "$ESTABLISH_WAIT" both "$what"; then
		why="initiate exit status $irc"
		if [ $TIER = 2 ]; then
			fail "the Child SA is not up on both sides within ${ESTABLISH_WAIT}s ($why; west: $(child_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" "$CHILD" && echo up || echo down), east: $(child_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD" && echo up || echo down))"
		fi
		fail "the IKE SA is not established on both sides within ${ESTABLISH_WAIT}s ($why; west: $(ike_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" && echo up || echo down), east: $(ike_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" && echo up || echo down))"
	fi
	t3=$(now_ms)

	if [ $TIER = 1 ]; then
		detail "timings: topology+daemons $((t1 - t0))ms (start:$startms), initiate $((t2 - t1))ms, both established $((t3 - t1))ms"
		result PASS "IKE SA established on both sides; this kernel has no ESP, so no Child SA or data path"
		exit 0
	fi

	# tier 2: the data path
	pingb=$(ping_bin) || fail "no ping binary (iputils-ping is unpacked by lib/fetch.sh)"
	bad='' summary='' received=0
	if [ "$HARNESS_PING" = no ]; then
		# SAs that come and go (rekeys every few seconds) would take
		# counted packets away with them: check.sh checks the data path
		[ -x "$src/check.sh" ] || fail "HARNESS_PING=no, but no check.sh checks the data path"
		detail "timings: topology+daemons $((t1 - t0))ms (start:$startms), initiate $((t2 - t1))ms, both Child SAs up $((t3 - t1))ms; no ping here (HARNESS_PING=no): check.sh's"
	else
		wb=$(xfrm_counters "$NS_WEST") eb=$(xfrm_counters "$NS_EAST")
		ip netns exec "$NS_WEST" "$pingb" -c "$PING_COUNT" -i 0.2 -W 2 -w $((PING_COUNT * 2 + 5)) \
			-I "$PING_SRC" "$PING_DST" >"$RUN/ping.log" 2>&1
		prc=$?
		t4=$(now_ms)
		wtext=$(ip -n "$NS_WEST" -s xfrm state) etext=$(ip -n "$NS_EAST" -s xfrm state)
		printf '%s\n' "=== west" "$wtext" "=== east" "$etext" >"$OUT/xfrm-state.txt"
		cp "$RUN/ping.log" "$OUT/"
		wa=$(xfrm_counters "$NS_WEST" "$wtext") ea=$(xfrm_counters "$NS_EAST" "$etext")
		# side, direction, source and destination of the SAs
		# (behind the NAT west has its own address; east sees the router's)
		while read -r side dir sa_src sa_dst; do
			if [ "$side" = west ]; then b=$wb a=$wa; else b=$eb a=$ea; fi
			grow=$(($(xfrm_packets "$sa_src" "$sa_dst" "$a") - $(xfrm_packets "$sa_src" "$sa_dst" "$b")))
			summary+=" $side-$dir+$grow"
			[ $grow -ge "$PING_COUNT" ] || bad+=" $side $dir: +$grow packets;"
		done <<-EOT
			west out $WEST_ADDR $EAST_PUB
			west in $EAST_PUB $WEST_ADDR
			east in $WEST_SEEN $EAST_PUB
			east out $EAST_PUB $WEST_SEEN
		EOT
		received=$(ping_received "$(<"$RUN/ping.log")")
		detail "ping: $received/$PING_COUNT answered; ESP SA packet counters:$summary"
		detail "timings: topology+daemons $((t1 - t0))ms (start:$startms), initiate $((t2 - t1))ms, both Child SAs up $((t3 - t1))ms, ping $((t4 - t3))ms"
		[ -z "$bad" ] || fail "the ESP SA counters did not grow by $PING_COUNT:$bad (ping exit status $prc)"
		if [ $prc != 0 ] || [ "$received" != "$PING_COUNT" ]; then
			fail "ping through the tunnel: $received/$PING_COUNT answered (exit status $prc)"
		fi
	fi
	if [ -x "$src/check.sh" ]; then
		t5=$(now_ms)
		run_check
		summary+="; check.sh passed in $(($(now_ms) - t5))ms"
	fi
	if [ "$HARNESS_PING" = no ]; then
		result PASS "Child SA up on both sides; the data path: check.sh$summary"
	else
		result PASS "Child SA up on both sides, ${received}/$PING_COUNT pings through ESP, ESP SA counters$summary"
	fi
	exit 0
)

# a signal ends the whole run (each scenario's subshell cleans up after itself)
trap 'exit 130' INT TERM
rc=0
idx=0
for name in "$@"; do
	idx=$((idx + 1))
	run_one "$name" "$idx" || rc=1
done
exit $rc
