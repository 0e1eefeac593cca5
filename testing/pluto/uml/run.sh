#!/usr/bin/env bash
# testing/pluto/uml/run.sh [-m MEM] [-t SECONDS] JOB [ARG...]
#
# Boot a User-Mode Linux guest and run JOB (a path, absolute or relative to
# the repository root) with ARGs as root inside it; exit with JOB's status.
#
# The guest is Debian's user-mode-linux kernel, unpacked by lib/fetch.sh into
# build/peers (nothing installed). Its root file system is the host's / through
# hostfs, READ-ONLY; the repository (and build/, wherever it is) is mounted
# read-write over the same path, so the guest sees the freshly built tree at
# the host's paths. /tmp, /run and /dev/shm are the guest's own tmpfs. The
# guest has no network device except lo: no eth= option is ever given, so no
# packet can leave it. Its kernel has ESP (esp4 and the crypto templates as
# modules), which the host kernel may lack: uml/init.sh loads them.
#
#   -m MEM       guest memory (default 384M)
#   -t SECONDS   JOB's time limit inside the guest (default 240); the guest
#                as a whole is killed SECONDS+60 s after it started
#
# Environment variables named PLUTO_TEST_* are passed on to JOB.
# Exit status: JOB's; 124 = JOB timed out, 99 = JOB did not run or the guest
# died before it finished, 2 = usage or missing UML kernel (run lib/fetch.sh).
set -u
PLUTO_T=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/common.sh
. "$PLUTO_T/lib/common.sh"

MEM=384M
T=240
while getopts m:t: o; do
	case $o in
	m) MEM=$OPTARG ;;
	t) T=$OPTARG ;;
	*) echo "usage: $0 [-m MEM] [-t SECONDS] JOB [ARG...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-m MEM] [-t SECONDS] JOB [ARG...]" >&2; exit 2; }
case $T in '' | *[!0-9]*) echo "uml/run.sh: -t wants whole seconds" >&2; exit 2 ;; esac
JOB=$1; shift
case $JOB in /*) ;; *) JOB=$REPO/$JOB ;; esac
[ -x "$JOB" ] || { echo "uml/run.sh: $JOB is not executable" >&2; exit 2; }

UML=$PEERS/root/usr/bin/linux.uml
[ -x "$UML" ] || { echo "uml/run.sh: $UML missing: run testing/pluto/lib/fetch.sh" >&2; exit 2; }
# the kernel command line cannot carry spaces
case "$REPO$PEERS" in *[[:space:]]*)
	echo "uml/run.sh: the repository path must not contain spaces" >&2; exit 2 ;;
esac

# build/ is mounted too when it is elsewhere (a symlink)
mkdir -p "$REPO/build/uml" || exit 2
BUILD=$(cd "$REPO/build" && pwd -P)
UMLBUILD=$BUILD
[ "$BUILD" = "$(cd "$REPO" && pwd -P)/build" ] && UMLBUILD=
TAG=$$.$(date +%s%N)
JOBFILE=$BUILD/uml/job.$TAG
RCFILE=$BUILD/uml/rc.$TAG
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -f "$JOBFILE" "$RCFILE"; }
trap cleanup EXIT
{
	echo '#!/bin/bash'
	echo "# written by testing/pluto/uml/run.sh for one guest run"
	while IFS= read -r v; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^PLUTO_TEST_' || true)
	printf 'export PEERS=%q\n' "$PEERS"
	printf 'cd %q || exit 99\n' "$REPO"
	printf 'exec %q' "$JOB"
	for a in "$@"; do printf ' %q' "$a"; done
	echo
} >"$JOBFILE"
chmod +x "$JOBFILE"

# UML backs the guest's memory with an unlinked file in TMPDIR: keep it in
# RAM when /dev/shm is usable
if [ -z "${UML_TMPDIR:-}" ]; then
	if [ -w /dev/shm ]; then UML_TMPDIR=/dev/shm; else UML_TMPDIR=/tmp; fi
fi
# Unknown NAME=value kernel parameters reach init as environment variables.
TMPDIR=$UML_TMPDIR timeout -k 10 $((T + 60)) "$UML" \
	mem="$MEM" rootfstype=hostfs rootflags=/ ro quiet loglevel=3 \
	init="$PLUTO_T/uml/init.sh" con=null con0=null,fd:1 \
	UMLREPO="$REPO" UMLBUILD="$UMLBUILD" UMLPEERS="$PEERS" \
	UMLJOB="$JOBFILE" UMLRC="$RCFILE" UMLTIMEOUT="$T" </dev/null 2>&1 | tr -d '\r'
urc=${PIPESTATUS[0]}
rc=99
[ -s "$RCFILE" ] && rc=$(cat "$RCFILE")
if [ "$rc" = 99 ]; then
	echo "uml/run.sh: the job did not finish (linux.uml exit status $urc)" >&2
fi
exit "$rc"
