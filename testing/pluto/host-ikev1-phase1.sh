#!/usr/bin/env bash
# Host-level (tier 1) tests of IKEv1 phase 1 beyond Main Mode: Aggressive
# Mode with a PSK (RFC 2409 5.4) between two plutos (each side initiating
# once, Quick Mode over it), a wrong PSK, an ike= with two DH groups
# refused at initiate, and against libreswan's pluto both ways; Aggressive
# Mode with RSA signatures (RFC 2409 5.1) both ways, a wrong key for the
# peer (SIG_R refused), and against libreswan both ways; vendor IDs
# (DPD, NAT-T, CAN-IKEv2: what each end sends and records, libreswan
# recognising ours); bid-down detection (ikev2=propose refuses an IKEv1
# peer that can IKEv2 and initiates IKEv2; permit only logs); NAT-T (RFC
# 3947) through a NAT namespace (host-core.sh's topology) in Main and
# Aggressive Mode (NAT-D, the float to 4500, ESP in UDP, keepalives),
# forceencaps=yes, with libreswan (RFC 3947 in both modes, and the
# drafts' payload 130 and modes). --kernel none, network namespaces
# this script creates. One line per test:
# PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from
# host-pluto.sh.
#
# usage: testing/pluto/host-ikev1-phase1.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

AM_IKE='ike=aes256-sha2_256;modp2048'
AM_ESP='phase2alg=aes256-sha2_256;modp2048'

# p1_pair TEST WEST-EXTRA... -- EAST-EXTRA...: a PSK conn on both,
# ikev2=no unless an EXTRA says ikev2= (each host's extra keys up to or
# after the --)
p1_pair() {
	setup_pair "$1" || return 1
	shift
	local args=("$@") i=0 h
	while [ $i -lt ${#args[@]} ] && [ "${args[$i]}" != -- ]; do i=$((i + 1)); done
	local w=("${args[@]:0:$i}") e=("${args[@]:$((i + 1))}")
	[[ " ${w[*]}" == *" ikev2="* ]] || w+=(ikev2=no)
	[[ " ${e[*]}" == *" ikev2="* ]] || e+=(ikev2=no)
	conn_text west-east authby=secret "${w[@]}" >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret "${e[@]}" >"$(host_dir east)/ipsec.conf"
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets" && chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}

# am_pair TEST EXTRA...: aggrmode=yes with one DH group on both
am_pair() {
	local t=$1
	shift
	p1_pair "$t" aggrmode=yes "$AM_IKE" "$AM_ESP" "$@" -- aggrmode=yes "$AM_IKE" "$AM_ESP" "$@"
}

# is_aggressive HOST NS: its text status has an ESTABLISHED IKEv1 Aggressive Mode SA
is_aggressive() {
	whackh "$1" "$2" --status | grep -q '^#[0-9]*: "west-east" ESTABLISHED; .*; IKEv1 Aggressive Mode$'
}

# test_am FROM [rsa]: FROM initiates Aggressive Mode (with a PSK, or RSA
# signatures: SIG_R in message 2, SIG_I in message 3, no PSK anywhere);
# both have the ISAKMP SA (status: Aggressive Mode) and the Child SA of
# the Quick Mode after it
test_am() {
	local from=$1 name=aggressive-$1 why="" out ns to tons
	if [ "${2:-}" = rsa ]; then
		name=aggressive-rsa-$1
		am_rsa_pair "$name" || { result "$name" "cannot make the namespaces or keys"; return; }
	else
		am_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	fi
	start_both || { result "$name" "pluto did not start"; return; }
	if [ "$from" = west ]; then ns=$NS_WEST to=east tons=$NS_EAST; else ns=$NS_EAST to=west tons=$NS_WEST; fi
	out=$(whackh "$from" "$ns" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'established ISAKMP SA (IKEv1 Aggressive Mode) with @' <<<"$out" &&
		why="no 'established ISAKMP SA (IKEv1 Aggressive Mode)' from initiate: $out"
	[ -z "$why" ] && ! grep -q 'sent Aggressive Mode message 1' "$(host_dir "$from")/log" && why="$from sent no Aggressive Mode message 1"
	[ -z "$why" ] && grep -q 'Main Mode' "$(host_dir "$from")/log" && why="$from used Main Mode"
	[ -z "$why" ] && { wait_for 1 5 count "$to" "$tons" ike_sas ESTABLISHED || why="$to has no ESTABLISHED ISAKMP SA"; }
	[ -z "$why" ] && ! grep -q "responding to Aggressive Mode from 198.18.0.[12]:500 (ID '@$from')" "$(host_dir "$to")/log" &&
		why="$to did not log the Aggressive Mode it answered with the peer's ID"
	[ -z "$why" ] && ! is_aggressive "$from" "$ns" && why="$from's status does not say Aggressive Mode"
	[ -z "$why" ] && ! is_aggressive "$to" "$tons" && why="$to's status does not say Aggressive Mode"
	[ -z "$why" ] && { wait_for 1 5 count "$to" "$tons" child_sas ESTABLISHED || why="$to has no Child SA (Quick Mode)"; }
	[ -z "$why" ] && [ "$(count "$from" "$ns" child_sas ESTABLISHED)" != 1 ] && why="$from has no Child SA"
	result "$name" "$why"
}

# a wrong PSK: the initiator's HASH_R check fails; it says so, tells the
# responder (AUTHENTICATION-FAILED), and neither has an ISAKMP SA
test_am_wrong_psk() {
	local name=aggressive-psk-wrong why="" out
	am_pair "$name" keyingtries=1 || { result "$name" "cannot make the namespaces"; return; }
	secrets "not-the-same-psk" >"$(host_dir east)/ipsec.secrets"
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded with mismatched PSKs"
	[ -z "$why" ] && ! grep -q 'authentication failed: HASH_R does not match' <<<"$out" &&
		why="whack was not told that HASH_R does not match: $out"
	[ -z "$why" ] && ! grep -q 'authentication failed: Aggressive Mode message 2 from 198.18.0.2' "$(host_dir west)/log" &&
		why="west did not log the failure with the peer"
	[ -z "$why" ] && { wait_for 0 5 count east "$NS_EAST" ike_sas R_INIT_SENT || why="east kept its half-open SA after AUTHENTICATION-FAILED"; }
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 00 ] &&
		why="an ISAKMP SA came up"
	result "$name" "$why"
}

# raw_add HOST NS NAME KEY=VALUE...: the conn straight to pluto's control
# socket (WHACK_ADD), past addconn's checks of the configuration
raw_add() {
	local h=$1 ns=$2
	shift 2
	ip netns exec "$ns" python3 - "$(host_dir "$h")/run/pluto.ctl" "$@" <<'PY'
import socket, struct, sys
def field(t, v): return struct.pack(">HI", t, len(v)) + v
body = field(1, sys.argv[2].encode())
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    body += field(2, struct.pack(">I", len(k)) + k.encode() + v.encode())
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"CYGW" + struct.pack(">HHII", 1, 1, 0, 16 + len(body)) + body)
out = b""
while True:
    d = s.recv(65536)
    if not d: break
    out += d
sys.stdout.write(out.decode(errors="replace"))
PY
}

# ike= with two DH groups (addconn refuses it: sent to pluto directly):
# Aggressive Mode cannot send one KE for both; refused at initiate with
# the reason, nothing sent
test_am_two_groups() {
	local name=aggressive-two-groups why="" out
	am_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	raw_add west "$NS_WEST" two left=198.18.0.1 leftid=@west right=198.18.0.2 rightid=@east authby=secret \
		ikev2=no aggrmode=yes keyingtries=1 'ike=aes256-sha2_256;modp2048,aes256-sha2_256;modp3072' >/dev/null 2>&1
	out=$(whackh west "$NS_WEST" --name two --initiate 2>&1) && why="initiate succeeded with two DH groups"
	[ -z "$why" ] && ! grep -q 'aggrmode=yes needs ike= fully specified with one DH group.*: ike= names more than one DH group' <<<"$out" &&
		why="whack was not told why: $out"
	[ -z "$why" ] && grep -q 'sent Aggressive Mode message 1' "$(host_dir west)/log" && why="west sent a message anyway"
	result "$name" "$why"
}

# the responder's conn without aggrmode=yes refuses Aggressive Mode
test_am_not_allowed() {
	local name=aggressive-not-allowed why="" out
	p1_pair "$name" aggrmode=yes keyingtries=1 "$AM_IKE" "$AM_ESP" -- "$AM_IKE" ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded against aggrmode=no"
	[ -z "$why" ] && ! grep -q 'NO-PROPOSAL-CHOSEN' <<<"$out" && why="whack was not told NO-PROPOSAL-CHOSEN: $out"
	[ -z "$why" ] && ! grep -q '"west-east": Aggressive Mode from 198.18.0.1: NO-PROPOSAL-CHOSEN: its conn does not say aggrmode=yes' "$(host_dir east)/log" &&
		why="east did not log why it refused"
	result "$name" "$why"
}

# libreswan 4.x on east: conn ikev2=no aggressive=yes, ikev1-policy=accept
lsw_am_conf() {
	printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\n'
	printf 'conn west-east\n\tauthby=secret\n\tikev2=no\n\taggressive=yes\n'
	printf '\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n'
	printf '\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n'
	printf '\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256;modp2048\n\tauto=add\n'
}

# lsw_up DIR [SED-ARG...]: libreswan on east (lsw_am_conf, edited by sed
# with SED-ARGs), our pluto on west, and DIR (initiator: we, responder:
# libreswan) initiates, without waiting; false when a pluto did not start
lsw_up() {
	local dir=$1
	shift
	if [ $# -gt 0 ]; then lsw_am_conf | sed "$@"; else lsw_am_conf; fi >"$(host_dir east)/ipsec.conf"
	pluto_start west "$NS_WEST" none --retransmit-timeout 4 && lsw_start || return 1
	if [ "$dir" = initiator ]; then
		whackh west "$NS_WEST" --name west-east --initiate >"$(host_dir west)/whack.out" 2>&1
	else
		lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	fi
	return 0
}

# Aggressive Mode with libreswan (with a PSK, or RSA signatures: rsa):
# the ISAKMP SA on both sides, libreswan authenticating us by the PSK or
# our signature (libreswan's Quick Mode then fails at its kernel step on
# this host: no ESP)
test_am_libreswan() {
	local dir=$1 name=aggressive-libreswan-$1 why="" w e auth="IKE SA established {auth=PRESHARED_KEY" ed=()
	have_libreswan "$name" || return
	if [ "${2:-}" = rsa ]; then
		name=aggressive-rsa-libreswan-$1
		auth="authenticated peer '[0-9]*-bit RSA with SHA1' signature"
		lsw_rsa_pair "$name" aggrmode=yes "$AM_IKE" "$AM_ESP" ||
			{ result "$name" "cannot make the namespaces or keys"; return; }
		ed=(-e 's/authby=secret/authby=rsasig/'
			-e "s|^\tauto=add\$|\tleftrsasigkey=$W_KEY\n\trightrsasigkey=$E_KEY\n\tauto=add|")
	else
		am_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	fi
	w=$(host_dir west) e=$(host_dir east)
	lsw_up "$dir" "${ed[@]}" || { result "$name" "our pluto or libreswan's did not start"; return; }
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED ||
		why="no ISAKMP SA with libreswan: $(grep -m1 -i 'fail\|refus\|NO-PROPOSAL\|ignoring\|dropp\|SIG' "$w/log")"
	[ -z "$why" ] && ! is_aggressive west "$NS_WEST" && why="our status does not say Aggressive Mode"
	if [ -z "$why" ]; then
		wait_for_s 1 5 grep -c "$auth" "$e/log" ||
			why="libreswan did not authenticate us ($auth): $(grep -i 'west-east' "$e/log" | tail -1)"
	fi
	[ -z "$why" ] && ! grep -qi 'aggr' "$e/log" && why="libreswan's log does not mention Aggressive Mode"
	[ -z "$why" ] && grep -qi 'HASH.*\(fail\|mismatch\|does not\)\|malformed\|NO_PROPOSAL_CHOSEN\|INVALID_ID' "$e/log" &&
		why="libreswan complains: $(grep -m1 -i 'HASH\|malformed\|NO_PROPOSAL\|INVALID_ID' "$e/log")"
	result "$name" "$why"
}

# am_rsa_pair TEST [wrong]: aggrmode=yes with RSA signatures (raw keys,
# no PSK anywhere); wrong: west holds a third key (X_KEY) as east's
am_rsa_pair() {
	local w e ek
	setup_pair "$1" || return 1
	w=$(host_dir west) e=$(host_dir east)
	rsa_keys || return 1
	ek=$E_KEY
	[ "${2:-}" = wrong ] && ek=$X_KEY
	conn_text west-east authby=rsasig ikev2=no aggrmode=yes keyingtries=1 "$AM_IKE" "$AM_ESP" \
		"leftrsasigkey=$W_KEY" "rightrsasigkey=$ek" >"$w/ipsec.conf"
	conn_text west-east authby=rsasig ikev2=no aggrmode=yes "$AM_IKE" "$AM_ESP" \
		"leftrsasigkey=$W_KEY" "rightrsasigkey=$E_KEY" >"$e/ipsec.conf"
	no_secrets
}

# Aggressive Mode with RSA signatures, west holding another key for
# east: SIG_R fails; west says so and tells east, which drops its
# half-open SA
test_am_rsa_wrong_key() {
	local name=aggressive-rsa-wrong-key why="" out
	am_rsa_pair "$name" wrong || { result "$name" "cannot make the namespaces or keys"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	grep -q 'established' <<<"$out" && why="west established with the wrong key for east: $out"
	[ -z "$why" ] && ! grep -q 'authentication failed: SIG_R: the peer.s RSA signature does not verify' <<<"$out" &&
		why="whack was not told SIG_R failed: $out"
	[ -z "$why" ] && { wait_for 0 5 count east "$NS_EAST" ike_sas R_INIT_SENT || why="east kept its half-open SA"; }
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 0 ] && why="east established"
	result "$name" "$why"
}


# vid_seen HOST NAME: HOST logged that the peer sent vendor ID [NAME]
vid_seen() { grep -qF "the peer sent the vendor ID [$2]" "$(host_dir "$1")/log"; }

# vendor IDs between two plutos (Main Mode): west (ikev2=permit: it
# answers IKEv2 too) sends DPD, the four NAT-T ones and CAN-IKEv2; east
# (ikev2=no) records them all and answers with DPD and the NAT-T one it
# picked (RFC 3947), no CAN-IKEv2; DPD still runs (R_U_THERE_ACK)
test_vids() {
	local name=vendor-ids why="" out v
	p1_pair "$name" ikev2=permit dpddelay=1s dpdtimeout=10s -- dpddelay=1s dpdtimeout=10s ||
		{ result "$name" "cannot make the namespaces"; return; }
	pluto_start west "$NS_WEST" none --debug control,dpd && pluto_start east "$NS_EAST" none --debug control,dpd ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	for v in 'Dead Peer Detection (RFC 3706)' 'RFC 3947' draft-ietf-ipsec-nat-t-ike-02 'draft-ietf-ipsec-nat-t-ike-02\n' \
		draft-ietf-ipsec-nat-t-ike-03 CAN-IKEv2; do
		[ -z "$why" ] && ! vid_seen east "$v" && why="east did not record the vendor ID [$v]"
	done
	[ -z "$why" ] && ! vid_seen west 'RFC 3947' && why="west did not record east's RFC 3947 vendor ID"
	[ -z "$why" ] && ! vid_seen west 'Dead Peer Detection (RFC 3706)' && why="west did not record east's DPD vendor ID"
	[ -z "$why" ] && vid_seen west CAN-IKEv2 && why="east (ikev2=no) sent CAN-IKEv2"
	[ -z "$why" ] && vid_seen west draft-ietf-ipsec-nat-t-ike-03 && why="east answered with more than the NAT-T vendor ID it uses"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c -m1 'liveness: the peer is alive (R_U_THERE_ACK' "$(host_dir west)/log" ||
		why="no R_U_THERE_ACK: DPD does not work with the vendor ID table"; }
	result "$name" "$why"
}

# libreswan (Main Mode initiator, plutodebug=all) recognises our vendor
# IDs in message 2, CAN-IKEv2 among them, and we record its RFC 3947 one
test_vids_libreswan() {
	local name=vendor-ids-libreswan why="" w e
	have_libreswan "$name" || return
	p1_pair "$name" ikev2=permit "$AM_IKE" "$AM_ESP" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west) e=$(host_dir east)
	lsw_am_conf | sed -e 's/plutodebug=none/plutodebug=all/' -e '/aggressive=yes/d' >"$e/ipsec.conf"
	if ! pluto_start west "$NS_WEST" none --debug control || ! lsw_start; then
		result "$name" "our pluto or libreswan's did not start"
		return
	fi
	lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan"
	for v in CAN-IKEv2 'RFC 3947' 'Dead Peer Detection'; do
		[ -z "$why" ] && ! grep -q "received Vendor ID payload \[$v" "$e/log" &&
			why="libreswan did not recognise our vendor ID [$v]: $(grep -m2 'Vendor ID' "$e/log" | tr '\n' ' ')"
	done
	[ -z "$why" ] && ! vid_seen west 'RFC 3947' && why="we did not record libreswan's RFC 3947 vendor ID"
	result "$name" "$why"
}

# versions HOST NS: the IKE version of each ESTABLISHED IKE SA, sorted
versions() {
	status_json "$1" "$2" | python3 -c "
import json, sys
print(' '.join(sorted(s['version'] for s in json.load(sys.stdin)['ike_sas'] if s['state'] == 'ESTABLISHED')))" 2>/dev/null
}

# bid-down detection: west (ikev2=permit) initiates IKEv1 with CAN-IKEv2.
# East with ikev2=propose refuses IKEv1 (NO-PROPOSAL-CHOSEN, logged) and
# initiates IKEv2, which comes up; with ikev2=permit east only logs that
# the peer can also IKEv2 and the ISAKMP SA comes up
test_bid_down() {
	local policy=$1 name=bid-down-$1 why="" out e
	p1_pair "$name" ikev2=permit keyingtries=1 -- "ikev2=$policy" || { result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	e=$(host_dir east)
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	case $policy in
	propose)
		grep -q 'NO-PROPOSAL-CHOSEN' <<<"$out" || why="west was not told NO-PROPOSAL-CHOSEN: $out"
		[ -z "$why" ] && ! grep -q '"west-east": Main Mode from 198.18.0.1: bid-down: the peer can IKEv2 (CAN-IKEv2 vendor ID); refusing IKEv1 and initiating IKEv2' "$e/log" &&
			why="east did not log the bid-down"
		[ -z "$why" ] && { wait_for IKEv2 10 versions east "$NS_EAST" || why="no IKEv2 SA from east afterwards (east has '$(versions east "$NS_EAST")')"; }
		[ -z "$why" ] && ! grep -q 'initiating IKEv2 connection to 198.18.0.1' "$e/log" && why="east did not initiate IKEv2"
		[ -z "$why" ] && [ "$(versions west "$NS_WEST")" != IKEv2 ] && why="west has '$(versions west "$NS_WEST")', want IKEv2"
		;;
	permit)
		grep -q 'established ISAKMP SA (IKEv1 Main Mode)' <<<"$out" || why="no ISAKMP SA: $out"
		[ -z "$why" ] && ! grep -q '"west-east": Main Mode from 198.18.0.1: the peer can also IKEv2 (CAN-IKEv2 vendor ID)' "$e/log" &&
			why="east did not log that the peer can also IKEv2"
		[ -z "$why" ] && grep -q 'bid-down: the peer' "$e/log" && why="east saw a bid-down with ikev2=permit"
		[ -z "$why" ] && [ "$(versions east "$NS_EAST")" != IKEv1 ] && why="east has '$(versions east "$NS_EAST")', want IKEv1"
		;;
	esac
	result "$name" "$why"
}

# ---- NAT-T (RFC 3947) -----------------------------------------------------------

# nat_up and nat_conf, the NAT topology of host-core.sh (west 198.18.0.129
# behind a masquerading router, UDP ports mapped into 40000-40999), taken
# from there as they are
eval "$(sed -n -e '/^nat_up() {/,/^}/p' -e '/^nat_conf() {/,/^}/p' "$(dirname "${BASH_SOURCE[0]}")/host-core.sh")"

# ike_port_json HOST NS: local and remote of its first IKE SA, nat_t,
# behind_nat, and the encap of its first Child SA
natt_json() {
	status_json "$1" "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
i = [s for s in d["ike_sas"] if s["state"] == "ESTABLISHED"][0]
c = [s for s in d["child_sas"] if s["state"] == "ESTABLISHED"]
print(i["local"], i["remote"], i["nat_t"], i["behind_nat"], c[0]["encap"] if c else "none")' 2>/dev/null
}

# NAT-T through the NAT (Main or Aggressive Mode): NAT-D payloads make
# west see that it is behind the NAT and east that the peer is; IKE
# floats to 4500 (east sees the NAT's port), the Child SA is ESP in UDP
# on both sides, and west (only) sends keepalives
test_natt() {
	local mode=$1 name=natt-$1 why="" w e out extra=() mm
	T=$name
	mkdir -p "$(host_dir west)" "$(host_dir east)"
	if ! command -v iptables >/dev/null; then result "$name" "iptables is not installed"; return; fi
	declare -F nat_up >/dev/null || { result "$name" "no nat_up in host-core.sh"; return; }
	nat_up 2>"$WORK/nat.err" || { result "$name" "cannot make the NAT topology: $(head -2 "$WORK/nat.err" | tr '\n' ' ')"; return; }
	w=$(host_dir west) e=$(host_dir east)
	mm="Main Mode"
	[ "$mode" = aggressive ] && extra=(aggrmode=yes "$AM_IKE" "$AM_ESP") mm="Aggressive Mode"
	nat_conf ikev2=no "${extra[@]}" >"$w/ipsec.conf"
	nat_conf ikev2=no "${extra[@]}" | sed -e 's|left=198.18.0.129|left=%any|' >"$e/ipsec.conf"
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets" && chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
	pluto_start west "$NS_WEST" none --keep-alive 1 --debug control && pluto_start east "$NS_EAST" none --debug control ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q "established ISAKMP SA (IKEv1 $mm)" <<<"$out" && why="no $mm ISAKMP SA: $out"
	[ -z "$why" ] && ! grep -q 'NAT detected (this host is behind a NAT; NAT-T of RFC 3947)' "$w/log" &&
		why="west did not see that it is behind a NAT"
	[ -z "$why" ] && ! grep -q 'NAT detected (the peer is behind a NAT; NAT-T of RFC 3947)' "$e/log" &&
		why="east did not see that the peer is behind a NAT"
	[ -z "$why" ] && { wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA"; }
	out=$(natt_json west "$NS_WEST")
	[ -z "$why" ] && [ "$out" != "198.18.0.129:4500 198.18.0.2:4500 True True True" ] &&
		why="west: IKE SA, nat_t, behind_nat, encap are '$out', want '198.18.0.129:4500 198.18.0.2:4500 True True True'"
	out=$(natt_json east "$NS_EAST")
	[ -z "$why" ] && [[ ! $out =~ ^198\.18\.0\.2:4500\ 198\.18\.0\.1:40[0-9]{3}\ True\ False\ True$ ]] &&
		why="east: IKE SA, nat_t, behind_nat, encap are '$out', want 198.18.0.2:4500, the NAT's port 40xxx, True False True"
	[ -z "$why" ] && { wait_for_s 1 4 grep -c -m1 'sent a NAT keepalive' "$w/log" || why="west (behind the NAT) sent no keepalive"; }
	[ -z "$why" ] && grep -q 'sent a NAT keepalive' "$e/log" && why="east (not behind a NAT) sent keepalives"
	result "$name" "$why"
}

# forceencaps=yes on west without a NAT: its faked NAT-D makes both ends
# use NAT-T: IKE on 4500 both sides, the Child SA ESP in UDP; without a
# NAT nobody is behind one; without forceencaps= no NAT-T at all
test_forceencaps() {
	local force=$1 name=forceencaps-$1 why="" out want h ns am=()
	# aggressive: message 3 from 4500 with NAT-D of those ports
	[ "$force" = aggressive ] && force=yes am=(aggrmode=yes "$AM_IKE" "$AM_ESP")
	p1_pair "$name" "forceencaps=$force" "${am[@]}" -- "${am[@]}" || { result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	for h in west east; do
		ns=$NS_WEST; [ $h = east ] && ns=$NS_EAST
		[ -z "$why" ] && { wait_for 1 5 count $h "$ns" child_sas ESTABLISHED || why="$h has no Child SA"; }
		out=$(natt_json $h "$ns" | sed 's/198\.18\.0\.[12]://g')
		want="4500 4500 True False True"
		[ "$force" = no ] && want="500 500 False False False"
		[ -z "$why" ] && [ "$out" != "$want" ] && why="$h: ports, nat_t, behind_nat, encap are '$out', want '$want'"
	done
	[ -z "$why" ] && [ "$force" = yes ] && ! grep -q 'NAT detected (forceencaps=yes; NAT-T of RFC 3947)' "$(host_dir west)/log" &&
		why="west did not log NAT-T for forceencaps=yes"
	result "$name" "$why"
}

# NAT-T with libreswan (Main or Aggressive Mode, west forceencaps=yes;
# Aggressive Mode: message 3 from 4500 as either sends it): libreswan takes
# our NAT-D (a NAT seen on our side), floats with us to 4500 and takes our
# Quick Mode with encapsulation mode UDP-Tunnel (it fails only at its
# kernel step on this host: no ESP)
test_natt_libreswan() {
	local mode=$1 dir=$2 name=natt-libreswan-$1-$2 why="" w e out am=()
	have_libreswan "$name" || return
	[ "$mode" = aggressive ] && am=(aggrmode=yes)
	p1_pair "$name" forceencaps=yes "$AM_IKE" "$AM_ESP" "${am[@]}" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west) e=$(host_dir east)
	am=(-e '/aggressive=yes/d')
	[ "$mode" = aggressive ] && am=()
	lsw_up "$dir" "${am[@]}" -e 's/plutodebug=none/plutodebug=all/' ||
		{ result "$name" "our pluto or libreswan's did not start"; return; }
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan: $(grep -m1 -i 'fail\|refus\|ignoring' "$w/log")"
	out=$(status_json west "$NS_WEST" | python3 -c '
import json, sys
i = json.load(sys.stdin)["ike_sas"][0]
print(i["local"], i["remote"], i["nat_t"])' 2>/dev/null)
	[ -z "$why" ] && [ "$out" != "198.18.0.1:4500 198.18.0.2:4500 True" ] && why="our IKE SA is '$out', want 198.18.0.1:4500 198.18.0.2:4500 True"
	# its NAT-D read right: no NAT on our side, only our forceencaps=yes
	[ -z "$why" ] && ! grep -q 'NAT detected (forceencaps=yes; NAT-T of RFC 3947)' "$w/log" &&
		why="we did not read libreswan's NAT-D as 'no NAT': $(grep -m1 'NAT detected\|NAT-T' "$w/log")"
	# our NAT-D: libreswan finds itself where we said, and us "behind a NAT" (forceencaps=yes)
	[ -z "$why" ] && ! grep -q 'NAT_TRAVERSAL this end is NOT behind NAT' "$e/log" &&
		why="libreswan does not agree with our NAT-D of its address: $(grep -m1 'NAT_TRAVERSAL this end' "$e/log")"
	[ -z "$why" ] && ! grep -q 'NAT-Traversal: Result using RFC 3947 (NAT-Traversal) sender port [0-9]*: peer behind NAT' "$e/log" &&
		why="libreswan did not do RFC 3947 NAT-T with a NAT on our side: $(grep -m1 'NAT-Traversal: Result' "$e/log")"
	if [ -z "$why" ] && [ "$dir" = initiator ]; then
		wait_for_s 1 5 grep -c 'responding to Quick Mode proposal' "$e/log" ||
			why="libreswan did not take our Quick Mode: $(grep -m1 -i 'quick\|encap' "$e/log")"
	elif [ -z "$why" ]; then
		wait_for_s 1 5 grep -c 'answered Quick Mode message 1 from 198.18.0.2' "$w/log" ||
			why="we did not answer libreswan's Quick Mode: $(grep -m1 -i 'quick mode' "$w/log")"
	fi
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'netlink response for Add SA esp\.' "$e/log" ||
		why="libreswan did not get to its kernel step: $(grep -i 'quick\|#2' "$e/log" | tail -1)"; }
	[ -z "$why" ] && ! grep -q 'NAT-T RFC: Installing IPsec SA with ENCAP' "$e/log" &&
		why="libreswan's IPsec SA is not ESP in UDP: $(grep -m1 'ENCAPSULATION_MODE_' "$e/log")"
	[ -z "$why" ] && grep -qi 'encapsulation.*not\|NO_PROPOSAL_CHOSEN\|malformed' "$e/log" &&
		why="libreswan complains: $(grep -m1 -i 'encapsulation\|NO_PROPOSAL\|malformed' "$e/log")"
	result "$name" "$why"
}

# the drafts' NAT-T with libreswan initiating (nat-ikev1-method=drafts:
# it sends only the drafts' vendor IDs; as a responder it would pick RFC
# 3947 from ours): NAT-D as payload 130, Quick Mode's encapsulation mode
# UDP-Tunnel of the drafts (61443)
test_natt_drafts() {
	local dir=responder name=natt-drafts-libreswan why="" w e
	have_libreswan "$name" || return
	p1_pair "$name" forceencaps=yes "$AM_IKE" "$AM_ESP" || { result "$name" "cannot make the namespaces"; return; }
	w=$(host_dir west) e=$(host_dir east)
	lsw_up "$dir" -e '/aggressive=yes/d' -e 's/plutodebug=none/plutodebug=all/' -e 's/^\tauto=add$/\tnat-ikev1-method=drafts\n\tauto=add/' ||
		{ result "$name" "our pluto or libreswan's did not start"; return; }
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan: $(grep -m1 -i 'fail\|refus\|ignoring' "$w/log")"
	[ -z "$why" ] && ! grep -q 'NAT detected (forceencaps=yes; NAT-T of draft-ietf-ipsec-nat-t-ike-0' "$w/log" &&
		why="we did not use the drafts' NAT-T: $(grep -m1 'NAT detected\|NAT-T' "$w/log")"
	[ -z "$why" ] && ! grep -q 'NAT_TRAVERSAL this end is NOT behind NAT' "$e/log" &&
		why="libreswan does not agree with our NAT-D (payload 130): $(grep -m1 'NAT_TRAVERSAL this end\|NATD' "$e/log")"
	[ -z "$why" ] && ! grep -q 'ISAKMP_NEXT_NATD_DRAFTS\|NATD_DRAFTS (0x82)' "$e/log" &&
		why="libreswan saw no NAT-D of the drafts (payload 130)"
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'Installing IPsec SA with ENCAP' "$e/log" ||
		why="libreswan's IPsec SA is not ESP in UDP: $(grep -m1 'ENCAPSULATION_MODE_' "$e/log")"; }
	[ -z "$why" ] && ! grep -q 'ENCAPSULATION_MODE_UDP_TUNNEL_DRAFTS' "$e/log" &&
		why="no encapsulation mode UDP-Tunnel of the drafts: $(grep -m1 'ENCAPSULATION_MODE_' "$e/log")"
	result "$name" "$why"
}

P1_TESTS=(aggressive-west aggressive-east aggressive-psk-wrong aggressive-two-groups aggressive-not-allowed
	aggressive-libreswan-initiator aggressive-libreswan-responder
	aggressive-rsa-west aggressive-rsa-east aggressive-rsa-wrong-key
	aggressive-rsa-libreswan-initiator aggressive-rsa-libreswan-responder vendor-ids vendor-ids-libreswan
	bid-down-propose bid-down-permit natt-main natt-aggressive forceencaps-yes forceencaps-no forceencaps-aggressive
	natt-libreswan-main-initiator natt-libreswan-main-responder
	natt-libreswan-aggressive-initiator natt-libreswan-aggressive-responder
	natt-drafts-libreswan)
for t in "${P1_TESTS[@]}"; do
	want "$t" || continue
	case $t in
	aggressive-west) test_am west ;;
	aggressive-east) test_am east ;;
	aggressive-psk-wrong) test_am_wrong_psk ;;
	aggressive-two-groups) test_am_two_groups ;;
	aggressive-not-allowed) test_am_not_allowed ;;
	aggressive-libreswan-initiator) test_am_libreswan initiator ;;
	aggressive-libreswan-responder) test_am_libreswan responder ;;
	aggressive-rsa-west) test_am west rsa ;;
	aggressive-rsa-east) test_am east rsa ;;
	aggressive-rsa-wrong-key) test_am_rsa_wrong_key ;;
	aggressive-rsa-libreswan-initiator) test_am_libreswan initiator rsa ;;
	aggressive-rsa-libreswan-responder) test_am_libreswan responder rsa ;;
	vendor-ids) test_vids ;;
	vendor-ids-libreswan) test_vids_libreswan ;;
	bid-down-propose) test_bid_down propose ;;
	bid-down-permit) test_bid_down permit ;;
	natt-main) test_natt main ;;
	natt-aggressive) test_natt aggressive ;;
	forceencaps-yes) test_forceencaps yes ;;
	forceencaps-no) test_forceencaps no ;;
	forceencaps-aggressive) test_forceencaps aggressive ;;
	natt-libreswan-main-initiator) test_natt_libreswan main initiator ;;
	natt-libreswan-main-responder) test_natt_libreswan main responder ;;
	natt-libreswan-aggressive-initiator) test_natt_libreswan aggressive initiator ;;
	natt-libreswan-aggressive-responder) test_natt_libreswan aggressive responder ;;
	natt-drafts-libreswan) test_natt_drafts ;;
	esac
done
exit 0
