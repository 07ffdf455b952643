# A protected path or an allowed binary that is not there does not block
# the policy: a dismissed employee is revoked even after the CRM folder
# was moved away. A missing path is waited for (also through a dangling
# symlink, several directories deep) and protected when it appears; a
# missing binary allows nothing, even when a copy turns up at its path.
. "$(dirname "$0")/lib.bash" || exit 1
checks start_with_missing_paths revoke_with_missing_path missing_path_warning_record recreated_path_{record,crm_reads,protected} recreated_file_{record,protected} replaced_path_{record,protected} deep_missing_path_{record,protected} symlinked_path_{record,protected} reload_finds_binary missing_binary_allows_nothing moved_file_still_protected moved_folder_still_protected revoked_user_denied

READVIA=$BUILD/helpers/readvia
USER_NAME=crmguard-miss-$$
useradd -M -s /usr/sbin/nologin "$USER_NAME" || { fail missing_setup "useradd failed"; exit 1; }
trap 'userdel "$USER_NAME" 2>/dev/null; cleanup' EXIT
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups)
Q='select count(*) from clients'

make_crm_db "$CRM/clients.db" 100
make_crm_db "$T/keep/clients.db" 100
echo "client notes" >"$T/keep/notes.csv"
echo "client export" >"$T/export.csv"
mkdir -p "$T/bin" "$T/staging"
cp "$READVIA" "$T/bin/crm-reader"
chmod 755 "$T" "$CRM" "$T/keep" "$T/bin" "$T/bin/crm-reader"
chmod 644 "$T/keep/clients.db"
cat >"$POLICY" <<CONF
mode enforce
protect $CRM
protect $T/keep
protect $T/later/a/b
protect $T/link/clients.db
protect $T/export.csv
allow exe /usr/bin/sqlite3
allow exe $T/bin/crm-reader
CONF
start_crmguard || { fail missing_setup "crmguardd did not start"; exit 1; }

# protected N RULE-PATH: waits for the Nth record that something new at
# RULE-PATH is protected.
protected() {
	local i
	for i in $(seq 50); do
		[ "$(grep -c "event=protected rule=protect:$2 " "$AUTHLOG")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Missing at start: crmguardd starts, and says which lines wait for what.
grep -qF "warning: $POLICY:4: protect $T/later/a/b: No such file or directory; it is watched for" \
	"$T/daemon.out" && wait_record "event=warning rule=protect:$T/link/clients.db .*$POLICY:5" >/dev/null &&
	pass start_with_missing_paths || fail start_with_missing_paths "$(cat "$T/daemon.out")"

# The CRM folder is moved away, an export deleted, the CRM binary removed:
# a revoke still works.
mv "$CRM" "$T/crm.old"
mv "$T/keep/notes.csv" "$T/notes.csv"
rm "$T/export.csv" "$T/bin/crm-reader"
out=$(ctlx user revoke "$USER_NAME" 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -qx "revoke user $USER_NAME" "$POLICY" &&
   [[ "$out" == *"warning: $POLICY:2: protect $CRM: No such file or directory; it is watched for"* ]] &&
   [[ "$out" == *"warning: $POLICY:6: protect $T/export.csv: No such file or directory; it is watched for"* ]] &&
   [[ "$out" == *"warning: $POLICY:8: allow exe $T/bin/crm-reader: No such file or directory; it allows nothing"* ]]; then
	pass revoke_with_missing_path
else
	fail revoke_with_missing_path "exit $rc: $out"
fi
wait_record "event=warning rule=protect:$CRM detail=\"$POLICY:2: protect $CRM: No such file" >/dev/null &&
	pass missing_path_warning_record || fail missing_path_warning_record "no warning record"
expect_denied revoked_user_denied "revoke-user:$USER_NAME" \
	"${AS_USER[@]}" sqlite3 -readonly "$T/keep/clients.db" "$Q"
# what was protected stays protected after the reload, wherever it went
expect_denied moved_folder_still_protected "protect:$CRM" cat "$T/crm.old/clients.db"
expect_denied moved_file_still_protected "protect:$T/keep" cat "$T/notes.csv"

# The folder comes back: protected, and the CRM reads it.
make_crm_db "$CRM/clients.db" 100
protected 1 "$CRM" && pass recreated_path_record || fail recreated_path_record "no protected record"
expect_denied recreated_path_protected "protect:$CRM" cat "$CRM/clients.db"
out=$(sqlite3 "$CRM/clients.db" "$Q" 2>&1)
[ "$out" = 100 ] && pass recreated_path_crm_reads || fail recreated_path_crm_reads "$out"

# The deleted export comes back (written aside, renamed into place).
echo "client export v2" >"$T/staging/export.csv"
mv "$T/staging/export.csv" "$T/export.csv"
protected 1 "$T/export.csv" && pass recreated_file_record || fail recreated_file_record "no protected record"
expect_denied recreated_file_protected "protect:$T/export.csv" cat "$T/export.csv"

# Replaced while crmguardd runs, no reload: the new folder is protected too
# (files are written aside: in a protected folder only the CRM may write).
rm -rf "$CRM"
mkdir "$CRM"
protected 2 "$CRM" && pass replaced_path_record || fail replaced_path_record "no second protected record"
echo "client list" >"$T/staging/list.csv"
mv "$T/staging/list.csv" "$CRM/list.csv"
expect_denied replaced_path_protected "protect:$CRM" cat "$CRM/list.csv"

# Several directories that do not exist yet, the file already in the last.
mkdir -p "$T/staging/a/b/c"
echo "client list" >"$T/staging/a/b/c/list.csv"
mkdir "$T/later"
mv "$T/staging/a" "$T/later/a"
protected 1 "$T/later/a/b" && pass deep_missing_path_record || fail deep_missing_path_record "no record"
expect_denied deep_missing_path_protected "protect:$T/later/a/b" cat "$T/later/a/b/c/list.csv"

# Through a symlink that points nowhere yet; the file is renamed into place.
ln -s "$T/target" "$T/link"
mkdir "$T/target"
make_crm_db "$T/staging/clients.db" 100
mv "$T/staging/clients.db" "$T/target/clients.db"
protected 1 "$T/link/clients.db" && pass symlinked_path_record || fail symlinked_path_record "no record"
expect_denied symlinked_path_protected "protect:$T/link/clients.db" cat "$T/target/clients.db"

# A binary that was missing allows nothing, even when a copy turns up; a
# reload that finds it there allows it again.
cp "$READVIA" "$T/bin/crm-reader"
expect_denied missing_binary_allows_nothing "protect:$T/keep" "$T/bin/crm-reader" read "$T/keep/clients.db"
out=$(ctlx reload 2>&1)
"$T/bin/crm-reader" read "$T/keep/clients.db" >"$T/out" 2>&1 && [[ "$out" != *crm-reader* ]] &&
	pass reload_finds_binary || fail reload_finds_binary "$out / $(cat "$T/out")"
