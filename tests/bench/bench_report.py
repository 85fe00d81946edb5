#!/usr/bin/env python3
"""The bench's arithmetic, for tests/bench/bench_e2e.sh.

  bench_report.py header                                   -> the CSV's first line
  bench_report.py row DIR MODE QUEUES RW PATTERN BS QD     -> one CSV line
  bench_report.py table CSV                                -> the rows, compact
  bench_report.py last CSV                                 -> its last row, compact
  bench_report.py pivot CSV                                -> the rows folded by shape
  bench_report.py summary CSV DEFAULT_MODE                 -> the summary line
  bench_report.py plot CSV OUTDIR                          -> gnuplot script

A row's DIR holds what bench_e2e.sh collected: memcpy (the yardstick's
lines, before and after the runs: the larger counts), count1.json (a short
run of N requests) and timed.json (the timed run, M requests; blkfront's
reports), and for k = 1 (short), 2 (timed) pre{k}/post{k}.{xs,mb,alloc}
(xensim stats, memback stats, the allocation counter's file) and sys{k}
(the syscall count). Per-request costs are (cost of the timed run - cost
of the short one) / (M - N): what a connection costs once cancels out,
what each request costs stays.
"""
import csv
import json
import os
import struct
import sys

# One definition of the CSV's columns, in order.
COLUMNS = [
    "mode", "queues", "rw", "pattern", "bs", "qd",
    "iops", "mb_s", "p50_us", "p99_us",
    "memcpy_mb_s", "memcpy_ratio",
    "gcopy_per_req", "gcopy_ops_per_req", "gcopy_hcalls_per_req",
    "gmap_per_req", "gunmap_per_req",
    "notify_be_fe_per_req", "notify_fe_be_per_req",
    "reqs_per_pass", "gcopy_per_pass", "polls_found_share",
    "syscalls_per_req", "futex_per_req", "allocs_per_req", "simlib_allocs_per_req",
    "errors",
]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def mb_counters(doc):
    """memback-ctl stats --json: every numeric key, summed over devices.
    Keys are read by name (the list may grow or be reordered); a key a
    device also has inside a nested list (queues) is not counted twice."""
    out = {}

    def add(d, skip):
        for k, v in d.items():
            if isinstance(v, bool) or k in ("domid", "devid"):
                continue
            if isinstance(v, (int, float)) and k not in skip:
                out[k] = out.get(k, 0) + v
            elif isinstance(v, list):
                for sub in v:
                    if isinstance(sub, dict):
                        add(sub, set(d))
    for dev in doc if isinstance(doc, list) else [doc] if doc else []:
        if isinstance(dev, dict):
            add(dev, set())
    return out


def xs_counters(doc):
    """xensim stats --json: dom0's counters (memback's calls), and the sum
    of the guests' (the frontend's), each by key."""
    dom0, guests = {}, {}
    for domid, st in (doc or {}).items():
        tgt = dom0 if domid == "0" else guests
        for k, v in st.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                tgt[k] = tgt.get(k, 0) + v
    return dom0, guests


def alloc_counts(path):
    """(all allocations, those the simulated Xen libraries made) from
    tests/bench/alloc_count.c's file, or (None, None)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(40)
    except OSError:
        return None, None
    if len(raw) < 40:
        return None, None
    c = struct.unpack("<5Q", raw)
    return sum(c[:4]), c[4]


def syscall_count(path, name=None):
    """All syscalls (name None) or one kind, from perf stat -x, output
    (count first, then the event) or strace -c's table (calls 4th)."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    event = "syscalls:sys_enter_" + name if name else "raw_syscalls:sys_enter"
    for ln in lines:
        fields = ln.split(",")
        if len(fields) > 2 and fields[2] == event:
            return int(fields[0]) if fields[0].isdigit() else None
    for ln in lines:
        parts = ln.split()
        if parts and parts[-1] == (name or "total") and len(parts) >= 4 and parts[3].isdigit():
            return int(parts[3])
    return None


def run_costs(d, k):
    """What the k*N-request run cost, by counter name; None where unknown."""
    pre_mb = mb_counters(load_json(f"{d}/pre{k}.mb"))
    post_mb = mb_counters(load_json(f"{d}/post{k}.mb"))
    pre0, preg = xs_counters(load_json(f"{d}/pre{k}.xs"))
    post0, postg = xs_counters(load_json(f"{d}/post{k}.xs"))
    c = {}
    for key in post_mb:
        if key in pre_mb:
            c["mb." + key] = post_mb[key] - pre_mb[key]
    for key in post0:
        c["xs0." + key] = post0[key] - pre0.get(key, 0)
    for key in postg:
        c["xsg." + key] = postg[key] - preg.get(key, 0)
    (a0, s0), (a1, s1) = alloc_counts(f"{d}/pre{k}.alloc"), alloc_counts(f"{d}/post{k}.alloc")
    known = a0 is not None and a1 is not None
    # memback's own: the simulated libraries' allocations are no real Xen's.
    c["allocs"] = (a1 - s1) - (a0 - s0) if known else None
    c["sim_allocs"] = s1 - s0 if known else None
    c["syscalls"] = syscall_count(f"{d}/sys{k}")
    futex = syscall_count(f"{d}/sys{k}", "futex")
    c["futex"] = futex if futex is not None or c["syscalls"] is None else 0
    return c


def per_req(c1, c2, key, n):
    a, b = c1.get(key), c2.get(key)
    if a is None or b is None or n <= 0:
        return None
    return (b - a) / n


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt(v):
    if v is None:
        return "NA"
    if isinstance(v, int):
        return str(v)
    return "%.4g" % v if abs(v) < 100 else "%.1f" % v


def blkfront_report(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def timed_figures(r):
    """IOPS, MB/s, p50, p99 and error count of a run's report."""
    return (r["iops"], r["mb_s"], r["lat_us"]["p50"], r["lat_us"]["p99"],
            r["io_errors"] + r["verify_errors"] + (1 if r["aborted"] else 0))


def memcpy_mb_s(d):
    try:
        with open(f"{d}/memcpy") as f:
            words = f.read().split()
    except OSError:
        return None
    got = [float(w[5:]) for w in words if w.startswith("mb_s=")]
    return max(got) if got else None


def cmd_row(d, mode, queues, rw, pattern, bs, qd):
    short, timed = blkfront_report(f"{d}/count1.json"), blkfront_report(f"{d}/timed.json")
    if short is None or timed is None or timed["ops"] <= short["ops"]:
        iops = mbs = p50 = p99 = None
        errors = "run failed"
        n = 0
    else:
        iops, mbs, p50, p99, errors = timed_figures(timed)
        errors += timed_figures(short)[4]
        n = timed["ops"] - short["ops"]
    mc = memcpy_mb_s(d)
    c1, c2 = run_costs(d, 1), run_costs(d, 2)
    r = lambda key: per_req(c1, c2, key, n)  # noqa: E731
    passes = r("mb.passes")
    polls, found = r("mb.polls"), r("mb.polls_found")
    # Grant-copy ioctls as memback counts its calls; the simulator charges
    # them as hypercalls of up to 16 ops each, as gntdev makes them.
    gcopy = r("mb.grant_copies")
    row = {
        "mode": mode, "queues": queues, "rw": rw, "pattern": pattern,
        "bs": bs, "qd": qd, "iops": iops, "mb_s": mbs,
        "p50_us": p50, "p99_us": p99,
        "memcpy_mb_s": mc, "memcpy_ratio": ratio(mbs, mc),
        "gcopy_per_req": gcopy,
        "gcopy_ops_per_req": r("xs0.copy_segs"),
        "gcopy_hcalls_per_req": r("xs0.copy_calls"),
        "gmap_per_req": r("xs0.map_calls"), "gunmap_per_req": r("xs0.unmap_calls"),
        "notify_be_fe_per_req": r("xs0.notify_calls"),
        "notify_fe_be_per_req": r("xsg.notify_calls"),
        # passes per request inverted; NA until memback counts passes.
        "reqs_per_pass": ratio(1.0, passes),
        "gcopy_per_pass": ratio(gcopy, passes),
        "polls_found_share": ratio(found, polls),
        "syscalls_per_req": r("syscalls"), "futex_per_req": r("futex"),
        "allocs_per_req": r("allocs"), "simlib_allocs_per_req": r("sim_allocs"),
        "errors": errors,
    }
    print(",".join(fmt(row[k]) if not isinstance(row[k], str) else row[k]
                   for k in COLUMNS))


def read_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def bs_label(bs):
    bs = int(bs)
    return "%dM" % (bs >> 20) if bs >= 1 << 20 else "%dK" % (bs >> 10)


# The compact table: (heading, column, width).
TABLE = [("mode", "mode", 10), ("q", "queues", 1), ("rw", "rw", 8), ("pat", "pattern", 4),
         ("bs", "bs", 3), ("qd", "qd", 3), ("IOPS", "iops", 9), ("MB/s", "mb_s", 7),
         ("p50us", "p50_us", 7), ("xmemcpy", "memcpy_ratio", 7),
         ("gcopy/r", "gcopy_per_req", 7), ("gmap/r", "gmap_per_req", 6),
         ("ntf>fe", "notify_be_fe_per_req", 6), ("ntf>be", "notify_fe_be_per_req", 6),
         ("gc/pass", "gcopy_per_pass", 7), ("sys/r", "syscalls_per_req", 6),
         ("futex/r", "futex_per_req", 7),
         ("alloc/r", "allocs_per_req", 7), ("simalloc/r", "simlib_allocs_per_req", 10)]


def table_line(row):
    cells = []
    for head, col, w in TABLE:
        v = row[col] if row else head
        if row and col == "bs":
            v = bs_label(v)
        elif row and col in ("iops", "mb_s", "p50_us") and v != "NA":
            v = "%.0f" % float(v) if col != "p50_us" else "%.1f" % float(v)
        elif row and col == "memcpy_ratio" and v != "NA":
            v = "%.3f" % float(v)
        cells.append(str(v).rjust(w) if col not in ("mode", "rw", "pattern") else str(v).ljust(w))
    return " ".join(cells)


def cmd_table(path):
    print(table_line(None))
    for row in read_rows(path):
        print(table_line(row))


def cmd_last(path):
    rows = read_rows(path)
    if rows:
        print(table_line(rows[-1]))


def cmd_pivot(path):
    """The CSV folded for reading: 4 KiB random IOPS across queue depths,
    sequential MB/s and memcpy ratio at QD 1 / 32, and the per-request
    costs at QD 32, one line per mode, queue count and shape."""
    rows = read_rows(path)
    keys = list(dict.fromkeys((r["mode"], r["queues"]) for r in rows))
    qds = sorted({int(r["qd"]) for r in rows if r["pattern"] == "rand"})
    rws = list(dict.fromkeys(r["rw"] for r in rows if r["pattern"] == "rand"))

    def g(row, col, spec):
        v = row.get(col, "NA")
        return v if v == "NA" else spec % float(v)
    print("4K random IOPS (xmemcpy) by QD " + "/".join(map(str, qds))
          + "; at QD 32: gcopy/pass gmap+unmap/req notify/req (both ways) syscalls/req allocs/req")
    for m, q in keys:
        for rw in rws:
            cells = ["%s (%s)" % (g(r, "iops", "%.0f"), g(r, "memcpy_ratio", "%.2f"))
                     for r in (find(rows, m, rw, "rand", 4096, qd, q) for qd in qds)]
            r32 = find(rows, m, rw, "rand", 4096, 32, q)
            ntf = "NA" if not r32 or "NA" in (r32["notify_be_fe_per_req"], r32["notify_fe_be_per_req"]) \
                else "%.3f" % (float(r32["notify_be_fe_per_req"]) + float(r32["notify_fe_be_per_req"]))
            gm = "NA" if not r32 or "NA" in (r32["gmap_per_req"], r32["gunmap_per_req"]) \
                else "%.2f" % (float(r32["gmap_per_req"]) + float(r32["gunmap_per_req"]))
            print("  %-10s q%s %-8s %s | %s %s %s %s %s" % (
                m, q, rw, " ".join(cells), g(r32, "gcopy_per_pass", "%.2f"), gm, ntf,
                g(r32, "syscalls_per_req", "%.3f"), g(r32, "allocs_per_req", "%.2f")))
    seq = sorted({int(r["bs"]) for r in rows if r["pattern"] == "seq"})
    if not seq:
        return
    print("sequential MB/s (xmemcpy) at QD 1 / 32")
    for m, q in keys:
        for bs in seq:
            for rw in ("read", "write"):
                cells = ["%s (%s)" % (g(r, "mb_s", "%.0f"), g(r, "memcpy_ratio", "%.2f"))
                         for r in (find(rows, m, rw, "seq", bs, qd, q) for qd in (1, 32))]
                if any(not c.startswith("NA") for c in cells):
                    print("  %-10s q%s %-3s %-5s %s" % (m, q, bs_label(bs), rw, " / ".join(cells)))


def find(rows, mode, rw, pattern, bs, qd, queues="1"):
    for row in rows:
        if (row["mode"], row["queues"], row["rw"], row["pattern"], row["bs"],
                row["qd"]) == (mode, queues, rw, pattern, str(bs), str(qd)):
            return row
    return {}


SEQ1M_QD = 32


def cmd_summary(path, mode):
    rows = read_rows(path)
    seq = find(rows, mode, "read", "seq", 1 << 20, SEQ1M_QD)
    r32 = find(rows, mode, "read", "rand", 4096, 32)
    r1 = find(rows, mode, "read", "rand", 4096, 1)

    def num(row, col, spec):
        v = row.get(col, "NA")
        return v if v == "NA" else spec % float(v)

    def notify(row):
        a, b = row.get("notify_be_fe_per_req", "NA"), row.get("notify_fe_be_per_req", "NA")
        return "NA" if "NA" in (a, b) else "%.3f" % (float(a) + float(b))

    def gmap(row):
        a, b = row.get("gmap_per_req", "NA"), row.get("gunmap_per_req", "NA")
        return "NA" if "NA" in (a, b) else "%.3f" % (float(a) + float(b))
    print("summary: seq1m_memcpy_ratio=%s rand4k_qd32_iops=%s qd1_p50_us=%s "
          "notify_per_req=%s gmap_per_req=%s gcopy_per_pass=%s syscalls_per_req=%s"
          % (num(seq, "memcpy_ratio", "%.3f"), num(r32, "iops", "%.0f"),
             num(r1, "p50_us", "%.1f"), notify(r32), gmap(r32),
             num(r32, "gcopy_per_pass", "%.3f"), num(r32, "syscalls_per_req", "%.3f")))


def write_dat(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def cmd_plot(path, outdir):
    """Data files and a gnuplot script: IOPS vs queue depth (4 KiB random,
    per direction, every mode and queue count), MB/s vs block size (every
    mode side by side, with the same-shape memcpy), QD 32."""
    rows = read_rows(path)
    modes = list(dict.fromkeys(r["mode"] for r in rows))
    queues = list(dict.fromkeys(r["queues"] for r in rows))
    rws = list(dict.fromkeys(r["rw"] for r in rows if r["pattern"] == "rand"))
    qds = sorted({int(r["qd"]) for r in rows if r["bs"] == "4096"})
    series = [(m, q) for m in modes for q in queues]
    for rw in rws:
        lines = ["# qd " + " ".join("%s_q%s" % s for s in series)]
        for qd in qds:
            cells = [find(rows, m, rw, "rand", 4096, qd, q).get("iops", "NA")
                     for m, q in series]
            lines.append("%d %s" % (qd, " ".join(c if c != "NA" else "?" for c in cells)))
        write_dat(f"{outdir}/iops_{rw.replace(':', '')}.dat", lines)
    shapes = [(4096, "rand"), (65536, "seq"), (1 << 20, "seq")]
    # Only directions that have a row at QD 32 (quick mode has no writes).
    dirs = [rw for rw in ("read", "write")
            if any(find(rows, m, rw, p, b, 32) for m in modes for b, p in shapes)]
    for rw in dirs:
        lines = ["# bs " + " ".join(modes) + " memcpy"]
        for bs, pat in shapes:
            got = [find(rows, m, rw, pat, bs, 32) for m in modes]
            mc = next((g["memcpy_mb_s"] for g in got if g), "NA")
            cells = [g.get("mb_s", "NA") for g in got] + [mc]
            lines.append("%s_%s %s" % (bs_label(bs), pat,
                                       " ".join(c if c != "NA" else "?" for c in cells)))
        write_dat(f"{outdir}/mbs_{rw}.dat", lines)
    gp = [
        "set terminal pngcairo size 1500,500 noenhanced" if os.environ.get("BENCH_PNGCAIRO", "1") == "1"
        else "set terminal png size 1500,500 noenhanced",
        "set datafile missing '?'",
        f"set output '{outdir}/iops_vs_qd.png'",
        "set multiplot layout 1,%d title 'memback on the simulated host: 4 KiB random, IOPS vs queue depth'" % len(rws),
        "set logscale x 2", "set xlabel 'queue depth'", "set ylabel 'IOPS'",
        "set key top left", "set grid", "set yrange [0:*]",
    ]
    for rw in rws:
        dat = f"{outdir}/iops_{rw.replace(':', '')}.dat"
        plots = ", ".join("'%s' using 1:%d with linespoints title '%s, %s queue%s'"
                          % (dat, i + 2, m, q, "" if q == "1" else "s")
                          for i, (m, q) in enumerate(series))
        gp += ["set title '%s'" % rw, "plot " + plots]
    gp += ["unset multiplot", "unset logscale x", "unset xlabel",
           f"set output '{outdir}/mbs_vs_bs.png'",
           "set multiplot layout 1,%d title" % len(dirs) + " 'MB/s vs block size, QD 32, 1 queue (4K random, 64K and 1M sequential), beside same-shape memcpy'",
           "set style data histograms", "set style histogram clustered gap 1",
           "set style fill solid 0.8 border -1", "set ylabel 'MB/s'", "set logscale y"]
    for rw in dirs:
        dat = f"{outdir}/mbs_{rw}.dat"
        cols = ", ".join("'%s' using %d:xtic(1) title '%s'" % (dat, i + 2, name)
                         for i, name in enumerate(modes + ["memcpy"]))
        gp += ["set title '%s'" % rw, "set yrange [10:*]", "plot " + cols]
    gp += ["unset multiplot"]
    print("\n".join(gp))


def main(argv):
    cmds = {"header": (lambda: print(",".join(COLUMNS)), 0),
            "row": (cmd_row, 7), "table": (cmd_table, 1), "last": (cmd_last, 1), "pivot": (cmd_pivot, 1),
            "summary": (cmd_summary, 2), "plot": (cmd_plot, 2)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
