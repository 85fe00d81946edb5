#!/bin/bash
# The package round trip (make check-deb; root): install the .deb into a
# fresh Debian 12 root (debootstrap, cached), run memback --help (which also
# parses the shipped memback.conf) and memback-ctl check-target there; refuse
# removal while a disk is attached, naming it; then remove (which shuts
# memback down) and purge, and nothing the package brought is left behind.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

deb=$(ls "$BUILD"/deb/memback_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: deb_built: no $BUILD/deb/memback_*_amd64.deb (make deb)"; exit 1; }
root=$PWD/$BUILD/deb/root
tools/deb/fresh-root.sh "$root" || { echo "FAIL: fresh_root: debootstrap failed"; exit 1; }
in_root() { chroot "$root" "$@"; }
listing() { (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \
	-o -path ./var/lib/dpkg -o -path ./var/log -o -path ./var/cache -o -path ./tmp \) -prune -o -print | sort); }
listing >"$root.before"

cp "$deb" "$root/tmp/memback.deb"
out=$(in_root dpkg -i /tmp/memback.deb 2>&1)
[ $? = 0 ] && pass install_into_fresh_root || fail install_into_fresh_root "$out"
out=$(in_root memback --help 2>&1)
[[ "$out" == "usage: memback"* ]] && pass memback_help_in_root || fail memback_help_in_root "$out"
out=$(in_root memback-ctl check-target size=1G 2>&1)
[ "$out" = "size=1073741824 sector-size=512" ] && pass check_target_in_root || fail check_target_in_root "$out"
for f in /usr/sbin/memback /usr/sbin/memback-ctl /etc/xen/scripts/memback; do
	[ -x "$root$f" ] || fail "installed_$f" "not executable"
done
for f in /etc/memback/memback.conf /etc/modprobe.d/memback.conf /lib/systemd/system/memback.service \
	/usr/share/man/man8/memback.8.gz /usr/share/man/man8/memback-ctl.8.gz \
	/usr/share/man/man5/memback.conf.5.gz; do
	[ -f "$root$f" ] || fail "installed_$f" "missing"
done
pass installed_files
[ "$(stat -c %a "$root/var/lib/memback")" = 700 ] && pass image_dir_root_only ||
	fail image_dir_root_only "$(stat -c %a "$root/var/lib/memback" 2>&1)"
[ -L "$root/etc/systemd/system/multi-user.target.wants/memback.service" ] && pass unit_enabled ||
	fail unit_enabled "no multi-user.target.wants link"

# A disk attached (memback on the simulated host, its control socket where
# the root's memback-ctl looks): removal is refused and names the disk.
sim_start
MB_SOCK=$root/run/memback/control.sock mb_start --pool-size 64M
dom=$(sim_domain_create pkg)
check attach_for_refusal attach "$dom" xvdb size=8M
out=$(in_root dpkg -r memback 2>&1)
rc=$?
[ $rc != 0 ] && [[ "$out" == *"refusing to remove while these disks are attached"* ]] &&
	[[ "$out" == *"vbd $dom/51728"* ]] && pass remove_refused_with_disk_list ||
	fail remove_refused_with_disk_list "exit $rc: $out"
[ -x "$root/usr/sbin/memback" ] && pass still_installed_after_refusal || fail still_installed_after_refusal
check detach_for_removal detach "$dom" xvdb
out=$(in_root dpkg -r memback 2>&1)
[ $? = 0 ] && pass remove_when_no_disk || fail remove_when_no_disk "$out"
# prerm ran memback-ctl shutdown (no systemd in the root to stop the unit).
for _ in $(seq 50); do mb_alive || break; sleep 0.1; done
! mb_alive && pass removal_shuts_memback_down || fail removal_shuts_memback_down "still running: $out"
check daemon_stops mb_stop
sim_stop
rmdir "$root/run/memback" 2>/dev/null
[ ! -e "$root/usr/sbin/memback" ] && [ -f "$root/etc/memback/memback.conf" ] &&
	pass remove_keeps_conffiles || fail remove_keeps_conffiles
out=$(in_root dpkg -P memback 2>&1)
[ $? = 0 ] && pass purge || fail purge "$out"
rm -f "$root/tmp/memback.deb"
left=$(listing | diff "$root.before" - | grep '^[<>]')
[ -z "$left" ] && pass purge_leaves_nothing || fail purge_leaves_nothing "$(echo $left)"
in_root dpkg -s memback >/dev/null 2>&1 && fail package_gone "dpkg -s still knows it" || pass package_gone
[ "${SIM_FAILED:-0}" = 0 ]
