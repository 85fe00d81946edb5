#!/bin/bash
# Debian's xenstore-* tools against the simulated xenstored, as dom0 and
# from inside a guest.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/sim.sh

# t NAME EXPECTED COMMAND...: PASS if the command's output is EXPECTED.
t() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "got '$got', want '$want'"; fi
}
ok() { local n=$1; shift; if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n" "$* failed"; fi; }
ko() { local n=$1; shift; if "$@" >/dev/null 2>&1; then fail "$n" "$* succeeded"; else pass "$n"; fi; }

sim_start || { fail sim_start "xensim start failed"; exit 1; }

ok write_many xenstore-write /t/a 1 /t/b 2
t read_many "$(printf '1\n2')" xenstore-read /t/a /t/b
ok exists xenstore-exists /t/a
ko exists_missing xenstore-exists /t/none
t list "$(printf 'a\nb')" xenstore-list /t
t ls "$(printf 'a = "1"\nb = "2"')" xenstore-ls /t
ok chmod xenstore-chmod /t/a n0 r7
t ls_perms 'a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r7)' \
	sh -c 'xenstore-ls -p /t | head -n 1'
ok rm xenstore-rm /t/a
ko rm_gone xenstore-exists /t/a
t watch_initial /t timeout 5 xenstore-watch -n 1 /t

# A watch sees a write below it after its initial event.
out="$SIM_DIR/watch.out"
timeout 5 xenstore-watch -n 2 /t >"$out" 2>&1 &
wpid=$!
sim_track_pid "$wpid"
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.02; done
xenstore-write /t/c 3
wait "$wpid"
t watch_subtree "$(printf '/t\n/t/c')" cat "$out"

# A directory listing over the payload limit comes in DIRECTORY_PART pieces.
args=()
for i in $(seq 300); do args+=("/many/child-with-a-long-name-$i" 1); done
xenstore-write "${args[@]}"
t list_over_payload 300 sh -c 'xenstore-list /many | wc -l'

big=$(head -c 4000 /dev/zero | tr '\0' v)
ok value_4000_bytes xenstore-write /t/big "$big"
t value_4000_reads_back 4000 sh -c 'xenstore-read /t/big | tr -d "\n" | wc -c'
ko value_over_payload xenstore-write /t/big "$big$big"

dom=$(sim_domain_create tools-guest) || fail domain_create "xensim domain create failed"
t guest_reads_name tools-guest sim_as_domain "$dom" xenstore-read name
t guest_reads_name_abs tools-guest sim_as_domain "$dom" xenstore-read "/local/domain/$dom/name"
ko guest_reads_dom0 sim_as_domain "$dom" xenstore-read /local/domain/0/name
t guest_ls_dom0 "xenstore-ls: xs_directory (/local/domain/0): Permission denied" \
	sim_as_domain "$dom" xenstore-ls /local/domain/0
ko guest_renames_itself sim_as_domain "$dom" xenstore-write name evil
ok guest_writes_data sim_as_domain "$dom" xenstore-write data/x hello
t dom0_sees_guest_data hello xenstore-read "/local/domain/$dom/data/x"
t guest_watch_relative data sim_as_domain "$dom" timeout 5 xenstore-watch -n 1 data
t domain_list "$(printf '0 Domain-0\n%s tools-guest' "$dom")" "$XENSIM" domain list --dir "$SIM_DIR"
ok domain_destroy sim_domain_destroy "$dom"
ko domain_gone xenstore-exists "/local/domain/$dom"
ko domain_socket_gone test -e "$SIM_DIR/dom$dom/xenstored.sock"
