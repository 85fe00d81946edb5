# Helpers for the end-to-end tests: the shipped memback binary on the
# simulated host (tests/lib/sim.sh), disks attached with memback-ctl as
# `xl block-attach` does, guests driven by build/tests/guest_io.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"

MB_PID=
MB_LOG=
MB_ARGS=()

# The state directory (--state-dir) of this host's memback: on tmpfs as in
# production (memory, not a disk file system); sim_stop removes it.
mb_state_dir() { echo "${MB_STATE:-$(sim_shm_dir)/state}"; }

# mb_start [memback options...]: start the daemon in the foreground (as a
# child) on the simulated host, with the simulated Xen libraries first.
# MB_SOCK: the control socket (default $SIM_DIR/memback.sock).
mb_start() {
	MB_LOG="$SIM_DIR/memback.log"
	local sock=${MB_SOCK:-$SIM_DIR/memback.sock}
	# -C: never the host's /etc/memback/memback.conf (a test passes its own).
	MB_ARGS=("$@")
	rm -f "$SIM_DIR/memback.pid" "$sock" # a killed daemon leaves both
	"$SIM_BUILD/memback" -f -C /dev/null --pidfile "$SIM_DIR/memback.pid" \
		-c "$sock" --state-dir "$(mb_state_dir)" "$@" >>"$MB_LOG" 2>&1 &
	MB_PID=$!
	sim_track_pid "$MB_PID"
	# Ready once it watches the backend directory: give it a moment to
	# register; attach waits for InitWait anyway. The pid file comes
	# before the control socket: wait for both.
	for _ in $(seq 100); do
		[ -s "$SIM_DIR/memback.pid" ] && [ -S "$sock" ] && return 0
		kill -0 "$MB_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "memback did not start; its log:" >&2
	cat "$MB_LOG" >&2
	return 1
}

# mb_stop [SIGNAL]: SIGUSR2 by default (every device closed for good, as
# memback-ctl shutdown does; SIGTERM leaves them to a next memback), and
# the daemon's exit status (0 expected).
mb_stop() {
	[ -n "$MB_PID" ] || return 0
	kill -"${1:-USR2}" "$MB_PID" 2>/dev/null
	wait "$MB_PID"
	local rc=$?
	MB_PID=
	return $rc
}

# mb_kill: kill -9, as a crash; waits until the process is gone.
mb_kill() {
	[ -n "$MB_PID" ] || return 0
	kill -KILL "$MB_PID" 2>/dev/null
	wait "$MB_PID" 2>/dev/null
	MB_PID=
	return 0
}

# mb_restart [options]: memback again on the same state directory, with
# the options of the last mb_start unless others are given.
mb_restart() {
	if [ $# -gt 0 ]; then mb_start "$@"; else mb_start "${MB_ARGS[@]}"; fi
}

mb_alive() { [ -n "$MB_PID" ] && kill -0 "$MB_PID" 2>/dev/null; }

# attach DOMID VDEV TARGET [options]: memback-ctl as the toolstack would.
attach() { "$SIM_BUILD/memback-ctl" attach --no-script --timeout 10 "$@"; }
detach() { "$SIM_BUILD/memback-ctl" detach --timeout 10 "$@"; }

# guest DOMID SCENARIO DEVID [SEED]: run guest_io inside the guest; its
# PASS/FAIL lines go to our stdout. Returns guest_io's status.
guest() {
	local dom=$1
	shift
	sim_as_domain "$dom" "$SIM_BUILD/tests/guest_io" "$@" || SIM_FAILED=1
}

be_path() { echo "/local/domain/0/backend/vbd/$1/$2"; }
fe_path() { echo "/local/domain/$1/device/vbd/$2"; }

# wait_node PATH VALUE [SECONDS]: until xenstore PATH reads VALUE.
wait_node() {
	local i
	for i in $(seq $((${3:-10} * 20))); do
		[ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_node_gone PATH [SECONDS]: until xenstore PATH no longer exists.
wait_node_gone() {
	local i
	for i in $(seq $((${2:-10} * 20))); do
		xenstore-exists "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# check NAME COMMAND...: PASS if the command succeeds, else FAIL.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
