#!/bin/sh
# fresh-root.sh DIR: a fresh Debian 12 root in DIR for the package round
# trip (debootstrap --variant=minbase with what memback's package depends
# on), built once and kept as DIR.tar; later runs unpack the tarball.
set -eu
dir=$1
tar=$dir.tar
if [ ! -s "$tar" ]; then
	rm -rf "$dir.new"
	debootstrap --variant=minbase \
		--include=libxenstore4,libxengnttab1,libxenevtchn1,xenstore-utils \
		bookworm "$dir.new" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
		>"$dir.debootstrap.log" 2>&1 || {
		echo "fresh-root: debootstrap failed, see $dir.debootstrap.log" >&2
		exit 1
	}
	# Up to date, as a Debian 12 machine is: the package is built against
	# the security archive's Xen libraries.
	m=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
		"$m" "$m" "$m" >"$dir.new/etc/apt/sources.list"
	{ chroot "$dir.new" apt-get update -qq && chroot "$dir.new" apt-get upgrade -y -qq; } \
		>>"$dir.debootstrap.log" 2>&1 || {
		echo "fresh-root: apt-get upgrade failed, see $dir.debootstrap.log" >&2
		exit 1
	}
	chroot "$dir.new" apt-get clean
	rm -rf "$dir.new/var/lib/apt/lists/"*
	tar -C "$dir.new" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
	rm -rf "$dir.new"
fi
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" -xf "$tar"
