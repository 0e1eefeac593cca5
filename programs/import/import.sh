#!/bin/sh
# ipsec import: a PKCS#12 file (certificate, private key, chain) into the
# NSS database pluto uses, as libreswan's `ipsec import` does.
set -u
dir=/var/lib/ipsec/nss
pw=""
havepw=0
file=""
usage() {
	cat <<'TXT'
usage: ipsec import [--nssdir DIR] [--password PW | --empty-password] FILE.p12
Imports the certificate and private key of FILE.p12 (with the CA
certificates it carries) into the NSS database in DIR (default
/var/lib/ipsec/nss). The file's password is PW (--empty-password: none);
without either, pk12util asks on the terminal. The database password comes
from DIR/nsspassword when there is one ("NSS Certificate DB:PW" lines or
a bare password), else it is empty. Trust a CA for peers afterwards with
  certutil -M -d sql:DIR -n NICKNAME -t CT,,
Exit status: 0 imported, 1 pk12util failed, 2 usage.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--nssdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift ;;
	--nssdir=*) dir=${1#--nssdir=} ;;
	--password) [ $# -ge 2 ] || { usage >&2; exit 2; }; pw=$2; havepw=1; shift ;;
	--password=*) pw=${1#--password=}; havepw=1 ;;
	--empty-password) pw=""; havepw=1 ;;
	--help | -h) usage; exit 0 ;;
	-*) echo "ipsec import: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) [ -z "$file" ] || { echo "ipsec import: one FILE.p12 only" >&2; exit 2; }; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || { usage >&2; exit 2; }
[ -r "$file" ] || { echo "ipsec import: cannot read $file" >&2; exit 2; }
command -v pk12util >/dev/null || { echo "ipsec import: pk12util is not installed (apt-get install libnss3-tools)" >&2; exit 2; }
[ -e "$dir/cert9.db" ] || { echo "ipsec import: no NSS database in $dir (create one with ipsec initnss --nssdir $dir)" >&2; exit 2; }
dbpw=""
if [ -r "$dir/nsspassword" ]; then
	dbpw=$(sed -n '1{s/^NSS Certificate DB://;s/^NSS FIPS 140-2 Certificate DB://;p}' "$dir/nsspassword")
fi
# passwords through files: not on the command line other users can see
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$dbpw" >"$tmp/db"
set -- -i "$file" -d "sql:$dir" -k "$tmp/db"
if [ $havepw = 1 ]; then
	printf '%s\n' "$pw" >"$tmp/p12"
	[ -n "$pw" ] && set -- "$@" -w "$tmp/p12" || set -- "$@" -W ""
fi
if ! out=$(pk12util "$@" 2>&1); then
	echo "ipsec import: $file: $(printf '%s' "$out" | tail -1)" >&2
	exit 1
fi
echo "imported $file into $dir"
