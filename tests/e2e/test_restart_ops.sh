#!/bin/bash
# kill -9 memback in the middle of an operation, start it again on the
# same state directory, and each ends as an admin expects (issue 14):
#   attach   before InitWait, and while the frontend connects: the disk
#            comes up Connected and serves verified I/O;
#   detach   (memback-ctl detach, as libxl does), memback killed before it
#            answers and while it saves: the detach completes, the nodes
#            go, the save= image holds exactly what the guest wrote;
#   resize   (memback-ctl resize): the guest goes on without an error and
#            the size is the old or the new one, consistent in xenstore
#            and memback; resizing again gets the new one;
#   discards a discard-heavy guest, killed three times, verifies;
#   save     (memback-ctl save): the file is the old image or the complete
#            new one, never a partial one; saving again gets the new one.
# And: damaged state files are refused in one line naming the file, and left untouched;
# a second memback on the same state directory is refused while the first
# goes on serving verified I/O.
#
# That it fails on broken code: MB_STATE=none (a restart loses every
# disk) fails the verifiers and the images.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/verify_lib.sh

sim_start
STATE=$(mb_state_dir)
mb_start --pool-size 384M
# Every memback-ctl bounded: a command that hangs across a kill is a FAIL,
# not a test stuck until the runner's timeout.
ctl() { timeout 30 "$SIM_BUILD/memback-ctl" "$@" --control "$SIM_DIR/memback.sock"; }
attach() { timeout 30 "$SIM_BUILD/memback-ctl" attach --no-script --timeout 10 "$@"; }
detach() { timeout 30 "$SIM_BUILD/memback-ctl" detach --timeout 10 "$@"; }
devid() { echo $((51712 + 16 * ($(printf '%d' "'${1#xvd}") - 97))); }
d1=$(sim_domain_create g1)
d2=$(sim_domain_create g2)

# kill_restart [MS]: kill -9 after MS milliseconds (0: at once), start again.
kill_restart() {
	[ "${1:-0}" = 0 ] || sleep "$(printf '0.%03d' "$1")"
	mb_kill
	mb_restart || fail restart "$(tail -n 5 "$MB_LOG")"
}
# ctl_ready: the new daemon answers on its control socket.
ctl_ready() {
	for _ in $(seq 100); do ctl list >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
# run_verifier NAME DOM VDEV SECS [options]: a verifier for SECS seconds.
run_verifier() {
	local name=$1 dom=$2 vdev=$3 secs=$4
	shift 4
	verify_start "$name" "$dom" "$(devid "$vdev")" "$@" || return 1
	sleep "$secs"
	verify_finish 60
}

# --- attach -----------------------------------------------------------
# Killed while it handles the new device (before InitWait), at random.
for vdev in xvdc xvdd; do
	attach "$d1" "$vdev" size=16M >"$SIM_DIR/attach.out" 2>&1 &
	apid=$!
	kill_restart $((RANDOM % 40))
	wait "$apid" && pass "attach_${vdev}_survives_a_kill" ||
		fail "attach_${vdev}_survives_a_kill" "$(cat "$SIM_DIR/attach.out")"
	run_verifier "att_$vdev" "$d1" "$vdev" 1
done
# Killed in InitWait while the frontend connects: it comes up Connected.
check attach_xvde attach "$d1" xvde size=16M
verify_spawn att_xvde "$d1" "$(devid xvde)"
kill_restart $((RANDOM % 30))
verify_ready att_xvde 20
sleep 1
verify_finish 60

# --- detach -----------------------------------------------------------
# The guest is quiet (its expected image written) when the detach starts.
# Round 1: memback frozen, so the detach waits on it, and killed. Round 2:
# a full 64 MiB disk, memback killed while it saves the image.
detach_round() { # detach_round N VDEV SIZE KILL-AT(frozen|saving) [verifier options]
	local round=$1 vdev=$2 size=$3 at=$4 img=$SIM_DIR/det$1.img q=$SIM_DIR/det$1.q dpid seen=0
	shift 4
	check "attach_detach_$round" attach "$d2" "$vdev" "size=$size,save=$img" || return
	verify_start "det$round" "$d2" "$(devid "$vdev")" --expect-close --quiesce-file "$q" \
		--expect-image "$SIM_DIR/det$round.expect" "$@" || return
	sleep 0.5
	touch "$q"
	for _ in $(seq 100); do [ -e "$q.done" ] && break; sleep 0.05; done
	[ "$at" = frozen ] && kill -STOP "$MB_PID"
	detach "$d2" "$vdev" >"$SIM_DIR/detach.out" 2>&1 &
	dpid=$!
	if [ "$at" = frozen ]; then
		sleep 0.3
	else
		for _ in $(seq 1000); do
			[ "$(xenstore-read "$(be_path "$d2" "$(devid "$vdev")")/memback-image" 2>/dev/null)" = saving ] &&
				seen=1 && break
			sleep 0.005
		done
		echo "# detach $round: killed $([ $seen = 1 ] && echo while saving || echo "(the save was not seen)")"
	fi
	kill_restart
	if wait "$dpid"; then
		pass "detach_${round}_completes_across_a_kill"
	else
		fail "detach_${round}_completes_across_a_kill" "$(cat "$SIM_DIR/detach.out")"
		grep "vbd $d2/$(devid "$vdev")" "$MB_LOG" | tail -n 6 | sed 's/^/#   /'
	fi
	check "detach_${round}_nodes_gone" sh -c "! xenstore-exists $(be_path "$d2" "$(devid "$vdev")")"
	check "detach_${round}_image_exact" cmp -s "$img" "$SIM_DIR/det$round.expect"
	verify_finish 30
}
detach_round 1 xvdc 16M frozen
detach_round 2 xvdh 64M saving --fill

# --- resize -----------------------------------------------------------
check attach_resize attach "$d1" xvdf size=16M
verify_start rsz "$d1" "$(devid xvdf)" --discard-pct 5
sleep 0.5
ctl resize "$d1" xvdf 24M >"$SIM_DIR/resize.out" 2>&1 &
rpid=$!
kill_restart $((RANDOM % 20))
wait "$rpid"
echo "# resize killed: memback-ctl said: $(tr '\n' ' ' <"$SIM_DIR/resize.out")"
check ctl_after_resize_kill ctl_ready
sectors=$(xenstore-read "$(be_path "$d1" "$(devid xvdf)")/sectors")
[ "$sectors" = 32768 ] || [ "$sectors" = 49152 ] && pass resize_size_old_or_new ||
	fail resize_size_old_or_new "sectors $sectors"
check resize_again_works ctl resize "$d1" xvdf 24M
check resize_again_in_xenstore wait_node "$(be_path "$d1" "$(devid xvdf)")/sectors" 49152 5
sleep 0.5
verify_finish 60

# --- discard-heavy ----------------------------------------------------
check attach_discards attach "$d2" xvdd size=16M
verify_start disc "$d2" "$(devid xvdd)" --discard-pct 70 --qd 16
for _ in 1 2 3; do
	sleep "0.$((3 + RANDOM % 5))"
	kill_restart
done
sleep 0.5
verify_finish 60

# --- save -------------------------------------------------------------
# A quiet guest with image A saved; more writes, quiet again (image B);
# memback killed 0..15, 15..30 and 40..100 ms into the save of B over A.
check attach_save attach "$d1" xvdg size=16M
img=$SIM_DIR/save.img q=$SIM_DIR/save.q
verify_start sav "$d1" "$(devid xvdg)" --quiesce-file "$q" --expect-image "$SIM_DIR/save.expect"
quiesce() {
	touch "$q"
	for _ in $(seq 100); do [ -e "$q.done" ] && return 0; sleep 0.05; done
	return 1
}
resume() { rm -f "$q"; sleep "$1"; }
for round in 1 2 3; do
	resume 0.5
	check "save_${round}_quiet" quiesce
	check "save_${round}_old_image" sh -c "timeout 30 '$SIM_BUILD/memback-ctl' save $d1 xvdg '$img' --control '$SIM_DIR/memback.sock' >/dev/null"
	cp "$img" "$SIM_DIR/save.old"
	resume 0.5
	check "save_${round}_quiet_again" quiesce
	ctl save "$d1" xvdg "$img" >"$SIM_DIR/save.out" 2>&1 &
	spid=$!
	ms=$(((round == 1 ? 0 : round == 2 ? 15 : 40) + RANDOM % (round == 3 ? 60 : 15)))
	kill_restart "$ms"
	wait "$spid"
	said="memback-ctl: $(tr '\n' ' ' <"$SIM_DIR/save.out"); left: $(cd "$SIM_DIR" && ls save.img?* 2>/dev/null)"
	if cmp -s "$img" "$SIM_DIR/save.expect"; then
		pass "save_${round}_file_is_whole" && echo "# save $round, killed at $ms ms: the new image ($said)"
	elif cmp -s "$img" "$SIM_DIR/save.old"; then
		pass "save_${round}_file_is_whole" && echo "# save $round, killed at $ms ms: the old image ($said)"
	else
		fail "save_${round}_file_is_whole" "neither the old nor the new image"
	fi
	check "save_${round}_ctl_ready" ctl_ready
	check "save_${round}_again" sh -c "timeout 30 '$SIM_BUILD/memback-ctl' save $d1 xvdg '$img' --control '$SIM_DIR/memback.sock' >/dev/null"
	check "save_${round}_again_exact" cmp -s "$img" "$SIM_DIR/save.expect"
done
resume 0.5
verify_finish 60

# --- a second memback, damaged state ----------------------------------
# A refused start's error line: exactly one, and it must say it all.
first_error() { [ "$(grep -c ' error: ' <<<"$1")" = 1 ] && grep ' error: ' <<<"$1"; }
check attach_busy attach "$d2" xvde size=16M
verify_start busy "$d2" "$(devid xvde)"
out=$(timeout 10 "$SIM_BUILD/memback" -f -C /dev/null -c "$SIM_DIR/second.sock" \
	--pidfile "$SIM_DIR/second.pid" --state-dir "$STATE" 2>&1)
rc=$?
[ $rc = 1 ] && first_error "$out" | grep -q "$STATE.*in use" &&
	pass second_memback_refused || fail second_memback_refused "rc $rc: $out"
sleep 0.5
verify_finish 60
check first_memback_serves_on mb_alive

# Damaged files (not this daemon's): refused, one line naming the file,
# the file left as it was. A header of random bytes, then a real pool
# file whose first bytes (where a format names itself) are overwritten.
damaged() { # damaged NAME DIR: memback on DIR is refused, DIR/pool untouched
	local sum out rc
	sum=$(md5sum <"$2/pool")
	out=$(timeout 10 "$SIM_BUILD/memback" -f -C /dev/null -c "$SIM_DIR/d.sock" \
		--pidfile "$SIM_DIR/d.pid" --pool-size 384M --state-dir "$2" 2>&1)
	rc=$?
	[ $rc = 1 ] && first_error "$out" | grep -q "$2/pool: .*refused" &&
		pass "${1}_refused_naming_the_file" || fail "${1}_refused_naming_the_file" "rc $rc: $out"
	[ "$(md5sum <"$2/pool")" = "$sum" ] && pass "${1}_left_untouched" ||
		fail "${1}_left_untouched" "$2/pool changed"
}
mkdir -m 700 "$SIM_DIR/bad1" "$SIM_DIR/bad2"
head -c 65536 /dev/urandom >"$SIM_DIR/bad1/pool"
chmod 600 "$SIM_DIR/bad1/pool"
damaged random_header "$SIM_DIR/bad1"
check sigterm_for_copy mb_stop TERM
cp --sparse=always "$STATE/pool" "$SIM_DIR/bad2/pool"
printf 'OLD!' | dd of="$SIM_DIR/bad2/pool" bs=1 seek=0 conv=notrunc status=none
damaged bad_magic "$SIM_DIR/bad2"
check restart_on_the_good_state mb_restart
check sigusr2_exits_0 mb_stop USR2
