#!/bin/bash
# End to end: memback's counters against a known workload (guest_stats:
# exact numbers of reads, writes, flushes, discards and refused requests);
# `memback-ctl stats` text and JSON say the same; the counters outlive the
# connection that made them.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728
ctl() { "$SIM_BUILD/memback-ctl" "$@" --control "$SIM_DIR/memback.sock"; }

# expect_counts JSON: every counter the workload fixes, exactly.
expect_counts() {
	python3 - "$1" <<'EOF'
import json, sys
devs = json.loads(sys.argv[1])
want = {"reads": 73, "writes": 100, "flushes": 10, "discards": 5, "others": 0,
        "errors": 3, "segments": 270, "bytes_read": 70 * 4096,
        "bytes_written": 100 * 8192, "persistent_grants": 0}
if len(devs) != 1:
    sys.exit("%d devices" % len(devs))
bad = {k: (devs[0].get(k), v) for k, v in want.items() if devs[0].get(k) != v}
if bad:
    sys.exit("got, wanted: %s" % bad)
d = devs[0]
if d["passes"] < 188 or d["kicks"] < 1:
    sys.exit("passes %d kicks %d" % (d["passes"], d["kicks"]))
if (d["domain"], d["vdev"], d["size"]) != ("web1", "xvdb", 8 << 20):
    sys.exit("labels %s %s size %d" % (d["domain"], d["vdev"], d["size"]))
# Every request is in its operation's histograms, on both clocks; the
# time from first seen is never less than from taken off the ring.
ops = {"read": "reads", "write": "writes", "flush": "flushes", "discard": "discards",
       "other": "others"}
for clock in ("service", "total"):
    for op, key in ops.items():
        h = d["latency"][clock][op]
        if sum(h["buckets"]) != d[key] or len(h["buckets"]) != 26:
            sys.exit("%s %s histogram: %d of %d" % (clock, op, sum(h["buckets"]), d[key]))
        if d[key] and h["sum_ns"] <= 0:
            sys.exit("%s %s: sum %d" % (clock, op, h["sum_ns"]))
for op in ops:
    if d["latency"]["total"][op]["sum_ns"] < d["latency"]["service"][op]["sum_ns"]:
        sys.exit("%s: total below service time" % op)
EOF
}

# text_matches_json: the text's key=value words are the JSON's members.
text_matches_json() {
	python3 - "$(ctl stats)" "$(ctl stats --json)" <<'EOF'
import json, sys
text, devs = sys.argv[1].splitlines(), json.loads(sys.argv[2])
assert len(text) == len(devs), (text, devs)
for line, dev in zip(text, devs):
    head, words = line.split(": ", 1)
    assert head == "vbd %d/%d" % (dev["domid"], dev["devid"]), head
    kv = dict(w.split("=", 1) for w in words.split())
    want = {k: str(v) for k, v in dev.items() if k not in ("domid", "devid", "latency", "queues")}
    for clock, ops in dev["latency"].items():
        for op, h in ops.items():
            want["%s_%s_ns" % (clock, op)] = str(h["sum_ns"])
            want["%s_%s_buckets" % (clock, op)] = ",".join(map(str, h["buckets"]))
    assert kv == want, (kv, want)
EOF
}

# Debian's python3 and its python3-prometheus-client (tools/install-deps.sh).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

sim_start
if "$SIM_BUILD/memback" -f --metrics 127.0.0.1 2>"$SIM_DIR/err"; then
	fail bad_metrics_address_refused "exit 0"
else
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$SIM_DIR/err")" = 1 ] && grep -q "ADDR:PORT" "$SIM_DIR/err" &&
		pass bad_metrics_address_refused ||
		fail bad_metrics_address_refused "exit $rc: $(cat "$SIM_DIR/err")"
fi
mb_start --pool-size 16M --metrics "unix:$SIM_DIR/metrics.sock"
dom=$(sim_domain_create web1)
check attach_xvdb attach "$dom" xvdb size=8M
sim_as_domain "$dom" "$SIM_BUILD/tests/guest_stats" $XVDB || SIM_FAILED=1

# The guest closed its device: the counters are the device's, kept.
check guest_disconnected wait_node "$(be_path "$dom" $XVDB)/state" 6 5
json=$(ctl stats --json)
out=$(expect_counts "$json" 2>&1) && pass counters_exact_after_known_workload ||
	fail counters_exact_after_known_workload "$out"
check stats_text_matches_json text_matches_json

if ! "$PY" -c 'import prometheus_client' 2>/dev/null; then
	skip metrics_parse "no python3-prometheus-client for $PY (tools/install-deps.sh installs it)"
elif "$PY" tests/e2e/scrape.py "unix:$SIM_DIR/metrics.sock" >"$SIM_DIR/metrics.txt"; then
	out=$("$PY" tests/e2e/check_metrics.py "$SIM_DIR/metrics.txt" "$dom" 2>&1) &&
		pass metrics_unix_parse_and_match || fail metrics_unix_parse_and_match "$out"
else
	fail metrics_unix_parse_and_match "no answer on unix:$SIM_DIR/metrics.sock"
fi
out=$("$PY" tests/e2e/scrape.py "unix:$SIM_DIR/metrics.sock" /nothing 2>&1)
[ "$out" = "HTTP/1.0 404 Not Found" ] && pass metrics_other_path_404 ||
	fail metrics_other_path_404 "$out"

# The same over TCP on the loopback, from a restarted daemon (SIGTERM: the
# device is kept and taken up again; its counters start again from zero).
check sigterm_exits_0 mb_stop TERM
# A free port: the first of a few that memback can bind.
for try in 0 1 2 3; do
	port=$((20000 + ($$ + try * 7919) % 20000))
	mb_start --pool-size 16M --metrics "127.0.0.1:$port" 2>/dev/null && break
done
if "$PY" tests/e2e/scrape.py "127.0.0.1:$port" >"$SIM_DIR/metrics-tcp.txt" &&
	grep -q '^memback_requests_total{domid="'"$dom"'",domain="web1",vdev="xvdb",op="read"} 0$' \
		"$SIM_DIR/metrics-tcp.txt"; then
	pass metrics_tcp_answers
else
	fail metrics_tcp_answers "$(head -c 300 "$SIM_DIR/metrics-tcp.txt" 2>/dev/null)"
fi
check detach_xvdb detach "$dom" xvdb
check sigterm_again_exits_0 mb_stop

# Persistent grants: every data segment of the known workload is either a
# hit or a new mapping (evictions: tests/ring/test_gio_persistent.c).
mb_start --pool-size 16M --grant-mode persistent
check attach_persistent attach "$dom" xvdb size=8M
sim_as_domain "$dom" "$SIM_BUILD/tests/guest_stats" $XVDB || SIM_FAILED=1
check persistent_guest_disconnected wait_node "$(be_path "$dom" $XVDB)/state" 6 5
out=$(ctl stats --json | python3 -c "
import json, sys
d = json.load(sys.stdin)[0]
hits, maps, segs = d['persistent_grant_hits'], d['grant_maps'], d['segments']
ok = hits > 250 and hits + maps == segs and d['persistent_grants'] == 0
print('hits %d maps %d segments %d kept %d' % (hits, maps, segs, d['persistent_grants']))
sys.exit(not ok)") && pass persistent_hits_counted || fail persistent_hits_counted "$out"
check detach_persistent detach "$dom" xvdb
check sigterm_persistent_exits_0 mb_stop
