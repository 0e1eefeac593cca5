#!/usr/bin/env bash
# pluto as the road warrior of a strongSwan gateway: strongSwan accepted
# user 'road' (XAUTH) and gave the pool's first address; pluto was told
# XAUTH OK and got that address, which is its end of the IPsec SA (the
# kernel policy's source) and sits on west's eth0; the ping the harness
# sent from it went through ESP (its counters)
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west) clog=$(host_log east)
grep -q "XAUTH: the server accepted user 'road'" "$log" || { echo "west was not told XAUTH OK: $(grep -m1 XAUTH "$log")"; exit 1; }
grep -q 'Mode Config: got address 198.51.100.10 ' "$log" ||
	{ echo "west did not get 198.51.100.10: $(grep -m1 'Mode Config' "$log")"; exit 1; }
grep -q "XAuth authentication of 'road' successful" "$clog" ||
	{ echo "strongSwan did not authenticate 'road': $(grep -m1 -i xauth "$clog")"; exit 1; }
grep -q 'assigning virtual IP 198.51.100.10 to peer' "$clog" ||
	{ echo "strongSwan did not assign 198.51.100.10: $(grep -m1 -i 'virtual IP' "$clog")"; exit 1; }
grep -q 'road-warrior-password-42' "$log" && { echo "west's log holds the password"; exit 1; }
ip -n "$NS_WEST" -o addr show dev eth0 | grep -q ' 198.51.100.10/32 ' ||
	{ echo "198.51.100.10 is not on west's eth0: $(ip -n "$NS_WEST" -o addr show dev eth0 | tr '\n' ' ')"; exit 1; }
pol=$(ip -n "$NS_WEST" xfrm policy)
grep -q 'src 198.51.100.10/32 dst 203.0.113.0/24' <<<"$pol" ||
	{ echo "west has no policy 198.51.100.10/32 -> 203.0.113.0/24: $(grep '^src' <<<"$pol" | tr '\n' ';')"; exit 1; }
echo "$(grep -m1 'Mode Config: got address' "$log" | sed 's/^.*Mode Config/Mode Config/'); the ping went from it"
