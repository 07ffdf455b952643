#!/bin/bash
# crmguard.ko judges the loader variables (LD_PRELOAD, LD_AUDIT,
# LD_LIBRARY_PATH) once, at exec: an injected library that wipes them from
# its own environment is still refused, and so are the threads and children
# of its process; an exec with a clean environment ends it; an environment
# too large to read through at exec, or a process the module has no room
# to record, is not trusted; records go with their processes; a process
# started before the module keeps the check of its live environment; and
# the probes leave the kernel log clean beside network traffic (on
# PREEMPT_RT, where they may neither allocate nor disable bottom halves).
. "$(dirname "$0")/kmod_lib.bash" || exit 1
checks kmod-exec-{scrub-hides,scrubbed-denied,clean-allowed,clean-threads-children,scrubbed-threads-children,preloaded-threads-children,clean-exec-allowed,child-clean-exec-allowed,child-preloaded-exec-denied,child-scrubbed-exec-denied,big-env-allowed,big-env-preload-denied,huge-env-denied,load-time-logged,before-load-preload-denied,before-load-clean-allowed,before-load-child-denied,before-load-child-allowed,table-full-not-trusted,table-full-logged,table-full-before-load-exec-judged,records-dropped-at-exit,records-dropped-threads,unload,reload,reload-scrubbed-denied,kernel-log-clean}
# A load of its own: the load time and the table's bound are this test's.
[ -e /sys/module/crmguard ] && rmmod crmguard
kmod_setup
SCRUB=$BUILD/helpers/scrub.so
LIBM=/lib/x86_64-linux-gnu/libm.so.6
PYTHON=$(readlink -f /usr/bin/python3)
THREADS=$TOP/tests/helpers/family_read.py
VIA=$T/crm-via		# an allowed readvia: it can wait on a gate
cp "$BUILD/helpers/readvia" "$VIA"
chmod 0755 "$VIA"
rules=(protect="$DB" exe="$READER" exe="$PYTHON" exe="$VIA")
kmod_set kmod-exec-rules 4 "${rules[@]}" && kmod_watch || exit 1

# The library does hide itself: what the process shows afterwards is clean.
env LD_PRELOAD="$SCRUB" "$READER" /proc/self/environ | tr '\0' '\n' >"$T/environ"
! grep -q '^LD_PRELOAD=' "$T/environ" && grep -q "^XXXXXXXXXX=$SCRUB\$" "$T/environ" &&
	pass kmod-exec-scrub-hides || fail kmod-exec-scrub-hides "$(grep "$SCRUB" "$T/environ")"
expect kmod-exec-scrubbed-denied denied env LD_PRELOAD="$SCRUB" "$READER" "$DB"
expect kmod-exec-clean-allowed allowed "$READER" "$DB"

# Its threads and the children it forks run the injected code too.
check_threads() {
	local name=$1 want=$2 out
	shift 2
	out=$("$@" "$PYTHON" "$THREADS" "$DB" 2>&1)
	[ "$out" = "$want" ] && pass "$name" || fail "$name" "want '$want', got '$out'"
}
check_threads kmod-exec-clean-threads-children "read read read" env
check_threads kmod-exec-scrubbed-threads-children "errno1 errno1 errno1" env LD_PRELOAD="$SCRUB"
check_threads kmod-exec-preloaded-threads-children "errno1 errno1 errno1" env LD_PRELOAD="$LIBM"

# An exec ends it: the program the injected process runs next is judged
# by its own environment, in the same process or in a child.
expect kmod-exec-clean-exec-allowed allowed env LD_PRELOAD="$SCRUB" bash -c 'exec "$@"' - "$READER" "$DB"
expect kmod-exec-child-clean-exec-allowed allowed \
	env LD_PRELOAD="$LIBM" bash -c 'unset LD_PRELOAD; "$@"; exit $?' - "$READER" "$DB"
expect kmod-exec-child-preloaded-exec-denied denied \
	env LD_PRELOAD="$LIBM" bash -c '"$@"; exit $?' - "$READER" "$DB"
expect kmod-exec-child-scrubbed-exec-denied denied \
	env LD_PRELOAD="$SCRUB" bash -c 'LD_PRELOAD=$1 "${@:2}"; exit $?' - "$SCRUB" "$READER" "$DB"

# The whole environment is read at exec, up to 256 KiB; past that it is
# not trusted. (Each string may hold 128 KiB at most.)
PAD=$(head -c 100000 /dev/zero | tr '\0' x)
expect kmod-exec-big-env-allowed allowed env PAD1="$PAD" PAD2="$PAD" "$READER" "$DB"
expect kmod-exec-big-env-preload-denied denied env PAD1="$PAD" PAD2="$PAD" LD_PRELOAD="$LIBM" "$READER" "$DB"
expect kmod-exec-huge-env-denied denied env PAD1="$PAD" PAD2="$PAD" PAD3="$PAD" "$READER" "$DB"

# Processes from before the module: started now, they open the file and
# read once it is loaded, and their live environment is checked (a
# scrubbing library goes unseen there: README). A child forked after the
# load is judged as its parent. (They open it after the load: reads on a
# descriptor opened before are kmod_enforce.sh's, and some kernels never
# report them.)
rmmod crmguard
mkfifo "$T/gate.pre" "$T/gate.clean" "$T/gate.fork" "$T/gate.fork-clean" "$T/gate.exec"
env LD_PRELOAD="$LIBM" "$VIA" open "$DB" "$T/gate.pre" >"$T/pre.out" 2>&1 &
pre=$!
"$VIA" open "$DB" "$T/gate.clean" >"$T/clean.out" 2>&1 &
clean=$!
cat >"$T/fork.py" <<'PY'
import os, sys
open(sys.argv[2]).readline()
pid = os.fork()
if pid == 0:
    try:
        open(sys.argv[1], "rb").read(16)
        os.write(1, b"ok")
    except OSError as e:
        os.write(1, b"errno%d" % e.errno)
    os._exit(0)
os.waitpid(pid, 0)
PY
env LD_PRELOAD="$LIBM" "$PYTHON" "$T/fork.py" "$DB" "$T/gate.fork" >"$T/fork.out" 2>&1 &
forker=$!
"$PYTHON" "$T/fork.py" "$DB" "$T/gate.fork-clean" >"$T/fork-clean.out" 2>&1 &
forker_clean=$!
# (bash itself is from before the module; what it execs after is judged at exec)
bash -c 'read -r x <"$1"; exec env LD_PRELOAD="$2" "$3" "$4"' - "$T/gate.exec" "$SCRUB" "$READER" "$DB" \
	>/dev/null 2>"$T/exec.out" &
execer=$!
# running_exe PID EXE...: each PID runs its EXE: its exec came before the load
running_exe() {
	local i
	while [ $# -gt 0 ]; do
		for i in $(seq 100); do
			[ "$(readlink "/proc/$1/exe")" = "$2" ] && break
			sleep 0.1
		done
		[ "$(readlink "/proc/$1/exe")" = "$2" ] || return 1
		shift 2
	done
}
running_exe $pre "$VIA" $clean "$VIA" $forker "$PYTHON" $forker_clean "$PYTHON" \
	$execer "$(readlink -f /bin/bash)" || fail kmod-exec-before-load "they did not start in 10 s"
insmod "$KO" proc_max=16 || { fail kmod-exec-reload "insmod proc_max=16 failed"; exit 1; }
kmod_set kmod-exec-rules 4 "${rules[@]}" && kmod_watch || exit 1
dmesg | grep -q 'crmguard: loader variables judged at exec from [0-9]*\.[0-9]* s after boot' &&
	pass kmod-exec-load-time-logged || fail kmod-exec-load-time-logged "$(dmesg | grep crmguard | tail -3)"
gate() { echo go >"$T/gate.$1"; }
gate pre
gate clean
gate fork
gate fork-clean
wait $pre
rc=$?
[ $rc -eq 2 ] && pass kmod-exec-before-load-preload-denied ||
	fail kmod-exec-before-load-preload-denied "exit $rc: $(cat "$T/pre.out")"
wait $clean
rc=$?
[ $rc -eq 0 ] && pass kmod-exec-before-load-clean-allowed ||
	fail kmod-exec-before-load-clean-allowed "exit $rc: $(cat "$T/clean.out")"
wait $forker $forker_clean
[ "$(cat "$T/fork.out")" = errno1 ] && pass kmod-exec-before-load-child-denied ||
	fail kmod-exec-before-load-child-denied "$(cat "$T/fork.out")"
[ "$(cat "$T/fork-clean.out")" = ok ] && pass kmod-exec-before-load-child-allowed ||
	fail kmod-exec-before-load-child-allowed "$(cat "$T/fork-clean.out")"

# No room for more records (proc_max=16): a new process is not trusted,
# not even a clean one; a process from before the module is still judged
# at its exec. Once processes exit, their records go and there is room.
mark="crmguard-exec-$$"
echo "$mark" >/dev/kmsg
sleepers=
for _ in $(seq 24); do
	sleep 600 &
	sleepers="$sleepers $!"
done
expect kmod-exec-table-full-not-trusted denied "$READER" "$DB"
dmesg | sed -n "/$mark/,\$p" | grep -q 'crmguard: no record for process [0-9]* (error -28, 16 records at most): not trusted until it execs' &&
	pass kmod-exec-table-full-logged || fail kmod-exec-table-full-logged "$(dmesg | tail -3)"
gate exec
wait $execer
rc=$?
[ $rc -ne 0 ] && grep -q 'not permitted' "$T/exec.out" && pass kmod-exec-table-full-before-load-exec-judged ||
	fail kmod-exec-table-full-before-load-exec-judged "exit $rc: $(cat "$T/exec.out")"
kill $sleepers
wait $sleepers 2>/dev/null
expect kmod-exec-records-dropped-at-exit allowed "$READER" "$DB"
check_threads kmod-exec-records-dropped-threads "read read read" env

# Unloaded with records in the table, and while processes fork, exec and
# exit: everything freed, nothing left behind.
(while :; do env LD_PRELOAD="$LIBM" "$READER" "$DB" >/dev/null 2>&1; done) &
loop=$!
sleep 0.5
rmmod crmguard && [ ! -e /sys/module/crmguard ] && pass kmod-exec-unload || fail kmod-exec-unload "rmmod failed"
kill $loop
wait $loop 2>/dev/null
insmod "$KO" && kmod_set kmod-exec-reload 4 "${rules[@]}" && kmod_watch && pass kmod-exec-reload
expect kmod-exec-reload-scrubbed-denied denied env LD_PRELOAD="$SCRUB" "$READER" "$DB"

# Forks, execs and exits beside network traffic, for 20 s. On PREEMPT_RT
# a task preempted inside a bottom-half section (TCP over loopback here)
# leaves its CPU's softirq count raised, and a probe that disables bottom
# halves with preemption off (rhashtable's bucket locks did) warns within
# seconds: kmod-exec-kernel-log-clean, below, sees it.
cat >"$T/loopback.py" <<'PY'
import socket, sys, threading, time
srv = socket.create_server(("127.0.0.1", 0))
def drain(c):
    while c.recv(65536):
        pass
def accept():
    while True:
        threading.Thread(target=drain, args=(srv.accept()[0],), daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
end = time.time() + float(sys.argv[1])
while time.time() < end:
    with socket.create_connection(srv.getsockname()) as s:
        for _ in range(200):
            s.sendall(b"x" * 1024)
PY
busy=
for i in 1 2 3; do
	[ $i -eq 3 ] || { python3 "$T/loopback.py" 20 & busy="$busy $!"; }
	(end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do "$READER" /dev/null; done) &
	busy="$busy $!"
done
wait $busy
bad=$(dmesg_clean_since "$mark") && pass kmod-exec-kernel-log-clean || fail kmod-exec-kernel-log-clean "$bad"
rmmod crmguard
