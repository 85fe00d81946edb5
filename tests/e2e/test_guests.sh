#!/bin/bash
# End to end: several guests at once; detach and domain destruction while
# I/O runs; memory freed by one disk reads as zeros on the next; nothing
# leaks (grant mappings and event channels, as the simulator counts them).
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744
# dom0's counter NAME from the simulator.
dom0_stat() {
	"$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json |
		python3 -c "import json,sys; print(json.load(sys.stdin)['0']['$1'])"
}
bf() { # bf DOMID OUTFILE ARGS...: the load generator as a guest
	local dom=$1 out=$2
	shift 2
	sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb "$@" >"$out" 2>&1
}

sim_start
# 16 MiB of pool: the 8 MiB disks below take the same chunks in turn.
mb_start --pool-size 16M --max-queues 2
g1=$(sim_domain_create one)
g2=$(sim_domain_create two)
check attach_g1 attach "$g1" xvdb size=8M
check attach_g2 attach "$g2" xvdb size=8M

# Two guests at once, each verifying what it wrote.
bf "$g1" "$SIM_DIR/g1.out" --rw write --bs 16K --size 8M --fill-verify --qd 8 --seed 11 &
p1=$!
bf "$g2" "$SIM_DIR/g2.out" --rw mixed:50 --pattern rand --bs 4K --qd 16 --count 6000 \
	--verify --queues 2 --seed 12 &
p2=$!
wait $p1 && pass two_guests_g1_verified || fail two_guests_g1_verified "$(tail -3 "$SIM_DIR/g1.out")"
wait $p2 && pass two_guests_g2_verified || fail two_guests_g2_verified "$(tail -3 "$SIM_DIR/g2.out")"

# Detach while the guest is writing: the detach completes, the guest's
# I/O stops with an error, the daemon lives on.
bf "$g1" "$SIM_DIR/g1.out" --rw write --pattern rand --bs 4K --qd 8 --time 20 &
p1=$!
sleep 0.5
check detach_under_io detach "$g1" xvdb
wait $p1
rc=$?
[ $rc != 0 ] && pass guest_io_stops_after_detach || fail guest_io_stops_after_detach "blkfront exit 0"
check daemon_survives_detach_under_io mb_alive

# The chunks g1's disk used go to a new disk: all of it reads as zeros
# but for what the new disk wrote.
check attach_reuse attach "$g1" xvdc size=8M
guest "$g1" sparse $XVDC 5

# g2 is destroyed while it runs I/O: the toolstack closes its backend,
# memback lets go of its ring and grants, the domain leaves no zombie.
bf "$g2" "$SIM_DIR/g2.out" --rw read --pattern rand --bs 4K --qd 8 --time 20 &
p2=$!
sleep 0.5
check destroy_under_io sim_domain_destroy "$g2"
wait $p2 2>/dev/null
check g2_backend_removed sh -c "! xenstore-exists /local/domain/0/backend/vbd/$g2"
zombies=$("$SIM_BUILD/xensim" zombies --dir "$SIM_DIR")
[ -z "$zombies" ] && pass destroyed_domain_leaves_no_zombie || fail destroyed_domain_leaves_no_zombie "$zombies"
check daemon_survives_destroy mb_alive

# A guest that dies with no toolstack to clean up (xl gone): on
# @releaseDomain memback closes the device itself, drops its ring and
# grants, gives its memory back and removes its backend directory.
g3=$(sim_domain_create three)
check attach_g3 attach "$g3" xvdb size=4M
bf "$g3" "$SIM_DIR/g3.out" --rw write --pattern rand --bs 4K --qd 8 --time 20 &
p3=$!
sleep 0.5
check crash_under_io "$SIM_BUILD/xensim" domain crash --dir "$SIM_DIR" "$g3"
kill "$p3" 2>/dev/null
wait "$p3" 2>/dev/null
check crashed_guest_backend_removed wait_node_gone "$(be_path "$g3" $XVDB)" 5
check crashed_guest_empty_parent_removed wait_node_gone "/local/domain/0/backend/vbd/$g3" 5
zombies=$("$SIM_BUILD/xensim" zombies --dir "$SIM_DIR")
[ -z "$zombies" ] && pass crashed_domain_leaves_no_zombie || fail crashed_domain_leaves_no_zombie "$zombies"
grep -q "vbd $g3/$XVDB: domain $g3 is gone" "$MB_LOG" && pass crash_logged ||
	fail crash_logged "no 'domain $g3 is gone' in the log"

# Everything detached: no grant mapping, no event channel left in dom0,
# and the pool has nothing reserved.
check detach_last detach "$g1" xvdc
for i in $(seq 50); do [ "$(dom0_stat mapped_now)" = 0 ] && break; sleep 0.1; done
m=$(dom0_stat mapped_now) e=$(dom0_stat evtchn_bound)
[ "$m" = 0 ] && pass no_grant_mapping_left || fail no_grant_mapping_left "mapped_now=$m"
[ "$e" = 0 ] && pass no_event_channel_left || fail no_event_channel_left "evtchn_bound=$e"
pool=$("$SIM_BUILD/memback-ctl" pool --json --control "$SIM_DIR/memback.sock")
python3 -c "import json,sys; p=json.loads(sys.argv[1]); sys.exit(p['reserved'] or p['used'] or p['disks'])" "$pool" &&
	pass pool_empty_after_detach || fail pool_empty_after_detach "$pool"

# SIGTERM while a guest runs I/O: every device goes to Closed, exit 0,
# the guest's I/O ends with an error, no mapping is left behind.
check attach_for_sigterm attach "$g1" xvdb size=8M
bf "$g1" "$SIM_DIR/g1.out" --rw mixed:50 --pattern rand --bs 4K --qd 8 --time 20 &
p1=$!
sleep 0.5
check sigterm_under_io_exits_0 mb_stop
check backend_closed_after_sigterm wait_node "$(be_path "$g1" $XVDB)/state" 6 2
wait $p1
[ $? != 0 ] && pass guest_sees_backend_go || fail guest_sees_backend_go "blkfront exit 0"
m=$(dom0_stat mapped_now) e=$(dom0_stat evtchn_bound)
[ "$m" = 0 ] && [ "$e" = 0 ] && pass nothing_held_after_sigterm ||
	fail nothing_held_after_sigterm "mapped_now=$m evtchn_bound=$e"
if [ -n "${E2E_SHOW_LOG:-}" ]; then cat "$MB_LOG"; fi
