#!/usr/bin/env bash
# every pair of the 2x2 group pings through its own ESP SAs (lib/checks.sh
# subnet_pairs); pluto has one IKE SA and four Child SAs
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
subnet_pairs || exit 1
read -r n c <<<"$(cygnet_counts west)"
if ! { [ "$n" = 1 ] && [ "$c" = 4 ]; }; then
	echo "west has $n IKE SA(s) and $c Child SA(s), want 1 and 4"
	exit 1
fi
