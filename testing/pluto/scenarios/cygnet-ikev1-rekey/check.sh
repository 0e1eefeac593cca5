#!/usr/bin/env bash
# IKEv1 rekeys under a ping (HARNESS_PING=no: this is the data-path
# check). A ping every 0.5 s runs across at least one rekey of the ISAKMP
# SA (every ~11 s: the IPsec SA handed over to the new one), one rekey of
# the IPsec SA (every ~6 s) and the old IPsec SA's Delete (2 s later); no
# echo request before the last answered one may go unanswered. After
# them, both kernels have the SAs of a rekey made during the ping, which
# carried it, and none of those the rekeys replaced and deleted; at the
# end pluto and strongSwan each have one ISAKMP SA, strongSwan's with
# other cookies than before the ping.
# shellcheck source=SCRIPTDIR/../../lib/checks.sh
. "$PLUTO_T/lib/checks.sh"
log=$(host_log west)
ike_spis() {  # strongSwan's ISAKMP SAs of the conn: "SPI_I SPI_R" each
	swanctl_ "$NS_EAST" "$RUN/east" --list-sas --ike "$EAST_CONN" 2>/dev/null |
		sed -n 's/^[^ ].*IKEv1, \([0-9a-f]*\)_i[*]\{0,1\} \([0-9a-f]*\)_r[*]\{0,1\}$/\1 \2/p'
}
nlines() { grep -c "$1" "$log"; }
spis0=$(ike_spis)
[ -n "$spis0" ] || { echo "no ISAKMP SA on east before the ping"; exit 1; }
ip netns exec "$NS_WEST" "$PING_BIN" -i 0.5 -W 2 -w 60 -I 198.51.100.1 203.0.113.1 >"$RUN/ping-across.log" 2>&1 &
ping=$!
stop_ping() { kill -INT "$ping" 2>/dev/null; wait "$ping"; }
# the rekeys counted are those logged after the ping's first answer
wait_log 5 "$RUN/ping-across.log" 'icmp_seq=' || { stop_ping; echo "the ping got no first answer within 5 s"; exit 1; }
l0=$(grep -c . "$log")
ike0=$(nlines 'rekeyed ISAKMP SA') child0=$(nlines 'rekeyed Child SA') del0=$(nlines 'deleted (rekeyed; IPsec Delete')
rekeyed() {
	[ "$(nlines 'rekeyed ISAKMP SA')" -gt "$ike0" ] && [ "$(nlines 'rekeyed Child SA')" -gt "$child0" ] &&
		[ "$(nlines 'deleted (rekeyed; IPsec Delete')" -gt "$del0" ]
}
# bounded by one ISAKMP SA period (11 s), the Delete's 2 s, and slack
if ! wait_until 18 rekeyed; then
	stop_ping
	echo "not both rekeys and the Delete within 18 s: ISAKMP +$(($(nlines 'rekeyed ISAKMP SA') - ike0)), IPsec +$(($(nlines 'rekeyed Child SA') - child0)), old IPsec SAs deleted +$(($(nlines 'deleted (rekeyed; IPsec Delete') - del0))"
	exit 1
fi
# now both kernels hold the IPsec SAs of a rekey made during the ping,
# which carried it, and the SAs the rekeys during the ping replaced and
# deleted are gone from both. A kernel read just as the next rekey went
# in may hold only half of each pair (strongSwan removes the old outbound
# SA when it installs the new one, whose first packets are still to
# come): read again, for a bounded while
_ns_alive "$ping" || { stop_ping; echo "the ping had ended before the rekeys: $(tail -2 "$RUN/ping-across.log" | head -1)"; exit 1; }
during=$(tail -n +$((l0 + 1)) "$log")
grep 'rekeying\|rekeyed\|deleting .*rekeyed\|outbound SA .* in use' <<<"$during"
# pluto, the Quick Mode initiator, installs before strongSwan (on message
# 3): each new outbound SA waited for strongSwan's first packet on the
# new inbound one (the ping's answers), not sent into a missing SA
held=$(grep -c "outbound SA 0x[0-9a-f]* in use (the peer's first packet" <<<"$during")
[ "$held" -gt 0 ] || { stop_ping; echo "no rekey's outbound SA waited for strongSwan's first packet on the new inbound SA"; exit 1; }
re='rekeyed Child SA #([0-9]+) \{0x([0-9a-f]+) <0x([0-9a-f]+)\} with #([0-9]+) \{0x([0-9a-f]+) <0x([0-9a-f]+)\}'
carried() {  # carried HOST: found= the SAs of a rekey during the ping with packets in HOST's kernel
	local now line a b pa pb
	during=$(tail -n +$((l0 + 1)) "$log")
	now=$(xfrm_counters "$([ "$1" = west ] && echo "$NS_WEST" || echo "$NS_EAST")")
	found=''
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		a=$(grep " 0x${BASH_REMATCH[5]} " <<<"$now") b=$(grep " 0x${BASH_REMATCH[6]} " <<<"$now")
		read -r _ _ _ _ pa <<<"$a"
		read -r _ _ _ _ pb <<<"$b"
		if [ "${pa:-0}" -gt 0 ] && [ "${pb:-0}" -gt 0 ]; then
			found="#${BASH_REMATCH[4]} {0x${BASH_REMATCH[5]}:$pa <0x${BASH_REMATCH[6]}:$pb}"
		fi
	done <<<"$(grep 'rekeyed Child SA' <<<"$during")"
	last_read=$now
	[ -n "$found" ]
}
for host in west east; do
	if ! wait_until 3 carried $host; then
		stop_ping
		echo "$host's kernel has no IPsec SA pair of a rekey during the ping that carried it: $(tr '\n' ';' <<<"$last_read")"
		exit 1
	fi
	echo "$host's kernel: the IPsec SAs of rekey $found (SPI:packets)"
done
# the SPIs of the SAs deleted during the ping (each from its rekey's line)
old=()
while read -r n; do
	[[ $(grep "rekeyed Child SA #$n " "$log") =~ $re ]] && old+=("0x${BASH_REMATCH[2]}" "0x${BASH_REMATCH[3]}")
done <<<"$(sed -n 's/^.*" #\([0-9]*\): deleting Child SA: deleted (rekeyed.*$/\1/p' <<<"$during")"
[ ${#old[@]} -ge 2 ] || { stop_ping; echo "cannot read the SPIs of the IPsec SAs deleted during the ping"; exit 1; }
gone() {
	local spi both
	both="$(xfrm_counters "$NS_WEST")
$(xfrm_counters "$NS_EAST")"
	for spi in "${old[@]}"; do
		! grep -q " $spi " <<<"$both" || return 1
	done
}
# (east removes its inbound SA once the Delete came: bounded)
wait_until 3 gone || { stop_ping; echo "IPsec SAs deleted during the ping are still in a kernel (SPIs ${old[*]})"; exit 1; }
echo "the IPsec SAs the rekeys replaced are gone from both kernels: SPIs ${old[*]}"
stop_ping
# every echo request up to the last answered one was answered (the one
# SIGINT cut short may still have been in flight)
seqs=$(sed -n 's/^.*icmp_seq=\([0-9]*\) .*$/\1/p' "$RUN/ping-across.log" | sort -nu)
max=$(tail -1 <<<"$seqs") got=$(grep -c . <<<"$seqs")
echo "ping 198.51.100.1 -> 203.0.113.1 across the rekeys: echo requests 1..$max, $got answered"
if [ "$got" != "$max" ]; then
	lost='' i=1
	while read -r q; do
		while [ "$i" -lt "$q" ]; do lost+=" $i"; i=$((i + 1)); done
		i=$((q + 1))
	done <<<"$seqs"
	echo "the ping across the rekeys lost $((max - got)) of $max: icmp_seq$lost"
	exit 1
fi
# one ISAKMP SA on each side (the old ones deleted), new cookies
one_each() { read -r n _ <<<"$(cygnet_counts west)"; [ "$n" = 1 ] && [ "$(ike_spis | grep -c .)" = 1 ]; }
wait_until 5 one_each || { echo "ISAKMP SAs after the rekeys: west $(cygnet_counts west | cut -d' ' -f1), east $(ike_spis | grep -c .), want 1 each"; exit 1; }
spis=$(ike_spis)
echo "east's ISAKMP SA: cookies $spis0 before the ping, $spis after"
[ "$spis" != "$spis0" ] || { echo "east's ISAKMP SA has the same cookies as before the rekey"; exit 1; }
