#!/usr/bin/env python3
"""check_metrics.py FILE DOMID: memback's metrics after guest_stats's known
workload, parsed with prometheus_client's own text parser: the counts, the
histograms whole and consistent, the labels, the pool."""
import sys

from prometheus_client.parser import text_string_to_metric_families

fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
dev = dict(domid=sys.argv[2], domain="web1", vdev="xvdb")


def val(fam, name, **labels):
    for s in fams[fam].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise SystemExit("no sample %s %s" % (name, labels))


assert fams["memback_requests"].type == "counter"
for op, n in (("read", 73), ("write", 100), ("flush", 10), ("discard", 5), ("other", 0)):
    got = val("memback_requests", "memback_requests_total", op=op, **dev)
    assert got == n, (op, got, n)
    for h in ("memback_request_service_seconds", "memback_request_seconds"):
        assert fams[h].type == "histogram"
        assert val(h, h + "_count", op=op, **dev) == n, (h, op)
        buckets = [(float(s.labels["le"]), s.value) for s in fams[h].samples
                   if s.name == h + "_bucket" and s.labels["op"] == op]
        assert len(buckets) == 26 and buckets[-1] == (float("inf"), n), buckets
        assert all(a[1] <= b[1] and a[0] < b[0] for a, b in zip(buckets, buckets[1:]))
        assert (val(h, h + "_sum", op=op, **dev) > 0) == (n > 0), (h, op)
assert val("memback_errors", "memback_errors_total", **dev) == 3
assert val("memback_bytes", "memback_bytes_total", op="read", **dev) == 70 * 4096
assert val("memback_bytes", "memback_bytes_total", op="write", **dev) == 100 * 8192
assert fams["memback_persistent_grants"].type == "gauge"
assert val("memback_inflight_requests", "memback_inflight_requests", **dev) == 0
assert val("memback_disk_size_bytes", "memback_disk_size_bytes", **dev) == 8 << 20
assert val("memback_pool_size_bytes", "memback_pool_size_bytes") == 16 << 20
assert val("memback_pool_reserved_bytes", "memback_pool_reserved_bytes") == 8 << 20
used = val("memback_pool_used_bytes", "memback_pool_used_bytes")
assert used == val("memback_disk_used_bytes", "memback_disk_used_bytes", **dev) and used > 0
assert val("memback_pool_resident_bytes", "memback_pool_resident_bytes") >= 100 * 8192
