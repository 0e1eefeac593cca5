#!/bin/sh
# RSA host keys for both hosts in their NSS databases, public keys into
# both configs.
set -e
run=$1
ipsec=$CYGNET_BUILD/ipsec
"$ipsec" initnss --nssdir "$run/west" >/dev/null
"$ipsec" initnss --nssdir "$run/east" >/dev/null
"$ipsec" newhostkey --nssdir "$run/west" --bits 2048 >/dev/null
"$ipsec" newhostkey --nssdir "$run/east" --bits 2048 >/dev/null
wk=$("$ipsec" showhostkey --nssdir "$run/west" --left | sed -n 's/^[[:space:]]*leftrsasigkey=//p')
ek=$("$ipsec" showhostkey --nssdir "$run/east" --right | sed -n 's/^[[:space:]]*rightrsasigkey=//p')
[ -n "$wk" ] && [ -n "$ek" ]
for h in west east; do
	sed -i -e "s|@WESTKEY@|$wk|" -e "s|@EASTKEY@|$ek|" -e "s|@DIR@|$run/$h|" "$run/$h/ipsec.conf"
done
