#!/bin/bash
# testing/pluto/uml/init.sh: PID 1 inside the UML guest booted by run.sh.
#
# The root file system is the host's / through hostfs, read-only. This script
# mounts the guest's own /proc, /sys, /tmp, /run, /dev/shm and /dev/pts, the
# repository and build/ read-write (hostfs), points kernel.modprobe at a
# wrapper around the unpacked kmod and modules, loads the ESP/XFRM modules,
# warms the crypto templates up, runs the job under a time limit, writes its
# exit status to UMLRC and powers the guest off. The guest has no network
# device except lo.
#
# From the kernel command line (set by run.sh): UMLREPO UMLBUILD UMLPEERS
# UMLJOB UMLRC UMLTIMEOUT.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
say() { echo "uml-init: $*"; }

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
	exit 0   # PID 1 exiting panics the guest kernel, which also stops it
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t tmpfs -o mode=755 run /run
mkdir -p /dev/pts /dev/shm /run/netns /run/lock
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 shm /dev/shm
ip link set lo up
hostname uml 2>/dev/null

rc=99
say "boot $(cut -d" " -f1 /proc/uptime)s"
# (a tree below /tmp, /run or /dev/shm is hidden by the guest's tmpfs: its
# mount point is made there first)
for d in "$UMLREPO" "$UMLBUILD"; do
	[ -n "$d" ] || continue
	mountpoint -q "$d" && continue
	[ -d "$d" ] || mkdir -p "$d"
	mount -t hostfs -o "$d" hostfs "$d" || { say "cannot mount $d read-write"; }
done

# Load the XFRM/ESP modules and the crypto templates with one modprobe run
# (every process start is slow under UML's ptrace).
MP=/run/cygnet-modprobe
printf '#!/bin/sh\nexec %q -d %q "$@"\n' "$UMLPEERS/bin/modprobe" "$UMLPEERS/modroot" >"$MP"
chmod 755 "$MP"
MODS="xfrm_user xfrm_algo esp4 ah4 ipcomp xfrm4_tunnel tunnel4 xfrm_ipcomp
authenc echainiv seqiv gcm ccm ghash-generic ctr cbc hmac sha1_generic
sha256_generic sha512_generic des_generic chacha20poly1305 poly1305_generic
chacha_generic authencesn xcbc cmac drbg rng
veth dummy bridge overlay"
# shellcheck disable=SC2086  # one word per module
"$MP" -a $MODS >/run/modprobe.log 2>&1 || { say "modprobe:"; cat /run/modprobe.log; }
# NAT for the router namespace of TOPOLOGY=nat (lib/netns.sh): iptables-nft
# needs nft chains of type nat, which this kernel may lack, so the legacy
# tables too; -q: whichever the package has
NATMODS="nf_conntrack nf_nat nf_defrag_ipv4 x_tables ip_tables iptable_nat
iptable_filter xt_MASQUERADE xt_nat xt_tcpudp xt_conntrack nf_tables nft_compat
nft_chain_nat nft_masq nf_conntrack_netlink"
# shellcheck disable=SC2086
"$MP" -a -q $NATMODS >>/run/modprobe.log 2>&1

# Warm-up: instantiate the usual ESP transforms once, in a scratch
# namespace. Crypto instances are global; without this the first SA install
# in a test asks for them one by one (about a second under UML) and the IKE
# peer retransmits meanwhile. The templates are loaded already, so the
# kernel's module requests are switched off meanwhile (each one would start
# a process); kernel.modprobe points at the wrapper again afterwards, for
# whatever a test needs beyond this list.
echo "" >/proc/sys/kernel/modprobe
k16=00112233445566778899aabbccddeeff
k32=$k16$k16
spi=256
{
	for a in "hmac(md5) 0x$k16 96" "hmac(sha1) 0x${k16}00112233 96" \
		"hmac(sha256) 0x$k32 128" "hmac(sha384) 0x$k32$k16 192" "hmac(sha512) 0x$k32$k32 256"; do
		for e in "cbc(aes) 0x$k16" "cbc(aes) 0x$k32" "cbc(des3_ede) 0x${k16}0011223344556677"; do
			spi=$((spi + 1))
			echo "xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi $spi mode tunnel enc $e auth-trunc $a"
		done
	done
	for k in "0x${k16}01020304" "0x${k32}01020304"; do
		spi=$((spi + 1))
		echo "xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi $spi mode tunnel aead rfc4106(gcm(aes)) $k 128"
	done
} >/run/warmup.batch
ip netns add uml-warmup
ip -n uml-warmup -force -batch /run/warmup.batch >/run/warmup.log 2>&1 || { say "crypto warm-up:"; cat /run/warmup.log; }
ip netns del uml-warmup
echo "$MP" >/proc/sys/kernel/modprobe

say "modules+warm-up done $(cut -d" " -f1 /proc/uptime)s"
if [ -n "${UMLJOB:-}" ] && [ -x "$UMLJOB" ]; then
	say "$(uname -r): running the job"
	timeout -k 5 "${UMLTIMEOUT:-240}" "$UMLJOB" </dev/null
	rc=$?
	[ $rc = 124 ] && say "the job timed out after ${UMLTIMEOUT:-240} s"
else
	say "no job (UMLJOB=${UMLJOB:-})"
fi
say "job exit status $rc"
[ -n "${UMLRC:-}" ] && echo "$rc" >"$UMLRC"
poweroff_now
