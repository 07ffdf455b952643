#!/bin/bash
# The BPF LSM's rules outlive the daemon: a kill -9 leaves the door shut,
# verdicts made meanwhile wait in the pinned ring buffer, a restarted
# daemon adopts the pinned state (the same rules and counters) with no
# moment unguarded, and with fail-open a dead daemon's door opens.
. "$(dirname "$0")/lsm_lib.bash" || exit 1
make_crm_db "$CRM/clients.db" 500
DB=$CRM/clients.db
mkdir -p "$T/bin"
cp "$READVIA" "$T/bin/crm-reader"
cat >"$POLICY" <<P
mode enforce
protect $CRM
allow exe $T/bin/crm-reader
P
start_lsmd || { fail lsm_persist_setup "$(cat "$T/lsmd.err")"; exit 1; }
rules=$(sed -n 's/^ready rules=\([0-9]*\) .*/\1/p' "$LSMD_OUT")
LINKS=5	# one a program of enforce.bpf.c
links() { ls "$PINS" | grep -c '^link_'; }
[ "$(links)" = $LINKS ] && [ -e "$PINS/lsm_inodes" ] && pass lsm_links_pinned || fail lsm_links_pinned "$(ls "$PINS")"

# still_denied NAME: cat is refused; its pid in $denied_pid
still_denied() {
	cat "$DB" >/dev/null 2>"$T/err" &
	denied_pid=$!
	wait $denied_pid && fail "$1" "cat read the database" || pass "$1"
}
allowed() {
	[ "$("$T/bin/crm-reader" read "$DB" 2>&1)" = "$(stat -c %s "$DB")" ] && pass "$1" || fail "$1" "crm-reader refused"
}

kill9_lsmd
still_denied lsm_killed_still_denies
dead_pid=$denied_pid
"$READVIA" mmap "$DB" >/dev/null 2>&1 && fail lsm_killed_still_denies_mmap "mmap read it" ||
	pass lsm_killed_still_denies_mmap
allowed lsm_killed_allowed_still_reads

# A daemon that pushes nothing finds the rules, counters and verdicts there.
start_lsmd -k || fail lsm_restart "$(cat "$T/lsmd.err")"
ready=$(grep '^ready' "$LSMD_OUT" | tail -1)
[ "$(sed -n 's/^ready rules=\([0-9]*\) .*/\1/p' <<<"$ready")" = "$rules" ] && [[ "$ready" != *" deny=0 "* ]] &&
	pass lsm_restart_adopts_rules || fail lsm_restart_adopts_rules "first run rules=$rules; now '$ready'"
v=$(wait_record "event=open verdict=deny rule=protect:$CRM .* pid=$dead_pid ")
[ -n "$v" ] && pass lsm_verdicts_kept_while_dead || fail lsm_verdicts_kept_while_dead "no record for pid $dead_pid"
still_denied lsm_restart_still_denies
allowed lsm_restart_allowed_reads

# No gap: while the daemon is killed and restarted, readers never get in
# and the allowed binary is never refused.
(while [ ! -e "$T/stop" ]; do cat "$DB" >/dev/null 2>&1 && echo leak; echo try; done) >"$T/denied.loop" &
loop1=$!
(while [ ! -e "$T/stop" ]; do "$T/bin/crm-reader" read "$DB" >/dev/null 2>&1 || echo refused; echo try; done) >"$T/allowed.loop" &
loop2=$!
for i in 1 2 3; do
	kill9_lsmd
	start_lsmd || fail lsm_restart "$(cat "$T/lsmd.err")"
done
touch "$T/stop"
wait $loop1 $loop2
tries=$(grep -c try "$T/denied.loop") leaks=$(grep -c leak "$T/denied.loop")
echo "no-gap: $tries denied reads, $(grep -c try "$T/allowed.loop") allowed reads over 3 restarts"
[ "$leaks" = 0 ] && [ "$tries" -gt 3 ] && pass lsm_restart_no_gap || fail lsm_restart_no_gap "$leaks of $tries reads got through"
tries=$(grep -c try "$T/allowed.loop") refused=$(grep -c refused "$T/allowed.loop")
[ "$refused" = 0 ] && [ "$tries" -gt 3 ] && pass lsm_restart_no_false_deny ||
	fail lsm_restart_no_false_deny "$refused of $tries allowed reads refused"
[ "$(links)" = $LINKS ] && pass lsm_restart_keeps_links_pinned || fail lsm_restart_keeps_links_pinned "$(ls "$PINS")"

# A restarted daemon with another policy: what is gone goes, the rest stays.
sed -i '/allow exe/d' "$POLICY"
reload_lsmd || fail lsm_reload "$(cat "$T/lsmd.err")"
"$T/bin/crm-reader" read "$DB" >/dev/null 2>&1 && fail lsm_replace_prunes "the allow rule is still there" ||
	pass lsm_replace_prunes
echo "allow exe $T/bin/crm-reader" >>"$POLICY"
reload_lsmd
allowed lsm_replace_adds

# A clean stop leaves the rules in force too.
kill "$LSMD_PID" && wait "$LSMD_PID"
LSMD_PID=
still_denied lsm_stopped_still_denies

# fail-open: the links go with the daemon; the maps stay for the next one.
start_lsmd -o || fail lsm_fail_open "$(cat "$T/lsmd.err")"
[ "$(links)" = 0 ] && pass lsm_fail_open_unpins_links || fail lsm_fail_open_unpins_links "$(ls "$PINS")"
still_denied lsm_fail_open_denies_while_running
kill9_lsmd
for _ in $(seq 50); do	# the links go when the kernel has closed the dead daemon's files
	cat "$DB" >/dev/null 2>&1 && break
	sleep 0.1
done
cat "$DB" >"$T/copy" 2>&1
cmp -s "$T/copy" "$DB" && pass lsm_fail_open_dead_daemon_denies_nothing ||
	fail lsm_fail_open_dead_daemon_denies_nothing "$(head -c 100 "$T/copy")"
start_lsmd || fail lsm_restart "$(cat "$T/lsmd.err")"
[ "$(links)" = $LINKS ] && pass lsm_fail_closed_again || fail lsm_fail_closed_again "$(ls "$PINS")"
still_denied lsm_fail_closed_again_denies
