#!/bin/bash
# End to end: attach errors, read-only disks, guests that die, a frontend
# that breaks the ring protocol, pool exhaustion. Whatever one guest does,
# the daemon keeps serving the others.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728 XVDC=51744 XVDD=51760
sim_start
# 96 MiB of pool, overcommitted: disks may promise more than it holds.
mb_start --pool-size 96M --overcommit
good=$(sim_domain_create good)
bad=$(sim_domain_create bad)
check attach_good attach "$good" xvdb size=32M
guest "$good" fill $XVDB 3

# A target the daemon cannot serve: memback reports it in the error node,
# memback-ctl prints it in one line, fails and leaves no node behind.
msg=$(attach "$bad" xvdb 'size=12Q' 2>&1)
rc=$?
if [ $rc != 0 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && [[ "$msg" == *size* ]]; then
	pass bad_target_refused_in_one_line
else
	fail bad_target_refused_in_one_line "exit $rc: $msg"
fi
check bad_target_leaves_no_backend_node sh -c "! xenstore-exists $(be_path "$bad" $XVDB)"
check bad_target_leaves_no_frontend_node sh -c "! xenstore-exists $(fe_path "$bad" $XVDB)"
check bad_target_leaves_no_libxl_node sh -c "! xenstore-exists /libxl/$bad/device/vbd/$XVDB"
grep -q "vbd $bad/$XVDB: .*size" "$MB_LOG" && pass bad_target_logged_with_device_name ||
	fail bad_target_logged_with_device_name "not in the log"

# Read-only: writes and discards refused, reads served.
check attach_readonly attach "$bad" xvdc size=8M --ro
guest "$bad" readonly $XVDC

# xl's no-discard: the toolstack's discard-enable=0 is honoured.
check attach_no_discard attach "$good" xvdc size=8M --no-discard
check no_discard_not_offered sh -c "! xenstore-exists $(be_path "$good" $XVDC)/feature-discard"
check detach_no_discard detach "$good" xvdc

# A CD-ROM: read-only, VDISK_CDROM in info, device-type cdrom.
check attach_cdrom attach "$bad" xvdf size=8M --cdrom
check cdrom_device_type sh -c "[ \"\$(xenstore-read $(be_path "$bad" 51792)/device-type)\" = cdrom ]"
guest "$bad" cdrom 51792

# A frontend whose producer index lies: its device closes, nobody else's.
check attach_for_overflow attach "$bad" xvdd size=8M
guest "$bad" overflow $XVDD
check overflow_device_closing wait_node "$(be_path "$bad" $XVDD)/state" 5 5
check daemon_survives_overflow mb_alive
guest "$good" check $XVDB 3

# A frontend that writes every state in random order, fast, with junk in
# its ring nodes now and then: the daemon lives, and once the frontend
# behaves, the device serves it.
check attach_for_storm attach "$bad" xvdg size=8M
fe=$(fe_path "$bad" 51808)
sim_as_domain "$bad" bash -c '
	for i in $(seq 300); do
		xenstore-write "'"$fe"'/state" $((RANDOM % 9)) 2>/dev/null
		case $((i % 7)) in
		0) xenstore-write "'"$fe"'/ring-ref" junk "'"$fe"'/event-channel" 99999 ;;
		3) xenstore-write "'"$fe"'/multi-queue-num-queues" 1000 ;;
		5) xenstore-rm "'"$fe"'/multi-queue-num-queues" 2>/dev/null ;;
		esac
	done
	xenstore-write "'"$fe"'/state" 6
	xenstore-rm "'"$fe"'/ring-ref" "'"$fe"'/event-channel" 2>/dev/null
	xenstore-rm "'"$fe"'/multi-queue-num-queues" 2>/dev/null; true' >/dev/null 2>&1
check daemon_survives_state_storm mb_alive
grep -q "vbd $bad/51808: .*1000 queues" "$MB_LOG" && pass storm_reached_the_daemon ||
	fail storm_reached_the_daemon "no refusal of 1000 queues in the log"
guest "$bad" zero 51808
guest "$good" check $XVDB 3

# Pool exhaustion: writes fail with an error response, the daemon lives,
# and the good guest's data is intact.
check attach_oversized attach "$bad" xvde size=256M
guest "$bad" enospc 51776
check daemon_survives_enospc mb_alive
guest "$good" check $XVDB 3

# The bad guest is destroyed while its disks are attached: the toolstack
# closes the backends, memback lets go of every grant and event channel.
check destroy_bad_guest sim_domain_destroy "$bad"
check no_zombie_domains sh -c "[ -z \"\$($SIM_BUILD/xensim zombies --dir $SIM_DIR 2>/dev/null)\" ]"
check bad_backends_removed sh -c "! xenstore-exists /local/domain/0/backend/vbd/$bad"
guest "$good" check $XVDB 3

check sigterm_exits_0 mb_stop
