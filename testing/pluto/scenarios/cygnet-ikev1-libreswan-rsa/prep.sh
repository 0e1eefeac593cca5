#!/bin/sh
# RSA host keys (the same as cygnet-libreswan-rsa): pluto's in west's NSS database (DIR), libreswan's in
# east's (DIR/nss, made by libreswan's own tools); public keys into both
# configs.
set -e
run=$1
ipsec=$CYGNET_BUILD/ipsec
"$ipsec" initnss --nssdir "$run/west" >/dev/null
"$ipsec" newhostkey --nssdir "$run/west" --bits 2048 >/dev/null
mkdir -p "$run/east/nss"
certutil -N -d "sql:$run/east/nss" --empty-password >/dev/null
/usr/libexec/ipsec/newhostkey --nssdir "$run/east/nss" >/dev/null 2>&1
wk=$("$ipsec" showhostkey --nssdir "$run/west" --left | sed -n 's/^[[:space:]]*leftrsasigkey=//p')
ek=$(/usr/libexec/ipsec/showhostkey --nssdir "$run/east/nss" --right \
	--ckaid "$(/usr/libexec/ipsec/showhostkey --nssdir "$run/east/nss" --list | sed -n 's/.*ckaid: \([0-9a-f]*\).*/\1/p' | head -1)" |
	sed -n 's/^[[:space:]]*rightrsasigkey=//p')
[ -n "$wk" ] && [ -n "$ek" ]
for h in west east; do
	sed -i -e "s|@WESTKEY@|$wk|" -e "s|@EASTKEY@|$ek|" "$run/$h/ipsec.conf"
done
