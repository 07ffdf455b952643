# Taint through pipes, FIFOs and unix sockets, and the clipboard: a real
# Xvfb, real xclip and xsel, sqlite3 as the allowed CRM. Client rows piped
# from the CRM into the clipboard are stopped in `clipboard block` (the
# tool's exec refused with EPERM, or the tool killed before the rows reach
# it) and recorded in `clipboard audit`; plain text goes through.
# Nothing here reads CRM rows into this shell itself: that would taint it,
# and with it every command it runs after.
. "$(dirname "$0")/lib.bash" || exit 1
. "$(dirname "$0")/clipboard.bash" || exit 1
checks clip_audit_records clip_audit_bytes clip_copy_connect_stopped clip_copy_on_display_killed \
	clip_exec_no_rows clip_exec_refused clip_pipe_stopped clip_python_connect_stopped clip_python_alias_stopped \
	clip_symlink_refused clip_loader_refused clipboard_bad_line_refused clipboard_only_tainted fifo_taints_reader \
	plain_text_through socketpair_taints_peer taint_list_text tainted_shell_children \
	unix_socket_taints_peer unix_socket_later_taints_peer writer_exit_no_launder xsel_exec_refused

clipboard_setup 70
trap 'kill $XVFB_PID 2>/dev/null; cleanup' EXIT
n=$XNUM
export DISPLAY=:$n
if ! xclip -o -selection clipboard >/dev/null 2>&1 && ! xsel -b -o >/dev/null 2>&1 &&
   ! echo probe | xclip -i -selection clipboard; then
	fail taint_setup "Xvfb on $DISPLAY does not answer: $(cat "$T/xvfb.out")"
	exit 1
fi
start_crmguard || { fail taint_setup "crmguardd did not start"; exit 1; }

# set_clip TEXT: the clipboard holds TEXT (proven by reading it back).
set_clip() {
	echo "$1" | xclip -i -selection clipboard 2>/dev/null
	[ "$(xclip -o -selection clipboard 2>/dev/null)" = "$1" ]
}
# clip_has_clients: does the clipboard (xclip -o, xsel -b -o) hold client rows?
clip_has_clients() {
	{ xclip -o -selection clipboard; xsel -b -o; } 2>/dev/null | grep -q 'Client [0-9]'
}

# --- plain text goes through, and is not recorded --------------------------
if set_clip "plain text $$" && [ "$(xsel -b -o)" = "plain text $$" ]; then
	pass plain_text_through
else
	fail plain_text_through "clipboard holds '$(xclip -o -selection clipboard 2>&1)'"
fi

# --- the pipeline into xclip, exec after the taint: refused with EPERM ------
set_clip "marker-1" || fail clip_exec_setup "cannot set the marker"
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec xclip -i -selection clipboard) 2>"$T/err1"; crm_status )
rc=$?
rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/xclip action=refused .*taint_source=$DB" 3)
ran=$(wait_record "event=taint .*exe=/usr/bin/sqlite3 .*taint_source=$DB via=read" 1)
if [ -z "$ran" ]; then
	fail clip_exec_refused "the pipeline did not run: no taint record for sqlite3"
elif [ $rc -ne 0 ] && grep -q "Operation not permitted" "$T/err1" && [ -n "$rec" ]; then
	pass clip_exec_refused
else
	fail clip_exec_refused "exit $rc, stderr '$(cat "$T/err1")', record '$rec'"
fi
clip_has_clients && fail clip_exec_no_rows "the clipboard holds client rows" ||
	{ [ "$(xclip -o -selection clipboard)" = marker-1 ] && pass clip_exec_no_rows ||
	  fail clip_exec_no_rows "the marker is gone: '$(xclip -o -selection clipboard 2>&1)'"; }

# --- xsel, the same way -----------------------------------------------------
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec xsel -b -i) 2>"$T/err2"; crm_status )
rc=$?
rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/xsel action=refused " 3)
[ $rc -ne 0 ] && grep -q "Operation not permitted" "$T/err2" && [ -n "$rec" ] && ! clip_has_clients &&
	pass xsel_exec_refused || fail xsel_exec_refused "exit $rc, '$(cat "$T/err2")', record '$rec'"

# --- the plain pipeline: xclip starts with sqlite3; whichever comes first,
# the rows do not reach the clipboard ---------------------------------------
set_clip "marker-2" || fail clip_pipe_setup "cannot set the marker"
( sqlite3 "$DB" "$Q" 2>/dev/null | xclip -i -selection clipboard 2>"$T/err3"; crm_status )
read -ra rc <"$T/pipestatus"
rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/xclip action=(refused|killed) " 3)
sleep 0.3
if [ -n "$rec" ] && ! clip_has_clients && [ "${rc[1]}" -ne 0 ]; then
	pass clip_pipe_stopped
else
	fail clip_pipe_stopped "exits ${rc[*]}, record '$rec', clipboard '$(xclip -o -selection clipboard 2>&1 | head -2)'"
fi

# --- a renamed link to xclip is the same binary ------------------------------
ln -s /usr/bin/xclip "$T/copy-helper"
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec "$T/copy-helper" -i -selection clipboard) 2>"$T/err4"; crm_status )
rc=$?
grep -q "Operation not permitted" "$T/err4" && ! clip_has_clients && pass clip_symlink_refused ||
	fail clip_symlink_refused "exit $rc, '$(cat "$T/err4")'"

# --- xclip run by the dynamic loader: ld.so opens the binary as a file, and
# no exec of it happens: refused at that open ------------------------------
LOADER=/lib64/ld-linux-x86-64.so.2
if ! "$LOADER" /usr/bin/xclip -version >/dev/null 2>"$T/err4l"; then
	fail clip_loader_refused "setup: the loader does not run xclip untainted: $(cat "$T/err4l")"
else
	( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec "$LOADER" /usr/bin/xclip -i -selection clipboard) 2>"$T/err4l"; crm_status )
	rc=$?
	rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/xclip action=refused .*comm=ld-linux" 3)
	[ $rc -ne 0 ] && grep -q "Operation not permitted" "$T/err4l" && [ -n "$rec" ] && ! clip_has_clients &&
		pass clip_loader_refused || fail clip_loader_refused "exit $rc, '$(cat "$T/err4l")', record '$rec'"
fi

# --- a copy of xclip that connected to the display before the rows came:
# killed when the taint reaches it, before the rows do ------------------------
cp /usr/bin/xclip "$T/xc"
( { sleep 1; sqlite3 "$DB" "$Q" 2>/dev/null; } | "$T/xc" -i -selection clipboard 2>/dev/null; crm_status )
read -ra rc <"$T/pipestatus"
rec=$(wait_record "event=clipboard verdict=deny channel=x11 action=killed .*exe=$T/xc " 3)
[ -n "$rec" ] && [ "${rc[1]}" -eq 137 ] && ! clip_has_clients && pass clip_copy_on_display_killed ||
	fail clip_copy_on_display_killed "exits ${rc[*]}, record '$rec'"

# --- a copy of xclip run after the taint: not a known tool, but its connect()
# to the display server is met in the kernel: refused (EPERM) by the display
# guard, or killed before it returns where only the tracepoint runs ---------
if connect_mechanism; then
	( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec "$T/xc" -i -selection clipboard) 2>/dev/null; crm_status )
	read -ra rc <"$T/pipestatus"
	rec=$(wait_record "event=clipboard verdict=deny channel=x11 address=[^ ]*/tmp/.X11-unix/X$n action=$CONNECT_ACTION .*exe=$T/xc " 3)
	[ -n "$rec" ] && connect_stopped "${rc[1]}" && ! clip_has_clients && pass clip_copy_connect_stopped ||
		fail clip_copy_connect_stopped "$CONNECT_ACTION: exits ${rc[*]}, record '$rec'"
	# any program: python writing the rows to the X socket itself, by
	# path and by its abstract name, and to the X server's TCP port over
	# IPv4 and IPv6, and by TCP fast open, which connects from sendto()
	# with the rows and calls no connect() (display :N listens on 6000+N,
	# N < 64; nothing listens there, so without crmguard: ECONNREFUSED)
	cat >"$T/client.py" <<'PY'
import os, socket, sys
a = sys.argv[1]
if a.startswith('rel:'):	# relative to the socket's directory
	os.chdir('/tmp/.X11-unix'); s = socket.socket(socket.AF_UNIX); s.connect(a[4:])
elif a.startswith('/'):
	s = socket.socket(socket.AF_UNIX); s.connect(a)
elif a.startswith('@'):
	s = socket.socket(socket.AF_UNIX); s.connect('\0' + a[1:])
elif a.startswith('['):
	s = socket.socket(socket.AF_INET6); s.connect((a[1:a.index(']')], int(a.rsplit(':', 1)[1])))
elif a.startswith('fast:'):
	h, p = a[5:].rsplit(':', 1); s = socket.socket(socket.AF_INET)
	s.sendto(sys.stdin.buffer.read(), socket.MSG_FASTOPEN, (h, int(p))); print('sent'); sys.exit()
else:
	s = socket.socket(socket.AF_INET); s.connect((a.split(':')[0], int(a.split(':')[1])))
s.sendall(sys.stdin.buffer.read())
print('sent')
PY
	# client ADDR: the tainted rows to ADDR; $rc[1] its exit status, $T/py.out its output
	client() {
		( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec /usr/bin/python3 "$T/client.py" "$1") >"$T/py.out" 2>&1; crm_status )
		read -ra rc <"$T/pipestatus"
	}
	bad=
	port=$((6000 + n % 64))
	addrs=("/tmp/.X11-unix/X$n" "@/tmp/.X11-unix/X$n" "127.0.0.1:$port" "fast:127.0.0.1:$port")
	[ ! -e /proc/net/if_inet6 ] || addrs+=("[::1]:$port")	# a kernel without IPv6 has no such route
	for addr in "${addrs[@]}"; do
		client "$addr"
		case $addr in
		[/@]*) want="channel=x11 address=$addr" ;;
		*) want="channel=x11 address=tcp:$port" ;;
		esac
		rec=$(wait_record "event=clipboard verdict=deny $want action=$CONNECT_ACTION .*comm=python3 " 3)
		if [ "$CONNECT_ACTION" = refused ]; then
			grep -q PermissionError "$T/py.out"
		else
			true
		fi && [ -n "$rec" ] && connect_stopped "${rc[1]}" && ! grep -qx sent "$T/py.out" ||
			bad="$bad; $addr: exits ${rc[*]}, record '$rec', output '$(tail -1 "$T/py.out")'"
	done
	[ -z "$bad" ] && pass clip_python_connect_stopped ||
		fail clip_python_connect_stopped "$CONNECT_ACTION$bad"
	# The same socket named another way, which connect() cannot tell: a
	# symbolic link, the path relative to its directory, a doubled slash.
	# Killed at the first send, which the server bound to its display name
	# receives: a record names that name.
	ln -sf "/tmp/.X11-unix/X$n" "/tmp/crm-xlink$n"
	bad=
	want="event=clipboard verdict=deny channel=x11 address=/tmp/.X11-unix/X$n action=killed .*comm=python3 "
	for addr in "/tmp/crm-xlink$n" "rel:X$n" "/tmp//.X11-unix/X$n"; do
		had=$(grep -cE -- "$want" "$AUTHLOG")	# each attempt its own record
		client "$addr"
		for _ in $(seq 30); do [ "$(grep -cE -- "$want" "$AUTHLOG")" -gt "$had" ] && break; sleep 0.1; done
		[ "$(grep -cE -- "$want" "$AUTHLOG")" -gt "$had" ] && [ "${rc[1]}" -eq 137 ] && ! grep -qx sent "$T/py.out" ||
			bad="$bad; $addr: exits ${rc[*]}, records $had, output '$(tail -1 "$T/py.out")'"
	done
	rm -f "/tmp/crm-xlink$n"
	[ -z "$bad" ] && pass clip_python_alias_stopped ||
		fail clip_python_alias_stopped "$CONNECT_ACTION$bad"
else
	fail clip_copy_connect_stopped "not the mechanism this kernel allows (the display guard where its BTF names its attach points): $(ctlx status | grep bpf)"
	fail clip_python_connect_stopped "see clip_copy_connect_stopped"
	fail clip_python_alias_stopped "see clip_copy_connect_stopped"
fi

# --- the writer exits first: its reader stays tainted ------------------------
from=$(($(wc -l <"$AUTHLOG") + 1))
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 1.5; exec xclip -i -selection clipboard) 2>"$T/err5"; crm_status )
sleep 0.3
# the lines since: sqlite3's exit comes before the refusal of xclip
order=$(tail -n +"$from" "$AUTHLOG" | grep -E -o "event=exit .*exe=/usr/bin/sqlite3 .*code=0|event=clipboard verdict=deny channel=exec tool=/usr/bin/xclip action=refused" |
	cut -d' ' -f1 | tr '\n' ' ')
if [ "$order" = "event=exit event=clipboard " ] && grep -q "Operation not permitted" "$T/err5" && ! clip_has_clients; then
	pass writer_exit_no_launder
else
	fail writer_exit_no_launder "records in order: '$order', '$(cat "$T/err5")'"
fi

# --- a tainted shell's children are tainted, an untainted sibling is not -----
sleep 5 &
sibling=$!
( sqlite3 "$DB" "$Q" 2>/dev/null |
	bash -c "cat >/dev/null; sleep 5 & echo \$! >'$T/child.pid'; echo \$\$ >'$T/shell.pid'; wait" ) &
for _ in $(seq 50); do [ -s "$T/child.pid" ] && break; sleep 0.1; done
child=$(cat "$T/child.pid" 2>/dev/null) shell=$(cat "$T/shell.pid" 2>/dev/null)
ctlx taint list -j >"$T/list.json"
if [ -z "$child" ] || ! kill -0 "$child" 2>/dev/null || ! kill -0 "$sibling"; then
	fail tainted_shell_children "setup: child '$child' or sibling $sibling not running"
elif /usr/bin/python3 - "$T/list.json" "$shell" "$child" "$sibling" "$DB" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
by = {p["pid"]: p for p in d["processes"]}
shell, child, sibling = map(int, sys.argv[2:5])
ok = (shell in by and by[shell]["via"] == "pipe" and child in by and
      by[child]["via"] == "fork" and by[child]["source"] == sys.argv[5] and sibling not in by)
sys.exit(0 if ok else 1)
PY
	pass tainted_shell_children
else
	fail tainted_shell_children "shell $shell child $child sibling $sibling: $(cat "$T/list.json")"
fi
ctlx taint list | grep -q "^process $child	.*via fork from $shell" && pass taint_list_text ||
	fail taint_list_text "$(ctlx taint list)"
kill "$sibling" "$child" 2>/dev/null
wait "$sibling" 2>/dev/null

# --- a FIFO passes taint -------------------------------------------------------
mkfifo "$T/fifo"
cat "$T/fifo" >/dev/null &
reader=$!
sqlite3 "$DB" "$Q" >"$T/fifo" 2>/dev/null
wait $reader
rec=$(wait_record "event=taint pid=$reader .*taint_source=$DB via=fifo " 3)
[ -n "$rec" ] && pass fifo_taints_reader || fail fifo_taints_reader "no taint record for cat $reader"

# --- a unix socket passes taint: a server, and a client fed by the CRM -------
cat >"$T/server.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[2], "w").write("ready")
c, _ = s.accept()
n = 0
while (b := c.recv(65536)):
	n += len(b)
open(sys.argv[2], "w").write(str(n))
PY
cat >"$T/client.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
PY
/usr/bin/python3 "$T/server.py" "$T/s.sock" "$T/server.state" &
server=$!
for _ in $(seq 50); do [ -s "$T/server.state" ] && break; sleep 0.1; done
( { sleep 1; sqlite3 "$DB" "$Q" 2>/dev/null; } | /usr/bin/python3 "$T/client.py" "$T/s.sock"; crm_status )
wait $server
rec=$(wait_record "event=taint pid=$server .*taint_source=$DB via=socket " 3)
got=$(cat "$T/server.state")
[ -n "$rec" ] && [ "$got" -gt 1000 ] && pass unix_socket_taints_peer ||
	fail unix_socket_taints_peer "server got '$got' bytes, record '$rec'"

# --- a connection made after the taint: the client reads every row first
# (tainted then), then connects, sends and exits; the display guard reports
# the server's receive at the other end, and the server is tainted ----------
/usr/bin/python3 "$T/server.py" "$T/s2.sock" "$T/server2.state" &
server=$!
for _ in $(seq 50); do [ -s "$T/server2.state" ] && break; sleep 0.1; done
( sqlite3 "$DB" "$Q" 2>/dev/null | /usr/bin/python3 -c "
import socket, sys, time
rows = sys.stdin.buffer.read()
time.sleep(0.5)
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(rows)" "$T/s2.sock" )
wait $server
got=$(cat "$T/server2.state")
rec=$(wait_record "event=taint pid=$server .*taint_source=$DB via=socket " 3)
if ! [ "$got" -gt 1000 ] 2>/dev/null; then
	fail unix_socket_later_taints_peer "setup: the server got '$got' bytes"
elif ! connect_mechanism || [ "$CONNECT_ACTION" != refused ]; then
	fail unix_socket_later_taints_peer "no display guard here, to see the send: $(ctlx status | grep bpf)"
else
	[ -n "$rec" ] && pass unix_socket_later_taints_peer ||
		fail unix_socket_later_taints_peer "server $server got $got bytes, no taint record"
fi

# --- a socket pair: the parent reads what its CRM child writes ----------------
/usr/bin/python3 - "$DB" "$Q" "$T/pair.state" <<'PY' &
import os, socket, sys, time
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
	a.close(); os.dup2(b.fileno(), 1)
	time.sleep(0.5)
	os.execv("/usr/bin/sqlite3", ["sqlite3", sys.argv[1], sys.argv[2]])
b.close()
n = 0
while (x := a.recv(65536)):
	n += len(x)
os.waitpid(pid, 0)
open(sys.argv[3], "w").write(str(n))
PY
pair=$!
wait $pair
rec=$(wait_record "event=taint pid=$pair .*taint_source=$DB via=socket " 3)
got=$(cat "$T/pair.state" 2>/dev/null)
[ -n "$rec" ] && [ "${got:-0}" -gt 1000 ] && pass socketpair_taints_peer ||
	fail socketpair_taints_peer "parent got '$got' bytes, record '$rec'"

# --- nothing untainted was touched ----------------------------------------------
bad=$(grep -E "event=clipboard" "$AUTHLOG" | grep -v "taint_source=$DB")
[ -z "$bad" ] && pass clipboard_only_tainted || fail clipboard_only_tainted "$bad"

# --- clipboard audit: the rows go through, and the flow is recorded -------------
sed -i 's/^clipboard block$/clipboard audit/' "$POLICY"
ctlx reload >/dev/null 2>&1 || fail clip_audit_setup "reload failed"
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec xclip -i -selection clipboard 2>/dev/null); crm_status )
rec=$(wait_record "event=clipboard verdict=audit channel=exec tool=/usr/bin/xclip action=none " 3)
sleep 0.3
[ -n "$rec" ] && clip_has_clients && pass clip_audit_records || fail clip_audit_records "record '$rec'"
# once xclip's first process has handed the selection to its child and
# exited, the flow's record says how much it read: all the rows; and the
# child's, once another client took the selection, that it sent them
size=$(sqlite3 "$DB" "$Q" 2>/dev/null | wc -c)
pid=$(echo "$rec" | grep -o ' pid=[0-9]*' | cut -d= -f2)
ended=$(wait_record "event=clipboard verdict=audit channel=exec tool=/usr/bin/xclip action=ended (.* )?pid=$pid " 5)
got=$(echo "$ended" | grep -o ' bytes_read=[0-9]*' | cut -d= -f2)
set_clip "plain text again $$"	# the child hands the rows over once more, then ends
served=$(wait_record "event=clipboard verdict=audit channel=exec tool=/usr/bin/xclip action=ended (.* )?ppid=$pid " 5)
sent=$(echo "$served" | grep -o ' bytes_written=[0-9]*' | cut -d= -f2)
[ -n "$pid" ] && [ "$size" -gt 1000 ] && [ "${got:-0}" -ge "$size" ] && [ "${sent:-0}" -ge "$size" ] &&
	pass clip_audit_bytes || fail clip_audit_bytes "rows: $size bytes; pid '$pid'; records '$ended' '$served'"

# --- a bad clipboard line keeps the running policy ------------------------------
echo "clipboard maybe" >>"$POLICY"
out=$(ctlx reload 2>&1)
[[ "$out" == *"$POLICY:5: clipboard takes 'audit', 'block' or 'allow exe PATH'"* ]] &&
	[[ "$out" == *"running policy is unchanged"* ]] && pass clipboard_bad_line_refused ||
	fail clipboard_bad_line_refused "$out"
