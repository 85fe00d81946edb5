#!/bin/bash
# make bench: memback end to end on the simulated host, as a guest sees it.
# For each grant mode, 4 KiB and 1 MiB requests (1 MiB through indirect
# descriptors), queue depth 1 and 32, random reads and writes: IOPS, MB/s,
# latency, the MB/s as a share of this machine's memcpy bandwidth measured
# in the same run, and what dom0 paid per request (grant map/copy calls and
# event notifications, from the simulator's counters).
# Figures only: nothing here passes or fails on speed.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
SECS=${BENCH_SECS:-2}
MODES=${BENCH_MODES:-copy map persistent}

# The yardstick, measured now and again at the end (on a shared machine a
# single reading can be low); ratios use the larger.
memcpy=$("$SIM_BUILD/tests/memcpy_bw" | awk '{print $3}')
echo "memcpy: $memcpy GB/s (1 MiB copies, 256 MiB working set, best of 5)"
echo "each run: ${SECS} s of random I/O from one guest, 1 queue, ring order 4"
printf '%-10s %-5s %-5s %3s %10s %9s %8s %8s %9s %10s %9s\n' \
	mode rw bs qd IOPS MB/s p50us p99us "%memcpy" "calls/req" "evts/req"

stat_json() { "$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json; }
# dom0 calls per request between two stats snapshots.
per_req() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
a, b, ops = json.loads(sys.argv[1])["0"], json.loads(sys.argv[2])["0"], float(sys.argv[3]) or 1
calls = sum(b[k] - a[k] for k in ("map_calls", "unmap_calls", "copy_calls"))
print("%.2f %.2f" % (calls / ops, (b["notify_calls"] - a["notify_calls"]) / ops))
PY
}

for mode in $MODES; do
	sim_start
	if ! mb_start --pool-size 1G --grant-mode "$mode" --max-ring-order 4; then
		echo "$mode: memback refused the mode"
		sim_stop
		continue
	fi
	dom=$(sim_domain_create bench)
	attach "$dom" xvdb size=512M >/dev/null
	# Populate the disk first so that reads hit memory, not zeros.
	sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb --rw write --bs 44K \
		--qd 16 --size 256M >/dev/null 2>&1
	for rw in read write; do
		for bs in 4K 1M; do
			for qd in 1 32; do
				before=$(stat_json)
				out=$(sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb \
					--ring-order 4 --rw "$rw" --pattern rand --bs $bs --qd $qd \
					--time "$SECS" --size 256M --json 2>&1)
				after=$(stat_json)
				line=$(python3 - "$out" "$memcpy" <<'PY'
import json, sys
try:
    r = json.loads(sys.argv[1].strip().splitlines()[-1])
except Exception:
    print("error " + sys.argv[1].strip().splitlines()[-1][:60]); sys.exit()
p = r["phases"][-1]
print("%d %.1f %.1f %.1f %.1f %d" % (p["iops"], p["mb_s"], p["lat_us"]["p50"], p["lat_us"]["p99"],
      100 * p["mb_s"] / 1000 / float(sys.argv[2]), p["ops"]))
PY
)
				if [[ "$line" == error* ]]; then
					printf '%-10s %-5s %-5s %3s %s\n' "$mode" $rw $bs $qd "$line"
					continue
				fi
				read -r iops mbs p50 p99 pct ops <<<"$line"
				read -r cpr epr <<<"$(per_req "$before" "$after" "$ops")"
				printf '%-10s %-5s %-5s %3s %10s %9s %8s %8s %8s%% %10s %9s\n' \
					"$mode" $rw $bs $qd "$iops" "$mbs" "$p50" "$p99" "$pct" "$cpr" "$epr"
			done
		done
	done
	mb_stop
	sim_stop
done
end=$("$SIM_BUILD/tests/memcpy_bw" | awk '{print $3}')
echo "memcpy again at the end: $end GB/s (the %memcpy column used $memcpy)"
