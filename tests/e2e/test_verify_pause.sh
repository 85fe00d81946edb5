#!/bin/bash
# Three verifier guests ride out memback frozen under their I/O (SIGSTOP
# for seconds, then SIGCONT): no error, no reconnect, every read matches
# the shadow, the whole disk reads back, the devices stay Connected; the
# response gap each guest saw covers the pause. Copy and persistent
# grants, 1 and 2 queues, indirect requests (issue 14).
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/verify_lib.sh

XVDB=51728
PAUSE=${PAUSE_SECS:-3}
sim_start
mb_start --pool-size 256M
d1=$(sim_domain_create g1)
d2=$(sim_domain_create g2)
d3=$(sim_domain_create g3)
for d in "$d1" "$d2" "$d3"; do
	check "attach_dom$d" attach "$d" xvdb size=32M
done
verify_start copy1q "$d1" $XVDB --no-persistent --qd 16
verify_start pers2q "$d2" $XVDB --queues 2 --ring-order 1 --qd 24
verify_start pers1q "$d3" $XVDB --qd 8 --max-segs 128 --discard-pct 30
# Copy mode for the guest that does not offer persistent grants.
[ "$(xenstore-read "$(fe_path "$d2" $XVDB)/feature-persistent" 2>/dev/null)" = 1 ] &&
	! xenstore-exists "$(fe_path "$d1" $XVDB)/feature-persistent" 2>/dev/null &&
	pass grant_modes_as_asked || fail grant_modes_as_asked "$(grep -h '# connected' "$SIM_DIR"/*.out)"

all_connected() {
	local d
	for d in "$d1" "$d2" "$d3"; do
		[ "$(xenstore-read "$(be_path "$d" $XVDB)/state")" = 4 ] || return 1
		[ "$(xenstore-read "$(fe_path "$d" $XVDB)/state")" = 4 ] || return 1
	done
}

sleep 1
: >"$SIM_DIR/conts"
for round in 1 2; do
	kill -STOP "$MB_PID"
	sleep "$PAUSE"
	check "connected_while_frozen_$round" all_connected
	t0=$(now_ns)
	kill -CONT "$MB_PID"
	echo "$t0 $t0" >>"$SIM_DIR/conts"
	sleep 1
done
check daemon_alive mb_alive
check connected_after_pauses all_connected
verify_finish 60
# Each guest waited through each pause, then got its answers.
read -r n median max missing < <(verify_downtime "$SIM_DIR/conts" copy1q pers2q pers1q)
echo "# resume after SIGCONT: $n guest-pauses, median ${median} ms, max ${max} ms to the first response"
[ "$missing" = 0 ] && [ "$n" = 6 ] && pass every_guest_saw_both_pauses ||
	fail every_guest_saw_both_pauses "$n measured, $missing without a gap over the resume"
for name in copy1q pers2q pers1q; do
	gap=$(verify_figure "$name" longest_gap_ms)
	python3 -c "import sys; sys.exit(0 if float('$gap') >= $PAUSE * 1000 * 0.9 else 1)" &&
		pass "${name}_waited_out_the_pause" ||
		fail "${name}_waited_out_the_pause" "longest gap ${gap} ms, the pause was ${PAUSE} s"
	ind=$(verify_figure "$name" indirect)
	[ "${ind:-0}" -gt 0 ] && pass "${name}_sent_indirect_requests" ||
		fail "${name}_sent_indirect_requests" "indirect=${ind:-none}"
done
check sigterm_exits_0 mb_stop
