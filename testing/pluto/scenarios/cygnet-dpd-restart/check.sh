#!/usr/bin/env bash
# dpdaction=restart: east (strongSwan) dies without a word; west declares
# it dead after dpdtimeout=4s, keys again, and the tunnel comes back once
# charon runs again (lib/checks.sh dpd_restart_checks)
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
dpd_restart_checks
