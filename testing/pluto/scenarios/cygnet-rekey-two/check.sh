#!/usr/bin/env bash
# Both Child SAs rekey at once (salifetime=10s rekeymargin=4s, ~6 s after
# they came up): a ping of each pair runs across the rekey and loses
# nothing; afterwards west has one IKE SA and two Child SAs, the new SAs
# carry a ping of each pair, and nobody refused a rekey
# (TEMPORARY_FAILURE) or gave up on one
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west) clog=$(host_log east)
# pings across the rekey, in the background (6 s each: across the rekey at ~6 s)
pids=()
for s in 1 129; do
	ip netns exec "$NS_WEST" "$PING_BIN" -c 12 -i 0.5 -W 2 -w 20 -I 198.51.100.$s 203.0.113.1 \
		>"$RUN/ping-across-$s.log" 2>&1 &
	pids+=($!)
done
rekeyed_both() {
	grep -q 'two/1x0.*rekeyed Child SA\|rekeyed Child SA.*198\.51\.100\.0/25===' "$log" &&
		grep -q 'two/2x0.*rekeyed Child SA\|rekeyed Child SA.*198\.51\.100\.128/25===' "$log"
}
wait_until 15 rekeyed_both || { wait; echo "west did not rekey both Child SAs within 15 s: $(grep 'rekeyed Child SA' "$log" | tr '\n' ' ')"; exit 1; }
grep 'rekeyed Child SA' "$log"
for p in "${pids[@]}"; do
	_ns_alive "$p" || { wait; echo "a ping meant to run across the rekey had ended before it"; exit 1; }
done
wait
for s in 1 129; do
	got=$(ping_received "$(<"$RUN/ping-across-$s.log")")
	echo "ping 198.51.100.$s -> 203.0.113.1 across the rekey: $got/12"
	[ "$got" = 12 ] || { echo "the ping from 198.51.100.$s lost $((12 - got)) of 12 across the rekey"; exit 1; }
done
read -r n c <<<"$(cygnet_counts west)"
if ! { [ "$n" = 1 ] && [ "$c" = 2 ]; }; then
	echo "west has $n IKE SA(s) and $c Child SA(s) after the rekey, want 1 and 2"
	exit 1
fi
! grep -H 'TEMPORARY_FAILURE\|cannot rekey\|already outstanding' "$log" "$clog" ||
	{ echo "a rekey was refused or given up: $(grep -h 'TEMPORARY_FAILURE\|cannot rekey\|already outstanding' "$log" "$clog" | head -1)"; exit 1; }
# the SAs in the kernel now: 2 pairs x 2 directions, each carries a ping
# (a second rekey may come ~6 s after the first: wait for the old SAs
# to go, then ping at once)
four() { [ "$(esp_sa_count "$NS_WEST")" = 4 ]; }
wait_until 5 four || { echo "west's kernel has $(esp_sa_count "$NS_WEST") ESP SAs, want 4"; exit 1; }
ping_pairs 2 198.51.100.1,203.0.113.1 198.51.100.129,203.0.113.1 || exit 1
each_sa_used "$NS_WEST" 4 || exit 1
