#!/bin/bash
# IKE_AUTH went in fragments both ways: pluto sent its IKE_AUTH message in
# fragments and reassembled strongSwan's, and strongSwan says the same;
# pluto verified east-big's chain through the two intermediates. (One
# grep per log: every process start counts under UML.)
w=$(grep -E " (request|response) 1 (sent in|reassembled from) [0-9]+ fragments|the peer's certificate verifies" "$RUN/west/pluto.log")
e=$(grep -E "received fragment #[0-9]+ of [0-9]+, reassembled|splitting IKE message" "$RUN/east/charon.log")
[[ $w =~ (request|response)\ 1\ sent\ in\ [0-9]+\ fragments ]] || { echo "pluto did not send IKE_AUTH in fragments"; exit 1; }
[[ $w =~ (request|response)\ 1\ reassembled\ from\ [0-9]+\ fragments ]] || { echo "pluto did not reassemble a fragmented IKE_AUTH"; exit 1; }
[[ $e == *"reassembled fragmented IKE message"* ]] || { echo "strongSwan did not reassemble fragments"; exit 1; }
[[ $e == *"splitting IKE message"* ]] || { echo "strongSwan did not send fragments"; exit 1; }
[[ $w == *"the peer's certificate verifies (issuer 'CN=Cygnet Mid2 CA"* ]] ||
	{ echo "pluto did not verify east-big's certificate through the intermediates"; exit 1; }
echo "$w"
echo "$e"
