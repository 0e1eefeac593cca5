# shellcheck shell=bash
# testing/pluto/lib/netns.sh: the two-host test topology in network
# namespaces (sourced).
#
#   198.51.100.1/24 [lan0]  west  [eth0] 198.18.0.1 ==veth== 198.18.0.2 [eth0]  east  [lan0] 203.0.113.1/24
#
# $TOPOLOGY (words, from scenario.env) changes it:
#
#   nat      west behind a router namespace that masquerades it (UDP source
#            ports rewritten into 40000-40999, as a NAT box does when it must):
#              198.51.100.1/24 [lan0] west [eth0] 198.18.0.129/25 ==veth==
#                198.18.0.254/25 [in0] router [out0] 198.18.0.1/25 ==veth==
#                198.18.0.2/25 [eth0] east [lan0] 203.0.113.1/24
#            west's default route is the router; the router has only its two
#            links (no route out); needs iptables (nft, else legacy)
#   subnets  a second address on each lan0, 198.51.100.129 and 203.0.113.129,
#            so that each pair of a 2x2 /25 subnet group can be pinged
#
#   netns_up [SUFFIX]    create the namespaces $NS_WEST and $NS_EAST
#                        (cyg-west-SUFFIX, cyg-east-SUFFIX; SUFFIX defaults to
#                        $$, so parallel or leftover runs never collide) and
#                        $NS_ROUTER (cyg-router-SUFFIX, nat only), the veth
#                        pairs, lan0 on each side, the static routes and
#                        sysctls; check the plain link with a bounded ping.
#                        Sets WEST_ADDR (west's own address on eth0) and
#                        WEST_SEEN (west's address as east sees it): both
#                        198.18.0.1, or 198.18.0.129 and 198.18.0.1 with nat
#   netns_track PID      remember a process this run started in a namespace
#   netns_down           end the processes started in the namespaces (by PID:
#                        the tracked ones and whatever `ip netns pids` lists in
#                        these namespaces, which only this run can have
#                        started), then delete the namespaces; idempotent
#   esp_supported        0 when the running kernel can hold an ESP SA (a
#                        throw-away `ip xfrm state add` in a scratch namespace)
#
# No end of the veth ever lives in the root namespace and there is no route
# out: test traffic stays between the two namespaces. Never send test traffic
# without `ip netns exec`: in the root namespace these addresses are not ours.

# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NS_WEST=${NS_WEST:-} NS_EAST=${NS_EAST:-} NS_ROUTER=${NS_ROUTER:-}
WEST_ADDR=${WEST_ADDR:-$WEST_PUB} WEST_SEEN=${WEST_SEEN:-$WEST_PUB}
NETNS_PIDS=()
NETNS_MADE=()

_ns_exists() { [ -e "/run/netns/$1" ]; }

# a lan0 for the subnet behind a host: dummy when the kernel has it, else an
# empty bridge (its address is local all the same; the host kernel here has
# CONFIG_DUMMY=n)
_ns_lan() {
	local ns=$1 addr=$2
	ip -n "$ns" link add lan0 type dummy 2>/dev/null ||
		ip -n "$ns" link add lan0 type bridge || return 1
	ip -n "$ns" addr add "$addr" dev lan0 && ip -n "$ns" link set lan0 up
}

_ns_sysctls() {
	local kv=(net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0
		net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.disable_ipv6=1
		net.ipv6.conf.default.disable_ipv6=1)
	if command -v sysctl >/dev/null; then
		ip netns exec "$1" sysctl -qw "${kv[@]}" >/dev/null 2>&1
	else   # no procps: /proc/sys, which ip netns exec shows for the namespace
		# shellcheck disable=SC2016  # expanded by that sh
		ip netns exec "$1" sh -c 'for kv; do k=${kv%%=*}; echo "${kv#*=}" >"/proc/sys/$(echo "$k" | tr . /)"; done' \
			sysctls "${kv[@]}" 2>/dev/null
	fi
	return 0
}

# _ns_has WORD: $TOPOLOGY names WORD
_ns_has() { case " ${TOPOLOGY:-} " in *" $1 "*) return 0 ;; esac; return 1; }

# _ns_masquerade NS: the router's NAT rules (iptables-nft, else
# iptables-legacy: the UML kernel has iptable_nat but no nft nat chains)
_ns_masquerade() {
	local ns=$1 ipt err=''
	for ipt in iptables iptables-legacy; do
		command -v "$ipt" >/dev/null || continue
		if ip netns exec "$ns" "$ipt" -t nat -A POSTROUTING -o out0 -p udp -j MASQUERADE --to-ports 40000-40999 2>/dev/null &&
			ip netns exec "$ns" "$ipt" -t nat -A POSTROUTING -o out0 -j MASQUERADE 2>/dev/null; then
			return 0
		fi
		err+=" $ipt: $(ip netns exec "$ns" "$ipt" -t nat -A POSTROUTING -o out0 -j MASQUERADE 2>&1 | tail -1);"
		ip netns exec "$ns" "$ipt" -t nat -F POSTROUTING >/dev/null 2>&1
	done
	herr "netns: cannot masquerade in $ns:${err:- no iptables installed}"
	return 1
}

# Few processes on purpose: under UML every process start costs ~0.1 s, so
# the commands go through `ip -batch`.
netns_up() {
	local sfx=${1:-$$} ns i pingb lan=dummy nat=0 nets=0 all
	_ns_has nat && nat=1
	_ns_has subnets && nets=1
	for i in ${TOPOLOGY:-}; do
		case $i in nat | subnets) ;; *) herr "netns: unknown TOPOLOGY word '$i' (nat, subnets)"; return 1 ;; esac
	done
	NS_WEST=cyg-west-$sfx NS_EAST=cyg-east-$sfx NS_ROUTER=
	[ $nat = 1 ] && NS_ROUTER=cyg-router-$sfx
	WEST_ADDR=$WEST_PUB WEST_SEEN=$WEST_PUB
	[ $nat = 1 ] && WEST_ADDR=198.18.0.129
	all=("$NS_WEST" "$NS_EAST")
	[ -n "$NS_ROUTER" ] && all+=("$NS_ROUTER")
	for ns in "${all[@]}"; do
		if _ns_exists "$ns"; then
			herr "netns: namespace $ns exists already (another run with the same suffix?)"
			return 1
		fi
	done
	for ns in "${all[@]}"; do
		ip netns add "$ns" || { herr "netns: cannot create namespace $ns"; return 1; }
		NETNS_MADE+=("$ns")
	done
	# lan0 holds the subnet behind a host: a dummy when the kernel has it,
	# else an empty bridge (its address is local all the same; the host
	# kernel here has CONFIG_DUMMY=n)
	ip -n "$NS_WEST" link add lan0 type dummy 2>/dev/null || lan=bridge
	{
		[ $lan = bridge ] && echo "link add lan0 type bridge"
		echo "link set lo up"
		# the veth is created inside west with its peer moved straight into
		# east (or the router): no end of it ever lives in the root namespace
		if [ $nat = 1 ]; then
			echo "link add eth0 type veth peer name in0 netns $NS_ROUTER"
			echo "addr add $WEST_ADDR/25 dev eth0"
		else
			echo "link add eth0 type veth peer name eth0 netns $NS_EAST"
			echo "addr add $WEST_PUB/24 dev eth0"
		fi
		echo "link set eth0 up"
		echo "addr add $WEST_LAN/24 dev lan0"
		[ $nets = 1 ] && echo "addr add 198.51.100.129/24 dev lan0"
		echo "link set lan0 up"
		# the route sends subnet traffic over eth0; the IPsec policy
		# decides whether it is encrypted. Behind the NAT: everything to
		# the router, which has no route beyond its two links
		if [ $nat = 1 ]; then
			echo "route add default via 198.18.0.254"
		else
			echo "route add $EAST_NET via $EAST_PUB src $WEST_LAN"
		fi
	} | ip -n "$NS_WEST" -batch - || { herr "netns: cannot configure $NS_WEST"; return 1; }
	if [ $nat = 1 ]; then
		{
			echo "link set lo up"
			echo "addr add 198.18.0.254/25 dev in0"
			echo "link set in0 up"
			echo "link add out0 type veth peer name eth0 netns $NS_EAST"
			echo "addr add $WEST_SEEN/25 dev out0"
			echo "link set out0 up"
		} | ip -n "$NS_ROUTER" -batch - || { herr "netns: cannot configure $NS_ROUTER"; return 1; }
	fi
	{
		echo "link add lan0 type $lan"
		echo "link set lo up"
		if [ $nat = 1 ]; then
			echo "addr add $EAST_PUB/25 dev eth0"
		else
			echo "addr add $EAST_PUB/24 dev eth0"
		fi
		echo "link set eth0 up"
		echo "addr add $EAST_LAN/24 dev lan0"
		[ $nets = 1 ] && echo "addr add 203.0.113.129/24 dev lan0"
		echo "link set lan0 up"
		echo "route add $WEST_NET via $WEST_SEEN src $EAST_LAN"
	} | ip -n "$NS_EAST" -batch - || { herr "netns: cannot configure $NS_EAST"; return 1; }
	for ns in "${all[@]}"; do _ns_sysctls "$ns"; done
	if [ $nat = 1 ]; then _ns_masquerade "$NS_ROUTER" || return 1; fi
	# the plain link must carry traffic (3 tries, 1 s each)
	pingb=$(ping_bin) || return 0
	for i in 1 2 3; do
		ip netns exec "$NS_WEST" "$pingb" -c1 -W1 -q "$EAST_PUB" >/dev/null 2>&1 && return 0
		[ "$i" = 3 ] || sleep 0.2
	done
	herr "netns: the link between $NS_WEST and $NS_EAST${NS_ROUTER:+ (through $NS_ROUTER)} carries no traffic"
	return 1
}

netns_track() { NETNS_PIDS+=("$@"); }

# _ns_alive PID: the process exists and is not a zombie (no process started)
_ns_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	read -r st <"/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# the PIDs of live processes in our namespaces: the tracked ones that are
# still in one of them, and whatever `ip netns pids` lists there
_ns_our_pids() {
	local ns p
	for ns in "${NETNS_MADE[@]}"; do
		_ns_exists "$ns" && ip netns pids "$ns" 2>/dev/null
	done
	for p in "${NETNS_PIDS[@]}"; do
		_ns_alive "$p" || continue
		for ns in "${NETNS_MADE[@]}"; do
			[ "/proc/$p/ns/net" -ef "/run/netns/$ns" ] && echo "$p"
		done
	done
}

netns_down() {
	local p pids i ns alive
	pids=$(_ns_our_pids | sort -u)
	if [ -n "$pids" ]; then
		for p in $pids; do kill -TERM "$p" 2>/dev/null; done
		for ((i = 0; i < 50; i++)); do   # at most 5 s
			alive=
			for p in $pids; do _ns_alive "$p" && alive+=" $p"; done
			[ -z "$alive" ] && break
			sleep 0.1
		done
		# whatever is left, and whatever appeared meanwhile
		for p in $(_ns_our_pids | sort -u); do kill -KILL "$p" 2>/dev/null; done
	fi
	# reap our own children (the daemons were started with &)
	for p in "${NETNS_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for ns in "${NETNS_MADE[@]}"; do
		_ns_exists "$ns" && ip netns del "$ns" 2>/dev/null
	done
	NETNS_PIDS=() NETNS_MADE=() NS_ROUTER=
	return 0
}

esp_supported() {
	local ns=cyg-espchk-$$ rc
	ip netns add "$ns" 2>/dev/null || return 2
	ip -n "$ns" xfrm state add src "$WEST_PUB" dst "$EAST_PUB" proto esp spi 0x1000 mode tunnel \
		enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
		auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 \
		>/dev/null 2>&1
	rc=$?
	ip netns del "$ns"
	return $rc
}
