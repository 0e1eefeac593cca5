#!/usr/bin/env bash
# check.sh RUNDIR (tier 2, after the ping): the ISAKMP SA came up in
# Aggressive Mode (not Main Mode) on both sides: pluto says so, and
# libreswan logged sending its Aggressive Mode request (as initiator) or
# response (as responder)
log=$(<"$RUN/west/pluto.log")
[[ $log == *'established ISAKMP SA (IKEv1 Aggressive Mode) with @east'* ]] ||
	{ echo "pluto did not log an Aggressive Mode ISAKMP SA"; exit 1; }
ls=$(<"$RUN/east/pluto.log")
[[ $ls == *'sent Aggressive Mode request'* || $ls == *'sent Aggressive Mode response'* ]] ||
	{ echo "libreswan's log has no Aggressive Mode message it sent"; exit 1; }
echo "ISAKMP SA in Aggressive Mode on both sides"
