#!/bin/bash
# memback-ctl shutdown against the real daemon on the simulated host: it
# answers once every device is Closed and its save= image written, the
# daemon exits 0 and removes its state files; the image holds the guest's
# bytes. Then memback-ctl says in one line that memback is not running.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744
sim_start
mb_start --pool-size 256M
SOCK=$SIM_DIR/memback.sock
dom=$(sim_domain_create shut)
F=$SIM_DIR/shut.img
check attach_with_save attach "$dom" xvdb "size=64M,save=$F"
check attach_without_image attach "$dom" xvdc size=8M
guest "$dom" fill $XVDB 11
state=$(ls "$(mb_state_dir)" 2>/dev/null | tr "\n" " ")
[ -n "$state" ] && pass "state files while serving: $state" || fail state_files "none in $(mb_state_dir)"

out=$("$SIM_BUILD/memback-ctl" shutdown --control "$SOCK" --timeout 30 2>&1)
rc=$?
# Read at once: shutdown answers only once this is all done.
size=$(stat -c %s "$F" 2>/dev/null)
left=$(ls "$(mb_state_dir)" 2>/dev/null | tr '\n' ' ')
[ $rc = 0 ] && pass "memback-ctl shutdown: exit 0 ($out)" || fail shutdown_exit "exit $rc: $out"
[ "$size" = $((64 << 20)) ] && pass "save= image complete when shutdown returned" ||
	fail image_saved "size ${size:-none}"
[ -z "$left" ] && pass "state files removed when shutdown returned" || fail state_removed "left: $left"
# It answered once the work was done: at that moment both are Closed and
# the image is complete.
for d in $XVDB $XVDC; do
	[ "$(xenstore-read "$(be_path "$dom" $d)/state" 2>/dev/null)" = 6 ] && pass "vbd $dom/$d Closed when shutdown returned" ||
		fail "closed_$d" "state $(xenstore-read "$(be_path "$dom" $d)/state" 2>&1)"
done
wait "$MB_PID"
rc=$?
MB_PID=
[ $rc = 0 ] && pass "the daemon exited 0" || fail daemon_exit "status $rc"

# The saved bytes are the guest's: a new memback loads them. First the
# toolstack's part of a detach, which memback's shutdown leaves to it: the
# closed devices' directories go.
for d in $XVDB $XVDC; do
	xenstore-rm "$(be_path "$dom" $d)" "$(fe_path "$dom" $d)" "/libxl/$dom/device/vbd/$d" 2>/dev/null
done
mb_start --pool-size 256M
check attach_from_image attach "$dom" xvdb "size=64M,image=$F"
guest "$dom" check $XVDB 11
mb_stop

out=$("$SIM_BUILD/memback-ctl" shutdown --control "$SOCK" 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ "$out" == *"memback is not running"* ]] &&
	pass "no memback: one line, exit 1" || fail not_running "exit $rc: $out"
sim_stop
[ "${SIM_FAILED:-0}" = 0 ]
