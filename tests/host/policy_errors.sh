# Bad input gets a clear error naming file and line, and changes nothing:
# crmguardd does not start on a broken policy, and a reload with a broken
# policy keeps the running one. Not root: one sentence, exit 2.
. "$(dirname "$0")/lib.bash" || exit 1
checks start_{unknown_key,missing_path,unknown_user,non_utf8,long_line,missing_file,not_root,protects_own_policy,protects_passwd,protects_missing_dropins} reload_broken_{reports,keeps_policy} sighup_broken_{logged,keeps_policy} sighup_reload_applies reload_twice_at_once protect_add_persists revoke_unknown_user_changes_nothing protect_survives_restart protect_del_persists ctl_peercred_refuses_non_root

mkdir -p "$CRM" "$T/second"
echo data >"$CRM/f"
echo data >"$T/second/g"

# start_fails NAME EXPECTED-TEXT POLICY-BYTES
start_fails() {
	local out rc
	[ -n "$3" ] && printf "$3" >"$T/bad.conf"
	out=$("$BUILD/crmguardd" -f -c "$T/bad.conf" -s "$T/bad.sock" -l "$T/nolog" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && [[ "$out" == *"$2"* ]] && [ ! -S "$T/bad.sock" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc: $out"
	fi
}
start_fails start_unknown_key "bad.conf:2: unknown key 'protct' (did you mean 'protect'?)" 'mode audit\nprotct /x\n'
start_fails start_missing_path "bad.conf:1: protect: missing path" 'protect\n'
start_fails start_unknown_user "bad.conf:2: revoke user no_such_user_xyz: no such user" 'protect /tmp\nrevoke user no_such_user_xyz\n'
start_fails start_non_utf8 "bad.conf:1: byte 0xff at column 10 is not UTF-8" 'protect /\377x\n'
start_fails start_long_line "bad.conf:1: line is longer than 4096 bytes" "protect /$(head -c 5000 /dev/zero | tr '\0' a)\n"
rm -f "$T/bad.conf"
start_fails start_missing_file "bad.conf: No such file or directory" ''

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/crmguardd" -f -c "$POLICY" 2>&1)
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && [[ "$out" == *"must run as root"* ]] &&
	pass start_not_root || fail start_not_root "exit $rc: $out"

printf 'mode audit\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail policy_setup "crmguardd did not start"; exit 1; }
good=$(cat "$POLICY")

# A broken reload through ctlx: exit 2, file:line, running policy kept.
printf 'mode audit\nprotect %s\nprotect relative/path\n' "$T/second" >"$POLICY"
out=$(ctlx reload 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"policy.conf:3: protect: 'relative/path' is not an absolute path"* ]] &&
	pass reload_broken_reports || fail reload_broken_reports "exit $rc: $out"
cat "$CRM/f" >/dev/null &
pid=$!
wait $pid
wait_record "event=open .* pid=$pid " >/dev/null && [ "$(ctlx protect list)" = "protect $CRM	($POLICY:2)" ] &&
	pass reload_broken_keeps_policy || fail reload_broken_keeps_policy "$(ctlx protect list)"

# The same through SIGHUP: a record says why, the old policy stays.
kill -HUP "$DAEMON_PID"
wait_record "event=reload .*error=.*is not an absolute path" >/dev/null &&
	pass sighup_broken_logged || fail sighup_broken_logged "no reload error record"
cat "$T/second/g" >/dev/null
cat "$CRM/f" >/dev/null &
pid=$!
wait $pid
sleep 0.3
if wait_record "event=open .* pid=$pid " >/dev/null && ! grep -q "path=$T/second/g" "$AUTHLOG"; then
	pass sighup_broken_keeps_policy
else
	fail sighup_broken_keeps_policy "old policy not in force"
fi

# A good reload by SIGHUP takes effect.
printf 'mode audit\nprotect %s\n' "$T/second" >"$POLICY"
kill -HUP "$DAEMON_PID"
wait_record "event=reload policy=.* rules=1 seq=" >/dev/null
cat "$T/second/g" >/dev/null
wait_record "event=open .*path=$T/second/g " >/dev/null && pass sighup_reload_applies ||
	fail sighup_reload_applies "no record for the newly protected file"

# Two good reloads at once: the files stay watched (a later watch may
# reuse the descriptor numbers of an earlier one).
(ctlx reload & ctlx reload & wait)
cat "$T/second/g" >/dev/null &
pid=$!
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if ! kill -0 $pid 2>/dev/null && wait_record "event=open .* pid=$pid " >/dev/null; then
	pass reload_twice_at_once
else
	kill $pid 2>/dev/null
	fail reload_twice_at_once "the read hung or went unrecorded after two reloads"
fi

# ctlx protect add persists to the file and survives a restart.
printf '%s\n' "$good" >"$POLICY"
ctlx reload
mkdir -p "$T/with space"
echo x >"$T/with space/h"
ctlx protect add "$T/with space" && grep -qxF "protect \"$T/with space\"" "$POLICY" &&
	pass protect_add_persists || fail protect_add_persists "$(cat "$POLICY")"
before=$(cat "$POLICY")
out=$(ctlx user revoke no_such_user_xyz 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"revoke user no_such_user_xyz: no such user"* ]] &&
	[ "$(cat "$POLICY")" = "$before" ] &&
	pass revoke_unknown_user_changes_nothing || fail revoke_unknown_user_changes_nothing "exit $rc: $out"
stop_crmguard
start_crmguard
cat "$T/with space/h" >/dev/null
wait_record "event=open .*path=\"$T/with space/h\"" >/dev/null && pass protect_survives_restart ||
	fail protect_survives_restart "no record after restart"
ctlx protect del "$T/with space" && ! grep -q "with space" "$POLICY" && grep -q "^protect $CRM$" "$POLICY" &&
	pass protect_del_persists || fail protect_del_persists "$(cat "$POLICY")"

# Only root may talk to crmguardd, whatever the socket's file mode says.
chmod 0777 "$T" "$CTLSOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/ctlx" -s "$CTLSOCK" protect add /tmp 2>&1)
rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"only root may control crmguard"* ]] && ! grep -q '^protect /tmp$' "$POLICY" &&
	pass ctl_peercred_refuses_non_root || fail ctl_peercred_refuses_non_root "exit $rc: $out"

# crmguardd must never wait on itself: protecting the files it reads is refused.
start_fails start_protects_own_policy "protect $T covers $T/bad.conf, which crmguardd reads itself" "protect $T\n"
start_fails start_protects_passwd "protect /etc covers /etc/passwd, which crmguardd reads itself" "protect /etc\n"
# ... also before it is there: protected once it appears, the next reload would wait on itself
start_fails start_protects_missing_dropins \
	"protect $T/policy.d covers $T/policy.d, which crmguardd reads itself" "protect $T/policy.d\n"
