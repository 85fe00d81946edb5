#!/bin/bash
# make check-xen: memback serving a real Linux blkfront under Xen 4.17,
# nested in QEMU. Fetches (once) what it needs, builds the images, boots,
# and prints the scenario's PASS/FAIL lines and the benchmark table from
# the serial console. Logs: $OUT/logs/ (serial.log, and the files dom0
# dumped there: memback.log, guest consoles, xenstore nodes, xl logs).
#   check-xen.sh [BUILD_DIR]      exit 0 only when every step passed
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" && pwd)
OUT=$BUILD/realxen
LOGS=$OUT/logs
start=$(date +%s)
[ "$(id -u)" = 0 ] || { echo "check-xen: needs root (apt-get, debootstrap)" >&2; exit 1; }

"$HERE/fetch.sh" "$OUT"
"$HERE/images.sh" "$OUT" "$BUILD"
rm -rf "$LOGS" && mkdir -p "$LOGS"
echo "check-xen: booting Xen 4.17 + dom0 under QEMU TCG (a few minutes)"
rc=0
# QEMU's CPU time beside its wall time: under emulation a run is
# latency-bound where QEMU uses less than its two vCPU threads could.
TIMEFORMAT='check-xen: QEMU ran %R s, used %U s user + %S s system CPU'
time "$HERE/boot.sh" "$OUT" "$LOGS/serial.log" "${CHECK_XEN_TIMEOUT:-1800}" || rc=$?
[ $rc = 124 ] && echo "FAIL: host qemu timed out after ${CHECK_XEN_TIMEOUT:-1800} s"
"$HERE/report.sh" "$LOGS" || rc=1
echo "check-xen: $(( $(date +%s) - start )) s in all; logs in $LOGS"
exit $rc
