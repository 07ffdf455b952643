#!/bin/bash
# What the in-kernel backends (crmguard.ko, the BPF LSM) must do under
# crmguardd beyond tests/host/enforce.sh and failopen.sh, once a backend:
# the allowed binary reads by every route, but not when traced or with an
# injected library, in its threads and children too; a big environment is
# read through or not trusted; a descriptor opened before a rule is asked
# on each read; a revoke marked audit reports; the rules outlive crmguardd
# (kill -9 or a clean stop), a refusal made meanwhile is accounted for
# after a restart, restarts under load neither let a read through nor
# refuse an allowed one, a restart with another policy drops what it no
# longer has, and a fail-closed start shuts the door a fail-open one left
# open.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
READVIA=$BUILD/helpers/readvia
FAMILY_READ=$(dirname "$0")/../../helpers/family_read.py
PINS=/sys/fs/bpf/crmguard
LIBM=/lib/x86_64-linux-gnu/libm.so.6
SCRUB=$BUILD/helpers/scrub.so
PYTHON=$(readlink -f /usr/bin/python3)
USER_NAME=crmguard-kb-$$
useradd -M -s /usr/sbin/nologin "$USER_NAME" || { fail kernel_backends_setup "useradd failed"; exit 1; }
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups)

# The kernel's rules outlive crmguardd by design: they go before the next
# backend, and at the end.
drop_kernel_rules() {
	[ -n "$DAEMON_PID" ] && stop_crmguard
	[ -e /sys/module/crmguard ] && rmmod crmguard
	rm -rf "$PINS"
}
trap 'drop_kernel_rules; userdel "$USER_NAME" 2>/dev/null; cleanup' EXIT

make_crm_db "$CRM/clients.db" 1000 || exit 1
DB=$CRM/clients.db
Q='select count(*) from clients'
SIZE=$(stat -c %s "$DB")
chmod 755 "$T" "$CRM"
chmod 644 "$DB"
mkdir -p "$T/bin" "$T/later"
cp "$READVIA" "$T/bin/crm-reader"	# the allowed "CRM"; readvia itself is not
chmod 755 "$T/bin" "$T/bin/crm-reader"
echo "client list v1" >"$T/later/clients.csv"
policy() {
	cat >"$POLICY" <<P
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
allow exe $T/bin/crm-reader
$*
P
}
denied() { expect_denied "$1" "protect:$CRM" "${@:2}"; }
# kstat KEY: one of the kernel's counters (rules allow audit deny lost)
kstat() { ctlx status -j | sed -n "s/.*\"kernel\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"; }
kill9_crmguard() {
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	rm -f "$CTLSOCK"	# the dead daemon's: start_crmguard waits for the new one
}

# The allowed binary: no read route is a reason to refuse it.
allowed_reads() {
	local r out
	for r in read mmap sendfile copy_file_range io_uring; do
		out=$("$T/bin/crm-reader" $r "$DB" 2>&1)
		[ "$out" = "$SIZE" ] && pass "allowed_route_$r" || fail "allowed_route_$r" "$out"
	done
}

# A big environment (200 KB): both read all of it at exec, find no loader
# variable and allow. Past 256 KiB (300 KB) crmguard.ko, which reads with
# preemption off, stops and does not trust what it could not read; the
# BPF LSM reads on.
big_environment() {
	local out
	out=$(env PAD1="$PAD" PAD2="$PAD" sqlite3 "$DB" "$Q" 2>&1)
	[ "$out" = 1000 ] && pass allowed_big_environment || fail allowed_big_environment "$out"
	if [ "$BACKEND" = bpf-lsm ]; then
		out=$(env PAD1="$PAD" PAD2="$PAD" PAD3="$PAD" sqlite3 "$DB" "$Q" 2>&1)
		[ "$out" = 1000 ] && pass allowed_huge_environment || fail allowed_huge_environment "$out"
	else
		denied huge_environment_not_trusted env PAD1="$PAD" PAD2="$PAD" PAD3="$PAD" sqlite3 "$DB" "$Q"
	fi
}

# A tracer could make the allowed binary read for it.
traced_allowed_binary() {
	local rc pid rec
	python3 - "$DB" >"$T/traced" 2>&1 <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    libc.ptrace(0, 0, None, None)		# PTRACE_TRACEME
    os.execv("/usr/bin/sqlite3", ["sqlite3", sys.argv[1], "select count(*) from clients"])
print(pid, flush=True)
while True:
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    libc.ptrace(7, pid, None, None)		# PTRACE_CONT
PY
	rc=$?
	pid=$(head -1 "$T/traced")
	rec=$(wait_record "event=open verdict=deny rule=protect:$CRM .* pid=$pid .*comm=sqlite3( |$)" 3)
	[ $rc -ne 0 ] && [ -n "$rec" ] && pass deny_traced_allowed_binary ||
		fail deny_traced_allowed_binary "exit $rc, record '$rec': $(head -c 300 "$T/traced")"
}

# An injected library runs inside the allowed binary: refused past what
# one environment string may hold (128 KiB; enforce.sh has one of 70 KB)
# and through LD_LIBRARY_PATH; the next exec with a clean environment is not.
injected_library() {
	local out
	denied deny_preload_past_two_strings env PAD1="$PAD" PAD2="$PAD" LD_PRELOAD=$LIBM sqlite3 "$DB" "$Q"
	denied deny_library_path env LD_LIBRARY_PATH=/tmp sqlite3 "$DB" "$Q"
	out=$(env LD_PRELOAD=$LIBM env -u LD_PRELOAD sqlite3 "$DB" "$Q" 2>&1)
	[ "$out" = 1000 ] && pass preload_ends_at_exec || fail preload_ends_at_exec "$out"
}

# The threads and children of an allowed binary run injected code too, also
# once the library has wiped its trace.
injected_threads_children() {
	local out
	policy "allow exe $PYTHON"
	# (ctlx reload warns, rightly, that an interpreter runs any script)
	ctlx reload >"$T/reload.out" 2>&1 || fail reload "$(cat "$T/reload.out")"
	out=$(python3 "$FAMILY_READ" "$DB" 2>&1)
	[ "$out" = "read read read" ] && pass allowed_threads_children || fail allowed_threads_children "$out"
	out=$(LD_PRELOAD=$LIBM python3 "$FAMILY_READ" "$DB" 2>&1)
	[ "$out" = "errno1 errno1 errno1" ] && pass deny_preload_threads_children ||
		fail deny_preload_threads_children "$out"
	# a library that wipes LD_PRELOAD from the environment they all share
	out=$(LD_PRELOAD=$SCRUB python3 "$FAMILY_READ" "$DB" 2>&1)
	[ "$out" = "errno1 errno1 errno1" ] && pass deny_scrubbed_threads_children ||
		fail deny_scrubbed_threads_children "$out"
	policy
	ctlx reload || fail reload "$(tail -3 "$T/daemon.out")"
}

# Descriptors opened before the file was protected: every read is asked.
fd_opened_before_rule() {
	local r
	for r in read mmap sendfile splice; do
		gated_reader $r "$T/later/clients.csv" "$READVIA" ||
			fail "fd_opened_before_rule_$r" "readvia did not open the file: $(cat "$T/reader.$r")"
	done
	ctlx protect add "$T/later" >/dev/null || fail fd_opened_before_rule "ctlx protect add failed"
	open_gates "protect:$T/later" fd_opened_before_rule
	ctlx protect del "$T/later" >/dev/null
}

# A revoke marked audit reports the dismissed employee's reads, refuses none.
revoke_audit() {
	local pid rec
	policy "revoke user $USER_NAME audit"
	ctlx reload || fail reload "$(tail -3 "$T/daemon.out")"
	"${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q" >"$T/out" 2>&1 &
	pid=$!
	wait $pid
	rec=$(wait_record "event=open verdict=audit rule=revoke-user:$USER_NAME .* pid=$pid ")
	[ "$(cat "$T/out")" = 1000 ] && [ -n "$rec" ] && pass revoke_audit_reports ||
		fail revoke_audit_reports "$(head -c 200 "$T/out") / '$rec'"
	policy
	ctlx reload || fail reload "$(tail -3 "$T/daemon.out")"
}

# Every refusal so far counted in the kernel, and every verdict read.
kernel_counters() {
	local deny lost
	deny=$(kstat deny) lost=$(kstat lost)
	[ "${deny:-0}" -ge 10 ] && [ "$lost" = 0 ] && pass kernel_counters_deny_no_lost ||
		fail kernel_counters_deny_no_lost "deny '$deny', lost '$lost': $(ctlx status -j)"
}

# A refusal made while crmguardd is dead: its record comes after the
# restart (the BPF LSM keeps it in its pinned ring buffer); crmguard.ko
# has nobody to hand it to and counts it lost. Either way it is counted.
refused_while_dead() {
	local deny lost pid rec
	deny=$(kstat deny) lost=$(kstat lost)
	kill9_crmguard
	cat "$DB" >/dev/null 2>&1 &
	pid=$!
	cat "$DB" >/dev/null 2>"$T/dead.err" &
	pid=$!
	wait $pid && fail refused_while_dead "cat read the database"
	grep -Eq "$REFUSED" "$T/dead.err" || fail refused_while_dead "not EPERM: $(cat "$T/dead.err")"
	expect_eperm dead_daemon_denies_mmap "$READVIA" mmap "$DB"
	start_crmguard || fail restart "$(cat "$T/daemon.out")"
	[ "$(kstat deny)" -gt "$deny" ] && pass refused_while_dead_counted ||
		fail refused_while_dead_counted "deny $deny before, $(kstat deny) after"
	if [ "$BACKEND" = bpf-lsm ]; then
		rec=$(wait_record "event=open verdict=deny rule=protect:$CRM .* pid=$pid ")
		[ -n "$rec" ] && pass refused_while_dead_logged_after_restart ||
			fail refused_while_dead_logged_after_restart "no record for pid $pid"
	else
		[ "$(kstat lost)" -gt "$lost" ] && pass refused_while_dead_counted_lost ||
			fail refused_while_dead_counted_lost "lost $lost before, $(kstat lost) after"
	fi
}

# No gap: while crmguardd is killed and restarted, again and again, readers
# never get in and the allowed binary is never refused.
restarts_under_load() {
	local loop1 loop2 tries leaks refused
	rm -f "$T/stop"
	(while [ ! -e "$T/stop" ]; do cat "$DB" >/dev/null 2>&1 && echo leak; echo try; done) >"$T/denied.loop" &
	loop1=$!
	(while [ ! -e "$T/stop" ]; do "$T/bin/crm-reader" read "$DB" >/dev/null 2>&1 || echo refused; echo try; done) >"$T/allowed.loop" &
	loop2=$!
	for _ in 1 2 3; do
		kill9_crmguard
		start_crmguard || fail restart "$(cat "$T/daemon.out")"
	done
	touch "$T/stop"
	wait $loop1 $loop2
	tries=$(grep -c try "$T/denied.loop") leaks=$(grep -c leak "$T/denied.loop")
	[ "$leaks" = 0 ] && [ "$tries" -gt 3 ] && pass restarts_under_load_no_gap ||
		fail restarts_under_load_no_gap "$leaks of $tries reads got through"
	tries=$(grep -c try "$T/allowed.loop") refused=$(grep -c refused "$T/allowed.loop")
	[ "$refused" = 0 ] && [ "$tries" -gt 3 ] && pass restarts_under_load_no_false_deny ||
		fail restarts_under_load_no_false_deny "$refused of $tries allowed reads refused"
}

# A restart with another policy: the rule it no longer has goes from the kernel.
restart_other_policy() {
	kill9_crmguard
	sed -i "\|^allow exe $T/bin/crm-reader\$|d" "$POLICY"
	start_crmguard || fail restart "$(cat "$T/daemon.out")"
	denied restart_drops_removed_rule "$T/bin/crm-reader" read "$DB"
	ctlx allow add exe "$T/bin/crm-reader" >/dev/null
	[ "$("$T/bin/crm-reader" read "$DB" 2>&1)" = "$SIZE" ] && pass restart_then_allow_add ||
		fail restart_then_allow_add "crm-reader refused"
}

# A clean stop leaves the rules in force too; a fail-closed start after a
# fail-open one that died shuts the door again, and keeps it shut when killed.
stop_and_fail_open() {
	local logged
	logged=$(dmesg | grep -c 'fail-open closed')	# failopen.sh's are there too
	stop_crmguard
	expect_eperm stopped_still_denies cat "$DB"
	rm -f "$CTLSOCK"
	start_crmguard -F || fail restart "$(cat "$T/daemon.out")"
	kill9_crmguard
	for _ in $(seq 50); do	# the kernel lets go once the dead daemon's files are closed
		cat "$DB" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! cat "$DB" >/dev/null 2>&1; then
		fail fail_closed_after_fail_open "the fail-open daemon died and cat is still refused"
		return
	fi
	if [ "$BACKEND" = kmod ]; then
		[ "$(dmesg | grep -c 'fail-open closed')" -gt "$logged" ] && pass fail_open_kernel_log ||
			fail fail_open_kernel_log "no kernel message"
	fi
	start_crmguard || fail restart "$(cat "$T/daemon.out")"
	denied fail_closed_after_fail_open cat "$DB"
	kill9_crmguard
	expect_eperm fail_closed_after_fail_open_killed cat "$DB"
}

PAD=$(head -c 100000 /dev/zero | tr '\0' x)
for BACKEND in kmod bpf-lsm; do
	CHECK_PREFIX=$BACKEND-
	checks allowed_route_{read,mmap,sendfile,copy_file_range,io_uring} allowed_big_environment \
		deny_traced_allowed_binary deny_preload_past_two_strings deny_library_path preload_ends_at_exec \
		allowed_threads_children deny_{preload,scrubbed}_threads_children \
		$(held_checks fd_opened_before_rule read mmap sendfile splice) revoke_audit_reports \
		kernel_counters_deny_no_lost dead_daemon_denies_mmap refused_while_dead_counted \
		restarts_under_load_no_{gap,false_deny} restart_drops_removed_rule restart_then_allow_add \
		stopped_still_denies fail_closed_after_fail_open fail_closed_after_fail_open_killed
	if [ $BACKEND = kmod ]; then
		checks huge_environment_not_trusted refused_while_dead_counted_lost fail_open_kernel_log
	else
		checks allowed_huge_environment refused_while_dead_logged_after_restart
	fi
done
for BACKEND in kmod bpf-lsm; do
	CHECK_PREFIX=$BACKEND-
	if [ $BACKEND = kmod ] && ! insmod "$BUILD/kmod/crmguard.ko"; then
		fail load "insmod $BUILD/kmod/crmguard.ko failed"
		continue
	fi
	policy
	rm -f "$CTLSOCK"
	start_crmguard || { fail start "$(cat "$T/daemon.out")"; drop_kernel_rules; continue; }
	allowed_reads
	big_environment
	traced_allowed_binary
	injected_library
	injected_threads_children
	fd_opened_before_rule
	revoke_audit
	kernel_counters
	refused_while_dead
	restarts_under_load
	restart_other_policy
	stop_and_fail_open
	drop_kernel_rules
done
