# The three-way table of `make check-xen` (report.sh runs it on the serial
# log): reads the guest's "FIO LABEL JOB MB/s IOPS" lines (labels
# blkback, qdisk, memback-MODE) and dom0's "bench: ... default grant mode: M"
# line; prints the raw figures, memback's ratios over blkback and qdisk in
# each mode, persistent over copy, and the one realxen-summary line (the
# default mode's ratios; qdisk_min: the smallest memback/qdisk ratio).
/^INFO: dom0 bench: .*default grant mode: / { def = $NF }
/^FIO / {
	l = $2; j = $3
	if (!(l in lseen)) { lseen[l] = 1; labels[++nl] = l; if (l ~ /^memback-/) mlab[++nm] = l }
	if (!(j in jseen)) { jseen[j] = 1; jobs[++nj] = j }
	mb[l, j] += $4; io[l, j] += $5; k[l, j]++
}
function iops(l, j) { return k[l, j] ? io[l, j] / k[l, j] : 0 }
function ratio(a, b, j) { return (iops(a, j) && iops(b, j)) ? sprintf("%.2f", iops(a, j) / iops(b, j)) : "NA" }
function name(l) { return l == "blkback" ? "blkback (brd)" : l == "qdisk" ? "qdisk (tmpfs file)" : "memback " substr(l, 9) }
END {
	if (!nj) exit
	printf "Real Xen, one guest (2 vCPUs), three backends, fio O_DIRECT libaio (QD 16 = 2 jobs x 8):\n"
	printf "| job |"; for (i = 1; i <= nl; i++) printf " %s |", name(labels[i]); printf "\n|---|"
	for (i = 1; i <= nl; i++) printf "---|"; printf "\n"
	for (x = 1; x <= nj; x++) { j = jobs[x]; printf "| %s |", j
		for (i = 1; i <= nl; i++) { l = labels[i]
			if (k[l, j]) printf " %.1f MB/s, %.0f IOPS |", mb[l, j] / k[l, j], iops(l, j)
			else printf " - |" }
		printf "\n" }
	printf "\nmemback's ratios (IOPS, so MB/s alike):\n| job |"
	for (m = 1; m <= nm; m++) printf " %s/blkback | %s/qdisk |", substr(mlab[m], 9), substr(mlab[m], 9)
	if (("memback-copy", jobs[1]) in k && ("memback-persistent", jobs[1]) in k) printf " persistent/copy |"
	printf "\n|---|"; for (m = 1; m <= nm; m++) printf "---|---|"
	if (("memback-copy", jobs[1]) in k && ("memback-persistent", jobs[1]) in k) printf "---|"
	printf "\n"
	for (x = 1; x <= nj; x++) { j = jobs[x]; printf "| %s |", j
		for (m = 1; m <= nm; m++) printf " %s | %s |", ratio(mlab[m], "blkback", j), ratio(mlab[m], "qdisk", j)
		if (("memback-copy", jobs[1]) in k && ("memback-persistent", jobs[1]) in k)
			printf " %s |", ratio("memback-persistent", "memback-copy", j)
		printf "\n" }
	d = ("memback-" def, jobs[1]) in k ? "memback-" def : mlab[1]
	printf "(the summary line takes %s: memback's default grant mode)\n", d
	split("blkback_4k_qd1_read=4k-randread-qd1 blkback_4k_qd1_write=4k-randwrite-qd1 " \
	      "blkback_4k_qd16_read=4k-randread-qd16 blkback_4k_qd16_write=4k-randwrite-qd16 " \
	      "blkback_1m_read=1m-read blkback_1m_write=1m-write", keys, " ")
	s = "realxen-summary:"; qmin = ""
	for (x = 1; x in keys; x++) { split(keys[x], kv, "="); s = s " " kv[1] "=" ratio(d, "blkback", kv[2]) }
	for (x = 1; x <= nj; x++) { r = ratio(d, "qdisk", jobs[x]); if (r != "NA" && (qmin == "" || r + 0 < qmin + 0)) qmin = r }
	print s " qdisk_min=" (qmin == "" ? "NA" : qmin)
}
