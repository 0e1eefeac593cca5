#!/usr/bin/env bash
# dpdaction=restart over IKEv1: before the kill, pluto's R_U_THERE checks
# are answered (R_U_THERE_ACK: strongSwan sent the DPD vendor ID); then as
# the IKEv2 scenario (lib/checks.sh dpd_restart_checks): east dies, west
# declares it dead after dpdtimeout=4s, starts Main Mode again, and a new
# ISAKMP SA and IPsec SA carry the ping once charon runs again
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
wait_log 5 "$log" 'liveness: the peer is alive \(R_U_THERE_ACK' ||
	{ echo "west's R_U_THERE checks were not answered within 5 s: $(grep -m1 'liveness' "$log")"; exit 1; }
dpd_restart_checks
