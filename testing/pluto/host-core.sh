#!/usr/bin/env bash
# Host-level (tier 1) tests of pluto's core: liveness and dpdaction=, NAT
# traversal through a masquerading router, subnet groups sharing one IKE
# SA, exchanges queued on one IKE SA, what Deletes reach the peer, and the
# checks on what arrives, uniqueids= in both IKE versions. Two plutos
# with --kernel none (or libreswan) in network namespaces this script
# creates. One line per test: PASS NAME |
# FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from host-pluto.sh.
#
# usage: testing/pluto/host-core.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

# pluto_kill HOST: ends that pluto at once (no Delete reaches the peer)
pluto_kill() {
	local pid
	read -r pid <"$(host_dir "$1")/pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(host_dir "$1")/run/pluto.ctl"
}

# ike_field HOST NS FIELD: FIELD of the first ESTABLISHED IKE SA (JSON status)
ike_field() {
	status_json "$1" "$2" | python3 -c "
import json, sys
s = [s for s in json.load(sys.stdin)['ike_sas'] if s['state'] == 'ESTABLISHED']
print(s[0]['$3'] if s else '')" 2>/dev/null
}

# count_conn HOST NS WHAT CONN: ESTABLISHED SAs of one conn
count_conn() {
	status_json "$1" "$2" | python3 -c "
import json, sys
print(sum(1 for s in json.load(sys.stdin)['$3'] if s['state'] == 'ESTABLISHED' and s['connection'] == '$4'))" 2>/dev/null || echo -1
}

# group_conf NAME EXTRA...: a 2x2 leftsubnets=/rightsubnets= group, the
# same text on both hosts
group_conf() {
	local name=$1 kv
	shift
	printf 'version 2\n\nconn %s\n\tleft=198.18.0.1\n\tleftid=@west\n' "$name"
	printf '\tleftsubnets={198.51.100.0/25 198.51.100.128/25}\n\tright=198.18.0.2\n\trightid=@east\n'
	printf '\trightsubnets={203.0.113.0/25 203.0.113.128/25}\n\tauthby=secret\n'
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n'
	ikev2_line "$@"
	for kv in "$@"; do printf '\t%s\n' "$kv"; done
}

psk_both() {
	local h
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}

# ---- liveness: dpdtimeout= and dpdaction= --------------------------------------

# test_dpd ACTION: west has dpddelay=1s dpdtimeout=4s dpdaction=ACTION; east's
# pluto dies without a word. West must declare it dead after dpdtimeout
# (not after the 60 s retransmission budget) and then: clear - nothing
# left; hold - the conn is routed (its traffic held by a trap policy);
# restart - a new keying attempt, which brings the tunnel up again once
# east is back.
test_dpd() {
	local action=$1 name=dpd-$1 why="" w t0 t1 out
	pair_psk "$name" dpddelay=1s dpdtimeout=4s "dpdaction=$action" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && pluto_kill east
	t0=$(now_ms)
	[ -z "$why" ] && { wait_for_s 1 10 grep -c 'the peer is dead' "$w/log" || why="west did not declare the peer dead within 10 s"; }
	t1=$(now_ms)
	if [ -z "$why" ] && [ $((t1 - t0)) -lt 3500 ]; then
		why="the peer was declared dead after $((t1 - t0)) ms, before dpdtimeout=4s"
	fi
	[ -z "$why" ] && ! grep -q "the peer is dead (nothing heard for [4-9] s, dpdtimeout=4 s); dpdaction=$action" "$w/log" &&
		why="no line naming dpdtimeout and dpdaction=$action: $(grep 'the peer is dead' "$w/log")"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 0 ] && why="west kept its Child SA"
	case $action in
	clear)
		sleep 1.5
		[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept an IKE SA"
		[ -z "$why" ] && grep -q 'initiating IKEv2 connection.*keying attempt\|starting keying attempt 1' "$w/log" &&
			why="dpdaction=clear initiated again"
		out=$(status_json west "$NS_WEST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"][0]["routed"])')
		[ -z "$why" ] && [ "$out" != False ] && why="dpdaction=clear left the conn routed ($out)"
		;;
	hold)
		out=$(status_json west "$NS_WEST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"][0]["routed"])')
		[ -z "$why" ] && [ "$out" != True ] && why="dpdaction=hold: the conn is not routed (routed=$out)"
		[ -z "$why" ] && grep -q 'starting keying attempt 1' "$w/log" && why="dpdaction=hold initiated again"
		;;
	restart)
		[ -z "$why" ] && { wait_for_s 1 5 grep -c 'dpdaction=restart: starting keying attempt 1' "$w/log" ||
			why="dpdaction=restart: no new keying attempt"; }
		# east comes back; the attempt (retransmitting) gets its answer
		[ -z "$why" ] && { pluto_start east "$NS_EAST" none || why="east did not start again"; }
		[ -z "$why" ] && { wait_for_s 1 20 count west "$NS_WEST" child_sas ESTABLISHED ||
			why="dpdaction=restart: the tunnel did not come up again once east was back"; }
		;;
	esac
	result "$name" "$why"
}

# ---- NAT traversal -------------------------------------------------------------

# nat_up: west behind a router that masquerades it, UDP source ports
# rewritten into 40000-40999 (as a NAT box does when it must):
#   west eth0 198.18.0.129/25 -- 198.18.0.254 [router] 198.18.0.1 -- 198.18.0.2/25 eth0 east
# No end of a veth in the root namespace; no route out.
nat_up() {
	local sfx=$$$RANDOM
	NS_WEST=cyg-nw-$sfx NS_EAST=cyg-ne-$sfx NS_ROUTER=cyg-nr-$sfx
	local ns
	for ns in "$NS_WEST" "$NS_EAST" "$NS_ROUTER"; do
		ip netns add "$ns" || return 1
		NETNS_MADE+=("$ns")
	done
	ip -n "$NS_WEST" -batch - <<-EOF || return 1
		link set lo up
		link add eth0 type veth peer name in0 netns $NS_ROUTER
		addr add 198.18.0.129/25 dev eth0
		link set eth0 up
		route add default via 198.18.0.254
	EOF
	ip -n "$NS_ROUTER" -batch - <<-EOF || return 1
		link set lo up
		addr add 198.18.0.254/25 dev in0
		link set in0 up
		link add out0 type veth peer name eth0 netns $NS_EAST
		addr add 198.18.0.1/25 dev out0
		link set out0 up
	EOF
	ip -n "$NS_EAST" -batch - <<-EOF || return 1
		link set lo up
		addr add 198.18.0.2/25 dev eth0
		link set eth0 up
	EOF
	ip netns exec "$NS_ROUTER" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' || return 1
	ip netns exec "$NS_ROUTER" iptables -t nat -A POSTROUTING -o out0 -p udp -j MASQUERADE --to-ports 40000-40999 ||
		return 1
	ip netns exec "$NS_ROUTER" iptables -t nat -A POSTROUTING -o out0 -j MASQUERADE
}

# nat_conf: west (behind the NAT) and east (right=%any) confs
nat_conf() {
	local kv
	printf 'version 2\n\nconn west-east\n\tleft=198.18.0.129\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n'
	printf '\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tauthby=secret\n'
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n'
	ikev2_line "$@"
	for kv in "$@"; do printf '\t%s\n' "$kv"; done
} 

test_nat() {
	local why="" w e out local remote n
	T=nat
	mkdir -p "$(host_dir west)" "$(host_dir east)"
	if ! command -v iptables >/dev/null; then result nat "iptables is not installed"; return; fi
	nat_up 2>"$WORK/nat.err" || { result nat "cannot make the NAT topology: $(head -2 "$WORK/nat.err" | tr '\n' ' ')"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	nat_conf dpddelay=1s dpdtimeout=30s >"$w/ipsec.conf"
	printf '#!/bin/sh\nenv | grep ^PLUTO_ | sort > "%s/env.$PLUTO_VERB"\n' "$w" >"$w/record.sh"
	chmod +x "$w/record.sh"
	sed -i "s|leftupdown=%disabled|leftupdown=$w/record.sh|" "$w/ipsec.conf"
	nat_conf | sed -e 's|left=198.18.0.129|left=%any|' >"$e/ipsec.conf"
	psk_both
	pluto_start west "$NS_WEST" none --keep-alive 1 --debug control && pluto_start east "$NS_EAST" none --debug control ||
		{ result nat "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'NAT detected (this host is behind a NAT)' "$w/log" && why="west did not see that it is behind a NAT"
	[ -z "$why" ] && ! grep -q 'NAT detected (the peer is behind a NAT)' "$e/log" && why="east did not see that the peer is behind a NAT"
	local="$(ike_field west "$NS_WEST" local) $(ike_field west "$NS_WEST" remote)"
	[ -z "$why" ] && [ "$local" != "198.18.0.129:4500 198.18.0.2:4500" ] &&
		why="west's IKE SA is $local, want 198.18.0.129:4500 198.18.0.2:4500 (IKE must move to 4500)"
	remote=$(ike_field east "$NS_EAST" remote)
	[ -z "$why" ] && [[ ! $remote =~ ^198\.18\.0\.1:40[0-9]{3}$ ]] &&
		why="east sees the peer at '$remote', want 198.18.0.1 on a port the NAT chose (40000-40999)"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="east has no Child SA"
	# routes to the peer's client go via the router, not via the peer (not on-link)
	[ -z "$why" ] && ! grep -qx 'PLUTO_NEXT_HOP=198.18.0.254' "$w/env.up-client" 2>/dev/null &&
		why="west's updown got $(grep NEXT_HOP "$w/env.up-client" 2>/dev/null || echo 'no up-client'), want PLUTO_NEXT_HOP=198.18.0.254 (the router)"
	# keepalives: only from the host behind the NAT, every --keep-alive 1 s
	sleep 2.5
	n=$(grep -c 'sent a NAT keepalive' "$w/log")
	[ -z "$why" ] && [ "$n" -lt 2 ] && why="west sent $n NAT keepalives in 2.5 s (--keep-alive 1), want 2 or more"
	n=$(grep -c 'sent a NAT keepalive' "$e/log")
	[ -z "$why" ] && [ "$n" != 0 ] && why="east (not behind a NAT) sent $n keepalives"
	# the NAT forgets the mapping and picks new ports: east follows the
	# peer's next authenticated message and rekeys the Child SA onto them
	if [ -z "$why" ]; then
		ip netns exec "$NS_ROUTER" iptables -t nat -R POSTROUTING 1 -o out0 -p udp -j MASQUERADE --to-ports 41000-41999 &&
			ip netns exec "$NS_ROUTER" conntrack -D -p udp >/dev/null 2>&1 ||
			why="cannot make the NAT change its mapping (conntrack: $(command -v conntrack || echo missing))"
	fi
	[ -z "$why" ] && { wait_for_s 1 8 grep -c 'the peer moved from 198.18.0.1:40[0-9]* to 198.18.0.1:41[0-9]* (its NAT mapping changed): rekeying its Child SAs' "$e/log" ||
		why="east did not follow the peer's new port: $(grep 'moved' "$e/log")"; }
	[ -z "$why" ] && { wait_for_s 1 8 grep -c 'rekeyed Child SA' "$e/log" || why="east did not rekey the Child SA after the NAT change"; }
	remote=$(ike_field east "$NS_EAST" remote)
	[ -z "$why" ] && [[ ! $remote =~ ^198\.18\.0\.1:41[0-9]{3}$ ]] && why="east's IKE SA is at $remote after the change"
	result nat "$why"
}

# ---- subnet groups ---------------------------------------------------------------

# 2x2 leftsubnets=/rightsubnets= between two plutos: the four instances
# share ONE IKE SA (one INITIAL_CONTACT), each with its Child SA; the
# responder finds the instance for each CREATE_CHILD_SA; terminating one
# instance keeps the IKE SA for the others.
test_group() {
	local why="" w e out
	setup_pair group || { result group "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	group_conf grp >"$w/ipsec.conf"
	cp "$w/ipsec.conf" "$e/ipsec.conf"
	psk_both
	start_both || { result group "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name grp --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 4 ] && why="west has $(count west "$NS_WEST" child_sas ESTABLISHED) Child SAs, want 4"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west has $(count west "$NS_WEST" ike_sas ESTABLISHED) IKE SAs, want 1"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 1 ] && why="east has $(count east "$NS_EAST" ike_sas ESTABLISHED) IKE SAs, want 1"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 4 ] && why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs, want 4"
	local i
	for i in 1x1 1x2 2x1 2x2; do
		[ -z "$why" ] && [ "$(count_conn east "$NS_EAST" child_sas "grp/$i")" != 1 ] && why="east: no Child SA for grp/$i"
	done
	[ -z "$why" ] && [ "$(grep -c 'INITIAL_CONTACT\|sent IKE_SA_INIT' "$w/log")" -gt 1 ] && why="west started more than one IKE SA"
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name grp/1x2 --terminate 2>&1) || why="terminate grp/1x2: $out"
		sleep 0.5
		[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="terminating grp/1x2 took the IKE SA"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 3 ] && why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs after grp/1x2 went, want 3"
	fi
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name grp --terminate 2>&1) || why="terminate grp: $out"
		sleep 0.5
		[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept the IKE SA after terminating every instance"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 0 ] && why="east kept the IKE SA: no Delete reached it"
	fi
	result group "$why"
}

# The same group, east initiating: west (responder) must match each
# CREATE_CHILD_SA against every instance, and answer TS_UNACCEPTABLE
# for selectors no instance has.
test_group_responder() {
	local why="" w e out
	setup_pair group-responder || { result group-responder "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	group_conf grp >"$w/ipsec.conf"
	# east also has a pair west does not know: its Child SA must be refused
	group_conf grp | sed 's|rightsubnets={203.0.113.0/25 203.0.113.128/25}|rightsubnets={203.0.113.0/25 203.0.113.128/25 198.18.0.200/32}|' >"$e/ipsec.conf"
	psk_both
	start_both || { result group-responder "pluto did not start"; return; }
	out=$(whackh east "$NS_EAST" --name grp --initiate 2>&1)
	[ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west has $(count west "$NS_WEST" ike_sas ESTABLISHED) IKE SAs, want 1"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 4 ] && why="west has $(count west "$NS_WEST" child_sas ESTABLISHED) Child SAs, want 4"
	[ -z "$why" ] && ! grep -q 'TS_UNACCEPTABLE' "$e/log" && why="east's extra pair was not refused with TS_UNACCEPTABLE: $(grep -i 'grp/[12]x3' "$e/log" | tail -2)"
	[ -z "$why" ] && grep -q 'NO_PROPOSAL_CHOSEN' "$e/log" && why="a Child SA was refused with NO_PROPOSAL_CHOSEN"
	result group-responder "$why"
}

# ---- the queue: two Child SAs of one IKE SA rekeying at once -------------------

test_rekey_two() {
	local why="" w e i n
	setup_pair rekey-two || { result rekey-two "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	group_conf two salifetime=5s rekeymargin=2s rekeyfuzz=0% |
		sed 's|rightsubnets={203.0.113.0/25 203.0.113.128/25}|rightsubnet=203.0.113.0/24|' >"$w/ipsec.conf"
	cp "$w/ipsec.conf" "$e/ipsec.conf"
	psk_both
	start_both || { result rekey-two "pluto did not start"; return; }
	whackh west "$NS_WEST" --name two --initiate >/dev/null 2>&1 || why="initiate failed"
	# both Child SAs rekey at ~3 s, then again at ~6 s; bounded at 12 s
	for ((i = 0; i < 60; i++)); do
		[ -n "$why" ] && break
		[ "$(grep -c 'rekeyed Child SA' "$w/log")" -ge 4 ] && break
		sleep 0.2
	done
	n=$(grep -c 'rekeyed Child SA' "$w/log")
	[ -z "$why" ] && [ "$n" -lt 4 ] && why="west rekeyed $n Child SAs in 12 s, want 4 (two each)"
	[ -z "$why" ] && [ "$(count_conn west "$NS_WEST" child_sas two/1x0)" != 1 ] && why="two/1x0 does not have exactly one Child SA"
	[ -z "$why" ] && [ "$(count_conn west "$NS_WEST" child_sas two/2x0)" != 1 ] && why="two/2x0 does not have exactly one Child SA"
	[ -z "$why" ] && [ "$(count_conn east "$NS_EAST" child_sas two/1x0)" != 1 ] && why="east: two/1x0 does not have exactly one Child SA"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 2 ] && why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs, want 2 (the old ones deleted)"
	[ -z "$why" ] && grep -q 'TEMPORARY_FAILURE\|cannot rekey\|already outstanding' "$w/log" "$e/log" && why="a rekey collided: $(grep -h 'TEMPORARY_FAILURE\|cannot rekey\|already outstanding' "$w/log" "$e/log" | head -1)"
	result rekey-two "$why"
}

# A peer with one Child SA for two selectors a side (as strongSwan's
# local_ts = a, b): east, with the 2x2 group, answers the first pair and
# negotiates each other instance's own Child SA on the same IKE SA; a pair
# outside the group is logged, not dropped silently
test_group_ts() {
	local why="" e out
	local -a ans
	setup_pair group-ts || { result group-ts "cannot make the namespaces"; return; }
	e=$(host_dir east)
	group_conf grp >"$e/ipsec.conf"
	psk_both
	pluto_start east "$NS_EAST" none || { result group-ts "pluto did not start"; return; }
	out=$(probe tsi=198.51.100.0/25+198.51.100.128/25+198.18.0.128/25,tsr=203.0.113.0/25+203.0.113.128/25,listen=5)
	mapfile -t ans <<<"$out"
	if [ "${ans[1]:-}" != "AUTH: IDr AUTH SA TSi TSr verified" ]; then
		why="IKE_AUTH: ${ans[1]:-} (want IDr AUTH SA TSi TSr verified)"
	elif [ "${ans[2]:-}" != "TS: TSi=198.51.100.0/25 TSr=203.0.113.0/25" ]; then
		why="the answer's selectors: ${ans[2]:-}, want the first pair"
	fi
	local want
	for want in "TSi=203.0.113.0/25 TSr=198.51.100.128/25" "TSi=203.0.113.128/25 TSr=198.51.100.0/25" \
		"TSi=203.0.113.128/25 TSr=198.51.100.128/25"; do
		[ -z "$why" ] && ! grep -q "^REQUEST: CREATE_CHILD_SA SA Nonce.* $want\$" <<<"$out" &&
			why="east did not negotiate a Child SA for $want: $(grep REQUEST <<<"$out" | tr '\n' ' ')"
	done
	[ -z "$why" ] && [ "$(grep -c '^REQUEST: CREATE_CHILD_SA' <<<"$out")" != 3 ] &&
		why="east sent $(grep -c '^REQUEST: CREATE_CHILD_SA' <<<"$out") CREATE_CHILD_SA requests, want 3"
	[ -z "$why" ] && ! grep -q 'the peer also asked for 203.0.113.0/25===198.18.0.128/25, which no conn of ours carries' "$e/log" &&
		why="east did not log the pair no conn carries"
	[ -z "$why" ] && ! grep -q 'the peer also asked for 203.0.113.128/25===198.51.100.128/25: negotiating "grp/2x2"' "$e/log" &&
		why="east did not log which instance negotiates its own Child SA"
	result group-ts "$why"
}

# ---- what arrives: IKE_SA_INIT checks and half-open caps ------------------------

# RFC 7296 2.5/3.1: an IKE_SA_INIT request with a zero SPIi, a message ID
# other than 0 or the Initiator flag clear is dropped (with a line); an
# unknown payload with the critical bit gets UNSUPPORTED_CRITICAL_PAYLOAD
# naming its type; an IKE_AUTH with message ID 0 is not mistaken for a
# retransmitted IKE_SA_INIT (its cached answer is not sent again)
test_init_checks() {
	local why="" e out ni spi=2222222222222222
	local -a ans
	ni=$(printf '%064x' 7)
	pair_psk init-checks || { result init-checks "cannot make the namespaces"; return; }
	e=$(host_dir east)
	start_both || { result init-checks "pluto did not start"; return; }
	out=$(init_probe "$ni" src=198.18.0.1,dst=198.18.0.2,spi=0000000000000000,tries=1 \
		src=198.18.0.1,dst=198.18.0.2,spi=3333333333333333,msgid=1,tries=1 \
		src=198.18.0.1,dst=198.18.0.2,spi=4444444444444444,flags=00,tries=1 \
		src=198.18.0.1,dst=198.18.0.2,spi=5555555555555555,critical=200 \
		src=198.18.0.1,dst=198.18.0.2,spi=$spi \
		src=198.18.0.1,dst=198.18.0.2,spi=$spi,spir=5,exch=35,msgid=0,tries=2)
	mapfile -t ans <<<"$out"
	if [ "${ans[0]:-}" != NO-ANSWER ]; then why="a zero SPIi was answered: ${ans[0]:-}"
	elif [ "${ans[1]:-}" != NO-ANSWER ]; then why="message ID 1 was answered: ${ans[1]:-}"
	elif [ "${ans[2]:-}" != NO-ANSWER ]; then why="a request without the Initiator flag was answered: ${ans[2]:-}"
	elif [ "${ans[3]:-}" != "N:1:c8" ]; then why="an unknown critical payload (type 200) got '${ans[3]:-}', want N:1:c8 (UNSUPPORTED_CRITICAL_PAYLOAD naming 200)"
	elif [ "${ans[4]%% *}" != SA ]; then why="a good request was not answered with SA first: ${ans[4]:-}"
	elif [ "${ans[5]:-}" != NO-ANSWER ]; then why="an IKE_AUTH with message ID 0 got an answer: ${ans[5]:-} (the cached IKE_SA_INIT reply?)"
	fi
	for out in 'IKE_SA_INIT request with a zero initiator SPI' 'IKE_SA_INIT request with a message ID other than 0' \
		'IKE_SA_INIT request without the Initiator flag'; do
		[ -z "$why" ] && ! grep -q "$out" "$e/log" && why="east's log lacks '$out'"
	done
	[ -z "$why" ] && ! status_json east "$NS_EAST" >/dev/null && why="east does not answer --status any more"
	result init-checks "$why"
}

# a flood of IKE_SA_INIT from one address: beyond
# --max-halfopen-ike-per-address no answer (and no DH); other addresses
# are still answered until --max-halfopen-ike in all
test_halfopen() {
	local why="" e out ni i steps=() n
	local -a ans
	ni=$(printf '%064x' 9)
	pair_psk halfopen || { result halfopen "cannot make the namespaces"; return; }
	e=$(host_dir east)
	sed -i 's|left=198.18.0.1|left=%any|' "$e/ipsec.conf"
	pluto_start west "$NS_WEST" none && pluto_start east "$NS_EAST" none --max-halfopen-ike-per-address 3 \
		--max-halfopen-ike 4 || { result halfopen "pluto did not start"; return; }
	for i in 1 2 3 4 5; do steps+=("src=198.18.0.1,dst=198.18.0.2,spi=10000000000000${i}0,tries=1"); done
	steps+=("src=198.51.100.1,dst=198.18.0.2,spi=2000000000000001,tries=1")
	steps+=("src=198.51.100.1,dst=198.18.0.2,spi=2000000000000002,tries=1")
	out=$(init_probe "$ni" "${steps[@]}")
	mapfile -t ans <<<"$out"
	n=0
	for i in 0 1 2 3 4; do [ "${ans[$i]%% *}" = SA ] && n=$((n + 1)); done
	[ "$n" != 3 ] && why="east answered $n of 5 requests from one address, want 3 (--max-halfopen-ike-per-address 3): ${ans[*]}"
	[ -z "$why" ] && [ "${ans[5]%% *}" != SA ] && why="another address was refused: ${ans[5]:-}"
	[ -z "$why" ] && [ "${ans[6]:-}" != NO-ANSWER ] && why="a fifth half-open IKE SA was answered (--max-halfopen-ike 4): ${ans[6]:-}"
	[ -z "$why" ] && ! grep -q '3 half-open IKE SAs from this address (--max-halfopen-ike-per-address): dropped' "$e/log" &&
		why="east did not log the per-address cap"
	[ -z "$why" ] && ! grep -q '4 half-open IKE SAs (--max-halfopen-ike): dropped' "$e/log" &&
		why="east did not log the total cap"
	result halfopen "$why"
}

# whack --rekey-child and --rekey-ike: rekeyed now, the client waits for it
# and is told; the old SAs are gone on both sides; nothing to rekey is an
# error
test_rekey_whack() {
	local why="" w e out spi1 spi2 ike1 ike2 rc
	pair_psk rekey-whack || { result rekey-whack "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	start_both || { result rekey-whack "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --rekey-child 2>&1)
	rc=$?
	[ $rc = 0 ] && why="--rekey-child without a Child SA exited 0: $out"
	[ -z "$why" ] && [[ $out != *'"west-east": no established Child SA to rekey'* ]] && why="--rekey-child without an SA said: $out"
	[ -z "$why" ] && { whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1 || why="initiate failed"; }
	spi1=$(status_json west "$NS_WEST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["child_sas"][0]["spi_in"])' 2>/dev/null)
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --rekey-child 2>&1) || why="--rekey-child failed: $out"
	fi
	[ -z "$why" ] && [[ $out != *'"west-east": rekeying Child SA #'* ]] && why="--rekey-child said: $out"
	[ -z "$why" ] && ! grep -q 'rekeyed Child SA' "$w/log" && why="west's log has no rekeyed Child SA when --rekey-child returned"
	spi2=$(status_json west "$NS_WEST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["child_sas"][0]["spi_in"])' 2>/dev/null)
	[ -z "$why" ] && { [ -z "$spi2" ] || [ "$spi1" = "$spi2" ]; } && why="the Child SA's SPI did not change ($spi1 -> $spi2)"
	[ -z "$why" ] && { wait_for_s 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east does not have exactly one Child SA after the rekey"; }
	# east, the responder, installed first: its new outbound SA went in
	# when west's Delete of the old one came (no packets here)
	[ -z "$why" ] && { wait_for_s 1 3 grep -c 'outbound SA 0x[0-9a-f]* in use (the SA it replaces is deleted)' "$e/log" ||
		why="east's new outbound SA was not held back until west deleted the old one: $(grep 'outbound SA' "$e/log")"; }
	[ -z "$why" ] && grep -q 'outbound SA 0x[0-9a-f]* in use' "$w/log" && why="west (the initiator, installing last) held its outbound SA back"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="west does not have exactly one Child SA after the rekey"
	ike1=$(ike_field west "$NS_WEST" serial)
	if [ -z "$why" ]; then
		out=$(whackh west "$NS_WEST" --name west-east --rekey-ike 2>&1) || why="--rekey-ike failed: $out"
	fi
	[ -z "$why" ] && ! grep -q "rekeyed IKE SA #$ike1" "$w/log" && why="west's log has no 'rekeyed IKE SA #$ike1' when --rekey-ike returned: $out"
	ike2=$(ike_field west "$NS_WEST" serial)
	[ -z "$why" ] && [ "$ike1" = "$ike2" ] && why="the IKE SA is still #$ike1"
	[ -z "$why" ] && { wait_for_s 1 5 count east "$NS_EAST" ike_sas ESTABLISHED || why="east does not have exactly one IKE SA after the rekey"; }
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 1 ] && why="the Child SA did not move to the new IKE SA"
	result rekey-whack "$why"
}

# forceencaps=yes without a NAT: both ends float to 4500 and encapsulate;
# nobody sends keepalives (nobody is behind a NAT); without it, no NAT-T
test_forceencaps() {
	local why="" out
	pair_psk forceencaps forceencaps=yes || { result forceencaps "cannot make the namespaces"; return; }
	sed -i '/forceencaps=yes/d' "$(host_dir east)/ipsec.conf"
	start_both || { result forceencaps "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	for h in west east; do
		ns=$NS_WEST; [ $h = east ] && ns=$NS_EAST
		out=$(status_json $h "$ns" | python3 -c '
import json, sys
d = json.load(sys.stdin)
i, c = d["ike_sas"][0], d["child_sas"][0]
print(i["local"].split(":")[1], i["remote"].split(":")[1], i["nat_t"], i["behind_nat"], c["encap"])' 2>&1)
		[ -z "$why" ] && [ "$out" != "4500 4500 True False True" ] &&
			why="$h: ports, nat_t, behind_nat, encap are '$out', want '4500 4500 True False True'"
	done
	[ -z "$why" ] && grep -q 'sent a NAT keepalive' "$(host_dir west)/log" "$(host_dir east)/log" && why="a keepalive was sent without a NAT"
	result forceencaps "$why"
}

# whack --trafficstatus (libreswan's line) and --globalstatus (counters),
# also as `ipsec trafficstatus` / `ipsec globalstatus`
test_traffic_global() {
	local why="" out re bad want
	pair_psk traffic-global || { result traffic-global "cannot make the namespaces"; return; }
	start_both || { result traffic-global "pluto did not start"; return; }
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1 || why="initiate failed"
	out=$(ip netns exec "$NS_WEST" "$IPSEC" trafficstatus --rundir "$(host_dir west)/run" 2>&1)
	re="^#[0-9]+: \"west-east\", type=ESP, add_time=[0-9]{10}, inBytes=0, outBytes=0, maxBytes=2\^63B, id='@east'\$"
	[ -z "$why" ] && [[ ! $out =~ $re ]] && why="ipsec trafficstatus printed '$out'"
	out=$(whackh east "$NS_EAST" --globalstatus 2>&1)
	for want in current.states.ike=1 current.states.ipsec=1 total.ike.ikev2.established=1 \
		total.ike.ikev2.failed=0 total.ipsec.type.esp=1; do
		[ -z "$why" ] && ! grep -qx "$want" <<<"$out" && why="east's globalstatus lacks $want: $(tr '\n' ' ' <<<"$out")"
	done
	# the JSON status: schema, per-SA peer ID, age and rekey time, totals
	out=$(status_json west "$NS_WEST" | python3 -c '
import json, sys
d = json.load(sys.stdin)
i, c = d["ike_sas"][0], d["child_sas"][0]
ok = (d["schema"] == 1 and i["peer_id"] == "@east" and 0 <= i["age"] < 60 and i["rekey_in"] > 0
      and 0 <= c["age"] < 60 and c["rekey_in"] > 0 and d["totals"]["total.ike.ikev2.established"] == 1)
print("ok" if ok else "schema %s peer_id %s age %s/%s rekey_in %s/%s totals %s" % (d["schema"],
      i["peer_id"], i["age"], c["age"], i["rekey_in"], c["rekey_in"], d["totals"]))' 2>&1)
	[ -z "$why" ] && [ "$out" != ok ] && why="west's JSON status: $out"
	out=$(status_json east "$NS_EAST" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["ike_sas"][0]["rekey_in"], d["ike_sas"][0]["peer_id"])' 2>&1)
	[ -z "$why" ] && [ "$out" != "-1 @west" ] && why="east (responder: no rekey of its own) has rekey_in, peer_id '$out', want '-1 @west'"
	# Prometheus text: every sample line well-formed, the counters there
	out=$(ip netns exec "$NS_WEST" "$IPSEC" metrics --rundir "$(host_dir west)/run" 2>&1)
	bad=$(grep -v '^# \(HELP\|TYPE\) cygnet_' <<<"$out" | grep -vE '^cygnet_[a-z0-9_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$' | head -1)
	[ -z "$why" ] && [ -n "$bad" ] && why="ipsec metrics printed a malformed line: '$bad'"
	for want in '# TYPE cygnet_total_ike_ikev2_established counter' 'cygnet_total_ike_ikev2_established 1' \
		'cygnet_current_states_ipsec 1' 'cygnet_child_sa_bytes{connection="west-east",serial="2",direction="in"} 0'; do
		[ -z "$why" ] && ! grep -qxF "$want" <<<"$out" && why="ipsec metrics lacks '$want'"
	done
	whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
	out=$(ip netns exec "$NS_WEST" "$IPSEC" globalstatus --rundir "$(host_dir west)/run" 2>&1)
	for want in current.states.ipsec=0 total.ipsec.type.esp=1 total.ike.ikev2.established=1; do
		[ -z "$why" ] && ! grep -qx "$want" <<<"$out" && why="west's globalstatus after --terminate lacks $want: $(tr '\n' ' ' <<<"$out")"
	done
	out=$(whackh west "$NS_WEST" --trafficstatus 2>&1)
	[ -z "$why" ] && [ -n "$out" ] && why="trafficstatus after --terminate printed '$out'"
	result traffic-global "$why"
}

# a proposal mismatch: the responder's log names what the peer offered and
# what it accepts, and the initiator is told NO_PROPOSAL_CHOSEN
test_proposal_mismatch() {
	local why="" e out
	pair_psk proposal-mismatch || { result proposal-mismatch "cannot make the namespaces"; return; }
	e=$(host_dir east)
	sed -i 's|authby=secret|authby=secret\n\tike=aes128-sha2_256;modp2048|' "$(host_dir west)/ipsec.conf"
	sed -i 's|authby=secret|authby=secret\n\tike=aes256-sha2_512;ecp384|' "$e/ipsec.conf"
	start_both || { result proposal-mismatch "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded: $out"
	want='no IKE proposal of the peer is acceptable: it offered aes_128-sha2_256-prfsha2_256-modp2048; we accept aes_256-sha2_512-prfsha2_512-ecp384'
	[ -z "$why" ] && ! grep -qF "$want" "$e/log" && why="east's log lacks '$want': $(grep -m1 'proposal' "$e/log")"
	[ -z "$why" ] && [[ $out != *NO_PROPOSAL_CHOSEN* ]] && why="west's client was not told NO_PROPOSAL_CHOSEN: $out"
	result proposal-mismatch "$why"
}

# uniqueids: west (@west) comes up with east's road-warrior conn (right=%any
# rightid=@west), dies without a word and comes back from another address
# (198.18.0.3: a peer that moved); uniqueids=yes (pluto's default) makes
# east replace the older IKE SA and its Child SA, uniqueids=no keeps both.
# VERSION ikev1|ikev2: the same in both (ike_sa_replace_older)
test_uniqueids() {
	local version=$1 uniq=$2 name=uniqueids-$1-$2 why="" w e out line want
	if [ "$version" = ikev1 ]; then line=ikev2=never; else line=ikev2=insist; fi
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	printf 'conn west-east\n\tauthby=secret\n\tleft=198.18.0.1\n\tleftid=@west\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tleftupdown=%%disabled\n\t%s\n\tauto=add\n' "$line" >"$w/ipsec.conf"
	printf 'conn road\n\tauthby=secret\n\tleft=198.18.0.2\n\tleftid=@east\n\tleftsubnet=203.0.113.0/24\n\tright=%%any\n\trightid=@west\n\tleftupdown=%%disabled\n\t%s\n\tauto=add\n' "$line" >"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	{ pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST" none --uniqueids "$uniq"; } ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="first initiate failed: $out"
	# west moves: killed (no Delete), back from 198.18.0.3
	if [ -z "$why" ]; then
		pluto_kill west
		ip -n "$NS_WEST" addr add 198.18.0.3/24 dev eth0 || why="cannot add 198.18.0.3 to west"
		sed -i 's/left=198.18.0.1/left=198.18.0.3/' "$w/ipsec.conf"
	fi
	[ -z "$why" ] && { pluto_start west "$NS_WEST" || why="west did not start again"; }
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="second initiate failed: $out"; }
	if [ -z "$why" ] && [ "$uniq" = yes ]; then
		want="replaced by IKE SA #[0-9]+ with the same peer '@west' from 198.18.0.3 \(uniqueids=yes\)"
		grep -qE "$want" "$e/log" || why="east did not log the replacement: $(grep -m1 -E 'deleting IKE SA' "$e/log")"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 1 ] &&
			why="east has $(count east "$NS_EAST" ike_sas ESTABLISHED) IKE SAs, want 1 (the new one)"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] &&
			why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs, want 1"
	elif [ -z "$why" ]; then
		grep -q 'uniqueids=yes' "$e/log" && why="east replaced the SA with --uniqueids no"
		[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 2 ] &&
			why="east has $(count east "$NS_EAST" ike_sas ESTABLISHED) IKE SAs, want both (uniqueids=no)"
	fi
	result "$name" "$why"
}

# dh-reuse: a busy responder shares its DH key pair (--dh-reuse, RFC 7296
# 2.12). build/bench/ike-load opens 120 IKE SAs (MODP2048, 24 at once)
# with east's pluto, which has one crypto helper: the DH work queues up, so
# east says it is busy, shares key pairs (total.ike.dh.shared > 0), every
# SA still comes up, and once the load is gone (1 s window) it says it
# makes its own again. With --dh-reuse 0 nothing is shared.
# VERSION ikev1|ikev2 (ike-load --ikev1: Main Mode)
test_dh_reuse() {
	local version=$1 reuse=$2 name=dh-reuse-$1-$2 why="" e load=$B/bench/ike-load out n shared
	[ -x "$load" ] || load=$top/build/bench/ike-load   # the ASan build has none
	[ -x "$load" ] || { result "$name" "no $load (make bench)"; return; }
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	{
		printf 'version 2\n\nconn bench\n\tauthby=secret\n'
		if [ "$version" = ikev1 ]; then printf '\tikev2=never\n'; else printf '\tikev2=insist\n'; fi
		printf '\tleft=198.18.0.2\n\tleftid=@bench-responder\n\tleftsubnet=203.0.113.0/24\n'
		printf '\tright=%%any\n\trightid=@bench-initiator\n\trightsubnet=10.0.0.0/8\n'
		printf '\tike=aes128-sha2_256;modp2048\n\tphase2alg=aes128-sha2_256\n\tleftupdown=%%disabled\n\tauto=add\n'
	} >"$e/ipsec.conf"
	printf '@bench-responder @bench-initiator : PSK "%s"\n' "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$e/ipsec.secrets"
	printf '%s\n' "$PSK" >"$e/psk"
	pluto_start east "$NS_EAST" none --nhelpers 1 --uniqueids no --max-halfopen-ike-per-address 1000 \
		--dh-reuse "$reuse" || { result "$name" "pluto did not start"; return; }
	out=$(ip netns exec "$NS_WEST" timeout 60 "$load" --target 198.18.0.2 --psk-file "$e/psk" \
		--ike aes128-sha2_256 --dh modp2048 --esp aes128-sha2_256 --tsi 10.0.0.0/8 \
		--tsr 203.0.113.0/24 --window 24 --count 120 --max-time 50 \
		$([ "$version" = ikev1 ] && echo --ikev1) 2>&1) || why="ike-load failed: $(echo "$out" | tail -2)"
	n=$(whackh east "$NS_EAST" --globalstatus 2>/dev/null | sed -n "s/^total.ike.$version.established=//p")
	shared=$(whackh east "$NS_EAST" --globalstatus 2>/dev/null | sed -n 's/^total.ike.dh.shared=//p')
	[ -z "$why" ] && [ "$n" != 120 ] && why="east established ${n:-?} IKE SAs, want 120"
	if [ -z "$why" ] && [ "$reuse" = 0 ]; then
		[ "$shared" = 0 ] || why="--dh-reuse 0, yet total.ike.dh.shared=$shared"
	elif [ -z "$why" ]; then
		grep -q 'busy (more crypto work queued than helper threads): responders share a DH key pair for up to 1 s' "$e/log" ||
			why="east did not say it is busy"
		[ -z "$why" ] && [ "${shared:-0}" -le 0 ] && why="total.ike.dh.shared=${shared:-?}, want > 0 under load"
		[ -z "$why" ] && ! wait_until 5 grep -q 'no longer busy: every responder makes its own DH key pair again' "$e/log" &&
			why="east did not say it stopped sharing within 5 s of the load's end"
	fi
	echo "east: $n IKE SAs, total.ike.dh.shared=$shared"
	result "$name" "$why"
}

CORE_TESTS=(dpd-clear dpd-hold dpd-restart nat group group-responder group-ts rekey-two rekey-whack init-checks halfopen forceencaps traffic-global proposal-mismatch
	uniqueids-ikev2-yes uniqueids-ikev2-no uniqueids-ikev1-yes uniqueids-ikev1-no
	dh-reuse-ikev2-1 dh-reuse-ikev2-0 dh-reuse-ikev1-1)
for t in "${CORE_TESTS[@]}"; do
	want "$t" || continue
	case $t in
	dpd-clear) test_dpd clear ;;
	dpd-hold) test_dpd hold ;;
	dpd-restart) test_dpd restart ;;
	nat) test_nat ;;
	group) test_group ;;
	group-responder) test_group_responder ;;
	group-ts) test_group_ts ;;
	rekey-two) test_rekey_two ;;
	rekey-whack) test_rekey_whack ;;
	init-checks) test_init_checks ;;
	halfopen) test_halfopen ;;
	forceencaps) test_forceencaps ;;
	traffic-global) test_traffic_global ;;
	proposal-mismatch) test_proposal_mismatch ;;
	uniqueids-*-*) t=${t#uniqueids-}; test_uniqueids "${t%-*}" "${t#*-}" ;;
	dh-reuse-*-*) t=${t#dh-reuse-}; test_dh_reuse "${t%-*}" "${t#*-}" ;;
	esac
done
exit 0
