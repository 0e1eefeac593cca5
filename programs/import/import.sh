#!/bin/sh
# ipsec import: a PKCS#12 file (certificate, private key, chain) into the
# NSS database pluto uses, as libreswan's `ipsec import` does; or a CRL
# (what crlutil -I does, which libreswan admins use for it).
set -u
dir=/var/lib/ipsec/nss
pw=""
havepw=0
crl=0
file=""
usage() {
	cat <<'TXT'
usage: ipsec import [--nssdir DIR] [--password PW | --empty-password] FILE.p12
       ipsec import [--nssdir DIR] [--crl] FILE.crl
Imports the certificate and private key of FILE.p12 (with the CA
certificates it carries) into the NSS database in DIR (default
/var/lib/ipsec/nss). The file's password is PW (--empty-password: none);
without either, pk12util asks on the terminal. The database password comes
from DIR/nsspassword when there is one ("NSS Certificate DB:PW" lines or
a bare password), else it is empty. Trust a CA for peers afterwards with
  certutil -M -d sql:DIR -n NICKNAME -t CT,,

A certificate revocation list (FILE.crl, or --crl, or a file that starts
"-----BEGIN X509 CRL-----" or "-----BEGIN CRL-----"; DER or PEM) is
imported as `crlutil -I` does: its signature must verify with its issuer's
certificate, which must be in the database already; a newer CRL of the
same issuer replaces the older. pluto checks peer certificates against the
CRLs of the database (config setup strictcrlpolicy=yes: also refuses an
issuer without a current CRL). Tell a running pluto with `ipsec crls`
(whack --rereadcrls) right after the import: until it (or the next
crlcheckinterval= reread) NSS may see no CRL of that issuer at all.
`ipsec whack --listall` lists the CRLs pluto uses.
Exit status: 0 imported, 1 pk12util or crlutil failed, 2 usage.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--nssdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift ;;
	--nssdir=*) dir=${1#--nssdir=} ;;
	--password) [ $# -ge 2 ] || { usage >&2; exit 2; }; pw=$2; havepw=1; shift ;;
	--password=*) pw=${1#--password=}; havepw=1 ;;
	--empty-password) pw=""; havepw=1 ;;
	--crl) crl=1 ;;
	--help | -h) usage; exit 0 ;;
	-*) echo "ipsec import: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) [ -z "$file" ] || { echo "ipsec import: one FILE.p12 only" >&2; exit 2; }; file=$1 ;;
	esac
	shift
done
[ -n "$file" ] || { usage >&2; exit 2; }
[ -r "$file" ] || { echo "ipsec import: cannot read $file" >&2; exit 2; }
case $file in *.crl | *.CRL) crl=1 ;; esac
pem=0
case $(head -c 30 "$file" | tr -d '\0') in
"-----BEGIN X509 CRL-----"* | "-----BEGIN CRL-----"*) crl=1 pem=1 ;;
"-----BEGIN "*) pem=1 ;;
esac
if [ $crl = 1 ]; then
	command -v crlutil >/dev/null || { echo "ipsec import: crlutil is not installed (apt-get install libnss3-tools)" >&2; exit 2; }
	[ -e "$dir/cert9.db" ] || { echo "ipsec import: no NSS database in $dir (create one with ipsec initnss --nssdir $dir)" >&2; exit 2; }
	tmp=$(mktemp -d) || exit 2
	trap 'rm -rf "$tmp"' EXIT
	in=$file
	if [ $pem = 1 ]; then
		# crlutil -a wants its own header: take the base64 between any
		# BEGIN/END lines and decode it here
		sed -n '/^-----BEGIN/,/^-----END/{/^-----/d;p;}' "$file" | tr -d '\r' | base64 -d >"$tmp/crl.der" 2>/dev/null ||
			{ echo "ipsec import: $file: not a PEM CRL" >&2; exit 1; }
		in=$tmp/crl.der
	fi
	pwf=""
	[ -r "$dir/nsspassword" ] && pwf="$dir/nsspassword"
	if ! out=$(crlutil -I -i "$in" -d "sql:$dir" ${pwf:+-f "$pwf"} </dev/null 2>&1); then
		echo "ipsec import: $file: $(printf '%s' "$out" | tail -1)" >&2
		exit 1
	fi
	echo "imported the CRL $file into $dir (a running pluto: ipsec crls)"
	exit 0
fi
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
