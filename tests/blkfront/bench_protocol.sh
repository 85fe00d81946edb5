#!/bin/bash
# Figures for multi-page rings, queues and indirect requests: build/blkfront
# against memback on the simulated host (not run by `make check`).
#   tests/blkfront/bench_protocol.sh [SECONDS [MEMBACK OPTIONS...]]
# Prints one line per run: the blkfront arguments, IOPS and MB/s.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
secs=${1:-3}
[ $# -gt 0 ] && shift

sim_start
mb_start --pool-size 1G --max-queues 4 "$@"
dom=$(sim_domain_create bench --memory 512)
attach "$dom" xvdb size=256M >/dev/null || exit 1

bf() { sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb --json "$@"; }
# Every block written once, so reads return data rather than holes.
bf --rw write --bs 1M --fill-verify --qd 8 --size 256M >/dev/null || exit 1

row() {
	local out
	out=$(bf --time "$secs" --size 256M "$@") || { echo "FAILED: $*"; return; }
	# The totals are the last iops / mb_s in the report.
	printf '%-62s %9s IOPS %9s MB/s\n' "$*" \
		"$(grep -o '"iops":[0-9.]*' <<<"$out" | tail -n 1 | cut -d: -f2)" \
		"$(grep -o '"mb_s":[0-9.]*' <<<"$out" | tail -n 1 | cut -d: -f2)"
}
for rw in read write; do
	for bs in 44K 256K 1M; do
		for qd in 1 32; do
			row --rw $rw --pattern rand --bs $bs --qd $qd --ring-order 4
		done
	done
	for q in 1 4; do
		row --rw $rw --pattern rand --bs 4K --qd 32 --ring-order 4 --queues $q
		row --rw $rw --pattern rand --bs 256K --qd 32 --ring-order 4 --queues $q
	done
done
mb_stop
