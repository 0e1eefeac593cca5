#!/usr/bin/env bash
# auto --replace, then auto --delete, each while the tunnel is up: west
# keeps no SA of the conn, and the peer (strongSwan) none either - no IKE
# SA in swanctl --list-sas, no ESP SA in east's kernel - because the
# Deletes reached it; after --replace the conn comes up again and pings
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
auto() { timeout 30 "$CYGNET_BUILD/ipsec" auto --config "$RUN/west/ipsec.conf" --rundir "$RUN/west/run" "$@"; }
peer_clean() {
	! strongswan_ike_up "$NS_EAST" "$RUN/east" "$EAST_CONN" && [ "$(esp_sa_count "$NS_EAST")" = 0 ]
}
west_clean() {
	[ "$(cygnet_counts west)" = "0 0" ] && [ "$(esp_sa_count "$NS_WEST")" = 0 ]
}
for op in replace delete; do
	out=$(auto --"$op" west-east 2>&1) || { echo "auto --$op: $(tail -1 <<<"$out")"; exit 1; }
	wait_until 5 peer_clean || { echo "after auto --$op strongSwan still has SAs: $(swanctl_ "$NS_EAST" "$RUN/east" --list-sas 2>&1 | head -3 | tr '\n' ' '); east's kernel $(esp_sa_count "$NS_EAST") ESP SA(s)"; exit 1; }
	west_clean || { echo "after auto --$op west still has SAs: $(cygnet_counts west) (IKE, Child), $(esp_sa_count "$NS_WEST") ESP in the kernel"; exit 1; }
	[ $op = delete ] && break
	# --replace loaded it again: it comes up and carries traffic
	out=$(auto --up west-east 2>&1) || { echo "auto --up after --replace: $(tail -1 <<<"$out")"; exit 1; }
	wait_until 10 child_up "$EAST" "$NS_EAST" "$RUN/east" "$EAST_CONN" "$CHILD" || { echo "no Child SA on east after --replace and --up"; exit 1; }
	ping_pair 198.51.100.1 203.0.113.1 2 || exit 1
done
out=$(auto --status 2>&1)
! grep -q '"west-east"' <<<"$out" || { echo "auto --delete left the conn loaded: $(grep -m1 '"west-east"' <<<"$out")"; exit 1; }
