#!/usr/bin/env bash
# check.sh RUNDIR (tier 2, after the ping): the ISAKMP SA came up in
# Aggressive Mode (not Main Mode), and strongSwan saw it so.
log=$(<"$RUN/west/pluto.log")
[[ $log == *'established ISAKMP SA (IKEv1 Aggressive Mode) with @east'* ]] ||
	{ echo "pluto did not log an Aggressive Mode ISAKMP SA"; exit 1; }
ss=$(<"$RUN/east/charon.log")
[[ $ss == *'AGGRESSIVE request'* ]] ||
	{ echo "charon's log does not mention Aggressive Mode"; exit 1; }
echo "ISAKMP SA in Aggressive Mode on both sides"
