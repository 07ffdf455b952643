#!/bin/bash
# The clipboard tools held by crmguard.ko (kmod/clip.c, the taint in
# kmod/exec.c): a shell that read the protected file is tainted; its
# children's exec of a clipboard tool (/usr/bin/xclip, made here) fails
# with EPERM, with crmguardd running and then killed (-9): the children
# that run it are forked while crmguardd is dead, so the module gave them
# the taint itself. While dead, the ways around a check at exec are tried
# too: a grandchild, a hard link to the tool, the dynamic loader run by
# hand on it, and a copy of it. An untainted process runs the tool and
# copies it throughout. In `clipboard audit`, under a new crmguardd that
# never saw the taint, the module still knows it: the tool runs, and the
# module's record says so. With fail-open (-F), a killed crmguardd means
# nothing is refused.
. "$(dirname "$0")/clip_lib.bash" || exit 1
checks clip-kmod-setup clip-kmod-untainted clip-kmod-tainted clip-kmod-exec-eperm clip-kmod-records \
	clip-kmod-daemon-dead clip-kmod-dead-{exec,grandchild,link,loader,copy}-eperm \
	clip-kmod-dead-kernel-log clip-kmod-dead-untainted clip-kmod-audit \
	clip-kmod-failopen-eperm clip-kmod-failopen-dead-runs
BACKEND=kmod
TOOL=/usr/bin/xclip
LINK=/usr/bin/crm-xclip-link
LOADER=$(ls /lib64/ld-linux-x86-64.so.2 2>/dev/null)

finish() {
	stop_crmguard
	rm -f "$TOOL" "$LINK"
	cleanup
}
trap finish EXIT

# The tools are found when crmguardd starts: made before. A copy, not a
# link: the tool is known by its inode. The hard link, made now, is the
# same inode under a name crmguardd does not know.
cp /usr/bin/env "$TOOL"
ln -f "$TOOL" "$LINK"
clip_policy
[ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" 2>"$T/insmod.err"
if [ ! -x "$TOOL" ] || [ -z "$LOADER" ] || [ ! -e /sys/module/crmguard ] || ! start_crmguard ||
   ! ctlx status | grep -q '^enforcer: *kmod' || ! ctlx status | grep -q '^clipboard: *crmguard.ko'; then
	fail clip-kmod-setup "tool $(ls -l "$TOOL" 2>&1), loader '$LOADER', $(cat "$T/insmod.err" 2>/dev/null);" \
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
# untainted CHECK: an untainted process runs the tool, through the loader too, and copies it.
untainted() {
	try u.exec "$TOOL"
	try u.loader "$LOADER" "$TOOL"
	try u.copy cp "$TOOL" "$T/u.copy"
	if [ "$(cat "$T/u.exec.rc" "$T/u.loader.rc" "$T/u.copy.rc" | tr -d '\n')" = 000 ]; then
		pass "$1"
	else
		fail "$1" "$(head -c 300 "$T"/u.*.err)"
	fi
}
untainted clip-kmod-untainted

# The tainted shell: at each round its new children try the tool every way.
export -f try
tainted_shell "alive dead audit fo-alive fo-dead" "
		try exec.\$round '$TOOL'
		try grandchild.\$round bash -c '$TOOL; exit \$?'
		try link.\$round '$LINK'
		try loader.\$round '$LOADER' '$TOOL'
		try copy.\$round cp '$TOOL' '$T/copy.'\$round"
shell_tainted clip-kmod-tainted

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
if dmesg | tail -n +$((logged + 1)) | grep -q "crmguard: clipboard: refused exec of xclip .* by tainted pid"; then
	pass clip-kmod-dead-kernel-log
else
	fail clip-kmod-dead-kernel-log "$(dmesg | tail -n +$((logged + 1)) | grep crmguard | tail -3)"
fi
untainted clip-kmod-dead-untainted

# clipboard audit, a new crmguardd: it never saw the shell read, the module kept its taint.
sed -i 's/^clipboard block$/clipboard audit/' "$POLICY"
if start_crmguard && round audit && [ "$(cat "$T/exec.audit.rc")" = 0 ] &&
   wait_record "event=clipboard verdict=audit channel=exec tool=$TOOL action=none .*tainted=1" 5 >/dev/null; then
	pass clip-kmod-audit
else
	fail clip-kmod-audit "exec: $(cat "$T/exec.audit.rc" "$T/exec.audit.err" 2>&1);" \
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
if round fo-dead && [ "$(cat "$T/exec.fo-dead.rc")" = 0 ] && [ "$(cat "$T/loader.fo-dead.rc")" = 0 ]; then
	pass clip-kmod-failopen-dead-runs
else
	fail clip-kmod-failopen-dead-runs "exec: $(cat "$T/exec.fo-dead.rc" "$T/exec.fo-dead.err" 2>&1)"
fi
wait "$TAINTED_SHELL"
