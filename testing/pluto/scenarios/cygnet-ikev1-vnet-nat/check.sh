#!/bin/bash
# east took west's subnet (vnet:%priv within virtual_private=) as its
# Child SA's remote side, with west seen through the NAT
grep -q "established Child SA (IKEv1 Quick Mode) tunnel 203.0.113.0/24===198.51.100.0/24" "$RUN/east/pluto.log" ||
	{ echo "east's Child SA is not 203.0.113.0/24===198.51.100.0/24: $(grep -m1 'Child SA\|INVALID-ID' "$RUN/east/pluto.log")"; exit 1; }
grep -m1 "established Child SA" "$RUN/east/pluto.log"
