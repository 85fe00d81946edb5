#!/bin/bash
# End to end: the daemon-wide queue budget (threads and fds). memback runs
# with RLIMIT_NOFILE set so that three queues fit: a first guest gets the
# two it is offered, a second only one (fewer queues, never an error), and
# both are served at once, byte-exact; a frontend that ignores the offer is
# refused alone; once the first goes, a third guest gets two again.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

sim_start
# DAEMON_FD_RESERVE (64) + 3 queues x QUEUE_FDS (4).
NOFILE=76
MB_LOG="$SIM_DIR/memback.log"
prlimit --nofile=$NOFILE:$NOFILE "$SIM_BUILD/memback" -f --pidfile "$SIM_DIR/memback.pid" \
	-c "$SIM_DIR/memback.sock" --state-dir "$(sim_shm_dir)/state" --pool-size 64M --max-queues 2 \
	>>"$MB_LOG" 2>&1 &
MB_PID=$!
sim_track_pid "$MB_PID"
for _ in $(seq 100); do [ -S "$SIM_DIR/memback.sock" ] && break; sleep 0.05; done
grep -q "queues: at most 3 " "$MB_LOG" && pass budget_sized_from_rlimit_nofile ||
	fail budget_sized_from_rlimit_nofile "$(grep queues: "$MB_LOG")"
g1=$(sim_domain_create one)
g2=$(sim_domain_create two)
g3=$(sim_domain_create three)
check attach_g1 attach "$g1" xvdb size=8M
check attach_g2 attach "$g2" xvdb size=8M
q1=$(xenstore-read "$(be_path "$g1" 51728)/multi-queue-max-queues")
q2=$(xenstore-read "$(be_path "$g2" 51728)/multi-queue-max-queues")
[ "$q1" = 2 ] && [ "$q2" = 1 ] && pass second_guest_offered_fewer_queues ||
	fail second_guest_offered_fewer_queues "offered $q1 and $q2"
grep -q "vbd $g2/51728: offering 1 queue(s), not 2" "$MB_LOG" && pass fewer_queues_logged ||
	fail fewer_queues_logged "not in the log"
bf() { # bf DOMID OUT ARGS...
	local dom=$1 out=$2
	shift 2
	sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb "$@" >"$out" 2>&1
}
bf "$g1" "$SIM_DIR/g1.out" --rw mixed:50 --pattern rand --bs 4K --qd 8 --count 3000 --verify \
	--queues 2 --seed 1 &
p1=$!
bf "$g2" "$SIM_DIR/g2.out" --rw mixed:50 --pattern rand --bs 4K --qd 8 --count 3000 --verify \
	--queues 1 --seed 2 &
p2=$!
wait $p1 && pass g1_two_queues_verified || fail g1_two_queues_verified "$(tail -3 "$SIM_DIR/g1.out")"
wait $p2 && pass g2_one_queue_verified || fail g2_one_queue_verified "$(tail -3 "$SIM_DIR/g2.out")"
# A frontend that asks for more than it was offered: refused, alone.
sim_as_domain "$g2" "$SIM_BUILD/tests/guest_proto" refuse 51728 queues 2 >"$SIM_DIR/g2bad.out" 2>&1
err=$(xenstore-read "$(be_path "$g2" 51728)/error" 2>/dev/null)
[[ "$err" == *"2 queues"* ]] && pass over_offer_refused_with_reason ||
	fail over_offer_refused_with_reason "error: $err; $(tail -3 "$SIM_DIR/g2bad.out")"
bf "$g1" "$SIM_DIR/g1b.out" --rw read --pattern rand --bs 4K --qd 4 --count 500 --queues 2 &&
	pass g1_unaffected_by_refusal || fail g1_unaffected_by_refusal "$(tail -3 "$SIM_DIR/g1b.out")"
# The first guest goes: its queues come back for the next.
check detach_g1 detach "$g1" xvdb
check attach_g3 attach "$g3" xvdb size=8M
q3=$(xenstore-read "$(be_path "$g3" 51728)/multi-queue-max-queues")
[ "$q3" = 2 ] && pass queues_given_back_on_detach || fail queues_given_back_on_detach "offered $q3"
bf "$g3" "$SIM_DIR/g3.out" --rw write --bs 16K --size 8M --fill-verify --qd 8 --queues 2 &&
	pass g3_two_queues_verified || fail g3_two_queues_verified "$(tail -3 "$SIM_DIR/g3.out")"
check daemon_alive mb_alive
check sigterm_exits_0 mb_stop
