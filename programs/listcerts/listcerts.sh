#!/bin/sh
# ipsec listcerts: the certificates of the NSS database pluto uses.
set -u
dir=/var/lib/ipsec/nss
usage() {
	cat <<'TXT'
usage: ipsec listcerts [--nssdir DIR]
Lists the certificates in the NSS database in DIR (default
/var/lib/ipsec/nss), one a line: nickname, what it is (a CA trusted for
peers, "CT"; a certificate with its private key, "key"), subject and
expiry. leftcert= takes the nickname; rightca= a CA's subject.
whack --listall shows what the running pluto sees.
Exit status: 0 listed, 2 usage or no database.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--nssdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift ;;
	--nssdir=*) dir=${1#--nssdir=} ;;
	--help | -h) usage; exit 0 ;;
	*) echo "ipsec listcerts: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
command -v certutil >/dev/null || { echo "ipsec listcerts: certutil is not installed (apt-get install libnss3-tools)" >&2; exit 2; }
[ -e "$dir/cert9.db" ] || { echo "ipsec listcerts: no NSS database in $dir" >&2; exit 2; }
db="sql:$dir"
pwf=""
[ -r "$dir/nsspassword" ] && pwf="$dir/nsspassword"
keys=$(certutil -K -d "$db" ${pwf:+-f "$pwf"} </dev/null 2>/dev/null | sed -n 's/^<[^>]*> *[a-z]* *[0-9a-f]* *//p')
certutil -L -d "$db" </dev/null 2>/dev/null | sed '1,4d' | while IFS= read -r line; do
	[ -n "$line" ] || continue
	trust=$(printf '%s\n' "$line" | awk '{print $NF}')
	nick=$(printf '%s\n' "$line" | sed 's/[[:space:]]*[^[:space:]]*$//')
	what=""
	case $trust in C*) what="CA" ;; esac
	printf '%s\n' "$keys" | grep -qxF "$nick" && what="${what:+$what,}key"
	info=$(certutil -L -d "$db" -n "$nick" </dev/null 2>/dev/null)
	subj=$(printf '%s\n' "$info" | sed -n 's/^ *Subject: "\(.*\)"$/\1/p' | head -1)
	until=$(printf '%s\n' "$info" | sed -n 's/^ *Not After *: *//p' | head -1)
	printf '%s  [%s] trust %s  subject "%s"  until %s\n' "$nick" "${what:-cert}" "$trust" "$subj" "$until"
done
