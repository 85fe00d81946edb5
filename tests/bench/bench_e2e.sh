#!/bin/bash
# make bench: memback end to end on the simulated host, as a guest sees it.
#
# The matrix, for each grant mode (the default first) and 1 and 2 queues:
# 4 KiB random read, write and 70/30 at QD 1, 8, 32, 128; 64 KiB and
# 1 MiB sequential read and write at QD 1 and 32. Each row: IOPS, MB/s,
# latency, and its ratio to memcpy measured in the same run just before
# and after it (the larger reading), shaped like the row (block size; the disk range it touches on the
# pool side, queue depth x block size of guest buffers on the other; one
# thread per queue; sequential or random), so the ratio is what one copy
# per byte could reach. Per request, from the difference between a short
# run of N requests and the timed run (so what a connection costs once
# cancels): grant-copy calls (and their ops
# and hypercalls), grant map and unmap calls, notifications each way (the
# simulator's counters), the daemon's syscalls (perf's raw_syscalls count,
# or strace -c), its heap allocations (tests/bench/alloc_count.c preloaded)
# and ring passes (memback's own counters).
#
# Writes build/bench/bench.csv and PNG plots (gnuplot); ends with exactly
# one line "summary: ..." (the default mode, 1 queue). Figures only:
# nothing here passes or fails on speed. On a shared machine the
# absolute figures are noisy; the ratios within one run are the result.
#
#   BENCH_QUICK=1   a few rows, short runs, into build/bench-quick/; installs
#                   nothing (the smoke test in make check)
#   BENCH_SECS      seconds per timed run (default 0.8)
#   BENCH_MODES     grant modes (default: the daemon's default, then the rest)
#   BENCH_QUEUES    queue counts (default "1 2")
#   BENCH_SYSCOUNT  perf, strace or none (default: perf if it works)
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
REPORT="python3 tests/bench/bench_report.py"
QUICK=${BENCH_QUICK:-0}
T_START=$(date +%s)

# The daemon's default grant mode, from its own help text.
DEFAULT_MODE=$("$SIM_BUILD/memback" --help 2>&1 |
	sed -n 's/.*--grant-mode MODE *\([a-z]*\) (default).*/\1/p')
DEFAULT_MODE=${DEFAULT_MODE:-copy}
ALL_MODES="$DEFAULT_MODE $(echo copy persistent map | tr ' ' '\n' | grep -vx "$DEFAULT_MODE" | tr '\n' ' ')"

if [ "$QUICK" = 1 ]; then
	OUT="$SIM_BUILD/bench-quick"
	MODES=${BENCH_MODES:-$DEFAULT_MODE}
	QUEUE_SET=${BENCH_QUEUES:-1}
	SECS=${BENCH_SECS:-0.3}
	MC_SECS=0.03
	DISK_MB=32
	ROWS=("read rand 4K 1" "read rand 4K 32" "read seq 1M 32")
else
	OUT="$SIM_BUILD/bench"
	MODES=${BENCH_MODES:-$ALL_MODES}
	QUEUE_SET=${BENCH_QUEUES:-1 2}
	SECS=${BENCH_SECS:-0.8}
	MC_SECS=0.1
	DISK_MB=256
	ROWS=()
	for rw in read write mixed:70; do
		for qd in 1 8 32 128; do ROWS+=("$rw rand 4K $qd"); done
	done
	for bs in 64K 1M; do
		for rw in read write; do
			for qd in 1 32; do ROWS+=("$rw seq $bs $qd"); done
		done
	done
fi
CSV="$OUT/bench.csv"
WORK="$OUT/runs"
rm -rf "$WORK"
mkdir -p "$OUT" "$WORK"

# make bench may install what it measures with (never in quick mode).
ensure_tools() {
	local missing=()
	command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
	perf stat -e raw_syscalls:sys_enter -x, -- true >/dev/null 2>&1 || missing+=(linux-perf)
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "bench: missing ${missing[*]} (not root: no plots / syscall counts)"
		return 0
	fi
	echo "bench: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		echo "bench: could not install ${missing[*]}"
}
[ "$QUICK" = 1 ] || ensure_tools

# How the daemon's syscalls are counted: perf (in-kernel count, barely
# slows it), else strace -c (slows every syscall), else not at all.
# BENCH_SYSCOUNT=perf|strace|none chooses.
SYSCOUNT=${BENCH_SYSCOUNT:-}
if [ -n "$SYSCOUNT" ]; then
	:
elif perf stat -e raw_syscalls:sys_enter -x, -- true >/dev/null 2>&1; then
	SYSCOUNT=perf
elif command -v strace >/dev/null; then
	SYSCOUNT=strace
else
	SYSCOUNT=none
fi
# The allocation counter cannot sit under AddressSanitizer's allocator.
ALLOC_LIB="$SIM_BUILD/tests/liballoc_count.so"
if ldd "$SIM_BUILD/memback" 2>/dev/null | grep -q libasan || [ ! -e "$ALLOC_LIB" ]; then
	ALLOC_LIB=
fi

size_bytes() {
	case $1 in
	*K) echo $((${1%K} << 10)) ;;
	*M) echo $((${1%M} << 20)) ;;
	*) echo "$1" ;;
	esac
}

# Requests in the short counting run; the timed run is the long one.
# What a connection costs once (~1000 syscalls, varying by a few hundred)
# cancels in the difference, which spans many more requests than that.
count_n() {
	local n
	case $1 in
	4K) n=2000 ;;
	64K) n=1000 ;;
	*) n=100 ;;
	esac
	[ "$QUICK" = 1 ] && n=$((n / 5))
	echo $n
}

# count_syscalls FILE CMD...: run CMD, counting the daemon's syscalls meanwhile.
count_syscalls() {
	local out=$1 rc sp
	shift
	case $SYSCOUNT in
	perf)
		perf stat -x, -e raw_syscalls:sys_enter -e syscalls:sys_enter_futex \
			-p "$MB_PID" -o "$out" -- "$@"
		;;
	strace)
		strace -c -f -p "$MB_PID" -o "$out" 2>/dev/null &
		sp=$!
		sleep 0.5
		"$@"
		rc=$?
		kill -INT "$sp"
		wait "$sp"
		return $rc
		;;
	*) "$@" ;;
	esac
}

snap() {
	"$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json >"$1.xs"
	"$SIM_BUILD/memback-ctl" stats --json --control "$SIM_DIR/memback.sock" >"$1.mb"
	[ -z "$ALLOC_LIB" ] || cp "$SIM_DIR/allocs" "$1.alloc"
}

# bf QUEUES ARGS...: the load generator inside the guest.
bf() {
	local q=$1
	shift
	"$XENSIM" run-as --dir "$SIM_DIR" "$DOM" -- "$SIM_BUILD/blkfront" --devid xvdb \
		--ring-order 4 --queues "$q" --size "${DISK_MB}M" --json "$@"
}

# row MODE QUEUES RW PATTERN BS QD: measure one row, append it to the CSV.
row() {
	local mode=$1 q=$2 rw=$3 pat=$4 bs=$5 qd=$6 rp d
	local bytes
	bytes=$(size_bytes "$bs")
	case $rw in
	read) rp=100 ;;
	write) rp=0 ;;
	*) rp=${rw#mixed:} ;;
	esac
	d="$WORK/$mode-q$q-${rw/:/}-$pat-$bs-qd$qd"
	mkdir -p "$d"
	# As many copying threads as queues with a request in flight; before
	# and after the timed run (the larger counts: on a shared machine a
	# reading can be low).
	local mc=("$SIM_BUILD/tests/memcpy_bw" --bs "$bytes" --pool-set "$((DISK_MB << 20))"
		--guest-set "$((qd * bytes))" --threads "$((qd < q ? qd : q))" --pattern "$pat"
		--read-pct "$rp" --secs "$MC_SECS")
	"${mc[@]}" >"$d/memcpy"
	local args=(--rw "$rw" --pattern "$pat" --bs "$bs" --qd "$qd")
	local bfc=("$XENSIM" run-as --dir "$SIM_DIR" "$DOM" -- "$SIM_BUILD/blkfront"
		--devid xvdb --ring-order 4 --queues "$q" --size "${DISK_MB}M" --json "${args[@]}")
	snap "$d/pre1"
	count_syscalls "$d/sys1" "${bfc[@]}" --count "$(count_n "$bs")" \
		>"$d/count1.json" 2>"$d/count1.err"
	snap "$d/post1"
	snap "$d/pre2"
	count_syscalls "$d/sys2" "${bfc[@]}" --time "$SECS" >"$d/timed.json" 2>"$d/timed.err"
	snap "$d/post2"
	"${mc[@]}" >>"$d/memcpy"
	$REPORT row "$d" "$mode" "$q" "$rw" "$pat" "$bytes" "$qd" >>"$CSV"
	$REPORT last "$CSV"
}

$REPORT header >"$CSV"
echo "bench: modes $MODES; queues $QUEUE_SET; ${SECS} s per timed run; disk range ${DISK_MB} MiB;"
[ -n "$ALLOC_LIB" ] && allocs=counted || allocs="not counted (ASan build)"
echo "       syscalls counted with $SYSCOUNT; allocations $allocs"
echo "       xmemcpy: MB/s over same-shape memcpy measured around the row (the larger of two)"
$REPORT table "$CSV"
for mode in $MODES; do
	sim_start
	: >"$SIM_DIR/allocs"
	if ! ALLOC_COUNT_FILE="$SIM_DIR/allocs" ALLOC_COUNT_EXE=memback \
		ALLOC_COUNT_APART="$SIM_BUILD/lib/" \
		LD_PRELOAD="$ALLOC_LIB" mb_start --pool-size 1G --grant-mode "$mode" \
		--max-ring-order 4 --max-queues 2; then
		echo "$mode: memback refused the mode"
		sim_stop
		continue
	fi
	DOM=$(sim_domain_create bench --memory 512)
	attach "$DOM" xvdb "size=${DISK_MB}M" >/dev/null
	# Every block written first, so that reads copy data, not holes.
	bf 1 --rw write --pattern seq --bs 1M --qd 8 --count "$DISK_MB" >/dev/null 2>&1
	for q in $QUEUE_SET; do
		for spec in "${ROWS[@]}"; do
			# shellcheck disable=SC2086
			row "$mode" "$q" $spec
		done
	done
	mb_stop || echo "$mode: memback exited with an error; its log: $MB_LOG"
	sim_stop
done

if [ "$QUICK" != 1 ] || command -v gnuplot >/dev/null; then
	if command -v gnuplot >/dev/null && $REPORT plot "$CSV" "$OUT" >"$OUT/plots.gp" &&
		gnuplot "$OUT/plots.gp" 2>"$OUT/gnuplot.err"; then
		echo "plots: $OUT/iops_vs_qd.png $OUT/mbs_vs_bs.png"
	else
		echo "plots: not made (no gnuplot, or it failed: $OUT/gnuplot.err)"
	fi
fi
$REPORT pivot "$CSV"
echo "csv: $CSV  (per-run data: $WORK)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo '+changes'); took $(($(date +%s) - T_START)) s"
$REPORT summary "$CSV" "$DEFAULT_MODE"
