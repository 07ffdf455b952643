# taint files yes: a file that the allowed CRM writes with client rows is
# protected itself (a `protected` record with reason=taint and the source),
# across a restart; a `taint exclude` path stays free; `ctlx taint list`
# names the file.
. "$(dirname "$0")/lib.bash" || exit 1
checks export_protected export_cat_refused export_cp_refused export_cat_eperm \
	excluded_stays_free untainted_file_free taint_list_files taint_list_files_json \
	export_refused_after_restart taint_files_off

make_crm_db "$CRM/clients.db" 300
DB=$CRM/clients.db
mkdir -p "$T/exports" "$T/logs"
cat >"$POLICY" <<CONF
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
taint files yes
taint exclude $T/logs
CONF
STATE=$T/taint.state
start_crmguard -t "$STATE" || { fail taint_files_setup "crmguardd did not start"; exit 1; }

# the export: sqlite3 writes the rows through the shell's redirection
sqlite3 -csv "$DB" 'select name, phone from clients' >"$T/exports/export.csv" 2>/dev/null
size=$(stat -c %s "$T/exports/export.csv")
rec=$(wait_record "event=protected reason=taint path=$T/exports/export.csv pid=[0-9]+ .*taint_source=$DB" 3)
if [ "${size:-0}" -lt 1000 ]; then
	fail export_protected "setup: the export has $size bytes"
elif [ -n "$rec" ]; then
	pass export_protected
else
	fail export_protected "no protected record"
fi
expect_denied export_cat_refused "protect:$T/exports/export.csv" cat "$T/exports/export.csv"
grep -q "Operation not permitted" "$T/err" && pass export_cat_eperm || fail export_cat_eperm "$(cat "$T/err")"
# copies by cp are refused as well: cp cannot read it
expect_denied export_cp_refused "protect:$T/exports/export.csv" cp "$T/exports/export.csv" "$T/exports/copy.csv"

# a path that taint exclude covers stays free
sqlite3 "$DB" 'select count(*) from clients' >"$T/logs/crm.log" 2>/dev/null
sleep 0.5
if grep -q "path=$T/logs/" "$AUTHLOG"; then
	fail excluded_stays_free "$(grep "path=$T/logs/" "$AUTHLOG")"
elif [ "$(cat "$T/logs/crm.log" 2>&1)" = 300 ]; then
	pass excluded_stays_free
else
	fail excluded_stays_free "cat: $(cat "$T/logs/crm.log" 2>&1)"
fi

# an untainted writer's file stays free
echo "notes" >"$T/exports/notes.txt"
sleep 0.3
[ "$(cat "$T/exports/notes.txt" 2>&1)" = notes ] && ! grep -q "path=$T/exports/notes.txt" "$AUTHLOG" &&
	pass untainted_file_free || fail untainted_file_free "$(cat "$T/exports/notes.txt" 2>&1)"

ctlx taint list | grep -q "^file $T/exports/export.csv	source $DB$" && pass taint_list_files ||
	fail taint_list_files "$(ctlx taint list)"
ctlx taint list -j | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if {'path': '$T/exports/export.csv', 'source': '$DB'} in d['files'] else 1)" &&
	pass taint_list_files_json || fail taint_list_files_json "$(ctlx taint list -j)"

# across a restart: the state file brings it back
stop_crmguard
start_crmguard -t "$STATE" || { fail taint_files_restart "crmguardd did not start again"; exit 1; }
expect_denied export_refused_after_restart "protect:$T/exports/export.csv" cat "$T/exports/export.csv"

# taint files no: derived files are free again, and nothing new is followed
sed -i 's/^taint files yes$/taint files no/' "$POLICY"
ctlx reload >/dev/null 2>&1 || fail taint_files_off "reload failed"
head -n 1 "$T/exports/export.csv" 2>&1 | grep -q '^"Client 1",' && pass taint_files_off ||
	fail taint_files_off "$(head -c 100 "$T/exports/export.csv" 2>&1)"
