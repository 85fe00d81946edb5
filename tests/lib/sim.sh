# Helpers for shell tests on the simulated Xen host. Source from a test:
#
#   . "$(dirname "$0")/../lib/sim.sh"
#   sim_start                       # host in a fresh /tmp dir; exports
#                                   # SIM_DIR XENSIM_DIR XENSTORED_PATH (dom0)
#   id=$(sim_domain_create [NAME])  # prints the new domid
#   sim_as_domain "$id" CMD ARGS... # run CMD as a process of domain id
#   sim_domain_destroy "$id"
#   sim_stop                        # also done by the EXIT trap
#   pass NAME / fail NAME WHY / skip NAME WHY
#
# BUILD (default "build") is relative to the repo root unless absolute.
# The EXIT trap stops every host started here, kills the pids given to
# sim_track_pid and removes the host's directory.

SIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="${BUILD:-build}"
case "$BUILD" in
/*) SIM_BUILD="$BUILD" ;;
*)  SIM_BUILD="$SIM_ROOT/$BUILD" ;;
esac
XENSIM="$SIM_BUILD/xensim"
SIM_DIR=""
SIM_PIDS=()
SIM_FAILED=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; SIM_FAILED=1; }
skip() { echo "SKIP: $1: ${2:-skipped}"; }
# check_memory NAME OK-COMMAND... : a bound on memback's resident memory.
# Under AddressSanitizer (make check-asan) freed memory sits in ASan's
# quarantine and its shadow grows with use, so such bounds mean nothing
# there: they are skipped, saying why; everything else still runs.
check_memory() {
	local name=$1
	shift
	if [[ "$SIM_BUILD" == *-asan ]]; then
		skip "$name" "resident memory under ASan is its quarantine and shadow"
	elif "$@"; then
		pass "$name"
	else
		fail "$name" "$*"
	fi
}

# A background process to kill at exit (a backend, a guest...).
sim_track_pid() { SIM_PIDS+=("$1"); }

sim_cleanup() {
	local rc=$? pid
	for pid in "${SIM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	SIM_PIDS=()
	sim_stop
	# A test that printed a FAIL line must not exit 0.
	[ "$rc" = 0 ] && [ "$SIM_FAILED" != 0 ] && exit 1
	exit "$rc"
}

sim_start() {
	if [ ! -x "$XENSIM" ]; then
		echo "sim_start: $XENSIM is not built" >&2
		return 1
	fi
	SIM_DIR=$(mktemp -d /tmp/xensim.XXXXXX) || return 1
	trap sim_cleanup EXIT
	if ! "$XENSIM" start --dir "$SIM_DIR"; then
		rm -rf "$SIM_DIR"
		SIM_DIR=""
		return 1
	fi
	export SIM_DIR XENSIM_DIR="$SIM_DIR" XENSTORED_PATH="$SIM_DIR/xenstored.sock"
	export LD_LIBRARY_PATH="$SIM_BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# sim_domain_create [NAME] [--memory MiB]: echoes the new domid.
sim_domain_create() {
	local args=()
	if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
		args=(--name "$1")
		shift
	fi
	"$XENSIM" domain create --dir "$SIM_DIR" "${args[@]}" "$@"
}

sim_domain_destroy() { "$XENSIM" domain destroy --dir "$SIM_DIR" "$1"; }

sim_as_domain() {
	local id="$1"
	shift
	"$XENSIM" run-as --dir "$SIM_DIR" "$id" -- "$@"
}

# A directory on tmpfs for this host (memback's state directory lives
# there, as /dev/shm/memback does on a dom0); removed by sim_stop.
sim_shm_dir() {
	local d=/dev/shm/${SIM_DIR##*/}
	mkdir -p "$d" && echo "$d"
}

sim_stop() {
	[ -n "$SIM_DIR" ] || return 0
	rm -rf "/dev/shm/${SIM_DIR##*/}"
	# Safe under `set -e` (callers' EXIT traps): nothing here may fail.
	"$XENSIM" stop --dir "$SIM_DIR" 2>/dev/null || true
	# Under SAN=1 the daemon reports to its log only (leaks at exit).
	local report
	report=$(grep -m 3 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$SIM_DIR/xenstored.log" 2>/dev/null || true)
	[ -z "$report" ] || fail xenstored_sanitizer "$report"
	# memback's own reports (SAN=1), in the e2e tests' log (tests/e2e/lib.sh).
	report=$(grep -m 3 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$SIM_DIR/memback.log" 2>/dev/null || true)
	[ -z "$report" ] || fail memback_sanitizer "$report"
	rm -rf "$SIM_DIR"
	SIM_DIR=""
	unset XENSIM_DIR XENSTORED_PATH
}
