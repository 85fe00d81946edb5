# Helpers for the restart tests: verifier guests (build/tests/guest_verify)
# running in the background on the simulated host, stopped with a file,
# their results collected, their response gaps turned into downtime.
# Source after tests/e2e/lib.sh.
# shellcheck shell=bash

VERIFY_PIDS=()
VERIFY_NAMES=()

# verify_spawn NAME DOMID DEVID [guest_verify options...]: start a verifier
# in domain DOMID on DEVID, in the background; its output is $SIM_DIR/NAME.out.
verify_spawn() {
	local name=$1 dom=$2 devid=$3
	shift 3
	rm -f "$SIM_DIR/$name.ready" "$SIM_DIR/$name.stop"
	"$XENSIM" run-as --dir "$SIM_DIR" "$dom" -- "$SIM_BUILD/tests/guest_verify" \
		--prefix "${name}_" --stop-file "$SIM_DIR/$name.stop" \
		--ready-file "$SIM_DIR/$name.ready" "$@" "$devid" >"$SIM_DIR/$name.out" 2>&1 &
	VERIFY_PIDS+=($!)
	VERIFY_NAMES+=("$name")
	sim_track_pid "$!"
}

# verify_ready NAME [SECONDS]: until the verifier NAME is connected and
# running (10 s); FAIL if it is not.
verify_ready() {
	local name=$1 i pid=${VERIFY_PIDS[-1]}
	for i in "${!VERIFY_NAMES[@]}"; do
		[ "${VERIFY_NAMES[$i]}" = "$name" ] && pid=${VERIFY_PIDS[$i]}
	done
	for i in $(seq $((${2:-10} * 20))); do
		[ -e "$SIM_DIR/$name.ready" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "${name}_started" "$(tail -n 5 "$SIM_DIR/$name.out")"
	return 1
}

# verify_start NAME DOMID DEVID [options...]: spawn, and wait until ready.
verify_start() {
	verify_spawn "$@"
	verify_ready "$1"
}

# verify_finish [SECONDS]: stop every verifier (each drains, reads its disk
# back and prints its checks), wait up to SECONDS (60) for them, and copy
# their PASS/FAIL/FIGURES lines to our output. Fails if one hangs.
verify_finish() {
	local i pid name t limit=$((${1:-60} * 10))
	for name in "${VERIFY_NAMES[@]}"; do touch "$SIM_DIR/$name.stop"; done
	for i in "${!VERIFY_PIDS[@]}"; do
		pid=${VERIFY_PIDS[$i]} name=${VERIFY_NAMES[$i]}
		for ((t = 0; t < limit; t++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null
			fail "${name}_finished" "still running; last lines: $(tail -n 3 "$SIM_DIR/$name.out")"
		fi
		wait "$pid" 2>/dev/null
		grep -E '^(PASS|FAIL|FIGURES): ' "$SIM_DIR/$name.out" | sed "s/^FIGURES: /# ${name} figures: /"
		grep -q '^FAIL: ' "$SIM_DIR/$name.out" && SIM_FAILED=1
		! grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SIM_DIR/$name.out" ||
			fail "${name}_sanitizer" "$(grep -m 3 -E 'Sanitizer|runtime error' "$SIM_DIR/$name.out")"
		grep -q '^FIGURES: ' "$SIM_DIR/$name.out" ||
			fail "${name}_reported" "$(tail -n 5 "$SIM_DIR/$name.out")"
	done
	VERIFY_PIDS=()
	VERIFY_NAMES=()
}

# verify_figure NAME KEY: one value of NAME's FIGURES line.
verify_figure() {
	sed -n "s/^FIGURES: .*\b$2=\([0-9.]*\).*/\1/p" "$SIM_DIR/$1.out"
}

now_ns() { date +%s%N; }

# verify_downtime EVENTS_FILE NAME...: EVENTS_FILE has a line "BEFORE AFTER"
# (ns) per event, in order (a kill: just before it was sent, and once the
# process is gone). For each event and verifier, the first gap ending after
# AFTER (and before the next event) is the one the event made; its
# downtime runs from the gap's start (the last response before the kill,
# or the first request after it), or BEFORE if later, to its end.
# Prints "N MEDIAN_MS MAX_MS MISSING": MISSING counts (event, verifier)
# pairs with no such gap.
verify_downtime() {
	local events=$1
	shift
	local outs=()
	for n in "$@"; do outs+=("$SIM_DIR/$n.out"); done
	python3 - "$events" "${outs[@]}" <<'EOF'
import statistics, sys
events = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
downs, missing = [], 0
for out in sys.argv[2:]:
    gaps = []
    for line in open(out):
        f = line.split()
        if len(f) == 4 and f[:2] == ["#", "gap"]:
            end = int(f[2]); gaps.append((end - int(f[3]) * 1000, end))
    for i, (before, after) in enumerate(events):
        # The first response after the event ends its gap (a guest that
        # had nothing in flight at the kill waits from its next request);
        # one after the next event is no answer to this one.
        limit = events[i + 1][0] if i + 1 < len(events) else float("inf")
        hit = [(start, end) for start, end in gaps if after <= end < limit]
        if hit:
            downs.append((hit[0][1] - max(hit[0][0], before)) / 1e6)
        else:
            missing += 1
            print("# no gap over the event at %d..%d in %s" % (before, after, out), file=sys.stderr)
if downs:
    print(len(downs), "%.1f" % statistics.median(downs), "%.1f" % max(downs), missing)
else:
    print(0, 0, 0, missing)
EOF
}
