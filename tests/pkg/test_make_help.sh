#!/bin/bash
# make help lists every .PHONY target of the build (each rule line carries
# "## what it does"); a target added without one fails here.
set -u
cd "$(dirname "$0")/../.."
help=$(make --no-print-directory help)
phony=$(make --no-print-directory -pRrq -f Makefile : 2>/dev/null | sed -n 's/^\.PHONY: //p' |
	tr ' ' '\n' | sort -u | grep -v '^$')
missing=0
for t in $phony; do
	if ! grep -q "^  make $t " <<<"$help"; then
		echo "FAIL: make_help: target $t is not listed by make help"
		missing=1
	fi
done
[ $missing = 0 ] && echo "PASS: make_help_lists_every_phony_target"
n=$(grep -c '^  make ' <<<"$help")
[ "$n" -ge 10 ] && echo "PASS: make_help_has_$n" || echo "FAIL: make_help: only $n lines"
