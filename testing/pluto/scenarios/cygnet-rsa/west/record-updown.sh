#!/bin/sh
# records the PLUTO_* environment of each updown call (the static routes
# of the test topology already send the subnets through eth0)
env | grep '^PLUTO_' | sort > "$(dirname "$0")/updown.$PLUTO_VERB"
