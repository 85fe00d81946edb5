#!/bin/bash
# Run each libFuzzer target given for FUZZ_SECONDS (default 60) under nice,
# from tests/fuzz/corpus/<target> (read only) into build-fuzz/corpus/<target>,
# and print the executions of each and in total. A crash leaves its input
# in build-fuzz/crash-<target>-*: add it to the corpus once fixed.
# --merge: minimise build-fuzz/corpus/<target> into tests/fuzz/corpus/<target>.
set -u
cd "$(dirname "$0")/../.."
merge=0
[ "${1:-}" = --merge ] && { merge=1; shift; }
secs=${FUZZ_SECONDS:-60}
total=0 failed=0
for t in "$@"; do
	seeds=tests/fuzz/corpus/$t work=build-fuzz/corpus/$t
	mkdir -p "$seeds" "$work"
	if [ $merge = 1 ]; then
		nice build-fuzz/$t -merge=1 "$seeds" "$work" 2>&1 | tail -1
		continue
	fi
	log=build-fuzz/$t.log
	nice build-fuzz/$t -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/crash-$t-" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	runs=${runs:-0}
	total=$((total + runs))
	if [ $rc = 0 ]; then
		printf '%-16s %12d executions in %ss\n' "$t" "$runs" "$secs"
	else
		failed=$((failed + 1))
		printf '%-16s %12d executions: FAILED (see %s)\n' "$t" "$runs" "$log"
	fi
done
[ $merge = 1 ] && exit 0
printf '%-16s %12d executions\n' total "$total"
[ $failed = 0 ]
