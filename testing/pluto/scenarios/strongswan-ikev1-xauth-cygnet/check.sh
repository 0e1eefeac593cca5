#!/usr/bin/env bash
# strongSwan as the road warrior of pluto: pluto authenticated user 'road'
# (XAUTH) and gave the pool's first address, which is the peer's end of its
# IPsec SA; charon installed it on west's eth0 and its policy has it as
# the source; the ping the harness sent from it went through ESP
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log east) clog=$(host_log west)
grep -q "XAUTH: \"rw\": user 'road' from 198.18.0.1 authenticated" "$log" ||
	{ echo "pluto did not authenticate 'road': $(grep -m1 XAUTH "$log")"; exit 1; }
grep -q 'Mode Config: giving 198.51.100.10 to @road1' "$log" ||
	{ echo "pluto did not give 198.51.100.10: $(grep -m1 'Mode Config' "$log")"; exit 1; }
grep -q 'road-warrior-password-42' "$log" && { echo "pluto's log holds the password"; exit 1; }
grep -q 'installing new virtual IP 198.51.100.10' "$clog" ||
	{ echo "charon did not install 198.51.100.10: $(grep -m1 -i 'virtual IP' "$clog")"; exit 1; }
ip -n "$NS_WEST" -o addr show | grep -q ' 198.51.100.10/32 ' ||
	{ echo "198.51.100.10 is not on west: $(ip -n "$NS_WEST" -o -4 addr show | tr '\n' ' ')"; exit 1; }
pol=$(ip -n "$NS_EAST" xfrm policy)
grep -q 'src 203.0.113.0/24 dst 198.51.100.10/32' <<<"$pol" ||
	{ echo "east has no policy 203.0.113.0/24 -> 198.51.100.10/32: $(grep '^src' <<<"$pol" | tr '\n' ';')"; exit 1; }
echo "$(grep -m1 'Mode Config: giving' "$log" | sed 's/^.*Mode Config/Mode Config/'); the ping went from it"
