#!/bin/bash
# End to end: what each grant mode costs dom0 in grant hypercalls, and that
# data verifies in every mode. Persistent: once a guest's data pages are
# mapped, requests map nothing more; the cache stays within its bound; every
# mapping goes at disconnect. Copy: one batched grant copy per ring pass.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728

# stat KEY: dom0's counter KEY from the simulator.
stat() {
	"$SIM_BUILD/xensim" stats --dir "$SIM_DIR" --json |
		python3 -c "import json,sys; print(json.load(sys.stdin)['0']['$1'])"
}

# bf DOMID ARGS...: the blkfront load generator as the guest; fails unless
# every request succeeded and verified.
bf() {
	local dom=$1
	shift
	sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb "$@" >>"$SIM_DIR/bf.log" 2>&1
}

# run_restart MEMBACK-OPTIONS...: a fresh daemon, disk and guest.
run_restart() {
	[ -n "$MB_PID" ] && { detach "$dom" xvdb >/dev/null 2>&1; mb_stop; }
	mb_start --pool-size 256M "$@" || return 1
	attach "$dom" xvdb size=64M
}

sim_start
dom=$(sim_domain_create guest1)

# --- persistent, the default bound ---------------------------------------
check persistent_attach run_restart --grant-mode persistent
check persistent_advertised wait_node "$(be_path "$dom" $XVDB)/feature-persistent" 1
check persistent_warmup_verifies bf "$dom" --qd 8 --bs 4K --count 500 --rw write --fill-verify --size 1M
# Each run connects anew and maps its ring and the data pages it uses once;
# twenty times the requests must not map more.
m0=$(stat map_calls)
check persistent_short_run_verifies bf "$dom" --qd 8 --bs 4K --count 200 --rw mixed:50 --verify --size 1M
m1=$(stat map_calls)
check persistent_long_run_verifies bf "$dom" --qd 8 --bs 4K --count 4000 --rw mixed:50 --verify --size 1M
m2=$(stat map_calls)
short=$((m1 - m0)) long=$((m2 - m1))
echo "persistent: maps for 200 requests: $short, for 4000 requests: $long"
check persistent_maps_do_not_grow_per_request test "$long" -le "$short"
check persistent_maps_bounded_by_pages_used test "$long" -le 20
# Every request shape, and the validation rules: a grant the guest gave
# read-only serves a write, fails a read with an error, and the device goes on.
guest "$dom" shapes $XVDB
guest "$dom" invalid $XVDB
# A grant the guest gave read-only, kept mapped read-only after a write,
# then used for a read: that request fails, the page is untouched.
sim_as_domain "$dom" "$SIM_BUILD/tests/guest_grants" readonly $XVDB || SIM_FAILED=1
check persistent_daemon_survives mb_alive
# A frontend that does not offer feature-persistent is served by grant copy.
c0=$(stat copy_calls) m0=$(stat map_calls)
sim_as_domain "$dom" "$SIM_BUILD/tests/guest_grants" nopersist $XVDB || SIM_FAILED=1
c1=$(stat copy_calls) m1=$(stat map_calls)
echo "persistent, frontend without it: $((c1 - c0)) copy calls, $((m1 - m0)) maps"
check no_persistent_frontend_gets_copy test $((c1 - c0)) -ge 128
check no_persistent_frontend_maps_only_ring test $((m1 - m0)) -le 1
check persistent_detach detach "$dom" xvdb
check persistent_no_mapping_left_after_detach test "$(stat mapped_now)" -eq 0

# --- persistent, a bound smaller than what the guest uses -----------------
# 16 requests of 4 pages touch 64+ pages: 16 stay mapped, the rest are mapped
# per request; data still verifies and dom0 never holds more than the bound
# plus the ring and one request's transient pages.
check small_bound_attach run_restart --grant-mode persistent --max-persistent-grants 16
check small_bound_verifies bf "$dom" --qd 16 --bs 16K --count 3000 --rw mixed:50 --fill-verify --size 4M
peak=$(stat mapped_peak)
echo "persistent, bound 16: dom0 mapped_peak $peak"
check small_bound_peak_within_bound test "$peak" -le $((16 + 1 + 4))
check small_bound_detach detach "$dom" xvdb
check small_bound_no_mapping_left test "$(stat mapped_now)" -eq 0

# --- copy: one grant-copy call per ring pass -----------------------------
check copy_attach run_restart --grant-mode copy
c0=$(stat copy_calls) s0=$(stat copy_segs) m0=$(stat map_calls)
check copy_verifies bf "$dom" --qd 8 --bs 4K --count 2000 --rw mixed:50 --fill-verify --size 1M
c1=$(stat copy_calls) s1=$(stat copy_segs) m1=$(stat map_calls)
echo "copy: $((s1 - s0)) segments in $((c1 - c0)) copy calls, $((m1 - m0)) maps"
check copy_batches_segments test $(((c1 - c0) * 2)) -le $((s1 - s0))
check copy_maps_only_the_ring test $((m1 - m0)) -le 1
check copy_detach detach "$dom" xvdb

# --- map: a map per request, data verifies -------------------------------
check map_attach run_restart --grant-mode map
m0=$(stat map_calls)
check map_verifies bf "$dom" --qd 8 --bs 4K --count 1000 --rw mixed:50 --fill-verify --size 1M
m1=$(stat map_calls)
echo "map: $((m1 - m0)) maps for the run"
check map_maps_per_request test $((m1 - m0)) -ge 1000
check map_detach detach "$dom" xvdb
check map_no_mapping_left test "$(stat mapped_now)" -eq 0

check daemon_alive_at_end mb_alive
check sigterm_exits_0 mb_stop
[ "${SIM_FAILED:-0}" = 0 ] || { echo "--- blkfront log"; tail -40 "$SIM_DIR/bf.log"; }
