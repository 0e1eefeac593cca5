#!/usr/bin/env bash
# Host-level (tier 1) tests of a conn's lifecycle while its SAs are up:
# `ipsec auto --delete`, `--replace` and `--add` of a changed conn tell the
# peer (Deletes) before the SAs and the conn go; `--add` of an unchanged
# conn keeps its SAs; a reload (addconn --autoall --prune) deletes the
# conns gone from ipsec.conf only. Two plutos with --kernel none in network namespaces
# this script creates (198.18.0.1 west, 198.18.0.2 east). One line per
# test: PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY. The helpers come from
# host-pluto.sh.
#
# usage: testing/pluto/host-lifecycle.sh [BUILD] [TEST...]
set -u
# shellcheck source=SCRIPTDIR/host-pluto.sh
. "$(cd "$(dirname "$0")" && pwd)/host-pluto.sh" "$@"

# auto_ HOST NS ARGS...: ipsec auto against that host's pluto and config
auto_() {
	local h=$1 ns=$2 d
	d=$(host_dir "$h")
	shift 2
	ip netns exec "$ns" timeout 20 "$IPSEC" auto --config "$d/ipsec.conf" --rundir "$d/run" "$@"
}

# child_spi HOST NS CONN: "IN OUT" SPIs of the conn's established Child SA
child_spi() {
	whackh "$1" "$2" --status 2>/dev/null |
		sed -n "s/^#[0-9]*: \"$3\" ESTABLISHED; .* in \(0x[0-9a-f]*\) out \(0x[0-9a-f]*\);.*/\1 \2/p" | head -1
}

# conns HOST NS: the names of the loaded conns, one line
conns() {
	status_json "$1" "$2" | python3 -c '
import json, sys
print(" ".join(c["name"] for c in json.load(sys.stdin)["connections"]))' 2>/dev/null
}

# up TEST CONN-EXTRA...: the pair, the same PSK conn west-east on both,
# both plutos, and the tunnel up from west; sets W and E (directories), or
# UP_WHY (not in a subshell: the namespaces it makes must be known here)
up() {
	UP_WHY=
	pair_psk "$@" || { UP_WHY="cannot make the namespaces"; return 1; }
	W=$(host_dir west) E=$(host_dir east)
	start_both || { UP_WHY="pluto did not start"; return 1; }
	local out
	out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || { UP_WHY="initiate failed: $out"; return 1; }
	[ "$(count east "$NS_EAST" child_sas ESTABLISHED)" = 1 ] || { UP_WHY="east has no Child SA"; return 1; }
	return 0
}

# reload_: west's reload, as the unit's ExecReload does it
reload_() { ip netns exec "$NS_WEST" timeout 20 "$IPSEC" addconn --config "$W/ipsec.conf" --rundir "$W/run" --autoall --prune 2>&1; }

# gone: east got the Delete of the IKE SA and has no SA left (<= 5 s)
east_told() {
	wait_for_s 1 5 grep -c 'deleting IKE SA: the peer deleted it' "$E/log" ||
		{ echo "east got no Delete: $(grep -c 'the peer deleted it' "$E/log") lines 'the peer deleted it'"; return 1; }
	wait_for_s 0 5 count east "$NS_EAST" ike_sas ESTABLISHED ||
		{ echo "east kept an IKE SA"; return 1; }
	[ "$(count east "$NS_EAST" child_sas ESTABLISHED)" = 0 ] || { echo "east kept a Child SA"; return 1; }
	return 0
}

test_delete() {
	local why="" out
	up delete || { result delete "$UP_WHY"; return; }
	out=$(auto_ west "$NS_WEST" --delete west-east 2>&1) || why="--delete failed: $out"
	[ -z "$why" ] && ! grep -q 'deleted connection "west-east" and its 2 SAs' <<<"$out" && why="--delete said: $out"
	[ -z "$why" ] && ! grep -q 'sent Delete for the IKE SA' "$W/log" && why="west's log does not show a Delete sent"
	[ -z "$why" ] && why=$(east_told)
	[ -z "$why" ] && [ -n "$(conns west "$NS_WEST")" ] && why="west still has conns: $(conns west "$NS_WEST")"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 0 ] && why="west kept its IKE SA"
	result delete "$why"
}

test_replace() {
	local why="" out
	up replace || { result replace "$UP_WHY"; return; }
	out=$(auto_ west "$NS_WEST" --replace west-east 2>&1) || why="--replace failed: $out"
	[ -z "$why" ] && why=$(east_told)
	[ -z "$why" ] && [ "$(conns west "$NS_WEST")" != west-east ] && why="west's conns after --replace: $(conns west "$NS_WEST")"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" child_sas ESTABLISHED)" != 0 ] && why="west kept a Child SA of the old conn"
	# the replaced conn comes up again as before
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name west-east --initiate 2>&1) || why="initiate after --replace: $out"; }
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 1 ] && why="no Child SA after --replace and --up"
	result replace "$why"
}

test_add_unchanged() {
	local why="" out before after
	up add-unchanged || { result add-unchanged "$UP_WHY"; return; }
	before=$(child_spi west "$NS_WEST" west-east)
	[ -z "$before" ] && why="no SPI in west's status"
	[ -z "$why" ] && { out=$(auto_ west "$NS_WEST" --add west-east 2>&1) || why="--add failed: $out"; }
	[ -z "$why" ] && ! grep -q '"west-east": unchanged' <<<"$out" && why="--add of the same conn said: $out"
	sleep 0.5
	after=$(child_spi west "$NS_WEST" west-east)
	[ -z "$why" ] && [ "$before" != "$after" ] && why="the Child SA changed: '$before' before, '$after' after"
	[ -z "$why" ] && grep -q 'the peer deleted it' "$E/log" && why="east got a Delete"
	[ -z "$why" ] && [ "$(child_spi east "$NS_EAST" west-east)" != "$(awk '{print $2, $1}' <<<"$before")" ] &&
		why="east's Child SA is '$(child_spi east "$NS_EAST" west-east)', want the same as before"
	result add-unchanged "$why"
}

test_add_changed() {
	local why="" out
	up add-changed || { result add-changed "$UP_WHY"; return; }
	# a setting of west's own changes (east does not care)
	conn_text west-east authby=secret keyingtries=3 >"$W/ipsec.conf"
	out=$(auto_ west "$NS_WEST" --add west-east 2>&1) || why="--add failed: $out"
	[ -z "$why" ] && ! grep -q '"west-east": replacing the conn of that name' <<<"$out" && why="--add of a changed conn said: $out"
	[ -z "$why" ] && why=$(east_told)
	[ -z "$why" ] && ! status_json west "$NS_WEST" | grep -q '"keyingtries": 3' && why="west does not have the new keyingtries=3"
	result add-changed "$why"
}

# Instances of a leftsubnets= group share one IKE SA: deleting one of them
# takes its Child SA only (one Delete naming it); the IKE SA stays.
test_delete_instance() {
	local why="" out
	setup_pair delete-instance || { result delete-instance "cannot make the namespaces"; return; }
	W=$(host_dir west) E=$(host_dir east)
	conn_text grp authby=secret |
		sed -e 's|leftsubnet=198.51.100.0/24|leftsubnets={198.51.100.0/25 198.51.100.128/25}|' >"$W/ipsec.conf"
	cp "$W/ipsec.conf" "$E/ipsec.conf"
	secrets "$PSK" >"$W/ipsec.secrets"
	secrets "$PSK" >"$E/ipsec.secrets"
	chmod 600 "$W/ipsec.secrets" "$E/ipsec.secrets"
	start_both || { result delete-instance "pluto did not start"; return; }
	out=$(whackh west "$NS_WEST" --name grp --initiate 2>&1) || why="initiate failed: $out"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" child_sas ESTABLISHED)" != 2 ] && why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs, want 2"
	# the first instance owns the IKE SA: it is handed to the other one
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name grp/1x0 --delete 2>&1) || why="--delete grp/1x0: $out"; }
	[ -z "$why" ] && { wait_for_s 1 5 count east "$NS_EAST" child_sas ESTABLISHED ||
		why="east has $(count east "$NS_EAST" child_sas ESTABLISHED) Child SAs after grp/1x0 went, want 1"; }
	[ -z "$why" ] && ! grep -q 'deleting Child SA: the peer deleted it' "$E/log" && why="east got no Delete of the Child SA"
	[ -z "$why" ] && [ "$(count east "$NS_EAST" ike_sas ESTABLISHED)" != 1 ] && why="east lost the IKE SA"
	[ -z "$why" ] && [ "$(count west "$NS_WEST" ike_sas ESTABLISHED)" != 1 ] && why="west lost the IKE SA"
	[ -z "$why" ] && ! grep -q 'IKE SA kept for "grp/2x0"' "$W/log" && why="west did not hand the IKE SA to grp/2x0"
	# the IKE SA still works: the other instance goes with a Delete of it
	[ -z "$why" ] && { out=$(whackh west "$NS_WEST" --name grp/2x0 --delete 2>&1) || why="--delete grp/2x0: $out"; }
	[ -z "$why" ] && why=$(east_told)
	result delete-instance "$why"
}

# A reload (ipsec addconn --autoall --prune, the unit's ExecReload): the
# conn removed from ipsec.conf is deleted (its peer told), the unchanged
# one keeps its SAs, an auto=ignore conn loaded by hand stays (the file
# still names it); a file with an error deletes nothing
test_reload_prune() {
	local why="" out before rc
	up reload-prune || { result reload-prune "$UP_WHY"; return; }
	{ conn_text west-east authby=secret; printf '\nconn other\n\tleft=198.18.0.1\n\tright=198.18.0.9\n\tauthby=secret\n\tauto=add\n'
	  printf '\nconn manual\n\tleft=198.18.0.1\n\tright=198.18.0.8\n\tauthby=secret\n\tauto=ignore\n'; } >"$W/ipsec.conf"
	out=$(reload_) || why="the first reload failed: $out"
	auto_ west "$NS_WEST" --add manual >/dev/null 2>&1
	[ -z "$why" ] && [ "$(conns west "$NS_WEST")" != "west-east other manual" ] && why="loaded: $(conns west "$NS_WEST")"
	before=$(child_spi west "$NS_WEST" west-east)
	# other goes from the file
	conn_text west-east authby=secret >"$W/ipsec.conf"
	printf '\nconn manual\n\tleft=198.18.0.1\n\tright=198.18.0.8\n\tauthby=secret\n\tauto=ignore\n' >>"$W/ipsec.conf"
	[ -z "$why" ] && { out=$(reload_) || why="the reload failed: $out"; }
	[ -z "$why" ] && ! grep -q 'deleted connection "other": gone from the configuration' <<<"$out" && why="the reload said: $out"
	[ -z "$why" ] && grep -q 'deleted connection "\(west-east\|manual\)"' <<<"$out" && why="it deleted more: $out"
	[ -z "$why" ] && [ "$(conns west "$NS_WEST")" != "west-east manual" ] && why="loaded after the reload: $(conns west "$NS_WEST")"
	[ -z "$why" ] && [ "$(child_spi west "$NS_WEST" west-east)" != "$before" ] && why="west-east's Child SA changed"
	# west-east goes too, but the file has an error: nothing is deleted
	printf 'conn manual\n\tleft=198.18.0.1\n\tright=198.18.0.8\n\tauthby=secret\n\tauto=ignore\n\tbogus=1\n' >"$W/ipsec.conf"
	out=$(reload_)
	rc=$?
	[ -z "$why" ] && [ $rc != 2 ] && why="a reload of a broken file exited $rc: $out"
	[ -z "$why" ] && ! grep -q 'not deleting conns gone from .*: it has errors' <<<"$out" && why="no word about not deleting: $out"
	[ -z "$why" ] && [ "$(conns west "$NS_WEST")" != "west-east manual" ] && why="the broken reload changed the conns: $(conns west "$NS_WEST")"
	# fixed: west-east is deleted, east hears of it
	printf 'conn manual\n\tleft=198.18.0.1\n\tright=198.18.0.8\n\tauthby=secret\n\tauto=ignore\n' >"$W/ipsec.conf"
	[ -z "$why" ] && { out=$(reload_) || why="the last reload failed: $out"; }
	[ -z "$why" ] && [ "$(conns west "$NS_WEST")" != "manual" ] && why="loaded at the end: $(conns west "$NS_WEST")"
	[ -z "$why" ] && why=$(east_told)
	result reload-prune "$why"
}

# A reload whose auto=start conn is up already: nothing to start, the
# reload succeeds (systemctl reload failed on this before) and the tunnel
# keeps its SAs; an auto=start conn that is not up is started
test_reload_start() {
	local why="" out before lines
	up reload-start || { result reload-start "$UP_WHY"; return; }
	conn_text west-east authby=secret | sed 's/auto=add/auto=start/' >"$W/ipsec.conf"
	grep -q 'auto=start' "$W/ipsec.conf" || why="conn_text wrote no auto= to turn into auto=start"
	# the first reload replaces the conn (auto= changed) and starts it
	[ -z "$why" ] && { out=$(reload_) || why="the first reload failed: $out"; }
	[ -z "$why" ] && ! grep -q '"west-east": initiating' <<<"$out" && why="the first reload did not start west-east: $out"
	[ -z "$why" ] && { wait_for_s 1 5 count west "$NS_WEST" child_sas ESTABLISHED || why="west-east did not come up again"; }
	before=$(child_spi west "$NS_WEST" west-east)
	lines=$(grep -c . "$E/log")
	[ -z "$why" ] && { out=$(reload_) || why="the reload of an up auto=start conn failed: $out"; }
	[ -z "$why" ] && ! grep -q '"west-east": up already (IKE SA #' <<<"$out" && why="the reload said of west-east: $out"
	sleep 0.5
	[ -z "$why" ] && [ "$(child_spi west "$NS_WEST" west-east)" != "$before" ] && why="west-east's Child SA changed"
	[ -z "$why" ] && tail -n +$((lines + 1)) "$E/log" | grep -q 'the peer deleted it' && why="east got a Delete"
	result reload-start "$why"
}

for t in delete replace add-unchanged add-changed delete-instance reload-prune reload-start; do
	want "$t" || continue
	case $t in
	delete) test_delete ;;
	replace) test_replace ;;
	add-unchanged) test_add_unchanged ;;
	add-changed) test_add_changed ;;
	delete-instance) test_delete_instance ;;
	reload-prune) test_reload_prune ;;
	reload-start) test_reload_start ;;
	esac
done
exit 0
