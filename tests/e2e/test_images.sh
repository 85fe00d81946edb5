#!/bin/bash
# End to end: image files. Locked from attach to the end of their save (a
# second device naming one is refused, within this daemon or beside another
# process holding it); saved on a thread after Closed, with detach waiting
# for it; not saved when nothing was written; memback-ctl save of a running
# disk is one moment of it, atomic and sparse; check-target looks at files.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744
sim_start
mb_start --pool-size 512M
ctl() { "$SIM_BUILD/memback-ctl" "$@" --control "$SIM_DIR/memback.sock"; }
a=$(sim_domain_create imga)
b=$(sim_domain_create imgb)
F="$SIM_DIR/f.img"
refused() { # refused NAME WHY DOM VDEV TARGET: the attach fails naming WHY
	local name=$1 why=$2 msg
	shift 2
	msg=$(attach "$@" 2>&1) && { fail "$name" "attached: $*"; detach "$1" "$2"; return; }
	[[ "$msg" == *"$why"* ]] && pass "$name" || fail "$name" "$msg"
	# Until memback has dropped the refused device: the same vdev attached
	# again at once could meet it still there (a removal and a new
	# directory in one batch of watch events).
	for _ in $(seq 100); do
		ctl list | grep -q "^vbd $1/" || break
		sleep 0.02
	done
}

# Two devices, one image: the second is refused with the reason.
check attach_a attach "$a" xvdb "size=16M,image=$F,save=$F" 2>/dev/null ||
	check attach_a_new attach "$a" xvdb "size=16M,save=$F"
guest "$a" fill $XVDB 7
refused second_save_refused "$F is in use by another disk" "$b" xvdb "size=16M,save=$F"
refused second_image_refused "$F is in use by another disk" "$b" xvdb "size=16M,image=$F"
check no_leftover_from_refusal sh -c "! xenstore-exists $(be_path "$b" $XVDB)"
check detach_a detach "$a" xvdb
[ "$(stat -c %s "$F")" = $((16 << 20)) ] && pass detach_returns_with_image_saved ||
	fail detach_returns_with_image_saved "$(ls -l "$F")"
check attach_b_after_release attach "$b" xvdb "size=16M,image=$F,save=$F"
guest "$b" check $XVDB 7

# Nothing written: the file is left as it is (same inode, no rename).
ino=$(stat -c %i "$F")
check detach_unwritten detach "$b" xvdb
[ "$(stat -c %i "$F")" = "$ino" ] && grep -q "already holds the disk: not saved" "$MB_LOG" &&
	pass nothing_saved_when_nothing_written || fail nothing_saved_when_nothing_written "inode $ino -> $(stat -c %i "$F")"

# Another process holds the image (another memback, a second dom0 tool):
# the OFD lock refuses the attach.
G="$SIM_DIR/g.img"
: >"$G"
python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
open(sys.argv[2], "w").close()
time.sleep(30)' "$G" "$SIM_DIR/locked" &
holder=$!
sim_track_pid $holder
for _ in $(seq 50); do [ -e "$SIM_DIR/locked" ] && break; sleep 0.1; done
refused other_process_lock_refused "$G is in use by another disk" "$a" xvdc "size=8M,save=$G"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
check attach_after_other_process attach "$a" xvdc "size=8M,save=$G"
check detach_g detach "$a" xvdc

# An attach during a save: a large changed disk; Closed comes at once, the
# save runs after it, and the image stays locked until the save ends.
H="$SIM_DIR/h.img"
check attach_big attach "$a" xvdb "size=384M,save=$H"
guest "$a" fill $XVDB 9
detach "$a" xvdb >"$SIM_DIR/detach.out" 2>&1 &
dpid=$!
seen=0
for _ in $(seq 400); do
	s=$(xenstore-read "$(be_path "$a" $XVDB)/memback-image" 2>/dev/null)
	[ "$s" = saving ] && { seen=1; break; }
	[ "$s" = saved ] && break
	sleep 0.01
done
if [ $seen = 1 ]; then
	# memback writes "saving" as the save starts, Closed right after it.
	closed=0
	for _ in $(seq 100); do
		st=$(xenstore-read "$(be_path "$a" $XVDB)/state" 2>/dev/null)
		s=$(xenstore-read "$(be_path "$a" $XVDB)/memback-image" 2>/dev/null)
		[ "$st" = 6 ] && { [ "$s" = saving ] && closed=1 || closed=2; break; }
		sleep 0.01
	done
	case $closed in
	1) pass closed_before_save_ends ;;
	2) skip closed_before_save_ends "the save ended before Closed could be seen" ;;
	*) fail closed_before_save_ends "state $st while saving" ;;
	esac
	refused attach_during_save_refused "$H is in use by another disk" "$b" xvdc "size=384M,image=$H"
else
	skip closed_before_save_ends "the save ended before it could be seen"
	skip attach_during_save_refused "the save ended before it could be seen"
fi
wait $dpid && pass detach_waited_for_save || fail detach_waited_for_save "$(cat "$SIM_DIR/detach.out")"
ls "$SIM_DIR" | grep -q '\.img\.' && fail no_temporary_files "$(ls "$SIM_DIR")" || pass no_temporary_files
check attach_from_big_image attach "$b" xvdc "size=384M,image=$H"
guest "$b" check $XVDC 9
check detach_big_image detach "$b" xvdc

# memback-ctl save while the guest writes: the file holds one moment of the
# disk, so every 4 KiB block of it is either still zero or what fill wrote.
check attach_live attach "$a" xvdb "size=64M"
guest "$a" fill $XVDB 11 >"$SIM_DIR/fill.out" &
gpid=$!
# Once the guest has written something (the disk uses pool memory); on a
# loaded machine or under ASan the guest can take seconds to start.
for _ in $(seq 3000); do
	ctl list | grep -q "vbd $a/$XVDB: .*used [1-9]" && break
	sleep 0.01
done
out=$(ctl save "$a" xvdb "$SIM_DIR/live.img" 2>&1) && [[ "$out" == "saved to $SIM_DIR/live.img" ]] &&
	pass save_while_guest_writes || fail save_while_guest_writes "$out"
wait $gpid
grep -q "^FAIL" "$SIM_DIR/fill.out" && fail guest_writes_survive_save "$(cat "$SIM_DIR/fill.out")" ||
	pass guest_writes_survive_save
(cd "$SIM_DIR" && "$SIM_BUILD/memback-ctl" save "$a" xvdb final.img --control memback.sock) >/dev/null &&
	pass save_relative_path || fail save_relative_path "memback-ctl save ... final.img"
why=$(python3 - "$SIM_DIR/live.img" "$SIM_DIR/final.img" <<'PY'

import sys
live, final = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert len(live) == len(final) == 64 << 20, (len(live), len(final))
zero = bytes(4096)
bad = [i for i in range(0, len(live), 4096)
       if live[i:i + 4096] != zero and live[i:i + 4096] != final[i:i + 4096]]
written = sum(1 for i in range(0, len(live), 4096) if live[i:i + 4096] != zero)
print("live image: %d of %d blocks written, %d foreign" % (written, len(live) // 4096, len(bad)))
sys.exit(1 if bad or written == 0 else 0)
PY
) && pass live_save_consistent || fail live_save_consistent "$why"
echo "INFO: $why"
check attach_from_final attach "$b" xvdb "size=64M,image=$SIM_DIR/final.img"
guest "$b" check $XVDB 11
check detach_final detach "$b" xvdb
msg=$(ctl save "$a" xvdb 2>&1)
[[ "$msg" == *"no save= file: give a PATH"* ]] && pass save_without_path_refused || fail save_without_path_refused "$msg"
check detach_live detach "$a" xvdb

# Sparse: 1 MiB of data in a 64 MiB disk saves as a 64 MiB file of ~1 MiB.
python3 -c 'import os,sys; open(sys.argv[1],"wb").write(os.urandom(1 << 20))' "$SIM_DIR/small.img"
check attach_small attach "$a" xvdb "size=64M,image=$SIM_DIR/small.img"
ctl save "$a" xvdb "$SIM_DIR/sparse.img" >/dev/null
kb=$(du -k "$SIM_DIR/sparse.img" | cut -f1)
[ "$(stat -c %s "$SIM_DIR/sparse.img")" = $((64 << 20)) ] && [ "$kb" -lt 4096 ] &&
	pass saved_image_sparse || fail saved_image_sparse "$(stat -c %s "$SIM_DIR/sparse.img") bytes, $kb KiB on disk"
cmp -n $((1 << 20)) "$SIM_DIR/small.img" "$SIM_DIR/sparse.img" && pass sparse_image_content || fail sparse_image_content
check detach_small detach "$a" xvdb

# check-target looks at the files.
msg=$("$SIM_BUILD/memback-ctl" check-target "size=1M,image=$SIM_DIR/none.img" 2>&1)
[ $? = 1 ] && [[ "$msg" == *"image $SIM_DIR/none.img: No such file or directory"* ]] &&
	pass check_target_missing_image || fail check_target_missing_image "$msg"
msg=$("$SIM_BUILD/memback-ctl" check-target "size=512K,image=$SIM_DIR/small.img" 2>&1)
[ $? = 1 ] && [[ "$msg" == *"is larger than size=524288"* ]] && pass check_target_image_too_large ||
	fail check_target_image_too_large "$msg"
check check_target_image_ok "$SIM_BUILD/memback-ctl" check-target "size=1M,image=$SIM_DIR/small.img"

check daemon_alive mb_alive
check clean_exit mb_stop
sim_stop
[ "${SIM_FAILED:-0}" = 0 ]
