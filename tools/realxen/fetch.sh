#!/bin/bash
# Fetch what a real-Xen run needs, into a cache that later runs reuse:
#   $CACHE/xen/      Xen 4.17 hypervisor (package unpacked, not installed)
#   $CACHE/kernel/   Debian 12's kernel + modules (unpacked, not installed)
#   $CACHE/dom0-root a debootstrap root with the Xen toolstack, for dom0
# The hypervisor and kernel are unpacked with dpkg-deb -x rather than
# installed: a real install would run grub and initramfs hooks on this host.
# Also installs the host tools the run uses (qemu, busybox, cpio, debootstrap).
set -eu
CACHE=${1:?usage: fetch.sh CACHE_DIR}
mkdir -p "$CACHE/debs"
export DEBIAN_FRONTEND=noninteractive

# Host tools: installed only when missing, so a warm machine stays quiet.
missing=
for p in qemu-system-x86 busybox-static cpio debootstrap kmod; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "fetch: installing on the host:$missing"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The kernel the linux-image-amd64 metapackage points at (the newest 6.1).
kpkg_of() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6/ {print $2; exit}'; }

unpack() { # unpack PACKAGE DIR: download once, unpack once
	local pkg=$1 dir=$2
	[ -e "$dir/.done" ] && return 0
	if ! ls "$CACHE/debs/${pkg}_"*.deb >/dev/null 2>&1; then
		(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download "$pkg" >/dev/null) ||
			{ apt-get update -qq && (cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download "$pkg" >/dev/null); }
	fi
	rm -rf "$dir" && mkdir -p "$dir"
	dpkg-deb -x "$(ls "$CACHE/debs/${pkg}_"*.deb | tail -1)" "$dir"
	touch "$dir/.done"
}

unpack xen-hypervisor-4.17-amd64 "$CACHE/xen"
if [ ! -e "$CACHE/kernel/.done" ]; then
	kpkg=$(kpkg_of)
	[ -n "$kpkg" ] || { apt-get update -qq; kpkg=$(kpkg_of); }
	[ -n "$kpkg" ] || { echo "fetch: no linux-image-6.1 package found" >&2; exit 1; }
	unpack "$kpkg" "$CACHE/kernel"
fi
# QEMU's -kernel takes Xen's multiboot ELF, not the gzip the package ships.
[ -e "$CACHE/xen.elf" ] || gunzip -c "$CACHE"/xen/boot/xen-4.17-amd64.gz >"$CACHE/xen.elf"

# dom0's root: Debian's own toolstack (xl, xenstored, libxenstore...), so
# the memback binaries built on this host run there unchanged.
if [ ! -e "$CACHE/dom0-root/.done" ]; then
	echo "fetch: debootstrap dom0 root (about a minute)"
	rm -rf "$CACHE/dom0-root"
	debootstrap --variant=minbase \
		--include=xen-utils-4.17,xenstore-utils,busybox,kmod,iproute2,procps \
		bookworm "$CACHE/dom0-root" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
	# Trim what a RAM root never uses: docs, locales, apt's lists and cache.
	rm -rf "$CACHE"/dom0-root/usr/share/{doc,man,info,locale} \
		"$CACHE"/dom0-root/var/cache/apt/* "$CACHE"/dom0-root/var/lib/apt/lists/*
	touch "$CACHE/dom0-root/.done"
fi

# chroot_install ROOT MARKER PKG...: apt-get install inside a debootstrap
# root, once (MARKER), from the root's own sources, so that versions match
# its xen-utils; policy-rc.d keeps package scripts from starting services.
chroot_install() {
	local root=$1 marker=$2; shift 2
	[ -e "$root/$marker" ] && return 0
	echo "fetch: installing $* into ${root##*/}"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	chroot "$root" apt-get update -qq >"$CACHE/chroot-apt.log" 2>&1 &&
		chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "$@" >>"$CACHE/chroot-apt.log" 2>&1 ||
		{ tail -20 "$CACHE/chroot-apt.log" >&2; exit 1; }
	rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/cache/apt/* \
		"$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
	touch "$root/$marker"
}
# The bench guest's fio, with its libraries, comes from a root of its own
# (a copy of dom0's): fio pulls in ceph and gluster libraries that dom0's
# image need not carry.
if [ ! -e "$CACHE/fio-root/.fio-done" ]; then
	rm -rf "$CACHE/fio-root"
	cp -a "$CACHE/dom0-root" "$CACHE/fio-root"
	chroot_install "$CACHE/fio-root" .fio-done fio
fi
# QEMU's xen-block (qdisk), the third backend of the benchmark: libxl starts
# /usr/libexec/xen-qemu-system-i386 (Debian's qemu-system-xen) per domain.
chroot_install "$CACHE/dom0-root" .qemu-done qemu-system-xen
echo "fetch: cache ready in $CACHE"
