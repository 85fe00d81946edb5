#!/bin/bash
# End to end: memback.conf under the command line, a bad file refused in
# one line naming file and line, SIGHUP applying what can change live.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

sim_start
conf="$SIM_DIR/memback.conf"

# A bad file: exit 2, one line naming the file, the line and the problem.
printf '# test\npool-size = 64M\nmlock = perhaps\n' >"$conf"
msg=$("$SIM_BUILD/memback" -f -C "$conf" 2>&1)
rc=$?
[ $rc = 2 ] && [ "$msg" = "memback: $conf:3: mlock wants yes or no, not \"perhaps\"" ] &&
	pass bad_file_one_line_names_file_and_line || fail bad_file_one_line_names_file_and_line "exit $rc: $msg"
msg=$("$SIM_BUILD/memback" -f -C "$SIM_DIR/absent.conf" 2>&1)
[ $? = 2 ] && [[ "$msg" == *"cannot read $SIM_DIR/absent.conf"* ]] &&
	pass missing_explicit_file_refused || fail missing_explicit_file_refused "$msg"

# The file's pool size, the command line's log level over the file's.
printf 'pool-size = 48M\nlog-level = error\npoll-us = 10\n' >"$conf"
mb_start -C "$conf" --log-level info
# The control socket opens a moment after the pidfile is written.
for _ in $(seq 50); do
	pool=$("$SIM_BUILD/memback-ctl" pool --control "$SIM_DIR/memback.sock" 2>&1) && break
	sleep 0.1
done
[[ "$pool" == *"size $((48 << 20)),"* ]] && pass file_sets_pool_size || fail file_sets_pool_size "$pool"
grep -q "serving .* 48 MiB pool" "$MB_LOG" && pass command_line_overrides_file ||
	fail command_line_overrides_file "the info line is missing: $(cat "$MB_LOG")"

# SIGHUP: log-level and poll-us change live; pool-size needs a restart.
printf 'pool-size = 96M\nlog-level = debug\npoll-us = 20\n' >"$conf"
kill -HUP "$MB_PID"
for _ in $(seq 50); do grep -q "reload: poll-us" "$MB_LOG" && break; sleep 0.1; done
grep -q "reload: pool-size = $((96 << 20)) needs a restart; still $((48 << 20))" "$MB_LOG" &&
	pass reload_names_restart_settings || fail reload_names_restart_settings "$(grep reload "$MB_LOG")"
grep -q "reload: poll-us = 20 (was 10)" "$MB_LOG" && pass reload_applies_live_settings ||
	fail reload_applies_live_settings "$(grep reload "$MB_LOG")"
# log-level stays info: the command line still overrides the file.
grep -q "reload: log-level" "$MB_LOG" && fail reload_keeps_command_line "$(grep reload "$MB_LOG")" ||
	pass reload_keeps_command_line
# A broken file on SIGHUP: logged, the daemon keeps its settings and serves.
printf 'pool-size = 96M\nbogus = 1\n' >"$conf"
kill -HUP "$MB_PID"
for _ in $(seq 50); do grep -q "settings stay" "$MB_LOG" && break; sleep 0.1; done
grep -q "reload: $conf:2: unknown setting \"bogus\" .*; the settings stay as they were" "$MB_LOG" &&
	pass reload_bad_file_logged || fail reload_bad_file_logged "$(grep reload "$MB_LOG")"
dom=$(sim_domain_create cfg)
check serves_after_bad_reload attach "$dom" xvdb size=8M
check detach_after_reload detach "$dom" xvdb
# image-dir, live: a target naming a file elsewhere is refused in one line.
printf 'pool-size = 48M\npoll-us = 20\nimage-dir = %s/img\n' "$SIM_DIR" >"$conf"
kill -HUP "$MB_PID"
for _ in $(seq 50); do grep -q "reload: image-dir" "$MB_LOG" && break; sleep 0.1; done
msg=$(attach "$dom" xvdc "size=8M,save=$SIM_DIR/elsewhere.img" 2>&1)
[ $? != 0 ] && [[ "$msg" == *"save: $SIM_DIR/elsewhere.img is not under image-dir $SIM_DIR/img"* ]] &&
	pass image_dir_refuses_other_paths || fail image_dir_refuses_other_paths "$msg"
mkdir -p "$SIM_DIR/img"
check image_dir_allows_its_own attach "$dom" xvdc "size=8M,save=$SIM_DIR/img/d.img"
check detach_image_dir detach "$dom" xvdc
check clean_exit mb_stop
sim_stop
[ "${SIM_FAILED:-0}" = 0 ]
