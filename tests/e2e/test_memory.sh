#!/bin/bash
# End to end: memory goes back to dom0. Four guests write their disks,
# one discards part of its disk (the pool's resident memory drops by the
# discarded whole pages), every disk is detached, and memback's resident
# set and the pool's resident bytes are back near where they started.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

MiB=$((1 << 20))
# memback's own memory is its anonymous pages plus the pool's resident
# bytes (its memfd). Its file and other shared pages are the simulator's
# guest memory and tables, which the simulated grant copy maps into dom0;
# real Xen has no such mapping.
rss() { awk '/^RssAnon:/ {print $2 * 1024}' "/proc/$MB_PID/status"; }
pool_field() {
	"$SIM_BUILD/memback-ctl" pool --json --control "$SIM_DIR/memback.sock" |
		python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
write_disk() { # DOMID: 48 MiB of 1 MiB writes, then verified
	sim_as_domain "$1" "$SIM_BUILD/blkfront" --devid xvdb --ring-order 2 \
		--pattern seq --rw write --bs 1M --qd 8 --size 48M --fill-verify \
		>"$SIM_DIR/bf-$1.log" 2>&1
}

sim_start
mb_start --pool-size 512M
sleep 0.2
rss0=$(rss)
res0=$(pool_field resident)
doms=
for i in 1 2 3 4; do
	d=$(sim_domain_create "mem$i")
	doms="$doms $d"
	check "attach_$i" attach "$d" xvdb size=64M
done
pids=
for d in $doms; do
	write_disk "$d" &
	pids="$pids $!"
done
wait $pids
for d in $doms; do
	grep -q "errors: 0 I/O, 0 verify" "$SIM_DIR/bf-$d.log" && pass "guest_${d}_verified" ||
		fail "guest_${d}_verified" "$(tail -2 "$SIM_DIR/bf-$d.log")"
done
rss1=$(rss)
res1=$(pool_field resident)
[ $((res1 - res0)) -ge $((4 * 48 * MiB)) ] && pass pool_resident_counts_written ||
	fail pool_resident_counts_written "resident $res0 -> $res1"
echo "# memback anonymous RSS $((rss0 / MiB)) MiB at start, $((rss1 / MiB)) MiB with 4 x 48 MiB written"

# Discard 16 MiB of the first guest's disk: its pages go back at once.
first=$(echo $doms | cut -d' ' -f1)
guest "$first" discard 51728
res2=$(pool_field resident)
[ $((res1 - res2)) -ge $((2 * MiB)) ] && pass discard_gives_memory_back ||
	fail discard_gives_memory_back "resident $res1 -> $res2"

for d in $doms; do check "detach_$d" detach "$d" xvdb; done
rss3=$(rss)
res3=$(pool_field resident)
echo "# after detaching every disk: memback anonymous RSS $((rss3 / MiB)) MiB, pool resident $((res3 / 1024)) KiB"
check_memory rss_back_after_detach test $((rss3 - rss0)) -le $((8 * MiB))
[ $((res3 - res0)) -le $((64 * 1024)) ] && pass pool_resident_back_after_detach ||
	fail pool_resident_back_after_detach "resident $res0 -> $res3"
check daemon_alive mb_alive
check sigterm_exits_0 mb_stop
