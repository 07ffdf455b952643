# The default policy (reads trust): the allowed CRM decided at open and
# reading unasked, and no route for a descriptor of a protected file to a
# program that is not allowed: inherited across exec, passed with
# SCM_RIGHTS (recvmsg or io_uring), taken with pidfd_getfd (also while
# more calls than a kretprobe can follow sleep inside pidfd_getfd),
# reopened through /proc/PID/fd; and a program that is not allowed
# attaching to the CRM while it holds the database (ptrace, /proc/PID/mem,
# process_vm_readv), where it could make the CRM read for it: killed
# where the kernel has kprobes. Each receiver reads 0 bytes: killed
# before it runs on (kill record, reason= the route), or refused at open;
# so does another process that shares the receiver's descriptor table
# (clone(CLONE_FILES) without CLONE_THREAD), in which the descriptor
# appears too.
# Each route is tried first with a file that is not protected, to prove
# the receiver runs and reads it. In mode audit the receiver reads, and a
# held record says so.
. "$(dirname "$0")/lib.bash" || exit 1
[ "$BACKEND" = fanotify ] || { echo "handover.sh: the fanotify backend's hand-over watch" >&2; exit 0; }
checks allowed_sqlite3_reads reads_trust_default handover_{exec,exec_cat,scm_rights,scm_rights_io_uring,pidfd_getfd,pidfd_getfd32,pidfd_getfd_flood} handover_pidfd_watch \
	'handover_shared_scm_rights|handover_shared_scm_rights_late' \
	'handover_shared_pidfd_getfd|handover_shared_pidfd_getfd_late' \
	handover_procfd_reopen handover_allowed_receiver handover_audit_exec handover_audit_pidfd_getfd \
	handover_audit_pidfd_getfd_flood \
	'handover_ptrace_mem|handover_ptrace_unwatched' 'handover_ptrace_vm|handover_ptrace_unwatched' \
	'handover_ptrace_attach|handover_ptrace_unwatched' 'handover_audit_ptrace|handover_ptrace_unwatched'

HANDOVER=$BUILD/helpers/handover
make_crm_db "$CRM/clients.db" 3000
DB=$CRM/clients.db
PLAIN=$T/plain.csv
echo "not client data" >"$PLAIN"
mkdir -p "$T/bin"
cp "$HANDOVER" "$T/bin/crm"	# the allowed "CRM"
cp "$HANDOVER" "$T/bin/other"	# a copy: another inode, not allowed
CRMBIN=$T/bin/crm OTHER=$T/bin/other
cat >"$POLICY" <<CONF
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
allow exe $CRMBIN
CONF
start_crmguard || { fail handover_setup "crmguardd did not start"; exit 1; }

out=$(sqlite3 "$DB" 'select count(*) from clients' 2>&1)
[ "$out" = 3000 ] && pass allowed_sqlite3_reads || fail allowed_sqlite3_reads "$out"
st=$(ctlx status)
grep -q '^reads: *trust' <<<"$st" && pass reads_trust_default || fail reads_trust_default "$st"
# pidfd_getfd is seen where it costs least: a trampoline (or a kprobe)
# inside the call and kretprobes on its entries where the kernel has
# kprobes, else the raw sys_exit tracepoint (which slows every system
# call), never both
progs=$(grep '^bpf:' <<<"$st")
if [ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	[[ $progs == *fget_task* && $progs == *kretsyscall/pidfd_getfd* && $progs != *tp_btf/sys_exit* ]]
else
	[[ $progs == *tp_btf/sys_exit* && $progs != *kretsyscall/pidfd_getfd* ]]
fi && pass handover_pidfd_watch || fail handover_pidfd_watch "$progs"

# killed NAME ROUTE FILE OUTFILE RC PID: the receiver PID died by SIGKILL
# (RC 137) having printed no byte count, and a kill record names it, the
# route and the protected file.
killed() {
	local name=$1 route=$2 pid=$6 rec
	rec=$(wait_record "event=kill verdict=deny rule=protect:$CRM path=$3 .* pid=$pid .*reason=$route" 3)
	if [ "$5" = 137 ] && ! grep -Eq '^[0-9]+$' "$4" && [ -n "$rec" ]; then
		pass "$name"
	else
		fail "$name" "exit $5, said '$(tr '\n' ' ' <"$4")', record '$rec'"
	fi
}

# exec: CRM opens FILE as descriptor 7 and execs PROG...; "holding 7" proves it held it.
exec_route() {
	local file=$1
	shift
	"$CRMBIN" exec "$file" 7 "$@" >"$T/exec.out" 2>&1 &
	EPID=$!
	wait $EPID
	ERC=$?
}
exec_route "$PLAIN" "$OTHER" readfd 7
if ! grep -q '^holding 7' "$T/exec.out" || ! grep -qx "$(stat -c %s "$PLAIN")" "$T/exec.out"; then
	fail handover_exec "setup: the exec'd program did not read an unprotected file: $(cat "$T/exec.out")"
else
	exec_route "$DB" "$OTHER" readfd 7
	grep -q '^holding 7' "$T/exec.out" || fail handover_exec "setup: the CRM did not hold it: $(cat "$T/exec.out")"
	grep -q '^holding 7' "$T/exec.out" && killed handover_exec exec "$DB" "$T/exec.out" "$ERC" "$EPID"
fi
exec_route "$DB" /bin/cat /proc/self/fd/7
if grep -q '^holding 7' "$T/exec.out" && ! grep -q 'SQLite format' "$T/exec.out"; then
	killed handover_exec_cat exec "$DB" "$T/exec.out" "$ERC" "$EPID"
else
	fail handover_exec_cat "setup or leak: $(head -c 200 "$T/exec.out")"
fi

# scm_rights RECEIVER FILE [receive-uring]: RECEIVER listens, the CRM sends
# it FILE's descriptor; RECEIVER takes it with recvmsg, or through io_uring.
scm_rights() {
	rm -f "$T/sock"
	"$1" "${3:-receive}" "$T/sock" >"$T/recv.out" 2>&1 &
	RPID=$!
	for _ in $(seq 50); do grep -q '^ready' "$T/recv.out" && break; sleep 0.1; done
	"$CRMBIN" send "$2" "$T/sock" >"$T/send.out" 2>&1
	wait $RPID
	RRC=$?
}
scm_rights "$OTHER" "$PLAIN"
if ! grep -qx "$(stat -c %s "$PLAIN")" "$T/recv.out"; then
	fail handover_scm_rights "setup: the receiver did not read an unprotected file: $(cat "$T/recv.out" "$T/send.out")"
else
	scm_rights "$OTHER" "$DB"
	if grep -q '^ready' "$T/recv.out" && grep -q '^sent' "$T/send.out"; then
		killed handover_scm_rights scm_rights "$DB" "$T/recv.out" "$RRC" "$RPID"
	else
		fail handover_scm_rights "setup: $(cat "$T/recv.out" "$T/send.out")"
	fi
fi
scm_rights "$OTHER" "$PLAIN" receive-uring
if ! grep -qx "$(stat -c %s "$PLAIN")" "$T/recv.out"; then
	fail handover_scm_rights_io_uring "setup: the receiver did not read an unprotected file: $(cat "$T/recv.out" "$T/send.out")"
else
	scm_rights "$OTHER" "$DB" receive-uring
	if grep -q '^ready' "$T/recv.out" && grep -q '^sent' "$T/send.out"; then
		killed handover_scm_rights_io_uring scm_rights "$DB" "$T/recv.out" "$RRC" "$RPID"
	else
		fail handover_scm_rights_io_uring "setup: $(cat "$T/recv.out" "$T/send.out")"
	fi
fi
scm_rights "$CRMBIN" "$DB"
if [ $RRC = 0 ] && grep -qx "$(stat -c %s "$DB")" "$T/recv.out"; then
	pass handover_allowed_receiver
else
	fail handover_allowed_receiver "exit $RRC: $(cat "$T/recv.out" "$T/send.out")"
fi

# hold FILE: the CRM holds FILE open (HPID, its descriptor HFD) until released.
hold() {
	mkfifo "$T/release.$$" 2>/dev/null
	"$CRMBIN" hold "$1" <"$T/release.$$" >"$T/hold.out" 2>&1 &
	HPID=$!
	exec 8>"$T/release.$$"
	for _ in $(seq 50); do grep -q '^holding' "$T/hold.out" && break; sleep 0.1; done
	HFD=$(awk '/^holding/ { print $3 }' "$T/hold.out")
	[ "$(readlink "/proc/$HPID/fd/$HFD")" = "$1" ]
}
release() { exec 8>&-; wait "$HPID"; }
# getfd [32 | -flood COUNT]: $OTHER takes the held descriptor (32: through
# int 0x80; -flood: while COUNT calls of its own sleep in pidfd_getfd)
getfd() {
	"$OTHER" "getfd${1:-}" "$HPID" "$HFD" ${2:+"$2"} >"$T/getfd.out" 2>&1 &
	GPID=$!
	wait $GPID
	GRC=$?
}
# getfd_route CHECK [GETFD-ARGS]: the route works with an unprotected file,
# then takes the database and dies; then (with 32, a route the kernel may
# lack) CHECK passes where int 0x80 is not there at all. $HPID holds the
# database when it returns 0; the caller releases it.
getfd_route() {
	if ! hold "$PLAIN"; then
		fail "$1" "setup: no holder: $(cat "$T/hold.out")"
		release
		return 1
	fi
	getfd "${@:2}"
	release
	if [ "${2:-}" = 32 ] && grep -q 'Function not implemented' "$T/getfd.out"; then
		pass "$1"	# no 32-bit entry in this kernel: no such route
		return 1
	elif ! grep -qx "$(stat -c %s "$PLAIN")" "$T/getfd.out"; then
		fail "$1" "setup: the taker did not read an unprotected file: $(cat "$T/getfd.out")"
		return 1
	elif ! hold "$DB"; then
		fail "$1" "setup: no holder of the database: $(cat "$T/hold.out")"
		release
		return 1
	fi
	getfd "${@:2}"
	killed "$1" pidfd_getfd "$DB" "$T/getfd.out" "$GRC" "$GPID"
}
if getfd_route handover_pidfd_getfd; then
	expect_denied handover_procfd_reopen "protect:$CRM" cat "/proc/$HPID/fd/$HFD"
	release
else
	fail handover_procfd_reopen "see handover_pidfd_getfd"
fi
# The same through the 32-bit entry, which x86's syscall records leave out.
getfd_route handover_pidfd_getfd32 32 && release
# The same while more calls than a kretprobe has instances for (the
# kernel's default pool: max(10, 2 * possible CPUs)) sleep inside
# pidfd_getfd, as the taker's own threads: a kretprobe on the call misses
# this one, and where the kernel has kprobes the probe inside the call
# stops it alone (the sys_exit tracepoint elsewhere has no such pool).
# watched CHECK: crmguardd runs reads trust, its hand-over watch loaded
# (ctlx status says reads trust only then), or CHECK fails. The flood
# needs it: without the watch crmguardd is asked about every read, and one
# of the flood's reads, holding the holder's exec_update_lock, waits for
# crmguardd while crmguardd waits on that lock (a read of /proc/PID/stat):
# the machine hangs instead of the check failing.
watched() {
	local st
	st=$(ctlx status)
	grep -q '^reads: *trust' <<<"$st" && return 0
	fail "$1" "setup: the hand-over watch is not loaded: $(grep '^reads:' <<<"$st")"
	return 1
}
possible=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))
pool=$((2 * possible > 10 ? 2 * possible : 10))
watched handover_pidfd_getfd_flood && getfd_route handover_pidfd_getfd_flood -flood $((pool + 2)) && release

# shared CHECK ROUTE FILE TAKE...: $OTHER takes FILE's descriptor by ROUTE
# (TAKE: the rest of its command line) while a child process of its own
# shares its descriptor table; with the database, the sharer must read
# nothing either: killed with it (kill record naming the sharer and, as
# taker=, the process that took it). First with an unprotected file, which
# both read. $HPID holds FILE for pidfd_getfd (the caller releases it).
# Before 6.13 (no bpf_send_signal_task in the kernel's BTF) no BPF program
# can signal another process: crmguardd kills the sharer on the report, a
# moment late, so it may read; CHECK_late says only that it is killed.
shared() {
	local name=$1 route=$2 file=$3 spid rec late=
	grep -qa bpf_send_signal_task /sys/kernel/btf/vmlinux || late=_late
	shift 3
	"$OTHER" shared "$file" "$@" >"$T/shared.out" 2>&1 &
	SHPID=$!
	if [ "$route" = scm_rights ]; then
		for _ in $(seq 50); do grep -q '^ready' "$T/shared.out" && break; sleep 0.1; done
		"$CRMBIN" send "$file" "$T/sock" >"$T/send.out" 2>&1
	fi
	wait $SHPID
	SHRC=$?
	spid=$(awk '$1 == "sharer" && $2 ~ /^[0-9]+$/ { print $2 }' "$T/shared.out")
	# the sharer outlives a killed taker: until it is gone, it may still read
	for _ in $(seq 120); do
		[ -n "$spid" ] && [ -e "/proc/$spid" ] && ! grep -q ') Z' "/proc/$spid/stat" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$file" != "$DB" ]; then
		grep -qx "sharer read $(stat -c %s "$file")" "$T/shared.out" ||
			{ fail "$name" "setup: the sharer did not read an unprotected file: $(tr '\n' ' ' <"$T/shared.out")"; return 1; }
		return 0
	fi
	if [ -n "$late" ]; then
		rec=$(wait_record "event=kill verdict=deny rule=protect:$CRM path=$DB .* pid=$spid .*reason=held" 5)
		[ -n "$spid" ] && [ -n "$rec" ] &&
			killed "$name$late" "$route" "$DB" "$T/shared.out" "$SHRC" "$SHPID" ||
			fail "$name$late" "sharer $spid: said '$(tr '\n' ' ' <"$T/shared.out")', record '$rec'"
		return
	fi
	rec=$(wait_record "event=kill verdict=deny rule=protect:$CRM path=$DB .* pid=$spid .*reason=$route taker=$SHPID" 3)
	if [ -n "$spid" ] && ! grep -q '^sharer read' "$T/shared.out" && [ -n "$rec" ]; then
		killed "$name" "$route" "$DB" "$T/shared.out" "$SHRC" "$SHPID"
	else
		fail "$name" "sharer $spid: said '$(tr '\n' ' ' <"$T/shared.out")', record '$rec'"
	fi
}
rm -f "$T/sock"
shared handover_shared_scm_rights scm_rights "$PLAIN" receive "$T/sock" && {
	rm -f "$T/sock"
	shared handover_shared_scm_rights scm_rights "$DB" receive "$T/sock"
}
if hold "$PLAIN"; then
	shared handover_shared_pidfd_getfd pidfd_getfd "$PLAIN" getfd "$HPID" "$HFD"
	SETUP=$?
	release
	if [ $SETUP = 0 ] && hold "$DB"; then
		shared handover_shared_pidfd_getfd pidfd_getfd "$DB" getfd "$HPID" "$HFD"
	elif [ $SETUP = 0 ]; then
		fail handover_shared_pidfd_getfd "setup: no holder of the database: $(cat "$T/hold.out")"
	fi
	release
else
	fail handover_shared_pidfd_getfd "setup: no holder: $(cat "$T/hold.out")"
	release
fi

# attacher MODE PID: python3, which the policy does not allow, attaches to
# PID and reads a page of its memory through /proc/PID/mem (mem), with
# process_vm_readv (vm), or a word with PTRACE_PEEKDATA after
# PTRACE_ATTACH (attach): "read N" (APID, ARC; the holder is continued
# after, as a killed tracer leaves it stopped).
cat >"$T/attach.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
class iovec(ctypes.Structure):
	_fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
mode, pid = sys.argv[1], int(sys.argv[2])
addr = next(int(l.split("-")[0], 16) for l in open("/proc/%d/maps" % pid) if l.split()[1].startswith("rw"))
print("start", flush=True)
if mode == "mem":
	with open("/proc/%d/mem" % pid, "rb", buffering=0) as m:
		m.seek(addr)
		n = len(m.read(4096))
elif mode == "vm":
	buf = ctypes.create_string_buffer(4096)
	local, remote = iovec(ctypes.addressof(buf), 4096), iovec(addr, 4096)
	n = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
else:
	if libc.ptrace(16, pid, None, None):	# PTRACE_ATTACH
		sys.exit("attach: " + os.strerror(ctypes.get_errno()))
	os.waitpid(pid, 0x40000000)	# __WALL
	ctypes.set_errno(0)
	libc.ptrace(2, pid, addr, None)	# PTRACE_PEEKDATA
	n = 8 if not ctypes.get_errno() else -1
	libc.ptrace(17, pid, None, None)	# PTRACE_DETACH
print("read", n, flush=True)
PY
attacher() {
	python3 "$T/attach.py" "$1" "$2" >"$T/attach.out" 2>&1 &
	APID=$!
	wait $APID
	ARC=$?
	kill -CONT "$2" 2>/dev/null
}
# Watched where the hand-over watch has the ptrace access check: where the kernel has kprobes.
if [[ $progs == *security_ptrace_access_check* ]]; then
	for how in mem vm attach; do
		if ! hold "$PLAIN"; then
			fail handover_ptrace_$how "setup: no holder: $(cat "$T/hold.out")"
		elif attacher $how "$HPID" && ! grep -Eq '^read [1-9]' "$T/attach.out"; then
			fail handover_ptrace_$how "setup: the attacher read nothing of an unprotected file's holder: $(cat "$T/attach.out")"
		else
			release
			if hold "$DB"; then
				attacher $how "$HPID"
				if ! grep -q '^start' "$T/attach.out"; then
					fail handover_ptrace_$how "setup: the attacher did not start: $(cat "$T/attach.out")"
				elif grep -q '^read' "$T/attach.out" ||
				     ! wait_record "event=kill .* pid=$APID .*reason=ptrace holder=$HPID" 3 >/dev/null; then
					fail handover_ptrace_$how "exit $ARC, said '$(tr '\n' ' ' <"$T/attach.out")'," \
						"its records: $(grep "pid=$APID " "$AUTHLOG" | tr '\n' ' ')"
				else
					killed handover_ptrace_$how ptrace "$DB" "$T/attach.out" "$ARC" "$APID"
				fi
			else
				fail handover_ptrace_$how "setup: no holder of the database: $(cat "$T/hold.out")"
			fi
		fi
		release
	done
elif [ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	fail handover_ptrace_unwatched "the kernel has kprobes, the watch no ptrace program: $progs"
else
	pass handover_ptrace_unwatched
fi

# mode audit: the receiver reads, and is recorded.
ctlx mode audit >/dev/null || fail handover_audit_exec "ctlx mode audit failed"
exec_route "$DB" "$OTHER" readfd 7
rec=$(wait_record "event=held verdict=audit rule=protect:$CRM path=$DB .* pid=$EPID .*from=exec" 3)
if [ "$ERC" = 0 ] && grep -qx "$(stat -c %s "$DB")" "$T/exec.out" && [ -n "$rec" ]; then
	pass handover_audit_exec
else
	fail handover_audit_exec "exit $ERC, said '$(tr '\n' ' ' <"$T/exec.out")', record '$rec'"
fi
# pidfd_getfd: the record names the descriptor the taker got (where the
# kernel has kprobes, the call is judged at its entry too, fd=-1: that
# record must not stand in for this one)
if hold "$DB"; then
	getfd
	release
	n=$(sed -n 's/^got //p' "$T/getfd.out")
	rec=$(wait_record "event=held verdict=audit rule=protect:$CRM path=$DB .* pid=$GPID .* fd=$n from=pidfd_getfd" 3)
	if [ "$GRC" = 0 ] && [ -n "$n" ] && grep -qx "$(stat -c %s "$DB")" "$T/getfd.out" && [ -n "$rec" ]; then
		pass handover_audit_pidfd_getfd
	else
		fail handover_audit_pidfd_getfd "exit $GRC, said '$(tr '\n' ' ' <"$T/getfd.out")', record '$rec', its records: $(grep "pid=$GPID " "$AUTHLOG" | tr '\n' ' ')"
	fi
else
	fail handover_audit_pidfd_getfd "setup: no holder of the database: $(cat "$T/hold.out")"
	release
fi
# and pidfd_getfd past a kretprobe's pool: recorded all the same
if ! watched handover_audit_pidfd_getfd_flood; then
	:
elif hold "$DB"; then
	getfd -flood $((pool + 2))
	release
	rec=$(wait_record "event=held verdict=audit rule=protect:$CRM path=$DB .* pid=$GPID .*from=pidfd_getfd" 3)
	if [ "$GRC" = 0 ] && grep -q '^flooding' "$T/getfd.out" &&
	   grep -qx "$(stat -c %s "$DB")" "$T/getfd.out" && [ -n "$rec" ]; then
		pass handover_audit_pidfd_getfd_flood
	else
		fail handover_audit_pidfd_getfd_flood "exit $GRC, said '$(tr '\n' ' ' <"$T/getfd.out")', record '$rec'"
	fi
else
	fail handover_audit_pidfd_getfd_flood "setup: no holder of the database: $(cat "$T/hold.out")"
	release
fi
# and an attacher: it reads, and is recorded with the holder
if [[ $progs != *security_ptrace_access_check* ]]; then
	:
elif hold "$DB"; then
	attacher mem "$HPID"
	rec=$(wait_record "event=held verdict=audit rule=protect:$CRM path=$DB .* pid=$APID .*from=ptrace holder=$HPID" 3)
	if [ "$ARC" = 0 ] && grep -Eq '^read [1-9]' "$T/attach.out" && [ -n "$rec" ]; then
		pass handover_audit_ptrace
	else
		fail handover_audit_ptrace "exit $ARC, said '$(tr '\n' ' ' <"$T/attach.out")', record '$rec'"
	fi
	release
else
	fail handover_audit_ptrace "setup: no holder of the database: $(cat "$T/hold.out")"
	release
fi
exit 0
