# shellcheck shell=bash disable=SC2034
# (SC2034: the variables here are used by the scripts that source this file)
# testing/pluto/lib/common.sh: paths and small helpers shared by the pluto
# interop harness (sourced by netns.sh, peers.sh, fetch.sh and the runners).
#
#   PLUTO_T   testing/pluto
#   REPO      the repository root
#   PEERS     $REPO/build/peers: the unpacked peer implementations and the
#             UML kernel (see fetch.sh); ignored by git
#
# Nothing here starts a process or touches the network.

PLUTO_T=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$PLUTO_T/../.." && pwd)
PEERS=${PEERS:-$REPO/build/peers}
export PLUTO_T REPO PEERS

# The addresses of the test topology (REPORT section 3.1). 198.18.0.0/24 is
# the link between the two hosts; the subnets behind them are documentation
# ranges. Nothing here is routed outside the namespaces the harness creates.
WEST_PUB=198.18.0.1 EAST_PUB=198.18.0.2
WEST_LAN=198.51.100.1 EAST_LAN=203.0.113.1
WEST_NET=198.51.100.0/24 EAST_NET=203.0.113.0/24

# Status codes used by the host-kind functions of peers.sh.
H_OK=0 H_FAIL=1 H_SKIP=3

hlog() { echo "  [$(date +%H:%M:%S)] $*"; }
herr() { echo "$*" >&2; }

# wait_until SECONDS CMD...: run CMD until it succeeds or SECONDS have passed
# (by the clock: a slow CMD does not stretch the bound), 0.1 s apart.
# Returns CMD's last status.
wait_until() {
	local secs=$1 deadline; shift
	deadline=$(($(now_ms) + secs * 1000))
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.1
	done
	"$@"
}

# ping_received TEXT: how many echo replies ping's summary in TEXT counts
# (0 when there is none)
ping_received() { local re='([0-9]+) received'; if [[ $1 =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi; }

# now_ms: a millisecond clock for timings (no process: every process start
# counts under UML)
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# The ping binary: the system one, else the one fetch.sh unpacked.
ping_bin() {
	if command -v ping >/dev/null 2>&1; then command -v ping
	elif [ -x "$PEERS/root/bin/ping" ]; then echo "$PEERS/root/bin/ping"
	elif [ -x "$PEERS/root/usr/bin/ping" ]; then echo "$PEERS/root/usr/bin/ping"
	else return 1; fi
}
