#!/bin/bash
# End to end: memory hygiene and the kernel backend. The pool is not in core
# dumps; the control socket and saved images are root-only; pool-warn warns
# once in the log and shows in memback-ctl pool; memback refuses to start
# while the kernel's blkback serves its backend type and says so when it
# appears later.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728
sim_start
ctl() { "$SIM_BUILD/memback-ctl" "$@" --control "$SIM_DIR/memback.sock"; }

# A kernel vbd backend (a fake sysfs): refused at start, in one line, exit 3.
sys="$SIM_DIR/sys"
mkdir -p "$sys/bus/xen-backend/drivers/vbd"
msg=$(MEMBACK_SYSFS=$sys "$SIM_BUILD/memback" -f -C /dev/null -c "$SIM_DIR/x.sock" --state-dir none 2>&1)
rc=$?
[ $rc = 3 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && [[ "$msg" == *"xen-blkback serves backend type vbd"* ]] &&
	[[ "$msg" == *"/etc/modprobe.d/memback.conf"* ]] && [[ "$msg" == *"--backend-type"* ]] &&
	pass refuses_beside_kernel_blkback || fail refuses_beside_kernel_blkback "exit $rc: $msg"
rmdir "$sys/bus/xen-backend/drivers/vbd"

export MEMBACK_SYSFS=$sys
mb_start --pool-size 32M --pool-warn 50
dom=$(sim_domain_create hyg)

for _ in $(seq 50); do ctl pool >/dev/null 2>&1 && break; sleep 0.1; done
# Not in core dumps: the pool's mapping carries VmFlags dd.
flags=$(awk -v f="$(mb_state_dir)/pool" 'index($0, f) || /memfd:memback-pool/ { m = 1 }
	m && /^VmFlags/ { print; exit }' /proc/$MB_PID/smaps)
[[ " $flags " == *" dd "* ]] && pass pool_not_in_core_dumps || fail pool_not_in_core_dumps "$flags"
[ "$(stat -c %a "$SIM_DIR/memback.sock")" = 600 ] && pass control_socket_root_only ||
	fail control_socket_root_only "$(stat -c %a "$SIM_DIR/memback.sock")"

check attach attach "$dom" xvdb "size=24M,save=$SIM_DIR/d.img"
guest "$dom" fill $XVDB 5
for _ in $(seq 30); do grep -q "past pool-warn" "$MB_LOG" && break; sleep 0.1; done
[ "$(grep -c "past pool-warn 50%" "$MB_LOG")" = 1 ] && pass pool_warn_logged_once ||
	fail pool_warn_logged_once "$(grep pool: "$MB_LOG")"
pool=$(ctl pool)
[[ "$pool" == *"75% used; warning at 50%: PAST THE WARNING THRESHOLD"* ]] &&
	pass pool_warn_in_memback_ctl_pool || fail pool_warn_in_memback_ctl_pool "$pool"
[[ "$pool" == *"huge pages no (not asked for), mlock no (not asked for)"* ]] &&
	pass pool_says_what_backs_it || fail pool_says_what_backs_it "$pool"
json=$(ctl pool --json)
[[ "$json" == *'"hugepages":false,"mlock":false,"used_pct":75,"warn_pct":50,"warning":true}' ]] &&
	pass pool_json_memory_fields || fail pool_json_memory_fields "$json"

# The kernel backend appears while memback runs: one error line saying what to do.
mkdir -p "$sys/bus/xen-backend/drivers/vbd"
for _ in $(seq 30); do grep -q "xen-blkback serves" "$MB_LOG" && break; sleep 0.1; done
sleep 1.2
[ "$(grep -c "xen-blkback serves backend type vbd" "$MB_LOG")" = 1 ] && pass kernel_backend_noticed_once ||
	fail kernel_backend_noticed_once "$(grep -c blkback "$MB_LOG") lines"
rmdir "$sys/bus/xen-backend/drivers/vbd"

check detach detach "$dom" xvdb
[ "$(stat -c %a "$SIM_DIR/d.img")" = 600 ] && pass saved_image_root_only ||
	fail saved_image_root_only "$(stat -c %a "$SIM_DIR/d.img")"
for _ in $(seq 30); do grep -q "back under pool-warn" "$MB_LOG" && break; sleep 0.1; done
grep -q "back under pool-warn 50%" "$MB_LOG" && pass pool_warn_cleared || fail pool_warn_cleared "$(grep pool: "$MB_LOG")"
check clean_exit mb_stop
sim_stop
[ "${SIM_FAILED:-0}" = 0 ]
