#!/bin/bash
# End to end: memback-ctl top, run in a tmux pane as an administrator
# would (send-keys, capture-pane): it draws the pool, a header and one row
# per device with the busy guest's IOPS and latency, redraws, and q quits.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

if ! command -v tmux >/dev/null; then
	skip top_under_tmux "no tmux (tools/install-deps.sh installs it)"
	exit 0
fi
CTL="$SIM_BUILD/memback-ctl"
sim_start
mb_start --pool-size 64M
busy=$(sim_domain_create web1)
idle=$(sim_domain_create db2)
check attach_busy attach "$busy" xvdb size=16M
check attach_idle attach "$idle" xvdc size=8M
sim_as_domain "$busy" "$SIM_BUILD/blkfront" --devid xvdb --rw mixed:50 --pattern rand --bs 4K \
	--qd 4 --time 8 >"$SIM_DIR/bf.out" 2>&1 &
bf=$!

# Batch mode: two frames, the second with rates.
"$CTL" top --batch --iterations 2 --control "$SIM_DIR/memback.sock" >"$SIM_DIR/batch.out" 2>&1
rc=$?
frames=$(grep -c '^memback-ctl top - ' "$SIM_DIR/batch.out")
[ $rc = 0 ] && [ "$frames" = 2 ] && pass top_batch_two_frames ||
	fail top_batch_two_frames "exit $rc, $frames frames: $(head -5 "$SIM_DIR/batch.out")"

T=(tmux -S "$SIM_DIR/tmux.sock")
"${T[@]}" new-session -d -s top -x 132 -y 20 \
	"$CTL top --control $SIM_DIR/memback.sock; echo top-exited-\$?; sleep 30"
sleep 3.5
"${T[@]}" capture-pane -p -t top >"$SIM_DIR/screen1.txt"
sleep 1.2
"${T[@]}" capture-pane -p -t top >"$SIM_DIR/screen2.txt"
echo "--- memback-ctl top under tmux:"
cat "$SIM_DIR/screen2.txt"

# row FILE DOMAIN: the device's row, as fields.
row() { awk -v d="$2" '$2 == d' "$1"; }
grep -q '^memback-ctl top - .* pool 64.0 MiB: reserved 24.0' "$SIM_DIR/screen2.txt" &&
	grep -q '^ *DOMID *DOMAIN *VDEV *IOPS .*P50 us *P99 us' "$SIM_DIR/screen2.txt" &&
	pass top_draws_pool_and_header || fail top_draws_pool_and_header "$(head -4 "$SIM_DIR/screen2.txt")"
read -r _ name vdev iops _ _ p50 p99 _ used _ <<<"$(row "$SIM_DIR/screen2.txt" web1)"
[ "${name:-}" = web1 ] && [ "$vdev" = xvdb ] && [ "${iops%.*}" -gt 0 ] 2>/dev/null &&
	[ "$p50" -ge 1 ] 2>/dev/null && [ "$p99" -ge "$p50" ] && [ "$used" != 0.0 ] &&
	pass top_shows_busy_guest || fail top_shows_busy_guest "$(row "$SIM_DIR/screen2.txt" web1)"
read -r _ name vdev iops _ <<<"$(row "$SIM_DIR/screen2.txt" db2)"
[ "${name:-}" = db2 ] && [ "$vdev" = xvdc ] && [ "$iops" = 0 ] &&
	pass top_shows_idle_guest || fail top_shows_idle_guest "$(row "$SIM_DIR/screen2.txt" db2)"
# Redrawn in place: one frame on the screen, and a new one a second later.
[ "$(grep -c '^memback-ctl top - ' "$SIM_DIR/screen2.txt")" = 1 ] &&
	! cmp -s "$SIM_DIR/screen1.txt" "$SIM_DIR/screen2.txt" &&
	pass top_redraws_each_second || fail top_redraws_each_second "same screen twice"

"${T[@]}" send-keys -t top q
quit=
for _ in $(seq 30); do
	"${T[@]}" capture-pane -p -t top | grep -q '^top-exited-0' && { quit=1; break; }
	sleep 0.1
done
[ -n "$quit" ] && pass top_quits_on_q || fail top_quits_on_q "$("${T[@]}" capture-pane -p -t top | tail -3)"
"${T[@]}" kill-server 2>/dev/null

wait $bf || fail busy_guest_io "$(tail -3 "$SIM_DIR/bf.out")"
check detach_busy detach "$busy" xvdb
check detach_idle detach "$idle" xvdc
check sigterm_exits_0 mb_stop
