# Enforcement through fanotify: only allowed binaries read the CRM
# database; every other tool, copy, rename and route is refused before a
# byte is handed over; a revoked user is refused even through an allowed
# binary and on a descriptor opened before the revoke.
# READS=trust runs it all again with `reads trust` (enforce_trust.sh).
. "$(dirname "$0")/lib.bash" || exit 1

READS=${READS:-check}
# In reads trust, test names carry the mode.
[ "$READS" = check ] || CHECK_SUFFIX=_$READS
ROUTES=(read pread readv preadv2 mmap sendfile splice copy_file_range openat2 io_uring procfd)
HELD_ROUTES=(read pread preadv2 mmap sendfile splice copy_file_range io_uring)
checks allowed_sqlite3_reads allowed_sqlite3_other_user allow_record \
	deny_{cat,cp,cp_copied_nothing,dd,python3,sqlite3_copy,renamed_cat,preload,preload_scrubbed} \
	deny_{preload_scrubbed_threads_children,preload_far,names_rule} "${ROUTES[@]/#/deny_route_}" \
	deny_{hardlink,bind_mount} "deny_overlay_gap_in_status|deny_overlay" deny_overlay_copy_up \
	deny_{after_rename,file_created_later,write_new_file_in_dir,file_saved_over,record_after_exec,inherited_fd} \
	revoke_persisted $(held_checks revoke_open_fd "${HELD_ROUTES[@]}") revoke_ends_mapping \
	revoked_allowed_binary revoke_spares_others restore_user \
	audit_flag_logs_only mode_audit_logs_only mode_enforce_again
if [ "$BACKEND" = fanotify ]; then
	checks killed_daemon_fails_open
else
	checks killed_daemon_{stays_closed,allowed_still_reads} restart_{no_gap,same_rules,still_denies}
fi

READVIA=$BUILD/helpers/readvia
USER_NAME=crmguard-test-$$
useradd -M -s /usr/sbin/nologin "$USER_NAME" || { fail enforce_setup "useradd failed"; exit 1; }
trap 'userdel "$USER_NAME" 2>/dev/null; cleanup' EXIT

make_crm_db "$CRM/clients.db" 3000
chmod 755 "$T" "$CRM"
chmod 644 "$CRM/clients.db"
mkdir -p "$T/bin" "$T/outside"
cp "$READVIA" "$T/bin/crm-reader"	# the allowed "CRM"; readvia itself is not allowed
cp /usr/bin/sqlite3 "$T/bin/sqlite3-copy"
cp /bin/cat "$T/bin/sqlite3"		# a cat that calls itself sqlite3
chmod 755 "$T/bin" "$T/bin"/*
mkdir -p "$T/single"
echo "client list v1" >"$T/single/clients.csv"
cat >"$POLICY" <<CONF
mode enforce
reads $READS
protect $CRM
protect $T/single/clients.csv
allow exe /usr/bin/sqlite3
allow exe $T/bin/crm-reader
CONF
start_crmguard || { fail enforce_setup "crmguardd did not start"; exit 1; }
DB=$CRM/clients.db
Q='select count(*) from clients'

# a command prefix, not a function: the background pid must be the reader's
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups)

denied() { expect_denied "$1" '[^ ]+' "${@:2}"; }

out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass allowed_sqlite3_reads || fail allowed_sqlite3_reads "$out"
out=$("${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass allowed_sqlite3_other_user || fail allowed_sqlite3_other_user "$out"
rec=$(wait_record "event=open verdict=allow rule=allow-exe:/usr/bin/sqlite3 ")
[ -n "$rec" ] && pass allow_record || fail allow_record "no allow record"

denied deny_cat cat "$DB"
denied deny_cp cp "$DB" "$T/outside/stolen.db"
[ ! -s "$T/outside/stolen.db" ] && pass deny_cp_copied_nothing || fail deny_cp_copied_nothing "stolen.db has data"
denied deny_dd dd if="$DB" of=/dev/null
denied deny_python3 python3 -c "open('$DB', 'rb').read()"
denied deny_sqlite3_copy "$T/bin/sqlite3-copy" "$DB" "$Q"
denied deny_renamed_cat "$T/bin/sqlite3" "$DB"
denied deny_preload env LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 sqlite3 "$DB" "$Q"
# a library that wipes LD_PRELOAD out of its environment before main():
# what the loader was told at exec counts, not what the memory says later
denied deny_preload_scrubbed env LD_PRELOAD="$BUILD/helpers/scrub.so" sqlite3 "$DB" "$Q"
# ... and its threads and forked children run that code too (python3
# allowed for this, as a CRM written in it would be)
injected_family() { "$@" /usr/bin/python3 "$(dirname "$0")/../helpers/family_read.py" "$DB" 2>&1; }
ctlx allow add exe "$(readlink -f /usr/bin/python3)" >/dev/null 2>&1
out=$(injected_family env) scrubbed=$(injected_family env LD_PRELOAD="$BUILD/helpers/scrub.so")
ctlx allow del exe "$(readlink -f /usr/bin/python3)" >/dev/null
[ "$out" = "read read read" ] && [ "$scrubbed" = "errno1 errno1 errno1" ] &&
	pass deny_preload_scrubbed_threads_children ||
	fail deny_preload_scrubbed_threads_children "clean: $out; injected: $scrubbed"
# the same, with LD_PRELOAD pushed past 64 KiB of environment
denied deny_preload_far env PAD="$(head -c 70000 /dev/zero | tr '\0' x)" \
	LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 sqlite3 "$DB" "$Q"
rec=$(grep -m1 "verdict=deny .*exe=/usr/bin/cat " "$AUTHLOG")
[ "$(field "$rec" rule)" = "protect:$CRM" ] && pass deny_names_rule || fail deny_names_rule "'$rec'"

for r in "${ROUTES[@]}"; do
	denied "deny_route_$r" "$READVIA" $r "$DB"
done

ln "$DB" "$T/outside/hardlink.db"
denied deny_hardlink cat "$T/outside/hardlink.db"
mkdir "$T/bind"
if mount --bind "$CRM" "$T/bind" && [ "$(stat -c %i "$T/bind/clients.db")" = "$(stat -c %i "$DB")" ]; then
	denied deny_bind_mount cat "$T/bind/clients.db"
	umount "$T/bind"
else
	fail deny_bind_mount "mount --bind $CRM failed"
fi
gaps=$(ctlx status -j | sed -n 's/.*"gaps":"\([^"]*\)".*/\1/p')
mkdir "$T/upper" "$T/work" "$T/merged"
if [[ "$gaps" == *"overlay"* ]] && mount -t overlay overlay -o lowerdir="$CRM",upperdir="$T/upper",workdir="$T/work" "$T/merged"; then
	# what this kernel cannot see, said: copy-ups read through the real file still are
	cat "$T/merged/clients.db" >/dev/null 2>&1 && pass deny_overlay_gap_in_status || fail deny_overlay_gap_in_status "refused after all: say so"
	denied deny_overlay_copy_up sh -c "echo x >>'$T/merged/clients.db'"
	umount "$T/merged"
elif mount -t overlay overlay -o lowerdir="$CRM",upperdir="$T/upper",workdir="$T/work" "$T/merged"; then
	denied deny_overlay cat "$T/merged/clients.db"
	# a write needs a copy-up, which reads the protected file
	denied deny_overlay_copy_up sh -c "echo x >>'$T/merged/clients.db'"
	umount "$T/merged"
else
	fail deny_overlay "mount -t overlay failed"
fi
mv "$DB" "$CRM/renamed.db"
denied deny_after_rename cat "$CRM/renamed.db"
mv "$CRM/renamed.db" "$DB"
# the CRM creates a file; only the CRM may read it
sqlite3 "$CRM/export.db" "create table t(x); insert into t values ('new client list')"
denied deny_file_created_later cat "$CRM/export.db"
denied deny_write_new_file_in_dir sh -c "echo x >'$CRM/dropped.txt'"
# an editor's save: written aside, renamed over the protected file
ino=$(stat -c %i "$T/single/clients.csv")
echo "client list v2" >"$T/single/.clients.csv.tmp"
mv "$T/single/.clients.csv.tmp" "$T/single/clients.csv"
sleep 0.3
if [ "$(stat -c %i "$T/single/clients.csv")" != "$ino" ] && [ ! -e "$T/single/.clients.csv.tmp" ]; then
	denied deny_file_saved_over cat "$T/single/clients.csv"
else
	fail deny_file_saved_over "the file was not replaced (inode $ino still there)"
fi
# A refused process that runs another binary: the record names the binary
# that asked, not the one crmguardd saw first in that process.
sh -c "read x <'$DB'; exec cat '$DB'" >/dev/null 2>&1 &
pid=$!
wait $pid
rec=$(wait_record "event=open verdict=deny .* pid=$pid .*exe=/usr/bin/cat " 3)
[ -n "$rec" ] && pass deny_record_after_exec || fail deny_record_after_exec "$(grep "pid=$pid " "$AUTHLOG")"
# a descriptor opened by an allowed binary and read by another program
denied deny_inherited_fd sh -c "exec 3<'$DB'; cat <&3"

# A dismissed employee: denied through the allowed binary, and on a
# descriptor opened before the revoke, by every read route.
for r in "${HELD_ROUTES[@]}"; do
	gated_reader $r "$DB" "${AS_USER[@]}" "$T/bin/crm-reader" || fail "revoke_open_fd_$r" "the reader did not start"
done
# A mapping made before the revoke: its pages are read with no call to
# refuse, so the revoke ends the process.
mkfifo "$T/gate.mapped"
"${AS_USER[@]}" "$T/bin/crm-reader" mapped "$DB" "$T/gate.mapped" >"$T/reader.mapped" 2>&1 &
mapped=$!
for _ in $(seq 100); do
	grep -q "$DB" "/proc/$mapped/maps" 2>/dev/null && break
	sleep 0.1
done
grep -q "$DB" "/proc/$mapped/maps" || fail revoke_ends_mapping "the reader did not map the file"
ctlx user revoke "$USER_NAME" || fail revoke_command "ctlx user revoke failed"
grep -qx "revoke user $USER_NAME" "$POLICY" && pass revoke_persisted || fail revoke_persisted "$(cat "$POLICY")"
open_gates "revoke-user:$USER_NAME" revoke_open_fd
rec=$(wait_record "event=kill verdict=deny rule=revoke-user:$USER_NAME path=$DB .* pid=$mapped .*reason=mapped" 3)
open_gate mapped $mapped	# alive still: let it read
wait $mapped
rc=$?
[ $rc -eq 137 ] && [ -n "$rec" ] && pass revoke_ends_mapping ||
	fail revoke_ends_mapping "exit $rc, record '$rec': $(cat "$T/reader.mapped")"
denied revoked_allowed_binary "${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q"
out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass revoke_spares_others || fail revoke_spares_others "$out"
ctlx user restore "$USER_NAME"
out=$("${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && ! grep -q "revoke user" "$POLICY" && pass restore_user ||
	fail restore_user "$out / $(cat "$POLICY")"

# Rolling out: 'audit' on the rule, then mode audit, log instead of deny.
ctlx protect del "$CRM" && ctlx protect add "$CRM" >/dev/null
sed -i "s|^protect $CRM\$|protect $CRM audit|" "$POLICY" && ctlx reload
cat "$DB" >/dev/null &
pid=$!
wait $pid && wait_record "event=open verdict=audit .* pid=$pid " >/dev/null &&
	pass audit_flag_logs_only || fail audit_flag_logs_only "cat was refused or not logged"
sed -i "s|^protect $CRM audit\$|protect $CRM|" "$POLICY"
ctlx mode audit && grep -qx "mode audit" "$POLICY" && [ "$(ctlx mode)" = audit ] ||
	fail mode_audit_command "$(cat "$POLICY")"
cat "$DB" >/dev/null &
pid=$!
wait $pid && wait_record "event=open verdict=audit .* pid=$pid " >/dev/null &&
	pass mode_audit_logs_only || fail mode_audit_logs_only "cat was refused or not logged"
ctlx mode enforce
denied mode_enforce_again cat "$DB"

if [ "$BACKEND" = fanotify ]; then
	# fanotify enforcement lives in crmguardd: once it is gone, nothing is
	# refused. ctlx and the README say so; this keeps them honest.
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	out=$(ctlx status 2>&1)
	if cat "$DB" >/dev/null 2>&1 && [[ "$out" == *"crmguardd is not running"* ]]; then
		pass killed_daemon_fails_open
	else
		fail killed_daemon_fails_open "cat was refused after kill -9, or ctlx said: $out"
	fi
	exit 0
fi

# In-kernel enforcement outlives crmguardd: kill -9 leaves the door shut,
# and a new crmguardd takes the kernel's rules over with no moment open.
rules=$(ctlx status -j | sed -n 's/.*"kernel":{"rules":\([0-9]*\).*/\1/p')
# each try that is not refused (EPERM) counts, a missing cat too
( while :; do cat "$DB" 2>&1 >/dev/null | grep -Eq "$REFUSED" && echo try || echo leaked; done ) >"$T/leaks" &
loop=$!
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
expect_eperm killed_daemon_stays_closed cat "$DB"
out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass killed_daemon_allowed_still_reads || fail killed_daemon_allowed_still_reads "$out"
rm -f "$CTLSOCK"	# the dead daemon's: start_crmguard waits for the new one
start_crmguard || fail restart "$(cat "$T/daemon.out")"
kill "$loop"
wait "$loop" 2>/dev/null
leaks=$(grep -c leaked "$T/leaks") tries=$(grep -c try "$T/leaks")
[ "$leaks" = 0 ] && [ "$tries" -gt 3 ] && pass restart_no_gap ||
	fail restart_no_gap "$leaks reads got through, $tries refused"
now=$(ctlx status -j | sed -n 's/.*"kernel":{"rules":\([0-9]*\).*/\1/p')
[ -n "$rules" ] && [ "$now" = "$rules" ] && pass restart_same_rules || fail restart_same_rules "$rules before, $now after: $(ctlx status -j)"
denied restart_still_denies cat "$DB"
