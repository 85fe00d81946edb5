#!/bin/bash
# make demo: memback serving two guests on the simulated Xen host.
#
# Starts the simulated host (xenstored, guest memory, grant tables, event
# channels), runs the shipped memback binary against it with the simulated
# libxengnttab/libxenevtchn first on LD_LIBRARY_PATH, creates two guests,
# attaches a RAM disk to each as `xl block-attach ... script=memback` does
# (memback-ctl, running the hotplug script), drives I/O from each guest's
# userspace blkfront, verifies every byte, and tears it all down.
set -eu
cd "$(dirname "$0")/.."
export BUILD="${BUILD:-build}"
source tests/lib/sim.sh

step() { printf '\n=== %s\n' "$*"; }
MB_PID=
cleanup() {
	local rc=$?
	if [ -n "$MB_PID" ]; then kill "$MB_PID" 2>/dev/null; wait "$MB_PID" 2>/dev/null; fi
	sim_stop
	exit $rc
}
trap cleanup EXIT

step "simulated Xen host"
sim_start
echo "host in $SIM_DIR; dom0's xenstore at $XENSTORED_PATH"

step "memback: a 4 GiB pool, serving /local/domain/0/backend/vbd"
"$BUILD/memback" -f --pool-size 4G -c "$SIM_DIR/memback.sock" --state-dir "$(sim_shm_dir)/state" \
	--pidfile "$SIM_DIR/memback.pid" 2>"$SIM_DIR/memback.log" &
MB_PID=$!
for _ in $(seq 100); do [ -s "$SIM_DIR/memback.pid" ] && break; sleep 0.05; done
cat "$SIM_DIR/memback.log"

step "two guests"
g1=$(sim_domain_create web)
g2=$(sim_domain_create db)
echo "domain $g1 (web), domain $g2 (db)"

step "block-attach a 1 GiB disk to each, as xl does with script=memback"
export PATH="$PWD/$BUILD:$PATH"
for g in "$g1" "$g2"; do
	echo "memback-ctl attach $g xvdb size=1G"
	memback-ctl attach "$g" xvdb size=1G --script "$PWD/tools/hotplug/memback"
done
echo "backend nodes of domain $g1's disk:"
xenstore-ls "/local/domain/0/backend/vbd/$g1/51728" | sed 's/^/  /'

step "both guests at once: write 256 MiB (128 KiB requests, QD 8), read it back, verify every byte"
sim_as_domain "$g1" "$BUILD/blkfront" --devid xvdb --rw write --pattern seq --bs 128K \
	--size 256M --fill-verify --qd 8 --seed 1 >"$SIM_DIR/g1.out" 2>&1 &
p1=$!
sim_as_domain "$g2" "$BUILD/blkfront" --devid xvdb --rw write --pattern seq --bs 128K \
	--size 256M --fill-verify --qd 8 --seed 2 >"$SIM_DIR/g2.out" 2>&1 &
p2=$!
sleep 0.3
echo "while they run, memback-ctl list:"
memback-ctl list --control "$SIM_DIR/memback.sock" | sed 's/^/  /'
ok=0
wait $p1 || ok=1
wait $p2 || ok=1
echo "--- guest $g1"; cat "$SIM_DIR/g1.out"
echo "--- guest $g2"; cat "$SIM_DIR/g2.out"
[ $ok = 0 ] || { echo "demo: a guest saw an I/O or verify error" >&2; exit 1; }

step "guest $g2: 4 KiB random reads at queue depth 1 and 32 (IOPS, latency)"
for qd in 1 32; do
	echo "--- QD $qd"
	sim_as_domain "$g2" "$BUILD/blkfront" --devid xvdb --rw read --pattern rand --bs 4K \
		--qd $qd --time 2 --size 256M
done

step "restart under I/O: kill -9 memback while guest $g1 verifies mixed random I/O, start it again"
sim_as_domain "$g1" "$BUILD/blkfront" --devid xvdb --rw mixed:50% --pattern rand --bs 16K \
	--size 256M --qd 8 --time 3 --verify --timeout 30 >"$SIM_DIR/g1.out" 2>&1 &
p1=$!
sleep 1
kill -9 "$MB_PID"; wait "$MB_PID" 2>/dev/null || true
echo "killed memback (pid $MB_PID) with 8 requests in flight"
"$BUILD/memback" -f --pool-size 4G -c "$SIM_DIR/memback.sock" --state-dir "$(sim_shm_dir)/state" \
	--pidfile "$SIM_DIR/memback.pid" 2>>"$SIM_DIR/memback.log" &
MB_PID=$!
wait $p1 || ok=1
grep -E "kept across|resum" "$SIM_DIR/memback.log" | sed 's/^/  /'
cat "$SIM_DIR/g1.out"
[ $ok = 0 ] || { echo "demo: the guest saw an error across the restart" >&2; exit 1; }

step "memback-ctl list / stats / pool (the guests have disconnected: devices wait, Closed)"
memback-ctl list --control "$SIM_DIR/memback.sock"
memback-ctl stats --control "$SIM_DIR/memback.sock"
memback-ctl pool --control "$SIM_DIR/memback.sock"

step "what Xen would have charged (grant copies, notifications)"
"$BUILD/xensim" stats --dir "$SIM_DIR"

step "detach guest $g1's disk; destroy guest $g2 with its disk attached"
memback-ctl detach "$g1" xvdb
"$BUILD/xensim" domain destroy --dir "$SIM_DIR" "$g2"
memback-ctl pool --control "$SIM_DIR/memback.sock"

step "memback-ctl shutdown (closes every device for good; SIGTERM would leave them for a restart)"
memback-ctl shutdown --control "$SIM_DIR/memback.sock"
wait "$MB_PID"; MB_PID=
tail -n 2 "$SIM_DIR/memback.log"
echo
echo "demo done: every byte both guests wrote read back as written"
