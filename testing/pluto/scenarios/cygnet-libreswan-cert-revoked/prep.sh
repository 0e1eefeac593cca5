#!/bin/bash
# the test PKI (lib/pki.sh), made once per run: west's certificate and
# the CA's CRL (east-revoked on it) in pluto's NSS database, east-revoked's
# certificate in libreswan's (DIR/nss)
set -e
. "$(dirname "$(readlink -f "$0")")/../../lib/pki.sh"
pki_make
pki_cygnet "$1/west" west
"$CYGNET_BUILD/ipsec" import --nssdir "$1/west" "$PKI/ca.crl" </dev/null >/dev/null
pki_libreswan "$1/east/nss" east-revoked
