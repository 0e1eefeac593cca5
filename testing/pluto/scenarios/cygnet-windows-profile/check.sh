#!/usr/bin/env bash
# check.sh RUNDIR (tier 2, after the ping): what was negotiated is the
# Windows default set, as the imported conn and the peer agree on it: an
# IKEv1 ISAKMP SA 3des-sha1 modp1024 of 480 min, and ESP 3DES/SHA1 without
# PFS whose kernel SAs expire (hard) after 60 min. Bash matching and one
# `ip`: every process start is slow under UML.
log=$(<"$RUN/west/pluto.log")
isakmp='"Branch-Out-1" #1: established ISAKMP SA (IKEv1 Main Mode) with 198.18.0.2 {3des-sha1-prfsha1-modp1024, 28800s}'
[[ $log == *"$isakmp"* ]] ||
	{ echo "pluto did not log: $isakmp"; exit 1; }
re='established Child SA \(IKEv1 Quick Mode\) [^
]*'
[[ $log =~ $re ]] || { echo "pluto logged no IKEv1 Child SA"; exit 1; }
child=${BASH_REMATCH[0]}
[[ $child == *' 3des-sha1}' ]] || { echo "the Child SA is not ESP 3des-sha1 without PFS: $child"; exit 1; }
n=0 enc=0 auth=0 hard=0
while IFS= read -r line; do
	case $line in
	*"proto esp "*) n=$((n + 1)) ;;
	*"enc cbc(des3_ede) "*) enc=$((enc + 1)) ;;
	*"auth-trunc hmac(sha1) "*) auth=$((auth + 1)) ;;
	*"expire add: "*"hard 3600(sec)"*) hard=$((hard + 1)) ;;
	esac
done <<<"$(ip -n "$NS_WEST" -s xfrm state)"
if [ "$n" -lt 2 ] || [ "$enc" != "$n" ] || [ "$auth" != "$n" ] || [ "$hard" != "$n" ]; then
	echo "west's ESP SAs: $n, of which $enc cbc(des3_ede), $auth hmac(sha1), $hard with a hard 3600 s lifetime"
	exit 1
fi
echo "ISAKMP SA 3des-sha1-modp1024 28800s; $n ESP SAs 3des-sha1, no PFS, 3600 s"
