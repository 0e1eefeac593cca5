#!/usr/bin/env bash
# pluto behind the NAT: ESP in UDP (lib/checks.sh nat_checks), pluto saw
# the NAT, and sends NAT keepalives (pluto.args: --keep-alive 1)
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
nat_checks || exit 1
log=$(host_log west)
grep -q 'NAT detected (this host is behind a NAT)' "$log" || { echo "west did not log that it is behind a NAT"; exit 1; }
wait_log 5 "$log" 'sent a NAT keepalive' || { echo "west sent no NAT keepalive within 5 s (--keep-alive 1)"; exit 1; }
