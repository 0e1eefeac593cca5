#!/usr/bin/env bash
# pluto behind the NAT over IKEv1: ESP in UDP (lib/checks.sh nat_checks:
# east's SAs 4500 <-> the NAT's port), and pluto saw the NAT from
# libreswan's NAT-D payloads (RFC 3947)
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
grep -q 'NAT detected (this host is behind a NAT; NAT-T of RFC 3947)' "$log" ||
	{ echo "west did not log that it is behind a NAT (RFC 3947): $(grep -m1 'NAT' "$log")"; exit 1; }
nat_checks || exit 1
