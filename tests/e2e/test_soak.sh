#!/bin/bash
# Soak: guests come and go in every grant mode (attach, verified I/O, then
# detach, destroy under I/O, or crash under I/O, in turn), and afterwards
# memback's fds, threads, heap, grant mappings, event channels and pool are
# back at their baseline. `make check` runs SOAK_ROUNDS=3 per mode; `make
# soak` runs SOAK_ROUNDS=40 (override either).
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

ROUNDS=${SOAK_ROUNDS:-3}
dom0_stat() {
	"$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json |
		python3 -c "import json,sys; print(json.load(sys.stdin)['0']['$1'])"
}
# memback's own fds. The simulated libraries also keep, per process, a map
# of each domain's memory file and the write end of other processes' event
# FIFOs, reused by slot (bounded by the simulator's domid and handle
# slots); those are the simulator's, not memback's, and are counted apart.
fds() { find "/proc/$MB_PID/fd" -mindepth 1 -printf '%l\n' | grep -Evc "$SIM_DIR/(dom[0-9.]+mem|evtchn/)"; }
sim_fds() { find "/proc/$MB_PID/fd" -mindepth 1 -printf '%l\n' | grep -Ec "$SIM_DIR/(dom[0-9.]+mem|evtchn/)"; }
threads() { awk '/^Threads/ {print $2}' "/proc/$MB_PID/status"; }
heap_kb() { awk '/^RssAnon/ {print $2}' "/proc/$MB_PID/status"; }
pool_json() { "$SIM_BUILD/memback-ctl" pool --json --control "$SIM_DIR/memback.sock"; }
# Wait (5 s at most) until the daemon holds nothing for any guest.
settled() {
	local i
	for i in $(seq 50); do
		[ "$(dom0_stat mapped_now)" = 0 ] && [ "$(dom0_stat evtchn_bound)" = 0 ] &&
			[ "$(threads)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# round MODE R: one guest's life; the failures it saw added to $failures.
round() {
	local mode=$1 r=$2 g q p
	g=$(sim_domain_create "soak-$mode-$r") || { failures=$((failures + 1)); return; }
	attach "$g" xvdb size=8M >/dev/null || failures=$((failures + 1))
	q=$((1 + r % 2))
	sim_as_domain "$g" "$SIM_BUILD/blkfront" --devid xvdb --rw mixed:60 --pattern rand \
		--bs 4K --qd 8 --count 1500 --verify --queues $q --seed "$r" \
		>"$SIM_DIR/soak.out" 2>&1 || { failures=$((failures + 1)); tail -3 "$SIM_DIR/soak.out"; }
	case $((r % 3)) in
	0)	detach "$g" xvdb >/dev/null || failures=$((failures + 1))
		sim_domain_destroy "$g" >/dev/null ;;
	1)	sim_as_domain "$g" "$SIM_BUILD/blkfront" --devid xvdb --rw write --pattern rand \
			--bs 4K --qd 8 --time 10 >/dev/null 2>&1 &
		p=$!
		sleep 0.3
		sim_domain_destroy "$g" >/dev/null || failures=$((failures + 1))
		wait $p 2>/dev/null ;;
	2)	sim_as_domain "$g" "$SIM_BUILD/blkfront" --devid xvdb --rw write --pattern rand \
			--bs 4K --qd 8 --time 10 >/dev/null 2>&1 &
		p=$!
		sleep 0.3
		"$SIM_BUILD/xensim" domain crash --dir "$SIM_DIR" "$g" >/dev/null ||
			failures=$((failures + 1))
		kill $p 2>/dev/null
		wait $p 2>/dev/null
		wait_node_gone "$(be_path "$g" 51728)" 5 || failures=$((failures + 1)) ;;
	esac
}

sim_start
for mode in ${SOAK_MODES:-copy persistent map}; do
	mb_start --pool-size 64M --grant-mode "$mode" --max-queues 2
	# Warm up with one round of each kind: malloc arenas of the worker
	# threads, libxenstore's buffers and the like stay once created.
	failures=0
	for r in 101 102 103; do round "$mode" "$r"; done
	settled "$(threads)"
	fd0=$(fds) th0=$(threads) heap0=$(heap_kb)
	failures=0
	for r in $(seq "$ROUNDS"); do round "$mode" "$r"; done
	[ $failures = 0 ] && pass "soak_${mode}_${ROUNDS}_rounds" || fail "soak_${mode}_${ROUNDS}_rounds" "$failures failures"
	settled "$th0" && pass "soak_${mode}_nothing_mapped_or_bound" ||
		fail "soak_${mode}_nothing_mapped_or_bound" \
			"mapped_now=$(dom0_stat mapped_now) evtchn_bound=$(dom0_stat evtchn_bound)"
	fd1=$(fds) th1=$(threads) heap1=$(heap_kb)
	echo "# soak $mode: $ROUNDS rounds; fds $fd0 -> $fd1 (+$(sim_fds) simulator caches)," \
		"threads $th0 -> $th1, RssAnon $heap0 -> $heap1 kB"
	[ "$fd1" = "$fd0" ] && pass "soak_${mode}_fds_at_baseline" || fail "soak_${mode}_fds_at_baseline" "$fd0 -> $fd1"
	[ "$th1" = "$th0" ] && pass "soak_${mode}_threads_at_baseline" ||
		fail "soak_${mode}_threads_at_baseline" "$th0 -> $th1"
	# malloc keeps some of what it had; a leak per round would show.
	check_memory "soak_${mode}_heap_at_baseline" test $((heap1 - heap0)) -lt 1024
	pool=$(pool_json)
	python3 -c "import json,sys; p=json.loads(sys.argv[1]); sys.exit(p['reserved'] or p['used'] or p['disks'])" \
		"$pool" && pass "soak_${mode}_pool_empty" || fail "soak_${mode}_pool_empty" "$pool"
	zombies=$("$SIM_BUILD/xensim" zombies --dir "$SIM_DIR")
	[ -z "$zombies" ] && pass "soak_${mode}_no_zombie_domains" || fail "soak_${mode}_no_zombie_domains" "$zombies"
	check "soak_${mode}_daemon_exits_cleanly" mb_stop
done
