#!/bin/bash
# Build the two initramfs images of a real-Xen run from the cache that
# fetch.sh filled and the freshly built memback binaries:
#   $CACHE/guest.cpio  busybox + xen-blkfront.ko + xvfy + guest-init as /init
#   $CACHE/guest-bench.cpio  the same + fio and its libraries + guest-fio
#   $CACHE/dom0.cpio   the debootstrap root + the few kernel modules dom0 loads
#                      + memback, memback-ctl, the hotplug scripts, the guest's
#                      kernel, image and configs + dom0-init as /init
# Uncompressed: under software emulation, unpacking gzip costs dom0 more
# seconds than copying the bytes.
set -eu
CACHE=${1:?usage: images.sh CACHE_DIR BUILD_DIR}
BUILD=${2:?usage: images.sh CACHE_DIR BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVER=$(ls "$CACHE/kernel/lib/modules")
KMOD=$CACHE/kernel/lib/modules/$KVER

mkcpio() { # mkcpio DIR OUT
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# ---- guest ----
G=$CACHE/stage-guest
rm -rf "$G" && mkdir -p "$G"/{bin,dev,proc,sys}
cp /bin/busybox "$G/bin/busybox"
for app in $("$G/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -sf busybox "$G/bin/$app"
done
cp "$BUILD/realxen/xvfy" "$G/bin/xvfy"
cp "$KMOD/kernel/drivers/block/xen-blkfront.ko" "$G/"
install -m 0755 "$HERE/guest-init" "$G/init"
install -m 0644 "$HERE/guest-images" "$G/guest-images"
mkcpio "$G" "$CACHE/guest.cpio"

# ---- bench guest: the same + fio with every library it links (ldd in
# fio-root) + the fio job runner ----
F=$CACHE/fio-root
B=$CACHE/stage-bench
rm -rf "$B" && cp -a "$G" "$B"
install -m 0755 "$F/usr/bin/fio" "$B/bin/fio"
for lib in $(chroot "$F" ldd /usr/bin/fio | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
	install -D -m 0755 "$F$(chroot "$F" readlink -f "$lib")" "$B$lib"
done
install -m 0755 "$HERE/guest-fio" "$B/bin/guest-fio"
mkcpio "$B" "$CACHE/guest-bench.cpio"

# ---- dom0 ----
D=$CACHE/stage-dom0
rm -rf "$D"
cp -a "$CACHE/dom0-root" "$D"
rm -f "$D/.done"
# Only the modules dom0 loads (the whole tree is 400 MB).
for m in drivers/xen/xen-privcmd.ko drivers/xen/xenfs/xenfs.ko drivers/xen/xen-evtchn.ko \
	drivers/xen/xen-gntdev.ko drivers/xen/xen-gntalloc.ko \
	drivers/block/brd.ko drivers/block/xen-blkback/xen-blkback.ko drivers/block/xen-blkfront.ko; do
	install -D -m 0644 "$KMOD/kernel/$m" "$D/lib/modules/$KVER/kernel/$m"
done
cp "$KMOD"/modules.{order,builtin,builtin.modinfo} "$D/lib/modules/$KVER/" 2>/dev/null || true
depmod -b "$D" "$KVER"
install -m 0755 "$BUILD/memback" "$BUILD/memback-ctl" "$D/usr/local/sbin/"
install -m 0755 "$TOP/tools/hotplug/memback" "$D/etc/xen/scripts/memback"
install -m 0755 "$HERE/blkback-ram" "$D/etc/xen/scripts/blkback-ram"
install -d "$D/etc/xen/realxen"
install -m 0644 "$HERE"/guest-*.cfg "$HERE/dom0-images" "$D/etc/xen/realxen/"
cp "$CACHE/kernel/boot/vmlinuz-$KVER" "$D/etc/xen/realxen/vmlinuz"
cp "$CACHE/guest.cpio" "$D/etc/xen/realxen/guest.cpio"
cp "$CACHE/guest-bench.cpio" "$D/etc/xen/realxen/guest-bench.cpio"
install -m 0644 "$HERE/dom0-bench" "$HERE/dom0-restart" "$D/etc/xen/realxen/"
# The pygrub guest's disk image: ext4 with grub.cfg, kernel and initramfs.
B=$CACHE/stage-boot
rm -rf "$B" && mkdir -p "$B/boot/grub"
cp "$CACHE/kernel/boot/vmlinuz-$KVER" "$B/boot/vmlinuz"
cp "$CACHE/guest.cpio" "$B/boot/guest.cpio"
printf 'set default=0\nset timeout=0\nmenuentry "memback" {\n\tlinux /boot/vmlinuz console=hvc0 role=booted\n\tinitrd /boot/guest.cpio\n}\n' \
	>"$B/boot/grub/grub.cfg"
rm -f "$D/etc/xen/realxen/boot.img"
mkfs.ext4 -q -F -L mbboot -d "$B" "$D/etc/xen/realxen/boot.img" 24M
install -m 0755 "$HERE/dom0-init" "$D/init"
mkcpio "$D" "$CACHE/dom0.cpio"
echo "images: guest.cpio $(du -h "$CACHE/guest.cpio" | cut -f1), dom0.cpio $(du -h "$CACHE/dom0.cpio" | cut -f1) (kernel $KVER)"
