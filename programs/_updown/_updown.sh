#!/bin/sh
# ipsec _updown: Cygnet's default updown script for the XFRM ("netkey")
# stack. pluto runs it (with execve, never through a shell line) with
# PLUTO_VERB and the PLUTO_* variables listed by `ipsec _updown --help`.
#
# With XFRM the kernel policies decide what is encrypted; this script only
# keeps the routing table in step:
#   prepare-client  delete any route to PLUTO_PEER_CLIENT that is in the way
#   route-client    add the route to PLUTO_PEER_CLIENT (and leftsourceip)
#   unroute-client  delete that route (and the leftsourceip address)
#   up-client       add the route (and leftsourceip), as route-client
#   down-client     delete the route (and the leftsourceip address)
#   *-host          nothing: the peer host is reached by its usual route
# The route is "PEER_CLIENT via PLUTO_NEXT_HOP dev PLUTO_INTERFACE", with
# "src PLUTO_MY_SOURCEIP", "metric PLUTO_METRIC" and "mtu PLUTO_MTU" when
# those are set; 0.0.0.0/0 (::/0) becomes two halves so the default route
# stays. Every ip command is checked; a failure is printed on stderr with
# the verb and the exit status is 1.
set -u

me=_updown

env_doc() {
	cat <<'END_UPDOWN_ENV'
  PLUTO_VERB              prepare|route|unroute|up|down, + -host (no client subnet) or -client, + -v6
  PLUTO_VERSION           version of this interface: 2.0
  PLUTO_CONNECTION        name of the conn
  PLUTO_INTERFACE         network interface the peer is reached through
  PLUTO_NEXT_HOP          next hop towards the peer (the peer itself when on the same link)
  PLUTO_ME                this host's IKE/IPsec address
  PLUTO_MY_ID             this host's IKE identity
  PLUTO_MY_CLIENT         subnet behind this host, NET/PREFIX (host alone: ADDR/32 or /128)
  PLUTO_MY_CLIENT_NET     network address of PLUTO_MY_CLIENT
  PLUTO_MY_CLIENT_MASK    netmask of PLUTO_MY_CLIENT, as an address
  PLUTO_MY_PORT           port of leftprotoport= (0: any)
  PLUTO_MY_PROTOCOL       protocol number of leftprotoport= (0: any)
  PLUTO_PEER              the peer's IKE/IPsec address
  PLUTO_PEER_ID           the peer's IKE identity
  PLUTO_PEER_CLIENT       subnet behind the peer, NET/PREFIX (peer alone: ADDR/32 or /128)
  PLUTO_PEER_CLIENT_NET   network address of PLUTO_PEER_CLIENT
  PLUTO_PEER_CLIENT_MASK  netmask of PLUTO_PEER_CLIENT, as an address
  PLUTO_PEER_PORT         port of rightprotoport= (0: any)
  PLUTO_PEER_PROTOCOL     protocol number of rightprotoport= (0: any)
  PLUTO_PEER_CA           issuer of the peer's certificate (empty without one)
  PLUTO_STACK             the kernel IPsec stack: netkey (XFRM)
  PLUTO_METRIC            route metric from leftmetric= (empty: unset)
  PLUTO_MTU               route MTU from mtu= (empty: unset)
  PLUTO_CONN_POLICY       the conn's policy bits, e.g. PSK+ENCRYPT+TUNNEL+PFS
  PLUTO_CONN_ADDRFAMILY   ipv4 or ipv6
  PLUTO_MY_SOURCEIP       leftsourceip=: source address for tunnelled traffic (empty: unset)
  PATH                    /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
END_UPDOWN_ENV
}

usage() {
	sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
	echo "Environment (every variable is always set; empty when unknown):"
	env_doc
}

case "${1:-}" in
--help | -h) usage; exit 0 ;;
esac

verb=${PLUTO_VERB:-}
if [ -z "$verb" ]; then
	echo "$me: PLUTO_VERB is not set: pluto runs this script (try --help)" >&2
	exit 2
fi

status=0

fail() {
	echo "$me: $verb: $*" >&2
	status=1
}

# run CMD...: runs an ip command, reporting a failure with its own message.
run() {
	out=$("$@" 2>&1) && return 0
	rc=$?
	fail "'$*' failed (exit $rc): $out"
	return 1
}

need() {
	eval "v=\${$1:-}"
	if [ -z "$v" ]; then
		fail "$1 is not set"
		return 1
	fi
}

case $verb in
*-v6) fam=-6 hostlen=128 ;;
*) fam=-4 hostlen=32 ;;
esac

# Destinations to route: the peer client, split when it is everything.
targets() {
	case $PLUTO_PEER_CLIENT in
	0.0.0.0/0) echo "0.0.0.0/1 128.0.0.0/1" ;;
	::/0) echo "::/1 8000::/1" ;;
	*) echo "$PLUTO_PEER_CLIENT" ;;
	esac
}

# The peer client is the peer host itself: it has its ordinary route.
peer_is_host() {
	[ "$PLUTO_PEER_CLIENT" = "${PLUTO_PEER:-}/$hostlen" ]
}

srcip=${PLUTO_MY_SOURCEIP:-}
srcdev=${PLUTO_INTERFACE:-}
[ -n "$srcdev" ] || srcdev=lo

is_local() {
	[ -n "$(ip $fam -o addr show to "$1/$hostlen" 2>/dev/null)" ]
}

add_source() {
	[ -n "$srcip" ] || return 0
	is_local "$srcip" && return 0
	run ip $fam addr add "$srcip/$hostlen" dev "$srcdev"
}

del_source() {
	[ -n "$srcip" ] || return 0
	# only the host address this script would have added
	ip $fam -o addr show dev "$srcdev" to "$srcip/$hostlen" 2>/dev/null |
		grep -q " $srcip/$hostlen " || return 0
	run ip $fam addr del "$srcip/$hostlen" dev "$srcdev"
}

route_opts() {
	opts=""
	[ -n "${PLUTO_NEXT_HOP:-}" ] && opts="$opts via $PLUTO_NEXT_HOP"
	[ -n "${PLUTO_INTERFACE:-}" ] && opts="$opts dev $PLUTO_INTERFACE"
	[ -n "${PLUTO_METRIC:-}" ] && opts="$opts metric $PLUTO_METRIC"
	:
}

up_route() {
	need PLUTO_PEER_CLIENT || return 1
	add_source || return 1
	peer_is_host && return 0
	route_opts
	extra=""
	[ -n "$srcip" ] && extra="$extra src $srcip"
	[ -n "${PLUTO_MTU:-}" ] && extra="$extra mtu $PLUTO_MTU"
	for t in $(targets); do
		# shellcheck disable=SC2086 # opts and extra are word lists
		run ip $fam route replace "$t" $opts $extra
	done
}

down_route() {
	need PLUTO_PEER_CLIENT || return 1
	if ! peer_is_host; then
		route_opts
		for t in $(targets); do
			# shellcheck disable=SC2086
			out=$(ip $fam route del "$t" $opts 2>&1) && continue
			rc=$?
			# already gone is fine
			# shellcheck disable=SC2086
			[ -z "$(ip $fam route show exact "$t" ${PLUTO_INTERFACE:+dev "$PLUTO_INTERFACE"} 2>/dev/null)" ] && continue
			fail "'ip $fam route del $t$opts' failed (exit $rc): $out"
		done
	fi
	del_source
}

prepare_route() {
	need PLUTO_PEER_CLIENT || return 1
	peer_is_host && return 0
	for t in $(targets); do
		run ip $fam route flush exact "$t"
	done
}

case $verb in
prepare-host | prepare-host-v6 | route-host | route-host-v6 | unroute-host | unroute-host-v6 | \
up-host | up-host-v6 | down-host | down-host-v6)
	;;
prepare-client | prepare-client-v6)
	prepare_route ;;
route-client | route-client-v6 | up-client | up-client-v6)
	up_route ;;
unroute-client | unroute-client-v6 | down-client | down-client-v6)
	down_route ;;
*)
	fail "unknown verb (want prepare|route|unroute|up|down, -host|-client, optional -v6)" ;;
esac
exit $status
