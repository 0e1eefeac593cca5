#!/usr/bin/env bash
# The demo's job (make demo): two test hosts, this project's pluto on each
# with configs/demo, the tunnel brought up with `ipsec auto --up`, a ping
# through it, `ipsec auto --status`, and everything torn down. Runs where
# the kernel has ESP: inside the UML guest (testing/demo starts it there)
# or on a host whose kernel has it. Exit status 0 only when the ping went
# through ESP (the kernel's ESP SA counters grew on both hosts).
set -uo pipefail
T=$(cd "$(dirname "$0")" && pwd)
. "$T/lib/common.sh"
. "$T/lib/netns.sh"
. "$T/lib/peers.sh"
B=${CYGNET_BUILD:-$REPO/build}
IPSEC=$B/ipsec
RUN=$(mktemp -d /tmp/cygnet-demo.XXXXXX)
step() { echo; echo "==> $*"; }

cleanup() {
	local h
	for h in west east; do
		[ -S "$RUN/$h/run/pluto.ctl" ] && "$IPSEC" setup --config "$RUN/$h/ipsec.conf" --rundir "$RUN/$h/run" stop >/dev/null 2>&1
	done
	netns_down >/dev/null 2>&1
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "two test hosts in network namespaces: west 198.18.0.1 (198.51.100.0/24 behind it) and east 198.18.0.2 (203.0.113.0/24 behind it)"
netns_up "demo$$" || exit 1
echo "    namespaces $NS_WEST and $NS_EAST, joined by a veth pair, no route out"

for h in west east; do
	mkdir -p "$RUN/$h/run"
	cp "$REPO/configs/demo/$h/ipsec.conf" "$REPO/configs/demo/$h/ipsec.secrets" "$RUN/$h/"
	chmod 600 "$RUN/$h/ipsec.secrets"
done

step "the configuration (configs/demo/west/ipsec.conf), checked and resolved"
"$IPSEC" addconn --config "$RUN/west/ipsec.conf" --checkconfig || exit 1
"$IPSEC" readwriteconf --config "$RUN/west/ipsec.conf" --noimplicit --conn west-east | sed 's/^/    /'

for h in west east; do
	ns=$NS_WEST; [ $h = east ] && ns=$NS_EAST
	step "ipsec setup start on $h (pluto with the XFRM kernel backend)"
	ip netns exec "$ns" "$IPSEC" setup --config "$RUN/$h/ipsec.conf" --rundir "$RUN/$h/run" start -- \
		--kernel xfrm --nssdir "$RUN/$h" --secretsfile "$RUN/$h/ipsec.secrets" \
		--logfile "$RUN/$h/pluto.log" || { tail -20 "$RUN/$h/pluto.log"; exit 1; }
	pid=$(cat "$RUN/$h/run/pluto.pid" 2>/dev/null) && netns_track "$pid"
done

step "ipsec auto --up west-east (on west)"
ip netns exec "$NS_WEST" timeout 60 "$IPSEC" auto --config "$RUN/west/ipsec.conf" \
	--rundir "$RUN/west/run" --up west-east || { echo "the tunnel did not come up"; tail -20 "$RUN/west/pluto.log"; exit 1; }

wb=$(xfrm_counters "$NS_WEST")
eb=$(xfrm_counters "$NS_EAST")

step "ping from 198.51.100.1 (behind west) to 203.0.113.1 (behind east)"
pingb=$(ping_bin) || { echo "no ping binary"; exit 1; }
ip netns exec "$NS_WEST" "$pingb" -c 3 -i 0.2 -W 2 -I 198.51.100.1 203.0.113.1
prc=$?

step "ipsec auto --status (on west)"
ip netns exec "$NS_WEST" "$IPSEC" auto --rundir "$RUN/west/run" --status

step "the kernel's ESP SAs (ip -s xfrm state on west)"
ip -n "$NS_WEST" -s xfrm state | sed 's/^/    /'

wa=$(xfrm_counters "$NS_WEST")
ea=$(xfrm_counters "$NS_EAST")
# packets through the ESP SAs during the ping, per host and direction
grow() { echo $(($(xfrm_packets "$2" "$3" "$4") - $(xfrm_packets "$2" "$3" "$1"))); }
w_out=$(grow "$wb" 198.18.0.1 198.18.0.2 "$wa") w_in=$(grow "$wb" 198.18.0.2 198.18.0.1 "$wa")
e_out=$(grow "$eb" 198.18.0.2 198.18.0.1 "$ea") e_in=$(grow "$eb" 198.18.0.1 198.18.0.2 "$ea")
grew=0
[ "$w_out" -ge 3 ] && [ "$w_in" -ge 3 ] && [ "$e_out" -ge 3 ] && [ "$e_in" -ge 3 ] && grew=1

step "ipsec setup stop on both hosts, namespaces removed"
for h in west east; do
	ns=$NS_WEST; [ $h = east ] && ns=$NS_EAST
	ip netns exec "$ns" "$IPSEC" setup --config "$RUN/$h/ipsec.conf" --rundir "$RUN/$h/run" stop
done

echo
if [ $prc = 0 ] && [ "$grew" = 1 ]; then
	echo "demo: PASS - 3 pings went through ESP (SA packet counters: west out +$w_out in +$w_in, east in +$e_in out +$e_out)"
	exit 0
fi
echo "demo: FAIL - ping exit status $prc; ESP SA packet counters: west out +$w_out in +$w_in, east in +$e_in out +$e_out"
exit 1
