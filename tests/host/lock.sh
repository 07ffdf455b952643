# Lock until reboot where nothing in the kernel holds it (fanotify): ctlx
# lock takes and says so; a ctlx change and a reload of an edited policy
# are refused, recorded, and change nothing; a crmguardd killed and started
# again keeps the lock and records that the one before ended; one started
# on an edited policy refuses to start, and records it. (The in-kernel
# backends: tests/vm/guest/lock_*.sh.)
. "$(dirname "$0")/lib.bash" || exit 1
checks lock_fanotify_{locked,status_json,lock_record,mode_refused,mode_record,mode_file_unchanged} \
	lock_fanotify_{reload_refused,reload_record,still_denies,restart_record,restart_locked} \
	lock_fanotify_{edited_start_refused,edited_start_record}
make_crm_db "$CRM/clients.db" 100 || exit 1
DB=$CRM/clients.db
printf 'mode enforce\nprotect %s\nallow exe /usr/bin/sqlite3\n' "$CRM" >"$POLICY"
start_crmguard || { fail lock_fanotify_locked "crmguardd: $(cat "$T/daemon.out")"; exit 1; }

ctlx lock >"$T/lock.out" 2>&1
if ctlx status | grep -q '^locked: *until reboot: crmguardd refuses every change; nothing in the kernel'; then
	pass lock_fanotify_locked
else
	fail lock_fanotify_locked "ctlx lock: $(cat "$T/lock.out"); $(ctlx status | head -4)"
	exit 1
fi
ctlx status -j | python3 -c 'import json, sys; s = json.load(sys.stdin); assert s["locked"] is True and "nothing in the kernel" in s["lock"], s' &&
	pass lock_fanotify_status_json || fail lock_fanotify_status_json "$(ctlx status -j | head -c 300)"
wait_record 'event=lock verdict=allow action=lock backend=fanotify ' 5 >/dev/null && pass lock_fanotify_lock_record ||
	fail lock_fanotify_lock_record "$(grep lock "$AUTHLOG")"
cp "$POLICY" "$T/locked.conf"

# refused NAME ACTION CMD...: CMD fails saying the policy is locked, and the record follows.
refused() {
	local name=$1 action=$2 rc
	shift 2
	"$@" >"$T/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q 'locked until reboot' "$T/out" && pass "${name}_refused" ||
		fail "${name}_refused" "exit $rc: $(head -c 300 "$T/out")"
	wait_record "event=lock verdict=deny action=$action" 5 >/dev/null && pass "${name}_record" ||
		fail "${name}_record" "$(grep lock "$AUTHLOG" | tail -3)"
}
refused lock_fanotify_mode '"ctlx add mode audit"' ctlx mode audit
cmp -s "$POLICY" "$T/locked.conf" && pass lock_fanotify_mode_file_unchanged ||
	fail lock_fanotify_mode_file_unchanged "$(cat "$POLICY")"
echo "allow exe /usr/bin/cat" >>"$POLICY"
refused lock_fanotify_reload reload ctlx reload
cp "$T/locked.conf" "$POLICY"
expect_denied lock_fanotify_still_denies "protect:$CRM" cat "$DB"

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
rm -f "$CTLSOCK"
start_crmguard || fail lock_fanotify_restart_record "crmguardd: $(cat "$T/daemon.out")"
wait_record 'event=lock verdict=audit action=daemon-ended ' 5 >/dev/null && pass lock_fanotify_restart_record ||
	fail lock_fanotify_restart_record "$(grep lock "$AUTHLOG" | tail -3)"
ctlx status | grep -q '^locked:' && pass lock_fanotify_restart_locked ||
	fail lock_fanotify_restart_locked "$(ctlx status | head -4)"

stop_crmguard
rm -f "$CTLSOCK"
sed -i 's/^mode enforce locked$/mode audit/' "$POLICY"
if ! start_crmguard 2>/dev/null && grep -q 'locked until reboot' "$T/daemon.out"; then
	pass lock_fanotify_edited_start_refused
else
	fail lock_fanotify_edited_start_refused "$(cat "$T/daemon.out")"
fi
DAEMON_PID=
wait_record 'event=lock verdict=deny action=start ' 5 >/dev/null && pass lock_fanotify_edited_start_record ||
	fail lock_fanotify_edited_start_record "$(grep lock "$AUTHLOG" | tail -3)"
