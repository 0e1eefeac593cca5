#!/bin/sh
# ipsec initnss: create the NSS database pluto keeps its keys in.
set -u
dir=/var/lib/ipsec/nss
usage() {
	cat <<'TXT'
usage: ipsec initnss [--nssdir DIR]
Creates an empty NSS database (cert9.db, key4.db) with an empty password in
DIR (default /var/lib/ipsec/nss; pluto --nssdir and ipsec newhostkey --nssdir use
the same), mode 0700. A directory that already has a database is left as
it is (exit 1): ipsec checknss checks one.
Exit status: 0 created, 1 there is one already, 2 usage or certutil failed.
TXT
}
while [ $# -gt 0 ]; do
	case $1 in
	--nssdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift ;;
	--nssdir=*) dir=${1#--nssdir=} ;;
	--help | -h) usage; exit 0 ;;
	*) echo "ipsec initnss: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
command -v certutil >/dev/null || { echo "ipsec initnss: certutil is not installed (apt-get install libnss3-tools)" >&2; exit 2; }
if [ -e "$dir/cert9.db" ]; then
	echo "ipsec initnss: $dir already has an NSS database (cert9.db); ipsec checknss checks it" >&2
	exit 1
fi
mkdir -p "$dir" && chmod 0700 "$dir" || { echo "ipsec initnss: cannot create $dir" >&2; exit 2; }
if ! out=$(certutil -N -d "sql:$dir" --empty-password </dev/null 2>&1); then
	echo "ipsec initnss: certutil -N failed in $dir: $out" >&2
	exit 2
fi
echo "created an NSS database in $dir (empty password)"
