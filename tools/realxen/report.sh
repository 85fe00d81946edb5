#!/bin/bash
# Read a real-Xen run's serial log: split out the files dom0 dumped
# ("=== FILE name" ... "=== END name"), print the PASS/FAIL/INFO lines, the
# three-way benchmark table (bench-table.awk), memback's per-request counts,
# and exit 0 only when every step passed and dom0 reached its end marker.
#   report.sh LOG_DIR
set -eu
LOGS=${1:?usage: report.sh LOG_DIR}
S=$LOGS/serial.log
tr -d '\r' <"$S" | awk -v dir="$LOGS" '
	/^[a-z0-9]+\| / { n = index($0, "| "); g = dir "/" substr($0, 1, n - 1) ".log"
		if (!(g in opened)) { opened[g] = 1; printf "" > g }
		print substr($0, n + 2) >> g; next }
	/^=== FILE / { f = dir "/" substr($0, 10); printf "" > f; next }
	/^=== END /  { close(f); f = ""; next }
	f != ""      { print >> f }'
lines=$(tr -d '\r' <"$S" | grep -E '^(PASS|FAIL|INFO|CHECK-XEN END)' || true)
echo "$lines" | grep -E '^(PASS|FAIL|INFO)' || true
# The three-way table (FIO lines: blkback, qdisk, memback in each grant
# mode) and the realxen-summary line, kept in bench-table.txt.
if tr -d '\r' <"$S" | grep -q '^FIO '; then
	echo
	tr -d '\r' <"$S" | awk -f "$(dirname "$0")/bench-table.awk" | tee "$LOGS/bench-table.txt"
fi
# What memback did per request (memback-ctl stats): the main guest's disk,
# and the bench guest's in each grant mode.
per_request() { # per_request WHAT FILE
	awk -v what="$1" '{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2] }
	END { r = v["reads"] + v["writes"]; if (!r) exit
	  printf "memback, %s: %d requests; per request %.2f grant-copy calls, %.2f grant maps, %.2f kicks taken, %.2f notifications sent\n",
	    what, r, v["grant_copies"] / r, v["grant_maps"] / r, v["kicks"] / r, v["notifies"] / r }' "$2"
}
echo
[ -s "$LOGS/memback-stats.txt" ] && per_request "main guest" "$LOGS/memback-stats.txt"
for f in "$LOGS"/memback-stats-bench-*.txt; do
	[ -s "$f" ] || continue
	m=${f##*bench-}; per_request "bench guest, grant mode ${m%.txt}" "$f"
done
npass=$(echo "$lines" | grep -c '^PASS' || true)
nfail=$(echo "$lines" | grep -c '^FAIL' || true)
echo
if ! echo "$lines" | grep -q '^CHECK-XEN END'; then
	echo "check-xen: FAIL: dom0 never reached its end (see $S)"
	exit 1
fi
echo "check-xen: $npass passed, $nfail failed"
[ "$nfail" = 0 ] && [ "$npass" -gt 0 ]
