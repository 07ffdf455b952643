# Shared by the guest's clipboard_*.sh scenarios: a shell tainted by a
# read of the CRM file that, round after round, tries the clipboard in
# children forked at that moment (so, also while crmguardd is dead).
. "$(dirname "${BASH_SOURCE[0]}")/../../host/lib.bash" || exit 1

# display_server: an X server stand-in (its pid in SERVER) that accepts
# on /tmp/.X11-unix/X9, its abstract twin and TCP port 6009 until killed,
# keeps every connection open and writes what it receives to
# $T/server.data; and /tmp/crm-xlink9, a symbolic link to its socket.
# False if it did not start.
display_server() {
	cat >"$T/server.py" <<'PY'
import os, select, socket
os.makedirs("/tmp/.X11-unix", exist_ok=True)
socks = []
for family, addr in ((socket.AF_UNIX, "/tmp/.X11-unix/X9"), (socket.AF_UNIX, "\0/tmp/.X11-unix/X9"),
		     (socket.AF_INET, ("127.0.0.1", 6009))):
	s = socket.socket(family, socket.SOCK_STREAM)
	s.bind(addr)
	s.listen(16)
	socks.append(s)
data = open(os.environ["DATA"], "ab", buffering=0)
open(os.environ["READY"], "w").close()
held = []
while True:
	for s in select.select(socks + held, [], [])[0]:
		if s in socks:
			held.append(s.accept()[0])
		elif not data.write(s.recv(4096)):
			held.remove(s)
PY
	DATA=$T/server.data READY=$T/server.ready python3 "$T/server.py" 2>"$T/server.err" &
	SERVER=$!
	ln -sf /tmp/.X11-unix/X9 /tmp/crm-xlink9
	for _ in $(seq 50); do [ -e "$T/server.ready" ] && return 0; sleep 0.1; done
	return 1
}

# xsend: $T/xsend.py, a module for the scripts in $T: send(data) sends
# data to display_server's unix socket and says "connect=ok", or the
# errno's name; ended, nothing.
xsend() {
	cat >"$T/xsend.py" <<'PY'
import errno, socket

def send(data):
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	try:
		s.connect("/tmp/.X11-unix/X9")
		s.send(data)
		print("connect=ok", flush=True)
	except OSError as e:
		print("connect=" + errno.errorcode.get(e.errno, str(e.errno)), flush=True)
PY
}

# display_client: $T/connect1.py ADDRESS, a client of display_server's:
# unix (its socket's path), abstract (its abstract twin), link,
# relative (to its directory), tcp, or fastopen (TCP fast open: the row
# sent with the connection by sendto(MSG_FASTOPEN), no connect()). On
# success it sends a client row and says ADDRESS=ok, else ADDRESS=ERRNO;
# ended, it says nothing.
display_client() {
	cat >"$T/connect1.py" <<'PY'
import errno, os, socket, sys
os.chdir("/tmp/.X11-unix")
name = sys.argv[1]
family, addr = {"unix": (socket.AF_UNIX, "/tmp/.X11-unix/X9"),
		"abstract": (socket.AF_UNIX, "\0/tmp/.X11-unix/X9"),
		"link": (socket.AF_UNIX, "/tmp/crm-xlink9"), "relative": (socket.AF_UNIX, "X9"),
		"tcp": (socket.AF_INET, ("127.0.0.1", 6009)),
		"fastopen": (socket.AF_INET, ("127.0.0.1", 6009))}[name]
s = socket.socket(family, socket.SOCK_STREAM)
try:
	if name == "fastopen":
		s.sendto(b"ACME Ltd,+1 555 0100\n", socket.MSG_FASTOPEN, addr)
	else:
		s.connect(addr)
		s.send(b"ACME Ltd,+1 555 0100\n")
	print(name + "=ok")
except OSError as e:
	print(name + "=" + errno.errorcode.get(e.errno, str(e.errno)))
PY
}

# broker: a process that is not tainted (its pid in BROKER) and hands each
# client a socket it connected to the X server (SCM_RIGHTS) at
# $T/broker.sock; and $T/handed.py, such a client, which sends a client
# row on it and says "send=ok" or the errno, or "received=none" if no
# descriptor arrived. False if the broker did not start.
broker() {
	cat >"$T/broker.py" <<'PY'
import os, socket, sys
b = socket.socket(socket.AF_UNIX)
b.bind(sys.argv[1])
b.listen(4)
open(os.environ["READY"], "w").close()
while True:
	c = b.accept()[0]
	x = socket.socket(socket.AF_UNIX)
	x.connect("/tmp/.X11-unix/X9")
	socket.send_fds(c, [b"x"], [x.fileno()])
	x.close()
	c.close()
PY
	cat >"$T/handed.py" <<'PY'
import errno, socket, sys
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
fds = socket.recv_fds(c, 1, 1)[1]
if not fds:
	sys.exit("received=none")
x = socket.socket(fileno=fds[0])
try:
	x.send(b"ACME Ltd,+1 555 0100\n")
	print("send=ok")
except OSError as e:
	print("send=" + errno.errorcode.get(e.errno, str(e.errno)))
PY
	READY=$T/broker.ready python3 "$T/broker.py" "$T/broker.sock" 2>"$T/broker.err" &
	BROKER=$!
	for _ in $(seq 50); do [ -e "$T/broker.ready" ] && return 0; sleep 0.1; done
	return 1
}

# clip_policy [LINE...]: the CRM file, and a policy that protects it,
# lets bash read it (a shell that reads it is tainted), says `clipboard
# block`, and has LINEs after.
clip_policy() {
	mkdir -p "$CRM"
	echo "ACME Ltd,+1 555 0100,renewal in March" >"$CRM/clients.csv"
	printf '%s\n' "mode enforce" "protect $CRM" "allow exe /usr/bin/bash" "clipboard block" "$@" >"$POLICY"
}

# tainted_shell "ROUND..." BODY: starts it in the background (its pid in
# TAINTED_SHELL): it reads $CRM/clients.csv, then for each round waits
# for $T/go.ROUND, runs BODY (shell text, with $round set) and writes
# $T/done.ROUND. Functions BODY calls must be exported.
tainted_shell() {
	T=$T bash -c "read -r line <'$CRM/clients.csv' && [ -n \"\$line\" ] || exit 9
		echo read >'$T/shell.read'
		for round in $1; do
			until [ -e '$T/go.'\$round ]; do sleep 0.1; done
			$2
			echo done >'$T/done.'\$round
		done" 2>"$T/shell.err" &
	TAINTED_SHELL=$!
}

# round NAME: runs it; false if the shell did not finish it in 20 s.
round() {
	touch "$T/go.$1"
	for _ in $(seq 200); do [ -e "$T/done.$1" ] && return 0; sleep 0.1; done
	return 1
}

# shell_tainted CHECK: passes once crmguardd lists the shell as tainted, else fails and ends the scenario.
shell_tainted() {
	local i
	for i in $(seq 100); do
		[ -e "$T/shell.read" ] && ctlx taint list | grep -q "^process $TAINTED_SHELL$(printf '\t')" &&
			{ pass "$1"; return 0; }
		sleep 0.1
	done
	fail "$1" "shell $TAINTED_SHELL: $(cat "$T/shell.err"); $(ctlx taint list 2>&1 | head -5)"
	exit 1
}

# stop_daemon CHECK: crmguardd stopped (SIGSTOP); CHECK passes once /proc says so.
stop_daemon() {
	kill -STOP "$DAEMON_PID"
	sleep 0.2
	if [ "$(awk '{print $3}' "/proc/$DAEMON_PID/stat")" = T ]; then
		pass "$1"
	else
		fail "$1" "crmguardd $DAEMON_PID: $(cat "/proc/$DAEMON_PID/stat" 2>&1)"
	fi
}

# taint_setup CHECK PROGRAM: crmguardd started on $BACKEND beside
# display_server's X server stand-in, with the sensor's PROGRAM (its
# section name) running and, on the BPF LSM or crmguard.ko (loaded here),
# the clipboard held there; CHECK passes, else fails and ends the scenario.
taint_setup() {
	local held=
	case $BACKEND in
	bpf-lsm) held='the BPF LSM' ;;
	kmod) held='crmguard.ko'
	      [ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" 2>>"$T/server.err" ;;
	esac
	if [ ! -e "$T/server.ready" ] || ! start_crmguard ||
	   ! ctlx status | grep -q "$2" || ! ctlx status | grep -q "^enforcer: *$BACKEND" ||
	   { [ -n "$held" ] && ! ctlx status | grep -q "^clipboard: *$held"; }; then
		fail "$1" "server: $(cat "$T/server.err");" \
			"$(ctlx status 2>&1 | grep -E '^(enforcer|sensor|programs|clipboard)');" \
			"$(tail -3 "$T/daemon.out")"
		exit 1
	fi
	pass "$1"
}

# taint_finish [FILE...]: the end of a scenario: the X server stand-in and
# crmguardd stopped, FILEs and the BPF LSM's pins removed, crmguard.ko
# unloaded (its rules and clipboard stay in force after crmguardd).
taint_finish() {
	[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null
	rm -f /tmp/.X11-unix/X9 /tmp/crm-xlink9 "$@"
	stop_crmguard
	[ "$BACKEND" != bpf-lsm ] || rm -rf /sys/fs/bpf/crmguard
	[ "$BACKEND" != kmod ] || rmmod crmguard
	cleanup
}

# kill_daemon: crmguardd killed (-9), as a crash or an admin would; its pid in KILLED_PID.
kill_daemon() {
	KILLED_PID=$DAEMON_PID
	kill -9 "$KILLED_PID"
	wait "$KILLED_PID" 2>/dev/null
	DAEMON_PID=
}
