#!/usr/bin/env bash
# shellcheck shell=bash
# testing/pluto/lib/fetch.sh: fetch and unpack the peer implementations and
# the User-Mode Linux kernel into $REPO/build/peers, installing nothing
# system-wide.
#
#   fetch.sh            (or: source it and call fetch_peers)
#
# Why unpacked and not installed: Debian 12's libreswan declares
# Conflicts: strongswan-libcharon, strongswan-starter, so installing charon
# would remove libreswan; and the host kernel has no ESP, so the data path
# runs in a UML guest whose kernel and modules come from user-mode-linux.
#
# Layout it makes (all below build/peers, ignored by git):
#   debs/                      the .debs, from `apt-get download`
#   root/                      every .deb unpacked with `dpkg-deb -x`
#     usr/lib/ipsec/charon     strongSwan's daemon, libcharon, libstrongswan
#     usr/lib/ipsec/plugins/   every plugin of the unpacked packages
#     usr/sbin/swanctl
#     usr/bin/linux.uml        the UML kernel; usr/lib/uml/modules/VERSION
#     bin/kmod, bin/ping
#   modroot/lib/modules/VERSION -> root/usr/lib/uml/modules/VERSION
#                              (kmod's `modprobe -d modroot` wants this)
#   bin/modprobe, bin/lsmod... -> ../root/bin/kmod (kmod dispatches on argv[0])
#   usrlib/ipsec -> root/usr/lib/ipsec  (the top layer of the overlay that
#                              shows charon its plugins: see peers.sh)
#   fetched                    stamp: the package list and versions
#
# Idempotent and quiet when everything is there; a clear message and status
# 1 when apt cannot fetch a package (the runners turn that into SKIP lines).

# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PEER_PKGS="strongswan-charon strongswan-libcharon libcharon-extra-plugins libcharon-extauth-plugins strongswan-starter libstrongswan libstrongswan-standard-plugins strongswan-swanctl user-mode-linux kmod iputils-ping"

# The files the harness uses; all must exist after a fetch.
peers_complete() {
	local f
	for f in root/usr/lib/ipsec/charon root/usr/sbin/swanctl \
		root/usr/lib/ipsec/libstrongswan.so.0 root/usr/lib/ipsec/libcharon.so.0 \
		root/usr/bin/linux.uml bin/modprobe usrlib/ipsec fetched; do
		[ -e "$PEERS/$f" ] || return 1
	done
	[ -n "$(uml_kver)" ] && ping_bin >/dev/null
}

# The UML kernel's version (the name of its modules directory).
uml_kver() {
	local d
	for d in "$PEERS"/root/usr/lib/uml/modules/*/; do
		[ -d "$d" ] && { basename "$d"; return 0; }
	done
	return 1
}

fetch_peers() {
	local p deb log rc=0
	if [ -f "$PEERS/fetched" ] && [ "$(head -1 "$PEERS/fetched")" = "$PEER_PKGS" ] \
		&& peers_complete; then
		return 0
	fi
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		herr "fetch.sh: apt-get and dpkg-deb are needed to fetch the peers"; return 1
	fi
	mkdir -p "$PEERS/debs" || return 1
	log=$PEERS/fetch.log
	: >"$log"
	# one fetch at a time (parallel runs share build/peers)
	exec 9>"$PEERS/.lock"
	flock -w 600 9 || { herr "fetch.sh: build/peers is locked by another fetch"; return 1; }
	(
		cd "$PEERS/debs" || exit 1
		updated=0
		for p in $PEER_PKGS; do
			ls ./"${p}"_*.deb >/dev/null 2>&1 && continue
			echo "fetch.sh: apt-get download $p" >&2
			if ! timeout 300 apt-get download -q "$p" >>"$log" 2>&1; then
				if [ $updated = 0 ]; then
					updated=1
					timeout 300 apt-get update -q >>"$log" 2>&1
					timeout 300 apt-get download -q "$p" >>"$log" 2>&1 && continue
				fi
				echo "fetch.sh: apt-get download $p failed: $(grep -E '^E:' "$log" | tail -1)" >&2
				exit 1
			fi
		done
	) || { flock -u 9; exec 9>&-; return 1; }
	# unpack from scratch so that a newer .deb never mixes with an older tree
	rm -rf "$PEERS/root.new"
	mkdir -p "$PEERS/root.new"
	for deb in "$PEERS"/debs/*.deb; do
		dpkg-deb -x "$deb" "$PEERS/root.new" 2>>"$log" || {
			herr "fetch.sh: dpkg-deb -x $deb failed (see $log)"; rc=1; break; }
	done
	if [ $rc = 0 ]; then
		rm -rf "$PEERS/root" && mv "$PEERS/root.new" "$PEERS/root"
		local kv n
		kv=$(uml_kver) || { herr "fetch.sh: no modules in the user-mode-linux package"; rc=1; }
		if [ $rc = 0 ]; then
			rm -rf "${PEERS:?}/modroot" "${PEERS:?}/bin" "${PEERS:?}/usrlib"
			mkdir -p "$PEERS/modroot/lib/modules" "$PEERS/bin" "$PEERS/usrlib"
			ln -s "$PEERS/root/usr/lib/ipsec" "$PEERS/usrlib/ipsec"
			ln -s "../../../root/usr/lib/uml/modules/$kv" "$PEERS/modroot/lib/modules/$kv"
			for n in modprobe lsmod insmod rmmod modinfo depmod; do
				ln -s ../root/bin/kmod "$PEERS/bin/$n"
			done
			[ -e "$PEERS/root/bin/kmod" ] || ln -sf ../root/usr/bin/kmod "$PEERS/bin/modprobe"
			{
				echo "$PEER_PKGS"
				for deb in "$PEERS"/debs/*.deb; do dpkg-deb -f "$deb" Package Version | sed 's/^[^:]*: //' | paste -sd=; done
			} >"$PEERS/fetched"
			peers_complete || { herr "fetch.sh: unpacked, but files are missing in $PEERS/root"; rc=1; }
		fi
	fi
	flock -u 9; exec 9>&-
	[ $rc = 0 ] && echo "fetch.sh: peers unpacked in $PEERS (UML $(uml_kver))" >&2
	return $rc
}

# run directly: fetch
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	fetch_peers
fi
