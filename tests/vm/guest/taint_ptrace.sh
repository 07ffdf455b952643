#!/bin/bash
# Taint through another process's memory (the sensor's programs on the
# kernel's ptrace access check, ebpf/sensor.bpf.c; on the BPF LSM also
# its own, ebpf/clip_lsm.bpf.c; on crmguard.ko its kprobe, kmod/taint.c,
# which leaves PTRACE_TRACEME to crmguardd: there that round comes with
# crmguardd running). A shell reads the protected file; then,
# with crmguardd stopped (SIGSTOP: the kernel marks by itself), a process
# that is not tainted reads the row out of the shell's memory through
# /proc/PID/mem, process_vm_readv() and PTRACE_PEEKDATA after
# PTRACE_ATTACH; a child that read a row from the shell through a FIFO
# makes its parent its tracer (PTRACE_TRACEME); a child of the shell
# attaches to a process that is not tainted. With crmguardd running, a
# tracer that attached (PTRACE_SEIZE) before its tracee was tainted is
# tainted with it. Each such process, once it holds the row (or the
# trace), tries to send to an X server stand-in: refused (EPERM from the
# display guard, or ended by the connect() tracepoint where the guard
# cannot see unix sockets), recorded as tainted `via=ptrace`, and no row
# reaches the server. On the BPF LSM and crmguard.ko, a reader of the
# shell's memory is refused with crmguardd killed too. Reading an untainted process's memory
# taints nobody: the reader connects.
. "$(dirname "$0")/clip_lib.bash" || exit 1
BACKEND=${CRMGUARD_BACKEND:-fanotify}
[ "$BACKEND" = fanotify ] || CHECK_PREFIX=$BACKEND-
checks ptrace-setup ptrace-shell-tainted ptrace-daemon-stopped \
	ptrace-mem-read ptrace-mem-refused ptrace-mem-record \
	ptrace-vm-read ptrace-vm-refused ptrace-vm-record \
	ptrace-attach-read ptrace-attach-refused ptrace-attach-record \
	ptrace-traceme-read ptrace-traceme-refused ptrace-traceme-record \
	ptrace-injects-read ptrace-injects-refused ptrace-injects-record \
	ptrace-tracer-first-read ptrace-tracer-first-refused ptrace-tracer-first-record \
	ptrace-untainted-connects ptrace-no-rows
[ "$BACKEND" = fanotify ] || checks ptrace-killed-read ptrace-killed-refused
SERVER= OTHERS=

finish() {
	kill $OTHERS 2>/dev/null
	taint_finish
}
trap finish EXIT

# peek.py MODE ARG [MARK]: says "peeker=PID", then
#  mem PID, vm PID: reads PID's writable memory through /proc/PID/mem or
#    process_vm_readv();
#  attach PID: PTRACE_ATTACH, then PTRACE_PEEKDATA over its heap;
#  seized PID MARK: PTRACE_SEIZE at once ("seized"), and once MARK exists
#    PTRACE_INTERRUPT, then PTRACE_PEEKDATA over its heap;
#  traceme FIFO: a child reads FIFO, then PTRACE_TRACEME and stops itself;
#    "read=traced" once this process sees the stop as its tracer;
#  inject PID: PTRACE_ATTACH, "read=attached" once PID stops, and detaches;
#  victim MARK: waits for MARK;
# says "read=rows" if a client row was in what it read ("read=none" if
# not), and 1 s later sends it to the X server: "connect=ok" or the
# errno's name; ended, nothing.
xsend
cat >"$T/peek.py" <<'PY'
import ctypes, os, signal, sys, time
from xsend import send
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
TRACEME, PEEKDATA, ATTACH, DETACH, SEIZE, INTERRUPT = 0, 2, 16, 17, 0x4206, 0x4207
mode, arg = sys.argv[1:3]
print("peeker=%d" % os.getpid(), flush=True)

class iovec(ctypes.Structure):
	_fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

def regions(pid, heap_only):
	for line in open("/proc/%d/maps" % pid):
		f = line.split()
		if f[1].startswith("rw") and (f[5:] == ["[heap]"] or (not heap_only and not f[5:])):
			a, b = (int(x, 16) for x in f[0].split("-"))
			yield a, min(b, a + (8 << 20))

def mem(pid):
	with open("/proc/%d/mem" % pid, "rb", buffering=0) as m:
		for a, b in regions(pid, False):
			m.seek(a)
			yield m.read(b - a)

def vm(pid):
	for a, b in regions(pid, False):
		buf = ctypes.create_string_buffer(b - a)
		local, remote = iovec(ctypes.addressof(buf), b - a), iovec(a, b - a)
		got = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
		yield buf.raw[:max(got, 0)]

def peek(pid):
	for a, b in regions(pid, True):
		words = bytearray()
		for o in range(a, b, 8):
			words += libc.ptrace(PEEKDATA, pid, o, None).to_bytes(8, "little", signed=True)
			if len(words) % 4096 == 0 and b"ACME" in words[-4200:]:
				break
		yield bytes(words)

def row(chunks):
	for c in chunks:
		i = c.find(b"ACME")
		if i >= 0:
			return c[i:i + 40]
	return b""

def trace(request, pid):
	if libc.ptrace(request, pid, None, None):
		sys.exit("ptrace %d: %s" % (request, os.strerror(ctypes.get_errno())))

if mode == "victim":
	while not os.path.exists(arg):
		time.sleep(0.1)
	data = b"victim\n"
elif mode == "inject":
	trace(ATTACH, int(arg))
	os.waitpid(int(arg), 0x40000000)	# __WALL
	print("read=attached", flush=True)
	trace(DETACH, int(arg))
	sys.exit()
elif mode == "traceme":
	child = os.fork()
	if child == 0:
		os.read(os.open(arg, os.O_RDONLY), 4096)
		libc.ptrace(TRACEME, 0, None, None)
		os.kill(os.getpid(), signal.SIGSTOP)
		os._exit(0)
	status = os.waitpid(child, 0)[1]
	print("read=" + ("traced" if os.WIFSTOPPED(status) else "status %d" % status), flush=True)
	os.kill(child, signal.SIGKILL)
	data = b"traceme\n"
else:
	pid = int(arg)
	if mode == "mem":
		data = row(mem(pid))
	elif mode == "vm":
		data = row(vm(pid))
	else:
		if mode == "attach":
			trace(ATTACH, pid)
		else:
			trace(SEIZE, pid)
			print("seized", flush=True)
			while not os.path.exists(sys.argv[3]):
				time.sleep(0.1)
			trace(INTERRUPT, pid)
		os.waitpid(pid, 0x40000000)	# __WALL
		data = row(peek(pid))
		trace(DETACH, pid)
	print("read=" + ("rows" if data else "none"), flush=True)
time.sleep(1)
send(data or b"none\n")
PY

clip_policy
display_server
taint_setup ptrace-setup fexit/security_ptrace_access_check

# The tainted shell: in traceme and tracer-first it writes the row into
# that round's FIFO; in injects a child of it attaches to the victim.
# (On crmguard.ko, traceme comes after injects: below.)
rounds="traceme injects"
[ "$BACKEND" != kmod ] || rounds="injects traceme"
tainted_shell "$rounds tracer-first end" '
	if [ $round = injects ]; then
		python3 "$T/peek.py" inject "$(cat "$T/victim.pid")" >"$T/injector" 2>&1
	elif [ $round != end ]; then
		echo "$line" >"$T/fifo.$round"
	fi'
shell_tainted ptrace-shell-tainted

# expect_peeker NAME PID FROM WANT [FILE]: the process got what it went
# for (WANT in its output, or in FILE's: read=rows, read=traced,
# read=attached: the setup), was refused at its connect() (EPERM), or
# ended there (SIGKILL, with no other word), and is recorded as tainted
# through ptrace from FROM, and refused, with the taint's source.
expect_peeker() {
	local out rec
	out=$(grep -v '^peeker=' "$T/peek.$1")
	if ! grep -qx "$4" "${5:-$T/peek.$1}"; then
		fail "ptrace-$1-read" "wanted $4, got '$(cat "${5:-$T/peek.$1}")' $(cat "$T/peek.$1.err")"
		fail "ptrace-$1-refused" "see ptrace-$1-read"; fail "ptrace-$1-record" "see ptrace-$1-read"
		return
	fi
	pass "ptrace-$1-read"
	if grep -qx connect=EPERM <<<"$out" ||
	   { ! grep -q '^connect=' <<<"$out" && [ "$(cat "$T/peek.$1.status")" = 137 ] &&
	     [ ! -s "$T/peek.$1.err" ]; }; then
		pass "ptrace-$1-refused"
	else
		fail "ptrace-$1-refused" "'$out', status $(cat "$T/peek.$1.status"): $(cat "$T/peek.$1.err")"
	fi
	rec=$(wait_record "event=taint pid=$2 .*taint_source=$CRM/clients.csv via=ptrace from=$3( |\$)" 3) &&
		rec=$(wait_record "event=clipboard verdict=deny channel=x11 .* pid=$2 .*taint_source=$CRM/clients.csv" 3)
	[ -n "$rec" ] && pass "ptrace-$1-record" ||
		fail "ptrace-$1-record" "$(grep "pid=$2 " "$AUTHLOG" | head -3)"
}

# peeker NAME MODE ARG [MARK]: runs peek.py in the background, its pid in PEEKER.
peeker() {
	python3 "$T/peek.py" "$2" "$3" ${4:+"$4"} >"$T/peek.$1" 2>"$T/peek.$1.err" &
	PEEKER=$!
}

# ended NAME PID: waits for peeker NAME, and keeps its exit status.
ended() {
	wait "$2" 2>/dev/null
	echo $? >"$T/peek.$1.status"
}

# The victim of injects: not tainted, it connects once told to.
peeker injects victim "$T/go.victim"
echo "$PEEKER" >"$T/victim.pid"
VICTIM=$PEEKER

stop_daemon ptrace-daemon-stopped
for how in mem vm attach; do
	peeker $how $how "$TAINTED_SHELL"
	eval "PEEKER_$how=$PEEKER"
	ended $how "$PEEKER"
done
# A child reads the row from the shell through a FIFO, then has its
# parent trace it. crmguard.ko follows neither by itself while crmguardd
# runs (stopped): there it is crmguardd's, after it continues.
traceme() {
	peeker traceme traceme "$T/fifo.traceme"
	PEEKER_traceme=$PEEKER
	sleep 0.5
	round traceme
	ended traceme "$PEEKER_traceme"
}
mkfifo "$T/fifo.traceme" "$T/fifo.tracer-first"
[ "$BACKEND" = kmod ] || traceme
# A child of the shell attaches to a process that is not tainted, which then connects.
round injects
touch "$T/go.victim"
ended injects "$VICTIM"
INJECTOR=$(sed -n 's/^peeker=//p' "$T/injector")
kill -CONT "$DAEMON_PID"
[ "$BACKEND" != kmod ] || traceme

for how in mem vm attach; do
	eval "expect_peeker $how \$PEEKER_$how $TAINTED_SHELL read=rows"
done
expect_peeker traceme "$PEEKER_traceme" '[0-9]+' read=traced
expect_peeker injects "$VICTIM" "${INJECTOR:-none}" read=attached "$T/injector"

# A tracer that attached before its tracee was tainted: crmguardd taints it with the tracee.
bash -c 'read -r line <"$1" && echo read >"$1.read"
	while [ ! -e "$1.stop" ]; do sleep 0.2; done' tracee "$T/fifo.tracer-first" &
TRACEE=$!
OTHERS="$OTHERS $TRACEE"
peeker tracer-first seized "$TRACEE" "$T/fifo.tracer-first.read"
for _ in $(seq 50); do grep -q '^seized' "$T/peek.tracer-first" && break; sleep 0.1; done
round tracer-first
ended tracer-first "$PEEKER"
touch "$T/fifo.tracer-first.stop"
expect_peeker tracer-first "$PEEKER" "$TRACEE" read=rows

# Reading the memory of a process that is not tainted: it connects.
sleep 60 &
OTHERS="$OTHERS $!"
peeker untainted mem $!
wait "$PEEKER"
[ "$(grep -v '^peeker=' "$T/peek.untainted")" = "read=none
connect=ok" ] && ! grep -q "event=taint pid=$PEEKER " "$AUTHLOG" && pass ptrace-untainted-connects ||
	fail ptrace-untainted-connects "$(cat "$T/peek.untainted" "$T/peek.untainted.err"); $(grep "event=taint pid=$PEEKER " "$AUTHLOG")"

# The BPF LSM's own programs, pinned, or crmguard.ko's probe, mark a
# reader of the shell's memory with crmguardd killed.
if [ "$BACKEND" != fanotify ]; then
	kill_daemon
	peeker killed mem "$TAINTED_SHELL"
	ended killed "$PEEKER"
	if grep -qx read=rows "$T/peek.killed"; then
		pass ptrace-killed-read
		grep -qx connect=EPERM "$T/peek.killed" && pass ptrace-killed-refused ||
			fail ptrace-killed-refused "$(cat "$T/peek.killed" "$T/peek.killed.err")"
	else
		fail ptrace-killed-read "$(cat "$T/peek.killed" "$T/peek.killed.err")"
		fail ptrace-killed-refused "see ptrace-killed-read"
	fi
fi

round end

grep -q "renewal in March" "$T/server.data" 2>/dev/null &&
	fail ptrace-no-rows "the server received: $(head -c 200 "$T/server.data")" || pass ptrace-no-rows
