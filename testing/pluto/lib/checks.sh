# shellcheck shell=bash
# testing/pluto/lib/checks.sh: helpers for a scenario's check.sh (sourced).
# check.sh runs in tier 2 after the ping, with the environment that
# run-scenario.sh gives it (NS_WEST, NS_EAST, PING_BIN, RUN, WEST, EAST...;
# see the README). Each helper prints nothing on success; on failure it
# prints one line saying what is wrong and returns non-zero, so a check.sh
# can be a list of `helper ... || exit 1`.
#
#   ping_pair SRC DST [COUNT]   COUNT (default 3) pings from west's SRC to DST,
#                               all answered
#   ping_pairs COUNT SRC,DST... ping_pair for each pair, all at once
#   esp_sa_count NS             the number of ESP SAs in NS's kernel
#   sa_packets NS SRC DST       packets over the ESP SAs SRC -> DST in NS
#   each_sa_used NS N           NS has exactly N ESP SAs, each with packets
#   esp_sas_at_least NS N       NS's kernel has N ESP SAs or more (no output)
#   subnet_pairs                TOPOLOGY=subnets, a 2x2 group of /25s: once
#                               both kernels have 8 ESP SAs (bounded), each
#                               of the 4 pairs pings, and each of the 8 SAs
#                               on each side carried packets: every pair has
#                               its own Child SA, in both directions
#   nat_encap_ok                east's ESP SAs are ESP-in-UDP between its port
#                               4500 and a port 40000-40999 the NAT chose
#   nat_checks                  nat_encap_ok; west's ESP SAs are ESP in UDP
#                               4500 <-> 4500 (it floated); east's inbound
#                               SA counted the pings
#   host_pid HOST               the PID of HOST's daemon (RUN/HOST/daemon.pid)
#   kill_host HOST              SIGKILL HOST's daemon (the harness started
#                               it) and wait (bounded) until it is gone
#   host_log HOST               the daemon's log file
#   wait_log SECS FILE PATTERN  until FILE has a line matching PATTERN (ERE)
#   cygnet_counts HOST [CONN]   "IKE CHILD": a pluto's ESTABLISHED IKE and
#                               Child SAs (of CONN and its instances, when
#                               given); one whack and one python3 (slow in UML)

# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=SCRIPTDIR/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
# shellcheck source=SCRIPTDIR/peers.sh
. "$(dirname "${BASH_SOURCE[0]}")/peers.sh"

: "${NS_WEST:?check.sh runs under run-scenario.sh}" "${NS_EAST:?}" "${RUN:?}"
PING_BIN=${PING_BIN:-$(ping_bin)}

ping_pair() {
	local src=$1 dst=$2 n=${3:-3} out got
	out=$(ip netns exec "$NS_WEST" "$PING_BIN" -c "$n" -i 0.2 -W 2 -w $((n * 2 + 5)) -I "$src" "$dst" 2>&1)
	got=$(ping_received "$out")
	[ "$got" = "$n" ] && return 0
	echo "ping $src -> $dst: $got/$n answered"
	return 1
}

# ping_pairs COUNT SRC,DST...: ping_pair for each pair, all at once (each
# process start is slow under UML); every pair's failure is printed
ping_pairs() {
	local n=$1 p i=0 bad=0 pids=()
	shift
	for p; do
		ping_pair "${p%,*}" "${p#*,}" "$n" >"$RUN/ping-pair.$i" 2>&1 &
		pids+=($!)
		i=$((i + 1))
	done
	for ((i = 0; i < ${#pids[@]}; i++)); do
		wait "${pids[i]}" || { bad=1; cat "$RUN/ping-pair.$i"; }
		rm -f "$RUN/ping-pair.$i"
	done
	return $bad
}

esp_sa_count() { xfrm_counters "$1" | grep -c .; }

sa_packets() { xfrm_packets "$2" "$3" "$(xfrm_counters "$1")"; }

each_sa_used() {
	local ns=$1 want=$2 c n=0 idle=''
	c=$(xfrm_counters "$ns")
	while read -r s d spi _ p; do
		[ -n "$s" ] || continue
		n=$((n + 1))
		[ "$p" -gt 0 ] || idle+=" $s->$d spi $spi;"
	done <<<"$c"
	[ "$n" = "$want" ] || { echo "$ns has $n ESP SAs, want $want"; return 1; }
	[ -z "$idle" ] || { echo "$ns: ESP SAs that carried no packet:$idle"; return 1; }
}

esp_sas_at_least() { [ "$(esp_sa_count "$1")" -ge "$2" ]; }

subnet_pairs() {
	# shellcheck disable=SC2317  # called by wait_until
	both8() { esp_sas_at_least "$NS_WEST" 8 && esp_sas_at_least "$NS_EAST" 8; }
	if ! wait_until 20 both8; then
		echo "not every pair has its Child SA within 20 s: ESP SAs west $(esp_sa_count "$NS_WEST"), east $(esp_sa_count "$NS_EAST"), want 8 each"
		return 1
	fi
	ping_pairs 2 198.51.100.1,203.0.113.1 198.51.100.1,203.0.113.129 \
		198.51.100.129,203.0.113.1 198.51.100.129,203.0.113.129 || return 1
	each_sa_used "$NS_WEST" 8 || return 1
	each_sa_used "$NS_EAST" 8 || return 1
	local p pk=''
	while read -r _ _ _ _ p; do pk+=" $p"; done <<<"$(xfrm_counters "$NS_WEST")"
	echo "4 pairs, each through its own ESP SAs; their packets on west:$pk"
}

# east's view: "encap type espinudp sport S dport D" on every ESP SA, with
# 4500 on east's side and 40000-40999 (the router's masquerade range) on
# the peer's side
nat_encap_ok() {
	local line src='' dst='' n=0 bad='' re='encap type espinudp sport ([0-9]+) dport ([0-9]+)' sp dp mine theirs text
	# (no <(...): the UML guest has no /dev/fd)
	text=$(ip -n "$NS_EAST" xfrm state)
	while IFS= read -r line; do
		case $line in
		"src "*) read -r _ src _ dst _ <<<"$line" ;;
		*"proto esp "*) n=$((n + 1)) ;;
		*"encap type "*)
			if [[ $line =~ $re ]]; then
				sp=${BASH_REMATCH[1]} dp=${BASH_REMATCH[2]}
				if [ "$src" = "$EAST_PUB" ]; then mine=$sp theirs=$dp; else mine=$dp theirs=$sp; fi
				{ [ "$mine" = 4500 ] && [ "$theirs" -ge 40000 ] && [ "$theirs" -le 40999 ]; } ||
					bad+=" $src->$dst sport $sp dport $dp;"
			else
				bad+=" $src->$dst: ${line## };"
			fi
			n=$((n - 1)) ;;
		esac
	done <<<"$text"
	[ -z "$bad" ] || { echo "east's ESP SAs are not ESP-in-UDP 4500 <-> 40000-40999:$bad"; return 1; }
	[ "$n" = 0 ] || { echo "east has $n ESP SA(s) without UDP encapsulation"; return 1; }
	[[ $text == *"proto esp "* ]] || { echo "east has no ESP SA"; return 1; }
}

nat_checks() {
	local w n
	nat_encap_ok || return 1
	w=$(ip -n "$NS_WEST" xfrm state)
	grep -q 'encap type espinudp sport 4500 dport 4500' <<<"$w" ||
		{ echo "west's ESP SAs are not ESP in UDP 4500 <-> 4500: $(grep -m1 encap <<<"$w" || echo no encap)"; return 1; }
	n=$(sa_packets "$NS_EAST" "$WEST_SEEN" "$EAST_PUB")
	[ "$n" -ge "${PING_COUNT:-1}" ] || { echo "east's inbound ESP SA from $WEST_SEEN counted $n packets"; return 1; }
	w=$(ip -n "$NS_EAST" xfrm state | grep -m1 'encap type')
	echo "ESP in UDP through the NAT, east: ${w#"${w%%[![:space:]]*}"}"
}

host_pid() { local p; read -r p <"$RUN/$1/daemon.pid" 2>/dev/null && echo "$p"; }

kill_host() {
	local p i
	p=$(host_pid "$1") || { echo "no daemon.pid for $1"; return 1; }
	kill -KILL "$p" 2>/dev/null || { echo "$1's daemon (PID $p) was not running"; return 1; }
	for ((i = 0; i < 50; i++)); do
		_ns_alive "$p" || return 0
		sleep 0.1
	done
	echo "$1's daemon (PID $p) did not end within 5 s of SIGKILL"
	return 1
}

host_log() {
	local d=$RUN/$1
	if [ -f "$d/charon.log" ]; then echo "$d/charon.log"; else echo "$d/pluto.log"; fi
}

wait_log() { wait_until "$1" grep -qE "$3" "$2"; }

cygnet_counts() {
	local d=$RUN/$1 conn=${2:-}
	timeout 10 "$CYGNET_BUILD/ipsec" whack --rundir "$d/run" --status --json 2>/dev/null |
		python3 -c "
import json, sys
d, conn = json.load(sys.stdin), sys.argv[1]
print(*(sum(1 for s in d[w] if s['state'] == 'ESTABLISHED'
            and (not conn or s['connection'].split('/')[0].split('#')[0] == conn))
        for w in ('ike_sas', 'child_sas')))" "$conn" 2>/dev/null ||
		echo "-1 -1"
}

# dpd_declared_dead ACTION: east dies without a word (SIGKILL, by PID);
# west declares it dead once nothing was heard for dpdtimeout=4s (not
# before, and not much later: dpddelay=1s + 2 s of slack), naming
# dpdtimeout and dpdaction=ACTION in that line. Prints why and fails.
dpd_declared_dead() {
	local log t0 dt
	log=$(host_log west)
	kill_host east || return 1
	t0=$(now_ms)
	wait_log 12 "$log" 'the peer is dead' || { echo "west did not declare the peer dead within 12 s of its death"; return 1; }
	dt=$(($(now_ms) - t0))
	echo "declared dead ${dt} ms after the kill: $(grep -m1 'the peer is dead' "$log")"
	[ "$dt" -ge 3000 ] || { echo "declared dead after $dt ms, before dpdtimeout=4s"; return 1; }
	[ "$dt" -le 7000 ] || { echo "declared dead after $dt ms, want within dpdtimeout=4s + dpddelay=1s + 2 s"; return 1; }
	grep -qE "the peer is dead \(nothing heard for [0-9]+ s, dpdtimeout=4 s\); dpdaction=$1" "$log" ||
		{ echo "the line does not name dpdtimeout=4 s and dpdaction=$1: $(grep -m1 'the peer is dead' "$log")"; return 1; }
}

# dpd_restart_checks: dpdaction=restart with dpddelay=1s dpdtimeout=4s on
# west (pluto). east dies and west declares it dead (dpd_declared_dead),
# then starts keying again; east is started again
# (by PID, as the harness started it; its kernel still has the old SAs,
# as after a daemon crash) and west's attempt, retransmitting, gets its
# answer: one IKE SA and one Child SA on west, the ping through ESP.
# Prints why and fails, else says how long it took.
dpd_restart_checks() {
	local log t1 n c before after grow
	log=$(host_log west)
	dpd_declared_dead restart || return 1
	wait_log 5 "$log" 'dpdaction=restart: starting keying attempt 1' || { echo "west did not start keying again"; return 1; }
	start_host "$EAST" "$NS_EAST" "$RUN/east" || { echo "east did not start again: $HOST_WHY"; return 1; }
	t1=$(now_ms)
	wait_until 30 child_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD" ||
		{ echo "no Child SA on the restarted east within 30 s"; return 1; }
	wait_until 10 child_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" "$CHILD" ||
		{ echo "no Child SA on west within 10 s of east's"; return 1; }
	echo "tunnel back $(($(now_ms) - t1)) ms after east was started again"
	read -r n c <<<"$(cygnet_counts west)"
	{ [ "$n" = 1 ] && [ "$c" = 1 ]; } ||
		{ echo "west has $n IKE SA(s) and $c Child SA(s) after the restart, want 1 and 1"; return 1; }
	before=$(xfrm_counters "$NS_EAST")
	ping_pair 198.51.100.1 203.0.113.1 "$PING_COUNT" || return 1
	after=$(xfrm_counters "$NS_EAST")
	grow=$(($(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$after") - $(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$before")))
	[ "$grow" -ge "$PING_COUNT" ] || { echo "east's inbound ESP SAs counted $grow packets of the ping after the restart"; return 1; }
}
