#!/bin/sh
# ipsec verify: the checks an administrator runs before blaming the peer.
set -u
conf=/etc/ipsec.conf secrets=/etc/ipsec.secrets nssdir=/var/lib/ipsec/nss rundir=
usage() {
	cat <<'TXT'
usage: ipsec verify [--config FILE] [--secretsfile FILE] [--nssdir DIR]
                    [--rundir DIR]
Checks, one line each, [OK], [WARNING] or [FAILED] and why:
  the configuration (ipsec addconn --checkconfig: errors name FILE:LINE),
  ipsec.secrets (there, a regular file, not readable by others),
  the NSS database (ipsec checknss, without creating one),
  pluto (answering on its control socket),
  the kernel (XFRM, the IPsec policy interface),
  IP forwarding (needed by gateways with subnets behind them) and reverse
  path filtering (strict mode drops decrypted packets).
Exit status: 0 no FAILED line, 1 one or more, 2 usage.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--config) conf=${2:?}; shift ;;
	--secretsfile) secrets=${2:?}; shift ;;
	--nssdir) nssdir=${2:?}; shift ;;
	--rundir) rundir=${2:?}; shift ;;
	--help | -h) usage; exit 0 ;;
	*) echo "ipsec verify: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
execdir=${IPSEC_EXECDIR:-$(dirname "$0")}
failed=0
line() {  # OK|WARNING|FAILED WHAT [WHY]
	printf '%-52s [%s]%s\n' "$2" "$1" "${3:+ $3}"
	[ "$1" = FAILED ] && failed=1
	return 0
}

if out=$("$execdir/addconn" --config "$conf" --checkconfig 2>&1); then
	line OK "configuration $conf"
else
	line FAILED "configuration $conf" "$(printf '%s\n' "$out" | grep -m1 'error' || printf '%s\n' "$out" | head -1)"
fi

if [ ! -e "$secrets" ]; then
	line WARNING "secrets $secrets" "missing: no PSK or RSA key can be used"
elif [ ! -f "$secrets" ]; then
	line FAILED "secrets $secrets" "not a regular file"
elif [ -n "$(find "$secrets" -perm /077 2>/dev/null)" ]; then
	line FAILED "secrets $secrets" "readable by others (mode $(stat -c %a "$secrets")): chmod 600"
else
	line OK "secrets $secrets"
fi

if [ ! -e "$nssdir/cert9.db" ]; then
	line WARNING "NSS database $nssdir" "none (ipsec initnss makes one; RSA keys need it)"
elif out=$("$execdir/checknss" --nssdir "$nssdir" 2>&1); then
	line OK "NSS database $nssdir" "${out#*: }"
else
	line FAILED "NSS database $nssdir" "$out"
fi

set -- --ping
[ -n "$rundir" ] && set -- --rundir "$rundir" --ping
if out=$("$execdir/whack" "$@" 2>&1); then
	line OK "pluto" "answering"
else
	line FAILED "pluto" "$(printf '%s\n' "$out" | head -1)"
fi

if ip xfrm policy count >/dev/null 2>&1 || ip xfrm state >/dev/null 2>&1; then
	line OK "kernel: XFRM"
else
	line FAILED "kernel: XFRM" "'ip xfrm state' fails: no XFRM in this kernel, or no iproute2"
fi

fwd=$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || echo ?)
if [ "$fwd" = 1 ]; then
	line OK "IPv4 forwarding"
else
	line WARNING "IPv4 forwarding" "off (net.ipv4.ip_forward=$fwd): a gateway for subnets needs it"
fi
rp=$(cat /proc/sys/net/ipv4/conf/all/rp_filter 2>/dev/null || echo 0)
if [ "$rp" = 1 ]; then
	line WARNING "reverse path filter" "strict (net.ipv4.conf.all.rp_filter=1) may drop decrypted packets; 0 or 2"
else
	line OK "reverse path filter"
fi
exit $failed
