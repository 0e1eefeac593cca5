#!/usr/bin/env bash
# pluto under systemd's eyes: the unit file verifies, and pluto speaks the
# sd_notify protocol (READY=1 once its control socket answers, WATCHDOG=1
# every half of WATCHDOG_USEC, RELOADING=1 then READY=1 on SIGHUP,
# STOPPING=1 at shutdown; SIGHUP also opens the log file again, as
# logrotate wants) to the $NOTIFY_SOCKET a python listener here
# plays systemd with. pluto runs in a network namespace of its own (lo
# only). One line per test: PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY.
#
# usage: testing/pluto/systemd.sh [BUILD]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/${1:-build}
IPSEC=$B/ipsec
if [ ! -x "$B/libexec/ipsec/pluto" ]; then echo "SKIP pluto-systemd: $B/libexec/ipsec/pluto is not built"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "SKIP pluto-systemd: needs root (a network namespace)"; exit 0; fi
WORK=$(mktemp -d /tmp/cygnet-systemd.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
result() { if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi; }

# ---- the unit file ------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP systemd-unit: no systemd-analyze"
else
	sed -e "s|@SBINDIR@|$B|g" -e "s|@LIBEXECDIR@|$B/libexec/ipsec|g" -e "s|@SYSCONFDIR@|$WORK|g" \
		"$top/packaging/systemd/ipsec.service.in" >"$WORK/cygnet-test.service"
	out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$WORK/cygnet-test.service" 2>&1)
	why=""
	[ -n "$out" ] && why="systemd-analyze verify: $(head -2 <<<"$out" | tr '\n' ' ')"
	grep -q '^Type=notify$' "$WORK/cygnet-test.service" || why="the unit is not Type=notify"
	result systemd-unit "$why"
fi

# ---- sd_notify ------------------------------------------------------------------
cat >"$WORK/listen.py" <<'PY'
import os, socket, sys, time
path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
end = time.monotonic() + secs
with open(out, "w") as f:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        f.write("%.2f %s\n" % (time.monotonic(), msg.replace("\n", " ")))
        f.flush()
PY
D=$WORK/pluto
mkdir -p "$D/run"
printf 'config setup\n' >"$D/ipsec.conf"
: >"$D/ipsec.secrets"
chmod 600 "$D/ipsec.secrets"
python3 "$WORK/listen.py" "$WORK/notify" "$WORK/got" 12 &
PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ -S "$WORK/notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$WORK/notify WATCHDOG_USEC=400000 unshare -n sh -c 'ip link set lo up && exec "$0" pluto --nofork \
	--logfile "$1/log" --kernel none --config "$1/ipsec.conf" --secretsfile "$1/ipsec.secrets" \
	--nssdir "$1" --rundir "$1/run" --nhelpers 1' "$IPSEC" "$D" >"$D/stderr" 2>&1 &
PLUTO=$!
PIDS+=("$PLUTO")
why=""
for ((i = 0; i < 100; i++)); do grep -q 'READY=1' "$WORK/got" 2>/dev/null && break; sleep 0.1; done
grep -q "READY=1 STATUS=pluto ready MAINPID=$PLUTO" "$WORK/got" || why="no READY=1 with MAINPID=$PLUTO: $(head -3 "$WORK/got" 2>/dev/null | tr '\n' ' ')"
[ -z "$why" ] && ! "$IPSEC" whack --rundir "$D/run" --ping >/dev/null 2>&1 && why="READY=1 came, but pluto does not answer"
result sdnotify-ready "$why"

why=""
sleep 1.3
n=$(grep -c 'WATCHDOG=1' "$WORK/got")
[ "$n" -lt 4 ] && why="$n WATCHDOG=1 in 1.3 s with WATCHDOG_USEC=400000 (want one every 0.2 s)"
result sdnotify-watchdog "$why"

why=""
mv "$D/log" "$D/log.1"   # as logrotate does, before its SIGHUP
kill -HUP "$PLUTO"
for ((i = 0; i < 30; i++)); do [ "$(grep -c 'READY=1' "$WORK/got")" -ge 2 ] && break; sleep 0.1; done
grep -q 'RELOADING=1' "$WORK/got" || why="no RELOADING=1 after SIGHUP"
[ -z "$why" ] && [ "$(grep -c 'READY=1' "$WORK/got")" -lt 2 ] && why="no READY=1 after the reload"
result sdnotify-reload "$why"

# the log file is opened again (0600) and the lines go there
why=""
if [ ! -f "$D/log" ]; then why="no new log file after SIGHUP"
elif ! grep -q 'SIGHUP: .* secrets reloaded' "$D/log"; then why="the new log file lacks the SIGHUP line"
elif grep -q 'SIGHUP' "$D/log.1"; then why="the SIGHUP line went to the old (moved) log file"
elif [ "$(stat -c %a "$D/log")" != 600 ]; then why="the new log file has mode $(stat -c %a "$D/log")"
fi
result log-reopen "$why"

why=""
"$IPSEC" whack --rundir "$D/run" --shutdown >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do kill -0 "$PLUTO" 2>/dev/null || break; sleep 0.1; done
sleep 0.3
grep -q 'STOPPING=1' "$WORK/got" || why="no STOPPING=1 at shutdown"
[ -z "$why" ] && kill -0 "$PLUTO" 2>/dev/null && why="pluto did not exit"
[ -z "$why" ] && grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$D/stderr" && why="$(grep -m1 'Sanitizer\|runtime error' "$D/stderr")"
result sdnotify-stopping "$why"

# --stderrlog into the journal (JOURNAL_STREAM names stderr's device and
# inode, as systemd sets it): each line starts with its syslog priority
# (<5> notice, <4> warning) and has no time stamp; on any other stderr,
# no priorities
journal_run() {   # FILE JOURNAL(yes|no): a pluto that fails to load a bad conn, then stops
	local f=$1 js="" d=$WORK/j-$2
	mkdir -p "$d/run"
	: >"$d/ipsec.secrets"; chmod 600 "$d/ipsec.secrets"
	printf 'version 2\n\nconn bad\n\tleft=127.0.0.1\n\tright=127.0.0.2\n\tauthby=secret\n\tike=nonsense\n\tauto=add\n' >"$d/ipsec.conf"
	: >"$f"
	[ "$2" = yes ] && js=$(stat -c '%d:%i' "$f")
	JOURNAL_STREAM=$js unshare -n sh -c 'ip link set lo up && exec "$0" pluto --nofork --stderrlog \
		--kernel none --config "$1/ipsec.conf" --secretsfile "$1/ipsec.secrets" --nssdir "$1" \
		--rundir "$1/run" --nhelpers 1' "$IPSEC" "$d" 2>>"$f" &
	local pid=$!
	PIDS+=("$pid")
	for ((i = 0; i < 50; i++)); do [ -S "$d/run/pluto.ctl" ] && break; sleep 0.1; done
	"$IPSEC" whack --rundir "$d/run" --shutdown >/dev/null 2>&1
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}
why=""
journal_run "$WORK/journal" yes
grep -q '^<5>pluto ready' "$WORK/journal" || why="no '<5>pluto ready' line: $(head -3 "$WORK/journal")"
[ -z "$why" ] && ! grep -q '^<[34]>' "$WORK/journal" && why="the bad conn's line has no <4>/<3>: $(grep -m1 bad "$WORK/journal")"
[ -z "$why" ] && grep -qv '^<[0-7]>' "$WORK/journal" && why="a line without a priority: $(grep -m1 -v '^<[0-7]>' "$WORK/journal")"
[ -z "$why" ] && grep -q '^<[0-7]>[A-Z][a-z][a-z] [0-9]' "$WORK/journal" && why="time stamps in the journal"
journal_run "$WORK/plain" no
[ -z "$why" ] && grep -q '^<[0-7]>' "$WORK/plain" && why="priorities on a stderr that is not the journal"
[ -z "$why" ] && ! grep -q '^pluto ready' "$WORK/plain" && why="no plain 'pluto ready' on plain stderr: $(head -2 "$WORK/plain")"
result journal-priorities "$why"

# ---- config setup, read by pluto itself --------------------------------------
# the unit starts pluto with --config only (no `ipsec setup`): pluto takes
# config setup's nhelpers=, uniqueids=, plutodebug=... itself; an option on
# its command line wins; a value it does not take stops it, naming the file
setup_run() {   # NAME CONFIG-SETUP-LINES [PLUTO-OPTION...]: pluto's stderr, then it stops
	local d=$WORK/setup-$1 lines=$2 i pid
	shift 2
	mkdir -p "$d/run"
	: >"$d/ipsec.secrets"; chmod 600 "$d/ipsec.secrets"
	printf 'version 2\n\nconfig setup\n%b\nconn a\n\tleft=127.0.0.1\n\tright=127.0.0.2\n\tauthby=secret\n\tauto=add\n' \
		"$lines" >"$d/ipsec.conf"
	unshare -n sh -c 'ip link set lo up && d=$1 && shift && exec "$0" pluto --nofork --stderrlog \
		--kernel none --config "$d/ipsec.conf" --secretsfile "$d/ipsec.secrets" --nssdir "$d" \
		--rundir "$d/run" "$@"' \
		"$IPSEC" "$d" "$@" 2>"$d/stderr" &
	pid=$!
	PIDS+=("$pid")
	for ((i = 0; i < 50; i++)); do [ -S "$d/run/pluto.ctl" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	"$IPSEC" whack --rundir "$d/run" --shutdown >/dev/null 2>&1
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
	echo "rc=$?" >>"$d/stderr"
	cat "$d/stderr"
}
why=""
out=$(setup_run taken '\tnhelpers=3\n\tplutodebug=control')
grep -q 'started 3 crypto helper threads' <<<"$out" || why="config setup nhelpers=3 not taken: $(grep -m1 helper <<<"$out")"
[ -z "$why" ] && ! grep -q '^| ' <<<"$out" && why="config setup plutodebug=control not taken (no '| ' debug lines)"
if [ -z "$why" ]; then
	out=$(setup_run overridden '\tnhelpers=3' --nhelpers 2)
	grep -q 'started 2 crypto helper threads' <<<"$out" || why="--nhelpers 2 did not win over nhelpers=3: $(grep -m1 helper <<<"$out")"
fi
if [ -z "$why" ]; then
	out=$(setup_run bad '\tnhelpers=999')
	grep -q "setup-bad/ipsec.conf: config setup nhelpers=999 is not a value pluto takes" <<<"$out" ||
		why="no error naming the file for nhelpers=999: $(head -2 <<<"$out")"
	[ -z "$why" ] && ! grep -q '^rc=2$' <<<"$out" && why="pluto did not exit 2 on nhelpers=999: $(tail -1 <<<"$out")"
fi
result config-setup "$why"
exit 0
