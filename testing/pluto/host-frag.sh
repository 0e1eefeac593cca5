#!/usr/bin/env bash
# Host-level tests of IKEv2 fragmentation (RFC 7383), and of IKEv1's
# (the FRAGMENTATION vendor ID and Fragment payloads of Cisco, Windows and
# libreswan; ikev1/frag.c): two plutos with
# --kernel none in network namespaces this script creates, and pluto
# against libreswan's pluto (IKE only). The receiving pluto logs
# "request|response N reassembled from K fragments"; that line is what
# shows fragments went over the wire. One line per test: PASS NAME |
# FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from host-pluto.sh.
#
# usage: testing/pluto/host-frag.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

# reassembled HOST WHAT: the largest K of "WHAT M reassembled from K
# fragments" in HOST's log (0: none)
reassembled() {
	local k
	k=$(grep -o "$2 [0-9]* reassembled from [0-9]* fragments" "$(host_dir "$1")/log" 2>/dev/null |
		awk '{print $5}' | sort -n | tail -1)
	echo "${k:-0}"
}

# pair_frag TEST WEST-FRAG EAST-FRAG [CONN-EXTRA...]: PSK conn on both,
# each with its own fragmentation=
pair_frag() {
	local name=$1 wf=$2 ef=$3
	shift 3
	pair_psk "$name" "$@" || return 1
	printf '\tfragmentation=%s\n' "$wf" >>"$(host_dir west)/ipsec.conf"
	printf '\tfragmentation=%s\n' "$ef" >>"$(host_dir east)/ipsec.conf"
}

# up: west initiates; both must have the Child SA
up() {
	local out
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || { echo "initiate failed: $out"; return; }
	wait_for_s 1 10 count west "$NS_WEST" child_sas ESTABLISHED || { echo "west has no Child SA"; return; }
	wait_for_s 1 5 count east "$NS_EAST" child_sas ESTABLISHED || { echo "east has no Child SA"; return; }
}

# force on both: IKE_AUTH request and response each in several fragments
test_force() {
	local why="" k
	pair_frag frag-force force force || { result frag-force "cannot make the namespaces"; return; }
	start_both || { result frag-force "pluto did not start"; return; }
	why=$(up)
	k=$(reassembled east request)
	[ -z "$why" ] && [ "$k" -lt 2 ] && why="east did not reassemble the IKE_AUTH request from fragments (largest: $k)"
	k=$(reassembled west response)
	[ -z "$why" ] && [ "$k" -lt 2 ] && why="west did not reassemble the IKE_AUTH response from fragments (largest: $k)"
	# a later exchange (an INFORMATIONAL with the Delete) in fragments too
	if [ -z "$why" ]; then
		whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
		wait_for_s 0 5 count east "$NS_EAST" ike_sas ESTABLISHED || why="east kept its IKE SA after terminate"
	fi
	[ -z "$why" ] && ! grep -q 'request [1-9][0-9]* reassembled' <(grep -v 'request 1 reassembled' "$(host_dir east)/log") &&
		why="the Delete (INFORMATIONAL) did not arrive in fragments"
	result frag-force "$why"
}

# AEAD (AES-GCM, 256 then 128 bits): the AAD of each fragment runs
# to its Total Fragments field
test_aead() {
	local why="" k alg i=0 name=frag-aead
	for alg in 'aes_gcm16_256-prfsha2_256;modp2048' 'aes_gcm16_128-prfsha2_256;curve25519'; do
		i=$((i + 1))
		pair_frag "$name-$i" force force "ike=$alg" || { result "$name" "cannot make the namespaces"; return; }
		start_both || { why="pluto did not start ($alg)"; break; }
		why=$(up)
		k=$(reassembled east request)
		[ -z "$why" ] && [ "$k" -lt 2 ] && why="east did not reassemble the IKE_AUTH request (largest: $k)"
		k=$(reassembled west response)
		[ -z "$why" ] && [ "$k" -lt 2 ] && why="west did not reassemble the IKE_AUTH response (largest: $k)"
		[ -n "$why" ] && { why="ike=$alg: $why"; break; }
		netns_down >/dev/null 2>&1
	done
	result "$name" "$why"
}

# a lost fragment: east's firewall drops the second small datagram that
# reaches it (the IKE_AUTH request's fragment 2; IKE_SA_INIT is larger);
# west's retransmission sends every fragment again and the SA comes up
test_retransmit() {
	local why="" k dropped
	pair_frag frag-retransmit force force || { result frag-retransmit "cannot make the namespaces"; return; }
	if ! ip netns exec "$NS_EAST" iptables -A INPUT -p udp --dport 500 -m length --length 0:200 \
		-m statistic --mode nth --every 1000 --packet 1 -j DROP 2>/dev/null; then
		netns_down >/dev/null 2>&1
		echo "SKIP frag-retransmit: iptables with the length and statistic matches is not available"
		return
	fi
	start_both || { result frag-retransmit "pluto did not start"; return; }
	why=$(up)
	dropped=$(ip netns exec "$NS_EAST" iptables -L INPUT -v -x -n 2>/dev/null | awk '/DROP/ {print $1}')
	[ -z "$why" ] && [ "$dropped" != 1 ] && why="the firewall dropped ${dropped:-no} datagrams, not 1"
	k=$(reassembled east request)
	[ -z "$why" ] && [ "$k" -lt 2 ] && why="east did not reassemble the IKE_AUTH request (largest: $k)"
	result frag-retransmit "$why"
}

# a lost response fragment: west's firewall drops the first small
# datagram from east (fragment 1 of the IKE_AUTH response); west sends its
# K request fragments again and east answers again on fragment 1 only
# (RFC 7383 2.6.1): west receives the R response fragments twice, not
# K + 1 times
test_answer_again() {
	local why="" r counts
	pair_frag frag-answer-again force force || { result frag-answer-again "cannot make the namespaces"; return; }
	if ! ip netns exec "$NS_WEST" iptables -A INPUT -p udp --sport 500 -m length --length 0:200 \
		-m statistic --mode nth --every 1000 --packet 0 -j DROP 2>/dev/null ||
	   ! ip netns exec "$NS_WEST" iptables -A INPUT -p udp --sport 500 -m length --length 0:200 -j ACCEPT; then
		netns_down >/dev/null 2>&1
		echo "SKIP frag-answer-again: iptables with the length and statistic matches is not available"
		return
	fi
	start_both || { result frag-answer-again "pluto did not start"; return; }
	why=$(up)
	r=$(reassembled west response)
	[ -z "$why" ] && [ "$r" -lt 2 ] && why="west did not reassemble the IKE_AUTH response (largest: $r)"
	# packets dropped + accepted: every response fragment west was sent
	counts=$(ip netns exec "$NS_WEST" iptables -L INPUT -v -x -n 2>/dev/null | awk '/DROP|ACCEPT/ {n += $1} END {print n}')
	[ -z "$why" ] && [ "$counts" != $((2 * r)) ] &&
		why="east sent $counts response fragments, not twice its $r"
	result frag-answer-again "$why"
}

# fragmentation=no on east: it does not announce, so force on west sends
# whole messages; neither reassembles anything
test_no() {
	local why="" k
	pair_frag frag-no force no || { result frag-no "cannot make the namespaces"; return; }
	start_both || { result frag-no "pluto did not start"; return; }
	why=$(up)
	k=$(reassembled east request)
	[ -z "$why" ] && [ "$k" != 0 ] && why="east (fragmentation=no) got the IKE_AUTH request in $k fragments"
	k=$(reassembled west response)
	[ -z "$why" ] && [ "$k" != 0 ] && why="west got the IKE_AUTH response in $k fragments from east (fragmentation=no)"
	result frag-no "$why"
}

# fragmentation=yes (the default) on both, and an IKE_AUTH too large for
# a 576-byte IPv4 path: a 490-character ID (IDs hold at most 511)
test_big() {
	local why="" k id
	id=@west-$(printf 'x%.0s' $(seq 1 475)).example
	pair_frag frag-big yes yes || { result frag-big "cannot make the namespaces"; return; }
	local h
	for h in west east; do
		sed -i "s|leftid=@west|leftid=$id|" "$(host_dir $h)/ipsec.conf"
		printf '%s @east : PSK "%s"\n' "$id" "$PSK" >"$(host_dir $h)/ipsec.secrets"
	done
	start_both || { result frag-big "pluto did not start"; return; }
	why=$(up)
	k=$(reassembled east request)
	[ -z "$why" ] && [ "$k" -lt 2 ] && why="east did not get the large IKE_AUTH request in fragments (largest: $k)"
	# the small response fits: whole
	k=$(reassembled west response)
	[ -z "$why" ] && [ "$k" != 0 ] && why="west got the small IKE_AUTH response in $k fragments"
	result frag-big "$why"
}

# libreswan's pluto on east with fragmentation=yes (its default), ours
# with force: our IKE_AUTH request (we initiate) or response (it
# initiates) goes in fragments, which it must reassemble
test_libreswan() {
	local dir=$1 name=frag-libreswan-$1 why="" w e
	have_libreswan "$name" || return
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	conn_text west-east authby=secret 'ike=aes256-sha2_256;modp2048' phase2alg=aes256-sha2_256 \
		fragmentation=force >"$w/ipsec.conf"
	lsw_conf >"$e/ipsec.conf"
	printf '\tfragmentation=yes\n' >>"$e/ipsec.conf"
	secrets "$PSK" >"$w/ipsec.secrets"
	secrets "$PSK" >"$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	else
		lsw_whack --name west-east --initiate >/dev/null 2>&1
	fi
	wait_for_s 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no IKE SA with libreswan ($(grep -c . "$w/log") log lines)"
	local what=request
	[ "$dir" = responder ] && what=response
	[ -z "$why" ] && ! grep -q "$what 1 sent in [2-9][0-9]* fragments\|$what 1 sent in [1-9][0-9] fragments" "$w/log" &&
		why="our IKE_AUTH $what did not go in fragments"
	# it took our fragments: it authenticated us (it logs so once it has
	# our AUTH, or our answer to its AUTH)
	[ -z "$why" ] && ! wait_until 5 grep -q -e 'established IKE SA' -e 'authenticated peer using authby=secret' "$e/log" &&
		why="libreswan did not establish the IKE SA from our fragments"
	result "$name" "$why"
}

# libreswan's fragments to us: its ID (rightid=) is 480 characters, so
# its IKE_AUTH (request when it initiates, response when we do) is too
# large for a 576-byte path and it sends it in fragments, which we must
# reassemble
test_libreswan_big() {
	local dir=$1 name=frag-libreswan-big-$1 why="" w e id what k
	have_libreswan "$name" || return
	setup_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	id=@east-$(printf 'x%.0s' $(seq 1 475)).example
	conn_text west-east authby=secret 'ike=aes256-sha2_256;modp2048' phase2alg=aes256-sha2_256 |
		sed "s|rightid=@east|rightid=$id|" >"$w/ipsec.conf"
	lsw_conf | sed "s|rightid=@east|rightid=$id|" >"$e/ipsec.conf"
	printf '@west %s : PSK "%s"\n' "$id" "$PSK" >"$w/ipsec.secrets"
	cp "$w/ipsec.secrets" "$e/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
	pluto_start west "$NS_WEST" || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
		what=response
	else
		lsw_whack --name west-east --initiate >/dev/null 2>&1
		what=request
	fi
	wait_for_s 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no IKE SA with libreswan ($(grep -c . "$w/log") log lines)"
	k=$(reassembled west "$what")
	[ -z "$why" ] && [ "$k" -lt 2 ] && why="libreswan's IKE_AUTH $what did not come in fragments (largest: $k)"
	result "$name" "$why"
}

# ---- IKEv1 fragmentation (ikev1/frag.c) ----------------------------------------

BIG_ID=@east-$(printf 'x%.0s' $(seq 1 475)).example
BIG_WEST=@west-$(printf 'x%.0s' $(seq 1 475)).example

# v1_sent HOST / v1_reassembled HOST: how many phase 1 messages HOST sent
# in fragments / put together from fragments
v1_sent() { grep -c "ISAKMP message in [0-9]* fragments" "$(host_dir "$1")/log"; }
v1_reassembled() { grep -c "reassembled a [0-9]*-byte ISAKMP message from [0-9]* fragments" "$(host_dir "$1")/log"; }

# v1_pair_frag TEST WEST-FRAG EAST-FRAG [big]: an ikev2=no PSK conn on both
# with its own fragmentation=; big: both IDs are 480 characters, so Main
# Mode messages 5 and 6 are too big for a 576-byte path
v1_pair_frag() {
	local name=$1 wf=$2 ef=$3 h id=@east wid=@west
	[ "${4:-}" = big ] && id=$BIG_ID wid=$BIG_WEST
	setup_pair "$name" || return 1
	conn_text west-east authby=secret ikev2=no "fragmentation=$wf" |
		sed -e "s|rightid=@east|rightid=$id|" -e "s|leftid=@west|leftid=$wid|" >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret ikev2=no "fragmentation=$ef" |
		sed -e "s|rightid=@east|rightid=$id|" -e "s|leftid=@west|leftid=$wid|" >"$(host_dir east)/ipsec.conf"
	for h in west east; do
		printf '%s %s : PSK "%s"\n' "$wid" "$id" "$PSK" >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}

# v1_frag NAME WEST-FRAG EAST-FRAG [big] WANT: west initiates Main Mode;
# the Child SA comes up; WANT: both (each end sent and reassembled
# fragments) or none (no fragment either way)
test_v1_frag() {
	local name=$1 want=${!#} why=""
	v1_pair_frag "$@" || { result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	why=$(up)
	for h in west east; do
		if [ "$want" = both ]; then
			[ -z "$why" ] && [ "$(v1_sent $h)" = 0 ] && why="$h sent no message in fragments"
			[ -z "$why" ] && [ "$(v1_reassembled $h)" = 0 ] && why="$h reassembled no message"
		else
			[ -z "$why" ] && [ "$(v1_sent $h)" != 0 ] && why="$h sent fragments: $(grep -m1 'fragments' "$(host_dir $h)/log")"
		fi
	done
	[ -z "$why" ] && [ "$want" = both ] && ! grep -q "the peer sent the vendor ID \[FRAGMENTATION\]\|established ISAKMP SA" "$(host_dir east)/log" &&
		why="east's log says nothing of the ISAKMP SA"
	result "$name" "$why"
}

# libreswan (ikev2=no, fragmentation=force) with 480-character IDs: our
# Main Mode message 5 (initiator) or 6 (responder) is too big for a
# 576-byte path and goes in fragments, which libreswan must reassemble;
# libreswan's own message 5 or 6 comes in fragments, which we reassemble
test_v1_libreswan() {
	local dir=$1 name=ikev1-frag-libreswan-$1 why="" w e
	have_libreswan "$name" || return
	v1_pair_frag "$name" yes yes big || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west) e=$(host_dir east)
	lsw_conf ikev1-policy=accept | sed -e "s|rightid=@east|rightid=$BIG_ID|" -e "s|leftid=@west|leftid=$BIG_WEST|" \
		-e 's/ikev2=yes/ikev2=no/' >"$e/ipsec.conf"
	printf '\tfragmentation=force\n' >>"$e/ipsec.conf"
	lsw_pair_up "$dir" 2>"$(host_dir west)/up.err" || { result "$name" "$(cat "$(host_dir west)/up.err")"; return; }
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no ISAKMP SA with libreswan: $(grep -m1 -i 'fragment\|fail\|refus' "$w/log")"
	[ -z "$why" ] && [ "$(v1_sent west)" = 0 ] && why="our Main Mode message did not go in fragments"
	[ -z "$why" ] && [ "$(v1_reassembled west)" = 0 ] && why="libreswan's Main Mode message did not come in fragments"
	[ -z "$why" ] && ! wait_until 5 grep -q -e 'ISAKMP SA established' -e 'established ISAKMP SA' -e 'IKE SA established' "$e/log" &&
		why="libreswan did not establish the ISAKMP SA from our fragments"
	result "$name" "$why"
}

for t in frag-force frag-aead frag-retransmit frag-answer-again frag-no frag-big frag-libreswan-initiator frag-libreswan-responder \
	frag-libreswan-big-initiator frag-libreswan-big-responder \
	ikev1-frag-force ikev1-frag-big ikev1-frag-no ikev1-frag-libreswan-initiator ikev1-frag-libreswan-responder; do
	want "$t" || continue
	case $t in
	frag-force) test_force ;;
	frag-aead) test_aead ;;
	frag-retransmit) test_retransmit ;;
	frag-answer-again) test_answer_again ;;
	frag-no) test_no ;;
	frag-big) test_big ;;
	frag-libreswan-initiator) test_libreswan initiator ;;
	frag-libreswan-responder) test_libreswan responder ;;
	frag-libreswan-big-initiator) test_libreswan_big initiator ;;
	frag-libreswan-big-responder) test_libreswan_big responder ;;
	ikev1-frag-force) test_v1_frag "$t" force force both ;;
	ikev1-frag-big) test_v1_frag "$t" yes yes big both ;;
	ikev1-frag-no) test_v1_frag "$t" force no none ;;
	ikev1-frag-libreswan-initiator) test_v1_libreswan initiator ;;
	ikev1-frag-libreswan-responder) test_v1_libreswan responder ;;
	esac
done
exit 0
