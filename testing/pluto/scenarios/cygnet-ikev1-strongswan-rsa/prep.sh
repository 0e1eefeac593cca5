#!/bin/sh
# RSA host keys: pluto's in west's NSS database (DIR), strongSwan's made by
# openssl (PKCS#8 in east's private/); each public key into the other side's
# form: 0s... raw keys in west's ipsec.conf, PEM files in east's pubkey/
set -e
run=$1
ipsec=$CYGNET_BUILD/ipsec
conv=$(dirname "$0")/../../lib/rsa_raw_key.py
"$ipsec" initnss --nssdir "$run/west" >/dev/null
"$ipsec" newhostkey --nssdir "$run/west" --bits 2048 >/dev/null
mkdir -p "$run/east/private" "$run/east/pubkey"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$run/east/private/east.pem" 2>/dev/null
openssl pkey -in "$run/east/private/east.pem" -pubout -out "$run/east/pubkey/east.pub"
wk=$("$ipsec" showhostkey --nssdir "$run/west" --left | sed -n 's/^[[:space:]]*leftrsasigkey=//p')
ek=$("$conv" to-raw "$run/east/pubkey/east.pub")
[ -n "$wk" ] && [ -n "$ek" ]
"$conv" to-pem "$wk" >"$run/east/pubkey/west.pub"
sed -i -e "s|@WESTKEY@|$wk|" -e "s|@EASTKEY@|$ek|" "$run/west/ipsec.conf"
