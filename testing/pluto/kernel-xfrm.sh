#!/usr/bin/env bash
# testing/pluto/kernel-xfrm.sh BUILD: the XFRM kernel backend and the
# default _updown script against the running kernel, inside a network
# namespace this script creates (and deletes on exit). Nothing touches the
# root namespace.
#
#   namespace: lo, veth v0 (198.18.0.1/24) <-> v1 (no address, both ends
#   inside), lan0 (dummy, or an empty bridge where the kernel has no
#   dummy) with 198.51.100.1/24; no route out.
#
# Prints PASS NAME / FAIL NAME: WHY / SKIP NAME: WHY; exit status 0 unless
# something failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${1:-build}
T=$B/testing/unit/test_kernel_xfrm
UPDOWN=$B/libexec/ipsec/_updown
NS=cygnet-kx-$$
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
skip() { echo "SKIP $1: $2"; }
detail() { sed 's/^/    /'; }

if [ "$(id -u)" != 0 ]; then skip kernel-xfrm "needs root for network namespaces"; exit 0; fi
if ! command -v ip >/dev/null; then skip kernel-xfrm "no ip command (iproute2)"; exit 0; fi
for f in "$T" "$UPDOWN"; do
	if [ ! -x "$f" ]; then skip kernel-xfrm "$f is not built (make)"; exit 0; fi
done

# Every command below runs in the foreground, so no process of ours can
# outlive the script; the namespace goes on any exit.
cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! ip netns add "$NS" 2>/dev/null; then skip kernel-xfrm "cannot create a network namespace"; exit 0; fi
nsx() { ip netns exec "$NS" "$@"; }
setup() {
	ip -n "$NS" link set lo up &&
	ip -n "$NS" link add v0 type veth peer name v1 &&
	ip -n "$NS" addr add 198.18.0.1/24 dev v0 &&
	ip -n "$NS" link set v0 up && ip -n "$NS" link set v1 up &&
	{ ip -n "$NS" link add lan0 type dummy 2>/dev/null || ip -n "$NS" link add lan0 type bridge; } &&
	ip -n "$NS" addr add 198.51.100.1/24 dev lan0 && ip -n "$NS" link set lan0 up
}
if ! out=$(setup 2>&1); then
	fail kernel-xfrm-setup "cannot build the namespace: $out"
	exit 1
fi

policies() { ip -n "$NS" -o xfrm policy; }
states() { ip -n "$NS" -o xfrm state; }
# count PATTERN TEXT: lines of TEXT containing PATTERN (fixed string)
count() { printf '%s\n' "$2" | grep -cF -- "$1"; }
phase() { nsx env CYGNET_XFRM_NS="$NS" "$T" --phase "$1" 2>&1; }

# ---- policies: add, replace, delete, in all three directions ----------
name=xfrm-policy-add
if out=$(phase policies-add); then
	p=$(policies)
	if [ "$(count 'reqid 4242 mode tunnel' "$p")" = 3 ] &&
	   [ "$(count 'dir out priority 2000 ptype main' "$p")" = 1 ] &&
	   [ "$(count 'dir in priority 2000 ptype main' "$p")" = 1 ] &&
	   [ "$(count 'dir fwd priority 2000 ptype main' "$p")" = 1 ] &&
	   [ "$(count 'dst 10.0.0.0/8 proto tcp dport 25' "$p")" = 1 ] &&
	   [ "$(count 'dir out action block priority 100' "$p")" = 1 ] &&
	   [ "$(printf '%s\n' "$p" | grep -F 'dst 198.18.0.0/24' | grep -cvF 'action block')" = 1 ] &&
	   [ "$(printf '%s\n' "$p" | wc -l)" = 5 ]; then
		pass $name
	else
		fail $name "ip xfrm policy shows something else"; printf '%s\n' "$p" | detail
	fi
else
	fail $name "$out"
fi

name=xfrm-policy-replace
if out=$(phase policies-replace); then
	p=$(policies)
	if [ "$(count 'dir out priority 2001 ptype main' "$p")" = 1 ] &&
	   [ "$(count 'dir in action block priority 2001' "$p")" = 1 ] &&
	   [ "$(count 'dir fwd priority 2001 ptype main' "$p")" = 1 ] &&
	   [ "$(count 'reqid 4242 mode tunnel' "$p")" = 2 ] &&
	   [ "$(printf '%s\n' "$p" | grep -F 'dst 198.18.0.0/24' | grep -cF 'action block priority 101')" = 1 ] &&
	   [ "$(printf '%s\n' "$p" | grep -F 'dst 10.0.0.0/8' | grep -cvF 'action block')" = 1 ] &&
	   [ "$(printf '%s\n' "$p" | wc -l)" = 5 ]; then
		pass $name
	else
		fail $name "ip xfrm policy shows something else"; printf '%s\n' "$p" | detail
	fi
else
	fail $name "$out"
fi

name=xfrm-policy-delete
if out=$(phase policies-delete); then
	p=$(policies)
	if [ -z "$p" ]; then pass $name; else fail $name "policies left"; printf '%s\n' "$p" | detail; fi
else
	fail $name "$out"
fi

name=xfrm-shutdown-removes-all
if out=$(phase shutdown); then
	p=$(policies) s=$(states)
	if [ -z "$p$s" ]; then pass $name; else fail $name "left behind after kernel_close"; printf '%s\n' "$p" "$s" | detail; fi
else
	fail $name "$out"
fi

# ---- ESP: does this kernel hold ESP SAs at all? (ip's own answer) -----
esp_probe=$(ip -n "$NS" xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 mode tunnel \
	enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
	auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 2>&1)
esp_rc=$?
ip -n "$NS" xfrm state flush 2>/dev/null

out=$(phase esp); rc=$?
s=$(ip -n "$NS" -s xfrm state)
if [ $esp_rc -ne 0 ]; then
	name=xfrm-esp-refused-cleanly
	if [ $rc -eq 0 ] && [[ $out == *"esp: unsupported: cannot add ESP SA 0x"*"Protocol not supported"*"(this kernel has no ESP: use the UML test harness or --kernel none)"* ]] &&
	   [ -z "$s" ]; then
		pass $name
		echo "    $out"
	else
		fail $name "wanted the no-ESP message and nothing installed; got: $out"; printf '%s\n' "$s" | detail
	fi
	skip xfrm-esp-sa "this kernel has no ESP (ip: $esp_probe); run in the UML guest"
else
	name=xfrm-esp-sa
	if [ $rc -eq 0 ] && [[ $out == "esp: installed "* ]]; then
		read -r _ _ spi_in spi_out <<<"$out"
		o=$(states)
		if [ "$(count "spi $spi_in reqid 4242 mode tunnel" "$o")" = 1 ] &&
		   [ "$(count "spi $spi_out reqid 4242 mode tunnel" "$o")" = 1 ] &&
		   [ "$(count 'enc cbc(aes)' "$o")" = 2 ] &&
		   [ "$(count 'auth-trunc hmac(sha256)' "$o")" = 2 ] &&
		   [ "$(count '0(bytes), 0(packets)' "$s")" = 2 ]; then
			pass $name
		else
			fail $name "ip -s xfrm state shows something else"; printf '%s\n' "$s" | detail
		fi
	else
		fail $name "$out"
	fi
	ip -n "$NS" xfrm state flush 2>/dev/null
fi

# ---- the rest of the netlink tests (cmocka), including ACQUIRE/EXPIRE --
name=xfrm-netlink-units
ip -n "$NS" route add 203.0.113.0/24 via 198.18.0.2 dev v0
out=$(nsx env CYGNET_XFRM_NS="$NS" timeout 60 "$T" 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -q 'SKIPPED' <<<"$out"; then
	pass $name
	grep -E "^  (no ESP|ACQUIRE|EXPIRE|outbound SA|GCM)|^kernel ESP" <<<"$out" | detail
else
	fail $name "test_kernel_xfrm exit $rc"; tail -25 <<<"$out" | detail
fi
ip -n "$NS" route del 203.0.113.0/24 2>/dev/null
ip -n "$NS" xfrm state flush 2>/dev/null   # the kernel's own ACQUIRE placeholders
ip -n "$NS" xfrm policy flush 2>/dev/null

# ---- _updown against a fake pluto environment ---------------------------
# ud VERB [VAR=VALUE...]: run _updown in the namespace; output in $ud_out.
ud() {
	local verb=$1; shift
	ud_out=$(nsx env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		PLUTO_VERSION=2.0 PLUTO_CONNECTION=kx-test PLUTO_INTERFACE=v0 PLUTO_NEXT_HOP=198.18.0.2 \
		PLUTO_ME=198.18.0.1 PLUTO_MY_ID=@west PLUTO_MY_CLIENT=198.51.100.0/24 \
		PLUTO_MY_CLIENT_NET=198.51.100.0 PLUTO_MY_CLIENT_MASK=255.255.255.0 PLUTO_MY_PORT=0 \
		PLUTO_MY_PROTOCOL=0 PLUTO_PEER=198.18.0.2 PLUTO_PEER_ID=@east \
		PLUTO_PEER_CLIENT=203.0.113.0/24 PLUTO_PEER_CLIENT_NET=203.0.113.0 \
		PLUTO_PEER_CLIENT_MASK=255.255.255.0 PLUTO_PEER_PORT=0 PLUTO_PEER_PROTOCOL=0 PLUTO_PEER_CA= \
		PLUTO_STACK=netkey PLUTO_METRIC= PLUTO_MTU= PLUTO_CONN_POLICY=PSK+ENCRYPT+TUNNEL \
		PLUTO_CONN_ADDRFAMILY=ipv4 PLUTO_MY_SOURCEIP= \
		"$@" PLUTO_VERB="$verb" "$UPDOWN" 2>&1)
}
route_of() { ip -n "$NS" route show exact "$1"; }
routes6() { ip -n "$NS" -6 route show exact "$1"; }

name=updown-prepare-client
ip -n "$NS" route add 203.0.113.0/24 via 198.18.0.2 dev v0 metric 7
if ud prepare-client && [ -z "$(route_of 203.0.113.0/24)" ]; then pass $name
else fail $name "route still there or error: $ud_out"; fi

name=updown-up-down-client
if ud up-client && [[ $(route_of 203.0.113.0/24) == *"via 198.18.0.2 dev v0"* ]] &&
   ud up-client &&                                   # again: no error
   ud down-client && [ -z "$(route_of 203.0.113.0/24)" ] &&
   ud down-client; then                              # already gone: no error
	pass $name
else
	fail $name "${ud_out:-route wrong}: $(route_of 203.0.113.0/24)"
fi

name=updown-route-unroute-metric-mtu
if ud route-client PLUTO_METRIC=50 PLUTO_MTU=1400 &&
   r=$(route_of 203.0.113.0/24) && [[ $r == *"via 198.18.0.2 dev v0"*"metric 50"* && $r == *"mtu 1400"* ]] &&
   ud unroute-client PLUTO_METRIC=50 && [ -z "$(route_of 203.0.113.0/24)" ]; then
	pass $name
else
	fail $name "${ud_out:-}; route: $(route_of 203.0.113.0/24)"
fi

name=updown-sourceip
if ud up-client PLUTO_MY_SOURCEIP=198.51.100.7 &&
   [[ $(route_of 203.0.113.0/24) == *"src 198.51.100.7"* ]] &&
   ip -n "$NS" -o addr show dev v0 | grep -F ' 198.51.100.7/32 ' >/dev/null &&
   ud down-client PLUTO_MY_SOURCEIP=198.51.100.7 &&
   [ -z "$(route_of 203.0.113.0/24)" ] &&
   ! ip -n "$NS" -o addr show | grep -F '198.51.100.7/' >/dev/null; then
	pass $name
else
	fail $name "${ud_out:-}; route: $(route_of 203.0.113.0/24); addr: $(ip -n "$NS" -o addr show | grep -F 198.51.100.7)"
fi

name=updown-sourceip-already-local
if ud up-client PLUTO_MY_SOURCEIP=198.51.100.1 &&
   [[ $(route_of 203.0.113.0/24) == *"src 198.51.100.1"* ]] &&
   ! ip -n "$NS" -o addr show dev v0 | grep -F '198.51.100.1/' >/dev/null &&
   ud down-client PLUTO_MY_SOURCEIP=198.51.100.1 &&
   ip -n "$NS" -o addr show dev lan0 | grep -F ' 198.51.100.1/24 ' >/dev/null; then
	pass $name
else
	fail $name "${ud_out:-}; $(ip -n "$NS" -o addr show | grep -F 198.51.100.1)"
fi

name=updown-default-route-halves
if ud up-client PLUTO_PEER_CLIENT=0.0.0.0/0 PLUTO_PEER_CLIENT_NET=0.0.0.0 PLUTO_PEER_CLIENT_MASK=0.0.0.0 &&
   [ -n "$(route_of 0.0.0.0/1)" ] && [ -n "$(route_of 128.0.0.0/1)" ] && [ -z "$(route_of 0.0.0.0/0)" ] &&
   ud down-client PLUTO_PEER_CLIENT=0.0.0.0/0 &&
   [ -z "$(route_of 0.0.0.0/1)$(route_of 128.0.0.0/1)" ]; then
	pass $name
else
	fail $name "${ud_out:-}; $(ip -n "$NS" route)"
fi

name=updown-host-verbs-leave-routes
# routes and addresses only (IPv4, device and prefix): an IPv6 link-local
# address leaving "tentative" meanwhile, or lifetimes ticking, is no change
net_state() { ip -4 -n "$NS" route; ip -4 -n "$NS" -o addr show | awk '{print $2, $4}'; }
before=$(net_state)
ok=1
for v in prepare-host route-host up-host down-host unroute-host; do
	ud $v PLUTO_MY_CLIENT=198.18.0.1/32 PLUTO_MY_SOURCEIP=198.51.100.9 || ok=0
done
after=$(net_state)
if [ $ok = 1 ] && [ "$before" = "$after" ]; then pass $name
else fail $name "host verbs changed something: $ud_out $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"; fi

name=updown-failure-reported
if ud up-client PLUTO_NEXT_HOP=10.9.9.9; then
	fail $name "unreachable next hop accepted"
elif [[ $ud_out == "_updown: up-client: 'ip -4 route replace 203.0.113.0/24 via 10.9.9.9 dev v0' failed"* ]]; then
	pass $name
	echo "    $ud_out"
else
	fail $name "message: $ud_out"
fi

name=updown-unknown-verb
if ! ud sideways-client && [[ $ud_out == *"_updown: sideways-client: unknown verb"* ]]; then pass $name
else fail $name "$ud_out"; fi

name=updown-v6
if ip -n "$NS" addr add 2001:db8:ffff::1/64 dev v0 nodad 2>/dev/null; then
	if ud up-client-v6 PLUTO_ME=2001:db8:ffff::1 PLUTO_PEER=2001:db8:ffff::2 PLUTO_NEXT_HOP=2001:db8:ffff::2 \
		PLUTO_MY_CLIENT=2001:db8:1::/48 PLUTO_PEER_CLIENT=2001:db8:2::/48 PLUTO_CONN_ADDRFAMILY=ipv6 &&
	   [[ $(routes6 2001:db8:2::/48) == *"via 2001:db8:ffff::2 dev v0"* ]] &&
	   ud down-client-v6 PLUTO_NEXT_HOP=2001:db8:ffff::2 PLUTO_PEER_CLIENT=2001:db8:2::/48 &&
	   [ -z "$(routes6 2001:db8:2::/48)" ]; then
		pass $name
	else
		fail $name "${ud_out:-}; $(ip -n "$NS" -6 route)"
	fi
else
	skip $name "no IPv6 in the namespace"
fi

name=updown-help-lists-variables
help=$("$UPDOWN" --help)
missing=""
for v in PLUTO_VERB PLUTO_VERSION PLUTO_CONNECTION PLUTO_INTERFACE PLUTO_NEXT_HOP PLUTO_ME PLUTO_MY_ID \
	PLUTO_MY_CLIENT PLUTO_MY_CLIENT_NET PLUTO_MY_CLIENT_MASK PLUTO_MY_PORT PLUTO_MY_PROTOCOL PLUTO_PEER \
	PLUTO_PEER_ID PLUTO_PEER_CLIENT PLUTO_PEER_CLIENT_NET PLUTO_PEER_CLIENT_MASK PLUTO_PEER_PORT \
	PLUTO_PEER_PROTOCOL PLUTO_PEER_CA PLUTO_STACK PLUTO_METRIC PLUTO_MTU PLUTO_CONN_POLICY \
	PLUTO_CONN_ADDRFAMILY PLUTO_MY_SOURCEIP; do
	grep -q "^  $v " <<<"$help" || missing="$missing $v"
done
if [ -z "$missing" ]; then pass $name; else fail $name "missing:$missing"; fi

exit $failed
