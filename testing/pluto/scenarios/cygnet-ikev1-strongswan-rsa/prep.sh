#!/bin/sh
# RSA host keys: pluto's in west's NSS database (DIR), strongSwan's made by
# openssl (PKCS#8 in east's private/); each public key in the form the
# other side reads: 0s... raw keys in west's ipsec.conf, PEM files in
# east's pubkey/. Few processes: each start is slow in the UML guest.
set -e
run=$1
ipsec=$CYGNET_BUILD/ipsec
"$ipsec" initnss --nssdir "$run/west" >/dev/null
"$ipsec" newhostkey --nssdir "$run/west" --bits 2048 >/dev/null
mkdir -p "$run/east/private" "$run/east/pubkey"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$run/east/private/east.pem" 2>/dev/null
wk=$("$ipsec" showhostkey --nssdir "$run/west" --left)
wk=${wk##*leftrsasigkey=}
# one run writes both PEM public keys and prints them as 0s..., east's first
# shellcheck disable=SC2046  # two 0s... words (base64: no glob characters)
set -- $("${0%/*}/../../lib/rsa_raw_key.py" write-pem \
	"$run/east/pubkey/east.pub=$run/east/private/east.pem" "$run/east/pubkey/west.pub=$wk")
ek=$1
[ "$2" = "$wk" ] && [ -n "$ek" ]
sed -i -e "s|@WESTKEY@|$wk|" -e "s|@EASTKEY@|$ek|" "$run/west/ipsec.conf"
