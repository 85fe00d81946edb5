#!/bin/bash
# End to end: memback-ctl resize grows and shrinks a disk while its guest
# stays connected; the frontend sees the new `sectors`, I/O past the old end
# works after growing and I/O past the new end is refused after shrinking.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728
resize() { "$SIM_BUILD/memback-ctl" resize "$@" --control "$SIM_DIR/memback.sock"; }

# online DOMID SECTOR NEW_SECTORS BEFORE AFTER SIZE: a connected guest
# checks I/O at SECTOR, we resize to SIZE, it checks again.
online() {
	local dom=$1 ready="$SIM_DIR/ready.$RANDOM"
	sim_as_domain "$dom" "$SIM_BUILD/tests/guest_resize" $XVDB "$2" "$3" "$4" "$5" "$ready" &
	local gpid=$!
	sim_track_pid "$gpid"
	for _ in $(seq 200); do [ -e "$ready" ] && break; sleep 0.05; done
	check "resize_to_$6" resize "$dom" xvdb "$6"
	wait "$gpid" || SIM_FAILED=1
}

sim_start
mb_start --pool-size 64M
dom=$(sim_domain_create guest1)
check attach_16M attach "$dom" xvdb size=16M
check sectors_16M wait_node "$(be_path "$dom" $XVDB)/sectors" 32768

# Grow 16M -> 32M: sector 40000 (20 MB) is refused before, served after.
online "$dom" 40000 65536 error ok 32M
check sectors_32M wait_node "$(be_path "$dom" $XVDB)/sectors" 65536
# A new connection reads the new size from the start.
out=$(sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb --json --count 1 2>&1)
check reconnect_sees_32M grep -q '"sectors":65536' <<<"$out"

# Shrink 32M -> 8M: sector 20000 (10 MB) is served before, refused after.
online "$dom" 20000 16384 ok error 8M
check sectors_8M wait_node "$(be_path "$dom" $XVDB)/sectors" 16384
# Grow back: what was past the shrunken end reads as zeros, not old data.
check regrow_16M resize "$dom" xvdb 16M
check regrown_tail_reads_zero sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb \
	--rw read --assume-zero --verify --offset 8M --size 1M --count 256

# Resizes while a guest keeps 8 requests in flight in the first 4 MiB: the
# queues are held between passes around each change, no request fails and
# every byte verifies.
sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb --qd 8 --rw mixed:50 \
	--fill-verify --size 4M --time 3 >"$SIM_DIR/load.log" 2>&1 &
load=$!
sim_track_pid "$load"
sleep 0.5
ok=1
for size in 24M 32M 8M 48M 16M 12M 16M; do
	resize "$dom" xvdb $size || ok=
	sleep 0.1
done
check resizes_under_load_answered test -n "$ok"
check load_during_resizes_verifies wait "$load"
check resizes_under_load_final_size wait_node "$(be_path "$dom" $XVDB)/sectors" 32768 1

# Refusals: the daemon answers with an error and keeps serving.
check refuses_more_than_the_pool sh -c "! resize $dom xvdb 1G 2>/dev/null"
check refuses_unaligned_size sh -c "! $SIM_BUILD/memback-ctl resize $dom xvdb 1000 --control $SIM_DIR/memback.sock 2>/dev/null"
check refuses_unknown_device sh -c "! $SIM_BUILD/memback-ctl resize $dom xvdc 8M --control $SIM_DIR/memback.sock 2>/dev/null"
check refuses_bad_size sh -c "! $SIM_BUILD/memback-ctl resize $dom xvdb lots --control $SIM_DIR/memback.sock 2>/dev/null"
check size_unchanged_after_refusals wait_node "$(be_path "$dom" $XVDB)/sectors" 32768 1
check daemon_alive_at_end mb_alive
check detach_xvdb detach "$dom" xvdb
check sigterm_exits_0 mb_stop
