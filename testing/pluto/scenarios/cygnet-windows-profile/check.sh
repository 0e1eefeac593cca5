#!/usr/bin/env bash
# check.sh RUNDIR (tier 2, after the ping): what was negotiated is what the
# netsh policy asks for, as scenario.env spells it out (WIN_*): pluto's
# ISAKMP SA and Child SA suites, and the ESP SAs in both kernels (west's
# from the imported conn, east's from the derived swanctl.conf) with the
# policy's algorithms and quick mode lifetime; east's also with its kB
# lifetime, which ipsec.conf cannot carry. Bash matching and one `ip` per
# host: every process start is slow under UML.
# Shared by the cygnet-windows-* scenarios (a symlink in the others).
WIN_IKE='' WIN_CHILD='' WIN_ENC='' WIN_AUTH='' WIN_LIFE='' WIN_BYTES=''
# shellcheck source=scenario.env disable=SC1091
. "$(dirname "$0")/scenario.env"
log=$(<"$RUN/west/pluto.log")
isakmp="\"$WEST_CONN\" #1: established ISAKMP SA (IKEv1 Main Mode) with 198.18.0.2 {$WIN_IKE}"
[[ $log == *"$isakmp"* ]] ||
	{ echo "pluto did not log: $isakmp"; exit 1; }
re='established Child SA \(IKEv1 Quick Mode\) [^
]*'
[[ $log =~ $re ]] || { echo "pluto logged no IKEv1 Child SA"; exit 1; }
child=${BASH_REMATCH[0]}
[[ $child == *" $WIN_CHILD}" ]] || { echo "the Child SA is not ESP $WIN_CHILD: $child"; exit 1; }
# kernel_sas HOST NS: its ESP SAs all have the policy's algorithms and
# hard lifetimes (bytes: east only)
kernel_sas() {
	local n=0 enc=0 auth=0 hard=0 bytes=0 line want_bytes=$WIN_BYTES
	[ "$1" = west ] && want_bytes=''
	while IFS= read -r line; do
		case $line in
		*"proto esp "*) n=$((n + 1)) ;;
		*"enc $WIN_ENC "*) enc=$((enc + 1)) ;;
		*"auth-trunc $WIN_AUTH "*) auth=$((auth + 1)) ;;
		*"expire add: "*"hard $WIN_LIFE(sec)"*) hard=$((hard + 1)) ;;
		*"limit: soft "*"hard $want_bytes(bytes)"*) bytes=$((bytes + 1)) ;;
		esac
	done <<<"$(ip -n "$2" -s xfrm state)"
	[ -n "$want_bytes" ] || bytes=$n
	if [ "$n" -lt 2 ] || [ "$enc" != "$n" ] || [ "$auth" != "$n" ] || [ "$hard" != "$n" ] || [ "$bytes" != "$n" ]; then
		echo "$1's ESP SAs: $n, of which $enc $WIN_ENC, $auth $WIN_AUTH, $hard with a hard $WIN_LIFE s lifetime${want_bytes:+, $bytes with a hard $want_bytes bytes}"
		return 1
	fi
}
kernel_sas west "$NS_WEST" || exit 1
kernel_sas east "$NS_EAST" || exit 1
echo "ISAKMP SA $WIN_IKE; Child SA $WIN_CHILD; ESP SAs on both hosts $WIN_ENC $WIN_AUTH, hard ${WIN_LIFE}s (east ${WIN_BYTES} bytes)"
