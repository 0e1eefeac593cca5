#!/bin/bash
# the test PKI (lib/pki.sh), made once per run: west-ec's ECDSA
# certificate and key in pluto's NSS database, east-ec's for strongSwan
set -e
. "$(dirname "$(readlink -f "$0")")/../../lib/pki.sh"
pki_make
pki_cygnet "$1/west" west-ec
pki_strongswan "$1/east" east-ec
