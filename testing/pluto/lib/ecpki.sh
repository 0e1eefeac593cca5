# shellcheck shell=bash
# testing/pluto/lib/ecpki.sh: the test PKI of host-ecdsa.sh and
# host-ikev1-cert.sh (sourced after host-pluto.sh): an ECDSA P-384 CA
# issuing west (P-256), east (P-384), west521 (P-521), east-rsa and
# west-rsa (RSA 2048), made with certutil in $WORK/pki; each host's NSS
# database; conns with certificates.

PKI=$WORK/pki
P12PW=cygnet-p12
EAST_DN='CN=east, O=Cygnet EC, C=US'

# make_pki: the CA and the host certificates, once per run (all
# non-interactive: empty database password, answers to certutil -2 given)
make_pki() {
	mkdir -p "$PKI/db" || return 1
	head -c 64 /dev/urandom >"$PKI/noise"
	certutil -N -d "sql:$PKI/db" --empty-password </dev/null || return 1
	printf 'y\n\ny\n' | certutil -S -d "sql:$PKI/db" -n ca -s 'CN=Cygnet EC CA, O=Cygnet EC, C=US' -x \
		-t 'CT,,' -k ec -q secp384r1 -z "$PKI/noise" -m 1 -v 12 -2 \
		--keyUsage certSigning,crlSigning >/dev/null 2>&1 || return 1
	certutil -L -d "sql:$PKI/db" -n ca -a >"$PKI/ca.pem" </dev/null || return 1
	# NICK|SUBJECT|KEY
	local c nick subj key serial=1
	for c in "west|CN=west, O=Cygnet EC, C=US|-k ec -q secp256r1" \
		"east|$EAST_DN|-k ec -q secp384r1" \
		"west521|CN=west521, O=Cygnet EC, C=US|-k ec -q secp521r1" \
		"east-rsa|CN=east-rsa, O=Cygnet EC, C=US|-k rsa -g 2048" \
		"west-rsa|CN=west-rsa, O=Cygnet EC, C=US|-k rsa -g 2048"; do
		IFS='|' read -r nick subj key <<<"$c"
		# shellcheck disable=SC2086
		certutil -S -d "sql:$PKI/db" -n "$nick" -s "$subj" -c ca -t ',,' $key -z "$PKI/noise" \
			-m $((++serial)) -v 12 --keyUsage digitalSignature </dev/null >/dev/null 2>&1 || return 1
		pk12util -o "$PKI/$nick.p12" -n "$nick" -d "sql:$PKI/db" -W "$P12PW" </dev/null >/dev/null 2>&1 ||
			return 1
		certutil -L -d "sql:$PKI/db" -n "$nick" -a >"$PKI/$nick.pem" </dev/null || return 1
	done
}

# host_db HOST NICK...: a fresh database for HOST trusting the CA, with
# the certificates and keys of NICKs
host_db() {
	local h=$1 d n
	shift
	d=$(host_dir "$h")
	mkdir -p "$d"
	"$IPSEC" initnss --nssdir "$d" >/dev/null </dev/null || return 1
	certutil -A -d "sql:$d" -n ca -t 'CT,,' -i "$PKI/ca.pem" </dev/null || return 1
	for n in "$@"; do
		"$IPSEC" import --nssdir "$d" --password "$P12PW" "$PKI/$n.p12" </dev/null >/dev/null || return 1
	done
}

# ec_conf AUTHBY LEFT-KEYS RIGHT-KEYS: a west-east conn (ikev2=insist
# unless the keys say); keys ';'-separated
ec_conf() {
	printf 'version 2\n\nconn west-east\n\tleft=198.18.0.1\n\tleftsubnet=198.51.100.0/24\n'
	printf '\tright=198.18.0.2\n\trightsubnet=203.0.113.0/24\n\tleftupdown=%%disabled\n'
	printf '\trightupdown=%%disabled\n\tauto=add\n\tauthby=%s\n' "$1"
	case "$2;$3" in *ikev2=*) ;; *) printf '\tikev2=insist\n' ;; esac
	local kv k
	IFS=';' read -ra kv <<<"$2;$3"
	for k in "${kv[@]}"; do
		case $k in
		'') ;;
		*' '*) printf '\t%s="%s"\n' "${k%%=*}" "${k#*=}" ;;
		*) printf '\t%s\n' "$k" ;;
		esac
	done
}


