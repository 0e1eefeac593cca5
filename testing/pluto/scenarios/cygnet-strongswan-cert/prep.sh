#!/bin/bash
# the test PKI (lib/pki.sh), made once per run: west-big's certificate,
# key and chain in pluto's NSS database, east-big's for strongSwan
set -e
. "$(dirname "$(readlink -f "$0")")/../../lib/pki.sh"
pki_make
pki_cygnet "$1/west" west-big
pki_strongswan "$1/east" east-big
