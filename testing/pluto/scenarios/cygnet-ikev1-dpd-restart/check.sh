#!/usr/bin/env bash
# dpdaction=restart over IKEv1: before the kill, pluto's R_U_THERE checks
# are answered (R_U_THERE_ACK: strongSwan sent the DPD vendor ID). Then
# east (strongSwan) dies without a word (SIGKILL); west declares it dead
# once nothing was heard for dpdtimeout=4s (not before, and not much
# later: dpddelay=1s + 2 s of slack) and starts Main Mode again; charon is
# started again (by PID, as the harness started it) and the tunnel comes
# back on both sides: a new ISAKMP SA, a new IPsec SA, the ping through ESP
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
wait_log 5 "$log" 'liveness: the peer is alive \(R_U_THERE_ACK' ||
	{ echo "west's R_U_THERE checks were not answered within 5 s: $(grep -m1 'liveness' "$log")"; exit 1; }
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
# daemon crash); west's Main Mode, retransmitting, gets its answer
start_host "$EAST" "$NS_EAST" "$RUN/east" || { echo "east did not start again: $HOST_WHY"; exit 1; }
t1=$(now_ms)
wait_until 30 child_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD" ||
	{ echo "no IPsec SA on the restarted east within 30 s"; exit 1; }
wait_until 10 child_up "$WEST" "$NS_WEST" "$RUN/west" "$WEST_CONN" "$CHILD" ||
	{ echo "no IPsec SA on west within 10 s of east's"; exit 1; }
echo "tunnel back $(($(now_ms) - t1)) ms after east was started again"
read -r n c <<<"$(cygnet_counts west)"
{ [ "$n" = 1 ] && [ "$c" = 1 ]; } || { echo "west has $n ISAKMP SA(s) and $c IPsec SA(s) after the restart, want 1 and 1"; exit 1; }
before=$(xfrm_counters "$NS_EAST")
ping_pair 198.51.100.1 203.0.113.1 "$PING_COUNT" || exit 1
after=$(xfrm_counters "$NS_EAST")
grow=$(($(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$after") - $(xfrm_packets "$WEST_SEEN" "$EAST_PUB" "$before")))
[ "$grow" -ge "$PING_COUNT" ] || { echo "east's inbound ESP SAs counted $grow packets of the ping after the restart"; exit 1; }
