#!/usr/bin/env bash
# pluto's control socket and logging under abuse: one pluto (--kernel none,
# in a network namespace of its own with only lo) with 4000 conns of long
# names, then slow, silent and greedy control clients, a status reply over
# 1 MiB, cut reply streams, and the log file's mode and the daemon's
# dumpable flag. Prints PASS NAME | FAIL NAME: WHY | SKIP NAME: WHY.
#
# usage: testing/pluto/ctl-hardening.sh [BUILD]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/${1:-build}
IPSEC=$B/ipsec

if [ ! -x "$B/libexec/ipsec/pluto" ]; then
	echo "SKIP pluto-ctl: $B/libexec/ipsec/pluto is not built"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP pluto-ctl: needs root (a network namespace for pluto)"
	exit 0
fi
for t in python3 unshare ip; do
	command -v $t >/dev/null || { echo "SKIP pluto-ctl: no $t"; exit 0; }
done

WORK=$(mktemp -d /tmp/cygnet-ctl.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
D=$WORK/host
mkdir -p "$D/run"
RUN=$D/run
LOG=$D/log
CONNS=4000

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
whack() { "$IPSEC" whack --rundir "$RUN" "$@"; }
now_ms() { date +%s%3N; }

# ---- a control client that misbehaves on purpose, and a fake pluto ---------
cat >"$WORK/peer.py" <<'EOF'
import os, select, socket, struct, sys, time

def request(cmd, fields=b""):
    return b"CYGW" + struct.pack(">HHII", 1, cmd, 0, 16 + len(fields)) + fields

PING = request(12)
STATUS = request(8)
JSON_OPT = struct.pack(">I", 4) + b"json" + b"yes"
STATUS_JSON = request(8, struct.pack(">HI", 3, len(JSON_OPT)) + JSON_OPT)

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

mode, path = sys.argv[1], sys.argv[2]
if mode == "slow":
    # one byte of a ping request every INTERVAL s; when does pluto cut us?
    interval = float(sys.argv[3])
    s = connect(path)
    t0 = time.monotonic()
    got = b""
    for b in PING:
        try:
            s.send(bytes([b]))
        except OSError:
            break
        r, _, _ = select.select([s], [], [], interval)
        if r:
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            got += chunk
            if not chunk:
                break
        if time.monotonic() - t0 > 30:
            break
    # read to the end (bounded)
    s.settimeout(2)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    print("cut %.1f %s" % (time.monotonic() - t0, b"within 5 s" in got))
elif mode == "hog":
    # N silent connections, held HOLD s: how many were refused at once
    # (the "busy" answer) and how many closed later by the deadline
    n, hold = int(sys.argv[3]), float(sys.argv[4])
    socks, busy, cut, refused = [], 0, 0, 0
    t0 = time.monotonic()
    for i in range(n):
        try:
            socks.append(connect(path))
        except OSError:
            refused += 1
    if len(sys.argv) > 5:   # all connected (in pluto's accept queue, in order)
        open(sys.argv[5], "w").close()
    open_ = {s: b"" for s in socks}
    while open_ and time.monotonic() - t0 < hold:
        r, _, _ = select.select(list(open_), [], [], 0.2)
        for s in r:
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            if chunk:
                open_[s] += chunk
                continue
            if b"busy" in open_[s]:
                busy += 1
            else:
                cut += 1
            del open_[s]
            s.close()
    print("busy=%d cut=%d open=%d refused=%d" % (busy, cut, len(open_), refused))
elif mode == "noread":
    # asks for the (big) text status and reads nothing for HOLD s
    hold = float(sys.argv[3])
    s = connect(path)
    s.sendall(STATUS)
    s.shutdown(socket.SHUT_WR)
    time.sleep(hold)
elif mode == "fake":
    # a pluto that dies in the middle of its answer
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(10)
    c, _ = srv.accept()
    c.settimeout(5)
    hdr = c.recv(16)
    want = struct.unpack(">I", hdr[12:16])[0] - 16
    while want > 0:
        chunk = c.recv(want)
        if not chunk:
            break
        want -= len(chunk)
    line = b"first line"
    js = b'{"connections": [' + b" " * 100
    c.sendall(struct.pack(">HI", 1, len(line)) + line +
              struct.pack(">HI", 2, 5000) + js)
    c.close()
    srv.close()
EOF
peer() { timeout 40 python3 "$WORK/peer.py" "$@"; }

# ---- the pluto under test -------------------------------------------------------
python3 - "$D" "$CONNS" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
# latin-1: the first conn's leftid has a byte that is not UTF-8 (0xe9),
# which the JSON status must still carry as valid JSON
with open(d + "/ipsec.conf", "w", encoding="latin-1") as f:
    f.write("config setup\n\n")
    for i in range(n):
        f.write("conn bulk-%04d-%s\n\tleft=198.18.0.1\n\tright=198.18.0.2\n"
                "\tleftid=@%s\n\trightid=@east\n\tleftsubnet=198.51.100.0/24\n"
                "\trightsubnet=203.0.113.0/24\n\tleftupdown=%%disabled\n"
                "\trightupdown=%%disabled\n\tauto=add\n\n"
                % (i, "x" * 180, "caf\xe9" if i == 0 else "west"))
EOF
printf '@west @east : PSK "ctl-test-psk-0123456789"\n@a @b : PSK ""\n@c @d : PSK "after"\n' >"$D/ipsec.secrets"
chmod 600 "$D/ipsec.secrets"

# the usual umask: the log's mode must not depend on it
umask 022
unshare -n sh -c 'ip link set lo up && exec "$0" pluto --nofork --logfile "$1/log" \
	--kernel none --config "$1/ipsec.conf" --secretsfile "$1/ipsec.secrets" \
	--nssdir "$1" --rundir "$1/run" --nhelpers 1' "$IPSEC" "$D" >"$D/stderr" 2>&1 &
PLUTO=$!
PIDS+=("$PLUTO")
ready=0
for ((i = 0; i < 300; i++)); do
	grep -q "pluto ready" "$LOG" 2>/dev/null && { ready=1; break; }
	kill -0 "$PLUTO" 2>/dev/null || break
	sleep 0.1
done
if [ $ready != 1 ]; then
	fail ctl-start "pluto did not start: $(tail -3 "$LOG" "$D/stderr" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
if grep -q "$CONNS conns loaded" "$LOG"; then pass ctl-start
else fail ctl-start "not $CONNS conns: $(grep -a 'conns loaded' "$LOG")"; fi

# ---- the log file is 0600 -----------------------------------------------------
mode=$(stat -c %a "$LOG")
if [ "$mode" = 600 ]; then pass ctl-log-mode
else fail ctl-log-mode "log file created with mode $mode under umask 022, not 600"; fi

# ---- pluto is not dumpable. Linux makes the files of a non-dumpable
# process's /proc/PID root's; for a pluto run as root that shows nothing,
# so a second, short-lived pluto runs as nobody (its own namespace lets it
# bind port 500) and its /proc/PID/status must belong to root, not nobody.
N=$WORK/nobody
mkdir -p "$N/run"
: >"$N/ipsec.conf"
: >"$N/ipsec.secrets"
chown -R 65534:65534 "$N"
chmod 711 "$WORK"   # mktemp made it 0700: nobody must reach $N
if ! command -v setpriv >/dev/null; then
	skip ctl-not-dumpable "no setpriv"
else
	unshare -n sh -c 'ip link set lo up && sysctl -qw net.ipv4.ip_unprivileged_port_start=0 &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" pluto --nofork \
		--logfile "$1/log" --kernel none --config "$1/ipsec.conf" \
		--secretsfile "$1/ipsec.secrets" --nssdir "$1" --rundir "$1/run" --nhelpers 1' \
		"$IPSEC" "$N" >"$N/stderr" 2>&1 &
	np=$!
	PIDS+=("$np")
	for ((i = 0; i < 100; i++)); do
		grep -q "pluto ready" "$N/log" 2>/dev/null && break
		kill -0 "$np" 2>/dev/null || break
		sleep 0.1
	done
	owner=$(stat -c %u "/proc/$np/status" 2>/dev/null)
	if ! grep -q "pluto ready" "$N/log" 2>/dev/null; then
		skip ctl-not-dumpable "pluto does not start as nobody here: $(tail -1 "$N/log" "$N/stderr" 2>/dev/null | tr '\n' ' ')"
	elif [ "$(stat -c %u /proc/$$/status)" != 0 ]; then
		skip ctl-not-dumpable "this /proc does not show owners"
	elif [ "$owner" = 0 ]; then
		pass ctl-not-dumpable
	else
		fail ctl-not-dumpable "/proc/$np/status of a pluto run as nobody belongs to uid $owner, not root: pluto is dumpable"
	fi
	# shutdown answers before pluto goes (ctl_close writes what is
	# queued), and pluto goes
	if grep -q "pluto ready" "$N/log" 2>/dev/null; then
		timeout 10 "$IPSEC" whack --rundir "$N/run" --shutdown >"$N/shutdown.out" 2>&1
		rc=$?
		for ((i = 0; i < 50; i++)); do kill -0 "$np" 2>/dev/null || break; sleep 0.1; done
		if [ $rc = 0 ] && grep -q "shutting down" "$N/shutdown.out" && ! kill -0 "$np" 2>/dev/null; then
			pass ctl-shutdown-answers
		else
			fail ctl-shutdown-answers "whack --shutdown exit $rc: $(head -c 200 "$N/shutdown.out")"
		fi
	fi
	kill "$np" 2>/dev/null
fi

# ---- an empty PSK is refused with FILE:LINE, the next entry loads ---------------
if grep -q "ipsec.secrets:2: empty PSK" "$LOG"; then pass ctl-empty-psk
else fail ctl-empty-psk "no 'ipsec.secrets:2: empty PSK' in the log"; fi

# ---- a status over 1 MiB arrives whole ------------------------------------------
whack --status --json >"$WORK/status.json" 2>"$WORK/status.err"
rc=$?
size=$(stat -c %s "$WORK/status.json")
# strict UTF-8 and JSON: a raw 0xe9 from the first conn's leftid fails both
n=$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))['connections']))" \
	"$WORK/status.json" 2>/dev/null)
if [ $rc = 0 ] && [ "$size" -gt 1048576 ] && [ "$n" = "$CONNS" ]; then
	pass ctl-status-json-large
else
	fail ctl-status-json-large "exit $rc, $size bytes, ${n:-unparsable} conns: $(head -c 200 "$WORK/status.err")"
fi
whack --status >"$WORK/status.txt" 2>&1
rc=$?
lines=$(grep -c '^"bulk-' "$WORK/status.txt")
if [ $rc = 0 ] && [ "$lines" = "$CONNS" ]; then pass ctl-status-text-large
else fail ctl-status-text-large "exit $rc, $lines conn lines"; fi

# ---- slow, silent and unread clients do not hold the daemon --------------------
t0=$(now_ms)
peer slow "$RUN/pluto.ctl" 1.5 >"$WORK/slow.out" 2>&1 &
slow=$!
peer noread "$RUN/pluto.ctl" 14 >/dev/null 2>&1 &
noread=$!
PIDS+=("$slow" "$noread")
sleep 0.5
t1=$(now_ms)
timeout 10 "$IPSEC" whack --rundir "$RUN" --status >/dev/null 2>&1
rc=$?
ms=$(($(now_ms) - t1))
if [ $rc = 0 ] && [ $ms -lt 2000 ]; then pass ctl-slow-client-does-not-block
else fail ctl-slow-client-does-not-block "whack --status took $ms ms (exit $rc) beside a slow client"; fi

# more than CTL_MAX_CLIENTS (32) at once: one more is told so at once
peer hog "$RUN/pluto.ctl" 40 9 "$WORK/hog.connected" >"$WORK/hog.out" 2>&1 &
hog=$!
PIDS+=("$hog")
# the ping connects after all 40 (a loaded host may take a while to open them)
for ((i = 0; i < 50; i++)); do [ -e "$WORK/hog.connected" ] && break; sleep 0.1; done
sleep 0.2
t1=$(now_ms)
timeout 10 "$IPSEC" whack --rundir "$RUN" --ping >"$WORK/busy.out" 2>&1
rc=$?
ms=$(($(now_ms) - t1))
if [ $rc = 3 ] && grep -q "too many control connections" "$WORK/busy.out" && [ $ms -lt 2000 ]; then
	pass ctl-connection-cap
else
	fail ctl-connection-cap "whack --ping beside 40 silent connections: exit $rc after $ms ms: $(head -c 200 "$WORK/busy.out")"
fi

# the slow client is cut by the 5 s deadline, with a log line
wait "$slow"
read -r _ secs told <"$WORK/slow.out"
if awk -v s="${secs:-99}" 'BEGIN { exit !(s >= 4 && s <= 8) }' &&
   grep -q "control socket: no whole request within 5 s" "$LOG" && [ "$told" = True ]; then
	pass ctl-request-deadline
else
	fail ctl-request-deadline "slow client: '$(cat "$WORK/slow.out")' (want cut after 4..8 s, told why)"
fi

# the silent ones go at their deadline too, and the socket is usable again
wait "$hog"
read -r hogline <"$WORK/hog.out"
busy=$(sed -n 's/.*busy=\([0-9]*\).*/\1/p' <<<"$hogline")
cut=$(sed -n 's/.* cut=\([0-9]*\).*/\1/p' <<<"$hogline")
whack --ping >/dev/null 2>&1
rc=$?
if [ $rc = 0 ] && [ "${busy:-0}" -ge 1 ] && [ "${cut:-0}" -ge 20 ]; then pass ctl-cap-recovers
else fail ctl-cap-recovers "ping exit $rc after the silent clients; hog: $hogline"; fi

# a client that never reads its reply loses it after 10 s, and meanwhile
# the daemon answers others (already seen above)
for ((i = 0; i < 60; i++)); do
	grep -q "did not read its reply for 10 s" "$LOG" && break
	sleep 0.25
done
if grep -q "did not read its reply for 10 s" "$LOG"; then pass ctl-unread-reply-dropped
else fail ctl-unread-reply-dropped "no 'did not read its reply' line $(( ($(now_ms) - t0) / 1000 )) s on"; fi
kill "$noread" 2>/dev/null

# ---- a reply stream cut short: whack says so and fails -------------------------
peer fake "$WORK/fake.ctl" >"$WORK/fake.out" 2>&1 &
fake=$!
PIDS+=("$fake")
for ((i = 0; i < 50; i++)); do [ -S "$WORK/fake.ctl" ] && break; sleep 0.1; done
timeout 10 "$IPSEC" whack --ctlsocket "$WORK/fake.ctl" --status --json >"$WORK/cut.out" 2>"$WORK/cut.err"
rc=$?
wait "$fake"
if [ $rc != 0 ] && [ $rc != 124 ] && grep -q "closed" "$WORK/cut.err"; then pass ctl-cut-stream-fake
else fail ctl-cut-stream-fake "exit $rc: $(cat "$WORK/cut.err")"; fi

# the real pluto killed while whack is in the middle of a big status: whack's
# stdout is a pipe nobody reads yet, so whack stops reading pluto
mkfifo "$WORK/fifo"
"$IPSEC" whack --rundir "$RUN" --status --json >"$WORK/fifo" 2>"$WORK/kill.err" &
wpid=$!
PIDS+=("$wpid")
exec 3<"$WORK/fifo"
head -c 1000 <&3 >/dev/null
sleep 0.3
kill -9 "$PLUTO"
wait "$PLUTO" 2>/dev/null
cat <&3 >"$WORK/kill.out"
exec 3<&-
wait "$wpid"
rc=$?
if [ $rc != 0 ] && grep -q "closed" "$WORK/kill.err"; then pass ctl-cut-stream-pluto-killed
else fail ctl-cut-stream-pluto-killed "whack exit $rc: $(head -c 300 "$WORK/kill.err")"; fi

# an ASan build reports to pluto's stderr
if grep -q "Sanitizer" "$D/stderr" "$N/stderr" 2>/dev/null; then
	fail ctl-sanitizer "$(grep -h -m3 "Sanitizer" "$D/stderr" "$N/stderr" | tr '\n' ' ')"
else
	pass ctl-sanitizer
fi
exit 0
