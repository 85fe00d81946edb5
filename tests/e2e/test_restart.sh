#!/bin/bash
# kill -9 memback under I/O from three verifier guests (copy and
# persistent grants, 1 and 2 queues, indirect requests in flight) and
# start it again on the same state directory: each guest continues
# without reconnecting, every read matches its shadow of acknowledged
# writes, the whole disk reads back, backend and frontend stay Connected.
# Once, then RESTART_KILLS (20) times at random instants; then a tidy
# SIGTERM stop and start, invisible the same way; then SIGUSR2 closes
# every device for good and removes the state. Prints the kills, writes
# checked and the downtime each guest saw, kill to its first response
# (issue 14).
#
# That it fails on broken code: MB_STATE=none (no state kept, a restart
# loses the disks) makes every verifier FAIL.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/verify_lib.sh

XVDB=51728 XVDC=51744
KILLS=${RESTART_KILLS:-20}
GUESTS=(copy1q pers2q pers1q)
sim_start
STATE=$(mb_state_dir)
mb_start --pool-size 384M
d1=$(sim_domain_create g1)
d2=$(sim_domain_create g2)
d3=$(sim_domain_create g3)
DOMS=("$d1" "$d2" "$d3")
for d in "${DOMS[@]}"; do
	check "attach_dom$d" attach "$d" xvdb size=32M
done
verify_start copy1q "$d1" $XVDB --no-persistent --qd 16
verify_start pers2q "$d2" $XVDB --queues 2 --ring-order 1 --qd 24
verify_start pers1q "$d3" $XVDB --qd 8 --max-segs 128 --discard-pct 20

# Both ends of every disk, in one xenstore-read.
STATE_NODES=()
for d in "${DOMS[@]}"; do
	STATE_NODES+=("$(be_path "$d" $XVDB)/state" "$(fe_path "$d" $XVDB)/state")
done
all_connected() {
	[ "$(xenstore-read "${STATE_NODES[@]}" 2>/dev/null | sort -u)" = 4 ]
}
# A sampler in the background notes any other state it ever sees.
: >"$SIM_DIR/states.bad"
(
	while [ ! -e "$SIM_DIR/sampler.stop" ]; do
		v=$(xenstore-read "${STATE_NODES[@]}" 2>&1 | sort -u | tr '\n' ' ')
		[ "$v" = "4 " ] || echo "$(date +%T.%N) $v" >>"$SIM_DIR/states.bad"
		sleep 0.1
	done
) &
SAMPLER=$!
sim_track_pid "$SAMPLER"

: >"$SIM_DIR/kills"
kill_restart() {
	local t0
	t0=$(now_ns)
	mb_kill
	echo "$t0 $(now_ns)" >>"$SIM_DIR/kills"
	mb_restart || fail "restart_after_kill_$1" "$(tail -n 5 "$MB_LOG")"
}

# (a) one kill under I/O.
sleep 1
kill_restart 1
sleep 1
check connected_after_a_kill all_connected
check daemon_serves_after_a_kill mb_alive

# (b) KILLS more, at random instants, with 0.3..1.3 s of I/O between.
for i in $(seq 2 $((KILLS + 1))); do
	sleep "$(printf '0.%03d' $((RANDOM % 1000)))"
	sleep 0.3
	kill_restart "$i"
done
sleep 1
check connected_after_the_kill_loop all_connected

# A tidy stop (systemctl stop / restart): devices left as they are.
t0=$(now_ns)
check sigterm_exits_0 mb_stop TERM
echo "$t0 $(now_ns)" >"$SIM_DIR/terms"
check sigterm_leaves_devices_connected all_connected
check sigterm_keeps_the_state test -s "$STATE/pool"
check restart_after_sigterm mb_restart
sleep 1
check connected_after_sigterm_restart all_connected

touch "$SIM_DIR/sampler.stop"
wait "$SAMPLER"
verify_finish 60
[ ! -s "$SIM_DIR/states.bad" ] && pass states_stayed_connected_throughout ||
	fail states_stayed_connected_throughout "$(head -n 3 "$SIM_DIR/states.bad")"

# The figures.
nk=$(wc -l <"$SIM_DIR/kills")
writes=0 reads=0
for g in "${GUESTS[@]}"; do
	writes=$((writes + $(verify_figure "$g" writes_acked)))
	reads=$((reads + $(verify_figure "$g" reads_checked)))
done
read -r n median max missing < <(verify_downtime "$SIM_DIR/kills" "${GUESTS[@]}")
read -r tn tmedian tmax tmissing < <(verify_downtime "$SIM_DIR/terms" "${GUESTS[@]}")
echo "# restart: $nk kills -9, $writes acknowledged writes and $reads reads checked over 3 guests"
echo "# downtime, kill -9 to the guest's first response: median $median ms, max $max ms ($n guest-kills)"
echo "# downtime, SIGTERM to the guest's first response: median $tmedian ms, max $tmax ms"
[ "$missing" = 0 ] && [ "$n" = $((nk * 3)) ] && pass downtime_measured_for_every_kill ||
	fail downtime_measured_for_every_kill "$n of $((nk * 3)) guest-kills had a gap over the kill"
[ "$tmissing" = 0 ] && pass downtime_measured_for_sigterm || fail downtime_measured_for_sigterm "$tmissing"

# SIGUSR2 closes every device for good: fresh disks, guests that expect it.
for i in 0 1 2; do
	check "attach_xvdc_dom${DOMS[$i]}" attach "${DOMS[$i]}" xvdc size=16M
	verify_start "close$i" "${DOMS[$i]}" $XVDC --expect-close --qd 8
done
sleep 1
check sigusr2_exits_0 mb_stop USR2
closed=1
for d in "${DOMS[@]}"; do
	for v in $XVDB $XVDC; do
		wait_node "$(be_path "$d" $v)/state" 6 5 || closed=0
	done
done
[ "$closed" = 1 ] && pass sigusr2_closes_every_device || fail sigusr2_closes_every_device \
	"$(for d in "${DOMS[@]}"; do xenstore-read "$(be_path "$d" $XVDC)/state"; done | tr '\n' ' ')"
verify_finish 30
check sigusr2_removes_the_state sh -c "! ls '$STATE'/pool '$STATE'/inflight 2>/dev/null | grep -q ."
