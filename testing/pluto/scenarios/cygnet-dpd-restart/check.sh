#!/usr/bin/env bash
# dpdaction=restart: east (strongSwan) dies without a word (SIGKILL); west
# declares it dead once nothing was heard for dpdtimeout=4s (not before,
# and not much later: dpddelay=1s + 2 s of slack) and starts keying again;
# charon is started again (by PID, as the harness started it) and the
# tunnel comes back on both sides: a new IKE SA, the ping through ESP
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
kill_host east || exit 1
t0=$(now_ms)
wait_log 12 "$log" 'the peer is dead' || { echo "west did not declare the peer dead within 12 s of its death"; exit 1; }
dt=$(($(now_ms) - t0))
echo "declared dead ${dt} ms after the kill: $(grep -m1 'the peer is dead' "$log")"
[ "$dt" -ge 3000 ] || { echo "declared dead after $dt ms, before dpdtimeout=4s"; exit 1; }
[ "$dt" -le 7000 ] || { echo "declared dead after $dt ms, want within dpdtimeout=4s + dpddelay=1s + 2 s"; exit 1; }
grep -qE 'the peer is dead \(nothing heard for [0-9]+ s, dpdtimeout=4 s\); dpdaction=restart' "$log" ||
	{ echo "the line does not name dpdtimeout=4 s and dpdaction=restart: $(grep -m1 'the peer is dead' "$log")"; exit 1; }
wait_log 5 "$log" 'dpdaction=restart: starting keying attempt 1' || { echo "west did not start keying again"; exit 1; }
# the peer comes back (its kernel still has the old SAs, as after a
# daemon crash); west's keying attempt, retransmitting, gets its answer
start_host "$EAST" "$NS_EAST" "$RUN/east" || { echo "east did not start again: $HOST_WHY"; exit 1; }
t1=$(now_ms)
wait_until 30 child_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD" ||
	{ echo "no Child SA on the restarted east within 30 s"; exit 1; }
wait_until 10 child_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" "$CHILD" ||
	{ echo "no Child SA on west within 10 s of east's"; exit 1; }
echo "tunnel back $(($(now_ms) - t1)) ms after east was started again"
read -r n _ <<<"$(cygnet_counts west)"
[ "$n" = 1 ] || { echo "west has $n IKE SAs after the restart, want 1"; exit 1; }
before=$(xfrm_counters "$NS_EAST")
ping_pair 198.51.100.1 203.0.113.1 "$PING_COUNT" || exit 1
after=$(xfrm_counters "$NS_EAST")
grow=$(($(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$after") - $(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$before")))
[ "$grow" -ge "$PING_COUNT" ] || { echo "east's inbound ESP SAs counted $grow packets of the ping after the restart"; exit 1; }
