#!/usr/bin/env bash
# prep.sh RUNDIR: west's ipsec.conf and ipsec.secrets are what the built
# `ipsec netsh-import` writes from west/policy.netsh (--me: west's address),
# brought up as written: nothing is added or edited here. Its warnings
# (modp1024 kept for Windows, the kB lifetime dropped) are kept as
# west/netsh-import.log.
set -euo pipefail
w=$1/west
cd "$w"
rm -f ipsec.conf ipsec.secrets
"$CYGNET_BUILD/ipsec" netsh-import --me 198.18.0.1 --out-dir . policy.netsh 2>netsh-import.log ||
	{ echo "ipsec netsh-import failed (exit status $?): $(tail -1 netsh-import.log)"; exit 1; }
# the conn scenario.env brings up must be the one it wrote
grep -q '^conn Branch-Out-1$' ipsec.conf ||
	{ echo "ipsec netsh-import wrote no conn Branch-Out-1: $(grep '^conn ' ipsec.conf | tr '\n' ' ')"; exit 1; }
