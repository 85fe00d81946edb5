#!/bin/bash
# memback-ctl shutdown, the client side, against a stand-in for the daemon's
# control socket (a few lines of Python): it sends exactly "shutdown\n",
# succeeds only on an "ok" line, and every other outcome (no memback, a
# stale socket, an error answer, silence past --timeout, a hang-up without
# an answer) is one line on stderr and exit 1; bad arguments exit 2.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CTL=$BUILD/memback-ctl
T=$(mktemp -d)
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
SRV=
nfail=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; nfail=$((nfail + 1)); }

# serve MODE: one connection on $T/sock; the request line goes to $T/req.
# MODE: ok | okline (answers "ok", keeps the connection open) | error |
# silent | hangup.
serve() {
	rm -f "$T/sock" "$T/req"
	python3 - "$T/sock" "$T/req" "$1" <<'PY' &
import socket, sys, time
path, reqf, mode = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(1)
c, _ = s.accept()
req = b""
while not req.endswith(b"\n"):
    b = c.recv(100)
    if not b: break
    req += b
open(reqf, "wb").write(req)
if mode == "ok": c.sendall(b"ok\n"); c.close()
elif mode == "okline": c.sendall(b"ok\n"); time.sleep(5)
elif mode == "error": c.sendall(b"error: a save is still running\n"); c.close()
elif mode == "silent": time.sleep(5)
elif mode == "hangup": c.close()
PY
	SRV=$!
	for _ in $(seq 100); do [ -S "$T/sock" ] && return 0; sleep 0.05; done
	return 1
}

# expect NAME STATUS PATTERN ARGS...: memback-ctl shutdown ARGS exits STATUS,
# its stderr is one line matching PATTERN (or empty for "").
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$CTL" shutdown "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc != "$want" ]; then fail "$name" "exit $rc, not $want: $(cat "$T/err")"; return; fi
	if [ -z "$pat" ]; then
		[ -s "$T/err" ] && { fail "$name" "unexpected stderr: $(cat "$T/err")"; return; }
	elif [ "$(wc -l <"$T/err")" != 1 ] || ! grep -qE -- "$pat" "$T/err"; then
		fail "$name" "stderr not one line matching /$pat/: $(cat "$T/err")"; return
	fi
	pass "$name"
}

expect "no memback: one line, exit 1" 1 "memback is not running" --control "$T/none.sock"
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$T/stale.sock"
expect "stale socket, nobody listening: not running" 1 "memback is not running" --control "$T/stale.sock"

serve ok && expect "answer ok: exit 0, quiet" 0 "" --control "$T/sock"
wait $SRV
if [ "$(od -c "$T/req" | head -1)" = "$(printf 'shutdown\n' | od -c | head -1)" ]; then
	pass "the request line is exactly \"shutdown\\n\""
else fail "request line" "sent $(od -c "$T/req" | head -1)"; fi

serve okline
expect "an ok line counts even if the socket stays open past --timeout" 0 "" --control "$T/sock" --timeout 1
wait $SRV

serve error && expect "error answer: its reason, exit 1" 1 "shutdown: a save is still running$" --control "$T/sock"
wait $SRV
serve hangup && expect "hang-up without an answer: exit 1" 1 "closed the connection without answering" --control "$T/sock"
wait $SRV

serve silent
start=$(date +%s%N)
expect "silence past --timeout 1: exit 1" 1 "no answer from memback within 1 s" --control "$T/sock" --timeout 1
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -ge 900 ] && [ $ms -lt 3000 ] && pass "--timeout 1 waits about 1 s ($ms ms)" ||
	fail "--timeout 1" "returned after $ms ms"
kill $SRV 2>/dev/null; wait $SRV 2>/dev/null

expect "--timeout 0 refused, exit 2" 2 "--timeout wants seconds from 1 to 3600" --timeout 0
expect "--timeout x refused, exit 2" 2 "--timeout wants seconds" --timeout x
expect "unknown argument, exit 2" 2 "unexpected argument \"now\"" now
[ $nfail = 0 ]
