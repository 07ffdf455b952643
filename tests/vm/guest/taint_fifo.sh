#!/bin/bash
# A FIFO opened after the first protected read carries the taint (the
# sensor's fentry/fexit programs on fifo_open(), ebpf/sensor.bpf.c; on
# crmguard.ko also the module's own probe there, kmod/taint.c): a
# shell that read the protected file, and only then opens a FIFO to
# write a row into it, taints the process that reads it, in three orders:
# the writer first (the reader opens after), the reader first (waiting in
# its open for the writer), both while crmguardd is stopped (SIGSTOP: the
# kernel marks the reader by itself), and a reader that holds the FIFO
# already (opened without waiting, before the writer came), which
# crmguardd finds; a pipe the shell made after its read, reopened to
# read through /proc/PID/fd; and a pipe that an untainted process made
# and reads, whose writing end it passed (SCM_RIGHTS) to a child of the
# shell. Each reader reads the row, then tries to send it to an
# X server stand-in: refused (EPERM from the display guard, or ended by
# the connect() tracepoint where the guard cannot see unix sockets),
# recorded as tainted `via=fifo` from the shell, and no row reaches the
# server. The same FIFO from a writer that is not tainted taints nobody:
# its reader connects.
. "$(dirname "$0")/clip_lib.bash" || exit 1
BACKEND=${CRMGUARD_BACKEND:-fanotify}
[ "$BACKEND" = fanotify ] || CHECK_PREFIX=$BACKEND-
checks fifo-setup fifo-shell-tainted fifo-daemon-stopped \
	fifo-writer-first-read fifo-writer-first-refused fifo-writer-first-record \
	fifo-reader-first-read fifo-reader-first-refused fifo-reader-first-record \
	fifo-held-read fifo-held-refused fifo-held-record \
	fifo-reopen-read fifo-reopen-refused fifo-reopen-record \
	fifo-handed-read fifo-handed-refused fifo-handed-record \
	fifo-untainted-connects fifo-no-rows
SERVER=

trap taint_finish EXIT

# reader.py FIFO MODE MARK: opens FIFO to read (MODE wait: blocking, as
# cat does, MARK.opening made before; held: at once, without waiting for
# a writer, MARK.open made after, then waits for data; or, MODE owner, FIFO
# is a socket: makes a pipe, hands its writing end to the socket's first
# client with SCM_RIGHTS and reads the pipe), says "read=rows" once the
# row is in, and 1 s later sends what it read to the X server:
# "connect=ok" or the errno's name; ended, nothing.
xsend
cat >"$T/reader.py" <<'PY'
import os, select, socket, sys, time
from xsend import send
path, mode, mark = sys.argv[1:4]
open(mark + ".opening", "w").close()
if mode == "owner":
	fd, w = os.pipe()
	l = socket.socket(socket.AF_UNIX)
	l.bind(path)
	l.listen(1)
	c = l.accept()[0]
	socket.send_fds(c, [b"w"], [w])
	os.close(w)
	c.close()
else:
	fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if mode == "held" else 0))
open(mark + ".open", "w").close()
if mode == "held":
	select.select([fd], [], [])
data = os.read(fd, 4096)
print("read=" + ("rows" if b"ACME" in data else repr(data)), flush=True)
time.sleep(1)
send(data)
PY

# takepipe.py SOCKET ROW: takes a descriptor from SOCKET, writes ROW into
# it and says "sent PID".
cat >"$T/takepipe.py" <<'PY'
import os, socket, sys
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
fd = socket.recv_fds(c, 1, 1)[1][0]
os.write(fd, sys.argv[2].encode() + b"\n")
print("sent", os.getpid())
PY

clip_policy
display_server
taint_setup fifo-setup fexit/fifo_open

# The tainted shell opens each round's FIFO to write only after its read;
# in reopen, it makes a pipe to a child that does not read it (a
# coprocess), which it holds until round end.
tainted_shell "writer-first reader-first held reopen handed end" '
	if [ $round = handed ]; then
		python3 "$T/takepipe.py" "$T/pipe.sock" "$line" >"$T/takepipe.out" 2>&1
	elif [ $round = end ]; then
		kill $SINK_PID
	elif [ $round = reopen ]; then
		coproc SINK { exec sleep 60; }
		echo "$line" >&${SINK[1]}
		echo ${SINK[1]} >"$T/sink.fd"
	else
		echo "$line" >"$T/fifo.$round"
	fi'
shell_tainted fifo-shell-tainted

# expect_reader NAME PID [VIA [FROM]]: the reader, which has ended, read
# the row (the setup), was refused or ended at its connect(), and is
# recorded as tainted through the FIFO (or VIA) from the shell (or FROM),
# and refused, with the taint's source.
expect_reader() {
	local out rec
	out=$(cat "$T/reader.$1")
	case "$out" in
	read=rows*) pass "fifo-$1-read" ;;
	*) fail "fifo-$1-read" "the reader read no row: '$out' $(cat "$T/reader.$1.err")"
	   fail "fifo-$1-refused" "see fifo-$1-read"; fail "fifo-$1-record" "see fifo-$1-read"; return ;;
	esac
	case "$out" in
	*connect=EPERM) pass "fifo-$1-refused" ;;
	read=rows) pass "fifo-$1-refused" ;;	# ended at connect()
	*) fail "fifo-$1-refused" "'$out'" ;;
	esac
	rec=$(wait_record "event=taint pid=$2 .*taint_source=$CRM/clients.csv via=${3:-fifo} from=${4:-$TAINTED_SHELL}" 3) &&
		rec=$(wait_record "event=clipboard verdict=deny channel=x11 .* pid=$2 .*taint_source=$CRM/clients.csv" 3)
	[ -n "$rec" ] && pass "fifo-$1-record" ||
		fail "fifo-$1-record" "$(grep "pid=$2 " "$AUTHLOG" | head -3)"
}

# start_reader NAME MODE [PATH]: the reader of round NAME's FIFO (or
# PATH; its pid in READER) once it has opened it (held), or is about to
# (wait: half a second ago; owner: to make its pipe).
start_reader() {
	local marker=$T/fifo.$1.open
	[ "$2" = held ] || marker=$T/fifo.$1.opening
	python3 "$T/reader.py" "${3:-$T/fifo.$1}" "$2" "$T/fifo.$1" >"$T/reader.$1" 2>"$T/reader.$1.err" &
	READER=$!
	for _ in $(seq 50); do [ -e "$marker" ] && break; sleep 0.1; done
	[ "$2" = wait ] && sleep 0.5
}

# The first two orders with crmguardd stopped: what refuses the reader is
# the kernel's own mark; crmguardd writes the records once it runs again.
stop_daemon fifo-daemon-stopped

# The writer first: it waits in its open; the reader opens after.
mkfifo "$T/fifo.writer-first" "$T/fifo.reader-first" "$T/fifo.held"
round writer-first &
ROUND=$!
sleep 1
start_reader writer-first wait
WRITER_FIRST=$READER
wait "$READER" 2>/dev/null
wait "$ROUND"

# The reader first: waiting in its open when the writer comes.
start_reader reader-first wait
round reader-first
wait "$READER" 2>/dev/null
kill -CONT "$DAEMON_PID"
expect_reader writer-first "$WRITER_FIRST"
expect_reader reader-first "$READER"

# A reader that holds the FIFO already: crmguardd finds it at the writer's open.
start_reader held held
round held
wait "$READER" 2>/dev/null
expect_reader held "$READER"

# A pipe made after the read, reopened through /proc: crmguardd asks who writes it.
if round reopen; then
	start_reader reopen held "/proc/$TAINTED_SHELL/fd/$(cat "$T/sink.fd")"
	wait "$READER" 2>/dev/null
	expect_reader reopen "$READER" pipe
else
	fail fifo-reopen-read "the shell did not finish round reopen: $(cat "$T/shell.err")"
	fail fifo-reopen-refused "see fifo-reopen-read"; fail fifo-reopen-record "see fifo-reopen-read"
fi
# A pipe's writing end handed to a child of the shell, which writes the row into it.
start_reader handed owner "$T/pipe.sock"
for _ in $(seq 50); do [ -S "$T/pipe.sock" ] && break; sleep 0.1; done
if round handed && grep -q '^sent ' "$T/takepipe.out"; then
	wait "$READER" 2>/dev/null
	expect_reader handed "$READER" pipe "$(awk '/^sent /{print $2}' "$T/takepipe.out")"
else
	fail fifo-handed-read "the shell's child did not write: $(cat "$T/takepipe.out" "$T/shell.err")"
	fail fifo-handed-refused "see fifo-handed-read"; fail fifo-handed-record "see fifo-handed-read"
fi

round end

# A writer that is not tainted: its reader connects.
mkfifo "$T/fifo.plain"
python3 "$T/reader.py" "$T/fifo.plain" wait "$T/fifo.plain" >"$T/reader.plain" 2>&1 &
READER=$!
echo "plain text" >"$T/fifo.plain"
wait "$READER"
[ "$(cat "$T/reader.plain")" = "read=b'plain text\n'
connect=ok" ] && ! grep -q "event=taint pid=$READER " "$AUTHLOG" && pass fifo-untainted-connects ||
	fail fifo-untainted-connects "$(cat "$T/reader.plain"); $(grep "event=taint pid=$READER " "$AUTHLOG")"

grep -q "renewal in March" "$T/server.data" 2>/dev/null &&
	fail fifo-no-rows "the server received: $(head -c 200 "$T/server.data")" || pass fifo-no-rows
