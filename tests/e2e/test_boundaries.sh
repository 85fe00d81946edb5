#!/bin/bash
# Byte-exact read-back of every request shape across pool-chunk and local
# page boundaries, in every grant mode and with 512- and 4096-byte sectors:
# the one-copy data path splits each segment where its disk range crosses
# a chunk or a page, and a read into an unwritten chunk comes from the
# zero page.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

sim_start
dom=$(sim_domain_create bounds)
for mode in copy persistent map; do
	mb_start --pool-size 256M --grant-mode $mode || { fail "${mode}_start"; continue; }
	check "${mode}_attach" attach "$dom" xvdb size=64M
	GUEST_PREFIX="${mode}_512_" guest "$dom" boundaries 51728
	check "${mode}_attach_4k" attach "$dom" xvdc 'size=64M,sector-size=4096'
	GUEST_PREFIX="${mode}_4096_" guest "$dom" boundaries 51744
	check "${mode}_detach" detach "$dom" xvdb
	check "${mode}_detach_4k" detach "$dom" xvdc
	check "${mode}_sigterm_exits_0" mb_stop
done
