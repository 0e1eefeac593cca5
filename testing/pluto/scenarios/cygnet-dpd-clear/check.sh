#!/usr/bin/env bash
# dpdaction=clear: east (libreswan) dies without a word (SIGKILL); west
# declares it dead once nothing was heard for dpdtimeout=4s (not before,
# and not much later: dpddelay=1s + 2 s of slack), names dpdtimeout and
# dpdaction in that line, then holds no SA, no ESP SA and no policy of
# the conn, and does not initiate again
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
dpd_declared_dead clear || exit 1
sleep 1.5
read -r n c <<<"$(cygnet_counts west)"
if ! { [ "$n" = 0 ] && [ "$c" = 0 ]; }; then
	echo "west kept $n IKE SA(s) and $c Child SA(s)"
	exit 1
fi
n=$(esp_sa_count "$NS_WEST")
[ "$n" = 0 ] || { echo "west's kernel kept $n ESP SA(s)"; exit 1; }
p=$(ip -n "$NS_WEST" xfrm policy | grep -E '^src (198\.51\.100|203\.0\.113)\.')
[ -z "$p" ] || { echo "west's kernel kept policies of the conn: $(tr '\n' ' ' <<<"$p")"; exit 1; }
! grep -q 'starting keying attempt' "$log" || { echo "dpdaction=clear initiated again: $(grep -m1 'starting keying attempt' "$log")"; exit 1; }
