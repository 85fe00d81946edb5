#!/bin/bash
# The xensim command: start/stop, a second start refused, bad command
# lines, run-as's environment, domain ids, stats.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/sim.sh

# bad NAME ARGS...: non-zero exit and a one-line message.
bad() {
	local name=$1 out rc
	shift
	out=$("$XENSIM" "$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [ -n "$out" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, output: $out"
	fi
}

bad no_command
bad unknown_command frobnicate --dir /tmp
bad no_dir stop
bad bad_option start --dir /tmp --bogus
bad bad_memory domain create --dir /tmp --memory lots
bad bad_domid domain destroy --dir /tmp x1
bad destroy_needs_id domain destroy --dir /tmp
bad unknown_domain_cmd domain rename --dir /tmp
bad run_as_no_cmd run-as --dir /tmp 1 --
bad no_host_stats stats --dir /nonexistent/dir

sim_start || { fail sim_start "xensim start failed"; exit 1; }
[ -S "$SIM_DIR/xenstored.sock" ] && pass start_socket_ready || fail start_socket_ready "no socket"
[ -s "$SIM_DIR/xenstored.pid" ] && kill -0 "$(cat "$SIM_DIR/xenstored.pid")" &&
	pass start_pidfile || fail start_pidfile "no live pid"
bad second_start_refused start --dir "$SIM_DIR"
xenstore-exists /local/domain/0 && pass first_host_still_serves || fail first_host_still_serves ""

a=$(sim_domain_create first) b=$(sim_domain_create)
[ "$a" = 1 ] && [ "$b" = 2 ] && pass domids_from_1 || fail domids_from_1 "got '$a' '$b'"
[ "$(xenstore-read /local/domain/2/name)" = guest2 ] && pass default_name ||
	fail default_name "$(xenstore-read /local/domain/2/name)"
bad duplicate_name domain create --dir "$SIM_DIR" --name first
[ -S "$SIM_DIR/dom1/xenstored.sock" ] && pass domain_socket || fail domain_socket "missing"

env_out=$(sim_as_domain 1 sh -c 'echo "$XENSTORED_PATH $XENSIM_DIR $XENSIM_DOMID"')
[ "$env_out" = "$SIM_DIR/dom1/xenstored.sock $SIM_DIR 1" ] && pass run_as_env ||
	fail run_as_env "$env_out"
env_out=$(sim_as_domain 0 sh -c 'echo "$XENSTORED_PATH $XENSIM_DOMID"')
[ "$env_out" = "$SIM_DIR/xenstored.sock 0" ] && pass run_as_dom0 || fail run_as_dom0 "$env_out"
sim_as_domain 1 sh -c 'exit 3'
[ $? = 3 ] && pass run_as_exit_status || fail run_as_exit_status "status lost"

sim_domain_destroy 1 && pass destroy_first || fail destroy_first "failed"
c=$(sim_domain_create again)
[ "$c" = 1 ] && pass domid_reused || fail domid_reused "got '$c'"
bad destroy_unknown domain destroy --dir "$SIM_DIR" 77
bad destroy_dom0 domain destroy --dir "$SIM_DIR" 0

# A backend that never reaches Closed: destroyed anyway, with a warning.
d=$(sim_domain_create stuck)
be=/local/domain/0/backend/vbd/$d/51712
xenstore-write "$be/state" 4 "/local/domain/$d/device/vbd/51712/state" 4
err=$(XENSIM_CLOSE_TIMEOUT_MS=300 "$XENSIM" domain destroy --dir "$SIM_DIR" "$d" 2>&1)
rc=$?
[ $rc = 0 ] && pass stuck_backend_destroyed || fail stuck_backend_destroyed "exit $rc: $err"
case "$err" in
*warning*"$be"*Closed*) pass stuck_backend_warning ;;
*) fail stuck_backend_warning "stderr: $err" ;;
esac
xenstore-exists "$be" && fail stuck_backend_removed "$be left" || pass stuck_backend_removed
xenstore-exists "/local/domain/$d" && fail stuck_domain_removed "left" || pass stuck_domain_removed

"$XENSIM" stats --dir "$SIM_DIR" | grep -q '^dom1 ' && pass stats_text || fail stats_text ""
"$XENSIM" stats --dir "$SIM_DIR" --json | grep -q '"1":{' && pass stats_json || fail stats_json ""
[ -z "$("$XENSIM" zombies --dir "$SIM_DIR")" ] && pass no_zombies || fail no_zombies ""

pid=$(cat "$SIM_DIR/xenstored.pid")
"$XENSIM" stop --dir "$SIM_DIR" && pass stop || fail stop "failed"
kill -0 "$pid" 2>/dev/null && fail stop_kills_daemon "pid $pid alive" || pass stop_kills_daemon
[ ! -e "$SIM_DIR/xenstored.sock" ] && [ ! -e "$SIM_DIR/dom1" ] && [ ! -e "$SIM_DIR/host.shm" ] &&
	pass stop_cleans_dir || fail stop_cleans_dir "$(ls "$SIM_DIR")"
bad stop_twice stop --dir "$SIM_DIR"
# Start again on the same directory after a stop.
"$XENSIM" start --dir "$SIM_DIR" && xenstore-exists /local/domain/0 && pass restart ||
	fail restart "failed"
