#!/usr/bin/env bash
# TOPOLOGY=nat: east's ESP SAs are ESP in UDP between its port 4500 and a
# port the router chose (40000-40999); west's are 4500 <-> 4500
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
nat_checks
