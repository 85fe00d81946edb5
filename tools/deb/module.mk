# tools/deb: the Debian package (debhelper; packaging in tools/deb/debian).
.PHONY: deb check-deb
deb: ## build memback_<version>_amd64.deb into build/deb/, lintian-clean
	@tools/deb/build-deb.sh $(BUILD)/deb

# Not part of make check: it needs root, debootstrap (the first run fetches
# a minimal Debian root, cached in build/deb/root.tar) and a minute or two.
check-deb: deb ## the package round trip in a fresh Debian root (root)
	@BUILD=$(BUILD) tests/run-tests.sh tests/pkg/test_deb.sh
