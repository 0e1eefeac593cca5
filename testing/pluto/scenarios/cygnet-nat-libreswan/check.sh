#!/usr/bin/env bash
# pluto behind the NAT: ESP in UDP (lib/checks.sh nat_checks), and pluto
# saw that it is behind a NAT
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
nat_checks || exit 1
grep -q 'NAT detected (this host is behind a NAT)' "$(host_log west)" || { echo "west did not log that it is behind a NAT"; exit 1; }
