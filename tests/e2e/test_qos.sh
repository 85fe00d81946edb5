#!/bin/bash
# End to end: per-disk QoS. Two guests at once for 5 s, one limited by its
# target string to 2000 IOPS (over two queues: the bucket is the disk's,
# not each queue's), one unlimited: the first lands near its limit, the
# second runs free; nothing fails; throttled time shows in the stats. Then
# memback-ctl qos changes the limit live and the new rate holds within a
# second. Figures are printed; the bounds are generous for slow machines.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

LIMIT=2000
CTL="$SIM_BUILD/memback-ctl"
ctl() { "$CTL" "$@" --control "$SIM_DIR/memback.sock"; }
# jfield JSON KEY: a number from blkfront's --json report.
jfield() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }
# dev DOMID KEY: the device's counter from memback-ctl stats --json.
dev() {
	ctl stats --json | python3 -c "
import json, sys
for d in json.load(sys.stdin):
    if d['domid'] == $1:
        print(d['$2'])"
}
# between X LO HI: LO <= X <= HI (X may have decimals).
between() { python3 -c "import sys; x, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= x <= hi)" "$@"; }

sim_start
mb_start --pool-size 160M --max-queues 2
lim=$(sim_domain_create limited)
free=$(sim_domain_create free)
check attach_limited attach "$lim" xvdb "size=64M,iops=$LIMIT"
check attach_free attach "$free" xvdb size=64M
check qos_shows_target_limit sh -c "$CTL qos $lim xvdb --control $SIM_DIR/memback.sock | grep -q '^iops=$LIMIT bps=0 iops-burst=200 '"

bf() { # bf DOMID OUT ARGS...
	local d=$1 o=$2
	shift 2
	sim_as_domain "$d" "$SIM_BUILD/blkfront" --devid xvdb --json --rw mixed:50 --pattern rand \
		--bs 4K --size 64M --verify "$@" >"$o" 2>"$o.err"
}
bf "$lim" "$SIM_DIR/lim.json" --qd 16 --queues 2 --time 5 &
p1=$!
bf "$free" "$SIM_DIR/free.json" --qd 16 --time 5 &
p2=$!
# While it runs: both queues of the limited disk serve (one bucket, not a
# split), and the per-queue counters add up to the device's.
sleep 2
ctl stats --json | python3 -c "
import json, sys
d = [d for d in json.load(sys.stdin) if d['domid'] == $lim][0]
q = d['queues']
ok = len(q) == 2 and all(x['reads'] + x['writes'] > 0 for x in q) and \
     sum(x['reads'] for x in q) >= d['reads'] and d['throttled'] > 0
sys.exit(not ok)" && pass limited_disk_queues_share_the_limit ||
	fail limited_disk_queues_share_the_limit "$(ctl stats --json | head -c 400)"
wait $p1 && pass limited_guest_verified || fail limited_guest_verified "$(tail -3 "$SIM_DIR/lim.json.err")"
wait $p2 && pass free_guest_verified || fail free_guest_verified "$(tail -3 "$SIM_DIR/free.json.err")"
li=$(jfield "$(cat "$SIM_DIR/lim.json")" iops)
fi_=$(jfield "$(cat "$SIM_DIR/free.json")" iops)
echo "figures: limited guest $li IOPS (limit $LIMIT, 2 queues), unlimited guest $fi_ IOPS, at once, 5 s"
between "$li" $((LIMIT * 8 / 10)) $((LIMIT * 11 / 10)) && pass limited_guest_near_its_limit ||
	fail limited_guest_near_its_limit "$li IOPS, limit $LIMIT"
between "$fi_" $((LIMIT * 2)) 1e12 && pass unlimited_guest_runs_free ||
	fail unlimited_guest_runs_free "$fi_ IOPS beside a guest limited to $LIMIT"
[ "$(dev "$lim" errors)" = 0 ] && [ "$(dev "$free" errors)" = 0 ] &&
	pass throttled_requests_never_fail || fail throttled_requests_never_fail "errors"
t_lim=$(dev "$lim" throttled_us) t_free=$(dev "$free" throttled_us)
echo "figures: throttled time: limited $t_lim us, unlimited $t_free us"
[ "$t_lim" -gt 1000000 ] && [ "$t_free" = 0 ] && pass throttled_time_in_stats ||
	fail throttled_time_in_stats "limited $t_lim us, unlimited $t_free us"
# The wait on the ring shows on the total clock, not the service clock.
waited=$(ctl stats --json | python3 -c "
import json, sys
d = [d for d in json.load(sys.stdin) if d['domid'] == $lim][0]['latency']
print(int(d['total']['read']['sum_ns'] > 10 * d['service']['read']['sum_ns']))")
[ "$waited" = 1 ] && pass throttled_wait_on_total_clock || fail throttled_wait_on_total_clock "no"

# Live: 500 IOPS, then no limit, each within a second, while the guest runs.
# rate DOMID: requests per second over the next second, from the counters.
rate() {
	python3 - "$CTL" "$SIM_DIR/memback.sock" "$1" <<'PY'
import json, subprocess, sys, time
def sample():
    out = subprocess.run([sys.argv[1], "stats", "--json", "--control", sys.argv[2]],
                         capture_output=True, check=True).stdout
    d = [d for d in json.loads(out) if d["domid"] == int(sys.argv[3])][0]
    return time.monotonic(), d["reads"] + d["writes"]
t0, a = sample()
time.sleep(1)
t1, b = sample()
print(int((b - a) / (t1 - t0)))
PY
}
bf "$lim" "$SIM_DIR/live.json" --qd 16 --time 6 &
p1=$!
sleep 1
check qos_live_set sh -c "$CTL qos $lim xvdb iops=500 --control $SIM_DIR/memback.sock >/dev/null"
r500=$(rate "$lim")
check qos_live_none sh -c "$CTL qos $lim xvdb none --control $SIM_DIR/memback.sock >/dev/null"
rfree=$(rate "$lim")
wait $p1 && pass live_guest_verified || fail live_guest_verified "$(tail -3 "$SIM_DIR/live.json.err")"
echo "figures: live change: $r500 IOPS in the second after iops=500, $rfree IOPS after none"
between "$r500" 300 600 && pass live_limit_within_a_second || fail live_limit_within_a_second "$r500 IOPS"
between "$rfree" 2000 1e12 && pass live_none_within_a_second || fail live_none_within_a_second "$rfree IOPS"

# Bad requests: one line, non-zero, nothing changed.
out=$(ctl qos "$lim" xvdb iops=lots 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "iops wants" &&
	pass qos_bad_value_refused || fail qos_bad_value_refused "exit $rc: $out"
out=$(ctl qos "$lim" xvdc iops=5 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "no device" && pass qos_unknown_device_refused ||
	fail qos_unknown_device_refused "$out"
check qos_unchanged_after_refusals sh -c "$CTL qos $lim xvdb --control $SIM_DIR/memback.sock | grep -q '^iops=0 bps=0 '"
check bps_limit_set sh -c "$CTL qos $lim xvdb bps=8M --control $SIM_DIR/memback.sock | grep -q '^iops=0 bps=8388608 iops-burst=0 bps-burst=838860'"
# 8 MiB/s of 64 KiB reads for 2 s.
sim_as_domain "$lim" "$SIM_BUILD/blkfront" --devid xvdb --json --rw read --bs 64K --qd 8 \
	--size 64M --time 2 >"$SIM_DIR/bps.json" 2>&1
mbs=$(jfield "$(cat "$SIM_DIR/bps.json")" mb_s)
echo "figures: bps=8M: $mbs MB/s of 64 KiB reads (8.39 MB/s is the limit)"
between "$mbs" 6.0 9.3 && pass bps_limit_holds || fail bps_limit_holds "$mbs MB/s"

check detach_limited detach "$lim" xvdb
check detach_free detach "$free" xvdb
check sigterm_exits_0 mb_stop
