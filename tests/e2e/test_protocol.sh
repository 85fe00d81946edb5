#!/bin/bash
# End to end: the blkif protocol features memback offers, each with a test
# that fails if the feature breaks: negotiation nodes, ring orders 0..4,
# 1..4 queues under concurrent I/O, indirect requests (12/64/256 segments,
# limits, malformed descriptors, a descriptor page rewritten in flight),
# the x86_32 ABI checked against the native one, and refusals of what is
# not offered (ring order 5, too many queues, an unknown protocol).
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744

gp() {
	local dom=$1
	shift
	sim_as_domain "$dom" "$SIM_BUILD/tests/guest_proto" "$@" || SIM_FAILED=1
}

# node_is NAME DOMID NODE VALUE: the backend node reads VALUE ("" = absent).
node_is() {
	local got
	got=$(xenstore-read "$(be_path "$2" $XVDB)/$3" 2>/dev/null)
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "$3 is '$got', wanted '$4'"; fi
}

# dom0's grant map calls and pages mapped now, from the simulator.
dom0_maps() {
	"$XENSIM" stats --dir "$SIM_DIR" | sed -n 's/^dom0 .*map_calls=\([0-9]*\).*mapped_now=\([0-9]*\).*/\1 \2/p'
}

# refused NAME DOMID KIND [ARG]: the backend refuses without mapping
# anything, and a valid frontend connects afterwards.
refused() {
	local name=$1 dom=$2 before after
	shift 2
	before=$(dom0_maps)
	GUEST_PROTO_PREFIX="${name}_" gp "$dom" refuse $XVDB "$@"
	after=$(dom0_maps)
	if [ -n "$before" ] && [ "$before" = "$after" ]; then pass "${name}_maps_nothing"
	else fail "${name}_maps_nothing" "dom0 map calls / mapped pages went from '$before' to '$after'"; fi
	GUEST_PROTO_PREFIX="after_${name}_" gp "$dom" ring $XVDB 0 1 11
}

bf_cli() {
	sim_as_domain "$1" "$SIM_BUILD/blkfront" --devid xvdb "${@:2}" >"$SIM_DIR/bf.out" 2>&1
}

# 1. Defaults (indirect 256, ring order 4) and 4 queues.
sim_start
mb_start --pool-size 512M --max-queues 4
dom=$(sim_domain_create guest1 --memory 256)
check attach_xvdb attach "$dom" xvdb size=64M
node_is advertises_max_ring_page_order_4 "$dom" max-ring-page-order 4
node_is advertises_4_queues "$dom" multi-queue-max-queues 4
node_is advertises_256_indirect_segments_by_default "$dom" feature-max-indirect-segments 256
for order in 0 1 2 3 4; do
	gp "$dom" ring $XVDB $order 1 11
done
for queues in 1 2 3 4; do
	gp "$dom" ring $XVDB 2 $queues 64
done
gp "$dom" ring $XVDB 4 4 256
gp "$dom" indirect $XVDB 256

# The race may only touch its own device: a second disk stays intact.
check attach_xvdc attach "$dom" xvdc size=16M
guest "$dom" fill $XVDC 5
gp "$dom" race $XVDB 400
guest "$dom" check $XVDC 5

# x86_32-abi: written in one ABI, read back in the other.
for pair in "native x86_32-abi 11" "x86_32-abi native 12" "x86_32-abi x86_64-abi 13"; do
	set -- $pair
	GUEST_PROTO_PREFIX="seed$3_$1_" gp "$dom" pattern $XVDB "$1" 64 "$3" write
	GUEST_PROTO_PREFIX="seed$3_$1_to_$2_" gp "$dom" pattern $XVDB "$2" 64 "$3" check
done

# What is not offered is refused with an error node, nothing mapped.
refused ring_order_5 "$dom" order5
refused five_queues_of_4 "$dom" queues 5
refused unknown_protocol "$dom" protocol x86_16-abi
check daemon_alive mb_alive
check sigterm_exits_0 mb_stop
sim_stop

# 2. Smaller offers: each limit is advertised and enforced.
sim_start
mb_start --pool-size 256M --max-queues 2 --max-ring-order 2 --max-indirect-segments 64
dom=$(sim_domain_create guest2 --memory 256)
check attach_limited attach "$dom" xvdb size=64M
node_is advertises_configured_ring_order "$dom" max-ring-page-order 2
node_is advertises_configured_queues "$dom" multi-queue-max-queues 2
node_is advertises_configured_indirect "$dom" feature-max-indirect-segments 64
GUEST_PROTO_PREFIX=limited_ gp "$dom" indirect $XVDB 64
refused ring_order_5_of_2 "$dom" order5
refused three_queues_of_2 "$dom" queues 3
if bf_cli "$dom" --bs 1M --rw write --count 4; then
	fail cli_refuses_bs_above_offer "exit 0: $(cat "$SIM_DIR/bf.out")"
elif [ "$(wc -l <"$SIM_DIR/bf.out")" = 1 ] && grep -q "262144 bytes" "$SIM_DIR/bf.out"; then
	pass cli_refuses_bs_above_offer
else
	fail cli_refuses_bs_above_offer "$(cat "$SIM_DIR/bf.out")"
fi
check cli_bs_256k_verified bf_cli "$dom" --bs 256K --rw write --size 16M --fill-verify --qd 4
check sigterm_exits_0_limited mb_stop
sim_stop

# 3. Indirect off: no node, the operation is not supported, the CLI says so.
sim_start
mb_start --pool-size 256M --max-indirect-segments 0
dom=$(sim_domain_create guest3)
check attach_no_indirect attach "$dom" xvdb size=64M
node_is no_indirect_node_when_off "$dom" feature-max-indirect-segments ""
GUEST_PROTO_PREFIX=off_ gp "$dom" indirect $XVDB 0
if bf_cli "$dom" --bs 64K --rw write --count 4; then
	fail cli_refuses_indirect_bs_without_indirect "exit 0"
else
	check cli_message_names_limit grep -q "45056 bytes" "$SIM_DIR/bf.out"
fi
check sigterm_exits_0_no_indirect mb_stop
sim_stop

# 4. Grant mapping instead of grant copy: the same requests, the same data.
sim_start
mb_start --pool-size 256M --max-queues 2 --grant-mode map
dom=$(sim_domain_create guest4 --memory 256)
check attach_map_mode attach "$dom" xvdb size=64M
GUEST_PROTO_PREFIX=map_ gp "$dom" ring $XVDB 3 2 64
GUEST_PROTO_PREFIX=map_ gp "$dom" indirect $XVDB 256
GUEST_PROTO_PREFIX=map_ gp "$dom" race $XVDB 200
GUEST_PROTO_PREFIX=map_seed21_ gp "$dom" pattern $XVDB x86_32-abi 64 21 write
GUEST_PROTO_PREFIX=map_seed21_native_ gp "$dom" pattern $XVDB native 64 21 check
check sigterm_exits_0_map_mode mb_stop
