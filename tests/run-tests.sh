#!/bin/bash
# Run every test program given on the command line and add up their results.
#
# A test program prints one line per case: "PASS: name", "FAIL: name: why" or
# "SKIP: name: why", and exits 0 when nothing failed. A program that exits
# non-zero (or times out) without printing a FAIL line counts as one failure.
# The last line is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
export BUILD="${BUILD:-build}"
TIMEOUT="${TEST_TIMEOUT:-600}"
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0
failed_progs=()
for t in "$@"; do
	name=$(basename "$t")
	log="$LOGDIR/$name.log"
	start=$(date +%s%3N)
	case "$t" in
	*.sh) timeout -k 10 "$TIMEOUT" bash "$t" >"$log" 2>&1 ;;
	*)    timeout -k 10 "$TIMEOUT" "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "FAIL: $name: exited with status $rc" >>"$log"
	fi
	ms=$(($(date +%s%3N) - start)); secs="$((ms / 1000)).$(((ms % 1000) / 100))"
	printf '%-40s %4d passed %3d failed %3d skipped  (%ss)\n' "$name" "$p" "$f" "$s" "$secs"
	if [ "$f" != 0 ]; then
		failed_progs+=("$name")
		grep -E '^FAIL: ' "$log" | sed 's/^/    /'
		echo "    --- last lines of $log ---"
		tail -n 30 "$log" | sed 's/^/    | /'
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo
[ ${#failed_progs[@]} -gt 0 ] && echo "failed programs: ${failed_progs[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
