#!/bin/bash
# End to end: the frontend states Linux blkback refuses (7 Reconfiguring,
# 8 Reconfigured) get the error node naming the state and Closing, as
# xenbus_dev_fatal; after Closed, Initialising gets InitWait again and the
# guest reconnects and is served.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728
sim_start
mb_start --pool-size 32M
g=$(sim_domain_create guest)
other=$(sim_domain_create other)
check attach_guest attach "$g" xvdb size=8M
check attach_other attach "$other" xvdb size=8M
guest "$g" fill $XVDB 4
be=$(be_path "$g" $XVDB)
fe=$(fe_path "$g" $XVDB)

wait_closing_or_closed() {
	local i s
	for i in $(seq 100); do
		s=$(xenstore-read "$1" 2>/dev/null)
		[ "$s" = 5 ] || [ "$s" = 6 ] && return 0
		sleep 0.05
	done
	return 1
}

for st in 7 8; do
	# The guest is Connected (a running blkfront) when it writes st.
	sim_as_domain "$g" "$SIM_BUILD/blkfront" --devid xvdb --rw read --bs 4K --qd 4 --time 30 \
		>"$SIM_DIR/bf$st.out" 2>&1 &
	bfpid=$!
	# Both sides Connected: blkfront writes its Connected after ours, and
	# would overwrite st if it came first (the backend reads the node's
	# value when it looks, as blkback does).
	wait_node "$be/state" 4 10 && wait_node "$fe/state" 4 10 || fail "state${st}_setup" "not Connected"
	sim_as_domain "$g" xenstore-write "$fe/state" "$st"
	# Closing; the running blkfront may take it on to Closed at once.
	check "state${st}_backend_closing" wait_closing_or_closed "$be/state"
	err=$(xenstore-read "$be/error" 2>/dev/null)
	[[ "$err" == "22 saw state $st "* ]] && pass "state${st}_error_node_names_it" ||
		fail "state${st}_error_node_names_it" "error node: $err"
	wait "$bfpid" 2>/dev/null
	# blkfront answered Closing by closing; make sure the frontend says
	# Closed, as Linux's blkfront would.
	sim_as_domain "$g" xenstore-write "$fe/state" 6
	check "state${st}_backend_closed" wait_node "$be/state" 6 5
	# Initialising after Closed: InitWait again, and the guest is served.
	sim_as_domain "$g" xenstore-write "$fe/state" 1
	check "state${st}_initialising_gets_initwait" wait_node "$be/state" 2 5
	guest "$g" check $XVDB 4
	check "state${st}_daemon_alive" mb_alive
done
# The other guest never noticed.
guest "$other" fill $XVDB 9
guest "$other" check $XVDB 9
check sigterm_exits_0 mb_stop
