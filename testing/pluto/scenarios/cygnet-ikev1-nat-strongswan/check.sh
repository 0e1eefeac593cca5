#!/usr/bin/env bash
# pluto behind the NAT over IKEv1: ESP in UDP (lib/checks.sh nat_checks:
# east's SAs 4500 <-> the NAT's port), pluto saw the NAT from strongSwan's
# NAT-D payloads (RFC 3947), and sends NAT keepalives 1 s apart
# (pluto.args: --keep-alive 1; the default would be 20 s)
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
grep -q 'NAT detected (this host is behind a NAT; NAT-T of RFC 3947)' "$log" ||
	{ echo "west did not log that it is behind a NAT (RFC 3947): $(grep -m1 'NAT' "$log")"; exit 1; }
nat_checks || exit 1
two_keepalives() { [ "$(grep -c 'sent a NAT keepalive' "$log")" -ge 2 ]; }
wait_until 5 two_keepalives || { echo "west sent fewer than 2 NAT keepalives within 5 s (--keep-alive 1)"; exit 1; }
# the time between the last two (the log's HH:MM:SS.mmm)
ms=() re=' ([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3}): '
while IFS= read -r line; do
	[[ $line =~ $re ]] && ms+=($(((10#${BASH_REMATCH[1]} * 60 + 10#${BASH_REMATCH[2]}) * 60000 + 10#${BASH_REMATCH[3]} * 1000 + 10#${BASH_REMATCH[4]})))
done <<<"$(grep 'sent a NAT keepalive' "$log" | tail -2)"
[ ${#ms[@]} = 2 ] || { echo "cannot read the times of the last two keepalives"; exit 1; }
gap=$(((ms[1] - ms[0] + 86400000) % 86400000))
echo "the last two NAT keepalives $gap ms apart"
[ "$gap" -le 1500 ] || { echo "west's NAT keepalives are $gap ms apart, want about 1000 (--keep-alive 1)"; exit 1; }
