#!/bin/bash
# End to end: the bootloader's disk. For a script disk and bootloader=pygrub,
# libxl attaches the disk to dom0 itself (backend/vbd/0/<devid>, the frontend
# in dom0), runs the bootloader on it, detaches it and attaches the guest's
# own disk: two disks, which only image= makes alike. memback serves a
# frontend in its own domain, lets go of the image when that disk goes, and
# the guest's disk then loads the same bytes.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

XVDB=51728
sim_start
mb_start --pool-size 64M
F="$SIM_DIR/boot.img"
other=$(sim_domain_create other)
guest_dom=$(sim_domain_create booted)

# The image the guest boots from (its "grub.cfg" is the seed's pattern).
check make_image attach "$other" xvdb "size=16M,save=$F"
guest "$other" fill $XVDB 4
check save_image detach "$other" xvdb

# libxl's local attach for the bootloader: frontend and backend in dom0.
check attach_to_dom0 attach 0 xvdb "size=16M,image=$F"
check dom0_frontend_path sh -c "[ \"\$(xenstore-read $(fe_path 0 $XVDB)/backend)\" = $(be_path 0 $XVDB) ]"
guest 0 check $XVDB 4
# A guest going away does not take dom0's own device with it.
sim_domain_destroy "$other"
sleep 0.5
check dom0_device_survives_other_domains sh -c "xenstore-exists $(be_path 0 $XVDB)"
check detach_from_dom0 detach 0 xvdb
grep -q "vbd 0/$XVDB: .*removed" "$MB_LOG" && pass dom0_device_removed || fail dom0_device_removed
# The guest's own disk, from the same image: the bytes the bootloader read.
check attach_guest_disk attach "$guest_dom" xvdb "size=16M,image=$F"
guest "$guest_dom" check $XVDB 4
check detach_guest_disk detach "$guest_dom" xvdb
check daemon_alive mb_alive
check clean_exit mb_stop
sim_stop
[ "${SIM_FAILED:-0}" = 0 ]
