#!/bin/bash
# The clipboard held by crmguard.ko (kmod/clip.c, kmod/display.c, the
# taint in kmod/exec.c): a shell that read the protected file is tainted;
# its children's exec of a clipboard tool (/usr/bin/xclip, made here)
# fails with EPERM, and so do their connections to an X server (its
# socket's path, its abstract twin, a link to it, a path relative to its
# directory, TCP port 6009); a TCP fast open (sendto() with the data, no
# connect()) fails too, with EAFNOSUPPORT, before a byte reaches the
# server; and a connection to it that an untainted broker hands over
# (SCM_RIGHTS) never arrives. All with crmguardd running and then killed
# (-9): the children are forked while
# crmguardd is dead, so the module gave them the taint itself. While dead,
# the ways around a check at exec are tried too: a grandchild, a hard link
# to the tool, the dynamic loader run by hand on it, and a copy of it. The
# binary `clipboard allow exe` names connects, tainted; an untainted
# process runs the tool, copies it and connects throughout. In `clipboard
# audit`, under a new crmguardd that never saw the taint, the module still
# knows it: the tool runs, the connection goes through, and the module's
# records say so. A CRM started while crmguardd is dead is tainted by the
# module at its open, with the next command of its pipeline, which is
# ended there if it already holds a connection to the X server. With
# fail-open (-F), a killed crmguardd means nothing is refused.
. "$(dirname "$0")/clip_lib.bash" || exit 1
checks clip-kmod-setup clip-kmod-untainted clip-kmod-tainted clip-kmod-exec-eperm clip-kmod-records \
	clip-kmod-connect-{unix,abstract,link,relative,tcp}-refused clip-kmod-fastopen-refused clip-kmod-handed-refused clip-kmod-allowed-exe \
	clip-kmod-connect-records clip-kmod-no-connect-tracepoint clip-kmod-daemon-dead clip-kmod-dead-{exec,grandchild,link,loader,copy}-eperm \
	clip-kmod-dead-connect-{unix,abstract,link,relative,tcp}-refused clip-kmod-dead-fastopen-refused clip-kmod-dead-handed-refused \
	clip-kmod-dead-allowed-exe clip-kmod-dead-kernel-log clip-kmod-dead-untainted clip-kmod-dead-new-crm-pipe-refused \
	clip-kmod-dead-connected-reader-ended \
	clip-kmod-no-data clip-kmod-audit \
	clip-kmod-failopen-eperm clip-kmod-failopen-dead-runs
BACKEND=kmod
TOOL=/usr/bin/xclip
LINK=/usr/bin/crm-xclip-link
LOADER=$(ls /lib64/ld-linux-x86-64.so.2 2>/dev/null)

ADDRESSES="unix abstract link relative tcp fastopen"
SERVER=
BROKER=

finish() {
	[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null
	[ -z "$BROKER" ] || kill "$BROKER" 2>/dev/null
	stop_crmguard
	rm -f "$TOOL" "$LINK" /usr/bin/crm-gui /tmp/.X11-unix/X9 /tmp/crm-xlink9
	cleanup
}
trap finish EXIT

# The tools are found when crmguardd starts: made before. A copy, not a
# link: the tool is known by its inode. The hard link, made now, is the
# same inode under a name crmguardd does not know.
cp /usr/bin/env "$TOOL"
ln -f "$TOOL" "$LINK"
cp /usr/bin/python3.11 /usr/bin/crm-gui
clip_policy "clipboard allow exe /usr/bin/crm-gui"
display_client
# The next command of a pipeline: reads what comes, then sends it to the
# X server ("sent"), or says why it could not connect.
cat >"$T/reader.py" <<'PY'
import errno, socket, sys
rows = sys.stdin.buffer.read()
s = socket.socket(socket.AF_UNIX)
try:
	s.connect("/tmp/.X11-unix/X9")
except OSError as e:
	sys.exit(errno.errorcode.get(e.errno, str(e.errno)))
s.send(rows)
print("sent")
PY
[ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" 2>"$T/insmod.err"
if [ ! -x "$TOOL" ] || [ -z "$LOADER" ] || [ ! -e /sys/module/crmguard ] || ! display_server || ! broker ||
   ! start_crmguard || ! ctlx status | grep -q '^enforcer: *kmod' ||
   ! ctlx status | grep -q '^clipboard: *crmguard.ko: .* display connections refused (EPERM'; then
	fail clip-kmod-setup "tool $(ls -l "$TOOL" 2>&1), loader '$LOADER', $(cat "$T/insmod.err" 2>/dev/null);" \
		"server: $(cat "$T/server.err" "$T/broker.err");" \
		"$(ctlx status 2>&1 | grep -E '^(enforcer|clipboard):'); $(tail -3 "$T/daemon.out")"
	exit 1
fi
pass clip-kmod-setup

# try NAME COMMAND...: runs it, its status and stderr in $T/NAME.rc and $T/NAME.err.
try() {
	local name=$1
	shift
	"$@" >/dev/null 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
# refused NAME: it failed, and for the kernel's reason.
refused() { [ "$(cat "$T/$1.rc")" != 0 ] && grep -q "Operation not permitted" "$T/$1.err"; }
# connected NAME OUT: a client of the X server said it connected and sent.
connected() { [ "$(cat "$2" 2>/dev/null)" = "$1=ok" ]; }
# untainted CHECK: an untainted process runs the tool, through the loader
# too, copies it, connects, and sends on a connection handed to it.
untainted() {
	local a out= handed
	try u.exec "$TOOL"
	try u.loader "$LOADER" "$TOOL"
	try u.copy cp "$TOOL" "$T/u.copy"
	for a in $ADDRESSES; do
		python3 "$T/connect1.py" "$a" >"$T/u.$a" 2>&1
		connected "$a" "$T/u.$a" || out="$out $(cat "$T/u.$a")"
	done
	handed=$(python3 "$T/handed.py" "$T/broker.sock" 2>&1)
	if [ "$(cat "$T/u.exec.rc" "$T/u.loader.rc" "$T/u.copy.rc" | tr -d '\n')" = 000 ] && [ -z "$out" ] &&
	   [ "$handed" = send=ok ]; then
		pass "$1"
	else
		fail "$1" "$(head -c 300 "$T"/u.*.err);$out; handed: $handed"
	fi
}
untainted clip-kmod-untainted

# The tainted shell: at each round its new children try the tool every
# way, connect to each address, and run the allowed binary's connection.
export -f try
tainted_shell "alive dead audit fo-alive fo-dead" "
		try exec.\$round '$TOOL'
		try grandchild.\$round bash -c '$TOOL; exit \$?'
		try link.\$round '$LINK'
		try loader.\$round '$LOADER' '$TOOL'
		try copy.\$round cp '$TOOL' '$T/copy.'\$round
		for a in $ADDRESSES; do
			python3 '$T/connect1.py' \$a >'$T/connect.'\$a.\$round 2>&1
			echo \$? >'$T/connect.'\$a.\$round.rc
		done
		python3 '$T/handed.py' '$T/broker.sock' >'$T/handed.'\$round 2>&1
		/usr/bin/crm-gui '$T/connect1.py' link >'$T/allowed.'\$round 2>&1"
shell_tainted clip-kmod-tainted
# eperm A ROUND: its connection failed with EPERM, by the module or
# crmguardd's display guard (Linux 6.7 on), whichever comes first.
eperm() { [ "$(cat "$T/connect.$1.$2")" = "$1=EPERM" ]; }

if round alive && refused exec.alive; then
	pass clip-kmod-exec-eperm
else
	fail clip-kmod-exec-eperm "status $(cat "$T/exec.alive.rc" 2>&1): $(cat "$T/exec.alive.err" "$T/shell.err" 2>&1)"
fi
if wait_record "event=clipboard verdict=deny channel=exec tool=$TOOL action=refused .*taint_source=$CRM/clients.csv" 5 >/dev/null; then
	pass clip-kmod-records
else
	fail clip-kmod-records "$(grep 'event=clipboard' "$AUTHLOG" | head -5 | tr '\n' ' ')"
fi
for a in ${ADDRESSES% fastopen}; do
	eperm "$a" alive && pass "clip-kmod-connect-$a-refused" ||
		fail "clip-kmod-connect-$a-refused" "status $(cat "$T/connect.$a.alive.rc"): $(cat "$T/connect.$a.alive")"
done
# a fast open, which passes no LSM hook for connections: the module makes
# the kernel refuse it another way (the display guard's connect4 program,
# where it runs, refuses it first with EPERM)
{ eperm fastopen alive || grep -qx fastopen=EAFNOSUPPORT "$T/connect.fastopen.alive"; } &&
	pass clip-kmod-fastopen-refused ||
	fail clip-kmod-fastopen-refused "status $(cat "$T/connect.fastopen.alive.rc"): $(cat "$T/connect.fastopen.alive")"
# handed over by a broker that is not tainted: refused as it arrives (SCM_RIGHTS)
[ "$(cat "$T/handed.alive")" = received=none ] && pass clip-kmod-handed-refused ||
	fail clip-kmod-handed-refused "$(cat "$T/handed.alive" "$T/broker.err")"
connected link "$T/allowed.alive" && pass clip-kmod-allowed-exe ||
	fail clip-kmod-allowed-exe "$(cat "$T/allowed.alive")"
# the module ends what the sensor's connect() tracepoint would: that one,
# which slows every system call of the machine, is not attached
if ctlx status | grep -q 'sys_enter_connect'; then
	fail clip-kmod-no-connect-tracepoint "$(ctlx status | grep -E 'bpf|connect')"
else
	pass clip-kmod-no-connect-tracepoint
fi
# the link's connection, which only the module can tell from others: refused, and said so
if wait_record "event=clipboard verdict=deny channel=x11 address=/tmp/.X11-unix/X9 action=refused .*taint_source=$CRM/clients.csv" 5 >/dev/null &&
   wait_record "event=clipboard verdict=deny channel=x11 address=tcp:6009 action=refused " 5 >/dev/null &&
   ! grep -q "event=clipboard .*exe=/usr/bin/crm-gui" "$AUTHLOG"; then
	pass clip-kmod-connect-records
else
	fail clip-kmod-connect-records "$(grep 'event=clipboard verdict=deny channel=x11' "$AUTHLOG" | head -5 | tr '\n' ' ')"
fi

# crmguardd killed: the module alone holds, for children forked since.
kill_daemon
if [ ! -e "/proc/$KILLED_PID" ] && [ -e /sys/module/crmguard ]; then
	pass clip-kmod-daemon-dead
else
	fail clip-kmod-daemon-dead "crmguardd $KILLED_PID: $(head -2 "/proc/$KILLED_PID/status" 2>&1)"
fi
logged=$(dmesg | wc -l)
if round dead; then
	for way in exec grandchild link loader copy; do
		if refused "$way.dead" && { [ "$way" != copy ] || [ ! -s "$T/copy.dead" ]; }; then
			pass "clip-kmod-dead-$way-eperm"
		else
			fail "clip-kmod-dead-$way-eperm" "status $(cat "$T/$way.dead.rc"): $(head -c 300 "$T/$way.dead.err")"
		fi
	done
else
	for way in exec grandchild link loader copy; do
		fail "clip-kmod-dead-$way-eperm" "the shell did not finish the round: $(cat "$T/shell.err")"
	done
fi
for a in ${ADDRESSES% fastopen}; do
	eperm "$a" dead && pass "clip-kmod-dead-connect-$a-refused" ||
		fail "clip-kmod-dead-connect-$a-refused" "status $(cat "$T/connect.$a.dead.rc"): $(cat "$T/connect.$a.dead")"
done
grep -qx fastopen=EAFNOSUPPORT "$T/connect.fastopen.dead" && pass clip-kmod-dead-fastopen-refused ||
	fail clip-kmod-dead-fastopen-refused "status $(cat "$T/connect.fastopen.dead.rc"): $(cat "$T/connect.fastopen.dead")"
[ "$(cat "$T/handed.dead")" = received=none ] && pass clip-kmod-dead-handed-refused ||
	fail clip-kmod-dead-handed-refused "$(cat "$T/handed.dead" "$T/broker.err")"
connected link "$T/allowed.dead" && pass clip-kmod-dead-allowed-exe ||
	fail clip-kmod-dead-allowed-exe "$(cat "$T/allowed.dead")"
if dmesg | tail -n +$((logged + 1)) | grep -q "crmguard: clipboard: refused exec of xclip .* by tainted pid" &&
   dmesg | tail -n +$((logged + 1)) | grep -q "crmguard: clipboard: refused connection of tainted pid .* to @/tmp/.X11-unix/X9"; then
	pass clip-kmod-dead-kernel-log
else
	fail clip-kmod-dead-kernel-log "$(dmesg | tail -n +$((logged + 1)) | grep crmguard | tail -3)"
fi
untainted clip-kmod-dead-untainted
# A CRM started now, nobody tainted before: `crm | tool` in a shell of its
# own. Proven to pass plain text first.
pipeline() { ( "$@" | python3 "$T/reader.py" >"$T/pipe.out" 2>&1; echo "${PIPESTATUS[1]}" >"$T/pipe.rc" ); }
pipeline echo "plain text"
plain=$(cat "$T/pipe.rc" "$T/pipe.out" | tr '\n' ' ')
pipeline bash -c "read -r line <'$CRM/clients.csv' && echo \"\$line\" && sleep 0.5"
if [ "$plain" = "0 sent " ] && [ "$(cat "$T/pipe.rc" "$T/pipe.out" | tr '\n' ' ')" = "1 EPERM " ]; then
	pass clip-kmod-dead-new-crm-pipe-refused
else
	fail clip-kmod-dead-new-crm-pipe-refused "plain: '$plain'; the CRM's: status $(cat "$T/pipe.rc"), '$(cat "$T/pipe.out")'"
fi
# The next command of a new CRM's pipeline that connected to the X server
# before the CRM opened the file (as a clipboard tool already running
# does): ended at that open, before it reads a row.
cat >"$T/early.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect("/tmp/.X11-unix/X9")
open(sys.argv[1], "w").close()
s.send(sys.stdin.buffer.read())
print("sent")
PY
( bash -c "for _ in \$(seq 100); do [ -e '$T/early.connected' ] && break; sleep 0.1; done
	read -r line <'$CRM/clients.csv' && echo \"\$line\" && sleep 0.5" |
	python3 "$T/early.py" "$T/early.connected" >"$T/early.out" 2>&1; echo "${PIPESTATUS[1]}" >"$T/early.rc" )
if [ -e "$T/early.connected" ] && [ "$(cat "$T/early.rc")" = 137 ] && [ ! -s "$T/early.out" ]; then
	pass clip-kmod-dead-connected-reader-ended
else
	fail clip-kmod-dead-connected-reader-ended "connected first: $(ls "$T/early.connected" 2>&1);" \
		"status $(cat "$T/early.rc"), '$(cat "$T/early.out")'"
fi
# What reached the server: the untainted clients' rows (6 addresses, a
# handed-over socket; twice) and the allowed binary's, 7 + 7 + 2.
rows=$(grep -c "ACME Ltd" "$T/server.data" 2>/dev/null)
grep -q "plain text" "$T/server.data" || rows="no plain text, $rows"
[ "$rows" = 16 ] && pass clip-kmod-no-data || fail clip-kmod-no-data "$rows rows reached the server, not 16"

# clipboard audit, a new crmguardd: it never saw the shell read, the module kept its taint.
sed -i 's/^clipboard block$/clipboard audit/' "$POLICY"
if start_crmguard && round audit && [ "$(cat "$T/exec.audit.rc")" = 0 ] &&
   connected relative "$T/connect.relative.audit" &&
   wait_record "event=clipboard verdict=audit channel=exec tool=$TOOL action=none .*tainted=1" 5 >/dev/null &&
   wait_record "event=clipboard verdict=audit channel=x11 address=/tmp/.X11-unix/X9 action=none .*tainted=1" 5 >/dev/null; then
	pass clip-kmod-audit
else
	fail clip-kmod-audit "exec: $(cat "$T/exec.audit.rc" "$T/exec.audit.err" 2>&1);" \
		"connect: $(cat "$T/connect.relative.audit" 2>&1);" \
		"$(grep 'event=clipboard verdict=audit' "$AUTHLOG" | head -3 | tr '\n' ' ')"
fi
stop_crmguard

# fail-open: refused while crmguardd runs, nothing once it is killed.
sed -i 's/^clipboard audit$/clipboard block/' "$POLICY"
if start_crmguard -F && round fo-alive && refused exec.fo-alive; then
	pass clip-kmod-failopen-eperm
else
	fail clip-kmod-failopen-eperm "status $(cat "$T/exec.fo-alive.rc" 2>&1): $(cat "$T/exec.fo-alive.err" 2>&1)"
fi
kill_daemon
if round fo-dead && [ "$(cat "$T/exec.fo-dead.rc")" = 0 ] && [ "$(cat "$T/loader.fo-dead.rc")" = 0 ] &&
   connected unix "$T/connect.unix.fo-dead"; then
	pass clip-kmod-failopen-dead-runs
else
	fail clip-kmod-failopen-dead-runs "exec: $(cat "$T/exec.fo-dead.rc" "$T/exec.fo-dead.err" 2>&1);" \
		"connect: $(cat "$T/connect.unix.fo-dead" 2>&1)"
fi
wait "$TAINTED_SHELL"
