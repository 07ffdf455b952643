# A real SQLite CRM database read by the sqlite3 CLI, as another user:
# one open record and one close summary reach a real rsyslogd, with the
# right pid, uid, exe and a plausible byte count (counted: `reads check`).
. "$(dirname "$0")/lib.bash" || exit 1
checks sqlite_{open_record,read_summary,no_record_per_read,query_still_works,exit_code,killed_signal}

make_crm_db "$CRM/clients.db" 3000
chmod 755 "$T" "$CRM"
printf 'mode audit\nreads check\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail sqlite_setup "crmguardd did not start"; exit 1; }

setpriv --reuid=65534 --regid=65534 --clear-groups \
	sqlite3 -readonly "$CRM/clients.db" 'select count(*), max(email) from clients' >"$T/q.out" &
pid=$!
wait $pid
size=$(stat -c %s "$CRM/clients.db")
ino=$(stat -c %i "$CRM/clients.db")

open=$(wait_record "^crmguard\[[0-9]+\]: event=open .* pid=$pid ")
if [ -n "$open" ] && [ "$(field "$open" uid)" = 65534 ] && [ "$(field "$open" user)" = nobody ] &&
   [ "$(field "$open" exe)" = /usr/bin/sqlite3 ] && [ "$(field "$open" ino)" = "$ino" ] &&
   [ "$(field "$open" verdict)" = audit ] && [ "$(field "$open" path)" = "$CRM/clients.db" ]; then
	pass sqlite_open_record
else
	fail sqlite_open_record "got: '$open'"
fi

close=$(wait_record "event=close .* pid=$pid .*reason=close")
bytes=$(field "$close" bytes)
reads=$(field "$close" reads)
if [ -n "$close" ] && [ "$bytes" -ge $((size / 2)) ] && [ "$bytes" -le $((size * 3)) ] &&
   [ "$reads" -ge 1 ] && [[ "$(field "$close" via)" == *pread64* ]] &&
   [ "$(field "$close" exe)" = /usr/bin/sqlite3 ]; then
	pass sqlite_read_summary
else
	fail sqlite_read_summary "size=$size got: '$close'"
fi

# One summary per open, not one record per read.
n=$(grep -c "event=close .* pid=$pid " "$AUTHLOG")
opens=$(grep -c "event=open .* pid=$pid " "$AUTHLOG")
if [ "$n" -eq "$opens" ] && [ "$(grep -c "pid=$pid " "$AUTHLOG")" -le $((2 * opens + 3)) ]; then
	pass sqlite_no_record_per_read
else
	fail sqlite_no_record_per_read "$opens opens, $n closes, $(grep -c "pid=$pid " "$AUTHLOG") records"
fi

grep -q '^3000|' "$T/q.out" && pass sqlite_query_still_works || fail sqlite_query_still_works "$(cat "$T/q.out")"

# The exit record says how the CRM ended: its exit status, or the signal
# that killed it (and no exit status: it had none).
setpriv --reuid=65534 --regid=65534 --clear-groups \
	sqlite3 -readonly "$CRM/clients.db" 'select count(*) from clients' '.exit 3' >/dev/null &
pid=$!
wait $pid
rec=$(wait_record "event=exit pid=$pid ")
[ "$(field "$rec" code)" = 3 ] && [[ "$rec" != *signal=* ]] && pass sqlite_exit_code ||
	fail sqlite_exit_code "record: '$rec'"
mkfifo "$T/stdin"
sqlite3 -readonly "$CRM/clients.db" <"$T/stdin" >/dev/null &
pid=$!
exec 3>"$T/stdin"
echo 'select count(*) from clients;' >&3
wait_record "event=open .* pid=$pid " >/dev/null
kill -KILL $pid
wait $pid
exec 3>&-
rec=$(wait_record "event=exit pid=$pid ")
[ "$(field "$rec" signal)" = 9 ] && [[ "$rec" != *code=* ]] && pass sqlite_killed_signal ||
	fail sqlite_killed_signal "record: '$rec'"
