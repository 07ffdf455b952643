#!/bin/bash
# The clipboard refusals held by the BPF LSM (ebpf/clip_lsm.bpf.c,
# ctl/daemon/taint/clip_lsm.c): a shell that read the protected file is
# tainted; its children's connect() to an X server (a listening unix
# socket at /tmp/.X11-unix/X9, named so, by a link or relative to its
# directory, its abstract twin, TCP port 6009; and a TCP fast open, which
# connects from sendto() with the data), its send on such a socket
# that an untainted process connected and handed to it, and exec
# of a clipboard tool (/usr/bin/xclip, made here), the dynamic loader
# run on it by hand and a copy of it, fail with EPERM, with
# crmguardd running and then killed (-9): a child forked while it is dead
# is held too. The binary `clipboard allow exe` names connects, tainted;
# an untainted process connects and runs the tool. In `clipboard audit`,
# under a new crmguardd that never saw the taint, the kernel still knows
# it: the connection goes through and is recorded.
. "$(dirname "$0")/clip_lib.bash" || exit 1
checks clip-lsm-setup clip-lsm-untainted clip-lsm-tainted clip-lsm-connect-eperm clip-lsm-handed-eperm \
	clip-lsm-exec-eperm clip-lsm-loader-eperm clip-lsm-copy-eperm clip-lsm-allowed-exe clip-lsm-records \
	clip-lsm-daemon-dead clip-lsm-dead-connect-eperm clip-lsm-dead-handed-eperm clip-lsm-dead-exec-eperm \
	clip-lsm-dead-loader-eperm clip-lsm-dead-copy-eperm clip-lsm-dead-allowed-exe \
	clip-lsm-dead-untainted clip-lsm-audit
BACKEND=bpf-lsm
PINS=/sys/fs/bpf/crmguard
ADDRESSES="unix abstract link relative tcp fastopen"
LOADER=$(ls /lib64/ld-linux-x86-64.so.2 2>/dev/null)
SERVER=
BROKER=

finish() {
	[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null
	[ -z "$BROKER" ] || kill "$BROKER" 2>/dev/null
	rm -f /usr/bin/xclip /usr/bin/crm-gui /tmp/.X11-unix/X9 /tmp/crm-xlink9
	stop_crmguard
	rm -rf "$PINS"
	cleanup
}
trap finish EXIT

# A client: what each address gave ("ADDRESS=ok" or the errno's name), one
# process each (display_client), run with the interpreter that runs this.
cat >"$T/connect.py" <<PY
import subprocess, sys
print(" ".join(subprocess.run([sys.executable, "$T/connect1.py", a], capture_output=True,
			      text=True).stdout.strip() or a + "=ended"
	       for a in "$ADDRESSES".split()))
PY
REFUSED="unix=EPERM abstract=EPERM link=EPERM relative=EPERM tcp=EPERM fastopen=EPERM"
ALLOWED="unix=ok abstract=ok link=ok relative=ok tcp=ok fastopen=ok"

# The tools are found when crmguardd starts: made before. A copy, not a
# link: the tool is known by its inode.
cp /usr/bin/env /usr/bin/xclip
cp /usr/bin/python3.11 /usr/bin/crm-gui
clip_policy "clipboard allow exe /usr/bin/crm-gui"
display_client
display_server
broker
if [ ! -e "$T/server.ready" ] || [ ! -e "$T/broker.ready" ] || ! start_crmguard ||
   ! ctlx status | grep -q '^clipboard: *the BPF LSM' || ! ctlx status | grep -q '^enforcer: *bpf-lsm' ||
   [ ! -e "$PINS/link_clip_connect" ] || [ ! -e "$PINS/link_clip_tool" ] || [ -z "$LOADER" ]; then
	fail clip-lsm-setup "server: $(cat "$T/server.err" "$T/broker.err"); loader '$LOADER';" \
		"$(ctlx status 2>&1 | grep -E '^(enforcer|clipboard):');" \
		"$(ls "$PINS" 2>&1 | tr '\n' ' '); $(tail -3 "$T/daemon.out")"
	exit 1
fi
pass clip-lsm-setup

# untainted PHASE: an untainted process connects, and runs the tool.
untainted() {
	local out handed
	out=$(python3 "$T/connect.py" 2>&1)
	handed=$(python3 "$T/handed.py" "$T/broker.sock" 2>&1)
	if [ "$out" = "$ALLOWED" ] && [ "$handed" = send=ok ] && /usr/bin/xclip >/dev/null 2>"$T/untainted.err"; then
		pass "$1"
	else
		fail "$1" "connect: $out; handed: $handed; xclip: $(cat "$T/untainted.err")"
	fi
}
untainted clip-lsm-untainted

# The tainted shell: at each round its new children connect, run the
# tool, and run the allowed binary.
tainted_shell "alive dead audit" "
		python3 '$T/connect.py' >'$T/connect.'\$round 2>&1
		python3 '$T/handed.py' '$T/broker.sock' >'$T/handed.'\$round 2>&1
		/usr/bin/xclip >/dev/null 2>'$T/exec.'\$round; echo \$? >'$T/exec.'\$round.rc
		'$LOADER' /usr/bin/xclip >/dev/null 2>'$T/loader.'\$round; echo \$? >'$T/loader.'\$round.rc
		cp /usr/bin/xclip '$T/copy.'\$round 2>'$T/cp.'\$round; echo \$? >'$T/cp.'\$round.rc
		/usr/bin/crm-gui '$T/connect.py' >'$T/allowed.'\$round 2>&1"
shell_tainted clip-lsm-tainted

# expect_round NAME CHECK-PREFIX: the round's connect and exec refused, the allowed binary connected.
expect_round() {
	if ! round "$1"; then
		fail "$2-connect-eperm" "the shell did not finish round $1: $(cat "$T/shell.err")"
		fail "$2-handed-eperm" "see $2-connect-eperm"
		fail "$2-exec-eperm" "see $2-connect-eperm"
		fail "$2-loader-eperm" "see $2-connect-eperm"
		fail "$2-copy-eperm" "see $2-connect-eperm"
		fail "$2-allowed-exe" "see $2-connect-eperm"
		return
	fi
	[ "$(cat "$T/connect.$1")" = "$REFUSED" ] && pass "$2-connect-eperm" ||
		fail "$2-connect-eperm" "$(cat "$T/connect.$1")"
	[ "$(cat "$T/handed.$1")" = send=EPERM ] && pass "$2-handed-eperm" ||
		fail "$2-handed-eperm" "a display socket handed over: $(cat "$T/handed.$1"; cat "$T/broker.err")"
	[ "$(cat "$T/exec.$1.rc")" = 126 ] && grep -q "Operation not permitted" "$T/exec.$1" &&
		pass "$2-exec-eperm" || fail "$2-exec-eperm" "status $(cat "$T/exec.$1.rc"): $(cat "$T/exec.$1")"
	[ "$(cat "$T/loader.$1.rc")" != 0 ] && grep -q "Operation not permitted" "$T/loader.$1" &&
		pass "$2-loader-eperm" || fail "$2-loader-eperm" "status $(cat "$T/loader.$1.rc"): $(cat "$T/loader.$1")"
	[ "$(cat "$T/cp.$1.rc")" != 0 ] && grep -q "Operation not permitted" "$T/cp.$1" && [ ! -s "$T/copy.$1" ] &&
		pass "$2-copy-eperm" || fail "$2-copy-eperm" "status $(cat "$T/cp.$1.rc"): $(cat "$T/cp.$1")"
	[ "$(cat "$T/allowed.$1")" = "$ALLOWED" ] && pass "$2-allowed-exe" ||
		fail "$2-allowed-exe" "$(cat "$T/allowed.$1")"
}
expect_round alive clip-lsm
r1=$(wait_record "event=clipboard verdict=deny channel=x11 address=/tmp/.X11-unix/X9 action=refused .*exe=/usr/bin/python3" 5)
r2=$(wait_record "event=clipboard verdict=deny channel=x11 address=@/tmp/.X11-unix/X9 action=refused " 5)
r3=$(wait_record "event=clipboard verdict=deny channel=x11 address=tcp:6009 action=refused .*tainted=1 " 5)
r4=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/xclip action=refused .*taint_source=$CRM/clients.csv" 5)
if [ -n "$r1" ] && [ -n "$r2" ] && [ -n "$r3" ] && [ -n "$r4" ] &&
   ! grep -q "event=clipboard .*exe=/usr/bin/crm-gui" "$AUTHLOG"; then
	pass clip-lsm-records
else
	fail clip-lsm-records "'$r1' '$r2' '$r3' '$r4': $(grep 'event=clipboard' "$AUTHLOG" | head -5 | tr '\n' ' ')"
fi

# crmguardd killed: the kernel alone holds, for children forked since.
kill_daemon
if [ ! -e "/proc/$KILLED_PID" ] && [ -e "$PINS/link_clip_connect" ] && [ -e "$PINS/clip_taint" ]; then
	pass clip-lsm-daemon-dead
else
	fail clip-lsm-daemon-dead "crmguardd $KILLED_PID: $(head -2 "/proc/$KILLED_PID/status" 2>&1); pins: $(ls "$PINS" | tr '\n' ' ')"
fi
expect_round dead clip-lsm-dead
untainted clip-lsm-dead-untainted

# clipboard audit, a new crmguardd: it never saw the shell read, the kernel kept its taint.
sed -i 's/^clipboard block$/clipboard audit/' "$POLICY"
if start_crmguard && round audit && [ "$(cat "$T/connect.audit")" = "$ALLOWED" ] &&
   [ "$(cat "$T/handed.audit")" = send=ok ] &&
   [ "$(cat "$T/exec.audit.rc")" = 0 ] &&
   rec=$(wait_record "event=clipboard verdict=audit channel=x11 address=/tmp/.X11-unix/X9 action=none .*tainted=1" 5) &&
   wait_record "event=clipboard verdict=audit channel=exec tool=/usr/bin/xclip action=none " 5 >/dev/null; then
	pass clip-lsm-audit
else
	fail clip-lsm-audit "connect: $(cat "$T/connect.audit" 2>&1); handed: $(cat "$T/handed.audit" 2>&1);" \
		"exec: $(cat "$T/exec.audit" "$T/exec.audit.rc" 2>&1);" \
		"$(grep 'event=clipboard verdict=audit' "$AUTHLOG" | head -3 | tr '\n' ' ')"
fi
wait "$TAINTED_SHELL"
