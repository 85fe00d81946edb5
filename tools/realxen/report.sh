#!/bin/bash
# Read a real-Xen run's serial log: split out the files dom0 dumped
# ("=== FILE name" ... "=== END name"), print the PASS/FAIL/INFO lines, the
# benchmark table (FIG lines: xvda = kernel blkback, xvdb = memback), and
# exit 0 only when every step passed and dom0 reached its end marker.
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
figs=$(tr -d '\r' <"$S" | grep '^FIG ' || true)
if [ -n "$figs" ]; then
	echo
	echo "$figs" | awk '
	{ d = ($2 ~ /xvda/) ? "blkback" : "memback"; t = $3
	  if (!(t in seen)) { seen[t] = 1; order[++n] = t }
	  mb[d, t] += $4; io[d, t] += $5; k[d, t]++ }
	END {
	  printf "| test | kernel blkback (brd) | memback | memback/blkback |\n|---|---|---|---|\n"
	  for (i = 1; i <= n; i++) { t = order[i]
	    if (!k["blkback", t] || !k["memback", t]) continue
	    b = mb["blkback", t] / k["blkback", t]; m = mb["memback", t] / k["memback", t]
	    bi = io["blkback", t] / k["blkback", t]; mi = io["memback", t] / k["memback", t]
	    printf "| %s | %.1f MB/s, %.0f IOPS | %.1f MB/s, %.0f IOPS | %.2f |\n", t, b, bi, m, mi, m / b }
	  printf "(means of %d runs each, one guest, QD 1, O_DIRECT)\n", k["memback", order[1]] }'
fi
# What memback did per request for the main guest (memback-ctl stats).
if [ -s "$LOGS/memback-stats.txt" ]; then
	echo
	awk '{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2] }
	END { r = v["reads"] + v["writes"]; if (!r) exit
	  printf "memback, main guest: %d requests; per request %.2f grant-copy calls, %.2f grant maps, %.2f kicks taken, %.2f notifications sent\n",
	    r, v["grant_copies"] / r, v["grant_maps"] / r, v["kicks"] / r, v["notifies"] / r }' \
		"$LOGS/memback-stats.txt"
fi
npass=$(echo "$lines" | grep -c '^PASS' || true)
nfail=$(echo "$lines" | grep -c '^FAIL' || true)
echo
if ! echo "$lines" | grep -q '^CHECK-XEN END'; then
	echo "check-xen: FAIL: dom0 never reached its end (see $S)"
	exit 1
fi
echo "check-xen: $npass passed, $nfail failed"
[ "$nfail" = 0 ] && [ "$npass" -gt 0 ]
