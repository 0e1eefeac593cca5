#!/usr/bin/env bash
# The .deb installed, run and removed on this Debian 12 without touching
# it: in a mount and network namespace of their own, an overlay whose
# lower layer is the host's / and whose upper layer is a tmpfs becomes the
# root of a chroot. There libreswan (installed on the host, and kept
# there) is purged, the package goes in with dpkg -i, the files, conffiles
# and modes are where a libreswan administrator expects them, the
# installed commands work on the installed paths, the unit's own commands
# run as systemd would run them (ExecStartPre, ExecStart with a
# NOTIFY_SOCKET, ExecReload, ExecStop), and dpkg -r then --purge leave
# nothing behind. Everything goes with the namespace: the host's / is
# only ever read.
#
# This is the host's Debian 12 less libreswan, not a debootstrapped one
# (debootstrap needs the network): the Depends are met by what the host
# has. systemd is not PID 1 here: systemctl runs in a root of its own that
# systemd-nspawn boots (unit-systemd).
#
# usage: testing/package/install.sh DEB     (one line per check: PASS|FAIL|SKIP NAME)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${CYGNET_INSTALL_NS:-}" != 1 ]; then
	deb=$(readlink -f "${1:?usage: install.sh DEB}")
	[ "$(id -u)" = 0 ] || { echo "SKIP package-install: needs root (namespaces, chroot)"; exit 0; }
	command -v unshare >/dev/null || { echo "SKIP package-install: no unshare"; exit 0; }
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		{ echo "SKIP package-install: no overlayfs in this kernel"; exit 0; }
	dpkg-query -W -f='${Status}\n' libreswan 2>/dev/null | grep -q 'ok installed' ||
		echo "    (libreswan is not installed here: nothing to purge first)"
	x=$(mktemp -d /tmp/cygnet-install.XXXXXX)
	t0=$SECONDS
	CYGNET_INSTALL_NS=1 unshare --mount --net --propagation private bash "$0" "$deb" "$x"
	rc=$?
	# a script that dies half-way must not pass for one that ran
	[ $rc = 0 ] || echo "FAIL package-install-script: it exited with status $rc"
	# the tmpfs was mounted only inside the namespace: $x is empty here
	rm -rf "$x"
	echo "    (install test took $((SECONDS - t0)) s)"
	exit $rc
fi

# ---- inside the namespace ------------------------------------------------------
deb=$1 x=$2
result() { if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi; }
fatal() { echo "FAIL $1: $2"; exit 0; }

# A fresh overlay with the package installed is booted by systemd-nspawn
# (systemd as PID 1, a network namespace of its own with only lo, cgroup2
# mounted in this mount namespace): systemctl starts the unit (Type=notify:
# active only once pluto said READY=1), the conns of /etc/ipsec.conf are
# loaded and the auto=start one's IKE SA comes up with a peer pluto in a
# network namespace inside the container, systemctl reload and stop work,
# pluto's lines are in the journal.
systemd_boot() {
	local r=$x/root3 why="" o pid1="" np i st spis=""
	# with ESP (PLUTO_TEST_UNIT_TUNNEL=1): subnets, a kernel for the peer
	# too, and a ping through the tunnel; else the IKE SA only
	local tunnel=${PLUTO_TEST_UNIT_TUNNEL:-} name=unit-systemd peerkernel="--kernel none"
	[ "$tunnel" = 1 ] && name=unit-systemd-tunnel peerkernel=""
	command -v systemd-nspawn >/dev/null || { echo "SKIP $name: no systemd-nspawn (apt-get install systemd-container)"; return; }
	mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null ||
		{ echo "SKIP $name: cannot mount cgroup2 for a booted systemd"; return; }
	mkdir "$x/upper3" "$x/work3" "$r" &&
		mount -t overlay cygnet-install -o "lowerdir=/,upperdir=$x/upper3,workdir=$x/work3" "$r" &&
		mount -t proc proc "$r/proc" && mount -t tmpfs -o mode=0755 cygnet-dev "$r/dev" ||
		{ result "$name" "cannot mount the third overlay"; return; }
	for n in null zero random urandom; do : >"$r/dev/$n" && mount --bind "/dev/$n" "$r/dev/$n"; done
	cp "$deb" "$r/tmp/cygnet.deb"
	rm -f "$r/var/lib/man-db/auto-update"
	local inr=(chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
	"${inr[@]}" dpkg --purge libreswan >/dev/null 2>&1
	o=$("${inr[@]}" dpkg -i /tmp/cygnet.deb 2>&1 </dev/null) || why="dpkg -i: $(tail -2 <<<"$o" | tr '\n' ' ')"
	printf '\nconn sd-a\n\tleft=127.0.0.1\n\tright=127.0.0.2\n\tauthby=secret\n\tauto=add\n' >>"$r/etc/ipsec.conf"
	# a tunnel the unit's pluto starts (auto=start) to a peer pluto that
	# the test runs in a network namespace inside the container
	local tun='\tleft=198.18.0.1\n\tleftid=@west\n\tright=198.18.0.2\n\trightid=@east\n\tauthby=secret\n\tikev2=insist\n'
	[ "$tunnel" = 1 ] && tun+='\tleftsubnet=198.51.100.0/24\n\trightsubnet=203.0.113.0/24\n'
	printf "\nconn sd-tun\n$tun\tauto=start\n" >>"$r/etc/ipsec.conf"
	echo '@west @east : PSK "systemd test secret"' >>"$r/etc/ipsec.secrets"
	mkdir -p "$r/root/peer/run"
	printf "version 2\n\nconn sd-tun\n$tun\tauto=add\n" >"$r/root/peer/ipsec.conf"
	echo '@west @east : PSK "systemd test secret"' >"$r/root/peer/ipsec.secrets"
	chmod 600 "$r/root/peer/ipsec.secrets"
	umount "$r/dev/null" "$r/dev/zero" "$r/dev/random" "$r/dev/urandom" "$r/dev" "$r/proc" 2>/dev/null
	[ -n "$why" ] && { result "$name" "$why"; return; }
	# basic.target: no multi-user services of this host; the unit is started by hand
	systemd-nspawn -q -D "$r" --private-network --register=no --keep-unit --link-journal=no -M cygnet-test \
		-b --console=pipe systemd.unit=basic.target >"$x/boot.log" 2>&1 </dev/null &
	np=$!
	for ((i = 0; i < 100; i++)); do pid1=$(pgrep -P "$np" | head -1); [ -n "$pid1" ] && break; sleep 0.1; done
	inct() { timeout 30 nsenter -t "$pid1" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
	[ -z "$pid1" ] && why="systemd-nspawn started no container: $(tail -2 "$x/boot.log" | tr '\n' ' ')"
	for ((i = 0; i < 60; i++)); do
		[ -n "$why" ] && break
		st=$(inct systemctl is-system-running 2>/dev/null)
		case $st in running | degraded) break ;; esac
		sleep 0.5
	done
	[ -z "$why" ] && [ "$st" != running ] && [ "$st" != degraded ] && why="the container's systemd did not boot ($st)"
	# the peer: the installed pluto with --kernel none in netns "peer", a
	# veth to it (198.18.0.0/24, inside the container's private network)
	if [ -z "$why" ]; then
		o=$(inct sh -c 'ip netns add peer && ip link add v0 type veth peer name v1 netns peer &&
			ip addr add 198.18.0.1/24 dev v0 && ip link set v0 up && ip -n peer link set lo up &&
			ip -n peer addr add 198.18.0.2/24 dev v1 && ip -n peer link set v1 up &&
			ipsec initnss --nssdir /root/peer >/dev/null' 2>&1) || why="cannot make the peer's namespace: $o"
	fi
	# the subnets: an address of each on lo, routed over the veth
	if [ -z "$why" ] && [ "$tunnel" = 1 ]; then
		o=$(inct sh -c 'ip addr add 198.51.100.1/32 dev lo &&
			ip route add 203.0.113.0/24 via 198.18.0.2 dev v0 src 198.51.100.1 &&
			ip -n peer addr add 203.0.113.1/32 dev lo &&
			ip -n peer route add 198.51.100.0/24 via 198.18.0.1 dev v1 src 203.0.113.1' 2>&1) ||
			why="cannot give the subnets their addresses and routes: $o"
	fi
	if [ -z "$why" ]; then
		# started from a shell in the container that exits at once: the
		# container's systemd is its parent (it reaps it at poweroff)
		inct sh -c 'ip netns exec peer /usr/libexec/ipsec/pluto --nofork '"$peerkernel"' \
			--config /root/peer/ipsec.conf --secretsfile /root/peer/ipsec.secrets --nssdir /root/peer \
			--rundir /root/peer/run --logfile /root/peer/log </dev/null >/dev/null 2>&1 &' </dev/null
		for ((i = 0; i < 50; i++)); do [ -S "$r/root/peer/run/pluto.ctl" ] && break; sleep 0.1; done
		[ -S "$r/root/peer/run/pluto.ctl" ] || why="the peer pluto did not start: $(tail -2 "$r/root/peer/log" 2>&1 | tr '\n' ' ')"
	fi
	[ -z "$why" ] && { o=$(inct systemctl start ipsec.service 2>&1) || why="systemctl start ipsec: $o $(inct journalctl -u ipsec --no-pager 2>&1 | tail -3 | tr '\n' ' ')"; }
	[ -z "$why" ] && [ "$(inct systemctl is-active ipsec.service)" != active ] && why="ipsec.service is not active"
	[ -z "$why" ] && ! inct ipsec whack --status 2>&1 | grep -q '"sd-a"' && why="the conn of /etc/ipsec.conf is not loaded"
	# auto=start: the IKE SA with the peer comes up by itself (its Child
	# SA cannot be installed here: the unit's pluto uses the kernel, and
	# this kernel has no ESP)
	for ((i = 0; i < 50; i++)); do
		[ -n "$why" ] && break
		inct ipsec whack --status 2>/dev/null | grep -q '"sd-tun" ESTABLISHED' && break
		sleep 0.2
	done
	[ -z "$why" ] && ! inct ipsec whack --status 2>&1 | grep -q '"sd-tun" ESTABLISHED' &&
		why="no IKE SA for the auto=start conn: $(inct journalctl -u ipsec.service --no-pager 2>&1 | grep sd-tun | tail -2 | tr '\n' ' ')"
	# with ESP: the Child SA in the kernel carries a ping between the
	# subnets (the XFRM policies send nothing of them in the clear)
	if [ -z "$why" ] && [ "$tunnel" = 1 ]; then
		for ((i = 0; i < 50; i++)); do
			[ "$(inct ip xfrm state 2>/dev/null | grep -c '^src')" -ge 2 ] && break
			sleep 0.2
		done
		o=$(inct ping -c 3 -i 0.3 -W 2 -I 198.51.100.1 203.0.113.1 2>&1) ||
			why="no ping through the tunnel: $(tail -2 <<<"$o" | tr '\n' ' ') $(inct journalctl -u ipsec.service --no-pager 2>&1 | grep sd-tun | tail -2 | tr '\n' ' ')"
		local pk
		pk=$(inct ip -s xfrm state 2>/dev/null | sed -n 's/^[[:space:]]*[0-9]*(bytes), \([0-9]*\)(packets)$/\1/p' | tr '\n' ' ')
		[ -z "$why" ] && { read -r a b _ <<<"$pk"; [ "${a:-0}" -ge 3 ] && [ "${b:-0}" -ge 3 ]; } ||
			why="${why:-the ESP SAs did not count the ping (packets: $pk)}"
		[ -z "$why" ] && echo "    the unit's tunnel: 3 pings through ESP (SA packets: $pk)"
		spis=$(inct ip xfrm state 2>/dev/null | grep '^src\|spi' | tr '\n' ' ')
	fi
	local main=""
	[ -z "$why" ] && main=$(inct systemctl show -p MainPID --value ipsec.service)
	[ -z "$why" ] && { o=$(inct systemctl reload ipsec.service 2>&1) || why="systemctl reload ipsec: $(head -1 <<<"$o") $(inct journalctl -u ipsec.service --no-pager 2>&1 | tail -4 | tr "\n" " ")"; }
	[ -z "$why" ] && [ "$(inct systemctl show -p MainPID --value ipsec.service)" != "$main" ] && why="reload restarted pluto"
	# with ESP: the reload kept the tunnel (the same SAs), which still carries a ping
	if [ -z "$why" ] && [ "$tunnel" = 1 ]; then
		[ "$(inct ip xfrm state 2>/dev/null | grep '^src\|spi' | tr '\n' ' ')" != "$spis" ] &&
			why="the reload changed the tunnel's SAs: was $spis"
		[ -z "$why" ] && ! inct ping -c 2 -i 0.3 -W 2 -I 198.51.100.1 203.0.113.1 >/dev/null 2>&1 &&
			why="no ping through the tunnel after the reload"
	fi
	[ -z "$why" ] && ! inct journalctl -u ipsec.service --no-pager 2>&1 | grep -q 'pluto ready' &&
		why="pluto's lines are not in the journal"
	[ -z "$why" ] && { o=$(inct systemctl stop ipsec.service 2>&1) || why="systemctl stop ipsec: $o"; }
	[ -z "$why" ] && [ "$(inct systemctl is-active ipsec.service)" = active ] && why="ipsec.service is still active after stop"
	result "$name" "$why"
	[ -n "$pid1" ] && inct systemctl poweroff >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do kill -0 "$np" 2>/dev/null || break; sleep 0.1; done
	# not down in 10 s: the container's init killed, and with it every
	# process of its PID namespace; then nspawn ends
	[ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null
	for ((i = 0; i < 50; i++)); do kill -0 "$np" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$np" 2>/dev/null
	wait "$np" 2>/dev/null
}
# PLUTO_TEST_UNIT_TUNNEL=1 (a kernel with ESP: the UML guest, see
# testing/package/run): only the booted unit, whose tunnel then carries a
# ping through ESP
if [ "${PLUTO_TEST_UNIT_TUNNEL:-}" = 1 ]; then
	mount -t tmpfs -o mode=0700 cygnet-install "$x" || fatal unit-systemd-tunnel "cannot mount a tmpfs on $x"
	systemd_boot
	exit 0
fi
root=$x/root
mount -t tmpfs -o mode=0700 cygnet-install "$x" || fatal package-install "cannot mount a tmpfs on $x"
mkdir "$x/upper" "$x/work" "$root"
mount -t overlay cygnet-install -o "lowerdir=/,upperdir=$x/upper,workdir=$x/work" "$root" ||
	fatal package-install "overlayfs over / refused"
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
# a /dev of its own with the few nodes dpkg, NSS and pluto open
mount -t tmpfs -o mode=0755 cygnet-dev "$root/dev"
for n in null zero random urandom; do
	: >"$root/dev/$n" && mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/shm" "$root/dev/pts"
ip link set lo up
cp "$deb" "$root/tmp/cygnet.deb"
# man-db's dpkg trigger rebuilds the whatis index (seconds each time);
# not wanted in a throwaway root (man -w and the pages work without it)
rm -f "$root/var/lib/man-db/auto-update"

# run a command in the chroot with a clean environment
inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"; }
# the same in the background: "inroot_exec CMD &" leaves CMD's own pid in $!
inroot_exec() { exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 "$@"; }
# what the upper layer holds that the host's / does not (whiteouts are
# the host's files deleted in the overlay, not new ones)
added() {
	(cd "$x/upper" && find . -mindepth 1 ! -type c -printf '%P\n') | sort |
		while IFS= read -r p; do [ -e "/$p" ] || [ -L "/$p" ] || echo "/$p"; done
}

# ---- a Debian 12 without libreswan -----------------------------------------------
if inroot dpkg-query -W -f='${Status}\n' libreswan 2>/dev/null | grep -q 'ok installed'; then
	o=$(inroot dpkg --purge libreswan 2>&1) || fatal package-install "dpkg --purge libreswan failed: $(tail -2 <<<"$o")"
fi
[ -e "$root/usr/sbin/ipsec" ] && fatal package-install "/usr/sbin/ipsec is still there without libreswan"
before=$(added)

# ---- dpkg -i --------------------------------------------------------------------------
o=$(inroot dpkg -i /tmp/cygnet.deb 2>&1)
rc=$?
why=""
[ $rc = 0 ] || why="dpkg -i exited $rc: $(tail -3 <<<"$o" | tr '\n' ' ')"
[ -z "$why" ] && ! inroot dpkg-query -W -f='${Status}' cygnet | grep -qx 'install ok installed' && why="cygnet is not 'install ok installed'"
[ -z "$why" ] && grep -qi 'warning' <<<"$o" && why="dpkg warned: $(grep -i -m1 warning <<<"$o")"
result package-install "$why"
[ $rc = 0 ] || exit 0

why=""
owned=$(inroot dpkg -L cygnet)
for f in /usr/sbin/ipsec /usr/libexec/ipsec/pluto /usr/libexec/ipsec/whack /usr/libexec/ipsec/addconn \
	/usr/libexec/ipsec/auto /usr/libexec/ipsec/setup /usr/libexec/ipsec/netsh-import /usr/libexec/ipsec/_updown \
	/lib/systemd/system/ipsec.service /usr/lib/tmpfiles.d/cygnet.conf \
	/usr/share/man/man5/ipsec.conf.5.gz /usr/share/man/man5/ipsec.secrets.5.gz \
	/usr/share/man/man8/ipsec.8.gz /usr/share/man/man8/ipsec_pluto.8.gz /usr/share/man/man8/ipsec_whack.8.gz \
	/usr/share/doc/cygnet/design.md.gz /usr/share/doc/cygnet/migrating.md.gz /usr/share/doc/cygnet/netsh.md.gz \
	/etc/ipsec.conf /etc/ipsec.secrets /var/lib/ipsec/nss; do
	[ -e "$root$f" ] || { why="$f is not installed"; break; }
	grep -qx "$f" <<<"$owned" || { why="$f does not belong to cygnet"; break; }
done
result install-files "$why"

why=""
conff=$(inroot dpkg-query -W -f='${Conffiles}\n' cygnet)
for f in /etc/ipsec.conf /etc/ipsec.secrets; do
	grep -q "^ $f " <<<"$conff" || why="$f is not a conffile of the installed package"
done
m=$(stat -c %a "$root/etc/ipsec.secrets")
[ "$m" = 600 ] || why="/etc/ipsec.secrets has mode $m"
m=$(stat -c %a "$root/var/lib/ipsec/nss")
[ "$m" = 700 ] || why="/var/lib/ipsec/nss has mode $m"
[ -d "$root/run/cygnet" ] || why="postinst (systemd-tmpfiles) did not make /run/cygnet"
result install-conffiles "$why"

# enabled at install as Debian's libreswan's unit is (deb-systemd-helper
# works without a running systemd)
why=""
w=$root/etc/systemd/system/multi-user.target.wants/ipsec.service
[ -L "$w" ] || why="ipsec.service is not enabled (no multi-user.target.wants link)"
[ -z "$why" ] && [ "$(readlink "$w")" != /lib/systemd/system/ipsec.service ] && why="the wants link points to $(readlink "$w")"
result install-enabled "$why"

why=""
v=$(inroot ipsec --version 2>&1) || why="ipsec --version failed: $v"
[ -z "$why" ] && ! grep -q '^Cygnet' <<<"$v" && why="ipsec --version says '$v'"
[ -z "$why" ] && { o=$(inroot ipsec initnss 2>&1) || why="ipsec initnss failed: $o"; }
[ -z "$why" ] && [ ! -f "$root/var/lib/ipsec/nss/cert9.db" ] && why="ipsec initnss made no /var/lib/ipsec/nss/cert9.db"
[ -z "$why" ] && { o=$(inroot ipsec checknss 2>&1) || why="ipsec checknss failed: $o"; }
[ -z "$why" ] && { o=$(inroot ipsec addconn --checkconfig 2>&1) || why="addconn --checkconfig on the installed /etc/ipsec.conf: $o"; }
result install-commands "$why"

if inroot sh -c "command -v systemd-analyze" >/dev/null; then
	o=$(inroot env SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no /lib/systemd/system/ipsec.service 2>&1)
	why=""
	[ -n "$o" ] && why="systemd-analyze verify: $(head -2 <<<"$o" | tr '\n' ' ')"
	result install-unit-verify "$why"
else
	echo "SKIP install-unit-verify: no systemd-analyze"
fi

# every installed page renders without a warning (groff -ww, as man
# --warnings; one chroot for all), and man finds them by name
why=""
o=$(inroot sh -c 'for p; do zcat "$p" | groff -man -ww -z -Tutf8 2>&1 | sed "s|^|$p: |"; done' sh \
	$(grep '^/usr/share/man/.*\.gz$' <<<"$owned"))
[ -n "$o" ] && why=$(head -1 <<<"$o")
[ -z "$(grep '^/usr/share/man/' <<<"$owned")" ] && why="no man pages"
for n in "5 ipsec.conf" "5 ipsec.secrets" "8 ipsec" "8 ipsec_pluto"; do
	[ -z "$why" ] && ! inroot man -w $n 2>/dev/null | grep -q "^/usr/share/man/" && why="man -w $n finds no page"
done
result install-man "$why"

# ---- the unit's commands as systemd runs them ----------------------------------------
# An administrator's conn in /etc/ipsec.conf; ExecStartPre, then ExecStart
# with NOTIFY_SOCKET (pluto is the main process: NotifyAccess=main), READY
# awaited, the conn loaded; a conn added and ExecReload; ExecStop.
unit=$root/lib/systemd/system/ipsec.service
cat >>"$root/etc/ipsec.conf" <<'EOF'

conn inst-a
	left=127.0.0.1
	right=127.0.0.2
	authby=secret
	ikev2=insist
	auto=add
EOF
echo '127.0.0.1 127.0.0.2 : PSK "install test secret"' >>"$root/etc/ipsec.secrets"
cat >"$root/tmp/notify.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.monotonic() + float(sys.argv[3])
with open(sys.argv[2], "w") as f:
    while time.monotonic() < end:
        try:
            f.write(s.recv(4096).decode(errors="replace").replace("\n", " ") + "\n")
            f.flush()
        except socket.timeout:
            pass
PY
execs() { sed -n "s/^$1=//p" "$unit"; }
inroot_exec python3 /tmp/notify.py /tmp/notify /tmp/notified 20 &
listener=$!
for ((i = 0; i < 50; i++)); do [ -S "$root/tmp/notify" ] && break; sleep 0.1; done
why=""
while IFS= read -r c; do
	[ -z "$why" ] && { o=$(inroot sh -c "$c" 2>&1) || why="ExecStartPre '$c' failed: $o"; }
done < <(execs ExecStartPre)
pluto=""
if [ -z "$why" ]; then
	inroot_exec env NOTIFY_SOCKET=/tmp/notify sh -c "exec $(execs ExecStart)" >"$x/pluto.out" 2>&1 &
	pluto=$!
	for ((i = 0; i < 100; i++)); do grep -q 'READY=1' "$root/tmp/notified" 2>/dev/null && break; sleep 0.1; done
	grep -q 'READY=1' "$root/tmp/notified" 2>/dev/null || why="no READY=1 in 10 s: $(tail -2 "$x/pluto.out" | tr '\n' ' ')"
	# NotifyAccess=main: the notification must be the main process's
	[ -z "$why" ] && ! grep -q "READY=1.*MAINPID=$pluto" "$root/tmp/notified" &&
		why="READY=1 does not come from the main process $pluto: $(grep -m1 READY "$root/tmp/notified")"
fi
[ -z "$why" ] && { st=$(inroot ipsec whack --status 2>&1) || why="ipsec whack --status: $st"; }
[ -z "$why" ] && ! grep -q '"inst-a"' <<<"$st" && why="the conn of /etc/ipsec.conf is not loaded: $(head -3 <<<"$st" | tr '\n' ' ')"
result unit-start "$why"

# libreswan's command set through the installed front command, against
# the unit's pluto: each exits 0, --ondemand routes the conn
why=""
if [ -n "$pluto" ] && kill -0 "$pluto" 2>/dev/null; then
	for c in "status" "trafficstatus" "traffic" "globalstatus" "listall" "secrets" "auto --rereadall" \
		"auto --listall" "whack --debug all" "whack --debug none" "auto --ondemand inst-a" \
		"auto --asynchronous --start inst-a" "auto --down inst-a"; do
		o=$(inroot ipsec $c 2>&1) || { why="ipsec $c: $(head -2 <<<"$o" | tr '\n' ' ')"; break; }
		[ "$c" = "auto --ondemand inst-a" ] && ! inroot ipsec whack --status | grep -q '"inst-a".*; routed' &&
			{ why="auto --ondemand did not route inst-a"; break; }
	done
else
	why="pluto is not running"
fi
result install-command-set "$why"

why=""
if [ -n "$pluto" ] && kill -0 "$pluto" 2>/dev/null; then
	sed -i 's/^conn inst-a$/conn inst-b/' "$root/etc/ipsec.conf"
	mainpid=$(cat "$root/run/cygnet/pluto.pid" 2>/dev/null)
	while IFS= read -r c; do
		[ -z "$why" ] && { o=$(inroot sh -c "${c//\$MAINPID/$mainpid}" 2>&1) || why="ExecReload '$c' failed: $o"; }
	done < <(execs ExecReload)
	st=$(inroot ipsec whack --status 2>&1)
	[ -z "$why" ] && ! grep -q '"inst-b"' <<<"$st" && why="reload did not load the added conn inst-b"
	[ -z "$why" ] && grep -q '"inst-a"' <<<"$st" && why="reload kept inst-a, gone from the file"
	while IFS= read -r c; do o=$(inroot sh -c "$c" 2>&1) || why="ExecStop '$c' failed: $o"; done < <(execs ExecStop)
	for ((i = 0; i < 50; i++)); do kill -0 "$pluto" 2>/dev/null || break; sleep 0.1; done
	[ -z "$why" ] && kill -0 "$pluto" 2>/dev/null && why="pluto did not exit after ExecStop"
	[ -z "$why" ] && ! grep -q 'STOPPING=1' "$root/tmp/notified" && why="no STOPPING=1"
else
	why="pluto is not running"
fi
result unit-reload-stop "$why"
[ -n "$pluto" ] && kill "$pluto" 2>/dev/null
kill "$listener" 2>/dev/null
wait 2>/dev/null

# ---- dpkg -r keeps the conffiles, --purge leaves nothing -----------------------------
why=""
o=$(inroot dpkg -r cygnet 2>&1) || why="dpkg -r failed: $(tail -2 <<<"$o" | tr '\n' ' ')"
[ -z "$why" ] && [ -e "$root/usr/sbin/ipsec" ] && why="/usr/sbin/ipsec is still there"
[ -z "$why" ] && [ ! -e "$root/etc/ipsec.conf" ] && why="dpkg -r removed the conffile /etc/ipsec.conf"
result package-remove "$why"

why=""
o=$(inroot dpkg --purge cygnet 2>&1) || why="dpkg --purge failed: $(tail -2 <<<"$o" | tr '\n' ' ')"
[ -z "$why" ] && grep -qi 'warning' <<<"$o" && why="dpkg warned: $(grep -i -m1 warning <<<"$o")"
# dpkg's own records, logs and caches change with any package, and
# systemd-analyze above left its mark in /run/systemd
left=$(comm -13 <(echo "$before") <(added) |
	grep -vE '^/(var/lib/dpkg|var/log|var/cache|tmp|root)(/|$)|^/run/systemd/systemd-units-load$')
[ -z "$why" ] && [ -n "$left" ] && why="left behind: $(head -5 <<<"$left" | tr '\n' ' ')"
result package-purge "$why"

# ---- systemctl start under a booted systemd ------------------------------------------
systemd_boot

# ---- over Debian's libreswan, as apt does it (remove, then install) ------------------
# A fresh overlay where libreswan is installed as shipped, with a conn and
# a secret where Debian's libreswan keeps them (/etc/ipsec.d): the stock
# /etc/ipsec.conf and /etc/ipsec.secrets are replaced by the package's,
# which must read /etc/ipsec.d the same way. dpkg must not stop to ask.
why=""
if ! dpkg-query -W -f='${Status}\n' libreswan 2>/dev/null | grep -q 'ok installed'; then
	echo "SKIP migrate-from-libreswan: libreswan is not installed here"
	exit 0
fi
for p in /proc/[0-9]*; do [ "$(readlink "$p/root")" = "$root" ] && echo "    still in the root: $(tr '\0' ' ' <"$p/cmdline")"; done
root=$x/root2
mkdir "$x/upper2" "$x/work2" "$root" &&
	mount -t overlay cygnet-install -o "lowerdir=/,upperdir=$x/upper2,workdir=$x/work2" "$root" &&
	mount -t proc proc "$root/proc" && mount -t tmpfs -o mode=0755 cygnet-dev "$root/dev" ||
	fatal migrate-from-libreswan "cannot mount the second overlay"
for n in null zero random urandom; do
	: >"$root/dev/$n" && mount --bind "/dev/$n" "$root/dev/$n"
done
cp "$deb" "$root/tmp/cygnet.deb"
rm -f "$root/var/lib/man-db/auto-update"
mkdir -p "$root/etc/ipsec.d"
printf 'conn from-libreswan\n\tleft=127.0.0.1\n\tright=127.0.0.3\n\tauthby=secret\n\tauto=add\n' \
	>"$root/etc/ipsec.d/site.conf"
o=$(inroot dpkg -r libreswan 2>&1) || why="dpkg -r libreswan failed: $(tail -2 <<<"$o" | tr '\n' ' ')"
[ -z "$why" ] && { o=$(inroot dpkg -i /tmp/cygnet.deb 2>&1 </dev/null) || why="dpkg -i over libreswan's files: $(tail -2 <<<"$o" | tr '\n' ' ')"; }
[ -z "$why" ] && { o=$(inroot ipsec addconn --listadd 2>&1) || why="addconn --listadd: $o"; }
[ -z "$why" ] && ! grep -qw from-libreswan <<<"$o" && why="the conn in /etc/ipsec.d/site.conf is not read: $o"
[ -z "$why" ] && ! grep -q '^include ipsec.d/\*.secrets' "$root/etc/ipsec.secrets" && why="/etc/ipsec.secrets does not include ipsec.d/*.secrets"
result migrate-from-libreswan "$why"
exit 0
