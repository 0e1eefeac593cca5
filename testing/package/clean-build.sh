#!/usr/bin/env bash
# testing/package/clean-build.sh: does debian/control name everything the
# build needs? A throwaway Debian 12 root with only the buildd set
# (mmdebstrap --variant=buildd: essential + build-essential), then, in
# it, `apt-get build-dep` of this tree's packaging/debian and
# `dpkg-buildpackage -b -us -uc`. A package the build needs but
# Build-Depends forgot fails the build there (this machine has it anyway).
# About 2 minutes and ~600 MB, from the apt archive of
# /etc/apt/sources.list.d/debian.sources: not part of make check
# (CYGNET_CLEAN_BUILD=1 testing/run adds it, or run it alone).
# One line: PASS package-clean-build | FAIL package-clean-build: WHY.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
result() { if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi; }
command -v mmdebstrap >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap \
		>/tmp/cygnet-apt.log 2>&1 </dev/null ||
	{ result package-clean-build "cannot install mmdebstrap (see /tmp/cygnet-apt.log)"; exit 0; }
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
x=$(mktemp -d /tmp/cygnet-clean-build.XXXXXX)
trap 'rm -rf "$x"' EXIT
# the tree with debian/ at its top, as make-deb builds it
bash "$top/packaging/make-deb" --source-only "$x" ||
	{ result package-clean-build "packaging/make-deb --source-only failed"; exit 0; }
start=$(date +%s)
# the hooks run in the new root with /proc and /dev mounted (root mode);
# build-dep from the source directory reads its debian/control
if ! mmdebstrap --mode=root --variant=buildd \
	--customize-hook='cp -a '"$x"'/src "$1/src"' \
	--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q /src' \
	--customize-hook='chroot "$1" sh -c "cd /src && dpkg-buildpackage -b -us -uc -j$(nproc)" >"$1/build.log" 2>&1 || { tail -20 "$1/build.log"; exit 1; }' \
	--customize-hook='ls "$1"/cygnet_*.deb >"'"$x"'/debs"' \
	bookworm "$x/root" "deb $mirror bookworm main" </dev/null >"$x/mm.log" 2>&1; then
	grep -v '^I: \|^W: ' "$x/mm.log" | tail -8 >&2
	result package-clean-build "the build in a root with only build-essential and Build-Depends failed (the lines above)"
	exit 0
fi
debs=$(sed 's|.*/||' "$x/debs" 2>/dev/null)
[ -n "$debs" ] || { result package-clean-build "dpkg-buildpackage made no .deb"; exit 0; }
echo "    built $debs in a root with only build-essential and Build-Depends ($(($(date +%s) - start)) s)"
result package-clean-build ""
