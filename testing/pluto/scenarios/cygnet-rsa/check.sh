#!/bin/sh
# west's updown ran for up-client with the Openswan environment
f=$1/west/updown.up-client
[ -f "$f" ] || { echo "updown was not run for up-client"; exit 1; }
for want in PLUTO_VERB=up-client PLUTO_CONNECTION=west-east PLUTO_ME=198.18.0.1 \
	PLUTO_PEER=198.18.0.2 PLUTO_MY_CLIENT=198.51.100.0/24 PLUTO_PEER_CLIENT=203.0.113.0/24 \
	PLUTO_MY_ID=@west PLUTO_PEER_ID=@east PLUTO_INTERFACE=eth0 PLUTO_VERSION=2.0; do
	grep -qx "$want" "$f" || { echo "updown environment lacks $want"; exit 1; }
done
