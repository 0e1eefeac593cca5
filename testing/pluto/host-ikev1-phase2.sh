#!/usr/bin/env bash
# Host-level (tier 1) tests of IKEv1 phase 2 and SA lifecycle between two
# plutos (--kernel none, network namespaces this script creates): the
# Quick Mode rekey of a Child SA before its lifetime ends (new SPIs on both
# sides, the old SA deleted after the new one is in), the ISAKMP SA rekey
# (a new Main Mode; the Child SA stays, under the new ISAKMP SA; the old
# one deleted on both sides), RESPONDER-LIFETIME (east's shorter
# salifetime= and ikelifetime= are west's), rekey=no (the Child SA expires, nothing
# renegotiated), DPD R_U_THERE going out while a Quick Mode waits for
# its answer, AH (phase2=ah) between two plutos, an error notify ending
# the Quick Mode at once with the conn, peer and reason logged,
# INITIAL-CONTACT (between plutos once Main Mode sends it; from libreswan),
# the ISAKMP SA rekey against libreswan's pluto, and road warriors behind
# a NAT (rightsubnet=vhost:|vnet: with --virtual-private: the inner
# address taken, a network under vhost:, an excluded one, %no; in IKEv1
# and IKEv2; such a conn cannot be initiated). One line per test: PASS NAME |
# FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from host-pluto.sh.
#
# usage: testing/pluto/host-ikev1-phase2.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

# v1_pair TEST WEST-EXTRA... -- EAST-EXTRA...: an ikev2=no PSK conn on both
v1_pair() {
	setup_pair "$1" || return 1
	shift
	local w=() e=() side=w kv h
	for kv in "$@"; do
		[ "$kv" = -- ] && { side=e; continue; }
		if [ $side = w ]; then w+=("$kv"); else e+=("$kv"); fi
	done
	conn_text west-east authby=secret ikev2=no "${w[@]}" >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret ikev2=no "${e[@]}" >"$(host_dir east)/ipsec.conf"
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
}

# child_spis HOST NS: "SPI_IN SPI_OUT PROTOCOL" of each ESTABLISHED Child SA, one a line
child_spis() {
	status_json "$1" "$2" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["child_sas"]:
    if c["state"] == "ESTABLISHED":
        print(c["spi_in"], c["spi_out"], c["protocol"])' 2>/dev/null
}

# child_field HOST NS FIELD: FIELD of the first ESTABLISHED Child SA
# ike_up HOST NS SERIAL: HOST has an ESTABLISHED ISAKMP SA #SERIAL
ike_up() {
	status_json "$1" "$2" | python3 -c "
import json, sys
sys.exit(0 if any(str(s['serial']) == '$3' and s['state'] == 'ESTABLISHED' for s in json.load(sys.stdin)['ike_sas']) else 1)" 2>/dev/null
}

child_field() {
	status_json "$1" "$2" | python3 -c "
import json, sys
s = [c for c in json.load(sys.stdin)['child_sas'] if c['state'] == 'ESTABLISHED']
print(s[0]['$3'] if s else '')" 2>/dev/null
}

# ike_field HOST NS FIELD: FIELD of the ESTABLISHED IKE SAs, one a line
ike_field() {
	status_json "$1" "$2" | python3 -c "
import json, sys
for s in json.load(sys.stdin)['ike_sas']:
    if s['state'] == 'ESTABLISHED':
        print(s['$3'])" 2>/dev/null
}

logf() { echo "$(host_dir "$1")/log"; }

# line_no HOST PATTERN: the number of the first line of HOST's log that matches (0: none)
line_no() { local n; n=$(grep -n -m1 "$2" "$(logf "$1")" | cut -d: -f1); echo "${n:-0}"; }

# Quick Mode rekey: salifetime=12s rekeymargin=6s rekeyfuzz=0%: west (the
# initiator) renegotiates at ~6 s (the next rekey at ~12 s, after the
# checks); both ends then have one ESTABLISHED
# Child SA with SPIs other than the first; west's log says the new one is
# up before it sends the old one's Delete (after the overlap); east
# deletes the old one on that Delete; east (the responder) never rekeys
test_qm_rekey() {
	local name=ikev1-qm-rekey why="" out w0 e0 w1 e1 wi wo up del
	v1_pair "$name" salifetime=12s rekeymargin=6s rekeyfuzz=0% -- salifetime=12s rekeymargin=6s rekeyfuzz=0% ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && { wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA"; }
	w0=$(child_spis west "$NS_WEST")
	e0=$(child_spis east "$NS_EAST")
	read -r wi wo _ <<<"$w0"
	# the rekey at ~6 s, well before the end at 12 s; the Delete ~2 s later
	[ -z "$why" ] && { wait_for_s 1 9 grep -c 'rekeyed Child SA #' "$(logf west)" ||
		why="west did not rekey the Child SA within 9 s"; }
	[ -z "$why" ] && { wait_for_s 1 4 grep -c "sent IPsec Delete of ESP SPI $wi" "$(logf west)" ||
		why="west did not delete the old Child SA ($wi) after the overlap"; }
	[ -z "$why" ] && { wait_for 1 5 grep -c 'deleting Child SA: the peer deleted it (IPsec Delete)' "$(logf east)" ||
		why="east did not delete the old Child SA on west's Delete"; }
	w1=$(child_spis west "$NS_WEST")
	e1=$(child_spis east "$NS_EAST")
	[ -z "$why" ] && { [ "$(wc -l <<<"$w1")" = 1 ] && [ -n "$w1" ] || why="west has not exactly one Child SA: '$w1'"; }
	[ -z "$why" ] && { [ "$(wc -l <<<"$e1")" = 1 ] && [ -n "$e1" ] || why="east has not exactly one Child SA: '$e1'"; }
	[ -z "$why" ] && [ "$w1" = "$w0" ] && why="west's Child SA has its old SPIs: $w1"
	[ -z "$why" ] && [ "$e1" = "$e0" ] && why="east's Child SA has its old SPIs: $e1"
	if [ -z "$why" ]; then
		read -r a b _ <<<"$w1"
		read -r c d _ <<<"$e1"
		[ "$a" = "$d" ] && [ "$b" = "$c" ] || why="new SPIs not crosswise: west '$w1', east '$e1'"
	fi
	up=$(line_no west "rekeyed Child SA #")
	del=$(line_no west "sent IPsec Delete of ESP SPI $wi")
	[ -z "$why" ] && { [ "$up" -gt 0 ] && [ "$up" -lt "$del" ] || why="west did not install the new Child SA before deleting the old one (lines $up, $del)"; }
	# west installed first (east does on message 3): its new outbound SA
	# went in only after a while (no packets here: after 1 s), before the
	# old one's Delete
	held=$(line_no west "outbound SA 0x[0-9a-f]* in use (no packet from the peer")
	[ -z "$why" ] && { [ "$held" -gt "$up" ] && [ "$held" -lt "$del" ] ||
		why="west's new outbound SA was not held back until 1 s after the rekey (in use at line $held, rekeyed at $up, the old one's Delete at $del)"; }
	[ -z "$why" ] && grep -q 'outbound SA 0x[0-9a-f]* in use' "$(logf east)" && why="east (the responder, installing last) held its outbound SA back"
	up=$(line_no east "rekeyed Child SA #")
	del=$(line_no east 'deleting Child SA: the peer deleted it (IPsec Delete)')
	[ -z "$why" ] && { [ "$up" -gt 0 ] && [ "$up" -lt "$del" ] || why="east did not have the new Child SA before the old one went (lines $up, $del)"; }
	[ -z "$why" ] && grep -q 'rekeying Child SA' "$(logf east)" && why="east (the responder) rekeyed too"
	[ -z "$why" ] && ! grep -q 'rekeyed Child SA #' "$(logf east)" && why="east did not say the new SA replaces the old"
	result "$name" "$why"
}

# ISAKMP SA rekey: ikelifetime=16s rekeymargin=6s rekeyfuzz=0%: west starts
# a new Main Mode at ~10 s (the next one at ~20 s, after the checks); then
# each end has one ESTABLISHED ISAKMP SA
# with new cookies, the Child SA is still there with its SPIs (under the
# new ISAKMP SA on both ends), and the old ISAKMP SA is gone on both; its
# Delete went about 2 s after the new one was up, not at once (a peer
# such as strongSwan moves its IPsec SAs to the new ISAKMP SA only then,
# and deletes them with the old one when its Delete comes first)
test_isakmp_rekey() {
	local name=ikev1-isakmp-rekey why="" out c0 c1 w0 e0
	v1_pair "$name" ikelifetime=16s rekeymargin=6s rekeyfuzz=0% -- ikelifetime=16s rekeymargin=6s rekeyfuzz=0% ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && { wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA"; }
	c0=$(ike_field west "$NS_WEST" spis)
	w0=$(child_spis west "$NS_WEST")
	e0=$(child_spis east "$NS_EAST")
	local wi0 ei0
	wi0=$(ike_field west "$NS_WEST" serial) ei0=$(ike_field east "$NS_EAST" serial)
	[ -z "$why" ] && { wait_for_s 1 14 grep -c 'rekeyed ISAKMP SA #' "$(logf west)" ||
		why="west did not rekey the ISAKMP SA within 14 s"; }
	[ -z "$why" ] && { wait_for 1 5 grep -c 'deleting IKE SA: the peer deleted it (ISAKMP Delete)' "$(logf east)" ||
		why="east did not delete the old ISAKMP SA"; }
	c1=$(ike_field west "$NS_WEST" spis)
	[ -z "$why" ] && { [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)$(count east "$NS_EAST" ike_sas ESTABLISHED)" = 11 ] ||
		why="not one ISAKMP SA on each end: west '$(ike_field west "$NS_WEST" spis)', east '$(ike_field east "$NS_EAST" spis)'"; }
	[ -z "$why" ] && [ "$c1" = "$c0" ] && why="west's ISAKMP SA has its old cookies"
	[ -z "$why" ] && [ "$(ike_field east "$NS_EAST" spis)" != "$c1" ] && why="east's ISAKMP SA is not west's new one"
	[ -z "$why" ] && [ "$(child_spis west "$NS_WEST")" != "$w0" ] && why="west's Child SA did not stay: '$(child_spis west "$NS_WEST")', was '$w0'"
	[ -z "$why" ] && [ "$(child_spis east "$NS_EAST")" != "$e0" ] && why="east's Child SA did not stay: '$(child_spis east "$NS_EAST")', was '$e0'"
	# (the next rekey, ~10 s after this one, may have come on a slow host
	# meanwhile: the Child SA is under a newer ISAKMP SA than the first,
	# one that is there)
	local wc ec
	wc=$(child_field west "$NS_WEST" ike_sa) ec=$(child_field east "$NS_EAST" ike_sa)
	[ -z "$why" ] && { [ -n "$wc" ] && [ "$wc" != "$wi0" ] && ike_up west "$NS_WEST" "$wc" ||
		why="west's Child SA is not under a new ISAKMP SA (#$wc, the first was #$wi0)"; }
	[ -z "$why" ] && { [ -n "$ec" ] && [ "$ec" != "$ei0" ] && ike_up east "$NS_EAST" "$ec" ||
		why="east's Child SA is not under a new ISAKMP SA (#$ec, the first was #$ei0)"; }
	[ -z "$why" ] && [ "$(grep -c 'sent Quick Mode message 1' "$(logf west)")" != 1 ] && why="west ran another Quick Mode"
	if [ -z "$why" ]; then
		out=$(ms_between west 'rekeyed ISAKMP SA #' 'sent ISAKMP Delete of the ISAKMP SA')
		[ "${out:-0}" -ge 1500 ] || why="west sent the old ISAKMP SA's Delete ${out:-?} ms after the new one was up, want ~2000"
	fi
	result "$name" "$why"
}

# sa_counts HOST NS: HOST's ESTABLISHED ISAKMP SAs and Child SAs, as "IC"
sa_counts() { echo "$(count "$1" "$2" ike_sas ESTABLISHED)$(count "$1" "$2" child_sas ESTABLISHED)"; }

# ms_between HOST PATTERN1 PATTERN2: milliseconds from the first line of
# HOST's log matching PATTERN1 to the first matching PATTERN2 after it
# (the log's HH:MM:SS.mmm); empty when either is missing
ms_between() {
	local a b
	a=$(grep -m1 "$2" "$(logf "$1")" | sed -n 's/^.* \([0-9][0-9]\):\([0-9][0-9]\):\([0-9][0-9]\)\.\([0-9]\{3\}\): .*$/\1 \2 \3 \4/p')
	b=$(sed -n "/$2/,\$p" "$(logf "$1")" | grep -m1 "$3" | sed -n 's/^.* \([0-9][0-9]\):\([0-9][0-9]\):\([0-9][0-9]\)\.\([0-9]\{3\}\): .*$/\1 \2 \3 \4/p')
	[ -n "$a" ] && [ -n "$b" ] || return 0
	read -r ah am as ams <<<"$a"
	read -r bh bm bs bms <<<"$b"
	echo $(((((10#$bh - 10#$ah) * 60 + 10#$bm - 10#$am) * 60 + 10#$bs - 10#$as) * 1000 + 10#$bms - 10#$ams))
}

# both rekeys at once (ikelifetime=12s salifetime=12s rekeymargin=6s):
# the Child SA is rekeyed, and the ISAKMP SA too, whichever goes first;
# at ~9.5 s (the old Child SA's and ISAKMP SA's Deletes at ~8 s, the next
# rekeys at ~12 s; on a slow host, within 3 s more: the next Deletes)
# each end has one ISAKMP SA and one Child SA, both new, and no SA ran
# out of its lifetime
test_both_rekeys() {
	local name=ikev1-both-rekeys why="" out w0
	v1_pair "$name" ikelifetime=12s salifetime=12s rekeymargin=6s rekeyfuzz=0% -- ikelifetime=12s salifetime=12s rekeymargin=6s rekeyfuzz=0% ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && { wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA"; }
	w0=$(child_spis west "$NS_WEST")
	[ -z "$why" ] && sleep 9.5
	[ -z "$why" ] && ! grep -q 'rekeyed ISAKMP SA #' "$(logf west)" && why="the ISAKMP SA was not rekeyed"
	[ -z "$why" ] && ! grep -q 'rekeyed Child SA #' "$(logf west)" && why="the Child SA was not rekeyed"
	[ -z "$why" ] && grep -q 'lifetime ended' "$(logf west)" "$(logf east)" &&
		why="an SA ran out of its lifetime: $(grep -h -m1 'lifetime ended' "$(logf west)" "$(logf east)")"
	[ -z "$why" ] && ! wait_for 11 3 sa_counts west "$NS_WEST" && why="west has not one ISAKMP SA and one Child SA"
	[ -z "$why" ] && ! wait_for 11 3 sa_counts east "$NS_EAST" && why="east has not one ISAKMP SA and one Child SA"
	[ -z "$why" ] && [ "$(child_spis west "$NS_WEST")" = "$w0" ] && why="west's Child SA is the first one"
	result "$name" "$why"
}

# RESPONDER-LIFETIME: west proposes salifetime=2m, east's conn says 30s:
# east answers with its 30 s in N(RESPONDER-LIFETIME) and west's Child SA
# takes it (expires in <= 30 s, its rekey <= 30 s - margin); without the
# notify west would keep 120 s
test_responder_lifetime() {
	local name=ikev1-responder-lifetime why="" out ex rk
	v1_pair "$name" salifetime=2m rekeymargin=5s rekeyfuzz=0% -- salifetime=30s ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'lifetime 30 s, shorter than the peer.s 120 s (RESPONDER-LIFETIME)' "$(logf east)" &&
		why="east did not say it sends RESPONDER-LIFETIME"
	[ -z "$why" ] && ! grep -q "the responder's lifetime: 30 s (RESPONDER-LIFETIME)" "$(logf west)" &&
		why="west did not take east's RESPONDER-LIFETIME"
	ex=$(child_field west "$NS_WEST" expires_in)
	rk=$(child_field west "$NS_WEST" rekey_in)
	[ -z "$why" ] && { [ -n "$ex" ] && [ "$ex" -le 30 ] && [ "$ex" -ge 25 ] || why="west's Child SA expires in '$ex' s, want 25..30"; }
	[ -z "$why" ] && { [ -n "$rk" ] && [ "$rk" -le 25 ] && [ "$rk" -ge 20 ] || why="west's Child SA rekeys in '$rk' s, want 20..25"; }
	ex=$(child_field east "$NS_EAST" expires_in)
	[ -z "$why" ] && { [ -n "$ex" ] && [ "$ex" -le 30 ] || why="east's Child SA expires in '$ex' s"; }
	result "$name" "$why"
}

# the ISAKMP SA's RESPONDER-LIFETIME: west proposes ikelifetime=1h, east's
# conn says 12s: east sends N(RESPONDER-LIFETIME) in an Informational once
# Main Mode is up, and west's ISAKMP SA takes it (its rekey, margin 4 s,
# in <= 8 s instead of ~1 h)
test_isakmp_responder_lifetime() {
	local name=ikev1-isakmp-responder-lifetime why="" out rk
	v1_pair "$name" ikelifetime=1h rekeymargin=4s rekeyfuzz=0% -- ikelifetime=12s ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q "sent RESPONDER-LIFETIME: 12 s, shorter than the peer's 3600 s" "$(logf east)" &&
		why="east did not send RESPONDER-LIFETIME for the ISAKMP SA"
	[ -z "$why" ] && { wait_for_s 1 3 grep -c "ISAKMP SA lifetime 12 s (the responder's, RESPONDER-LIFETIME)" "$(logf west)" ||
		why="west did not take east's ISAKMP SA lifetime"; }
	rk=$(ike_field west "$NS_WEST" rekey_in)
	[ -z "$why" ] && { [ -n "$rk" ] && [ "$rk" -le 8 ] && [ "$rk" -ge 5 ] || why="west's ISAKMP SA rekeys in '$rk' s, want 5..8"; }
	result "$name" "$why"
}

# rekey=no on west: its Child SA (salifetime=5s) is not renegotiated; at
# its end it goes on both sides (the Delete of whichever end's timer fires
# first), and no Quick Mode follows
test_rekey_no() {
	local name=ikev1-rekey-no why="" out
	v1_pair "$name" rekey=no salifetime=5s rekeymargin=3s -- salifetime=5s rekeymargin=3s ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(child_field west "$NS_WEST" rekey_in)" != -1 ] && why="west plans a rekey with rekey=no"
	[ -z "$why" ] && { wait_for_s 0 9 count west "$NS_WEST" child_sas ESTABLISHED || why="west's Child SA did not end"; }
	[ -z "$why" ] && { wait_for 0 3 count east "$NS_EAST" child_sas ESTABLISHED || why="east kept its Child SA"; }
	[ -z "$why" ] && ! grep -q 'Child SA lifetime ended' "$(logf west)" "$(logf east)" && why="no Child SA lifetime ended"
	[ -z "$why" ] && [ "$(grep -c 'sent Quick Mode message 1' "$(logf west)" "$(logf east)" | awk -F: '{s+=$2} END {print s}')" != 1 ] &&
		why="another Quick Mode ran"
	result "$name" "$why"
}

# DPD while a Quick Mode waits: east stops answering (SIGSTOP) once the
# tunnel is up; west's rekey Quick Mode (salifetime=6s rekeymargin=3s)
# goes unanswered, and west's R_U_THERE (dpddelay=1s) still go out
# meanwhile instead of waiting behind it in the queue
test_dpd_during_qm() {
	local name=ikev1-dpd-during-qm why="" out pid qm n
	v1_pair "$name" salifetime=6s rekeymargin=3s rekeyfuzz=0% dpddelay=1s dpdtimeout=30s dpdaction=clear -- ||
		{ result "$name" "cannot make the namespaces"; return; }
	pluto_start west "$NS_WEST" none --debug dpd --retransmit-timeout 20 && pluto_start east "$NS_EAST" none ||
		{ result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	read -r pid <"$(host_dir east)/pid"
	[ -z "$why" ] && kill -STOP "$pid"
	[ -z "$why" ] && { wait_for_s 1 6 grep -c 'rekeying Child SA' "$(logf west)" || why="west did not start the rekey Quick Mode"; }
	[ -z "$why" ] && sleep 3.5
	qm=$(line_no west 'rekeying Child SA')
	n=$(tail -n +"$((qm > 0 ? qm : 1))" "$(logf west)" | grep -c 'liveness: sent a check (R_U_THERE')
	[ -z "$why" ] && [ "$n" -lt 1 ] && why="no R_U_THERE sent in 3.5 s while the Quick Mode waited"
	[ -z "$why" ] && grep -q 'Quick Mode failed' "$(logf west)" && why="the Quick Mode ended already"
	kill -CONT "$pid" 2>/dev/null
	result "$name" "$why"
}

# phase2=ah on both: Quick Mode negotiates AH (protocol 2): one AH Child
# SA on each end, SPIs crosswise, HMAC only; --terminate deletes it on both
test_ah() {
	local name=ikev1-ah why="" out a b
	v1_pair "$name" phase2=ah phase2alg=sha2_256 -- phase2=ah phase2alg=sha2_256 ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && ! grep -q 'established Child SA (IKEv1 Quick Mode) tunnel .*{AH=>' <<<"$out" &&
		why="no AH Child SA line: $out"
	[ -z "$why" ] && { wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA"; }
	a=$(child_spis west "$NS_WEST")
	b=$(child_spis east "$NS_EAST")
	read -r ai ao ap <<<"$a"
	read -r bi bo bp <<<"$b"
	[ -z "$why" ] && { [ "$ap $bp" = "AH AH" ] || why="not AH on both: west '$a', east '$b'"; }
	[ -z "$why" ] && { [ "$ai" = "$bo" ] && [ "$ao" = "$bi" ] || why="SPIs not crosswise: west '$a', east '$b'"; }
	[ -z "$why" ] && [ "$(child_field west "$NS_WEST" algorithms)" != 'AH sha2_256' ] &&
		why="west's algorithms are '$(child_field west "$NS_WEST" algorithms)', want 'AH sha2_256'"
	if [ -z "$why" ]; then
		whackh west "$NS_WEST" --name west-east --terminate >/dev/null 2>&1
		grep -q "sent IPsec Delete of AH SPI $ai" "$(logf west)" || why="west sent no AH Delete"
		[ -z "$why" ] && { wait_for 0 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east kept its AH Child SA"; }
	fi
	result "$name" "$why"
}

# an error notify in an Informational: east refuses west's Quick Mode
# (NO-PROPOSAL-CHOSEN); west logs the conn, the peer and the reason and
# its Quick Mode fails at once (not at the retransmission timeout)
test_error_notify() {
	local name=ikev1-error-notify why="" out t0 t1
	v1_pair "$name" keyingtries=1 'phase2alg=aes128-sha1' -- 'phase2alg=aes256-sha2_256' ||
		{ result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	t0=$(date +%s%3N)
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) && why="initiate succeeded"
	t1=$(date +%s%3N)
	[ -z "$why" ] && ! grep -q '"west-east" #[0-9]*: the peer 198.18.0.2 (@east) sent error notify NO-PROPOSAL-CHOSEN: our Quick Mode under way fails now' "$(logf west)" &&
		why="west did not log the conn, the peer and the reason: $(grep -m1 'NO-PROPOSAL' "$(logf west)")"
	[ -z "$why" ] && [ $((t1 - t0)) -gt 5000 ] && why="the Quick Mode failed only after $((t1 - t0)) ms"
	[ -z "$why" ] && grep -q 'no answer to Quick Mode' "$(logf west)" && why="the Quick Mode timed out instead"
	result "$name" "$why"
}

# ISAKMP SA rekey with libreswan 4.x (IKEv1, conn ikev2=no) as the
# responder: our new Main Mode (ikelifetime=10s rekeymargin=5s) is taken,
# and our Delete of the old ISAKMP SA too. (Its Quick Mode fails at its
# kernel step on this host: no ESP, see host-ikev1.sh.)
test_libreswan_isakmp_rekey() {
	local name=ikev1-libreswan-isakmp-rekey why="" e
	have_libreswan "$name" || return
	v1_pair "$name" 'ike=aes256-sha2_256;modp2048' 'phase2alg=aes256-sha2_256' ikelifetime=10s rekeymargin=5s rekeyfuzz=0% ||
		{ result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\n' >"$e/ipsec.conf"
	printf 'conn west-east\n\tauthby=secret\n\tikev2=no\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n' >>"$e/ipsec.conf"
	pluto_start west "$NS_WEST" none --retransmit-timeout 3 || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	whackh west "$NS_WEST" --name west-east --initiate >/dev/null 2>&1
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan"
	[ -z "$why" ] && { wait_for_s 1 10 grep -c 'rekeyed ISAKMP SA #' "$(logf west)" ||
		why="the ISAKMP SA was not rekeyed with libreswan: $(grep -m1 -i 'negotiation failed\|rekeying ISAKMP' "$(logf west)")"; }
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'received Delete SA payload: \(self-\)\?deleting ISAKMP State\|deleting state .*ISAKMP SA\|received Delete SA payload: .*ISAKMP' "$e/log" ||
		why="libreswan did not take our Delete of the old ISAKMP SA: $(grep -m1 -i 'delete\|informational' "$e/log")"; }
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west has not exactly one ISAKMP SA"
	result "$name" "$why"
}

# INITIAL-CONTACT between two plutos: west initiates, dies without a
# word (SIGKILL), comes back and initiates again: its first Main Mode
# each time carries INITIAL-CONTACT, and east deletes the ISAKMP SA (and
# Child SA) it still had with the old west. SKIP while Main Mode does not
# send it (the hook in main_mode.c's message 5).
test_initial_contact() {
	local name=ikev1-initial-contact why="" out pid
	v1_pair "$name" || { result "$name" "cannot make the namespaces"; return; }
	start_both || { result "$name" "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate failed: $out"
	if [ -z "$why" ] && ! grep -q 'sending INITIAL-CONTACT' "$(logf west)"; then
		netns_down >/dev/null 2>&1
		echo "SKIP $name: Main Mode does not send INITIAL-CONTACT yet (ikev1_initial_contact_payload in main_mode.c)"
		return
	fi
	read -r pid <"$(host_dir west)/pid"
	[ -z "$why" ] && { kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
	rm -f "$(host_dir west)/run/pluto.ctl"
	[ -z "$why" ] && { pluto_start west "$NS_WEST" none || why="west did not start again"; }
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="second initiate failed: $out"; }
	[ -z "$why" ] && { wait_for_s 1 5 grep -c 'the peer sent INITIAL-CONTACT: 1 older ISAKMP SA with it deleted' "$(logf east)" ||
		why="east did not delete the old ISAKMP SA: $(grep -i 'initial' "$(logf east)" | tail -1)"; }
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)$(count east "$NS_EAST" child_sas ESTABLISHED)" != 11 ] &&
		why="east has not one ISAKMP SA and one Child SA"
	result "$name" "$why"
}

# INITIAL-CONTACT received: libreswan 4.x (conn initial-contact=yes)
# initiates, dies without a word (SIGKILL), comes back and initiates
# again with INITIAL-CONTACT in Main Mode message 5: our pluto deletes
# the ISAKMP SA it still had with it, logging why
test_libreswan_initial_contact() {
	local name=ikev1-libreswan-initial-contact why="" e pid
	have_libreswan "$name" || return
	v1_pair "$name" 'ike=aes256-sha2_256;modp2048' 'phase2alg=aes256-sha2_256' ||
		{ result "$name" "cannot make the namespaces"; return; }
	e=$(host_dir east)
	printf 'config setup\n\tplutodebug=none\n\tikev1-policy=accept\n' >"$e/ipsec.conf"
	printf 'conn west-east\n\tauthby=secret\n\tikev2=no\n\tinitial-contact=yes\n\tleft=198.18.0.1\n\tleftid=@west\n\tleftsubnet=198.51.100.0/24\n\tright=198.18.0.2\n\trightid=@east\n\trightsubnet=203.0.113.0/24\n\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tauto=add\n' >>"$e/ipsec.conf"
	pluto_start west "$NS_WEST" none || { result "$name" "pluto did not start"; return; }
	lsw_start || { result "$name" "libreswan's pluto did not start"; return; }
	lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	wait_for 1 10 count west "$NS_WEST" ike_sas ESTABLISHED || why="no ISAKMP SA with libreswan"
	if [ -z "$why" ]; then
		pid=$(ip netns pids "$NS_EAST" 2>/dev/null | while read -r p; do
			[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /usr/libexec/ipsec/pluto ] && echo "$p"; done | head -1)
		[ -n "$pid" ] && { kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
		sleep 0.5
		rm -f "$e/run/pluto.ctl" "$e/run/pluto.pid"
		lsw_start || why="libreswan's pluto did not start again"
	fi
	[ -z "$why" ] && lsw_whack --name west-east --initiate --asynchronous >/dev/null 2>&1
	[ -z "$why" ] && { wait_for_s 1 10 grep -c 'the peer sent INITIAL-CONTACT: 1 older ISAKMP SA with it deleted' "$(logf west)" ||
		why="west did not delete the old ISAKMP SA on INITIAL-CONTACT: $(grep -m1 -i 'initial' "$(logf west)")"; }
	[ -z "$why" ] && ! grep -q 'deleting IKE SA: the peer sent INITIAL-CONTACT on ISAKMP SA #[0-9]*: it forgot this one' "$(logf west)" &&
		why="no line saying why the old ISAKMP SA went"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west has not exactly one ISAKMP SA"
	result "$name" "$why"
}

# ---- rightsubnet=vhost:|vnet: (road warriors behind a NAT) ---------------------

VP='%v4:10.0.0.0/8,%v4:!10.9.0.0/16'

# vhost_pair TEST VERSION WEST-SUBNET EAST-PEER-SUBNET: west (the road
# warrior) with leftsubnet=WEST-SUBNET; east with leftsubnet= (west's end)
# EAST-PEER-SUBNET and pluto --virtual-private $VP; VERSION ikev2=
vhost_pair() {
	setup_pair "$1" || return 1
	conn_text west-east authby=secret "ikev2=$2" keyingtries=1 |
		sed "s|^\tleftsubnet=.*|\tleftsubnet=$3|" >"$(host_dir west)/ipsec.conf"
	conn_text west-east authby=secret "ikev2=$2" |
		sed "s|^\tleftsubnet=.*|\tleftsubnet=$4|" >"$(host_dir east)/ipsec.conf"
	local h
	for h in west east; do
		secrets "$PSK" >"$(host_dir $h)/ipsec.secrets"
		chmod 600 "$(host_dir $h)/ipsec.secrets"
	done
	pluto_start west "$NS_WEST" && pluto_start east "$NS_EAST" none --virtual-private "$VP"
}

# vhost NAME VERSION WEST-SUBNET EAST-PEER-SUBNET [WANT-REFUSAL]: west
# initiates; without WANT-REFUSAL east's Child SA has west's subnet as its
# remote selector; with it, nothing comes up and east logs WANT-REFUSAL
test_vhost() {
	local name=$1 v=$2 ws=$3 es=$4 refusal=${5:-} why="" out
	vhost_pair "$name" "$v" "$ws" "$es" || { result "$name" "cannot make the namespaces or start pluto"; return; }
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1)
	if [ -z "$refusal" ]; then
		wait_for 1 5 count east "$NS_EAST" child_sas ESTABLISHED || why="east has no Child SA: $out"
		[ -z "$why" ] && [ "$(child_field east "$NS_EAST" remote)" != "$ws" ] &&
			why="east's Child SA has remote $(child_field east "$NS_EAST" remote), not $ws"
		[ -z "$why" ] && [ "$(child_field west "$NS_WEST" local)" != "$ws" ] &&
			why="west's Child SA has local $(child_field west "$NS_WEST" local), not $ws"
	else
		[ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 0 ] && why="east took $ws"
		[ -z "$why" ] && ! grep -q -- "$refusal" "$(host_dir east)/log" &&
			why="east's log does not say '$refusal': $(grep -m1 -i 'INVALID-ID\|TS_UNACCEPTABLE\|selectors' "$(host_dir east)/log")"
	fi
	result "$name" "$why"
}

# a conn with rightsubnet=vhost: waits for its peer: --initiate says so
test_vhost_initiate() {
	local name=vhost-initiate why="" out
	vhost_pair "$name" no 10.1.2.3/32 'vhost:%priv,%no' || { result "$name" "cannot make the namespaces or start pluto"; return; }
	out=$(whackh east "$NS_EAST" --name west-east --initiate 2>&1) && why="east initiated: $out"
	[ -z "$why" ] && ! grep -q "leftsubnet=vhost:%priv,%no waits for the peer's inner address" <<<"$out" &&
		why="whack was not told why: $out"
	result "$name" "$why"
}

P2_TESTS=(ikev1-qm-rekey ikev1-isakmp-rekey ikev1-both-rekeys ikev1-responder-lifetime ikev1-isakmp-responder-lifetime ikev1-rekey-no ikev1-dpd-during-qm
	ikev1-ah ikev1-error-notify ikev1-initial-contact ikev1-libreswan-isakmp-rekey ikev1-libreswan-initial-contact
	vhost-ikev1 vnet-ikev1 vhost-ikev1-network vhost-ikev1-excluded vhost-ikev1-no vhost-ikev1-own-address
	vhost-ikev2 vhost-ikev2-excluded vhost-initiate)
for t in "${P2_TESTS[@]}"; do
	want "$t" || continue
	case $t in
	ikev1-qm-rekey) test_qm_rekey ;;
	vhost-ikev1) test_vhost "$t" no 10.1.2.3/32 'vhost:%priv,%no' ;;
	vnet-ikev1) test_vhost "$t" no 10.1.2.0/24 'vnet:%priv' ;;
	vhost-ikev1-network) test_vhost "$t" no 10.1.2.0/24 'vhost:%priv' 'is a network; vhost:%priv allows single addresses only' ;;
	vhost-ikev1-excluded) test_vhost "$t" no 10.9.0.5/32 'vhost:%priv' "10.9.0.5/32 is not in vhost:%priv (virtual_private=$VP)" ;;
	vhost-ikev1-no) test_vhost "$t" no 198.18.0.1/32 'vhost:%priv' 'the peer uses its own address 198.18.0.1/32, and vhost:%priv has no %no' ;;
	vhost-ikev1-own-address) test_vhost "$t" no 198.18.0.1/32 'vhost:%priv,%no' ;;
	vhost-ikev2) test_vhost "$t" insist 10.1.2.3/32 'vhost:%priv,%no' ;;
	vhost-ikev2-excluded) test_vhost "$t" insist 10.9.0.5/32 'vhost:%priv' "TSi): 10.9.0.5/32 is not in vhost:%priv" ;;
	vhost-initiate) test_vhost_initiate ;;
	ikev1-isakmp-rekey) test_isakmp_rekey ;;
	ikev1-both-rekeys) test_both_rekeys ;;
	ikev1-responder-lifetime) test_responder_lifetime ;;
	ikev1-isakmp-responder-lifetime) test_isakmp_responder_lifetime ;;
	ikev1-rekey-no) test_rekey_no ;;
	ikev1-dpd-during-qm) test_dpd_during_qm ;;
	ikev1-ah) test_ah ;;
	ikev1-error-notify) test_error_notify ;;
	ikev1-initial-contact) test_initial_contact ;;
	ikev1-libreswan-isakmp-rekey) test_libreswan_isakmp_rekey ;;
	ikev1-libreswan-initial-contact) test_libreswan_initial_contact ;;
	esac
done
exit 0
