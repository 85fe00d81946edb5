#!/bin/bash
# One named case per class of Xen security advisory against block backends
# and their xenstore side (the checklist of DESIGN.md section 8). Each case
# drives a guest at the limit and shows the daemon and the other guests
# unaffected. Cases that need their own daemon options start their own.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
export PATH="$SIM_BUILD:$PATH"
SCRIPT="$PWD/tools/hotplug/memback"

sim_start

# --- pool rounding: reservations are whole chunks --------------------------
# 1536K + 1536K fill a 4 MiB pool of 1 MiB chunks. A third disk of 1M used
# to be accepted and its first write failed with ENOSPC; now the attach is
# refused the way a bad target is (InitWait, the reason in `error`, which
# the hotplug script turns into hotplug-error), and the first two disks can
# be written in full.
mb_start --pool-size 4M
g1=$(sim_domain_create one)
g2=$(sim_domain_create two)
check pool_rounding_attach_1536k_a memback-ctl attach "$g1" xvdb size=1536K --script "$SCRIPT"
check pool_rounding_attach_1536k_b memback-ctl attach "$g2" xvdb size=1536K --script "$SCRIPT"
out=$(memback-ctl attach --timeout 10 "$g1" xvdc size=1M --script "$SCRIPT" 2>&1)
rc=$?
[ $rc = 1 ] && [[ "$out" == *"no room"*"whole 1024 KiB chunks"* ]] &&
	pass pool_rounding_third_refused_with_reason || fail pool_rounding_third_refused_with_reason "exit $rc: $out"
for g in "$g1" "$g2"; do
	sim_as_domain "$g" "$SIM_BUILD/blkfront" --devid xvdb --rw write --bs 64K --size 1536K \
		--fill-verify --qd 4 --seed "$g" >"$SIM_DIR/fill$g.out" 2>&1 &&
		pass "pool_rounding_dom${g}_fills_whole_disk" ||
		fail "pool_rounding_dom${g}_fills_whole_disk" "$(tail -3 "$SIM_DIR/fill$g.out")"
done
io_errors=$(memback-ctl pool --json --control "$SIM_DIR/memback.sock" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["alloc_failures"])')
[ "$io_errors" = 0 ] && pass pool_rounding_no_alloc_failure || fail pool_rounding_no_alloc_failure "$io_errors"
check pool_rounding_detach_a memback-ctl detach --timeout 10 "$g1" xvdb
check pool_rounding_detach_b memback-ctl detach --timeout 10 "$g2" xvdb
check pool_rounding_daemon_exits_cleanly mb_stop
