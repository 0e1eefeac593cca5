#!/usr/bin/env bash
# Host-level (tier 1) tests of IKEv1 road warriors: XAUTH
# (draft-beaulieu-ike-xauth-02) and Mode Config (draft-dukes-ike-mode-cfg-02)
# after Main Mode, on the Transaction exchange. West is the road warrior
# (leftxauthclient=yes, leftmodecfgclient=yes), east the gateway
# (leftxauthserver=yes, leftmodecfgserver=yes, rightaddresspool=
# 198.51.100.10-198.51.100.20). Checked: pull and push each give the
# client the first pool address, the status (both Child SAs) and updown
# (PLUTO_MY_SOURCEIP) show it, Quick Mode carries it as IDci; a wrong XAUTH
# password is refused and logged with conn, peer and user (never the
# password), nothing established; without a pool the one address of
# rightsubnet= is given; a pulling client and a pushing server agree; two clients (two IDs) get two addresses,
# and an address --terminate gives back goes to the next client; a client
# whose server gives no address gives up after --retransmit-timeout; a
# lost answer is retransmitted for (the request) and answered again; and
# libreswan's pluto as the server for ours and as the client of ours, and
# strongSwan's charon (IKEv1, XAUTH client, a virtual IP) against pluto as
# the server, IKE only (charon needs the xauth-generic plugin of Debian's
# libcharon-extauth-plugins in $PEERS, or XAUTH_PEERS=DIR: SKIP without).
# --kernel none, network namespaces this script
# creates. One line per test: PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY.
#
# usage: testing/pluto/host-ikev1-xauth.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

XAUTH_PW='road-warrior-password-42'

# gw_conf PULL: east's road warrior conn (any peer, any ID)
gw_conf() {
	printf 'version 2\n\nconn rw\n\tleft=198.18.0.2\n\tleftid=@east\n\tleftsubnet=203.0.113.0/24\n'
	printf '\tleftxauthserver=yes\n\tleftmodecfgserver=yes\n\tright=%%any\n\trightxauthclient=yes\n'
	printf '\trightmodecfgclient=yes\n\trightaddresspool=198.51.100.10-198.51.100.20\n'
	printf '\tmodecfgpull=%s\n\tmodecfgdns1=203.0.113.53\n\tauthby=secret\n\tikev2=no\n' "$1"
	printf '\tleftupdown=%%disabled\n\trightupdown=%%disabled\n\tauto=add\n'
}

# rw_conf PULL NAME ID [UPDOWN]: a road warrior conn of west's
rw_conf() {
	printf '\nconn %s\n\tleft=198.18.0.1\n\tleftid=%s\n\tleftxauthclient=yes\n\tleftxauthusername=road\n' "$2" "$3"
	printf '\tleftmodecfgclient=yes\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n'
	printf '\trightxauthserver=yes\n\trightmodecfgserver=yes\n\tmodecfgpull=%s\n\tauthby=secret\n' "$1"
	printf '\tikev2=no\n\tkeyingtries=1\n\tleftupdown=%s\n\trightupdown=%%disabled\n\tauto=add\n' "${4:-%disabled}"
}

# xa_pair TEST PULL [CLIENT-PASSWORD]: namespaces, configs and secrets
xa_pair() {
	setup_pair "$1" || return 1
	local w e
	w=$(host_dir west)
	e=$(host_dir east)
	gw_conf "$2" >"$e/ipsec.conf"
	printf ': PSK "%s"\nroad : XAUTH "%s"\n' "$PSK" "$XAUTH_PW" >"$e/ipsec.secrets"
	printf ': PSK "%s"\nroad : XAUTH "%s"\n' "$PSK" "${3:-$XAUTH_PW}" >"$w/ipsec.secrets"
	chmod 600 "$w/ipsec.secrets" "$e/ipsec.secrets"
}

# test_xa_modecfg PULL: one client gets the first pool address; the Child
# SAs of both ends carry it; updown sees it as PLUTO_MY_SOURCEIP
test_xa_modecfg() {
	local pull=$1 name=ikev1-xauth-modecfg-push why="" w e out a b c
	[ "$pull" = yes ] && name=ikev1-xauth-modecfg-pull
	xa_pair "$name" "$pull" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	printf '#!/bin/sh\nenv | grep ^PLUTO_ | sort > "%s/env.$PLUTO_VERB"\n' "$w" >"$w/record.sh"
	chmod +x "$w/record.sh"
	{ echo 'version 2'; rw_conf "$pull" rw @road1 "$w/record.sh"; } >"$w/ipsec.conf"
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q "XAUTH: \"rw\": user 'road' from 198.18.0.1 authenticated" "$e/log" &&
		why="east did not log the XAUTH user: $(grep -m1 XAUTH "$e/log")"
	[ -z "$why" ] && ! grep -q "XAUTH: the server accepted user 'road'" "$w/log" && why="west was not told XAUTH OK"
	[ -z "$why" ] && ! grep -q 'Mode Config: got address 198.51.100.10 (netmask 255.255.255.255, DNS 203.0.113.53)' "$w/log" &&
		why="west did not get 198.51.100.10 and the DNS server: $(grep -m1 'Mode Config' "$w/log")"
	[ -z "$why" ] && [ "$(child_ts west "$NS_WEST")" != "198.51.100.10/32 203.0.113.0/24" ] &&
		why="west's Child SA (local remote): '$(child_ts west "$NS_WEST")', want '198.51.100.10/32 203.0.113.0/24'"
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST")" != "203.0.113.0/24 198.51.100.10/32" ] &&
		why="east's Child SA (local remote): '$(child_ts east "$NS_EAST")', want '203.0.113.0/24 198.51.100.10/32'"
	[ -z "$why" ] && ! whackh west "$NS_WEST" --status | grep -q '198.51.100.10/32===203.0.113.0/24\|198.51.100.10/32 *=== *203.0.113.0/24\|198.51.100.10/32' &&
		why="west's --status does not show 198.51.100.10/32"
	[ -z "$why" ] && ! grep -q '^PLUTO_MY_SOURCEIP=198.51.100.10$' "$w/env.up-client" 2>/dev/null &&
		why="updown up-client: no PLUTO_MY_SOURCEIP=198.51.100.10: $(grep SOURCEIP "$w/env.up-client" 2>&1)"
	[ -z "$why" ] && ! grep -q '^PLUTO_MY_CLIENT=198.51.100.10/32$' "$w/env.up-client" &&
		why="updown up-client: PLUTO_MY_CLIENT is not 198.51.100.10/32"
	# the order: XAUTH, Mode Config, then Quick Mode
	if [ -z "$why" ]; then
		out=$(grep -n -m1 "XAUTH: the server accepted" "$w/log" | cut -d: -f1):$(grep -n -m1 'Mode Config: got address' "$w/log" | cut -d: -f1):$(grep -n -m1 'sent Quick Mode message 1' "$w/log" | cut -d: -f1)
		IFS=: read -r a b c <<<"$out"
		[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] ||
			why="not XAUTH, Mode Config, Quick Mode in that order (log lines $out)"
	fi
	[ -z "$why" ] && grep -q "$XAUTH_PW" "$w/log" "$e/log" && why="a log holds the password"
	result "$name" "$why"
}

# the client pulls, the server pushes (modecfgpull= differs): each takes
# the other's message as the answer to its own, and the Child SA comes up
test_xa_mixed() {
	local name=ikev1-modecfg-pull-vs-push why="" w e out
	xa_pair "$name" no || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{ echo 'version 2'; rw_conf yes rw @road1; } >"$w/ipsec.conf"
	pluto_start west "$NS_WEST" none --retransmit-timeout 5 && pluto_start east "$NS_EAST" none --retransmit-timeout 5 ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST")" != "203.0.113.0/24 198.51.100.10/32" ] &&
		why="east's Child SA (local remote): '$(child_ts east "$NS_EAST")'"
	[ -z "$why" ] && grep -q 'dropping a Transaction' "$w/log" "$e/log" &&
		why="$(grep -h -m1 'dropping a Transaction' "$w/log" "$e/log")"
	# past the retransmission budget: nothing of it is left waiting
	[ -z "$why" ] && sleep 5.5
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 11 ] &&
		why="an ISAKMP SA went: $(grep -h -m1 'negotiation failed\|deleting IKE SA' "$w/log" "$e/log")"
	result "$name" "$why"
}

# no pool: the one address of rightsubnet= (a /32) is the client's
test_xa_subnet() {
	local name=ikev1-modecfg-subnet why="" w e out
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	sed -i 's|^\trightaddresspool=.*$|\trightsubnet=198.51.100.77/32|' "$e/ipsec.conf"
	{ echo 'version 2'; rw_conf yes rw @road1; } >"$w/ipsec.conf"
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'Mode Config: got address 198.51.100.77 ' "$w/log" &&
		why="west did not get 198.51.100.77: $(grep -m1 'Mode Config' "$w/log")"
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST")" != "203.0.113.0/24 198.51.100.77/32" ] &&
		why="east's Child SA (local remote): '$(child_ts east "$NS_EAST")'"
	result "$name" "$why"
}

# a wrong password: east refuses it (SET with FAIL), logs conn, peer and
# user, deletes the ISAKMP SA; nothing is established, no address leased
test_xa_wrong() {
	local name=ikev1-xauth-wrong-password why="" w e out
	xa_pair "$name" yes 'not-the-password' || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{ echo 'version 2'; rw_conf yes rw @road1; } >"$w/ipsec.conf"
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw --initiate 2>&1) && why="initiate succeeded with a wrong password"
	[ -z "$why" ] && ! grep -q "XAUTH: the server refused user 'road'" <<<"$out" &&
		why="whack was not told the server refused: $out"
	[ -z "$why" ] && ! grep -q "XAUTH: \"rw\": user 'road' from 198.18.0.1 failed authentication: wrong password" "$e/log" &&
		why="east did not log the failure with conn, peer and user: $(grep -m1 XAUTH "$e/log")"
	[ -z "$why" ] && { wait_for 0 5 count east "$NS_EAST" ike_sas ESTABLISHED || why="east kept the ISAKMP SA"; }
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept the ISAKMP SA"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)$(count east "$NS_EAST" child_sas ESTABLISHED)" != 00 ] &&
		why="a Child SA was established"
	[ -z "$why" ] && grep -q 'Mode Config: giving' "$e/log" && why="east leased an address to a refused user"
	[ -z "$why" ] && grep -q 'not-the-password\|road-warrior-password' "$w/log" "$e/log" && why="a log holds a password"
	result "$name" "$why"
}

# two clients (IDs @road1, @road2) get two addresses; the address that
# --terminate gives back goes to the next client (@road3)
test_xa_two() {
	local name=ikev1-modecfg-two-clients why="" w e out
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{ echo 'version 2'; rw_conf yes rw1 @road1; rw_conf yes rw2 @road2; rw_conf yes rw3 @road3; } >"$w/ipsec.conf"
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw1 --initiate 2>&1) || why="initiate rw1 failed: $out"
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name rw2 --initiate 2>&1) || why="initiate rw2 failed: $out"; }
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST" | sort | tr '\n' ' ')" != "203.0.113.0/24 198.51.100.10/32 203.0.113.0/24 198.51.100.11/32 " ] &&
		why="east's Child SAs: '$(child_ts east "$NS_EAST" | tr '\n' ' ')', want .10 and .11"
	[ -z "$why" ] && ! grep -q 'Mode Config: giving 198.51.100.10 to @road1' "$e/log" && why="@road1 did not get .10"
	[ -z "$why" ] && ! grep -q 'Mode Config: giving 198.51.100.11 to @road2' "$e/log" && why="@road2 did not get .11"
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name rw1 --terminate 2>&1) || why="terminate rw1 failed: $out"; }
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'Mode Config: 198.51.100.10 is back in the pool (1 in use)' "$e/log" ||
		why="east did not give 198.51.100.10 back: $(grep -m1 'back in the pool' "$e/log")"; }
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name rw3 --initiate 2>&1) || why="initiate rw3 failed: $out"; }
	[ -z "$why" ] && ! grep -q 'Mode Config: giving 198.51.100.10 to @road3' "$e/log" &&
		why="@road3 did not get the address given back: $(grep 'giving' "$e/log" | tail -1)"
	[ -z "$why" ] && [ "$(child_ts east "$NS_EAST" | sort | tr '\n' ' ')" != "203.0.113.0/24 198.51.100.10/32 203.0.113.0/24 198.51.100.11/32 " ] &&
		why="east's Child SAs after rw3: '$(child_ts east "$NS_EAST" | tr '\n' ' ')'"
	result "$name" "$why"
}

# a lost answer: west's first Transaction message (its XAUTH REPLY) is
# dropped on the way out (iptables in west's namespace: the first UDP
# datagram from port 500 with exchange type 6); east retransmits its
# REQUEST, west answers the repeat with its kept REPLY (not a second
# lookup), and everything goes on to the Child SA
test_xa_lost() {
	local name=ikev1-xauth-lost-reply why="" w e out n
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{ echo 'version 2'; rw_conf yes rw @road1; } >"$w/ipsec.conf"
	# IPv4 20 + UDP 8 + ISAKMP byte 18 (exchange type): byte 46 of the packet
	ip netns exec "$NS_WEST" iptables -A OUTPUT -p udp --sport 500 -m u32 --u32 '44>>8&0xFF=6' \
		-m statistic --mode nth --every 100000 --packet 0 -j DROP 2>"$w/iptables.err" ||
		{ echo "SKIP $name: no iptables u32/statistic here: $(head -1 "$w/iptables.err")"; netns_down >/dev/null 2>&1; return; }
	pluto_start west "$NS_WEST" none --debug control && pluto_start east "$NS_EAST" none ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name rw --initiate 2>&1) || why="initiate failed: $out"
	n=$(ip netns exec "$NS_WEST" iptables -L OUTPUT -v -n -x | awk '$3 == "DROP" {print $1}')
	[ -z "$why" ] && [ "$n" != 1 ] && why="iptables dropped '$n' packets, want 1"
	[ -z "$why" ] && ! grep -q 'repeated Transaction message: answering again' "$w/log" &&
		why="west did not answer the repeated REQUEST again"
	[ -z "$why" ] && [ "$(grep -c "XAUTH: answering the server as user 'road'" "$w/log")" != 1 ] &&
		why="west took the repeated REQUEST as a new one"
	[ -z "$why" ] && [ "$(child_ts west "$NS_WEST")" != "198.51.100.10/32 203.0.113.0/24" ] &&
		why="west's Child SA (local remote): '$(child_ts west "$NS_WEST")'"
	result "$name" "$why"
}

# a server that gives no address (east: XAUTH only): west, a push client,
# waits for a SET that never comes and gives up after --retransmit-timeout
# (3 s), without Quick Mode; its ISAKMP Delete ends east's SA too
test_xa_no_server() {
	local name=ikev1-modecfg-no-server why="" w e out t0 t1
	xa_pair "$name" no || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	sed -i '/leftmodecfgserver=yes/d' "$e/ipsec.conf"
	{ echo 'version 2'; rw_conf no rw @road1; } >"$w/ipsec.conf"
	pluto_start west "$NS_WEST" none --retransmit-timeout 3 && pluto_start east "$NS_EAST" none ||
		{ result "$name" "pluto did not start"; return; }
	t0=$(now_ms)
	out=$(timeout 15 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --name rw --initiate 2>&1) && why="initiate succeeded without an address"
	t1=$(now_ms)
	[ -z "$why" ] && ! grep -q 'negotiation failed: Mode Config not done within 3 s' <<<"$out" &&
		why="whack was not told why: $out"
	[ -z "$why" ] && [ $((t1 - t0)) -lt 2500 ] && why="west gave up after $((t1 - t0)) ms, before 3 s"
	[ -z "$why" ] && grep -q 'sent Quick Mode message 1' "$w/log" && why="west started Quick Mode without an address"
	[ -z "$why" ] && { wait_for 0 5 count east "$NS_EAST" ike_sas ESTABLISHED || why="east kept the ISAKMP SA"; }
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept the ISAKMP SA"
	result "$name" "$why"
}

# libreswan's pluto as the gateway (XAUTH server with xauthby=alwaysok,
# Mode Config server with an address pool, pull) and our pluto as the road
# warrior: XAUTH, the first pool address, and our Quick Mode with it as
# IDci, which libreswan takes (its kernel step fails on this host: no ESP)
test_xa_libreswan() {
	local name=ikev1-xauth-libreswan why="" w e
	have_libreswan "$name" || return
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	{ echo 'version 2'; rw_conf yes west-east @road1; } |
		sed 's/^\tmodecfgpull=yes$/&\n\tike=aes256-sha2_256;modp2048\n\tphase2alg=aes256-sha2_256\n\tpfs=no/' >"$w/ipsec.conf"
	printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\n' >"$e/ipsec.conf"
	printf 'conn west-east\n\tauthby=secret\n\tikev2=no\n\tleft=198.18.0.1\n\tleftid=@road1\n' >>"$e/ipsec.conf"
	printf '\tleftxauthclient=yes\n\tleftmodecfgclient=yes\n\tleftaddresspool=198.51.100.10-198.51.100.20\n' >>"$e/ipsec.conf"
	printf '\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\trightxauthserver=yes\n' >>"$e/ipsec.conf"
	printf '\trightmodecfgserver=yes\n\txauthby=alwaysok\n\tmodecfgpull=yes\n\tpfs=no\n' >>"$e/ipsec.conf"
	printf '\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n' >>"$e/ipsec.conf"
	printf '@road1 @east : PSK "%s"\n' "$PSK" >"$e/ipsec.secrets"
	pluto_start west "$NS_WEST" none --retransmit-timeout 5 || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	timeout 20 ip netns exec "$NS_WEST" "$IPSEC" whack --rundir "$w/run" --name west-east --initiate >"$w/whack.out" 2>&1
	grep -q "XAUTH: the server accepted user 'road'" "$w/log" ||
		why="libreswan did not accept our XAUTH: $(grep -m1 -i 'xauth\|fail\|refus\|NO-PROPOSAL' "$w/log")"
	[ -z "$why" ] && ! grep -q 'Mode Config: got address 198.51.100.10' "$w/log" &&
		why="no address from libreswan: $(grep -m1 -i 'mode config\|dropping\|ignoring' "$w/log")"
	[ -z "$why" ] && ! grep -q 'sent Quick Mode message 1' "$w/log" && why="we did not start Quick Mode"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'responding to Quick Mode proposal' "$e/log" ||
		why="libreswan did not take our Quick Mode: $(grep -i 'quick\|INVALID_ID\|#2' "$e/log" | tail -1)"; }
	[ -z "$why" ] && grep -qi 'HASH.*\(fail\|mismatch\|does not\)\|malformed\|INVALID_ID\|NO_PROPOSAL_CHOSEN' "$e/log" &&
		why="libreswan complains: $(grep -m1 -i 'HASH\|malformed\|INVALID_ID\|NO_PROPOSAL' "$e/log")"
	result "$name" "$why"
}

# libreswan's pluto as the road warrior (XAUTH client, Mode Config client,
# pull) and our pluto as the gateway, in the other direction (ours on
# west): XAUTH as 'road', the first pool address, libreswan's Quick Mode
# with it as IDci answered by ours (libreswan's kernel step fails here)
test_xa_libreswan_client() {
	local name=ikev1-xauth-libreswan-client why="" w e
	have_libreswan "$name" || return
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	gw_conf yes | sed 's/^\tleft=198.18.0.2$/\tleft=198.18.0.1/' >"$w/ipsec.conf"
	printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\n' >"$e/ipsec.conf"
	printf 'conn west-east\n\tauthby=secret\n\tikev2=no\n\tleft=198.18.0.2\n\tleftid=@road1\n' >>"$e/ipsec.conf"
	printf '\tleftxauthclient=yes\n\tleftmodecfgclient=yes\n\tleftusername=road\n' >>"$e/ipsec.conf"
	printf '\tright=198.18.0.1\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\trightxauthserver=yes\n' >>"$e/ipsec.conf"
	printf '\trightmodecfgserver=yes\n\tmodecfgpull=yes\n' >>"$e/ipsec.conf"
	printf '\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n' >>"$e/ipsec.conf"
	printf '@road1 @east : PSK "%s"\nroad : XAUTH "%s"\n' "$PSK" "$XAUTH_PW" >"$e/ipsec.secrets"
	pluto_start west "$NS_WEST" none || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	wait_for_s 1 10 grep -c "XAUTH: \"rw\": user 'road' from 198.18.0.2 authenticated" "$w/log" ||
		why="we did not authenticate libreswan's XAUTH user: $(grep -m1 -i 'xauth\|fail\|refus\|NO-PROPOSAL\|dropping' "$w/log")"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'Mode Config: giving 198.51.100.10 to @road1' "$w/log" ||
		why="we gave libreswan no address: $(grep -m1 -i 'mode config\|dropping\|ignoring' "$w/log")"; }
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'answered Quick Mode message 1 from 198.18.0.2' "$w/log" ||
		why="we did not answer libreswan's Quick Mode: $(grep -i 'quick\|INVALID-ID' "$w/log" | tail -1)"; }
	[ -z "$why" ] && grep -qi 'HASH.*\(fail\|mismatch\|does not\)\|malformed\|INVALID_ID\|NO_PROPOSAL_CHOSEN' "$e/log" &&
		why="libreswan complains: $(grep -m1 -i 'HASH\|malformed\|INVALID_ID\|NO_PROPOSAL' "$e/log")"
	result "$name" "$why"
}

# charon_conf: strongSwan as the road warrior (swanctl form of ipsec.conf's
# keyexchange=ikev1 authby=xauthpsk xauth=client leftsourceip=%config
# xauth_identity=road): Main Mode PSK, XAUTH as 'road', a virtual IP
charon_conf() {
	cat <<EOF
connections {
	rw {
		version = 1
		local_addrs = 198.18.0.1
		remote_addrs = 198.18.0.2
		proposals = aes256-sha256-modp2048
		vips = 0.0.0.0
		local {
			auth = psk
			id = road1
		}
		local-xauth {
			auth = xauth
			xauth_id = road
		}
		remote {
			auth = psk
			id = east
		}
		children {
			rw {
				remote_ts = 203.0.113.0/24
				esp_proposals = aes256-sha256-modp2048
			}
		}
	}
}
secrets {
	ike-1 {
		id-1 = road1
		id-2 = east
		secret = "$PSK"
	}
	xauth-1 {
		id = road
		secret = "$XAUTH_PW"
	}
}
EOF
}

# charon (strongSwan) as the XAUTH and Mode Config client of pluto, IKE
# only: the ISAKMP SA, XAUTH as 'road', the first pool address (charon's
# virtual IP), and charon's Quick Mode taken by pluto with that address
# as the peer's subnet (charon's own kernel step may fail on this host)
test_xa_charon() {
	local name=ikev1-xauth-charon why="" w e d
	# strongSwan's XAUTH client is its xauth-generic plugin (Debian's
	# libcharon-extauth-plugins)
	PEERS=${XAUTH_PEERS:-$PEERS}
	if [ -z "${XAUTH_PEERS:-}" ] && [ ! -f "$PEERS/root/usr/lib/ipsec/plugins/libstrongswan-xauth-generic.so" ]; then
		# the interop suite fetches the peers too; this suite may come first
		# shellcheck source=SCRIPTDIR/lib/fetch.sh
		(. "$top/testing/pluto/lib/fetch.sh" && fetch_peers) >/dev/null 2>&1
	fi
	if [ ! -x "$PEERS/root/usr/lib/ipsec/charon" ]; then
		echo "SKIP $name: strongSwan is not unpacked in $PEERS (testing/pluto/lib/fetch.sh)"
		return
	fi
	if [ ! -f "$PEERS/root/usr/lib/ipsec/plugins/libstrongswan-xauth-generic.so" ]; then
		echo "SKIP $name: strongSwan's xauth-generic plugin (libcharon-extauth-plugins) is not unpacked in $PEERS"
		return
	fi
	# shellcheck source=SCRIPTDIR/lib/peers.sh
	. "$top/testing/pluto/lib/peers.sh"
	xa_pair "$name" yes || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west)
	e=$(host_dir east)
	d=$w/charon
	mkdir -p "$d"
	charon_conf >"$d/swanctl.conf"
	sed 's/^\tload = \(.*\)$/\tload = \1 xauth-generic/' "$top/testing/pluto/lib/strongswan.conf.in" >"$d/strongswan.conf"
	pluto_start east "$NS_EAST" none || { result "$name" "pluto did not start"; return; }
	prepare_host strongswan "$d" || { result "$name" "$HOST_WHY"; return; }
	start_host strongswan "$NS_WEST" "$d" || { result "$name" "charon: $HOST_WHY"; return; }
	swanctl_ -t 25 "$NS_WEST" "$d" --initiate --ike rw --child rw --timeout 20 >"$w/swanctl.out" 2>&1
	wait_for 1 10 count east "$NS_EAST" ike_sas ESTABLISHED ||
		why="no ISAKMP SA with charon: $(grep -m1 -i 'fail\|refus\|NO-PROPOSAL\|ignoring\|dropping' "$e/log")"
	[ -z "$why" ] && ! grep -q "XAUTH: \"rw\": user 'road' from 198.18.0.1 authenticated" "$e/log" &&
		why="pluto did not authenticate charon's XAUTH user: $(grep -m1 'XAUTH\|Transaction' "$e/log")"
	[ -z "$why" ] && ! grep -q 'Mode Config: giving 198.51.100.10 to @road1' "$e/log" &&
		why="pluto gave charon no address: $(grep -m1 'Mode Config\|Transaction' "$e/log")"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'installing new virtual IP 198.51.100.10\|virtual IP 198.51.100.10' "$d/charon.log" ||
		why="charon did not take 198.51.100.10: $(grep -m1 -i 'virtual IP\|mode config\|XAUTH' "$d/charon.log")"; }
	# charon's Quick Mode, IDci its virtual IP, taken by pluto
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'answered Quick Mode message 1 from 198.18.0.1' "$e/log" ||
		why="pluto did not answer charon's Quick Mode: $(grep -m1 -i 'quick' "$e/log")"; }
	[ -z "$why" ] && grep -q 'INVALID-ID-INFORMATION' "$e/log" && why="$(grep -m1 'INVALID-ID-INFORMATION' "$e/log")"
	if [ -n "$why" ]; then
		echo "--- charon log"
		grep -i 'xauth\|mode config\|virtual\|error\|fail\|received\|sending' "$d/charon.log" | tail -15
	fi
	result "$name" "$why"
}

XA_TESTS=(ikev1-xauth-modecfg-pull ikev1-xauth-modecfg-push ikev1-xauth-wrong-password
	ikev1-modecfg-pull-vs-push ikev1-modecfg-subnet ikev1-modecfg-two-clients ikev1-xauth-lost-reply ikev1-modecfg-no-server ikev1-xauth-libreswan ikev1-xauth-libreswan-client ikev1-xauth-charon)
for t in "${XA_TESTS[@]}"; do
	want "$t" || continue
	case $t in
	ikev1-xauth-modecfg-pull) test_xa_modecfg yes ;;
	ikev1-xauth-modecfg-push) test_xa_modecfg no ;;
	ikev1-xauth-wrong-password) test_xa_wrong ;;
	ikev1-modecfg-two-clients) test_xa_two ;;
	ikev1-modecfg-subnet) test_xa_subnet ;;
	ikev1-modecfg-pull-vs-push) test_xa_mixed ;;
	ikev1-modecfg-no-server) test_xa_no_server ;;
	ikev1-xauth-lost-reply) test_xa_lost ;;
	ikev1-xauth-libreswan) test_xa_libreswan ;;
	ikev1-xauth-libreswan-client) test_xa_libreswan_client ;;
	ikev1-xauth-charon) test_xa_charon ;;
	esac
done
exit 0
