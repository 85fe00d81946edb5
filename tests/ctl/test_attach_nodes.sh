#!/bin/bash
# memback-ctl attach writes what real xl writes: every node of
# ../shared/fixtures/xl-phy-disk-nodes.txt that libxl and the hotplug
# script write, with the same permissions (values that depend on the disk
# aside); a bad target or a failing hotplug script leaves no node; detach
# removes what attach wrote; bad command lines exit 2 with one line.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
FIXTURE=tests/ctl/xl-phy-disk-nodes.txt

sim_start
mb_start --pool-size 256M
dom=$(sim_domain_create guest)
export PATH="$SIM_BUILD:$PATH"
SCRIPT="$PWD/tools/hotplug/memback"
check attach_with_hotplug_script \
	"$SIM_BUILD/memback-ctl" attach "$dom" xvda size=64M --script "$SCRIPT"

# "path | value | perms" lines, the fixture's domain 1 renamed to ours;
# values that depend on the disk are compared by presence only.
normalise() {
	sed -e "s|/vbd/1/|/vbd/$dom/|; s|/domain/1/|/domain/$dom/|; s|^/libxl/1/|/libxl/$dom/|" \
	    -e "s|(n1,r0)|(n$dom,r0)|; s|(n0,r1)|(n0,r$dom)|"
}
expected=$(grep -v '^#' "$FIXTURE" | normalise |
	grep -Ev '/(feature-max-indirect-segments|multi-queue-max-queues|max-ring-page-order|physical-device|physical-device-path|state) ')
actual=$( { xenstore-ls -f -p /local/domain/0/backend; xenstore-ls -f -p "/local/domain/$dom/device"
	    xenstore-ls -f -p "/libxl/$dom/device"; } |
	sed -E 's|^([^ ]+) = (".*")   (\(.*\))$|\1 \| \2 \| \3|')
while IFS= read -r line; do
	path=${line%% | *}
	perms=${line##* | }
	case "$path" in
	*/params | */script) want="$path | * | $perms" ;;
	*) want="$line" ;;
	esac
	got=$(grep -F "$path | " <<<"$actual" | head -n 1)
	# shellcheck disable=SC2053
	if [[ "$got" == $want ]] || [ "$got" = "$line" ]; then
		pass "node ${path#/}"
	else
		fail "node ${path#/}" "want '$line', got '${got:-nothing}'"
	fi
done <<<"$expected"
[ "$(xenstore-read "$(be_path "$dom" 51712)/script")" = "$SCRIPT" ] && pass script_node_is_the_script ||
	fail script_node_is_the_script "$(xenstore-read "$(be_path "$dom" 51712)/script")"
[ "$(xenstore-read "$(be_path "$dom" 51712)/params")" = size=64M ] && pass params_is_the_target ||
	fail params_is_the_target "params"

check detach_removes_everything "$SIM_BUILD/memback-ctl" detach "$dom" xvda
# As libxl's path cleanup: the parents the last disk leaves empty go too.
for p in "$(be_path "$dom" 51712)" "$(fe_path "$dom" 51712)" "/libxl/$dom/device/vbd/51712" \
	"/local/domain/0/backend/vbd/$dom" "/local/domain/$dom/device/vbd" "/libxl/$dom/device"; do
	check "detached_${p//\//_}_gone" sh -c "! xenstore-exists $p"
done
check domain_dir_kept xenstore-exists "/local/domain/$dom/name"

# A target memback refuses: the hotplug script reports hotplug-error,
# memback-ctl prints one line, exits 1 and leaves no node behind.
out=$("$SIM_BUILD/memback-ctl" attach "$dom" xvdb 'size=1G,image=relative' --script "$SCRIPT" 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ "$out" == *image* ]] &&
	pass bad_target_one_line_exit_1 || fail bad_target_one_line_exit_1 "exit $rc: $out"
for p in "$(be_path "$dom" 51728)" "$(fe_path "$dom" 51728)" "/libxl/$dom/device/vbd/51728"; do
	check "refused_${p//\//_}_not_left" sh -c "! xenstore-exists $p"
done

# A hotplug script that fails: same clean refusal.
printf '#!/bin/sh\nxenstore-write "$XENBUS_PATH/hotplug-error" "no luck"\nexit 1\n' >"$SIM_DIR/bad-script"
chmod +x "$SIM_DIR/bad-script"
out=$("$SIM_BUILD/memback-ctl" attach "$dom" xvdc size=8M --script "$SIM_DIR/bad-script" 2>&1)
rc=$?
[ $rc = 1 ] && [[ "$out" == *"no luck"* ]] && pass failing_script_reported || fail failing_script_reported "exit $rc: $out"
check failing_script_leaves_no_node sh -c "! xenstore-exists $(be_path "$dom" 51744)"

# The hotplug script on its own: add writes hotplug-status, remove is a no-op.
check attach_no_script "$SIM_BUILD/memback-ctl" attach "$dom" xvdd size=8M --no-script
XENBUS_PATH=$(be_path "$dom" 51760) "$SCRIPT" add && pass hotplug_add_ok || fail hotplug_add_ok "exit $?"
[ "$(xenstore-read "$(be_path "$dom" 51760)/hotplug-status")" = connected ] &&
	pass hotplug_status_connected || fail hotplug_status_connected "not connected"
out=$(MEMBACK_CONTROL="$SIM_DIR/memback.sock" XENBUS_PATH=$(be_path "$dom" 51760) "$SCRIPT" remove 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ] && pass hotplug_remove_ok || fail hotplug_remove_ok "exit $rc: $out"
# memback down (its socket does not answer): remove says so in one line
# (libxl logs it), with where the data goes, and does not wait.
out=$(MEMBACK_CONTROL="$SIM_DIR/none.sock" XENBUS_PATH=$(be_path "$dom" 51760) "$SCRIPT" remove 2>&1)
rc=$?
[ $rc = 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ "$out" == *"memback is not running"* ]] &&
	[[ "$out" == *"cannot complete"* ]] && [[ "$out" == *"save= image"*"when memback starts again"* ]] &&
	pass hotplug_remove_says_memback_down || fail hotplug_remove_says_memback_down "exit $rc: $out"
"$SCRIPT" bogus >/dev/null 2>&1
[ $? = 2 ] && pass hotplug_bad_command_exit_2 || fail hotplug_bad_command_exit_2 "exit"

# Bad command lines: one line naming the problem, exit 2.
for args in "attach" "attach 32752 xvdb size=1G" "attach 1 nodisk size=1G" "attach 1 xvdb size=1G --timeout 0" \
	"detach 1" "frobnicate" "list --bogus"; do
	# shellcheck disable=SC2086
	out=$("$SIM_BUILD/memback-ctl" $args 2>&1)
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && pass "usage ${args// /_}" ||
		fail "usage ${args// /_}" "exit $rc: $out"
done

# The control socket: mode 0600, JSON that parses.
perm=$(stat -c %a "$SIM_DIR/memback.sock")
[ "$perm" = 600 ] && pass control_socket_0600 || fail control_socket_0600 "$perm"
for what in list stats pool; do
	"$SIM_BUILD/memback-ctl" $what --json --control "$SIM_DIR/memback.sock" |
		python3 -c 'import json,sys; json.load(sys.stdin)' && pass "json_$what" || fail "json_$what" "does not parse"
done
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	chmod 0755 "$SIM_DIR"
	chmod 0666 "$SIM_DIR/memback.sock"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$SIM_BUILD/memback-ctl" list --control "$SIM_DIR/memback.sock" 2>&1)
	[ -z "$out" ] && pass control_refuses_other_users || fail control_refuses_other_users "$out"
	chmod 0600 "$SIM_DIR/memback.sock"
	chmod 0700 "$SIM_DIR"
else
	skip control_refuses_other_users "needs root and user nobody"
fi
check sigterm_exits_0 mb_stop
