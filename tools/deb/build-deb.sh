#!/bin/sh
# make deb: build memback_<version>_amd64.deb from this tree with debhelper
# (packaging in tools/deb/debian), into OUT (default build/deb), and run
# lintian on it: any error or warning fails.
set -eu
cd "$(dirname "$0")/../.."
out=${1:-build/deb}
need="debhelper lintian fakeroot dpkg-dev libxen-dev"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "make deb: missing packages:$missing" >&2; exit 1; }
	echo "make deb: installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
ver=$(dpkg-parsechangelog -l tools/deb/debian/changelog -S Version)
src=$out/memback-$ver
rm -rf "$src" "$out"/memback_"$ver"_*
mkdir -p "$src"
# The tree as it is (tracked or not), without build output or git.
tar --exclude=./build --exclude=./build-asan --exclude=./build-fuzz --exclude=./.git \
	-cf - . | tar -C "$src" -xf -
cp -r tools/deb/debian "$src/debian"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -20 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed, see $out/build.log" >&2
	exit 1
fi
deb=$out/memback_${ver}_amd64.deb
# lintian refuses to run as root without --allow-root.
lintian --allow-root --fail-on error,warning --display-info "$deb" >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	echo "make deb: lintian reports errors or warnings" >&2
	exit 1
}
echo "make deb: $deb (lintian: no errors or warnings; $out/lintian.log)"
