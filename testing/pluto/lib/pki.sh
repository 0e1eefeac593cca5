# shellcheck shell=bash
# testing/pluto/lib/pki.sh: the test PKI of the certificate scenarios
# (sourced by their prep.sh). Made with openssl by the test run itself (no
# key is committed), once, and shared by the scenarios of that run:
#
#   PKI=$CYGNET_BUILD/testing/pki       (made again when older than an hour,
#                                        so a test run never sees keys older
#                                        than itself by much)
#     ca.pem              root CA "C=US, O=Cygnet Test, CN=Cygnet Test CA"
#     mid1.pem mid2.pem   intermediate CAs: ca -> mid1 -> mid2
#     NAME.pem NAME.key   end certificates and their keys (PKCS#8 PEM)
#     NAME.p12            certificate, key and chain (password cygnet-p12),
#                         friendly name NAME (the NSS nickname)
#   the end certificates ("C=US, O=Cygnet Test, CN=NAME", SAN DNS:NAME.example):
#     west east           issued by ca
#     west-big east-big   issued by mid2, with 60 more SAN DNS names (a
#                         subjectAltName of ~2.4 kB): ee + mid2 + mid1 make
#                         an IKE_AUTH of ~5 kB, which must go in fragments
#     west-ec east-ec     ECDSA P-256 keys, issued by ca
#     east-revoked        issued by ca, then revoked:
#     ca.crl              the root CA's CRL (PEM), listing east-revoked
#
# Functions:
#   pki_make                      make the PKI unless a fresh one is there
#   pki_cygnet DIR NAME...        ipsec initnss on DIR (pluto's --nssdir),
#                                 NAME's .p12 imported, ca trusted (CT)
#   pki_libreswan DIR NAME        the same for a libreswan NSS database DIR
#   pki_strongswan DIR NAME       NAME's cert and key, ca and the mids in the
#                                 swanctl directories of DIR
PKI=${PKI:-${CYGNET_BUILD:?}/testing/pki}
PKI_PW=cygnet-p12
PKI_DN_BASE='/C=US/O=Cygnet Test'

# _pki_issue NAME SIGNER EXT [SAN-MORE]: key and certificate of NAME
_pki_issue() {
	local name=$1 signer=$2 ext=$3 san=${4:-} cn=$1 ca_args
	[ "$name" = ca ] && cn='Cygnet Test CA'
	case $name in mid*) cn="Cygnet ${name^} CA" ;; esac
	local alg=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) usage=digitalSignature,keyEncipherment
	case $name in *-ec) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) usage=digitalSignature ;; esac
	openssl genpkey "${alg[@]}" -out "$PKI/$name.key" 2>/dev/null || return 1
	{
		printf '[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n'
		printf 'subjectKeyIdentifier=hash\n'
		printf '[ee]\nbasicConstraints=CA:false\nkeyUsage=critical,%s\n' "$usage"
		printf 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n'
		printf 'subjectAltName=DNS:%s.example%s\n' "$name" "$san"
	} >"$PKI/$name.ext"
	if [ "$signer" = self ]; then
		ca_args=(-signkey "$PKI/$name.key")
	else
		ca_args=(-CA "$PKI/$signer.pem" -CAkey "$PKI/$signer.key" -set_serial "0x$(openssl rand -hex 8)")
	fi
	openssl req -new -key "$PKI/$name.key" -subj "$PKI_DN_BASE/CN=$cn" 2>/dev/null |
		openssl x509 -req -days 30 "${ca_args[@]}" -extfile "$PKI/$name.ext" -extensions "$ext" \
			-out "$PKI/$name.pem" 2>/dev/null
}

pki_make() {
	local stamp=$PKI/done n san=''
	# (a PKI of an older pki.sh, without the CRL, is made again too)
	if [ -f "$stamp" ] && [ -f "$PKI/ca.crl" ] && [ -z "$(find "$stamp" -mmin +60)" ]; then return 0; fi
	rm -rf "$PKI"
	mkdir -p "$PKI" || return 1
	_pki_issue ca self ca && _pki_issue mid1 ca ca && _pki_issue mid2 mid1 ca || return 1
	for ((n = 0; n < 60; n++)); do san+=",DNS:host-$n.big-extension.cygnet-test.example"; done
	for n in west:ca east:ca west-big:mid2 east-big:mid2 west-ec:ca east-ec:ca east-revoked:ca; do
		# the chain rides along: NSS then has the intermediates to send
		if [ "${n#*:}" = ca ]; then
			_pki_issue "${n%:*}" ca ee && cp "$PKI/ca.pem" "$PKI/${n%:*}.chain" || return 1
		else
			_pki_issue "${n%:*}" mid2 ee "$san" || return 1
			cat "$PKI/mid2.pem" "$PKI/mid1.pem" "$PKI/ca.pem" >"$PKI/${n%:*}.chain"
		fi
		openssl pkcs12 -export -in "$PKI/${n%:*}.pem" -inkey "$PKI/${n%:*}.key" \
			-certfile "$PKI/${n%:*}.chain" -name "${n%:*}" -passout "pass:$PKI_PW" \
			-out "$PKI/${n%:*}.p12" || return 1
	done
	_pki_crl || return 1
	: >"$stamp"
}

# _pki_crl: ca.crl, the root CA's CRL with east-revoked on it (openssl ca
# with a database of its own under PKI/ca-db)
_pki_crl() {
	local d=$PKI/ca-db
	mkdir -p "$d" && : >"$d/index.txt" && echo 01 >"$d/crlnumber" || return 1
	printf '[ca]\ndefault_ca=test\n[test]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\n' "$d" "$d" >"$d/ca.cnf"
	printf 'certificate=%s/ca.pem\nprivate_key=%s/ca.key\ndefault_md=sha256\ndefault_crl_days=7\n' \
		"$PKI" "$PKI" >>"$d/ca.cnf"
	openssl ca -config "$d/ca.cnf" -revoke "$PKI/east-revoked.pem" >/dev/null 2>&1 &&
		openssl ca -config "$d/ca.cnf" -gencrl -out "$PKI/ca.crl" >/dev/null 2>&1
}

pki_cygnet() {
	local d=$1 n
	shift
	"$CYGNET_BUILD/ipsec" initnss --nssdir "$d" >/dev/null || return 1
	# the root first, trusted: the import then finds it there
	certutil -A -d "sql:$d" -n ca -t 'CT,,' -i "$PKI/ca.pem" || return 1
	for n; do
		"$CYGNET_BUILD/ipsec" import --nssdir "$d" --password "$PKI_PW" "$PKI/$n.p12" >/dev/null || return 1
	done
}

pki_libreswan() {
	local d=$1
	mkdir -p "$d"
	certutil -N -d "sql:$d" --empty-password || return 1
	certutil -A -d "sql:$d" -n ca -t 'CT,,' -i "$PKI/ca.pem" || return 1
	pk12util -i "$PKI/$2.p12" -d "sql:$d" -W "$PKI_PW" -K '' >/dev/null
}

pki_strongswan() {
	local d=$1 n=$2
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	cp "$PKI/$n.pem" "$d/x509/" && cp "$PKI/$n.key" "$d/private/" &&
		cp "$PKI/ca.pem" "$PKI/mid1.pem" "$PKI/mid2.pem" "$d/x509ca/"
}
