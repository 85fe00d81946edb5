# tests/pkg/: the build's own interface (make help) and the Debian package.
TESTS += tests/pkg/test_make_help.sh
