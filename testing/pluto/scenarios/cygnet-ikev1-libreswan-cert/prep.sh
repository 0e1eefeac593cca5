#!/bin/bash
# the test PKI (lib/pki.sh), made once per run: west's certificate and key
# in pluto's NSS database, east's in libreswan's (DIR/nss)
set -e
. "$(dirname "$(readlink -f "$0")")/../../lib/pki.sh"
pki_make
pki_cygnet "$1/west" west
pki_libreswan "$1/east/nss" east
