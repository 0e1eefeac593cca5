#!/bin/bash
# both sides verified the other's certificate to the test root CA, each
# naming the other by its DN
grep -q "the peer's certificate verifies (issuer 'CN=Cygnet Test CA" "$RUN/west/pluto.log" ||
	{ echo "pluto did not verify libreswan's certificate"; exit 1; }
grep -qE "authenticated peer .* certificate 'C=US, O=Cygnet Test, CN=west' issued by CA 'C=US, O=Cygnet Test, CN=Cygnet Test CA'" "$RUN/east/pluto.log" ||
	{ echo "libreswan did not authenticate west's certificate"; exit 1; }
