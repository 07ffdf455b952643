# inotify's queue overflowing loses no protection: crmguardd logs it, scans
# the protected tree again and marks what it missed. crmguardd starts with
# a queue of 16 events (fs.inotify.max_queued_events is read when an
# inotify instance is made; it is restored at once) and is stopped while
# directories and files are made in the protected directory; once it runs
# again, every one of those files is refused.
. "$(dirname "$0")/lib.bash" || exit 1
checks overflow_{logged,every_file_denied}

SYSCTL=/proc/sys/fs/inotify/max_queued_events
QUEUE=16
saved=$(cat "$SYSCTL")
trap 'echo "$saved" >"$SYSCTL"; [ -n "$DAEMON_PID" ] && kill -CONT "$DAEMON_PID" 2>/dev/null; cleanup' EXIT

mkdir -p "$CRM" "$T/staging"
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"
start_rsyslog || { fail overflow_setup "rsyslogd did not start"; exit 1; }
echo $QUEUE >"$SYSCTL"
start_crmguard
started=$?
echo "$saved" >"$SYSCTL"
[ $started -eq 0 ] || { fail overflow_setup "crmguardd did not start"; exit 1; }

# While crmguardd is stopped nothing in the protected directory may be
# opened (the opener would wait for it): directories are made, and files
# made beside and moved in.
kill -STOP "$DAEMON_PID"
for i in $(seq 100); do
	mkdir -p "$CRM/dir$i/a/b"
	echo "client $i" >"$CRM/dir$i/list.csv"
	echo "client $i" >"$CRM/dir$i/a/b/list.csv"
	echo "client $i" >"$T/staging/list$i.csv"
	mv "$T/staging/list$i.csv" "$CRM/list$i.csv"
done
kill -CONT "$DAEMON_PID"

rec=$(wait_record "event=lost source=inotify " 10)
[ -n "$rec" ] && [ "$(field "$rec" total)" -ge 1 ] && pass overflow_logged ||
	fail overflow_logged "no lost record for inotify"

files=0 readable=()
while IFS= read -r f; do
	files=$((files + 1))
	cat "$f" >/dev/null 2>&1 && readable+=("$f")
done < <(find "$CRM" -type f)
denies=$(grep -c "event=open verdict=deny .*exe=/usr/bin/cat " "$AUTHLOG")
if [ $files -eq 300 ] && [ ${#readable[@]} -eq 0 ] && [ "$denies" -ge 300 ]; then
	pass overflow_every_file_denied
else
	fail overflow_every_file_denied "$files files, ${#readable[@]} readable (${readable[*]:0:3}), $denies denies"
fi
