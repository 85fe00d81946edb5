#!/bin/bash
# The blkfront load generator against memback on the simulated host: every
# negotiated ring shape moves data that verifies, and the CLI refuses bad
# arguments with a one-line message.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

sim_start
mb_start --pool-size 256M --max-queues 4 --max-ring-order 4
dom=$(sim_domain_create loadgen)
check attach attach "$dom" xvdb size=64M

bf() { sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb "$@" >"$SIM_DIR/bf.out" 2>&1; }
run() {
	local name=$1
	shift
	if bf "$@"; then pass "$name"; else fail "$name" "blkfront $*: $(tail -n 3 "$SIM_DIR/bf.out")"; fi
}
run seq_write_44k_fill_verify --rw write --pattern seq --bs 44K --size 16M --fill-verify --qd 8
run rand_mixed_4k_verify --rw mixed:50 --pattern rand --bs 4K --qd 16 --count 4000 --verify --size 16M
run ring_order_2 --ring-order 2 --rw write --bs 32K --size 8M --fill-verify --qd 32
run two_queues --queues 2 --rw mixed:50 --pattern rand --bs 16K --qd 8 --count 2000 --verify --size 8M
run ring_order_4_four_queues --ring-order 4 --queues 4 --rw read --pattern rand --bs 4K --qd 64 --count 8000
# Above 44K the CLI uses indirect requests (memback offers 256 segments).
run indirect_256k_fill_verify --rw write --bs 256K --size 16M --fill-verify --qd 8
run indirect_1m_mixed_verify --rw mixed:50 --pattern rand --bs 1M --qd 4 --count 200 --verify --size 32M
run indirect_two_queues_order_2 --ring-order 2 --queues 2 --rw write --bs 128K --size 16M --fill-verify --qd 8
# A 32-bit guest's ring layout, direct and indirect.
run x86_32_abi_4k_fill_verify --protocol x86_32-abi --rw write --bs 4K --size 4M --fill-verify --qd 16
run x86_32_abi_order_4_two_queues --protocol x86_32-abi --ring-order 4 --queues 2 --rw write --bs 8K --size 8M --fill-verify --qd 64
run x86_32_abi_64k_mixed_verify --protocol x86_32-abi --ring-order 1 --rw mixed:50 --pattern rand --bs 64K --qd 8 --count 1000 --verify --size 16M
run json_report --rw read --bs 4K --count 100 --json
grep -q '"iops"' "$SIM_DIR/bf.out" && pass json_has_iops || fail json_has_iops "$(head -c 300 "$SIM_DIR/bf.out")"

# Bad command lines: one line naming the problem, exit status 2.
for args in "--bs 1000" "--bs 2M" "--qd 0" "--rw sideways" "--devid nope" "--bogus"; do
	# shellcheck disable=SC2086
	sim_as_domain "$dom" "$SIM_BUILD/blkfront" --devid xvdb $args >"$SIM_DIR/bad.out" 2>&1
	rc=$?
	lines=$(wc -l <"$SIM_DIR/bad.out")
	if [ $rc = 2 ] && [ "$lines" -le 2 ]; then pass "bad_args ${args// /_}"
	else fail "bad_args ${args// /_}" "exit $rc, $(cat "$SIM_DIR/bad.out")"; fi
done
check daemon_alive mb_alive
check sigterm_exits_0 mb_stop
