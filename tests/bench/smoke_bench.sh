#!/bin/bash
# make check's look at make bench: the quick mode runs, writes its CSV and
# ends with exactly one well-formed summary line. Never about speed.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/sim.sh
out=$(BENCH_QUICK=1 bash tests/bench/bench_e2e.sh 2>&1)
rc=$?
echo "$out" | sed 's/^/| /'
csv="$SIM_BUILD/bench-quick/bench.csv"
num='-?[0-9]+(\.[0-9]+)?'
# Syscalls are counted only where perf or strace is installed.
re="^summary: seq1m_memcpy_ratio=$num rand4k_qd32_iops=$num qd1_p50_us=$num"
re+=" notify_per_req=$num gmap_per_req=$num gcopy_per_pass=$num syscalls_per_req=($num|NA)\$"

[ "$rc" = 0 ] && pass bench_quick_exits_0 || fail bench_quick_exits_0 "status $rc"
last=$(tail -n 1 <<<"$out")
if [[ "$last" =~ $re ]]; then pass summary_well_formed; else fail summary_well_formed "last line: $last"; fi
n=$(grep -c '^summary:' <<<"$out")
[ "$n" = 1 ] && pass one_summary_line || fail one_summary_line "$n summary lines"
# Header plus one line per row, each with every column and no I/O error.
rows_ok=$(python3 - "$csv" <<'PY'
import csv, sys
try:
    rows = list(csv.DictReader(open(sys.argv[1])))
except OSError:
    rows = []
ok = len(rows) == 3 and all(None not in r and r["errors"] == "0" for r in rows)
print("yes" if ok else "no: %r" % rows)
PY
)
[ "$rows_ok" = yes ] && pass csv_rows || fail csv_rows "$rows_ok"
