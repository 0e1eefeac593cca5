#!/bin/bash
# each side checked the other's ECDSA signature (RFC 7427) over its
# certificate from the root CA. (One grep per log: every process start
# counts under UML.)
w=$(grep -E "the peer's AUTH verifies|the peer's certificate verifies" "$RUN/west/pluto.log")
e=$(grep -E "authentication of .* successful" "$RUN/east/charon.log")
[[ $w =~ the\ peer\'s\ AUTH\ verifies:\ ecdsa-sha2_[0-9]+\ \(auth\ method\ 14\) ]] ||
	{ echo "pluto did not verify an ECDSA signature (RFC 7427): $w"; exit 1; }
[[ $w == *"the peer's certificate verifies (issuer 'CN=Cygnet Test CA"* ]] ||
	{ echo "pluto did not verify east-ec's certificate"; exit 1; }
[[ $e =~ authentication\ of\ \'C=US,\ O=Cygnet\ Test,\ CN=west-ec\'\ with\ ECDSA ]] ||
	{ echo "strongSwan did not authenticate west-ec by ECDSA: $e"; exit 1; }
echo "$w"
echo "$e"
