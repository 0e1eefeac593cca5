#!/bin/bash
# pluto refused east's certificate because the CA's CRL lists it
grep -q "east-revoked.*revoked\|revoked.*east-revoked" "$RUN/west/pluto.log" ||
	{ echo "pluto's log does not say east-revoked's certificate is revoked: $(grep -m1 -i 'certificate\|AUTHENTICATION' "$RUN/west/pluto.log")"; exit 1; }
grep -m1 "revoked" "$RUN/west/pluto.log"
