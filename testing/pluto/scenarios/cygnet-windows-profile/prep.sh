#!/usr/bin/env bash
# prep.sh RUNDIR: both hosts' configurations come from the one netsh policy
# in west/policy.netsh, as a Windows pair would run it:
#   west: ipsec.conf and ipsec.secrets as the built `ipsec netsh-import`
#         writes them (--me: west's address), brought up as written; its
#         warnings are kept as west/netsh-import.log
#   east: the strongSwan swanctl.conf of the Windows host at the other end,
#         derived from the same script by ../../lib/windows-peer.awk (the
#         test's own reading of netsh, independent of libnetsh)
# Shared by the cygnet-windows-* scenarios (a symlink in the others).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
run=$1
WEST_CONN='' EAST_CONN='' CHILD=''
# shellcheck source=scenario.env disable=SC1091
. "$src/scenario.env"
cd "$run/west"
rm -f ipsec.conf ipsec.secrets
"$CYGNET_BUILD/ipsec" netsh-import --me 198.18.0.1 --out-dir . policy.netsh 2>netsh-import.log ||
	{ echo "ipsec netsh-import failed (exit status $?): $(tail -1 netsh-import.log)"; exit 1; }
# the conn scenario.env brings up must be the one it wrote
grep -q "^conn $WEST_CONN\$" ipsec.conf ||
	{ echo "ipsec netsh-import wrote no conn $WEST_CONN: $(grep '^conn ' ipsec.conf | tr '\n' ' ')"; exit 1; }
awk -v me=198.18.0.2 -v script_me=198.18.0.1 -v conn="$EAST_CONN" -v child="$CHILD" \
	-f "$src/../../lib/windows-peer.awk" policy.netsh >"$run/east/swanctl.conf"
