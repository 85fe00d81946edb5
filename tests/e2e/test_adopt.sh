#!/bin/bash
# Restart, the daemon's side (issue 14): what the state directory keeps and
# how a new memback takes it up. A disk survives kill -9 and SIGTERM with
# its data; a device that left xenstore while memback was down is saved
# and freed; SIGUSR2 closes for good; a state file of another format, or a
# second memback on the same directory, is refused and nothing is lost.
# (The verifier under I/O across kills is test_restart.sh.)
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744
sim_start
STATE=$(mb_state_dir)
mb_start --pool-size 256M
dom=$(sim_domain_create guest1)
check attach attach "$dom" xvdb size=32M
guest "$dom" fill $XVDB 11

# kill -9 with the frontend closed (the device stays attached, Closed).
mb_kill
check state_files_kept test -s "$STATE/pool" -a -e "$STATE/inflight"
check state_dir_private test "$(stat -c %a "$STATE")" = 700
check pool_file_private test "$(stat -c %a "$STATE/pool")" = 600
mb_restart
check restart_keeps_the_disk grep -q "kept across the restart" "$MB_LOG"
guest "$dom" check $XVDB 11

# What memback-ctl changed live is kept: a resize and QoS limits.
ctl() { "$SIM_BUILD/memback-ctl" "$@" --control "$SIM_DIR/memback.sock"; }
check resize_live ctl resize "$dom" xvdb 48M
check qos_live sh -c "\"$SIM_BUILD/memback-ctl\" qos $dom xvdb iops=500 --control $SIM_DIR/memback.sock >/dev/null"
mb_kill
mb_restart
ctl list | grep -q "vbd $dom/$XVDB: .*size $((48 << 20))," && pass resize_kept ||
	fail resize_kept "$(ctl list)"
# A connect after the restart offers the resized disk.
sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb --rw read --count 1 >/dev/null 2>&1
[ "$(xenstore-read "$(be_path "$dom" $XVDB)/sectors")" = $((48 << 11)) ] &&
	pass resize_kept_in_xenstore || fail resize_kept_in_xenstore
ctl qos "$dom" xvdb | grep -q "iops=500 " && pass qos_kept || fail qos_kept "$(ctl qos "$dom" xvdb)"
ctl resize "$dom" xvdb 32M && ctl qos "$dom" xvdb none >/dev/null # as the checks below expect

# A second memback on the same state directory is refused; the first
# goes on serving.
out=$(MB_SOCK=$SIM_DIR/second.sock timeout 10 "$SIM_BUILD/memback" -f -C /dev/null \
	-c "$SIM_DIR/second.sock" --state-dir "$STATE" 2>&1)
rc=$?
[ $rc = 1 ] && grep -q "in use by another memback" <<<"$out" &&
	pass second_daemon_refused || fail second_daemon_refused "rc $rc: $out"
check first_daemon_serves_on mb_alive

# SIGTERM (systemctl stop/restart) leaves the device; its state node stays.
before=$(xenstore-read "$(be_path "$dom" $XVDB)/state")
check sigterm_exits_0 mb_stop TERM
check sigterm_leaves_the_node test "$(xenstore-read "$(be_path "$dom" $XVDB)/state")" = "$before"
mb_restart
guest "$dom" check $XVDB 11

# A device removed while memback is down: its save= image is written,
# its disk freed.
img=$SIM_DIR/c.img
check attach_saved attach "$dom" xvdc "size=8M,save=$img"
guest "$dom" fill $XVDC 5
mb_kill
xenstore-rm "$(be_path "$dom" $XVDC)"
xenstore-rm "$(fe_path "$dom" $XVDC)"
mb_restart
for _ in $(seq 100); do grep -q "saved to $img" "$MB_LOG" && break; sleep 0.1; done
check gone_device_saved grep -q "saved to $img" "$MB_LOG"
check gone_device_image_size test "$(stat -c %s "$img")" = $((8 << 20))
check gone_device_freed grep -q "vbd $dom/$XVDC: removed" "$MB_LOG"

# A kept device whose directory is not ready when memback comes back (no
# frontend node yet) waits; once the directory goes, its disk is freed.
XVDD=51760
check attach_unready attach "$dom" xvdd size=4M
mb_kill
xenstore-rm "$(be_path "$dom" $XVDD)/frontend"
mb_restart
check unready_not_taken_up_yet sh -c "! grep -q 'vbd $dom/$XVDD: .*kept across' '$MB_LOG'"
xenstore-rm "$(be_path "$dom" $XVDD)"
for _ in $(seq 50); do grep -q "vbd $dom/$XVDD: removed" "$MB_LOG" && break; sleep 0.1; done
check unready_then_gone_freed grep -q "vbd $dom/$XVDD: removed" "$MB_LOG"

# An incompatible state file: refused, exit 1, one line, file untouched.
mb_kill
cp "$STATE/pool" "$SIM_DIR/pool.orig"
printf '\x07\x00\x00\x00' | dd of="$STATE/pool" bs=1 seek=8 conv=notrunc status=none
sum=$(md5sum <"$STATE/pool")
out=$(timeout 10 "$SIM_BUILD/memback" -f -C /dev/null -c "$SIM_DIR/m.sock" \
	--state-dir "$STATE" 2>&1)
rc=$?
[ $rc = 1 ] && grep -q "format version 7" <<<"$out" && pass other_version_refused ||
	fail other_version_refused "rc $rc: $out"
check other_version_file_kept test "$(md5sum <"$STATE/pool")" = "$sum"
cp "$SIM_DIR/pool.orig" "$STATE/pool"

# A damaged device record (slot 0's magic, at 4096 + 24): the disk is kept
# and said, not freed on a guess.
printf 'XXXX' | dd of="$STATE/pool" bs=1 seek=4120 conv=notrunc status=none
mb_restart
check damaged_record_said grep -q "slot 0 keeps a 32 MiB disk whose record is damaged" "$MB_LOG"
used=$("$SIM_BUILD/memback-ctl" pool --json --control "$SIM_DIR/memback.sock" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["used"])')
[ "$used" -ge $((32 << 20)) ] && pass damaged_record_disk_kept || fail damaged_record_disk_kept "used $used"
mb_kill
cp "$SIM_DIR/pool.orig" "$STATE/pool"
mb_restart
guest "$dom" check $XVDB 11

# SIGUSR2: every device Closed, the state removed.
check sigusr2_exits_0 mb_stop USR2
check sigusr2_closes wait_node "$(be_path "$dom" $XVDB)/state" 6
check sigusr2_removes_state test ! -e "$STATE/pool"

# A memback started after a shutdown for good leaves the devices that one
# closed alone: serving them would hand their frontends empty disks.
mb_start --pool-size 256M
for _ in $(seq 20); do grep -q "vbd $dom/$XVDB: already Closed and not ours" "$MB_LOG" && break; sleep 0.1; done
check closed_device_left_alone grep -q "vbd $dom/$XVDB: already Closed and not ours" "$MB_LOG"
check closed_device_not_served sh -c "! \"$SIM_BUILD/memback-ctl\" list --control $SIM_DIR/memback.sock | grep -q 'vbd $dom/$XVDB'"
check closed_device_stays_closed test "$(xenstore-read "$(be_path "$dom" $XVDB)/state")" = 6
# ... and a detach of such a device completes (Closed at once).
check closed_device_detaches detach "$dom" xvdb
