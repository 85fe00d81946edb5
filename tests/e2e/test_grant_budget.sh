#!/bin/bash
# The daemon-wide budget of persistently mapped grants (--max-grant-maps):
# one guest that touches many grants fills the budget; the grants past it
# are grant-copied, the other guest's I/O verifies, and all queues
# together never hold more mappings than the budget.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

BUDGET=48
total_pgrants() {
	"$SIM_BUILD/memback-ctl" stats --json --control "$SIM_DIR/memback.sock" |
		python3 -c "import json,sys; print(sum(d['persistent_grants'] for d in json.load(sys.stdin)))"
}
dom0_stat() {
	"$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json |
		python3 -c "import json,sys; print(json.load(sys.stdin)['0']['$1'])"
}

sim_start
mb_start --pool-size 64M --grant-mode persistent --max-grant-maps $BUDGET --max-persistent-grants 1056
g1=$(sim_domain_create greedy)
g2=$(sim_domain_create other)
check attach_greedy attach "$g1" xvdb size=16M
check attach_other attach "$g2" xvdb size=16M
# 1 MiB requests at QD 8: 2048 data pages in flight, far past the budget.
sim_as_domain "$g1" "$SIM_BUILD/blkfront" --devid xvdb --rw mixed:50 --bs 1M --qd 8 \
	--time 2 --size 16M --fill-verify >"$SIM_DIR/g1.out" 2>&1 &
p1=$!
sim_as_domain "$g2" "$SIM_BUILD/blkfront" --devid xvdb --rw mixed:50 --bs 4K --qd 16 \
	--time 2 --size 8M --fill-verify >"$SIM_DIR/g2.out" 2>&1 &
p2=$!
sleep 1
mid=$(total_pgrants)
wait $p1 && pass greedy_guest_verified || fail greedy_guest_verified "$(tail -2 "$SIM_DIR/g1.out")"
wait $p2 && pass other_guest_verified || fail other_guest_verified "$(tail -2 "$SIM_DIR/g2.out")"
echo "# persistent grants held by all queues mid-run: $mid (budget $BUDGET)"
[ "$mid" -le $BUDGET ] && [ "$mid" -gt 0 ] && pass budget_holds_across_guests ||
	fail budget_holds_across_guests "$mid mapped, budget $BUDGET"
mapped=$(dom0_stat mapped_now)
# The rings (one page each here) plus the budget.
[ "$mapped" -le $((BUDGET + 2)) ] && pass dom0_mappings_within_budget ||
	fail dom0_mappings_within_budget "mapped_now=$mapped"
check detach_greedy detach "$g1" xvdb
check detach_other detach "$g2" xvdb
m=$(dom0_stat mapped_now)
[ "$m" = 0 ] && pass nothing_mapped_after_detach || fail nothing_mapped_after_detach "mapped_now=$m"
check sigterm_exits_0 mb_stop
