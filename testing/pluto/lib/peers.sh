# shellcheck shell=bash disable=SC2034
# (SC2034: HOST_WHY and friends are read by the scripts that source this file)
# testing/pluto/lib/peers.sh: start, drive and stop the IKE daemons of the
# test hosts (sourced; needs netns.sh for netns_track).
#
# A host is KIND NS DIR: the implementation, the network namespace it runs
# in, and a private directory that holds its configuration and ALL its state
# (NSS db, control sockets, PID files, logs). Kinds:
#
#   libreswan  the system's libreswan (apt): DIR/ipsec.conf, DIR/ipsec.secrets
#   strongswan charon unpacked in build/peers (lib/fetch.sh):
#              DIR/swanctl.conf, DIR/strongswan.conf (a template: @DIR@ is
#              replaced by DIR; lib/strongswan.conf.in when DIR has none)
#   cygnet     this project's pluto: DIR/ipsec.conf, DIR/ipsec.secrets
#              (optional DIR/prep.sh, e.g. to make RSA host keys)
#
# Operations (each dispatches to KIND_OP; status 0 ok, 1 failed, 3 = cannot
# run here, which the runner reports as SKIP; HOST_WHY says why):
#
#   prepare_host  KIND DIR            before start: templates, file modes
#   start_host    KIND NS DIR         start the daemon, wait (bounded) until
#                                     it answers, load the connections
#   initiate_host KIND NS DIR CONN CHILD    bring CONN up (bounded)
#   ike_up        KIND NS DIR CONN    0 when an IKE SA of CONN is established
#   child_up      KIND NS DIR CONN CHILD    0 when a Child SA of CONN is up
#   status_host   KIND NS DIR         print the daemon's view of its SAs
#   stop_host     KIND NS DIR         stop the daemon (netns_down ends it
#                                     anyway, by PID)
#   xfrm_counters NS [TEXT]           one line per ESP SA in NS's kernel:
#                                     "SRC DST SPI BYTES PACKETS"
#   xfrm_packets SRC DST COUNTERS     packets of all ESP SAs SRC -> DST
#   swanctl_ NS DIR ARGS...           swanctl against a strongswan host
#   libreswan_whack NS DIR ARGS...    whack against a libreswan host
#
# Every daemon is started with `ip netns exec NS` and its PID is handed to
# netns_track; every wait is bounded.

# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOST_WHY=
# whether the kernel the hosts run on has ESP (set by the runner: yes|no)
HARNESS_ESP=${HARNESS_ESP:-no}
# bounds (seconds)
START_WAIT=${START_WAIT:-30}
INITIATE_TIMEOUT=${INITIATE_TIMEOUT:-30}

_op() {  # OP KIND ARGS...
	local op=$1 kind=$2; shift 2
	HOST_WHY=
	if ! declare -F "${kind}_$op" >/dev/null; then
		HOST_WHY="unknown host kind '$kind'"
		return "$H_FAIL"
	fi
	"${kind}_$op" "$@"
}
prepare_host()  { _op prepare "$@"; }
start_host()    { _op start "$@"; }
initiate_host() { _op initiate "$@"; }
ike_up()        { _op ike_up "$@"; }
child_up()      { _op child_up "$@"; }
status_host()   { _op status "$@"; }
stop_host()     { _op stop "$@"; }

# guess the kind from the files in DIR (a scenario may name it instead)
host_kind_of() {
	if [ -f "$1/swanctl.conf" ]; then echo strongswan
	elif [ -f "$1/ipsec.conf" ]; then echo libreswan
	else return 1; fi
}

# xfrm_counters NS [TEXT]: "SRC DST SPI BYTES PACKETS" for every ESP SA in
# NS's kernel, from `ip -n NS -s xfrm state` (or from TEXT, a saved copy of
# its output). Parsed in bash: no process besides ip.
xfrm_counters() {
	local text line src='' dst='' spi='' esp=0 re='^[[:space:]]*([0-9]+)\(bytes\), ([0-9]+)\(packets\)'
	if [ $# -ge 2 ]; then text=$2; else text=$(ip -n "$1" -s xfrm state 2>/dev/null); fi
	while IFS= read -r line; do
		case $line in
		"src "*)
			read -r _ src _ dst _ <<<"$line"; spi='' esp=0 ;;
		*"proto esp spi "*)
			esp=1; spi=${line#*spi }; spi=${spi%% *}; spi=${spi%%(*} ;;
		*"(bytes), "*"(packets)"*)
			if [ $esp = 1 ] && [[ $line =~ $re ]]; then
				echo "$src $dst $spi ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
				esp=0
			fi ;;
		esac
	done <<<"$text"
}

# xfrm_packets SRC DST [COUNTERS]: packets over all ESP SAs from SRC to DST,
# from xfrm_counters output (read from stdin without COUNTERS)
xfrm_packets() {
	local s d p n=0
	while read -r s d _ _ p; do
		[ "$s" = "$1" ] && [ "$d" = "$2" ] && n=$((n + p))
	done <<<"${3-$(cat)}"
	echo "$n"
}

# ---------------------------------------------------------------------------
# libreswan (installed with apt; its own /run/pluto and /etc/ipsec.* are
# never used: every path is given on the command line)

LIBRESWAN_PLUTO=${LIBRESWAN_PLUTO:-/usr/libexec/ipsec/pluto}
LIBRESWAN_WHACK=${LIBRESWAN_WHACK:-/usr/libexec/ipsec/whack}

libreswan_prepare() {
	local d=$1
	[ -f "$d/ipsec.conf" ] || { HOST_WHY="$d/ipsec.conf missing"; return "$H_FAIL"; }
	[ -f "$d/ipsec.secrets" ] || : >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
}

# whack talks to pluto over DIR/run/pluto.ctl, a path: it needs no netns
libreswan_whack() {  # NS DIR ARGS...
	local d=$2; shift 2
	timeout 20 "$LIBRESWAN_WHACK" --rundir "$d/run" "$@"
}

libreswan_start() {
	local ns=$1 d=$2 pid
	if [ ! -x "$LIBRESWAN_PLUTO" ] || [ ! -x "$LIBRESWAN_WHACK" ]; then
		HOST_WHY="libreswan is not installed (apt-get install libreswan)"
		return "$H_SKIP"
	fi
	command -v certutil >/dev/null || { HOST_WHY="certutil missing (apt-get install libnss3-tools)"; return "$H_SKIP"; }
	mkdir -p "$d/run" "$d/nss"
	rm -f "$d/run/pluto.ctl" "$d/run/pluto.pid"
	if [ ! -f "$d/nss/cert9.db" ]; then
		certutil -N -d "sql:$d/nss" --empty-password >"$d/certutil.log" 2>&1 ||
			{ HOST_WHY="certutil -N failed: $(tail -1 "$d/certutil.log")"; return "$H_FAIL"; }
	fi
	: >"$d/pluto.log"
	# --nofork: $! is pluto itself (ip netns exec execs it)
	ip netns exec "$ns" "$LIBRESWAN_PLUTO" --nofork \
		--config "$d/ipsec.conf" --ipsecdir "$d" --secretsfile "$d/ipsec.secrets" \
		--nssdir "$d/nss" --rundir "$d/run" --dumpdir "$d/run" \
		--logfile "$d/pluto.log" >"$d/pluto.stdout" 2>&1 &
	pid=$!
	netns_track "$pid"
	echo "$pid" >"$d/daemon.pid"
	# until the control socket is there or pluto is gone
	wait_until "$START_WAIT" _ready_or_dead "$pid" "$d/run/pluto.ctl"
	if ! _ns_alive "$pid" || [ ! -S "$d/run/pluto.ctl" ]; then
		HOST_WHY="pluto did not open $d/run/pluto.ctl within ${START_WAIT}s or died: $(tail -q -n 2 "$d/pluto.stdout" "$d/pluto.log" 2>/dev/null | tr '\n' ' ')"
		return "$H_FAIL"
	fi
	# pluto loads the conns with auto=add|start|route from --config by itself
	return 0
}
# _ready_or_dead PID SOCKET: 0 when SOCKET exists or PID is gone (no process)
_ready_or_dead() { [ -S "$2" ] || ! _ns_alive "$1"; }

libreswan_initiate() {
	local d=$2 conn=$3 out rc i
	# pluto answers on its socket before it has bound its IKE ports (slow
	# under UML): "need --listen before --initiate" means try again soon
	for ((i = 0; i < 10; i++)); do
		out=$(timeout "$INITIATE_TIMEOUT" "$LIBRESWAN_WHACK" --rundir "$d/run" --name "$conn" --initiate 2>&1)
		rc=$?
		grep -q 'need --listen' <<<"$out" || break
		sleep 0.5
	done
	printf '%s\n' "$out"
	return $rc
}

libreswan_ike_up() {
	local ns=$1 d=$2 conn=$3
	libreswan_whack "$ns" "$d" --showstates 2>/dev/null |
		grep -F "\"$conn\"" | grep -qE 'ESTABLISHED_IKE_SA|STATE_MAIN_(I4|R3)|STATE_AGGR_(I2|R2)'
}

libreswan_child_up() {
	local ns=$1 d=$2 conn=$3
	libreswan_whack "$ns" "$d" --trafficstatus 2>/dev/null | grep -F "\"$conn\"" | grep -q 'type=ESP'
}

libreswan_status() {
	local ns=$1 d=$2
	echo "--- whack --showstates"; libreswan_whack "$ns" "$d" --showstates 2>&1
	echo "--- whack --trafficstatus"; libreswan_whack "$ns" "$d" --trafficstatus 2>&1
}

# SIGTERM: pluto deletes its SAs (telling the peer) and kernel policies and
# exits; netns_down waits for it (bounded) and kills what is left
libreswan_stop() {
	local pid
	read -r pid <"$2/daemon.pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------
# strongSwan: charon and swanctl from build/peers (lib/fetch.sh).
#
# Two paths are compiled into libstrongswan: the plugin directory
# /usr/lib/ipsec/plugins and the PID file /run/charon.pid. Each strongSwan
# process therefore runs in its own private mount namespace (unshare
# --mount), where (1) the unpacked plugins appear at /usr/lib/ipsec/plugins:
# bind-mounted over that directory when the system has it, else through a
# read-only overlay of /usr/lib whose top layer holds only a link
# ipsec -> build/peers/root/usr/lib/ipsec; and (2) DIR/run is bind-mounted over
# /run. Nothing of this is visible outside that process.
# STRONGSWAN_CONF is always set (a stale /etc/strongswan.conf may exist).

SS_ROOT=$PEERS/root
# shellcheck disable=SC2016  # expanded by the bash that runs it
_SS_MOUNTS='set -e
ipsec=$SS_PEERS/root/usr/lib/ipsec
if [ -d /usr/lib/ipsec/plugins ]; then
	mount --bind "$ipsec/plugins" /usr/lib/ipsec/plugins
else
	mount -t overlay -o "lowerdir=$SS_PEERS/usrlib:/usr/lib" cygnet-ss /usr/lib
fi
mount --bind "$SS_DIR/run" /run
exec "$@"'

# _ss_run NS DIR PROG ARGS...: run a strongSwan program in NS, in a private
# mount namespace of its own. Everything execs, so when started as
# `_ss_run ... &`, $! is PROG's PID.
_ss_run() {
	local ns=$1 d=$2; shift 2
	exec ip netns exec "$ns" unshare --mount --propagation private \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		STRONGSWAN_CONF="$d/strongswan.conf" \
		LD_LIBRARY_PATH="$SS_ROOT/usr/lib/ipsec" \
		SS_PEERS="$PEERS" SS_DIR="$d" \
		bash -c "$_SS_MOUNTS" strongswan-mounts "$@"
}

# swanctl_ [-t SECS] NS DIR ARGS...: swanctl against the host's charon. It
# joins charon's mount namespace (for the plugins); the vici socket is a
# path, so no netns is needed.
swanctl_() {
	local secs=40 pid
	[ "$1" = -t ] && { secs=$2; shift 2; }
	local d=$2; shift 2
	read -r pid <"$d/daemon.pid" 2>/dev/null || { echo "swanctl_: no charon for $d" >&2; return 1; }
	STRONGSWAN_CONF="$d/strongswan.conf" LD_LIBRARY_PATH="$SS_ROOT/usr/lib/ipsec" \
		timeout "$secs" nsenter -t "$pid" -m "$SS_ROOT/usr/sbin/swanctl" "$@" --uri "unix://$d/charon.vici"
}

strongswan_prepare() {
	local d=$1 conf=
	[ -f "$d/swanctl.conf" ] || { HOST_WHY="$d/swanctl.conf missing"; return "$H_FAIL"; }
	[ -f "$d/strongswan.conf" ] || cp "$PLUTO_T/lib/strongswan.conf.in" "$d/strongswan.conf"
	# the template: @DIR@ -> DIR (bash only: process starts are slow in UML)
	IFS= read -r -d '' conf <"$d/strongswan.conf"
	printf '%s' "${conf//@DIR@/$d}" >"$d/strongswan.conf"
	# swanctl --file looks for credentials next to the file
	mkdir -p "$d"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,run}
}

strongswan_start() {
	local ns=$1 d=$2 pid
	if [ ! -x "$SS_ROOT/usr/lib/ipsec/charon" ] || [ ! -x "$SS_ROOT/usr/sbin/swanctl" ]; then
		HOST_WHY="strongSwan is not unpacked in $PEERS (${PEERS_WHY:-run testing/pluto/lib/fetch.sh})"
		return "$H_SKIP"
	fi
	if [ ! -d /usr/lib/ipsec/plugins ] && [ ! -L "$PEERS/usrlib/ipsec" ]; then
		if ! { mkdir -p "$PEERS/usrlib" && ln -sfn "$SS_ROOT/usr/lib/ipsec" "$PEERS/usrlib/ipsec"; }; then
			HOST_WHY="cannot write $PEERS/usrlib"; return "$H_FAIL"
		fi
	fi
	rm -f "$d/run/charon.pid" "$d/charon.vici"
	: >"$d/charon.log"
	_ss_run "$ns" "$d" "$SS_ROOT/usr/lib/ipsec/charon" >"$d/charon.stdout" 2>&1 &
	pid=$!
	netns_track "$pid"
	echo "$pid" >"$d/daemon.pid"
	wait_until "$START_WAIT" _ready_or_dead "$pid" "$d/charon.vici"
	if ! _ns_alive "$pid" || [ ! -S "$d/charon.vici" ]; then
		HOST_WHY="charon did not open $d/charon.vici within ${START_WAIT}s or died: $(tail -q -n 3 "$d/charon.stdout" "$d/charon.log" 2>/dev/null | tr '\n' ' ')"
		return "$H_FAIL"
	fi
	if ! swanctl_ "$ns" "$d" --load-all --file "$d/swanctl.conf" >"$d/swanctl-load.log" 2>&1; then
		HOST_WHY="swanctl --load-all failed: $(tail -2 "$d/swanctl-load.log" | tr '\n' ' ')"
		return "$H_FAIL"
	fi
}

strongswan_initiate() {
	local ns=$1 d=$2 conn=$3 child=$4
	swanctl_ -t "$INITIATE_TIMEOUT" "$ns" "$d" --initiate \
		--ike "$conn" --child "$child" --timeout "$((INITIATE_TIMEOUT - 5))"
}

strongswan_ike_up() {
	local ns=$1 d=$2 conn=$3
	swanctl_ "$ns" "$d" --list-sas --ike "$conn" 2>/dev/null |
		grep -qE "^$conn: #[0-9]+, ESTABLISHED"
}

strongswan_child_up() {
	local ns=$1 d=$2 conn=$3 child=$4
	swanctl_ "$ns" "$d" --list-sas --ike "$conn" 2>/dev/null |
		grep -qE "^ +$child: #[0-9]+, reqid [0-9]+, INSTALLED"
}

strongswan_status() {
	echo "--- swanctl --list-sas"; swanctl_ "$1" "$2" --list-sas 2>&1
}

strongswan_stop() {
	local pid
	read -r pid <"$2/daemon.pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------
# cygnet: this project's pluto, from the build tree ($CYGNET_BUILD).
#
# Host directory: DIR/ipsec.conf and DIR/ipsec.secrets, as for libreswan;
# optional DIR/prep.sh runs first (RSA host keys: see the rsa scenarios);
# optional DIR/pluto.args: more pluto options, on one line.
# The kernel backend is xfrm where the kernel has ESP ($HARNESS_ESP=yes:
# the data path), else none (IKE only).

cygnet_prepare() {
	local d=$1
	libreswan_prepare "$d" || return
	if [ -x "$d/prep.sh" ]; then
		CYGNET_BUILD=${CYGNET_BUILD:-$REPO/build} "$d/prep.sh" "$d" >"$d/prep.log" 2>&1 ||
			{ HOST_WHY="prep.sh failed: $(tail -1 "$d/prep.log")"; return "$H_FAIL"; }
	fi
	return 0
}

cygnet_start() {
	local ns=$1 d=$2 b=${CYGNET_BUILD:-$REPO/build} pid kernel=none extra=()
	[ -x "$b/libexec/ipsec/pluto" ] || { HOST_WHY="$b/libexec/ipsec/pluto is not built"; return "$H_SKIP"; }
	[ "${HARNESS_ESP:-no}" = yes ] && kernel=xfrm
	# DIR/pluto.args: more options, words on one line (e.g. --keep-alive 5)
	[ -f "$d/pluto.args" ] && read -r -a extra <"$d/pluto.args"
	mkdir -p "$d/run"
	rm -f "$d/run/pluto.ctl" "$d/run/pluto.pid"
	: >"$d/pluto.log"
	ip netns exec "$ns" "$b/ipsec" pluto --nofork --logfile "$d/pluto.log" --kernel "$kernel" \
		--config "$d/ipsec.conf" --secretsfile "$d/ipsec.secrets" --nssdir "$d" \
		--rundir "$d/run" --nhelpers 1 "${extra[@]}" >"$d/pluto.stdout" 2>&1 &
	pid=$!
	netns_track "$pid"
	echo "$pid" >"$d/daemon.pid"
	wait_until "$START_WAIT" _ready_or_dead "$pid" "$d/run/pluto.ctl"
	if ! _ns_alive "$pid" || [ ! -S "$d/run/pluto.ctl" ]; then
		HOST_WHY="pluto did not open $d/run/pluto.ctl within ${START_WAIT}s or died: $(tail -q -n 2 "$d/pluto.stdout" "$d/pluto.log" 2>/dev/null | tr '\n' ' ')"
		return "$H_FAIL"
	fi
	return 0
}

cygnet_initiate() {
	local d=$2 conn=$3 b=${CYGNET_BUILD:-$REPO/build}
	timeout "$INITIATE_TIMEOUT" "$b/ipsec" auto --rundir "$d/run" --up "$conn"
}

# cygnet_has NS DIR CONN WHAT: an SA of CONN (or its instances) in
# ike_sas or child_sas is ESTABLISHED
cygnet_has() {
	local d=$2 conn=$3 what=$4 b=${CYGNET_BUILD:-$REPO/build}
	timeout 10 "$b/ipsec" whack --rundir "$d/run" --status --json 2>/dev/null |
		python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(s['state'] == 'ESTABLISHED' and s['connection'].split('/')[0].split('#')[0] == '$conn'
                  for s in d['$what']) else 1)" 2>/dev/null
}

cygnet_ike_up() { cygnet_has "$1" "$2" "$3" ike_sas; }
cygnet_child_up() { cygnet_has "$1" "$2" "$3" child_sas; }

cygnet_status() {
	local d=$2 b=${CYGNET_BUILD:-$REPO/build}
	echo "--- ipsec auto --status"
	timeout 10 "$b/ipsec" auto --rundir "$d/run" --status 2>&1
}

cygnet_stop() {
	local pid
	read -r pid <"$2/daemon.pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
	return 0
}
