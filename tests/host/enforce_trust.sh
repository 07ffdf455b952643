# enforce.sh again, with `reads trust`: decisions at open, and read checks
# only on files held by a process revoked since.
READS=trust bash "$(dirname "$0")/enforce.sh"
first=$?	# a status other than 0 from that half is this script's too

# Then the descriptors a revoke must find although crmguardd never saw
# their holder open them: a second descriptor that outlives the first,
# one inherited by a child whose parent closed its copy, one taken with
# pidfd_getfd, one passed over a unix socket (SCM_RIGHTS).
. "$(dirname "$0")/lib.bash" || exit 1
# Each reader is refused, or, where crmguardd cannot tell that the kernel
# will report its reads (it did not see that descriptor opened), ended
# before it reads (tests/host/held.sh).
checks $(for c in second reopened inherited taken passed; do echo "trust_held_$c|trust_held_${c}_holder_killed"; done)

USER_NAME=crmguard-trust-$$
useradd -M -s /usr/sbin/nologin "$USER_NAME" || { fail trust_held_setup "useradd failed"; exit 1; }
trap 'userdel "$USER_NAME" 2>/dev/null; cleanup' EXIT
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups)
PYTHON=$(readlink -f /usr/bin/python3)

mkdir -p "$CRM" "$T/run"
# A file per case: read checks come back per inode, so one found holder
# would make the reads of all the others checked too.
cases=(second reopened inherited taken passed)
for c in "${cases[@]}"; do echo "client list" >"$CRM/$c.csv"; done
chmod 755 "$T" "$CRM"
chmod 644 "$CRM"/*.csv
chown "$USER_NAME" "$T/run"	# the readers' own files: pids, gates, the socket
# The CRM here is a Python program: python3 is allowed (and warned about).
cat >"$POLICY" <<CONF
mode enforce
reads trust
protect $CRM
allow exe $PYTHON
CONF
# holder.py CASE ARGS: gets a descriptor of the file one way or another,
# reads through it, writes its pid to READY, waits for a line on GATE and
# reads again: prints "read" or "denied ERRNO-NAME".
cat >"$T/holder.py" <<'PY'
import ctypes, errno, os, socket, sys

def gate_then_read(fd, ready, gate):
    os.pread(fd, 16, 0)			# the descriptor works before the revoke
    with open(ready + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(ready + ".tmp", ready)
    with open(gate) as g:
        g.readline()
    try:
        os.pread(fd, 16, 0)
        print("read", flush=True)
    except OSError as e:
        print("denied", errno.errorcode[e.errno], flush=True)
    os._exit(0)

case, args = sys.argv[1], sys.argv[2:]
if case == "second":		# FILE READY GATE: a second fd outlives the first
    a = os.open(args[0], os.O_RDONLY)
    b = os.open(args[0], os.O_RDONLY)
    os.close(a)
    gate_then_read(b, *args[1:])
elif case == "reopened":	# FILE READY GATE: a second fd after the first was closed
    a = os.open(args[0], os.O_RDONLY)
    os.pread(a, 16, 0)
    os.close(a)
    gate_then_read(os.open(args[0], os.O_RDONLY), *args[1:])
elif case == "inherited":	# FILE READY GATE: the parent closes its copy and exits
    fd = os.open(args[0], os.O_RDONLY)
    if os.fork() == 0:
        gate_then_read(fd, *args[1:])
    os.close(fd)
elif case == "hold":		# FILE READY RELEASE: holds fd until released
    fd = os.open(args[0], os.O_RDONLY)
    with open(args[1] + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {fd}\n")
    os.rename(args[1] + ".tmp", args[1])
    with open(args[2]) as g:
        g.readline()
elif case == "take":		# PID FD READY GATE: pidfd_getfd
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(int(args[0]))
    fd = libc.syscall(438, pidfd, int(args[1]), 0)	# SYS_pidfd_getfd
    if fd < 0:
        sys.exit("pidfd_getfd: " + os.strerror(ctypes.get_errno()))
    gate_then_read(fd, *args[2:])
elif case == "send":		# FILE SOCKET: sends fd and exits
    fd = os.open(args[0], os.O_RDONLY)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(args[1])
    socket.send_fds(s, [b"x"], [fd])
elif case == "receive":		# SOCKET READY GATE
    l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    l.bind(args[0])
    l.listen(1)
    c, _ = l.accept()
    _, fds, _, _ = socket.recv_fds(c, 1, 1)
    gate_then_read(fds[0], *args[1:])
PY
start_crmguard || { fail trust_held_setup "crmguardd did not start"; exit 1; }
R=$T/run
py() { "${AS_USER[@]}" "$PYTHON" "$T/holder.py" "$@"; }

# wait_file FILE: until it exists (5 s at most)
wait_file() {
	local i
	for i in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

for c in "${cases[@]}"; do mkfifo "$R/gate.$c"; done
py second "$CRM/second.csv" "$R/ready.second" "$R/gate.second" >"$R/out.second" 2>&1 &
py reopened "$CRM/reopened.csv" "$R/ready.reopened" "$R/gate.reopened" >"$R/out.reopened" 2>&1 &
py inherited "$CRM/inherited.csv" "$R/ready.inherited" "$R/gate.inherited" >"$R/out.inherited" 2>&1 &
mkfifo "$R/release"
py hold "$CRM/taken.csv" "$R/held" "$R/release" >"$R/out.hold" 2>&1 &
holder=$!
wait_file "$R/held"
read -r hpid hfd <"$R/held" || { fail trust_held_setup "no holder: $(tr "\n" " " <"$R/out.hold")"; exit 1; }
py take "$hpid" "$hfd" "$R/ready.taken" "$R/gate.taken" >"$R/out.taken" 2>&1 &
py receive "$R/sock" "$R/ready.passed" "$R/gate.passed" >"$R/out.passed" 2>&1 &
wait_file "$R/sock" && py send "$CRM/passed.csv" "$R/sock" >"$R/out.send" 2>&1
wait_file "$R/ready.taken" && echo go >"$R/release"
wait "$holder"
for c in "${cases[@]}"; do
	wait_file "$R/ready.$c" || fail "trust_held_$c" "no reader: $(cat "$R/out.$c")"
done
ctlx user revoke "$USER_NAME" || fail trust_held_revoke "ctlx user revoke failed"
# gone PID: exited (a zombie still has its /proc entry)
gone() { local st; st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null); [ -z "$st" ] || [ "$st" = Z ]; }
for c in "${cases[@]}"; do
	[ -e "$R/ready.$c" ] || continue
	pid=$(cat "$R/ready.$c")
	killed=$(wait_record "event=kill verdict=deny rule=revoke-user:$USER_NAME .* pid=$pid .*reason=held" 1)
	# a FIFO nobody reads would block the writer: the gate of a living reader only
	gone "$pid" || echo go | dd of="$R/gate.$c" oflag=nonblock status=none 2>/dev/null
	for _ in $(seq 50); do { grep -Eq '^(read|denied)' "$R/out.$c" || gone "$pid"; } && break; sleep 0.1; done
	rec=$(wait_record "event=read verdict=deny rule=revoke-user:$USER_NAME .* pid=$pid " 3)
	if [ "$(cat "$R/out.$c")" = "denied EPERM" ] && [ -n "$rec" ]; then
		pass "trust_held_$c"
	elif [ -n "$killed" ] && gone "$pid" && ! grep -Eq '^(read|denied)' "$R/out.$c"; then
		# (the shell that ran it may say it was killed, in the same file)
		pass "trust_held_${c}_holder_killed"
	else
		fail "trust_held_$c" "reader said '$(cat "$R/out.$c")', record '$rec', kill record '$killed'"
	fi
done
exit $first
