#!/bin/sh
# ipsec checknss: is pluto's NSS database there and readable? (and make one
# when there is none, as libreswan's checknss does)
set -u
dir=/var/lib/ipsec/nss
usage() {
	cat <<'TXT'
usage: ipsec checknss [--nssdir DIR]
Checks the NSS database in DIR (default /var/lib/ipsec/nss): it can be read
without a password, and how many certificates and keys it holds. Where
there is none, one is created as ipsec initnss does.
Exit status: 0 the database is usable, 1 it is not (the reason is printed),
2 usage or certutil missing.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--nssdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift ;;
	--nssdir=*) dir=${1#--nssdir=} ;;
	--help | -h) usage; exit 0 ;;
	*) echo "ipsec checknss: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
command -v certutil >/dev/null || { echo "ipsec checknss: certutil is not installed (apt-get install libnss3-tools)" >&2; exit 2; }
if [ ! -e "$dir/cert9.db" ]; then
	exec "${IPSEC_EXECDIR:-$(dirname "$0")}/initnss" --nssdir "$dir"
fi
if ! certs=$(certutil -L -d "sql:$dir" </dev/null 2>&1); then
	echo "ipsec checknss: cannot read the NSS database in $dir: $certs" >&2
	exit 1
fi
if ! keys=$(certutil -K -d "sql:$dir" -f /dev/null </dev/null 2>&1); then
	case $keys in
	*"no keys found"*) keys= ;;
	*) echo "ipsec checknss: cannot list the keys in $dir (a password set?): $keys" >&2; exit 1 ;;
	esac
fi
ncert=$(printf '%s\n' "$certs" | tail -n +5 | grep -c '[^[:space:]]')
nkey=$(printf '%s\n' "$keys" | grep -c '^<')
echo "NSS database in $dir: usable, $ncert certificate(s), $nkey key(s)"
