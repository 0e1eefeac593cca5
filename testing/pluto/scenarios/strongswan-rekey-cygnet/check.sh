#!/usr/bin/env bash
# A ping every 0.2 s from west's subnet runs across strongSwan's Child SA
# rekey (~6 s after it came up) and the Delete of the old SA; no echo
# request is lost. pluto logged the rekey, its new outbound SA waited for
# strongSwan (the first packet on the new inbound SA, or the old SA's
# Delete), and afterwards west has one IKE SA and one Child SA.
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
ip netns exec "$NS_WEST" "$PING_BIN" -c 60 -i 0.2 -W 2 -w 30 -I 198.51.100.1 203.0.113.1 \
	>"$RUN/ping-across.log" 2>&1 &
ping=$!
n0=$(grep -c 'rekeyed Child SA' "$log")
rekeyed() {
	[ "$(grep -c 'rekeyed Child SA' "$log")" -gt "$n0" ] && grep -q 'outbound SA 0x[0-9a-f]* in use (' "$log"
}
wait_until 10 rekeyed || { wait "$ping"; echo "west answered no Child SA rekey with a held outbound SA within 10 s: $(grep 'rekeyed Child SA\|outbound SA' "$log" | tr '\n' ' ')"; exit 1; }
grep 'rekeyed Child SA\|outbound SA .* in use' "$log"
_ns_alive "$ping" || { wait "$ping"; echo "the ping had ended before the rekey"; exit 1; }
wait "$ping"
got=$(ping_received "$(<"$RUN/ping-across.log")")
echo "ping 198.51.100.1 -> 203.0.113.1 across the rekey: $got/60"
[ "$got" = 60 ] || { echo "the ping lost $((60 - got)) of 60 across strongSwan's rekey"; exit 1; }
# one IKE SA and one Child SA on west afterwards (the old ones deleted)
one_each() { read -r n c <<<"$(cygnet_counts west)"; [ "$n" = 1 ] && [ "$c" = 1 ]; }
wait_until 5 one_each || { echo "west has $(cygnet_counts west) IKE and Child SAs after the rekey, want 1 1"; exit 1; }
